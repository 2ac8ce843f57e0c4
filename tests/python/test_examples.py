"""The Python example shown to users keeps working."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd

import crm

REPORT = Path(__file__).resolve().parents[2] / "examples" / "python" / "report.py"


def test_report_example(tmp_path: Path):
    path = tmp_path / "demo.db"
    with crm.open(path) as db:
        db.customers.add_many(
            {
                "name": [f"Customer {i}" for i in range(40)],
                "source": ["web", "ads", "referral", "event"] * 10,
                "stage": ["lead", "customer"] * 20,
                "tags": ["vip", None, "newsletter", "vip,newsletter"] * 10,
                "created_at": pd.date_range("2026-01-01", periods=40, freq="D"),
            }
        )
    out = subprocess.run(
        [sys.executable, str(REPORT), str(path)], capture_output=True, text=True, check=True
    ).stdout
    assert "40 customers" in out
    assert "By source and stage:" in out
    assert "Newest VIP customers:" in out
    newest = [line.split()[0] for line in out.splitlines()[-5:]]
    assert newest == ["40", "37", "36", "33", "32"]  # ids of the newest "vip" rows
