#!/usr/bin/env python3
"""Prints rows/s of each criterion benchmark in a group and its ratio to a baseline.

Usage: benches/criterion_ratio.py GROUP BASELINE [ROWS]
  e.g. benches/criterion_ratio.py bulk_insert_1000000 raw_rusqlite 1000000
Reads target/criterion/GROUP/*/new/estimates.json (written by `cargo bench`); stdlib only.
"""
import json
import pathlib
import sys


def main() -> int:
    group, baseline = sys.argv[1], sys.argv[2]
    rows = int(sys.argv[3]) if len(sys.argv) > 3 else int(group.rsplit("_", 1)[-1])
    root = pathlib.Path("target/criterion") / group
    if not root.is_dir():
        print(f"no results under {root}; run the benchmark first", file=sys.stderr)
        return 1
    rates = {}
    for est in sorted(root.glob("*/new/estimates.json")):
        ns = json.loads(est.read_text())["median"]["point_estimate"]
        rates[est.parent.parent.name] = rows / (ns / 1e9)
    if baseline not in rates:
        print(f"baseline {baseline!r} not found in {sorted(rates)}", file=sys.stderr)
        return 1
    print(f"{group}: median rows/s (ratio to {baseline})")
    for name, rate in rates.items():
        print(f"  {name:<20} {rate:>12,.0f} rows/s   {rate / rates[baseline]:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
