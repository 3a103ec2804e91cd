// Văn bản đến: the incoming register with its filters, taking in a scanned paper document,
// and one document's detail with the steps its status allows the caller (vào sổ, từ chối,
// phân công, tiến độ, hoàn thành, ý kiến phối hợp).

import { api } from "../api.js";
import * as auth from "../auth.js";
import {
  badge, facts, field, fmtDate, fmtDateTime, fold, form, h, pageHeader, problemBox, saveBlob,
  section, table, todayVn, toast,
} from "../ui.js";
import {
  actionPanel, agencies, agencyLabel, arrivalText, DOC_TYPES, docTabs, fileSize, incomingBadge,
  subtree, timeline, typeName, URGENCY, urgencyBadge, urgencyLabel,
} from "./documents-common.js";

const BASE = "/api/v1/documents/incoming";
const PAGE = 50;
const STATUSES = [["", "Tất cả trạng thái"], ["received", "Đã đến, chờ vào sổ"],
  ["registered", "Đã vào sổ"], ["assigned", "Đã phân công"], ["in_progress", "Đang xử lý"],
  ["done", "Hoàn thành"], ["refused", "Từ chối tiếp nhận"], ["recalled", "Bên gửi đã thu hồi"]];
const ACTIONS = { received: "Văn bản đến", refused: "Từ chối tiếp nhận", registered: "Vào sổ văn bản đến",
  assigned: "Phân công xử lý", progress: "Cập nhật tiến độ", done: "Hoàn thành xử lý",
  recalled: "Bên gửi thu hồi", contribution: "Ý kiến phối hợp" };
const SOURCES = { axis: "Trục liên thông", paper: "Văn bản giấy (bản quét)", upload: "Gói tin tải lên" };
const ROLES = { lead: "Chủ trì", cooperate: "Phối hợp", info: "Để biết" };
const UNIT_STATUS = { assigned: "Đã giao", in_progress: "Đang xử lý", done: "Đã xong" };
const SIGNATURE = {
  valid: ["Chữ ký số hợp lệ", "ok"], altered: ["Văn bản bị sửa sau khi ký", "danger"],
  untrusted: ["Chứng thư số không được tin cậy", "warn"], revoked: ["Chứng thư số đã bị thu hồi", "danger"],
  unsigned: ["Không có chữ ký số", "muted"], unreadable: ["Không đọc được chữ ký", "danger"],
};

/** #/van-ban/den: the incoming register. Status and "quá hạn" are asked of the server; the
 * words, the sender and the arrival dates filter the page that came back. */
