"""Paying a loan back: where a loan stands on a day, how a payment is split, and posting it.

A loan's standing is read from its schedule and the parts of its payments that were not
reversed, so reversing a payment restores the schedule exactly. A payment goes first to late
fees, then to interest, then to principal, each oldest instalment first, over what is due; what
is left pays the next instalments ahead, each its interest then its principal. Interest and late
fees received post to revenue naming the member, so they count in the member's jasa usaha (Va)
for the SHU. Operations flush and never commit.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Integer,
    Select,
    String,
    Text,
    bindparam,
    cast,
    extract,
    func,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from saas.db import attach_inserted
from saas.ledger import operations as ledger
from saas.ledger.models import EntrySource, JournalEntry
from saas.ledger.rules import Line
from saas.loans.models import (
    Loan,
    LoanInstalment,
    LoanProduct,
    LoanRepayment,
    LoanRepaymentPart,
    LoanStatus,
    PayoffRule,
    RepaymentMethod,
)
from saas.loans.operations import LoanError, lock_loan
from saas.members.models import Counter, Member
from saas.savings import operations as savings
from saas.savings.models import PaymentMethod, SavingsKind

COMPONENTS = ("late_fee", "interest", "principal")  # the order a payment settles what is due


@dataclass(slots=True)
class Due:
    """One instalment as it stands on a day: what it asks and what is paid of it."""

    instalment_id: int
    number: int
    due_date: date
    principal: int
    interest: int
    late_fee: int = 0  # accrued up to the day, or to the day it was settled
    paid_principal: int = 0
    paid_interest: int = 0
    paid_late_fee: int = 0
    settled_on: date | None = None

    def owed(self, component: str) -> int:
        if component == "principal":
            return self.principal - self.paid_principal
        if component == "interest":
            return self.interest - self.paid_interest
        if component == "late_fee":
            return self.late_fee - self.paid_late_fee
        raise ValueError(component)

    @property
    def outstanding(self) -> int:
        return (
            self.principal
            - self.paid_principal
            + self.interest
            - self.paid_interest
            + self.late_fee
            - self.paid_late_fee
        )


@dataclass
class Standing:
    """A loan on a day: every instalment of its schedule in force, and the product's rules."""

    loan: Loan
    on: date
    dues: list[Due]
    payoff_rule: PayoffRule

    @property
    def principal_left(self) -> int:
        return sum(due.principal - due.paid_principal for due in self.dues)

    @property
    def total_left(self) -> int:
        """Everything still owed, every future instalment's interest included."""
        return sum(due.outstanding for due in self.dues)

    @property
    def overdue(self) -> list[Due]:
        return [due for due in self.dues if due.due_date < self.on and due.outstanding > 0]

    @property
    def due_now(self) -> int:
        """What is owed up to and including the day: the arrears and today's instalment."""
        return sum(due.outstanding for due in self.dues if due.due_date <= self.on)

    @property
    def next_due(self) -> Due | None:
        return next((due for due in self.dues if due.outstanding > 0), None)

    @property
    def payoff(self) -> int:
        """What settles the loan today under the product's rule: everything due, the principal
        left, and the interest the rule asks of the instalments not yet due."""
        return sum(
            payoff_part.late_fee + payoff_part.interest + payoff_part.principal
            for payoff_part in allocate(self, None, payoff=True)
        )


@dataclass
class PartPlan:
    due: Due
    principal: int = 0
    interest: int = 0
    late_fee: int = 0

    @property
    def total(self) -> int:
        return self.principal + self.interest + self.late_fee


def late_fee(due_date: date, until: date, *, per_day: int, grace_days: int) -> int:
    """The late fee of one instalment paid (or still unpaid) on ``until``: ``per_day`` for each
    day past its due date and the grace days."""
    days = (until - due_date).days - grace_days
    return per_day * days if days > 0 and per_day > 0 else 0


