"""Checking uploaded files by their content, never by their name. Pure functions (no Flask).

Images are decoded with Pillow under a pixel limit (no decompression bombs), then re-encoded, so
EXIF (GPS position, camera serials) and anything hidden after the image data are dropped. PDFs
must look like PDFs from the first to the last byte and carry no scripts or launch actions.
"""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# A whole request: six news photos at the limit and the form around them. A larger file than
# MAX_UPLOAD_BYTES still arrives whole, so the form answers it with its fields kept.
MAX_REQUEST_BYTES = 8 * MAX_UPLOAD_BYTES
MAX_PIXELS = 40_000_000  # a 12 MP phone photo is far below; a 20,000 x 20,000 bomb is not
MAX_SIDE = 2400  # stored images are scaled down to this on their longer side
PDF_DANGER = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFile|RichMedia|OpenAction|AA)\b")


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


def check_pdf(data: bytes) -> bytes:
    if b"%%EOF" not in data[-2048:] or b"obj" not in data:
        raise UploadRejected("bad_pdf")
    if PDF_DANGER.search(data):
        raise UploadRejected("active_pdf")
    return data


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
