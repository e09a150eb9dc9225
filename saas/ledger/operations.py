"""The only code that writes the books.

Every posting goes through ``post_entry``: lines are checked, the period is locked open, and the
entry is inserted under its idempotency key so a retried request returns the first entry instead
of posting twice. Callers own the transaction (a savings payment marks a bill, posts the entry and
numbers the receipt in one commit); the database refuses unbalanced or changed entries on its own.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    Connection,
    Date,
    DateTime,
    Select,
    SmallInteger,
    String,
    Uuid,
    bindparam,
    func,
    select,
    true,
    tuple_,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ClauseElement, Executable, FromClause

from saas.db import attach_inserted
from saas.ledger.models import (
    Account,
    AccountKind,
    EntryAttachment,
    EntrySource,
    JournalEntry,
    JournalLine,
    Period,
)
from saas.ledger.queries import balances_of
from saas.ledger.rules import (
    CASH_ROLES,
    CHART_TEMPLATE,
    TEMPLATE_BY_CODE,
    LedgerError,
    Line,
    check_lines,
    is_child_code,
    month_of,
    signed_balance,
)
from saas.storage import Storage
from saas.uploads import CheckedFile


@dataclass(frozen=True)
class PostResult:
    entry: JournalEntry
    created: bool  # False: the key was posted before and this is that first entry


# -- the chart of accounts -----------------------------------------------------------------------


def install_chart(connection: Connection) -> int:
    """Add the template accounts a tenant lacks (by code), in two statements; how many."""
    have = set(connection.scalars(select(Account.code)))
    missing = [t for t in CHART_TEMPLATE if t.code not in have]
    if not missing:
        return 0
    now = datetime.now(UTC)
    connection.execute(
        insert(Account),
        [
            {
                "code": t.code,
                "name": None,
                "kind": t.kind,
                "parent_id": None,
                "is_header": t.is_header,
                "role": t.role,
                "is_active": True,
                "created_at": now,
            }
            for t in missing
        ],
    )
    parents = [{"child": t.code, "parent": t.parent} for t in missing if t.parent]
    if parents:
        parent = select(Account.id).where(Account.code == bindparam("parent")).scalar_subquery()
        connection.execute(
            update(Account)
            .where(Account.code == bindparam("child"))
            .values(parent_id=parent)
            .execution_options(synchronize_session=False),
            parents,
        )
    return len(missing)


def list_accounts(session: Session) -> list[Account]:
    return list(session.scalars(select(Account).order_by(Account.code)))


def get_account_for_tenant(session: Session, account_id: int) -> Account | None:
    return session.get(Account, account_id)


def account_by_role(session: Session, role: str) -> Account:
    """The account operations know by its role; looked up once per session (roles never move)."""
    known: dict[str, Account] = session.info.setdefault("guyub.accounts_by_role", {})
    if (account := known.get(role)) is None or account not in session:
        account = session.scalar(select(Account).where(Account.role == role))
        if account is None:
            raise LedgerError("missing_account", role=role)
        known[role] = account
    return account


def add_account(session: Session, *, parent: Account, code: str, name: str) -> Account:
    """A sub-account of the parent's kind. A postable parent becomes a header, which
    only an account without postings, and that no operation posts to, may become."""
    name = " ".join(name.split())
    if not name:
        raise LedgerError("name_required")
    if not is_child_code(parent.code, code):
        raise LedgerError("code_form")
    session.refresh(parent, with_for_update=True)  # no posting lands on it while it changes
    if not parent.is_header:
        if parent.role:
            raise LedgerError("parent_has_role")
        if has_postings(session, parent):
            raise LedgerError("parent_has_postings")
    if session.scalar(select(Account.id).where(Account.code == code)) is not None:
        raise LedgerError("code_taken")
    parent.is_header = True
    account = Account(code=code, name=name, kind=parent.kind, parent_id=parent.id)
    try:
        with session.begin_nested():  # a colleague may have taken the code a moment ago
            session.add(account)
    except IntegrityError as exc:
        raise LedgerError("code_taken") from exc
    return account


def rename_account(session: Session, account: Account, name: str) -> None:
    """The cooperative's own name; an empty one returns a template account to its template name."""
    name = " ".join(name.split())
    if not name and account.code not in TEMPLATE_BY_CODE:
        raise LedgerError("name_required")
    account.name = name or None
    session.flush()


