"""Tagihan at the counter: bill a month's savings, tick off who paid, see the arrears."""

from __future__ import annotations

import uuid
from decimal import Decimal

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import DateField, DecimalField, HiddenField, IntegerField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, NumberRange

from saas import clock
from saas.access import tenant_view
from saas.accounts.roles import Permission
from saas.blueprints.forms import (
    REQUIRED,
    Form,
    choices_from,
    not_in_future,
    rupiah_amount,
    valid_key,
)
from saas.blueprints.labels import KIND_LABELS, METHOD_LABELS
from saas.blueprints.savings.views import SAVINGS_ERRORS, bp
from saas.db import tenant_db
from saas.ledger.rules import LedgerError
from saas.savings import bills, classification
from saas.savings import operations as savings
from saas.savings.models import PaymentMethod, SavingsKind
from saas.savings.rules import MAX_RATE_BP

BILL_ERRORS = {
    "bill_exists": _l("This month is already billed for these savings."),
    "no_members": _l("There are no active members to bill."),
    "not_billable": _l("Voluntary savings are not billed."),
}


class BillForm(Form):
    kind = SelectField(
        _l("Savings"),
        choices=[
            SelectChoice(k.value, KIND_LABELS[k]) for k in (SavingsKind.WAJIB, SavingsKind.POKOK)
        ],
    )
    year = IntegerField(
        _l("Year"),
        validators=[
            InputRequired(message=_l("Enter the year.")),
            NumberRange(min=2000, max=2100, message=_l("Enter a year like 2026.")),
        ],
        render_kw={"inputmode": "numeric"},
    )
    month = SelectField(
        _l("Month"), coerce=int, choices=[SelectChoice(m, f"{m:02d}") for m in range(1, 13)]
    )
    amount = rupiah_amount(_l("Amount per member"))


class PayForm(Form):
    method = SelectField(_l("Paid by"), choices=choices_from(METHOD_LABELS))
    paid_on = DateField(
        _l("Date"), validators=[DataRequired(message=_l("Enter the date.")), not_in_future]
    )
    key = HiddenField(validators=[valid_key])


@bp.route("/tagihan", methods=["GET", "POST"])
@tenant_view(Permission.POST_MONEY)
def bills_index() -> Response | tuple[str, int]:
    form = BillForm()
    if not form.is_submitted():
        today = clock.today()
        form.year.data, form.month.data = today.year, today.month
        form.amount.data = savings.get_settings(tenant_db()).wajib_amount
    elif form.validate():
        try:
            bill = bills.create_bill(
                tenant_db(),
                kind=SavingsKind(form.kind.data),
                year=int(form.year.data or 0),
                month=int(form.month.data),
                amount=int(form.amount.data or 0),
            )
            tenant_db().commit()
        except LedgerError as exc:
            tenant_db().rollback()
            form.month.errors = [str(BILL_ERRORS.get(exc.code, BILL_ERRORS["no_members"]))]
        else:
            flash(_("Bill created."), "success")
            return redirect(url_for("savings.show_bill", bill_id=bill.id))
    return render_template(
        "savings/bills.html",
        form=form,
        bills=bills.list_bills(tenant_db()),
        KIND_LABELS=KIND_LABELS,
    ), 422 if form.errors else 200


def show_page(bill_id: int, form: PayForm, status: int = 200) -> tuple[str, int]:
    bill = bills.get_bill_for_tenant(tenant_db(), bill_id)
    if bill is None:
        abort(404)
    if not form.is_submitted():
        form.key.data = str(uuid.uuid4())
        form.paid_on.data = clock.today()
    return render_template(
        "savings/bill.html",
        bill=bill,
        items=bills.bill_items(tenant_db(), bill),
        form=form,
        KIND_LABELS=KIND_LABELS,
    ), status


@bp.route("/tagihan/<int:bill_id>")
@tenant_view(Permission.POST_MONEY)
def show_bill(bill_id: int) -> tuple[str, int]:
    return show_page(bill_id, PayForm())


@bp.route("/tagihan/<int:bill_id>/bayar", methods=["POST"])
@tenant_view(Permission.POST_MONEY)
def pay_bill(bill_id: int) -> Response | tuple[str, int]:
    bill = bills.get_bill_for_tenant(tenant_db(), bill_id)
    if bill is None:
        abort(404)
    form = PayForm()
    chosen = [int(i) for i in request.form.getlist("item") if i.isdigit()]
    if form.validate_on_submit() and chosen:
        try:
            newly, already = bills.pay_items(
                tenant_db(),
                bill,
                chosen,
                method=PaymentMethod(form.method.data),
                paid_on=form.paid_on.data or clock.today(),
                form_key=form.key.data,
                officer_id=current_user.id,
                officer_name=current_user.name,
            )
            tenant_db().commit()
        except LedgerError as exc:
            tenant_db().rollback()
            form.paid_on.errors = [
                str(SAVINGS_ERRORS.get(exc.code, SAVINGS_ERRORS["retry_pending"]))
            ]
        else:
            flash(_("%(count)s paid.", count=newly), "success")
            if already:
                flash(_("%(count)s had been paid already.", count=already), "info")
            return redirect(url_for("savings.show_bill", bill_id=bill.id))
    elif not chosen:
        flash(_("Tick the members who paid."), "error")
    return show_page(bill_id, form, 422)


