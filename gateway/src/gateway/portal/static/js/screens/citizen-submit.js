// Online submission of a dossier: the procedure's form, the receiving agency, the documents
// (uploaded once the dossier exists), the appointed date shown before submitting, and one
// Idempotency-Key per filled form so that a retry never files the dossier twice.

import { api, idempotencyKey } from "../api.js";
import * as auth from "../auth.js";
import {
  busy, clear, field, fmtDateTime, fmtVnd, h, notice, pageHeader, problemBox, toast,
} from "../ui.js";
import { agencyList, bytesText, levelText, procedureDuration, typesText, vnError } from "./citizen-common.js";
import { formData, formInputs } from "./citizen-form.js";

/** Where the citizen files: the procedure's agency, which receives the dossier at its one-stop
 * desk and hands it over to its own units (a hand-over goes below the receiving agency, so a
 * dossier filed elsewhere could not reach the unit that decides it). */
function receivingAgencies(procedure, agencies) {
  const own = agencies.find((a) => a.id === procedure.agency_id);
  return [[procedure.agency_id, own ? own.name : procedure.agency_id]];
}

export async function submitDossier({ params, navigate }) {
  const [p, agencies] = await Promise.all([
    api.get(`/api/v1/procedures/${encodeURIComponent(params.code)}`, null, { auth: false }),
    agencyList(),
  ]);
  const header = [h("p", { class: "crumbs" }, h("a", { href: "#/thu-tuc" }, "Thủ tục hành chính"), " › ",
    h("a", { href: `#/thu-tuc/${encodeURIComponent(p.code)}` }, p.code), " › Nộp hồ sơ"),
  pageHeader("Nộp hồ sơ trực tuyến"), h("p", { class: "ct-lead" }, p.name)];
  if (!p.active || p.online_level === "info") {
    return h("div", {}, header, notice("Thủ tục này không nhận hồ sơ trực tuyến.", "warn"),
      h("a", { href: `#/thu-tuc/${encodeURIComponent(p.code)}` }, "Xem thông tin thủ tục"));
  }
  const me = auth.currentUser();
  const agencyChoices = receivingAgencies(p, agencies);
  const duration = p.online_duration || p.duration;
  const dueBox = h("div", { class: "ct-due", "aria-live": "polite" });

  async function showDue(agency) {
    clear(dueBox, h("p", { class: "loading" }, "Đang tính ngày hẹn trả kết quả…"));
    try {
      const answer = await api.get("/api/v1/calendar/due-date", {
        agency, start: new Date().toISOString(), duration, unit: p.duration_unit,
        after_15h_next_day: p.after_15h_next_day,
      }, { auth: false });
      clear(dueBox, h("div", { class: "notice tone-info ct-due-date" },
        h("strong", {}, "Ngày hẹn trả kết quả dự kiến: "),
        h("span", { "data-testid": "due-date" }, fmtDateTime(answer.due_at)),
        h("p", {}, `Thời hạn giải quyết ${procedureDuration(p)}, tính theo lịch làm việc của cơ quan tiếp nhận. Ngày hẹn chính thức ghi trên Giấy tiếp nhận khi hồ sơ được tiếp nhận.`)));
    } catch (err) {
      clear(dueBox, problemBox(vnError(err)));
    }
  }

  const agencySelect = agencyChoices.length > 1
    ? field({ label: "Nơi tiếp nhận hồ sơ", name: "agency_id", type: "select", value: p.agency_id, required: true,
      options: agencyChoices, hint: "Hồ sơ được tiếp nhận và trả kết quả tại cơ quan này.",
      attrs: { onchange: (e) => showDue(e.target.value) } })
    : null;
  const files = p.components.map((c) => {
    const f = field({ label: c.name, name: `file.${c.code}`, type: "file", required: c.required,
      hint: `${c.required ? "Bắt buộc" : "Không bắt buộc"}; ${typesText(c.media_types)}, tối đa ${bytesText(c.max_bytes)}${c.copies > 1 ? `; ${c.copies} bản` : ""}.`,
      attrs: { accept: c.media_types.join(",") } });
    f.dataset.component = c.code;
    return f;
  });

  const errors = h("div", { class: "form-errors full" });
  const button = h("button", { type: "submit", class: "btn primary" }, "Nộp hồ sơ");
  const form = h("form", { class: "form wide ct-submit-form", "aria-label": "Hồ sơ trực tuyến" },
    errors,
    h("fieldset", { class: "full ct-fieldset" }, h("legend", {}, "Người nộp hồ sơ"),
      h("p", {}, h("strong", {}, me?.full_name || me?.username || ""), me?.username ? ` · Số định danh ${me.username}` : "")),
    h("fieldset", { class: "full ct-fieldset" }, h("legend", {}, "Tờ khai"),
      h("div", { class: "form wide" }, formInputs(p.form_schema))),
    agencySelect ? h("fieldset", { class: "full ct-fieldset" }, h("legend", {}, "Nơi tiếp nhận"), agencySelect) : null,
    h("fieldset", { class: "full ct-fieldset" }, h("legend", {}, "Thành phần hồ sơ (tệp đính kèm)"),
      files.length ? h("div", { class: "form wide" }, files) : h("p", {}, "Thủ tục không yêu cầu giấy tờ kèm theo.")),
    h("fieldset", { class: "full ct-fieldset" }, h("legend", {}, "Liên hệ nhận thông báo (không bắt buộc)"),
      h("div", { class: "form wide" },
        field({ label: "Thư điện tử", name: "contact.email", type: "email", attrs: { autocomplete: "email", maxlength: 254 } }),
        field({ label: "Số điện thoại di động", name: "contact.phone", type: "tel", attrs: { autocomplete: "tel", maxlength: 20 } }))),
    h("div", { class: "full" }, dueBox,
      p.total_fee ? notice(`Phí, lệ phí: ${fmtVnd(p.total_fee)}. Bạn thanh toán trực tuyến khi cơ quan yêu cầu thực hiện nghĩa vụ tài chính.`, "info") : null),
    h("div", { class: "actions" }, button,
      h("a", { href: `#/thu-tuc/${encodeURIComponent(p.code)}`, class: "btn ghost" }, "Hủy")));

  // One key per filled form: a retry of the same content (network error, upload failure)
  // replays the dossier already filed, never a second one; changed content is a new request.
  const state = { key: idempotencyKey(), sent: null, code: null, uploaded: new Set() };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clear(errors);
    const chosen = files.map((f) => ({ code: f.dataset.component, file: f.querySelector("input").files[0] }))
      .filter((x) => x.file);
    const wrong = chosen.map(({ code, file }) => checkFile(p.components.find((c) => c.code === code), file)).filter(Boolean);
    if (wrong.length) {
      clear(errors, h("div", { class: "notice tone-danger", role: "alert", tabindex: "-1" },
        h("strong", {}, "Tệp đính kèm chưa hợp lệ"), h("ul", {}, wrong.map((w) => h("li", {}, w)))));
      errors.firstChild.focus();
      return;
    }
    const v = Object.fromEntries(new FormData(form));
    const contact = { email: (v["contact.email"] || "").trim() || null, phone: (v["contact.phone"] || "").trim() || null };
    const body = {
      procedure_code: p.code, channel: "online", form_data: formData(form, p.form_schema),
      agency_id: v.agency_id || p.agency_id,
      contact: contact.email || contact.phone ? contact : null,
    };
    await busy(button, async () => {
      try {
        if (!state.code) {
          const fingerprint = JSON.stringify(body);
          if (state.sent !== null && state.sent !== fingerprint) state.key = idempotencyKey();
          state.sent = fingerprint;
          const dossier = await api.post("/api/v1/dossiers", body, { headers: { "Idempotency-Key": state.key } });
          state.code = dossier.code;
        }
        for (const { code, file } of chosen) {
          if (state.uploaded.has(code)) continue;
          await api.upload(`/api/v1/dossiers/${encodeURIComponent(state.code)}/attachments`, file, {
            params: { component: code, filename: file.name },
            headers: { "Content-Type": file.type || "application/octet-stream" },
          });
          state.uploaded.add(code);
        }
      } catch (err) {
        const shown = vnError(err);
        clear(errors, state.code ? notice(`Hồ sơ ${state.code} đã được nộp nhưng chưa tải lên đủ tệp. Hãy chọn lại tệp bị lỗi rồi bấm “Nộp hồ sơ” để gửi tiếp.`, "warn") : null,
          problemBox(shown));
        errors.querySelector("[tabindex]")?.focus();
        return;
      }
      toast(`Đã nộp hồ sơ ${state.code}.`);
      navigate(`#/ho-so-cua-toi/${encodeURIComponent(state.code)}?moi=1`);
    });
  });

  showDue(p.agency_id);
  return h("div", {}, header,
    h("p", { class: "hint" }, `Mức độ: ${levelText(p.online_level)} · Thời hạn giải quyết: ${procedureDuration(p)}`),
    h("section", { class: "card" }, form));
}

function checkFile(component, file) {
  if (!component) return null;
  const type = file.type || "";
  if (!component.media_types.includes(type)) {
    return `${file.name}: chỉ nhận tệp ${typesText(component.media_types)} cho “${component.name}”.`;
  }
  if (file.size > component.max_bytes) {
    return `${file.name}: tệp lớn hơn ${bytesText(component.max_bytes)}.`;
  }
  return null;
}
