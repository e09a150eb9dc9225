"""Loan products, loans, their approvals and schedules, in each tenant's schema.

Money moves only through the ledger: a loan row records what was agreed and the entry that
disbursed it; its schedule is one row per instalment (the one fact every screen reads). The
database keeps an agreed loan's terms and a disbursed loan's schedule as they were made
(``LOAN_GUARDS``), and refuses an applicant approving their own loan.
"""

from __future__ import annotations

import enum
import json
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Integer,
    SmallInteger,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, foreign, mapped_column, relationship

from saas.db import TenantBase, create_guards_with, value_enum
from saas.ledger.models import JournalEntry
from saas.loans.schedule import Frequency, InterestMethod
from saas.savings.models import RANDOM_HEX_SQL
from saas.tenants.models import utcnow


class PayoffRule(enum.StrEnum):
    """What paying a loan off early costs besides the principal still owed."""

    ALL_INTEREST = "all_interest"  # the interest of every remaining instalment (usual for flat)
    CURRENT_INTEREST = "current_interest"  # only the interest of the instalment now running


class RepaymentMethod(enum.StrEnum):
    """How a payment on a loan came in: money (as for savings), or the member's own savings."""

    CASH = "cash"
    QRIS = "qris"
    TRANSFER = "transfer"
    SAVINGS = "savings"  # a leaving member's loan settled from their savings


class LoanStatus(enum.StrEnum):
    APPLIED = "applied"  # waiting for its approvals
    APPROVED = "approved"  # approved, not yet paid out
    REJECTED = "rejected"
    CANCELLED = "cancelled"  # withdrawn before it was paid out
    ACTIVE = "active"  # paid out, being repaid
    PAID_OFF = "paid_off"


class Collectibility(enum.StrEnum):
    """A loan's quality by how long its principal is in arrears (Permen KUKM 14/2009)."""

    LANCAR = "lancar"
    KURANG_LANCAR = "kurang_lancar"
    DIRAGUKAN = "diragukan"
    MACET = "macet"


# Permen KUKM 14/2009: monthly to quarterly instalments are kurang lancar after 3 months of
# principal in arrears, diragukan after 6, macet after 12; daily and weekly ones after 1, 2, 3.
DEFAULT_ARREARS_DAYS = {"monthly": [90, 180, 360], "weekly": [30, 60, 90], "daily": [30, 60, 90]}
DEFAULT_PPAP_BP = {"lancar": 50, "kurang_lancar": 1_000, "diragukan": 5_000, "macet": 10_000}
ARREARS_DAYS_SQL = text(f"'{json.dumps(DEFAULT_ARREARS_DAYS)}'::jsonb")
PPAP_BP_SQL = text(f"'{json.dumps(DEFAULT_PPAP_BP)}'::jsonb")


