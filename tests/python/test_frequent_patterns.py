"""crm.analytics' market-basket analysis (frequent itemsets, association rules, recommendations)
against the committed mlxtend 0.23.4 reference (tests/reference/mlxtend/mlxtend.json: exact
itemset sets, supports to 1e-12, rule metrics to 1e-9 with inf and NaN as there), on every input
shape, and the store-backed calls `db.frequent_itemsets`, `db.association_rules`, `db.recommend`.
"""

from __future__ import annotations

import json
import math
import threading
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import crm
from crm import analytics
from crm.analytics import (
    apriori,
    association_rules,
    eclat,
    fpgrowth,
    frequent_itemsets,
    recommend,
)

REFERENCE = Path(__file__).resolve().parents[1] / "reference" / "mlxtend"
SUPPORT_TOL = 1e-12
RULE_TOL = 1e-9
ALGORITHMS = ("apriori", "fpgrowth", "eclat")
SHAPES = ("long", "long_shuffled", "pair", "dense", "sparse_bool", "sparse_int")


# ---------------------------------------------------------------- reference data


@pytest.fixture(scope="module")
def ref():
    with open(REFERENCE / "mlxtend.json", encoding="utf-8") as f:
        doc = json.load(f)
    assert doc["versions"]["mlxtend"] == "0.23.4"
    assert len(doc["datasets"]) == 4
    return doc


@pytest.fixture(scope="module")
def lines():
    """Each dataset's long-format CSV as a DataFrame (basket, item)."""
    out = {}
    for name in ("docs", "random_strings", "random_ints", "huge_baskets"):
        out[name] = pd.read_csv(REFERENCE / f"{name}.csv")
    return out


def num(v):
    """A reference float: a JSON number, or "nan" / "inf" / "-inf"."""
    return float(v)


def one_hot_matrix(frame):
    """(matrix, labels): the one-hot bool matrix of a long frame, items sorted as mlxtend's
    TransactionEncoder sorts its columns."""
    labels = sorted(frame["item"].unique().tolist())
    baskets = pd.factorize(frame["basket"])[0]
    col = {label: j for j, label in enumerate(labels)}
    m = np.zeros((baskets.max() + 1, len(labels)), dtype=bool)
    m[baskets, frame["item"].map(col).to_numpy()] = True
    return m, labels


def as_shape(frame, shape):
    """The dataset in one of the input shapes frequent_itemsets takes."""
    if shape == "long":
        return frame
    if shape == "long_shuffled":
        # Rows of one basket need not be adjacent; extra columns are ignored when named.
        shuffled = frame.sample(frac=1.0, random_state=3).reset_index(drop=True)
        shuffled["qty"] = 1
        return shuffled[["qty", "item", "basket"]]
    if shape == "pair":
        return (frame["basket"].to_numpy(), frame["item"].to_numpy())
    m, labels = one_hot_matrix(frame)
    if shape == "dense":
        return pd.DataFrame(m, columns=labels)
    if shape == "sparse_bool":
        return pd.DataFrame(
            {lab: pd.arrays.SparseArray(m[:, j], fill_value=False) for j, lab in enumerate(labels)}
        )
    if shape == "sparse_int":
        return pd.DataFrame(m.astype(np.int64), columns=labels).astype(pd.SparseDtype("int64", 0))
    raise AssertionError(shape)


def mine(data, shape, **kwargs):
    if shape == "long_shuffled":
        kwargs.update(basket_col="basket", item_col="item")
    return frequent_itemsets(data, **kwargs)


def as_dict(frame):
    """{frozenset: support} of an itemsets frame, checking the types on the way."""
    assert list(frame.columns[:2]) == ["support", "itemsets"]
    assert frame["support"].dtype == np.float64
    out = {}
    for s, sup in zip(frame["itemsets"], frame["support"]):
        assert isinstance(s, frozenset)
        assert s not in out, f"itemset {set(s)} listed twice"
        out[s] = float(sup)
    return out


def check_itemsets(case, got, n):
    want = {frozenset(labels): count / n for labels, _support, count in case["itemsets"]}
    got = as_dict(got)
    assert set(got) == set(want), (
        f"{case['id']}: missing {[set(s) for s in set(want) - set(got)][:5]}, "
        f"extra {[set(s) for s in set(got) - set(want)][:5]}"
    )
    for s, sup in want.items():
        assert abs(got[s] - sup) <= SUPPORT_TOL, f"{case['id']}: {set(s)} {got[s]!r} != {sup!r}"


def reference_itemsets(dataset, itemsets_id):
    """The reference's itemsets of one case as an mlxtend-style frame (support = count / n)."""
    n = dataset["n_baskets"]
    if itemsets_id == "incomplete":
        rows = dataset["incomplete_itemsets"]
    else:
        (case,) = [c for c in dataset["itemsets"] if c["id"] == itemsets_id]
        rows = case["itemsets"]
    return pd.DataFrame(
        {
            "support": [count / n for _labels, _s, count in rows],
            "itemsets": [frozenset(labels) for labels, _s, _count in rows],
        }
    )


