// The lifecycle actions an officer may take on a dossier (svc-dossier's state table): each
// is offered only from the statuses that allow it and to the roles that may do it, as a
// small form with the fields its endpoint takes (POST /api/v1/dossiers/{code}/<action>).

import { api } from "../api.js";
import { field, fmtVnd, form, h, notice, toast } from "../ui.js";
import { CLOCK_RUNNING, agencyLabel, loadAgencies } from "./officer-data.js";

const ONE_STOP = "one_stop_officer";
const PROCESSING = "processing_officer";
const LEADER = "leader";

const note = () => field({ label: "Ghi chú nội bộ (không gửi công dân)", name: "note", type: "textarea",
  attrs: { maxlength: 2000, rows: 2 } });
const reason = (label, hint) => field({ label, name: "reason", type: "textarea", required: true, hint,
  attrs: { maxlength: 2000 } });
const lines = (text) => String(text || "").split("\n").map((s) => s.trim()).filter(Boolean);
const int = (text) => (text ? Number.parseInt(text, 10) : undefined);

/** Every action: endpoint, title, who, from which statuses, its fields and its body. */
const ACTIONS = [
  { key: "receive", title: "Tiếp nhận hồ sơ", roles: [ONE_STOP], from: [1],
    intro: "Hồ sơ đầy đủ, hợp lệ: tiếp nhận và hẹn ngày trả kết quả (Mẫu 01).",
    fields: () => [note()], body: (v) => ({ note: v.note }), done: "Đã tiếp nhận hồ sơ." },
  { key: "refuse", title: "Từ chối tiếp nhận", roles: [ONE_STOP], from: [1, 2], danger: true,
    intro: "Hồ sơ không thuộc thẩm quyền hoặc không đủ điều kiện: lập Phiếu từ chối (Mẫu 03).",
    fields: () => [reason("Lý do từ chối", "Nội dung này được gửi cho công dân."), note()],
    body: (v) => ({ reason: v.reason, note: v.note }), done: "Đã từ chối tiếp nhận hồ sơ." },
  { key: "request-supplement", title: "Yêu cầu bổ sung hồ sơ", roles: [ONE_STOP, PROCESSING], from: [2, 4],
    when: ({ history }) => !history.entries.some((e) => e.action === "request_supplement"),
    intro: "Chỉ yêu cầu bổ sung một lần; thời hạn giải quyết tạm dừng đến khi công dân bổ sung (Mẫu 02).",
    fields: () => [reason("Lý do yêu cầu bổ sung"),
      field({ label: "Giấy tờ cần bổ sung (mỗi dòng một giấy tờ)", name: "missing", type: "textarea", required: true }),
      note()],
    body: (v) => ({ reason: v.reason, missing: lines(v.missing), note: v.note }),
    done: "Đã gửi yêu cầu bổ sung hồ sơ." },
  { key: "supplement", title: "Ghi nhận bổ sung tại quầy", roles: [ONE_STOP], from: [5],
    intro: "Công dân nộp giấy tờ bổ sung trực tiếp: hồ sơ trở lại trạng thái trước khi yêu cầu bổ sung.",
    fields: () => [field({ label: "Giấy tờ đã nhận (mỗi dòng một giấy tờ)", name: "documents", type: "textarea" }), note()],
    body: (v) => ({ documents: lines(v.documents), note: v.note }), done: "Đã ghi nhận hồ sơ bổ sung." },
  { key: "hand-over", title: "Chuyển xử lý", roles: [PROCESSING], from: [2, 4],
    intro: "Chuyển hồ sơ đến đơn vị giải quyết; mỗi bước có hạn xử lý riêng (Mẫu 05).",
    fields: handOverFields,
    body: (v) => ({ to_agency_id: v.to_agency_id, deadline_days: int(v.deadline_days), note: v.note }),
    done: "Đã chuyển xử lý hồ sơ." },
  { key: "request-payment", title: "Yêu cầu thực hiện nghĩa vụ tài chính", roles: [ONE_STOP, PROCESSING], from: [4],
    intro: "Thông báo công dân nộp phí, lệ phí; để trống số tiền để dùng mức phí của thủ tục.",
    fields: ({ proc }) => [field({ label: "Số tiền (đồng)", name: "amount", type: "number",
      value: proc?.total_fee || "", hint: proc?.total_fee ? `Mức phí của thủ tục: ${fmtVnd(proc.total_fee)}` : null,
      attrs: { min: 1, step: 1 } }), note()],
    body: (v) => ({ amount: int(v.amount), note: v.note }), done: "Đã gửi yêu cầu thanh toán." },
  { key: "payment-received", title: "Ghi nhận đã thanh toán tại quầy", roles: [ONE_STOP], from: [6],
    intro: "Công dân đã nộp phí, lệ phí trực tiếp: hồ sơ trở lại đang xử lý.",
    fields: ({ proc }) => [field({ label: "Số tiền đã nộp (đồng)", name: "amount", type: "number",
      value: proc?.total_fee || "", attrs: { min: 1, step: 1 } }),
      field({ label: "Số biên lai", name: "reference", attrs: { maxlength: 64 } }), note()],
    body: (v) => ({ amount: int(v.amount), reference: v.reference, note: v.note }),
    done: "Đã ghi nhận thanh toán." },
  { key: "decide", title: "Phê duyệt kết quả", roles: [LEADER], from: [4],
    intro: "Lãnh đạo quyết định kết quả giải quyết hồ sơ; cần nội dung kết quả hoặc tệp kết quả điện tử.",
    fields: decideFields,
    body: (v) => ({ outcome: v.outcome, result_note: v.result_note, result_file: v.result_file, note: v.note }),
    done: "Đã phê duyệt kết quả giải quyết." },
  { key: "return-result", title: "Trả kết quả", roles: [ONE_STOP], from: [9],
    intro: "Trao kết quả cho công dân; hệ thống ghi nhận thời điểm hoàn thành và đánh giá đúng hạn.",
    fields: () => [note()], body: (v) => ({ note: v.note }), done: "Đã trả kết quả cho công dân." },
  { key: "apologise", title: "Xin lỗi và hẹn lại ngày trả kết quả", roles: [LEADER], from: [...CLOCK_RUNNING],
    when: ({ d }) => d.due_at && new Date(d.due_at).getTime() < Date.now(),
    intro: "Hồ sơ đã quá hạn: lập Phiếu xin lỗi và hẹn lại ngày trả kết quả (Mẫu 04).",
    fields: () => [field({ label: "Ngày giờ hẹn trả mới (giờ Việt Nam)", name: "new_due_at", type: "datetime-local", required: true }),
      reason("Lý do quá hạn"), note()],
    body: (v) => ({ new_due_at: `${v.new_due_at}:00+07:00`, reason: v.reason, note: v.note }),
    done: "Đã lập phiếu xin lỗi và hẹn lại ngày trả kết quả." },
  { key: "stop", title: "Dừng xử lý", roles: [PROCESSING], from: [2, 4, 5, 6], danger: true,
    intro: "Dừng giải quyết hồ sơ (ví dụ: công dân không bổ sung đúng hạn).",
    fields: () => [reason("Lý do dừng xử lý", "Nội dung này được gửi cho công dân."), note()],
    body: (v) => ({ reason: v.reason, note: v.note }), done: "Đã dừng xử lý hồ sơ." },
];

