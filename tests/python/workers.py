"""Work done in child processes by test_concurrency (spawned processes import this module)."""

from __future__ import annotations

import crm


def add_customers(path: str, k: int, n: int) -> int:
    """Adds and then updates `n` customers one transaction at a time; returns how many."""
    with crm.open(path, busy_timeout=30) as db:
        for i in range(n):
            c = db.customers.add(f"Process {k} #{i}", external_id=f"P{k}-{i}")
            db.customers.update(c.id, stage="prospect", expected_version=c.version)
    return n
