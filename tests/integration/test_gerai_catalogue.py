"""The public catalogue lists the shop's products marked public and on sale, read from the
gerai itself, with their price and the WhatsApp order link; nothing else and no other tenant's."""

from __future__ import annotations

import pytest

from saas.gerai import consignment
from saas.gerai import operations as gerai
from saas.microsite import operations as microsite
from tests.factories import books_of, text
from tests.integration.test_pages_in_indonesian import english_on


def product(code: str, name: str, *, public: bool = True, active: bool = True, **kw):
    return gerai.ProductDetails(
        code=code,
        name=name,
        measure=kw.pop("measure", "kg"),
        price=kw.pop("price", 15_000),
        cost=kw.pop("cost", 12_000),
        low_stock=0,
        is_public=public,
        is_active=active,
        **kw,
    )


@pytest.fixture
def catalogue(db, tenants):
    """Alpha's shop: rice public, sugar kept off the site, oil public but not on sale, and a
    member's consigned chips public; the cooperative's WhatsApp set."""
    unit_id = tenants.a.units[0].id
    with books_of(db, tenants.a) as session:
        microsite.save_profile(
            session,
            vision=None,
            mission=None,
            village_potential=None,
            address=None,
            postal_code=None,
            latitude=None,
            longitude=None,
            phone=None,
            whatsapp="+6281100000001",
            email=None,
        )
        gerai.save_product(session, unit_id, None, product("1", "Beras Pandan Wangi"))
        gerai.save_product(session, unit_id, None, product("2", "Gula Pasir", public=False))
        gerai.save_product(session, unit_id, None, product("3", "Minyak Goreng", active=False))
        consignor = consignment.save_consignor(
            session, unit_id, None, name="Bu Rahmi", member=None, phone=""
        )
        chips = product(
            "4",
            "Keripik Talas",
            price=10_000,
            cost=0,
            measure="bungkus",
            consignor_id=consignor.id,
            consignment_fee=1_000,
        )
        gerai.save_product(session, unit_id, None, chips)
        session.commit()


def test_public_products_on_sale_are_listed_with_price_and_order_link(catalogue, client_for):
    page = text(client_for("alpha").get("/produk"))
    assert "Rp15,000 / kg" in page
    assert (
        "https://wa.me/6281100000001?text=Hello%2C%20I%20would%20like%20to%20order%20"
        "Beras%20Pandan%20Wangi." in page
    )
    assert "Keripik Talas" in page
    assert "from Bu Rahmi" in page


def test_products_kept_off_the_site_or_not_on_sale_are_not_listed(catalogue, client_for):
    page = text(client_for("alpha").get("/produk"))
    assert "Gula Pasir" not in page
    assert "Minyak Goreng" not in page


def test_another_cooperatives_catalogue_lists_none_of_them(catalogue, client_for):
    page = text(client_for("beta").get("/produk"))
    assert "Beras Pandan Wangi" not in page
    assert "Keripik Talas" not in page


def test_the_catalogue_reads_in_indonesian(catalogue, client_for):
    page = text(client_for("alpha", lang="id").get("/produk"))
    assert "Rp15.000 / kg" in page
    assert "Stok habis" in page  # nothing received yet
    assert english_on(page) == []