class LoanSettings(TenantBase):
    """Who approves loans and how many of them must (the cooperative's own rules); one row."""

    __tablename__ = "loan_settings"
    __table_args__ = (
        CheckConstraint("id = 1", name="single_row"),
        CheckConstraint("approvals_required BETWEEN 1 AND 5", name="approvals_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, default=1, autoincrement=False)
    approver_roles: Mapped[list[str]] = mapped_column(
        ARRAY(String(20)), default=lambda: ["ketua", "bendahara"]
    )
    approvals_required: Mapped[int] = mapped_column(SmallInteger, default=2)
    # Days of principal in arrears after which a loan is kurang lancar, diragukan and macet, per
    # instalment frequency; and the PPAP reserve per class in basis points of what is owed.
    arrears_days: Mapped[dict[str, list[int]]] = mapped_column(
        JSONB, default=lambda: dict(DEFAULT_ARREARS_DAYS), server_default=ARREARS_DAYS_SQL
    )
    ppap_bp: Mapped[dict[str, int]] = mapped_column(
        JSONB, default=lambda: dict(DEFAULT_PPAP_BP), server_default=PPAP_BP_SQL
    )


class LoanProduct(TenantBase):
    """A kind of loan the cooperative offers its members, with its terms and limits."""

    __tablename__ = "loan_products"
    __table_args__ = (
        CheckConstraint("rate_bp BETWEEN 0 AND 10000", name="rate_range"),
        CheckConstraint(
            "min_instalments BETWEEN 1 AND max_instalments AND max_instalments <= 1000",
            name="instalments_range",
        ),
        CheckConstraint(
            "min_amount > 0 AND (max_amount IS NULL OR max_amount >= min_amount)",
            name="amount_range",
        ),
        CheckConstraint(
            "admin_fee_bp BETWEEN 0 AND 10000 AND insurance_fee_bp BETWEEN 0 AND 10000"
            " AND late_fee_per_day >= 0 AND grace_days BETWEEN 0 AND 90"
            " AND (savings_multiple IS NULL OR savings_multiple BETWEEN 1 AND 100)",
            name="fees_range",
        ),
    )

    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    method: Mapped[InterestMethod] = mapped_column(
        value_enum(InterestMethod, "interest_method", native=False)
    )
    frequency: Mapped[Frequency] = mapped_column(
        value_enum(Frequency, "instalment_frequency", native=False)
    )
    rate_bp: Mapped[int] = mapped_column(Integer)  # a year, in basis points: 1800 is 18%
    min_instalments: Mapped[int] = mapped_column(SmallInteger)
    max_instalments: Mapped[int] = mapped_column(SmallInteger)
    min_amount: Mapped[int] = mapped_column(BigInteger)
    max_amount: Mapped[int | None] = mapped_column(BigInteger)
    # At most this many times the member's principal + mandatory savings, when set.
    savings_multiple: Mapped[int | None] = mapped_column(SmallInteger)
    admin_fee_bp: Mapped[int] = mapped_column(Integer, default=0)  # of the principal
    insurance_fee_bp: Mapped[int] = mapped_column(Integer, default=0)  # of the principal
    late_fee_per_day: Mapped[int] = mapped_column(BigInteger, default=0)  # per late instalment
    grace_days: Mapped[int] = mapped_column(SmallInteger, default=0)  # before a late fee runs
    payoff_rule: Mapped[PayoffRule] = mapped_column(
        value_enum(PayoffRule, "payoff_rule", native=False), default=PayoffRule.ALL_INTEREST
    )
    requires_guarantor: Mapped[bool] = mapped_column(Boolean, default=False)
    collateral_note: Mapped[str | None] = mapped_column(String(300))  # what collateral is asked
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Loan(TenantBase):
    """One member's loan: its terms are copied from the product when applied for, so changing
    the product later changes no loan."""

    __tablename__ = "loans"
    __table_args__ = (
        CheckConstraint("principal > 0 AND admin_fee >= 0 AND insurance_fee >= 0", name="money"),
        CheckConstraint("admin_fee + insurance_fee < principal", name="fees_below_principal"),
        CheckConstraint("instalments BETWEEN 1 AND 1000", name="instalments_range"),
        CheckConstraint("rate_bp BETWEEN 0 AND 10000", name="rate_range"),
        CheckConstraint(
            "(status IN ('active', 'paid_off')) = (disbursement_entry_id IS NOT NULL)",
            name="disbursed_with_entry",
        ),
    )

    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="RESTRICT"), index=True
    )
    product_id: Mapped[int] = mapped_column(ForeignKey("loan_products.id", ondelete="RESTRICT"))
    principal: Mapped[int] = mapped_column(BigInteger)
    rate_bp: Mapped[int] = mapped_column(Integer)
    instalments: Mapped[int] = mapped_column(SmallInteger)
    method: Mapped[InterestMethod] = mapped_column(
        value_enum(InterestMethod, "interest_method", native=False)
    )
    frequency: Mapped[Frequency] = mapped_column(
        value_enum(Frequency, "instalment_frequency", native=False)
    )
    admin_fee: Mapped[int] = mapped_column(BigInteger, default=0)
    insurance_fee: Mapped[int] = mapped_column(BigInteger, default=0)
    purpose: Mapped[str] = mapped_column(String(300))
    guarantor: Mapped[str | None] = mapped_column(String(120))
    collateral: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[LoanStatus] = mapped_column(
        value_enum(LoanStatus, "loan_status", native=False), default=LoanStatus.APPLIED
    )
    # Whoever applied (an officer for the member, or the member's own account) never approves.
    applied_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    applied_on: Mapped[date] = mapped_column(Date)
    decided_on: Mapped[date | None] = mapped_column(Date)
    decision_note: Mapped[str | None] = mapped_column(String(300))
    disbursed_on: Mapped[date | None] = mapped_column(Date)
    disbursement_entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("journal_entries.id", ondelete="RESTRICT"), unique=True
    )
    # Recomputed each day by the collectibility job, in the cooperative's own time zone.
    collectibility: Mapped[Collectibility | None] = mapped_column(
        value_enum(Collectibility, "collectibility", native=False)
    )
    days_overdue: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    assessed_on: Mapped[date | None] = mapped_column(Date)
    # The officer who looks after the loan (the portfolio per officer): whoever paid it out.
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    approvals: Mapped[list[LoanApproval]] = relationship(order_by="LoanApproval.id", viewonly=True)