export async function incomingList({ query, navigate }) {
  const page = Math.max(0, Number(query.trang || 0));
  const rows = await api.get(BASE, {
    status: query.trang_thai, overdue: query.qua_han ? "true" : null,
    limit: PAGE, offset: page * PAGE,
  });
  const words = fold(query.q), sender = fold(query.noi_gui);
  const shown = rows.filter((d) =>
    (!words || fold(`${d.subject} ${d.code || ""} ${d.summary || ""}`).includes(words))
    && (!sender || fold(d.sender_name).includes(sender))
    && (!query.tu || (d.received_at || "").slice(0, 10) >= query.tu)
    && (!query.den || (d.received_at || "").slice(0, 10) <= query.den));

  const filters = h("form", { class: "filters", role: "search", onsubmit: (e) => {
    e.preventDefault();
    const data = new FormData(e.target);
    const params = new URLSearchParams();
    for (const [k, v] of data.entries()) if (v) params.set(k, v);
    navigate(`#/van-ban/den${params.toString() ? `?${params}` : ""}`);
  } },
  field({ label: "Trạng thái", name: "trang_thai", type: "select", options: STATUSES, value: query.trang_thai }),
  field({ label: "Tìm trong trích yếu, số ký hiệu", name: "q", value: query.q }),
  field({ label: "Cơ quan gửi", name: "noi_gui", value: query.noi_gui }),
  field({ label: "Đến từ ngày", name: "tu", type: "date", value: query.tu }),
  field({ label: "Đến ngày", name: "den", type: "date", value: query.den }),
  field({ label: "Chỉ văn bản quá hạn", name: "qua_han", type: "checkbox", value: Boolean(query.qua_han) }),
  h("div", { class: "btn-row" }, h("button", { type: "submit", class: "btn primary" }, "Lọc"),
    h("a", { href: "#/van-ban/den", class: "btn ghost" }, "Bỏ lọc")));

  const columns = [
    { label: "Số đến", cell: (d) => arrivalText(d) },
    { label: "Ngày đến", cell: (d) => fmtDateTime(d.received_at) },
    { label: "Cơ quan gửi", cell: (d) => d.sender_name || "—" },
    { label: "Số, ký hiệu", cell: (d) => d.code || "—" },
    { label: "Trích yếu", cell: (d) => h("span", {}, urgencyBadge(d.urgency), d.urgency !== "normal" ? " " : null,
      h("a", { href: `#/van-ban/den/${d.id}` }, d.subject)) },
    { label: "Trạng thái", cell: (d) => h("span", { class: "doc-badges" }, incomingBadge(d),
      d.overdue ? badge("Quá hạn", "danger") : null) },
    { label: "Hạn xử lý", cell: (d) => fmtDate(d.processing_deadline || d.due_date) },
  ];
  const pager = h("nav", { class: "btn-row", "aria-label": "Phân trang" },
    page > 0 ? h("a", { class: "btn ghost small", href: pageHref(query, page - 1) }, "Trang trước") : null,
    h("span", {}, `Trang ${page + 1}`),
    rows.length === PAGE ? h("a", { class: "btn ghost small", href: pageHref(query, page + 1) }, "Trang sau") : null);

  return h("div", {},
    pageHeader("Văn bản đến", auth.hasRole("clerk")
      ? h("a", { class: "btn primary", href: "#/van-ban/den/tiep-nhan" }, "Tiếp nhận văn bản giấy") : null),
    docTabs("den"),
    section("Bộ lọc", filters),
    h("section", { class: "card" }, h("h2", {}, `Sổ văn bản đến (${shown.length} văn bản)`),
      table(columns, shown, { empty: "Không có văn bản đến nào khớp bộ lọc." }), pager));
}

function pageHref(query, page) {
  const params = new URLSearchParams({ ...query, trang: String(page) });
  return `#/van-ban/den?${params}`;
}

/** #/van-ban/den/tiep-nhan: a paper document, scanned, with what the clerk reads off it. */
export async function intake({ navigate }) {
  const list = await agencies().catch(() => []);
  const fields = [
    field({ label: "Cơ quan gửi", name: "sender_name", required: true,
      attrs: { list: "doc-agencies", minlength: 2, maxlength: 300 } }),
    h("datalist", { id: "doc-agencies" }, list.map((a) => h("option", { value: a.name }))),
    field({ label: "Mã định danh cơ quan gửi", name: "sender_organ_id", hint: "Nếu có, ví dụ 000.00.16.H56",
      attrs: { maxlength: 35 } }),
    field({ label: "Số văn bản", name: "code_number", attrs: { maxlength: 20 } }),
    field({ label: "Ký hiệu", name: "notation", hint: "Ví dụ: UBND-VP", attrs: { maxlength: 100 } }),
    field({ label: "Ngày ban hành", name: "promulgation_date", type: "date", attrs: { max: todayVn() } }),
    field({ label: "Loại văn bản", name: "doc_type", type: "select", required: true, value: "CV", options: DOC_TYPES }),
    field({ label: "Độ khẩn", name: "urgency", type: "select", value: "normal", options: URGENCY }),
    field({ label: "Hạn trả lời", name: "due_date", type: "date" }),
    h("div", { class: "full" }, field({ label: "Trích yếu", name: "subject", type: "textarea", required: true,
      attrs: { minlength: 2, maxlength: 500, rows: 2 } })),
    h("div", { class: "full" }, field({ label: "Tóm tắt nội dung", name: "summary", type: "textarea",
      attrs: { maxlength: 4000 } })),
    h("div", { class: "full" }, field({ label: "Tệp quét (PDF)", name: "file", type: "file", required: true,
      hint: "Bản quét văn bản giấy, định dạng PDF.", attrs: { accept: "application/pdf,.pdf" } })),
  ];
  return h("div", {},
    pageHeader("Tiếp nhận văn bản giấy"),
    docTabs("den"),
    section("Thông tin trên văn bản",
      h("p", { class: "hint" }, "Văn thư nhập thông tin đọc trên văn bản giấy và đính kèm bản quét. Văn bản được ghi nhận ở trạng thái «Đã đến, chờ vào sổ»."),
      form({ cls: "wide", fields, submit: "Tiếp nhận", secondary: h("a", { href: "#/van-ban/den", class: "btn ghost" }, "Hủy"),
        onsubmit: async (values, el) => {
          const data = new FormData();
          for (const [k, v] of Object.entries(values)) data.append(k, v);
          const file = el.querySelector("input[type=file]").files[0];
          if (file) data.append("file", file, file.name);
          const doc = await api.upload(`${BASE}/scans`, data);
          toast("Đã tiếp nhận văn bản giấy.");
          navigate(`#/van-ban/den/${doc.id}`);
        } })));
}

