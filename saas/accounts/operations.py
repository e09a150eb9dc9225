"""The only code that writes accounts: sign-in bookkeeping, invitations, password resets.

Operations flush and leave the commit to their caller (the request or the command), so they
compose with others in one transaction."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from saas import clock
from saas.accounts.models import Invitation, PasswordResetAsk, PlatformAdmin, TenantUser
from saas.accounts.passwords import hash_password, needs_rehash, verify_password
from saas.accounts.roles import GRANTS, Permission, Role
from saas.billing.limits import check_officer_room
from saas.phones import to_e164


class AccountError(ValueError):
    """A business rule refused the action; ``code`` says which."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def normalise_email(email: str) -> str:
    return email.strip().lower()


MEMBER_NUMBER = re.compile(r"^\d{1,6}$")  # a phone number is longer


def normalise_login(identifier: str) -> str:
    """The one spelling of a sign-in identifier: a lower-cased email, an E.164 phone number or a
    member number as an integer, so every way of writing it counts against the same account."""
    value = identifier.strip()
    if "@" in value:
        return f"email:{normalise_email(value)}"
    if MEMBER_NUMBER.fullmatch(value):
        return f"member:{int(value)}"
    if phone := to_e164(value):
        return f"phone:{phone}"
    return f"other:{''.join(value.lower().split())}"


def _now() -> datetime:
    return datetime.now(UTC)


# -- reading ---------------------------------------------------------------------------------


def find_tenant_user_by_login(session: Session, identifier: str) -> TenantUser | None:
    """An active user by email or phone number (any common Indonesian form)."""
    value = identifier.strip()
    if "@" in value:
        condition = TenantUser.email == normalise_email(value)
    else:
        phone = to_e164(value)
        if phone is None:
            return None
        condition = TenantUser.phone == phone
    return session.scalars(
        select(TenantUser).where(
            condition,
            TenantUser.is_active.is_(True),
        )
    ).first()


def find_platform_admin_by_email(session: Session, email: str) -> PlatformAdmin | None:
    return session.scalars(
        select(PlatformAdmin).where(
            PlatformAdmin.email == normalise_email(email), PlatformAdmin.is_active.is_(True)
        )
    ).first()


def get_user_for_tenant(session: Session, user_id: int) -> TenantUser | None:
    """A user of the session's tenant (the session is already bound to that tenant's schema)."""
    return session.get(TenantUser, user_id)


def get_invitation_for_tenant(session: Session, invitation_id: int) -> Invitation | None:
    return session.get(Invitation, invitation_id)


def list_team(session: Session) -> list[TenantUser]:
    return list(session.scalars(select(TenantUser).order_by(TenantUser.name, TenantUser.id)))


def list_open_invitations(session: Session) -> list[Invitation]:
    return list(
        session.scalars(
            select(Invitation)
            .where(
                Invitation.accepted_at.is_(None),
                Invitation.revoked_at.is_(None),
                Invitation.expires_at > func.now(),
            )
            .order_by(Invitation.created_at.desc())
        )
    )


def is_email_in_use(session: Session, email: str) -> bool:
    found = session.scalar(select(TenantUser.id).where(TenantUser.email == normalise_email(email)))
    return found is not None


# -- signing in ------------------------------------------------------------------------------


def authenticate(
    session: Session, account: TenantUser | PlatformAdmin | None, password: str
) -> bool:
    """Check a password and record the sign-in; the same cost whether or not ``account`` exists."""
    if not verify_password(account.password_hash if account else None, password):
        return False
    assert account is not None
    if account.password_hash and needs_rehash(account.password_hash):
        account.password_hash = hash_password(password)
    account.last_login_at = _now()
    session.flush()
    return True


def record_sign_in(session: Session, account: TenantUser | PlatformAdmin) -> None:
    account.last_login_at = _now()
    session.flush()


def set_password(session: Session, account: TenantUser | PlatformAdmin, password: str) -> None:
    """Store a new password and void every existing session of the account."""
    account.password_hash = hash_password(password)
    account.session_version += 1
    session.flush()


def revoke_sessions(account: TenantUser | PlatformAdmin) -> None:
    """Void every session of the account, on every device and every copy of its cookie."""
    account.session_version += 1


def set_locale(session: Session, account: TenantUser | PlatformAdmin, locale: str) -> None:
    account.locale = locale
    session.flush()


# -- a member's ask for a new password -------------------------------------------------------

RESET_ASK_VALID_FOR = timedelta(hours=24)


def can_ask_for_new_password(account: TenantUser | None) -> bool:
    """Only an active member's account without email: it has no reset link to follow, and an
    officer's access link may replace its password once it asked (never an officer's)."""
    return (
        account is not None
        and account.is_active
        and account.role == Role.ANGGOTA
        and account.email is None
    )


