"""Keeping a cooperative's summary row current after its officers change something public."""

from __future__ import annotations

from flask import g, request
from werkzeug.wrappers import Response

from saas.dashboard.operations import refresh_tenant_summary
from saas.db import platform_db, tenant_db
from saas.microsite.queries import get_public_page


def refresh_summary_after_change(response: Response) -> Response:
    """after_request: a successful form post (302) refreshes the summary in the same request,
    so the microsite's numbers, the directory and the dashboard follow at once."""
    if request.method == "POST" and response.status_code == 302 and g.get("tenant") is not None:
        refresh_tenant_summary(platform_db(), g.tenant.id, get_public_page(tenant_db()))
        platform_db().commit()
    return response
