// Officers' dossier work (one-stop-shop, processing officers, leaders): the queues by tab,
// the dossier with its lifecycle actions (officer-detail.js), and the counter submission
// (officer-counter.js).

import { api } from "../api.js";
import * as auth from "../auth.js";
import {
  field, fmtDateTime, form, h, pageHeader, saveBlob, section, statusBadge, table, tabs, toast, todayVn,
} from "../ui.js";
import {
  STATUS_NAMES, agencyName, dueCell, loadAgencies, procedureName, procedureNames, subtreeOptions,
} from "./officer-data.js";
import { counterScreen } from "./officer-counter.js";
import { detailScreen } from "./officer-detail.js";

const WORKERS = ["one_stop_officer", "processing_officer", "leader", "admin"];

export const menu = [{ href: "#/xu-ly", label: "Xử lý hồ sơ", access: WORKERS }];

export const routes = [
  { path: "/xu-ly", title: "Xử lý hồ sơ", access: WORKERS, render: queues },
  { path: "/xu-ly/tiep-nhan", title: "Tiếp nhận hồ sơ tại quầy",
    access: ["one_stop_officer", "admin"], render: counterScreen },
  { path: "/xu-ly/:code", title: (ctx) => `Hồ sơ ${ctx.params.code}`, access: WORKERS,
    render: detailScreen },
];

const PAGE = 50;
const COUNT_CAP = 200;
/** The tabs: key → label, the API's queue and what the empty list says. */
function queueTabs() {
  const leader = auth.hasRole("leader");
  return [
    { key: "moi", label: "Hồ sơ mới", queue: "new",
      empty: "Không có hồ sơ mới chờ tiếp nhận hoặc chờ chuyển xử lý." },
    { key: "sap-den-han", label: "Sắp đến hạn", queue: "due_soon",
      empty: "Không có hồ sơ sắp đến hạn trong khoảng đã chọn." },
    { key: "qua-han", label: "Quá hạn", queue: "overdue", empty: "Không có hồ sơ quá hạn." },
    { key: "cho-duyet", label: leader ? "Chờ phê duyệt" : "Đang xử lý", queue: "processing",
      empty: leader ? "Không có hồ sơ chờ lãnh đạo phê duyệt." : "Không có hồ sơ đang xử lý." },
    { key: "bo-sung", label: "Chờ bổ sung", queue: "supplement",
      empty: "Không có hồ sơ đang chờ công dân bổ sung." },
    { key: "tat-ca", label: "Tất cả", queue: null, empty: "Không tìm thấy hồ sơ phù hợp." },
  ];
}

function hrefOf(key, extra = {}) {
  const query = new URLSearchParams({ hang: key, ...extra });
  for (const [k, v] of [...query.entries()]) if (v === "") query.delete(k);
  return `#/xu-ly?${query}`;
}

async function queues(ctx) {
  const all = queueTabs();
  const current = all.find((t) => t.key === ctx.query.hang) || all[0];
  const page = Math.max(0, Number.parseInt(ctx.query.trang || "0", 10) || 0);
  const days = Number.parseInt(ctx.query.ngay || "1", 10) || 1;
  const params = { limit: PAGE, offset: page * PAGE };
  if (current.queue) params.queue = current.queue;
  if (current.queue === "due_soon") params.due_within_hours = Math.min(400, days * 8);
  if (current.key === "tat-ca") {
    params.q = ctx.query.q;
    params.status_code = ctx.query.trang_thai;
  }
  if (ctx.query.don_vi) params.agency = ctx.query.don_vi;
  const [rows, counts] = await Promise.all([
    api.get("/api/v1/dossiers", params),
    tabCounts(all.filter((t) => t.queue), ctx.query.don_vi),
    loadAgencies(),
  ]);
  await procedureNames(rows.map((r) => r.procedure_code));
  const items = all.map((t) => {
    const n = counts[t.key];
    const label = n == null ? t.label : `${t.label} (${n >= COUNT_CAP ? `${COUNT_CAP}+` : n})`;
    return [t.key, label, hrefOf(t.key, { don_vi: ctx.query.don_vi || "" })];
  });
  const actions = auth.hasRole("one_stop_officer")
    ? h("a", { class: "btn primary", href: "#/xu-ly/tiep-nhan" }, "Tiếp nhận hồ sơ tại quầy") : null;
  return h("div", { class: "officer" },
    pageHeader("Xử lý hồ sơ", actions),
    h("p", { class: "hint" }, scopeText(ctx.me)),
    tabs(items, current.key),
    filters(ctx, current, days),
    section(current.label, dossierTable(rows, current.empty), pager(ctx, current, page, rows.length)),
    section("Sổ theo dõi hồ sơ (Mẫu 06)", registerForm(ctx.me)));
}

