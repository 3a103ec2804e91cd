// Văn bản đi: the list with its filters, and one document's detail: its PDF versions, its
// recipients and their answers, its history and the steps its status allows the caller
// (trình, duyệt, trả lại, ký số, cấp số và ban hành, gửi, thu hồi, cập nhật).

import { api } from "../api.js";
import * as auth from "../auth.js";
import {
  badge, facts, field, fmtDate, fmtDateTime, form, h, notice, pageHeader, problemBox, saveBlob,
  section, table, toast, busy,
} from "../ui.js";
import {
  actionPanel, agencyLabel, agencies, DOC_TYPES, docTabs, fileSize, outgoingBadge, secrecyLabel,
  timeline, typeName, URGENCY, urgencyBadge, urgencyLabel,
} from "./documents-common.js";

const BASE = "/api/v1/documents";
const PAGE = 50;
const STATUSES = [["", "Tất cả trạng thái"], ["draft", "Dự thảo"], ["in_review", "Trình duyệt"],
  ["approved", "Đã duyệt"], ["signed", "Đã ký"], ["numbered", "Đã cấp số"], ["issued", "Đã ban hành"],
  ["recalled", "Đã thu hồi"]];
const FILE_KINDS = { draft: "Dự thảo", leader_signed: "Bản lãnh đạo đã ký số",
  numbered: "Bản đã ghi số, ngày", issued: "Bản ban hành (đã đóng dấu số)" };

/** #/van-ban/di */
export async function outgoingList({ query, navigate }) {
  const page = Math.max(0, Number(query.trang || 0));
  const rows = await api.get(BASE, { direction: "outgoing", status: query.trang_thai, type: query.loai,
    q: query.q, limit: PAGE, offset: page * PAGE });
  const filters = h("form", { class: "filters", role: "search", onsubmit: (e) => {
    e.preventDefault();
    const params = new URLSearchParams();
    for (const [k, v] of new FormData(e.target).entries()) if (v) params.set(k, v);
    navigate(`#/van-ban/di${params.toString() ? `?${params}` : ""}`);
  } },
  field({ label: "Trạng thái", name: "trang_thai", type: "select", options: STATUSES, value: query.trang_thai }),
  field({ label: "Loại văn bản", name: "loai", type: "select", value: query.loai,
    options: [["", "Tất cả loại"], ...DOC_TYPES] }),
  field({ label: "Tìm trong trích yếu", name: "q", value: query.q }),
  h("div", { class: "btn-row" }, h("button", { type: "submit", class: "btn primary" }, "Lọc"),
    h("a", { href: "#/van-ban/di", class: "btn ghost" }, "Bỏ lọc")));
  const columns = [
    { label: "Số, ký hiệu", cell: (d) => d.code || (d.secrecy !== "normal" && d.number ? `Số ${d.number}` : "Chưa cấp số") },
    { label: "Ngày ban hành", cell: (d) => fmtDate(d.promulgation_date) },
    { label: "Loại", cell: (d) => d.type_name || typeName(d.doc_type) },
    { label: "Trích yếu", cell: (d) => h("span", {}, urgencyBadge(d.urgency), d.urgency !== "normal" ? " " : null,
      h("a", { href: `#/van-ban/di/${d.id}` }, d.subject)) },
    { label: "Trạng thái", cell: (d) => outgoingBadge(d) },
    { label: "Cập nhật", cell: (d) => fmtDateTime(d.updated_at) },
  ];
  const href = (p) => `#/van-ban/di?${new URLSearchParams({ ...query, trang: String(p) })}`;
  const canDraft = auth.hasRole("clerk", "leader", "processing_officer");
  return h("div", {},
    pageHeader("Văn bản đi", canDraft ? h("a", { class: "btn primary", href: "#/van-ban/di/soan" }, "Soạn văn bản") : null),
    docTabs("di"),
    section("Bộ lọc", filters),
    h("section", { class: "card" }, h("h2", {}, `Văn bản đi (${rows.length} văn bản)`),
      table(columns, rows, { empty: "Chưa có văn bản đi nào khớp bộ lọc." }),
      h("nav", { class: "btn-row", "aria-label": "Phân trang" },
        page > 0 ? h("a", { class: "btn ghost small", href: href(page - 1) }, "Trang trước") : null,
        h("span", {}, `Trang ${page + 1}`),
        rows.length === PAGE ? h("a", { class: "btn ghost small", href: href(page + 1) }, "Trang sau") : null)));
}