def ask_for_new_password(session: Session, account: TenantUser | None) -> None:
    """Record the member's ask, open for a day; for any other account (or none) nothing."""
    if account is None or not can_ask_for_new_password(account):
        return
    now = clock.now()
    session.add(
        PasswordResetAsk(user_id=account.id, asked_at=now, expires_at=now + RESET_ASK_VALID_FOR)
    )
    session.flush()


def find_open_reset_ask(session: Session, user_id: int) -> PasswordResetAsk | None:
    """The account's newest ask for a new password that is neither used nor expired."""
    return session.scalars(
        select(PasswordResetAsk)
        .where(
            PasswordResetAsk.user_id == user_id,
            PasswordResetAsk.used_at.is_(None),
            PasswordResetAsk.expires_at > clock.now(),
        )
        .order_by(PasswordResetAsk.asked_at.desc())
        .limit(1)
    ).first()


def answer_reset_ask(session: Session, account: TenantUser) -> bool:
    """Use the account's open ask: its password is cleared and every session ends, so an access
    link sets the new one. False (nothing changes) when there is no open ask."""
    if not can_ask_for_new_password(account) or find_open_reset_ask(session, account.id) is None:
        return False
    now = clock.now()
    for ask in session.scalars(
        select(PasswordResetAsk).where(
            PasswordResetAsk.user_id == account.id, PasswordResetAsk.used_at.is_(None)
        )
    ):
        ask.used_at = now
    account.password_hash = None
    revoke_sessions(account)
    session.flush()
    return True


# -- team ------------------------------------------------------------------------------------


def create_tenant_user(
    session: Session,
    *,
    name: str,
    email: str | None,
    role: Role,
    password: str | None,
    phone: str | None = None,
) -> TenantUser:
    if email and is_email_in_use(session, email):
        raise AccountError("email_taken")
    user = TenantUser(
        name=name.strip(),
        email=normalise_email(email) if email else None,
        phone=phone,
        role=role,
        password_hash=hash_password(password) if password else None,
    )
    session.add(user)
    session.flush()
    return user


def invite_colleague(
    session: Session,
    *,
    inviter: TenantUser,
    name: str,
    email: str,
    role: Role,
    valid_for: timedelta,
    officer_limit: int | None = None,
) -> Invitation:
    """Invite a colleague; ``officer_limit`` is the plan's (raises PlanLimitError past it)."""
    if is_email_in_use(session, email):
        raise AccountError("email_taken")
    check_officer_room(session, officer_limit)
    invitation = Invitation(
        name=name.strip(),
        email=normalise_email(email),
        role=role,
        invited_by_id=inviter.id,
        expires_at=_now() + valid_for,
    )
    session.add(invitation)
    session.flush()
    return invitation


def check_invitation_open(invitation: Invitation) -> None:
    if invitation.revoked_at is not None or invitation.accepted_at is not None:
        raise AccountError("invitation_used")
    if invitation.expires_at <= _now():
        raise AccountError("invitation_expired")


def accept_invitation(session: Session, invitation: Invitation, password: str) -> TenantUser:
    """Create the invited user; the invitation cannot be used again."""
    check_invitation_open(invitation)
    if is_email_in_use(session, invitation.email):
        raise AccountError("email_taken")
    user = TenantUser(
        name=invitation.name,
        email=invitation.email,
        role=invitation.role,
        password_hash=hash_password(password),
    )
    session.add(user)
    invitation.accepted_at = _now()
    session.flush()
    return user


def revoke_invitation(session: Session, invitation: Invitation) -> None:
    check_invitation_open(invitation)
    invitation.revoked_at = _now()
    session.flush()


def count_active_managers(session: Session) -> int:
    return (
        session.scalar(
            select(func.count()).where(
                TenantUser.is_active.is_(True),
                TenantUser.role.in_(GRANTS[Permission.MANAGE_TEAM]),
            )
        )
        or 0
    )


def update_team_member(
    session: Session, *, actor: TenantUser, user: TenantUser, role: Role, is_active: bool
) -> None:
    """Change a colleague's role or access; the last manager cannot lock everyone out."""
    if user.id == actor.id and (role != user.role or not is_active):
        raise AccountError("cannot_change_self")
    # A savepoint: a refused change is undone without losing the caller's transaction.
    with session.begin_nested():
        if role != user.role or (user.is_active and not is_active):
            revoke_sessions(user)  # a session must not keep the powers of the old role
        user.role = role
        user.is_active = is_active
        session.flush()
        if count_active_managers(session) == 0:
            raise AccountError("last_manager")


def create_platform_admin(
    session: Session, *, name: str, email: str, password: str
) -> PlatformAdmin:
    admin = PlatformAdmin(
        name=name, email=normalise_email(email), password_hash=hash_password(password)
    )
    session.add(admin)
    session.flush()
    return admin
