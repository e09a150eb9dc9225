"""Savings at the counter: a member's balances and history, deposits, withdrawals, receipts;
the area's blueprint, which its bills and interest pages share."""

from __future__ import annotations

import re
import uuid
from typing import Any
from urllib.parse import quote

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import DateField, HiddenField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from saas import clock
from saas.access import tenant_view
from saas.accounts.roles import Permission
from saas.blueprints import receipts
from saas.blueprints.forms import (
    NOT_RUPIAH,
    Form,
    choices_from,
    not_in_future,
    optional_rupiah_amount,
    valid_key,
)
from saas.blueprints.labels import KIND_LABELS, METHOD_LABELS
from saas.blueprints.links import external_url
from saas.blueprints.savings.qris_code import qris_to_pay
from saas.db import tenant_db
from saas.i18n import rupiah_filter, rupiah_in_words
from saas.ledger.rules import LedgerError
from saas.members import operations as members
from saas.members.models import Member, MemberStatus
from saas.payments.queries import get_qris_setting
from saas.phones import whatsapp_number
from saas.qr import qr_svg
from saas.savings import bills
from saas.savings import operations as savings
from saas.savings.models import PaymentMethod, SavingsKind
from saas.savings.operations import Movement

bp = Blueprint("savings", __name__, url_prefix="/kelola")

SAVINGS_ERRORS = {
    "member_left": _l("This member has left; savings can no longer be paid in."),
    "pokok_paid": _l("This member has already paid the principal savings."),
    "locked_savings": _l("Only voluntary savings can be withdrawn while a member stays."),
    "period_closed": _l("The books of that month are closed. Use a date in an open month."),
    "retry_pending": _l("This payment is still being recorded. Open the member again."),
    "no_month": _l("Tick the months this payment is for."),
    "not_enough_money": _l("There is not that much money in the cash or bank account."),
}


MONTH_VALUE = re.compile(r"(20\d\d)-(\d\d)")