def check_rules(where, got, want_rows, columns):
    assert list(got.columns) == ["antecedents", "consequents", *columns]
    got_rows = {}
    for row in got.itertuples(index=False):
        key = (row[0], row[1])
        assert isinstance(row[0], frozenset) and isinstance(row[1], frozenset)
        assert key not in got_rows, f"{where}: rule {key} listed twice"
        got_rows[key] = row[2:]
    want = {(frozenset(r[0]), frozenset(r[1])): r[2:] for r in want_rows}
    assert set(got_rows) == set(want), (
        f"{where}: missing {list(set(want) - set(got_rows))[:3]}, "
        f"extra {list(set(got_rows) - set(want))[:3]}"
    )
    for key, values in want.items():
        for column, g, w in zip(columns, got_rows[key], values):
            w = num(w)
            g = float(g)
            label = f"{where}: {set(key[0])} -> {set(key[1])} {column}"
            if math.isnan(w):
                assert math.isnan(g), f"{label} = {g!r}, reference nan"
            elif math.isinf(w):
                assert g == w, f"{label} = {g!r}, reference {w!r}"
            else:
                assert abs(g - w) <= RULE_TOL * max(1.0, abs(w)), f"{label} = {g!r}, reference {w!r}"


def rule_dict(frame):
    """{(antecedents, consequents): (metric values …)} of a rules frame."""
    return {
        (row[0], row[1]): tuple("nan" if math.isnan(v) else v for v in row[2:])
        for row in frame.itertuples(index=False)
    }


# ---------------------------------------------------------------- itemsets against mlxtend


@pytest.mark.parametrize("algorithm", ALGORITHMS)
@pytest.mark.parametrize("shape", SHAPES)
def test_itemsets_match_mlxtend(ref, lines, shape, algorithm):
    checked = 0
    for dataset in ref["datasets"]:
        data = as_shape(lines[dataset["name"]], shape)
        for case in dataset["itemsets"]:
            got = mine(
                data,
                shape,
                min_support=case["min_support"],
                algorithm=algorithm,
                max_len=case["max_len"],
            )
            check_itemsets(case, got, dataset["n_baskets"])
            checked += len(got)
    assert checked > 2500


@pytest.mark.parametrize("shape", ("long", "dense", "sparse_bool"))
def test_use_colnames_false_gives_positions(ref, lines, shape):
    """use_colnames=False: one-hot input gives column positions (as mlxtend), long input the
    item codes in order of first appearance (pd.factorize's order)."""
    for dataset in ref["datasets"]:
        frame = lines[dataset["name"]]
        data = as_shape(frame, shape)
        if shape == "long":
            labels = pd.factorize(frame["item"])[1].tolist()
        else:
            labels = list(data.columns)
        for case in dataset["itemsets"][:2]:
            got = frequent_itemsets(
                data, case["min_support"], max_len=case["max_len"], use_colnames=False
            )
            for s in got["itemsets"]:
                assert all(isinstance(i, int) and 0 <= i < len(labels) for i in s)
            relabelled = got.assign(itemsets=got["itemsets"].map(lambda s: frozenset(labels[i] for i in s)))
            check_itemsets(case, relabelled, dataset["n_baskets"])


def test_mlxtend_shortcuts_keep_its_defaults(ref, lines):
    docs = ref["datasets"][0]
    frame = lines["docs"]
    m, labels = one_hot_matrix(frame)
    df = pd.DataFrame(m, columns=labels)
    want = {frozenset(r[0]) for c in docs["itemsets"] if c["min_support"] == 0.6 and c["max_len"] is None for r in c["itemsets"]}
    for fn in (apriori, fpgrowth, eclat):
        # mlxtend's default min_support is 0.5 and use_colnames False (column positions).
        default = fn(df)
        assert all(isinstance(i, int) for s in default["itemsets"] for i in s)
        assert len(default) == len(frequent_itemsets(df, 0.5))
        got = fn(df, min_support=0.6, use_colnames=True)
        assert set(got["itemsets"]) == want
        # the extra mlxtend arguments are accepted
        assert fn(df, 0.6, True, None, 1).equals(got)
    assert apriori(df, 0.6, use_colnames=True, low_memory=True).equals(
        apriori(df, 0.6, use_colnames=True)
    )
    # the shortcuts take long input too
    assert set(fpgrowth(frame, 0.6, use_colnames=True)["itemsets"]) == want


