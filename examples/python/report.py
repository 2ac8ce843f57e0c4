"""A pandas report on a crm store: where customers come from, and the newest VIPs.

    python examples/python/report.py crm-demo.db
"""

import sys

import pandas as pd

import crm


def main(path: str) -> None:
    with crm.open(path) as db:
        customers = db.customers.find_frame()
        vips = db.customers.find_frame(tags="vip", order_by="-created_at", limit=5)

    print(f"{len(customers):,} customers in {path}\n")
    print("By source and stage:")
    print(pd.crosstab(customers["source"], customers["stage"], margins=True, margins_name="all"))
    print("\nNewest VIP customers:")
    newest = vips.assign(created=vips["created_at"].dt.date)[["name", "email", "stage", "created"]]
    print(newest.to_string(na_rep="-"))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(f"usage: {sys.argv[0]} STORE.db")
    main(sys.argv[1])
