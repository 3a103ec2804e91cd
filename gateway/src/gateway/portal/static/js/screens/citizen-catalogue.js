// The procedure catalogue (public): search without diacritics, filters, and one procedure's
// detail (fees, duration, documents to supply, form fields) with the way to submit online.

import { api } from "../api.js";
import * as auth from "../auth.js";
import { badge, facts, field, fmtVnd, h, notice, pageHeader, section, table } from "../ui.js";
import {
  agencyList, agencyNames, bytesText, levelText, linkButton, procedureDuration, typesText,
} from "./citizen-common.js";
import { fieldLabel, schemaFields } from "./citizen-form.js";

const PAGE = 20;
const LEVEL_TONE = { full: "ok", partial: "info", info: "muted" };

function levelBadge(level) {
  return badge(levelText(level), LEVEL_TONE[level] || "muted");
}

export async function catalogue({ query, navigate }) {
  const q = query.q || "";
  const agency = query["co-quan"] || "";
  const level = query["muc-do"] || "";
  const page = Math.max(1, Number(query.trang) || 1);
  const [agencies, list] = await Promise.all([
    agencyList(),
    api.get("/api/v1/procedures", {
      q, agency: agency || null, online_level: level || null, limit: PAGE + 1, offset: (page - 1) * PAGE,
    }, { auth: false }),
  ]);
  const names = Object.fromEntries(agencies.map((a) => [a.id, a.name]));
  const rows = list.slice(0, PAGE);
  const more = list.length > PAGE;

  const go = (changes) => {
    const params = new URLSearchParams({ q, "co-quan": agency, "muc-do": level, trang: String(page), ...changes });
    for (const [key, value] of [...params]) if (!value || (key === "trang" && value === "1")) params.delete(key);
    const text = params.toString();
    navigate(text ? `#/thu-tuc?${text}` : "#/thu-tuc");
  };
  const filters = h("form", { class: "filters", role: "search", onsubmit: (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    go({ q: f.get("q").trim(), "co-quan": f.get("co-quan"), "muc-do": f.get("muc-do"), trang: "1" });
  } },
  field({ label: "Tên thủ tục, mã hoặc lĩnh vực", name: "q", value: q, type: "search",
    attrs: { placeholder: "Ví dụ: ly lich tu phap", maxlength: 200 } }),
  field({ label: "Cơ quan thực hiện", name: "co-quan", type: "select", value: agency,
    options: [["", "Tất cả cơ quan"], ...agencies.map((a) => [a.id, a.name])] }),
  field({ label: "Mức độ dịch vụ công", name: "muc-do", type: "select", value: level,
    options: [["", "Tất cả"], ["full", "Toàn trình"], ["partial", "Một phần"], ["info", "Cung cấp thông tin"]] }),
  h("div", { class: "field" }, h("button", { type: "submit", class: "btn primary" }, "Tìm kiếm")));

  const summary = rows.length
    ? `Trang ${page}: ${rows.length} thủ tục${more ? ", còn trang sau" : ""}.`
    : "";
  return h("div", {},
    pageHeader("Thủ tục hành chính"),
    h("p", {}, "Tra cứu thủ tục hành chính của tỉnh: thành phần hồ sơ, thời hạn giải quyết, phí, lệ phí và mức độ nộp trực tuyến. Có thể gõ không dấu."),
    section("Tìm thủ tục", filters),
    h("section", { class: "card", "aria-labelledby": "tt-results" },
      h("h2", { id: "tt-results" }, "Kết quả"),
      h("p", { class: "hint", role: "status" }, summary),
      table([
        { label: "Tên thủ tục", cell: (p) => h("a", { href: `#/thu-tuc/${encodeURIComponent(p.code)}` }, p.name) },
        { label: "Mã thủ tục", cell: (p) => h("span", { class: "ct-wrap" }, p.code) },
        { label: "Cơ quan thực hiện", cell: (p) => names[p.agency_id] || p.agency_id },
        { label: "Thời hạn giải quyết", cell: (p) => procedureDuration(p) },
        { label: "Mức độ", cell: (p) => levelBadge(p.online_level) },
        { label: "Phí, lệ phí", class: "num", cell: (p) => (p.total_fee ? fmtVnd(p.total_fee) : "Không thu phí") },
      ], rows, { empty: q ? `Không tìm thấy thủ tục nào với “${q}”. Hãy thử từ khóa ngắn hơn hoặc bỏ bộ lọc.` : "Không có thủ tục nào phù hợp." }),
      page > 1 || more ? h("nav", { class: "btn-row", "aria-label": "Phân trang" },
        page > 1 ? h("button", { type: "button", class: "btn ghost", onclick: () => go({ trang: String(page - 1) }) }, "Trang trước") : null,
        more ? h("button", { type: "button", class: "btn ghost", onclick: () => go({ trang: String(page + 1) }) }, "Trang sau") : null) : null));
}