def test_algorithms_agree_exactly(lines):
    for name, frame in lines.items():
        for min_support in (0.5, 0.05, 0.01):
            frames = [frequent_itemsets(frame, min_support, algorithm=a) for a in ALGORITHMS]
            for other in frames[1:]:
                pd.testing.assert_frame_equal(frames[0], other)
    # Data of another shape: a few huge baskets among many small ones, int labels.
    rng = np.random.default_rng(11)
    rows = []
    for b in range(3000):
        k = 60 if b % 500 == 0 else int(rng.integers(1, 6))
        for item in rng.choice(120, size=k, replace=False, p=_zipf(120)):
            rows.append((b, int(item)))
    frame = pd.DataFrame(rows, columns=["basket", "item"])
    for max_len in (None, 2, 3):
        frames = [
            frequent_itemsets(frame, 0.004, algorithm=a, max_len=max_len) for a in ALGORITHMS
        ]
        assert len(frames[0]) > 200
        if max_len:
            assert frames[0]["itemsets"].map(len).max() == max_len
        for other in frames[1:]:
            pd.testing.assert_frame_equal(frames[0], other)


def _zipf(n):
    w = 1.0 / np.arange(1, n + 1) ** 0.9
    return w / w.sum()


def test_itemsets_order_and_types(lines):
    got = frequent_itemsets(lines["random_ints"], 0.05)
    lengths = got["itemsets"].map(len).tolist()
    assert lengths == sorted(lengths)
    assert isinstance(got.index, pd.RangeIndex)
    labels = {i for s in got["itemsets"] for i in s}
    assert all(type(i) is int for i in labels)
    assert 42 in labels  # the carrier bag, in every basket
    assert got.loc[got["itemsets"] == frozenset({42}), "support"].item() == 1.0


def test_label_types_and_repeats():
    # A repeated item counts once; baskets and items of any hashable type; categorical items.
    frame = pd.DataFrame(
        {
            "order": ["o1", "o1", "o1", "o2", "o2", "o3"],
            "sku": pd.Categorical(["tea", "tea", "cup", "tea", "cup", "pot"]),
        }
    )
    got = as_dict(frequent_itemsets(frame, 0.5))
    assert got == {
        frozenset({"tea"}): 2 / 3,
        frozenset({"cup"}): 2 / 3,
        frozenset({"tea", "cup"}): 2 / 3,
    }
    pair = (np.array([10, 10, 20, 20, 30]), [1.5, 2.5, 1.5, 2.5, 1.5])
    assert as_dict(frequent_itemsets(pair, 0.6)) == {
        frozenset({1.5}): 1.0,
        frozenset({2.5}): 2 / 3,
        frozenset({1.5, 2.5}): 2 / 3,
    }
    # A two-column bool frame is one-hot, not long format.
    onehot = pd.DataFrame({"a": [True, True, False], "b": [True, False, False]})
    assert as_dict(frequent_itemsets(onehot, 0.3)) == {
        frozenset({"a"}): 2 / 3,
        frozenset({"b"}): 1 / 3,
        frozenset({"a", "b"}): 1 / 3,
    }
    # pandas' nullable boolean columns, and empty rows counting as baskets.
    nullable = onehot.astype("boolean")
    assert as_dict(frequent_itemsets(nullable, 0.3)) == as_dict(frequent_itemsets(onehot, 0.3))


def test_input_is_not_modified(lines):
    frame = lines["docs"].copy()
    before = frame.copy()
    sets = frequent_itemsets(frame, 0.4)
    pd.testing.assert_frame_equal(frame, before)
    sets_before = sets.copy()
    rules = association_rules(sets, metric="lift", min_threshold=1.0)
    pd.testing.assert_frame_equal(sets, sets_before)
    rules_before = rules.copy()
    recommend(rules, ["Eggs"])
    pd.testing.assert_frame_equal(rules, rules_before)


def test_mining_from_threads_agrees(lines):
    """Threads mining at once (the GIL is released while the native miner runs) all finish
    with the same result."""
    frame = lines["random_strings"]
    want = frequent_itemsets(frame, 0.01)
    results = []

    def work():
        results.append(frequent_itemsets(frame, 0.01, algorithm="eclat"))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 4
    for r in results:
        pd.testing.assert_frame_equal(r, want)


# ---------------------------------------------------------------- rules against mlxtend


def test_rules_match_mlxtend(ref):
    columns = ref["rule_columns"]
    assert tuple(columns) == analytics.RULE_METRICS
    checked = 0
    for dataset in ref["datasets"]:
        for case in dataset["rules"]:
            sets = reference_itemsets(dataset, case["itemsets"])
            got = association_rules(
                sets,
                num_itemsets=case["num_itemsets"],
                metric=case["metric"],
                min_threshold=num(case["min_threshold"]),
                support_only=case["support_only"],
            )
            where = f"{dataset['name']}/{case['itemsets']}/{case['metric']}>={case['min_threshold']}"
            check_rules(where, got, case["rules"], columns)
            checked += len(got)
    assert checked > 4000


