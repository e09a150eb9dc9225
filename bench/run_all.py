"""Run every ``bench/p*.py`` script in order; JSON lines pass through on standard output.

One PostgreSQL serves every script: ``BENCH_DATABASE_URL`` when set, else the embedded server,
started here once and stopped when this process exits. The scripts measuring among thousands
of tenants share one population of them (``--population``), made as they go: P1 grows it to
2,000 tenants and more as it measures, P9 restores its cooperative beside them, P3 gives 1,000
of them a microsite, and P2, last of them as it migrates every schema, spreads it to 5,000 over
two shards. Building schemas is most of a run's time: sharing them halves it. The scripts with
databases of their own come after: the population is dropped in the background meanwhile (its
million files take a minute or more to remove), while P10 writes its history, and a script's
``settle()`` waits for the drop to end before it times anything. P7 runs twice, the second time
for the cooperative of 20,000 members (not with --quick). Exits 1 if any script failed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from common import BENCH_DIR, admin_url, drop_databases, log, restore_server

# The population's users in the order that grows it (P2 last of them: it migrates every
# schema and adds the second shard); then the scripts each in databases of their own, P10
# first, whose history is long enough to cover the population's drop.
ORDER = ("p1", "p9", "p3", "p2", "p10", "p11", "p6", "p7")
POPULATION = "bench_population"
POPULATION_SHARDS = ("main", "s2")
SHARING = {"p1", "p9", "p3", "p2"}
# Scripts run again with these options right after their first run (not with --quick).
AGAIN = {"p7": ["--members", "20000"]}


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="pass --quick to every script")
    parser.add_argument("--only", default="", help="comma-separated script names (p1,p2)")
    return parser.parse_args(argv)


def short_name(path: Path) -> str:
    """``p1`` for ``p1_provisioning.py``."""
    return path.stem.split("_")[0]


def scripts(only: str) -> list[Path]:
    """The benchmark scripts in ``ORDER`` (any other after them, by name), optionally
    filtered by short name."""
    wanted = [name.strip() for name in only.split(",") if name.strip()]
    found = sorted(BENCH_DIR.glob("p*.py"))
    found.sort(key=lambda path: ORDER.index(short_name(path)) if short_name(path) in ORDER else 99)
    return [path for path in found if not wanted or short_name(path) in wanted]


def run_script(path: Path, quick: bool, env: dict[str, str], extra: Sequence[str] = ()) -> int:
    """Run one script with inherited stdout and stderr; return its exit code."""
    command = [sys.executable, str(path), *(["--quick"] if quick else []), *extra]
    if short_name(path) in SHARING:
        command += ["--population", POPULATION]
    log(f"running {path.name} {' '.join(extra)}".rstrip())
    started = time.perf_counter()
    code = subprocess.run(command, cwd=BENCH_DIR.parent, env=env, check=False).returncode
    log(f"{path.name} exited {code} after {time.perf_counter() - started:.1f}s")
    return code


def drop_population(*, keep: bool | None = None) -> None:
    """Drop the population's databases, each from a thread of its own: a database is removed
    file by file (a million of them for 5,000 tenants), and two such removals go at once."""
    with ThreadPoolExecutor(max_workers=len(POPULATION_SHARDS)) as pool:
        for done in [
            pool.submit(drop_databases, POPULATION, (shard,), keep=keep)
            for shard in POPULATION_SHARDS
        ]:
            done.result()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the scripts one after another; 1 if any failed."""
    args = parse_args(argv)
    env = dict(os.environ)
    env["BENCH_DATABASE_URL"] = admin_url()  # one server for all, started here if needed
    started = time.perf_counter()
    drop_population(keep=False)  # a run starts with none
    restore_server()  # in case a run was killed while building tenants
    runs = [
        (path, extra)
        for path in scripts(args.only)
        for extra in ([], *([AGAIN[short_name(path)]] if short_name(path) in AGAIN else []))
        if not (extra and args.quick)
    ]
    sharing = [index for index, (path, _extra) in enumerate(runs) if short_name(path) in SHARING]
    failed = []
    with ThreadPoolExecutor(max_workers=1) as background:
        dropping: Future[None] | None = None
        for index, (path, extra) in enumerate(runs):
            if run_script(path, args.quick, env, extra):
                failed.append(f"{path.name} {' '.join(extra)}".rstrip())
            if sharing and index == sharing[-1]:  # the population's last user is done
                dropping = background.submit(drop_population)
        if dropping is None:
            drop_population()
        else:
            dropping.result()
    log(f"all done in {time.perf_counter() - started:.1f}s; failed: {failed or 'none'}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
