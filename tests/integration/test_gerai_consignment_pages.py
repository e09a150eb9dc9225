"""Consignment on the shop's pages: the chair adds a member as consignor and a product of
theirs with its fee, records the goods they bring, sells them at the counter, pays the
consignor once however often the form is sent, prints their statement; bad input is refused
on its form, and the pages read in Indonesian."""

from __future__ import annotations

import io
import re
import uuid

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from saas.accounts import operations as accounts
from saas.accounts.roles import Role
from saas.gerai.models import ConsignmentSettlement, Consignor, GeraiProduct
from tests.clock import TODAY
from tests.factories import PASSWORD, books_of, csrf_from, login, text
from tests.integration.test_gerai_pages import KASIR, counter, csrf_from_page
from tests.integration.test_pages_in_indonesian import english_on

CHAIR = "bambang@kopalpha.id"


def form_key(page: str, action: str) -> str:
    """The idempotency key of the form posting to ``action``."""
    form = page.split(f'action="{action}"', 1)[1].split("</form>", 1)[0]
    return re.search(r'name="key"[^>]*value="([^"]+)"', form).group(1)


def add_consignor(client, unit_id: int, **data: str):
    page = client.get(f"/kelola/gerai/{unit_id}/titip-jual")
    return client.post(
        f"/kelola/gerai/{unit_id}/titip-jual", data={"csrf_token": csrf_from(page), **data}
    )


def add_consigned_product(client, unit_id: int, consignor_id: int, **data: str):
    page = client.get(f"/kelola/gerai/{unit_id}/produk/baru")
    fields = {
        "csrf_token": csrf_from(page),
        "code": "KRP01",
        "name": "Keripik Pedas",
        "measure": "bungkus",
        "price": "10000",
        "is_active": "y",
        "consignor": str(consignor_id),
        **data,
    }
    return client.post(f"/kelola/gerai/{unit_id}/produk/baru", data=fields)


@pytest.fixture
def shop(db, tenants) -> int:
    """Alpha's shop (unit 1) with a cashier."""
    with books_of(db, tenants.a) as session:
        accounts.create_tenant_user(
            session, name="Kasir Alpha", email=KASIR, role=Role.STAFF, password=PASSWORD
        )
        session.commit()
    return tenants.a.units[0].id


@pytest.fixture
def consignor(alpha, shop, db, tenants):
    """A member consignor of alpha's shop with 10 packs of chips brought in, the fee 20%."""
    unit_id = shop
    login(alpha, CHAIR)
    number = tenants.a.members[0].number
    assert add_consignor(alpha, unit_id, member=number, phone="0812").status_code == 302
    with books_of(db, tenants.a) as session:
        consignor_id = session.scalar(select(Consignor.id))
    assert add_consigned_product(alpha, unit_id, consignor_id, fee_percent="20").status_code == 302
    with books_of(db, tenants.a) as session:
        chips = session.scalar(select(GeraiProduct).where(GeraiProduct.code == "KRP01"))
        chips_id = chips.id
        assert chips.consignment_fee == 2_000
    path = f"/kelola/gerai/{unit_id}/titip-jual/{consignor_id}"
    page = text(alpha.get(path))
    data = {
        "csrf_token": csrf_from_page(page),
        "key": form_key(page, f"{path}/barang"),
        "kind": "consigned",
        "moved_on": TODAY.isoformat(),
        "lines-0-product": str(chips_id),
        "lines-0-quantity": "10",
    }
    assert alpha.post(f"{path}/barang", data=data).status_code == 302
    assert alpha.post(f"{path}/barang", data=data).status_code == 302  # sent again: once
    return unit_id, consignor_id, chips_id, path


def settle_form(client, path: str) -> dict[str, str]:
    page = text(client.get(path))
    return {
        "csrf_token": csrf_from_page(page),
        "key": form_key(page, f"{path}/bayar"),
        "settled_on": TODAY.isoformat(),
        "paid_from": "cash",
    }


def test_consigned_goods_brought_in_twice_by_one_form_count_once(consignor, db, tenants):
    _unit_id, _consignor_id, chips_id, _path = consignor
    with books_of(db, tenants.a) as session:
        assert session.get(GeraiProduct, chips_id).on_hand == 10


