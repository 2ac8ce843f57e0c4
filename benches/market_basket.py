#!/usr/bin/env python3
"""Market-basket mining side by side: crm (Python face) against mlxtend 0.25.0, in one run.

Usage (``make bench-python`` does all of it)::

    .venv/bin/python benches/market_basket.py [--data DIR] [--mlxtend-python PY]
        [--repeat 7] [--cap-gib 8] [--timeout 300] [--only 1,2,3,4]

``DIR`` (default ``target/bench-data``) holds the data sets that the Rust bench writer made
(``crm-core/benches/market_basket.rs``, one-shot mode with ``CRM_BENCH_MBA_WRITE``), as long
format CSV ``basket,item`` with items 0..499, and the one-shot's own output next to each
(``NAME.log``: crm's mining time in Rust, without Python):

- ``mba_100000.csv``: 100,000 baskets (cases 1 and 3),
- ``mba_100000_huge.csv``: the same with 20 baskets of 60–200 items mixed in (case 2),
- ``mba_1000000.csv``: 1,000,000 baskets (case 4, crm only).

Cases: 1) 100k baskets at min_support 0.005; 2) the huge-basket mix at 0.005; 3) low support,
where mlxtend struggles: 100k at 0.001, 0.0005 and 0.0001, the huge-basket mix at 0.0005;
4) 1M baskets at 0.001, crm only.

Each measurement runs in its own worker process — this file run with ``--worker SPEC`` — by the
project's ``.venv`` python for crm and by ``PY`` (a venv holding mlxtend 0.25.0,
``benches/requirements-mlxtend.txt``) for mlxtend, under ``prlimit --as=<cap>`` and ``timeout``.
A worker reads the CSV, builds the input (mlxtend's one-hot boolean DataFrame, or crm's long
format), then times the mining call alone ``--repeat`` times (fewer when a call is slow) and
reports the median, the peak RSS of the process (``ru_maxrss``) and the growth of the resident
set during mining (Linux ``VmHWM``, reset before the first call). A worker that runs out of
address space or time is recorded as "did not finish (memory|time)".

Both sides must find the same itemsets with the same counts: any difference makes this script
exit 1 after printing the table. The table goes to stdout and, with the raw numbers, to
``DIR/market_basket.md`` and ``DIR/market_basket.json``.

Stdlib in the driver; the workers use numpy and pandas (present in both venvs).
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time

N_ITEMS = 500
HERE = pathlib.Path(__file__).resolve()
ROOT = HERE.parent.parent

# ---------------------------------------------------------------- cases

# (case, data set, baskets in it (empty ones have no CSV row), min_support, run mlxtend)
CASES = [
    ("1", "mba_100000", 100_000, 0.005, True),
    ("2", "mba_100000_huge", 100_020, 0.005, True),
    ("3", "mba_100000", 100_000, 0.001, True),
    ("3", "mba_100000", 100_000, 0.0005, True),
    ("3", "mba_100000", 100_000, 0.0001, True),
    ("3", "mba_100000_huge", 100_020, 0.0005, True),
    ("4", "mba_1000000", 1_000_000, 0.001, False),
]
CRM_ALGORITHMS = ("fpgrowth", "eclat", "apriori")
MLXTEND_ALGORITHMS = ("fpgrowth", "apriori")


# ---------------------------------------------------------------- worker (runs in either venv)


def _peak_rss_mib() -> float:
    """Peak resident set of this process so far (``ru_maxrss``, KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _status_mib(field: str) -> float | None:
    try:
        for line in pathlib.Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return None


def _reset_hwm() -> bool:
    """Resets ``VmHWM`` to the current RSS (Linux ≥ 4.0); False where that is not possible."""
    try:
        pathlib.Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def _load_long(csv: str):
    import numpy as np
    import pandas as pd

    frame = pd.read_csv(csv, dtype={"basket": np.int64, "item": np.int64})
    if list(frame.columns) != ["basket", "item"]:
        raise SystemExit(f"{csv}: expected the header basket,item, got {list(frame.columns)}")
    return frame


def _one_hot(long, n_baskets: int):
    """mlxtend's input: one row per basket (empty ones too), one bool column per item 0..499."""
    import numpy as np
    import pandas as pd

    baskets = long["basket"].to_numpy()
    items = long["item"].to_numpy()
    if len(baskets) and (baskets.max() >= n_baskets or items.max() >= N_ITEMS or baskets.min() < 0):
        raise SystemExit(f"data: a basket id >= {n_baskets} or an item >= {N_ITEMS}")
    cells = np.zeros((n_baskets, N_ITEMS), dtype=bool)
    cells[baskets, items] = True
    return pd.DataFrame(cells, columns=range(N_ITEMS))


def _result_rows(frame, n: int) -> list[list]:
    """Itemsets as ``[sorted items..., count]`` rows, sorted, with the count rebuilt exactly."""
    import numpy as np

    counts = np.rint(frame["support"].to_numpy(dtype=np.float64) * n).astype(np.int64).tolist()
    rows = [sorted(int(i) for i in s) + [c] for s, c in zip(frame["itemsets"], counts)]
    rows.sort(key=lambda r: (len(r), r))
    return rows


def _crm_profile(df, min_support: float, algorithm: str) -> dict:
    """Where crm's time goes on the one-hot DataFrame: the stages of
    ``crm.analytics.frequent_itemsets`` timed one by one (private names; a refactor of
    frequent_patterns.py only loses this breakdown, not the benchmark)."""
    import numpy as np

    out: dict = {}
    try:
        from crm import _crm
        from crm.analytics import frequent_patterns as fp

        labels = fp._objects(list(df.columns), df.shape[1])
        t0 = time.perf_counter()
        cells = np.ascontiguousarray(df.to_numpy(dtype=bool))
        t1 = time.perf_counter()
        found = _crm.frequent_itemsets_dense(cells, min_support, None, algorithm)
        t2 = time.perf_counter()
        fp._itemsets_frame(found, labels)
        t3 = time.perf_counter()
        rows, cols = np.nonzero(cells)
        indptr = np.zeros(len(cells) + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=len(cells)), out=indptr[1:])
        indices = cols.astype(np.int64)
        t4 = time.perf_counter()
        _crm.frequent_itemsets_csr(indptr, indices, df.shape[1], min_support, None, algorithm)
        t5 = time.perf_counter()
        out = {
            "to_numpy_s": t1 - t0,
            "native_dense_s": t2 - t1,
            "result_frame_s": t3 - t2,
            "native_csr_s": t5 - t4,
        }
    except Exception as e:  # noqa: BLE001 — a profile is optional
        out = {"error": f"{type(e).__name__}: {e}"}
    return out


