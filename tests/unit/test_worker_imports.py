"""What a web worker holds in memory before its first request (budget P5: ≤ 150 MB RSS).

gunicorn builds the app once in the master (``preload_app``) and every worker starts as a copy
of it, so whatever ``wsgi`` imports is in every worker. The libraries below serve rare requests
or other processes, and are imported where they are used.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from saas.config import PROJECT_ROOT

IMPORTED_WHEN_USED = {
    "alembic": "making or migrating a schema (sign-up, the migrate command)",
    "weasyprint": "rendering a PDF",
    "stripe": "billing calls",
}


def test_the_app_a_worker_copies_leaves_the_rarely_used_libraries_out():
    script = (
        "import json, sys\n"
        "import wsgi\n"
        f"print(json.dumps(sorted(m for m in {sorted(IMPORTED_WHEN_USED)!r} if m in sys.modules)))"
    )
    env = {
        **os.environ,
        "DATABASE_URL": "postgresql://guyub@127.0.0.1:9/unused",  # the app connects lazily
        "SECRET_KEY": "imports",
        "LOG_LEVEL": "error",
    }
    env.pop("GUYUB_SHARDS", None)
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    imported = json.loads(done.stdout.strip().splitlines()[-1])
    assert imported == [], {name: IMPORTED_WHEN_USED[name] for name in imported}