def standing(session: Session, loan: Loan, on: date, *, lock: bool = False) -> Standing:
    """Where ``loan`` stands on ``on``: its schedule in force and what live payments paid of
    each instalment, with the product's late fee and payoff rules (one statement). With
    ``lock``, the loan's row is locked in the same statement and its status read afresh, so
    payments on one loan queue behind each other."""
    statement = STANDING_LOCKED if lock else STANDING
    rows = session.connection().execute(statement, {"loan_id": loan.id}).all()
    if not rows:
        lock_loan(session, loan)  # never paid out: it has no schedule, only its status to tell
        raise LoanError("not_active")
    if lock:  # what may have changed since the loan was read: as the locked row has it
        set_committed_value(loan, "status", rows[0].loan_status)
        set_committed_value(loan, "disbursed_on", rows[0].loan_disbursed_on)
    product = rows[0]  # the loan's product rules, the same on every row
    per_day, grace_days = product.late_fee_per_day, product.grace_days
    dues = [
        due_as_paid(
            Due(instalment_id, number, due_date, principal, interest),
            (paid_principal, paid_interest, paid_late_fee),
            last_paid_on,
            on,
            per_day=per_day,
            grace_days=grace_days,
        )
        for (
            instalment_id,
            number,
            due_date,
            principal,
            interest,
            paid_principal,
            paid_interest,
            paid_late_fee,
            last_paid_on,
            *_product,
        ) in rows
    ]
    return Standing(loan, on, dues, PayoffRule(product.payoff_rule))


def due_as_paid(
    due: Due,
    paid: tuple[int, int, int],
    last_paid_on: date | None,
    on: date,
    *,
    per_day: int,
    grace_days: int,
) -> Due:
    """``due`` with what live payments paid of it (principal, interest, late fee, as ints),
    and its late fee accrued up to ``on``, or to the day its principal and interest were
    settled."""
    due.paid_principal, due.paid_interest, due.paid_late_fee = paid
    if due.paid_principal == due.principal and due.paid_interest == due.interest:
        due.settled_on = last_paid_on  # no principal or interest is paid after that
    until = min(due.settled_on or on, on)
    accrued = late_fee(due.due_date, until, per_day=per_day, grace_days=grace_days)
    due.late_fee = max(accrued, due.paid_late_fee)
    return due


def _standing_statement() -> Select[Any]:
    """A loan's instalments in force, each with what live (not reversed) payments paid of it
    and the last day such a payment paid its principal or interest, and the product's rules."""
    reversed_entry = (
        select(JournalEntry.id).where(JournalEntry.reverses_id == LoanRepayment.entry_id).exists()
    )
    live = (  # per instalment, through its index: a loan's own few parts, never all of them
        select(
            cast(func.sum(LoanRepaymentPart.principal), BigInteger).label("principal"),
            cast(func.sum(LoanRepaymentPart.interest), BigInteger).label("interest"),
            cast(func.sum(LoanRepaymentPart.late_fee), BigInteger).label("late_fee"),
            func.max(LoanRepayment.paid_on)
            .filter(LoanRepaymentPart.principal + LoanRepaymentPart.interest > 0)
            .label("last_paid_on"),
        )
        .join(LoanRepayment, LoanRepayment.id == LoanRepaymentPart.repayment_id)
        .where(LoanRepaymentPart.instalment_id == LoanInstalment.id, ~reversed_entry)
        .lateral("live")
    )
    # The loan comes in through a subquery, whose value the planner does not look into: the
    # plan is then the same for every loan, and a prepared statement keeps that one plan
    # instead of planning each execution again (a loan's estimate would differ from the
    # average, and the planner would never settle on the generic plan).
    loan_id = select(bindparam("loan_id", type_=BigInteger)).scalar_subquery()
    latest = (
        select(func.max(LoanInstalment.version))
        .where(LoanInstalment.loan_id == loan_id)
        .scalar_subquery()
    )
    return (
        select(
            LoanInstalment.id,
            LoanInstalment.number,
            LoanInstalment.due_date,
            LoanInstalment.principal,
            LoanInstalment.interest,
            func.coalesce(live.c.principal, 0).label("paid_principal"),
            func.coalesce(live.c.interest, 0).label("paid_interest"),
            func.coalesce(live.c.late_fee, 0).label("paid_late_fee"),
            live.c.last_paid_on,
            LoanProduct.late_fee_per_day,
            LoanProduct.grace_days,
            LoanProduct.payoff_rule,
            Loan.status.label("loan_status"),
            Loan.disbursed_on.label("loan_disbursed_on"),
        )
        .join(Loan, Loan.id == LoanInstalment.loan_id)
        .join(LoanProduct, LoanProduct.id == Loan.product_id)
        .outerjoin(live, true())
        .where(LoanInstalment.loan_id == loan_id, LoanInstalment.version == latest)
        .order_by(LoanInstalment.number)
    )


