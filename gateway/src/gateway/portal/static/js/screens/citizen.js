// The citizen's screens: registration, the procedure catalogue, online submission, and
// "Hồ sơ của tôi" (follow a dossier, supplement, withdraw, pay the fee, receipt, result, rating).

import { api } from "../api.js";
import * as auth from "../auth.js";
import { busy, clear, field, h, notice, pageHeader, problemBox, section } from "../ui.js";
import { catalogue, procedureDetail } from "./citizen-catalogue.js";
import { submitDossier } from "./citizen-submit.js";
import { myDossiers } from "./citizen-dossiers.js";
import { routes as accessRoutes } from "./citizen-access.js";
import { dossierDetail } from "./citizen-detail.js";
import { PAYMENT_KEY } from "./citizen-payment.js";
import { vnError } from "./citizen-common.js";

export const menu = [
  { href: "#/thu-tuc", label: "Thủ tục", access: "public" },
  { href: "#/ho-so-cua-toi", label: "Hồ sơ của tôi", access: "citizen" },
];

export const routes = [
  { path: "/dang-ky", title: "Đăng ký tài khoản", access: "public", render: register },
  { path: "/thu-tuc", title: "Thủ tục hành chính", access: "public", render: catalogue },
  { path: "/thu-tuc/:code", title: (ctx) => `Thủ tục ${ctx.params.code}`, access: "public",
    render: procedureDetail },
  { path: "/nop-ho-so/:code", title: "Nộp hồ sơ trực tuyến", access: "citizen",
    render: submitDossier },
  { path: "/ho-so-cua-toi", title: "Hồ sơ của tôi", access: "citizen", render: myDossiers },
  ...accessRoutes, // before "/ho-so-cua-toi/:code": "truy-cap" is not a dossier's code
  { path: "/ho-so-cua-toi/:code", title: (ctx) => `Hồ sơ ${ctx.params.code}`, access: "citizen",
    render: dossierDetail },
];

// Back from the payment platform: it sends the browser to the portal's root with
// ?MaThamChieu=…&MaLoi=…; show the dossier the payment was for (this runs before the router).
(function paymentReturn() {
  const query = new URLSearchParams(location.search);
  const reference = query.get("MaThamChieu");
  if (!reference) return;
  let pending = null;
  try {
    pending = JSON.parse(sessionStorage.getItem(PAYMENT_KEY) || "null");
  } catch {
    pending = null;
  }
  sessionStorage.removeItem(PAYMENT_KEY);
  // The reference is the dossier's code and a random suffix.
  const dossier = pending?.reference === reference ? pending.dossier
    : reference.replace(/-[0-9A-F]{8}$/, "");
  const outcome = query.get("MaLoi") === "00" ? "da-thanh-toan" : "chua-thanh-toan";
  history.replaceState(null, "",
    `/#/ho-so-cua-toi/${encodeURIComponent(dossier)}?thanh-toan=${outcome}&ma=${encodeURIComponent(reference)}`);
})();

const LABELS = {
  id_number: "Số định danh cá nhân", full_name: "Họ và tên", date_of_birth: "Ngày sinh",
  sex: "Giới tính", phone: "Số điện thoại", email: "Thư điện tử", password: "Mật khẩu",
  password_confirm: "Nhập lại mật khẩu",
};