function holder(history, d) {
  const open = history.hops.filter((x) => !x.handed_on_at).pop();
  return open ? open.to_agency_id : d.agency_id;
}

const covers = (mine, id) => Boolean(mine && id && (id === mine || id.startsWith(`${mine}.`)));

/** The desk that received the dossier for another agency (the service centre): it receives,
 * refuses, asks for and takes in supplements, takes payments at the counter, passes the
 * dossier on once (from "received") and returns the result; the department does the rest. */
const RECEPTION = new Set(["receive", "refuse", "request-supplement", "supplement",
  "payment-received", "return-result", "scan"]);

function atReceptionOnly({ ctx, d, history }) {
  const mine = ctx.me?.agency_id;
  const open = history.hops.filter((x) => !x.handed_on_at).pop();
  return (ctx.me?.roles || []).includes(ONE_STOP) && covers(mine, d.reception_agency_id)
    && !covers(mine, d.agency_id) && !(open && covers(mine, open.to_agency_id));
}

function handOverFields(args) {
  const { d, history, proc } = args;
  // Passed on by the reception desk, the dossier leaves the desk for the responsible agency.
  const current = atReceptionOnly(args) && !history.hops.length ? d.reception_agency_id : holder(history, d);
  const targets = loadAgencies.cached().filter((a) =>
    (a.id === d.agency_id || a.id.startsWith(`${d.agency_id}.`)) && a.id !== current);
  return [
    notice(`Hồ sơ đang ở: ${agencyLabel(current)}.`, "info"),
    field({ label: "Chuyển đến đơn vị", name: "to_agency_id", type: "select", required: true,
      options: [["", "— Chọn đơn vị —"], ...targets.map((a) => [a.id, `${a.name} (${a.id})`])],
      hint: targets.length ? null : "Cơ quan chưa có đơn vị trực thuộc để chuyển xử lý." }),
    field({ label: "Hạn xử lý của bước (ngày làm việc)", name: "deadline_days", type: "number", required: true,
      value: Math.max(1, Math.min(365, Math.ceil((proc?.duration || 6) / 2))), attrs: { min: 1, max: 365 } }),
    note(),
  ];
}

