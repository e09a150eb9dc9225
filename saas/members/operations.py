"""The only code that writes the members' register."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from saas.accounts import operations as accounts
from saas.accounts.models import TenantUser
from saas.accounts.roles import Role
from saas.billing.limits import check_member_room
from saas.members.models import Counter, Gender, Member, MemberStatus
from saas.members.rules import member_number
from saas.storage import Storage
from saas.uploads import CheckedFile

MEMBER_COUNTER = "member_number"
IMPORT_BATCH = 250  # rows written between two progress reports of an import


class MemberError(Exception):
    """A change the register refuses; ``code`` picks the message shown."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class MemberDetails:
    nik: str
    name: str
    gender: Gender | None
    birth_date: date | None
    address: str | None
    village: str | None
    phone: str | None  # E.164
    join_date: date


def next_number(session: Session, counter: str) -> int:
    """The next value of a gap-free counter, under a row lock until the caller commits."""
    statement = insert(Counter).values(name=counter, value=1)
    value = session.execute(
        statement.on_conflict_do_update(
            index_elements=[Counter.name], set_={"value": Counter.value + 1}
        ).returning(Counter.value)
    ).scalar_one()
    return int(value)


def reserve_numbers(session: Session, counter: str, count: int) -> list[int]:
    """``count`` consecutive values of a counter in one statement (an import's member numbers)."""
    statement = insert(Counter).values(name=counter, value=count)
    last = session.execute(
        statement.on_conflict_do_update(
            index_elements=[Counter.name], set_={"value": Counter.value + count}
        ).returning(Counter.value)
    ).scalar_one()
    return list(range(int(last) - count + 1, int(last) + 1))


def import_members(
    session: Session,
    rows: list[MemberDetails],
    on_progress: Callable[[int], object] | None = None,
) -> int:
    """Register every row in one transaction (the caller has checked them); how many.

    ``on_progress`` hears how many rows are written after each batch (saved only at the end)."""
    niks = [row.nik for row in rows]
    taken = set(session.scalars(select(Member.nik).where(Member.nik.in_(niks))))
    if taken or len(set(niks)) != len(niks):
        raise MemberError("nik_taken")
    numbered = list(zip(reserve_numbers(session, MEMBER_COUNTER, len(rows)), rows, strict=True))
    for start in range(0, len(numbered), IMPORT_BATCH):
        batch = numbered[start : start + IMPORT_BATCH]
        for number, details in batch:
            member = Member(number=member_number(number))
            _apply(member, details)
            session.add(member)
        session.flush()
        if on_progress is not None:
            on_progress(start + len(batch))
    return len(rows)


def all_niks(session: Session) -> set[str]:
    return set(session.scalars(select(Member.nik)))


def list_all_members(session: Session) -> list[Member]:
    return list(session.scalars(select(Member).order_by(Member.number)))


def _nik_taken(session: Session, nik: str, except_id: int | None = None) -> bool:
    query = select(Member.id).where(Member.nik == nik)
    if except_id is not None:
        query = query.where(Member.id != except_id)
    return session.scalar(query.limit(1)) is not None


def register_member(
    session: Session, details: MemberDetails, *, member_limit: int | None = None
) -> Member:
    """Add a member with the next number; the NIK is unique within the cooperative.

    ``member_limit`` is the plan's limit of active members (raises PlanLimitError past it)."""
    if _nik_taken(session, details.nik):
        raise MemberError("nik_taken")
    check_member_room(session, member_limit)
    member = Member(number=member_number(next_number(session, MEMBER_COUNTER)))
    _apply(member, details)
    session.add(member)
    session.flush()
    return member


def update_member(session: Session, member: Member, details: MemberDetails) -> Member:
    if _nik_taken(session, details.nik, except_id=member.id):
        raise MemberError("nik_taken")
    _apply(member, details)
    session.flush()
    return member


def _apply(member: Member, details: MemberDetails) -> None:
    member.nik = details.nik
    member.name = " ".join(details.name.split())
    member.gender, member.birth_date = details.gender, details.birth_date
    member.address = details.address.strip() if details.address else None
    member.village = details.village.strip() if details.village else None
    member.phone, member.join_date = details.phone, details.join_date