@bp.route("/tagihan/tunggakan")
@tenant_view(Permission.POST_MONEY)
def arrears() -> str:
    today = clock.today()
    return render_template(
        "savings/arrears.html",
        arrears=bills.arrears(tenant_db(), as_of_year=today.year, as_of_month=today.month),
    )


class SettingsForm(Form):
    pokok_amount = rupiah_amount(_l("Principal savings (pokok), paid once"))
    wajib_amount = rupiah_amount(_l("Mandatory savings (wajib), each month"))
    interest_rate = DecimalField(
        _l("Interest on voluntary savings, % a year (0: none)"),
        places=2,
        validators=[
            InputRequired(message=REQUIRED),
            NumberRange(0, MAX_RATE_BP / 100, message=_l("Enter a rate from 0 to 20.")),
        ],
        render_kw={"inputmode": "decimal"},
    )


CLASSIFY_ERRORS = {
    "already_classified": _l("Principal and mandatory savings already count that way."),
    "later_postings": _l(
        "Principal or mandatory savings were recorded after today: they can change classification "
        "once today is on or after the last of those dates."
    ),
}


class ClassificationForm(Form):
    to = HiddenField()  # "liabilities" or "equity": a repeated post asks for the same
    key = HiddenField(validators=[valid_key])


def settings_page(form: SettingsForm, status: int = 200) -> tuple[str, int]:
    classify = ClassificationForm()
    as_liabilities = classification.shares_are_liabilities(tenant_db())
    if not classify.is_submitted():
        classify.key.data = str(uuid.uuid4())
        classify.to.data = "equity" if as_liabilities else "liabilities"
    return render_template(
        "savings/settings.html",
        form=form,
        classify=classify,
        as_liabilities=as_liabilities,
    ), status


@bp.route("/tagihan/pengaturan", methods=["GET", "POST"])
@tenant_view(Permission.KEEP_BOOKS)
def settings() -> Response | tuple[str, int]:
    """The amounts of the bylaws (AD/ART): new bills and the counter's forms start from them."""
    current = savings.get_settings(tenant_db())
    form = SettingsForm(obj=current, interest_rate=Decimal(current.sukarela_interest_bp) / 100)
    if form.validate_on_submit():
        savings.save_settings(
            tenant_db(),
            pokok_amount=int(form.pokok_amount.data or 0),
            wajib_amount=int(form.wajib_amount.data or 0),
            sukarela_interest_bp=int((form.interest_rate.data or 0) * 100),
        )
        tenant_db().commit()
        flash(_("Savings amounts saved."), "success")
        return redirect(url_for("savings.bills_index"))
    return settings_page(form, 422 if form.errors else 200)


@bp.route("/tagihan/pengaturan/klasifikasi", methods=["POST"])
@tenant_view(Permission.KEEP_BOOKS)
def reclassify() -> Response | tuple[str, int]:
    """Principal and mandatory savings to the other classification (equity or liabilities)."""
    form = ClassificationForm()
    as_liabilities = form.to.data == "liabilities"
    if form.validate_on_submit() and classification.shares_are_liabilities(tenant_db()) == (
        as_liabilities
    ):  # done already (a second tap)
        flash(str(CLASSIFY_ERRORS["already_classified"]), "success")
        return redirect(url_for("savings.settings"))
    if form.validate_on_submit():
        try:
            moved = classification.reclassify(
                tenant_db(),
                as_liabilities=as_liabilities,
                on=clock.today(),
                idempotency_key=form.key.data,
                user_id=current_user.id,
            )
            tenant_db().commit()
        except LedgerError as exc:
            tenant_db().rollback()
            flash(str(CLASSIFY_ERRORS.get(exc.code, SAVINGS_ERRORS["period_closed"])), "error")
        else:
            if as_liabilities:
                done = _("They count as liabilities now: %(count)s balances moved.", count=moved)
            else:
                done = _("They count as equity now: %(count)s balances moved.", count=moved)
            flash(done, "success")
            return redirect(url_for("savings.settings"))
    current = savings.get_settings(tenant_db())
    return settings_page(
        SettingsForm(obj=current, interest_rate=Decimal(current.sukarela_interest_bp) / 100), 422
    )
