"""Building test data through the real operations, and small helpers for HTTP tests."""

from __future__ import annotations

import io
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import delete, event, select
from sqlalchemy import text as sql
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from saas.accounts import operations as accounts
from saas.accounts.models import Invitation, TenantUser
from saas.accounts.roles import Role
from saas.billing import queries as billing_queries
from saas.billing.models import Subscription
from saas.config import Settings
from saas.db import Databases
from saas.documents import operations as documents
from saas.documents.models import Document, DocumentKind
from saas.gerai import consignment
from saas.gerai import operations as gerai
from saas.gerai import sales as gerai_sales
from saas.gerai.models import SaleMethod, SupplierPayment
from saas.gerai.rules import CartLine
from saas.ledger import operations as ledger
from saas.ledger.models import Account, EntryAttachment, JournalEntry
from saas.ledger.rules import Line
from saas.loans import operations as loans
from saas.loans import repayments
from saas.loans.schedule import Frequency, InterestMethod
from saas.members import import_job
from saas.members.models import Member
from saas.members.operations import (
    MemberDetails,
    give_online_access,
    register_member,
    set_ktp_photo,
)
from saas.microsite import operations as microsite
from saas.microsite.models import (
    BoardMember,
    BusinessUnit,
    NewsPost,
    Position,
    Product,
    UnitKind,
    UnitStatus,
)
from saas.onboarding.operations import start_registration
from saas.publishing import operations as publishing
from saas.rat.queries import shu_approval
from saas.savings import bills
from saas.savings import operations as savings
from saas.savings.models import Bill, PaymentMethod, SavingsKind
from saas.seed_rat import hold_rat
from saas.shu import operations as shu
from saas.storage import LocalStorage, Storage
from saas.tenants.models import Tenant
from saas.tenants.provisioning import provision_tenant
from saas.uploads import check_upload
from saas.verification.operations import submit_for_verification
from saas.verification.queries import read_review_content

PASSWORD = "kata-sandi-uji-123"
OPENING_GRANT = 1_000_000  # cash the fixtures' expenses and the tests' payouts come out of
PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
    b"trailer << /Root 1 0 R >>\nstartxref\n0\n%%EOF\n"
)
ADMIN_EMAIL = "admin@kode.id"


@dataclass
class TenantData:
    tenant: Tenant
    users: dict[str, TenantUser] = field(default_factory=dict)
    invitations: list[Invitation] = field(default_factory=list)
    board: list[BoardMember] = field(default_factory=list)
    units: list[BusinessUnit] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    news: list[NewsPost] = field(default_factory=list)
    news_photo_ids: list[int] = field(default_factory=list)
    members: list[Member] = field(default_factory=list)
    entries: list[JournalEntry] = field(default_factory=list)
    accounts: list[Account] = field(default_factory=list)  # the cooperative's own sub-accounts
    products: list[Product] = field(default_factory=list)


@dataclass
class TwoTenants:
    a: TenantData
    b: TenantData


# Same roles in the same order, so user ids 1-3 and invitation id 1 exist in both schemas;
# tenant A has one more user (id 4) and one more invitation (id 2) that B lacks.
ALPHA_USERS = (
    ("ketua", "Ana Alpha", "ana@kopalpha.id", Role.KETUA, "+6281100000001"),
    ("bendahara", "Bambang Alpha", "bambang@kopalpha.id", Role.BENDAHARA, None),
    ("anggota", "Citra Alpha", "citra@kopalpha.id", Role.ANGGOTA, "+6281100000003"),
    ("pengawas", "Dedi OnlyAlpha", "dedi@kopalpha.id", Role.PENGAWAS, None),
)
BETA_USERS = (
    ("ketua", "Ani Beta", "ani@kopbeta.id", Role.KETUA, "+6281200000001"),
    ("bendahara", "Bayu Beta", "bayu@kopbeta.id", Role.BENDAHARA, None),
    ("anggota", "Cici Beta", "cici@kopbeta.id", Role.ANGGOTA, None),
)


def _fund_cash(session: Session) -> None:
    """A grant of ``OPENING_GRANT`` into the cash box, dated before anything is paid out."""
    grants = session.scalar(select(Account.id).where(Account.code == "3-104"))
    ledger.post_entry(
        session,
        entry_date=date(2026, 11, 1),
        description="Hibah pembukaan kas",
        lines=[
            Line(ledger.account_by_role(session, "cash").id, debit=OPENING_GRANT),
            Line(grants, credit=OPENING_GRANT),
        ],
        idempotency_key=uuid.uuid4(),
    )


