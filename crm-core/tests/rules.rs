//! `analytics::rules` (and `analytics::itemsets`) against the committed mlxtend 0.23.4 reference
//! (tests/reference/mlxtend/mlxtend.json and the CSVs beside it, made by generate.py there),
//! plus `analytics::recommend` on the same data and the refusals of bad input.
//!
//! Rules are compared as sets keyed by (antecedent labels, consequent labels): exact equality of
//! the key sets, every column to 1e-9 · max(1, |mlxtend|), inf equal to inf and NaN to NaN.
//! Mined itemsets are compared as sets of label sets, supports to 1e-12.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;

use crm_core::analytics::baskets::{Itemsets, Transactions};
use crm_core::analytics::itemsets::{Algorithm, frequent_itemsets};
use crm_core::analytics::recommend::recommend;
use crm_core::analytics::rules::{Metric, Rule, association_rules};
use crm_core::{Error, ErrorCode};
use serde_json::Value;

/// The tolerance of the brief for rule metrics.
const TOL: f64 = 1e-9;
/// The tolerance of the brief for itemset supports.
const SUPPORT_TOL: f64 = 1e-12;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/reference/mlxtend")
}

fn reference() -> Value {
    let path = dir().join("mlxtend.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "read {}: {e} (run `make reference-mlxtend`)",
            path.display()
        )
    });
    serde_json::from_str(&text).expect("reference JSON parses")
}

fn list<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v[key]
        .as_array()
        .unwrap_or_else(|| panic!("{key} is not a list"))
}

fn text(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v}"))
}

fn int(v: &Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("not a count: {v}"))
}

/// A reference float: a JSON number, or "nan" / "inf" / "-inf".
fn float(v: &Value) -> f64 {
    match v {
        Value::Number(n) => n.as_f64().expect("finite number"),
        Value::String(s) if s == "nan" => f64::NAN,
        Value::String(s) if s == "inf" => f64::INFINITY,
        Value::String(s) if s == "-inf" => f64::NEG_INFINITY,
        other => panic!("not a float: {other}"),
    }
}

/// A label as text: strings as they are, ints in decimal (as the CSV writes them).
fn label(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        other => panic!("not a label: {other}"),
    }
}

type LabelSet = BTreeSet<String>;

fn label_set(v: &Value) -> LabelSet {
    v.as_array()
        .unwrap_or_else(|| panic!("not a label list: {v}"))
        .iter()
        .map(label)
        .collect()
}

/// One dataset: its baskets as `Transactions` and the labels in code order.
struct Data {
    transactions: Transactions,
    labels: Vec<String>,
    codes: HashMap<String, u32>,
}

impl Data {
    /// Reads `<name>.csv` (long format, `basket,item`, no quoting) as the library's users would.
    fn load(dataset: &Value) -> Data {
        let path = dir().join(text(&dataset["csv"]));
        let csv = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
        let mut lines = csv.lines();
        assert_eq!(lines.next(), Some("basket,item"), "{}", path.display());
        let (mut baskets, mut items) = (Vec::new(), Vec::new());
        for line in lines {
            let (b, i) = line
                .split_once(',')
                .unwrap_or_else(|| panic!("bad line {line:?}"));
            baskets.push(b.parse::<u64>().expect("basket id"));
            items.push(i.to_string());
        }
        let (transactions, labels) =
            Transactions::from_long_labels(&baskets, &items).expect("long format");
        assert_eq!(
            transactions.len() as u64,
            int(&dataset["n_baskets"]),
            "{}",
            path.display()
        );
        let codes = labels
            .iter()
            .enumerate()
            .map(|(c, l)| (l.clone(), c as u32))
            .collect();
        Data {
            transactions,
            labels,
            codes,
        }
    }

    fn n(&self) -> usize {
        self.transactions.len()
    }

    /// Reference itemset rows `[labels, support, count]` as `Itemsets`. The support is rebuilt
    /// as count / n — mlxtend's own division — so that it is exact whatever the JSON parser's
    /// last bit; the written support is checked against it.
    fn itemsets(&self, rows: &[Value]) -> Itemsets {
        let n = self.n();
        let mut out = Itemsets {
            n_transactions: n,
            ..Itemsets::default()
        };
        for row in rows {
            let mut codes: Vec<u32> = label_set(&row[0]).iter().map(|l| self.codes[l]).collect();
            codes.sort_unstable();
            let count = int(&row[2]);
            let support = count as f64 / n as f64;
            assert!((support - float(&row[1])).abs() <= SUPPORT_TOL, "{row}");
            out.itemsets.push(codes);
            out.count.push(count);
            out.support.push(support);
        }
        out
    }

