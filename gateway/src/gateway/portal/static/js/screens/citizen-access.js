// "Lịch sử truy cập hồ sơ của tôi": who among the officials opened the citizen's dossiers,
// their attachments and forms, and when (svc-identity's audit log, GET /api/v1/me/access-log).

import { api } from "../api.js";
import { fmtDateTime, h, notice, pageHeader, section, table } from "../ui.js";
import { linkButton } from "./citizen-common.js";

const PAGE = 50;
const ACTIONS = {
  "dossier.read": "Xem hồ sơ",
  "dossier.attachment_downloaded": "Tải tệp đính kèm",
};

function actionLabel(action) {
  const form = /^dossier\.form_(\d+)_read$/.exec(action);
  if (form) return `Xem biểu mẫu ${form[1]}`;
  return ACTIONS[action] || action;
}

function target(entry) {
  if (entry.target_type !== "dossier" || !entry.target_id) return entry.target_id || "—";
  return h("a", { href: `#/ho-so-cua-toi/${encodeURIComponent(entry.target_id)}`, class: "ct-code" },
    entry.target_id);
}

export async function accessLog({ query, navigate }) {
  const before = Number(query.truoc) || null;
  const list = await api.get("/api/v1/me/access-log", { limit: PAGE + 1, before_id: before });
  const rows = list.slice(0, PAGE);
  const more = list.length > PAGE;
  return h("div", {},
    pageHeader("Lịch sử truy cập hồ sơ của tôi", linkButton("#/ho-so-cua-toi", "Hồ sơ của tôi", "btn ghost")),
    notice("Mỗi lần cán bộ, công chức xem hồ sơ của bạn, tải tệp đính kèm hoặc biểu mẫu đều được ghi lại trong nhật ký kiểm toán không thể sửa đổi.", "info"),
    section("Các lần truy cập",
      table([
        { label: "Thời gian", cell: (e) => fmtDateTime(e.at) },
        { label: "Người truy cập", cell: (e) => e.actor_name || "Cán bộ (không rõ tên)" },
        { label: "Cơ quan", cell: (e) => e.agency_name || e.agency_id || "—" },
        { label: "Thao tác", cell: (e) => actionLabel(e.action) },
        { label: "Hồ sơ", cell: target },
      ], rows, { empty: "Chưa có cán bộ nào truy cập hồ sơ của bạn." }),
      before || more ? h("nav", { class: "btn-row", "aria-label": "Phân trang" },
        before ? h("button", { type: "button", class: "btn ghost", onclick: () => navigate("#/ho-so-cua-toi/truy-cap") }, "Mới nhất") : null,
        more ? h("button", { type: "button", class: "btn ghost",
          onclick: () => navigate(`#/ho-so-cua-toi/truy-cap?truoc=${rows[rows.length - 1].id}`) }, "Cũ hơn") : null) : null));
}

export const routes = [
  { path: "/ho-so-cua-toi/truy-cap", title: "Lịch sử truy cập hồ sơ của tôi", access: "citizen",
    render: accessLog },
];
