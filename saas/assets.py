"""Static files with content-hashed names, pre-compressed, served with year-long caching.

Sources live in ``saas/static``; the build copies each to ``<name>.<hash>.<ext>`` (plus ``.gz``)
under the instance folder and keeps a manifest. WhiteNoise serves the build; templates call
``asset_url('css/app.css')``.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import shutil
import tempfile
from pathlib import Path

from flask import Flask
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


def init_assets(app: Flask, build_dir: Path) -> None:
    manifest = build_assets(SOURCE_DIR, build_dir)

    def asset_url(name: str) -> str:
        return "/static/" + manifest[name]

    app.jinja_env.globals["asset_url"] = asset_url
    app.wsgi_app = WhiteNoise(  # type: ignore[method-assign]
        app.wsgi_app,
        root=str(build_dir),
        prefix="static/",
        max_age=ONE_YEAR,
        immutable_file_test=_immutable,
        add_headers_function=_extra_headers,
    )