def test_sold_consigned_goods_are_paid_to_the_consignor_once(alpha, consignor, db, tenants):
    unit_id, _consignor_id, chips_id, path = consignor
    sold = alpha.post(
        f"/kelola/gerai/{unit_id}",
        data={**counter(alpha, unit_id), "line": f"p.{chips_id}.3", "action": "pay"},
    )
    assert sold.status_code == 302
    assert "Rp24,000" in text(alpha.get(path))  # owed: three packs less the fee
    form = settle_form(alpha, path)
    assert alpha.post(f"{path}/bayar", data=form).status_code == 302
    assert alpha.post(f"{path}/bayar", data=form).status_code == 302  # a double submit
    again = alpha.post(f"{path}/bayar", data=settle_form(alpha, path))  # a new form, same day
    assert again.status_code == 422
    assert "Nothing of theirs sold up to that day is left to pay." in text(again)
    with books_of(db, tenants.a) as session:
        amounts = session.scalars(select(ConsignmentSettlement.amount)).all()
    assert amounts == [24_000]


def test_the_consignors_statement_is_a_pdf_with_the_letterhead(alpha, consignor, tenants):
    _unit_id, _consignor_id, _chips_id, path = consignor
    response = alpha.get(f"{path}/laporan.pdf")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    pdf = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert tenants.a.members[0].name in pdf
    assert tenants.a.tenant.display_name in pdf


def test_a_fee_above_the_price_is_refused_on_the_form(alpha, consignor, db, tenants):
    unit_id, consignor_id, _chips_id, _path = consignor
    response = add_consigned_product(alpha, unit_id, consignor_id, code="KRP02", fee="10001")
    assert response.status_code == 422
    assert "The fee cannot be more than the selling price." in text(response)
    with books_of(db, tenants.a) as session:
        assert session.scalar(select(func.count()).select_from(GeraiProduct)) == 1


def test_returning_more_than_is_left_is_refused_with_the_quantity(alpha, consignor):
    _unit_id, _consignor_id, chips_id, path = consignor
    page = text(alpha.get(path))
    data = {
        "csrf_token": csrf_from_page(page),
        "key": form_key(page, f"{path}/barang"),
        "kind": "returned",
        "moved_on": TODAY.isoformat(),
        "lines-0-product": str(chips_id),
        "lines-0-quantity": "11",
    }
    response = alpha.post(f"{path}/barang", data=data)
    assert response.status_code == 422
    assert "Only 10 of Keripik Pedas in stock." in text(response)


def test_an_unknown_member_number_is_refused_on_the_form(alpha, shop, db, tenants):
    unit_id = shop
    login(alpha, CHAIR)
    response = add_consignor(alpha, unit_id, member="9999")
    assert response.status_code == 422
    assert "No member has this number." in text(response)
    response = add_consignor(alpha, unit_id)
    assert response.status_code == 422
    assert "Enter the member number or the consignor&#39;s name." in text(response)
    with books_of(db, tenants.a) as session:
        assert session.scalar(select(func.count()).select_from(Consignor)) == 0


def test_a_cashier_reads_the_consignors_but_neither_adds_nor_pays(
    client_for, consignor, db, tenants
):
    unit_id, _consignor_id, _chips_id, path = consignor
    cashier = client_for("alpha")
    login(cashier, KASIR)
    assert cashier.get(path).status_code == 200
    assert 'action="' + path + '/bayar"' not in text(cashier.get(path))
    sent = {
        "csrf_token": csrf_from(cashier.get(path)),
        "key": str(uuid.uuid4()),
        "settled_on": TODAY.isoformat(),
        "paid_from": "cash",
    }
    assert cashier.post(f"{path}/bayar", data=sent).status_code == 403
    refused = cashier.post(
        f"/kelola/gerai/{unit_id}/titip-jual",
        data={"csrf_token": csrf_from(cashier.get(path)), "name": "Pak Budi"},
    )
    assert refused.status_code == 403
    with books_of(db, tenants.a) as session:
        assert session.scalar(select(func.count()).select_from(Consignor)) == 1


def test_the_consignment_pages_read_in_indonesian(client_for, consignor):
    unit_id, _consignor_id, _chips_id, path = consignor
    client = client_for("alpha", lang="id")
    login(client, CHAIR)
    refused = client.post(f"{path}/bayar", data=settle_form(client, path))
    assert "Tidak ada" in text(refused)
    pages = [
        refused,
        client.get(f"/kelola/gerai/{unit_id}/titip-jual"),
        client.get(path),
        client.get(f"/kelola/gerai/{unit_id}/produk/baru"),
    ]
    assert [english_on(text(page)) for page in pages] == [[], [], [], []]
