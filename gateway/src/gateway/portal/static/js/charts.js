// Small accessible SVG charts, hand-written (no library, no external font). Each chart is a
// <figure>: the SVG (role="img", aria-label, <title>), a legend (.legend) and a visually
// hidden table with the same numbers for screen readers. Series differ by colour AND by
// line dash, marker shape or bar pattern, so colour is never the only difference.

import { fmtNumber, h } from "./ui.js";

const SVG = "http://www.w3.org/2000/svg";
// Blue, orange, purple, teal, brown, grey: told apart by people with red/green colour blindness.
export const PALETTE = ["#0b5cad", "#c85a00", "#6a3d9a", "#1b7f79", "#7a4a12", "#5b6470"];
const DASHES = ["", "7 4", "2 4", "10 4 2 4", "4 2", "1 3"];
const MARKERS = ["circle", "square", "triangle", "diamond", "circle", "square"];
const PATTERNS = ["solid", "hatch", "dots", "cross", "hatch-back", "grid"];
let chartCounter = 0;

/** A phone: the charts are drawn narrower (bigger text once scaled), with shorter labels. */
function narrow() {
  return window.matchMedia("(max-width: 600px)").matches;
}

/** An SVG element: s("rect", {x: 1}, child…). */
function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value != null && value !== false) el.setAttribute(key, String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child == null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Numbers as Vietnam writes them: 1.234; a fraction as "97,5 %". */
export function fmtValue(value, kind = "count") {
  if (value == null || Number.isNaN(value)) return "—";
  if (kind === "ratio") return `${fmtNumber(value * 100, 1)} %`;
  if (kind === "percent") return `${fmtNumber(value, 1)} %`;
  if (kind === "points") return fmtNumber(value, 2);
  return fmtNumber(value, 2);
}

/** A "nice" upper bound for an axis and its tick step. */
function niceScale(max, kind = "count", ticks = 4) {
  const whole = kind === "count";
  if (!(max > 0)) return whole ? { top: ticks, step: 1 } : { top: 1, step: 0.25 };
  const raw = whole ? Math.max(1, max / ticks) : max / ticks;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((m) => m >= raw);
  return { top: step * Math.ceil(max / step), step };
}

function svgRoot(label, width, height, extra = {}) {
  const id = `chart-${++chartCounter}`;
  const svg = s("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": label,
    preserveAspectRatio: "xMidYMid meet", class: "chart-svg", focusable: "false", ...extra },
  s("title", { id: `${id}-title` }, label));
  return { svg, id };
}

function patternDefs(id, count) {
  const defs = s("defs");
  for (let i = 0; i < count; i++) {
    const color = PALETTE[i % PALETTE.length];
    const kind = PATTERNS[i % PATTERNS.length];
    const p = s("pattern", { id: `${id}-p${i}`, width: 6, height: 6, patternUnits: "userSpaceOnUse",
      patternTransform: kind === "hatch" ? "rotate(45)" : kind === "hatch-back" ? "rotate(-45)" : null });
    p.append(s("rect", { width: 6, height: 6, fill: kind === "solid" ? color : "#fff" }));
    if (kind === "hatch" || kind === "hatch-back") p.append(s("rect", { width: 3, height: 6, fill: color }));
    if (kind === "dots") p.append(s("circle", { cx: 3, cy: 3, r: 1.8, fill: color }));
    if (kind === "cross" || kind === "grid") {
      p.append(s("path", { d: "M0 3H6M3 0V6", stroke: color, "stroke-width": 2 }));
    }
    defs.append(p);
  }
  return defs;
}

function marker(shape, x, y, color) {
  const r = 3.5;
  if (shape === "square") return s("rect", { x: x - r, y: y - r, width: 2 * r, height: 2 * r, fill: color });
  if (shape === "triangle") return s("path", { d: `M${x} ${y - r - 1}L${x + r + 1} ${y + r}L${x - r - 1} ${y + r}Z`, fill: color });
  if (shape === "diamond") return s("path", { d: `M${x} ${y - r - 1}L${x + r + 1} ${y}L${x} ${y + r + 1}L${x - r - 1} ${y}Z`, fill: color });
  return s("circle", { cx: x, cy: y, r, fill: color });
}

function legend(series, swatch) {
  return h("ul", { class: "legend", "aria-hidden": "true" }, series.map((serie, i) => {
    const sw = s("svg", { width: 28, height: 14, viewBox: "0 0 28 14", class: "legend-swatch" }, swatch(i));
    return h("li", {}, sw, h("span", {}, serie.name));
  }));
}

/** The same numbers as a table only screen readers see. */
function dataTable(caption, headers, rows) {
  // Wrapped: a table grows to its content whatever its own width, a div keeps the 1 px box.
  return h("div", { class: "visually-hidden" }, h("table", { class: "chart-data" },
    h("caption", {}, caption),
    h("thead", {}, h("tr", {}, headers.map((text) => h("th", { scope: "col" }, text)))),
    h("tbody", {}, rows.map(([head, ...cells]) =>
      h("tr", {}, h("th", { scope: "row" }, head), cells.map((c) => h("td", {}, c)))))));
}

