// Báo cáo định kỳ (Nghị định 09/2019/NĐ-CP): the list of reports, generating one for a period,
// and a report's detail: its window, figures, files, explanation, submission and versions.

import { api } from "../api.js";
import { barChart, fmtValue } from "../charts.js";
import {
  badge, busy, clear, facts, field, fmtDateTime, form, h, problemBox, saveBlob, section, table, toast,
} from "../ui.js";
import * as auth from "../auth.js";
import {
  KIND_LABELS, READERS, RECORDERS, agencyChoices, agencyName, agencyOptions, defaultAgency, header,
  periodChoices,
} from "./dashboard-common.js";
import { LABELS, SECTION_TITLES } from "./dashboard-labels.js";

export const routes = [
  { path: "/bao-cao/dinh-ky", title: "Báo cáo định kỳ", access: READERS, render: list },
  { path: "/bao-cao/dinh-ky/:id", title: "Chi tiết báo cáo định kỳ", access: READERS, render: detail },
];

// The files GET /api/v1/reports/periodic/{id}.{fmt} renders.
const FORMATS = [["xlsx", "Excel (.xlsx)"], ["pdf", "PDF (.pdf)"], ["csv", "CSV (.csv)"], ["json", "JSON (.json)"]];
const SUBMISSION = { queued: ["Chờ gửi", "info"], retrying: ["Đang gửi lại", "warn"], submitted: ["Hệ thống quốc gia đã tiếp nhận", "info"],
  accepted: ["Đã được chấp nhận", "ok"], rejected: ["Bị từ chối", "danger"], failed: ["Gửi không thành công", "danger"] };

function statusBadges(r) {
  const main = r.status === "draft" ? badge("Dự thảo", "warn") : badge("Đã gửi", "ok");
  const sub = r.submission && SUBMISSION[r.submission.status];
  return [main, sub ? [" ", badge(sub[0], sub[1])] : null, r.submission?.late ? [" ", badge("Nộp muộn", "danger")] : null];
}

async function list(ctx) {
  const choices = await agencyChoices(ctx.me);
  const q = ctx.query;
  const agency = q.agency || defaultAgency(ctx.me, choices);
  const reports = await api.get("/api/v1/reports/periodic", {
    agency, kind: q.kind, status: q.status, period: q.period, limit: 100 });
  const rows = table([
    { label: "Kỳ báo cáo", cell: (r) => h("a", { href: `#/bao-cao/dinh-ky/${r.id}` }, r.period_label) },
    { label: "Mẫu báo cáo", cell: (r) => r.template_name },
    { label: "Đơn vị", cell: (r) => agencyName(choices, r.agency_id) },
    { label: "Số liệu từ – đến", cell: (r) => `${fmtDateTime(r.window_start)} – ${fmtDateTime(r.window_end)}` },
    { label: "Hạn gửi", cell: (r) => fmtDateTime(r.deadline_at) },
    { label: "Phiên bản", cell: (r) => String(r.version), class: "num" },
    { label: "Trạng thái", cell: statusBadges },
    { label: "Lập lúc", cell: (r) => `${fmtDateTime(r.generated_at)} (${r.generated_by})` },
  ], reports, { empty: "Chưa có báo cáo nào. Hãy lập báo cáo cho kỳ cần báo cáo ở trên.", caption: "Danh sách báo cáo" });
  return h("div", { class: "dashboard" },
    header("Báo cáo định kỳ", "dinh-ky"),
    section("Lập báo cáo", generateForm(ctx, choices, agency)),
    section("Các báo cáo đã lập", filters(ctx, choices, { ...q, agency }), rows));
}

function filters(ctx, choices, current) {
  const el = h("form", { class: "filters", role: "search", "aria-label": "Lọc báo cáo" },
    field({ label: "Cơ quan, đơn vị", name: "agency", type: "select", value: current.agency, options: agencyOptions(choices) }),
    field({ label: "Loại kỳ", name: "kind", type: "select", value: current.kind || "",
      options: [["", "Tất cả"], ...Object.entries(KIND_LABELS)] }),
    field({ label: "Trạng thái", name: "status", type: "select", value: current.status || "",
      options: [["", "Tất cả"], ["draft", "Dự thảo"], ["submitted", "Đã gửi"]] }),
    h("div", { class: "btn-row" }, h("button", { type: "submit", class: "btn" }, "Lọc")));
  el.addEventListener("submit", (event) => {
    event.preventDefault();
    const values = Object.fromEntries([...new FormData(el)].filter(([, v]) => v !== ""));
    ctx.navigate(`#/bao-cao/dinh-ky?${new URLSearchParams(values)}`);
  });
  return el;
}

