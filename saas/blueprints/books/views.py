"""The books' blueprint, and the treasurer's journal on it: other income and expenses,
reversals, closing a month."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileField
from werkzeug.wrappers import Response
from wtforms import DateField, Field, HiddenField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError

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
from saas.blueprints.labels import LEDGER_MESSAGES, METHOD_LABELS, ledger_message
from saas.blueprints.profile.documents import storage
from saas.blueprints.profile.forms import PHOTO_FIELD_KW
from saas.blueprints.profile.views import read_photo
from saas.db import tenant_db
from saas.i18n import rupiah_filter
from saas.ledger import operations as ledger
from saas.ledger.models import AccountKind, EntrySource
from saas.ledger.rules import LedgerError, account_name
from saas.savings import classification
from saas.savings.models import PaymentMethod

bp = Blueprint("books", __name__, url_prefix="/kelola")


class EntryForm(Form):
    direction = SelectField(
        _l("What happened"),
        choices=[
            SelectChoice("expense", _l("Money went out (an expense)")),
            SelectChoice("income", _l("Money came in (other income)")),
        ],
    )
    account = SelectField(_l("Account"), coerce=int)
    amount = rupiah_amount(_l("Amount in rupiah"))
    method = SelectField(_l("Paid by"), choices=choices_from(METHOD_LABELS))
    entry_date = DateField(
        _l("Date"), validators=[DataRequired(message=_l("Enter the date.")), not_in_future]
    )
    description = StringField(
        _l("Description"), validators=[DataRequired(message=REQUIRED), Length(max=300)]
    )
    photo = FileField(_l("Photo of the receipt (optional)"), render_kw=PHOTO_FIELD_KW)
    key = HiddenField(validators=[valid_key])

    def validate_account(self, field: Field) -> None:
        kind = AccountKind.EXPENSE if self.direction.data == "expense" else AccountKind.REVENUE
        if field.data not in {a.id for a in ledger.postable_accounts(tenant_db(), kind)}:
            raise ValidationError(str(LEDGER_MESSAGES["bad_account"]))


class ReverseForm(Form):
    reason = StringField(
        _l("Why it is reversed"), validators=[DataRequired(message=REQUIRED), Length(max=200)]
    )
    key = HiddenField(validators=[valid_key])


class CloseForm(Form):
    month = SelectField(_l("Month"))


def entry_form(**values: Any) -> EntryForm:
    form = EntryForm(**values)
    accounts = ledger.postable_accounts(tenant_db(), AccountKind.EXPENSE, AccountKind.REVENUE)
    form.account.choices = choices_from(
        (a.id, f"{a.code} {account_name(a.code, a.name)}") for a in accounts
    )
    if not form.is_submitted():
        form.key.data = str(uuid.uuid4())
        form.entry_date.data = clock.today()
    return form


def close_form() -> CloseForm:
    """The months that can close now: from the first open one (January of last year before
    any month is closed, so that January can close December) up to last month."""
    form = CloseForm()
    today = clock.today()
    start = ledger.first_open_day(tenant_db()) or date(today.year - 1, 1, 1)
    months = []
    year, month = start.year, start.month
    while (year, month) < (today.year, today.month):
        months.append(SelectChoice(f"{year}-{month:02d}", f"{month:02d}/{year}"))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    form.month.choices = months
    return form


def journal_page(form: EntryForm, status: int = 200) -> tuple[str, int]:
    entries = ledger.recent_entries(tenant_db())
    ids = [entry.id for entry in entries]
    accounts = {a.id: a for a in ledger.list_accounts(tenant_db())}
    return render_template(
        "books/journal.html",
        form=form,
        entries=entries,
        accounts=accounts,
        attachments=ledger.attachments_of(tenant_db(), ids),
        reversed_ids=ledger.reversed_ids(tenant_db(), ids),
        close=close_form(),
        periods=ledger.list_periods(tenant_db())[:12],
        reverse_keys={entry_id: uuid.uuid4() for entry_id in ids},
        EntrySource=EntrySource,
        owned_sources=ledger.OWNED_SOURCES,
    ), status


@bp.route("/jurnal")
@tenant_view(Permission.READ_BOOKS)
def journal() -> tuple[str, int]:
    return journal_page(entry_form())


@bp.route("/jurnal", methods=["POST"])
@tenant_view(Permission.KEEP_BOOKS)
def record_entry() -> Response | tuple[str, int]:
    form = entry_form()
    if form.validate_on_submit() and (
        (photo := read_photo(form.photo)) is not None or not form.photo.errors
    ):
        try:
            result = ledger.record_cash_entry(
                tenant_db(),
                direction=ledger.CashDirection(form.direction.data),
                account_id=form.account.data,
                money_role=PaymentMethod(form.method.data).account_role,
                amount=int(form.amount.data or 0),
                entry_date=form.entry_date.data or clock.today(),
                description=form.description.data or "",
                idempotency_key=form.key.data,
                posted_by_id=current_user.id,
            )
            tenant_db().commit()
        except LedgerError as exc:
            tenant_db().rollback()
            if exc.code == "not_enough_money":
                form.amount.errors = [
                    _(
                        "There is %(balance)s in that cash or bank account: pay out that much "
                        "at most.",
                        balance=rupiah_filter(int(str(exc.details["balance"]))),
                    )
                ]
            else:
                form.entry_date.errors = [ledger_message(exc)]
        else:
            if result.created and photo is not None:
                ledger.attach_photo(
                    tenant_db(), storage(), result.entry, photo, owner=g.tenant.schema_name
                )
                tenant_db().commit()
            if result.created:
                flash(_("Entry #%(number)s recorded.", number=result.entry.id), "success")
            return redirect(url_for("books.journal"))
    return journal_page(form, 422)


@bp.route("/jurnal/<int:entry_id>/balik", methods=["POST"])
@tenant_view(Permission.KEEP_BOOKS)
def reverse(entry_id: int) -> Response | tuple[str, int]:
    entry = ledger.get_entry_for_tenant(tenant_db(), entry_id)
    if entry is None:
        abort(404)
    form = ReverseForm()
    if form.validate_on_submit():
        try:
            ledger.reverse_entry(
                tenant_db(),
                entry,
                entry_date=clock.today(),
                reason=form.reason.data or "",
                idempotency_key=form.key.data,
                posted_by_id=current_user.id,
                account_map=classification.moved_accounts(tenant_db()),
            )
            tenant_db().commit()
        except LedgerError as exc:
            tenant_db().rollback()
            flash(ledger_message(exc), "error")
            return journal_page(entry_form(), 422)
        flash(_("Entry #%(number)s reversed.", number=entry.id), "success")
        return redirect(url_for("books.journal"))
    flash(_("Say why the entry is reversed."), "error")
    return journal_page(entry_form(), 422)


@bp.route("/jurnal/tutup-bulan", methods=["POST"])
@tenant_view(Permission.KEEP_BOOKS)
def close_month() -> Response | tuple[str, int]:
    form = close_form()
    if form.validate_on_submit() and form.month.data:
        year, month = (int(part) for part in form.month.data.split("-"))
        try:
            ledger.close_period(
                tenant_db(),
                year,
                month,
                user_id=current_user.id,
                today=clock.today(),
            )
            tenant_db().commit()
        except LedgerError as exc:
            tenant_db().rollback()
            flash(ledger_message(exc), "error")
            return journal_page(entry_form(), 422)
        flash(_("The books of %(month)s are closed.", month=f"{month:02d}/{year}"), "success")
        return redirect(url_for("books.journal"))
    flash(_("Choose a month that has ended."), "error")
    return journal_page(entry_form(), 422)


@bp.route("/jurnal/<int:entry_id>/lampiran/<int:attachment_id>")
@tenant_view(Permission.OFFICER_AREA)
def attachment(entry_id: int, attachment_id: int) -> Response:
    found = ledger.get_attachment_for_tenant(tenant_db(), entry_id, attachment_id)
    if found is None:
        abort(404)
    content = storage().read(found.storage_key)
    mimetype = "image/png" if found.storage_key.endswith(".png") else "image/jpeg"
    response = current_app.response_class(content, mimetype=mimetype)
    response.headers["Cache-Control"] = "private, no-store"
    return response
