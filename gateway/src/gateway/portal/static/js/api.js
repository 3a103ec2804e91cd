// The REST API through the gateway (same origin). Every error answer is RFC 9457
// problem+json: it is thrown as an ApiError carrying that problem for the screens to show.

import { accessToken, forget, login } from "./auth.js";

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

function url(path, params) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params || {})) {
    if (value == null || value === "") continue;
    for (const v of Array.isArray(value) ? value : [value]) query.append(key, v);
  }
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

async function send(method, path, { params, json, body, headers = {}, auth = true } = {}) {
  const init = { method, headers: { Accept: "application/json, application/problem+json", ...headers } };
  if (json !== undefined) {
    init.body = JSON.stringify(json);
    init.headers["Content-Type"] = "application/json";
  } else if (body !== undefined) {
    init.body = body;
  }
  let token = auth ? await accessToken() : null;
  for (let attempt = 0; ; attempt++) {
    if (token) init.headers.Authorization = `Bearer ${token}`;
    const answer = await fetch(url(path, params), init);
    if (answer.status === 401 && token && attempt === 0) {
      token = await accessToken({ forceRefresh: true });
      if (token) continue;
      forget();
      await login();
    }
    if (!answer.ok) throw await toError(answer);
    return answer;
  }
}

async function toError(answer) {
  let problem;
  try {
    problem = await answer.json();
  } catch {
    problem = {};
  }
  problem.title ||= answer.status >= 500 ? "Hệ thống đang bận" : "Không thực hiện được";
  if (answer.status >= 500 && !problem.detail) problem.detail = "Vui lòng thử lại sau ít phút.";
  return new ApiError(answer.status, problem);
}

async function json(answer) {
  return answer.status === 204 ? null : answer.json();
}

export const api = {
  get: async (path, params, options) => json(await send("GET", path, { params, ...options })),
  post: async (path, body, options) => json(await send("POST", path, { json: body ?? {}, ...options })),
  put: async (path, body, options) => json(await send("PUT", path, { json: body ?? {}, ...options })),
  patch: async (path, body, options) => json(await send("PATCH", path, { json: body ?? {}, ...options })),
  delete: async (path, options) => json(await send("DELETE", path, options)),
  /** multipart/form-data (attachments, PDF uploads): the browser sets the boundary. */
  upload: async (path, formData, options) => json(await send("POST", path, { body: formData, ...options })),
  /** A file answer: the blob and the name the server gives in Content-Disposition. */
  download: async (path, params, options) => {
    const answer = await send("GET", path, { params, ...options, headers: { Accept: "*/*" } });
    return { blob: await answer.blob(), filename: filenameOf(answer), headers: answer.headers };
  },
  /** The whole answer, for headers such as Location or X-Signature. */
  raw: send,
};

function filenameOf(answer) {
  const disposition = answer.headers.get("Content-Disposition") || "";
  const star = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
  if (star) return decodeURIComponent(star[1]);
  const plain = /filename="?([^";]+)"?/i.exec(disposition);
  return plain ? plain[1] : "tai-lieu";
}

/** An Idempotency-Key for one submission attempt (kept across retries of the same form). */
export function idempotencyKey() {
  return crypto.randomUUID();
}
