"""HTML to PDF with WeasyPrint, for receipts, member cards and statements.

Pages are rendered from the app's own templates; WeasyPrint is given no base URL, so a document
can never fetch anything from the network or the disk.
"""

from __future__ import annotations


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML  # noqa: PLC0415 - loads Pango on first use, not at start-up

    pdf: bytes = HTML(string=html, base_url=None, url_fetcher=_refuse).write_pdf()
    return pdf


def _refuse(url: str, *_args: object, **_kwargs: object) -> dict[str, object]:
    raise ValueError(f"documents fetch nothing: {url}")
