// What the citizen screens share: Vietnamese labels of the catalogue's values, the agency and
// procedure look-ups (cached for the page's life), and API problems worded in Vietnamese.

import { api } from "../api.js";
import { h } from "../ui.js";

export const LEVELS = {
  full: "Toàn trình",
  partial: "Một phần",
  info: "Cung cấp thông tin",
};

export const UNITS = { working_days: "ngày làm việc", calendar_days: "ngày" };

export const STATUS_NAMES = {
  1: "Mới đăng ký", 2: "Được tiếp nhận", 3: "Không được tiếp nhận", 4: "Đang xử lý",
  5: "Yêu cầu bổ sung giấy tờ", 6: "Yêu cầu thực hiện nghĩa vụ tài chính",
  7: "Công dân yêu cầu rút hồ sơ", 8: "Dừng xử lý", 9: "Đã xử lý xong", 10: "Đã trả kết quả",
};

export function levelText(level) {
  return LEVELS[level] || level || "—";
}

export function durationText(duration, unit) {
  return duration ? `${duration} ${UNITS[unit] || UNITS.working_days}` : "—";
}

/** A procedure's duration, with the online one where it differs. */
export function procedureDuration(p) {
  const base = durationText(p.duration, p.duration_unit);
  return p.online_duration && p.online_duration !== p.duration
    ? `${base} (nộp trực tuyến: ${durationText(p.online_duration, p.duration_unit)})` : base;
}

let agencies = null;

/** The agency tree as a flat list (public), kept for the page's life. */
export async function agencyList() {
  agencies ||= api.get("/api/v1/agencies", null, { auth: false }).catch((err) => {
    agencies = null;
    throw err;
  });
  return agencies;
}

export async function agencyNames() {
  const list = await agencyList();
  return Object.fromEntries(list.map((a) => [a.id, a.name]));
}

let procedures = null;

/** The whole active catalogue (it is small: one province), for names in lists. */
export async function procedureNames() {
  procedures ||= api.get("/api/v1/procedures", { limit: 200 }, { auth: false })
    .then((list) => Object.fromEntries(list.map((p) => [p.code, p.name])))
    .catch((err) => {
      procedures = null;
      throw err;
    });
  return procedures;
}

const TITLES = {
  400: "Yêu cầu không hợp lệ", 401: "Chưa đăng nhập", 403: "Không có quyền thực hiện",
  404: "Không tìm thấy", 409: "Không thực hiện được", 413: "Tệp quá lớn",
  415: "Loại tệp không được chấp nhận", 422: "Thông tin chưa hợp lệ", 429: "Thao tác quá nhanh",
};

const FIELD_WORDS = {
  missing: "chưa được nhập", string_too_short: "chưa được nhập",
  string_too_long: "quá dài", literal_error: "không đúng giá trị cho phép",
  value_error: "không hợp lệ", string_pattern_mismatch: "không đúng định dạng",
};

/** The same error, with a Vietnamese title (the services' titles are English) and field
 * errors in words a citizen understands; `labels` names the fields. */
export function vnError(err, labels = {}) {
  const p = err && err.problem;
  if (!p) return err;
  const errors = (Array.isArray(p.errors) ? p.errors : []).map((e) => {
    const name = (e.loc || []).filter((x) => x !== "body").join(".");
    const label = labels[name] || labels[(e.loc || []).at(-1)] || name;
    return { msg: `${label}: ${FIELD_WORDS[e.type] || "không hợp lệ"}` };
  });
  const english = /^[\x20-\x7e]*$/.test(p.detail || "");
  const out = new Error(p.detail || p.title);
  out.status = err.status;
  out.problem = {
    ...p, errors,
    title: TITLES[err.status] || (err.status >= 500 ? "Hệ thống đang bận" : "Không thực hiện được"),
    detail: english && errors.length ? "Vui lòng kiểm tra các thông tin dưới đây." : p.detail,
  };
  return out;
}

export function bytesText(size) {
  if (size == null) return "—";
  if (size < 1024) return `${size} B`;
  if (size < 1024 * 1024) return `${Math.round(size / 1024)} KB`;
  return `${(size / 1024 / 1024).toFixed(1).replace(".", ",")} MB`;
}

const TYPE_NAMES = { "application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG" };

export function typesText(types) {
  return (types || []).map((t) => TYPE_NAMES[t] || t).join(", ");
}

/** A link that looks like a button. */
export function linkButton(href, text, cls = "btn primary") {
  return h("a", { href, class: cls }, text);
}