def worker(spec_path: str) -> int:
    spec = json.loads(pathlib.Path(spec_path).read_text())
    result: dict = {"status": "ok", "python": sys.version.split()[0]}
    try:
        t0 = time.perf_counter()
        long = _load_long(spec["csv"])
        result["csv_load_s"] = time.perf_counter() - t0
        side, algorithm, min_support = spec["side"], spec["algorithm"], spec["min_support"]
        if spec["input"] == "onehot":
            t0 = time.perf_counter()
            data = _one_hot(long, spec["n_baskets"])
            result["to_one_hot_s"] = time.perf_counter() - t0
            n = data.shape[0]
            del long
        else:
            data = long
            n = int(long["basket"].nunique())
        result["n"] = n
        if side == "mlxtend":
            import mlxtend
            from mlxtend.frequent_patterns import apriori, fpgrowth

            result["version"] = mlxtend.__version__
            fn = {"fpgrowth": fpgrowth, "apriori": apriori}[algorithm]

            def mine():
                return fn(data, min_support=min_support, use_colnames=True)
        else:
            import crm
            from crm.analytics import frequent_itemsets

            result["version"] = getattr(crm, "__version__", "?")

            def mine():
                return frequent_itemsets(data, min_support, algorithm=algorithm)

        import numpy
        import pandas

        result["numpy"], result["pandas"] = numpy.__version__, pandas.__version__
        result["rss_before_mib"] = _status_mib("VmRSS")
        result["peak_before_mib"] = _peak_rss_mib()
        hwm_ok = _reset_hwm()
        times: list[float] = []
        found = None
        started = time.perf_counter()
        while len(times) < spec["repeat"]:
            t0 = time.perf_counter()
            found = mine()
            times.append(time.perf_counter() - t0)
            if hwm_ok and len(times) == 1:
                result["hwm_first_call_mib"] = _status_mib("VmHWM")
            spent = time.perf_counter() - started
            # A slow call is not repeated past the budget (nor near the timeout).
            if spent + times[-1] > spec["budget_s"]:
                break
        result["times_s"] = times
        result["median_s"] = statistics.median(times)
        result["peak_rss_mib"] = _peak_rss_mib()
        if hwm_ok:
            hwm = _status_mib("VmHWM")
            result["mining_growth_mib"] = max(0.0, (hwm or 0.0) - (result["rss_before_mib"] or 0.0))
        result["itemsets"] = len(found)
        rows = _result_rows(found, n)
        result["longest"] = max((len(r) - 1 for r in rows), default=0)
        pathlib.Path(spec["out"]).write_text(json.dumps(rows))
        if side == "crm" and spec["input"] == "onehot" and spec.get("profile"):
            result["profile"] = _crm_profile(data, min_support, algorithm)
    except MemoryError as e:
        result = {"status": "memory", "error": f"MemoryError: {e}"[:300]}
        pathlib.Path(spec["result"]).write_text(json.dumps(result))
        return 3
    pathlib.Path(spec["result"]).write_text(json.dumps(result))
    return 0