def give_online_access(session: Session, member: Member) -> TenantUser:
    """The member's own account (role anggota, no password yet) to send an access link for.

    An access link sets a password without knowing the old one, so it is only ever made for an
    anggota account nobody has signed in to: never an officer's account, never one with a
    password unless the member asked for a new one themselves (the ask is used: the password
    and the member's sessions end, and the link sets the new one), never someone else's account
    that happens to carry the member's phone number.
    """
    if member.user_id is not None:
        user = session.get_one(TenantUser, member.user_id)
        if user.role != Role.ANGGOTA:
            raise MemberError("officer_account")
        if user.password_hash is not None and not accounts.answer_reset_ask(session, user):
            raise MemberError("has_password")
        return user
    phone_taken = member.phone is not None and session.scalar(
        select(TenantUser.id).where(TenantUser.phone == member.phone)
    )
    user = TenantUser(
        name=member.name,
        email=None,
        # The phone is someone else's sign-in: this account signs in with the member number.
        phone=None if phone_taken else member.phone,
        role=Role.ANGGOTA,
        password_hash=None,
    )
    session.add(user)
    session.flush()
    member.user_id = user.id
    return user


def link_member_to_account(session: Session, member: Member, account: TenantUser) -> None:
    """Let an existing account (an officer who is also a member) see this member's accounts.

    Only for a member without an account, and an active account no other member uses; the view
    asks for the account holder's own password first.
    """
    if member.user_id is not None:
        raise MemberError("already_linked")
    if not account.is_active or session.scalar(
        select(Member.id).where(Member.user_id == account.id).limit(1)
    ):
        raise MemberError("account_taken")
    member.user_id = account.id


def record_exit(session: Session, member: Member, *, on: date, reason: str | None) -> None:
    """The member leaves (status, date, reason); their savings are settled with the ledger."""
    if member.status == MemberStatus.LEFT:
        raise MemberError("already_left")
    if on < member.join_date:
        raise MemberError("exit_before_join")
    member.status, member.left_on = MemberStatus.LEFT, on
    member.exit_reason = reason.strip() if reason else None
    session.flush()


def readmit_member(session: Session, member: Member, *, on: date) -> None:
    """A member who left joins again from ``on``, keeping their number."""
    if member.status != MemberStatus.LEFT:
        raise MemberError("not_left")
    member.status, member.join_date = MemberStatus.ACTIVE, on
    member.left_on = member.exit_reason = None
    session.flush()


def set_ktp_photo(
    session: Session, storage: Storage, member: Member, checked: CheckedFile, *, owner: str
) -> str | None:
    """Keep the KTP photo in the tenant's private folder (never the public one); the key of
    the photo it replaces, for the caller to delete once the change is committed."""
    old = member.ktp_photo_key
    key = storage.save(owner, checked.content, checked.extension)
    member.ktp_photo_key = key
    try:
        session.flush()
    except Exception:
        storage.delete(key)
        raise
    return old


def get_member_for_tenant(session: Session, member_id: int) -> Member | None:
    return session.get(Member, member_id)


def search_members(
    session: Session, query: str = "", *, status: MemberStatus | None = None, limit: int = 50
) -> list[Member]:
    """By name (any part), member number or phone (any part of the digits); number order."""
    statement = select(Member).order_by(Member.number).limit(limit)
    if status is not None:
        statement = statement.where(Member.status == status)
    # "0812 3456 7010" is one phone number; "sri 12" is two words that must both match.
    words = query.split() if any(ch.isalpha() for ch in query) else ["".join(query.split())]
    for word in words:
        digits = "".join(ch for ch in word if ch.isdigit())
        conditions: list[ColumnElement[bool]] = [
            Member.name.ilike(f"%{_escape_like(word)}%", escape="\\")
        ]
        if digits:
            conditions += [Member.number == digits.zfill(4), Member.number == digits]
        if len(local := digits.lstrip("0").removeprefix("62")) >= 4:
            conditions.append(Member.phone.contains(local))  # 0812…, 62812… or +62812…
        statement = statement.where(or_(*conditions))
    return list(session.scalars(statement))


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def count_members(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(Member)) or 0)
