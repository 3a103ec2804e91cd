// Reference data the officer screens share (agencies, procedures, statuses), fetched once
// per page load, and small helpers for dossiers.

import { api } from "../api.js";
import { badge, fmtDateTime, h, timelinessBadge } from "../ui.js";

let agencies = null;
const procedures = new Map(); // code → a promise of the procedure
const resolved = new Map(); // code → the procedure, once known

/** GET /api/v1/agencies (public, the whole tree as a flat list), once. */
export async function loadAgencies() {
  if (!agencies) {
    agencies = await api.get("/api/v1/agencies").catch(() => null);
  }
  return agencies || [];
}
loadAgencies.cached = () => agencies || [];

export function agencyName(id) {
  if (!id) return "—";
  const found = (agencies || []).find((a) => a.id === id);
  return found ? found.name : id;
}

export function agencyLabel(id) {
  if (!id) return "—";
  const name = agencyName(id);
  return name === id ? id : `${name} (${id})`;
}

/** GET /api/v1/procedures/{code} (public) for each code not seen yet. */
export async function procedureNames(codes) {
  await Promise.all([...new Set(codes)].map((code) => procedure(code)));
}

export function procedure(code) {
  if (!procedures.has(code)) {
    procedures.set(code, api.get(`/api/v1/procedures/${encodeURIComponent(code)}`, null, { auth: false })
      .then((p) => { resolved.set(code, p); return p; })
      .catch(() => null));
  }
  return procedures.get(code);
}

export function procedureName(code) {
  return resolved.get(code)?.name || code;
}

// The statuses whose clock runs (the due time matters).
export const CLOCK_RUNNING = new Set([2, 4, 6, 9]);
export const STATUS_NAMES = {
  1: "Mới đăng ký", 2: "Được tiếp nhận", 3: "Không được tiếp nhận", 4: "Đang xử lý",
  5: "Yêu cầu bổ sung giấy tờ", 6: "Yêu cầu thực hiện nghĩa vụ tài chính",
  7: "Công dân yêu cầu rút hồ sơ", 8: "Dừng xử lý", 9: "Đã xử lý xong", 10: "Đã trả kết quả",
};

export function subtreeOptions(me) {
  const root = me?.agency_id;
  return loadAgencies.cached()
    .filter((a) => !root || a.id === root || a.id.startsWith(`${root}.`))
    .map((a) => [a.id, `${a.name} (${a.id})`]);
}

/** The due time with its marking: overdue, due within a working day, or the timeliness. */
export function dueCell(d) {
  if (d.timeliness) return h("span", {}, fmtDateTime(d.due_at), " ", timelinessBadge(d.timeliness));
  if (!d.due_at) return "—";
  if (!CLOCK_RUNNING.has(d.status_code)) return fmtDateTime(d.due_at);
  const left = new Date(d.due_at).getTime() - Date.now();
  let mark = null;
  if (left < 0) mark = badge("Quá hạn", "danger");
  else if (left < 24 * 3600 * 1000) mark = badge("Sắp đến hạn", "warn");
  return h("span", {}, fmtDateTime(d.due_at), mark ? " " : null, mark);
}


/** A form field's label: the schema's title or description, else the readable key. */
export function fieldLabel(key, prop) {
  if (prop?.title || prop?.description) return prop.title || prop.description;
  const text = key.replace(/_/g, " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}
