// What the report screens share: the tabs, the agency tree as choices, periods and labels.

import { api } from "../api.js";
import { fmtDate, h, pageHeader, tabs, todayVn } from "../ui.js";

export const READERS = ["reporting_officer", "leader", "admin"];
export const RECORDERS = ["reporting_officer", "admin"];

/** Dashboard answers carry a 15 s private cache and an ETag: always revalidate (cheap 304s),
 * so a reload shows the figures of now. */
export const FRESH = { headers: { "Cache-Control": "max-age=0" } };

const TABS = [
  ["tong-quan", "Tổng quan", "#/bao-cao"],
  ["chi-so-766", "Chỉ số 766", "#/bao-cao/chi-so-766"],
  ["chi-tieu", "Chỉ tiêu", "#/bao-cao/chi-tieu"],
  ["dinh-ky", "Báo cáo định kỳ", "#/bao-cao/dinh-ky"],
];

export function header(title, current, ...extra) {
  return [pageHeader(title, ...extra), tabs(TABS, current)];
}

export function firstOfMonthVn() {
  return `${todayVn().slice(0, 8)}01`;
}

let agencyCache = null;

/** The agency tree (public list) as [{id, name, depth}], in tree order. */
export async function agencyTree() {
  if (!agencyCache) {
    const list = await api.get("/api/v1/agencies");
    const children = new Map();
    for (const a of list) {
      const key = a.parent_id || "";
      if (!children.has(key)) children.set(key, []);
      children.get(key).push(a);
    }
    const ordered = [];
    const walk = (parent, depth) => {
      for (const a of (children.get(parent) || []).sort((x, y) => x.id.localeCompare(y.id))) {
        ordered.push({ id: a.id, name: a.name, parent_id: a.parent_id, depth });
        walk(a.id, depth + 1);
      }
    };
    walk("", 0);
    agencyCache = ordered;
  }
  return agencyCache;
}

/** The agencies a person may report on: their own agency's subtree (everything without one). */
export async function agencyChoices(me) {
  const tree = await agencyTree();
  const root = me?.agency_id;
  const mine = root ? tree.filter((a) => a.id === root || a.id.startsWith(`${root}.`)) : tree;
  const base = mine.length ? Math.min(...mine.map((a) => a.depth)) : 0;
  return mine.map((a) => ({ ...a, depth: a.depth - base }));
}

export function agencyOptions(choices) {
  return choices.map((a) => [a.id, `${"\u00a0\u00a0".repeat(a.depth)}${a.depth ? "– " : ""}${a.name} (${a.id})`]);
}

export function defaultAgency(me, choices) {
  return me?.agency_id || choices[0]?.id || "H56";
}

export function agencyName(choices, id) {
  return choices.find((a) => a.id === id)?.name || id;
}

/** "2026-11-05" → "05/11"; "2026-W44" → "Tuần 44/2026"; "2026-10" → "10/2026". */
export function bucketLabel(label, bucket) {
  if (bucket === "week") {
    const [year, week] = label.split("-W");
    return `Tuần ${Number(week)}/${year}`;
  }
  if (bucket === "month") return label.split("-").reverse().join("/");
  return fmtDate(label).slice(0, 5);
}

export function windowText(first, last) {
  return `từ ${fmtDate(first)} đến ${fmtDate(last)}`;
}

/** Periods of a kind ending with the current one (Vietnam time), newest first. */
export function periodChoices(kind, count = 8) {
  const [year, month] = todayVn().split("-").map(Number);
  const out = [];
  if (kind === "monthly") {
    for (let i = 0; i < count + 4; i++) {
      const m = ((month - 1 - i) % 12 + 12) % 12 + 1;
      const y = year + Math.floor((month - 1 - i) / 12);
      out.push([`${y}-${String(m).padStart(2, "0")}`, `Tháng ${m}/${y}`]);
    }
  } else if (kind === "quarterly") {
    const q = Math.ceil(month / 3);
    for (let i = 0; i < count; i++) {
      const n = q - 1 - i;
      const y = year + Math.floor(n / 4);
      const qq = ((n % 4) + 4) % 4 + 1;
      out.push([`${y}-Q${qq}`, `Quý ${["I", "II", "III", "IV"][qq - 1]}/${y}`]);
    }
  } else if (kind === "half_year") {
    const hh = month <= 6 ? 1 : 2;
    for (let i = 0; i < count; i++) {
      const n = hh - 1 - i;
      const y = year + Math.floor(n / 2);
      const k = ((n % 2) + 2) % 2 + 1;
      out.push([`${y}-H${k}`, `${k === 1 ? "6 tháng đầu năm" : "6 tháng cuối năm"} ${y}`]);
    }
  } else {
    for (let i = 0; i < count; i++) out.push([String(year - i), `Năm ${year - i}`]);
  }
  return out;
}

export const KIND_LABELS = {
  monthly: "Hằng tháng", quarterly: "Hằng quý", half_year: "6 tháng", annual: "Hằng năm",
};

export function emptyNote(text) {
  return h("p", { class: "empty" }, text);
}
