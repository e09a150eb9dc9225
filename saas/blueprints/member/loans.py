"""A member's own loans: what they owe next, a loan's schedule, and applying for themselves.
Only their own: another member's loan is not found."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from saas import clock
from saas.access import tenant_view
from saas.accounts.roles import Permission
from saas.blueprints.loans import application
from saas.blueprints.loans.forms import ApplicationForm
from saas.blueprints.loans.views import LABELS
from saas.blueprints.member.views import bp
from saas.db import tenant_db
from saas.loans import operations as loans
from saas.loans import queries
from saas.loans.models import LoanProduct
from saas.members.models import Member
from saas.members.queries import member_of_user


def _member_or_404() -> Member:
    member = member_of_user(tenant_db(), current_user.id)
    if member is None:
        abort(404)
    return member


@bp.route("/pinjaman/<int:loan_id>")
@tenant_view(Permission.MEMBER_AREA)
def loan(loan_id: int) -> str:
    """The signed-in member's own loan and its schedule."""
    member = _member_or_404()
    found = queries.loan_of_member(tenant_db(), loan_id, member.id)
    if found is None:
        abort(404)
    instalments = loans.schedule(tenant_db(), found)
    return render_template(
        "member/loan.html",
        loan=found,
        member=member,
        product=tenant_db().get(LoanProduct, found.product_id),
        instalments=instalments,
        next_due=queries.next_due(instalments, clock.today()),
        **LABELS,
    )


@bp.route("/pinjaman/ajukan", methods=["GET", "POST"])
@tenant_view(Permission.MEMBER_AREA)
def apply_loan() -> Response | str | tuple[str, int]:
    """The member applies for themselves; the officers then decide."""
    member = _member_or_404()
    products = loans.list_products(tenant_db(), active_only=True)
    form = ApplicationForm()
    form.offer(products)
    if request.method == "POST" and not application.is_preview_request():
        created = application.submit(form, member, products, applied_by_id=current_user.id)
        if created is not None:
            tenant_db().commit()
            flash(
                _("Your application %(number)s is sent to the officers.", number=created.number),
                "success",
            )
            return redirect(url_for("member.loan", loan_id=created.id))
        status = 422
    else:
        if request.method == "POST":
            form.validate()
        status = 200
    offer = application.offer_for(form, member, products)
    template = (
        "loans/_preview.html" if request.headers.get("HX-Request") else "member/apply_loan.html"
    )
    return render_template(template, form=form, member=member, offer=offer, **LABELS), status