def hide_account(session: Session, account: Account, *, hidden: bool) -> None:
    """Keep an account out of the posting forms (its balance stays in every report)."""
    if account.is_header:
        raise LedgerError("header_not_postable")
    if account.role:
        raise LedgerError("account_has_role")
    account.is_active = not hidden
    session.flush()


def has_postings(session: Session, account: Account) -> bool:
    query = select(JournalLine.id).where(JournalLine.account_id == account.id).limit(1)
    return session.scalar(query) is not None


def has_children(session: Session, account: Account) -> bool:
    return (
        session.scalar(select(Account.id).where(Account.parent_id == account.id).limit(1))
        is not None
    )


def remove_account(session: Session, account: Account) -> None:
    """Only an account without postings or sub-accounts, that no operation posts to, can go;
    the database refuses to delete one with postings as well (a restricting foreign key).

    A parent left without sub-accounts takes postings again, unless the template made it a group.
    """
    if account.role:
        raise LedgerError("account_has_role")
    if has_children(session, account):
        raise LedgerError("account_has_children")
    if has_postings(session, account):
        raise LedgerError("account_has_postings")
    parent = session.get(Account, account.parent_id) if account.parent_id else None
    try:
        with session.begin_nested():  # a posting may have come between the check and the delete
            session.delete(account)
    except IntegrityError as exc:
        raise LedgerError("account_has_postings") from exc
    if parent is not None and not has_children(session, parent):
        template = TEMPLATE_BY_CODE.get(parent.code)
        parent.is_header = template is not None and template.is_header
    session.flush()


# -- posting -------------------------------------------------------------------------------------


def find_entry_by_key(session: Session, key: uuid.UUID) -> JournalEntry | None:
    return session.scalar(select(JournalEntry).where(JournalEntry.idempotency_key == key))


def _posting_statement() -> Select[int, int, int | None]:
    """Post an entry and its lines in one statement: share-lock the entry's month and every
    later one (so none can close under it until commit) and, only when none is closed and the
    month has its row, insert the entry under its key and then its lines, given as arrays.

    Answers how many of those months are closed, whether the month has its row, and the new
    entry's id (None when refused, or when the key or the reversed entry was posted before)."""
    year = bindparam("year", type_=SmallInteger)
    month = bindparam("month", type_=SmallInteger)
    locked = (
        select(Period.year, Period.month, Period.closed_at)
        .where(tuple_(Period.year, Period.month) >= tuple_(year, month))
        .with_for_update(read=True)
        .subquery()
    )
    period = select(
        func.count().filter(locked.c.closed_at.is_not(None)).label("closed"),
        func.count()
        .filter(tuple_(locked.c.year, locked.c.month) == tuple_(year, month))
        .label("known"),
    ).cte("period")
    given_entry = select(
        bindparam("entry_date", type_=Date),
        bindparam("description", type_=String),
        bindparam("source", type_=JournalEntry.__table__.c.source.type),
        bindparam("idempotency_key", type_=Uuid),
        bindparam("reverses_id", type_=BigInteger),
        bindparam("member_id", type_=BigInteger),
        bindparam("posted_by_id", type_=BigInteger),
        bindparam("posted_at", type_=DateTime(timezone=True)),
    )
    entry = (
        insert(JournalEntry)
        .from_select(
            given_entry.selected_columns.keys(),
            given_entry.where(period.c.closed == 0, period.c.known == 1),
        )
        .on_conflict_do_nothing()
        .returning(JournalEntry.id, JournalEntry.entry_date)
        .cte("entry")
    )
    given = (
        func.unnest(*(bindparam(name, type_=ARRAY(BigInteger)) for name in LINE_ARRAYS))
        .table_valued("account_id", "member_id", "debit", "credit", with_ordinality="line_no")
        .render_derived(name="given")
    )
    lines = insert(JournalLine).from_select(
        ["entry_id", "account_id", "member_id", "entry_date", "debit", "credit", "line_no"],
        select(
            entry.c.id,
            given.c.account_id,
            given.c.member_id,
            entry.c.entry_date,
            given.c.debit,
            given.c.credit,
            given.c.line_no,
        ).select_from(entry.join(given, true())),
    )
    return (
        select(period.c.closed, period.c.known, entry.c.id)
        .select_from(period.outerjoin(entry, true()))
        .add_cte(lines.cte("lines"))
    )


