"""Checking uploaded files by their content, never by their name. Pure functions (no Flask).

Images are decoded with Pillow under a pixel limit (no decompression bombs), then re-encoded, so
EXIF (GPS position, camera serials) and anything hidden after the image data are dropped. PDFs
are parsed with pypdf, which decodes names however they are escaped (``/J#61vaScript``), and
refused when any object carries a script, an automatic or launch action, or an embedded file.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# A whole request: six news photos at the limit and the form around them. A larger file than
# MAX_UPLOAD_BYTES still arrives whole, so the form answers it with its fields kept.
MAX_REQUEST_BYTES = 8 * MAX_UPLOAD_BYTES
MAX_PIXELS = 40_000_000  # a 12 MP phone photo is far below; a 20,000 x 20,000 bomb is not
MAX_SIDE = 2400  # stored images are scaled down to this on their longer side
# Names that make a PDF act on its own when opened or clicked, as keys or as action types:
# scripts, actions run on opening or on events, launching programs, files carried inside.
PDF_DANGER = frozenset(
    {
        "/JavaScript",
        "/JS",
        "/OpenAction",
        "/AA",
        "/Launch",
        "/EmbeddedFile",
        "/EmbeddedFiles",
        "/RichMedia",
        "/XFA",
        "/SubmitForm",
        "/ImportData",
    }
)
MAX_PDF_OBJECTS = 200_000  # a scanned document has a few hundred; more is a parser trap


class UploadRejected(ValueError):
    """Why a file is refused; ``code`` is one of empty, too_large, unknown_type, bad_image,
    too_many_pixels, bad_pdf, active_pdf."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class CheckedFile:
    content: bytes
    content_type: str
    extension: str


def sniff(data: bytes) -> str | None:
    """The type the bytes really are: application/pdf, image/jpeg, image/png, or None."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    return None


def check_upload(data: bytes, *, allow_pdf: bool = True, max_side: int = MAX_SIDE) -> CheckedFile:
    """A safe copy of an uploaded file, or UploadRejected."""
    if not data:
        raise UploadRejected("empty")
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadRejected("too_large")
    kind = sniff(data)
    if kind == "application/pdf" and allow_pdf:
        return CheckedFile(check_pdf(data), "application/pdf", "pdf")
    if kind in ("image/jpeg", "image/png"):
        return clean_image(data, max_side)
    raise UploadRejected("unknown_type")


if TYPE_CHECKING:
    from pypdf import PdfReader
    from pypdf.generic import PdfObject


def check_pdf(data: bytes) -> bytes:
    """The PDF unchanged if pypdf reads it and no object in it is active; UploadRejected else.

    pypdf loads with the first PDF checked, not in every web worker at start (budget P5)."""
    from pypdf import PdfReader  # noqa: PLC0415
    from pypdf.errors import PyPdfError  # noqa: PLC0415

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise UploadRejected("bad_pdf")  # its objects cannot be inspected
        active = any(_is_active(obj) for obj in _pdf_objects(reader))
    except UploadRejected:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, RecursionError) as exc:
        raise UploadRejected("bad_pdf") from exc
    if active:
        raise UploadRejected("active_pdf")
    return data


def _pdf_objects(reader: PdfReader) -> Iterator[PdfObject]:
    """Every object of the file: the trailer, all it reaches, and numbered objects that nothing
    refers to (a lenient viewer may still find those)."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject  # noqa: PLC0415

    numbered = [(num, gen) for gen, nums in reader.xref.items() for num in nums]
    numbered += [(num, 0) for num in reader.xref_objStm]
    pending: list[PdfObject] = [reader.trailer]
    pending += [IndirectObject(num, gen, reader) for num, gen in numbered]
    seen: set[tuple[int, int]] = set()
    while pending:
        obj = pending.pop()
        if isinstance(obj, IndirectObject):
            if (obj.idnum, obj.generation) in seen:
                continue
            seen.add((obj.idnum, obj.generation))
            if len(seen) > MAX_PDF_OBJECTS:
                raise ValueError("too many objects")
            found = obj.get_object()
            if found is None:  # a reference to nothing: nothing to inspect
                continue
            obj = found
        yield obj
        if isinstance(obj, DictionaryObject):  # streams too: their dictionary
            pending.extend(obj.values())
        elif isinstance(obj, ArrayObject):
            pending.extend(obj)


def _is_active(obj: PdfObject) -> bool:
    """A dictionary with a dangerous key, or a name (an action's /S) that is one."""
    from pypdf.generic import DictionaryObject, NameObject  # noqa: PLC0415

    if isinstance(obj, DictionaryObject):
        return any(key in PDF_DANGER for key in obj)
    return isinstance(obj, NameObject) and obj in PDF_DANGER


def clean_image(data: bytes, max_side: int = MAX_SIDE) -> CheckedFile:
    """Decode under the pixel limit, apply the EXIF rotation, drop metadata, re-encode."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as probe:
                if probe.width * probe.height > MAX_PIXELS:
                    raise UploadRejected("too_many_pixels")
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                upright = ImageOps.exif_transpose(image)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise UploadRejected("too_many_pixels") from exc
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
            raise UploadRejected("bad_image") from exc
    upright.thumbnail((max_side, max_side))
    out = io.BytesIO()
    has_alpha = upright.mode in ("RGBA", "LA") or (
        upright.mode == "P" and "transparency" in upright.info
    )
    if has_alpha:
        upright.save(out, format="PNG", optimize=True)
        return CheckedFile(out.getvalue(), "image/png", "png")
    upright.convert("RGB").save(out, format="JPEG", quality=85, optimize=True)
    return CheckedFile(out.getvalue(), "image/jpeg", "jpg")


SMALL_SIDE = 192  # thumbnails and avatars: 48-96 CSS pixels on a phone at twice the density


def small_copy(image: CheckedFile, side: int = SMALL_SIDE) -> CheckedFile:
    """A small re-encoding of a checked image, for lists where a full photo is too heavy."""
    with Image.open(io.BytesIO(image.content)) as source:
        source.load()
        copy = source.copy()
    copy.thumbnail((side, side))
    out = io.BytesIO()
    if image.extension == "png":
        copy.save(out, format="PNG", optimize=True)
    else:
        copy.convert("RGB").save(out, format="JPEG", quality=70, optimize=True)
    return CheckedFile(out.getvalue(), image.content_type, image.extension)
