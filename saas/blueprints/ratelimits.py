"""Throttling of sign-in and password-reset requests, counted where every worker sees them.

Counters are keyed by the cooperative (never the Host header as typed) and the normalised
identifier, so neither another port nor another spelling of the same phone number starts afresh.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app, g, request
from flask_limiter.util import get_remote_address
from werkzeug.wrappers import Response

from saas.accounts.operations import normalise_login
from saas.extensions import limiter

F = TypeVar("F", bound=Callable[..., Any])

# Failures from one address across many accounts (password spraying) hit this wider ceiling.
ADDRESS_FAILURES_ALLOWED = "50 per 15 minutes"
# Each reset request sends an email: a few per account, and not many more from one address.
RESETS_PER_ACCOUNT = "3 per 15 minutes"
RESETS_PER_ADDRESS = "10 per hour"


def _site() -> str:
    tenant = g.get("tenant")
    return f"t{tenant.id}" if tenant is not None else "platform"


def _account(field: str) -> str:
    identifier = normalise_login((request.form.get(field) or "")[:254])
    return hashlib.sha256(identifier.encode()).hexdigest()[:24]


def _account_and_address() -> str:
    return f"login:{_site()}:{_account('identifier')}:{get_remote_address()}"


def _address() -> str:
    return f"login-address:{get_remote_address()}"


def _failed(_response: Response) -> bool:
    return bool(g.get("login_failed"))


def _allowed_failures() -> str:
    return str(current_app.extensions["guyub.settings"].login_failures_allowed)


# Each finished sign-up provisions a schema: a bot must not be able to make thousands.
SIGNUPS_ALLOWED = "5 per hour;20 per day"


def _made_a_cooperative(response: Response) -> bool:
    return response.status_code == 302 and "/masuk/lanjut/" in response.headers.get("Location", "")


def signup_limits(view: F) -> F:
    """Count finished sign-ups per address; failed or unfinished attempts cost nothing."""
    return limiter.limit(  # type: ignore[return-value]
        SIGNUPS_ALLOWED,
        key_func=lambda: f"signup:{get_remote_address()}",
        methods=["POST"],
        deduct_when=_made_a_cooperative,
    )(view)


def login_limits(view: F) -> F:
    """Refuse sign-in attempts once too many have failed; successes cost nothing."""
    per_account = limiter.limit(
        _allowed_failures, key_func=_account_and_address, methods=["POST"], deduct_when=_failed
    )
    per_address = limiter.limit(
        ADDRESS_FAILURES_ALLOWED, key_func=_address, methods=["POST"], deduct_when=_failed
    )
    return per_address(per_account(view))  # type: ignore[return-value]


def reset_request_limits(view: F) -> F:
    """Every request for a reset link counts, per account and per address."""
    per_account = limiter.limit(
        RESETS_PER_ACCOUNT,
        key_func=lambda: f"reset:{_site()}:{_account('email')}",
        methods=["POST"],
    )
    per_address = limiter.limit(
        RESETS_PER_ADDRESS,
        key_func=lambda: f"reset-address:{get_remote_address()}",
        methods=["POST"],
    )
    return per_address(per_account(view))  # type: ignore[return-value]
