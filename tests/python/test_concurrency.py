"""The GIL is released during store work; threads and processes share a store file safely."""

from __future__ import annotations

import multiprocessing
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd

import crm
import workers


def test_the_gil_is_released_during_a_long_add_many(tmp_path: Path):
    db = crm.open(tmp_path / "gil.db")
    n = 100_000
    data = {"name": [f"C{i}" for i in range(n)], "tags": ["a,b,c"] * n}
    prepared = crm.customers._prepare_columns(data)

    ticks = 0
    stop = threading.Event()
    started = threading.Event()

    def spin() -> None:
        nonlocal ticks
        started.set()
        while not stop.is_set():
            ticks += 1

    t = threading.Thread(target=spin)
    t.start()
    started.wait()
    try:
        t0 = time.perf_counter()
        before = ticks
        ids = db._raw.add_customer_columns(prepared)  # the native call alone
        during = ticks - before
        elapsed = time.perf_counter() - t0
    finally:
        stop.set()
        t.join()
    assert len(ids) == n
    # With the GIL held for the whole call the other thread could not count at all.
    assert during > 1_000, f"only {during} ticks in {elapsed:.3f}s: the GIL was held"
    db.close()


def test_two_threads_two_handles_one_file(tmp_path: Path):
    path = tmp_path / "threads.db"
    crm.open(path).close()
    errors: list[BaseException] = []

    def work(k: int) -> None:
        try:
            with crm.open(path) as db:
                for i in range(100):
                    db.customers.add(f"T{k}-{i}", external_id=f"T{k}-{i}")
                db.customers.add_many(pd.DataFrame({"name": [f"B{k}-{i}" for i in range(500)]}))
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with crm.open(path) as db:
        assert len(db.customers) == 2 * 600
        assert db.customers.count(external_id__startswith="T0-") == 100


def test_two_processes_writing_one_file_lose_nothing(tmp_path: Path):
    path = tmp_path / "procs.db"
    crm.open(path).close()
    ctx = multiprocessing.get_context("spawn")
    per_process = 150
    with ctx.Pool(2) as pool:
        results = pool.starmap(workers.add_customers, [(str(path), k, per_process) for k in range(2)])
    assert sorted(results) == [per_process, per_process]
    with crm.open(path) as db:
        assert len(db.customers) == 2 * per_process
        frame = db.customers.find_frame()
        want = {f"P{k}-{i}" for k in range(2) for i in range(per_process)}
        assert set(frame["external_id"]) == want
        assert (frame["version"] == 2).all()
        assert np.array_equal(np.sort(frame.index.to_numpy()), frame.index.to_numpy())