def _populate(
    databases: Databases,
    *,
    settings: Settings,
    slug: str,
    name: str,
    shard: str,
    users: tuple,
    invitations: tuple[str, ...],
    board: tuple[tuple[str, Position], ...],
    units: tuple[tuple[str, UnitKind], ...],
    document_kinds: tuple[DocumentKind, ...],
    news: tuple[str, ...] = (),
    products: tuple[str, ...] = (),
    members: tuple[tuple[str, str], ...] = (),
    expenses: tuple[tuple[str, int], ...] = (),
    own_accounts: tuple[tuple[str, str, str], ...] = (),
) -> TenantData:
    tenant = provision_tenant(databases, settings, slug=slug, display_name=name, shard=shard)
    data = TenantData(tenant)
    assert tenant.schema_name is not None
    with databases.tenant_session(tenant.shard, tenant.schema_name) as session:
        for key, full_name, email, role, phone in users:
            data.users[key] = accounts.create_tenant_user(
                session, name=full_name, email=email, role=role, password=PASSWORD, phone=phone
            )
        for invitee in invitations:
            data.invitations.append(
                accounts.invite_colleague(
                    session,
                    inviter=data.users["ketua"],
                    name=invitee,
                    email=f"{invitee.split()[0].lower()}@kop{slug}.id",
                    role=Role.STAFF,
                    valid_for=timedelta(days=7),
                )
            )
        for member_name, position in board:
            data.board.append(
                microsite.save_board_member(
                    session,
                    None,
                    position=position,
                    name=member_name,
                    phone=None,
                    is_village_official=False,
                    is_related_to_board=False,
                )
            )
        for unit_name, kind in units:
            data.units.append(
                microsite.save_unit(
                    session,
                    None,
                    kind=kind,
                    name=unit_name,
                    status=UnitStatus.RUNNING,
                    description=f"{unit_name} melayani warga",
                    opening_hours=None,
                )
            )
        for title in news:
            post = microsite.save_news(session, None, title=title, body=f"{title}.")
            microsite.add_news_photos(
                session,
                LocalStorage(settings.instance_dir / "uploads"),
                post,
                [check_upload(jpeg((64, 48)), allow_pdf=False)],
                schema_name=tenant.schema_name,
            )
            data.news_photo_ids.append(post.photos[0].id)
            data.news.append(post)
        for product_name in products:
            data.products.append(
                microsite.save_product(
                    session,
                    None,
                    name=product_name,
                    description=None,
                    price=25000,
                    unit="kg",
                    seller=None,
                    is_available=True,
                )
            )
        for member_name, nik in members:
            member = register_member(
                session,
                MemberDetails(
                    nik=nik,
                    name=member_name,
                    gender=None,
                    birth_date=None,
                    address=None,
                    village=None,
                    phone=None,
                    join_date=date(2025, 8, 17),
                ),
            )
            data.members.append(member)
        if data.members:
            set_ktp_photo(
                session,
                LocalStorage(settings.instance_dir / "uploads"),
                data.members[-1],
                check_upload(jpeg((320, 200)), allow_pdf=False),
                owner=tenant.schema_name,
            )
        _fund_cash(session)  # the money expenses are paid from: cash never goes below zero
        for description, amount in expenses:
            result = ledger.post_entry(
                session,
                entry_date=date(2026, 11, 2),
                description=description,
                lines=[
                    Line(ledger.account_by_role(session, "other_expense").id, debit=amount),
                    Line(ledger.account_by_role(session, "cash").id, credit=amount),
                ],
                idempotency_key=uuid.uuid4(),
            )
            session.commit()
            data.entries.append(result.entry)
        for parent_code, code, account_name in own_accounts:
            parent = session.scalar(select(Account).where(Account.code == parent_code))
            data.accounts.append(
                ledger.add_account(session, parent=parent, code=code, name=account_name)
            )
        if data.entries:
            ledger.attach_photo(
                session,
                LocalStorage(settings.instance_dir / "uploads"),
                data.entries[-1],
                check_upload(jpeg((300, 400)), allow_pdf=False),
                owner=tenant.schema_name,
            )
        for kind in document_kinds:
            data.documents.append(
                documents.store_document(
                    session,
                    LocalStorage(settings.instance_dir / "uploads"),
                    owner=tenant.schema_name,
                    kind=kind,
                    original_name=f"{kind.value}-{slug}.pdf",
                    checked=check_upload(PDF_BYTES),
                    uploaded_by=data.users["ketua"],
                )
            )
        session.commit()
    return data


