"""The HTTP layer's map: one package per area, each with its own blueprint and its pages in it.

An address says its area; a page that moved out of another area keeps its old address as a
permanent redirect, and the addresses printed on paper never move.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask, url_for

from saas.blueprints.moved.views import MOVED
from tests.factories import login

BLUEPRINTS = Path(__file__).resolve().parents[2] / "saas" / "blueprints"
AREAS = sorted(path.parent.name for path in BLUEPRINTS.glob("*/__init__.py"))


def area_modules() -> list[tuple[str, Path]]:
    """(area, file) for every module inside an area's package."""
    return [(area, path) for area in AREAS for path in sorted((BLUEPRINTS / area).glob("*.py"))]


def test_every_page_is_defined_in_the_package_of_its_blueprint(app: Flask):
    astray = sorted(
        (rule.endpoint, app.view_functions[rule.endpoint].__module__)
        for rule in app.url_map.iter_rules()
        if not (app.view_functions[rule.endpoint].__module__ + ".").startswith(
            f"saas.blueprints.{rule.endpoint.split('.')[0]}."
        )
    )
    assert astray == []


def test_each_area_registers_one_blueprint_named_after_its_package(app: Flask):
    assert sorted(app.blueprints) == AREAS
    assert {name: bp.import_name for name, bp in app.blueprints.items()} == {
        area: f"saas.blueprints.{area}.views" for area in AREAS
    }


@pytest.mark.parametrize(("area", "path"), area_modules(), ids=lambda v: getattr(v, "name", v))
def test_no_module_adds_pages_to_another_areas_blueprint(area: str, path: Path):
    """An area's modules take ``bp`` only from their own package, never another area's."""
    borrowed = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("saas.blueprints."):
            owner = (node.module or "").split(".")[2]
            names = {alias.name for alias in node.names}
            if owner != area and ("bp" in names or names & set(AREAS)):
                borrowed.append(f"from {node.module} import {', '.join(sorted(names))}")
        elif isinstance(node, ast.Attribute) and node.attr == "bp":
            borrowed.append(ast.unparse(node))
    assert borrowed == []


def test_every_module_of_the_http_layer_imports_on_its_own():
    """No import cycle between areas, whichever module a process imports first."""
    modules = [
        ".".join(path.relative_to(BLUEPRINTS.parents[1]).with_suffix("").parts)
        for path in sorted(BLUEPRINTS.rglob("*.py"))
    ]
    script = (
        "import importlib, sys\n"
        "for name in sys.argv[1:]:\n"
        "    for loaded in [m for m in sys.modules if m == 'saas' or m.startswith('saas.')]:\n"
        "        del sys.modules[loaded]\n"
        "    importlib.import_module(name.removesuffix('.__init__'))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, *modules], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(("endpoint", "paths"), sorted(MOVED.items()))
def test_an_old_address_answers_a_permanent_redirect_to_the_new_one(
    alpha, endpoint: str, paths: tuple[str, str]
):
    old, new = paths
    assert (alpha.get(old).status_code, alpha.get(old).location) == (301, new)
    response = alpha.get(f"{old}/2025.xlsx?dari=2025-01-01")
    assert (response.status_code, response.location) == (301, f"{new}/2025.xlsx?dari=2025-01-01")


def test_a_bookmark_of_the_journal_leads_the_treasurer_to_it(alpha):
    login(alpha, "bambang@kopalpha.id")
    response = alpha.get("/kelola/laporan/jurnal", follow_redirects=True)
    assert response.status_code == 200
    assert response.request.path == "/kelola/jurnal"


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/kelola/laporan/shu", "/kelola/shu"),
        ("/kelola/laporan/terbitkan", "/kelola/terbitkan"),
        ("/kelola/laporan/akun", "/kelola/akun"),
        ("/kelola/laporan/buku-besar", "/kelola/buku-besar"),
        ("/kelola/tagihan/bunga", "/kelola/simpanan/bunga"),
    ],
)
def test_the_pages_that_left_the_statements_say_their_area_in_their_address(
    alpha, old: str, new: str
):
    login(alpha, "bambang@kopalpha.id")
    assert alpha.get(new).status_code == 200
    assert alpha.get(old).location == new


def test_the_addresses_printed_on_paper_never_move(app: Flask):
    with app.test_request_context():
        assert url_for("site.check_receipt", token="t0k3n") == "/kuitansi/t0k3n"
        assert url_for("site.check_member", token="t0k3n") == "/kartu/t0k3n"
    printed = {"/kuitansi/<token>", "/kartu/<token>"}
    assert printed <= {rule.rule for rule in app.url_map.iter_rules()}
    assert not any(old.startswith(("/kuitansi", "/kartu")) for old, _new in MOVED.values())
