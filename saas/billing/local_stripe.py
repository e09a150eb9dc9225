"""localstripe, a stateful fake of Stripe's API, on a loopback port: `make run` and the tests
start it when no Stripe keys are set, and the real SDK talks to it (test mode)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from urllib.parse import urlencode
from urllib.request import Request, urlopen

API_KEY = "sk_test_localstripe"
WEBHOOK_SECRET = "whsec_localstripe"  # noqa: S105 (test mode's shared secret, not a secret)
# localstripe's own start() listens on every interface and reloads a pickle from /tmp;
# this one listens on loopback only and starts empty.
SERVE = (
    "import sys; from aiohttp import web; from localstripe.server import app; "
    "web.run_app(app, host='127.0.0.1', port=int(sys.argv[1]), print=None)"
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_localstripe(timeout: float = 20.0) -> tuple[subprocess.Popen[bytes], str]:
    """Start localstripe; the process and its API base once it answers."""
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 (our own interpreter and code)
        [sys.executable, "-c", SERVE, str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process, f"http://127.0.0.1:{port}"
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("localstripe did not start")


def register_webhook(api_base: str, url: str, secret: str) -> None:
    """Have localstripe deliver its events to ``url``, signed with ``secret``."""
    body = urlencode({"url": url, "secret": secret}).encode()
    request = Request(f"{api_base}/_config/webhooks/guyub", data=body, method="POST")  # noqa: S310
    with urlopen(request, timeout=10) as answer:  # noqa: S310 (our own loopback server)
        answer.read()