def build_two_tenants(databases: Databases, settings: Settings) -> TwoTenants:
    a = _populate(
        databases,
        settings=settings,
        slug="alpha",
        name="Koperasi Desa Merah Putih Alpha",
        shard="main",
        users=ALPHA_USERS,
        invitations=("Eka InvitedAlpha", "Fajar OnlyInvitedAlpha"),
        board=(("Ana Alpha", Position.KETUA), ("Hendra PengawasAlpha", Position.KETUA_PENGAWAS)),
        units=(("Gerai Sembako Alpha", UnitKind.SEMBAKO), ("Apotek OnlyAlpha", UnitKind.APOTEK)),
        document_kinds=(DocumentKind.AKTA, DocumentKind.NPWP),
        news=("Rapat anggota Alpha", "Panen OnlyAlpha"),
        products=("Beras Alpha", "Madu OnlyAlpha"),
        members=(("Sri Wahyuni Alpha", "3273014507900001"), ("Joko OnlyAlpha", "3273011208850002")),
        expenses=(("Beli ATK Alpha", 15_000), ("Bensin OnlyAlpha", 20_000)),
        own_accounts=(("4", "4-108", "Sewa tenda OnlyAlpha"),),
    )
    b = _populate(
        databases,
        settings=settings,
        slug="beta",
        name="Koperasi Desa Merah Putih Beta",
        shard="s2",
        users=BETA_USERS,
        invitations=("Gita InvitedBeta",),
        board=(("Ani Beta", Position.KETUA),),
        units=(("Gerai Sembako Beta", UnitKind.SEMBAKO),),
        document_kinds=(DocumentKind.AKTA,),
        news=("Rapat anggota Beta",),
        products=("Beras Beta",),
        members=(("Siti Beta", "3273014507900001"),),
        expenses=(("Beli ATK Beta", 12_000),),
    )
    with databases.platform_session() as session:
        accounts.create_platform_admin(
            session, name="Admin Kode", email=ADMIN_EMAIL, password=PASSWORD
        )
        session.commit()
    return TwoTenants(a, b)


def fill_board(
    session,
    positions: tuple[Position, ...] = (
        Position.WAKIL_KETUA_USAHA,
        Position.WAKIL_KETUA_ANGGOTA,
        Position.SEKRETARIS,
        Position.BENDAHARA,
    ),
) -> None:
    """Give the board the positions the fixtures leave empty (named after the position)."""
    for position in positions:
        microsite.save_board_member(
            session,
            None,
            position=position,
            name=position.value,
            phone=None,
            is_village_official=False,
            is_related_to_board=False,
        )


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_from(response: TestResponse) -> str:
    match = CSRF_RE.search(response.get_data(as_text=True))
    assert match, "the page has no CSRF token"
    return match.group(1)


def csrf_token(client: FlaskClient, path: str = "/masuk") -> str:
    return csrf_from(client.get(path))


def login(
    client: FlaskClient, identifier: str, password: str = PASSWORD, **kwargs: object
) -> TestResponse:
    token = csrf_token(client)
    return client.post(
        "/masuk",
        data={"identifier": identifier, "password": password, "csrf_token": token},
        **kwargs,  # type: ignore[arg-type]
    )


def hidden(page: str, name: str) -> str:
    """The value of a page's hidden (or any) input ``name``."""
    found = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]+)"', page)
    assert found, f"the page has no {name} input"
    return found.group(1)


def books_of(db: Databases, tenant_data: TenantData) -> Session:
    """A session in the tenant's schema."""
    t = tenant_data.tenant
    return db.tenant_session(t.shard, t.schema_name)


def refused_by_database(session, schema, statement, **params):
    """Run raw SQL in the tenant's schema, as a tool other than the app would; its error."""
    nested = session.begin_nested()
    session.execute(sql(f'SET LOCAL search_path TO "{schema}"'))
    with pytest.raises(DBAPIError) as caught:
        session.execute(sql(statement), params)
    nested.rollback()
    return str(caught.value)


def text(response: TestResponse) -> str:
    return response.get_data(as_text=True)


def jpeg(size: tuple[int, int] = (1600, 1200)) -> bytes:
    """A real JPEG photo of the given size."""
    out = io.BytesIO()
    Image.new("RGB", size, (20, 120, 40)).save(out, format="JPEG")
    return out.getvalue()


