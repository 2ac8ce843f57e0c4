/* Market-basket analysis through the C API: frequent itemsets (long format and one-hot, the three
 * algorithms), association rules with mlxtend's metrics, recommendations from rules, and the
 * store-backed itemsets and product recommendations; then bad input, each checked for its
 * documented code and message, a NULL out-parameter and an unchanged store. Built by
 * `make test-c` with -std=c99 -pedantic, linked statically and dynamically, run under valgrind.
 *
 * The expected values come from tests/reference/mlxtend/mlxtend.json (mlxtend 0.23.4 on the
 * "docs" dataset, the five baskets of mlxtend's user guide; see generate.py there), copied by
 * hand as constants; the JSON is not read at run time. */
#include <crm.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int passed, failed;

static void check(int ok, const char *file, int line, const char *what) {
    if (ok) {
        passed++;
        return;
    }
    failed++;
    fprintf(stderr, "%s:%d: CHECK(%s) failed\n    last error: %s: %s\n", file, line, what,
            crm_code_name(crm_errcode(NULL)), crm_errmsg(NULL));
}

#define CHECK(cond) check((cond) != 0, __FILE__, __LINE__, #cond)
#define STREQ(a, b) ((a) != NULL && strcmp((a), (b)) == 0)
#define CONTAINS(haystack, needle) ((haystack) != NULL && strstr((haystack), (needle)) != NULL)
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

#define DAY INT64_C(86400000000)
#define T0 INT64_C(1767225600000000) /* 2026-01-01T00:00:00Z */

static int near(double a, double b, double tol) {
    double d = a - b;
    if (isinf(b)) return a == b;
    if (isnan(b)) return isnan(a);
    return (d < 0 ? -d : d) <= tol;
}

/* ------------------------------------------------------------------------------ the data */

/* mlxtend's docs example, items coded in the alphabetical order of TransactionEncoder's
 * columns, so that the one-hot column index of an item is its code. */
enum {
    APPLE, CORN, DILL, EGGS, ICE_CREAM, KIDNEY_BEANS, MILK, NUTMEG, ONION, UNICORN, YOGURT,
    N_ITEMS
};

/* tests/reference/mlxtend/docs.csv, row for row: Onion appears twice in basket 5. */
static const int64_t DOCS_BASKET[] = {1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 3, 3,
                                      3, 3, 4, 4, 4, 4, 4, 5, 5, 5, 5, 5, 5};
static const int64_t DOCS_ITEM[] = {
    MILK, ONION, NUTMEG, KIDNEY_BEANS, EGGS,  YOGURT,       DILL,      ONION, NUTMEG,
    KIDNEY_BEANS, EGGS, YOGURT, MILK, APPLE, KIDNEY_BEANS, EGGS,      MILK,  UNICORN,
    CORN, KIDNEY_BEANS, YOGURT, CORN, ONION, ONION,        KIDNEY_BEANS, ICE_CREAM, EGGS};

static crm_itemsets *docs_itemsets(double min_support, size_t max_len, int algorithm) {
    crm_itemsets *sets = NULL;
    CHECK(crm_frequent_itemsets(DOCS_BASKET, DOCS_ITEM, COUNT(DOCS_ITEM), min_support, max_len,
                                algorithm, &sets) == CRM_OK);
    CHECK(sets != NULL);
    return sets;
}

/* The same baskets as a dense one-hot matrix, 5 rows × 11 columns. */
static void docs_onehot(uint8_t cells[5 * N_ITEMS]) {
    size_t r;
    memset(cells, 0, 5 * N_ITEMS);
    for (r = 0; r < COUNT(DOCS_ITEM); r++)
        cells[(DOCS_BASKET[r] - 1) * N_ITEMS + DOCS_ITEM[r]] = 7; /* any non-zero byte */
}

/* ------------------------------------------------------------------------------ helpers */

