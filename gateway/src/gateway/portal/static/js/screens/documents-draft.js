// Soạn văn bản đi: the draft's form, to create one (POST /api/v1/documents) or to change it
// while it is a draft (PATCH /api/v1/documents/{id}).

import { api } from "../api.js";
import * as auth from "../auth.js";
import { field, form, h, notice, pageHeader, section, todayVn, toast } from "../ui.js";
import { agencies, DOC_TYPES, docTabs, SECRECY, URGENCY } from "./documents-common.js";

/** #/van-ban/di/soan */
export async function compose({ navigate }) {
  return draftScreen("Soạn văn bản đi", null, navigate);
}

/** #/van-ban/di/:id/sua */
export async function editDraft({ params, navigate }) {
  const doc = await api.get(`/api/v1/documents/${encodeURIComponent(params.id)}`);
  if (doc.status !== "draft") {
    return h("div", {}, pageHeader("Sửa dự thảo"), docTabs("di"),
      notice("Chỉ sửa được văn bản ở trạng thái dự thảo.", "warn"),
      h("a", { href: `#/van-ban/di/${doc.id}` }, "Về văn bản"));
  }
  return draftScreen("Sửa dự thảo", doc, navigate);
}

async function draftScreen(title, doc, navigate) {
  const me = auth.currentUser();
  const list = (await agencies().catch(() => [])).filter((a) => a.id !== me.agency_id);
  const chosen = new Set((doc?.recipients || []).filter((r) => !r.external).map((r) => r.agency_id));
  const external = (doc?.recipients || []).filter((r) => r.external)
    .map((r) => `${r.organ_id} | ${r.name}`).join("\n");
  const signer = doc?.signer || (auth.hasRole("leader") ? { account_id: me.id, name: me.full_name } : {});
  // The leaders of the drafter's agency (GET /api/v1/officials/colleagues): the signer is
  // chosen, not typed; name and position follow the choice and stay editable.
  const leaders = await api.get("/api/v1/officials/colleagues", { role: "leader" }).catch(() => []);
  const byId = new Map(leaders.map((l) => [l.id, l]));
  if (signer.account_id && !byId.has(signer.account_id)) {
    byId.set(signer.account_id, { id: signer.account_id, full_name: signer.name, position: signer.position });
  }
  const signerChoice = field({ label: "Lãnh đạo ký", name: "signer_account_id", type: "select",
    value: signer.account_id || "", hint: "Bắt buộc khi trình duyệt.",
    options: [["", "— Chọn lãnh đạo ký —"], ...[...byId.values()].map((l) =>
      [l.id, l.position ? `${l.full_name} — ${l.position}` : l.full_name])] });
  signerChoice.querySelector("select").addEventListener("change", (event) => {
    const chosen = byId.get(event.target.value);
    const scope = event.target.form;
    scope.elements.signer_name.value = chosen?.full_name || "";
    scope.elements.signer_position.value = (chosen?.position || "").toUpperCase();
  });

  const fields = [
    field({ label: "Loại văn bản", name: "doc_type", type: "select", required: true, value: doc?.doc_type || "CV",
      options: DOC_TYPES }),
    field({ label: "Ký hiệu đơn vị soạn thảo", name: "unit_notation", value: doc?.unit_notation,
      hint: "Với công văn: phần sau dấu gạch ngang, ví dụ VP trong STP-VP.", attrs: { pattern: "[0-9A-Za-zĐđ]{1,30}" } }),
    field({ label: "Độ khẩn", name: "urgency", type: "select", value: doc?.urgency || "normal", options: URGENCY }),
    field({ label: "Độ mật", name: "secrecy", type: "select", value: doc?.secrecy || "normal", options: SECRECY,
      hint: "Văn bản mật không được gửi qua trục liên thông." }),
    field({ label: "Hạn trả lời", name: "due_date", type: "date", value: doc?.due_date, attrs: { min: todayVn() } }),
    h("div", { class: "full" }, field({ label: "Trích yếu", name: "subject", type: "textarea", required: true,
      value: doc?.subject, hint: "Ví dụ: V/v phối hợp thẩm định hồ sơ", attrs: { maxlength: 500, rows: 2 } })),
    h("div", { class: "full" }, field({ label: "Tóm tắt nội dung", name: "summary", type: "textarea",
      value: doc?.summary, attrs: { maxlength: 2000, rows: 2 } })),
    h("div", { class: "full" }, field({ label: "Nội dung văn bản", name: "body", type: "textarea", value: doc?.body,
      hint: "In trên dự thảo PDF khi tạo PDF từ nội dung.", attrs: { maxlength: 100000, rows: 8 } })),
    h("fieldset", { class: "full doc-fieldset" }, h("legend", {}, "Người ký"),
      h("div", { class: "form wide" },
        signerChoice,
        field({ label: "Họ và tên người ký", name: "signer_name", value: signer.name, attrs: { maxlength: 200 } }),
        field({ label: "Chức vụ", name: "signer_position", value: signer.position, hint: "Ví dụ: GIÁM ĐỐC",
          attrs: { maxlength: 200 } }),
        field({ label: "Thẩm quyền ký", name: "signer_competence", value: signer.competence,
          hint: "Ví dụ: KT. GIÁM ĐỐC (để trống nếu ký trực tiếp)", attrs: { maxlength: 100 } }))),
    h("fieldset", { class: "full doc-fieldset" }, h("legend", {}, "Nơi nhận trên nền tảng"),
      list.length ? h("div", { class: "doc-checks" }, list.map((a) => field({ label: `${a.name} (${a.id})`,
        name: `to:${a.id}`, type: "checkbox", value: chosen.has(a.id) })))
        : h("p", { class: "hint" }, "Không tải được danh mục cơ quan.")),
    h("div", { class: "full" }, field({ label: "Nơi nhận ngoài nền tảng (qua trục liên thông quốc gia)",
      name: "external", type: "textarea", value: external,
      hint: "Mỗi dòng một cơ quan: mã định danh | tên cơ quan. Ví dụ: 000.00.00.G22 | Văn phòng Chính phủ",
      attrs: { rows: 2 } })),
  ];

  const onsubmit = async (values) => {
    const body = draftBody(values);
    if (doc) {
      await api.patch(`/api/v1/documents/${doc.id}`, body);
      toast("Đã lưu dự thảo.");
      navigate(`#/van-ban/di/${doc.id}`);
    } else {
      const created = await api.post("/api/v1/documents", body);
      toast("Đã tạo dự thảo văn bản.");
      navigate(`#/van-ban/di/${created.id}`);
    }
  };
  const back = h("a", { class: "btn ghost", href: doc ? `#/van-ban/di/${doc.id}` : "#/van-ban/di" }, "Hủy");
  return h("div", {}, pageHeader(title), docTabs("di"),
    section("Nội dung dự thảo",
      h("p", { class: "hint" }, "Dự thảo được lưu ở trạng thái «Dự thảo». Sau khi tạo, hãy tạo hoặc tải lên tệp PDF rồi trình lãnh đạo duyệt."),
      form({ cls: "wide", fields, submit: doc ? "Lưu dự thảo" : "Tạo dự thảo", secondary: back, onsubmit })));
}

/** The form's values as a DraftCreate / DraftChange body. */
function draftBody(values) {
  const recipients = Object.entries(values).filter(([k, v]) => k.startsWith("to:") && v === true)
    .map(([k]) => ({ agency_id: k.slice(3) }));
  for (const line of (values.external || "").split("\n")) {
    const [organ, ...rest] = line.split("|").map((s) => s.trim());
    if (organ) recipients.push({ organ_id: organ, name: rest.join(" | ") || organ });
  }
  const body = {
    doc_type: values.doc_type, subject: values.subject, summary: values.summary || null,
    body: values.body || null, urgency: values.urgency, secrecy: values.secrecy,
    due_date: values.due_date || null, unit_notation: values.unit_notation || null, recipients,
  };
  if (values.signer_account_id) {
    body.signer = { account_id: values.signer_account_id, name: values.signer_name || "",
      position: values.signer_position || "", competence: values.signer_competence || null };
  }
  return body;
}
