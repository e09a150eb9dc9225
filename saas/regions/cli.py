"""``flask --app wsgi regions load|count``: the Kemendagri region list in the platform database."""

from __future__ import annotations

import time

import click
from flask.cli import AppGroup

from saas.db import get_databases
from saas.regions.loader import count_regions, load_regions

regions_cli = AppGroup("regions", help="The Kemendagri region list (reference data).")


@regions_cli.command("load")
def load_command() -> None:
    """Load (or reload) every province, regency, district and village, in one transaction."""
    started = time.perf_counter()
    with get_databases().platform_engine.begin() as connection:
        loaded = load_regions(connection)
    click.echo(f"loaded {loaded} regions in {time.perf_counter() - started:.2f}s")


@regions_cli.command("count")
def count_command() -> None:
    """Print how many regions are loaded."""
    with get_databases().platform_engine.connect() as connection:
        click.echo(str(count_regions(connection)))