static void sort_labels(int64_t *v, size_t n) {
    size_t i, j;
    for (i = 1; i < n; i++)
        for (j = i; j > 0 && v[j - 1] > v[j]; j--) {
            int64_t t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
}

/* Whether the `n` labels at `got` are the set `want` (`n` labels, ascending). */
static int same_set(const int64_t *got, size_t n, const int64_t *want, size_t want_n) {
    int64_t copy[16];
    size_t i;
    if (got == NULL || n != want_n || n > 16) return 0;
    memcpy(copy, got, n * sizeof *got);
    sort_labels(copy, n);
    for (i = 0; i < n; i++)
        if (copy[i] != want[i]) return 0;
    return 1;
}

/* The index of itemset `want` (ascending labels), or SIZE_MAX. */
static size_t find_itemset(const crm_itemsets *sets, const int64_t *want, size_t n) {
    size_t i;
    for (i = 0; i < crm_itemsets_len(sets); i++)
        if (same_set(crm_itemsets_items(sets, i), crm_itemsets_size(sets, i), want, n)) return i;
    return SIZE_MAX;
}

/* Whether `sets` holds `want` with this support (to 1e-12) and count. */
static int has_itemset(const crm_itemsets *sets, const int64_t *want, size_t n, double support,
                       size_t count) {
    size_t i = find_itemset(sets, want, n);
    return i != SIZE_MAX && near(crm_itemsets_support(sets, i), support, 1e-12) &&
           crm_itemsets_count(sets, i) == count;
}

/* The index of rule A → C (both ascending labels), or SIZE_MAX. */
static size_t find_rule(const crm_rules *rules, const int64_t *a, size_t na, const int64_t *c,
                        size_t nc) {
    size_t i;
    for (i = 0; i < crm_rules_len(rules); i++)
        if (same_set(crm_rules_antecedent(rules, i), crm_rules_antecedent_len(rules, i), a, na) &&
            same_set(crm_rules_consequent(rules, i), crm_rules_consequent_len(rules, i), c, nc))
            return i;
    return SIZE_MAX;
}

/* Whether rule `i` has mlxtend's twelve values `want` (in CRM_METRIC_* order) to 1e-9. */
static int rule_values(const crm_rules *rules, size_t i, const double want[12]) {
    int m;
    if (i == SIZE_MAX) return 0;
    for (m = 0; m < 12; m++)
        if (!near(crm_rules_value(rules, i, m), want[m], 1e-9)) {
            fprintf(stderr, "    rule %zu, %s: %.17g, expected %.17g\n", i, crm_metric_name(m),
                    crm_rules_value(rules, i, m), want[m]);
            return 0;
        }
    return 1;
}

static crm_rules *rules_of(const crm_itemsets *sets, int metric, double threshold) {
    crm_rules *rules = NULL;
    CHECK(crm_association_rules(sets, 0, metric, threshold, 0, &rules) == CRM_OK);
    CHECK(rules != NULL);
    return rules;
}

static size_t rule_count(const crm_itemsets *sets, int metric, double threshold) {
    crm_rules *rules = rules_of(sets, metric, threshold);
    size_t n = crm_rules_len(rules);
    crm_rules_free(rules);
    return n;
}

/* Whether two results list the same itemsets, supports and counts in the same order. */
static int same_itemsets(const crm_itemsets *a, const crm_itemsets *b) {
    size_t i, n = crm_itemsets_len(a);
    if (n != crm_itemsets_len(b) ||
        crm_itemsets_n_transactions(a) != crm_itemsets_n_transactions(b))
        return 0;
    for (i = 0; i < n; i++) {
        size_t k = crm_itemsets_size(a, i);
        if (k != crm_itemsets_size(b, i) || crm_itemsets_count(a, i) != crm_itemsets_count(b, i) ||
            crm_itemsets_support(a, i) != crm_itemsets_support(b, i) ||
            memcmp(crm_itemsets_items(a, i), crm_itemsets_items(b, i), k * sizeof(int64_t)) != 0)
            return 0;
    }
    return 1;
}

/* ------------------------------------------------------------------------------ itemsets */

static void test_docs_itemsets(void) {
    /* docs/s=0.6/max_len=None: all 11 itemsets of mlxtend, with support and count. */
    static const int64_t eggs[] = {EGGS}, beans[] = {KIDNEY_BEANS}, milk[] = {MILK},
                         onion[] = {ONION}, yogurt[] = {YOGURT}, eggs_beans[] = {EGGS, KIDNEY_BEANS},
                         eggs_onion[] = {EGGS, ONION}, beans_milk[] = {KIDNEY_BEANS, MILK},
                         beans_onion[] = {KIDNEY_BEANS, ONION},
                         beans_yogurt[] = {KIDNEY_BEANS, YOGURT},
                         eggs_beans_onion[] = {EGGS, KIDNEY_BEANS, ONION};
    /* docs/s=0.4: {Eggs, Kidney Beans, Nutmeg, Onion, Yogurt} 0.4 (2 baskets); docs/s=0.2: Apple
     * 0.2 (1), {Apple, Eggs} 0.2 (1). */
    static const int64_t five[] = {EGGS, KIDNEY_BEANS, NUTMEG, ONION, YOGURT}, apple[] = {APPLE},
                         apple_eggs[] = {APPLE, EGGS};
    crm_itemsets *sets = docs_itemsets(0.6, 0, CRM_ALGORITHM_FPGROWTH);
    size_t i;

    CHECK(crm_itemsets_len(sets) == 11);
    CHECK(crm_itemsets_n_transactions(sets) == 5);
    CHECK(has_itemset(sets, eggs, 1, 0.8, 4));
    CHECK(has_itemset(sets, beans, 1, 1.0, 5));
    CHECK(has_itemset(sets, milk, 1, 0.6, 3));
    CHECK(has_itemset(sets, onion, 1, 0.6, 3));
    CHECK(has_itemset(sets, yogurt, 1, 0.6, 3));
    CHECK(has_itemset(sets, eggs_beans, 2, 0.8, 4));
    CHECK(has_itemset(sets, eggs_onion, 2, 0.6, 3));
    CHECK(has_itemset(sets, beans_milk, 2, 0.6, 3));
    CHECK(has_itemset(sets, beans_onion, 2, 0.6, 3));
    CHECK(has_itemset(sets, beans_yogurt, 2, 0.6, 3));
    CHECK(has_itemset(sets, eggs_beans_onion, 3, 0.6, 3));
    /* Ordered by size; support is count / baskets. */
    for (i = 1; i < crm_itemsets_len(sets); i++)
        CHECK(crm_itemsets_size(sets, i - 1) <= crm_itemsets_size(sets, i));
    for (i = 0; i < crm_itemsets_len(sets); i++)
        CHECK(crm_itemsets_support(sets, i) == (double)crm_itemsets_count(sets, i) / 5.0);
    /* Out of range: 0, NULL, NaN; NULL itemsets likewise. */
    CHECK(crm_itemsets_size(sets, 11) == 0);
    CHECK(crm_itemsets_items(sets, 11) == NULL);
    CHECK(isnan(crm_itemsets_support(sets, 11)));
    CHECK(crm_itemsets_count(sets, 11) == 0);
    CHECK(crm_itemsets_len(NULL) == 0);
    CHECK(crm_itemsets_n_transactions(NULL) == 0);
    CHECK(crm_itemsets_items(NULL, 0) == NULL);
    CHECK(isnan(crm_itemsets_support(NULL, 0)));
    crm_itemsets_free(sets);

    /* Counts from the reference at the other supports, with and without max_len 2. */
    sets = docs_itemsets(0.4, 0, CRM_ALGORITHM_APRIORI);
    CHECK(crm_itemsets_len(sets) == 39);
    CHECK(has_itemset(sets, five, 5, 0.4, 2));
    crm_itemsets_free(sets);
    sets = docs_itemsets(0.4, 2, CRM_ALGORITHM_APRIORI);
    CHECK(crm_itemsets_len(sets) == 21);
    CHECK(find_itemset(sets, five, 5) == SIZE_MAX);
    crm_itemsets_free(sets);
    sets = docs_itemsets(0.2, 0, CRM_ALGORITHM_ECLAT);
    CHECK(crm_itemsets_len(sets) == 149);
    CHECK(has_itemset(sets, apple, 1, 0.2, 1));
    CHECK(has_itemset(sets, apple_eggs, 2, 0.2, 1));
    crm_itemsets_free(sets);
    sets = docs_itemsets(0.2, 2, CRM_ALGORITHM_ECLAT);
    CHECK(crm_itemsets_len(sets) == 47);
    crm_itemsets_free(sets);
    sets = docs_itemsets(0.6, 2, CRM_ALGORITHM_FPGROWTH);
    CHECK(crm_itemsets_len(sets) == 10);
    CHECK(find_itemset(sets, eggs_beans_onion, 3) == SIZE_MAX);
    crm_itemsets_free(sets);
}

static void test_algorithms_agree(void) {
    static const double supports[] = {0.2, 0.4, 0.6, 0.8, 1.0};
    static const size_t lens[] = {0, 1, 2, 3};
    size_t s, l;
    for (s = 0; s < COUNT(supports); s++)
        for (l = 0; l < COUNT(lens); l++) {
            crm_itemsets *a = docs_itemsets(supports[s], lens[l], CRM_ALGORITHM_APRIORI);
            crm_itemsets *f = docs_itemsets(supports[s], lens[l], CRM_ALGORITHM_FPGROWTH);
            crm_itemsets *e = docs_itemsets(supports[s], lens[l], CRM_ALGORITHM_ECLAT);
            CHECK(crm_itemsets_len(a) > 0);
            CHECK(same_itemsets(a, f));
            CHECK(same_itemsets(a, e));
            crm_itemsets_free(a);
            crm_itemsets_free(f);
            crm_itemsets_free(e);
        }
}

static void test_max_len(void) {
    crm_itemsets *all = docs_itemsets(0.2, 0, CRM_ALGORITHM_FPGROWTH);
    crm_itemsets *big = docs_itemsets(0.2, 1000, CRM_ALGORITHM_FPGROWTH);
    size_t k, i, longest = 0;
    /* 0 means no limit: the same as a limit above every basket. */
    CHECK(same_itemsets(all, big));
    for (i = 0; i < crm_itemsets_len(all); i++)
        if (crm_itemsets_size(all, i) > longest) longest = crm_itemsets_size(all, i);
    CHECK(longest == 6); /* baskets 1 and 2 have six distinct items */
    for (k = 1; k <= 6; k++) {
        crm_itemsets *cut = docs_itemsets(0.2, k, CRM_ALGORITHM_APRIORI);
        size_t expected = 0;
        for (i = 0; i < crm_itemsets_len(all); i++)
            if (crm_itemsets_size(all, i) <= k) expected++;
        CHECK(crm_itemsets_len(cut) == expected);
        for (i = 0; i < crm_itemsets_len(cut); i++) CHECK(crm_itemsets_size(cut, i) <= k);
        if (k == 1) CHECK(crm_itemsets_len(cut) == N_ITEMS); /* every item is in a basket */
        crm_itemsets_free(cut);
    }
    crm_itemsets_free(all);
    crm_itemsets_free(big);
}

static void test_onehot(void) {
    uint8_t cells[5 * N_ITEMS];
    crm_itemsets *dense = NULL, *s;
    int a;
    docs_onehot(cells);
    for (a = CRM_ALGORITHM_APRIORI; a <= CRM_ALGORITHM_ECLAT; a++) {
        size_t i;
        dense = NULL;
        CHECK(crm_frequent_itemsets_dense(cells, 5, N_ITEMS, 0.4, 0, a, &dense) == CRM_OK);
        s = docs_itemsets(0.4, 0, a);
        CHECK(crm_itemsets_len(dense) == 39);
        CHECK(crm_itemsets_n_transactions(dense) == 5);
        /* Labels are column indexes, which are the codes here: the same sets and supports. */
        for (i = 0; i < crm_itemsets_len(dense); i++) {
            int64_t sorted[16];
            size_t j, k = crm_itemsets_size(dense, i);
            memcpy(sorted, crm_itemsets_items(dense, i), k * sizeof(int64_t));
            sort_labels(sorted, k);
            /* The dense input's labels come out ascending. */
            CHECK(memcmp(sorted, crm_itemsets_items(dense, i), k * sizeof(int64_t)) == 0);
            j = find_itemset(s, sorted, k);
            CHECK(j != SIZE_MAX);
            CHECK(crm_itemsets_support(s, j) == crm_itemsets_support(dense, i));
        }
        crm_itemsets_free(dense);
        crm_itemsets_free(s);
    }
}

static void test_labels_round_trip(void) {
    /* Any int64_t labels and basket ids; rows of a basket need not be adjacent. */
    static const int64_t baskets[] = {INT64_MIN, 42, INT64_MIN, 42, -1, INT64_MIN};
    static const int64_t items[] = {INT64_MAX, INT64_MAX, -7, -7, 0, -7};
    static const int64_t pair[] = {-7, INT64_MAX};
    crm_itemsets *sets = NULL;
    CHECK(crm_frequent_itemsets(baskets, items, COUNT(items), 0.5, 0, CRM_ALGORITHM_ECLAT,
                                &sets) == CRM_OK);
    CHECK(crm_itemsets_n_transactions(sets) == 3);
    CHECK(crm_itemsets_len(sets) == 3);
    CHECK(has_itemset(sets, pair, 2, 2.0 / 3.0, 2));
    /* The items of an itemset come in the order the labels first appear. */
    CHECK(crm_itemsets_items(sets, 2)[0] == INT64_MAX);
    crm_itemsets_free(sets);
}

/* ------------------------------------------------------------------------------ rules */

static void test_docs_rules(void) {
    /* Rows of docs/s=0.6/max_len=None, metric support, threshold 0 (num_itemsets 5): the twelve
     * columns antecedent support … kulczynski. */
    static const double eggs_onion[12] = {0.8,  0.6, 0.6, 0.75, 1.25, 1.0, 0.12, 1.6,
                                          1.0000000000000002, 0.75, 0.37500000000000006, 0.875};
    static const double onion_eggs[12] = {0.6,  0.8, 0.6,      1.0, 1.25, 1.0,
                                          0.12, INFINITY, 0.5, 0.75, 1.0, 0.875};
    static const double eggs_beans[12] = {0.8, 1.0,      0.8, 1.0, 1.0, 1.0,
                                          0.0, INFINITY, 0.0, 0.8, 0.0, 0.9};
    static const double beans_eggs[12] = {1.0, 0.8, 0.8, 0.8, 1.0, 1.0,
                                          0.0, 1.0, 0.0, 0.8, 0.0, 0.9};
    static const int64_t eggs[] = {EGGS}, onion[] = {ONION}, beans[] = {KIDNEY_BEANS},
                         beans_onion[] = {KIDNEY_BEANS, ONION}, eggs_beans_l[] = {EGGS, KIDNEY_BEANS},
                         eggs_onion_l[] = {EGGS, ONION};
    crm_itemsets *sets = docs_itemsets(0.6, 0, CRM_ALGORITHM_FPGROWTH);
    crm_rules *rules = rules_of(sets, CRM_METRIC_SUPPORT, 0.0), *only = NULL;
    size_t i;

    CHECK(crm_rules_len(rules) == 16);
    CHECK(rule_values(rules, find_rule(rules, eggs, 1, onion, 1), eggs_onion));
    CHECK(rule_values(rules, find_rule(rules, onion, 1, eggs, 1), onion_eggs));
    CHECK(rule_values(rules, find_rule(rules, eggs, 1, beans, 1), eggs_beans));
    CHECK(rule_values(rules, find_rule(rules, beans, 1, eggs, 1), beans_eggs));
    CHECK(rule_values(rules, find_rule(rules, eggs, 1, beans_onion, 2), eggs_onion));
    CHECK(rule_values(rules, find_rule(rules, eggs_beans_l, 2, onion, 1), eggs_onion));
    CHECK(rule_values(rules, find_rule(rules, onion, 1, eggs_beans_l, 2), onion_eggs));
    CHECK(find_rule(rules, eggs_onion_l, 2, beans, 1) != SIZE_MAX);
    /* Rules follow the itemsets (five pairs, then the triple), larger antecedents first within
     * an itemset: the triple's six rules end the list, two-item antecedents first. */
    for (i = 0; i < 10; i++) CHECK(crm_rules_antecedent_len(rules, i) == 1);
    for (i = 10; i < 13; i++) CHECK(crm_rules_antecedent_len(rules, i) == 2);
    for (i = 13; i < 16; i++) CHECK(crm_rules_consequent_len(rules, i) == 2);
    for (i = 0; i < crm_rules_len(rules); i++)
        CHECK(crm_rules_antecedent_len(rules, i) + crm_rules_consequent_len(rules, i) >= 2);
    /* Out of range, unknown metric, NULL: NaN, 0, NULL. */
    CHECK(isnan(crm_rules_value(rules, 16, CRM_METRIC_SUPPORT)));
    CHECK(isnan(crm_rules_value(rules, 0, 12)));
    CHECK(isnan(crm_rules_value(NULL, 0, CRM_METRIC_SUPPORT)));
    CHECK(crm_rules_antecedent(rules, 16) == NULL);
    CHECK(crm_rules_consequent(rules, 16) == NULL);
    CHECK(crm_rules_antecedent_len(rules, 16) == 0);
    CHECK(crm_rules_len(NULL) == 0);
    crm_rules_free(rules);

    /* Rule counts of the reference at each metric and threshold. */
    CHECK(rule_count(sets, CRM_METRIC_CONFIDENCE, 0.8) == 9);
    CHECK(rule_count(sets, CRM_METRIC_CONFIDENCE, 0.5) == 16);
    CHECK(rule_count(sets, CRM_METRIC_LIFT, 1.5) == 0);
    CHECK(rule_count(sets, CRM_METRIC_LEVERAGE, 0.01) == 6);
    CHECK(rule_count(sets, CRM_METRIC_CONVICTION, 1.2) == 11);
    CHECK(rule_count(sets, CRM_METRIC_CONVICTION, INFINITY) == 8);
    CHECK(rule_count(sets, CRM_METRIC_ZHANGS_METRIC, 0.6) == 3);
    CHECK(rule_count(sets, CRM_METRIC_CERTAINTY, 0.4) == 3);
    CHECK(rule_count(sets, CRM_METRIC_REPRESENTATIVITY, 1.0) == 16);
    CHECK(rule_count(sets, CRM_METRIC_REPRESENTATIVITY, 1.5) == 0);
    CHECK(rule_count(sets, CRM_METRIC_ANTECEDENT_SUPPORT, 0.3) == 16);
    CHECK(rule_count(sets, CRM_METRIC_JACCARD, 0.3) == 16);
    CHECK(rule_count(sets, CRM_METRIC_KULCZYNSKI, 0.6) == 16);

    /* num_itemsets 1 (mlxtend's default) gives the same 9 rules at confidence 0.8. */
    rules = NULL;
    CHECK(crm_association_rules(sets, 1, CRM_METRIC_CONFIDENCE, 0.8, 0, &rules) == CRM_OK);
    CHECK(crm_rules_len(rules) == 9);
    crm_rules_free(rules);

    /* support_only: the metric is ignored (lift), support filters, every other value is NaN. */
    CHECK(crm_association_rules(sets, 0, CRM_METRIC_LIFT, 0.1, 1, &only) == CRM_OK);
    CHECK(crm_rules_len(only) == 16);
    i = find_rule(only, eggs, 1, beans, 1);
    CHECK(i != SIZE_MAX);
    CHECK(crm_rules_value(only, i, CRM_METRIC_SUPPORT) == 0.8);
    CHECK(isnan(crm_rules_value(only, i, CRM_METRIC_CONFIDENCE)));
    CHECK(isnan(crm_rules_value(only, i, CRM_METRIC_ANTECEDENT_SUPPORT)));
    CHECK(isnan(crm_rules_value(only, i, CRM_METRIC_REPRESENTATIVITY)));
    crm_rules_free(only);
    crm_itemsets_free(sets);

    /* docs/s=0.4: 132 rules at lift >= 1.2; docs/s=0.6/max_len=2: 10 at lift >= 1.0. */
    sets = docs_itemsets(0.4, 0, CRM_ALGORITHM_ECLAT);
    CHECK(rule_count(sets, CRM_METRIC_LIFT, 1.2) == 132);
    crm_itemsets_free(sets);
    sets = docs_itemsets(0.6, 2, CRM_ALGORITHM_APRIORI);
    CHECK(rule_count(sets, CRM_METRIC_LIFT, 1.0) == 10);
    crm_itemsets_free(sets);

    CHECK(STREQ(crm_metric_name(CRM_METRIC_ANTECEDENT_SUPPORT), "antecedent support"));
    CHECK(STREQ(crm_metric_name(CRM_METRIC_ZHANGS_METRIC), "zhangs_metric"));
    CHECK(STREQ(crm_metric_name(CRM_METRIC_KULCZYNSKI), "kulczynski"));
    CHECK(crm_metric_name(12) == NULL);
    CHECK(crm_metric_name(-1) == NULL);
}

/* ------------------------------------------------------------------------------ recommend */

static void test_recommend(void) {
    crm_itemsets *sets = docs_itemsets(0.6, 0, CRM_ALGORITHM_FPGROWTH);
    crm_rules *rules = rules_of(sets, CRM_METRIC_SUPPORT, 0.0);
    crm_recommendations *recs = NULL;
    static const int64_t eggs[] = {EGGS, 999 /* unknown: ignored */, EGGS};
    static const int64_t eggs_beans[] = {KIDNEY_BEANS, EGGS};
    static const int64_t onion[] = {ONION};
    int64_t rest[2];

    /* Eggs → Kidney Beans (confidence 1), Eggs → Onion (0.75). */
    CHECK(crm_recommend(rules, eggs, 3, 5, CRM_METRIC_CONFIDENCE, &recs) == CRM_OK);
    CHECK(crm_recommendations_len(recs) == 2);
    CHECK(crm_recommendations_item(recs, 0) == KIDNEY_BEANS);
    CHECK(crm_recommendations_score(recs, 0) == 1.0);
    CHECK(crm_recommendations_antecedent_len(recs, 0) == 1);
    CHECK(crm_recommendations_antecedent(recs, 0)[0] == EGGS);
    CHECK(crm_recommendations_item(recs, 1) == ONION);
    CHECK(near(crm_recommendations_score(recs, 1), 0.75, 1e-12));
    CHECK(crm_recommendations_rule(recs, 1) < crm_rules_len(rules));
    CHECK(crm_rules_value(rules, crm_recommendations_rule(recs, 1), CRM_METRIC_CONFIDENCE) ==
          crm_recommendations_score(recs, 1));
    /* Out of range. */
    CHECK(crm_recommendations_item(recs, 2) == 0);
    CHECK(isnan(crm_recommendations_score(recs, 2)));
    CHECK(crm_recommendations_rule(recs, 2) == SIZE_MAX);
    CHECK(crm_recommendations_antecedent(recs, 2) == NULL);
    CHECK(crm_recommendations_antecedent_len(recs, 2) == 0);
    CHECK(crm_recommendations_len(NULL) == 0);
    crm_recommendations_free(recs);

    /* n limits; n 0 gives none. */
    CHECK(crm_recommend(rules, eggs, 1, 1, CRM_METRIC_CONFIDENCE, &recs) == CRM_OK);
    CHECK(crm_recommendations_len(recs) == 1);
    CHECK(crm_recommendations_item(recs, 0) == KIDNEY_BEANS);
    crm_recommendations_free(recs);
    CHECK(crm_recommend(rules, eggs, 1, 0, CRM_METRIC_CONFIDENCE, &recs) == CRM_OK);
    CHECK(recs != NULL);
    CHECK(crm_recommendations_len(recs) == 0);
    crm_recommendations_free(recs);

    /* Never what the basket holds: {Kidney Beans, Eggs} gets Onion (0.75) first, then Milk and
     * Yogurt (0.6 each). */
    CHECK(crm_recommend(rules, eggs_beans, 2, 10, CRM_METRIC_CONFIDENCE, &recs) == CRM_OK);
    CHECK(crm_recommendations_len(recs) == 3);
    CHECK(crm_recommendations_item(recs, 0) == ONION);
    CHECK(near(crm_recommendations_score(recs, 0), 0.75, 1e-12));
    rest[0] = crm_recommendations_item(recs, 1);
    rest[1] = crm_recommendations_item(recs, 2);
    sort_labels(rest, 2);
    CHECK(rest[0] == MILK && rest[1] == YOGURT);
    CHECK(near(crm_recommendations_score(recs, 2), 0.6, 1e-12));
    crm_recommendations_free(recs);

    /* Conviction: a rule that is never wrong scores INFINITY. */
    CHECK(crm_recommend(rules, onion, 1, 5, CRM_METRIC_CONVICTION, &recs) == CRM_OK);
    CHECK(crm_recommendations_len(recs) == 2);
    CHECK(isinf(crm_recommendations_score(recs, 0)));
    CHECK(isinf(crm_recommendations_score(recs, 1)));
    crm_recommendations_free(recs);

    /* An empty basket, and a basket no rule applies to, get nothing. */
    CHECK(crm_recommend(rules, NULL, 0, 5, CRM_METRIC_LIFT, &recs) == CRM_OK);
    CHECK(crm_recommendations_len(recs) == 0);
    crm_recommendations_free(recs);
    crm_rules_free(rules);
    crm_itemsets_free(sets);
}

/* ------------------------------------------------------------------------------ bad input */

static void test_bad_input(void) {
    crm_itemsets *sets = (crm_itemsets *)&passed, *good = docs_itemsets(0.6, 0, 1);
    crm_rules *rules = (crm_rules *)&passed, *good_rules = rules_of(good, CRM_METRIC_SUPPORT, 0);
    crm_recommendations *recs = (crm_recommendations *)&passed;
    uint8_t cells[5 * N_ITEMS];
    const size_t n = COUNT(DOCS_ITEM);
    docs_onehot(cells);

    /* min_support outside (0, 1] or NaN. */
    CHECK(crm_frequent_itemsets(DOCS_BASKET, DOCS_ITEM, n, 0.0, 0, 1, &sets) == CRM_INVALID_INPUT);
    CHECK(sets == NULL);
    CHECK(crm_errcode(NULL) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(NULL), "min_support"));
    CHECK(CONTAINS(crm_errmsg(NULL), "(0, 1]"));
    sets = (crm_itemsets *)&passed;
    CHECK(crm_frequent_itemsets(DOCS_BASKET, DOCS_ITEM, n, 1.5, 0, 0, &sets) == CRM_INVALID_INPUT);
    CHECK(sets == NULL);
    CHECK(CONTAINS(crm_errmsg(NULL), "1.5"));
    CHECK(crm_frequent_itemsets(DOCS_BASKET, DOCS_ITEM, n, -0.2, 0, 2, &sets) == CRM_INVALID_INPUT);
    CHECK(crm_frequent_itemsets(DOCS_BASKET, DOCS_ITEM, n, NAN, 0, 2, &sets) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(NULL), "NaN"));
    CHECK(crm_frequent_itemsets_dense(cells, 5, N_ITEMS, NAN, 0, 0, &sets) == CRM_INVALID_INPUT);
    CHECK(crm_frequent_itemsets_dense(cells, 5, N_ITEMS, 0.0, 0, 0, &sets) == CRM_INVALID_INPUT);
    CHECK(sets == NULL);
    /* A success clears the thread's last error. */
    CHECK(crm_frequent_itemsets(DOCS_BASKET, DOCS_ITEM, n, 1.0, 0, 0, &sets) == CRM_OK);
    CHECK(crm_errcode(NULL) == CRM_OK);
    CHECK(STREQ(crm_errmsg(NULL), ""));
    CHECK(crm_itemsets_len(sets) == 1); /* Kidney Beans is in every basket */
    crm_itemsets_free(sets);

    /* Empty input: no baskets. */
    sets = (crm_itemsets *)&passed;
    CHECK(crm_frequent_itemsets(NULL, NULL, 0, 0.5, 0, 1, &sets) == CRM_INVALID_INPUT);
    CHECK(sets == NULL);
    CHECK(CONTAINS(crm_errmsg(NULL), "no transactions"));
    CHECK(crm_frequent_itemsets_dense(NULL, 0, 0, 0.5, 0, 1, &sets) == CRM_INVALID_INPUT);
    CHECK(crm_frequent_itemsets_dense(NULL, 0, N_ITEMS, 0.5, 0, 1, &sets) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(NULL), "no transactions"));

    /* NULL pointers and shapes. */
    CHECK(crm_frequent_itemsets(NULL, DOCS_ITEM, n, 0.5, 0, 1, &sets) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(NULL), "baskets is NULL"));
    CHECK(crm_frequent_itemsets(DOCS_BASKET, NULL, n, 0.5, 0, 1, &sets) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(NULL), "items is NULL"));
    CHECK(crm_frequent_itemsets(DOCS_BASKET, DOCS_ITEM, n, 0.5, 0, 1, NULL) ==
          CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(NULL), "out is NULL"));
    CHECK(crm_frequent_itemsets_dense(NULL, 5, N_ITEMS, 0.5, 0, 1, &sets) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(NULL), "cells is NULL"));
    CHECK(crm_frequent_itemsets_dense(cells, 5, 0, 0.5, 0, 1, &sets) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(NULL), "at least one column"));
    CHECK(crm_frequent_itemsets_dense(cells, SIZE_MAX, 2, 0.5, 0, 1, &sets) ==
          CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(NULL), "too large"));
    CHECK(crm_frequent_itemsets_dense(cells, 5, N_ITEMS, 0.5, 0, 1, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(sets == NULL);

    /* Unknown algorithm. */
    CHECK(crm_frequent_itemsets(DOCS_BASKET, DOCS_ITEM, n, 0.5, 0, 3, &sets) ==
          CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(NULL), "algorithm 3"));
    CHECK(crm_frequent_itemsets_dense(cells, 5, N_ITEMS, 0.5, 0, -1, &sets) ==
          CRM_INVALID_ARGUMENT);
    CHECK(sets == NULL);

    /* Rules: NULL itemsets or out, unknown metric, NaN threshold. */
    CHECK(crm_association_rules(NULL, 0, CRM_METRIC_LIFT, 1.0, 0, &rules) == CRM_INVALID_ARGUMENT);
    CHECK(rules == NULL);
    CHECK(CONTAINS(crm_errmsg(NULL), "itemsets is NULL"));
    CHECK(crm_association_rules(good, 0, CRM_METRIC_LIFT, 1.0, 0, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(crm_association_rules(good, 0, 12, 1.0, 0, &rules) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(NULL), "metric 12"));
    CHECK(crm_association_rules(good, 0, CRM_METRIC_LIFT, NAN, 0, &rules) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(NULL), "min_threshold"));
    CHECK(rules == NULL);

    /* Recommend: NULL rules, basket or out, unknown metric. */
    CHECK(crm_recommend(NULL, DOCS_ITEM, 1, 5, CRM_METRIC_LIFT, &recs) == CRM_INVALID_ARGUMENT);
    CHECK(recs == NULL);
    CHECK(CONTAINS(crm_errmsg(NULL), "rules is NULL"));
    CHECK(crm_recommend(good_rules, NULL, 2, 5, CRM_METRIC_LIFT, &recs) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(NULL), "basket is NULL"));
    CHECK(crm_recommend(good_rules, DOCS_ITEM, 1, 5, CRM_METRIC_LIFT, NULL) ==
          CRM_INVALID_ARGUMENT);
    CHECK(crm_recommend(good_rules, DOCS_ITEM, 1, 5, 99, &recs) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(NULL), "metric 99"));
    CHECK(recs == NULL);

    /* The inputs are untouched by the failures. */
    CHECK(crm_itemsets_len(good) == 11);
    CHECK(crm_rules_len(good_rules) == 16);

    /* Destructors accept NULL. */
    crm_itemsets_free(NULL);
    crm_rules_free(NULL);
    crm_recommendations_free(NULL);
    crm_product_recommendations_free(NULL);
    crm_rules_free(good_rules);
    crm_itemsets_free(good);
}

