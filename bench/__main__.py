"""``bench/run``: every benchmark, one table (figure, Essaim, baseline, ratio, target).

Each benchmark module has ``main() -> list[Row]``, starts what it needs on
loopback (gunicorn, a worker) against a throwaway database and stops it after.
Run on a quiet machine: ratios are measured in the same run, but two cores
shared with anything else make every figure noisy.
"""

from __future__ import annotations

import importlib
import sys

from bench.common import Row, print_table

BENCHMARKS = ["bench.feeds"]


def main(names: list[str]) -> int:
    rows: list[Row] = []
    for name in names or BENCHMARKS:
        print(f"== {name}", flush=True)
        rows += importlib.import_module(name).main()
    print()
    print_table(rows)
    return 0 if all(row.ok is not False for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