/** #/van-ban/den/:id: the facts, the files, the assignment, the history and the next steps. */
export async function incomingDetail({ params, refresh, me }) {
  const id = encodeURIComponent(params.id);
  const [doc, steps, list] = await Promise.all([
    api.get(`${BASE}/${id}`), api.get(`${BASE}/${id}/history`), agencies().catch(() => []),
  ]);
  const registers = doc.arrival_register_id || doc.status === "received"
    ? await incomingRegisters() : [];
  const register = registers.find((r) => r.id === doc.arrival_register_id);
  const report = doc.signature_report;
  const sig = report ? SIGNATURE[report.status] || [report.status, "muted"] : null;

  return h("div", {},
    pageHeader(doc.subject, h("a", { href: "#/van-ban/den", class: "btn ghost" }, "Về sổ văn bản đến")),
    docTabs("den"),
    h("p", { class: "doc-badges" }, incomingBadge(doc), urgencyBadge(doc.urgency),
      doc.overdue ? badge("Quá hạn xử lý", "danger") : null),
    h("div", { class: "doc-layout" },
      h("div", {},
        section("Thông tin văn bản", facts([
          ["Số đến", h("span", { "data-testid": "so-den" }, arrivalText(doc))],
          ["Sổ văn bản đến", register ? register.name : (doc.arrival_register_id ? "Sổ văn bản đến" : "—")],
          ["Ngày đến", fmtDateTime(doc.received_at)],
          ["Nguồn", SOURCES[doc.source] || doc.source],
          ["Cơ quan gửi", doc.sender_name],
          ["Số, ký hiệu", doc.code],
          ["Ngày ban hành", fmtDate(doc.promulgation_date)],
          ["Loại văn bản", doc.doc_type_name || typeName(doc.doc_type)],
          ["Độ khẩn", urgencyLabel(doc.urgency)],
          ["Người ký", doc.signer_name ? [doc.signer_name, doc.signer_position].filter(Boolean).join(", ") : null],
          ["Hạn trả lời (bên gửi)", fmtDate(doc.due_date)],
          ["Hạn xử lý", fmtDate(doc.processing_deadline)],
          doc.refusal_reason ? ["Lý do từ chối", doc.refusal_reason] : null,
        ]), doc.summary ? h("p", { class: "doc-summary" }, doc.summary) : null),
        section("Tệp văn bản",
          sig ? h("p", {}, "Kiểm tra chữ ký số: ", badge(sig[0], sig[1]),
            ...(report.signatures || []).map((s) => h("span", { class: "hint" },
              ` ${s.signer_name || "—"}${s.signed_at ? `, ký lúc ${fmtDateTime(s.signed_at)}` : ""}`))) : null,
          table([
            { label: "Tệp", cell: (f) => f.name },
            { label: "Loại", cell: (f) => ({ scan: "Bản quét", incoming: "Văn bản", attachment: "Đính kèm" }[f.kind] || f.kind) },
            { label: "Dung lượng", cell: (f) => fileSize(f.size), class: "num" },
            { label: "Tải về", cell: (f) => h("button", { type: "button", class: "btn ghost small",
              onclick: (e) => download(e.currentTarget, `${BASE}/${id}/files/${f.id}`, f.name) }, `Tải ${f.name}`) },
          ], doc.files, { empty: "Văn bản không có tệp." })),
        doc.assignments.length ? section("Phân công xử lý", table([
          { label: "Đơn vị", cell: (a) => agencyLabel(list, a.unit_id) },
          { label: "Vai trò", cell: (a) => ROLES[a.role] || a.role },
          { label: "Hạn xử lý", cell: (a) => fmtDate(a.deadline) },
          { label: "Tình trạng", cell: (a) => UNIT_STATUS[a.status] || a.status },
          { label: "Hoàn thành lúc", cell: (a) => fmtDateTime(a.done_at) },
        ], doc.assignments)) : null),
      h("div", {},
        section("Xử lý", actions(doc, me, list, registers, id, refresh)),
        section("Lịch sử xử lý", timeline(steps.map((s) => ({
          at: s.at, title: ACTIONS[s.action] || s.action, note: s.note,
          who: [s.actor_agency_id, s.data?.number ? `số đến ${s.data.number}` : null].filter(Boolean).join(" · "),
        })))))));
}

