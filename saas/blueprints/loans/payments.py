"""Paying a loan back at the counter: an instalment or more, paying off, the receipt on paper
with its QR code, and the treasurer cancelling a payment."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from saas import clock
from saas.access import tenant_view
from saas.accounts.roles import Permission
from saas.blueprints import receipts
from saas.blueprints.links import external_url
from saas.blueprints.loans.labels import REPAYMENT_METHOD_LABELS
from saas.blueprints.loans.repayment_forms import (
    PayoffForm,
    RepaymentForm,
    ReversalForm,
    fresh,
    refusal_message,
)
from saas.blueprints.loans.views import bp, loan_or_404, loan_page
from saas.db import tenant_db
from saas.i18n import rupiah_in_words
from saas.ledger.rules import LedgerError
from saas.loans import queries, repayments
from saas.loans.models import Loan, LoanRepayment
from saas.members import operations as members
from saas.phones import whatsapp_number
from saas.qr import qr_svg
from saas.savings.models import PaymentMethod

# Printed as savings receipts are (``?kertas=``: A6 sheets or a 58 mm roll), with their own rows.
RECEIPT_ROWS = "loans/_receipt_rows.html"


def _paid(result: repayments.PaymentResult) -> Response:
    """Commit the payment at once (the receipt counter is locked until then) and show it."""
    tenant_db().commit()
    number = result.repayment.number
    if result.created:
        flash(_("Recorded. Receipt %(number)s.", number=number), "success")
    else:
        flash(_("This payment was recorded before, with receipt %(number)s.", number=number))
    return redirect(url_for("loans.payment", number=number))


def _repay(loan: Loan, form: RepaymentForm | PayoffForm, *, payoff: bool) -> Response | None:
    """Post the form's payment; None (and the message on the form) when the rules refuse it."""
    payment = repayments.Payment(
        amount=int(form.amount.data or 0),
        method=PaymentMethod(form.method.data),
        paid_on=form.paid_on.data if isinstance(form, RepaymentForm) else clock.today(),
        idempotency_key=form.key.data,
        officer_id=current_user.id,
        officer_name=current_user.name,
        payoff=payoff,
    )
    try:
        result = repayments.repay(tenant_db(), loan, payment)
    except LedgerError as exc:
        tenant_db().rollback()
        form.method.errors = [refusal_message(exc)]
        if isinstance(form, RepaymentForm):
            form.offers_payoff = exc.code == "more_than_owed"
        return None
    return _paid(result)


@bp.route("/<int:loan_id>/angsuran", methods=["POST"])
@tenant_view(Permission.POST_MONEY)
def take_payment(loan_id: int) -> Response | tuple[str, int]:
    """Take an instalment, several, or part of one; more than is owed offers the payoff."""
    loan = loan_or_404(loan_id)
    form = RepaymentForm(prefix="angsuran")
    if form.validate_on_submit() and (paid := _repay(loan, form, payoff=False)) is not None:
        return paid
    return loan_page(loan_or_404(loan_id), pay=form), 422


@bp.route("/<int:loan_id>/lunasi", methods=["POST"])
@tenant_view(Permission.POST_MONEY)
def pay_off(loan_id: int) -> Response | tuple[str, int]:
    """Pay the loan off today, for exactly the amount the page showed."""
    loan = loan_or_404(loan_id)
    form = PayoffForm(prefix="lunasi")
    if form.validate_on_submit() and (paid := _repay(loan, form, payoff=True)) is not None:
        return paid
    if not form.method.errors:
        form.method.errors = [_("This form is out of date. Open it again.")]
    return loan_page(loan_or_404(loan_id), payoff=form), 422


# -- the receipt ---------------------------------------------------------------------------------


def payment_or_404(number: str) -> LoanRepayment:
    found = queries.payment_by_number(tenant_db(), number)
    if found is None:
        abort(404)
    return found


def receipt_context(repayment: LoanRepayment) -> dict[str, Any]:
    """What a loan payment's receipt shows, on the page and on paper."""
    loan = loan_or_404(repayment.loan_id)
    member = members.get_member_for_tenant(tenant_db(), loan.member_id)
    if member is None:
        abort(404)
    check_url = external_url(g.tenant, "site.check_receipt", token=repayment.token)
    text = _("Receipt %(number)s: %(url)s", number=repayment.number, url=check_url)
    phone = whatsapp_number(member.phone) if member.phone else ""
    return {
        "receipt_rows": RECEIPT_ROWS,
        "receipt": repayment,
        "loan": loan,
        "member": member,
        "in_words": rupiah_in_words(repayment.amount),
        "principal_left": queries.principal_left_after(tenant_db(), repayment, loan.principal),
        "check_url": check_url,
        "qr": qr_svg(check_url),
        "share_link": f"https://wa.me/{phone}?text=" + quote(text),
        "REPAYMENT_METHOD_LABELS": REPAYMENT_METHOD_LABELS,
    }


def payment_page(repayment: LoanRepayment, reversal: ReversalForm | None = None) -> str:
    return render_template(
        "loans/receipt.html",
        reversal_form=reversal or fresh(ReversalForm),
        may_reverse=repayment.reversal is None and current_user.can(Permission.KEEP_BOOKS),
        **receipt_context(repayment),
    )


@bp.route("/kuitansi/<number>")
@tenant_view(Permission.OFFICER_AREA)
def payment(number: str) -> str:
    """A loan payment's receipt, to print or send, and for the treasurer to cancel."""
    return payment_page(payment_or_404(number))


@bp.route("/kuitansi/<number>.pdf")
@tenant_view(Permission.OFFICER_AREA)
def payment_pdf(number: str) -> Response:
    """The receipt on one A6 page, or on a 58 mm roll (``?kertas=58mm``)."""
    return receipts.pdf_response(number, receipt_context(payment_or_404(number)))


@bp.route("/kuitansi/<number>/batal", methods=["POST"])
@tenant_view(Permission.KEEP_BOOKS)
def reverse_payment(number: str) -> Response | tuple[str, int]:
    """Cancel a payment: its entry reversed, the schedule as if it was never made."""
    repayment = payment_or_404(number)
    form = ReversalForm(prefix="batal")
    if form.validate_on_submit():
        try:
            repayments.reverse(
                tenant_db(),
                repayment,
                on=clock.today(),
                reason=form.reason.data,
                idempotency_key=form.key.data,
                user_id=current_user.id,
            )
        except LedgerError as exc:
            tenant_db().rollback()
            form.reason.errors = [refusal_message(exc)]
        else:
            tenant_db().commit()
            flash(_("Receipt %(number)s is cancelled.", number=number), "success")
            return redirect(url_for("loans.payment", number=number))
    return payment_page(payment_or_404(number), form), 422
