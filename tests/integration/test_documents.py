"""Legal documents: checked by content, stored per tenant outside the web root, served privately."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from saas.documents import operations as documents
from saas.documents.models import DocumentKind
from saas.uploads import MAX_PIXELS, MAX_REQUEST_BYTES
from tests.factories import PDF_BYTES, csrf_token, hidden, login, text


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (3000, 2000), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"  # Make
    exif[0x8825] = {1: "S", 2: (6.0, 54.0, 53.0)}  # GPS IFD
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def png_bomb() -> bytes:
    """A 20,000 x 20,000 image that compresses to a few hundred kilobytes."""
    image = Image.new("1", (20_000, 20_000))
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def upload(client, kind, data, filename):
    token = csrf_token(client, "/kelola/dokumen/unggah")
    return client.post(
        "/kelola/dokumen/unggah",
        data={"kind": kind, "csrf_token": token, "file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def stored_files(app, tenants):
    root = app.extensions["guyub.settings"].instance_dir / "uploads" / tenants.a.tenant.schema_name
    return sorted(p.name for p in root.glob("*")) if root.exists() else []


def current(db, tenants):
    a = tenants.a.tenant
    with db.tenant_session(a.shard, a.schema_name) as session:
        return documents.list_current_documents(session)


@pytest.fixture
def ketua(alpha):
    login(alpha, "ana@kopalpha.id")
    return alpha


def test_a_pdf_is_stored_and_only_officers_can_download_it(ketua, client_for, db, tenants):
    response = upload(ketua, "sk_ahu", PDF_BYTES, "SK AHU scan.pdf")
    assert response.headers["Location"] == "/kelola/dokumen"
    document = current(db, tenants)[DocumentKind.SK_AHU]
    assert document.original_name == "SK AHU scan.pdf"
    download = ketua.get(f"/kelola/dokumen/{document.id}")
    assert download.data == PDF_BYTES
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["Cache-Control"] == "private, no-store"
    member = client_for("alpha")
    login(member, "citra@kopalpha.id")
    assert member.get(f"/kelola/dokumen/{document.id}").status_code == 403
    assert client_for("alpha").get(f"/kelola/dokumen/{document.id}").status_code == 302


def test_a_photo_is_resized_and_its_location_data_removed(ketua, db, tenants):
    assert upload(ketua, "npwp", jpeg_with_gps(), "npwp.jpg").status_code == 302
    document = current(db, tenants)[DocumentKind.NPWP]
    stored = ketua.get(f"/kelola/dokumen/{document.id}").data
    with Image.open(io.BytesIO(stored)) as image:
        assert max(image.size) == 2400
        assert not image.getexif()


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"<?php system($_GET['c']); ?>", "akta.pdf", "Upload a PDF, JPEG or PNG file."),
        (b"MZ\x90\x00 windows program", "akta.jpg", "Upload a PDF, JPEG or PNG file."),
        (
            PDF_BYTES.replace(b"/Catalog", b"/Catalog /OpenAction << /S /J#61vaScript >>"),
            "akta.pdf",
            "contains scripts",
        ),
        (b"%PDF-1.4 truncated", "akta.pdf", "could not be read"),
        (b"\xff\xd8\xff\xe0 not really a jpeg", "akta.jpg", "could not be read"),
        (b"%PDF-1.4\n" + b"0" * (5 * 1024 * 1024) + b"\n%%EOF", "big.pdf", "larger than 5 MB"),
    ],
)
def test_disguised_broken_or_oversize_files_are_refused_and_nothing_is_stored(
    ketua, app, db, tenants, data, filename, message
):
    before = stored_files(app, tenants)
    response = upload(ketua, "akta", data, filename)
    assert response.status_code == 422
    assert re.search(rf'id="file-error">[^<]*{re.escape(message)}', text(response))
    assert stored_files(app, tenants) == before
    assert current(db, tenants)[DocumentKind.AKTA].original_name == "akta-alpha.pdf"


def test_a_decompression_bomb_is_refused(ketua, app, tenants):
    bomb = png_bomb()
    assert len(bomb) < 5 * 1024 * 1024
    assert MAX_PIXELS < 20_000 * 20_000
    before = stored_files(app, tenants)
    response = upload(ketua, "akta", bomb, "bom.png")
    assert response.status_code == 422
    assert "too large in pixels" in text(response)
    assert stored_files(app, tenants) == before


def test_no_file_is_a_form_error(ketua):
    token = csrf_token(ketua, "/kelola/dokumen/unggah")
    response = ketua.post("/kelola/dokumen/unggah", data={"kind": "akta", "csrf_token": token})
    assert response.status_code == 422
    assert "Choose a file to upload." in text(response)


def test_a_request_over_the_size_ceiling_gets_413_with_the_limit_and_a_way_back(ketua):
    token = csrf_token(ketua, "/kelola/dokumen/unggah")
    huge = io.BytesIO(b"%PDF-" + b"0" * (MAX_REQUEST_BYTES + 1))
    response = ketua.post(
        "/kelola/dokumen/unggah?jenis=akta",
        data={"kind": "akta", "csrf_token": token, "file": (huge, "huge.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    page = text(response)
    assert "The file is too large" in page
    assert "Each file may be up to 5 MB." in page
    assert 'href="/kelola/dokumen/unggah?jenis=akta"' in page


def test_a_20_mb_scan_comes_back_on_its_form_with_the_limit(ketua):
    form = text(ketua.get("/kelola/dokumen/unggah?jenis=npwp"))
    assert "Each file up to 5 MB." in form  # said before the upload
    assert 'data-max-bytes="5242880"' in form
    big = io.BytesIO(PDF_BYTES[:-6] + b"0" * (20 * 1024 * 1024) + b"\n%%EOF\n")
    response = ketua.post(
        "/kelola/dokumen/unggah",
        data={"kind": "npwp", "csrf_token": hidden(form, "csrf_token"), "file": (big, "scan.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    page = text(response)
    assert "The file is larger than 5 MB." in page
    assert re.search(r'<option selected value="npwp">|<option value="npwp" selected>', page)


def test_supervisors_can_read_but_not_upload(alpha, tenants):
    login(alpha, "dedi@kopalpha.id")
    assert alpha.get("/kelola/dokumen").status_code == 200
    assert alpha.get(f"/kelola/dokumen/{tenants.a.documents[0].id}").status_code == 200
    assert alpha.get("/kelola/dokumen/unggah").status_code == 403


def test_the_checklist_counts_the_documents(ketua):
    page = text(ketua.get("/kelola/kelengkapan"))
    assert "The six legal documents uploaded" in page