LINE_ARRAYS = ("line_accounts", "line_members", "line_debits", "line_credits")
POSTING = _posting_statement()


def post_entry(
    session: Session,
    *,
    entry_date: date,
    description: str,
    lines: Sequence[Line],
    idempotency_key: uuid.UUID,
    source: EntrySource = EntrySource.MANUAL,
    posted_by_id: int | None = None,
    member_id: int | None = None,
    reverses_id: int | None = None,
) -> PostResult:
    """Post a balanced entry once per key: the same key again returns the first entry and
    posts nothing. No entry pays out more than a cash or bank account holds, or more than a
    member holds on an account (not_enough_money, member_overdrawn). The caller commits (or
    rolls back on LedgerError)."""
    check_lines(lines)
    values = {
        "entry_date": entry_date,
        "description": " ".join(description.split())[:300],
        "source": source,
        "idempotency_key": idempotency_key,
        "reverses_id": reverses_id,
        "member_id": member_id,
        "posted_by_id": posted_by_id,
        "posted_at": datetime.now(UTC),
    }
    postable = _postable(session, {line.account_id for line in lines})
    if postable and (refusal := _overdraft(session, lines)) is not None:
        if (first := find_entry_by_key(session, idempotency_key)) is not None:
            return PostResult(first, created=False)  # a retry of what spent the money
        raise refusal
    entry_id, closed = _insert_entry(session, values, lines) if postable else (None, False)
    if entry_id is not None:
        entry = attach_inserted(session, JournalEntry(id=entry_id, **values))
        return PostResult(entry, created=True)
    if (first := find_entry_by_key(session, idempotency_key)) is not None:
        return PostResult(first, created=False)  # a retry, even of what would now be refused
    if not postable:
        raise LedgerError("bad_account")
    if closed:
        raise LedgerError("period_closed", year=entry_date.year, month=entry_date.month)
    raise LedgerError("already_reversed")


def _insert_entry(
    session: Session, values: dict[str, Any], lines: Sequence[Line]
) -> tuple[int | None, bool]:
    """The new entry's id (None when not inserted) and whether its month or a later one is
    closed. A month without its row gets one, and the posting is tried again."""
    year, month = month_of(values["entry_date"])
    params = {
        **values,
        "year": year,
        "month": month,
        "line_accounts": [line.account_id for line in lines],
        "line_members": [line.member_id for line in lines],
        "line_debits": [line.debit for line in lines],
        "line_credits": [line.credit for line in lines],
    }
    closed, known, entry_id = session.connection().execute(POSTING, params).one()
    if entry_id is None and not closed and not known:
        session.execute(insert(Period).values(year=year, month=month).on_conflict_do_nothing())
        closed, known, entry_id = session.connection().execute(POSTING, params).one()
    return entry_id, bool(closed)


def _postable(session: Session, account_ids: set[int]) -> bool:
    """Whether every account takes postings (from the identity map when already loaded)."""
    accounts = [session.get(Account, account_id) for account_id in account_ids]
    return all(a is not None and not a.is_header and a.is_active for a in accounts)


