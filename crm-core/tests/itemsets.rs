//! Frequent itemsets: the three algorithms against a brute-force reference on data of many
//! shapes, a known answer (mlxtend's documentation example) and the input checks.

use crm_core::Error;
use crm_core::analytics::baskets::{Itemsets, Transactions, min_count};
use crm_core::analytics::itemsets::{Algorithm, frequent_itemsets};
use crm_core::analytics::{apriori, eclat, fpgrowth};

/// xorshift64*: a small seeded generator, so the data is the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// The naive reference: level by level, every extension of a frequent itemset by a larger item,
/// counted against every basket as a bit mask. Obviously right, and slow.
fn reference(t: &Transactions, min_count: u64, max_len: Option<usize>) -> Itemsets {
    assert!(t.n_items() <= 128);
    let masks: Vec<u128> = t
        .baskets()
        .map(|b| b.iter().fold(0u128, |m, &i| m | 1 << i))
        .collect();
    let count = |set: &[u32]| -> u64 {
        let m = set.iter().fold(0u128, |m, &i| m | 1 << i);
        masks.iter().filter(|&&b| b & m == m).count() as u64
    };
    let max_len = max_len.unwrap_or(usize::MAX);
    let mut out = Itemsets {
        n_transactions: t.len(),
        ..Itemsets::default()
    };
    let mut level: Vec<Vec<u32>> = vec![Vec::new()];
    let mut len = 1;
    while len <= max_len && !level.is_empty() {
        let mut next = Vec::new();
        for set in &level {
            let from = set.last().map_or(0, |&l| l + 1);
            for i in from..t.n_items() as u32 {
                let mut s = set.clone();
                s.push(i);
                let c = count(&s);
                if c >= min_count.max(1) {
                    out.itemsets.push(s.clone());
                    out.count.push(c);
                    out.support.push(c as f64 / t.len() as f64);
                    next.push(s);
                }
            }
        }
        level = next;
        len += 1;
    }
    out.canonicalize();
    out
}

fn assert_same(label: &str, got: &Itemsets, want: &Itemsets) {
    assert_eq!(
        got.n_transactions, want.n_transactions,
        "{label}: n_transactions"
    );
    assert_eq!(got.itemsets, want.itemsets, "{label}: itemsets");
    assert_eq!(got.count, want.count, "{label}: counts");
    assert_eq!(got.support, want.support, "{label}: supports");
}

/// Runs all three miners and the reference on `t` at several thresholds and lengths.
fn check(label: &str, t: &Transactions, supports: &[f64], lens: &[Option<usize>]) -> usize {
    let mut found = 0;
    for &s in supports {
        for &max_len in lens {
            let min = min_count(s, max_len, t.len()).unwrap();
            let want = reference(t, min, max_len);
            for algorithm in Algorithm::ALL {
                let got = frequent_itemsets(t, s, max_len, algorithm).unwrap();
                assert_same(
                    &format!("{label} support {s} max_len {max_len:?} {algorithm}"),
                    &got,
                    &want,
                );
            }
            found += want.len();
        }
    }
    found
}

const LENS: [Option<usize>; 5] = [None, Some(1), Some(2), Some(3), Some(4)];

/// Baskets with popular and rare items, a planted pattern, some empty and single-item baskets.
fn random_baskets(rng: &mut Rng, n: usize, n_items: u32, mean: u64) -> Vec<Vec<u32>> {
    (0..n)
        .map(|_| {
            let size = rng.below(2 * mean + 1);
            let mut b: Vec<u32> = (0..size)
                .map(|_| {
                    // Squaring a uniform draw skews towards the low codes (popular items).
                    let u = rng.below(1 << 16) as f64 / 65536.0;
                    (u * u * f64::from(n_items)) as u32
                })
                .collect();
            if rng.below(4) == 0 {
                b.extend([n_items - 1, n_items - 2, n_items - 3]);
            }
            b
        })
        .collect()
}

#[test]
fn random_data_of_many_shapes_matches_the_reference() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut total = 0;
    for (round, &(n, n_items, mean)) in [
        (1usize, 3u32, 2u64),
        (7, 5, 2),
        (40, 8, 3),
        (200, 12, 4),
        (300, 20, 6),
        (500, 40, 3),
        (120, 16, 9),
    ]
    .iter()
    .enumerate()
    {
        for rep in 0..3 {
            let baskets = random_baskets(&mut rng, n, n_items, mean);
            let t = Transactions::from_baskets(&baskets, n_items as usize).unwrap();
            total += check(
                &format!("shape {round} rep {rep} ({n} baskets, {n_items} items)"),
                &t,
                &[1.0, 0.5, 0.2, 0.1, 0.03, 0.01],
                &LENS,
            );
        }
    }
    // The data must actually exercise the miners: many itemsets, some long.
    assert!(total > 5_000, "only {total} itemsets");
}