# ---------------------------------------------------------------- driver


def run_worker(python: str, spec: dict, cap_bytes: int, timeout_s: int, tmp: pathlib.Path) -> dict:
    """Runs one measurement in a capped subprocess; returns the worker's result dict, or one
    with ``status`` ``memory``/``time``/``failed`` when it did not finish."""
    tag = f"{spec['side']}_{spec['input']}_{spec['algorithm']}_{spec['name']}_{spec['min_support']}"
    spec = dict(spec, out=str(tmp / f"{tag}.sets.json"), result=str(tmp / f"{tag}.result.json"))
    spec_path = tmp / f"{tag}.spec.json"
    spec_path.write_text(json.dumps(spec))
    cmd = [
        "prlimit", f"--as={cap_bytes}", "--",
        "timeout", "-k", "10", str(timeout_s),
        python, str(HERE), "--worker", str(spec_path),
    ]  # fmt: skip
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    res_path = pathlib.Path(spec["result"])
    if proc.returncode == 0 and res_path.exists():
        res = json.loads(res_path.read_text())
        res["sets_path"] = spec["out"]
        return res
    err = (proc.stderr or "")[-2000:]
    if res_path.exists():
        res = json.loads(res_path.read_text())
    elif proc.returncode in (124, 137, -9) and wall >= timeout_s - 1:
        res = {"status": "time", "error": f"killed by timeout after {timeout_s} s"}
    elif re.search(r"MemoryError|Unable to allocate|Cannot allocate|bad_alloc|memory allocation", err):
        res = {"status": "memory", "error": err.strip().splitlines()[-1]}
    else:
        res = {"status": "failed", "error": f"exit {proc.returncode}: {err.strip()}"}
    res["wall_s"] = wall
    return res


def load_sets(res: dict) -> dict[tuple, int] | None:
    if res.get("status") != "ok":
        return None
    rows = json.loads(pathlib.Path(res["sets_path"]).read_text())
    return {tuple(r[:-1]): r[-1] for r in rows}


