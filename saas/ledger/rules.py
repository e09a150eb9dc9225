"""The ledger's rules, free of Flask and the database: the starting chart, what makes an entry."""

from __future__ import annotations

import calendar
import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from saas.ledger.models import MAX_AMOUNT, AccountKind

A, L, E, R, X = (
    AccountKind.ASSET,
    AccountKind.LIABILITY,
    AccountKind.EQUITY,
    AccountKind.REVENUE,
    AccountKind.EXPENSE,
)


@dataclass(frozen=True)
class TemplateAccount:
    code: str
    name: LazyString
    kind: AccountKind
    parent: str | None = None
    is_header: bool = False
    role: str | None = None


# The cooperative template (docs/domain.md). Names are translated until a cooperative renames one.
CHART_TEMPLATE: tuple[TemplateAccount, ...] = (
    TemplateAccount("1", _l("Assets"), A, is_header=True),
    TemplateAccount("1-100", _l("Current assets"), A, "1", is_header=True),
    TemplateAccount("1-101", _l("Cash"), A, "1-100", role="cash"),
    TemplateAccount("1-102", _l("Bank"), A, "1-100", role="bank"),
    TemplateAccount("1-103", _l("Loans to members"), A, "1-100", role="loans_receivable"),
    TemplateAccount("1-104", _l("Allowance for bad loans (PPAP)"), A, "1-100", role="ppap"),
    TemplateAccount("1-105", _l("Trade receivables"), A, "1-100", role="trade_receivables"),
    TemplateAccount("1-106", _l("Inventory"), A, "1-100", role="inventory"),
    TemplateAccount("1-107", _l("PPOB and agent deposits"), A, "1-100"),
    TemplateAccount("1-200", _l("Fixed assets"), A, "1", is_header=True),
    TemplateAccount("1-201", _l("Equipment and furniture"), A, "1-200"),
    TemplateAccount("1-202", _l("Accumulated depreciation"), A, "1-200"),
    TemplateAccount("2", _l("Liabilities"), L, is_header=True),
    TemplateAccount("2-101", _l("Voluntary savings (sukarela)"), L, "2", role="savings_sukarela"),
    TemplateAccount("2-102", _l("Trade payables"), L, "2", role="trade_payables"),
    TemplateAccount("2-103", _l("Consignment goods held"), L, "2", role="consignment_held"),
    TemplateAccount("2-104", _l("Taxes payable"), L, "2", role="taxes_payable"),
    TemplateAccount("2-105", _l("SHU payable to members"), L, "2", role="shu_payable"),
    TemplateAccount("2-106", _l("Officers' fund"), L, "2", role="fund_officers"),
    TemplateAccount("2-107", _l("Employees' fund"), L, "2", role="fund_employees"),
    TemplateAccount("2-108", _l("Education fund"), L, "2", role="fund_education"),
    TemplateAccount("2-109", _l("Social fund"), L, "2", role="fund_social"),
    TemplateAccount("2-110", _l("Bank loans"), L, "2"),
    TemplateAccount("2-111", _l("Loan insurance premiums held"), L, "2", role="loan_insurance"),
    # Principal and mandatory savings as liabilities (redeemable member shares, SAK EP), used
    # when the cooperative classifies them so; equity otherwise (3-101, 3-102).
    TemplateAccount(
        "2-191", _l("Principal savings (pokok), redeemable"), L, "2", role="savings_pokok_other"
    ),
    TemplateAccount(
        "2-192", _l("Mandatory savings (wajib), redeemable"), L, "2", role="savings_wajib_other"
    ),
    TemplateAccount("3", _l("Equity"), E, is_header=True),
    TemplateAccount("3-101", _l("Principal savings (pokok)"), E, "3", role="savings_pokok"),
    TemplateAccount("3-102", _l("Mandatory savings (wajib)"), E, "3", role="savings_wajib"),
    TemplateAccount("3-103", _l("Equity participation"), E, "3"),
    TemplateAccount("3-104", _l("Grants"), E, "3"),
    TemplateAccount("3-105", _l("Reserve (cadangan)"), E, "3", role="reserve"),
    TemplateAccount("3-106", _l("Undistributed SHU"), E, "3", role="retained_shu"),
    TemplateAccount("4", _l("Revenue"), R, is_header=True),
    TemplateAccount("4-101", _l("Loan interest (jasa pinjaman)"), R, "4", role="loan_interest"),
    TemplateAccount("4-102", _l("Administration fees"), R, "4", role="loan_fees"),
    TemplateAccount("4-103", _l("Late fees"), R, "4", role="late_fees"),
    TemplateAccount("4-104", _l("Sales to members"), R, "4", role="sales_members"),
    TemplateAccount("4-105", _l("Sales to non-members"), R, "4", role="sales_non_members"),
    TemplateAccount("4-106", _l("PPOB and agent fees"), R, "4"),
    TemplateAccount("4-107", _l("Consignment fees"), R, "4", role="consignment_fees"),
    TemplateAccount("4-199", _l("Other income"), R, "4", role="other_income"),
    TemplateAccount("5", _l("Cost of goods sold"), X, is_header=True),
    TemplateAccount("5-101", _l("Cost of goods sold"), X, "5", role="cogs"),
    TemplateAccount("6", _l("Expenses"), X, is_header=True),
    TemplateAccount("6-101", _l("Salaries and honoraria"), X, "6"),
    TemplateAccount("6-102", _l("Electricity and water"), X, "6"),
    TemplateAccount("6-103", _l("Depreciation"), X, "6"),
    TemplateAccount("6-104", _l("Bad loan provision"), X, "6", role="ppap_expense"),
    TemplateAccount("6-105", _l("Members' meeting (RAT)"), X, "6"),
    TemplateAccount("6-106", _l("Bank interest"), X, "6"),
    TemplateAccount("6-107", _l("Office supplies and operations"), X, "6"),
    TemplateAccount("6-190", _l("Interest on members' savings"), X, "6", role="savings_interest"),
    TemplateAccount("6-199", _l("Other expenses"), X, "6", role="other_expense"),
)
TEMPLATE_BY_CODE = {account.code: account for account in CHART_TEMPLATE}
CASH_ROLES = frozenset({"cash", "bank"})  # money at hand: these accounts and any under them
FIXED_ASSETS_CODE = "1-200"  # the template's header of fixed assets: buying them is investing


