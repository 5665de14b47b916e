"""``bench/run``: every benchmark, one table (figure, Essaim, baseline, ratio, target).

Each benchmark module has ``main() -> list[Row]``, starts what it needs on
loopback (gunicorn, a worker) against a throwaway database and stops it after;
each runs in a process of its own, so none inherits another's settings.
Run on a quiet machine: ratios are measured in the same run, but two cores
shared with anything else make every figure noisy.
"""

from __future__ import annotations

import json
import subprocess
import sys

from bench.common import PYTHON, ROOT, Row, print_table

BENCHMARKS = ["bench.feeds", "bench.outbox", "bench.reminders", "bench.imports", "bench.checkin",
              "bench.national", "bench.programme", "bench.observatory"]


def _rows_of(name: str) -> list[Row]:
    code = f"from bench.common import emit; from {name} import main; emit(main())"
    out = subprocess.run([PYTHON, "-c", code], cwd=ROOT, capture_output=True, text=True)
    lines = out.stdout.splitlines()
    for line in lines:
        if not line.startswith("BENCH-ROWS "):
            print(line, flush=True)
    found = [line for line in lines if line.startswith("BENCH-ROWS ")]
    if out.returncode != 0 or not found:
        print(out.stderr[-3000:], file=sys.stderr)
        return [Row(f"{name} did not finish", 0.0, None, "", "runs", ok=False)]
    return [Row(**row) for row in json.loads(found[-1].removeprefix("BENCH-ROWS "))]


def main(names: list[str]) -> int:
    rows: list[Row] = []
    for name in names or BENCHMARKS:
        print(f"== {name}", flush=True)
        rows += _rows_of(name)
    print()
    print_table(rows)
    return 0 if all(row.ok is not False for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