/** #/van-ban/di/:id */
export async function outgoingDetail({ params, refresh, me }) {
  const id = encodeURIComponent(params.id);
  const [doc, list] = await Promise.all([api.get(`${BASE}/${id}`), agencies().catch(() => [])]);
  const register = doc.register_id && auth.hasRole("clerk", "admin")
    ? await api.get(`/api/v1/registers/${encodeURIComponent(doc.register_id)}`).catch(() => null) : null;
  const signer = doc.signer;
  const pdfs = doc.files.filter((f) => f.media_type === "application/pdf");

  return h("div", {},
    pageHeader(doc.subject, h("a", { href: "#/van-ban/di", class: "btn ghost" }, "Về danh sách văn bản đi")),
    docTabs("di"),
    h("p", { class: "doc-badges" }, outgoingBadge(doc), urgencyBadge(doc.urgency),
      doc.secrecy !== "normal" ? badge(secrecyLabel(doc.secrecy).toUpperCase(), "danger") : null),
    doc.code ? h("p", { class: "doc-code" }, "Số, ký hiệu: ", h("strong", { "data-testid": "so-ky-hieu" }, doc.code)) : null,
    h("div", { class: "doc-layout" },
      h("div", {},
        section("Thông tin văn bản", facts([
          ["Số, ký hiệu", doc.code || (doc.number ? `Số ${doc.number}` : "Chưa cấp số")],
          ["Sổ văn bản đi", register ? `${register.name} (năm ${doc.year})` : (doc.register_id ? `Năm ${doc.year}` : "—")],
          ["Loại văn bản", doc.type_name || typeName(doc.doc_type)],
          ["Ngày ban hành", fmtDate(doc.promulgation_date)],
          ["Độ khẩn", urgencyLabel(doc.urgency)],
          ["Độ mật", secrecyLabel(doc.secrecy)],
          ["Hạn trả lời", fmtDate(doc.due_date)],
          ["Người ký", signer ? [signer.competence, signer.position, signer.name].filter(Boolean).join(" · ") : "Chưa chọn"],
          ["Người soạn", doc.created_by === me.id ? "Bạn" : doc.created_by],
          ["Ngày tạo", fmtDateTime(doc.created_at)],
          ["Ban hành lúc", fmtDateTime(doc.issued_at)],
        ]),
        doc.summary ? h("p", { class: "doc-summary" }, doc.summary) : null,
        doc.body ? h("details", {}, h("summary", {}, "Nội dung văn bản"), h("p", { class: "doc-body" }, doc.body)) : null),
        section("Tệp PDF", pdfSection(doc, pdfs, id, me, refresh)),
        section("Nơi nhận và tình trạng tiếp nhận", recipients(doc, list))),
      h("div", {},
        section("Xử lý", actions(doc, me, id, refresh)),
        section("Lịch sử xử lý", timeline(doc.history.map((s) => ({
          at: s.at, title: capital(s.action_name),
          note: s.note, who: s.actor_agency_id,
        })))))));
}

function capital(text) {
  return text ? text.charAt(0).toUpperCase() + text.slice(1) : "";
}