def _overdraft(session: Session, lines: Sequence[Line]) -> LedgerError | None:
    """What the lines would overdraw: a cash or bank account below zero, or a member's balance
    on an account past zero (a deposit reversed after it was withdrawn). Checked under a lock
    on the accounts paid out of, so two payouts cannot both spend the last rupiah; postings
    that only add (deposits) read nothing."""
    # From the identity map, where checking them postable put them: deposits cost no query.
    ids = {line.account_id for line in lines}
    accounts = {i: a for i in ids if (a := session.get(Account, i)) is not None}
    money: dict[int, int] = {}  # cash and bank: how much the entry takes out of each
    members: dict[tuple[int, int], int] = {}  # (account, member): how much it takes
    for line in lines:
        account = accounts[line.account_id]
        taken = line.credit - line.debit if account.kind.debit_normal else line.debit - line.credit
        if account.role in CASH_ROLES:
            money[account.id] = money.get(account.id, 0) + taken
        if line.member_id is not None:
            pair = (account.id, line.member_id)
            members[pair] = members.get(pair, 0) + taken
    money = {account_id: amount for account_id, amount in money.items() if amount > 0}
    members = {pair: amount for pair, amount in members.items() if amount > 0}
    if not money and not members:
        return None
    session.connection().execute(  # FOR NO KEY UPDATE: postings into them go on meanwhile
        select(Account.id)
        .where(Account.id.in_(set(money) | {account_id for account_id, _member in members}))
        .order_by(Account.id)
        .with_for_update(key_share=True)
    ).all()
    return _short_of_money(session, accounts, money) or _member_short(session, accounts, members)


def _short_of_money(
    session: Session, accounts: dict[int, Account], taken: dict[int, int]
) -> LedgerError | None:
    """not_enough_money when a cash or bank account holds less than is taken out of it (read
    from the closed months' totals and the open months' lines)."""
    if not taken:
        return None
    balances = balances_of(session, [accounts[account_id] for account_id in taken])
    for account_id, amount in taken.items():
        if amount > (balance := balances[account_id]):
            return LedgerError("not_enough_money", balance=balance)
    return None


def _member_short(
    session: Session, accounts: dict[int, Account], taken: dict[tuple[int, int], int]
) -> LedgerError | None:
    """member_overdrawn when a member holds less on an account than is taken from them."""
    if not taken:
        return None
    pair = tuple_(JournalLine.account_id, JournalLine.member_id)
    rows = session.connection().execute(  # lines are only ever written by Core statements
        select(
            JournalLine.account_id,
            JournalLine.member_id,
            func.sum(JournalLine.debit),
            func.sum(JournalLine.credit),
        )
        .where(pair.in_(list(taken)))
        .group_by(JournalLine.account_id, JournalLine.member_id)
    )
    balances = {
        (account_id, member_id): signed_balance(accounts[account_id].kind, int(d), int(c))
        for account_id, member_id, d, c in rows
    }
    for key, amount in taken.items():
        if amount > (balance := balances.get(key, 0)):
            return LedgerError("member_overdrawn", balance=balance)
    return None


class CashDirection(enum.StrEnum):
    """Which way money moved in a manual cash or bank entry."""

    EXPENSE = "expense"  # paid out: the chosen account is debited
    INCOME = "income"  # received: the chosen account is credited


def record_cash_entry(
    session: Session,
    *,
    direction: CashDirection,
    account_id: int,
    money_role: str,
    amount: int,
    entry_date: date,
    description: str,
    idempotency_key: uuid.UUID,
    posted_by_id: int,
) -> PostResult:
    """Money paid out for an expense or received as other income, in rupiah: the cash or bank
    account (``money_role``) on one side, the chosen account on the other."""
    money = account_by_role(session, money_role).id
    if direction is CashDirection.EXPENSE:
        lines = [Line(account_id, debit=amount), Line(money, credit=amount)]
    else:
        lines = [Line(money, debit=amount), Line(account_id, credit=amount)]
    return post_entry(
        session,
        entry_date=entry_date,
        description=description,
        lines=lines,
        idempotency_key=idempotency_key,
        source=EntrySource.MANUAL,
        posted_by_id=posted_by_id,
    )