def count_statements(
    databases: Databases, request: Callable[[], TestResponse]
) -> tuple[TestResponse, list[str]]:
    """The response of ``request()`` and the SQL statements it ran on every engine (the test's
    own savepoint statements left out)."""
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            statements.append(statement)

    engines = {
        id(e): e for e in [databases.platform_engine, *databases.shard_engines.values()]
    }.values()
    for engine in engines:
        event.listen(engine, "before_cursor_execute", count)
    try:
        response = request()
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", count)
    return response, statements


def book_closed_2025(db: Databases, tenant_data: TenantData) -> tuple[int, int]:
    """2025 of a cooperative: two members' savings, their loan interest, sales to non-members,
    an expense; December closed. The result is Rp500,000."""
    first, second = tenant_data.members[0].id, tenant_data.members[-1].id
    with books_of(db, tenant_data) as session:

        def code(c: str) -> int | None:
            return session.scalar(select(Account.id).where(Account.code == c))

        postings = [
            [("1-101", 100_000, 0, None), ("3-101", 0, 100_000, first)],
            [("1-101", 120_000, 0, None), ("3-102", 0, 120_000, first)],
            [("1-101", 100_000, 0, None), ("3-101", 0, 100_000, second)],
            [("1-101", 300_000, 0, None), ("4-101", 0, 300_000, first)],
            [("1-101", 100_000, 0, None), ("4-101", 0, 100_000, second)],
            [("1-102", 400_000, 0, None), ("4-105", 0, 400_000, None)],
            [("6-101", 300_000, 0, None), ("1-101", 0, 300_000, None)],
        ]
        for lines in postings:
            ledger.post_entry(
                session,
                entry_date=date(2025, 10, 1),
                description="2025",
                lines=[Line(code(c), d, k, m) for c, d, k, m in lines],
                idempotency_key=uuid.uuid4(),
            )
        session.commit()
        ledger.close_period(
            session, 2025, 12, user_id=tenant_data.users["bendahara"].id, today=date(2026, 11, 29)
        )
    return first, second


RAT_2025_DAY = date(2026, 3, 15)


def hold_rat_2025(db: Databases, tenant_data: TenantData) -> int:
    """The closed RAT of book year 2025 on 15 March 2026, every active member present, approving
    the statements and the SHU split as planned now; the meeting's id."""
    with books_of(db, tenant_data) as session:
        return hold_rat(
            session,
            book_year=2025,
            held_on=RAT_2025_DAY,
            letter_code=f"KDMP-{tenant_data.tenant.slug.upper()}",
            user_id=tenant_data.users["ketua"].id,
        ).id


def share_out_2025(db: Databases, tenant_data: TenantData) -> int:
    """Post the SHU of 2025 (closed) by the typical split, approved by its RAT on 15 March 2026
    (held here first unless it was); its id."""
    with books_of(db, tenant_data) as session:
        held = shu_approval(session, 2025) is not None
    if not held:
        hold_rat_2025(db, tenant_data)
    with books_of(db, tenant_data) as session:
        allocation, _created = shu.post_allocation(
            session,
            shu.plan(session, 2025, shu.get_percentages(session)),
            decided_on=date(2026, 3, 15),
            idempotency_key=uuid.uuid4(),
            user_id=tenant_data.users["bendahara"].id,
        )
        return allocation.id


# Amounts and names only tenant A's extra objects carry: a page of B that shows one leaked them.
ALPHA_BILL_AMOUNT = 31_415
ALPHA_DEPOSIT = 27_183
ALPHA_EXPENSE = ("Ongkos kirim OnlyAlpha", 16_180)
ALPHA_IMPORTED_NAME = "Wati OnlyAlpha"
ALPHA_REGISTRATION_EMAIL = "dedi@kopalpha.id"


@dataclass
class AlphaExtras:
    """Tenant A's objects beyond the shared fixtures, each at an id or key tenant B lacks."""

    bill: Bill
    receipt_number: str
    receipt_token: str
    entry: JournalEntry
    attachment: EntryAttachment
    allocation_id: int
    published_year: int
    member_account: TenantUser  # a member's account with no password yet (an access link's)
    import_name: str
    application_id: int
    registration_id: str
    loan_product_id: int
    loan_id: int  # paid out, and the chair's own as a member
    loan_payment_number: str  # a payment on that loan, with its receipt
    files: list[str] = field(default_factory=list)  # storage keys to delete afterwards
    rat_meeting_id: int = 0  # the RAT of 2025, closed, that approved the SHU shared out


