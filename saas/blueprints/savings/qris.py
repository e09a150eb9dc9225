"""QRIS at the counter: the cooperative's code (treasurer), the code with a bill's exact amount,
and confirming in bulk the payments that reached the bank."""

from __future__ import annotations

import uuid

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import BooleanField, DateField, HiddenField, TextAreaField
from wtforms.validators import DataRequired, Length

from saas import clock
from saas.access import tenant_view
from saas.accounts.roles import Permission
from saas.blueprints.forms import REQUIRED, Form, not_in_future, valid_key
from saas.blueprints.savings.views import SAVINGS_ERRORS, bp
from saas.db import tenant_db
from saas.ledger.models import MAX_AMOUNT
from saas.ledger.rules import LedgerError
from saas.payments import operations as payments
from saas.payments import queries
from saas.payments.models import PAYLOAD_MAX
from saas.payments.operations import Confirmation, InstalmentConfirmation, LoanRefusal, Refusal
from saas.payments.qris import QrisError, StaticQris, read_static

QRIS_ERRORS = {
    "unreadable": _l(
        "This is not a QRIS code we can read. Copy the whole text of the code, or scan it again."
    ),
    "bad_crc": _l(
        "The code's check digits (CRC) do not match: it was cut, mistyped or changed. Copy it "
        "again from your bank."
    ),
    "not_static": _l(
        "This code already carries an amount. Enter the cooperative's printed code without an "
        "amount (static QRIS)."
    ),
    "not_rupiah": _l("This code is not in rupiah."),
    "no_merchant": _l("This code has no national merchant ID (NMID)."),
    "other_merchant": _l(
        "This code pays another merchant than the cooperative's. Tick the box to replace the "
        "merchant if the cooperative's account has changed."
    ),
}


class QrisSettingForm(Form):
    payload = TextAreaField(
        _l("The text of the cooperative's QRIS code"),
        validators=[
            DataRequired(message=REQUIRED),
            Length(max=PAYLOAD_MAX, message=_l("A QRIS code has at most 512 characters.")),
        ],
        render_kw={"rows": 5, "autocomplete": "off", "spellcheck": "false"},
    )
    replace = BooleanField(_l("Replace the merchant: payments go to another account from now on"))


@bp.route("/simpanan/qris", methods=["GET", "POST"])
@tenant_view(Permission.KEEP_BOOKS)
def qris_setting() -> Response | tuple[str, int]:
    """The cooperative's static QRIS code, pasted or scanned, from which bills show theirs."""
    form = QrisSettingForm()
    preview: StaticQris | None = None
    if form.validate_on_submit():
        try:
            if request.form.get("check"):  # read it back to the treasurer before keeping it
                preview = read_static(form.payload.data or "")
            else:
                payments.save_qris_setting(
                    tenant_db(),
                    form.payload.data or "",
                    replace=bool(form.replace.data),
                    user_id=current_user.id,
                )
                tenant_db().commit()
                flash(_("The cooperative's QRIS code is saved."), "success")
                return redirect(url_for("savings.qris_setting"))
        except QrisError as exc:
            tenant_db().rollback()
            form.payload.errors = [str(QRIS_ERRORS[exc.code])]
    return render_template(
        "savings/qris_setting.html",
        form=form,
        preview=preview,
        setting=queries.get_qris_setting(tenant_db()),
    ), 422 if form.errors else 200


class ConfirmForm(Form):
    paid_on = DateField(
        _l("Date the money reached the bank"),
        validators=[DataRequired(message=_l("Enter the date.")), not_in_future],
    )
    key = HiddenField(validators=[valid_key])


def payments_page(
    form: ConfirmForm,
    status: int = 200,
    done: Confirmation | None = None,
    loans_done: InstalmentConfirmation | None = None,
) -> tuple[str, int]:
    search = request.values.get("q", "").strip()[:100]
    refusals = [refusal_message(r) for r in done.refused] if done else []
    refusals += [loan_refusal_message(r) for r in loans_done.refused] if loans_done else []
    return render_template(
        "savings/qris_payments.html",
        form=form,
        search=search,
        shares=queries.open_shares(tenant_db(), clock.today(), search),
        instalments=queries.instalments_due(tenant_db(), clock.today(), search),
        has_qris=queries.get_qris_setting(tenant_db()) is not None,
        refusals=refusals,
    ), status


