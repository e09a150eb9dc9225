"""The quality of the loan portfolio: each loan's collectibility from how long its principal is in
arrears, the portfolio by class, age of arrears, product and officer, and the month's reserve
for bad loans (PPAP).

Collectibility follows Permen KUKM 14/2009 (docs/domain.md, Loans) with the cooperative's own
thresholds per instalment frequency; a daily job assesses every active loan in the cooperative's
own time zone. Risky loans weigh 50% of kurang lancar, 75% of diragukan and 100% of macet; a
ratio of non-performing loans (NPL) up to 5% is healthy, above 15% unhealthy.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import Select, and_, func, select, update
from sqlalchemy.orm import Session

from saas.accounts.models import TenantUser
from saas.ledger import operations as ledger
from saas.ledger.models import EntrySource, JournalEntry, JournalLine
from saas.ledger.rules import LedgerError, Line, month_end
from saas.loans.models import (
    Collectibility,
    Loan,
    LoanInstalment,
    LoanProduct,
    LoanRepayment,
    LoanRepaymentPart,
    LoanRestructure,
    LoanSettings,
    LoanStatus,
    PpapRun,
)
from saas.loans.operations import get_settings
from saas.loans.schedule import BASIS_POINTS, Frequency
from saas.members.models import Member

CLASSES = tuple(Collectibility)
NON_PERFORMING = (Collectibility.KURANG_LANCAR, Collectibility.DIRAGUKAN, Collectibility.MACET)
RISK_WEIGHT_PERCENT = {
    Collectibility.LANCAR: 0,
    Collectibility.KURANG_LANCAR: 50,
    Collectibility.DIRAGUKAN: 75,
    Collectibility.MACET: 100,
}
PAID_OUT = (LoanStatus.ACTIVE, LoanStatus.PAID_OFF)  # a paid-off loan was owed on earlier days
HEALTHY_NPL_BP, UNHEALTHY_NPL_BP = 500, 1_500
ARREARS_BUCKETS = ((1, 30), (31, 90), (91, 180), (181, None))  # days, inclusive


def classify(days_overdue: int, frequency: Frequency, settings: LoanSettings) -> Collectibility:
    """The class of a loan whose oldest unpaid principal is ``days_overdue`` days late."""
    thresholds = settings.arrears_days[frequency.value]
    passed = sum(days_overdue > threshold for threshold in thresholds)
    return CLASSES[passed]


def health_band(npl_bp: int) -> str:
    """``healthy`` (NPL ≤ 5%), ``fair`` or ``unhealthy`` (NPL > 15%)."""
    if npl_bp <= HEALTHY_NPL_BP:
        return "healthy"
    return "unhealthy" if npl_bp > UNHEALTHY_NPL_BP else "fair"


# -- one statement for the whole portfolio -------------------------------------------------------


def _paid_principal(on: date) -> Select[int, int]:
    """Principal paid per instalment by payments made on or before ``on`` and not reversed by
    then (a payment reversed later still counted that day, as it does in the books)."""
    reversed_by_then = select(JournalEntry.reverses_id).where(
        JournalEntry.reverses_id.is_not(None), JournalEntry.entry_date <= on
    )
    return (
        select(
            LoanRepaymentPart.instalment_id,
            func.sum(LoanRepaymentPart.principal).label("paid"),
        )
        .join(LoanRepayment, LoanRepayment.id == LoanRepaymentPart.repayment_id)
        .where(LoanRepayment.paid_on <= on, LoanRepayment.entry_id.not_in(reversed_by_then))
        .group_by(LoanRepaymentPart.instalment_id)
    )


def _version_in_force(on: date) -> Select[int, int]:
    """Each loan's schedule in force on ``on``: the first, or the last restructuring's by then."""
    restructured = (
        select(func.max(LoanRestructure.to_version))
        .where(LoanRestructure.loan_id == Loan.id, LoanRestructure.restructured_on <= on)
        .scalar_subquery()
    )
    return select(Loan.id.label("loan_id"), func.coalesce(restructured, 1).label("version"))


@dataclass(frozen=True)
class LoanPosition:
    loan_id: int
    outstanding: int  # principal still owed
    oldest_unpaid: date | None  # the earliest due date whose principal is not fully paid
    days_overdue: int


def positions(session: Session, on: date) -> list[LoanPosition]:
    """Every loan being repaid on ``on`` (paid out by then, principal still owed) with its
    principal owed and how late its oldest unpaid principal is, counting only the payments
    made by then: the loan book of a past day reads as it stood that day."""
    paid = _paid_principal(on).subquery()
    in_force = _version_in_force(on).subquery()
    owed = LoanInstalment.principal - func.coalesce(paid.c.paid, 0)
    query = (
        select(
            LoanInstalment.loan_id,
            func.sum(owed),
            func.min(LoanInstalment.due_date).filter(and_(owed > 0, LoanInstalment.due_date < on)),
        )
        .join(Loan, Loan.id == LoanInstalment.loan_id)
        .join(
            in_force,
            and_(
                in_force.c.loan_id == LoanInstalment.loan_id,
                in_force.c.version == LoanInstalment.version,
            ),
        )
        .outerjoin(paid, paid.c.instalment_id == LoanInstalment.id)
        .where(
            Loan.status.in_(PAID_OUT),
            Loan.disbursed_on <= on,
        )
        .group_by(LoanInstalment.loan_id)
        .having(func.sum(owed) > 0)
    )
    return [
        LoanPosition(loan_id, int(outstanding), oldest, (on - oldest).days if oldest else 0)
        for loan_id, outstanding, oldest in session.execute(query)
    ]


def assess(session: Session, on: date) -> int:
    """Classify every active loan as of ``on`` (the daily job); how many were assessed."""
    settings = get_settings(session)
    active = select(Loan.id, Loan.frequency).where(Loan.status == LoanStatus.ACTIVE)
    frequencies: dict[int, Frequency] = dict(session.execute(active).all())
    rows = [
        {
            "id": position.loan_id,
            "collectibility": classify(
                position.days_overdue, frequencies[position.loan_id], settings
            ),
            "days_overdue": position.days_overdue,
            "assessed_on": on,
        }
        for position in positions(session, on)
        if position.loan_id in frequencies  # a loan paid off since keeps its last class
    ]
    if rows:
        session.execute(update(Loan), rows)
    session.flush()
    return len(rows)


# -- the portfolio -------------------------------------------------------------------------------


@dataclass
class Slice:
    """Loans of one group (a class, a product, an officer, an age of arrears)."""

    count: int = 0
    outstanding: int = 0

    def add(self, outstanding: int) -> None:
        self.count += 1
        self.outstanding += outstanding


def _by_class() -> dict[Collectibility, Slice]:
    return {grade: Slice() for grade in CLASSES}


@dataclass
class Portfolio:
    on: date
    total: Slice = field(default_factory=Slice)
    by_class: dict[Collectibility, Slice] = field(default_factory=_by_class)
    by_age: dict[tuple[int, int | None], Slice] = field(
        default_factory=lambda: {bucket: Slice() for bucket in ARREARS_BUCKETS}
    )
    by_product: dict[int, dict[Collectibility, Slice]] = field(default_factory=dict)
    by_officer: dict[int | None, dict[Collectibility, Slice]] = field(default_factory=dict)
    # The loans in arrears past lancar, with their class (the page lists them by class).
    late: list[tuple[LoanPosition, Collectibility]] = field(default_factory=list)

    @property
    def npl_bp(self) -> int:
        """Non-performing loans in basis points of the principal owed."""
        bad = sum(self.by_class[c].outstanding for c in NON_PERFORMING)
        return bad * BASIS_POINTS // self.total.outstanding if self.total.outstanding else 0

    @property
    def risky(self) -> int:
        """Risky loans: 50% of kurang lancar, 75% of diragukan, 100% of macet."""
        return sum(
            self.by_class[c].outstanding * RISK_WEIGHT_PERCENT[c] // 100 for c in NON_PERFORMING
        )

    @property
    def health(self) -> str:
        return health_band(self.npl_bp)


def portfolio(session: Session, on: date) -> Portfolio:
    """The active loans on ``on``: principal owed by class, age of arrears, product, officer."""
    settings = get_settings(session)
    loans = {
        loan_id: (frequency, product_id, officer_id)
        for loan_id, frequency, product_id, officer_id in session.execute(
            select(Loan.id, Loan.frequency, Loan.product_id, Loan.officer_id).where(
                Loan.status.in_(PAID_OUT)
            )
        )
    }
    result = Portfolio(on)
    for position in positions(session, on):
        frequency, product_id, officer_id = loans[position.loan_id]
        grade = classify(position.days_overdue, frequency, settings)
        result.total.add(position.outstanding)
        result.by_class[grade].add(position.outstanding)
        for low, high in ARREARS_BUCKETS:
            if position.days_overdue >= low and (high is None or position.days_overdue <= high):
                result.by_age[(low, high)].add(position.outstanding)
        result.by_product.setdefault(product_id, _by_class())[grade].add(position.outstanding)
        result.by_officer.setdefault(officer_id, _by_class())[grade].add(position.outstanding)
        if grade is not Collectibility.LANCAR:
            result.late.append((position, grade))
    return result


@dataclass(frozen=True)
class BookLine:
    """One active loan in the loan ledger (buku pinjaman), amounts in rupiah."""

    loan: Loan
    member: Member
    product_name: str
    outstanding: int  # principal still owed
    grade: Collectibility
    days_overdue: int

    @property
    def paid(self) -> int:
        """Principal repaid (a restructured loan's rescheduled principal counts as owed)."""
        return self.loan.principal - self.outstanding


def loan_book(session: Session, on: date) -> list[BookLine]:
    """Every active loan on ``on`` with its member, product, principal owed and class, the
    worst first (most days late), then by loan number."""
    settings = get_settings(session)
    found = {position.loan_id: position for position in positions(session, on)}
    rows = session.execute(
        select(Loan, Member, LoanProduct.name)
        .join(Member, Member.id == Loan.member_id)
        .join(LoanProduct, LoanProduct.id == Loan.product_id)
        .where(Loan.id.in_(found))
    )
    lines = [
        BookLine(
            loan,
            member,
            product_name,
            found[loan.id].outstanding,
            classify(found[loan.id].days_overdue, loan.frequency, settings),
            found[loan.id].days_overdue,
        )
        for loan, member, product_name in rows
    ]
    return sorted(lines, key=lambda line: (-line.days_overdue, line.loan.number))


@dataclass(frozen=True)
class LateLoan:
    """A loan past lancar as the portfolio page lists it, amounts in rupiah."""

    loan_id: int
    number: str
    member_name: str
    grade: Collectibility
    days_overdue: int
    outstanding: int


def late_loans(session: Session, book: Portfolio) -> list[LateLoan]:
    """The portfolio's loans past lancar with their numbers and members, the latest first."""
    found = {position.loan_id: (position, grade) for position, grade in book.late}
    rows = session.execute(
        select(Loan.id, Loan.number, Member.name)
        .join(Member, Member.id == Loan.member_id)
        .where(Loan.id.in_(found))
    )
    late = [
        LateLoan(
            loan_id,
            number,
            name,
            found[loan_id][1],
            found[loan_id][0].days_overdue,
            found[loan_id][0].outstanding,
        )
        for loan_id, number, name in rows
    ]
    return sorted(late, key=lambda loan: (-loan.days_overdue, loan.number))


def product_names(session: Session) -> dict[int, str]:
    return dict(session.execute(select(LoanProduct.id, LoanProduct.name)).all())


def officer_names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    """The names of the officers who look after loans."""
    wanted = [i for i in ids if i is not None]
    query = select(TenantUser.id, TenantUser.name).where(TenantUser.id.in_(wanted))
    return dict(session.execute(query).all())


def last_assessed(session: Session) -> date | None:
    """The day the daily job last assessed the active loans."""
    return session.scalar(
        select(func.max(Loan.assessed_on)).where(Loan.status == LoanStatus.ACTIVE)
    )


def reserve_runs(session: Session) -> list[PpapRun]:
    """The months whose reserve was posted, the latest first."""
    return list(
        session.scalars(select(PpapRun).order_by(PpapRun.year.desc(), PpapRun.month.desc()))
    )


def month_to_reserve(session: Session, today: date) -> tuple[int, int] | None:
    """The last month that has ended, if its reserve is not posted yet."""
    end = today.replace(day=1) - timedelta(days=1)
    posted = session.scalar(
        select(PpapRun.id).where(PpapRun.year == end.year, PpapRun.month == end.month)
    )
    return None if posted else (end.year, end.month)


# -- the reserve for bad loans -------------------------------------------------------------------


def required_reserve(session: Session, on: date) -> int:
    """The PPAP the portfolio needs on ``on``: each class's owed principal times its rate."""
    return reserve_for(session, portfolio(session, on))


def reserve_for(session: Session, book: Portfolio) -> int:
    """The PPAP ``book`` needs, in rupiah: each class's owed principal times its rate."""
    settings = get_settings(session)
    return sum(
        book.by_class[grade].outstanding * settings.ppap_bp[grade.value] // BASIS_POINTS
        for grade in CLASSES
    )


def reserve_held(session: Session, on: date) -> int:
    """The reserve on the books on ``on`` (the PPAP account's credit balance)."""
    account = ledger.account_by_role(session, "ppap")
    held = session.scalar(
        select(func.coalesce(func.sum(JournalLine.credit - JournalLine.debit), 0)).where(
            JournalLine.account_id == account.id, JournalLine.entry_date <= on
        )
    )
    return int(held or 0)


def post_reserve(
    session: Session, year: int, month: int, *, today: date, user_id: int | None
) -> PpapRun:
    """Bring the reserve to what the portfolio needs at the month's end, once per month: the
    difference is the month's PPAP expense (or its release). The month must have ended."""
    end = month_end(year, month)
    if end >= today:
        raise LedgerError("period_not_ended")
    if session.scalar(select(PpapRun).where(PpapRun.year == year, PpapRun.month == month)):
        raise LedgerError("reserve_posted")
    required = required_reserve(session, end)
    change = required - reserve_held(session, end)
    run = PpapRun(year=year, month=month, required=required, change=change, posted_by_id=user_id)
    if change:
        reserve = ledger.account_by_role(session, "ppap").id
        expense = ledger.account_by_role(session, "ppap_expense").id
        amount = abs(change)
        lines = (
            [Line(expense, debit=amount), Line(reserve, credit=amount)]
            if change > 0
            else [Line(reserve, debit=amount), Line(expense, credit=amount)]
        )
        result = ledger.post_entry(
            session,
            entry_date=end,
            description=f"PPAP {month:02d}/{year}",
            lines=lines,
            idempotency_key=uuid.uuid5(uuid.NAMESPACE_URL, f"guyub:ppap:{year}-{month}"),
            source=EntrySource.LOAN,
            posted_by_id=user_id,
        )
        run.entry_id = result.entry.id
    session.add(run)
    session.flush()
    return run
