"""The demo cooperative for `make run`: idempotent, so running it again changes nothing."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from saas import clock
from saas.accounts import operations as accounts
from saas.accounts.models import PlatformAdmin, TenantUser
from saas.accounts.passwords import hash_password, verify_password
from saas.accounts.roles import Role
from saas.billing.queries import get_plan
from saas.billing.sponsorships import Beneficiary, grant_sponsorship, sponsorship_for
from saas.config import Settings
from saas.dashboard.operations import refresh_tenant_summary
from saas.db import Databases
from saas.ledger import operations as ledger
from saas.ledger.rules import Line
from saas.loans import collectibility
from saas.members import operations as members
from saas.members.operations import MemberDetails
from saas.members.rules import check_nik
from saas.microsite.queries import get_public_page
from saas.publishing import operations as publishing
from saas.savings import bills
from saas.savings import operations as savings
from saas.savings.models import PaymentMethod, SavingsKind
from saas.seed_gerai import seed_gerai
from saas.seed_loans import seed_loans
from saas.seed_rat import seed_rat
from saas.seed_showcase import seed_public_face, seed_verification
from saas.shu import operations as shu
from saas.storage import LocalStorage
from saas.tenants.models import Tenant, TenantStatus
from saas.tenants.provisioning import provision_tenant
from saas.verification.queries import read_review_content

DEMO_SLUG = "demo"
DEMO_NAME = "Koperasi Desa Merah Putih Sukamaju"
ADMIN_EMAIL = "admin@guyub.id"


@dataclass(frozen=True)
class DemoUser:
    name: str
    email: str
    role: Role
    phone: str | None = None


DEMO_USERS = (
    DemoUser("Siti Rahmawati", "ketua@sukamaju.id", Role.KETUA),
    DemoUser("Budi Santoso", "bendahara@sukamaju.id", Role.BENDAHARA),
    DemoUser("Pak Kades Wiryo", "pengawas@sukamaju.id", Role.PENGAWAS),
    DemoUser("Ani Lestari", "anggota@sukamaju.id", Role.ANGGOTA, "+6281234567890"),
)


def _ensure_password(account: TenantUser | PlatformAdmin, password: str) -> bool:
    if verify_password(account.password_hash, password):
        return False
    account.password_hash = hash_password(password)
    return True


def seed_demo(databases: Databases, settings: Settings, password: str) -> Iterator[str]:
    """Create what is missing of the demo and yield one line per thing done."""
    with databases.platform_session() as session:
        tenant = session.scalars(
            select(Tenant).where(Tenant.slug == DEMO_SLUG, Tenant.status != TenantStatus.FAILED)
        ).first()
        if tenant is None:
            tenant = provision_tenant(databases, settings, slug=DEMO_SLUG, display_name=DEMO_NAME)
            yield f"created the demo cooperative ({tenant.schema_name})"
        admin = accounts.find_platform_admin_by_email(session, ADMIN_EMAIL)
        if admin is None:
            accounts.create_platform_admin(
                session, name="Admin KODE Indonesia", email=ADMIN_EMAIL, password=password
            )
            session.commit()
            yield f"created platform admin {ADMIN_EMAIL}"
        elif _ensure_password(admin, password):
            session.commit()
            yield f"reset the password of {ADMIN_EMAIL}"
        yield from _seed_sponsorship(session, tenant)
    assert tenant.schema_name is not None
    with databases.tenant_session(tenant.shard, tenant.schema_name) as session:
        for demo in DEMO_USERS:
            user = accounts.find_tenant_user_by_login(session, demo.email)
            if user is None:
                accounts.create_tenant_user(
                    session,
                    name=demo.name,
                    email=demo.email,
                    role=demo.role,
                    password=password,
                    phone=demo.phone,
                )
                session.commit()
                yield f"created {demo.role.value} {demo.email}"
            elif _ensure_password(user, password):
                session.commit()
                yield f"reset the password of {demo.email}"
        yield from _seed_members(session, clock.today_for(tenant))
        yield from seed_loans(session, clock.today_for(tenant))
        ketua = accounts.find_tenant_user_by_login(session, DEMO_USERS[0].email)
        assert ketua is not None
        storage = LocalStorage(settings.instance_dir / "uploads")  # as the app's
        yield from seed_public_face(session, storage, tenant.schema_name, ketua)
        yield from seed_gerai(session, clock.today_for(tenant))  # sells in the units just made
        content = read_review_content(session)
        page = get_public_page(session)
    with databases.platform_session() as platform:
        registered = platform.get(Tenant, tenant.id)
        assert registered is not None
        yield from seed_verification(platform, registered, content, DEMO_USERS[0].email)
        refresh_tenant_summary(platform, tenant.id, page)  # the home's numbers and report
        platform.commit()


DEMO_SPONSOR = "Program Koperasi Desa Merah Putih"


def _seed_sponsorship(session: Session, tenant: Tenant) -> Iterator[str]:
    """A programme pays the Koperasi plan for a year, so the demo shows its loans and shop
    (and can still be upgraded through checkout)."""
    today = clock.today_for(tenant)
    if sponsorship_for(session, tenant, today) is not None:
        return
    admin = accounts.find_platform_admin_by_email(session, ADMIN_EMAIL)
    assert admin is not None  # made just before
    grant_sponsorship(
        session,
        admin_id=admin.id,
        plan=get_plan(session, "koperasi"),
        sponsor=DEMO_SPONSOR,
        beneficiary=Beneficiary(tenant=tenant),
        starts_on=today,
        ends_on=today + timedelta(days=364),
    )
    session.commit()
    yield f"{DEMO_SPONSOR} sponsors the Koperasi plan"


DEMO_MEMBERS = (  # (NIK, name, phone, login email of the member's own account)
    ("3205014101850001", "Ani Lestari", "+6281234567890", "anggota@sukamaju.id"),
    ("3205011503800002", "Dadang Sutisna", "+6281234567891", None),
    ("3205015207900003", "Euis Komariah", None, None),
)
DEMO_KEYS = uuid.UUID("5e3d0f6c-1d2b-4d6a-9c43-6b0d2d7a9e11")  # demo postings: one key each


def _months(first: date, last: date) -> Iterator[date]:
    """The 5th of every month from ``first``'s month to ``last`` (the 5th or ``last``)."""
    day = first.replace(day=5)
    while day <= last:
        yield day
        day = (
            day.replace(year=day.year + 1, month=1)
            if day.month == 12
            else day.replace(month=day.month + 1)
        )