def _alpha_books(session: Session, data: TenantData) -> tuple[Bill, str, str, TenantUser]:
    """A bill with a share for each member, a receipted deposit, a member's own account."""
    officer = data.users["bendahara"]
    bill = bills.create_bill(
        session, kind=SavingsKind.WAJIB, year=2026, month=10, amount=ALPHA_BILL_AMOUNT
    )
    receipt, _created = savings.deposit(
        session,
        savings.Movement(
            member=session.merge(data.members[-1]),
            kind=SavingsKind.SUKARELA,
            amount=ALPHA_DEPOSIT,
            method=PaymentMethod.CASH,
            paid_on=date(2026, 11, 3),
            idempotency_key=uuid.uuid4(),
            officer_id=officer.id,
            officer_name=officer.name,
        ),
    )
    account = give_online_access(session, session.merge(data.members[-1]))
    session.commit()
    return bill, receipt.number, receipt.token, account


def _alpha_attached_entry(
    session: Session, storage: Storage, data: TenantData
) -> tuple[JournalEntry, EntryAttachment]:
    """An expense with a photo of its paper receipt."""
    description, amount = ALPHA_EXPENSE
    entry = ledger.post_entry(
        session,
        entry_date=date(2026, 11, 4),
        description=description,
        lines=[
            Line(ledger.account_by_role(session, "other_expense").id, debit=amount),
            Line(ledger.account_by_role(session, "cash").id, credit=amount),
        ],
        idempotency_key=uuid.uuid4(),
    ).entry
    session.commit()
    attachment = ledger.attach_photo(
        session,
        storage,
        entry,
        check_upload(jpeg((300, 400)), allow_pdf=False),
        owner=data.tenant.schema_name or "",
    )
    return entry, attachment


def _alpha_import(db: Databases, storage: Storage, data: TenantData) -> list[str]:
    """A member list uploaded and confirmed as a job still waiting: the upload's and its
    progress's storage keys."""
    schema = data.tenant.schema_name or ""
    content = f"nik,nama\n3273015506920003,{ALPHA_IMPORTED_NAME}\n".encode()
    key = storage.save(import_job.import_folder(schema), content, "csv")
    with db.platform_session() as platform:
        import_job.start_import(
            platform,
            storage,
            tenant_id=data.tenant.id,
            upload_key=key,
            mapping={"nik": 0, "name": 1},
            total=1,
        )
    return [key, key.removesuffix(".csv") + ".json"]  # the progress sits beside the upload


ALPHA_LOAN_PRODUCT = loans.ProductTerms(
    name="Pinjaman Usaha OnlyAlpha",
    method=InterestMethod.FLAT,
    frequency=Frequency.MONTHLY,
    rate_bp=1_800,
    min_instalments=3,
    max_instalments=24,
    min_amount=500_000,
    max_amount=10_000_000,
)


def _alpha_loan(session: Session, data: TenantData) -> tuple[int, int, str]:
    """A loan product, and Sri's loan on it taken by the supervisor, approved by the chair and
    the treasurer, paid out and paid some back; the chair's account is Sri's, so the chair sees
    it as hers."""
    product = loans.save_product(session, None, ALPHA_LOAN_PRODUCT)
    sri = session.merge(data.members[0])
    sri.user_id = data.users["ketua"].id
    application = loans.Application(
        member=sri, product=product, principal=500_000, instalments=5, purpose="Modal warung"
    )
    paid_on = date(2026, 11, 3)
    loan = loans.apply(session, application, applied_by_id=data.users["pengawas"].id, today=paid_on)
    for officer in (data.users["ketua"], data.users["bendahara"]):
        loans.decide(
            session,
            loan,
            user_id=officer.id,
            role=officer.role,
            approve=True,
            note=None,
            today=paid_on,
        )
    loans.disburse(
        session,
        loan,
        method=PaymentMethod.CASH,
        on=paid_on,
        idempotency_key=uuid.uuid4(),
        officer_id=data.users["bendahara"].id,
    )
    payment = repayments.Payment(
        amount=50_000,
        method=PaymentMethod.CASH,
        paid_on=paid_on,
        idempotency_key=uuid.uuid4(),
        officer_id=data.users["bendahara"].id,
        officer_name="Bendahara Alpha",
    )
    paid = repayments.repay(session, loan, payment).repayment
    return product.id, loan.id, paid.number