/// Thousands of baskets, some long: the FP-tree's radix sort of paths and its packed keys
/// (paths longer than a key holds) are used.
#[test]
fn many_and_long_baskets_match_the_reference() {
    let mut rng = Rng(0xDEAD_BEEF);
    let baskets = random_baskets(&mut rng, 3000, 40, 9);
    assert!(baskets.iter().filter(|b| b.len() > 12).count() > 500);
    let t = Transactions::from_baskets(&baskets, 40).unwrap();
    let found = check(
        "3000 long baskets",
        &t,
        &[0.3, 0.1, 0.05],
        &[None, Some(2), Some(5)],
    );
    assert!(found > 1000, "{found}");
}

#[test]
fn empty_single_item_and_identical_baskets() {
    let empty = Transactions::from_baskets(&[Vec::<u32>::new(), vec![], vec![]], 4).unwrap();
    for algorithm in Algorithm::ALL {
        let got = frequent_itemsets(&empty, 0.1, None, algorithm).unwrap();
        assert!(got.is_empty(), "{algorithm}");
        assert_eq!(got.n_transactions, 3);
    }

    let singles =
        Transactions::from_baskets(&[vec![0], vec![1], vec![0], vec![], vec![2]], 3).unwrap();
    check("single-item baskets", &singles, &[1.0, 0.4, 0.2], &LENS);
    let got = frequent_itemsets(&singles, 0.4, None, Algorithm::Eclat).unwrap();
    assert_eq!(got.itemsets, vec![vec![0]]);
    assert_eq!(got.support, vec![0.4]);

    // Every basket the same: every subset is frequent with support 1, even at support 1.0.
    let same: Vec<Vec<u32>> = (0..50).map(|_| vec![1, 3, 4, 6, 7, 9, 10]).collect();
    let t = Transactions::from_baskets(&same, 11).unwrap();
    check("identical baskets", &t, &[1.0, 0.5], &LENS);
    for algorithm in Algorithm::ALL {
        let got = frequent_itemsets(&t, 1.0, None, algorithm).unwrap();
        assert_eq!(got.len(), 127, "{algorithm}");
        assert!(got.support.iter().all(|&s| s == 1.0));
        assert_eq!(got.itemsets.last().unwrap(), &vec![1, 3, 4, 6, 7, 9, 10]);
        assert_eq!(
            frequent_itemsets(&t, 1.0, Some(2), algorithm)
                .unwrap()
                .len(),
            7 + 21
        );
    }

    // Nearly identical baskets make dense data (long tid-lists, short diffsets).
    let mut rng = Rng(42);
    let dense: Vec<Vec<u32>> = (0..300)
        .map(|_| (0..10u32).filter(|_| rng.below(10) < 8).collect())
        .collect();
    let t = Transactions::from_baskets(&dense, 10).unwrap();
    check("dense baskets", &t, &[0.9, 0.5, 0.3, 0.1], &LENS);
}

#[test]
fn a_few_huge_baskets_among_ordinary_ones() {
    let mut rng = Rng(7);
    let mut baskets = random_baskets(&mut rng, 400, 100, 3);
    for h in 0..6u32 {
        // 60–100 items each, overlapping heavily so that they share many itemsets.
        let size = 60 + 8 * h;
        baskets.push((0..size).map(|k| (k * 97 + h) % 100).collect());
    }
    let t = Transactions::from_baskets(&baskets, 100).unwrap();
    // At 0.01 (5 baskets) the huge baskets alone make long itemsets frequent only with max_len.
    check("huge baskets", &t, &[0.05, 0.02], &LENS);
    check(
        "huge baskets, short",
        &t,
        &[0.01],
        &[Some(1), Some(2), Some(3)],
    );
}

#[test]
fn per_algorithm_entry_points_agree_and_take_a_min_count() {
    let mut rng = Rng(99);
    let baskets = random_baskets(&mut rng, 250, 15, 4);
    let t = Transactions::from_baskets(&baskets, 15).unwrap();
    for min in [0u64, 1, 3, 25, 250, 251] {
        let want = reference(&t, min, None);
        assert_same("apriori::mine", &apriori::mine(&t, min, None), &want);
        assert_same("fpgrowth::mine", &fpgrowth::mine(&t, min, None), &want);
        assert_same("eclat::mine", &eclat::mine(&t, min, None), &want);
    }
    for mine in [apriori::mine, fpgrowth::mine, eclat::mine] {
        let got = mine(&t, 2, Some(0));
        assert!(got.is_empty());
        assert_eq!(got.n_transactions, 250);
    }
}

