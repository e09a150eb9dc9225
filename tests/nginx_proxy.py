"""nginx in front of the application with the configuration of ``deploy/``, on loopback: for
the tests of that configuration and for the benchmark with the reverse proxy."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from string import Template

from tests.conftest import free_port

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = PROJECT_ROOT / "deploy" / "nginx.conf.template"
NGINX = "/usr/sbin/nginx"

MAIN = """\
daemon off;
${USER}
worker_processes ${WORKERS};
pid ${PREFIX}/nginx.pid;
error_log ${PREFIX}/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path ${PREFIX}/body;
    proxy_temp_path ${PREFIX}/proxy;
    fastcgi_temp_path ${PREFIX}/fastcgi;
    uwsgi_temp_path ${PREFIX}/uwsgi;
    scgi_temp_path ${PREFIX}/scgi;
    include ${PREFIX}/guyub.conf;
}
"""


def render(upstream: str, listen: str, cache_dir: Path) -> str:
    """The site configuration of ``deploy/`` as an operator renders it with envsubst."""
    values = {"UPSTREAM": upstream, "LISTEN": listen, "CACHE_DIR": str(cache_dir)}
    return Template(TEMPLATE.read_text()).safe_substitute(values)


@contextmanager
def nginx_in_front(upstream_port: int, prefix: Path, *, workers: int = 1) -> Iterator[int]:
    """nginx serving on a free loopback port in front of ``127.0.0.1:<upstream_port>``; the
    port. ``prefix`` holds its configuration, cache and logs."""
    if shutil.which(NGINX) is None:
        raise RuntimeError("nginx is missing: `make test` installs Debian's nginx")
    port = free_port()
    prefix.mkdir(parents=True, exist_ok=True)
    site = render(f"127.0.0.1:{upstream_port}", f"127.0.0.1:{port}", prefix / "cache")
    (prefix / "guyub.conf").write_text(site)
    # Run as root (a container's CI), nginx's workers would drop to "nobody", who may not write
    # the test's own cache directory: they keep the test's user instead.
    user = "user root;" if os.geteuid() == 0 else ""
    main = Template(MAIN).substitute(PREFIX=str(prefix), WORKERS=str(workers), USER=user)
    (prefix / "nginx.conf").write_text(main)
    command = [NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf")]
    subprocess.run([*command, "-t", "-q"], check=True, capture_output=True)
    process = subprocess.Popen(command, stderr=subprocess.DEVNULL)
    try:
        _wait_for(port, process)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait_for(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"nginx exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("nginx did not start within 10 s")
