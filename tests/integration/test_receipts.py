"""Receipts as documents: checked through an unguessable token, shown as cancelled once their
movement is reversed, printed on one A6 page or one 58 mm thermal-printer page, never changed."""

from __future__ import annotations

import io
import re
import uuid
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import text as sql
from sqlalchemy import update
from sqlalchemy.exc import DBAPIError

from saas.ledger import operations as ledger
from saas.ledger.models import JournalEntry
from saas.members.models import Member
from saas.savings import operations as savings
from saas.savings.models import PaymentMethod, Receipt, SavingsKind
from saas.tenants import schemas
from saas.tenants.migrations import upgrade_schema
from saas.tenants.models import Tenant
from tests.factories import books_of, login, text

MM = 72 / 25.4  # PDF points in a millimetre
TOKEN_IN_URL = re.compile(r"http://alpha\.localhost/kuitansi/([0-9a-f]{32})\b")


@pytest.fixture
def bendahara(alpha):
    login(alpha, "bambang@kopalpha.id")
    return alpha


@pytest.fixture
def paid(db, tenants) -> Receipt:
    """Sri pays 42,500 of voluntary savings on 3 November 2026."""
    with books_of(db, tenants.a) as session:
        officer = tenants.a.users["bendahara"]
        receipt, _created = savings.deposit(
            session,
            savings.Movement(
                member=session.merge(tenants.a.members[0]),
                kind=SavingsKind.SUKARELA,
                amount=42_500,
                method=PaymentMethod.CASH,
                paid_on=date(2026, 11, 3),
                idempotency_key=uuid.uuid4(),
                officer_id=officer.id,
                officer_name=officer.name,
            ),
        )
        session.expunge(receipt)
        return receipt


def reverse(db, tenants, receipt: Receipt) -> JournalEntry:
    """The treasurer reverses the deposit's entry on 5 November 2026."""
    with books_of(db, tenants.a) as session:
        entry = session.get_one(JournalEntry, receipt.entry_id)
        reversal = ledger.reverse_entry(
            session,
            entry,
            entry_date=date(2026, 11, 5),
            reason="salah anggota",
            idempotency_key=uuid.uuid4(),
        ).entry
        session.commit()
        return reversal


def test_a_receipt_is_checked_through_the_token_in_its_qr_code(bendahara, client_for, paid):
    page = text(bendahara.get(f"/kelola/anggota/kuitansi/{paid.number}"))
    token = TOKEN_IN_URL.search(page).group(1)
    assert token == paid.token
    assert f"<title>http://alpha.localhost/kuitansi/{token}</title>" in page  # the QR's target
    check = text(client_for("alpha").get(f"/kuitansi/{token}"))
    assert "This receipt is genuine." in check
    assert paid.number in check
    assert "Rp42,500" in check
    assert client_for("beta").get(f"/kuitansi/{token}").status_code == 404


def test_a_receipt_number_alone_reveals_nothing(client_for, paid):
    anonymous = client_for("alpha")
    for guess in (paid.number, paid.number.lower(), "KW-2026-000001", str(paid.id)):
        response = anonymous.get(f"/kuitansi/{guess}")
        assert response.status_code == 404
        page = text(response)
        assert "Scan the code" in page
        assert "Rp42,500" not in page
        assert "Nov 3, 2026" not in page


def receipts_table(tenants) -> str:
    """The receipts table of alpha's schema, for raw SQL (which the schema map does not touch)."""
    return f'"{tenants.a.tenant.schema_name}".receipts'


def test_every_receipt_has_its_own_token(db, tenants, paid):
    with books_of(db, tenants.a) as session:
        tokens = session.scalars(sql(f"SELECT token FROM {receipts_table(tenants)}")).all()
    assert paid.token in tokens
    assert len(set(tokens)) == len(tokens)
    assert all(re.fullmatch(r"[0-9a-f]{32}", token) for token in tokens)


