"""A member's savings statement for any period: on screen, as a PDF and as an Excel sheet. The
officers open any member's here; a signed-in member opens their own in the member area."""

from __future__ import annotations

from flask import g
from flask.typing import ResponseReturnValue
from flask_babel import format_date
from flask_babel import gettext as _

from saas.access import tenant_view
from saas.accounts.roles import Permission
from saas.blueprints.labels import KIND_LABELS
from saas.blueprints.members.views import bp
from saas.blueprints.reports.statements import Rows, show
from saas.blueprints.reports.views import period
from saas.blueprints.savings.views import member_or_404
from saas.db import tenant_db
from saas.members.models import Member
from saas.savings import operations as savings
from saas.savings.models import SavingsKind
from saas.savings.operations import StatementRow


def statement(member: Member, fmt: str | None, endpoint: str, **url: object) -> ResponseReturnValue:
    form, start, end, status = period()
    opening, rows = savings.member_statement(tenant_db(), member.id, start, end)
    closing = dict(opening)
    for row in rows:
        closing[row.kind] = row.balance
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
        rows=lambda: statement_rows(opening, rows, closing),
        lines=len(rows),
        template="members/statement.html",
        table="members/_statement.html",
        form=form,
        with_start=True,
        member=member,
        opening=opening,
        movements=rows,
        closing=closing,
        kind_labels=KIND_LABELS,
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


@bp.route("/<int:member_id>/rekening")
@bp.route("/<int:member_id>/rekening.<any(pdf,xlsx):fmt>")
@tenant_view(Permission.OFFICER_AREA)
def member_statement(member_id: int, fmt: str | None = None) -> ResponseReturnValue:
    member = member_or_404(member_id)
    return statement(member, fmt, "members.member_statement", member_id=member.id)
