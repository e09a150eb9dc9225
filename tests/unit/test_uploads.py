"""Uploaded PDFs are parsed, not searched as bytes: active content is found however written."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from saas.uploads import UploadRejected, check_pdf, check_upload

# A one-page document as a scanner or a word processor writes it, before anything is added.
CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"


def handmade_pdf(catalog: bytes = CATALOG, *extra: bytes) -> bytes:
    """A small PDF with a correct cross-reference table, its catalog and extra objects as given."""
    objects = [
        catalog,
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        *extra,
    ]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def written(change) -> bytes:
    """A PDF made by pypdf's writer with one page, after ``change(writer)``."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def launch_action(writer: PdfWriter) -> None:
    writer.add_annotation(
        0,
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Annot"),
                NameObject("/Subtype"): NameObject("/Link"),
                NameObject("/Rect"): DictionaryObject(),
                NameObject("/A"): DictionaryObject(
                    {
                        NameObject("/S"): NameObject("/Launch"),
                        NameObject("/F"): TextStringObject("cmd.exe"),
                    }
                ),
            }
        ),
    )


def test_plain_pdfs_pass_unchanged():
    for data in (handmade_pdf(), written(lambda _writer: None)):
        assert check_upload(data).content == data


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(
            handmade_pdf(
                b"<< /Type /Catalog /Pages 2 0 R"
                b" /Open#41ction << /S /J#61vaScript /J#53 (app.alert(1)) >> >>"
            ),
            id="escaped-javascript-open-action",
        ),
        pytest.param(
            handmade_pdf(b"<< /Type /Catalog /Pages 2 0 R /Open#41ction 4 0 R >>", b"[3 0 R /Fit]"),
            id="escaped-open-action",
        ),
        pytest.param(
            handmade_pdf(CATALOG, b"<< /S /#4Aava#53cript /JS (app.alert(1)) >>"),
            id="script-nothing-refers-to",
        ),
        pytest.param(
            handmade_pdf(
                b"<< /Type /Catalog /Pages 2 0 R /Names << /JavaScript 4 0 R >> >>",
                b"<< /Names [(start) 5 0 R] >>",
                b"<< /S /JavaScript /JS (app.alert(1)) >>",
            ),
            id="document-javascript",
        ),
        pytest.param(written(lambda w: w.add_attachment("run.exe", b"MZ")), id="embedded-file"),
        pytest.param(written(launch_action), id="launch-action"),
    ],
)
def test_scripts_automatic_actions_launches_and_attachments_are_refused(data):
    with pytest.raises(UploadRejected) as refused:
        check_pdf(data)
    assert refused.value.code == "active_pdf"


@pytest.mark.parametrize(
    "data",
    [b"%PDF-1.4 truncated", b"%PDF-1.4\n" + b"0" * 100 + b"\n%%EOF", handmade_pdf()[:200]],
)
def test_what_cannot_be_parsed_is_refused_as_unreadable(data):
    with pytest.raises(UploadRejected) as refused:
        check_pdf(data)
    assert refused.value.code == "bad_pdf"