def test_rules_from_our_itemsets_match_mlxtend(ref, lines):
    """The whole path: long data -> frequent_itemsets -> association_rules."""
    columns = ref["rule_columns"]
    for dataset in ref["datasets"]:
        for case in dataset["rules"]:
            if case["itemsets"] == "incomplete" or case["support_only"]:
                continue
            (itemsets_case,) = [c for c in dataset["itemsets"] if c["id"] == case["itemsets"]]
            sets = frequent_itemsets(
                lines[dataset["name"]],
                itemsets_case["min_support"],
                max_len=itemsets_case["max_len"],
            )
            got = association_rules(
                sets, case["num_itemsets"], metric=case["metric"],
                min_threshold=num(case["min_threshold"]),
            )
            check_rules(dataset["name"], got, case["rules"], columns)


def test_rules_defaults_and_options(ref):
    docs = ref["datasets"][0]
    sets = reference_itemsets(docs, "docs/s=0.6/max_len=None")
    # mlxtend 0.23.4's defaults: num_itemsets 1, confidence >= 0.8
    (case,) = [
        c for c in docs["rules"]
        if c["num_itemsets"] == 1 and c["metric"] == "confidence" and c["itemsets"] == "docs/s=0.6/max_len=None"
    ]
    check_rules("defaults", association_rules(sets), case["rules"], ref["rule_columns"])
    # df_orig=None and null_values=False are accepted as mlxtend's positional arguments
    assert association_rules(sets, 5, None, False, "lift", 1.0).shape[0] > 0
    # return_metrics picks columns
    few = association_rules(sets, 5, metric="lift", min_threshold=1.0, return_metrics=["lift", "support"])
    assert list(few.columns) == ["antecedents", "consequents", "lift", "support"]
    # no rule passes: an empty frame with the columns
    none = association_rules(sets, 5, metric="lift", min_threshold=10.0)
    assert len(none) == 0
    assert list(none.columns) == ["antecedents", "consequents", *ref["rule_columns"]]
    # itemsets given as lists or tuples are read as sets
    as_lists = sets.assign(itemsets=sets["itemsets"].map(sorted))
    assert rule_dict(association_rules(as_lists, 5, min_threshold=0.0)) == rule_dict(
        association_rules(sets, 5, min_threshold=0.0)
    )


def test_rules_with_int_labels_and_positions(ref, lines):
    """Rules from use_colnames=False itemsets (ints) are the same rules, relabelled."""
    frame = lines["random_strings"]
    m, labels = one_hot_matrix(frame)
    df = pd.DataFrame(m, columns=labels)
    by_name = association_rules(fpgrowth(df, 0.1, use_colnames=True), 2000, min_threshold=0.5)
    by_pos = association_rules(fpgrowth(df, 0.1), 2000, min_threshold=0.5)
    assert len(by_name) == len(by_pos) > 10
    relabel = lambda s: frozenset(labels[i] for i in s)  # noqa: E731
    by_pos = by_pos.assign(
        antecedents=by_pos["antecedents"].map(relabel),
        consequents=by_pos["consequents"].map(relabel),
    )
    assert rule_dict(by_name) == rule_dict(by_pos)


# ---------------------------------------------------------------- recommendations


def test_recommend_ranks_and_excludes_the_basket(ref):
    docs = ref["datasets"][0]
    sets = reference_itemsets(docs, "docs/s=0.4/max_len=None")
    rules = association_rules(sets, 5, metric="confidence", min_threshold=0.0)
    got = recommend(rules, ["Eggs", "Kidney Beans"], n=3, metric="lift")
    assert list(got.columns) == ["item", "score", "antecedents"]
    assert got["score"].dtype == np.float64
    assert len(got) == 3
    assert not {"Eggs", "Kidney Beans"} & set(got["item"])
    scores = got["score"].tolist()
    assert scores == sorted(scores, reverse=True)
    # Each score is the best lift among the applying rules that suggest the item.
    held = {"Eggs", "Kidney Beans"}
    for item, score, ants in got.itertuples(index=False):
        assert ants <= held
        applying = rules[
            rules["antecedents"].map(lambda a: a <= held)
            & rules["consequents"].map(lambda c: item in c)
        ]
        assert score == applying["lift"].max()
        assert any(
            (rules["antecedents"] == ants) & rules["consequents"].map(lambda c: item in c)
            & (rules["lift"] == score)
        )
    # n larger than the candidates, n = 0, and a basket no rule applies to
    everything = recommend(rules, ["Eggs", "Kidney Beans"], n=100)
    assert len(everything) >= 3 and not held & set(everything["item"])
    assert len(recommend(rules, ["Eggs"], n=0)) == 0
    assert len(recommend(rules, ["Unicorn-free"], n=5)) == 0
    # by confidence, with int labels
    by_conf = recommend(rules, ("Onion",), metric="confidence")
    assert by_conf["score"].iloc[0] == 1.0


