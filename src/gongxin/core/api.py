"""The JSON API at /api/v1 (django-ninja): one instance, errors in one shape.

Errors are ``{"error": {"code", "message", "field"}}`` with a translated message
(DESIGN.md convention 6)."""

from __future__ import annotations

import logging

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, ValidationError

logger = logging.getLogger(__name__)


class ErrorBody(Schema):
    code: str
    message: str
    field: str | None = None


class ErrorOut(Schema):
    error: ErrorBody


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, field: str | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field


api = NinjaAPI(
    title="Gongxin API",
    version="1",
    description="Public registry of social organizations, and the platform's services.",
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def error_response(request, status: int, code: str, message: str, field: str | None = None):
    return api.create_response(request, {"error": {"code": code, "message": message, "field": field}}, status=status)


@api.exception_handler(ApiError)
def _api_error(request, exc: ApiError):
    return error_response(request, exc.status, exc.code, exc.message, exc.field)


@api.exception_handler(ValidationError)
def _validation_error(request, exc: ValidationError):
    first = exc.errors[0] if exc.errors else {}
    loc = [str(p) for p in first.get("loc", []) if p not in ("query", "path", "body", "params")]
    field = ".".join(loc) or None
    # pydantic's own text is English only; say it in the user's language, with the field.
    message = _("Invalid value for “%(field)s”.") % {"field": field} if field else _("Invalid input.")
    return error_response(request, 422, "invalid", message, field)


@api.exception_handler(Http404)
def _not_found(request, exc: Http404):
    return error_response(request, 404, "not_found", str(exc) or _("Not found."))


@api.exception_handler(Exception)
def _unexpected(request, exc: Exception):
    # Clients get the one error shape even for a bug; the traceback goes to the log.
    logger.exception("Unhandled API error on %s", request.path)
    return error_response(request, 500, "server_error", _("Something went wrong on our side; it has been logged."))


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return error_response(request, 401, "unauthenticated", _("Sign in to use this endpoint."))


def register_routers() -> None:
    from gongxin.credit.api import router as credit_router
    from gongxin.procurement.api import router as procurement_router
    from gongxin.registry.api import router as registry_router

    api.add_router("/", registry_router)
    api.add_router("/credit/", credit_router)
    api.add_router("/", procurement_router)  # /ocds/… (OCDS) and /procurement/…


register_routers()