def rust_oneshot(log: pathlib.Path) -> dict:
    """crm's own timings from the Rust one-shot's output (``NAME.log``), if present."""
    out: dict = {}
    if not log.exists():
        return out
    text = log.read_text()
    m = re.search(r"min_support ([0-9.e-]+)", text)
    out["min_support"] = float(m.group(1)) if m else None
    line = re.compile(
        r"^\s+(\w+)\s+([0-9.]+) ms\s+(\d+) itemsets \(longest (\d+)\)\s+peak RSS (\d+) MiB "
        r"\(\+(\d+) MiB above data\)",
        re.M,
    )
    for alg, ms, n, longest, peak, above in line.findall(text):
        out[alg] = {
            "status": "ok",
            "median_s": float(ms) / 1e3,
            "itemsets": int(n),
            "longest": int(longest),
            "peak_rss_mib": float(peak),
            "mining_growth_mib": float(above),
        }
    m = re.search(r"best of (\d+)", text)
    out["repeat"] = int(m.group(1)) if m else None
    return out


def rust_itemsets(path: pathlib.Path, n: int) -> dict[tuple, int] | None:
    """The itemsets the Rust one-shot wrote (``<csv>.itemsets.csv``: ``support,itemsets``,
    items space-separated), with counts rebuilt from the supports, if that file exists."""
    if not path.exists():
        return None
    sets: dict[tuple, int] = {}
    with path.open() as f:
        if f.readline().strip() != "support,itemsets":
            raise SystemExit(f"{path}: expected the header support,itemsets")
        for line in f:
            support, items = line.rstrip("\n").split(",", 1)
            sets[tuple(sorted(int(i) for i in items.split()))] = round(float(support) * n)
    return sets


def fmt_time(res: dict | None) -> str:
    if res is None:
        return "—"
    st = res.get("status", "ok")
    if st == "ok":
        s = res["median_s"]
        return f"{s * 1e3:.1f} ms" if s < 1 else f"{s:.2f} s"
    if st in ("memory", "time"):
        return f"did not finish ({st})"
    return "failed"


def fmt_mib(x: float | None) -> str:
    return "—" if x is None else f"{x:.0f}"


