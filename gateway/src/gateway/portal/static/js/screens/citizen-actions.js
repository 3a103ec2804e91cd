// The citizen's own actions on a dossier: supplement the documents asked for (status 5),
// withdraw it (with a confirmation), and rate the service once it is finished.

import { api } from "../api.js";
import { clear, facts, field, fmtDateTime, form, h, section, toast } from "../ui.js";
import { bytesText, typesText, vnError } from "./citizen-common.js";

const CATEGORIES = [
  ["access", "Tiếp cận dịch vụ", true],
  ["procedure", "Thủ tục hành chính", true],
  ["officer", "Công chức trực tiếp giải quyết công việc", true],
  ["result", "Kết quả giải quyết công việc", true],
  ["feedback", "Tiếp nhận, xử lý ý kiến góp ý, phản ánh, kiến nghị", false],
];
const SCORES = { 1: "Rất không hài lòng", 2: "Không hài lòng", 3: "Bình thường", 4: "Hài lòng", 5: "Rất hài lòng" };
const FINISHED = new Set([3, 7, 8, 10]);

export function supplementSection({ d, history, procedure, path, ctx }) {
  const asked = [...history.entries].reverse().find((e) => e.action === "request_supplement");
  const inputs = procedure.components.map((c) => {
    const f = field({ label: c.name, name: `file.${c.code}`, type: "file",
      hint: `${typesText(c.media_types)}, tối đa ${bytesText(c.max_bytes)}.`, attrs: { accept: c.media_types.join(",") } });
    f.dataset.component = c.code;
    return f;
  });
  const el = form({
    cls: "wide",
    submit: "Gửi bổ sung",
    fields: [
      h("div", { class: "full" }, inputs.length ? h("p", { class: "hint" }, "Chọn tệp cho các giấy tờ cần bổ sung.") : null),
      ...inputs,
      field({ label: "Giấy tờ đã bổ sung (mỗi dòng một giấy tờ)", name: "documents", type: "textarea",
        hint: "Ví dụ: Bản chụp Căn cước công dân", attrs: { maxlength: 2000 } }),
    ],
    onsubmit: async (values, formEl) => {
      const documents = (values.documents || "").split(/\n+/).map((x) => x.trim()).filter(Boolean);
      try {
        for (const f of inputs) {
          const file = f.querySelector("input").files[0];
          if (!file) continue;
          await api.upload(`${path}/attachments`, file, {
            params: { component: f.dataset.component, filename: file.name },
            headers: { "Content-Type": file.type || "application/octet-stream" },
          });
          documents.push(file.name);
        }
        if (!documents.length) {
          throw Object.assign(new Error("Chưa có giấy tờ"), { problem: { title: "Chưa có giấy tờ bổ sung", detail: "Hãy chọn tệp hoặc ghi tên giấy tờ đã bổ sung." } });
        }
        await api.post(`${path}/supplement`, { documents: documents.slice(0, 50).map((x) => x.slice(0, 200)) });
      } catch (err) {
        throw vnError(err);
      }
      formEl.reset();
      toast("Đã gửi hồ sơ bổ sung.");
      ctx.refresh();
    },
  });
  return section("Bổ sung hồ sơ",
    asked ? h("div", { class: "notice tone-warn" },
      h("strong", {}, `Yêu cầu ngày ${fmtDateTime(asked.at)}`),
      asked.reason ? h("p", {}, asked.reason) : null,
      Array.isArray(asked.data?.missing) ? h("ul", {}, asked.data.missing.map((m) => h("li", {}, m))) : null) : null,
    el);
}