def build_alpha_extras(db: Databases, storage: Storage, data: TenantData) -> AlphaExtras:
    """Add to tenant A, in the test's savepoint, one of every object a URL can name that the
    shared fixtures lack: 2025 closed, its SHU shared out and published, and the rest."""
    book_closed_2025(db, data)
    allocation_id = share_out_2025(db, data)
    with books_of(db, data) as session:
        approval = shu_approval(session, 2025)
        assert approval is not None
        rat_meeting_id = approval[0].id
        publishing.publish(
            session, 2025, set(publishing.STATEMENTS), user_id=data.users["bendahara"].id
        )
        bill, number, token, account = _alpha_books(session, data)
        entry, attachment = _alpha_attached_entry(session, storage, data)
        content = read_review_content(session)
        loan_product_id, loan_id, loan_payment_number = _alpha_loan(session, data)
    files = [attachment.storage_key, *_alpha_import(db, storage, data)]
    with db.platform_session() as platform:
        application = submit_for_verification(platform, data.tenant, complete=True, content=content)
        registration = start_registration(platform)
        registration.officer_email = ALPHA_REGISTRATION_EMAIL  # as the wizard's officer step
        platform.commit()
        ids = application.id, str(registration.public_id)
    return AlphaExtras(
        bill=bill,
        receipt_number=number,
        receipt_token=token,
        entry=entry,
        attachment=attachment,
        allocation_id=allocation_id,
        published_year=2025,
        member_account=account,
        import_name=files[1].split("/")[1],
        application_id=ids[0],
        registration_id=ids[1],
        loan_product_id=loan_product_id,
        loan_id=loan_id,
        loan_payment_number=loan_payment_number,
        files=files,
        rat_meeting_id=rat_meeting_id,
    )


def put_on_paid_plan(databases: Databases, tenant: Tenant) -> None:
    """The cooperative on the Koperasi plan, as Stripe's webhook would leave it (no limits)."""
    with databases.platform_session() as session:
        session.merge(
            Subscription(
                tenant_id=tenant.id,
                plan=billing_queries.get_plan(session, "koperasi"),
                period="month",
                status="active",
                stripe_customer_id=f"cus_paid_{tenant.slug}",
                stripe_subscription_id=f"sub_paid_{tenant.slug}",
                cancel_at_period_end=False,
            )
        )
        session.commit()


@dataclass
class AlphaGerai:
    """Tenant A's shop objects that a URL can name: B has none of them."""

    product_id: int
    sale_number: str
    sale_token: str
    consignor_id: int


ALPHA_GERAI_PRODUCT = "Gula OnlyAlpha"


def build_alpha_gerai(db: Databases, data: TenantData) -> AlphaGerai:
    """A product of A's pharmacy (its second unit, which B lacks), received and sold once."""
    unit_id = data.units[-1].id
    with books_of(db, data) as session:
        product = gerai.save_product(
            session,
            unit_id,
            None,
            gerai.ProductDetails(
                code="8991234567",
                name=ALPHA_GERAI_PRODUCT,
                measure="kg",
                price=17_000,
                cost=14_000,
                low_stock=2,
                is_public=True,
                is_active=True,
            ),
        )
        gerai.receive_goods(
            session,
            gerai.Delivery(
                unit_id=unit_id,
                supplier="Toko Grosir",
                received_on=date(2026, 11, 5),
                payment=SupplierPayment.CASH,
                lines=[gerai.ReceivedLine(product.id, 10, 14_000)],
                idempotency_key=uuid.uuid4(),
                user_id=data.users["bendahara"].id,
            ),
        )
        sale, _created = gerai_sales.sell(
            session,
            gerai_sales.Checkout(
                unit_id=unit_id,
                lines=[CartLine(product.id, 2)],
                member=None,
                method=SaleMethod.CASH,
                sold_on=date(2026, 11, 6),
                idempotency_key=uuid.uuid4(),
                officer_id=data.users["bendahara"].id,
                officer_name="Bambang Alpha",
            ),
        )
        consignor = consignment.save_consignor(
            session, unit_id, None, name="Ibu Rahmi", member=None, phone=""
        )
        session.commit()
        return AlphaGerai(product.id, sale.number, sale.token, consignor.id)


def put_on_free_plan(databases: Databases, tenant: Tenant) -> None:
    """The cooperative on the Gratis plan with no Stripe customer, as a new one starts."""
    with databases.platform_session() as session:
        session.execute(delete(Subscription).where(Subscription.tenant_id == tenant.id))
        session.commit()