function figure(name, svg, legendNode, table, note) {
  return h("figure", { class: "chart", "data-chart": name }, svg, legendNode, table,
    note ? h("figcaption", { class: "hint" }, note) : null);
}

/**
 * A line chart of several series over time.
 * labels: the x labels (dates already formatted); series: [{name, values, kind?}];
 * kind: "count" (default) or "ratio" (fractions 0–1, drawn as %).
 */
export function lineChart({ title, labels, series, kind = "count", yLabel, note }) {
  const W = narrow() ? 420 : 960, H = narrow() ? 260 : 320, L = 56, R = 16, T = 16, B = 52;
  const plotW = W - L - R, plotH = H - T - B;
  const max = Math.max(0, ...series.flatMap((x) => x.values.filter((v) => v != null)));
  const { top, step } = kind === "ratio" ? { top: 1, step: 0.25 } : niceScale(max, kind);
  const x = (i) => L + (labels.length <= 1 ? plotW / 2 : (i * plotW) / (labels.length - 1));
  const y = (v) => T + plotH - (v / top) * plotH;
  const { svg } = svgRoot(title, W, H);
  const grid = s("g", { class: "axis" });
  for (let v = 0; v <= top + step / 2; v += step) {
    grid.append(s("line", { x1: L, x2: W - R, y1: y(v), y2: y(v), class: "gridline" }),
      s("text", { x: L - 6, y: y(v) + 4, "text-anchor": "end" }, fmtValue(v, kind)));
  }
  const every = Math.max(1, Math.ceil(labels.length / (narrow() ? 4 : 8)));
  labels.forEach((text, i) => {
    if (i % every && i !== labels.length - 1) return;
    grid.append(s("text", { x: x(i), y: H - B + 18, "text-anchor": "middle" }, text));
  });
  grid.append(s("line", { x1: L, x2: W - R, y1: T + plotH, y2: T + plotH, class: "baseline" }));
  if (yLabel) grid.append(s("text", { x: 12, y: T + plotH / 2, "text-anchor": "middle", transform: `rotate(-90 12 ${T + plotH / 2})` }, yLabel));
  svg.append(grid);
  series.forEach((serie, si) => {
    const color = PALETTE[si % PALETTE.length];
    const points = serie.values.map((v, i) => (v == null ? null : [x(i), y(v)]));
    let d = "";
    let pen = false;
    for (const p of points) {
      if (!p) { pen = false; continue; }
      d += `${pen ? "L" : "M"}${p[0].toFixed(1)} ${p[1].toFixed(1)}`;
      pen = true;
    }
    const g = s("g", { class: "series" }, s("path", { d, fill: "none", stroke: color, "stroke-width": 2.5,
      "stroke-dasharray": DASHES[si % DASHES.length] || null, "stroke-linejoin": "round" }));
    if (labels.length <= 40) {
      points.forEach((p, i) => {
        if (!p) return;
        const m = marker(MARKERS[si % MARKERS.length], p[0], p[1], color);
        m.append(s("title", {}, `${serie.name}, ${labels[i]}: ${fmtValue(serie.values[i], kind)}`));
        g.append(m);
      });
    }
    svg.append(g);
  });
  const table = dataTable(title, ["Kỳ", ...series.map((x) => x.name)],
    labels.map((text, i) => [text, ...series.map((x) => fmtValue(x.values[i], kind))]));
  return figure("line", svg, legend(series, (i) => [
    s("line", { x1: 1, x2: 27, y1: 7, y2: 7, stroke: PALETTE[i % PALETTE.length], "stroke-width": 2.5,
      "stroke-dasharray": DASHES[i % DASHES.length] || null }),
    marker(MARKERS[i % MARKERS.length], 14, 7, PALETTE[i % PALETTE.length])]), table, note);
}

