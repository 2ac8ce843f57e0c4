"""A pandas report on a crm store: where customers come from, the newest VIPs, how the campaigns
did against their control groups, the products bought together and the sales forecast.

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
        if db.purchases.count() == 0:
            return
        rules = db.association_rules(0.02, max_len=3, metric="confidence", min_threshold=0.3)
        top = rules.sort_values(["lift", "support"], ascending=False).head(5)
        print("\nProducts bought together (confidence >= 30%, strongest lift first):")
        print(top[["antecedent_names", "consequent_names", "support", "confidence", "lift"]]
              .round(3).to_string(index=False))
        buyer = int(db.customers.find_frame("purchase_count >= 1", limit=1).index[0])
        print(f"\nRecommended for customer #{buyer}:")
        print(db.recommend(buyer, n=3, min_support=0.02, min_confidence=0.3)
              [["sku", "name", "score"]].round(3).to_string(index=False))
        for pipeline in db.deals.pipelines():
            forecast = db.deals.forecast(pipeline.name)
            print(f"\nPipeline {pipeline.name!r}: weighted forecast by expected close month")
            print(forecast.to_string())


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(f"usage: {sys.argv[0]} STORE.db")
    main(sys.argv[1])
