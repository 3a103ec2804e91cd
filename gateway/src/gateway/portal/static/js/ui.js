// DOM building and formatting shared by every screen. Text always goes in as text nodes
// (never innerHTML), so nothing a user or an API sends can run as code.

const VN = "Asia/Ho_Chi_Minh";
const dateTimeFormat = new Intl.DateTimeFormat("vi-VN", {
  timeZone: VN, day: "2-digit", month: "2-digit", year: "numeric", hour: "2-digit", minute: "2-digit",
});
const dateFormat = new Intl.DateTimeFormat("vi-VN", {
  timeZone: VN, day: "2-digit", month: "2-digit", year: "numeric",
});
const vnd = new Intl.NumberFormat("vi-VN");

/** An element: h("a", {href: "#/", class: "x", onclick: fn}, "text", child, [more]). */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value == null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2), value);
    } else if (key === "class") {
      el.className = value;
    } else if (key === "value" && "value" in el) {
      el.value = value;
    } else {
      el.setAttribute(key, value === true ? "" : String(value));
    }
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child == null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function clear(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

/** "22/11/2026 14:05", always in Vietnam's time, whatever the browser's zone. */
export function fmtDateTime(iso) {
  return iso ? dateTimeFormat.format(new Date(iso)) : "—";
}

export function fmtDate(iso) {
  if (!iso) return "—";
  // A plain date (YYYY-MM-DD) is a calendar date, not an instant: no zone shift.
  if (/^\d{4}-\d{2}-\d{2}$/.test(iso)) return iso.split("-").reverse().join("/");
  return dateFormat.format(new Date(iso));
}

/** VND are integers: "1.250.000 ₫". */
export function fmtVnd(amount) {
  return amount == null ? "—" : `${vnd.format(Math.round(Number(amount)))} ₫`;
}

export function fmtNumber(n, digits = 0) {
  return n == null ? "—" : new Intl.NumberFormat("vi-VN", { maximumFractionDigits: digits }).format(n);
}

/** Today's date in Vietnam as YYYY-MM-DD (for date inputs and report periods). */
export function todayVn(offsetDays = 0) {
  const d = new Date(Date.now() + offsetDays * 86400000);
  return new Intl.DateTimeFormat("en-CA", { timeZone: VN }).format(d);
}

const STATUS_TONE = { 1: "info", 2: "info", 3: "danger", 4: "info", 5: "warn", 6: "warn",
  7: "muted", 8: "danger", 9: "ok", 10: "ok" };

export function statusBadge(code, name) {
  return h("span", { class: `badge tone-${STATUS_TONE[code] || "muted"}`, "data-status": code },
    name || `Trạng thái ${code}`);
}

export function badge(text, tone = "muted") {
  return h("span", { class: `badge tone-${tone}` }, text);
}

const TIMELINESS = { early: ["Trước hạn", "ok"], on_time: ["Đúng hạn", "ok"], late: ["Quá hạn", "danger"] };

export function timelinessBadge(value) {
  const found = TIMELINESS[value];
  return found ? badge(found[0], found[1]) : null;
}

/** A data table: columns [{label, cell: row => Node|string, class?}], an empty-state text. */
export function table(columns, rows, { empty = "Không có dữ liệu.", caption } = {}) {
  if (!rows.length) return h("p", { class: "empty" }, empty);
  return h("div", { class: "table-scroll" },
    h("table", { class: "data" },
      caption ? h("caption", {}, caption) : null,
      h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col", class: c.class }, c.label)))),
      h("tbody", {}, rows.map((row) => h("tr", {},
        columns.map((c) => h("td", { class: c.class, "data-label": c.label }, c.cell(row))))))));
}

/** Definition list of [label, value] pairs, for detail screens. */
export function facts(pairs) {
  return h("dl", { class: "facts" }, pairs.filter(Boolean).map(([label, value]) =>
    h("div", {}, h("dt", {}, label), h("dd", {}, value ?? "—"))));
}

let fieldCounter = 0;

/** A labelled form field. type: text|email|tel|password|date|number|textarea|select|file|checkbox. */
export function field({ label, name, type = "text", value, required, options, hint, attrs = {} }) {
  const id = `f-${name}-${++fieldCounter}`;
  const hintId = hint ? `${id}-hint` : null;
  const common = { id, name, required, "aria-describedby": hintId, ...attrs };
  let input;
  if (type === "textarea") {
    input = h("textarea", { ...common, rows: attrs.rows || 3 }, value ?? "");
  } else if (type === "select") {
    input = h("select", common, (options || []).map(([v, text]) =>
      h("option", { value: v, selected: String(v) === String(value ?? "") }, text)));
  } else if (type === "checkbox") {
    input = h("input", { ...common, type, checked: Boolean(value) });
    return h("div", { class: "field field-check" }, input, h("label", { for: id }, label),
      hint ? h("small", { id: hintId, class: "hint" }, hint) : null);
  } else {
    input = h("input", { ...common, type, value: value ?? "" });
  }
  return h("div", { class: "field" },
    h("label", { for: id }, label, required ? h("span", { class: "req", "aria-hidden": "true" }, " *") : null),
    input, hint ? h("small", { id: hintId, class: "hint" }, hint) : null);
}

/** The form's named fields as an object (empty strings left out, checkboxes as booleans). */
export function formValues(form) {
  const out = {};
  for (const el of form.elements) {
    if (!el.name || el.type === "file" || el.type === "submit") continue;
    if (el.type === "checkbox") out[el.name] = el.checked;
    else if (el.type === "radio") { if (el.checked) out[el.name] = el.value; }
    else if (el.value !== "") out[el.name] = el.value;
  }
  return out;
}

/** A form whose submit runs `onsubmit(values, form)` with the button busy and errors shown. */
export function form({ fields, submit, onsubmit, cls = "", secondary }) {
  const errors = h("div", { class: "form-errors" });
  const button = h("button", { type: "submit", class: "btn primary" }, submit);
  const el = h("form", { class: `form ${cls}`, novalidate: false }, errors, fields,
    h("div", { class: "actions" }, button, secondary || null));
  el.addEventListener("submit", async (event) => {
    event.preventDefault();
    clear(errors);
    await busy(button, async () => {
      try {
        await onsubmit(formValues(el), el);
      } catch (err) {
        clear(errors, problemBox(err));
        errors.querySelector("[tabindex]")?.focus();
      }
    });
  });
  return el;
}

/** Disables the button while `work` runs, so nothing is sent twice. */
export async function busy(button, work) {
  const label = button.textContent;
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  button.textContent = "Đang xử lý…";
  try {
    return await work();
  } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
    button.textContent = label;
  }
}

