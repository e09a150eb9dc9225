"""The whole way from sign-up to a verified microsite, on a phone, as its users would walk it.

The founder works in English, the KODE Indonesia admin in Indonesian (the platform's default).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import DEMO_PASSWORD, LiveServer
from tests.factories import PDF_BYTES

pytestmark = pytest.mark.browser

SLUG = "kdmp-jalan"
BOARD = (
    ("wakil_ketua_usaha", "Bayu Usaha"),
    ("wakil_ketua_anggota", "Citra Anggota"),
    ("sekretaris", "Dewi Sekretaris"),
    ("bendahara", "Eko Bendahara"),
    ("ketua_pengawas", "Pak Kades Fajar"),
)
DOCUMENTS = ("musdesus", "akta", "sk_ahu", "npwp", "nib", "bank")


def main_button(page: Page, name: str) -> None:
    page.locator("main").get_by_role("button", name=name, exact=True).click()


def register(page: Page, live: LiveServer) -> None:
    page.goto(live.url(None, "/bahasa/en?next=/daftar"))
    page.select_option("#provinsi", label="Jawa Barat")
    page.select_option("#kabupaten", label="Kabupaten Garut")
    page.select_option("#kecamatan", index=2)
    page.locator("input[name=village]").first.check()
    main_button(page, "Continue")
    page.locator("#slug").fill(SLUG)
    page.locator("#sk_ahu_number").fill("AHU-0009876.AH.01.29.TAHUN 2025")
    page.locator("#sk_ahu_date").fill("2025-09-01")
    page.locator("#npwp").fill("01.300.066.6-091.000")
    page.locator("#nib").fill("9876543210123")
    main_button(page, "Continue")
    page.locator("#name").fill("Rudi Pendiri")
    page.locator("#email").fill("rudi@kdmpjalan.id")
    page.locator("#phone").fill("0812 3456 7010")
    page.locator("#password").fill("singkong-goreng-77")
    page.locator("#confirm").fill("singkong-goreng-77")
    main_button(page, "Create my cooperative")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Rudi Pendiri")


def confirm_email(page: Page, instance: Path) -> None:
    mails = [json.loads(p.read_text()) for p in sorted((instance / "outbox").glob("*.json"))]
    mail = next(m for m in reversed(mails) if m["to"] == "rudi@kdmpjalan.id")
    link = re.search(r"http://\S+/daftar/konfirmasi/\S+", mail["text"]).group(0)
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Email confirmed")


def complete_profile(page: Page, live: LiveServer, tmp: Path) -> None:
    page.goto(live.url(SLUG, "/kelola/profil"))
    page.locator("#vision").fill("Koperasi yang menyejahterakan warga.")
    page.locator("#mission").fill("Sembako murah dan simpan pinjam yang adil.")
    page.locator("#address").fill("Jl. Desa No. 1")
    page.locator("#latitude").fill("-7.2")
    page.locator("#longitude").fill("107.9")
    page.locator("#whatsapp").fill("081234567010")
    main_button(page, "Save")
    for position, name in (("ketua", "Rudi Pendiri"), *BOARD):
        page.goto(live.url(SLUG, "/kelola/pengurus/baru"))
        page.select_option("#position", position)
        page.locator("#name").fill(name)
        main_button(page, "Save")
    page.goto(live.url(SLUG, "/kelola/unit/baru?jenis=sembako"))
    page.locator("#description").fill("Beras, minyak dan gula dengan harga anggota.")
    main_button(page, "Save")
    pdf = tmp / "scan.pdf"
    pdf.write_bytes(PDF_BYTES)
    for kind in DOCUMENTS:
        page.goto(live.url(SLUG, f"/kelola/dokumen/unggah?jenis={kind}"))
        page.set_input_files("#file", str(pdf))
        main_button(page, "Upload")
    page.goto(live.url(SLUG, "/kelola/kelengkapan"))
    expect(page.get_by_text("Your profile is 100% complete")).to_be_visible()


def admin_decides(page: Page, live: LiveServer, *, approve: bool) -> None:
    page.goto(live.url(None, "/masuk"))
    if page.locator("#identifier").count():
        page.locator("#identifier").fill("admin@guyub.id")
        page.locator("#password").fill(DEMO_PASSWORD)
        main_button(page, "Masuk")
    page.goto(live.url(None, "/admin/verifikasi"))
    page.get_by_role(
        "link", name=re.compile("Kdmp Jalan|kdmp-jalan|Merah Putih", re.I)
    ).first.click()
    main_button(page, "Ambil untuk diperiksa")
    for verdict in page.locator("input[type=radio][value=ok]").all():
        verdict.check()  # every item is judged by a click; nothing comes pre-ticked
    if approve:
        main_button(page, "Setujui")
        expect(page.get_by_role("heading", level=1)).to_contain_text("Setujui")
        main_button(page, "Ya, setujui")
    else:
        page.locator("input[name=verdict_npwp][value=fix]").check()
        page.locator("#note_npwp").fill("Foto kartu NPWP buram.")
        page.locator("#notes").fill("Mohon unggah ulang NPWP.")
        main_button(page, "Kembalikan dengan catatan")
    expect(page.get_by_text("Keputusan tersimpan")).to_be_visible()


def test_from_sign_up_to_a_verified_microsite(browser, live_server: LiveServer, tmp_path: Path):
    instance = Path(live_server.instance_dir)
    founder = browser.new_context(viewport={"width": 360, "height": 740}).new_page()
    admin = browser.new_context(viewport={"width": 360, "height": 740}, locale="id-ID").new_page()

    register(founder, live_server)
    confirm_email(founder, instance)
    complete_profile(founder, live_server, tmp_path)
    main_button(founder, "Submit for verification")
    expect(founder.get_by_text("Waiting for verification since")).to_be_visible()

    admin_decides(admin, live_server, approve=False)
    founder.goto(live_server.url(SLUG, "/kelola/kelengkapan"))
    expect(founder.locator(".returned").get_by_text("Foto kartu NPWP buram.")).to_be_visible()
    founder.goto(live_server.url(SLUG, "/kelola/dokumen/unggah?jenis=npwp"))
    founder.set_input_files("#file", str(tmp_path / "scan.pdf"))
    main_button(founder, "Upload")
    founder.goto(live_server.url(SLUG, "/kelola/kelengkapan"))
    expect(founder.get_by_text("Changed since it was returned")).to_be_visible()
    main_button(founder, "Submit again")

    admin_decides(admin, live_server, approve=True)
    founder.goto(live_server.url(SLUG, "/"))
    expect(founder.locator(".badge-verified")).to_contain_text("Verified by KODE Indonesia")
    admin.goto(live_server.url(None, "/direktori"))
    expect(admin.locator("main")).to_contain_text("Koperasi Desa Merah Putih")
    admin.goto(live_server.url(None, "/dasbor"))
    expect(admin.locator("tbody")).to_contain_text("Jawa Barat")
    assert founder.evaluate("document.documentElement.scrollWidth") <= 360
