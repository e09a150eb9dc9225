"""Links from one host to another: the platform site to a cooperative's own subdomain."""

from __future__ import annotations

from flask import current_app, request

from saas.config import Settings


def tenant_base_url_for(settings: Settings, slug: str) -> str:
    """Outside a request (jobs, emails): the configured scheme and base domain, no port."""
    return f"{settings.preferred_scheme}://{slug}.{settings.base_domain}{settings.public_port}"


def tenant_base_url(slug: str) -> str:
    """``http://<slug>.<BASE_DOMAIN>[:port]``, on the scheme and port this request came on."""
    settings = current_app.extensions["guyub.settings"]
    port = request.host.rpartition(":")[2] if ":" in request.host else ""
    return f"{request.scheme}://{slug}.{settings.base_domain}" + (f":{port}" if port else "")