def test_recommend_with_int_labels_and_support_only(lines):
    sets = frequent_itemsets(lines["random_ints"], 0.1)
    rules = association_rules(sets, 1000, min_threshold=0.1)
    got = recommend(rules, [42], n=2)
    assert len(got) == 2 and all(type(i) is int for i in got["item"])
    assert 42 not in set(got["item"])
    # support_only rules have NaN lift: no recommendation by lift, but some by support
    only = association_rules(sets, 1000, support_only=True, min_threshold=0.0)
    assert len(recommend(only, [42], metric="lift")) == 0
    assert len(recommend(only, [42], metric="support")) == 5
    # a rules frame lacking some metric columns (as older mlxtend makes) still ranks by lift
    slim = rules[["antecedents", "consequents", "support", "confidence", "lift"]]
    pd.testing.assert_frame_equal(recommend(slim, [42], n=2), got)


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize("min_support", [0, 0.0, -0.1, 1.0000001, 1.5, float("nan"), float("inf")])
def test_min_support_outside_unit_interval(lines, min_support):
    with pytest.raises(crm.InvalidInputError, match="min_support"):
        frequent_itemsets(lines["docs"], min_support)
    with pytest.raises(crm.InvalidInputError, match="min_support"):
        apriori(pd.DataFrame({"a": [True, False]}), min_support)


@pytest.mark.parametrize("min_support", ["0.5", True, None, [0.5]])
def test_min_support_of_the_wrong_type(lines, min_support):
    with pytest.raises(crm.InvalidArgumentError, match="min_support"):
        frequent_itemsets(lines["docs"], min_support)


@pytest.mark.parametrize("max_len", [0, -1])
def test_max_len_below_one(lines, max_len):
    with pytest.raises(crm.InvalidInputError, match="max_len"):
        frequent_itemsets(lines["docs"], 0.5, max_len=max_len)
    with pytest.raises(crm.InvalidArgumentError, match="max_len"):
        frequent_itemsets(lines["docs"], 0.5, max_len=1.5)


def test_empty_input():
    empty_long = pd.DataFrame({"basket": pd.Series([], dtype=int), "item": pd.Series([], dtype=str)})
    empty_one_hot = pd.DataFrame({"a": pd.Series([], dtype=bool), "b": pd.Series([], dtype=bool)})
    empty_sparse = empty_one_hot.astype(pd.SparseDtype(bool, False))
    for data in (empty_long, empty_one_hot, empty_sparse, ([], []), pd.DataFrame()):
        with pytest.raises(crm.InvalidInputError, match="no transactions"):
            frequent_itemsets(data, 0.5)


def test_missing_labels():
    items = pd.DataFrame({"basket": [1, 1, 2], "item": ["tea", np.nan, "cup"]})
    with pytest.raises(crm.InvalidInputError, match="row 1"):
        frequent_itemsets(items, 0.5)
    baskets = pd.DataFrame({"basket": [1, None, 2], "item": ["tea", "jam", "cup"]})
    with pytest.raises(crm.InvalidInputError, match="basket"):
        frequent_itemsets(baskets, 0.5)
    with pytest.raises(crm.InvalidInputError, match="missing"):
        frequent_itemsets(([1, 2], ["tea", None]), 0.5)
    na = pd.DataFrame({"a": [True, None, False], "b": [True, True, False]}, dtype="boolean")
    with pytest.raises(crm.InvalidInputError, match="missing"):
        frequent_itemsets(na, 0.5)
    nan_sparse = pd.DataFrame({"a": pd.arrays.SparseArray([1.0, np.nan, 0.0])})
    with pytest.raises(crm.InvalidInputError, match="missing"):
        frequent_itemsets(nan_sparse, 0.5)


def test_one_hot_values_other_than_zero_and_one():
    two = pd.DataFrame({"a": pd.arrays.SparseArray([1, 2, 0], fill_value=0)})
    with pytest.raises(crm.InvalidInputError, match="0 and 1"):
        frequent_itemsets(two, 0.5)
    ints = pd.DataFrame({"a": [1, 0, 1], "b": [0, 1, 1], "c": [1, 1, 1]})
    with pytest.raises(crm.InvalidArgumentError, match="astype\\(bool\\)"):
        frequent_itemsets(ints, 0.5)
    # converted as the message says, it works
    assert len(frequent_itemsets(ints.astype(bool), 0.5)) == 5


def test_data_of_the_wrong_shape(lines):
    frame = lines["docs"]
    bad = [
        [["tea", "cup"], ["tea"]],            # a list of baskets
        {"basket": [1], "item": ["tea"]},     # a dict
        "tea",
        (frame["basket"], frame["item"], frame["item"]),
        (frame["basket"], frame["item"].iloc[:-1]),  # lengths differ
        (np.zeros((2, 2)), np.zeros((2, 2))),
        frame.assign(extra=1),                # three columns, none named
    ]
    for data in bad:
        with pytest.raises(crm.InvalidArgumentError):
            frequent_itemsets(data, 0.5)
    with pytest.raises(crm.InvalidArgumentError, match="together"):
        frequent_itemsets(frame, 0.5, basket_col="basket")
    with pytest.raises(crm.InvalidArgumentError, match="no column"):
        frequent_itemsets(frame, 0.5, basket_col="basket", item_col="sku")
    with pytest.raises(crm.InvalidInputError, match="algorithm"):
        frequent_itemsets(frame, 0.5, algorithm="fp-growth")