STANDING = _standing_statement()
STANDING_LOCKED = STANDING.with_for_update(of=Loan)


def allocate(standing: Standing, amount: int | None, *, payoff: bool = False) -> list[PartPlan]:
    """Split ``amount`` over the loan: late fees, then interest, then principal of what is due
    (oldest first); then the instalments ahead, each its interest then its principal. With
    ``payoff``, everything the payoff asks (``amount`` None: as much as that is)."""
    due_now = [due for due in standing.dues if due.due_date <= standing.on]
    ahead = [due for due in standing.dues if due.due_date > standing.on]
    order: list[tuple[Due, str]] = [(due, c) for c in COMPONENTS for due in due_now]
    for index, due in enumerate(ahead):
        order.append((due, "late_fee"))
        if not payoff or standing.payoff_rule is PayoffRule.ALL_INTEREST or index == 0:
            order.append((due, "interest"))
        order.append((due, "principal"))
    left = amount
    plans: dict[int, PartPlan] = {}
    for due, component in order:
        owed = due.owed(component)
        take = owed if left is None else min(owed, left)
        if take <= 0:
            continue
        plan = plans.setdefault(due.instalment_id, PartPlan(due))
        setattr(plan, component, getattr(plan, component) + take)
        if left is not None:
            left -= take
            if left == 0:
                break
    return list(plans.values())


# -- paying --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Payment:
    amount: int
    method: PaymentMethod
    paid_on: date
    idempotency_key: uuid.UUID
    officer_id: int
    officer_name: str
    payoff: bool = False  # settle the loan now, under the product's payoff rule


@dataclass(frozen=True)
class PaymentResult:
    repayment: LoanRepayment
    created: bool  # False: the key was paid before and this is that first payment
    parts: list[PartPlan] = field(default_factory=list)


def repay(session: Session, loan: Loan, payment: Payment) -> PaymentResult:
    """Record a payment on an active loan, once per key. More than is owed is refused, naming
    what pays the loan off; a payoff must be exactly that amount."""
    try:
        now, plans = _split(session, loan, payment)
    except LoanError:
        if (first := find_by_key(session, payment.idempotency_key)) is not None:
            return PaymentResult(first, created=False)  # a retry of what paid the loan off
        raise
    money = ledger.account_by_role(session, payment.method.account_role).id
    repayment, created = _record(
        session,
        now,
        plans,
        payment,
        money_lines=[Line(money, debit=payment.amount)],
        method=RepaymentMethod(payment.method.value),
    )
    return PaymentResult(repayment, created=created, parts=plans if created else [])


def _split(session: Session, loan: Loan, payment: Payment) -> tuple[Standing, list[PartPlan]]:
    """Where the loan stands on the payment's day, and how the payment is split."""
    now = _payable(session, loan, payment.paid_on, payment.amount)
    if payment.payoff:
        if payment.amount != now.payoff:
            raise LoanError("payoff_amount", payoff=now.payoff)
        return now, allocate(now, None, payoff=True)
    if payment.amount > now.total_left:
        raise LoanError("more_than_owed", payoff=now.payoff, owed=now.total_left)
    return now, allocate(now, payment.amount)


def _payable(session: Session, loan: Loan, on: date, amount: int) -> Standing:
    """The loan's standing, locked, when it may take a payment of ``amount`` on ``on``."""
    now = standing(session, loan, on, lock=True)
    if loan.status is not LoanStatus.ACTIVE:
        raise LoanError("not_active")
    if loan.disbursed_on is not None and on < loan.disbursed_on:
        raise LoanError("before_payout")
    if amount <= 0:
        raise LoanError("nothing_to_pay")
    return now