function generateForm(ctx, choices, agency) {
  const periodField = field({ label: "Kỳ báo cáo", name: "period", type: "select", required: true, options: periodChoices("monthly") });
  const el = form({
    cls: "wide",
    fields: [
      field({ label: "Loại báo cáo", name: "kind", type: "select", value: "monthly", options: Object.entries(KIND_LABELS) }),
      periodField,
      field({ label: "Đơn vị báo cáo", name: "agency_id", type: "select", value: agency, options: agencyOptions(choices) }),
    ],
    submit: "Lập báo cáo",
    onsubmit: async (v) => {
      const report = await api.post("/api/v1/reports/periodic", { kind: v.kind, period: v.period, agency_id: v.agency_id });
      toast(`Đã lập báo cáo ${report.period_label}.`);
      ctx.navigate(`#/bao-cao/dinh-ky/${report.id}`);
    },
  });
  el.elements.kind.addEventListener("change", () => {
    const select = el.elements.period;
    clear(select, periodChoices(select.form.elements.kind.value).map(([value, text]) => h("option", { value }, text)));
  });
  return h("div", {}, h("p", { class: "hint" },
    "Số liệu được tính theo thời gian chốt số liệu của Nghị định 09/2019/NĐ-CP: từ ngày 15 tháng trước kỳ đến ngày 14 của tháng cuối kỳ. ",
    "Lập lại cho cùng kỳ sẽ tính lại bản dự thảo."), el);
}

async function detail(ctx) {
  const id = ctx.params.id;
  const [report, versions, choices] = await Promise.all([
    api.get(`/api/v1/reports/periodic/${encodeURIComponent(id)}`),
    api.get(`/api/v1/reports/periodic/${encodeURIComponent(id)}/versions`),
    agencyChoices(ctx.me),
  ]);
  const draft = report.status === "draft";
  return h("div", { class: "dashboard" },
    header(`${report.template_name}: ${report.period_label}`, "dinh-ky",
      h("p", {}, statusBadges(report))),
    section("Thông tin báo cáo", facts([
      ["Mẫu báo cáo", `${report.template_name} (${report.template})`],
      ["Kỳ báo cáo", `${report.period_label} · ${KIND_LABELS[report.kind] || report.kind}`],
      ["Đơn vị", agencyName(choices, report.agency_id)],
      ["Số liệu từ", fmtDateTime(report.window_start)],
      ["Số liệu đến", fmtDateTime(report.window_end)],
      ["Hạn gửi", fmtDateTime(report.deadline_at)],
      ["Phiên bản", report.corrects ? `${report.version} (điều chỉnh: ${report.correction_reason || ""})` : String(report.version)],
      ["Lập lúc", `${fmtDateTime(report.generated_at)} bởi ${report.generated_by}`],
      ["Mã kiểm tra nội dung", h("code", { class: "hash" }, report.content_hash)],
      report.submission ? ["Gửi Hệ thống báo cáo quốc gia", submissionText(report.submission)] : null,
    ])),
    section("Tải báo cáo", h("div", { class: "btn-row downloads" }, FORMATS.map(([fmt, label]) =>
      downloadButton(report, fmt, label)))),
    section("Số liệu báo cáo", figures(report)),
    section("Thuyết minh", noteForm(ctx, report, draft)),
    actions(ctx, report, draft),
    section("Các phiên bản", table([
      { label: "Phiên bản", cell: (v) => (v.id === report.id ? `${v.version} (đang xem)` : h("a", { href: `#/bao-cao/dinh-ky/${v.id}` }, String(v.version))) },
      { label: "Lập lúc", cell: (v) => fmtDateTime(v.generated_at) },
      { label: "Trạng thái", cell: statusBadges },
      { label: "Lý do điều chỉnh", cell: (v) => v.correction_reason || "—" },
    ], versions, { caption: "Lịch sử phiên bản" })));
}

function submissionText(sub) {
  const [label] = SUBMISSION[sub.status] || [sub.status];
  return [label, `; yêu cầu lúc ${fmtDateTime(sub.requested_at)} bởi ${sub.requested_by}`,
    sub.receipt_id ? `; mã tiếp nhận ${sub.receipt_id}` : "", sub.reason ? `; lý do: ${sub.reason}` : "",
    sub.last_error ? `; lỗi: ${sub.last_error}` : ""].join("");
}

function downloadButton(report, fmt, label) {
  const button = h("button", { type: "button", class: "btn", "data-format": fmt }, `Tải ${label}`);
  button.addEventListener("click", () => busy(button, async () => {
    try {
      const file = await api.download(`/api/v1/reports/periodic/${encodeURIComponent(report.id)}.${fmt}`);
      saveBlob(file.blob, file.filename);
    } catch (err) {
      button.after(problemBox(err));
    }
  }));
  return button;
}

