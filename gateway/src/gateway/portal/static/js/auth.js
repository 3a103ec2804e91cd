// Sign-in with the platform's OIDC provider: authorization code + PKCE (S256) for the public
// client "egov-portal". Tokens live in this tab's sessionStorage only (gone when the tab
// closes); the refresh token is rotated by the provider at every use.

export const CLIENT_ID = "egov-portal";
const TOKENS = "egov.tokens";
const PENDING = "egov.pkce";
const SCOPE = "openid profile";

let me = null; // the /api/v1/me answer of the signed-in person

function redirectUri() {
  return `${location.origin}/`;
}

function b64url(bytes) {
  return btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function randomString(size = 32) {
  return b64url(crypto.getRandomValues(new Uint8Array(size)));
}

export function tokens() {
  try {
    return JSON.parse(sessionStorage.getItem(TOKENS) || "null");
  } catch {
    return null;
  }
}

function storeTokens(answer) {
  const now = Date.now();
  const previous = tokens() || {};
  sessionStorage.setItem(TOKENS, JSON.stringify({
    access: answer.access_token,
    refresh: answer.refresh_token || previous.refresh || null,
    idToken: answer.id_token || previous.idToken || null,
    expiresAt: now + (Number(answer.expires_in) || 300) * 1000,
  }));
}

export function signedIn() {
  return Boolean(tokens()?.access);
}

/** Sends the browser to the provider's login page; `returnTo` is the screen to come back to. */
export async function login(returnTo = location.hash || "#/") {
  const verifier = randomString(48);
  const challenge = b64url(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
  const state = randomString(16);
  const nonce = randomString(16);
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state, nonce, returnTo }));
  const params = new URLSearchParams({
    response_type: "code", client_id: CLIENT_ID, redirect_uri: redirectUri(), scope: SCOPE,
    state, nonce, code_challenge: challenge, code_challenge_method: "S256",
  });
  location.assign(`/oauth2/authorize?${params}`);
}

async function tokenRequest(fields) {
  const answer = await fetch("/oauth2/token", {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
    body: new URLSearchParams({ client_id: CLIENT_ID, ...fields }),
  });
  const body = await answer.json().catch(() => ({}));
  if (!answer.ok) {
    const error = new Error(body.error_description || "Đăng nhập không thành công.");
    error.problem = { title: "Đăng nhập không thành công", detail: body.error_description || body.error, code: body.error };
    throw error;
  }
  return body;
}

/** On the redirect back from the provider: swap the code for tokens. Returns the screen
 * to show next, or null when this page load is not a sign-in callback. */
export async function completeLogin() {
  const query = new URLSearchParams(location.search);
  if (!query.has("code") && !query.has("error")) return null;
  const pending = JSON.parse(sessionStorage.getItem(PENDING) || "null");
  sessionStorage.removeItem(PENDING);
  history.replaceState(null, "", "/" + (pending?.returnTo || "#/"));
  if (query.has("error")) {
    const error = new Error(query.get("error_description") || "Đăng nhập bị hủy.");
    error.problem = { title: "Chưa đăng nhập", detail: query.get("error_description") || query.get("error") };
    throw error;
  }
  if (!pending || pending.state !== query.get("state")) {
    const error = new Error("Phiên đăng nhập không hợp lệ, vui lòng đăng nhập lại.");
    error.problem = { title: "Chưa đăng nhập", detail: error.message, code: "state_mismatch" };
    throw error;
  }
  storeTokens(await tokenRequest({
    grant_type: "authorization_code", code: query.get("code"), redirect_uri: redirectUri(),
    code_verifier: pending.verifier,
  }));
  return pending.returnTo || "#/";
}

let refreshing = null;

/** A fresh access token: the stored one, or one obtained with the refresh token. */
export async function accessToken({ forceRefresh = false } = {}) {
  const current = tokens();
  if (!current) return null;
  if (!forceRefresh && current.expiresAt - Date.now() > 15000) return current.access;
  if (!current.refresh) return forceRefresh ? null : current.access;
  refreshing ||= tokenRequest({ grant_type: "refresh_token", refresh_token: current.refresh })
    .then((answer) => { storeTokens(answer); return answer.access_token; })
    .catch(() => { forget(); return null; })
    .finally(() => { refreshing = null; });
  return refreshing;
}

export function forget() {
  sessionStorage.removeItem(TOKENS);
  me = null;
}

/** Ends the provider's single sign-on session too, then comes back to the home screen. */
export function logout() {
  const idToken = tokens()?.idToken;
  forget();
  const params = new URLSearchParams({ client_id: CLIENT_ID, post_logout_redirect_uri: redirectUri() });
  if (idToken) params.set("id_token_hint", idToken);
  location.assign(`/oauth2/logout?${params}`);
}

export function setMe(value) {
  me = value;
}

export function currentUser() {
  return me;
}

export function hasRole(...roles) {
  return Boolean(me && (me.roles || []).some((r) => roles.includes(r)));
}

export function isCitizen() {
  return Boolean(me && (me.kind === "citizen" || me.kind === "business"));
}

export function isOfficial() {
  return Boolean(me && me.kind === "official");
}
