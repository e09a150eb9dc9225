"""Static files with content-hashed names, pre-compressed, served with year-long caching.

Sources live in ``saas/static``; the build copies each to ``<name>.<hash>.<ext>`` (plus ``.gz``)
under the instance folder and keeps a manifest. WhiteNoise serves the build; templates call
``asset_url('css/app.css')``.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import os
import re
import shutil
import tempfile
from pathlib import Path

from flask import Flask
from markupsafe import Markup
from whitenoise import WhiteNoise

SOURCE_DIR = Path(__file__).resolve().parent / "static"
HASHED_RE = re.compile(r"\.[0-9a-f]{12}\.[A-Za-z0-9]+$")
COMPRESSIBLE = {".css", ".js", ".svg", ".json", ".txt", ".xml", ".webmanifest"}
ONE_YEAR = 31_536_000


def build_assets(source: Path, target: Path) -> dict[str, str]:
    """Write hashed (and gzipped) copies of every file under ``source``; return the manifest."""
    manifest: dict[str, str] = {}
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        relative = path.relative_to(source).as_posix()
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()[:12]
        hashed = f"{path.stem}.{digest}{path.suffix}"
        hashed_rel = str(Path(relative).parent / hashed).removeprefix("./")
        manifest[relative] = hashed_rel
        out = target / hashed_rel
        if out.exists():
            continue
        out.parent.mkdir(parents=True, exist_ok=True)
        _atomic_write(out, data)
        if path.suffix in COMPRESSIBLE:
            _atomic_write(out.with_name(out.name + ".gz"), gzip.compress(data, 9, mtime=0))
    _atomic_write(target / "manifest.json", json.dumps(manifest, indent=1).encode())
    return manifest


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.chmod(tmp, 0o644)
    shutil.move(tmp, path)


def _immutable(_path: str, url: str) -> bool:
    return bool(HASHED_RE.search(url))


def _extra_headers(headers: object, _path: str, _url: str) -> None:
    headers["X-Content-Type-Options"] = "nosniff"  # type: ignore[index]


def inline_style(name: str) -> tuple[Markup, str]:
    """A stylesheet's text to put in a ``<style>`` element, and its CSP hash source.

    The first page on a slow phone network then paints after one round trip instead of two;
    the hash lets exactly this text through a CSP that allows no other inline style.
    """
    text = (SOURCE_DIR / name).read_text(encoding="utf-8")
    if "</" in text:
        raise ValueError(f"{name} cannot be inlined: it contains '</'")
    digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()
    return Markup(text), f"'sha256-{digest}'"  # noqa: S704 - our own stylesheet, checked above


def init_assets(app: Flask, build_dir: Path) -> None:
    manifest = build_assets(SOURCE_DIR, build_dir)
    css, css_hash = inline_style("css/app.css")

    def asset_url(name: str) -> str:
        return "/static/" + manifest[name]

    app.jinja_env.globals["asset_url"] = asset_url
    app.jinja_env.globals["inline_css"] = css
    app.extensions["guyub.style_hashes"] = [css_hash]
    app.wsgi_app = WhiteNoise(  # type: ignore[method-assign]
        app.wsgi_app,
        root=str(build_dir),
        prefix="static/",
        max_age=ONE_YEAR,
        immutable_file_test=_immutable,
        add_headers_function=_extra_headers,
    )