def test_a_reversed_deposit_is_shown_as_cancelled_with_the_date_and_the_reversing_entry(
    bendahara, client_for, db, tenants, paid
):
    reversal = reverse(db, tenants, paid)
    cancelled = f"Cancelled on Nov 5, 2026 by journal entry #{reversal.id}."

    response = client_for("alpha").get(f"/kuitansi/{paid.token}")
    assert response.headers["Cache-Control"] == "private, no-store"  # no cache keeps "genuine"
    check = text(response)
    assert "This receipt is genuine." not in check
    assert "This receipt was cancelled." in check
    assert f"reversed on Nov 5, 2026 by journal entry #{reversal.id}" in check
    member = tenants.a.members[0]
    history = text(bendahara.get(f"/kelola/anggota/{member.id}/simpanan"))
    assert cancelled in history
    assert "<s>+Rp42,500</s>" in history
    assert cancelled in text(bendahara.get(f"/kelola/anggota/kuitansi/{paid.number}"))
    printed = bendahara.get(f"/kelola/anggota/kuitansi/{paid.number}.pdf")
    assert "Cancelled on" in PdfReader(io.BytesIO(printed.data)).pages[0].extract_text()


def test_a_receipt_still_standing_says_nothing_of_cancelling(bendahara, tenants, paid):
    history = text(bendahara.get(f"/kelola/anggota/{tenants.a.members[0].id}/simpanan"))
    assert "+Rp42,500" in history
    assert "Cancelled on" not in history