async function incomingRegisters() {
  if (!auth.hasRole("clerk", "admin")) return [];
  return api.get("/api/v1/registers", { direction: "incoming" }).catch(() => []);
}

async function download(button, path, name) {
  try {
    const { blob } = await api.download(path);
    saveBlob(blob, name);
  } catch (err) {
    button.after(problemBox(err));
  }
}

/** The register that will number a document of this type: its own, else the general one. */
function registerFor(registers, docType) {
  const active = registers.filter((r) => r.active);
  return active.find((r) => (r.doc_types || []).includes(docType)) || active.find((r) => !r.doc_types);
}

function inUnit(me, unit) {
  const own = me.agency_id || "";
  return own === unit || own.startsWith(`${unit}.`) || unit.startsWith(`${own}.`);
}

function covers(me, agencyId) {
  const own = me.agency_id || "";
  return Boolean(own) && (agencyId === own || agencyId.startsWith(`${own}.`));
}

function actions(doc, me, list, registers, id, refresh) {
  const step = (path, message) => async (values) => {
    await api.post(`${BASE}/${id}/${path}`, values);
    toast(message);
    await refresh();
  };
  const out = [];
  const clerk = auth.hasRole("clerk") && covers(me, doc.agency_id);
  const leader = auth.hasRole("leader") && covers(me, doc.agency_id);
  const officer = auth.hasRole("clerk", "leader", "processing_officer");
  const lead = doc.assignments.find((a) => a.role === "lead");
  const cooperating = doc.assignments.find((a) => a.role === "cooperate" && inUnit(me, a.unit_id));
  const working = ["assigned", "in_progress"].includes(doc.status);

  if (doc.status === "received" && clerk) {
    const chosen = registerFor(registers, doc.doc_type);
    out.push(actionPanel("Vào sổ văn bản đến", [
      chosen ? h("p", {}, `Sổ: ${chosen.name} (năm ${chosen.year}). Số đến dự kiến: ${chosen.last_number + 1}.`)
        : h("p", { class: "hint" }, "Số đến lấy từ sổ văn bản đến của cơ quan theo loại văn bản."),
      form({ fields: [field({ label: "Ghi chú vào sổ", name: "note", type: "textarea", attrs: { maxlength: 2000, rows: 2 } })],
        submit: "Vào sổ", onsubmit: step("register", "Đã vào sổ văn bản đến.") }),
    ], { open: true }));
    out.push(actionPanel("Từ chối tiếp nhận văn bản", form({
      fields: [field({ label: "Lý do từ chối", name: "reason", type: "textarea", required: true,
        hint: "Lý do được gửi cho cơ quan gửi (trạng thái 02).", attrs: { minlength: 3, maxlength: 2000 } })],
      submit: "Từ chối tiếp nhận", onsubmit: step("refuse", "Đã từ chối tiếp nhận văn bản.") })));
  }
  if (["registered", "assigned"].includes(doc.status) && leader) {
    out.push(actionPanel(doc.status === "assigned" ? "Phân công lại" : "Phân công xử lý",
      assignForm(doc, me, list, step("assign", "Đã phân công xử lý.")), { open: doc.status === "registered" }));
  }
  if (working && lead && officer && inUnit(me, lead.unit_id)) {
    out.push(actionPanel("Báo cáo tiến độ xử lý", form({
      fields: [field({ label: "Nội dung tiến độ", name: "note", type: "textarea", attrs: { maxlength: 4000 } })],
      submit: "Cập nhật tiến độ", onsubmit: step("progress", "Đã cập nhật tiến độ xử lý.") }), { open: true }));
    out.push(actionPanel("Hoàn thành xử lý", form({
      fields: [field({ label: "Kết quả xử lý", name: "note", type: "textarea", attrs: { maxlength: 4000 } })],
      submit: "Hoàn thành", onsubmit: step("complete", "Đã hoàn thành xử lý văn bản.") })));
  }
  if (working && cooperating && officer) {
    out.push(actionPanel("Ý kiến phối hợp", form({
      fields: [field({ label: "Ý kiến phối hợp", name: "note", type: "textarea", required: true, attrs: { maxlength: 4000 } }),
        field({ label: "Đơn vị đã phối hợp xong", name: "done", type: "checkbox" })],
      submit: "Gửi ý kiến", onsubmit: step("contributions", "Đã ghi ý kiến phối hợp.") })));
  }
  if (!out.length) out.push(h("p", { class: "empty" }, waiting(doc)));
  return out;
}

