"""The signed-in user as Flask-Login sees it, bound to the tenant the session was made on."""

from __future__ import annotations

from flask import g
from flask_login import UserMixin

from saas.accounts.models import PlatformAdmin, TenantUser
from saas.accounts.roles import Permission, Role, role_can
from saas.db import platform_db, tenant_db
from saas.security import session_tenant_id


class SignedInUser(UserMixin):
    """Wraps a TenantUser or PlatformAdmin; the id carries kind, row id and session version."""

    def __init__(self, record: TenantUser | PlatformAdmin) -> None:
        self.record = record

    @property
    def is_platform_admin(self) -> bool:
        return isinstance(self.record, PlatformAdmin)

    @property
    def role(self) -> Role | None:
        return self.record.role if isinstance(self.record, TenantUser) else None

    @property
    def name(self) -> str:
        return self.record.name

    @property
    def id(self) -> int:
        return self.record.id

    def can(self, permission: Permission) -> bool:
        return self.role is not None and role_can(self.role, permission)

    def get_id(self) -> str:
        kind = "p" if self.is_platform_admin else "t"
        return f"{kind}:{self.record.id}:{self.record.session_version}"


def load_signed_in_user(user_id: str) -> SignedInUser | None:
    """Flask-Login's user loader: void unless the session belongs to this host's tenant."""
    try:
        kind, raw_id, raw_version = user_id.split(":")
        record_id, version = int(raw_id), int(raw_version)
    except ValueError:
        return None
    tenant = g.get("tenant")
    bound = session_tenant_id()
    record: TenantUser | PlatformAdmin | None
    if kind == "t":
        if tenant is None or bound != tenant.id:
            return None
        record = tenant_db().get(TenantUser, record_id)
    elif kind == "p":
        if tenant is not None or bound is not None:
            return None
        record = platform_db().get(PlatformAdmin, record_id)
    else:
        return None
    if record is None or not record.is_active or record.session_version != version:
        return None
    return SignedInUser(record)
