"""One error family, rendered once as RFC 9457 problem+json with a stable code."""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "urn:vn-egov:problem:"  # + the stable code; a URN: no page to fetch

log = structlog.get_logger("egov.errors")


class AppError(Exception):
    """An error a client may see: HTTP status, stable machine code, human message."""

    status: int = 400
    code: str = "bad_request"
    title: str = "Bad request"

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        status: int | None = None,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.message = message or self.title
        self.headers = headers or {}  # e.g. Retry-After
        if code:
            self.code = code
        if status:
            self.status = status
        self.extra = extra or {}
        super().__init__(self.message)


class BadRequest(AppError):
    status, code, title = 400, "bad_request", "Bad request"


class Unauthorized(AppError):
    status, code, title = 401, "unauthorized", "Authentication required"


class Forbidden(AppError):
    status, code, title = 403, "forbidden", "Not allowed"


class NotFound(AppError):
    status, code, title = 404, "not_found", "Not found"


class Conflict(AppError):
    status, code, title = 409, "conflict", "Conflict with the current state"


class PayloadTooLarge(AppError):
    status, code, title = 413, "payload_too_large", "Request body too large"


class ValidationFailed(AppError):
    status, code, title = 422, "validation_failed", "Validation failed"


class TooManyRequests(AppError):
    status, code, title = 429, "rate_limited", "Too many requests"


class ServiceUnavailable(AppError):
    status, code, title = 503, "service_unavailable", "Service unavailable"


def problem(
    status: int, code: str, title: str, detail: str, request: Request | None = None,
    **extra: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + code,
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
    }
    if request is not None:
        body["instance"] = request.url.path
        request_id = getattr(request.state, "request_id", None)
        if request_id:
            body["request_id"] = request_id
    body.update(extra)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status", "code"],
    "properties": {
        "type": {"type": "string"}, "title": {"type": "string"},
        "status": {"type": "integer"}, "detail": {"type": "string"},
        "code": {"type": "string"}, "instance": {"type": "string"},
        "request_id": {"type": "string"},
    },
}

_HTTP_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 406: "not_acceptable", 409: "conflict",
    413: "payload_too_large", 415: "unsupported_media_type", 429: "too_many_requests",
}


def _field_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    out = []
    for err in exc.errors():
        out.append({
            "loc": [str(p) for p in err.get("loc", ())],
            "msg": str(err.get("msg", "")),
            "type": str(err.get("type", "")),
        })
    return out


def install_error_handlers(app: FastAPI) -> None:
    """Every error leaves as problem+json; nothing internal reaches the client."""

    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError) -> JSONResponse:
        response = problem(exc.status, exc.code, exc.title, exc.message, request, **exc.extra)
        response.headers.update(exc.headers)
        return response

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        return problem(
            422, "validation_failed", "Validation failed",
            "The request does not match the expected schema.", request,
            errors=_field_errors(exc),
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        return problem(exc.status_code, code, code.replace("_", " ").capitalize(),
                       str(exc.detail), request)

    @app.exception_handler(DBAPIError)
    async def _database(request: Request, exc: DBAPIError) -> JSONResponse:
        # A connection the database dropped (a restart, a failover): the pool has recycled
        # every connection older than this one, so a retry gets a fresh one. So is a new
        # connection refused while the server shuts down or starts (SQLSTATE 08…, 57P…).
        # Anything else from the database is a bug, as any other unexpected error.
        state = str(getattr(exc.orig, "sqlstate", None) or "")
        if not (exc.connection_invalidated or state.startswith(("08", "57P"))):
            return await _unexpected(request, exc)
        return _database_unavailable(request, exc.orig)

    @app.exception_handler(ConnectionError)
    async def _refused(request: Request, exc: ConnectionError) -> JSONResponse:
        # A new database connection refused or reset: the server is stopped or restarting.
        return _database_unavailable(request, exc)

    def _database_unavailable(request: Request, error: BaseException | None) -> JSONResponse:
        log.warning("database_connection_lost", path=request.url.path,
                    error=type(error).__name__)
        response = problem(503, "database_unavailable", "Database unavailable",
                           "The database connection was lost; try again.", request)
        response.headers["Retry-After"] = "1"
        return response

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled_error", path=request.url.path)
        return problem(500, "internal_error", "Internal error",
                       "An unexpected error occurred; it has been logged.", request)


def problem_responses(*errors: type[AppError]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for the errors an endpoint may raise."""
    out: dict[int | str, dict[str, Any]] = {}
    for err in errors:
        out[err.status] = {
            "description": f"{err.title} (`{err.code}` or a more specific code)",
            "content": {PROBLEM_JSON: {"schema": PROBLEM_SCHEMA}},
        }
    return out


_VALIDATION_SCHEMA: dict[str, Any] = {
    **PROBLEM_SCHEMA,
    "properties": {**PROBLEM_SCHEMA["properties"], "errors": {"type": "array", "items": {
        "type": "object", "properties": {"loc": {"type": "array", "items": {"type": "string"}},
                                         "msg": {"type": "string"}, "type": {"type": "string"}}}}},
}
_FRAMEWORK_ERRORS: dict[str, tuple[str, dict[str, Any]]] = {
    # Any operation with a body: bytes that are not JSON at all (not UTF-8, say), or too many.
    "400": ("The body could not be read (`bad_request`)", PROBLEM_SCHEMA),
    "413": ("Request body too large (`payload_too_large`)", PROBLEM_SCHEMA),
}


def document_framework_errors(document: dict[str, Any]) -> dict[str, Any]:
    """What the framework and the request guard answer on their own, as they answer it: every
    422 as problem+json (not FastAPI's ``HTTPValidationError``), and 400/413 for any operation
    that takes a body. Changes ``document`` in place and returns it."""
    for item in document.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            if "422" in responses:
                responses["422"] = {"description": "Validation failed (`validation_failed`)",
                                    "content": {PROBLEM_JSON: {"schema": _VALIDATION_SCHEMA}}}
            if "requestBody" in operation:
                for status, (description, schema) in _FRAMEWORK_ERRORS.items():
                    responses.setdefault(status, {"description": description,
                                                  "content": {PROBLEM_JSON: {"schema": schema}}})
    return document
