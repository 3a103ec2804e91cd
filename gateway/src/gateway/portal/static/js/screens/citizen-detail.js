// One of the citizen's dossiers: what to do next, the facts, the fee and its receipt, the
// result, the forms (Mẫu) the citizen may download, the documents, and the history.

import { api } from "../api.js";
import {
  busy, facts, fmtDateTime, h, notice, pageHeader, problemBox, saveBlob, section, statusBadge,
  table, timelinessBadge,
} from "../ui.js";
import { agencyNames, bytesText, vnError } from "./citizen-common.js";
import { formSummary } from "./citizen-form.js";
import { paymentSection } from "./citizen-payment.js";
import { ratingSection, supplementSection, withdrawSection } from "./citizen-actions.js";

const ACTIONS = {
  submit: "Nộp hồ sơ", receive: "Tiếp nhận hồ sơ", refuse: "Từ chối tiếp nhận hồ sơ",
  request_supplement: "Yêu cầu bổ sung, hoàn thiện hồ sơ", supplement: "Bổ sung hồ sơ",
  hand_over: "Chuyển xử lý", request_payment: "Yêu cầu thực hiện nghĩa vụ tài chính",
  payment_received: "Đã nhận thanh toán phí, lệ phí", decide: "Có kết quả giải quyết",
  return_result: "Trả kết quả", withdraw: "Rút hồ sơ", stop: "Dừng xử lý",
  apologise: "Xin lỗi và hẹn lại ngày trả kết quả",
};
const CHANNELS = { online: "Trực tuyến", counter: "Trực tiếp tại bộ phận một cửa", post: "Qua bưu chính" };
const SOURCES = { upload: "Công dân tải lên", counter_scan: "Số hóa tại quầy", datastore_reuse: "Từ kho dữ liệu cá nhân", result: "Kết quả giải quyết" };
const FORMS = [
  ["01", "Mẫu 01 – Giấy tiếp nhận hồ sơ và hẹn trả kết quả", (d, acts) => Boolean(d.received_at) || acts.has("receive")],
  ["02", "Mẫu 02 – Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ", (d, acts) => acts.has("request_supplement")],
  ["03", "Mẫu 03 – Phiếu từ chối tiếp nhận hồ sơ", (d, acts) => acts.has("refuse")],
  ["04", "Mẫu 04 – Phiếu xin lỗi và hẹn lại ngày trả kết quả", (d, acts) => acts.has("apologise")],
];
const NEXT = {
  1: ["Hồ sơ đã được gửi, đang chờ cơ quan tiếp nhận. Bạn có thể rút hồ sơ nếu cần.", "info"],
  2: ["Hồ sơ đã được tiếp nhận. Ngày hẹn trả kết quả ghi trên Giấy tiếp nhận (Mẫu 01).", "info"],
  3: ["Hồ sơ không được tiếp nhận; lý do ghi trong lịch sử xử lý và Mẫu 03.", "danger"],
  4: ["Hồ sơ đang được xử lý.", "info"],
  5: ["Cơ quan yêu cầu bổ sung giấy tờ: hãy bổ sung theo hướng dẫn bên dưới.", "warn"],
  6: ["Cơ quan yêu cầu thực hiện nghĩa vụ tài chính: hãy thanh toán phí, lệ phí trực tuyến bên dưới.", "warn"],
  7: ["Bạn đã rút hồ sơ này.", "info"],
  8: ["Hồ sơ đã bị dừng xử lý; lý do ghi trong lịch sử xử lý.", "danger"],
  9: ["Hồ sơ đã có kết quả, đang chờ trả kết quả.", "ok"],
  10: ["Đã trả kết quả. Mời bạn đánh giá mức độ hài lòng.", "ok"],
};

export async function dossierDetail(ctx) {
  const code = ctx.params.code;
  const path = `/api/v1/dossiers/${encodeURIComponent(code)}`;
  const [d, history, attachments, payments, agencies] = await Promise.all([
    api.get(path), api.get(`${path}/history`), api.get(`${path}/attachments`),
    api.get(`${path}/payments`), agencyNames(),
  ]);
  const procedure = await api.get(`/api/v1/procedures/${encodeURIComponent(d.procedure_code)}`, null, { auth: false });
  const acts = new Set(history.entries.map((e) => e.action));
  // An online dossier names its applicant by the account; the account knows the name.
  const applicantName = d.applicant && d.applicant.full_name !== d.applicant.id_number
    ? d.applicant.full_name : ctx.me?.full_name || d.applicant?.full_name;
  const data = { d, history, attachments, payments, procedure, path, ctx, agencies, applicantName };
  const [nextText, tone] = NEXT[d.status_code] || ["", "info"];
  return h("div", { class: "ct-detail" },
    h("p", { class: "crumbs" }, h("a", { href: "#/ho-so-cua-toi" }, "Hồ sơ của tôi"), " › ", d.code),
    pageHeader(`Hồ sơ ${d.code}`, h("div", { class: "ct-status" }, statusBadge(d.status_code, d.status), " ", timelinessBadge(d.timeliness))),
    ctx.query.moi ? notice(`Đã nộp hồ sơ ${d.code}. Mã hồ sơ dùng để tra cứu tình trạng giải quyết.`, "ok") : null,
    nextText ? notice(nextText, tone) : null,
    section("Thông tin hồ sơ", facts([
      ["Mã hồ sơ", d.code],
      ["Thủ tục", h("a", { href: `#/thu-tuc/${encodeURIComponent(procedure.code)}` }, procedure.name)],
      ["Nơi tiếp nhận", agencies[d.agency_id] || d.agency_id],
      ["Hình thức nộp", CHANNELS[d.channel] || d.channel],
      ["Người nộp", d.applicant ? `${applicantName} (số định danh ${d.applicant.id_number})` : "—"],
      ["Ngày nộp", fmtDateTime(d.submitted_at)],
      ["Ngày tiếp nhận", fmtDateTime(d.received_at)],
      ["Ngày hẹn trả kết quả", fmtDateTime(d.due_at)],
      ["Ngày trả kết quả", fmtDateTime(d.completed_at)],
      ["Trạng thái", d.status],
    ]), d.form_data && Object.keys(d.form_data).length ? [h("h3", {}, "Tờ khai"), facts(formSummary(d.form_data))] : null),
    d.status_code === 5 ? supplementSection(data) : null,
    paymentSection(data),
    resultSection(data),
    ratingSection(data),
    formsSection(d, acts, path),
    attachmentsSection(attachments, path, d.status_code),
    section("Lịch sử xử lý", timeline(history, agencies)),
    withdrawSection(data));
}