def compare(name: str, ref: dict[tuple, int], other: dict[tuple, int]) -> str | None:
    """None when equal, else a description of the difference."""
    if ref == other:
        return None
    only_a = sorted(set(ref) - set(other), key=lambda s: (len(s), s))
    only_b = sorted(set(other) - set(ref), key=lambda s: (len(s), s))
    diff = [s for s in set(ref) & set(other) if ref[s] != other[s]]
    return (
        f"{name}: {len(ref)} vs {len(other)} itemsets; only in the first {len(only_a)} "
        f"(e.g. {only_a[:3]}), only in the second {len(only_b)} (e.g. {only_b[:3]}), "
        f"{len(diff)} with another count"
    )


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--data", default=str(ROOT / "target" / "bench-data"))
    ap.add_argument("--mlxtend-python", default=str(ROOT / "benches/.venvs/mlxtend/bin/python"))
    ap.add_argument("--crm-python", default=sys.executable)
    ap.add_argument("--repeat", type=int, default=7, help="timed calls per measurement (median)")
    ap.add_argument("--cap-gib", type=float, default=8.0, help="address-space cap per worker")
    ap.add_argument("--timeout", type=int, default=300, help="seconds per worker")
    ap.add_argument("--budget", type=float, default=60.0, help="seconds of repeats per worker")
    ap.add_argument("--only", default="1,2,3,4", help="cases to run, e.g. 1,2")
    args = ap.parse_args(argv)
    if args.worker:
        return worker(args.worker)

    data = pathlib.Path(args.data)
    cap = int(args.cap_gib * 2**30)
    only = set(args.only.split(","))
    budget = min(args.budget, args.timeout / 2)
    failures: list[str] = []
    report: dict = {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "machine": f"{os.cpu_count()} cores, {platform.system()} {platform.release()}",
        "cap_gib": args.cap_gib,
        "timeout_s": args.timeout,
        "repeat": args.repeat,
        "cases": [],
    }
    if not pathlib.Path(args.mlxtend_python).exists() and only - {"4"}:
        print(f"no mlxtend venv at {args.mlxtend_python}: run `make bench-python`", file=sys.stderr)
        return 1

    with tempfile.TemporaryDirectory(prefix="crm-mba-") as tmpdir:
        tmp = pathlib.Path(tmpdir)
        for case, name, n_baskets, support, with_mlxtend in CASES:
            if case not in only:
                continue
            csv = data / f"{name}.csv"
            if not csv.exists():
                print(f"missing {csv}: write it with the Rust bench (make bench-python)", file=sys.stderr)
                return 1
            base = {
                "csv": str(csv),
                "name": name,
                "n_baskets": n_baskets,
                "min_support": support,
                "repeat": args.repeat,
                "budget_s": budget,
            }
            print(f"== case {case}: {name} at min_support {support}", file=sys.stderr, flush=True)
            runs: dict[str, dict] = {}

            def measure(key: str, python: str, **spec) -> None:
                res = run_worker(python, dict(base, **spec), cap, args.timeout, tmp)
                runs[key] = res
                peak = fmt_mib(res.get("peak_rss_mib"))
                print(f"   {key:<22} {fmt_time(res):>26}  peak RSS {peak} MiB  "
                      f"{res.get('itemsets', '')} {res.get('error', '')}",
                      file=sys.stderr, flush=True)  # fmt: skip

            # Interleave the sides so that drift of this shared machine hits both alike.
            for alg in CRM_ALGORITHMS:
                measure(f"crm {alg}", args.crm_python, side="crm", input="onehot",
                        algorithm=alg, profile=(alg == "fpgrowth"))  # fmt: skip
                if with_mlxtend and alg in MLXTEND_ALGORITHMS:
                    measure(f"mlxtend {alg}", args.mlxtend_python, side="mlxtend",
                            input="onehot", algorithm=alg)  # fmt: skip
            for alg in CRM_ALGORITHMS:
                measure(f"crm long {alg}", args.crm_python, side="crm", input="long", algorithm=alg)

            # Every finished run must agree: crm's algorithms and mlxtend on the one-hot frame.
            ref_key = "crm fpgrowth"
            ref = load_sets(runs[ref_key])
            if ref is None:
                failures.append(f"case {case} ({name}, {support}): {ref_key} did not finish: "
                                f"{runs[ref_key].get('error')}")  # fmt: skip
            else:
                for key, res in runs.items():
                    sets = load_sets(res)
                    if key.startswith("crm") and sets is None:
                        failures.append(f"case {case} {key} did not finish: {res.get('error')}")
                    if sets is None or key == ref_key or key.startswith("crm long"):
                        continue
                    d = compare(f"case {case} {ref_key} vs {key}", ref, sets)
                    if d:
                        failures.append(d)
                # Long format counts baskets with an item (empty ones have no row), so it has a
                # lower count threshold: it must hold every one-hot itemset with the same count,
                # and its extra ones must lie below the one-hot threshold.
                longs = {k: load_sets(v) for k, v in runs.items() if k.startswith("crm long")}
                first = None
                for key, sets in longs.items():
                    if sets is None:
                        continue
                    if first is None:
                        first = (key, sets)
                    elif d := compare(f"case {case} {first[0]} vs {key}", first[1], sets):
                        failures.append(d)
                    missing = [s for s in ref if sets.get(s) != ref[s]]
                    extra_ok = all(c < support * n_baskets for s, c in sets.items() if s not in ref)
                    if missing or not extra_ok:
                        failures.append(f"case {case} {key}: {len(missing)} one-hot itemsets "
                                        f"missing or with another count; extras ok: {extra_ok}")  # fmt: skip
            rust = rust_oneshot(data / f"{name}.log")
            # The Rust one-shot's own itemsets on these baskets, when it ran at this support.
            if ref is not None and rust.get("min_support") == support:
                written = rust_itemsets(data / f"{name}.csv.itemsets.csv", n_baskets)
                if written is not None:
                    if d := compare(f"case {case} {ref_key} vs crm Rust one-shot", ref, written):
                        failures.append(d)
                    rust["itemsets_checked"] = True
            for res in runs.values():
                res.pop("sets_path", None)
            report["cases"].append(
                {
                    "case": case,
                    "data": name,
                    "n_baskets": n_baskets,
                    "min_support": support,
                    "runs": runs,
                    # The one-shot log of this data set, when it ran at this support.
                    "rust": rust if rust.get("min_support") == support else {},
                }
            )

    md = render(report)
    print(md)
    out = pathlib.Path(args.data)
    (out / "market_basket.md").write_text(md)
    (out / "market_basket.json").write_text(json.dumps(report, indent=1))
    if failures:
        print("\n" + "!" * 78, file=sys.stderr)
        print("MISMATCH: the sides did not find the same itemsets (or crm did not finish):",
              file=sys.stderr)  # fmt: skip
        for f in failures:
            print("  - " + f, file=sys.stderr)
        print("!" * 78, file=sys.stderr)
        return 1
    return 0


