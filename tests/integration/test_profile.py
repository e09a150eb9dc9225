"""Officers keep the profile, the board and the business units; the checklist follows them."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from saas.microsite import operations as microsite
from tests.factories import PDF_BYTES, count_statements, csrf_token, fill_board, jpeg, login, text

PROFILE = {
    "vision": "Koperasi yang menyejahterakan warga desa.",
    "mission": "Menyediakan sembako murah dan simpan pinjam yang adil.",
    "village_potential": "Gula aren, kopi robusta dan wisata curug.",
    "address": "Jl. Raya Desa No. 1",
    "postal_code": "43351",
    "latitude": "-6.914744",
    "longitude": "107.609810",
    "whatsapp": "0812 3456 7003",
    "phone": "",
    "email": "kantor@kopalpha.id",
}


def post(client, path, data):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, path)})


def tenant_session(db, tenants):
    a = tenants.a.tenant
    return db.tenant_session(a.shard, a.schema_name)


@pytest.fixture
def ketua(alpha):
    login(alpha, "ana@kopalpha.id")
    return alpha


def test_profile_is_saved_with_a_normalised_whatsapp_number(ketua, db, tenants):
    assert post(ketua, "/kelola/profil", PROFILE).headers["Location"] == "/kelola/kelengkapan"
    with tenant_session(db, tenants) as session:
        profile = microsite.get_profile(session)
        assert profile.whatsapp == "+6281234567003"
        assert str(profile.latitude) == "-6.914744"
        assert profile.vision == PROFILE["vision"]
        assert profile.village_potential == PROFILE["village_potential"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"latitude": "48.8"}, "latitude", "between latitudes"),
        ({"longitude": "2.35"}, "longitude", "between longitudes"),
        ({"longitude": ""}, "latitude", "both latitude and longitude"),
        ({"latitude": "utara"}, "latitude", "Not a valid decimal value"),
        ({"whatsapp": "555-1234"}, "whatsapp", "Indonesian mobile number"),
        ({"postal_code": "123"}, "postal_code", ""),
    ],
)
def test_bad_profile_input_is_refused_next_to_the_field(
    ketua, db, tenants, changes, field, message
):
    response = post(ketua, "/kelola/profil", {**PROFILE, **changes})
    assert response.status_code == 422
    assert re.search(rf'id="{field}-error">[^<]*{message}', text(response))
    with tenant_session(db, tenants) as session:
        assert microsite.get_profile(session) is None


def test_board_warnings_follow_the_juklak_but_do_not_block(ketua):
    response = post(
        ketua,
        "/kelola/pengurus/baru",
        {
            "position": "sekretaris",
            "name": "Pak Lurah",
            "phone": "",
            "is_village_official": "y",
            "is_related_to_board": "y",
        },
    )
    assert response.status_code == 302
    board = text(ketua.get("/kelola/pengurus"))
    assert "Pak Lurah is marked as a village official" in board
    assert "Pak Lurah is marked as related to another board member" in board
    post(
        ketua, "/kelola/pengurus/baru", {"position": "bendahara", "name": "ana  alpha", "phone": ""}
    )
    assert "Ana Alpha holds more than one officer position" in text(ketua.get("/kelola/pengurus"))


def test_a_board_member_is_edited_and_removed(ketua, db, tenants):
    member = tenants.a.board[-1]
    path = f"/kelola/pengurus/{member.id}"
    assert "Hendra PengawasAlpha" in text(ketua.get(path))
    post(
        ketua, path, {"position": "ketua_pengawas", "name": "Hendra Baru", "phone": "081100000009"}
    )
    with tenant_session(db, tenants) as session:
        assert microsite.get_board_member_for_tenant(session, member.id).phone == "+6281100000009"
    post(ketua, f"{path}/hapus", {})
    with tenant_session(db, tenants) as session:
        assert microsite.get_board_member_for_tenant(session, member.id) is None


def test_a_mandated_unit_is_added_from_its_suggestion(ketua, db, tenants):
    units_page = text(ketua.get("/kelola/unit"))
    assert "/kelola/unit/baru?jenis=klinik" in units_page
    form = text(ketua.get("/kelola/unit/baru?jenis=klinik"))
    assert 'value="Village clinic"' in form
    response = post(
        ketua,
        "/kelola/unit/baru",
        {
            "kind": "klinik",
            "name": "Klinik Desa Alpha",
            "status": "planned",
            "description": "Pemeriksaan kesehatan dasar",
            "opening_hours": "Senin-Jumat 08.00-14.00",
        },
    )
    assert response.status_code == 302
    assert "/kelola/unit/baru?jenis=klinik" not in text(ketua.get("/kelola/unit"))


def test_unknown_kind_of_unit_is_refused(ketua):
    response = post(
        ketua, "/kelola/unit/baru", {"kind": "kasino", "name": "X", "status": "running"}
    )
    assert response.status_code == 422
    assert 'id="kind-error"' in text(response)


def test_legal_identifiers_are_validated_like_at_registration(ketua):
    response = post(
        ketua,
        "/kelola/legalitas",
        {
            "sk_ahu_number": "AHU-1.AH.01.29.TAHUN 2025",
            "sk_ahu_date": "2025-08-17",
            "npwp": "3171011503800001",
            "nib": "1234567890123",
        },
    )
    assert response.status_code == 422
    assert "personal NPWP" in text(response)


def test_the_checklist_follows_what_is_filled_in(ketua, db, tenants):
    before = text(ketua.get("/kelola/kelengkapan"))
    assert "Your profile is 17% complete" in before  # only the described unit (1 of 6)
    post(ketua, "/kelola/profil", PROFILE)
    post(
        ketua,
        "/kelola/legalitas",
        {
            "sk_ahu_number": "AHU-0001234.AH.01.29.TAHUN 2025",
            "sk_ahu_date": "2025-08-17",
            "npwp": "01.300.066.6-091.000",
            "nib": "1234567890123",
        },
    )
    with tenant_session(db, tenants) as session:
        fill_board(session)
    after = text(ketua.get("/kelola/kelengkapan"))
    assert "Your profile is 67% complete" in after  # all but the email and the documents


def test_supervisors_read_the_board_but_cannot_change_it(alpha, tenants):
    login(alpha, "dedi@kopalpha.id")
    assert alpha.get("/kelola/pengurus").status_code == 200
    assert alpha.get("/kelola/kelengkapan").status_code == 200
    assert alpha.get("/kelola/profil").status_code == 403
    token = csrf_token(alpha, "/kelola/pengurus")
    member = tenants.a.board[0]
    assert (
        alpha.post(f"/kelola/pengurus/{member.id}/hapus", data={"csrf_token": token}).status_code
        == 403
    )


def test_members_cannot_open_the_profile_pages(alpha):
    login(alpha, "citra@kopalpha.id")
    for path in ("/kelola/kelengkapan", "/kelola/pengurus", "/kelola/unit", "/kelola/profil"):
        assert alpha.get(path).status_code == 403


def test_the_microsite_shows_the_village_potential_and_an_honest_empty_finance_section(
    ketua, client_for
):
    post(ketua, "/kelola/profil", PROFILE)
    home = text(client_for("alpha").get("/"))
    assert "Gula aren, kopi robusta dan wisata curug." in home
    assert "Financial reports" in home
    assert "will appear here once the members' meeting (RAT) approves them" in home


def test_a_board_member_photo_is_resized_and_shown_on_the_microsite(ketua, client_for, db, tenants):
    member = tenants.a.board[0]
    path = f"/kelola/pengurus/{member.id}"
    response = ketua.post(
        path,
        content_type="multipart/form-data",
        data={
            "position": "ketua",
            "name": "Ana Alpha",
            "phone": "",
            "csrf_token": csrf_token(ketua, path),
            "photo": (io.BytesIO(jpeg()), "ana.jpg"),
        },
    )
    assert response.status_code == 302
    visitor = client_for("alpha")
    assert '<img class="avatar"' not in text(visitor.get("/"))  # the home page stays light
    board = text(visitor.get("/pengurus"))
    src = re.search(r'<img class="avatar" src="(/foto/[^"]+_s\.jpg)"', board).group(1)
    image = visitor.get(src)
    assert image.headers["Content-Type"] == "image/jpeg"
    assert "immutable" in image.headers["Cache-Control"]
    with Image.open(io.BytesIO(image.data)) as small:
        assert max(small.size) == 192
    with Image.open(io.BytesIO(visitor.get(src.replace("_s.jpg", ".jpg")).data)) as stored:
        assert max(stored.size) == 800


def test_the_units_page_shows_each_unit_with_its_photo(ketua, client_for, tenants):
    unit = tenants.a.units[0]
    path = f"/kelola/unit/{unit.id}"
    ketua.post(
        path,
        content_type="multipart/form-data",
        data={
            "kind": "sembako",
            "name": "Gerai Sembako Alpha",
            "status": "running",
            "description": "Beras, minyak, gula.",
            "csrf_token": csrf_token(ketua, path),
            "photo": (io.BytesIO(jpeg()), "gerai.jpg"),
        },
    )
    page = text(client_for("alpha").get("/unit-usaha"))
    assert "Beras, minyak, gula." in page
    assert re.search(
        r'<img class="unit-photo" src="/foto/[^"]+\.jpg" alt="Gerai Sembako Alpha"', page
    )


def test_an_image_stored_before_small_copies_is_served_for_its_small_url(client_for, app, tenants):
    storage = app.extensions["guyub.storage"]
    key = storage.save(f"{tenants.a.tenant.schema_name}_pub", jpeg((300, 200)), "jpg")
    owner, name = key.split("/")
    response = client_for("alpha").get(f"/foto/{owner}/{name.replace('.jpg', '_s.jpg')}")
    assert response.status_code == 200
    assert response.data == storage.read(key)


def test_a_pdf_is_not_a_photo_and_nothing_is_saved(ketua, db, tenants):
    unit = tenants.a.units[0]
    path = f"/kelola/unit/{unit.id}"
    response = ketua.post(
        path,
        content_type="multipart/form-data",
        data={
            "kind": "sembako",
            "name": "Nama Baru",
            "status": "running",
            "csrf_token": csrf_token(ketua, path),
            "photo": (io.BytesIO(PDF_BYTES), "foto.jpg"),
        },
    )
    assert response.status_code == 422
    assert "Choose a JPEG or PNG photo." in text(response)
    with tenant_session(db, tenants) as session:
        assert microsite.get_unit_for_tenant(session, unit.id).name == "Gerai Sembako Alpha"


def test_private_documents_are_never_served_as_photos(client_for, tenants):
    document = tenants.a.documents[0]
    owner, name = document.storage_key.split("/")
    assert client_for("alpha").get(f"/foto/{owner}/{name}").status_code == 404
    assert client_for("alpha").get(f"/foto/{owner}_pub/{name}").status_code == 404
    beta_owner = f"{tenants.b.tenant.schema_name}_pub"
    assert client_for("alpha").get(f"/foto/{beta_owner}/{'0' * 32}.jpg").status_code == 404


def test_the_home_page_reads_the_tenant_schema_again_only_after_a_change(ketua, client_for, db):
    post(ketua, "/kelola/profil", PROFILE)  # refreshes the summary row, as every edit does
    visitor = client_for("alpha")
    first, _statements = count_statements(db, lambda: visitor.get("/"))
    assert "Koperasi yang menyejahterakan warga desa." in text(first)
    again, statements = count_statements(db, lambda: visitor.get("/"))
    assert len(statements) == 1, statements  # tenant resolution with its summary, nothing more
    assert text(again) == text(first)
    post(ketua, "/kelola/profil", {**PROFILE, "vision": "Visi yang baru"})
    changed, statements = count_statements(db, lambda: visitor.get("/"))
    assert "Visi yang baru" in text(changed)
    assert len(statements) == 4


def test_a_20_mb_logo_keeps_everything_typed_on_the_profile_form(ketua):
    token = csrf_token(ketua, "/kelola/profil")
    huge = io.BytesIO(jpeg((200, 200)) + b"\0" * (20 * 1024 * 1024))
    response = ketua.post(
        "/kelola/profil",
        data={**PROFILE, "csrf_token": token, "logo": (huge, "logo.jpg")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    page = text(response)
    assert "The file is larger than 5 MB." in page
    assert "Koperasi yang menyejahterakan warga desa." in page
    assert 'value="Jl. Raya Desa No. 1"' in page


@pytest.mark.parametrize(
    ("path", "english", "indonesian"),
    [
        ("/kelola/pengurus/baru", "Chair of the supervisors (Ketua Pengawas)", "Ketua Pengawas"),
        ("/kelola/unit/baru", "Groceries outlet (gerai sembako)", "Gerai sembako"),
        ("/kelola/dokumen/unggah", "NIB from OSS", "NIB dari OSS"),
    ],
)
def test_the_set_up_forms_offer_their_choices_in_the_officers_language(
    client_for, path, english, indonesian
):
    officer = client_for("alpha", lang="id")
    login(officer, "ana@kopalpha.id")
    page = text(officer.get(path))
    assert f">{indonesian}</option>" in page
    assert english not in page


def test_a_visitor_holding_the_home_page_is_answered_304_until_an_officer_edits(
    ketua, client_for, db
):
    post(ketua, "/kelola/profil", PROFILE)
    visitor = client_for("alpha")
    first = visitor.get("/")
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "public, max-age=60, stale-while-revalidate=600"
    held, statements = count_statements(
        db, lambda: visitor.get("/", headers={"If-None-Match": etag})
    )
    assert held.status_code == 304
    assert held.data == b""
    assert held.headers["ETag"] == etag
    assert len(statements) == 1  # resolving the tenant: nothing rendered, nothing read
    post(ketua, "/kelola/profil", {**PROFILE, "vision": "Visi yang baru"})
    changed = visitor.get("/", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert "Visi yang baru" in text(changed)


def test_an_officers_home_page_is_never_held_by_a_cache(ketua):
    page = ketua.get("/")
    assert "ETag" not in page.headers
    assert page.headers["Cache-Control"] == "private, no-store"
