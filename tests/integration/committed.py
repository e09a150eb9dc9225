"""A committed cooperative for tests of officers acting at the same moment: each officer on its
own connection and transaction, as in production (the test's savepoints cannot show races)."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import date
from typing import NamedTuple

from flask import Flask
from sqlalchemy import delete
from sqlalchemy.orm import Session

from saas.accounts.operations import create_tenant_user
from saas.accounts.roles import Role
from saas.db import Databases, get_databases
from saas.ledger.rules import LedgerError
from saas.members.operations import MemberDetails, register_member
from saas.tenants import schemas
from saas.tenants.models import Tenant
from saas.tenants.provisioning import provision_tenant
from tests.factories import put_on_paid_plan

OFFICERS = 4


class Books(NamedTuple):
    databases: Databases
    tenant: Tenant
    officer_id: int
    member_id: int

    def session(self) -> Session:
        return self.databases.tenant_session(self.tenant.shard, self.tenant.schema_name)


@contextmanager
def committed_books(app: Flask) -> Iterator[Books]:
    """A committed cooperative with its treasurer and one member, removed afterwards."""
    settings = app.extensions["guyub.settings"]
    with app.app_context():
        databases = get_databases()
        slug = f"kasir-{uuid.uuid4().hex[:6]}"
        tenant = provision_tenant(databases, settings, slug=slug, display_name="Kasir")
        put_on_paid_plan(databases, tenant)  # its officers lend and sell
        with databases.tenant_session(tenant.shard, tenant.schema_name) as session:
            officer = create_tenant_user(
                session,
                name="Bendahara",
                email=f"{slug}@kasir.id",
                role=Role.BENDAHARA,
                password=None,
            )
            member = register_member(
                session,
                MemberDetails(
                    nik="3273010101900001",
                    name="Sri",
                    gender=None,
                    birth_date=None,
                    address=None,
                    village=None,
                    phone=None,
                    join_date=date(2026, 1, 5),
                ),
            )
            session.commit()
        yield Books(databases, tenant, officer.id, member.id)
        with databases.shard_transaction(tenant.shard) as connection:
            schemas.drop_schema(connection, tenant.schema_name)
        with databases.platform_session() as session:
            session.execute(delete(Tenant).where(Tenant.id == tenant.id))
            session.commit()


def at_once(books: Books, work: Callable[[Session], object]) -> list[object]:
    """``work(session)`` by every officer at the same moment, each committing once as the
    request does; a refusal gives its code."""
    start = threading.Barrier(OFFICERS)

    def officer(_number: int) -> object:
        with books.session() as session:
            start.wait()
            try:
                result = work(session)
            except LedgerError as refused:
                return refused.code
            session.commit()
            return result

    with ThreadPoolExecutor(OFFICERS) as pool:
        return list(pool.map(officer, range(OFFICERS)))