def printed_page(client, receipt: Receipt, query: str = ""):
    """The receipt's PDF, which must be one page, and that page's text on one line."""
    response = client.get(f"/kelola/anggota/kuitansi/{receipt.number}.pdf{query}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    pdf = PdfReader(io.BytesIO(response.data))
    assert len(pdf.pages) == 1
    return pdf.pages[0], " ".join(pdf.pages[0].extract_text().split())


def size_mm(page) -> tuple[int, int]:
    return round(float(page.mediabox.width) / MM), round(float(page.mediabox.height) / MM)


@pytest.mark.parametrize("query", ["", "?kertas=a6"])
def test_a_receipt_prints_on_one_a6_page(bendahara, paid, query):
    page, printed = printed_page(bendahara, paid, query)
    assert size_mm(page) == (148, 105)  # landscape
    assert "Koperasi Desa Merah Putih Alpha" in printed
    assert paid.number in printed
    assert "Rp42,500" in printed
    assert "Scan to check" in printed


@pytest.fixture
def long_names(db, tenants, paid) -> Receipt:
    """The receipt at its longest: long names of the cooperative, its region and the member,
    and a line saying it was cancelled."""
    with db.platform_session() as session:
        session.execute(
            update(Tenant)
            .where(Tenant.id == tenants.a.tenant.id)
            .values(
                display_name="Koperasi Desa Merah Putih Sukamaju Jaya Makmur Sentosa",
                region_label="Desa Sukamaju Jaya, Kec. Cibeber, Kabupaten Sukabumi, Jawa Barat",
            )
        )
        session.commit()
    with books_of(db, tenants.a) as session:
        session.execute(
            update(Member)
            .where(Member.id == paid.member_id)
            .values(name="Sri Wahyuni Rahayuningsih Kusumawardhani Putri Lestari Handayani")
        )
        session.commit()
    reverse(db, tenants, paid)
    return paid


def test_a_58mm_receipt_is_one_page_as_long_as_its_content(bendahara, paid):
    page, printed = printed_page(bendahara, paid, "?kertas=58mm")
    width, length = size_mm(page)
    assert width == 58
    assert 60 < length < 130  # the roll is cut after the last line
    assert printed.endswith("Scan to check")


@pytest.mark.parametrize("query", ["", "?kertas=58mm"])
def test_long_names_and_a_cancellation_still_print_on_one_page(bendahara, long_names, query):
    _page, printed = printed_page(bendahara, long_names, query)
    assert "Kabupaten Sukabumi" in printed
    assert "Cancelled on Nov 5, 2026" in printed
    assert "Scan to check" in printed


def test_an_unknown_paper_size_is_not_found(bendahara, paid):
    response = bendahara.get(f"/kelola/anggota/kuitansi/{paid.number}.pdf?kertas=a4")
    assert response.status_code == 404


def test_the_database_refuses_to_change_delete_or_truncate_a_receipt(db, tenants, paid):
    table = receipts_table(tenants)
    with books_of(db, tenants.a) as session:
        for statement in (
            "UPDATE receipts SET amount = 1 WHERE id = :id",
            "UPDATE receipts SET token = md5('x') WHERE id = :id",
            "DELETE FROM receipts WHERE id = :id",
            "TRUNCATE receipts CASCADE",
        ):
            nested = session.begin_nested()
            with pytest.raises(DBAPIError, match="receipts are never changed"):
                session.execute(sql(statement.replace("receipts", table)), {"id": paid.id})
            nested.rollback()


def test_the_database_refuses_a_receipt_token_that_is_not_random_hex(db, tenants, paid):
    with books_of(db, tenants.a) as session:
        table = receipts_table(tenants)
        copy = (
            f"INSERT INTO {table} (number, token, entry_id, member_id, kind, method,"
            " is_withdrawal, amount, paid_on, officer_name, created_at)"
            " SELECT 'KW-X', :token, entry_id, member_id, kind, method, is_withdrawal, amount,"
            f" paid_on, officer_name, created_at FROM {table} WHERE id = :id"
        )
        for token in ("KW-2026-000001", "1", paid.token.upper()):
            nested = session.begin_nested()
            with pytest.raises(DBAPIError, match="ck_receipts_token_shape"):
                session.execute(sql(copy), {"token": token, "id": paid.id})
            nested.rollback()


OLD_RECEIPTS = """
INSERT INTO accounts (code, kind, is_header, is_active, created_at)
    VALUES ('T-1', 'asset', false, true, now()), ('T-2', 'liability', false, true, now());
INSERT INTO members (number, nik, name, join_date, status, created_at, updated_at)
    VALUES ('0001', '3201010101010001', 'Sri', '2025-08-17', 'active', now(), now());
INSERT INTO journal_entries (entry_date, description, source, idempotency_key, posted_at)
    VALUES ('2026-11-03', 'Setoran', 'savings', gen_random_uuid(), now()),
           ('2026-11-04', 'Setoran', 'savings', gen_random_uuid(), now());
INSERT INTO journal_lines (entry_id, account_id, entry_date, debit, credit, line_no)
    SELECT e.id, a.id, e.entry_date, CASE a.code WHEN 'T-1' THEN 5000 ELSE 0 END,
           CASE a.code WHEN 'T-2' THEN 5000 ELSE 0 END, 1
    FROM journal_entries e CROSS JOIN accounts a WHERE a.code IN ('T-1', 'T-2');
INSERT INTO receipts (number, entry_id, member_id, kind, method, is_withdrawal, amount, paid_on,
                      officer_name, created_at)
    SELECT 'KW-2026-00000' || e.id, e.id, m.id, 'sukarela', 'cash', false, 5000, e.entry_date,
           'Bambang', now()
    FROM journal_entries e CROSS JOIN members m;
"""


def test_receipts_printed_before_tokens_each_get_a_random_one(db):
    schema = "tpl_receipt_tokens"
    with db.shard_transaction("main") as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        upgrade_schema(connection, schema, schemas.TENANT_MIGRATIONS, "t0017")
        connection.exec_driver_sql(OLD_RECEIPTS)
        upgrade_schema(connection, schema, schemas.TENANT_MIGRATIONS, schemas.tenant_head())
        tokens = connection.exec_driver_sql(f'SELECT token FROM "{schema}".receipts').scalars()
        tokens = list(tokens)
        nested = connection.begin_nested()
        with pytest.raises(DBAPIError, match="receipts are never changed"):
            connection.exec_driver_sql(f"UPDATE \"{schema}\".receipts SET token = md5('x')")
        nested.rollback()
    assert len(tokens) == 2
    assert len(set(tokens)) == 2
    assert all(re.fullmatch(r"[0-9a-f]{32}", token) for token in tokens)
