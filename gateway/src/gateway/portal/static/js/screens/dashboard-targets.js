// Chỉ tiêu: the year's targets of the steering committee against their plan, with progress
// bars, the committee's classes, and (for reporting officers) new targets, changes and the
// actual value of the targets entered by hand.

import { api } from "../api.js";
import { fmtValue } from "../charts.js";
import { badge, field, fmtDateTime, fmtVnd, form, h, problemBox, section, toast } from "../ui.js";
import * as auth from "../auth.js";
import {
  READERS, RECORDERS, agencyChoices, agencyName, agencyOptions, defaultAgency, header,
} from "./dashboard-common.js";

export const routes = [
  { path: "/bao-cao/chi-tieu", title: "Chỉ tiêu", access: READERS, render: screen },
];

const UNITS = [["percent", "%"], ["count", "số lượng"], ["hours", "giờ"], ["days", "ngày"],
  ["points", "điểm"], ["score", "điểm đánh giá"], ["vnd", "đồng"]];
const UNIT_TEXT = Object.fromEntries(UNITS);
const CLASS_TONE = { achieved: "ok", at_least_70: "info", from_50_to_70: "warn", below_50: "danger", no_data: "muted" };
const CLASS_ORDER = ["achieved", "at_least_70", "from_50_to_70", "below_50", "no_data"];
const CLASS_SHORT = { achieved: "Đạt", at_least_70: "Chưa đạt (từ 70 %)", from_50_to_70: "Chưa đạt (50–70 %)",
  below_50: "Chưa đạt (dưới 50 %)", no_data: "Chưa có số liệu" };

function amount(value, unit) {
  if (value == null) return "—";
  if (unit === "vnd") return fmtVnd(value);
  return `${fmtValue(value)} ${UNIT_TEXT[unit] || unit}`;
}

