"""Reference values for crm_core::analytics::{itemsets, rules}, computed with mlxtend 0.23.4.

Run through `make reference-mlxtend` (which builds the pinned venv), or by hand with the
packages of requirements.txt:

    python generate.py [OUTPUT_DIR]     # default: the folder of this script

It writes, beside this script:

- `<dataset>.csv` for each dataset: the baskets in long format, one `basket,item` row per item
  (an item repeated within a basket is written twice where the dataset has it, as the mlxtend
  docs example does, so that readers check that a repeat counts once). No basket is empty, so
  the CSV holds every basket; `n_baskets` in the JSON says how many.
- `mlxtend.json`: for each dataset, the frequent itemsets of `apriori` and `fpgrowth`
  (`use_colnames=True`) at a few `min_support` and `max_len` values, and the output of
  `association_rules` for every metric at two thresholds, with `support_only=True`, with
  mlxtend's default `num_itemsets=1`, and on deliberately incomplete itemsets.

The output is committed; `cargo test -p crm-core --test rules` reads it, so the Rust tests never
need Python. Itemsets are written as rows [sorted labels, support, count]; rules as rows
[antecedent labels, consequent labels, *rule_columns]. Floats are written with repr (full precision); NaN and infinities, which JSON
lacks, are written as the strings "nan", "inf" and "-inf". Keys are sorted and the random
datasets are seeded, so a regeneration with the same packages gives the same bytes.
"""

import csv
import json
import math
import platform
import sys
import warnings
from pathlib import Path

import mlxtend
import numpy as np
import pandas as pd
from mlxtend.frequent_patterns import apriori, association_rules, fpgrowth
from mlxtend.preprocessing import TransactionEncoder

HERE = Path(__file__).resolve().parent

# The columns of association_rules' output after antecedents and consequents, in its order.
RULE_COLUMNS = [
    "antecedent support",
    "consequent support",
    "support",
    "confidence",
    "lift",
    "representativity",
    "leverage",
    "conviction",
    "zhangs_metric",
    "jaccard",
    "certainty",
    "kulczynski",
]

# Two thresholds per metric, chosen so that some rules pass and some do not (representativity
# is always 1 without null values, so its thresholds keep all or none).
THRESHOLDS = {
    "antecedent support": [0.05, 0.3],
    "consequent support": [0.05, 0.3],
    "support": [0.0, 0.05],
    "confidence": [0.5, 0.8],
    "lift": [1.0, 1.5],
    "representativity": [1.0, 1.5],
    "leverage": [0.0, 0.01],
    "conviction": [1.2, math.inf],
    "zhangs_metric": [0.0, 0.6],
    "jaccard": [0.1, 0.3],
    "certainty": [0.0, 0.4],
    "kulczynski": [0.3, 0.6],
}

GROCERIES = [
    "Milk", "Bread", "Butter", "Eggs", "Cheese", "Yogurt", "Apples", "Bananas", "Oranges",
    "Grapes", "Tomatoes", "Onions", "Potatoes", "Carrots", "Lettuce", "Spinach", "Chicken",
    "Beef", "Pork", "Salmon", "Tuna", "Rice", "Pasta", "Flour", "Sugar", "Salt", "Pepper",
    "Olive Oil", "Coffee", "Tea", "Orange Juice", "Cereal", "Oats", "Honey", "Jam",
    "Peanut Butter", "Chocolate", "Cookies", "Chips", "Soda",
]


def num(x):
    """A float for JSON: repr precision, non-finite values as explicit strings."""
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x


def plain(label):
    """A label as a JSON value: numpy ints become Python ints."""
    if isinstance(label, (np.integer,)):
        return int(label)
    return label


# ---------------------------------------------------------------- datasets
def docs_example():
    """The five shopping baskets of mlxtend's user guide (Onion twice in the last one)."""
    return [
        ["Milk", "Onion", "Nutmeg", "Kidney Beans", "Eggs", "Yogurt"],
        ["Dill", "Onion", "Nutmeg", "Kidney Beans", "Eggs", "Yogurt"],
        ["Milk", "Apple", "Kidney Beans", "Eggs"],
        ["Milk", "Unicorn", "Corn", "Kidney Beans", "Yogurt"],
        ["Corn", "Onion", "Onion", "Kidney Beans", "Ice cream", "Eggs"],
    ]