    fn labels_of(&self, codes: &[u32]) -> LabelSet {
        codes
            .iter()
            .map(|&c| self.labels[c as usize].clone())
            .collect()
    }
}

/// Finds the itemsets a rules case names: an itemsets case id, or "incomplete".
fn case_itemsets<'a>(dataset: &'a Value, id: &str) -> &'a [Value] {
    if id == "incomplete" {
        return list(dataset, "incomplete_itemsets");
    }
    let case = list(dataset, "itemsets")
        .iter()
        .find(|c| text(&c["id"]) == id)
        .unwrap_or_else(|| panic!("no itemsets case {id}"));
    list(case, "itemsets")
}

fn values(rule: &Rule) -> [f64; 12] {
    Metric::ALL.map(|m| rule.value(m))
}

/// |got − want| ≤ TOL · max(1, |want|); inf must equal inf, NaN must match NaN.
fn close(got: f64, want: f64) -> bool {
    if want.is_nan() {
        got.is_nan()
    } else if want.is_infinite() {
        got == want
    } else {
        (got - want).abs() <= TOL * want.abs().max(1.0)
    }
}

/// Compares our rules to mlxtend's rows; returns how many values were compared.
fn compare_rules(
    case: &str,
    data: &Data,
    ours: &[Rule],
    rows: &[Value],
    columns: &[Value],
) -> usize {
    let names: Vec<&str> = columns.iter().map(text).collect();
    assert_eq!(
        names,
        Metric::NAMES,
        "rule_columns are mlxtend's, in Metric::ALL order"
    );
    let mut want: BTreeMap<(LabelSet, LabelSet), Vec<f64>> = BTreeMap::new();
    for row in rows {
        let key = (label_set(&row[0]), label_set(&row[1]));
        let vals = (0..12).map(|i| float(&row[2 + i])).collect();
        assert!(
            want.insert(key, vals).is_none(),
            "{case}: mlxtend repeats a rule"
        );
    }
    let mut got: BTreeMap<(LabelSet, LabelSet), [f64; 12]> = BTreeMap::new();
    for r in ours {
        let key = (data.labels_of(&r.antecedent), data.labels_of(&r.consequent));
        assert!(
            got.insert(key.clone(), values(r)).is_none(),
            "{case}: we repeat {key:?}"
        );
    }
    let missing: Vec<_> = want.keys().filter(|k| !got.contains_key(*k)).collect();
    let extra: Vec<_> = got.keys().filter(|k| !want.contains_key(*k)).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{case}: rule sets differ; mlxtend only: {missing:?}; ours only: {extra:?}"
    );
    let mut compared = 0;
    for (key, w) in &want {
        let g = &got[key];
        for (i, name) in names.iter().enumerate() {
            assert!(
                close(g[i], w[i]),
                "{case}: {key:?} {name} = {}, mlxtend gives {}",
                g[i],
                w[i]
            );
            compared += 1;
        }
    }
    compared
}

#[test]
fn rules_match_mlxtend() {
    let doc = reference();
    let columns = list(&doc, "rule_columns");
    let (mut cases, mut compared, mut nonempty) = (0, 0, 0);
    for dataset in list(&doc, "datasets") {
        let name = text(&dataset["name"]);
        let data = Data::load(dataset);
        for case in list(dataset, "rules") {
            let id = text(&case["itemsets"]);
            let itemsets = data.itemsets(case_itemsets(dataset, id));
            let metric: Metric = text(&case["metric"]).parse().expect("metric name");
            let threshold = float(&case["min_threshold"]);
            let support_only = case["support_only"].as_bool().expect("bool");
            let num = int(&case["num_itemsets"]) as usize;
            let label =
                format!("{name} {id} {metric} >= {threshold} support_only={support_only} N={num}");
            let ours = association_rules(&itemsets, Some(num), metric, threshold, support_only)
                .unwrap_or_else(|e| panic!("{label}: {e}"));
            let rows = list(case, "rules");
            compared += compare_rules(&label, &data, &ours, rows, columns);
            cases += 1;
            nonempty += usize::from(!rows.is_empty());
        }
        for case in list(dataset, "errors") {
            assert_eq!(text(&case["error"]), "KeyError");
            let itemsets = data.itemsets(case_itemsets(dataset, text(&case["itemsets"])));
            let metric: Metric = text(&case["metric"]).parse().expect("metric name");
            let err = association_rules(
                &itemsets,
                Some(int(&case["num_itemsets"]) as usize),
                metric,
                float(&case["min_threshold"]),
                false,
            )
            .expect_err("mlxtend raises KeyError");
            assert_eq!(err.code(), ErrorCode::InvalidInput, "{err}");
            assert!(
                err.to_string().contains("itemsets are not complete"),
                "{err}"
            );
        }
    }
    // The reference must exercise something: 4 datasets × 30-odd cases, most with rules.
    assert!(cases >= 100, "only {cases} rules cases");
    assert!(
        nonempty * 10 >= cases * 8,
        "only {nonempty} of {cases} cases have rules"
    );
    assert!(compared > 50_000, "only {compared} values compared");
}