@dataclass(frozen=True)
class Line:
    """One line to post: an account, a positive amount on one side, optionally a member."""

    account_id: int
    debit: int = 0
    credit: int = 0
    member_id: int | None = None


class LedgerError(Exception):
    """A posting the rules refuse; ``code`` picks the message shown to the user."""

    def __init__(self, code: str, **details: object) -> None:
        super().__init__(code)
        self.code = code
        self.details = details


def check_lines(lines: Sequence[Line]) -> None:
    """Refuse lines that cannot make a journal entry (raises LedgerError)."""
    if len(lines) < 2:
        raise LedgerError("too_few_lines")
    for line in lines:
        amounts = (line.debit, line.credit)
        if any(not isinstance(a, int) or isinstance(a, bool) for a in amounts):
            raise LedgerError("not_rupiah")
        if min(amounts) < 0 or (line.debit == 0) == (line.credit == 0):
            raise LedgerError("one_side")
        if max(amounts) > MAX_AMOUNT:
            raise LedgerError("too_large")
    debits = sum(line.debit for line in lines)
    credits = sum(line.credit for line in lines)
    if debits != credits:
        raise LedgerError("unbalanced", debit=debits, credit=credits)


def account_name(code: str, name: str | None) -> str:
    """The cooperative's own name for an account, else the template's (translated) one."""
    if name:
        return name
    template = TEMPLATE_BY_CODE.get(code)
    return str(template.name) if template else code


MAX_CODE_LENGTH = 20  # Account.code


def child_code_form(parent_code: str) -> tuple[str, int]:
    """What a sub-account's code starts with, and how many digits follow.

    A group code ending in 00 lends its significant digits (1-100: 1-101 to 1-199); any other
    code is extended (6: 6-108; 6-102: 6-102-01). Fixed widths keep the codes in chart order.
    """
    head, _, last = parent_code.rpartition("-")
    significant = last.rstrip("0")
    if head and last.endswith("00") and significant:
        return f"{head}-{significant}", len(last) - len(significant)
    return f"{parent_code}-", 2 if head else 3


def is_child_code(parent_code: str, code: str) -> bool:
    """Whether ``code`` is one a sub-account of ``parent_code`` may take."""
    prefix, width = child_code_form(parent_code)
    digits = code.removeprefix(prefix)
    return (
        code.startswith(prefix)
        and len(digits) == width
        and digits.isascii()
        and digits.isdigit()
        and int(digits) > 0
        and len(code) <= MAX_CODE_LENGTH
    )


def suggest_child_code(parent_code: str, child_codes: Sequence[str], taken: set[str]) -> str | None:
    """The first free code after the parent's first sub-account (in hundreds under a parent
    whose sub-accounts are all groups, like 1-100 and 1-200 under 1); None when none is left."""
    prefix, width = child_code_form(parent_code)
    numbers = sorted(
        int(c.removeprefix(prefix)) for c in child_codes if is_child_code(parent_code, c)
    )
    step = 100 if width == 3 and numbers and all(n % 100 == 0 for n in numbers) else 1
    start = numbers[0] if numbers else 101 if width == 3 else 1
    for number in range(start, 10**width, step):
        code = f"{prefix}{number:0{width}d}"
        if code not in taken and is_child_code(parent_code, code):
            return code
    return None


def month_end(year: int, month: int) -> date:
    """The last day of a month."""
    return date(year, month, calendar.monthrange(year, month)[1])


def month_of(day: date) -> tuple[int, int]:
    return day.year, day.month


def signed_balance(kind: AccountKind, debit: int, credit: int) -> int:
    """The balance on the account's normal side (positive when normal)."""
    return debit - credit if kind.debit_normal else credit - debit


class CashActivity(enum.StrEnum):
    OPERATING = "operating"
    INVESTING = "investing"
    FINANCING = "financing"


def cash_activity(kind: AccountKind, *, fixed_asset: bool) -> CashActivity:
    """What cash paid to or received for an account of ``kind`` is: fixed assets are
    investing; members' savings, other liabilities and equity are financing; revenue,
    expenses and the other assets (loans to members, stock) are the cooperative's operations."""
    if fixed_asset:
        return CashActivity.INVESTING
    if kind in (AccountKind.LIABILITY, AccountKind.EQUITY):
        return CashActivity.FINANCING
    return CashActivity.OPERATING
