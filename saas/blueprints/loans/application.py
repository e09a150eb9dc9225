"""Applying for a loan, shared by the officers' page and the member's own: the preview of the
schedule (a "Hitung" submit, or htmx on change), the application and its refusals."""

from __future__ import annotations

from dataclasses import dataclass

from flask import request
from flask_babel import gettext as _

from saas import clock
from saas.blueprints.loans.forms import ApplicationForm
from saas.blueprints.loans.labels import LOAN_ERRORS, UNKNOWN_REFUSAL
from saas.db import tenant_db
from saas.i18n import rupiah_filter
from saas.ledger.rules import LedgerError
from saas.loans import operations as loans
from saas.loans.models import Loan, LoanProduct
from saas.loans.queries import Preview, preview
from saas.loans.schedule import Terms
from saas.members.models import Member


@dataclass(frozen=True)
class Offer:
    """The product chosen on the form, the most the member may borrow on it, and what the
    loan as typed would cost (None until the form says enough)."""

    product: LoanProduct | None
    maximum: int | None
    preview: Preview | None


def offer_for(form: ApplicationForm, member: Member, products: list[LoanProduct]) -> Offer:
    product = form.chosen_product(products) or (products[0] if products else None)
    if product is None:
        return Offer(None, None, None)
    maximum = loans.maximum_for(tenant_db(), product, member)
    amount, count = form.amount.data, form.instalments.data
    if not amount or not count or form.amount.errors or form.instalments.errors:
        return Offer(product, maximum, None)
    try:
        terms = Terms(amount, product.rate_bp, count, product.method, product.frequency)
    except ValueError:  # too many instalments or too little a loan: the form says which
        return Offer(product, maximum, None)
    shown = preview(
        terms,
        clock.today(),
        admin_fee=loans.fee(amount, product.admin_fee_bp),
        insurance_fee=loans.fee(amount, product.insurance_fee_bp),
    )
    return Offer(product, maximum, shown)


def is_preview_request() -> bool:
    """A "Hitung" submit or htmx's request on change: show the figures, write nothing."""
    return "hitung" in request.form or (
        request.headers.get("HX-Request") == "true" and "ajukan" not in request.form
    )


def submit(
    form: ApplicationForm, member: Member, products: list[LoanProduct], *, applied_by_id: int
) -> Loan | None:
    """Record the application the form describes; None, with the reason on the form, when the
    form or the rules refuse it (nothing is written then)."""
    if not form.validate_on_submit():
        return None
    product = form.chosen_product(products)
    if product is None:
        form.product.errors = [_("Choose a loan product.")]
        return None
    application = loans.Application(
        member=member,
        product=product,
        principal=form.amount.data or 0,
        instalments=form.instalments.data or 0,
        purpose=form.purpose.data or "",
        guarantor=form.guarantor.data,
        collateral=form.collateral.data,
    )
    try:
        loan = loans.apply(
            tenant_db(), application, applied_by_id=applied_by_id, today=clock.today()
        )
    except LedgerError as exc:
        tenant_db().rollback()
        show_refusal(form, exc)
        return None
    return loan


def show_refusal(form: ApplicationForm, exc: LedgerError) -> None:
    """The rules' refusal of an application, next to the field it is about."""
    details = exc.details
    if exc.code == "not_a_member":
        form.form_errors.append(
            _(
                "%(number)s is not an active member: loans are for members only.",
                number=details.get("member", ""),
            )
        )
    elif exc.code == "tenor_out_of_range":
        form.instalments.errors = [
            _(
                "This product is repaid in %(low)s to %(high)s instalments.",
                low=details["low"],
                high=details["high"],
            )
        ]
    elif exc.code in ("below_minimum", "too_small_for_tenor"):
        form.amount.errors = [
            _(
                "Borrow at least %(minimum)s.",
                minimum=rupiah_filter(int(str(details["minimum"]))),
            )
        ]
    elif exc.code == "above_maximum":
        form.amount.errors = [
            _(
                "This member may borrow at most %(maximum)s on this product.",
                maximum=rupiah_filter(int(str(details["maximum"]))),
            )
        ]
    elif exc.code == "guarantor_required":
        form.guarantor.errors = [str(LOAN_ERRORS["guarantor_required"])]
    elif exc.code == "product_closed":
        form.product.errors = [str(LOAN_ERRORS["product_closed"])]
    else:
        form.amount.errors = [str(LOAN_ERRORS.get(exc.code, UNKNOWN_REFUSAL))]
