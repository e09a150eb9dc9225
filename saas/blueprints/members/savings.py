"""Savings at the counter: a member's balances and history, deposits, withdrawals, receipts."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any
from urllib.parse import quote

from flask import abort, current_app, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from lokal.terbilang import terbilang
from werkzeug.wrappers import Response
from wtforms import DateField, Field, HiddenField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, ValidationError

from saas.access import Scope, public, tenant_view
from saas.accounts.roles import Permission
from saas.blueprints.forms import not_in_future, rupiah_amount
from saas.blueprints.members.views import bp
from saas.blueprints.site.views import bp as site_bp
from saas.db import tenant_db
from saas.i18n import rupiah_filter
from saas.ledger.rules import LedgerError
from saas.members import operations as members
from saas.members.models import Member
from saas.pdf import render_pdf
from saas.phones import whatsapp_number
from saas.qr import qr_svg
from saas.savings import operations as savings
from saas.savings.models import PaymentMethod, Receipt, SavingsKind, SavingsSettings
from saas.savings.operations import Movement

KIND_LABELS = {
    SavingsKind.POKOK: _l("Principal savings (pokok)"),
    SavingsKind.WAJIB: _l("Mandatory savings (wajib)"),
    SavingsKind.SUKARELA: _l("Voluntary savings (sukarela)"),
}
METHOD_LABELS = {
    PaymentMethod.CASH: _l("Cash"),
    PaymentMethod.QRIS: _l("QRIS"),
    PaymentMethod.TRANSFER: _l("Bank transfer"),
}
SAVINGS_ERRORS = {
    "member_left": _l("This member has left; savings can no longer be paid in."),
    "pokok_paid": _l("This member has already paid the principal savings."),
    "locked_savings": _l("Only voluntary savings can be withdrawn while a member stays."),
    "period_closed": _l("The books of that month are closed. Use a date in an open month."),
    "retry_pending": _l("This payment is still being recorded. Open the member again."),
    "not_enough_money": _l("There is not that much money in the cash or bank account."),
}


def valid_key(_form: Any, field: Field) -> None:
    try:
        field.data = uuid.UUID(str(field.data))
    except ValueError as exc:
        raise ValidationError(str(_l("This form is out of date. Open it again."))) from exc


class MovementForm(FlaskForm):
    kind = SelectField(
        _l("Savings"), choices=[SelectChoice(k.value, str(v)) for k, v in KIND_LABELS.items()]
    )
    amount = rupiah_amount(_l("Amount in rupiah"))
    method = SelectField(
        _l("Paid by"), choices=[SelectChoice(k.value, str(v)) for k, v in METHOD_LABELS.items()]
    )
    paid_on = DateField(
        _l("Date"), validators=[DataRequired(message=_l("Enter the date.")), not_in_future]
    )
    key = HiddenField(validators=[valid_key])


def fresh_form(action: str, **values: Any) -> MovementForm:
    """A form carrying a new idempotency key: submitting it twice posts once. Its fields are
    prefixed by the action (``setor-amount``, ``tarik-amount``): two forms share the page."""
    form = MovementForm(formdata=None, prefix=action, **values)
    form.key.data = str(uuid.uuid4())
    form.paid_on.data = date.today()  # noqa: DTZ011 - a calendar date
    return form


def member_or_404(member_id: int) -> Member:
    member = members.get_member_for_tenant(tenant_db(), member_id)
    if member is None:
        abort(404)
    return member


def savings_page(
    member: Member,
    deposit: MovementForm,
    withdrawal: MovementForm,
    settings: SavingsSettings | None = None,
) -> str:
    g.private_page = True
    return render_template(
        "members/savings.html",
        member=member,
        balances=savings.balances(tenant_db(), member.id),
        receipts=savings.history(tenant_db(), member.id),
        deposit=deposit,
        withdrawal=withdrawal,
        KIND_LABELS=KIND_LABELS,
        settings=settings or savings.get_settings(tenant_db()),
    )


@bp.route("/<int:member_id>/simpanan")
@tenant_view(Permission.POST_MONEY)
def member_savings(member_id: int) -> str:
    member = member_or_404(member_id)
    settings = savings.get_settings(tenant_db())
    return savings_page(
        member,
        fresh_form("setor", kind=SavingsKind.WAJIB.value, amount=settings.wajib_amount),
        fresh_form("tarik", kind=SavingsKind.SUKARELA.value),
        settings,
    )


@bp.route("/<int:member_id>/simpanan/<any(setor,tarik):action>", methods=["POST"])
@tenant_view(Permission.POST_MONEY)
def record_movement(member_id: int, action: str) -> Response | tuple[str, int]:
    member = member_or_404(member_id)
    form = MovementForm(prefix=action)
    withdrawing = action == "tarik"
    if withdrawing:
        form.kind.data = SavingsKind.SUKARELA.value  # only voluntary savings leave early
    if form.validate_on_submit():
        movement = Movement(
            member=member,
            kind=SavingsKind(form.kind.data),
            amount=int(form.amount.data or 0),
            method=PaymentMethod(form.method.data),
            paid_on=form.paid_on.data or date.today(),  # noqa: DTZ011 - a calendar date
            idempotency_key=form.key.data,
            officer_id=current_user.id,
            officer_name=current_user.name,
        )
        try:
            receipt, created = (savings.withdraw if withdrawing else savings.deposit)(
                tenant_db(), movement
            )
        except LedgerError as exc:  # SavingsError included
            tenant_db().rollback()
            if exc.code == "overdraft":
                message = _(
                    "The voluntary savings balance is %(balance)s: withdraw that much at most.",
                    balance=rupiah_filter(int(str(exc.details["balance"]))),
                )
            else:
                message = str(SAVINGS_ERRORS.get(exc.code, SAVINGS_ERRORS["retry_pending"]))
            form.amount.errors = [message]
        else:
            if created:
                flash(_("Recorded. Receipt %(number)s.", number=receipt.number), "success")
            return redirect(url_for("members.receipt", number=receipt.number))
    deposit = fresh_form("setor", kind=SavingsKind.WAJIB.value) if withdrawing else form
    withdrawal = form if withdrawing else fresh_form("tarik", kind=SavingsKind.SUKARELA.value)
    return savings_page(member, deposit, withdrawal), 422


def receipt_context(number: str) -> dict[str, Any]:
    found = savings.get_receipt_by_number(tenant_db(), number)
    if found is None:
        abort(404)
    member = member_or_404(found.member_id)
    check_url = url_for("site.check_receipt", number=found.number, _external=True)
    text = _("Receipt %(number)s: %(url)s", number=found.number, url=check_url)
    phone = whatsapp_number(member.phone) if member.phone else ""
    return {
        "receipt": found,
        "member": member,
        "in_words": terbilang(found.amount),
        "check_url": check_url,
        "qr": qr_svg(check_url),
        "share_link": f"https://wa.me/{phone}?text=" + quote(text),
        "KIND_LABELS": KIND_LABELS,
        "METHOD_LABELS": METHOD_LABELS,
    }


@bp.route("/kuitansi/<number>")
@tenant_view(Permission.POST_MONEY)
def receipt(number: str) -> str:
    g.private_page = True
    return render_template("members/receipt.html", **receipt_context(number))


@bp.route("/kuitansi/<number>.pdf")
@tenant_view(Permission.POST_MONEY)
def receipt_pdf(number: str) -> Response:
    """The receipt on A6 paper with the cooperative's letterhead, to print or send."""
    html = render_template("members/receipt_pdf.html", **receipt_context(number))
    response = current_app.response_class(render_pdf(html), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{number}.pdf"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@site_bp.route("/kuitansi/<number>")
@public(Scope.TENANT)
def check_receipt(number: str) -> str:
    """Anyone holding a receipt can check it is genuine: number, date, amount, cooperative."""
    found: Receipt | None = savings.get_receipt_by_number(tenant_db(), number[:30])
    if found is None:
        abort(404)
    return render_template("members/receipt_check.html", receipt=found)
