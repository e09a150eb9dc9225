"""The email to the chair and the treasurer when a payment fails and the grace period starts."""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from saas.accounts.models import TenantUser
from saas.accounts.roles import GRANTS, Permission
from saas.billing import queries
from saas.db import Databases
from saas.mail import send_templated
from saas.tenants.models import Tenant


def send_grace_notice(
    databases: Databases, tenant_id: int, billing_link: Callable[[str], str]
) -> int:
    """Tell each active officer who manages billing that the card must change before the grace
    ends; how many were told (none once the grace is over or the payment went through)."""
    with databases.platform_session() as platform:
        tenant = platform.get(Tenant, tenant_id)
        subscription = queries.get_subscription(platform, tenant_id)
        if tenant is None or tenant.schema_name is None or subscription is None:
            return 0
        grace_until = subscription.grace_until
    if grace_until is None:
        return 0
    with databases.tenant_session(tenant.shard, tenant.schema_name) as session:
        officers = session.execute(
            select(TenantUser.name, TenantUser.email, TenantUser.locale).where(
                TenantUser.is_active.is_(True),
                TenantUser.email.is_not(None),
                TenantUser.role.in_(GRANTS[Permission.MANAGE_BILLING]),
            )
        ).all()
    for name, email, locale in officers:
        with force_locale(locale or tenant.default_locale):
            send_templated(
                str(email),  # the query keeps only officers with an email
                _("The payment for Guyub failed"),
                "billing_grace",
                name=name,
                cooperative=tenant.display_name,
                grace_until=grace_until,
                link=billing_link(tenant.slug),
            )
    return len(officers)