export function withdrawSection({ d, path, ctx }) {
  if (![1, 2, 4, 5].includes(d.status_code)) return null;
  const box = h("div", {});
  const open = h("button", { type: "button", class: "btn danger" }, "Rút hồ sơ");
  open.addEventListener("click", () => {
    open.hidden = true;
    const el = form({
      submit: "Xác nhận rút hồ sơ",
      fields: [
        h("p", { role: "alert", class: "notice tone-warn" }, `Bạn có chắc muốn rút hồ sơ ${d.code}? Hồ sơ đã rút không thể tiếp tục giải quyết; muốn làm lại phải nộp hồ sơ mới.`),
        field({ label: "Lý do rút hồ sơ", name: "reason", type: "textarea", attrs: { maxlength: 2000 } }),
      ],
      secondary: h("button", { type: "button", class: "btn ghost", onclick: () => { clear(box); open.hidden = false; open.focus(); } }, "Không rút"),
      onsubmit: async (values) => {
        try {
          await api.post(`${path}/withdraw`, { reason: values.reason || null });
        } catch (err) {
          throw vnError(err);
        }
        toast(`Đã rút hồ sơ ${d.code}.`);
        ctx.refresh();
      },
    });
    el.querySelector(".btn.primary").classList.add("danger");
    clear(box, el);
    el.querySelector("textarea").focus();
  });
  return section("Rút hồ sơ", h("p", {}, "Bạn có thể rút hồ sơ khi hồ sơ chưa có kết quả."), h("div", { class: "btn-row" }, open), box);
}

export function ratingSection({ d, path }) {
  if (!FINISHED.has(d.status_code)) return null;
  const box = h("div", {});
  if (d.rated_at) {
    box.append(h("p", { class: "loading" }, "Đang tải đánh giá…"));
    api.get(`${path}/rating`).then((r) => clear(box, ratingView(r)))
      .catch(() => clear(box, ratingForm(d, path, box)));
  } else {
    box.append(ratingForm(d, path, box));
  }
  return section("Đánh giá mức độ hài lòng", box);
}

function scoreGroup(key, label, required) {
  return h("fieldset", { class: "ct-stars full" },
    h("legend", {}, label, required ? h("span", { class: "req", "aria-hidden": "true" }, " *") : h("span", { class: "hint" }, " (nếu bạn đã gửi góp ý)")),
    h("div", { class: "ct-star-row" },
      !required ? h("label", { class: "ct-star" }, h("input", { type: "radio", name: key, value: "", checked: true }), h("span", {}, "Không đánh giá")) : null,
      [1, 2, 3, 4, 5].map((n) => h("label", { class: "ct-star" },
        h("input", { type: "radio", name: key, value: String(n), required }),
        h("span", {}, h("span", { class: "ct-star-icons", "aria-hidden": "true" }, "★".repeat(n)), ` ${n} – ${SCORES[n]}`)))));
}

function ratingForm(d, path, box) {
  return form({
    cls: "wide",
    submit: "Gửi đánh giá",
    fields: [
      h("p", { class: "full" }, "Chọn mức độ hài lòng của bạn cho từng nội dung (1: rất không hài lòng – 5: rất hài lòng)."),
      CATEGORIES.map(([key, label, required]) => scoreGroup(key, label, required)),
      h("div", { class: "full" }, field({ label: "Góp ý (không bắt buộc)", name: "comment", type: "textarea", attrs: { maxlength: 2000 } })),
    ],
    onsubmit: async (values, formEl) => {
      // Radio buttons: only the checked one counts (FormData knows, formValues does not).
      const chosen = new FormData(formEl);
      const scores = {};
      for (const [key] of CATEGORIES) if (chosen.get(key)) scores[key] = Number(chosen.get(key));
      let rating;
      try {
        rating = await api.post(`${path}/rating`, { scores, comment: values.comment || null });
      } catch (err) {
        if (err.problem?.code === "already_rated") { // rated meanwhile, in another tab
          rating = await api.get(`${path}/rating`);
        } else {
          throw vnError(err, Object.fromEntries(CATEGORIES.map(([k, l]) => [k, l])));
        }
      }
      toast("Cảm ơn bạn đã đánh giá.");
      clear(box, ratingView(rating));
      box.querySelector("[tabindex]")?.focus();
    },
  });
}

function ratingView(r) {
  return h("div", {},
    h("div", { class: "notice tone-ok", role: "status", tabindex: "-1" },
      h("strong", {}, "Bạn đã đánh giá hồ sơ này"),
      h("p", {}, `Điểm trung bình ${String(r.average.toFixed(1)).replace(".", ",")}/5 – ${r.satisfied ? "Hài lòng" : "Chưa hài lòng"}.`)),
    facts([
      ...CATEGORIES.filter(([key]) => r.scores[key]).map(([key, label]) => [label, `${r.scores[key]}/5 – ${r.labels[key] || SCORES[r.scores[key]]}`]),
      r.comment ? ["Góp ý", r.comment] : null,
      ["Thời gian đánh giá", fmtDateTime(r.rated_at)],
    ]));
}
