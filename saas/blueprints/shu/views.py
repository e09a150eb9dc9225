"""Sharing out the SHU of a closed book year: the bylaws' split, the plan, posting it, paying
the members' shares into their savings, and cancelling an allocation by reversing it."""

from __future__ import annotations

import uuid
from typing import TypeVar

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import DateField, HiddenField, IntegerField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from saas import clock
from saas.access import tenant_view
from saas.accounts.roles import Permission
from saas.blueprints.forms import REQUIRED, Form, not_in_future, valid_key
from saas.blueprints.labels import FUND_LABELS, LEDGER_MESSAGES
from saas.blueprints.reports.views import file_response, workbook
from saas.db import tenant_db
from saas.ledger import operations as ledger
from saas.ledger.rules import LedgerError
from saas.rat.queries import shu_approval
from saas.shu import operations as shu
from saas.shu.models import ShuAllocation
from saas.shu.rules import FUNDS, ShuError

bp = Blueprint("shu", __name__, url_prefix="/kelola/shu")

SHU_MESSAGES = {
    "no_shu": _l("That year closed without a surplus: there is no SHU to share."),
    "decided_too_early": _l("The members' meeting that decides the SHU is held after the year."),
    "already_allocated": _l("The SHU of that year has already been shared out."),
    "shu_paid": _l("The shares are already in the members' savings: it cannot be cancelled."),
    "nothing_to_pay": _l("No active member has a share to pay."),
    "plan_changed": _l(
        "The figures changed since this page was opened: check them and post again."
    ),
    "paid_before_decision": _l("The shares are paid on or after the day of the members' meeting."),
    "shu_published": _l("The year's published statements show this SHU: withdraw them first."),
    "percentages_not_100": _l("The percentages must add up to 100."),
    "unknown_fund": _l("Each percentage is a whole number from 0 to 100."),
    "rat_not_held": _l(
        "The SHU is shared out only after the members' meeting (RAT) approved it: no closed RAT"
        " of this book year approved its split."
    ),
    "plan_not_approved": _l(
        "These figures are not the ones the members' meeting (RAT) approved: the SHU posted must"
        " be the SHU approved."
    ),
    "decided_before_rat": _l("The SHU is posted on or after the day of the RAT that approved it."),
}
SHARES_SHOWN = 100
KeyedForm = TypeVar("KeyedForm", "PostForm", "PayForm", "CancelForm")


def shu_message(error: LedgerError | ShuError) -> str:
    message = SHU_MESSAGES.get(error.code) or LEDGER_MESSAGES.get(error.code)
    return str(message or SHU_MESSAGES["already_allocated"])


class SplitForm(Form):
    """The bylaws' percentage of each fund (one whole-number field per fund)."""

    def percentages(self) -> dict[str, int]:
        return {fund: int(self[fund].data or 0) for fund in FUNDS}

    def validate(self, extra_validators: object = None) -> bool:
        if not super().validate():
            return False
        if sum(self.percentages().values()) != 100:
            self[FUNDS[0]].errors = [str(SHU_MESSAGES["percentages_not_100"])]
            return False
        return True


for _fund in FUNDS:
    setattr(
        SplitForm,
        _fund,
        IntegerField(
            FUND_LABELS[_fund],
            validators=[
                InputRequired(message=REQUIRED),
                NumberRange(0, 100, message=SHU_MESSAGES["unknown_fund"]),
            ],
            render_kw={"inputmode": "numeric", "min": 0, "max": 100},
        ),
    )


class PostForm(Form):
    decided_on = DateField(
        _l("Date of the members' meeting (RAT) that decided it"),
        validators=[DataRequired(message=_l("Enter the date.")), not_in_future],
    )
    figures = HiddenField()  # the plan's fingerprint as shown
    key = HiddenField(validators=[valid_key])


class PayForm(Form):
    paid_on = DateField(
        _l("Date"), validators=[DataRequired(message=_l("Enter the date.")), not_in_future]
    )
    key = HiddenField(validators=[valid_key])


class CancelForm(Form):
    reason = StringField(
        _l("Why it is cancelled"), validators=[DataRequired(message=REQUIRED), Length(max=200)]
    )
    key = HiddenField(validators=[valid_key])


def _fresh(form: KeyedForm) -> KeyedForm:
    """A form as first shown: a new idempotency key, today's date."""
    if not form.is_submitted():
        form.key.data = str(uuid.uuid4())
        for name in ("decided_on", "paid_on"):
            if name in form:
                form[name].data = clock.today()
    return form


def index_page(split: SplitForm | None = None, status: int = 200) -> tuple[str, int]:
    allocations = shu.list_allocations(tenant_db())
    taken = {a.year for a in allocations if a.cancelled_at is None}
    if split is None:
        split = SplitForm(data=shu.get_percentages(tenant_db()))
    return render_template(
        "shu/index.html",
        allocations=allocations,
        years=[y for y in ledger.closed_years(tenant_db()) if y not in taken],
        split=split,
        funds=FUNDS,
        fund_labels=FUND_LABELS,
    ), status


@bp.route("")
@tenant_view(Permission.OFFICER_AREA)
def index() -> tuple[str, int]:
    return index_page()


@bp.route("/pembagian", methods=["POST"])
@tenant_view(Permission.KEEP_BOOKS)
def save_split() -> Response | tuple[str, int]:
    form = SplitForm()
    if not form.validate_on_submit():
        return index_page(form, 422)
    shu.save_percentages(tenant_db(), form.percentages())
    tenant_db().commit()
    flash(_("The bylaws' split is saved."), "success")
    return redirect(url_for("shu.index"))