def _seed_members(session: Session, today: date) -> Iterator[str]:
    """Three members since January of last year, with principal and every month's mandatory
    savings up to today (once)."""
    if members.count_members(session):
        return
    treasurer = accounts.find_tenant_user_by_login(session, "bendahara@sukamaju.id")
    assert treasurer is not None
    settings = savings.get_settings(session)
    joined = date(today.year - 1, 1, 2)
    for nik, name, phone, login in DEMO_MEMBERS:
        check = check_nik(nik)
        member = members.register_member(
            session,
            MemberDetails(
                nik=nik,
                name=name,
                gender=check.gender,
                birth_date=check.birth_date,
                address=None,
                village="Sukamaju",
                phone=phone,
                join_date=joined,
            ),
        )
        if login and (user := accounts.find_tenant_user_by_login(session, login)) is not None:
            member.user_id = user.id
        session.commit()
        payments = [(SavingsKind.POKOK, settings.pokok_amount, joined)]
        payments += [
            (SavingsKind.WAJIB, settings.wajib_amount, day) for day in _months(joined, today)
        ]
        for kind, amount, day in payments:
            bills.record_deposit(
                session,
                savings.Movement(
                    member=member,
                    kind=kind,
                    amount=amount,
                    method=PaymentMethod.CASH,
                    paid_on=min(day, today),
                    idempotency_key=uuid.uuid5(DEMO_KEYS, f"{nik}-{kind.value}-{day}"),
                    officer_id=treasurer.id,
                    officer_name=treasurer.name,
                ),
                [(day.year, day.month)],
            )
            session.commit()
        yield f"registered demo member {member.number} {name}"
    # The loans may start last year: they are paid out before its books are closed.
    yield from seed_loans(session, today)
    yield from _seed_last_year(session, treasurer.id, today)


# Last year's business (besides the savings): (account role, member number or None, amount).
DEMO_SALES = (
    ("sales_members", "0001", 1_500_000),
    ("sales_members", "0002", 900_000),
    ("sales_members", "0003", 600_000),
    ("sales_non_members", None, 2_000_000),
)
DEMO_EXPENSES = (("other_expense", 1_800_000), ("other_expense", 600_000))


def _seed_last_year(session: Session, treasurer: int, today: date) -> Iterator[str]:
    """Last year's sales and expenses, December closed, its RAT held early this year and the SHU
    it approved shared out, and its statements published with its loan portfolio."""
    year = today.year - 1
    cash = ledger.account_by_role(session, "cash").id
    numbers = {m.number: m.id for m in members.search_members(session, "")}
    postings = [
        [
            Line(cash, debit=amount),
            Line(
                ledger.account_by_role(session, role).id,
                credit=amount,
                member_id=numbers.get(number or ""),
            ),
        ]
        for role, number, amount in DEMO_SALES
    ] + [
        [Line(ledger.account_by_role(session, role).id, debit=amount), Line(cash, credit=amount)]
        for role, amount in DEMO_EXPENSES
    ]
    for index, lines in enumerate(postings):
        ledger.post_entry(
            session,
            entry_date=date(year, 6 + index, 20),
            description="Penjualan gerai" if lines[0].account_id == cash else "Beban operasional",
            lines=lines,
            idempotency_key=uuid.uuid5(DEMO_KEYS, f"business-{year}-{index}"),
            posted_by_id=treasurer,
        )
    session.commit()
    ledger.close_period(session, year, 12, user_id=treasurer, today=today)
    held_on = min(today, date(today.year, 2, 15))
    yield from seed_rat(session, book_year=year, held_on=held_on, slug=DEMO_SLUG, user_id=treasurer)
    shu.post_allocation(
        session,
        shu.plan(session, year, shu.get_percentages(session)),
        decided_on=held_on,
        idempotency_key=uuid.uuid5(DEMO_KEYS, f"shu-{year}"),
        user_id=treasurer,
    )
    chosen = set(publishing.STATEMENTS)
    if collectibility.positions(session, date(year, 12, 31)):
        chosen.add(publishing.LOAN_PORTFOLIO)
    publishing.publish(session, year, chosen, user_id=treasurer)
    session.commit()
    yield f"closed {year}, shared out its SHU and published its statements"