LOAN_REFUSALS = {
    "not_active": _l("the loan is no longer being repaid."),
    "more_than_owed": _l("the amount is more than the loan still owes."),
    "before_payout": _l("the date is before the loan was paid out."),
    "period_closed": _l("the books of that month are closed."),
}


def loan_refusal_message(refusal: LoanRefusal) -> str:
    """Why a loan's payment was not recorded, naming the loan."""
    reason = LOAN_REFUSALS.get(refusal.code, SAVINGS_ERRORS["retry_pending"])
    return _("%(member)s: %(reason)s", member=refusal.loan.number, reason=reason)


def ticked_loans(values: list[str]) -> dict[int, int]:
    """The ticked loans and the amounts their rows showed (``<loan id>:<amount>``)."""
    ticked = {}
    for value in values:
        loan_id, _sep, amount = value.partition(":")
        if loan_id.isdigit() and amount.isdigit() and 0 < int(amount) <= MAX_AMOUNT:
            ticked[int(loan_id)] = int(amount)
    return ticked


def fresh_confirm_form() -> ConfirmForm:
    """A form carrying a new idempotency key: submitting it twice records each member once."""
    form = ConfirmForm(formdata=None)
    form.key.data = str(uuid.uuid4())
    form.paid_on.data = clock.today()
    return form


def refusal_message(refusal: Refusal) -> str:
    """Why a member's payment was not recorded, naming the member."""
    member = f"{refusal.member.number} · {refusal.member.name}"
    if refusal.code == "month_paid":
        return _(
            "%(member)s: %(month)s is already paid, with receipt %(receipt)s.",
            member=member,
            month=refusal.details["month"],
            receipt=refusal.details["receipt"],
        )
    reason = SAVINGS_ERRORS.get(refusal.code, SAVINGS_ERRORS["retry_pending"])
    return _("%(member)s: %(reason)s", member=member, reason=reason)


@bp.route("/tagihan/qris", methods=["GET", "POST"])
@tenant_view(Permission.POST_MONEY)
def qris_payments() -> Response | tuple[str, int]:
    """Open mandatory savings to tick as received by QRIS: one receipt per member."""
    if request.method == "GET":
        return payments_page(fresh_confirm_form())
    form = ConfirmForm()
    chosen = [int(i) for i in request.form.getlist("item") if i.isdigit()]
    loans = ticked_loans(request.form.getlist("loan"))
    if not chosen and not loans:
        flash(_("Tick the payments that reached the bank."), "error")
        return payments_page(form, 422)
    if not form.validate_on_submit():
        return payments_page(form, 422)
    paid_on = form.paid_on.data or clock.today()
    try:
        done = payments.confirm_qris_payments(
            tenant_db(),
            chosen,
            form_key=form.key.data,
            paid_on=paid_on,
            officer_id=current_user.id,
            officer_name=current_user.name,
        )
        loans_done = payments.confirm_qris_instalments(
            tenant_db(),
            loans,
            form_key=form.key.data,
            paid_on=paid_on,
            officer_id=current_user.id,
            officer_name=current_user.name,
        )
        tenant_db().commit()
    except LedgerError as exc:
        tenant_db().rollback()
        form.paid_on.errors = [str(SAVINGS_ERRORS.get(exc.code, SAVINGS_ERRORS["retry_pending"]))]
        return payments_page(form, 422)
    posted = [r.number for r in done.posted] + [r.number for r in loans_done.posted]
    if posted:
        flash(_("Received by QRIS: receipts %(numbers)s.", numbers=", ".join(posted)), "success")
    if repeated := len(done.repeated) + len(loans_done.repeated):
        flash(_("%(count)s had been recorded already.", count=repeated), "info")
    if done.refused or loans_done.refused:  # the others are recorded; the page says who was not
        return payments_page(fresh_confirm_form(), 422, done, loans_done)
    return redirect(url_for("savings.qris_payments"))