def random_baskets(rng, labels, n_baskets, base, decay, pairs):
    """Baskets where item i is drawn with probability base / (1 + i)^decay, and each
    (a, b, p) in `pairs` adds b with probability p to a basket holding a, so that strong rules
    exist. A basket that drew nothing gets the most popular item, so none is empty."""
    p = np.array([base / (1 + i) ** decay for i in range(len(labels))])
    out = []
    for _ in range(n_baskets):
        chosen = set(np.nonzero(rng.random(len(labels)) < p)[0].tolist())
        for a, b, q in pairs:
            if a in chosen and rng.random() < q:
                chosen.add(b)
        if not chosen:
            chosen.add(0)
        order = sorted(chosen)
        rng.shuffle(order)
        out.append([labels[i] for i in order])
    return out


def random_strings():
    rng = np.random.default_rng(20251125)
    pairs = [(0, 1, 0.7), (3, 2, 0.6), (16, 11, 0.8), (21, 16, 0.5), (28, 24, 0.75),
             (36, 1, 0.9), (7, 6, 0.5)]
    return random_baskets(rng, GROCERIES, 2000, 0.55, 0.6, pairs)


def random_ints():
    """Int labels, not contiguous, and one item (the carrier bag) in every basket, so that a
    consequent support of 1 (certainty's zero denominator, conviction inf) occurs."""
    rng = np.random.default_rng(7)
    labels = sorted(rng.choice(np.arange(100, 10000), size=30, replace=False).tolist())
    labels = [int(x) for x in rng.permutation(labels)]
    baskets = random_baskets(rng, labels, 1000, 0.5, 0.7, [(2, 5, 0.8), (9, 4, 0.6)])
    bag = 42
    assert bag not in labels
    return [b + [bag] for b in baskets]


def huge_baskets():
    """500 ordinary small baskets over 40 items and, among them, 4 huge ones of 50-70 items
    out of 80 (the shape that makes mlxtend slow)."""
    rng = np.random.default_rng(99)
    labels = [f"P{i:02d}" for i in range(80)]
    small = []
    for _ in range(500):
        k = int(rng.integers(1, 6))
        idx = rng.choice(40, size=k, replace=False, p=_zipf(40, 0.9))
        small.append([labels[i] for i in idx])
    huge = []
    for _ in range(4):
        k = int(rng.integers(50, 71))
        huge.append([labels[i] for i in rng.choice(80, size=k, replace=False)])
    # Spread the huge baskets through the file rather than together.
    out = list(small)
    for pos, b in zip([37, 150, 300, 450], huge):
        out.insert(pos, b)
    return out


def _zipf(n, s):
    w = np.array([1.0 / (1 + i) ** s for i in range(n)])
    return w / w.sum()


# (name, baskets, itemset min_supports, the min_support whose apriori itemsets the metric sweep
# uses, extra rules cases as (min_support, metric, min_threshold) on max_len=None itemsets)
DATASETS = [
    ("docs", docs_example(), [0.6, 0.4, 0.2], 0.6, [(0.4, "lift", 1.2)]),
    ("random_strings", random_strings(), [0.1, 0.03, 0.01], 0.1, [(0.01, "confidence", 0.7)]),
    ("random_ints", random_ints(), [0.2, 0.1, 0.05], 0.1, [(0.05, "zhangs_metric", 0.5)]),
    ("huge_baskets", huge_baskets(), [0.05, 0.02, 0.012], 0.02, [(0.012, "lift", 1.0)]),
]
MAX_LENS = [None, 2]


# ---------------------------------------------------------------- computing
def one_hot(baskets):
    te = TransactionEncoder()
    ary = te.fit(baskets).transform(baskets)
    return pd.DataFrame(ary, columns=te.columns_)