// The services' problem titles are English (stable, for programs); people read these.
const TITLES = {
  400: "Yêu cầu không hợp lệ", 401: "Chưa đăng nhập", 403: "Không có quyền thực hiện",
  404: "Không tìm thấy", 409: "Không thực hiện được", 413: "Tệp quá lớn",
  415: "Loại tệp không được chấp nhận", 422: "Thông tin chưa hợp lệ", 429: "Thao tác quá nhanh",
};

function problemTitle(err, p) {
  if (p.title && /[^\x00-\x7f]/.test(p.title)) return p.title; // already Vietnamese
  return TITLES[err.status] || (err.status >= 500 ? "Hệ thống đang bận" : "Không thực hiện được");
}

/** An RFC 9457 problem (or any error) as a Vietnamese message box, with field errors. */
export function problemBox(err) {
  const p = err && err.problem;
  const title = p ? problemTitle(err, p) : "Đã xảy ra lỗi";
  const detail = p ? p.detail : (err && err.message) || String(err);
  const fieldErrors = (p && Array.isArray(p.errors)) ? p.errors : [];
  return h("div", { class: "notice tone-danger", role: "alert", tabindex: "-1", "data-code": p?.code || "" },
    h("strong", {}, title), detail ? h("p", {}, detail) : null,
    fieldErrors.length ? h("ul", {}, fieldErrors.map((e) =>
      h("li", {}, [(e.loc || e.field || []).toString().replace(/^body,?/, ""), e.msg || e.message || ""].filter(Boolean).join(": ")))) : null);
}

export function notice(text, tone = "info") {
  return h("div", { class: `notice tone-${tone}`, role: tone === "danger" ? "alert" : "status" }, text);
}

/** A short message that fades (announced to screen readers through the live region). */
export function toast(text, tone = "ok") {
  const box = document.getElementById("toasts");
  const item = h("div", { class: `toast tone-${tone}` }, text);
  box.append(item);
  setTimeout(() => item.remove(), 6000);
}

export function section(title, ...children) {
  return h("section", { class: "card" }, h("h2", {}, title), children);
}

export function pageHeader(title, ...extra) {
  return h("div", { class: "page-header" }, h("h1", {}, title), extra);
}

/** Tabs as links (each tab is a route), so the back button and bookmarks work. */
export function tabs(items, current) {
  return h("nav", { class: "tabs", "aria-label": "Danh mục" }, items.map(([key, label, href]) =>
    h("a", { href, class: key === current ? "active" : "", "aria-current": key === current ? "page" : null }, label)));
}

/** Saves a blob as a file the person downloads. */
export function saveBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const link = h("a", { href: url, download: filename, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

/** Folds Vietnamese for client-side filtering: "Nguyễn Đức" → "nguyen duc". */
export function fold(text) {
  return String(text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "")
    .replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
}