def test_rules_bad_input(ref):
    docs = ref["datasets"][0]
    sets = reference_itemsets(docs, "docs/s=0.6/max_len=None")
    with pytest.raises(crm.InvalidInputError, match="empty"):
        association_rules(sets.iloc[:0])
    with pytest.raises(crm.InvalidArgumentError, match="support"):
        association_rules(sets[["itemsets"]])
    with pytest.raises(crm.InvalidArgumentError):
        association_rules([(0.5, frozenset({"a"}))])
    with pytest.raises(crm.UnsupportedError, match="null_values"):
        association_rules(sets, 5, null_values=True)
    with pytest.raises(crm.UnsupportedError, match="df_orig"):
        association_rules(sets, 5, df_orig=pd.DataFrame({"a": [True]}))
    with pytest.raises(crm.InvalidInputError, match="metric"):
        association_rules(sets, 5, metric="zhang")
    with pytest.raises(crm.InvalidInputError, match="min_threshold"):
        association_rules(sets, 5, min_threshold=float("nan"))
    with pytest.raises(crm.InvalidInputError, match="num_itemsets"):
        association_rules(sets, 0)
    with pytest.raises(crm.InvalidInputError, match="num_itemsets"):
        association_rules(sets, -3)
    with pytest.raises(crm.InvalidInputError, match="return_metrics"):
        association_rules(sets, 5, return_metrics=["lift", "oomph"])
    too_big = sets.assign(support=sets["support"] * 2)
    with pytest.raises(crm.InvalidInputError, match="must be in"):
        association_rules(too_big, 5)
    with pytest.raises(crm.InvalidArgumentError, match="support"):
        association_rules(sets.assign(support="high"), 5)
    with pytest.raises(crm.InvalidInputError, match="missing label"):
        association_rules(sets.assign(itemsets=[frozenset({None, "a"})] * len(sets)), 5)
    # incomplete itemsets: mlxtend's KeyError, here a clear InvalidInputError (a ValueError)
    incomplete = reference_itemsets(docs, "incomplete")
    (err,) = docs["errors"]
    assert err["error"] == "KeyError"
    with pytest.raises(crm.InvalidInputError, match="not complete"):
        association_rules(incomplete, 5, metric="confidence", min_threshold=0.8)


def test_recommend_bad_input(ref):
    docs = ref["datasets"][0]
    rules = association_rules(reference_itemsets(docs, "docs/s=0.6/max_len=None"), 5)
    with pytest.raises(crm.InvalidInputError, match="metric"):
        recommend(rules, ["Eggs"], metric="oomph")
    with pytest.raises(crm.InvalidInputError, match="n"):
        recommend(rules, ["Eggs"], n=-1)
    with pytest.raises(crm.InvalidArgumentError, match="basket"):
        recommend(rules, "Eggs")
    with pytest.raises(crm.InvalidArgumentError, match="basket"):
        recommend(rules, 7)
    with pytest.raises(crm.InvalidArgumentError, match="lift"):
        recommend(rules.drop(columns="lift"), ["Eggs"])
    with pytest.raises(crm.InvalidArgumentError, match="antecedents"):
        recommend(rules[["lift"]], ["Eggs"])


def test_errors_are_also_builtin_exceptions(lines):
    with pytest.raises(ValueError):
        frequent_itemsets(lines["docs"], 2.0)
    with pytest.raises(TypeError):
        frequent_itemsets(lines["docs"], "half")


# ---------------------------------------------------------------- the store


T = datetime(2026, 1, 10, 12)

CATALOGUE = [
    ("TEA", "Green tea", "tea"),
    ("CUP", "Tea cup", "ware"),
    ("POT", "Tea pot", "ware"),
    ("JAM", "Plum jam", "food"),
    ("HONEY", "Acacia honey", "food"),
]

# (customer index, skus, day of January 2026)
BASKETS = [
    (0, ["TEA", "CUP"], 2),
    (0, ["TEA", "CUP", "POT"], 3),
    (1, ["TEA", "CUP"], 4),
    (1, ["TEA", "JAM", "TEA"], 5),
    (2, ["TEA", "CUP", "HONEY"], 6),
    (2, ["POT"], 20),
    (3, ["JAM", "HONEY"], 21),
    (3, ["TEA", "HONEY"], 22),
]