def plan_page(year: int, form: PostForm, status: int = 200) -> tuple[str, int]:
    if year not in ledger.closed_years(tenant_db()):
        abort(404)
    existing = shu.live_allocation(tenant_db(), year)
    approval = shu_approval(tenant_db(), year)
    if approval is not None and not form.is_submitted():
        form.decided_on.data = approval[0].held_on  # posted on the day the RAT approved it
    planned: shu.Plan | None = None
    problem: str | None = None
    try:
        planned = shu.plan(tenant_db(), year, shu.get_percentages(tenant_db()))
    except LedgerError as exc:
        problem = shu_message(exc)
    else:
        form.figures.data = planned.fingerprint
    return render_template(
        "shu/plan.html",
        year=year,
        plan=planned,
        problem=problem,
        existing=existing,
        approval=approval,
        form=form,
        funds=FUNDS,
        fund_labels=FUND_LABELS,
        shown=SHARES_SHOWN,
    ), status


@bp.route("/<int:year>")
@tenant_view(Permission.KEEP_BOOKS)
def plan(year: int) -> tuple[str, int]:
    return plan_page(year, _fresh(PostForm()))


@bp.route("/<int:year>", methods=["POST"])
@tenant_view(Permission.KEEP_BOOKS)
def post(year: int) -> Response | tuple[str, int]:
    form = PostForm()
    if year not in ledger.closed_years(tenant_db()):
        abort(404)
    if not form.validate_on_submit() or form.decided_on.data is None:
        return plan_page(year, form, 422)
    try:
        planned = shu.plan(tenant_db(), year, shu.get_percentages(tenant_db()))
        allocation, created = shu.post_allocation(
            tenant_db(),
            planned,
            decided_on=form.decided_on.data,
            idempotency_key=form.key.data,
            user_id=current_user.id,
            shown=form.figures.data or "",
        )
        tenant_db().commit()
    except LedgerError as exc:
        tenant_db().rollback()
        form.decided_on.errors = [shu_message(exc)]
        return plan_page(year, form, 422)
    if created:
        flash(_("The SHU of %(year)s is shared out and posted.", year=year), "success")
    return redirect(url_for("shu.allocation", allocation_id=allocation.id))


def _allocation_or_404(allocation_id: int) -> ShuAllocation:
    allocation = shu.get_allocation(tenant_db(), allocation_id)
    if allocation is None:
        abort(404)
    return allocation


def allocation_page(
    allocation: ShuAllocation,
    pay: PayForm | None = None,
    cancel: CancelForm | None = None,
    status: int = 200,
) -> tuple[str, int]:
    shares = shu.share_rows(tenant_db(), allocation)
    return render_template(
        "shu/allocation.html",
        allocation=allocation,
        shares=shares[:SHARES_SHOWN],
        share_count=len(shares),
        pay=pay or _fresh(PayForm()),
        cancel=cancel or _fresh(CancelForm()),
        funds=FUNDS,
        fund_labels=FUND_LABELS,
    ), status


@bp.route("/hasil/<int:allocation_id>")
@tenant_view(Permission.OFFICER_AREA)
def allocation(allocation_id: int) -> tuple[str, int]:
    return allocation_page(_allocation_or_404(allocation_id))


@bp.route("/hasil/<int:allocation_id>/bayar", methods=["POST"])
@tenant_view(Permission.KEEP_BOOKS)
def pay(allocation_id: int) -> Response | tuple[str, int]:
    allocation = _allocation_or_404(allocation_id)
    form = PayForm()
    if not form.validate_on_submit() or form.paid_on.data is None:
        return allocation_page(allocation, pay=form, status=422)
    try:
        paid = shu.pay_into_savings(
            tenant_db(),
            allocation,
            on=form.paid_on.data,
            idempotency_key=form.key.data,
            user_id=current_user.id,
        )
        tenant_db().commit()
    except LedgerError as exc:
        tenant_db().rollback()
        flash(shu_message(exc), "error")
        return allocation_page(allocation, pay=form, status=422)
    flash(_("%(count)s members' shares are in their voluntary savings.", count=paid), "success")
    return redirect(url_for("shu.allocation", allocation_id=allocation.id))


@bp.route("/hasil/<int:allocation_id>/batal", methods=["POST"])
@tenant_view(Permission.KEEP_BOOKS)
def cancel(allocation_id: int) -> Response | tuple[str, int]:
    allocation = _allocation_or_404(allocation_id)
    form = CancelForm()
    if not form.validate_on_submit():
        return allocation_page(allocation, cancel=form, status=422)
    try:
        shu.cancel_allocation(
            tenant_db(),
            allocation,
            on=clock.today(),
            reason=form.reason.data or "",
            idempotency_key=form.key.data,
            user_id=current_user.id,
        )
        tenant_db().commit()
    except LedgerError as exc:
        tenant_db().rollback()
        flash(shu_message(exc), "error")
        return allocation_page(allocation, cancel=form, status=422)
    flash(_("The allocation of %(year)s is cancelled.", year=allocation.year), "success")
    return redirect(url_for("shu.index"))


@bp.route("/hasil/<int:allocation_id>.xlsx")
@tenant_view(Permission.OFFICER_AREA)
def allocation_xlsx(allocation_id: int) -> Response:
    """Every member's share, amounts as numbers Excel can add."""
    allocation = _allocation_or_404(allocation_id)
    head = [
        _("Member number"),
        _("Name"),
        _("Transactions"),
        _("Principal and mandatory savings"),
        _("Jasa usaha"),
        _("Jasa modal"),
        _("Total"),
    ]
    rows = [
        [s.number, s.name, s.transactions, s.savings, s.jasa_usaha, s.jasa_modal, s.total]
        for s in shu.share_rows(tenant_db(), allocation)
    ]
    body = workbook(f"SHU {allocation.year}", [head, *rows])
    return file_response(body, f"shu-{g.tenant.slug}-{allocation.year}.xlsx")