def itemset_rows(frame, n):
    """Rows [sorted labels, support, count], sorted by (length, labels) so that the file is
    stable. mlxtend's support is count / n, one correctly rounded division; the count is written
    too (and checked to give the support back exactly) so that readers can rebuild the exact
    support without trusting their JSON float parser's last bit."""
    rows = []
    for s, sup in zip(frame["itemsets"], frame["support"]):
        sup = float(sup)
        count = int(round(sup * n))
        assert count / n == sup, (s, sup, n)
        rows.append([sorted(plain(x) for x in s), sup, count])
    rows.sort(key=lambda r: (len(r[0]), r[0]))
    return rows


def rule_rows(rules):
    """Rows [antecedent labels, consequent labels, *RULE_COLUMNS], sorted by the two label
    lists (mlxtend's own order follows frozenset iteration, which hashing makes vary)."""
    rows = []
    for _, r in rules.iterrows():
        row = [sorted(plain(x) for x in r["antecedents"]), sorted(plain(x) for x in r["consequents"])]
        row += [num(r[c]) for c in RULE_COLUMNS]
        rows.append(row)
    rows.sort(key=lambda r: (len(r[0]), r[0], len(r[1]), r[1]))
    return rows


def run_rules(frame, **kwargs):
    with warnings.catch_warnings():
        # 0/0 in certainty where the consequent support is 1: mlxtend's np.where then picks 0.
        warnings.simplefilter("ignore", RuntimeWarning)
        return association_rules(frame, **kwargs)


def dataset_reference(name, baskets, min_supports, rules_support, extra):
    df = one_hot(baskets)
    n = len(baskets)
    assert all(len(b) > 0 for b in baskets), "an empty basket would vanish from the long format"

    itemsets = []
    frames = {}
    for min_support in min_supports:
        for max_len in MAX_LENS:
            a = apriori(df, min_support=min_support, use_colnames=True, max_len=max_len)
            f = fpgrowth(df, min_support=min_support, use_colnames=True, max_len=max_len)
            rows_a, rows_f = itemset_rows(a, n), itemset_rows(f, n)
            frames[(min_support, max_len)] = a
            case = {
                "id": f"{name}/s={min_support}/max_len={max_len}",
                "min_support": min_support,
                "max_len": max_len,
            }
            if rows_a == rows_f:
                itemsets.append({**case, "algorithms": ["apriori", "fpgrowth"], "itemsets": rows_a})
            else:
                itemsets.append({**case, "algorithms": ["apriori"], "itemsets": rows_a})
                itemsets.append({**case, "id": case["id"] + "/fpgrowth",
                                 "algorithms": ["fpgrowth"], "itemsets": rows_f})

    base = frames[(rules_support, None)]
    base_id = f"{name}/s={rules_support}/max_len=None"
    rules = []
    for metric, thresholds in THRESHOLDS.items():
        for t in thresholds:
            r = run_rules(base, num_itemsets=n, metric=metric, min_threshold=t)
            rules.append({"itemsets": base_id, "num_itemsets": n, "metric": metric,
                          "min_threshold": num(t), "support_only": False, "rules": rule_rows(r)})
    # support_only: the metric is ignored (forced to support) and the other columns are NaN.
    for t in [0.0, 0.1]:
        r = run_rules(base, num_itemsets=n, metric="lift", min_threshold=t, support_only=True)
        rules.append({"itemsets": base_id, "num_itemsets": n, "metric": "lift",
                      "min_threshold": num(t), "support_only": True, "rules": rule_rows(r)})
    # mlxtend 0.23.4's default num_itemsets=1: the same rules up to rounding.
    r = run_rules(base, num_itemsets=1, metric="confidence", min_threshold=0.8)
    rules.append({"itemsets": base_id, "num_itemsets": 1, "metric": "confidence",
                  "min_threshold": 0.8, "support_only": False, "rules": rule_rows(r)})
    # max_len=2 itemsets are complete too (every subset of a pair is a single).
    pairs = frames[(rules_support, 2)]
    r = run_rules(pairs, num_itemsets=n, metric="lift", min_threshold=1.0)
    rules.append({"itemsets": f"{name}/s={rules_support}/max_len=2", "num_itemsets": n,
                  "metric": "lift", "min_threshold": 1.0, "support_only": False,
                  "rules": rule_rows(r)})

    for min_support, metric, t in extra:
        r = run_rules(frames[(min_support, None)], num_itemsets=n, metric=metric, min_threshold=t)
        rules.append({"itemsets": f"{name}/s={min_support}/max_len=None", "num_itemsets": n,
                      "metric": metric, "min_threshold": t, "support_only": False,
                      "rules": rule_rows(r)})

    # Incomplete itemsets: the singles removed. mlxtend raises KeyError unless support_only.
    incomplete = base[base["itemsets"].map(len) > 1].reset_index(drop=True)
    incomplete_rows = itemset_rows(incomplete, n)
    errors = []
    if len(incomplete):
        try:
            run_rules(incomplete, num_itemsets=n, metric="confidence", min_threshold=0.8)
            raise AssertionError("mlxtend accepted incomplete itemsets")
        except KeyError:
            errors.append({"itemsets": "incomplete", "num_itemsets": n, "metric": "confidence",
                           "min_threshold": 0.8, "support_only": False, "error": "KeyError"})
        r = run_rules(incomplete, num_itemsets=n, metric="confidence", min_threshold=0.0,
                      support_only=True)
        rules.append({"itemsets": "incomplete", "num_itemsets": n, "metric": "confidence",
                      "min_threshold": 0.0, "support_only": True, "rules": rule_rows(r)})

    return {
        "name": name,
        "csv": f"{name}.csv",
        "n_baskets": n,
        "label_type": "int" if isinstance(baskets[0][0], int) else "str",
        "itemsets": itemsets,
        "incomplete_itemsets": incomplete_rows,
        "rules": rules,
        "errors": errors,
    }


