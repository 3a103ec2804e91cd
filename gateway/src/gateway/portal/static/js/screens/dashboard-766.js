// Chỉ số 766: the service index of QĐ 766/QĐ-TTg for an agency's subtree and period, each
// group and criterion against its maximum, the ranking of the agencies under it, and the
// criteria the platform cannot count, recorded by hand.

import { api } from "../api.js";
import { barChart, fmtValue, scoreBars } from "../charts.js";
import { badge, field, fmtDate, fmtDateTime, form, h, problemBox, section, table, toast, todayVn } from "../ui.js";
import * as auth from "../auth.js";
import {
  READERS, RECORDERS, agencyChoices, agencyName, agencyOptions, defaultAgency, firstOfMonthVn,
  header, windowText,
} from "./dashboard-common.js";

export const routes = [
  { path: "/bao-cao/chi-so-766", title: "Bộ chỉ số 766", access: READERS, render: screen },
];

async function screen(ctx) {
  const choices = await agencyChoices(ctx.me);
  const agency = ctx.query.agency || defaultAgency(ctx.me, choices);
  const from = ctx.query.from || firstOfMonthVn();
  const to = ctx.query.to || todayVn();
  const params = { agency, from, to };
  const [result, ranking, manual] = await Promise.allSettled([
    api.get("/api/v1/reports/index-766", params),
    api.get("/api/v1/reports/index-766/ranking", params),
    api.get("/api/v1/reports/index-766/manual-values", { agency }),
  ]);
  const name = agencyName(choices, agency);
  const parts = [header("Bộ chỉ số phục vụ người dân, doanh nghiệp", "chi-so-766"),
    filters(ctx, choices, params)];
  if (result.status === "fulfilled") {
    parts.push(score(result.value, name), criteria(result.value));
  } else {
    parts.push(problemBox(result.reason));
  }
  parts.push(section("Xếp hạng các đơn vị trực thuộc", ranking.status === "fulfilled"
    ? rankingView(ranking.value, choices, result.value) : problemBox(ranking.reason)));
  if (result.status === "fulfilled" && manual.status === "fulfilled") {
    parts.push(manualValues(ctx, result.value, manual.value, choices, agency));
  }
  return h("div", { class: "dashboard" }, parts);
}

function filters(ctx, choices, current) {
  const el = h("form", { class: "filters", role: "search", "aria-label": "Chọn đơn vị và kỳ đánh giá" },
    field({ label: "Cơ quan, đơn vị", name: "agency", type: "select", value: current.agency,
      options: agencyOptions(choices) }),
    field({ label: "Từ ngày", name: "from", type: "date", value: current.from, required: true }),
    field({ label: "Đến ngày", name: "to", type: "date", value: current.to, required: true }),
    h("div", { class: "btn-row" }, h("button", { type: "submit", class: "btn primary" }, "Xem chỉ số")));
  el.addEventListener("submit", (event) => {
    event.preventDefault();
    ctx.navigate(`#/bao-cao/chi-so-766?${new URLSearchParams(Object.fromEntries(new FormData(el)))}`);
  });
  return el;
}

function score(result, name) {
  const gauge = scoreBars({
    title: `Tổng điểm Bộ chỉ số 766 của ${name}`,
    items: [{ label: "Tổng điểm", value: result.total, max: result.max_points }],
  });
  const groups = scoreBars({
    title: `Điểm theo nhóm chỉ số của ${name}`,
    items: result.groups.map((g) => ({ label: g.name, value: g.points, max: g.max_points })),
  });
  return section(`Điểm của ${name}`,
    h("ul", { class: "kpis" },
      h("li", { "data-kpi": "total" }, h("strong", {}, `${fmtValue(result.total, "points")} / ${fmtValue(result.max_points, "points")}`),
        h("span", {}, "Tổng điểm")),
      h("li", {}, h("strong", {}, result.version), h("span", {}, `Phiên bản bộ chỉ số (hiệu lực từ ${fmtDate(result.version_effective_from)})`))),
    h("p", { class: "hint" }, `Kỳ đánh giá ${windowText(result.window_start, lastDay(result.window_end))}.`),
    h("div", { class: "chart-grid" }, gauge, groups));
}

/** The last day of a window whose end is the midnight after it. */
function lastDay(endIso) {
  return new Date(new Date(endIso).getTime() - 1000).toISOString();
}

function criteria(result) {
  return section("Điểm từng tiêu chí", result.groups.map((g) => h("div", { class: "group-766" },
    h("h3", {}, `${g.name}: ${fmtValue(g.points, "points")} / ${fmtValue(g.max_points, "points")} điểm`),
    scoreBars({ title: `Tiêu chí của nhóm ${g.name}`,
      items: g.indicators.map((i) => ({ label: `${i.code}. ${i.name}`, value: i.points, max: i.max_points })) }),
    table([
      { label: "Mã", cell: (i) => i.code },
      { label: "Tiêu chí", cell: (i) => i.name },
      { label: "Nguồn", cell: (i) => (i.source === "manual" ? badge("Nhập tay", "warn") : badge("Tự động", "info")) },
      { label: "Tử số / mẫu số", cell: (i) => (i.source === "manual" ? "—" : `${fmtValue(i.numerator)} / ${fmtValue(i.denominator)}`), class: "num" },
      { label: "Tỷ lệ", cell: (i) => (i.ratio == null ? (i.source === "manual" ? "Chưa nhập" : "Không phát sinh") : fmtValue(i.ratio, "ratio")), class: "num" },
      { label: "Điểm", cell: (i) => `${fmtValue(i.points, "points")} / ${fmtValue(i.max_points, "points")}`, class: "num" },
    ], g.indicators, { caption: `Chi tiết nhóm ${g.name}` }))));
}