def ratio(a: dict | None, b: dict | None) -> str:
    """``a``'s time over ``b``'s: how many times faster ``b`` is; '>' when ``a`` did not finish
    (the time it was given counts as a lower bound)."""
    if not a or not b or b.get("status") != "ok":
        return "—"
    if a.get("status") == "ok":
        return f"**{a['median_s'] / b['median_s']:.0f}×**"
    if a.get("status") == "time":
        return f"> {float(a.get('wall_s', 0)) / b['median_s']:.0f}× (timeout)"
    return "mlxtend out of memory" if a.get("status") == "memory" else "—"


def render(report: dict) -> str:
    lines: list[str] = []
    w = lines.append
    first_ok = {}
    for c in report["cases"]:
        for k, r in c["runs"].items():
            if r.get("status") == "ok":
                first_ok.setdefault(k.split()[0], r)
    crm_v, mlx_v = first_ok.get("crm", {}), first_ok.get("mlxtend", {})
    w(f"market_basket.py, {report['date']}, {report['machine']}; crm {crm_v.get('version', '?')} "
      f"(numpy {crm_v.get('numpy', '?')}, pandas {crm_v.get('pandas', '?')}), mlxtend "
      f"{mlx_v.get('version', '?')} (numpy {mlx_v.get('numpy', '?')}, pandas "
      f"{mlx_v.get('pandas', '?')}), Python {crm_v.get('python', '?')}; each worker capped at "
      f"{report['cap_gib']:g} GiB address space and {report['timeout_s']} s; median of up to "
      f"{report['repeat']} calls.")  # fmt: skip
    w("")
    w("Times: the mining call alone, on mlxtend's one-hot bool DataFrame unless marked long "
      "(crm on the long-format `basket,item` frame). Peak RSS: the worker process's "
      "`ru_maxrss` (input included); +mining: growth of the resident set during the calls.")  # fmt: skip
    w("")
    w("| case | data | min_support | run | time (median) | itemsets | peak RSS MiB | +mining MiB |")
    w("|---|---|---:|---|---:|---:|---:|---:|")
    for c in report["cases"]:
        for key, r in c["runs"].items():
            w(f"| {c['case']} | {c['data']} | {c['min_support']:g} | {key} | {fmt_time(r)} | "
              f"{r.get('itemsets', '—')} | {fmt_mib(r.get('peak_rss_mib'))} | "
              f"{fmt_mib(r.get('mining_growth_mib'))} |")  # fmt: skip
        for alg, r in c["rust"].items():
            if isinstance(r, dict):
                w(f"| {c['case']} | {c['data']} | {c['min_support']:g} | crm Rust {alg} "
                  f"(no Python, best of {c['rust'].get('repeat')}) | {fmt_time(r)} | "
                  f"{r['itemsets']} | {fmt_mib(r['peak_rss_mib'])} | "
                  f"{fmt_mib(r['mining_growth_mib'])} |")  # fmt: skip
    w("")
    w("Ratios (mlxtend time / crm time; one-hot DataFrame on both sides; the Rust columns divide "
      "by crm's mining alone, from the Rust one-shot, where it ran at that support):")  # fmt: skip
    w("")
    w("| case | min_support | mlxtend fpgrowth / crm fpgrowth | mlxtend fpgrowth / crm eclat "
      "| mlxtend apriori / crm apriori | mlxtend apriori / crm eclat "
      "| mlxtend fpgrowth / crm Rust fpgrowth | mlxtend apriori / crm Rust apriori |")  # fmt: skip
    w("|---|---:|---:|---:|---:|---:|---:|---:|")
    for c in report["cases"]:
        r, rust = c["runs"], c["rust"]
        if "mlxtend fpgrowth" not in r:
            continue
        w(f"| {c['case']} ({c['data']}) | {c['min_support']:g} "
          f"| {ratio(r.get('mlxtend fpgrowth'), r.get('crm fpgrowth'))} "
          f"| {ratio(r.get('mlxtend fpgrowth'), r.get('crm eclat'))} "
          f"| {ratio(r.get('mlxtend apriori'), r.get('crm apriori'))} "
          f"| {ratio(r.get('mlxtend apriori'), r.get('crm eclat'))} "
          f"| {ratio(r.get('mlxtend fpgrowth'), rust.get('fpgrowth'))} "
          f"| {ratio(r.get('mlxtend apriori'), rust.get('apriori'))} |")  # fmt: skip
    w("")
    for c in report["cases"][:1]:
        r = c["runs"]
        for alg, target in (("fpgrowth", 50), ("apriori", 100)):
            a, b = r.get(f"mlxtend {alg}"), r.get(f"crm {alg}")
            if a and b and a.get("status") == b.get("status") == "ok":
                got = a["median_s"] / b["median_s"]
                need = a["median_s"] / target * 1e3
                verdict = "met" if got >= target else f"missed: crm would need {need:.1f} ms"
                w(f"Target (case {c['case']}): crm ≥ {target}× faster than mlxtend {alg}: "
                  f"{got:.1f}× — {verdict}.")  # fmt: skip
    w("")
    w("Input conversion (not in the times above), and where crm fpgrowth's time goes on the "
      "one-hot frame:")  # fmt: skip
    w("")
    w("| case | min_support | CSV load | long → one-hot DataFrame | crm: `to_numpy(bool)` "
      "| crm: native call (dense) | crm: result frame | crm: native call (CSR input) |")  # fmt: skip
    w("|---|---:|---:|---:|---:|---:|---:|---:|")

    def ms(x: float | None) -> str:
        return "—" if x is None else f"{x * 1e3:.1f} ms"

    for c in report["cases"]:
        r = c["runs"].get("crm fpgrowth", {})
        p = r.get("profile", {})
        w(f"| {c['case']} ({c['data']}) | {c['min_support']:g} | {ms(r.get('csv_load_s'))} "
          f"| {ms(r.get('to_one_hot_s'))} | {ms(p.get('to_numpy_s'))} "
          f"| {ms(p.get('native_dense_s'))} | {ms(p.get('result_frame_s'))} "
          f"| {ms(p.get('native_csr_s'))} |")  # fmt: skip
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