# Entries that records outside the ledger rest on: reversed only through their own pages.
# Entries another record rests on: a sale and its stock, a delivery, a count, a loan... Undone
# on the books page alone, the record would still say what the entry no longer does.
OWNED_SOURCES = frozenset(
    {
        EntrySource.SHU,
        EntrySource.INTEREST,
        EntrySource.RECLASS,
        EntrySource.LOAN,
        EntrySource.SALE,
        EntrySource.STOCK,
    }
)


def find_reversal(session: Session, entry: JournalEntry) -> JournalEntry | None:
    return session.scalar(select(JournalEntry).where(JournalEntry.reverses_id == entry.id))


def reverse_entry(
    session: Session,
    entry: JournalEntry,
    *,
    entry_date: date,
    reason: str,
    idempotency_key: uuid.UUID,
    posted_by_id: int | None = None,
    by_owner: bool = False,
    account_map: dict[int, int] | None = None,
) -> PostResult:
    """A new entry with every line on the other side, linked to the one it corrects.

    Entries another record rests on (an SHU allocation, a month's interest, a reclassification,
    a loan, a sale, the shop's stock) are reversed only by the operation that owns them
    (``by_owner``). ``account_map`` moves a
    line to the account that now holds what its account held (savings reclassified since)."""
    if (first := find_entry_by_key(session, idempotency_key)) is not None:
        return PostResult(first, created=False)
    if entry.source == EntrySource.REVERSAL:
        raise LedgerError("reversal_of_reversal")
    if entry.source in OWNED_SOURCES and not by_owner:
        raise LedgerError("owned_entry")
    if find_reversal(session, entry) is not None:
        raise LedgerError("already_reversed")
    moved = account_map or {}
    swapped = [
        Line(
            moved.get(line.account_id, line.account_id),
            debit=line.credit,
            credit=line.debit,
            member_id=line.member_id,
        )
        for line in entry.lines
    ]
    return post_entry(
        session,
        entry_date=entry_date,
        description=f"#{entry.id} {reason}",
        lines=swapped,
        idempotency_key=idempotency_key,
        source=EntrySource.REVERSAL,
        posted_by_id=posted_by_id,
        member_id=entry.member_id,
        reverses_id=entry.id,
    )


# -- periods -------------------------------------------------------------------------------------


def list_periods(session: Session) -> list[Period]:
    return list(session.scalars(select(Period).order_by(Period.year.desc(), Period.month.desc())))