/* ------------------------------------------------------------------------------ the store */

static int64_t fixed_clock(void *ctx) { return *(const int64_t *)ctx; }

static int64_t add_customer(crm_db *db, const char *name) {
    crm_new_customer c;
    int64_t id = 0;
    crm_new_customer_init(&c, sizeof c);
    c.name = name;
    CHECK(crm_customer_add(db, &c, &id) == CRM_OK);
    return id;
}

static int64_t add_product(crm_db *db, const char *sku, const char *name, const char *category) {
    crm_new_product p;
    int64_t id = 0;
    crm_new_product_init(&p, sizeof p);
    p.sku = sku;
    p.name = name;
    p.category = category;
    CHECK(crm_product_add(db, &p, &id) == CRM_OK);
    return id;
}

/* A purchase of the products with these skus (NULL-terminated; a sku the catalogue lacks makes
 * a line without a product). */
static void buy(crm_db *db, int64_t customer, int64_t at, const char *status, const char **skus) {
    crm_new_line_item lines[8];
    crm_new_purchase p;
    size_t k;
    for (k = 0; skus[k] != NULL; k++) {
        crm_new_line_item_init(&lines[k], sizeof lines[k]);
        lines[k].sku = skus[k];
        lines[k].name = skus[k];
        lines[k].unit_price = 100;
    }
    crm_new_purchase_init(&p, sizeof p);
    p.customer_id = customer;
    p.purchased_at = at;
    p.amount = 100 * (int64_t)k;
    p.currency = "EUR";
    p.status = status;
    p.items = lines;
    p.items_len = k;
    CHECK(crm_purchase_add(db, &p, NULL) == CRM_OK);
}

