"""News and products: officers post, visitors read and order by WhatsApp; markup never runs."""

from __future__ import annotations

import pytest

from saas.microsite import operations as microsite
from tests.factories import csrf_token, login, text


@pytest.fixture
def ketua(alpha):
    login(alpha, "ana@kopalpha.id")
    return alpha


def post(client, path, data):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, path)})


def test_news_is_published_and_read_by_visitors(ketua, client_for):
    response = post(
        ketua,
        "/kelola/berita",
        {"title": "Penyaluran pupuk", "body": "Hari ini pupuk dibagikan.\n\nTerima kasih warga."},
    )
    assert response.status_code == 302
    visitor = client_for("alpha")
    listing = text(visitor.get("/berita"))
    assert "Penyaluran pupuk" in listing
    post_id = int(listing.split("/berita/")[1].split('"')[0])
    page = text(visitor.get(f"/berita/{post_id}"))
    assert "<p>Hari ini pupuk dibagikan.</p><p>Terima kasih warga.</p>" in page


@pytest.mark.parametrize(
    "body",
    [
        '<p onclick="steal()">Rapat</p><script>steal()</script><a href="javascript:steal()">x</a>',
        "Rapat <script>steal()</script> <img src=x onerror=steal()>",
    ],
)
def test_script_in_news_never_runs(ketua, client_for, body):
    post(ketua, "/kelola/berita", {"title": "Rapat", "body": body})
    visitor = client_for("alpha")
    listing = text(visitor.get("/berita"))
    post_id = int(listing.split("/berita/")[1].split('"')[0])
    page = text(visitor.get(f"/berita/{post_id}"))
    article = page[page.index('<div class="news-body">') :]
    assert "<script>" not in article
    assert "onclick" not in article
    assert "<img" not in article
    assert "javascript:" not in article


def test_products_get_a_whatsapp_order_link(ketua, client_for, db, tenants):
    a = tenants.a.tenant
    with db.tenant_session(a.shard, a.schema_name) as session:
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
    post(
        ketua,
        "/kelola/produk",
        {
            "name": "Gula Aren",
            "price": "18000",
            "unit": "kg",
            "seller": "Bu Sari",
            "is_available": "y",
        },
    )
    page = text(client_for("alpha").get("/produk"))
    assert "Gula Aren" in page
    assert "Rp18,000 / kg" in page
    assert (
        "https://wa.me/6281100000001?text=Hello%2C%20I%20would%20like%20to%20order%20Gula%20Aren."
        in page
    )


@pytest.mark.parametrize(
    ("price", "message"),
    [
        ("-5", "from Rp1"),
        ("0", "from Rp1"),
        ("1000000000001", "from Rp1"),
        ("dua ribu", "Not a valid integer value"),
    ],
)
def test_absurd_prices_are_refused(ketua, price, message):
    response = post(ketua, "/kelola/produk", {"name": "Beras", "price": price})
    assert response.status_code == 422
    assert message in text(response)


def test_unavailable_products_are_hidden_from_visitors(ketua, client_for):
    post(ketua, "/kelola/produk", {"name": "Jagung Habis", "price": "5000"})
    assert "Jagung Habis" not in text(client_for("alpha").get("/produk"))
    assert "Jagung Habis" in text(ketua.get("/kelola/produk"))


def test_members_cannot_post_news(alpha):
    login(alpha, "citra@kopalpha.id")
    assert alpha.get("/kelola/berita").status_code == 403