/** The report's sections as tables of labelled figures, the dossiers also as a chart. */
function figures(report) {
  const sections = report.content?.sections || {};
  const parts = [];
  const d = sections.dossiers;
  if (d) {
    const keys = ["submitted", "received", "completed", "on_time", "late", "online"];
    parts.push(barChart({ title: `Hồ sơ thủ tục hành chính, ${report.period_label}`, categoryLabel: "Chỉ tiêu",
      categories: keys.map((k) => LABELS[`dossiers.${k}`][0]), series: [{ name: "Số hồ sơ", values: keys.map((k) => d[k]) }] }));
  }
  for (const [name, value] of Object.entries(sections)) {
    const rows = flatten(value, name);
    parts.push(h("h3", {}, SECTION_TITLES[name] || name), rows.length ? table([
      { label: "Chỉ tiêu", cell: (r) => r.label },
      { label: "Giá trị", cell: (r) => r.text, class: "num" },
      { label: "Đơn vị tính", cell: (r) => (r.unit === "%" ? "" : r.unit) },
    ], rows) : h("p", { class: "empty" }, "Không có số liệu cho mục này."));
  }
  return parts.length ? parts : h("p", { class: "empty" }, "Báo cáo chưa có số liệu.");
}

function flatten(value, path) {
  if (value != null && typeof value === "object") {
    return Object.entries(value).flatMap(([k, v]) => flatten(v, `${path}.${k}`));
  }
  if (value == null && !LABELS[path]) return []; // a section the report does not carry
  const [label, unit] = LABELS[path] || [path, ""];
  const text = value == null ? "—"
    : typeof value === "number" ? (unit === "%" ? fmtValue(value, "ratio") : fmtValue(value)) : String(value);
  return [{ label, unit, text }];
}

function noteForm(ctx, report, draft) {
  if (!draft) return h("p", {}, report.note || "Không có thuyết minh.");
  return form({
    fields: [field({ label: "Thuyết minh kèm báo cáo", name: "note", type: "textarea", value: report.note, attrs: { rows: 4 } })],
    submit: "Lưu thuyết minh",
    onsubmit: async (v) => {
      await api.put(`/api/v1/reports/periodic/${encodeURIComponent(report.id)}`, { note: v.note || null });
      toast("Đã lưu thuyết minh.");
      ctx.refresh();
    },
  });
}

function actionButton(label, cls, work) {
  const button = h("button", { type: "button", class: `btn ${cls}` }, label);
  const errors = h("div", { class: "form-errors" });
  button.addEventListener("click", () => busy(button, async () => {
    clear(errors);
    try {
      await work();
    } catch (err) {
      clear(errors, problemBox(err));
    }
  }));
  return [button, errors];
}

function actions(ctx, report, draft) {
  const path = `/api/v1/reports/periodic/${encodeURIComponent(report.id)}`;
  const parts = [];
  if (draft) {
    const [regen, regenErr] = actionButton("Tính lại số liệu", "", async () => {
      await api.post(`${path}/regenerate`);
      toast("Đã tính lại số liệu báo cáo.");
      ctx.refresh();
    });
    const buttons = [regen];
    const errors = [regenErr];
    if (auth.hasRole(...RECORDERS)) {
      const [send, sendErr] = actionButton("Gửi Hệ thống báo cáo quốc gia", "primary", async () => {
        await api.post(`${path}/submit`);
        toast("Đã chuyển báo cáo để gửi Hệ thống báo cáo quốc gia.");
        ctx.refresh();
      });
      buttons.push(send);
      errors.push(sendErr);
    }
    const [remove, removeErr] = actionButton("Xóa dự thảo", "danger", async () => {
      if (!window.confirm("Xóa bản dự thảo báo cáo này?")) return;
      await api.delete(path);
      toast("Đã xóa bản dự thảo.");
      ctx.navigate("#/bao-cao/dinh-ky");
    });
    buttons.push(remove);
    errors.push(removeErr);
    parts.push(h("p", { class: "hint" }, "Chỉ gửi được sau khi kỳ đã khóa số liệu; sau khi gửi, mọi thay đổi phải lập báo cáo điều chỉnh."),
      h("div", { class: "btn-row" }, buttons), errors);
  } else {
    parts.push(h("p", { class: "hint" }, "Báo cáo đã gửi không sửa được; lập phiên bản điều chỉnh nếu số liệu cần cập nhật."),
      form({
        fields: [field({ label: "Lý do điều chỉnh", name: "reason", type: "textarea", required: true, attrs: { minlength: 3 } })],
        submit: "Lập báo cáo điều chỉnh",
        onsubmit: async (v) => {
          const next = await api.post(`${path}/corrections`, { reason: v.reason, recompute: true });
          toast(`Đã lập phiên bản ${next.version}.`);
          ctx.navigate(`#/bao-cao/dinh-ky/${next.id}`);
        },
      }));
  }
  return section("Xử lý báo cáo", parts);
}
