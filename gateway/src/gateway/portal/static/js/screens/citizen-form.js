// A procedure's application form (tờ khai) from its JSON Schema (`form_schema`): one labelled
// input per property, and the typed `form_data` object back from the filled form.

import { field, h } from "../ui.js";

// Labels of enumerated values the schemas leave bare (JSON Schema has no place for them
// in a plain `enum`).
const ENUM_LABELS = { loai_phieu: { 1: "Phiếu lý lịch tư pháp số 1", 2: "Phiếu lý lịch tư pháp số 2" } };
const FREE_TEXT = "muc_dich";

/** The properties of a form schema, in order, with their required flag. */
export function schemaFields(schema) {
  const properties = schema && schema.properties;
  if (!properties) return [];
  const required = new Set(schema.required || []);
  return Object.entries(properties).map(([name, s]) => ({ name, schema: s || {}, required: required.has(name) }));
}

export function fieldLabel(name, s = {}) {
  return s.title || s.description || name.replace(/_/g, " ");
}

/** The inputs of the form, or one free-text purpose field when the procedure has no schema. */
export function formInputs(schema) {
  const list = schemaFields(schema);
  if (!list.length) {
    return [field({ label: "Mục đích, nội dung yêu cầu", name: `fd.${FREE_TEXT}`, type: "textarea",
      required: true, attrs: { maxlength: 2000, class: "full" } })];
  }
  return list.map(({ name, schema: s, required }) => input(name, s, required));
}

function input(name, s, required) {
  const label = fieldLabel(name, s);
  const hint = s.description && s.description !== label ? s.description : null;
  const key = `fd.${name}`;
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== "null") : s.type;
  if (Array.isArray(s.enum)) {
    const names = ENUM_LABELS[name] || {};
    return field({ label, name: key, type: "select", required, value: s.default, hint,
      options: [...(required && s.default != null ? [] : [["", "— Chọn —"]]),
        ...s.enum.map((v) => [String(v), names[v] || String(v)])] });
  }
  if (type === "boolean") return field({ label, name: key, type: "checkbox", value: s.default, hint });
  if (type === "integer" || type === "number") {
    return field({ label, name: key, type: "number", required, value: s.default, hint: hint || (s.description === "Đồng" ? "Đơn vị: đồng" : null),
      attrs: { min: s.minimum, max: s.maximum, step: type === "integer" ? 1 : "any", inputmode: "numeric" } });
  }
  if (type === "array") {
    return field({ label, name: key, type: "textarea", required,
      hint: `Mỗi dòng một giá trị${s.items?.description ? ` (${s.items.description})` : ""}.`,
      attrs: { "data-kind": "lines" } });
  }
  const attrs = { maxlength: s.maxLength, minlength: s.minLength, pattern: s.pattern?.replace(/^\^|\$$/g, "") };
  if (s.format === "date") return field({ label, name: key, type: "date", required, hint });
  if (s.format === "email") return field({ label, name: key, type: "email", required, hint, attrs });
  if (s.maxLength && s.maxLength > 255) return field({ label, name: key, type: "textarea", required, hint, attrs });
  return field({ label, name: key, required, hint, attrs });
}

/** `form_data` from the form's `fd.*` inputs, typed as the schema says. */
export function formData(form, schema) {
  const props = (schema && schema.properties) || {};
  const out = {};
  for (const el of form.elements) {
    if (!el.name || !el.name.startsWith("fd.")) continue;
    const name = el.name.slice(3);
    const s = props[name] || {};
    const type = Array.isArray(s.type) ? s.type.find((t) => t !== "null") : s.type;
    if (el.type === "checkbox") {
      out[name] = el.checked;
      continue;
    }
    const value = el.value.trim();
    if (value === "") continue;
    if (el.dataset.kind === "lines") out[name] = value.split(/\n+/).map((x) => x.trim()).filter(Boolean);
    else if (type === "integer") out[name] = parseInt(value, 10);
    else if (type === "number") out[name] = Number(value);
    else out[name] = value;
  }
  return out;
}

/** The filled form as label → value pairs, for the dossier's detail. */
export function formSummary(data) {
  return Object.entries(data || {}).map(([name, value]) => [fieldLabel(name),
    typeof value === "boolean" ? (value ? "Có" : "Không")
      : Array.isArray(value) ? value.join(", ")
        : ENUM_LABELS[name]?.[value] || String(value)]);
}

export function formHeading() {
  return h("h3", {}, "Tờ khai");
}
