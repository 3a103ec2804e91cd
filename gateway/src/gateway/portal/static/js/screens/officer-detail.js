// One dossier as an officer sees it: its facts, form data, attachments, the standard forms
// (Mẫu 01–05) as PDF, the history with the hand-overs, and the actions its status allows.

import { api } from "../api.js";
import {
  badge, facts, fmtDateTime, fmtVnd, h, notice, pageHeader, problemBox, saveBlob, section,
  statusBadge, table, toast,
} from "../ui.js";
import { actionsFor, nextStep } from "./officer-actions.js";
import { agencyLabel, dueCell, fieldLabel, loadAgencies, procedure } from "./officer-data.js";

const CHANNELS = { online: "Trực tuyến", counter: "Trực tiếp tại bộ phận một cửa", post: "Qua bưu chính" };
const OUTCOMES = { approved: "Phê duyệt (giải quyết)", rejected: "Không phê duyệt" };
export const ACTION_NAMES = {
  submit: "Nộp hồ sơ", receive: "Tiếp nhận hồ sơ", refuse: "Từ chối tiếp nhận",
  request_supplement: "Yêu cầu bổ sung hồ sơ", supplement: "Bổ sung hồ sơ",
  hand_over: "Chuyển xử lý", request_payment: "Yêu cầu thực hiện nghĩa vụ tài chính",
  payment_received: "Ghi nhận đã thanh toán", decide: "Phê duyệt kết quả",
  return_result: "Trả kết quả", withdraw: "Rút hồ sơ", stop: "Dừng xử lý",
  apologise: "Xin lỗi và hẹn lại ngày trả kết quả",
};
const ACTORS = { citizen: "Công dân", business: "Doanh nghiệp", official: "Cán bộ", system: "Hệ thống" };
// Mẫu 01–05: the history action each is drawn from (01 and 05 once the dossier was received).
const FORMS = [
  ["01", "Mẫu 01 · Giấy tiếp nhận hồ sơ và hẹn trả kết quả", (hist) => hist.some((e) => e.to_status === 2)],
  ["02", "Mẫu 02 · Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ", (hist) => hist.some((e) => e.action === "request_supplement")],
  ["03", "Mẫu 03 · Phiếu từ chối tiếp nhận giải quyết hồ sơ", (hist) => hist.some((e) => e.action === "refuse")],
  ["04", "Mẫu 04 · Phiếu xin lỗi và hẹn lại ngày trả kết quả", (hist) => hist.some((e) => e.action === "apologise")],
  ["05", "Mẫu 05 · Phiếu kiểm soát quá trình giải quyết hồ sơ", (hist) => hist.some((e) => e.to_status === 2)],
];

export async function detailScreen(ctx) {
  const code = ctx.params.code;
  const path = `/api/v1/dossiers/${encodeURIComponent(code)}`;
  const [d, history, attachments] = await Promise.all([
    api.get(path), api.get(`${path}/history`), api.get(`${path}/attachments`), loadAgencies(),
  ]);
  const asked = history.entries.some((e) => e.action === "request_payment");
  const [proc, payments] = await Promise.all([procedure(d.procedure_code),
    asked ? api.get(`${path}/payments`) : Promise.resolve([])]);
  const step = nextStep(d, ctx.me);
  return h("div", { class: "officer officer-detail" },
    h("p", { class: "crumbs" }, h("a", { href: "#/xu-ly" }, "← Danh sách hồ sơ")),
    pageHeader(`Hồ sơ ${d.code}`, h("p", { class: "status-line" }, "Trạng thái: ",
      statusBadge(d.status_code, d.status))),
    step ? notice(step, "info") : null,
    h("div", { class: "grid-2" },
      section("Thông tin hồ sơ", facts(factPairs(d, proc))),
      section("Người nộp", facts(applicantPairs(d)))),
    d.result ? section("Kết quả giải quyết", facts([
      ["Quyết định", OUTCOMES[d.result.outcome] || d.result.outcome],
      ["Nội dung kết quả", d.result.result_note],
      ["Tệp kết quả", resultFile(d, attachments)],
      ["Thời điểm phê duyệt", fmtDateTime(d.result.decided_at)],
    ])) : null,
    section("Xử lý hồ sơ", actionsFor({ d, proc, history, attachments, ctx })),
    asked ? section("Thanh toán phí, lệ phí trực tuyến", paymentTable(payments)) : null,
    section("Dữ liệu tờ khai", formData(d.form_data, proc)),
    section("Thành phần hồ sơ đính kèm", attachmentTable(code, attachments, proc)),
    section("Biểu mẫu (PDF)", formButtons(code, history.entries)),
    section("Quá trình xử lý", timeline(history.entries),
      history.hops.length ? hopsTable(history.hops) : null));
}