function shorten(text, max) {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * A horizontal bar chart by category (agencies): bars grouped side by side, or stacked.
 * categories: names; series: [{name, values}] aligned with them.
 */
export function barChart({ title, categories, series, stacked = false, kind = "count", note, categoryLabel = "Đơn vị" }) {
  const small = narrow();
  const W = small ? 420 : 960, L = small ? 130 : 300, R = 48, T = 12, B = 34;
  const band = stacked ? 30 : Math.max(26, 10 + 12 * series.length);
  const H = T + B + band * Math.max(categories.length, 1);
  const plotW = W - L - R;
  const totals = categories.map((_, c) => (stacked
    ? series.reduce((sum, x) => sum + (x.values[c] || 0), 0)
    : Math.max(0, ...series.map((x) => x.values[c] || 0))));
  const { top, step } = niceScale(Math.max(0, ...totals), kind);
  const xs = (v) => L + (v / top) * plotW;
  const { svg, id } = svgRoot(title, W, H);
  svg.append(patternDefs(id, series.length));
  const axis = s("g", { class: "axis" });
  for (let v = 0; v <= top + step / 2; v += step) {
    axis.append(s("line", { x1: xs(v), x2: xs(v), y1: T, y2: H - B, class: "gridline" }),
      s("text", { x: xs(v), y: H - B + 18, "text-anchor": "middle" }, fmtValue(v, kind)));
  }
  svg.append(axis);
  categories.forEach((name, c) => {
    const y0 = T + c * band;
    const g = s("g", { class: "bar-group" }, s("title", {}, `${name}: ${series.map((x) =>
      `${x.name} ${fmtValue(x.values[c], kind)}`).join("; ")}`));
    g.append(s("text", { x: L - 8, y: y0 + band / 2 + 4, "text-anchor": "end", class: "cat" }, shorten(name, small ? 18 : 44)));
    let offset = 0;
    const barH = stacked ? band - 10 : (band - 8) / series.length;
    series.forEach((serie, si) => {
      const v = serie.values[c] || 0;
      const x0 = stacked ? xs(offset) : L;
      const width = Math.max(0, xs(v) - L);
      const yb = stacked ? y0 + 5 : y0 + 4 + si * barH;
      g.append(s("rect", { x: x0, y: yb, width, height: Math.max(1, barH - 1), fill: `url(#${id}-p${si})`,
        stroke: PALETTE[si % PALETTE.length], "stroke-width": width ? 1 : 0 }));
      if (!stacked) {
        g.append(s("text", { x: L + width + 4, y: yb + barH / 2 + 4, class: "value" }, fmtValue(serie.values[c], kind)));
      }
      offset += v;
    });
    if (stacked) g.append(s("text", { x: xs(offset) + 4, y: y0 + band / 2 + 4, class: "value" }, fmtValue(offset, kind)));
    svg.append(g);
  });
  svg.append(s("line", { x1: L, x2: L, y1: T, y2: H - B, class: "baseline" }));
  const headers = [categoryLabel, ...series.map((x) => x.name), stacked ? "Tổng" : null].filter(Boolean);
  const table = dataTable(title, headers, categories.map((name, c) => [name,
    ...series.map((x) => fmtValue(x.values[c], kind)), ...(stacked ? [fmtValue(totals[c], kind)] : [])]));
  return figure(stacked ? "stacked-bar" : "bar", svg, legend(series, (i) =>
    s("rect", { x: 2, y: 1, width: 24, height: 12, fill: `url(#${id}-p${i})`, stroke: PALETTE[i % PALETTE.length] })),
  table, note);
}

/**
 * Scores against their maximum as horizontal bars (a gauge each): items [{label, value, max}].
 * The bar's track is the maximum; the text says "8 / 18 điểm".
 */
export function scoreBars({ title, items, unit = "điểm", note }) {
  const small = narrow();
  const W = small ? 420 : 960, L = small ? 130 : 380, R = 110, T = 8, row = 30;
  const H = T * 2 + row * Math.max(items.length, 1);
  const plotW = W - L - R;
  const { svg } = svgRoot(title, W, H);
  items.forEach((item, i) => {
    const y0 = T + i * row;
    const share = item.max > 0 ? Math.min(1, Math.max(0, (item.value || 0) / item.max)) : 0;
    const text = `${fmtValue(item.value, "points")} / ${fmtValue(item.max, "points")} ${unit}`;
    svg.append(s("g", { class: "score" },
      s("title", {}, `${item.label}: ${text}`),
      s("text", { x: L - 8, y: y0 + row / 2 + 4, "text-anchor": "end", class: "cat" }, shorten(item.label, small ? 18 : 58)),
      s("rect", { x: L, y: y0 + 6, width: plotW, height: row - 12, rx: 4, class: "track" }),
      s("rect", { x: L, y: y0 + 6, width: plotW * share, height: row - 12, rx: 4, fill: PALETTE[0] }),
      s("line", { x1: L + plotW, x2: L + plotW, y1: y0 + 3, y2: y0 + row - 3, class: "max-mark" }),
      s("text", { x: L + plotW + 6, y: y0 + row / 2 + 4, class: "value" }, text)));
  });
  const table = dataTable(title, ["Tiêu chí", "Điểm đạt", "Điểm tối đa"],
    items.map((item) => [item.label, fmtValue(item.value, "points"), fmtValue(item.max, "points")]));
  const legendNode = h("ul", { class: "legend", "aria-hidden": "true" },
    h("li", {}, s("svg", { width: 28, height: 14, viewBox: "0 0 28 14", class: "legend-swatch" },
      s("rect", { x: 1, y: 2, width: 26, height: 10, fill: PALETTE[0], rx: 3 })), h("span", {}, "Điểm đạt")),
    h("li", {}, s("svg", { width: 28, height: 14, viewBox: "0 0 28 14", class: "legend-swatch" },
      s("rect", { x: 1, y: 2, width: 26, height: 10, class: "track", rx: 3 })), h("span", {}, "Điểm tối đa")));
  return figure("score", svg, legendNode, table, note);
}