function pdfSection(doc, pdfs, id, me, refresh) {
  const editable = doc.status === "draft" && (doc.created_by === me.id || auth.hasRole("clerk"));
  const parts = [table([
    { label: "Phiên bản", cell: (f) => FILE_KINDS[f.kind] || f.kind },
    { label: "Tệp", cell: (f) => f.name },
    { label: "Dung lượng", cell: (f) => fileSize(f.size), class: "num" },
    { label: "Thời gian", cell: (f) => fmtDateTime(f.created_at) },
    { label: "Tải về", cell: (f) => h("button", { type: "button", class: "btn ghost small",
      onclick: (e) => download(e.currentTarget, id, f.id) }, `Tải ${f.name}`) },
  ], pdfs.slice().reverse(), { empty: "Văn bản chưa có tệp PDF." })];
  if (pdfs.length) {
    parts.push(h("div", { class: "btn-row" }, h("button", { type: "button", class: "btn primary",
      onclick: (e) => download(e.currentTarget, id, null) }, "Tải PDF mới nhất")));
  }
  if (editable) {
    parts.push(h("div", { class: "btn-row" }, h("button", { type: "button", class: "btn ghost", onclick: async (e) => {
      await run(e.currentTarget, async () => {
        await api.post(`${BASE}/${id}/pdf/render`);
        toast("Đã tạo dự thảo PDF từ nội dung.");
        await refresh();
      });
    } }, "Tạo PDF từ nội dung")));
    parts.push(actionPanel("Tải lên tệp PDF", form({
      fields: [field({ label: "Tệp PDF của dự thảo", name: "pdf", type: "file", required: true,
        attrs: { accept: "application/pdf,.pdf" } })],
      submit: "Tải lên",
      onsubmit: async (_values, el) => {
        const file = el.querySelector("input[type=file]").files[0];
        await api.raw("POST", `${BASE}/${id}/pdf`, { body: file, params: { filename: file.name },
          headers: { "Content-Type": "application/pdf" } });
        toast("Đã tải lên tệp PDF.");
        await refresh();
      } })));
  }
  return parts;
}

async function download(button, id, version) {
  await run(button, async () => {
    const { blob, filename } = await api.download(`${BASE}/${id}/pdf`, { version });
    saveBlob(blob, filename);
  });
}

/** A button's work, busy while it runs; an API error shown next to it. */
async function run(button, work) {
  const holder = button.parentElement;
  holder.querySelectorAll(".notice").forEach((n) => n.remove());
  await busy(button, async () => {
    try {
      await work();
    } catch (err) {
      holder.append(problemBox(err));
    }
  });
}

function recipients(doc, list) {
  return table([
    { label: "Nơi nhận", cell: (r) => (r.agency_id ? agencyLabel(list, r.agency_id) : `${r.name} (${r.organ_id})`) },
    { label: "Kênh gửi", cell: (r) => (r.external ? "Trục liên thông quốc gia" : "Trên nền tảng của tỉnh") },
    { label: "Gửi lúc", cell: (r) => fmtDateTime(r.sent_at) },
    { label: "Tình trạng", cell: (r) => (r.status_code
      ? h("span", { "data-status-code": r.status_code }, badge(`${r.status_code} · ${r.status || ""}`, r.status_code === "02" ? "danger" : "info"))
      : (r.sent_at ? "Đã gửi, chưa có phản hồi" : "Chưa gửi")) },
    { label: "Phản hồi", cell: (r) => r.status_description || "—" },
    { label: "Cập nhật", cell: (r) => fmtDateTime(r.updated_at) },
  ], doc.recipients, { empty: "Chưa có nơi nhận." });
}