function rankingView(ranking, choices, result) {
  if (!ranking.agencies.length) {
    return h("p", { class: "empty" }, "Chưa có đơn vị trực thuộc nào có số liệu trong kỳ này.");
  }
  const groupNames = Object.fromEntries((result?.groups || []).map((g) => [g.code, g.name]));
  const codes = Object.keys(ranking.agencies[0].groups);
  return h("div", {},
    barChart({ title: "Xếp hạng theo tổng điểm Bộ chỉ số 766", kind: "points",
      categories: ranking.agencies.map((a) => `${a.rank}. ${agencyName(choices, a.agency_id)}`),
      series: codes.map((code) => ({ name: groupNames[code] || code, values: ranking.agencies.map((a) => a.groups[code]) })),
      stacked: true }),
    table([
      { label: "Hạng", cell: (a) => String(a.rank), class: "num" },
      { label: "Đơn vị", cell: (a) => agencyName(choices, a.agency_id) },
      { label: "Tổng điểm", cell: (a) => fmtValue(a.total, "points"), class: "num" },
      ...codes.map((code) => ({ label: groupNames[code] || code, cell: (a) => fmtValue(a.groups[code], "points"), class: "num" })),
    ], ranking.agencies, { caption: `Bảng xếp hạng (phiên bản ${ranking.version})` }));
}

function manualValues(ctx, result, values, choices, agency) {
  const manual = result.groups.flatMap((g) => g.indicators).filter((i) => i.source === "manual");
  const names = Object.fromEntries(manual.map((i) => [i.code, i.name]));
  const list = table([
    { label: "Tiêu chí", cell: (v) => `${v.indicator}. ${names[v.indicator] || ""}` },
    { label: "Đơn vị", cell: (v) => agencyName(choices, v.agency_id) },
    { label: "Áp dụng từ", cell: (v) => fmtDate(v.valid_from) },
    { label: "Tỷ lệ", cell: (v) => fmtValue(v.ratio, "ratio"), class: "num" },
    { label: "Căn cứ", cell: (v) => [v.note || "", v.evidence_url ? h("a", { href: v.evidence_url, rel: "noopener", target: "_blank" }, " (tài liệu)") : null] },
    { label: "Người nhập", cell: (v) => `${v.recorded_by}, ${fmtDateTime(v.recorded_at)}` },
  ], values, { empty: "Chưa nhập giá trị nào cho các tiêu chí không đo tự động được.", caption: "Giá trị đã nhập" });
  const parts = [h("p", { class: "hint" }, "Các tiêu chí hệ thống không tự đo được (ví dụ công khai thủ tục) được cán bộ báo cáo nhập tỷ lệ kèm căn cứ; giá trị áp dụng cho đơn vị và các đơn vị trực thuộc từ ngày áp dụng."), list];
  if (auth.hasRole(...RECORDERS) && manual.length) {
    parts.push(h("h3", {}, "Nhập giá trị tiêu chí"), form({
      cls: "wide",
      fields: [
        field({ label: "Tiêu chí", name: "indicator", type: "select", required: true,
          options: manual.map((i) => [i.code, `${i.code}. ${i.name}`]) }),
        field({ label: "Áp dụng cho đơn vị", name: "agency_id", type: "select", value: agency, options: agencyOptions(choices) }),
        field({ label: "Áp dụng từ ngày", name: "valid_from", type: "date", value: firstOfMonthVn(), required: true }),
        field({ label: "Tỷ lệ đạt (%)", name: "percent", type: "number", required: true,
          attrs: { min: 0, max: 100, step: "0.1", inputmode: "decimal" }, hint: "Từ 0 đến 100." }),
        field({ label: "Căn cứ, ghi chú", name: "note", type: "textarea", required: true }),
        field({ label: "Đường dẫn tài liệu minh chứng", name: "evidence_url", type: "url" }),
      ],
      submit: "Lưu giá trị",
      onsubmit: async (v) => {
        await api.put("/api/v1/reports/index-766/manual-values", {
          agency_id: v.agency_id, indicator: v.indicator, valid_from: v.valid_from,
          ratio: Math.round(Number(v.percent) * 10) / 1000, note: v.note, evidence_url: v.evidence_url || null,
        });
        toast("Đã lưu giá trị tiêu chí.");
        ctx.refresh();
      },
    }));
  }
  return section("Tiêu chí nhập tay", parts);
}
