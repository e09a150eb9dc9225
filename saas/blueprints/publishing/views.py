"""Publishing a closed year's statements and loan portfolio to the microsite and the members
(officers choose)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import BooleanField, SelectField
from wtforms.fields.choices import SelectChoice

from saas.access import tenant_view
from saas.accounts.roles import Permission
from saas.blueprints.forms import Form, choices_from
from saas.blueprints.loans.portfolio import CLASS_LABELS, HEALTH_LABELS
from saas.blueprints.summary import refresh_summary_after_change
from saas.db import tenant_db
from saas.ledger import operations as ledger
from saas.publishing import operations as publishing
from saas.publishing.models import PublishedReport

bp = Blueprint("publishing", __name__, url_prefix="/kelola/terbitkan")

PUBLISH_MESSAGES = {
    "year_not_closed": _l("Choose a book year whose December is closed."),
    "nothing_chosen": _l("Choose at least one statement to publish."),
    "no_allocation": _l("The SHU of that year has not been shared out yet."),
    "no_loans": _l("No loan was being repaid at the end of that year: there is no portfolio."),
}


class PublishForm(Form):
    year = SelectField(_l("Book year"), coerce=int)
    balance_sheet = BooleanField(_l("Statement of financial position (neraca)"), default=True)
    income = BooleanField(_l("Operating results (PHU)"), default=True)
    shu = BooleanField(_l("The SHU and how it was shared"))
    loan_portfolio = BooleanField(_l("The loan portfolio at the year's end (no names)"))


@bp.app_template_global("published_portfolio")
def published_portfolio(report: PublishedReport) -> publishing.PortfolioSummary | None:
    """The loan portfolio published with a year's statements, for the pages that show it."""
    return publishing.portfolio_summary(report)


@bp.app_template_global("portfolio_labels")
def portfolio_labels() -> dict[str, Any]:
    """The collectibility classes and health bands in the reader's language."""
    return {
        "classes": {grade.value: label for grade, label in CLASS_LABELS.items()},
        "health": HEALTH_LABELS,
    }


def year_choices() -> list[SelectChoice]:
    """The book years whose books are closed, the ones that can be published."""
    return choices_from((year, year) for year in ledger.closed_years(tenant_db()))


def publish_page(form: PublishForm | None = None, status: int = 200) -> tuple[str, int]:
    form = form or PublishForm()
    form.year.choices = year_choices()
    return render_template(
        "publishing/index.html",
        form=form,
        published=publishing.list_published(tenant_db()),
    ), status


@bp.route("")
@tenant_view(Permission.KEEP_BOOKS)
def index() -> tuple[str, int]:
    return publish_page()


@bp.route("", methods=["POST"])
@tenant_view(Permission.KEEP_BOOKS)
def publish() -> Response | tuple[str, int]:
    form = PublishForm()
    form.year.choices = year_choices()
    if not form.validate_on_submit():
        return publish_page(form, 422)
    chosen = {name for name in publishing.CHOICES if form[name].data}
    try:
        publishing.publish(tenant_db(), form.year.data, chosen, user_id=current_user.id)
        tenant_db().commit()
    except publishing.PublishError as exc:
        tenant_db().rollback()
        field = form.loan_portfolio if exc.code == "no_loans" else form.year
        field.errors = [str(PUBLISH_MESSAGES[exc.code])]
        return publish_page(form, 422)
    flash(_("The statements of %(year)s are published.", year=form.year.data), "success")
    return refresh_summary_after_change(redirect(url_for("publishing.index")))


@bp.route("/<int:year>/tarik", methods=["POST"])
@tenant_view(Permission.KEEP_BOOKS)
def withdraw(year: int) -> Response:
    if not publishing.withdraw(tenant_db(), year):  # CSRFProtect has checked the token
        abort(404)
    tenant_db().commit()
    flash(_("The statements of %(year)s are no longer published.", year=year), "success")
    return refresh_summary_after_change(redirect(url_for("publishing.index")))
