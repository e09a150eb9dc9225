"""Reading loans for the pages: the officers' list, a loan's decisions, where each instalment
stands, the instalments to remind borrowers of, and the preview of a schedule before anything
is written."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, Subquery, func, or_, select, true
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import Session, aliased

from saas.accounts.models import TenantUser
from saas.ledger.models import JournalEntry
from saas.loans.models import (
    Loan,
    LoanApproval,
    LoanInstalment,
    LoanProduct,
    LoanRepayment,
    LoanRepaymentPart,
    LoanRestructure,
    LoanStatus,
)
from saas.loans.repayments import Due, Standing, due_as_paid, standing
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


class InstalmentState(enum.StrEnum):
    PAID = "paid"
    PART_PAID = "part_paid"  # something paid, the rest not yet due
    DUE = "due"  # due today, or not yet due
    OVERDUE = "overdue"


@dataclass(frozen=True)
class InstalmentRow:
    """One instalment of the schedule in force as it stands on a day (rupiah)."""

    due: Due
    state: InstalmentState
    days_late: int

    @property
    def amount(self) -> int:
        return self.due.principal + self.due.interest

    @property
    def paid(self) -> int:
        return self.due.paid_principal + self.due.paid_interest + self.due.paid_late_fee


def instalment_rows(now: Standing) -> list[InstalmentRow]:
    """Each instalment of ``now`` with its state and, when overdue, its days late."""
    rows = []
    for due in now.dues:
        days_late = max((now.on - due.due_date).days, 0) if due.outstanding else 0
        if due.outstanding == 0:
            state = InstalmentState.PAID
        elif days_late:
            state = InstalmentState.OVERDUE
        elif due.outstanding < due.principal + due.interest + due.late_fee:
            state = InstalmentState.PART_PAID
        else:
            state = InstalmentState.DUE
        rows.append(InstalmentRow(due, state, days_late))
    return rows


def late_fees_due(now: Standing) -> int:
    """The late fees in what is due now (rupiah)."""
    return sum(due.owed("late_fee") for due in now.dues if due.due_date <= now.on)


def standing_if_paid_out(session: Session, loan: Loan, on: date) -> Standing | None:
    """Where a loan paid out (active or paid off) stands on ``on``; None before its payout."""
    if loan.status not in (LoanStatus.ACTIVE, LoanStatus.PAID_OFF):
        return None
    return standing(session, loan, on)


@dataclass(frozen=True)
class LoanSummary:
    loan: Loan
    standing: Standing | None  # None until the loan is paid out

    @property
    def next_due(self) -> Due | None:
        return self.standing.next_due if self.standing is not None else None


def summaries_of_member(session: Session, member_id: int, today: date) -> list[LoanSummary]:
    """A member's loans, newest first, each with where it stands today."""
    found = session.scalars(
        select(Loan).where(Loan.member_id == member_id).order_by(Loan.id.desc())
    )
    return [LoanSummary(loan, standing_if_paid_out(session, loan, today)) for loan in found]


def restructures_of(session: Session, loan: Loan) -> list[tuple[LoanRestructure, str]]:
    """A loan's restructurings, oldest first, each with the name of the officer who made it."""
    query = (
        select(LoanRestructure, TenantUser.name)
        .join(TenantUser, TenantUser.id == LoanRestructure.user_id)
        .where(LoanRestructure.loan_id == loan.id)
        .order_by(LoanRestructure.to_version)
    )
    return [(record, name) for record, name in session.execute(query)]


def earlier_schedules(session: Session, loan: Loan) -> dict[int, list[LoanInstalment]]:
    """The schedules a restructuring replaced, by version (the one in force left out)."""
    rows = session.scalars(
        select(LoanInstalment)
        .where(LoanInstalment.loan_id == loan.id)
        .order_by(LoanInstalment.version, LoanInstalment.number)
    )
    versions: dict[int, list[LoanInstalment]] = {}
    for row in rows:
        versions.setdefault(row.version, []).append(row)
    if versions:
        versions.pop(max(versions))
    return versions


TOKEN = re.compile(r"[0-9a-f]{32}")


def payment_by_number(session: Session, number: str) -> LoanRepayment | None:
    return session.scalar(select(LoanRepayment).where(LoanRepayment.number == number[:30]))


def payment_by_token(session: Session, token: str) -> LoanRepayment | None:
    """The payment a receipt's QR code points at; None for anything not a well-formed token."""
    if not TOKEN.fullmatch(token):
        return None
    return session.scalar(select(LoanRepayment).where(LoanRepayment.token == token))


def principal_left_after(session: Session, repayment: LoanRepayment, principal: int) -> int:
    """What a loan of ``principal`` still owed of it once ``repayment`` was made (rupiah): the
    live payments up to and including it paid the rest."""
    reversed_entry = (
        select(JournalEntry.id).where(JournalEntry.reverses_id == LoanRepayment.entry_id).exists()
    )
    paid = session.scalar(
        select(func.coalesce(func.sum(LoanRepayment.principal), 0)).where(
            LoanRepayment.loan_id == repayment.loan_id,
            LoanRepayment.id <= repayment.id,
            ~reversed_entry,
        )
    )
    return principal - int(paid or 0)


REMINDER_DAYS = 7  # a reminder lists what falls due within a week from today


@dataclass(frozen=True)
class Reminder:
    """What a borrower owes by the end of the week: the amount and its earliest due date."""

    loan: Loan
    member: Member
    amount: int  # rupiah: arrears and the instalments due within the week
    due_date: date  # the earliest unpaid instalment's
    overdue: bool