#[test]
fn default_num_itemsets_is_the_number_of_transactions() {
    let doc = reference();
    let dataset = &list(&doc, "datasets")[1];
    let data = Data::load(dataset);
    let case = &list(dataset, "rules")[6];
    let itemsets = data.itemsets(case_itemsets(dataset, text(&case["itemsets"])));
    assert_eq!(int(&case["num_itemsets"]) as usize, itemsets.n_transactions);
    let metric: Metric = text(&case["metric"]).parse().expect("metric");
    let threshold = float(&case["min_threshold"]);
    let ours = association_rules(&itemsets, None, metric, threshold, false).expect("rules");
    let explicit =
        association_rules(&itemsets, Some(data.n()), metric, threshold, false).expect("rules");
    assert_eq!(ours, explicit);
    compare_rules(
        "default N",
        &data,
        &ours,
        list(case, "rules"),
        list(&doc, "rule_columns"),
    );
}

/// The miners against mlxtend's apriori and fpgrowth: the same itemsets, supports to 1e-12.
#[test]
fn mined_itemsets_match_mlxtend() {
    let doc = reference();
    let mut compared = 0;
    for dataset in list(&doc, "datasets") {
        let name = text(&dataset["name"]);
        let data = Data::load(dataset);
        for case in list(dataset, "itemsets") {
            let id = text(&case["id"]);
            let min_support = float(&case["min_support"]);
            let max_len = case["max_len"].as_u64().map(|m| m as usize);
            let want: BTreeMap<LabelSet, (f64, u64)> = list(case, "itemsets")
                .iter()
                .map(|r| (label_set(&r[0]), (float(&r[1]), int(&r[2]))))
                .collect();
            for algorithm in Algorithm::ALL {
                let found = frequent_itemsets(&data.transactions, min_support, max_len, algorithm)
                    .unwrap_or_else(|e| panic!("{id} {algorithm}: {e}"));
                assert_eq!(found.n_transactions, data.n(), "{id} {algorithm}");
                let got: BTreeMap<LabelSet, (f64, u64)> = found
                    .itemsets
                    .iter()
                    .zip(found.support.iter().zip(&found.count))
                    .map(|(s, (&sup, &c))| (data.labels_of(s), (sup, c)))
                    .collect();
                assert_eq!(
                    got.len(),
                    found.len(),
                    "{id} {algorithm}: repeated itemsets"
                );
                let missing: Vec<_> = want.keys().filter(|k| !got.contains_key(*k)).collect();
                let extra: Vec<_> = got.keys().filter(|k| !want.contains_key(*k)).collect();
                assert!(
                    missing.is_empty() && extra.is_empty(),
                    "{name} {id} {algorithm}: itemsets differ; mlxtend only: {missing:?}; ours only: {extra:?}"
                );
                for (set, (sup, count)) in &want {
                    let (s, c) = got[set];
                    assert!(
                        (s - sup).abs() <= SUPPORT_TOL,
                        "{id} {algorithm}: {set:?} support {s}, mlxtend {sup}"
                    );
                    assert_eq!(c, *count, "{id} {algorithm}: {set:?} count");
                    compared += 1;
                }
            }
        }
    }
    assert!(compared > 5_000, "only {compared} itemsets compared");
}

/// Mining and rules together give mlxtend's rules (what a user of the library runs).
#[test]
fn rules_from_mined_itemsets_match_mlxtend() {
    let doc = reference();
    let columns = list(&doc, "rule_columns");
    for dataset in list(&doc, "datasets") {
        let data = Data::load(dataset);
        for case in list(dataset, "rules") {
            let id = text(&case["itemsets"]);
            if id == "incomplete" || case["num_itemsets"] != dataset["n_baskets"] {
                continue;
            }
            let source = list(dataset, "itemsets")
                .iter()
                .find(|c| text(&c["id"]) == id)
                .expect("itemsets case");
            let mined = frequent_itemsets(
                &data.transactions,
                float(&source["min_support"]),
                source["max_len"].as_u64().map(|m| m as usize),
                Algorithm::FpGrowth,
            )
            .expect("mined");
            let metric: Metric = text(&case["metric"]).parse().expect("metric");
            let support_only = case["support_only"].as_bool().expect("bool");
            let ours = association_rules(
                &mined,
                None,
                metric,
                float(&case["min_threshold"]),
                support_only,
            )
            .expect("rules");
            let label = format!("mined {id} {metric} support_only={support_only}");
            compare_rules(&label, &data, &ours, list(case, "rules"), columns);
        }
    }
}