class LoanApproval(TenantBase):
    """One officer's yes or no on a loan; each officer decides once."""

    __tablename__ = "loan_approvals"
    __table_args__ = (UniqueConstraint("loan_id", "user_id"),)

    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loans.id", ondelete="RESTRICT"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    role: Mapped[str] = mapped_column(String(20))  # the role they decided in
    approved: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str | None] = mapped_column(String(300))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class LoanInstalment(TenantBase):
    """One instalment of a loan's schedule. A restructured loan gets a new ``version`` of the
    schedule for what it still owes; the earlier versions stay as they were."""

    __tablename__ = "loan_instalments"
    __table_args__ = (
        UniqueConstraint("loan_id", "version", "number"),
        CheckConstraint(
            "principal >= 0 AND interest >= 0 AND principal + interest > 0", name="amounts"
        ),
    )

    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loans.id", ondelete="RESTRICT"))
    version: Mapped[int] = mapped_column(SmallInteger, default=1)
    number: Mapped[int] = mapped_column(SmallInteger)
    due_date: Mapped[date] = mapped_column(Date)
    principal: Mapped[int] = mapped_column(BigInteger)
    interest: Mapped[int] = mapped_column(BigInteger)


class LoanRepayment(TenantBase):
    """One payment on a loan with its receipt: the entry that posted it and how it was split
    (``LoanRepaymentPart``). A reversed payment (its entry reversed) pays nothing: the schedule
    reads as if it never happened, and its receipt reads as cancelled."""

    __tablename__ = "loan_repayments"
    __table_args__ = (
        CheckConstraint("token ~ '^[0-9a-f]{32}$'", name="token_shape"),
        CheckConstraint(
            "amount > 0 AND principal >= 0 AND interest >= 0 AND late_fee >= 0"
            " AND amount = principal + interest + late_fee",
            name="split",
        ),
    )

    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loans.id", ondelete="RESTRICT"), index=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    token: Mapped[str] = mapped_column(String(32), unique=True, server_default=text(RANDOM_HEX_SQL))
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("journal_entries.id", ondelete="RESTRICT"), unique=True
    )
    paid_on: Mapped[date] = mapped_column(Date)
    method: Mapped[RepaymentMethod] = mapped_column(
        value_enum(RepaymentMethod, "repayment_method", native=False)
    )
    amount: Mapped[int] = mapped_column(BigInteger)
    principal: Mapped[int] = mapped_column(BigInteger)
    interest: Mapped[int] = mapped_column(BigInteger)
    late_fee: Mapped[int] = mapped_column(BigInteger)
    is_payoff: Mapped[bool] = mapped_column(Boolean, default=False)
    officer_name: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    reversal: Mapped[JournalEntry | None] = relationship(
        primaryjoin=lambda: foreign(JournalEntry.reverses_id) == LoanRepayment.entry_id,
        viewonly=True,
        uselist=False,
    )
    parts: Mapped[list[LoanRepaymentPart]] = relationship(
        order_by="LoanRepaymentPart.id", viewonly=True
    )