@pytest.fixture
def store(db):
    """A store of five products, four customers and eight completed purchases (plus one
    refunded, which no basket includes); returns (db, customers, {sku: product})."""
    products = {}
    for sku, name, category in CATALOGUE:
        products[sku] = db.products.add(sku, name, category=category, price=500, currency="EUR")
    customers = [db.customers.add(f"Customer {i}") for i in range(5)]
    for who, skus, day in BASKETS:
        items = [{"sku": s, "quantity": 1, "unit_price": 500} for s in skus]
        db.purchases.add(
            customers[who].id, 500 * len(skus), "EUR", purchased_at=datetime(2026, 1, day, 12),
            items=items,
        )
    refund = db.purchases.add(
        customers[3].id, 1000, "EUR", purchased_at=datetime(2026, 1, 23, 12),
        items=[{"sku": "POT", "quantity": 1, "unit_price": 500},
               {"sku": "JAM", "quantity": 1, "unit_price": 500}],
    )
    db.purchases.set_status(refund.id, "refunded")
    return db, customers, products


def _baskets_frame(rows):
    return pd.DataFrame(
        [(b, sku) for b, (_who, skus, _day) in enumerate(rows) for sku in skus],
        columns=["basket", "item"],
    )


def test_store_itemsets_match_the_pure_function(store):
    db, _customers, products = store
    got = db.frequent_itemsets(0.25)
    assert list(got.columns) == ["support", "itemsets", "product_ids", "names"]
    want = frequent_itemsets(_baskets_frame(BASKETS), 0.25)
    assert as_dict(got) == as_dict(want)
    assert as_dict(got)[frozenset({"TEA", "CUP"})] == 4 / 8
    # product ids and names follow each itemset, in product-id order
    for s, ids, names in zip(got["itemsets"], got["product_ids"], got["names"]):
        assert isinstance(ids, tuple) and isinstance(names, tuple)
        assert list(ids) == sorted(products[sku].id for sku in s)
        assert names == tuple(next(p.name for p in products.values() if p.id == i) for i in ids)
    row = got[got["itemsets"] == frozenset({"TEA", "CUP"})].iloc[0]
    assert row["names"] == ("Green tea", "Tea cup")
    # every algorithm, and max_len
    for algorithm in ALGORITHMS:
        pd.testing.assert_frame_equal(db.frequent_itemsets(0.25, algorithm=algorithm), got)
    assert db.frequent_itemsets(0.25, max_len=1)["itemsets"].map(len).max() == 1


def test_store_itemsets_filters(store):
    db, _customers, _products = store
    early = db.frequent_itemsets(0.5, until=datetime(2026, 1, 7))
    want = frequent_itemsets(_baskets_frame([b for b in BASKETS if b[2] < 7]), 0.5)
    assert as_dict(early) == as_dict(want)
    late = db.frequent_itemsets(0.5, since=datetime(2026, 1, 7))
    want = frequent_itemsets(_baskets_frame([b for b in BASKETS if b[2] >= 7]), 0.5)
    assert as_dict(late) == as_dict(want)
    # one category: only its lines make the baskets (4 purchases hold food)
    food = db.frequent_itemsets(0.25, category="food")
    assert as_dict(food) == {
        frozenset({"JAM"}): 2 / 4,
        frozenset({"HONEY"}): 3 / 4,
        frozenset({"JAM", "HONEY"}): 1 / 4,
    }


def test_store_rules(store):
    db, _customers, _products = store
    rules = db.association_rules(0.25, metric="confidence", min_threshold=0.5)
    assert list(rules.columns) == [
        "antecedents", "consequents", *analytics.RULE_METRICS, "antecedent_names",
        "consequent_names",
    ]
    want = association_rules(
        frequent_itemsets(_baskets_frame(BASKETS), 0.25), 8, min_threshold=0.5
    )
    got_keys = {(a, c): conf for a, c, conf in zip(rules["antecedents"], rules["consequents"], rules["confidence"])}
    want_keys = {(a, c): conf for a, c, conf in zip(want["antecedents"], want["consequents"], want["confidence"])}
    assert set(got_keys) == set(want_keys) and len(got_keys) > 0
    for k, v in want_keys.items():
        assert abs(got_keys[k] - v) < 1e-12
    row = rules[(rules["antecedents"] == frozenset({"CUP"})) & (rules["consequents"] == frozenset({"TEA"}))].iloc[0]
    assert row["confidence"] == 1.0 and math.isinf(row["conviction"])
    assert row["antecedent_names"] == ("Tea cup",) and row["consequent_names"] == ("Green tea",)


