"""Structured JSON logs with request id and tenant slug; NIKs and secrets never reach a log."""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from typing import Any

from flask import Flask, g, has_request_context, request
from werkzeug.wrappers import Response

REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
# A NIK is 16 digits; any 16-digit run is masked to its first 6 (the region) and last 2.
NIK_RE = re.compile(r"(?<!\d)(\d{6})\d{8}(\d{2})(?!\d)")
SECRET_RE = re.compile(
    r"(?i)(password|sandi|token|secret|csrf_token)(['\"]?\s*[:=]\s*['\"]?)[^'\"&\s,}]+"
)

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


def redact(text: str) -> str:
    text = NIK_RE.sub(r"\1********\2", text)
    return SECRET_RE.sub(r"\1\2[redacted]", text)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, tenant, extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + "Z",
            "level": record.levelname,
            "logger": record.name,
            "msg": redact(record.getMessage()),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = redact(value) if isinstance(value, str) else value
        if record.exc_info:
            entry["exc"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, default=str, ensure_ascii=False)


class RequestContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context() and not hasattr(record, "request_id"):
            record.request_id = g.get("request_id", "-")
            tenant = g.get("tenant")
            record.tenant = tenant.slug if tenant is not None else None
        return True


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestContextFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for chatty in ("alembic", "pgserver"):  # per-step notes that drown the request log
        logging.getLogger(chatty).setLevel(logging.WARNING)


def assign_request_id() -> None:
    """before_request: reuse a well-formed X-Request-ID from the proxy, else make one."""
    incoming = request.headers.get("X-Request-ID", "")
    g.request_id = incoming if REQUEST_ID_RE.fullmatch(incoming) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def log_request(response: Response) -> Response:
    response.headers["X-Request-ID"] = g.get("request_id", "")
    started = g.get("request_started")
    # A public page served whole from the page cache, or answered 304, is the proxy's access
    # log's business: writing a JSON line for each was a tenth of such a request's cost.
    if started is not None and not g.get("kept_page_served"):
        logging.getLogger("saas.request").info(
            "request",
            extra={
                "method": request.method,
                # The route pattern, not the path: paths and queries may carry tokens.
                "route": request.url_rule.rule if request.url_rule else request.path,
                "status": response.status_code,
                "ms": round((time.perf_counter() - started) * 1000, 1),
                "request_id": g.get("request_id"),
                "tenant": g.tenant.slug if g.get("tenant") is not None else None,
            },
        )
    return response


def init_observability(app: Flask, *, configure: bool = True) -> None:
    if configure:
        configure_logging()
    app.before_request(assign_request_id)
    app.after_request(log_request)