function waiting(doc) {
  return {
    received: "Văn bản chờ văn thư vào sổ hoặc từ chối tiếp nhận.",
    registered: "Văn bản đã vào sổ, chờ lãnh đạo phân công xử lý.",
    assigned: "Văn bản đã được phân công, chờ đơn vị chủ trì xử lý.",
    in_progress: "Đơn vị chủ trì đang xử lý văn bản.",
    done: "Văn bản đã được xử lý xong.",
    refused: "Văn bản đã bị từ chối tiếp nhận.",
    recalled: "Bên gửi đã thu hồi văn bản.",
  }[doc.status] || "Không có thao tác nào cho bạn ở trạng thái này.";
}

function assignForm(doc, me, list, submit) {
  const units = subtree(list, me.agency_id || doc.agency_id);
  const options = units.length ? units.map((a) => [a.id, `${a.name} (${a.id})`]) : [[doc.agency_id, doc.agency_id]];
  const current = (role) => doc.assignments.filter((a) => a.role === role).map((a) => a.unit_id);
  const lead = current("lead")[0] || doc.agency_id;
  const checks = (name, legend, chosen) => h("fieldset", { class: "doc-units full" }, h("legend", {}, legend),
    options.length > 1 ? options.map(([v, text]) => field({ label: text, name: `${name}:${v}`, type: "checkbox",
      value: chosen.includes(v) })) : h("p", { class: "hint" }, "Cơ quan không có đơn vị trực thuộc khác."));
  return form({
    fields: [
      field({ label: "Đơn vị chủ trì", name: "lead_unit_id", type: "select", required: true, value: lead, options }),
      field({ label: "Hạn xử lý", name: "deadline", type: "date", value: notPast(doc.processing_deadline || doc.due_date),
        hint: "Để trống: theo hạn trả lời của bên gửi.", attrs: { min: todayVn() } }),
      checks("cooperate", "Đơn vị phối hợp", current("cooperate")),
      checks("info", "Đơn vị để biết", current("info")),
      h("div", { class: "full" }, field({ label: "Ý kiến chỉ đạo", name: "note", type: "textarea", attrs: { maxlength: 2000 } })),
    ],
    submit: "Phân công",
    onsubmit: async (values) => {
      const pick = (prefix) => Object.entries(values).filter(([k, v]) => k.startsWith(`${prefix}:`) && v === true)
        .map(([k]) => k.slice(prefix.length + 1)).filter((u) => u !== values.lead_unit_id);
      await submit({ lead_unit_id: values.lead_unit_id, cooperating_unit_ids: pick("cooperate"),
        info_unit_ids: pick("info"), deadline: values.deadline || null, note: values.note || null });
    },
  });
}

function notPast(date) {
  return date && date >= todayVn() ? date : "";
}
