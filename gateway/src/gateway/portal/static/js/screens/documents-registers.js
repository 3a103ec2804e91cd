// Sổ văn bản: the agency's registers of outgoing and incoming documents, with this year's last
// number; clerks (and administrators) create, rename and close them.

import { api } from "../api.js";
import * as auth from "../auth.js";
import { badge, field, fmtDateTime, form, h, pageHeader, section, table, toast } from "../ui.js";
import { actionPanel, DOC_TYPES, docTabs, typeName } from "./documents-common.js";

const DIRECTIONS = [["outgoing", "Sổ văn bản đi"], ["incoming", "Sổ văn bản đến"]];

/** #/so-van-ban */
export async function registers({ query, navigate, refresh }) {
  const me = auth.currentUser();
  const agency = query.co_quan || me.agency_id || "";
  const rows = await api.get("/api/v1/registers", { agency: query.co_quan, direction: query.loai });
  const filters = h("form", { class: "filters", role: "search", onsubmit: (e) => {
    e.preventDefault();
    const params = new URLSearchParams();
    for (const [k, v] of new FormData(e.target).entries()) if (v) params.set(k, v);
    navigate(`#/so-van-ban${params.toString() ? `?${params}` : ""}`);
  } },
  field({ label: "Loại sổ", name: "loai", type: "select", value: query.loai,
    options: [["", "Tất cả"], ...DIRECTIONS] }),
  field({ label: "Mã cơ quan", name: "co_quan", value: query.co_quan, hint: "Để trống: cơ quan của bạn",
    attrs: { maxlength: 35 } }),
  h("div", { class: "btn-row" }, h("button", { type: "submit", class: "btn primary" }, "Xem")));

  const columns = [
    { label: "Tên sổ", cell: (r) => h("strong", {}, r.name) },
    { label: "Loại sổ", cell: (r) => (r.direction === "outgoing" ? "Văn bản đi" : "Văn bản đến") },
    { label: "Ký hiệu cơ quan", cell: (r) => r.issuer_notation || "—" },
    { label: "Loại văn bản", cell: (r) => (r.doc_types ? r.doc_types.map(typeName).join(", ") : "Mọi loại còn lại") },
    { label: `Số cuối năm ${rows[0]?.year || ""}`.trim(), cell: (r) => String(r.last_number), class: "num" },
    { label: "Tình trạng", cell: (r) => (r.active ? badge("Đang dùng", "ok") : badge("Đã khóa", "muted")) },
    { label: "Ngày tạo", cell: (r) => fmtDateTime(r.created_at) },
    { label: "Thao tác", cell: (r) => (r.active ? manage(r, refresh) : "—") },
  ];
  return h("div", {},
    pageHeader("Sổ văn bản"),
    docTabs("so"),
    section("Bộ lọc", filters),
    h("section", { class: "card" }, h("h2", {}, `Sổ văn bản của ${agency}`),
      h("p", { class: "hint" }, "Số văn bản đi và số đến được cấp liên tục theo năm, bắt đầu từ 01 ngày 01/01. Sổ đã khóa không cấp số mới, các số đã cấp vẫn giữ nguyên."),
      table(columns, rows, { empty: "Cơ quan chưa có sổ văn bản." })),
    section("Mở sổ mới", createForm(query.co_quan, refresh,
      rows.find((r) => r.direction === "outgoing" && r.issuer_notation)?.issuer_notation)));
}

function manage(r, refresh) {
  return actionPanel(`Sửa sổ «${r.name}»`, [
    form({
      fields: [
        field({ label: "Tên sổ", name: "name", value: r.name, required: true, attrs: { maxlength: 200 } }),
        r.direction === "outgoing" ? field({ label: "Ký hiệu cơ quan ban hành", name: "issuer_notation",
          value: r.issuer_notation, hint: "Ví dụ: STP (trong 12/QĐ-STP)", attrs: { pattern: "[0-9A-Za-zĐđ]{1,30}" } }) : null,
      ],
      submit: "Lưu",
      onsubmit: async (values) => {
        await api.patch(`/api/v1/registers/${encodeURIComponent(r.id)}`, values);
        toast("Đã lưu sổ văn bản.");
        await refresh();
      },
    }),
    form({
      fields: [field({ label: "Tôi xác nhận khóa sổ: sổ không cấp số mới nữa", name: "confirm", type: "checkbox",
        required: true })],
      submit: `Khóa sổ «${r.name}»`,
      onsubmit: async () => {
        await api.post(`/api/v1/registers/${encodeURIComponent(r.id)}/deactivate`);
        toast("Đã khóa sổ văn bản.");
        await refresh();
      },
    }),
  ]);
}

function createForm(agency, refresh, notation) {
  return form({
    cls: "wide",
    fields: [
      field({ label: "Loại sổ", name: "direction", type: "select", required: true, value: "outgoing", options: DIRECTIONS }),
      field({ label: "Tên sổ", name: "name", required: true, hint: "Ví dụ: Sổ quyết định", attrs: { maxlength: 200 } }),
      field({ label: "Ký hiệu cơ quan ban hành", name: "issuer_notation", value: notation,
        hint: "Bắt buộc với sổ văn bản đi, ví dụ STP (trong 12/QĐ-STP).", attrs: { pattern: "[0-9A-Za-zĐđ]{1,30}" } }),
      h("fieldset", { class: "full doc-fieldset" }, h("legend", {}, "Loại văn bản vào sổ (để trống: sổ chung cho mọi loại còn lại)"),
        h("div", { class: "doc-checks" }, DOC_TYPES.map(([code, name]) =>
          field({ label: name, name: `type:${code}`, type: "checkbox" })))),
    ],
    submit: "Mở sổ",
    onsubmit: async (values, el) => {
      const types = Object.entries(values).filter(([k, v]) => k.startsWith("type:") && v === true).map(([k]) => k.slice(5));
      await api.post("/api/v1/registers", {
        agency_id: agency || null, direction: values.direction, name: values.name,
        issuer_notation: values.issuer_notation || null, doc_types: types.length ? types : null,
      });
      el.reset();
      toast("Đã mở sổ văn bản mới.");
      await refresh();
    },
  });
}
