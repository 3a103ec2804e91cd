// What the documents screens share: the tabs, the catalogues of NĐ 30/2020 (types, urgency,
// secrecy), the status badges, the agency directory and small helpers.

import { api } from "../api.js";
import * as auth from "../auth.js";
import { badge, fmtDateTime, h, tabs } from "../ui.js";

export const DOC_ROLES = ["clerk", "leader", "processing_officer", "admin"];
export const REGISTER_ROLES = ["clerk", "admin"];

/** Types of Nghị định 30/2020/NĐ-CP, Phụ lục III (codes of svc-docflow). */
export const DOC_TYPES = [
  ["CV", "Công văn"], ["QĐ", "Quyết định"], ["TB", "Thông báo"], ["KH", "Kế hoạch"],
  ["BC", "Báo cáo"], ["TTr", "Tờ trình"], ["GM", "Giấy mời"], ["HD", "Hướng dẫn"],
  ["NQ", "Nghị quyết"], ["CT", "Chỉ thị"], ["QC", "Quy chế"], ["QyĐ", "Quy định"],
  ["TC", "Thông cáo"], ["CTr", "Chương trình"], ["PA", "Phương án"], ["ĐA", "Đề án"],
  ["DA", "Dự án"], ["BB", "Biên bản"], ["HĐ", "Hợp đồng"], ["CĐ", "Công điện"],
  ["BGN", "Bản ghi nhớ"], ["BTT", "Bản thỏa thuận"], ["GUQ", "Giấy ủy quyền"],
  ["GGT", "Giấy giới thiệu"], ["GNP", "Giấy nghỉ phép"], ["PG", "Phiếu gửi"],
  ["PC", "Phiếu chuyển"], ["PB", "Phiếu báo"],
];
export const URGENCY = [["normal", "Thường"], ["khan", "Khẩn"], ["thuong_khan", "Thượng khẩn"],
  ["hoa_toc", "Hỏa tốc"], ["hoa_toc_hen_gio", "Hỏa tốc hẹn giờ"]];
export const SECRECY = [["normal", "Thường"], ["mat", "Mật"], ["toi_mat", "Tối mật"],
  ["tuyet_mat", "Tuyệt mật"]];

export function typeName(code) {
  return (DOC_TYPES.find(([c]) => c === code) || [code, code])[1];
}

export function urgencyLabel(code) {
  return (URGENCY.find(([c]) => c === code) || [code, code])[1];
}

export function secrecyLabel(code) {
  return (SECRECY.find(([c]) => c === code) || [code, code])[1];
}

/** An urgency badge, only when the document is urgent (text, not colour alone). */
export function urgencyBadge(code) {
  return code && code !== "normal" ? badge(urgencyLabel(code).toUpperCase(), "danger") : null;
}

const INCOMING_TONE = { received: "info", refused: "danger", registered: "info", assigned: "warn",
  in_progress: "warn", done: "ok", recalled: "muted" };
const OUTGOING_TONE = { draft: "muted", in_review: "info", approved: "info", signed: "ok",
  numbered: "info", issued: "ok", recalled: "danger" };

export function incomingBadge(doc) {
  return h("span", { class: `badge tone-${INCOMING_TONE[doc.status] || "muted"}`, "data-status": doc.status },
    doc.status_name || doc.status);
}

export function outgoingBadge(doc) {
  return h("span", { class: `badge tone-${OUTGOING_TONE[doc.status] || "muted"}`, "data-status": doc.status },
    doc.status_name || doc.status);
}

/** The three tabs of the documents area; "Sổ văn bản" for those who keep the registers. */
export function docTabs(current) {
  const items = [["den", "Văn bản đến", "#/van-ban/den"], ["di", "Văn bản đi", "#/van-ban/di"]];
  if (auth.hasRole(...REGISTER_ROLES)) items.push(["so", "Sổ văn bản", "#/so-van-ban"]);
  return tabs(items, current);
}

let agencyCache = null;

/** The platform's agencies (public directory), fetched once per page load. */
export async function agencies() {
  if (!agencyCache) {
    agencyCache = api.get("/api/v1/agencies", null, { auth: false }).catch((err) => {
      agencyCache = null;
      throw err;
    });
  }
  return agencyCache;
}

export function agencyLabel(list, id) {
  const found = list.find((a) => a.id === id);
  return found ? `${found.name} (${id})` : id;
}

/** The agency and its subtree, for choosing units (phân công). */
export function subtree(list, rootId) {
  return list.filter((a) => a.id === rootId || a.id.startsWith(`${rootId}.`));
}

/** "Số 12/2026" for an incoming document's arrival number. */
export function arrivalText(doc) {
  return doc.arrival_number ? `${doc.arrival_number}/${doc.arrival_year}` : "Chưa vào sổ";
}

/** A history timeline: entries {at, title, note, who}. */
export function timeline(entries, empty = "Chưa có bước xử lý nào.") {
  if (!entries.length) return h("p", { class: "empty" }, empty);
  return h("ol", { class: "timeline" }, entries.map((e) => h("li", {},
    h("time", { datetime: e.at }, fmtDateTime(e.at)),
    h("strong", {}, e.title),
    e.who ? h("span", { class: "doc-who" }, ` · ${e.who}`) : null,
    e.note ? h("p", { class: "doc-note" }, e.note) : null)));
}

/** A small form inside a <details>, for one action with its own inputs. */
export function actionPanel(title, content, { open = false } = {}) {
  return h("details", { class: "doc-action", open },
    h("summary", {}, title), h("div", { class: "doc-action-body" }, content));
}

export function fileSize(bytes) {
  if (bytes == null) return "—";
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1).replace(".", ",")} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1).replace(".", ",")} MB`;
}