export async function procedureDetail({ params }) {
  const [p, names] = await Promise.all([
    api.get(`/api/v1/procedures/${encodeURIComponent(params.code)}`, null, { auth: false }),
    agencyNames(),
  ]);
  return h("div", {},
    h("p", { class: "crumbs" }, h("a", { href: "#/thu-tuc" }, "Thủ tục hành chính"), " › ", p.code),
    pageHeader(p.name, h("div", {}, levelBadge(p.online_level))),
    submitBox(p),
    section("Thông tin chung", facts([
      ["Mã thủ tục", p.code],
      ["Lĩnh vực", p.field],
      ["Cơ quan thực hiện", names[p.agency_id] || p.agency_id],
      ["Thời hạn giải quyết", procedureDuration(p)],
      ["Mức độ dịch vụ công trực tuyến", `${levelText(p.online_level)} (mức ${p.national_level})`],
      ["Mức định danh tài khoản cần có", p.required_assurance_level === 2 ? "Mức 2 (đã xác thực)" : "Mức 1"],
      ["Tiếp nhận sau 15 giờ", p.after_15h_next_day ? "Tính từ ngày làm việc tiếp theo" : "Tính trong ngày"],
      ["Tổng phí, lệ phí", p.total_fee ? fmtVnd(p.total_fee) : "Không thu phí"],
    ])),
    section("Phí, lệ phí", table([
      { label: "Khoản thu", cell: (f) => f.name },
      { label: "Số tiền", class: "num", cell: (f) => fmtVnd(f.amount) },
    ], p.fees, { empty: "Thủ tục này không thu phí, lệ phí." })),
    section("Thành phần hồ sơ", table([
      { label: "Mã", cell: (c) => c.code },
      { label: "Tên giấy tờ", cell: (c) => c.name },
      { label: "Bắt buộc", cell: (c) => (c.required ? "Bắt buộc" : "Không bắt buộc") },
      { label: "Số bản", class: "num", cell: (c) => String(c.copies) },
      { label: "Định dạng tệp", cell: (c) => `${typesText(c.media_types)}, tối đa ${bytesText(c.max_bytes)}` },
    ], p.components, { empty: "Không có giấy tờ phải nộp kèm." })),
    section("Thông tin trên tờ khai", formFieldsList(p.form_schema)));
}

function formFieldsList(schema) {
  const list = schemaFields(schema);
  if (!list.length) return h("p", {}, "Người nộp ghi mục đích, nội dung yêu cầu khi nộp hồ sơ.");
  return h("ul", { class: "ct-fieldlist" }, list.map((f) =>
    h("li", {}, fieldLabel(f.name, f.schema), f.required ? h("span", { class: "hint" }, " (bắt buộc)") : null)));
}

function submitBox(p) {
  if (!p.active) return notice("Thủ tục này đã ngừng áp dụng; không nhận hồ sơ mới.", "warn");
  if (p.online_level === "info") {
    return notice("Thủ tục này chỉ cung cấp thông tin trực tuyến: vui lòng nộp hồ sơ trực tiếp tại bộ phận một cửa hoặc qua bưu chính.", "info");
  }
  const href = `#/nop-ho-so/${encodeURIComponent(p.code)}`;
  if (auth.isOfficial()) {
    return notice("Tài khoản cán bộ không nộp hồ sơ trực tuyến; hồ sơ tại quầy được tiếp nhận ở màn hình xử lý hồ sơ.", "info");
  }
  return h("div", { class: "card ct-submit" },
    h("p", {}, p.online_level === "full"
      ? "Thủ tục được thực hiện trực tuyến toàn trình: nộp hồ sơ, thanh toán và nhận kết quả điện tử."
      : "Thủ tục được nộp hồ sơ trực tuyến; một số bước (nộp bản chính, nhận kết quả) thực hiện tại cơ quan."),
    p.required_assurance_level === 2 ? notice("Cần tài khoản đã xác thực định danh mức 2.", "warn") : null,
    h("div", { class: "btn-row" }, linkButton(href, "Nộp hồ sơ trực tuyến"),
      auth.signedIn() ? null : h("span", { class: "hint" }, "Bạn sẽ được chuyển tới trang đăng nhập trước khi nộp.")));
}
