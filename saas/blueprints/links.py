"""Links from one host to another: the platform site to a cooperative's own subdomain."""

from __future__ import annotations

from flask import current_app, request


def tenant_base_url(slug: str) -> str:
    """``http://<slug>.<BASE_DOMAIN>[:port]``, on the scheme and port this request came on."""
    settings = current_app.extensions["guyub.settings"]
    port = request.host.rpartition(":")[2] if ":" in request.host else ""
    return f"{request.scheme}://{slug}.{settings.base_domain}" + (f":{port}" if port else "")