class MovementForm(Form):
    kind = SelectField(_l("Savings"), choices=choices_from(KIND_LABELS))
    # Mandatory savings name the months they pay: one share per member and month (bills.py).
    months = SelectMultipleField(
        _l("Months paid (mandatory savings)"),
        choices=[],
        validate_choice=False,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    amount = optional_rupiah_amount(_l("Amount in rupiah"))
    override = StringField(
        _l("Reason for a principal amount other than the bylaws' (treasurer only)"),
        validators=[Optional(), Length(max=200)],
        render_kw={"maxlength": 200},
    )
    method = SelectField(_l("Paid by"), choices=choices_from(METHOD_LABELS))
    paid_on = DateField(
        _l("Date"), validators=[DataRequired(message=_l("Enter the date.")), not_in_future]
    )
    key = HiddenField(validators=[valid_key])
    dues: dict[str, int] = {}  # the months offered (``YYYY-MM``) and their amounts, in rupiah

    def offer_months(self, dues: list[bills.Due], usual: int) -> None:
        """The member's open months of mandatory savings, oldest first, as the choices; a
        month's amount is named when it is not the ``usual`` one."""
        self.dues = {due.value: due.amount for due in dues}
        self.months.choices = choices_from(
            (
                due.value,
                f"{due.month:02d}/{due.year}"
                + (f" · {rupiah_filter(due.amount)}" if due.amount != usual else ""),
            )
            for due in dues
        )

    def chosen_months(self) -> list[tuple[int, int]]:
        """The months ticked, ``(year, month)``; any well-formed month counts, so a page opened
        before someone else paid a month still meets the rule that names its receipt."""
        chosen = (MONTH_VALUE.fullmatch(value) for value in self.months.data or [])
        return sorted(
            {(int(m[1]), int(m[2])) for m in chosen if m is not None and 1 <= int(m[2]) <= 12}
        )


def fresh_form(action: str, **values: Any) -> MovementForm:
    """A form carrying a new idempotency key: submitting it twice posts once. Its fields are
    prefixed by the action (``setor-amount``, ``tarik-amount``): two forms share the page."""
    form = MovementForm(formdata=None, prefix=action, **values)
    form.key.data = str(uuid.uuid4())
    form.paid_on.data = clock.today()
    return form


def deposit_form(member: Member, form: MovementForm | None = None) -> MovementForm:
    """The pay-in form, offering the member's open months; a new one ticks the oldest."""
    dues = bills.open_dues(tenant_db(), member, SavingsKind.WAJIB, clock.today())
    if form is None:
        form = fresh_form("setor", kind=SavingsKind.WAJIB.value)
        form.months.data = [dues[0].value] if dues else []
    form.offer_months(dues, savings.get_settings(tenant_db()).wajib_amount)
    return form


def member_or_404(member_id: int) -> Member:
    member = members.get_member_for_tenant(tenant_db(), member_id)
    if member is None:
        abort(404)
    return member


def savings_page(member: Member, deposit: MovementForm, withdrawal: MovementForm) -> str:
    return render_template(
        "savings/counter.html",
        member=member,
        balances=savings.balances(tenant_db(), member.id),
        receipts=savings.history(tenant_db(), member.id),
        deposit=deposit,
        withdrawal=withdrawal,
        KIND_LABELS=KIND_LABELS,
        settings=savings.get_settings(tenant_db()),
        may_override=current_user.can(Permission.KEEP_BOOKS),
        qris=qris_to_pay(member),
        has_qris=get_qris_setting(tenant_db()) is not None,
    )


@bp.route("/anggota/<int:member_id>/simpanan")
@tenant_view(Permission.POST_MONEY)
def member_savings(member_id: int) -> str:
    member = member_or_404(member_id)
    return savings_page(
        member, deposit_form(member), fresh_form("tarik", kind=SavingsKind.SUKARELA.value)
    )


@bp.route("/anggota/bayar")
@tenant_view(Permission.POST_MONEY)
def find_payer() -> Response | str:
    """The counter's first step: find who pays; one match opens their pay-in form at once."""
    query = request.args.get("q", "").strip()[:100]
    found = (
        members.search_members(tenant_db(), query, status=MemberStatus.ACTIVE, limit=20)
        if query
        else []
    )
    if len(found) == 1:
        return redirect(url_for("savings.member_savings", member_id=found[0].id))
    return render_template("savings/find_payer.html", query=query, members=found)


@bp.route("/anggota/<int:member_id>/simpanan/<any(setor,tarik):action>", methods=["POST"])
@tenant_view(Permission.POST_MONEY)
def record_movement(member_id: int, action: str) -> Response | tuple[str, int]:
    member = member_or_404(member_id)
    withdrawing = action == "tarik"
    form = MovementForm(prefix=action)
    if withdrawing:
        form.kind.data = SavingsKind.SUKARELA.value  # only voluntary savings leave early
    else:
        deposit_form(member, form)
    if form.validate_on_submit() and (movement := _movement(form, member)) is not None:
        try:
            if withdrawing:
                receipt, created = savings.withdraw(tenant_db(), movement)
            else:
                receipt, created = bills.record_deposit(tenant_db(), movement, form.chosen_months())
            tenant_db().commit()  # at once: the receipt counter is locked until then
        except LedgerError as exc:  # SavingsError included
            tenant_db().rollback()
            _show_refusal(form, exc)
        else:
            if created:
                flash(_("Recorded. Receipt %(number)s.", number=receipt.number), "success")
            return redirect(url_for("savings.receipt", number=receipt.number))
    deposit = deposit_form(member) if withdrawing else form
    withdrawal = form if withdrawing else fresh_form("tarik", kind=SavingsKind.SUKARELA.value)
    return savings_page(member, deposit, withdrawal), 422


def _movement(form: MovementForm, member: Member) -> Movement | None:
    """The movement the form describes, its amount following the kind: empty means the bylaws'
    principal or the months' mandatory savings; None (with the field's error) when unclear."""
    kind = SavingsKind(form.kind.data)
    amount = form.amount.data
    reason = (form.override.data or "").strip()
    settings = savings.get_settings(tenant_db())
    if kind == SavingsKind.WAJIB:
        months = form.chosen_months()
        if not months:
            form.months.errors = [str(SAVINGS_ERRORS["no_month"])]
            return None
        amount = amount or sum(
            form.dues.get(f"{y}-{m:02d}", settings.wajib_amount) for y, m in months
        )
    elif kind == SavingsKind.POKOK:
        if amount and amount != settings.pokok_amount:
            if not reason:
                form.amount.errors = [
                    _(
                        "Principal savings are %(amount)s by the bylaws. Another amount needs the"
                        " treasurer's reason.",
                        amount=rupiah_filter(settings.pokok_amount),
                    )
                ]
                return None
            if not current_user.can(Permission.KEEP_BOOKS):
                form.amount.errors = [_("Only the treasurer can change the principal amount.")]
                return None
        amount = amount or settings.pokok_amount
    elif not amount:
        form.amount.errors = [str(NOT_RUPIAH)]
        return None
    return Movement(
        member=member,
        kind=kind,
        amount=amount,
        method=PaymentMethod(form.method.data),
        paid_on=form.paid_on.data or clock.today(),
        idempotency_key=form.key.data,
        officer_id=current_user.id,
        officer_name=current_user.name,
        note=reason if kind == SavingsKind.POKOK else "",
    )


def _show_refusal(form: MovementForm, exc: LedgerError) -> None:
    """The rules' refusal, next to the field it is about."""
    details = exc.details
    if exc.code == "overdraft":
        form.amount.errors = [
            _(
                "The voluntary savings balance is %(balance)s: withdraw that much at most.",
                balance=rupiah_filter(int(str(details["balance"]))),
            )
        ]
    elif exc.code == "month_paid":
        form.months.errors = [
            _(
                "%(month)s is already paid, with receipt %(receipt)s.",
                month=details["month"],
                receipt=details["receipt"],
            )
        ]
    elif exc.code == "dues_amount":
        form.amount.errors = [
            _(
                "%(count)s month(s) of mandatory savings come to %(amount)s.",
                count=details["months"],
                amount=rupiah_filter(int(str(details["expected"]))),
            )
        ]
    else:
        form.amount.errors = [str(SAVINGS_ERRORS.get(exc.code, SAVINGS_ERRORS["retry_pending"]))]


def receipt_context(number: str) -> dict[str, Any]:
    found = savings.get_receipt_by_number(tenant_db(), number)
    if found is None:
        abort(404)
    member = member_or_404(found.member_id)
    check_url = external_url(g.tenant, "site.check_receipt", token=found.token)
    text = _("Receipt %(number)s: %(url)s", number=found.number, url=check_url)
    phone = whatsapp_number(member.phone) if member.phone else ""
    return {
        "receipt": found,
        "member": member,
        "in_words": rupiah_in_words(found.amount),
        "check_url": check_url,
        "qr": qr_svg(check_url),
        "share_link": f"https://wa.me/{phone}?text=" + quote(text),
        "KIND_LABELS": KIND_LABELS,
        "METHOD_LABELS": METHOD_LABELS,
    }


@bp.route("/anggota/kuitansi/<number>")
@tenant_view(Permission.POST_MONEY)
def receipt(number: str) -> str:
    return render_template("savings/receipt.html", **receipt_context(number))


@bp.route("/anggota/kuitansi/<number>.pdf")
@tenant_view(Permission.POST_MONEY)
def receipt_pdf(number: str) -> Response:
    """The receipt on one page with the cooperative's letterhead, to print or send."""
    return receipts.pdf_response(number, receipt_context(number))
