"""HTML to PDF with WeasyPrint, for receipts, member cards and statements.

Pages are rendered from the app's own templates; WeasyPrint is given no base URL, so a document
can never fetch anything from the network or the disk.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from weasyprint import HTML

MM_PER_PX = 25.4 / 96  # WeasyPrint measures in CSS pixels
LONGEST_ROLL_MM = 2000  # the first layout of a roll document: surely longer than its content
ROLL_END = "end"  # the id of the empty element a roll document ends with
ROLL_TAIL_MM = 6  # paper after the last line: the page's bottom margin and room to tear it off


def render_pdf(html: str) -> bytes:
    """A PDF of ``html``, on the paper its own ``@page`` rule names."""
    pdf: bytes = _document(html).write_pdf()
    return pdf


def render_roll_pdf(html: str, *, width_mm: int) -> bytes:
    """One page as wide as a thermal printer's roll and as long as the content, so a receipt
    printer neither cuts the document in two nor feeds blank paper.

    ``html`` names no page size, keeps its bottom margin under ``ROLL_TAIL_MM`` and ends with
    an empty element whose id is ``end``."""
    from weasyprint import CSS  # noqa: PLC0415 - loads Pango on first use, not at start-up

    document = _document(html)
    probe = document.render(
        stylesheets=[CSS(string=f"@page {{ size: {width_mm}mm {LONGEST_ROLL_MM}mm }}")]
    )
    end_px = probe.pages[0].anchors[ROLL_END][1]
    length_mm = end_px * MM_PER_PX + ROLL_TAIL_MM
    pdf: bytes = document.write_pdf(
        stylesheets=[CSS(string=f"@page {{ size: {width_mm}mm {length_mm:.1f}mm }}")]
    )
    return pdf


def _document(html: str) -> HTML:
    from weasyprint import HTML  # noqa: PLC0415 - loads Pango on first use, not at start-up

    return HTML(string=html, base_url=None, url_fetcher=_refuse)


def _refuse(url: str, *_args: object, **_kwargs: object) -> dict[str, object]:
    raise ValueError(f"documents fetch nothing: {url}")