/// mlxtend's documentation example (`mlxtend.frequent_patterns.apriori`, min_support 0.6).
#[test]
fn mlxtend_documentation_example() {
    let rows = [
        vec!["Milk", "Onion", "Nutmeg", "Kidney Beans", "Eggs", "Yogurt"],
        vec!["Dill", "Onion", "Nutmeg", "Kidney Beans", "Eggs", "Yogurt"],
        vec!["Milk", "Apple", "Kidney Beans", "Eggs"],
        vec!["Milk", "Unicorn", "Corn", "Kidney Beans", "Yogurt"],
        vec![
            "Corn",
            "Onion",
            "Onion",
            "Kidney Beans",
            "Ice cream",
            "Eggs",
        ],
    ];
    let mut basket_ids = Vec::new();
    let mut labels = Vec::new();
    for (b, row) in rows.iter().enumerate() {
        for &item in row {
            basket_ids.push(b);
            labels.push(item);
        }
    }
    let (t, names) = Transactions::from_long_labels(&basket_ids, &labels).unwrap();
    let mut want: Vec<(f64, Vec<&str>)> = vec![
        (0.8, vec!["Eggs"]),
        (1.0, vec!["Kidney Beans"]),
        (0.6, vec!["Milk"]),
        (0.6, vec!["Onion"]),
        (0.6, vec!["Yogurt"]),
        (0.8, vec!["Eggs", "Kidney Beans"]),
        (0.6, vec!["Eggs", "Onion"]),
        (0.6, vec!["Kidney Beans", "Milk"]),
        (0.6, vec!["Kidney Beans", "Onion"]),
        (0.6, vec!["Kidney Beans", "Yogurt"]),
        (0.6, vec!["Eggs", "Kidney Beans", "Onion"]),
    ];
    want.sort_by(|a, b| a.1.len().cmp(&b.1.len()).then(a.1.cmp(&b.1)));
    for algorithm in Algorithm::ALL {
        let got = frequent_itemsets(&t, 0.6, None, algorithm).unwrap();
        let mut named: Vec<(f64, Vec<&str>)> = got
            .itemsets
            .iter()
            .zip(&got.support)
            .map(|(set, &s)| {
                let mut n: Vec<&str> = set.iter().map(|&i| names[i as usize]).collect();
                n.sort_unstable();
                (s, n)
            })
            .collect();
        named.sort_by(|a, b| a.1.len().cmp(&b.1.len()).then(a.1.cmp(&b.1)));
        assert_eq!(named, want, "{algorithm}");
    }
}

#[test]
fn support_threshold_is_compared_as_mlxtend_does() {
    // 7 of 10 baskets: 7 / 10 >= 0.7 holds in floating point although 0.7 · 10 > 7.
    let baskets: Vec<Vec<u32>> = (0..10)
        .map(|b| if b < 7 { vec![0, 1] } else { vec![2] })
        .collect();
    let t = Transactions::from_baskets(&baskets, 3).unwrap();
    for algorithm in Algorithm::ALL {
        let got = frequent_itemsets(&t, 0.7, None, algorithm).unwrap();
        assert_eq!(
            got.itemsets,
            vec![vec![0], vec![1], vec![0, 1]],
            "{algorithm}"
        );
        assert_eq!(got.count, vec![7, 7, 7]);
        assert_eq!(got.support, vec![0.7, 0.7, 0.7]);
        assert!(
            frequent_itemsets(&t, 0.7000001, None, algorithm)
                .unwrap()
                .is_empty()
        );
    }
}

fn invalid_field(r: Result<Itemsets, Error>) -> String {
    match r {
        Err(Error::InvalidInput { field, .. }) => field,
        other => panic!("expected InvalidInput, got {other:?}"),
    }
}

#[test]
fn bad_input_is_refused_with_the_field_named() {
    let t = Transactions::from_baskets(&[vec![0, 1], vec![1]], 2).unwrap();
    for algorithm in Algorithm::ALL {
        for s in [
            0.0,
            -0.1,
            1.0000001,
            2.0,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ] {
            assert_eq!(
                invalid_field(frequent_itemsets(&t, s, None, algorithm)),
                "min_support",
                "{s}"
            );
        }
        assert_eq!(
            invalid_field(frequent_itemsets(&t, 0.5, Some(0), algorithm)),
            "max_len"
        );
        let none = Transactions::from_baskets::<Vec<u32>>(&[], 2).unwrap();
        let err = frequent_itemsets(&none, 0.5, None, algorithm).unwrap_err();
        assert!(err.to_string().contains("no transactions"), "{err}");
        assert!(matches!(err, Error::InvalidInput { .. }));
    }
    assert!("Apriori ".parse::<Algorithm>().is_err());
    assert_eq!("eclat".parse::<Algorithm>().unwrap(), Algorithm::Eclat);
}
