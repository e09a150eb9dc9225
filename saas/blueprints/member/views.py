"""A member's own area: their savings, shares of mandatory savings, SHU and statement, and
nobody else's (the member is found by the signed-in user alone)."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby

from flask import Blueprint, abort, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user

from saas import clock
from saas.access import tenant_view
from saas.accounts.roles import Permission
from saas.blueprints.labels import KIND_LABELS
from saas.blueprints.loans.labels import STATUS_LABELS
from saas.blueprints.members.statement import statement as member_statement
from saas.blueprints.savings.qris_code import qris_to_pay
from saas.db import tenant_db
from saas.gerai import credit
from saas.loans import queries as loan_queries
from saas.members.models import Member
from saas.members.queries import member_of_user
from saas.publishing import operations as publishing
from saas.savings import bills
from saas.savings import operations as savings
from saas.savings.models import Bill, BillItem
from saas.shu import operations as shu

bp = Blueprint("member", __name__, url_prefix="/anggota")


@dataclass(frozen=True)
class SharesOfYear:
    """A year of the member's shares (newest month first), summed up for its summary line."""

    year: int
    shares: list[tuple[Bill, BillItem]]
    current: bool  # this year or later (paid ahead): shown open, earlier years folded

    @property
    def paid(self) -> int:
        return sum(1 for _bill, item in self.shares if item.receipt_id is not None)

    @property
    def unpaid(self) -> int:
        return len(self.shares) - self.paid

    @property
    def total(self) -> int:
        return sum(item.amount for _bill, item in self.shares)


def shares_by_year(shares: list[tuple[Bill, BillItem]], this_year: int) -> list[SharesOfYear]:
    """The shares (newest first) in one group per year, so years of history stay short."""
    return [
        SharesOfYear(year, list(of_year), current=year >= this_year)
        for year, of_year in groupby(shares, key=lambda share: share[0].year)
    ]


def signed_in_member() -> Member | None:
    """The member the signed-in user is, if any."""
    return member_of_user(tenant_db(), current_user.id)


RECENT_RECEIPTS = 10  # the rest are in the statement, by period


@bp.route("")
@tenant_view(Permission.MEMBER_AREA)
def home() -> str:
    """A member's own accounts, and nobody else's."""
    member = signed_in_member()
    if member is None:
        return render_template("member/home.html", member=None)
    return render_template(
        "member/home.html",
        member=member,
        balances=savings.balances(tenant_db(), member.id),
        receipts=savings.history(tenant_db(), member.id, limit=RECENT_RECEIPTS),
        recent_receipts=RECENT_RECEIPTS,
        share_years=shares_by_year(
            bills.shares_of_member(tenant_db(), member.id), clock.today().year
        ),
        shu_shares=shu.shares_of_member(tenant_db(), member.id),
        reports=publishing.list_published(tenant_db()),
        qris=qris_to_pay(member),
        loans=loan_queries.summaries_of_member(tenant_db(), member.id, clock.today()),
        shop_credit=credit.credit_account(tenant_db(), member.id),
        KIND_LABELS=KIND_LABELS,
        LOAN_STATUS_LABELS=STATUS_LABELS,
    )


@bp.route("/rekening")
@bp.route("/rekening.<any(pdf,xlsx):fmt>")
@tenant_view(Permission.MEMBER_AREA)
def statement(fmt: str | None = None) -> ResponseReturnValue:
    """The signed-in member's own savings statement."""
    member = signed_in_member()
    if member is None:
        abort(404)
    return member_statement(member, fmt, "member.statement")