function decideFields({ attachments }) {
  const results = attachments.filter((a) => a.kind === "result");
  const signed = results.filter((a) => a.source === "signed").at(-1);
  return [
    field({ label: "Quyết định", name: "outcome", type: "select", required: true, value: "approved",
      options: [["approved", "Phê duyệt (giải quyết hồ sơ)"], ["rejected", "Không phê duyệt"]] }),
    field({ label: "Nội dung kết quả (gửi công dân)", name: "result_note", type: "textarea", attrs: { maxlength: 2000 } }),
    field({ label: "Tệp kết quả điện tử", name: "result_file", type: "select",
      value: signed ? String(signed.id) : "",
      options: [["", results.length ? "— Không kèm tệp —" : "Chưa có tệp kết quả đã tải lên"],
        ...results.map((a) => [String(a.id), a.source === "signed" ? `${a.filename} (đã ký số)` : a.filename])] }),
    note(),
  ];
}

/** Uploads: scans at the counter (one-stop, 1·2·5) and the result file (processing, leader, 4). */
const UPLOADS = [
  { key: "scan", title: "Số hóa thành phần hồ sơ", roles: [ONE_STOP], from: [1, 2, 5],
    intro: "Tải lên bản quét giấy tờ công dân nộp tại quầy (PDF, JPEG, PNG).",
    params: (v) => ({ component: v.component, digitised: true }),
    fields: ({ proc }) => [field({ label: "Thành phần hồ sơ", name: "component", type: "select", required: true,
      options: (proc?.components || []).map((c) => [c.code, c.name]) })] },
  { key: "result-upload", title: "Tải lên tệp kết quả", roles: [PROCESSING, LEADER], from: [4],
    intro: "Tệp kết quả điện tử (PDF) để lãnh đạo phê duyệt và trả cho công dân.",
    params: () => ({ kind: "result" }), fields: () => [] },
];

/** Ký số kết quả: the leader signs a result PDF with their own certificate (svc-dossier asks
 * svc-identity); the signed copy becomes a new result file, chosen by default when deciding. */
const unsignedResults = (attachments) => attachments.filter((a) => a.kind === "result"
  && a.source !== "signed" && a.media_type === "application/pdf");
const SIGN_RESULT = { key: "sign-result", title: "Ký số tệp kết quả", roles: [LEADER], from: [4],
  intro: "Ký số tệp kết quả (PDF) bằng chứng thư số cá nhân của lãnh đạo. Bản đã ký được lưu thành tệp kết quả mới để chọn khi phê duyệt.",
  when: ({ attachments }) => unsignedResults(attachments).length > 0 };

function offered(list, args) {
  const roles = args.ctx.me?.roles || [];
  const desk = atReceptionOnly(args);
  return list.filter((a) => a.from.includes(args.d.status_code) && (!a.when || a.when(args))
    && (desk ? RECEPTION.has(a.key) || (a.key === "hand-over" && args.d.status_code === 2)
      : a.roles.some((r) => roles.includes(r))));
}