def dump(x, level=0):
    """JSON with sorted keys, one itemset or rule row per line, so that a regeneration's diff
    shows which rows changed."""
    pad = " " * (level + 1)
    if isinstance(x, dict):
        items = [f"{pad}{json.dumps(k)}: {dump(x[k], level + 1)}" for k in sorted(x)]
        return "{\n" + ",\n".join(items) + "\n" + " " * level + "}" if items else "{}"
    if isinstance(x, list) and any(isinstance(e, (dict, list)) for e in x):
        items = [pad + (dump(e, level + 1) if isinstance(e, dict) else compact(e)) for e in x]
        return "[\n" + ",\n".join(items) + "\n" + " " * level + "]"
    return compact(x)


def compact(x):
    return json.dumps(x, sort_keys=True, separators=(",", ":"), allow_nan=False)


def write_csv(path, baskets):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["basket", "item"])
        for b, items in enumerate(baskets, start=1):
            for item in items:
                # The Rust test splits lines on the comma: keep labels free of CSV quoting.
                assert "," not in str(item) and '"' not in str(item)
                w.writerow([b, item])


def main():
    out_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE
    out_dir.mkdir(parents=True, exist_ok=True)
    datasets = []
    for name, baskets, supports, rules_support, extra in DATASETS:
        write_csv(out_dir / f"{name}.csv", baskets)
        datasets.append(dataset_reference(name, baskets, supports, rules_support, extra))
    doc = {
        "generator": "tests/reference/mlxtend/generate.py",
        "versions": {
            "python": platform.python_version(),
            "mlxtend": mlxtend.__version__,
            "numpy": np.__version__,
            "pandas": pd.__version__,
        },
        "rule_columns": RULE_COLUMNS,
        "datasets": datasets,
    }
    (out_dir / "mlxtend.json").write_text(dump(doc) + "\n")
    for d in datasets:
        n_sets = sum(len(c["itemsets"]) for c in d["itemsets"])
        n_rules = sum(len(c["rules"]) for c in d["rules"])
        print(f"{d['name']}: {d['n_baskets']} baskets, {n_sets} itemset rows, {n_rules} rule rows")


if __name__ == "__main__":
    main()
