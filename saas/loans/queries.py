"""Reading loans for the pages: the officers' list, a loan's decisions, a member's next due
instalment and the preview of a schedule before anything is written."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from saas.accounts.models import TenantUser
from saas.loans.models import Loan, LoanApproval, LoanInstalment, LoanProduct, LoanStatus
from saas.loans.schedule import Instalment, Terms, build, effective_annual_rate_bp
from saas.members.models import Member

PAGE_SIZE = 50


class StatusGroup(enum.StrEnum):
    """The officers' filters of the loans list (the value is the address's ``status=``)."""

    WAITING = "menunggu"
    APPROVED = "disetujui"
    ACTIVE = "aktif"
    PAID_OFF = "lunas"
    CLOSED = "ditolak"  # rejected or cancelled: never paid out


STATUSES_OF_GROUP = {
    StatusGroup.WAITING: (LoanStatus.APPLIED,),
    StatusGroup.APPROVED: (LoanStatus.APPROVED,),
    StatusGroup.ACTIVE: (LoanStatus.ACTIVE,),
    StatusGroup.PAID_OFF: (LoanStatus.PAID_OFF,),
    StatusGroup.CLOSED: (LoanStatus.REJECTED, LoanStatus.CANCELLED),
}


@dataclass(frozen=True)
class LoanRow:
    loan: Loan
    member: Member
    product_name: str


def _filtered(group: StatusGroup | None, text: str) -> Select[Loan, Member, str]:
    query = (
        select(Loan, Member, LoanProduct.name)
        .join(Member, Member.id == Loan.member_id)
        .join(LoanProduct, LoanProduct.id == Loan.product_id)
    )
    if group is not None:
        query = query.where(Loan.status.in_(STATUSES_OF_GROUP[group]))
    if text:
        pattern = f"%{text}%"
        query = query.where(
            or_(
                Member.name.ilike(pattern),
                Member.number.ilike(pattern),
                Loan.number.ilike(pattern),
            )
        )
    return query


def list_loans(
    session: Session, *, group: StatusGroup | None = None, text: str = "", page: int = 1
) -> tuple[list[LoanRow], bool]:
    """One page of loans, newest first, and whether another page follows."""
    query = _filtered(group, text.replace("%", "").replace("_", "")).order_by(Loan.id.desc())
    rows = session.execute(query.limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE)).all()
    found = [LoanRow(loan, member, name) for loan, member, name in rows[:PAGE_SIZE]]
    return found, len(rows) > PAGE_SIZE


@dataclass(frozen=True)
class Decision:
    approval: LoanApproval
    name: str  # who decided, by their name on the team


def decisions_of(session: Session, loan: Loan) -> list[Decision]:
    """The yeses and noes on a loan so far, in the order they came."""
    query = (
        select(LoanApproval, TenantUser.name)
        .join(TenantUser, TenantUser.id == LoanApproval.user_id)
        .where(LoanApproval.loan_id == loan.id)
        .order_by(LoanApproval.id)
    )
    return [Decision(approval, name) for approval, name in session.execute(query)]


def has_decided(session: Session, loan: Loan, user_id: int) -> bool:
    query = select(LoanApproval.id).where(
        LoanApproval.loan_id == loan.id, LoanApproval.user_id == user_id
    )
    return session.scalar(query) is not None


def user_name(session: Session, user_id: int) -> str:
    return session.scalar(select(TenantUser.name).where(TenantUser.id == user_id)) or ""


def next_due(instalments: list[LoanInstalment], today: date) -> LoanInstalment | None:
    """The first instalment due today or later (repayments are not yet counted against it)."""
    return next((row for row in instalments if row.due_date >= today), None)


@dataclass(frozen=True)
class LoanSummary:
    loan: Loan
    next_due: LoanInstalment | None  # the first instalment due today or later


def summaries_of_member(session: Session, member_id: int, today: date) -> list[LoanSummary]:
    """A member's loans, newest first, each with its next instalment."""
    found = list(
        session.scalars(select(Loan).where(Loan.member_id == member_id).order_by(Loan.id.desc()))
    )
    rows = session.scalars(
        select(LoanInstalment)
        .where(LoanInstalment.loan_id.in_([loan.id for loan in found]))
        .order_by(LoanInstalment.loan_id, LoanInstalment.version.desc(), LoanInstalment.number)
    )
    latest: dict[int, list[LoanInstalment]] = {}
    for row in rows:  # the newest version of each schedule only
        kept = latest.setdefault(row.loan_id, [])
        if not kept or kept[0].version == row.version:
            kept.append(row)
    return [LoanSummary(loan, next_due(latest.get(loan.id, []), today)) for loan in found]


def loan_of_member(session: Session, loan_id: int, member_id: int) -> Loan | None:
    """A loan only if it is ``member_id``'s: a member never opens another member's loan."""
    return session.scalar(select(Loan).where(Loan.id == loan_id, Loan.member_id == member_id))


@dataclass(frozen=True)
class Preview:
    """What a loan on these terms would cost, before anyone applies (rupiah; basis points)."""

    schedule: list[Instalment]
    principal: int
    admin_fee: int
    insurance_fee: int
    effective_rate_bp: int

    @property
    def first_instalment(self) -> int:
        return self.schedule[0].amount

    @property
    def total_interest(self) -> int:
        return sum(row.interest for row in self.schedule)

    @property
    def total(self) -> int:
        return sum(row.amount for row in self.schedule)

    @property
    def net(self) -> int:
        """What the member receives: the principal less the fees kept at payout."""
        return self.principal - self.admin_fee - self.insurance_fee


def preview(terms: Terms, start: date, *, admin_fee: int, insurance_fee: int) -> Preview:
    """The schedule of ``terms`` as if paid out on ``start``, with its effective rate."""
    rows = build(terms, start)
    return Preview(
        schedule=rows,
        principal=terms.principal,
        admin_fee=admin_fee,
        insurance_fee=insurance_fee,
        effective_rate_bp=effective_annual_rate_bp(rows, terms.principal, terms.frequency.per_year),
    )
