// Screens anyone may open: the home page and the status look-up by dossier code.

import { api } from "../api.js";
import * as auth from "../auth.js";
import { facts, fmtDateTime, h, pageHeader, problemBox, section, statusBadge, timelinessBadge } from "../ui.js";

export const menu = [
  { href: "#/", label: "Trang chủ" },
  { href: "#/tra-cuu", label: "Tra cứu hồ sơ" },
];

export const routes = [
  { path: "/", title: "Trang chủ", access: "public", render: home },
  { path: "/tra-cuu", title: "Tra cứu hồ sơ", access: "public", render: lookup },
];

function home() {
  const me = auth.currentUser();
  const tiles = [
    ["#/thu-tuc", "Thủ tục hành chính", "Tìm thủ tục, xem thành phần hồ sơ, thời hạn và lệ phí."],
    ["#/tra-cuu", "Tra cứu hồ sơ", "Xem tình trạng giải quyết hồ sơ bằng mã hồ sơ."],
  ];
  if (!me || auth.isCitizen()) {
    tiles.push(["#/ho-so-cua-toi", "Hồ sơ của tôi", "Theo dõi hồ sơ đã nộp, thanh toán lệ phí, nhận kết quả."]);
  }
  if (auth.isOfficial()) {
    if (auth.hasRole("one_stop_officer", "processing_officer", "leader", "admin")) {
      tiles.push(["#/xu-ly", "Xử lý hồ sơ", "Hồ sơ mới, sắp đến hạn và quá hạn của cơ quan."]);
    }
    if (auth.hasRole("clerk", "leader", "processing_officer", "admin")) {
      tiles.push(["#/van-ban/den", "Văn bản", "Văn bản đến, văn bản đi, sổ văn bản."]);
    }
    if (auth.hasRole("reporting_officer", "leader", "admin")) {
      tiles.push(["#/bao-cao", "Báo cáo, thống kê", "Chỉ số, Bộ chỉ số 766, chỉ tiêu và báo cáo định kỳ."]);
    }
  }
  return h("div", {},
    h("section", { class: "hero" },
      h("h1", {}, me ? `Xin chào, ${me.full_name || me.username}` : "Cổng dịch vụ công tỉnh Thanh Hóa"),
      h("p", {}, "Nộp hồ sơ trực tuyến, theo dõi tiến độ giải quyết, thanh toán lệ phí và đánh giá mức độ hài lòng."),
      lookupForm()),
    h("ul", { class: "tiles" }, tiles.map(([href, title, text]) =>
      h("li", {}, h("a", { href, class: "tile" }, h("strong", {}, title), h("span", {}, text))))));
}

function lookupForm(initial = "") {
  return h("form", { class: "inline-search", role: "search", onsubmit: (e) => {
    e.preventDefault();
    const code = new FormData(e.target).get("code").trim();
    if (code) location.hash = `#/tra-cuu?ma=${encodeURIComponent(code)}`;
  } },
  h("label", { for: "lookup-code" }, "Mã hồ sơ"),
  h("input", { id: "lookup-code", name: "code", value: initial, placeholder: "Ví dụ: H56.14-261122-0001", required: true, autocomplete: "off" }),
  h("button", { type: "submit", class: "btn primary" }, "Tra cứu"));
}

async function lookup({ query }) {
  const code = (query.ma || "").trim();
  const parts = [pageHeader("Tra cứu hồ sơ"), section("Nhập mã hồ sơ", lookupForm(code),
    h("p", { class: "hint" }, "Mã hồ sơ in trên Giấy tiếp nhận hồ sơ và hẹn trả kết quả. Kết quả tra cứu chỉ gồm tình trạng và các mốc thời gian, không có thông tin cá nhân."))];
  if (code) {
    try {
      const d = await api.get(`/api/v1/public/dossiers/${encodeURIComponent(code)}`, null, { auth: false });
      parts.push(section(`Hồ sơ ${d.code}`, h("p", {}, statusBadge(d.status_code, d.status), " ", timelinessBadge(d.timeliness)),
        facts([
          ["Mã hồ sơ", d.code], ["Thủ tục", d.procedure_code], ["Cơ quan tiếp nhận", d.agency_id],
          ["Ngày nộp", fmtDateTime(d.submitted_at)], ["Ngày tiếp nhận", fmtDateTime(d.received_at)],
          ["Hẹn trả kết quả", fmtDateTime(d.due_at)], ["Ngày hoàn thành", fmtDateTime(d.completed_at)],
        ])));
    } catch (err) {
      parts.push(err.status === 404
        ? h("div", { class: "notice tone-warn", role: "alert" }, `Không tìm thấy hồ sơ có mã ${code}. Vui lòng kiểm tra lại mã trên giấy hẹn.`)
        : problemBox(err));
    }
  }
  return h("div", {}, parts);
}

export function notFound() {
  return h("div", {}, h("h1", {}, "Không tìm thấy trang"),
    h("p", {}, "Địa chỉ này không có trên cổng. "), h("a", { href: "#/" }, "Về trang chủ"));
}

export function forbidden() {
  return h("div", {}, h("h1", {}, "Không có quyền truy cập"),
    h("p", {}, "Tài khoản của bạn không được dùng màn hình này. Nếu cần, hãy liên hệ quản trị hệ thống."),
    h("a", { href: "#/" }, "Về trang chủ"));
}