function factPairs(d, proc) {
  return [
    ["Mã hồ sơ", d.code],
    ["Thủ tục", proc ? `${proc.name} (${d.procedure_code})` : d.procedure_code],
    ["Cơ quan giải quyết", agencyLabel(d.agency_id)],
    ["Nơi tiếp nhận", agencyLabel(d.reception_agency_id || d.agency_id)],
    ["Kênh nộp", CHANNELS[d.channel] || d.channel],
    ["Ngày nộp", fmtDateTime(d.submitted_at)],
    ["Ngày tiếp nhận", fmtDateTime(d.received_at)],
    ["Hẹn trả kết quả", dueCell(d)],
    ["Ngày hoàn thành", fmtDateTime(d.completed_at)],
    ["Thời hạn giải quyết", proc ? `${proc.duration} ${proc.duration_unit === "working_days" ? "ngày làm việc" : "ngày"}` : null],
    ["Phí, lệ phí", proc ? (proc.total_fee ? fmtVnd(proc.total_fee) : "Không thu") : null],
  ];
}

function applicantPairs(d) {
  const a = d.applicant || {};
  const r = d.representative;
  const c = d.contact || {};
  return [
    ["Họ và tên", a.full_name],
    ["Số định danh cá nhân", a.id_number],
    ["Điện thoại", a.phone || c.phone],
    ["Thư điện tử", a.email || c.email],
    r ? ["Người được ủy quyền", `${r.full_name} (${r.id_number})${r.relationship ? `, ${r.relationship}` : ""}`] : null,
    r ? ["Giấy ủy quyền", r.authorisation] : null,
  ];
}

function resultFile(d, attachments) {
  const ref = d.result?.result_file;
  if (!ref) return null;
  const found = attachments.find((a) => String(a.id) === String(ref));
  return found ? downloadButton(d.code, found) : ref;
}

/** The form data, labelled with the procedure's form schema (title or description). */
function formData(data, proc) {
  const props = proc?.form_schema?.properties || {};
  const entries = Object.entries(data || {});
  if (!entries.length) return h("p", { class: "empty" }, "Hồ sơ không có dữ liệu tờ khai.");
  return facts(entries.map(([key, value]) => [
    fieldLabel(key, props[key]),
    typeof value === "boolean" ? (value ? "Có" : "Không")
      : (value !== null && typeof value === "object") ? JSON.stringify(value) : String(value),
  ]));
}

function downloadButton(code, a) {
  const button = h("button", { type: "button", class: "btn ghost small" }, `Tải xuống ${a.filename}`);
  button.addEventListener("click", async () => {
    try {
      const file = await api.download(`/api/v1/dossiers/${encodeURIComponent(code)}/attachments/${a.id}`);
      saveBlob(file.blob, file.filename || a.filename);
    } catch (err) {
      button.after(problemBox(err));
    }
  });
  return button;
}

function attachmentTable(code, attachments, proc) {
  const names = Object.fromEntries((proc?.components || []).map((c) => [c.code, c.name]));
  return table([
    { label: "Thành phần", cell: (a) => a.kind === "result" ? "Kết quả giải quyết" : (names[a.component_code] || a.component_code || "—") },
    { label: "Tệp", cell: (a) => h("span", {}, a.filename, a.digitised ? " " : null, a.digitised ? badge("Số hóa tại quầy", "info") : null,
      a.source === "signed" ? " " : null, a.source === "signed" ? badge("Đã ký số", "ok") : null) },
    { label: "Dung lượng", cell: (a) => `${Math.max(1, Math.round(a.size / 1024))} KB` },
    { label: "Tải lên lúc", cell: (a) => fmtDateTime(a.uploaded_at) },
    { label: "Tải xuống", cell: (a) => downloadButton(code, a) },
  ], attachments, { empty: "Hồ sơ chưa có tệp đính kèm." });
}

