"""Run every ``bench/p*.py`` script in order; JSON lines pass through on standard output.

One PostgreSQL serves every script: ``BENCH_DATABASE_URL`` when set, else the embedded server,
started here once and stopped when this process exits. Exits 1 if any script failed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from common import BENCH_DIR, admin_url, log


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="pass --quick to every script")
    parser.add_argument("--only", default="", help="comma-separated script names (p1,p2)")
    return parser.parse_args(argv)


def scripts(only: str) -> list[Path]:
    """The benchmark scripts in name order, optionally filtered by prefix."""
    wanted = [name.strip() for name in only.split(",") if name.strip()]
    found = sorted(BENCH_DIR.glob("p*.py"))
    return [path for path in found if not wanted or path.stem.split("_")[0] in wanted]


def run_script(path: Path, quick: bool, env: dict[str, str]) -> int:
    """Run one script with inherited stdout and stderr; return its exit code."""
    command = [sys.executable, str(path), *(["--quick"] if quick else [])]
    log(f"running {path.name}")
    started = time.perf_counter()
    code = subprocess.run(command, cwd=BENCH_DIR.parent, env=env, check=False).returncode
    log(f"{path.name} exited {code} after {time.perf_counter() - started:.1f}s")
    return code


def main(argv: Sequence[str] | None = None) -> int:
    """Run the scripts one after another; 1 if any failed."""
    args = parse_args(argv)
    env = dict(os.environ)
    env["BENCH_DATABASE_URL"] = admin_url()  # one server for all, started here if needed
    started = time.perf_counter()
    failed = [path.name for path in scripts(args.only) if run_script(path, args.quick, env)]
    log(f"all done in {time.perf_counter() - started:.1f}s; failed: {failed or 'none'}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
