// "Hồ sơ của tôi": the citizen's own dossiers, newest first, with status, due date and
// timeliness, filtered by status and searched by code or procedure.

import { api } from "../api.js";
import { field, fmtDateTime, h, notice, pageHeader, section, statusBadge, table, timelinessBadge } from "../ui.js";
import { agencyNames, linkButton, procedureNames, STATUS_NAMES } from "./citizen-common.js";

const PAGE = 20;
// What the citizen has to do, by status.
const TODO = { 5: "Cần bổ sung giấy tờ", 6: "Cần thanh toán phí, lệ phí" };

export async function myDossiers({ query, navigate }) {
  const q = query.q || "";
  const status = query["trang-thai"] || "";
  const page = Math.max(1, Number(query.trang) || 1);
  const [list, procedures, agencies] = await Promise.all([
    api.get("/api/v1/dossiers", { q, status_code: status || null, limit: PAGE + 1, offset: (page - 1) * PAGE }),
    procedureNames(),
    agencyNames(),
  ]);
  const rows = list.slice(0, PAGE);
  const more = list.length > PAGE;
  const go = (changes) => {
    const params = new URLSearchParams({ q, "trang-thai": status, trang: String(page), ...changes });
    for (const [key, value] of [...params]) if (!value || (key === "trang" && value === "1")) params.delete(key);
    const text = params.toString();
    navigate(text ? `#/ho-so-cua-toi?${text}` : "#/ho-so-cua-toi");
  };
  const filters = h("form", { class: "filters", role: "search", onsubmit: (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    go({ q: f.get("q").trim(), "trang-thai": f.get("trang-thai"), trang: "1" });
  } },
  field({ label: "Mã hồ sơ hoặc tên thủ tục", name: "q", type: "search", value: q, attrs: { maxlength: 200 } }),
  field({ label: "Trạng thái", name: "trang-thai", type: "select", value: status,
    options: [["", "Tất cả trạng thái"], ...Object.entries(STATUS_NAMES)] }),
  h("div", { class: "field" }, h("button", { type: "submit", class: "btn primary" }, "Lọc")));

  const filtered = Boolean(q || status);
  const waiting = rows.filter((d) => TODO[d.status_code]);
  return h("div", {},
    pageHeader("Hồ sơ của tôi", linkButton("#/thu-tuc", "Nộp hồ sơ mới"),
      linkButton("#/ho-so-cua-toi/truy-cap", "Lịch sử truy cập", "btn ghost")),
    waiting.length ? notice(`Có ${waiting.length} hồ sơ đang chờ bạn thực hiện: ${waiting.map((d) => `${d.code} (${TODO[d.status_code].toLowerCase()})`).join("; ")}.`, "warn") : null,
    section("Tìm hồ sơ", filters),
    h("section", { class: "card", "aria-labelledby": "hs-list" },
      h("h2", { id: "hs-list" }, "Danh sách hồ sơ"),
      rows.length || filtered ? table([
        { label: "Mã hồ sơ", cell: (d) => h("a", { href: `#/ho-so-cua-toi/${encodeURIComponent(d.code)}`, class: "ct-code" }, d.code) },
        { label: "Thủ tục", cell: (d) => procedures[d.procedure_code] || d.procedure_code },
        { label: "Nơi tiếp nhận", cell: (d) => agencies[d.agency_id] || d.agency_id },
        { label: "Ngày nộp", cell: (d) => fmtDateTime(d.submitted_at) },
        { label: "Hẹn trả kết quả", cell: (d) => (d.due_at ? fmtDateTime(d.due_at) : "Chưa tiếp nhận") },
        { label: "Trạng thái", cell: (d) => h("span", { class: "ct-status" }, statusBadge(d.status_code, d.status),
          TODO[d.status_code] ? h("small", {}, TODO[d.status_code]) : null) },
        { label: "Tiến độ", cell: (d) => timelinessBadge(d.timeliness) || (d.completed_at ? "—" : "Đang giải quyết") },
      ], rows, { empty: "Không có hồ sơ nào phù hợp với bộ lọc." })
        : h("div", { class: "empty-state" },
          h("p", { class: "empty" }, "Bạn chưa nộp hồ sơ nào."),
          linkButton("#/thu-tuc", "Tìm thủ tục để nộp hồ sơ")),
      page > 1 || more ? h("nav", { class: "btn-row", "aria-label": "Phân trang" },
        page > 1 ? h("button", { type: "button", class: "btn ghost", onclick: () => go({ trang: String(page - 1) }) }, "Trang trước") : null,
        more ? h("button", { type: "button", class: "btn ghost", onclick: () => go({ trang: String(page + 1) }) }, "Trang sau") : null) : null));
}