function formButtons(code, entries) {
  const available = FORMS.filter(([, , has]) => has(entries));
  if (!available.length) {
    return h("p", { class: "empty" }, "Chưa có biểu mẫu: Giấy tiếp nhận (Mẫu 01) có sau khi hồ sơ được tiếp nhận.");
  }
  return h("ul", { class: "form-list" }, available.map(([form, label]) => {
    const button = h("button", { type: "button", class: "btn ghost" }, `Tải ${label.split(" · ")[0]} (PDF)`);
    button.addEventListener("click", async () => {
      try {
        const file = await api.download(`/api/v1/dossiers/${encodeURIComponent(code)}/forms/${form}`);
        saveBlob(file.blob, file.filename);
        const signed = file.headers.get("X-Signature") === "pades";
        toast(signed ? `Đã tải ${file.filename} (có chữ ký số của cơ quan).` : `Đã tải ${file.filename}.`);
      } catch (err) {
        button.after(problemBox(err));
      }
    });
    return h("li", {}, h("span", {}, label.split(" · ")[1]), button);
  }));
}

function who(e) {
  const name = e.data?.actor_name;
  const kind = ACTORS[e.actor_kind] || e.actor_kind;
  return name ? `${name} (${kind.toLowerCase()})` : kind;
}

function timeline(entries) {
  return h("ol", { class: "timeline" }, entries.map((e) => h("li", {},
    h("strong", {}, ACTION_NAMES[e.action] || e.action), " → ", statusBadge(e.to_status, e.status),
    h("time", { datetime: e.at }, fmtDateTime(e.at)),
    h("div", {}, `Người thực hiện: ${who(e)}`, e.actor_agency_id ? ` · ${agencyLabel(e.actor_agency_id)}` : ""),
    e.data?.to_agency_id ? h("div", {}, `Chuyển đến: ${agencyLabel(e.data.to_agency_id)}`,
      e.data.deadline_at ? ` · hạn xử lý của bước: ${fmtDateTime(e.data.deadline_at)}` : "") : null,
    e.data?.due_at && e.action !== "hand_over" ? h("div", {}, `Hẹn trả kết quả: ${fmtDateTime(e.data.due_at)}`) : null,
    e.data?.new_due_at ? h("div", {}, `Ngày hẹn mới: ${fmtDateTime(e.data.new_due_at)}`) : null,
    e.data?.amount ? h("div", {}, `Số tiền: ${fmtVnd(e.data.amount)}`) : null,
    e.data?.missing?.length ? h("div", {}, `Cần bổ sung: ${e.data.missing.join("; ")}`) : null,
    e.data?.outcome ? h("div", {}, `Quyết định: ${OUTCOMES[e.data.outcome] || e.data.outcome}`) : null,
    e.reason ? h("div", {}, `Lý do: ${e.reason}`) : null,
    e.note ? h("div", { class: "hint" }, `Ghi chú nội bộ: ${e.note}`) : null)));
}

const PAYMENT_STATUS = { pending: ["Chờ thanh toán", "warn"], paid: ["Đã thanh toán", "ok"], failed: ["Không thành công", "danger"] };

function paymentTable(payments) {
  return table([
    { label: "Mã tham chiếu", cell: (p) => p.reference },
    { label: "Số tiền", cell: (p) => fmtVnd(p.amount) },
    { label: "Trạng thái", cell: (p) => badge(...(PAYMENT_STATUS[p.status] || [p.status, "muted"])) },
    { label: "Mã giao dịch", cell: (p) => p.transaction_id || "—" },
    { label: "Tạo lúc", cell: (p) => fmtDateTime(p.created_at) },
    { label: "Thanh toán lúc", cell: (p) => fmtDateTime(p.paid_at) },
  ], payments, { empty: "Công dân chưa thanh toán trực tuyến (có thể nộp tại quầy)." });
}

function hopsTable(hops) {
  return h("div", {}, h("h3", {}, "Luân chuyển giữa các đơn vị"), table([
    { label: "Bước", cell: (x) => String(x.sequence) },
    { label: "Từ đơn vị", cell: (x) => agencyLabel(x.from_agency_id) },
    { label: "Đến đơn vị", cell: (x) => agencyLabel(x.to_agency_id) },
    { label: "Nhận lúc", cell: (x) => fmtDateTime(x.received_at) },
    { label: "Hạn xử lý", cell: (x) => fmtDateTime(x.deadline_at) },
    { label: "Chuyển tiếp lúc", cell: (x) => x.handed_on_at ? fmtDateTime(x.handed_on_at) : badge("Đang xử lý", "info") },
  ], hops));
}
