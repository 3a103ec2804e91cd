// Tiếp nhận hồ sơ tại quầy: a one-stop-shop officer records a paper dossier for an applicant
// (POST /api/v1/dossiers with channel "counter"); it is received on the spot (status 2).

import { api, idempotencyKey } from "../api.js";
import { field, fmtVnd, form, h, notice, pageHeader, section, toast } from "../ui.js";
import { agencyLabel, fieldLabel, loadAgencies, subtreeOptions } from "./officer-data.js";

export async function counterScreen(ctx) {
  const [procedures] = await Promise.all([
    api.get("/api/v1/procedures", { limit: 200 }, { auth: false }), loadAgencies(),
  ]);
  procedures.sort((a, b) => a.name.localeCompare(b.name, "vi"));
  const chosen = procedures.find((p) => p.code === ctx.query.thu_tuc) || null;
  const picker = h("form", { class: "filters", onsubmit: (e) => {
    e.preventDefault();
    const code = new FormData(e.target).get("thu_tuc");
    ctx.navigate(`#/xu-ly/tiep-nhan?thu_tuc=${encodeURIComponent(code)}`);
  } },
  field({ label: "Thủ tục hành chính", name: "thu_tuc", type: "select", required: true, value: chosen?.code,
    options: [["", "— Chọn thủ tục —"], ...procedures.map((p) => [p.code, `${p.name} (${p.code})`])] }),
  h("button", { type: "submit", class: "btn" }, "Chọn thủ tục"));
  return h("div", { class: "officer" },
    h("p", { class: "crumbs" }, h("a", { href: "#/xu-ly" }, "← Danh sách hồ sơ")),
    pageHeader("Tiếp nhận hồ sơ tại quầy"),
    h("p", { class: "hint" }, "Hồ sơ nộp trực tiếp được tiếp nhận ngay (trạng thái “Được tiếp nhận”) và in Giấy tiếp nhận, hẹn trả kết quả (Mẫu 01)."),
    section("1. Thủ tục", picker, chosen ? procedureSummary(chosen) : null),
    chosen ? section("2. Thông tin hồ sơ", submissionForm(ctx, chosen))
      : notice("Chọn thủ tục để nhập thông tin hồ sơ.", "info"));
}

function procedureSummary(p) {
  const desk = p.reception_agency_id ? ` · Nơi tiếp nhận: ${agencyLabel(p.reception_agency_id)}` : "";
  return h("p", { class: "hint" }, `Cơ quan giải quyết: ${agencyLabel(p.agency_id)}${desk} · Thời hạn: ${p.duration} ngày làm việc · Phí, lệ phí: ${p.total_fee ? fmtVnd(p.total_fee) : "không thu"}.`);
}

/** One input per property of the procedure's form schema (JSON Schema). */
function schemaFields(schema) {
  const props = schema?.properties || {};
  const required = new Set(schema?.required || []);
  return Object.entries(props).map(([key, prop]) => {
    const label = fieldLabel(key, prop);
    const name = `fd:${key}`;
    const req = required.has(key);
    if (prop.type === "boolean") return field({ label, name, type: "checkbox", value: prop.default });
    if (Array.isArray(prop.enum)) {
      return field({ label, name, type: "select", required: req, value: prop.default,
        options: [...(req ? [] : [["", "—"]]), ...prop.enum.map((v) => [String(v), String(v)])] });
    }
    if (prop.type === "integer" || prop.type === "number") {
      return field({ label, name, type: "number", required: req, value: prop.default,
        attrs: { min: prop.minimum, max: prop.maximum, step: prop.type === "integer" ? 1 : "any" } });
    }
    return field({ label, name, type: (prop.maxLength || 0) > 255 ? "textarea" : "text", required: req,
      value: prop.default, attrs: { maxlength: prop.maxLength, minlength: prop.minLength } });
  });
}

function formDataOf(values, schema) {
  const props = schema?.properties || {};
  const out = {};
  for (const [key, prop] of Object.entries(props)) {
    const raw = values[`fd:${key}`];
    if (raw === undefined || raw === "") continue;
    if (prop.type === "integer") out[key] = Number.parseInt(raw, 10);
    else if (prop.type === "number") out[key] = Number(raw);
    else if (prop.type === "boolean") out[key] = Boolean(raw);
    else out[key] = raw;
  }
  return out;
}

function submissionForm(ctx, p) {
  const key = idempotencyKey(); // one submission attempt: a retry does not file it twice
  // At the procedure's reception desk (the service centre), the dossier is filed for the
  // responsible agency; at an agency's own desk, for an agency of its subtree.
  const mine = ctx.me?.agency_id;
  const within = (id) => Boolean(mine && id && (id === mine || id.startsWith(`${mine}.`)));
  const desk = within(p.reception_agency_id) && !within(p.agency_id);
  const agencies = desk ? [[p.agency_id, agencyLabel(p.agency_id)]] : subtreeOptions(ctx.me);
  const fields = [
    field({ label: "Cơ quan giải quyết", name: "agency_id", type: "select", required: true,
      value: desk ? p.agency_id : mine, options: agencies }),
    h("fieldset", { class: "full" }, h("legend", {}, "Người nộp hồ sơ (chủ hồ sơ)"),
      h("div", { class: "form wide" },
        field({ label: "Số định danh cá nhân (CCCD)", name: "id_number", required: true,
          attrs: { pattern: "[0-9]{12}", inputmode: "numeric", maxlength: 12, autocomplete: "off" },
          hint: "12 chữ số" }),
        field({ label: "Họ và tên", name: "full_name", required: true, attrs: { maxlength: 200 } }),
        field({ label: "Số điện thoại di động", name: "phone", type: "tel", attrs: { maxlength: 20 } }),
        field({ label: "Thư điện tử", name: "email", type: "email", attrs: { maxlength: 254 } }))),
    h("details", { class: "full" }, h("summary", {}, "Người được ủy quyền nộp thay (nếu có)"),
      h("div", { class: "form wide" },
        field({ label: "Số định danh người được ủy quyền", name: "rep_id_number",
          attrs: { pattern: "[0-9]{12}", inputmode: "numeric", maxlength: 12 } }),
        field({ label: "Họ và tên người được ủy quyền", name: "rep_full_name", attrs: { maxlength: 200 } }),
        field({ label: "Quan hệ với người nộp", name: "rep_relationship", attrs: { maxlength: 100 } }),
        field({ label: "Giấy ủy quyền (số, ngày) hoặc căn cứ", name: "rep_authorisation", attrs: { maxlength: 500 } }))),
    h("fieldset", { class: "full" }, h("legend", {}, "Tờ khai"),
      h("div", { class: "form wide" }, schemaFields(p.form_schema))),
  ];
  return form({ cls: "wide", fields, submit: "Tiếp nhận hồ sơ", onsubmit: async (v) => {
    const body = {
      procedure_code: p.code, channel: "counter", agency_id: v.agency_id,
      applicant: { id_number: v.id_number, full_name: v.full_name, phone: v.phone, email: v.email },
      form_data: formDataOf(v, p.form_schema),
    };
    if (v.rep_full_name || v.rep_id_number) {
      body.representative = { id_number: v.rep_id_number, full_name: v.rep_full_name,
        relationship: v.rep_relationship, authorisation: v.rep_authorisation };
    }
    const d = await api.post("/api/v1/dossiers", body, { headers: { "Idempotency-Key": key } });
    toast(`Đã tiếp nhận hồ sơ ${d.code}.`);
    ctx.navigate(`#/xu-ly/${encodeURIComponent(d.code)}`);
  } });
}
