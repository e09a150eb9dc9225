"""News and products: officers post, visitors read and order by WhatsApp; markup never runs."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from saas.microsite import operations as microsite
from tests.factories import PDF_BYTES, csrf_token, jpeg, login, text


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


def post_news(client, path, photos, title="Panen raya"):
    return client.post(
        path,
        content_type="multipart/form-data",
        data={
            "title": title,
            "body": "Panen bersama warga.",
            "csrf_token": csrf_token(client, path),
            "photos": [(io.BytesIO(content), name) for content, name in photos],
        },
    )


def stored_files(app, tenants):
    folder = app.extensions["guyub.settings"].instance_dir / "uploads"
    return sorted(folder.glob(f"{tenants.a.tenant.schema_name}_pub/*"))


def only_post(db, tenants):
    a = tenants.a.tenant
    with db.tenant_session(a.shard, a.schema_name) as session:
        posts = microsite.list_news(session)
        newest = posts[0]
        return newest.id, [photo.photo_key for photo in newest.photos]


def test_news_carries_photos_shown_to_visitors_and_shared_on_whatsapp(
    ketua, client_for, db, tenants, app
):
    before = stored_files(app, tenants)
    response = post_news(ketua, "/kelola/berita", [(jpeg(), "a.jpg"), (jpeg((900, 1600)), "b.jpg")])
    assert response.status_code == 302
    post_id, keys = only_post(db, tenants)
    assert len(keys) == 2
    assert len(stored_files(app, tenants)) == len(before) + 4  # each with its small copy
    visitor = client_for("alpha")
    assert "2 photos" in text(visitor.get("/berita"))
    page = text(visitor.get(f"/berita/{post_id}"))
    sources = re.findall(r'<img class="unit-photo" src="(/foto/[^"]+)"', page)
    assert len(sources) == 2
    assert f'og:image" content="http://alpha.localhost{sources[0]}"' in page
    with Image.open(io.BytesIO(visitor.get(sources[1]).data)) as shown:
        assert max(shown.size) == 800  # re-encoded and made smaller on the server
    assert "<img" not in text(visitor.get("/berita"))  # the list stays light: titles only
    with Image.open(io.BytesIO(visitor.get(sources[0].replace(".jpg", "_s.jpg")).data)) as small:
        assert max(small.size) == 192


def test_a_disguised_photo_refuses_the_whole_post_and_stores_nothing(ketua, db, tenants, app):
    before = stored_files(app, tenants)
    response = post_news(ketua, "/kelola/berita", [(jpeg(), "a.jpg"), (PDF_BYTES, "b.jpg")])
    assert response.status_code == 422
    assert "Choose a JPEG or PNG photo." in text(response)
    a = tenants.a.tenant
    with db.tenant_session(a.shard, a.schema_name) as session:
        assert "Panen raya" not in [p.title for p in microsite.list_news(session)]
    assert stored_files(app, tenants) == before


def test_a_post_holds_at_most_six_photos(ketua, db, tenants):
    post_news(ketua, "/kelola/berita", [(jpeg((200, 200)), f"{i}.jpg") for i in range(4)])
    post_id, _keys = only_post(db, tenants)
    response = post_news(
        ketua, f"/kelola/berita/{post_id}", [(jpeg((200, 200)), f"{i}.jpg") for i in range(3)]
    )
    assert response.status_code == 422
    assert "at most 6 photos; this one has room for 2 more" in text(response)
    assert len(only_post(db, tenants)[1]) == 4


def test_removing_a_photo_or_the_post_removes_the_files(ketua, db, tenants, app):
    before = stored_files(app, tenants)
    post_news(ketua, "/kelola/berita", [(jpeg((300, 300)), "a.jpg"), (jpeg((300, 300)), "b.jpg")])
    post_id, _keys = only_post(db, tenants)
    a = tenants.a.tenant
    with db.tenant_session(a.shard, a.schema_name) as session:
        photo_id = microsite.get_news_for_tenant(session, post_id).photos[0].id
    path = f"/kelola/berita/{post_id}/foto/{photo_id}/hapus"
    edit = f"/kelola/berita/{post_id}"
    assert ketua.post(path, data={"csrf_token": csrf_token(ketua, edit)}).status_code == 302
    assert len(stored_files(app, tenants)) == len(before) + 2  # one photo and its small copy
    assert ketua.post(path, data={"csrf_token": csrf_token(ketua, edit)}).status_code == 404
    remove = f"/kelola/berita/{post_id}/hapus"
    assert ketua.post(remove, data={"csrf_token": csrf_token(ketua, edit)}).status_code == 302
    assert stored_files(app, tenants) == before


def test_a_product_photo_is_shown_next_to_the_order_link(ketua, client_for):
    path = "/kelola/produk"
    response = ketua.post(
        path,
        content_type="multipart/form-data",
        data={
            "name": "Kopi Robusta",
            "price": "60000",
            "is_available": "y",
            "csrf_token": csrf_token(ketua, path),
            "photo": (io.BytesIO(jpeg()), "kopi.jpg"),
        },
    )
    assert response.status_code == 302
    page = text(client_for("alpha").get("/produk"))
    assert re.search(r'<img class="thumb" src="/foto/[^"]+" alt="Kopi Robusta"', page)
