"""A pandas report on a crm store: where customers come from, the newest VIPs, how the campaigns
did against their control groups, and the sales forecast.

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

    with crm.open(path) as db:
        for campaign in db.campaigns.list():
            if campaign.started_at is None:
                continue
            report = db.campaigns.evaluate(campaign, window_days=7)
            print(f"\nCampaign {campaign.name!r}: conversion by variant")
            print(report.variants[["members", "converted", "conversion_rate", "revenue"]].to_string())
            print(report.uplift[["difference", "ci_newcombe_low", "ci_newcombe_high", "z_p_value", "significant"]]
                  .round(4).to_string())
        for pipeline in db.deals.pipelines():
            forecast = db.deals.forecast(pipeline.name)
            print(f"\nPipeline {pipeline.name!r}: weighted forecast by expected close month")
            print(forecast.to_string())


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(f"usage: {sys.argv[0]} STORE.db")
    main(sys.argv[1])
