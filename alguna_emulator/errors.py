"""The API's error wire format: ``{"status": <int>, "detail": "<message>"}``.

Owns ApiError (what handlers raise), the mapping of FastAPI/Starlette errors onto the wire
format (query/header problems and malformed JSON are 400, body validation is 422), the
OpenAPI description of error responses, and the rule for which statuses are transient.
Must not decide *when* a request is wrong: resources and pipeline stages do that.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException


class ErrorBody(BaseModel):
    """Every error response body."""

    status: int
    detail: str


class ApiError(Exception):
    """Raise to answer with an error status and a human-readable detail."""

    def __init__(self, status: int, detail: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = dict(headers or {})


def not_found(kind: str, ref: str) -> ApiError:
    """The 404 for a path that names an object the account does not have."""
    return ApiError(404, f"{kind} {ref} not found")


def error_response(
    status: int, detail: str, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    """A response in the API's error format."""
    return JSONResponse({"status": status, "detail": detail}, status_code=status, headers=headers)


def is_transient(status: int) -> bool:
    """5xx and 429 are safe to retry with the same Idempotency-Key (alguna-api.md §1.2a)."""
    return status == 429 or status >= 500


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody, "description": text}
    for code, text in (
        (400, "Bad request (malformed JSON, bad query or header)"),
        (401, "Missing or empty bearer API key"),
        (404, "Not found"),
        (409, "Conflict (state, in-flight idempotency key, stale source version)"),
        (422, "Validation failed"),
        (429, "Rate limited; see Retry-After"),
        (500, "Internal error"),
    )
}


def union_branch(name: str) -> str:
    """The tag of one branch of a discriminated union; error locations leave it out."""
    return f"<{name}>"


def _is_branch(part: object) -> bool:
    return isinstance(part, str) and part.startswith("<") and part.endswith(">")


def error_location(loc: Sequence[Any]) -> str:
    """``("body", "items", 0, "<product>", "price")`` -> ``items[0].price``."""
    text = ""
    for index, part in enumerate(loc):
        if (index == 0 and part == "body") or _is_branch(part):
            continue
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def validation_detail(errors: Sequence[Any]) -> str:
    """One readable line for a list of pydantic errors (first five)."""
    parts = []
    for err in errors[:5]:
        loc = error_location(tuple(err.get("loc", ())))
        msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        parts.append(f"{loc}: {msg}" if loc else msg)
    more = "" if len(errors) <= 5 else f" (and {len(errors) - 5} more)"
    return "Validation failed: " + "; ".join(parts) + more


def _validation_status(errors: Sequence[Any]) -> int:
    for err in errors:
        loc = tuple(err.get("loc", ()))
        if err.get("type") == "json_invalid" or (loc and loc[0] in ("query", "header", "path")):
            return 400
        if loc == ("body",) and err.get("type") in ("missing", "model_attributes_type"):
            return 400
    return 422


async def _on_api_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.detail, exc.headers)


async def _on_validation(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    return error_response(_validation_status(errors), validation_detail(errors))


async def _on_http(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    return error_response(exc.status_code, str(exc.detail), exc.headers)


def install_error_handlers(app: FastAPI) -> None:
    """Make every error the app produces come out as ``{status, detail}``."""
    app.add_exception_handler(ApiError, _on_api_error)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
