"""User records: cooperative users (tenant schema) and platform admins (``public``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Identity, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from saas.accounts.roles import Role
from saas.db import PlatformBase, TenantBase, create_guards_with, value_enum
from saas.tenants.models import utcnow


class TenantUser(TenantBase):
    """Someone who logs in to one cooperative: an officer, staff member or member."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    # Stored lower-cased (see operations.normalise_email), so unique is case-insensitive.
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    phone: Mapped[str | None] = mapped_column(String(20), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(value_enum(Role, "user_role", native=False))
    locale: Mapped[str | None] = mapped_column(String(8))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped when the password changes or sessions are revoked: old cookies stop working.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Invitation(TenantBase):
    """An emailed invitation for a colleague to join with a role; single use."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[Role] = mapped_column(value_enum(Role, "user_role", native=False))
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class PasswordResetAsk(TenantBase):
    """A member without email asked for a new password: an officer may then send them one
    access link for the account, which replaces its password (once, before ``expires_at``)."""

    __tablename__ = "password_reset_asks"
    __table_args__ = (CheckConstraint("expires_at > asked_at", name="expires_after_asked"),)

    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    asked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


# An ask lets an officer's access link replace a password: never an officer's, never one whose
# holder can reset it by email, whoever writes the row.
RESET_ASK_GUARDS = """
CREATE FUNCTION {schema}.password_reset_ask_for_member() RETURNS trigger LANGUAGE plpgsql
SET search_path = {schema} AS $$
BEGIN
    IF NOT EXISTS (SELECT FROM users
                   WHERE id = NEW.user_id AND role = 'anggota' AND email IS NULL) THEN
        RAISE EXCEPTION 'a new password is asked only for a member''s account without email'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER password_reset_asks_for_members BEFORE INSERT OR UPDATE OF user_id
    ON {schema}.password_reset_asks
    FOR EACH ROW EXECUTE FUNCTION {schema}.password_reset_ask_for_member();
"""


create_guards_with(PasswordResetAsk.__table__, RESET_ASK_GUARDS)


class RateLimitCounter(PlatformBase):
    """A throttling counter every web worker and machine shares (``saas.ratelimit_storage``)."""

    __tablename__ = "rate_limit_counters"
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class PlatformAdmin(PlatformBase):
    """A KODE Indonesia operator of the platform."""

    __tablename__ = "platform_admins"
    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    locale: Mapped[str | None] = mapped_column(String(8))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