function actions(doc, me, id, refresh) {
  const step = (path, message) => async (values) => {
    await api.post(`${BASE}/${id}/${path}`, values);
    toast(message);
    await refresh();
  };
  const note = (label, required = false) => field({ label, name: "note", type: "textarea", required,
    attrs: { maxlength: 2000, rows: 2 } });
  const drafter = doc.created_by === me.id;
  const clerk = auth.hasRole("clerk");
  const leader = auth.hasRole("leader");
  const theSigner = leader && doc.signer?.account_id === me.id;
  const out = [];

  if (doc.status === "draft" && (drafter || clerk)) {
    out.push(h("div", { class: "btn-row" }, h("a", { class: "btn ghost", href: `#/van-ban/di/${doc.id}/sua` }, "Sửa dự thảo")));
    if (!doc.signer) out.push(notice("Chưa chọn người ký: hãy sửa dự thảo và chọn lãnh đạo ký trước khi trình.", "warn"));
    out.push(actionPanel("Trình lãnh đạo duyệt", form({ fields: [note("Ý kiến trình")], submit: "Trình duyệt",
      onsubmit: step("submit", "Đã trình lãnh đạo duyệt.") }), { open: true }));
  }
  if (doc.status === "in_review" && leader) {
    out.push(actionPanel("Duyệt dự thảo", form({ fields: [note("Ý kiến duyệt")], submit: "Duyệt",
      onsubmit: step("approve", "Đã duyệt dự thảo.") }), { open: true }));
  }
  if (doc.status === "approved" && theSigner) {
    out.push(actionPanel("Ký số văn bản", [
      h("p", {}, "Chữ ký số PAdES bằng chứng thư số của bạn được gắn vào tệp PDF mới nhất. Sau khi ký, văn bản không sửa được nữa."),
      form({ fields: [], submit: "Ký số", onsubmit: step("sign", "Đã ký số văn bản.") }),
    ], { open: true }));
  } else if (doc.status === "approved" && leader) {
    out.push(notice(`Văn bản chờ người ký${doc.signer ? ` (${doc.signer.name})` : ""} ký số.`));
  }
  if (["in_review", "approved"].includes(doc.status) && leader) {
    out.push(actionPanel("Trả lại dự thảo", form({ fields: [note("Nội dung cần sửa", true)], submit: "Trả lại",
      onsubmit: step("return", "Đã trả lại dự thảo.") })));
  }
  if (["signed", "numbered"].includes(doc.status) && clerk) {
    out.push(actionPanel("Ban hành văn bản", [
      h("p", {}, "Văn thư lấy số tiếp theo của sổ văn bản đi, đóng dấu số của cơ quan và gửi văn bản đến các nơi nhận."),
      form({ fields: [], submit: doc.status === "numbered" ? "Đóng dấu và ban hành" : "Cấp số và ban hành",
        onsubmit: step("issue", "Đã cấp số và ban hành văn bản.") }),
    ], { open: true }));
  }
  if (doc.status === "issued" && clerk && doc.secrecy === "normal" && doc.recipients.length) {
    out.push(actionPanel("Gửi văn bản", form({
      fields: [h("fieldset", { class: "doc-units" }, h("legend", {}, "Gửi (lại) đến"),
        doc.recipients.map((r) => field({ label: r.name, name: `organ:${r.organ_id}`, type: "checkbox", value: true })))],
      submit: "Gửi",
      onsubmit: async (values) => {
        const organs = Object.entries(values).filter(([k, v]) => k.startsWith("organ:") && v === true).map(([k]) => k.slice(6));
        await step("send", "Đã gửi văn bản qua trục liên thông.")({ organ_ids: organs.length ? organs : null });
      } })));
  }
  if (doc.status === "issued" && (clerk || leader)) {
    out.push(actionPanel("Cập nhật thông tin đã gửi", form({
      fields: [field({ label: "Lý do cập nhật", name: "reason", type: "textarea", required: true, attrs: { maxlength: 2000, rows: 2 } }),
        field({ label: "Trích yếu mới", name: "subject", attrs: { maxlength: 500 } }),
        field({ label: "Hạn trả lời mới", name: "due_date", type: "date" }),
        field({ label: "Độ khẩn", name: "urgency", type: "select", options: [["", "Giữ nguyên"], ...URGENCY] })],
      submit: "Gửi cập nhật", onsubmit: step("update", "Đã gửi thông tin cập nhật đến nơi nhận.") })));
    out.push(actionPanel("Thu hồi văn bản", form({
      fields: [field({ label: "Lý do thu hồi", name: "reason", type: "textarea", required: true, attrs: { maxlength: 2000, rows: 2 } })],
      submit: "Thu hồi", onsubmit: step("recall", "Đã gửi yêu cầu thu hồi văn bản.") })));
  }
  if (!out.length) out.push(h("p", { class: "empty" }, waiting(doc)));
  return out;
}

function waiting(doc) {
  return {
    draft: "Dự thảo đang được soạn.",
    in_review: "Dự thảo đang chờ lãnh đạo duyệt.",
    approved: "Văn bản đã được duyệt, chờ người ký ký số.",
    signed: "Văn bản đã ký số, chờ văn thư cấp số và ban hành.",
    numbered: "Văn bản đã cấp số, chờ văn thư đóng dấu và ban hành.",
    issued: "Văn bản đã được ban hành.",
    recalled: "Văn bản đã bị thu hồi.",
  }[doc.status] || "Không có thao tác nào cho bạn ở trạng thái này.";
}