def close_period(session: Session, year: int, month: int, *, user_id: int, today: date) -> Period:
    """Close a month that has ended, and with it every earlier month still open; the database
    counts the months' totals as they close (``models.COUNTING``)."""
    if (year, month) >= month_of(today):
        raise LedgerError("period_not_ended")
    # The counting takes this lock too; taken first, before the periods' rows, it is taken in
    # the order postings take theirs (the entries' table, then the rows), so a closing waits
    # for the postings under way instead of deadlocking with one that posts twice.
    session.execute(_LockTable(JournalEntry.__table__, "SHARE"))
    session.execute(insert(Period).values(year=year, month=month).on_conflict_do_nothing())
    periods = session.scalars(
        select(Period)
        .where(tuple_(Period.year, Period.month) <= (year, month))
        .order_by(Period.year, Period.month)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    target = periods[-1]
    if target.closed_at is not None:
        raise LedgerError("already_closed")
    now = datetime.now(UTC)
    for period in periods:
        if period.closed_at is None:
            period.closed_at, period.closed_by_id = now, user_id
    session.flush()
    return target


def count_ended_months(session: Session, today: date) -> bool:
    """Have the database count the totals of the months that ended before ``today`` (the
    cooperative's own day), as it does when a month closes (``models.COUNTING``): statements
    then read those months from their totals. Whether it counted (False when the last ended
    month was counted or closed already).

    It holds the entries' table until the caller commits, which it should do at once."""
    year, month = month_of(today.replace(day=1) - timedelta(days=1))
    done = session.execute(
        select(Period.counted_at, Period.closed_at).where(
            Period.year == year, Period.month == month
        )
    ).first()
    if done is not None and (done.counted_at is not None or done.closed_at is not None):
        return False
    # Taken first, as a closing takes it: see close_period.
    session.execute(_LockTable(JournalEntry.__table__, "SHARE"))
    now = datetime.now(UTC)
    session.execute(
        insert(Period)
        .values(year=year, month=month, counted_at=now)
        .on_conflict_do_update(
            index_elements=[Period.year, Period.month],
            set_={"counted_at": now},
            where=Period.counted_at.is_(None) & Period.closed_at.is_(None),
        )
    )
    return True


class _LockTable(Executable, ClauseElement):
    """``LOCK TABLE`` of a tenant table, its schema named by the session's map."""

    inherit_cache = False

    def __init__(self, table: FromClause, mode: str) -> None:
        self.table, self.mode = table, mode


@compiles(_LockTable)
def _compile_lock(element: _LockTable, compiler: SQLCompiler, **_kw: object) -> str:
    return f"LOCK TABLE {compiler.preparer.format_table(element.table)} IN {element.mode} MODE"


def first_open_day(session: Session) -> date | None:
    """The first day after the last closed month (None when no month is closed)."""
    row = session.execute(
        select(Period.year, Period.month)
        .where(Period.closed_at.is_not(None))
        .order_by(Period.year.desc(), Period.month.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    year, month = row
    return date(year + month // 12, month % 12 + 1, 1)


def closed_years(session: Session) -> list[int]:
    """Book years with postings whose December is closed, newest first."""
    first_open = first_open_day(session)
    first_entry = session.scalar(select(func.min(JournalLine.entry_date)))
    if first_open is None or first_entry is None:
        return []
    return list(range(first_open.year - 1, first_entry.year - 1, -1))


def count_entries(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(JournalEntry)) or 0)


# -- attachments and listing ---------------------------------------------------------------------


def attach_photo(
    session: Session, storage: Storage, entry: JournalEntry, checked: CheckedFile, *, owner: str
) -> EntryAttachment:
    """Keep a photo of the paper receipt with an entry (in the tenant's private folder)."""
    key = storage.save(owner, checked.content, checked.extension)
    attachment = EntryAttachment(entry_id=entry.id, storage_key=key)
    session.add(attachment)
    try:
        session.flush()
    except Exception:
        storage.delete(key)
        raise
    return attachment


def get_attachment_for_tenant(
    session: Session, entry_id: int, attachment_id: int
) -> EntryAttachment | None:
    attachment = session.get(EntryAttachment, attachment_id)
    return attachment if attachment is not None and attachment.entry_id == entry_id else None


def recent_entries(session: Session, limit: int = 50) -> list[JournalEntry]:
    """The newest entries with their lines (one more query for all the lines)."""
    query = (
        select(JournalEntry)
        .options(selectinload(JournalEntry.lines))
        .order_by(JournalEntry.entry_date.desc(), JournalEntry.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def attachments_of(session: Session, entry_ids: list[int]) -> dict[int, list[EntryAttachment]]:
    found: dict[int, list[EntryAttachment]] = {entry_id: [] for entry_id in entry_ids}
    query = select(EntryAttachment).where(EntryAttachment.entry_id.in_(entry_ids))
    for attachment in session.scalars(query.order_by(EntryAttachment.id)):
        found[attachment.entry_id].append(attachment)
    return found


def reversed_ids(session: Session, entry_ids: list[int]) -> set[int]:
    query = select(JournalEntry.reverses_id).where(JournalEntry.reverses_id.in_(entry_ids))
    return {entry_id for entry_id in session.scalars(query) if entry_id is not None}


def get_entry_for_tenant(session: Session, entry_id: int) -> JournalEntry | None:
    return session.get(JournalEntry, entry_id, options=[selectinload(JournalEntry.lines)])


def postable_accounts(session: Session, *kinds: AccountKind) -> list[Account]:
    query = select(Account).where(Account.is_header.is_(False), Account.is_active.is_(True))
    if kinds:
        query = query.where(Account.kind.in_(kinds))
    return list(session.scalars(query.order_by(Account.code)))
