"""The chair's and the treasurer's download of the cooperative's whole data (/kelola/data)."""

from __future__ import annotations

import io
import json
import logging
import zipfile

from tests.factories import csrf_from, login, text


def download(client) -> object:
    token = csrf_from(client.get("/kelola/data"))
    return client.post("/kelola/data", data={"csrf_token": token})


def test_the_page_says_the_archive_holds_nik_and_ktp_photos(alpha):
    login(alpha, "ana@kopalpha.id")
    page = text(alpha.get("/kelola/data"))
    assert "full NIK and KTP photo" in page
    assert 'action="/kelola/data"' in page
    assert "/kelola/data" in text(alpha.get("/kelola"))  # linked from the officers' home


def test_the_chair_downloads_the_cooperatives_archive_and_the_download_is_logged(
    alpha, tenants, caplog
):
    login(alpha, "ana@kopalpha.id")
    with caplog.at_level(logging.INFO, logger="saas.blueprints.portability.views"):
        response = download(alpha)
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    assert "alpha-" in response.headers["Content-Disposition"]
    assert "no-store" in response.headers["Cache-Control"]
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["tenant"]["slug"] == "alpha"
    assert b"Sri Wahyuni Alpha" in archive.read("tables/members.csv")
    [record] = [r for r in caplog.records if r.getMessage() == "data exported"]
    assert record.role == "ketua"
    assert record.user_id == 1
    assert record.tenant_id == tenants.a.tenant.id


def test_the_treasurer_downloads_too(alpha):
    login(alpha, "bambang@kopalpha.id")
    assert download(alpha).status_code == 200


def test_a_supervisor_is_refused(alpha):
    login(alpha, "dedi@kopalpha.id")
    assert alpha.get("/kelola/data").status_code == 403


def test_a_download_without_the_forms_token_is_refused(alpha, caplog):
    login(alpha, "ana@kopalpha.id")
    with caplog.at_level(logging.INFO, logger="saas.blueprints.portability.views"):
        response = alpha.post("/kelola/data", data={})
    assert response.status_code == 400
    assert response.mimetype != "application/zip"
    assert not [r for r in caplog.records if r.getMessage() == "data exported"]


def test_another_cooperatives_host_gives_only_its_own_data(beta):
    login(beta, "ani@kopbeta.id")
    archive = zipfile.ZipFile(io.BytesIO(download(beta).get_data()))
    assert json.loads(archive.read("manifest.json"))["tenant"]["slug"] == "beta"
    everything = b"".join(archive.read(name) for name in archive.namelist())
    assert b"Alpha" not in everything


def test_the_chairs_session_from_one_host_downloads_nothing_on_another(alpha, beta):
    login(alpha, "ana@kopalpha.id")
    token = csrf_from(alpha.get("/kelola/data"))
    stolen = alpha.get_cookie("guyub_session", domain="alpha.localhost")
    beta.set_cookie("guyub_session", stolen.value, domain="beta.localhost")
    response = beta.post("/kelola/data", data={"csrf_token": token})
    assert response.mimetype != "application/zip"
    assert response.status_code in (302, 400, 403)
