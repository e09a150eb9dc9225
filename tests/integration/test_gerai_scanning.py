"""The counter's camera scanning: the code and buyer fields ask scan.js for their formats and
carry hidden scan buttons with their words; what a scan sends (the form with no button) adds
the product or names the member, as typing does."""

from __future__ import annotations

import re

import pytest

from saas.accounts import operations as accounts
from saas.accounts.roles import Role
from saas.gerai import operations as gerai
from tests.factories import PASSWORD, books_of, login, text
from tests.integration.test_gerai_pages import KASIR, card_code, counter


@pytest.fixture
def shop(db, tenants):
    """Alpha's shop (unit 1) selling rice under the barcode 899100, and its cashier."""
    unit_id = tenants.a.units[0].id
    with books_of(db, tenants.a) as session:
        accounts.create_tenant_user(
            session, name="Kasir Alpha", email=KASIR, role=Role.STAFF, password=PASSWORD
        )
        rice = gerai.save_product(
            session,
            unit_id,
            None,
            gerai.ProductDetails("899100", "Beras Pandan", "kg", 15_000, 12_000, 3, False, True),
        )
        session.commit()
        return unit_id, rice.id


def test_the_code_and_buyer_fields_carry_hidden_scan_buttons_and_the_script(alpha, shop):
    unit_id, _rice_id = shop
    login(alpha, KASIR)
    page = text(alpha.get(f"/kelola/gerai/{unit_id}"))
    assert re.search(r'<input[^>]*data-scan="ean_13 [^"]*"[^>]*name="code"', page)
    assert re.search(r'<input[^>]*data-scan="qr_code"[^>]*name="buyer"', page)
    buttons = re.findall(r"<button[^>]*data-scan-button[^>]*>", page)
    assert len(buttons) == 2
    assert all(" hidden" in button and 'type="button"' in button for button in buttons)
    assert all('data-scan-unreadable="No code could be read' in button for button in buttons)
    assert re.search(r'<script src="[^"]*scan[^"]*\.js" defer></script>', page)


def test_the_scan_buttons_speak_indonesian(client_for, shop):
    unit_id, _rice_id = shop
    cashier = client_for("alpha", lang="id")
    login(cashier, KASIR)
    page = text(cashier.get(f"/kelola/gerai/{unit_id}"))
    assert "Pindai barcode" in page
    assert 'data-scan-close="Tutup kamera"' in page


def test_a_scanned_barcode_sent_without_a_button_adds_the_product(alpha, shop):
    unit_id, rice_id = shop
    login(alpha, KASIR)
    form = counter(alpha, unit_id)
    page = text(alpha.post(f"/kelola/gerai/{unit_id}", data={**form, "code": "899100"}))
    assert f'name="line" value="p.{rice_id}.1"' in page


def test_a_scanned_member_card_names_the_member_before_the_sale(app, alpha, shop, tenants):
    unit_id, _rice_id = shop
    login(alpha, KASIR)
    sri = tenants.a.members[1]
    form = {**counter(alpha, unit_id), "buyer": card_code(app, tenants.a, sri)}
    page = text(alpha.post(f"/kelola/gerai/{unit_id}", data=form))
    assert f"Buyer: {sri.number} · {sri.name}" in page
    assert re.search(rf'name="buyer"[^>]*value="{sri.number}"', page)
