"""Signed, expiring tokens for emailed links (password reset, invitations)."""

from __future__ import annotations

import hashlib
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer


class TokenInvalid(ValueError):
    """The link is malformed, tampered with, or for another purpose."""


class TokenExpired(ValueError):
    """The link was genuine but is too old."""


def password_fingerprint(password_hash: str | None, session_version: int) -> str:
    """Changes whenever the password or session version does, so a used reset link dies."""
    raw = f"{password_hash or ''}:{session_version}".encode()
    return hashlib.sha256(raw).hexdigest()[:16]


def make_token(secret_key: str, purpose: str, payload: dict[str, Any]) -> str:
    return URLSafeTimedSerializer(secret_key, salt=f"guyub.{purpose}").dumps(payload)


def read_token(secret_key: str, purpose: str, token: str, max_age_seconds: int) -> dict[str, Any]:
    serializer = URLSafeTimedSerializer(secret_key, salt=f"guyub.{purpose}")
    try:
        payload = serializer.loads(token, max_age=max_age_seconds)
    except SignatureExpired as exc:
        raise TokenExpired from exc
    except BadSignature as exc:
        raise TokenInvalid from exc
    if not isinstance(payload, dict):
        raise TokenInvalid
    return payload
