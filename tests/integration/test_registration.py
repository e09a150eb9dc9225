"""Self-registration: village → cooperative → founding officer → a live cooperative, signed in."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from saas.accounts import operations as accounts
from saas.onboarding.models import Registration
from saas.regions import queries as regions
from saas.tenants.models import Tenant
from tests.clock import TODAY
from tests.factories import csrf_from, csrf_token, text
from tests.integration.test_mail_flows import link_in

VALID_NPWP = "01.300.066.6-091.000"
COOPERATIVE = {
    "name": "Koperasi Desa Merah Putih Uji Coba",
    "slug": "uji-coba",
    "sk_ahu_number": "AHU-0001234.AH.01.29.TAHUN 2025",
    "sk_ahu_date": "2025-08-17",
    "npwp": VALID_NPWP,
    "nib": "1234567890123",
    "nik_koperasi": "",
}
OFFICER = {
    "name": "Wati Pendiri",
    "role": "ketua",
    "email": "wati@kopujicoba.id",
    "phone": "0812 3456 7001",
    "password": "padi-menguning-88",
    "confirm": "padi-menguning-88",
}


@pytest.fixture
def village(regions_loaded, db):
    """A desa with its province, kabupaten and kecamatan codes."""
    with db.platform_session() as session:
        province = regions.list_children(session, None)[10]
        regency = regions.list_children(session, province.code)[0]
        district = regions.list_children(session, regency.code)[0]
        desa = next(r for r in regions.list_children(session, district.code) if r.kind == "desa")
        return {
            "provinsi": province.code,
            "kabupaten": regency.code,
            "kecamatan": district.code,
            "code": desa.code,
            "name": desa.name,
        }


def choose_village(client, village):
    page = client.get(
        "/daftar", query_string={k: village[k] for k in ("provinsi", "kabupaten", "kecamatan")}
    )
    assert page.status_code == 200
    assert f'value="{village["code"]}"' in text(page)
    return client.post("/daftar", data={"village": village["code"], "csrf_token": csrf_from(page)})


def fill_cooperative(client, **changes):
    token = csrf_token(client, "/daftar/koperasi")
    return client.post("/daftar/koperasi", data={**COOPERATIVE, **changes, "csrf_token": token})


def fill_officer(client, **changes):
    token = csrf_token(client, "/daftar/pengurus")
    return client.post("/daftar/pengurus", data={**OFFICER, **changes, "csrf_token": token})


def registrations(db):
    with db.platform_session() as session:
        return session.scalars(select(Registration).order_by(Registration.id)).all()


def test_a_cooperative_registers_itself_and_lands_signed_in_on_its_subdomain(
    platform, client_for, db, village, outbox
):
    assert choose_village(platform, village).headers["Location"] == "/daftar/koperasi"
    step2 = text(platform.get("/daftar/koperasi"))
    assert f"Koperasi Desa Merah Putih {village['name']}" in step2  # the suggested name
    assert fill_cooperative(platform).headers["Location"] == "/daftar/pengurus"
    finished = fill_officer(platform)
    assert finished.status_code == 302
    target = finished.headers["Location"]
    assert target.startswith("http://uji-coba.localhost/masuk/lanjut/")

    officer = client_for("uji-coba")
    landed = officer.get(target.removeprefix("http://uji-coba.localhost"))
    assert landed.headers["Location"] == "/kelola"
    home = officer.get("/kelola")
    assert home.status_code == 200
    assert "Hello, Wati Pendiri" in text(home)

    with db.platform_session() as session:
        tenant = session.scalars(select(Tenant).where(Tenant.slug == "uji-coba")).one()
        assert tenant.display_name == COOPERATIVE["name"]
        assert tenant.region_code == village["code"]
        registration = session.scalars(
            select(Registration).where(Registration.tenant_id == tenant.id)
        ).one()
        assert registration.npwp == "0013000666091000"
        assert registration.officer_phone == "+6281234567001"
        assert registration.email_confirmed_at is None
    with db.tenant_session(tenant.shard, tenant.schema_name) as session:
        wati = accounts.find_tenant_user_by_login(session, "wati@kopujicoba.id")
        assert wati.role == "ketua"
        assert wati.locale == "en"  # the language she registered in

    assert outbox[0]["to"] == ["wati@kopujicoba.id"]
    confirm = link_in(outbox[0]).removeprefix("http://localhost")
    confirmed = platform.get(confirm)
    assert confirmed.status_code == 200
    assert "Email confirmed" in text(confirmed)
    with db.platform_session() as session:
        assert session.get(Registration, registration.id).email_confirmed_at is not None


def test_the_handoff_link_signs_in_once(platform, client_for, village):
    choose_village(platform, village)
    fill_cooperative(platform)
    target = fill_officer(platform).headers["Location"].removeprefix("http://uji-coba.localhost")
    client_for("uji-coba").get(target)
    again = client_for("uji-coba")
    assert again.get(target).headers["Location"] == "/masuk"
    assert again.get("/kelola").status_code == 302


def test_a_repeated_final_submit_does_not_make_a_second_cooperative(platform, db, village):
    choose_village(platform, village)
    fill_cooperative(platform)
    token = csrf_token(platform, "/daftar/pengurus")
    cookie = platform.get_cookie("guyub_session", domain="localhost").value
    first = platform.post("/daftar/pengurus", data={**OFFICER, "csrf_token": token})
    platform.set_cookie("guyub_session", cookie, domain="localhost")  # the double tap's cookie
    second = platform.post("/daftar/pengurus", data={**OFFICER, "csrf_token": token})
    assert first.status_code == second.status_code == 302
    assert second.headers["Location"].startswith("http://uji-coba.localhost/masuk/lanjut/")
    with db.platform_session() as session:
        count = session.scalar(
            select(func.count()).select_from(Tenant).where(Tenant.slug == "uji-coba")
        )
    assert count == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"npwp": "01.300.066.7-091.000"}, "npwp", "not valid"),
        ({"npwp": "3171011503800001"}, "npwp", "personal NPWP"),
        ({"npwp": "12345"}, "npwp", "15 or 16 digits"),
        ({"nib": "123456789012"}, "nib", "13 digits"),
        (
            {"sk_ahu_date": (TODAY + timedelta(days=3)).isoformat()},
            "sk_ahu_date",
            "future",
        ),
        ({"sk_ahu_date": "17-08-2025x"}, "sk_ahu_date", "Enter the date of the decree"),
        ({"slug": "alpha"}, "slug", "already used"),
        ({"slug": "admin"}, "slug", "reserved"),
        ({"slug": "Uji Coba!"}, "slug", "lowercase letters"),
        ({"name": ""}, "name", "required"),
    ],
)
def test_bad_cooperative_details_get_a_message_next_to_the_field_and_nothing_is_saved(
    platform, db, village, changes, field, message
):
    choose_village(platform, village)
    response = fill_cooperative(platform, **changes)
    assert response.status_code == 422
    match = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', text(response))
    assert match, text(response)
    assert message in match.group(1)
    assert registrations(db)[-1].step == 1


def test_markup_in_a_name_is_shown_as_text(platform, village):
    choose_village(platform, village)
    fill_cooperative(platform, name="<script>alert(1)</script> Koperasi")
    page = text(platform.get("/daftar/pengurus"))
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Koperasi" in page


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"phone": "12345"}, "phone", "Indonesian mobile number"),
        ({"email": "bukan-email"}, "email", "valid email"),
        ({"password": "password1", "confirm": "password1"}, "password", "too common"),
        ({"confirm": "lain-sekali-99"}, "confirm", "not the same"),
    ],
)
def test_bad_officer_details_are_refused_and_no_cooperative_is_made(
    platform, db, village, changes, field, message
):
    choose_village(platform, village)
    fill_cooperative(platform)
    response = fill_officer(platform, **changes)
    assert response.status_code == 422
    assert re.search(rf'id="{field}-error">[^<]*{message}', text(response))
    with db.platform_session() as session:
        assert session.scalars(select(Tenant).where(Tenant.slug == "uji-coba")).first() is None


@pytest.mark.parametrize("code", ["99.99.99.9999", "32", ""])
def test_an_unknown_or_non_village_code_is_refused_and_nothing_is_saved(
    platform, db, village, code
):
    picks = {k: village[k] for k in ("provinsi", "kabupaten", "kecamatan")}
    page = platform.get("/daftar", query_string=picks)
    response = platform.post("/daftar", data={"village": code, "csrf_token": csrf_from(page)})
    assert response.status_code == 422
    assert "Choose your village or kelurahan from the list." in text(response)
    assert registrations(db) == []


def test_a_village_that_already_has_a_cooperative_is_flagged_not_refused(
    platform, db, tenants, village
):
    with db.platform_session() as session:
        session.get(Tenant, tenants.a.tenant.id).region_code = village["code"]
        session.commit()
    choose_village(platform, village)
    assert "already registered for this village" in text(platform.get("/daftar/koperasi"))
    assert registrations(db)[-1].same_village_tenant_id == tenants.a.tenant.id


def test_village_search_by_name_within_the_chosen_regency(platform, village):
    query = {
        "provinsi": village["provinsi"],
        "kabupaten": village["kabupaten"],
        "q": village["name"].lower(),
    }
    response = platform.get("/daftar", query_string=query)
    assert f'value="{village["code"]}"' in text(response)
    fragment = platform.get("/daftar", query_string=query, headers={"HX-Request": "true"})
    assert text(fragment).startswith('<div id="region-picker">')
    assert f'value="{village["code"]}"' in text(fragment)


def test_address_check_tells_free_from_taken(platform):
    free = platform.get("/daftar/cek-alamat", query_string={"slug": "desa-baru-sekali"})
    assert "is free" in text(free)
    taken = platform.get("/daftar/cek-alamat", query_string={"slug": "alpha"})
    assert "already used" in text(taken)


def test_steps_cannot_be_skipped(platform):
    assert platform.get("/daftar/koperasi").headers["Location"] == "/daftar"
    assert platform.get("/daftar/pengurus").headers["Location"] == "/daftar"


def test_the_wizard_resumes_where_it_stopped(platform, village):
    choose_village(platform, village)
    fill_cooperative(platform)
    page = text(platform.get("/daftar/koperasi"))
    assert 'value="uji-coba"' in page
    assert "Step 2 of 3" in page


def test_one_address_cannot_make_more_than_five_cooperatives_an_hour(client_for, db, village):
    for n in range(6):
        client = client_for(None)
        choose_village(client, village)
        fill_cooperative(client, slug=f"banyak-{n}")
        response = fill_officer(
            client, email=f"pendiri{n}@kopujicoba.id", phone=f"08123456{7100 + n}"
        )
        if n < 5:
            assert response.status_code == 302, n
    assert response.status_code == 429
    with db.platform_session() as session:
        made = session.scalar(
            select(func.count()).select_from(Tenant).where(Tenant.slug.like("banyak-%"))
        )
    assert made == 5
