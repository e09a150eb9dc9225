"""Absolute links: the platform site to a cooperative's own subdomain, and every link that leaves
the page (emails, QR codes, handoffs). They are built from the configured scheme, base domain and
public port, never from the request's Host header, which the client chose."""

from __future__ import annotations

from typing import Any

from flask import current_app

from saas.config import Settings
from saas.tenants.models import Tenant


def tenant_host(settings: Settings, slug: str) -> str:
    """A cooperative's canonical host: ``<slug>.<BASE_DOMAIN>[:PUBLIC_PORT]``."""
    return f"{slug}.{settings.base_domain}{settings.public_port}"


def tenant_base_url_for(settings: Settings, slug: str) -> str:
    """``<scheme>://<slug>.<BASE_DOMAIN>[:PUBLIC_PORT]``, inside a request or outside one."""
    return f"{settings.preferred_scheme}://{tenant_host(settings, slug)}"


def tenant_base_url(slug: str) -> str:
    """The cooperative's canonical base URL, from this app's settings."""
    return tenant_base_url_for(current_app.extensions["guyub.settings"], slug)


def external_url(tenant: Tenant | None, endpoint: str, **values: Any) -> str:
    """An absolute URL of ``endpoint`` on the cooperative's canonical host (or the platform's)."""
    settings: Settings = current_app.extensions["guyub.settings"]
    host = (
        tenant_host(settings, tenant.slug)
        if tenant is not None
        else f"{settings.base_domain}{settings.public_port}"
    )
    adapter = current_app.url_map.bind(host, url_scheme=settings.preferred_scheme)
    return adapter.build(endpoint, values, force_external=True)
