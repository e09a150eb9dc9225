"""QR codes drawn as inline SVG (no image request, no script): receipts and member cards."""

from __future__ import annotations

import segno
from markupsafe import Markup


def qr_svg(url: str, *, scale: int = 3) -> Markup:
    """An SVG QR code of ``url`` (error correction M: still reads from a creased paper)."""
    svg = segno.make(url, error="m").svg_inline(scale=scale, title=url)
    return Markup(svg)  # noqa: S704 - segno's own markup; the URL is escaped inside <title>
