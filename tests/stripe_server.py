"""localstripe for the tests: started once per run, and the app's billing pointed at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from saas.billing.local_stripe import API_KEY, WEBHOOK_SECRET, start_localstripe
from saas.billing.stripe_gateway import StripeGateway


@pytest.fixture(scope="session")
def localstripe_url() -> Iterator[str]:
    process, url = start_localstripe()
    yield url
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def stripe_gateway(app: Flask, localstripe_url: str) -> Iterator[StripeGateway]:
    """The app bills through localstripe (test mode) for this test."""
    gateway = StripeGateway(API_KEY, WEBHOOK_SECRET, api_base=localstripe_url, local=True)
    before = app.extensions.get("guyub.billing")
    app.extensions["guyub.billing"] = gateway
    yield gateway
    app.extensions["guyub.billing"] = before
