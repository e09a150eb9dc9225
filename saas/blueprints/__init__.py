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
    """Every area's blueprint. An area's package holds its routes; where they span several
    modules, its ``routes`` module loads them all onto the one ``bp`` it exposes."""
    app.url_map.converters["int"] = IdConverter
    from saas.blueprints.admin.routes import bp as admin
    from saas.blueprints.auth.views import bp as auth
    from saas.blueprints.billing.routes import bp as billing
    from saas.blueprints.books.routes import bp as books
    from saas.blueprints.gerai.routes import bp as gerai
    from saas.blueprints.loans.routes import bp as loans
    from saas.blueprints.member.routes import bp as member
    from saas.blueprints.members.routes import bp as members
    from saas.blueprints.moved.views import bp as moved
    from saas.blueprints.national.views import bp as national
    from saas.blueprints.officer.views import bp as officer
    from saas.blueprints.portability.views import bp as portability
    from saas.blueprints.profile.routes import bp as profile
    from saas.blueprints.publishing.views import bp as publishing
    from saas.blueprints.rat.routes import bp as rat
    from saas.blueprints.registers.views import bp as registers
    from saas.blueprints.registration.views import bp as registration
    from saas.blueprints.reports.routes import bp as reports
    from saas.blueprints.savings.routes import bp as savings
    from saas.blueprints.shu.views import bp as shu
    from saas.blueprints.site.routes import bp as site

    for blueprint in (
        site,
        auth,
        officer,
        member,
        profile,
        members,
        savings,
        loans,
        gerai,
        books,
        reports,
        registers,
        shu,
        rat,
        publishing,
        moved,
        admin,
        registration,
        national,
        billing,
        portability,
    ):
        app.register_blueprint(blueprint)
