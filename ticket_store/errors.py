"""Errors with a status code, and the one JSON shape every error is answered with."""
from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, current_app, jsonify
from werkzeug.exceptions import HTTPException

from .db import STORAGE_FULL, DatabaseFailed, StorageFull, is_invalidated

log = logging.getLogger(__name__)


class ApiError(Exception):
    """An error the API answers with its status code and a sentence a person understands."""

    status = 500

    def __init__(self, error: str, details: list[dict[str, Any]] | None = None, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.details = details or []
        self.extra = extra

    def body(self) -> dict[str, Any]:
        """Return the SPEC's error body."""
        return {"status": self.status, "error": self.error, "details": self.details, **self.extra}


class BadRequest(ApiError):
    status = 400


class Unauthorized(ApiError):
    status = 401


class Forbidden(ApiError):
    status = 403


class NotFound(ApiError):
    status = 404


class Conflict(ApiError):
    status = 409


class PreconditionFailed(ApiError):
    status = 412


class PayloadTooLarge(ApiError):
    status = 413


class UnsupportedMediaType(ApiError):
    status = 415


class InvalidInput(ApiError):
    status = 422


class PreconditionRequired(ApiError):
    status = 428


class ServiceUnavailable(ApiError):
    status = 503


class InsufficientStorage(ApiError):
    status = 507


HTTP_SENTENCES = {
    400: "The request could not be understood.",
    404: "There is nothing at this address.",
    405: "This address does not accept that method.",
    413: "The request body is larger than this endpoint accepts (1 MiB; imports take up to 512 MiB).",
    415: "The request body has a content type this endpoint does not accept.",
}


def error_response(error: ApiError) -> Response:
    """Return the JSON response for *error*."""
    response = jsonify(error.body())
    response.status_code = error.status
    if error.status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="campus-helpdesk"'
    return response


def register_error_handlers(app: Flask) -> None:
    """Answer every error, expected or not, with the SPEC's JSON shape."""

    @app.errorhandler(ApiError)
    def api_error(error: ApiError) -> Response:
        return error_response(error)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        status = error.code or 500
        sentence = HTTP_SENTENCES.get(status, error.description or "The request failed.")
        response = error_response(type("HttpError", (ApiError,), {"status": status})(sentence))
        if status == 405 and error.valid_methods:
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    @app.errorhandler(StorageFull)
    def storage_full(error: StorageFull) -> Response:
        log.warning("write refused: %s", error.__cause__ or error)
        return error_response(InsufficientStorage(STORAGE_FULL))

    @app.errorhandler(DatabaseFailed)
    def database_failed(error: DatabaseFailed) -> Response:
        log.error("%s", error)
        return error_response(ServiceUnavailable(str(error)))

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Response:
        if is_invalidated(error):  # a reader met the database DuckDB gave up on: reopen it for the next request
            log.error("the database stopped working: %s", error)
            try:
                current_app.extensions["ticket_store"].db.recover()
            except Exception:
                pass
            return error_response(ServiceUnavailable(
                "The ticket database stopped working and was reopened; nothing was changed, please try again."))
        log.exception("unexpected error while answering a request")
        return error_response(ApiError("The ticket store hit an unexpected problem; nothing was changed."))