async function screen(ctx) {
  const choices = await agencyChoices(ctx.me);
  const agency = ctx.query.agency || defaultAgency(ctx.me, choices);
  const thisYear = Number(new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Ho_Chi_Minh", year: "numeric" }).format(new Date()));
  const year = Number(ctx.query.year) || thisYear;
  const parts = [header("Chỉ tiêu chuyển đổi số, cải cách hành chính", "chi-tieu"),
    filters(ctx, choices, agency, year, thisYear)];
  let list;
  try {
    list = await api.get("/api/v1/reports/targets", { agency, year });
  } catch (err) {
    return h("div", { class: "dashboard" }, parts, problemBox(err));
  }
  const editor = auth.hasRole(...RECORDERS);
  parts.push(section(`Tổng hợp năm ${list.year}: ${agencyName(choices, list.agency_id)}`,
    h("ul", { class: "kpis" }, CLASS_ORDER.map((key) =>
      h("li", { "data-class": key }, h("strong", {}, fmtValue(list.summary[key] || 0)), h("span", {}, CLASS_SHORT[key])))),
    list.targets.length ? h("ul", { class: "target-list" }, list.targets.map((t) => targetItem(ctx, t, choices, editor)))
      : h("p", { class: "empty" }, "Chưa có chỉ tiêu nào cho năm này.")));
  if (editor) parts.push(section("Thêm chỉ tiêu", createForm(ctx, choices, agency, year)));
  return h("div", { class: "dashboard" }, parts);
}

function filters(ctx, choices, agency, year, thisYear) {
  const years = [thisYear + 1, thisYear, thisYear - 1, thisYear - 2].map((y) => [y, `Năm ${y}`]);
  const el = h("form", { class: "filters", role: "search", "aria-label": "Chọn đơn vị và năm" },
    field({ label: "Cơ quan, đơn vị", name: "agency", type: "select", value: agency, options: agencyOptions(choices) }),
    field({ label: "Năm", name: "year", type: "select", value: year, options: years }),
    h("div", { class: "btn-row" }, h("button", { type: "submit", class: "btn primary" }, "Xem chỉ tiêu")));
  el.addEventListener("submit", (event) => {
    event.preventDefault();
    ctx.navigate(`#/bao-cao/chi-tieu?${new URLSearchParams(Object.fromEntries(new FormData(el)))}`);
  });
  return el;
}

function targetItem(ctx, t, choices, editor) {
  const share = t.progress == null ? 0 : Math.min(1, t.progress);
  const percent = t.progress == null ? "—" : fmtValue(t.progress, "ratio");
  const status = t.progress_class === "achieved" ? "Đạt" : t.progress_class === "no_data" ? "Chưa có số liệu" : "Chưa đạt";
  return h("li", { class: "card target", "data-code": t.code },
    h("div", { class: "target-head" },
      h("h3", {}, t.name),
      badge(status, CLASS_TONE[t.progress_class])),
    h("p", { class: "hint" }, `Mã ${t.code} · ${agencyName(choices, t.owner_agency_id)} · `,
      t.source.kind === "kpi" ? `Tự động theo chỉ số ${t.source.path}` : "Nhập tay kèm minh chứng",
      t.direction === "lower" ? " · càng thấp càng tốt" : ""),
    h("div", { class: "target-figures" },
      h("span", {}, "Kế hoạch: ", h("strong", {}, amount(t.plan_value, t.unit))),
      h("span", {}, "Thực hiện: ", h("strong", {}, amount(t.actual, t.unit))),
      h("span", {}, "Tiến độ: ", h("strong", {}, percent))),
    h("div", { class: "progress", role: "progressbar", "aria-label": `Tiến độ ${t.name}`,
      "aria-valuemin": 0, "aria-valuemax": 100, "aria-valuenow": Math.round(share * 100),
      "aria-valuetext": `${percent}: ${t.progress_label}` },
    bar(share, CLASS_TONE[t.progress_class])),
    h("p", { class: "progress-label" }, t.progress_label),
    t.evidence ? h("p", { class: "hint" }, `Minh chứng: ${t.evidence.note || ""}`,
      t.evidence.file ? ` · ${t.evidence.file}` : null,
      t.evidence.url ? [" · ", h("a", { href: t.evidence.url, rel: "noopener", target: "_blank" }, "xem tài liệu")] : null,
      ` · ${t.evidence.recorded_by}, ${fmtDateTime(t.evidence.recorded_at)}`) : null,
    editor ? editors(ctx, t) : null);
}

/** The filled part of a progress bar (CSSOM: the portal's CSP forbids style attributes). */
function bar(share, tone) {
  const fill = h("span", { class: `tone-${tone}` });
  fill.style.width = `${(share * 100).toFixed(1)}%`;
  return fill;
}

function editors(ctx, t) {
  const parts = [];
  if (t.source.kind === "manual") {
    parts.push(h("details", { class: "fold" }, h("summary", {}, "Nhập kết quả thực hiện"), form({
      fields: [
        field({ label: `Giá trị thực hiện (${UNIT_TEXT[t.unit] || t.unit})`, name: "value", type: "number", required: true,
          value: t.actual, attrs: { min: 0, step: "any", inputmode: "decimal" } }),
        field({ label: "Căn cứ, ghi chú", name: "note", type: "textarea", required: true }),
        field({ label: "Đường dẫn minh chứng", name: "evidence_url", type: "url",
          hint: "Cần đường dẫn hoặc tài liệu minh chứng (một trong hai)." }),
        field({ label: "Tài liệu minh chứng (số, ký hiệu văn bản hoặc tên tệp)", name: "evidence_file" }),
      ],
      submit: "Lưu kết quả",
      onsubmit: async (v) => {
        if (!v.evidence_url && !v.evidence_file) {
          throw new Error("Vui lòng nhập đường dẫn hoặc tài liệu minh chứng.");
        }
        await api.put(`/api/v1/reports/targets/${t.id}/actual`, {
          value: Number(v.value), note: v.note, evidence_url: v.evidence_url || null,
          evidence_file: v.evidence_file || null });
        toast("Đã lưu kết quả thực hiện.");
        ctx.refresh();
      },
    })));
  }
  parts.push(h("details", { class: "fold" }, h("summary", {}, "Sửa chỉ tiêu"), form({
    fields: [
      field({ label: "Tên chỉ tiêu", name: "name", value: t.name, required: true }),
      field({ label: "Giá trị kế hoạch", name: "plan_value", type: "number", value: t.plan_value, required: true,
        attrs: { min: 0, step: "any" } }),
      field({ label: "Ghi chú", name: "note", type: "textarea", value: t.note }),
    ],
    submit: "Lưu thay đổi",
    onsubmit: async (v) => {
      await api.patch(`/api/v1/reports/targets/${t.id}`, {
        name: v.name, plan_value: Number(v.plan_value), ...(v.note ? { note: v.note } : {}) });
      toast("Đã cập nhật chỉ tiêu.");
      ctx.refresh();
    },
  })));
  return h("div", { class: "target-actions" }, parts);
}

function createForm(ctx, choices, agency, year) {
  return form({
    cls: "wide",
    fields: [
      field({ label: "Mã chỉ tiêu", name: "code", required: true, hint: "Chữ không dấu, số, dấu gạch; ví dụ TRUC_TUYEN_TOAN_TRINH.",
        attrs: { pattern: "[A-Za-z0-9][A-Za-z0-9_.\\-]{0,39}" } }),
      field({ label: "Tên chỉ tiêu", name: "name", required: true }),
      field({ label: "Đơn vị tính", name: "unit", type: "select", value: "percent", options: UNITS }),
      field({ label: "Giá trị kế hoạch", name: "plan_value", type: "number", required: true, attrs: { min: 0, step: "any" } }),
      field({ label: "Chiều đánh giá", name: "direction", type: "select", value: "higher",
        options: [["higher", "Càng cao càng tốt"], ["lower", "Càng thấp càng tốt"]] }),
      field({ label: "Đơn vị chịu trách nhiệm", name: "owner_agency_id", type: "select", value: agency, options: agencyOptions(choices) }),
      field({ label: "Chỉ số tự động (để trống nếu nhập tay)", name: "path",
        hint: "Ví dụ rates.on_time, rates.online, satisfaction.rate, index766.total." }),
      field({ label: "Ghi chú", name: "note", type: "textarea" }),
    ],
    submit: "Thêm chỉ tiêu",
    onsubmit: async (v) => {
      await api.post("/api/v1/reports/targets", {
        year, code: v.code, name: v.name, unit: v.unit, plan_value: Number(v.plan_value), direction: v.direction,
        owner_agency_id: v.owner_agency_id,
        source: v.path ? { kind: "kpi", path: v.path } : { kind: "manual" },
        ...(v.note ? { note: v.note } : {}),
      });
      toast("Đã thêm chỉ tiêu.");
      ctx.refresh();
    },
  });
}