class LoanRepaymentPart(TenantBase):
    """What one payment paid of one instalment."""

    __tablename__ = "loan_repayment_parts"
    __table_args__ = (
        UniqueConstraint("repayment_id", "instalment_id"),
        CheckConstraint(
            "principal >= 0 AND interest >= 0 AND late_fee >= 0"
            " AND principal + interest + late_fee > 0",
            name="amounts",
        ),
    )

    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    repayment_id: Mapped[int] = mapped_column(ForeignKey("loan_repayments.id", ondelete="RESTRICT"))
    instalment_id: Mapped[int] = mapped_column(
        ForeignKey("loan_instalments.id", ondelete="RESTRICT"), index=True
    )
    principal: Mapped[int] = mapped_column(BigInteger, default=0)
    interest: Mapped[int] = mapped_column(BigInteger, default=0)
    late_fee: Mapped[int] = mapped_column(BigInteger, default=0)


class LoanRestructure(TenantBase):
    """A loan given a new schedule for what it still owes (``to_version``); the schedule it
    replaced stays as it was, with the payments made on it."""

    __tablename__ = "loan_restructures"
    __table_args__ = (
        UniqueConstraint("loan_id", "to_version"),
        CheckConstraint("to_version = from_version + 1", name="next_version"),
        CheckConstraint("principal > 0 AND instalments BETWEEN 1 AND 1000", name="terms"),
    )

    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loans.id", ondelete="RESTRICT"))
    from_version: Mapped[int] = mapped_column(SmallInteger)
    to_version: Mapped[int] = mapped_column(SmallInteger)
    restructured_on: Mapped[date] = mapped_column(Date)
    principal: Mapped[int] = mapped_column(BigInteger)  # the principal rescheduled
    rate_bp: Mapped[int] = mapped_column(Integer)
    instalments: Mapped[int] = mapped_column(SmallInteger)
    reason: Mapped[str] = mapped_column(String(300))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PpapRun(TenantBase):
    """A month's reserve for bad loans (PPAP), brought to what the portfolio needs once."""

    __tablename__ = "loan_ppap_runs"
    __table_args__ = (
        UniqueConstraint("year", "month"),
        CheckConstraint("month BETWEEN 1 AND 12", name="month_range"),
    )

    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    year: Mapped[int] = mapped_column(SmallInteger)
    month: Mapped[int] = mapped_column(SmallInteger)
    required: Mapped[int] = mapped_column(BigInteger)  # the reserve the portfolio needs
    change: Mapped[int] = mapped_column(BigInteger)  # posted: positive adds to the reserve
    entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("journal_entries.id", ondelete="RESTRICT"), unique=True
    )
    posted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


# -- the database's own guards -------------------------------------------------------------------
# As the ledger's: functions in the tenant's schema, run with their search_path set to it.