static int64_t purchase_count(crm_db *db) {
    int64_t n = -1;
    CHECK(crm_purchase_count(db, NULL, &n) == CRM_OK);
    return n;
}

static size_t store_itemsets(crm_db *db, double min_support, size_t max_len,
                             const crm_basket_options *options) {
    crm_itemsets *sets = NULL;
    size_t n;
    CHECK(crm_basket_itemsets(db, min_support, max_len, CRM_ALGORITHM_FPGROWTH, options, &sets) ==
          CRM_OK);
    n = crm_itemsets_len(sets);
    crm_itemsets_free(sets);
    return n;
}

/* The store's baskets (completed purchases' catalogue products), six of them:
 *   Ada  T0+1d  TEA CUP (+ a gift-wrap line without a product)
 *   Bob  T0+2d  TEA CUP POT     Bob T0+3d TEA CUP
 *   Cy   T0+4d  TEA POT         Cy  T0+5d JAM
 *   Eve  T0+6d  TEA
 * and two that do not count: Dee's refunded TEA JAM and cancelled JAM CUP.
 * Counts: TEA 5, CUP 3, POT 2, JAM 1; TEA+CUP 3, TEA+POT 2, CUP+POT 1, TEA+CUP+POT 1. */
static void test_store(void) {
    static const char *tea_cup_wrap[] = {"TEA", "CUP", "GIFT-WRAP", NULL},
                      *tea_cup_pot[] = {"TEA", "CUP", "POT", NULL}, *tea_cup[] = {"TEA", "CUP", NULL},
                      *tea_pot[] = {"TEA", "POT", NULL}, *jam[] = {"JAM", NULL},
                      *tea[] = {"TEA", NULL}, *tea_jam[] = {"TEA", "JAM", NULL},
                      *jam_cup[] = {"JAM", "CUP", NULL};
    int64_t now = T0 + 30 * DAY;
    crm_open_options open;
    crm_db *db = NULL;
    crm_basket_options bo;
    crm_recommend_options ro;
    crm_itemsets *sets = NULL;
    crm_product_recommendations *recs = NULL;
    int64_t ada, bob, cy, dee, eve, tea_id, cup_id, pot_id, jam_id, pair[2];
    size_t i;

    crm_open_options_init(&open, sizeof open);
    open.clock = fixed_clock;
    open.clock_ctx = &now;
    CHECK(crm_open(":memory:", &open, &db) == CRM_OK);
    tea_id = add_product(db, "TEA", "Green tea", "food");
    cup_id = add_product(db, "CUP", "Tea cup", "kitchen");
    pot_id = add_product(db, "POT", "Tea pot", "kitchen");
    jam_id = add_product(db, "JAM", "Plum jam", "food");
    ada = add_customer(db, "Ada");
    bob = add_customer(db, "Bob");
    cy = add_customer(db, "Cy");
    dee = add_customer(db, "Dee");
    eve = add_customer(db, "Eve");
    buy(db, ada, T0 + 1 * DAY, NULL, tea_cup_wrap);
    buy(db, bob, T0 + 2 * DAY, NULL, tea_cup_pot);
    buy(db, bob, T0 + 3 * DAY, "completed", tea_cup);
    buy(db, cy, T0 + 4 * DAY, NULL, tea_pot);
    buy(db, cy, T0 + 5 * DAY, NULL, jam);
    buy(db, eve, T0 + 6 * DAY, NULL, tea);
    buy(db, dee, T0 + 7 * DAY, "refunded", tea_jam);
    buy(db, dee, T0 + 8 * DAY, "cancelled", jam_cup);
    CHECK(purchase_count(db) == 8);

    /* Every completed purchase at 0.3: TEA, CUP, POT, TEA+CUP, TEA+POT; items are product ids. */
    CHECK(crm_basket_itemsets(db, 0.3, 0, CRM_ALGORITHM_APRIORI, NULL, &sets) == CRM_OK);
    CHECK(crm_errcode(db) == CRM_OK);
    CHECK(crm_itemsets_len(sets) == 5);
    CHECK(crm_itemsets_n_transactions(sets) == 6);
    {
        int64_t t[1], tc[2], tp[2];
        t[0] = tea_id;
        tc[0] = tea_id < cup_id ? tea_id : cup_id;
        tc[1] = tea_id < cup_id ? cup_id : tea_id;
        tp[0] = tea_id < pot_id ? tea_id : pot_id;
        tp[1] = tea_id < pot_id ? pot_id : tea_id;
        CHECK(has_itemset(sets, t, 1, 5.0 / 6.0, 5));
        CHECK(has_itemset(sets, tc, 2, 0.5, 3));
        CHECK(has_itemset(sets, tp, 2, 2.0 / 6.0, 2));
    }
    crm_itemsets_free(sets);
    CHECK(store_itemsets(db, 0.15, 0, NULL) == 8);
    CHECK(store_itemsets(db, 0.15, 2, NULL) == 7);
    CHECK(store_itemsets(db, 0.15, 1, NULL) == 4);
    {
        /* The three algorithms agree on the store too. */
        crm_itemsets *a = NULL, *f = NULL, *e = NULL;
        CHECK(crm_basket_itemsets(db, 0.15, 0, CRM_ALGORITHM_APRIORI, NULL, &a) == CRM_OK);
        CHECK(crm_basket_itemsets(db, 0.15, 0, CRM_ALGORITHM_FPGROWTH, NULL, &f) == CRM_OK);
        CHECK(crm_basket_itemsets(db, 0.15, 0, CRM_ALGORITHM_ECLAT, NULL, &e) == CRM_OK);
        CHECK(same_itemsets(a, f) && same_itemsets(a, e));
        crm_itemsets_free(a);
        crm_itemsets_free(f);
        crm_itemsets_free(e);
    }

    /* Selections: since T0+3d (baskets TEA CUP, TEA POT, JAM, TEA): only TEA reaches 0.5. */
    crm_basket_options_init(&bo, sizeof bo);
    CHECK(bo.struct_size == sizeof bo);
    CHECK(bo.since == CRM_TIME_NONE && bo.until == CRM_TIME_NONE && bo.category == NULL);
    CHECK(store_itemsets(db, 0.6, 0, &bo) == 1); /* TEA 5/6; CUP 1/2 */
    bo.since = T0 + 3 * DAY;
    CHECK(store_itemsets(db, 0.5, 0, &bo) == 1);
    /* Until T0+3d (Ada's and Bob's first): TEA, CUP, TEA+CUP at 0.6. */
    bo.since = CRM_TIME_NONE;
    bo.until = T0 + 3 * DAY;
    CHECK(store_itemsets(db, 0.6, 0, &bo) == 3);
    /* Kitchen lines only: CUP, CUP POT, CUP, POT → CUP 0.75, POT 0.5. */
    bo.until = CRM_TIME_NONE;
    bo.category = "kitchen";
    CHECK(crm_basket_itemsets(db, 0.5, 0, CRM_ALGORITHM_ECLAT, &bo, &sets) == CRM_OK);
    CHECK(crm_itemsets_n_transactions(sets) == 4);
    CHECK(crm_itemsets_len(sets) == 2);
    pair[0] = cup_id;
    CHECK(has_itemset(sets, pair, 1, 0.75, 3));
    crm_itemsets_free(sets);

    /* Recommendations for Eve (she has TEA): by confidence, CUP (0.6) then POT (0.4), both
     * because of TEA, then JAM as a popular fill-up (support 1/6, no because_of). */
    crm_recommend_options_init(&ro, sizeof ro);
    CHECK(ro.struct_size == sizeof ro);
    CHECK(ro.min_support == 0.01 && ro.max_len == 3 && ro.min_confidence == 0.1);
    CHECK(ro.metric == CRM_METRIC_LIFT && ro.fill_with_popular == 1);
    CHECK(ro.since == CRM_TIME_NONE && ro.until == CRM_TIME_NONE && ro.category == NULL);
    ro.metric = CRM_METRIC_CONFIDENCE;
    CHECK(crm_basket_recommend(db, eve, 5, &ro, &recs) == CRM_OK);
    CHECK(crm_product_recommendations_len(recs) == 3);
    CHECK(crm_product_recommendations_product_id(recs, 0) == cup_id);
    CHECK(STREQ(crm_product_recommendations_sku(recs, 0), "CUP"));
    CHECK(STREQ(crm_product_recommendations_name(recs, 0), "Tea cup"));
    CHECK(near(crm_product_recommendations_score(recs, 0), 0.6, 1e-12));
    CHECK(crm_product_recommendations_because_of_len(recs, 0) == 1);
    CHECK(crm_product_recommendations_because_of(recs, 0)[0] == tea_id);
    CHECK(crm_product_recommendations_product_id(recs, 1) == pot_id);
    CHECK(near(crm_product_recommendations_score(recs, 1), 0.4, 1e-12));
    CHECK(crm_product_recommendations_because_of(recs, 1)[0] == tea_id);
    CHECK(crm_product_recommendations_product_id(recs, 2) == jam_id);
    CHECK(STREQ(crm_product_recommendations_name(recs, 2), "Plum jam"));
    CHECK(near(crm_product_recommendations_score(recs, 2), 1.0 / 6.0, 1e-12));
    CHECK(crm_product_recommendations_because_of_len(recs, 2) == 0);
    CHECK(crm_product_recommendations_because_of(recs, 2) == NULL);
    /* Out of range and NULL. */
    CHECK(crm_product_recommendations_product_id(recs, 3) == 0);
    CHECK(crm_product_recommendations_sku(recs, 3) == NULL);
    CHECK(crm_product_recommendations_name(recs, 3) == NULL);
    CHECK(isnan(crm_product_recommendations_score(recs, 3)));
    CHECK(crm_product_recommendations_because_of(recs, 3) == NULL);
    CHECK(crm_product_recommendations_len(NULL) == 0);
    crm_product_recommendations_free(recs);

    /* Without the fill-up, only the rules' two. */
    ro.fill_with_popular = 0;
    CHECK(crm_basket_recommend(db, eve, 5, &ro, &recs) == CRM_OK);
    CHECK(crm_product_recommendations_len(recs) == 2);
    crm_product_recommendations_free(recs);

    /* Defaults (NULL): ranked by lift; TEA→CUP and TEA→POT both have lift 1.2. */
    CHECK(crm_basket_recommend(db, eve, 5, NULL, &recs) == CRM_OK);
    CHECK(crm_product_recommendations_len(recs) == 3);
    pair[0] = crm_product_recommendations_product_id(recs, 0);
    pair[1] = crm_product_recommendations_product_id(recs, 1);
    CHECK((pair[0] == cup_id && pair[1] == pot_id) || (pair[0] == pot_id && pair[1] == cup_id));
    CHECK(near(crm_product_recommendations_score(recs, 0), 1.2, 1e-9));
    CHECK(near(crm_product_recommendations_score(recs, 1), 1.2, 1e-9));
    CHECK(crm_product_recommendations_product_id(recs, 2) == jam_id);
    crm_product_recommendations_free(recs);

    /* Ada has TEA and CUP: POT (TEA→POT, confidence 0.4), then JAM; never what she has. */
    ro.metric = CRM_METRIC_CONFIDENCE;
    ro.fill_with_popular = 1;
    CHECK(crm_basket_recommend(db, ada, 5, &ro, &recs) == CRM_OK);
    CHECK(crm_product_recommendations_len(recs) == 2);
    CHECK(crm_product_recommendations_product_id(recs, 0) == pot_id);
    CHECK(near(crm_product_recommendations_score(recs, 0), 0.4, 1e-12));
    CHECK(crm_product_recommendations_product_id(recs, 1) == jam_id);
    for (i = 0; i < crm_product_recommendations_len(recs); i++) {
        CHECK(crm_product_recommendations_product_id(recs, i) != tea_id);
        CHECK(crm_product_recommendations_product_id(recs, i) != cup_id);
    }
    crm_product_recommendations_free(recs);
    /* n 1, n 0. */
    CHECK(crm_basket_recommend(db, ada, 1, &ro, &recs) == CRM_OK);
    CHECK(crm_product_recommendations_len(recs) == 1);
    crm_product_recommendations_free(recs);
    CHECK(crm_basket_recommend(db, ada, 0, &ro, &recs) == CRM_OK);
    CHECK(crm_product_recommendations_len(recs) == 0);
    crm_product_recommendations_free(recs);

    /* ---- bad input: a clear code and message, NULL out, the store unchanged. */
    sets = (crm_itemsets *)&now;
    CHECK(crm_basket_itemsets(db, 0.0, 0, 1, NULL, &sets) == CRM_INVALID_INPUT);
    CHECK(sets == NULL);
    CHECK(crm_errcode(db) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "min_support"));
    CHECK(crm_basket_itemsets(db, 1.5, 0, 1, NULL, &sets) == CRM_INVALID_INPUT);
    CHECK(crm_basket_itemsets(db, NAN, 0, 1, NULL, &sets) == CRM_INVALID_INPUT);
    CHECK(crm_basket_itemsets(db, 0.5, 0, 9, NULL, &sets) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(db), "algorithm 9"));
    bo.category = "garden"; /* no such lines: no baskets */
    CHECK(crm_basket_itemsets(db, 0.5, 0, 1, &bo, &sets) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "no transactions"));
    bo.category = "kit\xff";
    CHECK(crm_basket_itemsets(db, 0.5, 0, 1, &bo, &sets) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(db), "options->category"));
    CHECK(CONTAINS(crm_errmsg(db), "UTF-8"));
    bo.category = NULL;
    bo.struct_size = 4;
    CHECK(crm_basket_itemsets(db, 0.5, 0, 1, &bo, &sets) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(db), "struct_size"));
    CHECK(CONTAINS(crm_errmsg(db), "crm_basket_options_init"));
    CHECK(crm_basket_itemsets(db, 0.5, 0, 1, NULL, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(db), "out is NULL"));
    sets = (crm_itemsets *)&now;
    CHECK(crm_basket_itemsets(NULL, 0.5, 0, 1, NULL, &sets) == CRM_INVALID_ARGUMENT);
    CHECK(sets == NULL);
    CHECK(CONTAINS(crm_errmsg(NULL), "db is NULL"));

    recs = (crm_product_recommendations *)&now;
    CHECK(crm_basket_recommend(db, 9999, 5, NULL, &recs) == CRM_NOT_FOUND);
    CHECK(recs == NULL);
    CHECK(CONTAINS(crm_errmsg(db), "9999"));
    ro.min_confidence = 1.5;
    CHECK(crm_basket_recommend(db, eve, 5, &ro, &recs) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "min_confidence"));
    ro.min_confidence = 0.1;
    ro.min_support = 0.0;
    CHECK(crm_basket_recommend(db, eve, 5, &ro, &recs) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "min_support"));
    ro.min_support = NAN;
    CHECK(crm_basket_recommend(db, eve, 5, &ro, &recs) == CRM_INVALID_INPUT);
    ro.min_support = 0.01;
    ro.metric = 42;
    CHECK(crm_basket_recommend(db, eve, 5, &ro, &recs) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(db), "options->metric 42"));
    ro.metric = CRM_METRIC_LIFT;
    ro.struct_size = 3;
    CHECK(crm_basket_recommend(db, eve, 5, &ro, &recs) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(db), "crm_recommend_options_init"));
    CHECK(recs == NULL);
    CHECK(crm_basket_recommend(db, eve, 5, NULL, NULL) == CRM_INVALID_ARGUMENT);
    recs = (crm_product_recommendations *)&now;
    CHECK(crm_basket_recommend(NULL, eve, 5, NULL, &recs) == CRM_INVALID_ARGUMENT);
    CHECK(recs == NULL);

    /* _init with NULL or a tiny size does nothing. */
    crm_basket_options_init(NULL, sizeof bo);
    crm_recommend_options_init(NULL, sizeof ro);
    CHECK(purchase_count(db) == 8);
    CHECK(store_itemsets(db, 0.15, 0, NULL) == 8);
    crm_close(db);
}

int main(void) {
    test_docs_itemsets();
    test_algorithms_agree();
    test_max_len();
    test_onehot();
    test_labels_round_trip();
    test_docs_rules();
    test_recommend();
    test_bad_input();
    test_store();
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