def test_store_recommend(store):
    db, customers, products = store
    # Customer 3 bought JAM, HONEY, TEA: the rules suggest CUP (TEA -> CUP and more).
    got = db.recommend(customers[3].id, n=3, min_support=0.2, min_confidence=0.3)
    assert list(got.columns) == ["product_id", "sku", "name", "score", "because_of"]
    assert got["product_id"].dtype == np.int64 and got["score"].dtype == np.float64
    owned = {"JAM", "HONEY", "TEA"}
    assert not owned & set(got["sku"])
    assert got["sku"].iloc[0] == "CUP" and got["name"].iloc[0] == "Tea cup"
    owned_ids = {products[s].id for s in owned}
    assert set(got["because_of"].iloc[0]) <= owned_ids and len(got["because_of"].iloc[0]) > 0
    assert all(
        products[sku].id == pid and products[sku].name == name
        for sku, pid, name in zip(got["sku"], got["product_id"], got["name"])
    )
    # without popular fill-up only rule-backed products come; with it, up to n
    rule_only = db.recommend(customers[3].id, n=5, min_support=0.2, fill_with_popular=False)
    assert all(len(b) > 0 for b in rule_only["because_of"])
    filled = db.recommend(customers[3].id, n=5, min_support=0.2)
    assert set(filled["sku"]) == {"CUP", "POT"}  # every product the customer lacks
    # a customer who bought nothing gets popular products, TEA first (in 7 of 8 baskets)
    fresh = db.recommend(customers[4].id, n=2)
    assert fresh["sku"].tolist() == ["TEA", "CUP"]
    assert fresh["because_of"].tolist() == [(), ()]
    assert fresh["score"].tolist() == [6 / 8, 4 / 8]
    # n = 0
    assert len(db.recommend(customers[3].id, n=0)) == 0


def test_store_bad_input_leaves_the_store_unchanged(store):
    db, customers, _products = store
    before = (db.purchases.count(), db.products.count(), db.customers.count())
    with pytest.raises(crm.InvalidInputError, match="min_support"):
        db.frequent_itemsets(0)
    with pytest.raises(crm.InvalidInputError, match="min_support"):
        db.frequent_itemsets(float("nan"))
    with pytest.raises(crm.InvalidInputError, match="max_len"):
        db.frequent_itemsets(0.5, max_len=0)
    with pytest.raises(crm.InvalidInputError, match="algorithm"):
        db.frequent_itemsets(0.5, algorithm="magic")
    with pytest.raises(crm.InvalidArgumentError, match="since"):
        db.frequent_itemsets(0.5, since="yesterday")
    with pytest.raises(crm.InvalidInputError, match="metric"):
        db.association_rules(0.5, metric="oomph")
    with pytest.raises(crm.NotFoundError):
        db.recommend(999_999)
    with pytest.raises(crm.InvalidInputError, match="min_support"):
        db.recommend(customers[0].id, min_support=1.5)
    with pytest.raises(crm.InvalidInputError, match="min_confidence"):
        db.recommend(customers[0].id, min_confidence=2.0)
    with pytest.raises(crm.InvalidInputError, match="n"):
        db.recommend(customers[0].id, n=-1)
    with pytest.raises(crm.InvalidArgumentError, match="customer_id"):
        db.recommend("ada")
    assert (db.purchases.count(), db.products.count(), db.customers.count()) == before


def test_store_without_purchases(db):
    with pytest.raises(crm.InvalidInputError, match="no transactions"):
        db.frequent_itemsets(0.5)
    ada = db.customers.add("Ada")
    assert len(db.recommend(ada.id)) == 0


def test_closed_store(db):
    db.close()
    with pytest.raises(crm.InvalidArgumentError, match="closed"):
        db.frequent_itemsets(0.5)


# ---------------------------------------------------------------- the package


def test_exports_and_stubs():
    """crm.analytics exports the API, and _crm.pyi (installed with the wheel) names the native
    functions and Database methods behind it."""
    import ast

    from crm import _crm

    for name in ("frequent_itemsets", "apriori", "fpgrowth", "eclat", "association_rules",
                 "recommend", "ALGORITHMS", "RULE_METRICS"):
        assert name in analytics.__all__ and hasattr(analytics, name), name
    assert analytics.ALGORITHMS == ("apriori", "fpgrowth", "eclat")
    stub = ast.parse((Path(crm.__file__).parent / "_crm.pyi").read_text(encoding="utf-8"))
    top = {n.name for n in stub.body if isinstance(n, ast.FunctionDef)}
    top |= {n.target.id for n in stub.body if isinstance(n, ast.AnnAssign)}
    (database,) = [n for n in stub.body if isinstance(n, ast.ClassDef) and n.name == "Database"]
    methods = {n.name for n in database.body if isinstance(n, ast.FunctionDef)}
    for name in ("frequent_itemsets_long", "frequent_itemsets_dense", "frequent_itemsets_csr",
                 "association_rules", "recommend_basket", "BASKET_ALGORITHMS", "RULE_METRICS"):
        assert hasattr(_crm, name), name
        assert name in top, f"{name} not in the stub"
    for name in ("frequent_itemset_columns", "association_rule_columns", "recommend_columns"):
        assert hasattr(_crm.Database, name), name
        assert name in methods, f"Database.{name} not in the stub"
    for name in ("frequent_itemsets", "association_rules", "recommend"):
        assert callable(getattr(crm.Database, name)), name
