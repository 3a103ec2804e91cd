// The portal's shell: sign-in callback, the header and menu by role, and a hash router
// ("#/thu-tuc?q=…") that renders one screen module's route into <main>.

import { api } from "./api.js";
import * as auth from "./auth.js";
import { clear, h, problemBox } from "./ui.js";
import * as publicScreens from "./screens/public.js";
import * as citizen from "./screens/citizen.js";
import * as officer from "./screens/officer.js";
import * as documents from "./screens/documents.js";
import * as dashboard from "./screens/dashboard.js";

const MODULES = [publicScreens, citizen, officer, documents, dashboard];
const ROUTES = MODULES.flatMap((m) => m.routes || []).map((route) => ({
  ...route, pattern: compile(route.path),
}));
const main = document.getElementById("main");
let renderCount = 0;

function compile(path) {
  const names = [];
  const source = path.replace(/:([a-zA-Z]+)/g, (_, name) => { names.push(name); return "([^/]+)"; });
  return { regex: new RegExp(`^${source}/?$`), names };
}

function parseHash() {
  const raw = location.hash.replace(/^#/, "") || "/";
  const [path, search = ""] = raw.split("?");
  return { path, query: Object.fromEntries(new URLSearchParams(search)) };
}

function match(path) {
  for (const route of ROUTES) {
    const found = route.pattern.regex.exec(path);
    if (found) {
      const params = {};
      route.pattern.names.forEach((name, i) => { params[name] = decodeURIComponent(found[i + 1]); });
      return { route, params };
    }
  }
  return null;
}

/** Who may open a route: "public", "signed-in", "citizen", "official", or a list of roles. */
function allowed(access) {
  if (!access || access === "public") return true;
  if (!auth.signedIn()) return false;
  if (access === "signed-in") return true;
  if (access === "citizen") return auth.isCitizen();
  if (access === "official") return auth.isOfficial();
  return auth.hasRole(...access);
}

export function navigate(hash) {
  if (location.hash === hash) render();
  else location.hash = hash;
}

async function render() {
  const mine = ++renderCount;
  const { path, query } = parseHash();
  const found = match(path);
  renderMenu(path);
  if (!found) {
    show(mine, "Không tìm thấy trang", publicScreens.notFound());
    return;
  }
  const { route, params } = found;
  if (!allowed(route.access)) {
    if (!auth.signedIn()) {
      await auth.login(location.hash || "#/");
      return;
    }
    show(mine, "Không có quyền", publicScreens.forbidden());
    return;
  }
  main.setAttribute("aria-busy", "true");
  try {
    const ctx = { params, query, navigate, refresh: render, me: auth.currentUser() };
    const node = await route.render(ctx);
    show(mine, typeof route.title === "function" ? route.title(ctx) : route.title, node);
  } catch (err) {
    console.warn("screen failed", err);
    show(mine, "Không thực hiện được", h("div", {}, h("h1", {}, "Không thực hiện được"), problemBox(err)));
  } finally {
    if (mine === renderCount) main.removeAttribute("aria-busy");
  }
}

function show(mine, title, node) {
  if (mine !== renderCount) return; // a later navigation won
  clear(main, node);
  document.title = `${title} · Cổng dịch vụ công tỉnh Thanh Hóa`;
  if (document.activeElement && document.activeElement !== document.body && !main.contains(document.activeElement)) {
    main.focus({ preventScroll: true });
  }
  window.scrollTo(0, 0);
}

function renderMenu(path) {
  const items = MODULES.flatMap((m) => m.menu || []).filter((item) => allowed(item.access));
  const list = h("ul", {}, items.map((item) => {
    // `match`: the route prefixes an entry stands for (default: its own href).
    const prefixes = item.match || [item.href.slice(1).split("?")[0]];
    const current = prefixes.some((p) => path === p || (p !== "/" && path.startsWith(p + "/")));
    return h("li", {}, h("a", { href: item.href, "aria-current": current ? "page" : null }, item.label));
  }));
  clear(document.querySelector("#nav .wrap"), list);
}

function renderAccount() {
  const box = document.getElementById("account");
  const me = auth.currentUser();
  if (!me) {
    clear(box,
      h("a", { href: "#/dang-ky", class: "btn ghost" }, "Đăng ký"),
      h("button", { type: "button", class: "btn primary", onclick: () => auth.login() }, "Đăng nhập"));
    return;
  }
  clear(box,
    h("span", { class: "who" }, h("strong", {}, me.full_name || me.username),
      h("small", {}, roleLabel(me))),
    h("button", { type: "button", class: "btn ghost", onclick: () => auth.logout() }, "Đăng xuất"));
}

const ROLE_NAMES = {
  admin: "Quản trị hệ thống", one_stop_officer: "Cán bộ một cửa", processing_officer: "Chuyên viên xử lý",
  leader: "Lãnh đạo", clerk: "Văn thư", reporting_officer: "Cán bộ báo cáo",
};

function roleLabel(me) {
  if (me.kind === "citizen") return "Công dân";
  if (me.kind === "business") return "Doanh nghiệp";
  const roles = (me.roles || []).map((r) => ROLE_NAMES[r] || r).join(", ");
  return me.agency_id ? `${roles} · ${me.agency_id}` : roles;
}

async function start() {
  try {
    const next = await auth.completeLogin();
    if (next) location.hash = next;
  } catch (err) {
    clear(main, h("h1", {}, "Chưa đăng nhập"), problemBox(err));
  }
  if (auth.signedIn()) {
    try {
      auth.setMe(await api.get("/api/v1/me"));
    } catch (err) {
      auth.forget();
    }
  }
  renderAccount();
  window.addEventListener("hashchange", render);
  await render();
}

start();
