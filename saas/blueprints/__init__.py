"""HTTP layer: one package per area with thin views and their forms."""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter, Map

MAX_ID = 2**63 - 1  # ids are BIGINT: a larger number names no row, and the database refuses it


class IdConverter(IntegerConverter):
    """``<int:...>`` in every route stops at the largest BIGINT: beyond it is a 404, not an
    error from the database."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def register_all(app: Flask) -> None:
    app.url_map.converters["int"] = IdConverter
    from saas.blueprints.admin import verification  # noqa: F401 - registers its routes on bp
    from saas.blueprints.admin.views import bp as admin_bp
    from saas.blueprints.auth.views import bp as auth_bp
    from saas.blueprints.members import (  # noqa: F401 - these register their routes on bp
        interest,
        savings,
        statement,
        transfer,
    )
    from saas.blueprints.members.bills import bp as bills_bp
    from saas.blueprints.members.views import bp as members_bp
    from saas.blueprints.national.views import bp as national_bp
    from saas.blueprints.officer.views import bp as officer_bp
    from saas.blueprints.profile import (  # noqa: F401 - these register their routes on bp
        content,
        documents,
    )
    from saas.blueprints.profile.views import bp as profile_bp
    from saas.blueprints.registration.views import bp as registration_bp
    from saas.blueprints.reports import (  # noqa: F401 - these register their routes on bp
        books,
        chart,
        journal,
        ledger,
        publish,
        shu,
    )
    from saas.blueprints.reports.views import bp as reports_bp
    from saas.blueprints.site import microsite  # noqa: F401 - registers its routes on bp
    from saas.blueprints.site.views import bp as site_bp

    for blueprint in (
        site_bp,
        auth_bp,
        officer_bp,
        profile_bp,
        members_bp,
        bills_bp,
        reports_bp,
        admin_bp,
        registration_bp,
        national_bp,
    ):
        app.register_blueprint(blueprint)