function register() {
  if (auth.signedIn()) {
    return h("div", {}, pageHeader("Đăng ký tài khoản"),
      notice("Bạn đang đăng nhập. Hãy đăng xuất trước khi đăng ký một tài khoản khác.", "warn"),
      h("a", { href: "#/" }, "Về trang chủ"));
  }
  const box = h("div", {});
  const errors = h("div", { class: "form-errors" });
  const button = h("button", { type: "submit", class: "btn primary" }, "Đăng ký");
  const fields = [
    field({ label: LABELS.id_number, name: "id_number", required: true,
      hint: "12 chữ số trên Căn cước công dân; dùng làm tên đăng nhập.",
      attrs: { inputmode: "numeric", autocomplete: "username", maxlength: 12, pattern: "[0-9]{12}" } }),
    field({ label: LABELS.full_name, name: "full_name", required: true,
      attrs: { autocomplete: "name", maxlength: 200 } }),
    field({ label: LABELS.date_of_birth, name: "date_of_birth", type: "date", required: true,
      attrs: { autocomplete: "bday" } }),
    field({ label: LABELS.sex, name: "sex", type: "select", required: true,
      options: [["", "— Chọn —"], ["male", "Nam"], ["female", "Nữ"]] }),
    field({ label: LABELS.phone, name: "phone", type: "tel",
      attrs: { autocomplete: "tel", inputmode: "tel", maxlength: 32 } }),
    field({ label: LABELS.email, name: "email", type: "email",
      attrs: { autocomplete: "email", maxlength: 254 } }),
    field({ label: LABELS.password, name: "password", type: "password", required: true,
      hint: "Ít nhất 8 ký tự, gồm cả chữ và số, không chứa số định danh.",
      attrs: { autocomplete: "new-password", maxlength: 128 } }),
    field({ label: LABELS.password_confirm, name: "password_confirm", type: "password",
      required: true, attrs: { autocomplete: "new-password", maxlength: 128 } }),
  ];
  const el = h("form", { class: "form wide", "aria-label": "Đăng ký tài khoản công dân" },
    errors, fields, h("div", { class: "actions" }, button));

  function fieldError(name, text) {
    const input = el.elements[name];
    if (!input) return false;
    const id = `${input.id}-error`;
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", [input.getAttribute("aria-describedby"), id].filter(Boolean).join(" "));
    input.closest(".field").append(h("small", { class: "field-error", id }, text));
    return true;
  }

  function clearErrors() {
    clear(errors);
    el.querySelectorAll(".field-error").forEach((e) => e.remove());
    el.querySelectorAll("[aria-invalid]").forEach((input) => {
      input.removeAttribute("aria-invalid");
      const ids = (input.getAttribute("aria-describedby") || "").split(" ").filter((x) => !x.endsWith("-error"));
      if (ids.length) input.setAttribute("aria-describedby", ids.join(" "));
      else input.removeAttribute("aria-describedby");
    });
  }

  el.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors();
    const v = Object.fromEntries(new FormData(el));
    if (v.password !== v.password_confirm) {
      fieldError("password_confirm", "Mật khẩu nhập lại không khớp.");
      clear(errors, h("div", { class: "notice tone-danger", role: "alert" }, "Mật khẩu nhập lại không khớp."));
      el.elements.password_confirm.focus();
      return;
    }
    const body = {
      id_number: v.id_number.trim(), full_name: v.full_name.trim(), date_of_birth: v.date_of_birth,
      sex: v.sex, password: v.password,
      phone: v.phone.trim() || null, email: v.email.trim() || null,
    };
    await busy(button, async () => {
      try {
        await api.post("/api/v1/citizens", body, { auth: false });
      } catch (err) {
        const p = err.problem || {};
        if (p.field) fieldError(p.field, p.detail);
        for (const e of p.errors || []) {
          const name = (e.loc || []).at(-1);
          if (LABELS[name]) fieldError(name, e.type === "missing" ? "Vui lòng nhập thông tin này." : `${LABELS[name]} không hợp lệ.`);
        }
        const shown = vnError(err, LABELS);
        clear(errors, problemBox(shown));
        (el.querySelector("[aria-invalid]") || errors.querySelector("[tabindex]"))?.focus();
        return;
      }
      clear(box, h("div", { class: "notice tone-ok", role: "status" },
        h("strong", {}, "Đăng ký thành công"),
        h("p", {}, `Tài khoản ${body.id_number} đã được tạo. Hãy đăng nhập bằng số định danh và mật khẩu vừa đặt để nộp hồ sơ trực tuyến.`)),
      h("div", { class: "btn-row" },
        h("button", { type: "button", class: "btn primary", onclick: () => auth.login("#/ho-so-cua-toi") }, "Đăng nhập")));
      box.querySelector("button").focus();
    });
  });
  clear(box, section("Thông tin tài khoản", el));
  return h("div", {}, pageHeader("Đăng ký tài khoản"),
    h("p", {}, "Tài khoản công dân dùng để nộp hồ sơ trực tuyến, theo dõi tiến độ, thanh toán lệ phí và nhận kết quả. Tài khoản tự đăng ký có mức định danh 1; một số thủ tục cần xác thực mức 2 tại bộ phận một cửa."),
    box);
}