def reminders(session: Session, today: date) -> list[Reminder]:
    """Every active loan with an instalment unpaid and due before a week from ``today``,
    the overdue first, then by due date (one statement for the whole portfolio)."""
    until = today + timedelta(days=REMINDER_DAYS - 1)
    active = select(Loan.id).where(Loan.status == LoanStatus.ACTIVE)
    found = []
    for owing in dues_until(session, active, today, until):
        if owing.owed:
            first = next(due.due_date for due in owing.dues if due.outstanding > 0)
            found.append(Reminder(owing.loan, owing.member, owing.owed, first, first < today))
    return sorted(found, key=lambda r: (not r.overdue, r.due_date, r.loan.number))


@dataclass(frozen=True)
class LoanDues:
    """A loan, its member, and its instalments in force due by a day, each as it stands."""

    loan: Loan
    member: Member
    dues: list[Due]  # by number

    @property
    def owed(self) -> int:
        """What these instalments still ask, late fees included (rupiah)."""
        return sum(due.outstanding for due in self.dues)


def dues_until(
    session: Session, loan_ids: Select[int], on: date, until: date, *, ordered: bool = False
) -> list[LoanDues]:
    """The loans of ``loan_ids`` with the instalments of their schedule in force that fall due
    by ``until``, as they stand on ``on`` (as ``repayments.standing`` reads one loan), in one
    statement; loans with nothing due by then are left out. With ``ordered``, in the order
    ``loan_ids`` gives them (it must then carry a ``rank`` column), else in no order."""
    chosen = loan_ids.subquery("chosen")
    dues = _dues_of_loans(chosen, until).subquery("dues")
    query = (
        select(Loan, Member, LoanProduct.late_fee_per_day, LoanProduct.grace_days, dues)
        .join(dues, dues.c.loan_id == Loan.id)
        .join(Member, Member.id == Loan.member_id)
        .join(LoanProduct, LoanProduct.id == Loan.product_id)
    )
    if ordered:
        query = query.join(chosen, chosen.c.id == Loan.id).order_by(chosen.c.rank)
    return [
        LoanDues(
            row.Loan,
            row.Member,
            [
                _as_due(values, on, per_day=row.late_fee_per_day, grace_days=row.grace_days)
                for values in zip(*(row._mapping[name] for name in DUE_COLUMNS), strict=True)
            ],
        )
        for row in session.execute(query)
    ]


DUE_COLUMNS = (
    "ids",
    "numbers",
    "due_dates",
    "principals",
    "interests",
    "paid_principals",
    "paid_interests",
    "paid_late_fees",
    "last_paid_ons",
)


def _dues_of_loans(chosen: Subquery, until: date) -> Select[Any]:
    """Per loan of ``chosen``, arrays (by number) of its instalments in force due by ``until``
    and what live (not reversed) payments paid of each, with the last day one paid principal
    or interest: each instalment's payments through its own index, never all of them. An
    instalment settled within its grace days owes nothing, not even a late fee: most are, so
    they are left out."""
    reversed_entry = (
        select(JournalEntry.id).where(JournalEntry.reverses_id == LoanRepayment.entry_id).exists()
    )
    live = (
        select(
            func.coalesce(func.sum(LoanRepaymentPart.principal), 0).label("principal"),
            func.coalesce(func.sum(LoanRepaymentPart.interest), 0).label("interest"),
            func.coalesce(func.sum(LoanRepaymentPart.late_fee), 0).label("late_fee"),
            func.max(LoanRepayment.paid_on)
            .filter(LoanRepaymentPart.principal + LoanRepaymentPart.interest > 0)
            .label("last_paid_on"),
        )
        .join(LoanRepayment, LoanRepayment.id == LoanRepaymentPart.repayment_id)
        .where(LoanRepaymentPart.instalment_id == LoanInstalment.id, ~reversed_entry)
        .lateral("live")
    )
    latest = aliased(LoanInstalment)
    in_force = (
        select(func.max(latest.version))
        .where(latest.loan_id == LoanInstalment.loan_id)
        .scalar_subquery()
    )

    def by_number(column: Any, name: str) -> Any:
        return func.array_agg(aggregate_order_by(column, LoanInstalment.number)).label(name)

    columns = (
        LoanInstalment.id,
        LoanInstalment.number,
        LoanInstalment.due_date,
        LoanInstalment.principal,
        LoanInstalment.interest,
        live.c.principal,
        live.c.interest,
        live.c.late_fee,
        live.c.last_paid_on,
    )
    return (
        select(
            LoanInstalment.loan_id,
            *(by_number(column, name) for column, name in zip(columns, DUE_COLUMNS, strict=True)),
        )
        .join(chosen, chosen.c.id == LoanInstalment.loan_id)
        .join(Loan, Loan.id == LoanInstalment.loan_id)
        .join(LoanProduct, LoanProduct.id == Loan.product_id)
        .join(live, true())
        .where(
            LoanInstalment.version == in_force,
            LoanInstalment.due_date <= until,
            or_(
                live.c.principal < LoanInstalment.principal,
                live.c.interest < LoanInstalment.interest,
                live.c.last_paid_on > LoanInstalment.due_date + LoanProduct.grace_days,
            ),
        )
        .group_by(LoanInstalment.loan_id)
    )


def _as_due(values: tuple[Any, ...], on: date, *, per_day: int, grace_days: int) -> Due:
    """One instalment as it stands on ``on``, with its late fee accrued up to the day, or to
    the day its principal and interest were settled (as ``repayments.standing`` has it)."""
    instalment_id, number, due_date, principal, interest, *paid, last_paid_on = values
    return due_as_paid(
        Due(instalment_id, number, due_date, principal, interest),
        (int(paid[0]), int(paid[1]), int(paid[2])),  # sums of bigint come as numeric
        last_paid_on,
        on,
        per_day=per_day,
        grace_days=grace_days,
    )


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