/// Recommendations on mlxtend's user-guide baskets (itemsets at min_support 0.6).
#[test]
fn recommends_from_the_docs_example() {
    let doc = reference();
    let dataset = &list(&doc, "datasets")[0];
    assert_eq!(text(&dataset["name"]), "docs");
    let data = Data::load(dataset);
    let itemsets = data.itemsets(case_itemsets(dataset, "docs/s=0.6/max_len=None"));
    let rules = association_rules(&itemsets, None, Metric::Confidence, 0.0, false).expect("rules");
    let code = |l: &str| data.codes[l];
    let label = |c: u32| data.labels[c as usize].as_str();

    // Onion → Eggs has lift 1.25; Onion → {Eggs, Kidney Beans} too, and it scores Kidney Beans
    // as well (Onion → Kidney Beans alone only has lift 1). A tie on lift, confidence (1) and
    // support (0.6): the lower code first, and Kidney Beans comes before Eggs in the CSV.
    let picks = recommend(&rules, &[code("Onion")], 5, Metric::Lift);
    let got: Vec<(&str, f64)> = picks.iter().map(|p| (label(p.item), p.score)).collect();
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].0, "Kidney Beans");
    assert_eq!(got[1].0, "Eggs");
    assert!(got.iter().all(|g| (g.1 - 1.25).abs() < 1e-12), "{got:?}");
    let kb_rule = &rules[picks[0].rule];
    assert_eq!(
        data.labels_of(&kb_rule.antecedent),
        LabelSet::from(["Onion".to_string()])
    );
    assert_eq!(kb_rule.consequent.len(), 2);

    // With Eggs already in the basket it is never recommended; Kidney Beans still is.
    let picks = recommend(
        &rules,
        &[code("Eggs"), code("Onion")],
        5,
        Metric::Confidence,
    );
    let got: Vec<&str> = picks.iter().map(|p| label(p.item)).collect();
    assert_eq!(got, ["Kidney Beans"]);

    // Milk alone: Kidney Beans (confidence 1); nothing else passes through a rule from Milk.
    let picks = recommend(&rules, &[code("Milk")], 5, Metric::Conviction);
    assert_eq!(picks.len(), 1);
    assert_eq!(label(picks[0].item), "Kidney Beans");
    assert_eq!(picks[0].score, f64::INFINITY);

    // n limits; an item outside every rule gets nothing.
    assert_eq!(
        recommend(&rules, &[code("Onion")], 1, Metric::Lift).len(),
        1
    );
    assert!(recommend(&rules, &[code("Dill")], 5, Metric::Lift).is_empty());
}

/// Bad input is refused with a typed error naming the parameter, and nothing is computed.
#[test]
fn bad_input_is_refused() {
    let doc = reference();
    let dataset = &list(&doc, "datasets")[0];
    let data = Data::load(dataset);
    let itemsets = data.itemsets(case_itemsets(dataset, "docs/s=0.6/max_len=None"));

    let err = association_rules(&itemsets, None, Metric::Lift, f64::NAN, false).unwrap_err();
    assert!(
        matches!(&err, Error::InvalidInput { field, .. } if field == "min_threshold"),
        "{err}"
    );
    let err = association_rules(&itemsets, Some(0), Metric::Lift, 1.0, false).unwrap_err();
    assert!(
        matches!(&err, Error::InvalidInput { field, .. } if field == "num_itemsets"),
        "{err}"
    );
    let err = "lifts".parse::<Metric>().unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    assert!(err.to_string().contains("zhangs_metric"), "{err}");

    // Empty itemsets: mlxtend's ValueError.
    let empty = Itemsets {
        n_transactions: 5,
        ..Itemsets::default()
    };
    let err = association_rules(&empty, None, Metric::Lift, 1.0, false).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);

    // The same call with good input still works: the function holds no state.
    let ok = association_rules(&itemsets, None, Metric::Lift, 1.0, false).expect("rules");
    assert!(!ok.is_empty());
}
