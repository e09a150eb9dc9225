"""Printing a receipt: savings, loan payments and shop sales print on the same papers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import Response, abort, current_app, render_template, request

from saas.pdf import render_pdf, render_roll_pdf


@dataclass(frozen=True)
class Paper:
    template: str
    roll_width_mm: int | None = None  # a thermal printer's roll: the page is as long as needed


# Paper a receipt prints on (``?kertas=``): A6 sheets, or the 58 mm roll of a thermal printer.
PAPERS = {
    "a6": Paper("savings/receipt_pdf.html"),
    "58mm": Paper("savings/receipt_58mm.html", roll_width_mm=58),
}


def pdf_response(number: str, context: Mapping[str, Any]) -> Response:
    """The receipt ``number`` as a PDF on the paper ``?kertas=`` asks for (A6 unless told; an
    unknown paper is a 404), never kept by a cache."""
    paper = PAPERS.get(request.args.get("kertas", "a6"))
    if paper is None:
        abort(404)
    html = render_template(paper.template, **context)
    if paper.roll_width_mm is None:
        pdf = render_pdf(html)
    else:
        pdf = render_roll_pdf(html, width_mm=paper.roll_width_mm)
    response = current_app.response_class(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{number}.pdf"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
