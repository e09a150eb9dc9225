"""Addresses that moved to their own area: the old path answers a permanent redirect to the new
one, with the rest of the path and the query, so bookmarks keep working.

The addresses printed on paper (``/kuitansi/<token>``, ``/kartu/<token>``) and the microsite's
never move, so they are never listed here.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from flask import Blueprint, redirect, request
from werkzeug.wrappers import Response

from saas.access import Scope, public

# endpoint -> (old path, new path); everything below the old path moved with it.
MOVED = {
    "journal": ("/kelola/laporan/jurnal", "/kelola/jurnal"),
    "chart": ("/kelola/laporan/akun", "/kelola/akun"),
    "general_ledger": ("/kelola/laporan/buku-besar", "/kelola/buku-besar"),
    "shu": ("/kelola/laporan/shu", "/kelola/shu"),
    "publishing": ("/kelola/laporan/terbitkan", "/kelola/terbitkan"),
    "interest": ("/kelola/tagihan/bunga", "/kelola/simpanan/bunga"),
}

bp = Blueprint("moved", __name__)


def moved_to(new: str) -> Callable[..., Response]:
    """A view answering 301 with ``new`` in place of the old path's start."""

    @public(Scope.TENANT)
    def redirect_to_new(rest: str = "") -> Response:
        target = new + (f"/{quote(rest)}" if rest else "")
        if request.query_string:
            target += "?" + request.query_string.decode("ascii", "replace")
        return redirect(target, code=301)

    return redirect_to_new


for endpoint, (old, new) in MOVED.items():
    view = moved_to(new)
    bp.add_url_rule(old, endpoint, view, methods=["GET"])
    bp.add_url_rule(f"{old}/<path:rest>", endpoint, view, methods=["GET"])