def _record(
    session: Session,
    now: Standing,
    plans: list[PartPlan],
    payment: Payment,
    *,
    money_lines: list[Line],
    method: RepaymentMethod,
) -> tuple[LoanRepayment, bool]:
    """Post the payment split by ``plans`` (what came in: ``money_lines``), write its receipt
    and parts, and mark the loan paid off when no principal is left; or, when its key was
    posted before, that first payment (and False)."""
    loan = now.loan
    totals = {c: sum(getattr(plan, c) for plan in plans) for c in COMPONENTS}
    result = ledger.post_entry(
        session,
        entry_date=payment.paid_on,
        description=f"Angsuran pinjaman {loan.number}",
        lines=[*money_lines, *_owed_lines(session, loan, totals)],
        idempotency_key=payment.idempotency_key,
        source=EntrySource.LOAN,
        posted_by_id=payment.officer_id,
        member_id=loan.member_id,
    )
    if not result.created:
        return session.scalars(
            select(LoanRepayment).where(LoanRepayment.entry_id == result.entry.id)
        ).one(), False
    fields = {
        "loan_id": loan.id,
        "entry_id": result.entry.id,
        "paid_on": payment.paid_on,
        "method": method,
        "amount": sum(totals.values()),
        "principal": totals["principal"],
        "interest": totals["interest"],
        "late_fee": totals["late_fee"],
        "is_payoff": payment.payoff,
        "officer_name": payment.officer_name,
        "created_at": datetime.now(UTC),
    }
    parts = {
        "part_instalments": [plan.due.instalment_id for plan in plans],
        "part_principals": [plan.principal for plan in plans],
        "part_interests": [plan.interest for plan in plans],
        "part_late_fees": [plan.late_fee for plan in plans],
    }
    repayment_id, number, token, _parts = (
        session.connection().execute(RECORD, {**fields, **parts}).one()
    )
    repayment = attach_inserted(
        session, LoanRepayment(id=repayment_id, number=number, token=token, **fields)
    )
    if payment.payoff or totals["principal"] == now.principal_left:
        loan.status = LoanStatus.PAID_OFF
    session.flush()
    return repayment, True


def _owed_lines(session: Session, loan: Loan, totals: dict[str, int]) -> list[Line]:
    """The member's receivable, interest and late fees credited with what was paid of each."""
    lines = []
    for component, role in (
        ("principal", "loans_receivable"),
        ("interest", "loan_interest"),
        ("late_fee", "late_fees"),
    ):
        if totals[component]:
            account = ledger.account_by_role(session, role).id
            lines.append(Line(account, credit=totals[component], member_id=loan.member_id))
    return lines


def _record_statement() -> Select[Any]:
    """Take the next receipt number, insert the payment as ``KP-<year>-<number>`` (at least six
    digits; the database draws its token) and its parts, in one statement. The counter's row
    stays locked until commit, so numbers run without gaps."""
    number = (
        insert(Counter)
        .values(name=RECEIPT_COUNTER, value=1)
        .on_conflict_do_update(index_elements=[Counter.name], set_={"value": Counter.value + 1})
        .returning(Counter.value)
        .cte("number")
    )
    digits = cast(number.c.value, Text)
    paid_on = bindparam("paid_on", type_=Date)
    table = LoanRepayment.__table__.c
    given = select(
        func.concat(
            "KP-",
            extract("year", paid_on).cast(Integer),
            "-",
            func.lpad(digits, func.greatest(6, func.length(digits)), "0"),
        ).label("number"),
        bindparam("loan_id", type_=BigInteger),
        bindparam("entry_id", type_=BigInteger),
        paid_on,
        bindparam("method", type_=table.method.type),
        bindparam("amount", type_=BigInteger),
        bindparam("principal", type_=BigInteger),
        bindparam("interest", type_=BigInteger),
        bindparam("late_fee", type_=BigInteger),
        bindparam("is_payoff", type_=Boolean),
        bindparam("officer_name", type_=String),
        bindparam("created_at", type_=DateTime(timezone=True)),
    ).select_from(number)
    repayment = (
        insert(LoanRepayment)
        .from_select(given.selected_columns.keys(), given)
        .returning(LoanRepayment.id, LoanRepayment.number, LoanRepayment.token)
        .cte("repayment")
    )
    each = [
        func.unnest(bindparam(name, type_=ARRAY(BigInteger)))
        for name in ("part_instalments", "part_principals", "part_interests", "part_late_fees")
    ]
    parts = (
        insert(LoanRepaymentPart)
        .from_select(
            ["repayment_id", "instalment_id", "principal", "interest", "late_fee"],
            select(repayment.c.id, *each),
        )
        .returning(LoanRepaymentPart.id)
        .cte("parts")
    )
    written = select(func.count()).select_from(parts).scalar_subquery()
    return select(repayment.c.id, repayment.c.number, repayment.c.token, written)


RECEIPT_COUNTER = "loan_receipts"
RECORD = _record_statement()


# Savings a leaving member's loans are settled from, the freely withdrawable first.
OFFSET_ORDER = (SavingsKind.SUKARELA, SavingsKind.WAJIB, SavingsKind.POKOK)


