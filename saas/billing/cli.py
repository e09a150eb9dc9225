"""``flask --app wsgi billing sync-prices``: every plan price made at Stripe."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup

from saas.billing.operations import sync_prices
from saas.billing.stripe_gateway import GatewayError
from saas.db import get_databases

billing_cli = AppGroup("billing", help="The platform's plans at Stripe.")


@billing_cli.command("sync-prices")
def sync_prices_command() -> None:
    """Create at Stripe each plan price it lacks (a recurring price per plan and period)."""
    gateway = current_app.extensions.get("guyub.billing")
    if gateway is None:
        click.echo("billing is off: set STRIPE_API_KEY and STRIPE_WEBHOOK_SECRET", err=True)
        sys.exit(1)
    with get_databases().platform_session() as session:
        try:
            made = sync_prices(session, gateway)
        except GatewayError:
            click.echo("Stripe could not be reached; nothing was changed", err=True)
            sys.exit(1)
        session.commit()  # the command is the job's one transaction
    click.echo(f"{made} prices created at Stripe")