export function actionsFor(args) {
  const { d, ctx } = args;
  const path = `/api/v1/dossiers/${encodeURIComponent(d.code)}`;
  const actions = offered(ACTIONS, args);
  const uploads = offered(UPLOADS, args);
  const signing = offered([SIGN_RESULT], args);
  if (!actions.length && !uploads.length && !signing.length) {
    return h("p", { class: "empty" }, "Không có thao tác nào dành cho bạn ở trạng thái hiện tại của hồ sơ.");
  }
  const after = (message) => { toast(message); ctx.refresh(); };
  return h("div", { class: "action-list" },
    signing.map((a) => panel(a, form({
      fields: [field({ label: "Tệp kết quả cần ký", name: "attachment", type: "select", required: true,
        options: unsignedResults(args.attachments).map((r) => [String(r.id), r.filename]) })],
      submit: "Ký số",
      onsubmit: async (values) => {
        const signed = await api.post(`${path}/attachments/${values.attachment}/signature`).catch(explain);
        after(`Đã ký số: ${signed.filename}.`);
      },
    }))),
    actions.map((a) => panel(a, form({ fields: a.fields(args), submit: a.title, onsubmit: async (values) => {
      await api.post(`${path}/${a.key}`, a.body(values)).catch(explain);
      after(a.done);
    } }))),
    uploads.map((u) => panel(u, form({
      fields: [...u.fields(args), field({ label: "Tệp (PDF, JPEG, PNG)", name: "file", type: "file", required: true,
        attrs: { accept: "application/pdf,image/jpeg,image/png" } })],
      submit: u.title,
      onsubmit: async (values, el) => {
        const file = el.querySelector("input[type=file]").files[0];
        await api.raw("POST", `${path}/attachments`, { params: { ...u.params(values), filename: file.name },
          body: file, headers: { "Content-Type": file.type || "application/octet-stream" } }).catch(explain);
        after(`Đã tải lên ${file.name}.`);
      },
    }))));
}

/** The server's refusal, titled in Vietnamese when its title is not: 409 (the status moved
 * on: reload), 403 (the role), 422 (the fields). */
const TITLES = { 409: "Trạng thái hồ sơ đã thay đổi", 403: "Không có quyền thực hiện",
  404: "Không tìm thấy hồ sơ", 422: "Thông tin chưa hợp lệ" };

function explain(err) {
  const p = err?.problem;
  if (p && TITLES[err.status] && /^[\x20-\x7e]*$/.test(p.title || "")) p.title = TITLES[err.status];
  if (p && err.status === 409) {
    p.detail = `${p.detail || ""} Tải lại trang để xem trạng thái mới nhất của hồ sơ.`.trim();
  }
  throw err;
}

function panel(a, body) {
  return h("details", { class: `action${a.danger ? " danger" : ""}`, "data-action": a.key },
    h("summary", {}, a.title), h("p", { class: "hint" }, a.intro), body);
}

/** What the signed-in officer is expected to do next, in one sentence. */
export function nextStep(d, me) {
  const roles = me?.roles || [];
  const has = (r) => roles.includes(r);
  switch (d.status_code) {
    case 1: return has(ONE_STOP) ? "Hồ sơ mới nộp trực tuyến: kiểm tra và tiếp nhận hoặc từ chối." : "Hồ sơ đang chờ bộ phận một cửa tiếp nhận.";
    case 2: return has(PROCESSING) ? "Hồ sơ đã được tiếp nhận: chuyển đến đơn vị giải quyết." : "Hồ sơ đã được tiếp nhận, chờ chuyển xử lý.";
    case 4: return has(LEADER) ? "Hồ sơ chờ lãnh đạo phê duyệt kết quả." : "Hồ sơ đang được giải quyết.";
    case 5: return "Hồ sơ đang chờ công dân bổ sung; thời hạn giải quyết tạm dừng.";
    case 6: return "Hồ sơ chờ công dân thực hiện nghĩa vụ tài chính.";
    case 9: return has(ONE_STOP) ? "Đã có kết quả: trả kết quả cho công dân." : "Đã có kết quả, chờ bộ phận một cửa trả kết quả.";
    default: return null;
  }
}
