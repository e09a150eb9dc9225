"""A member's savings statement for any period, with their credit at the shops when they have
any: on screen, as a PDF and as an Excel sheet. The officers open any member's here; a signed-in
member opens their own in the member area."""

from __future__ import annotations

from flask import g
from flask.typing import ResponseReturnValue
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from saas.access import tenant_view
from saas.accounts.roles import Permission
from saas.blueprints.labels import KIND_LABELS
from saas.blueprints.members.views import bp
from saas.blueprints.reports.statements import Rows, show
from saas.blueprints.reports.views import period
from saas.blueprints.savings.views import member_or_404
from saas.db import tenant_db
from saas.gerai.credit import CreditMovementKind, CreditStatement, credit_statement
from saas.members.models import Member
from saas.savings import operations as savings
from saas.savings.models import SavingsKind
from saas.savings.operations import StatementRow

CREDIT_LABELS = {
    CreditMovementKind.PURCHASE: _l("Bought on credit, receipt %(number)s"),
    CreditMovementKind.TAKEN_BACK: _l("Purchase taken back, receipt %(number)s"),
    CreditMovementKind.PAYMENT: _l("Paid back, journal entry %(number)s"),
}


def statement(member: Member, fmt: str | None, endpoint: str, **url: object) -> ResponseReturnValue:
    form, start, end, status = period()
    opening, rows = savings.member_statement(tenant_db(), member.id, start, end)
    closing = dict(opening)
    for row in rows:
        closing[row.kind] = row.balance
    shop_credit = credit_statement(tenant_db(), member.id, start, end)
    credit_lines = len(shop_credit.movements) if shop_credit else 0
    return show(
        fmt,
        status,
        endpoint=endpoint,
        args={"dari": start, "per": end, **url},
        name=_("Savings statement"),
        title=_(
            "Savings of %(number)s %(name)s from %(start)s to %(end)s",
            number=member.number,
            name=member.name,
            start=format_date(start),
            end=format_date(end),
        ),
        filename=f"rekening-{g.tenant.slug}-{member.number}-{end.isoformat()}",
        rows=lambda: [
            *statement_rows(opening, rows, closing),
            *(credit_rows(shop_credit) if shop_credit else ()),
        ],
        lines=len(rows) + credit_lines,
        template="members/statement.html",
        table="members/_statement.html",
        form=form,
        with_start=True,
        member=member,
        opening=opening,
        movements=rows,
        closing=closing,
        kind_labels=KIND_LABELS,
        shop_credit=shop_credit,
        credit_labels=CREDIT_LABELS,
    )


def statement_rows(
    opening: dict[SavingsKind, int], rows: list[StatementRow], closing: dict[SavingsKind, int]
) -> Rows:
    yield [_("Date"), _("Description"), _("Savings"), _("Paid in"), _("Paid out"), _("Balance")]
    for kind in SavingsKind:
        yield ["", _("Opening balance"), str(KIND_LABELS[kind]), None, None, opening[kind]]
    for row in rows:
        yield [
            row.entry_date,
            row.description,
            str(KIND_LABELS[row.kind]),
            row.paid_in or None,
            row.paid_out or None,
            row.balance,
        ]
    for kind in SavingsKind:
        yield ["", _("Closing balance"), str(KIND_LABELS[kind]), None, None, closing[kind]]


def credit_rows(shop_credit: CreditStatement) -> Rows:
    """The member's shop credit under their savings, in a sheet: one row per movement."""
    yield []
    yield [_("Date"), _("Credit at the shop"), "", _("Bought"), _("Paid back"), _("Owed")]
    yield ["", _("Owed at the start"), "", None, None, shop_credit.opening]
    for row in shop_credit.movements:
        label = CREDIT_LABELS[row.kind] % {"number": row.reference}
        yield [row.entry_date, label, "", row.bought or None, row.paid or None, row.owed]
    yield ["", _("Owed at the end"), "", None, None, shop_credit.closing]


@bp.route("/<int:member_id>/rekening")
@bp.route("/<int:member_id>/rekening.<any(pdf,xlsx):fmt>")
@tenant_view(Permission.OFFICER_AREA)
def member_statement(member_id: int, fmt: str | None = None) -> ResponseReturnValue:
    member = member_or_404(member_id)
    return statement(member, fmt, "members.member_statement", member_id=member.id)
