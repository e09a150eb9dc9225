"""A private PostgreSQL for development and tests, from the PyPI package ``pgserver``.

Used only when DATABASE_URL is not set. The data lives under ``instance/``; the server stops
when the process that started it exits.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

DB_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


def start_embedded_server(data_dir: Path, *, keep_running: bool = False) -> Any:
    """Start (or join) the server whose data is in ``data_dir``; returns pgserver's handle."""
    import pgserver

    data_dir.mkdir(parents=True, exist_ok=True)
    return pgserver.get_server(data_dir, cleanup_mode=None if keep_running else "stop")


def database_url(server: Any, name: str) -> str:
    return str(server.get_uri(name))


def ensure_database(admin_url: str, name: str, *, recreate: bool = False) -> None:
    """Create database ``name`` on the server of ``admin_url`` (dropping it first if asked)."""
    if not DB_NAME_RE.fullmatch(name):
        raise ValueError(f"bad database name {name!r}")
    with psycopg.connect(admin_url, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
        ).fetchone()
        if exists and recreate:
            connection.execute(
                sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name))
            )
            exists = None
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