def settle_from_savings(
    session: Session,
    member: Member,
    *,
    on: date,
    idempotency_key: uuid.UUID,
    officer_id: int,
    officer_name: str,
) -> int:
    """Before a leaving member is paid their savings, their loans are paid from them: each
    active loan (oldest first) is paid off under its product's rule, or as far as the savings
    go. How much was taken; the rest of the savings is theirs to be paid out."""
    savings.lock_member(session, member)
    held = savings.balances(session, member.id)
    taken = 0
    active = select(Loan).where(Loan.member_id == member.id, Loan.status == LoanStatus.ACTIVE)
    for number, loan in enumerate(session.scalars(active.order_by(Loan.id)).all()):
        available = sum(max(held[kind], 0) for kind in OFFSET_ORDER)
        key = uuid.uuid5(idempotency_key, str(number))  # one key per loan, from the exit's
        if available <= 0 or find_by_key(session, key) is not None:
            continue
        lock_loan(session, loan)
        now = _payable(session, loan, on, available)
        payoff = now.payoff <= available
        plans = allocate(now, None if payoff else available, payoff=payoff)
        left, lines = sum(plan.total for plan in plans), []
        for kind in OFFSET_ORDER:
            take = min(max(held[kind], 0), left)
            if take:
                account = ledger.account_by_role(session, kind.account_role).id
                lines.append(Line(account, debit=take, member_id=member.id))
                held[kind] -= take
                left -= take
        payment = Payment(
            sum(plan.total for plan in plans),
            PaymentMethod.CASH,
            on,
            key,
            officer_id,
            officer_name,
            payoff,
        )
        _record(session, now, plans, payment, money_lines=lines, method=RepaymentMethod.SAVINGS)
        taken += payment.amount
    return taken


def reverse(
    session: Session,
    repayment: LoanRepayment,
    *,
    on: date,
    reason: str,
    idempotency_key: uuid.UUID,
    user_id: int,
) -> LoanRepayment:
    """Cancel a payment: its entry reversed, its parts no longer count, the loan active again."""
    loan = session.get_one(Loan, repayment.loan_id)
    lock_loan(session, loan)
    if _restructured_since(session, repayment):
        raise LoanError("restructured_since")
    entry = session.get_one(JournalEntry, repayment.entry_id)
    ledger.reverse_entry(
        session,
        entry,
        entry_date=on,
        reason=reason,
        idempotency_key=idempotency_key,
        posted_by_id=user_id,
        by_owner=True,
    )
    if loan.status is LoanStatus.PAID_OFF:
        loan.status = LoanStatus.ACTIVE
    session.flush()
    session.expire(repayment, ["reversal"])
    return repayment


def _restructured_since(session: Session, repayment: LoanRepayment) -> bool:
    """Whether the payment was made on a schedule a restructuring has since replaced: the new
    schedule rests on what it paid, so it stays."""
    paid_version = (
        select(func.max(LoanInstalment.version))
        .join(LoanRepaymentPart, LoanRepaymentPart.instalment_id == LoanInstalment.id)
        .where(LoanRepaymentPart.repayment_id == repayment.id)
    )
    latest = select(func.max(LoanInstalment.version)).where(
        LoanInstalment.loan_id == repayment.loan_id
    )
    return bool((session.scalar(paid_version) or 0) < (session.scalar(latest) or 0))


def payoff_of_member(session: Session, member: Member, on: date) -> int:
    """What pays off every active loan of ``member`` on ``on``."""
    active = select(Loan).where(Loan.member_id == member.id, Loan.status == LoanStatus.ACTIVE)
    return sum(standing(session, loan, on).payoff for loan in session.scalars(active))


def find_by_key(session: Session, key: uuid.UUID) -> LoanRepayment | None:
    return session.scalar(
        select(LoanRepayment)
        .join(JournalEntry, JournalEntry.id == LoanRepayment.entry_id)
        .where(JournalEntry.idempotency_key == key)
    )


def repayments_of(session: Session, loan: Loan) -> list[LoanRepayment]:
    query = select(LoanRepayment).where(LoanRepayment.loan_id == loan.id)
    return list(session.scalars(query.order_by(LoanRepayment.paid_on, LoanRepayment.id)))


def find_by_token(session: Session, token: str) -> LoanRepayment | None:
    return session.scalar(select(LoanRepayment).where(LoanRepayment.token == token))