LOAN_FUNCTIONS = """
CREATE FUNCTION {schema}.loan_terms_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'a loan is never deleted: cancel or reject it'
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF OLD.status <> 'applied' AND (
            NEW.member_id, NEW.product_id, NEW.principal, NEW.rate_bp, NEW.instalments,
            NEW.method, NEW.frequency, NEW.admin_fee, NEW.insurance_fee, NEW.applied_by_id
        ) IS DISTINCT FROM (
            OLD.member_id, OLD.product_id, OLD.principal, OLD.rate_bp, OLD.instalments,
            OLD.method, OLD.frequency, OLD.admin_fee, OLD.insurance_fee, OLD.applied_by_id
        ) THEN
        RAISE EXCEPTION 'loan % was decided on these terms', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF OLD.disbursement_entry_id IS NOT NULL AND (
            NEW.disbursement_entry_id IS DISTINCT FROM OLD.disbursement_entry_id
            OR NEW.disbursed_on IS DISTINCT FROM OLD.disbursed_on) THEN
        RAISE EXCEPTION 'loan % is paid out once', OLD.id USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END $$;

CREATE FUNCTION {schema}.loan_approval_by_another() RETURNS trigger LANGUAGE plpgsql
SET search_path = {schema} AS $$
DECLARE
    applicant bigint;
    state text;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        RAISE EXCEPTION 'a decision on a loan is never changed'
            USING ERRCODE = 'restrict_violation';
    END IF;
    SELECT applied_by_id, status INTO applicant, state FROM loans WHERE id = NEW.loan_id;
    IF applicant = NEW.user_id THEN
        RAISE EXCEPTION 'whoever applied for loan % does not decide on it', NEW.loan_id
            USING ERRCODE = 'check_violation';
    END IF;
    IF state <> 'applied' THEN
        RAISE EXCEPTION 'loan % is decided already', NEW.loan_id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;

CREATE FUNCTION {schema}.loan_repayment_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'a loan payment is never changed: reverse its entry'
        USING ERRCODE = 'restrict_violation';
END $$;

CREATE FUNCTION {schema}.loan_schedule_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'a schedule is never changed: restructuring adds a new version'
        USING ERRCODE = 'restrict_violation';
END $$;
"""

GUARDED = {
    "loans": """
CREATE TRIGGER loans_terms_kept BEFORE UPDATE OR DELETE ON {schema}.loans
    FOR EACH ROW EXECUTE FUNCTION {schema}.loan_terms_kept();
""",
    "loan_approvals": """
CREATE TRIGGER loan_approvals_by_another BEFORE INSERT OR UPDATE OR DELETE
    ON {schema}.loan_approvals FOR EACH ROW EXECUTE FUNCTION {schema}.loan_approval_by_another();
""",
    "loan_instalments": """
CREATE TRIGGER loan_instalments_kept BEFORE UPDATE OR DELETE ON {schema}.loan_instalments
    FOR EACH ROW EXECUTE FUNCTION {schema}.loan_schedule_kept();
CREATE TRIGGER loan_instalments_truncate BEFORE TRUNCATE ON {schema}.loan_instalments
    FOR EACH STATEMENT EXECUTE FUNCTION {schema}.loan_schedule_kept();
""",
    "loan_restructures": """
CREATE TRIGGER loan_restructures_kept BEFORE UPDATE OR DELETE ON {schema}.loan_restructures
    FOR EACH ROW EXECUTE FUNCTION {schema}.loan_schedule_kept();
""",
    "loan_repayments": """
CREATE TRIGGER loan_repayments_kept BEFORE UPDATE OR DELETE ON {schema}.loan_repayments
    FOR EACH ROW EXECUTE FUNCTION {schema}.loan_repayment_kept();
CREATE TRIGGER loan_repayments_truncate BEFORE TRUNCATE ON {schema}.loan_repayments
    FOR EACH STATEMENT EXECUTE FUNCTION {schema}.loan_repayment_kept();
""",
    "loan_repayment_parts": """
CREATE TRIGGER loan_repayment_parts_kept BEFORE UPDATE OR DELETE ON {schema}.loan_repayment_parts
    FOR EACH ROW EXECUTE FUNCTION {schema}.loan_repayment_kept();
CREATE TRIGGER loan_repayment_parts_truncate BEFORE TRUNCATE
    ON {schema}.loan_repayment_parts FOR EACH STATEMENT
    EXECUTE FUNCTION {schema}.loan_repayment_kept();
""",
}


# The functions come with the loans table; each table's trigger with its table.
create_guards_with(Loan.__table__, LOAN_FUNCTIONS + GUARDED["loans"])

for _model in (
    LoanApproval,
    LoanInstalment,
    LoanRepayment,
    LoanRepaymentPart,
    LoanRestructure,
):
    create_guards_with(_model.__table__, GUARDED[_model.__tablename__])