function downloadButton(label, path, fallbackName, params) {
  const out = h("span", { class: "ct-download" });
  const button = h("button", { type: "button", class: "btn small", onclick: async () => {
    await busy(button, async () => {
      out.querySelector(".notice")?.remove();
      try {
        const { blob, filename } = await api.download(path, params);
        saveBlob(blob, filename === "tai-lieu" ? fallbackName : filename);
      } catch (err) {
        out.append(problemBox(vnError(err)));
      }
    });
  } }, label);
  out.append(button);
  return out;
}

function resultSection({ d, attachments, path }) {
  if (!d.result) return null;
  const r = d.result;
  const results = attachments.filter((a) => a.kind === "result");
  const named = results.find((a) => String(a.id) === String(r.result_file));
  const files = named ? [named, ...results.filter((a) => a !== named)] : results;
  return section("Kết quả giải quyết",
    notice(r.outcome === "approved" ? "Hồ sơ được giải quyết: chấp thuận." : "Hồ sơ được giải quyết: không chấp thuận.", r.outcome === "approved" ? "ok" : "warn"),
    facts([
      ["Kết quả", r.outcome === "approved" ? "Chấp thuận" : "Không chấp thuận"],
      ["Ngày có kết quả", fmtDateTime(r.decided_at)],
      ["Nội dung kết quả", r.result_note || "—"],
      !named && r.result_file ? ["Số, ký hiệu kết quả", r.result_file] : null,
    ]),
    files.length ? h("div", { class: "btn-row" }, files.map((a) =>
      downloadButton(`Tải kết quả: ${a.filename}`, `${path}/attachments/${a.id}`, a.filename))) : null,
    d.status_code === 9 ? h("p", { class: "hint" }, "Kết quả sẽ được trả theo hình thức bạn đã chọn khi nộp hồ sơ.") : null);
}

function formsSection(d, acts, path) {
  const available = FORMS.filter(([, , has]) => has(d, acts));
  if (!available.length) return null;
  return section("Giấy tờ của cơ quan (Mẫu)",
    h("ul", { class: "ct-forms" }, available.map(([form, title]) =>
      h("li", {}, h("span", {}, title), downloadButton(`Tải Mẫu ${form}`, `${path}/forms/${form}`, `mau-${form}-${d.code}.pdf`)))));
}

function attachmentsSection(attachments, path) {
  return section("Tệp của hồ sơ", table([
    { label: "Tệp", cell: (a) => a.filename },
    { label: "Thành phần", cell: (a) => a.component_code || "Kết quả" },
    { label: "Nguồn", cell: (a) => SOURCES[a.source] || a.source },
    { label: "Dung lượng", class: "num", cell: (a) => bytesText(a.size) },
    { label: "Thời gian", cell: (a) => fmtDateTime(a.uploaded_at) },
    { label: "Tải về", cell: (a) => downloadButton("Tải về", `${path}/attachments/${a.id}`, a.filename) },
  ], attachments, { empty: "Hồ sơ chưa có tệp đính kèm." }));
}

function timeline(history, agencies) {
  const entries = [...history.entries].sort((a, b) => b.sequence - a.sequence);
  return h("ol", { class: "timeline", reversed: true }, entries.map((e) => h("li", {},
    h("time", { datetime: e.at }, fmtDateTime(e.at)),
    h("strong", {}, ACTIONS[e.action] || e.action), " → ", e.status,
    e.actor_agency_id && e.actor_kind === "official" ? h("div", { class: "hint" }, agencies[e.actor_agency_id] || e.actor_agency_id) : null,
    e.reason ? h("div", {}, `Lý do: ${e.reason}`) : null,
    Array.isArray(e.data?.missing) ? h("ul", {}, e.data.missing.map((m) => h("li", {}, m))) : null,
    e.data?.to_agency_id ? h("div", { class: "hint" }, `Chuyển đến: ${agencies[e.data.to_agency_id] || e.data.to_agency_id}`) : null,
    e.data?.new_due_at ? h("div", {}, `Hẹn lại: ${fmtDateTime(e.data.new_due_at)}`) : null)));
}
