"""The upgrade message shown where a plan's limit refuses adding more."""

from __future__ import annotations

from flask import g
from flask_babel import gettext as _

from saas.billing import queries
from saas.billing.limits import Feature, PlanLimitError
from saas.billing.queries import Terms
from saas.db import get_databases


def current_terms() -> Terms:
    """The terms of the request's cooperative's plan, as they hold now.

    A short read of its own: the request's platform session is not needed past it."""
    with get_databases().platform_reader() as session:
        return queries.terms_for(session, g.tenant.id)


def plan_limit_message(exc: PlanLimitError) -> str:
    if exc.what == "members":
        return _(
            "The cooperative's plan keeps up to %(limit)s active members, and every member"
            " registered stays. Upgrade to the Koperasi plan (Plan and billing) to add more.",
            limit=exc.limit,
        )
    return _(
        "The cooperative's plan has up to %(limit)s officer accounts. Upgrade to the Koperasi"
        " plan (Plan and billing) to invite more.",
        limit=exc.limit,
    )


def plan_feature_message(feature: Feature) -> str:
    """Why starting something new of ``feature`` was refused, and what to do."""
    if feature == "loans":
        return _(
            "New loans need the Koperasi plan. Every loan already made goes on: its repayments,"
            " payoffs, reversals, statements and reports are always recorded and kept."
        )
    if feature == "gerai":
        return _(
            "New shop products need the Koperasi plan. The products there are keep selling, and"
            " goods received, stock counts and every sale are always recorded."
        )
    return _("Your own web address needs the Koperasi plan.")