/** Mẫu 06: the subtree's dossiers received in a period, as PDF (GET /api/v1/forms/06). */
function registerForm(me) {
  return h("div", {},
    h("p", { class: "hint" }, "Sổ theo dõi các hồ sơ đã tiếp nhận trong khoảng thời gian (tối đa 366 ngày)."),
    form({ cls: "wide", submit: "Tải sổ theo dõi (PDF)", fields: [
      field({ label: "Cơ quan, đơn vị", name: "agency", type: "select", required: true,
        value: me?.agency_id, options: subtreeOptions(me) }),
      field({ label: "Từ ngày", name: "from", type: "date", required: true, value: `${todayVn().slice(0, 8)}01` }),
      field({ label: "Đến ngày", name: "to", type: "date", required: true, value: todayVn() }),
    ], onsubmit: async (v) => {
      const file = await api.download("/api/v1/forms/06", v);
      saveBlob(file.blob, file.filename);
      toast(`Đã tải ${file.filename}.`);
    } }));
}

function scopeText(me) {
  const where = me?.agency_id ? `${agencyName(me.agency_id)} (${me.agency_id})` : "cơ quan của bạn";
  return `Hồ sơ do ${where} và các đơn vị trực thuộc tiếp nhận hoặc đang giữ.`;
}

/** One request per queue (at most COUNT_CAP rows each): the numbers shown on the tabs. */
async function tabCounts(withQueue, agency) {
  const answers = await Promise.all(withQueue.map((t) =>
    api.get("/api/v1/dossiers", { queue: t.queue, limit: COUNT_CAP, agency })
      .then((rows) => [t.key, rows.length]).catch(() => [t.key, null])));
  return Object.fromEntries(answers);
}

function filters(ctx, current, days) {
  const submit = (event) => {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(event.target));
    ctx.navigate(hrefOf(current.key, data));
  };
  const unit = field({ label: "Đơn vị", name: "don_vi", type: "select", value: ctx.query.don_vi,
    options: [["", "Tất cả đơn vị trong phạm vi"], ...subtreeOptions(ctx.me)] });
  const parts = [unit];
  if (current.key === "sap-den-han") {
    parts.push(field({ label: "Đến hạn trong", name: "ngay", type: "select", value: String(days),
      options: [["1", "1 ngày làm việc"], ["2", "2 ngày làm việc"], ["3", "3 ngày làm việc"],
        ["5", "5 ngày làm việc"], ["10", "10 ngày làm việc"]] }));
  }
  if (current.key === "tat-ca") {
    parts.unshift(field({ label: "Tìm kiếm", name: "q", type: "search", value: ctx.query.q,
      attrs: { placeholder: "Mã hồ sơ, người nộp, thủ tục" } }));
    parts.push(field({ label: "Trạng thái", name: "trang_thai", type: "select",
      value: ctx.query.trang_thai,
      options: [["", "Tất cả trạng thái"], ...Object.entries(STATUS_NAMES).map(([c, n]) => [c, `${c}. ${n}`])] }));
  }
  return h("form", { class: "filters", role: "search", onsubmit: submit }, parts,
    h("button", { type: "submit", class: "btn" }, "Lọc"));
}

function dossierTable(rows, empty) {
  return table([
    { label: "Mã hồ sơ", cell: (d) => h("a", { href: `#/xu-ly/${encodeURIComponent(d.code)}` }, d.code) },
    { label: "Người nộp", cell: (d) => d.applicant?.full_name || "—" },
    { label: "Thủ tục", cell: (d) => procedureName(d.procedure_code) },
    { label: "Ngày nộp", cell: (d) => fmtDateTime(d.submitted_at) },
    { label: "Hạn giải quyết", cell: dueCell },
    { label: "Trạng thái", cell: (d) => statusBadge(d.status_code, d.status) },
  ], rows, { empty });
}

function pager(ctx, current, page, count) {
  if (page === 0 && count < PAGE) return null;
  const link = (p, text) => h("a", { class: "btn ghost small",
    href: hrefOf(current.key, { ...ctx.query, hang: current.key, trang: String(p) }) }, text);
  return h("nav", { class: "btn-row", "aria-label": "Phân trang" },
    page > 0 ? link(page - 1, "Trang trước") : null,
    h("span", {}, `Trang ${page + 1}`),
    count === PAGE ? link(page + 1, "Trang sau") : null);
}

