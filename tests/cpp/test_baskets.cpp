// Market-basket analysis from C++17: RAII over itemsets, rules and recommendations (unique_ptr
// with the library's destructors), baskets from std::vector, results read into std::set and
// std::map. mlxtend's docs example (expected values copied from
// tests/reference/mlxtend/mlxtend.json, dataset "docs", mlxtend 0.23.4), the store-backed calls,
// and bad input. Built by `make test-c` with -std=c++17 -pedantic, linked statically and
// dynamically, run under valgrind.
#include <crm.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace {

int passed = 0, failed = 0;

void check(bool ok, const char *file, int line, const char *what) {
    if (ok) {
        ++passed;
        return;
    }
    ++failed;
    std::fprintf(stderr, "%s:%d: CHECK(%s) failed\n    last error: %s: %s\n", file, line, what,
                 crm_code_name(crm_errcode(nullptr)), crm_errmsg(nullptr));
}

#define CHECK(cond) check(static_cast<bool>(cond), __FILE__, __LINE__, #cond)

struct Close { void operator()(crm_db *p) const { crm_close(p); } };
struct FreeItemsets { void operator()(crm_itemsets *p) const { crm_itemsets_free(p); } };
struct FreeRules { void operator()(crm_rules *p) const { crm_rules_free(p); } };
struct FreeRecs { void operator()(crm_recommendations *p) const { crm_recommendations_free(p); } };
struct FreeProductRecs {
    void operator()(crm_product_recommendations *p) const { crm_product_recommendations_free(p); }
};

using Db = std::unique_ptr<crm_db, Close>;
using ItemsetsPtr = std::unique_ptr<crm_itemsets, FreeItemsets>;
using RulesPtr = std::unique_ptr<crm_rules, FreeRules>;
using RecsPtr = std::unique_ptr<crm_recommendations, FreeRecs>;
using ProductRecsPtr = std::unique_ptr<crm_product_recommendations, FreeProductRecs>;

using Set = std::set<int64_t>;

bool contains(const char *haystack, const char *needle) {
    return haystack != nullptr && std::strstr(haystack, needle) != nullptr;
}

// mlxtend's docs example, items as codes.
enum : int64_t { MILK = 10, ONION, NUTMEG, BEANS, EGGS, YOGURT, DILL, APPLE, UNICORN, CORN, ICE };

struct Long {
    std::vector<int64_t> baskets, items;
    void add(int64_t basket, std::initializer_list<int64_t> its) {
        for (int64_t i : its) {
            baskets.push_back(basket);
            items.push_back(i);
        }
    }
};

Long docs() {
    Long d;
    d.add(1, {MILK, ONION, NUTMEG, BEANS, EGGS, YOGURT});
    d.add(2, {DILL, ONION, NUTMEG, BEANS, EGGS, YOGURT});
    d.add(3, {MILK, APPLE, BEANS, EGGS});
    d.add(4, {MILK, UNICORN, CORN, BEANS, YOGURT});
    d.add(5, {CORN, ONION, ONION, BEANS, ICE, EGGS});
    return d;
}

ItemsetsPtr mine(const Long &d, double min_support, size_t max_len, int algorithm) {
    crm_itemsets *raw = nullptr;
    CHECK(crm_frequent_itemsets(d.baskets.data(), d.items.data(), d.items.size(), min_support,
                                max_len, algorithm, &raw) == CRM_OK);
    return ItemsetsPtr(raw);
}

Set items_of(const crm_itemsets *s, size_t i) {
    const int64_t *p = crm_itemsets_items(s, i);
    return Set(p, p + crm_itemsets_size(s, i));
}

// Itemset → (support, count).
std::map<Set, std::pair<double, size_t>> as_map(const crm_itemsets *s) {
    std::map<Set, std::pair<double, size_t>> m;
    for (size_t i = 0; i < crm_itemsets_len(s); ++i)
        m[items_of(s, i)] = {crm_itemsets_support(s, i), crm_itemsets_count(s, i)};
    return m;
}

// (antecedent, consequent) → index.
std::map<std::pair<Set, Set>, size_t> rule_index(const crm_rules *r) {
    std::map<std::pair<Set, Set>, size_t> m;
    for (size_t i = 0; i < crm_rules_len(r); ++i) {
        const int64_t *a = crm_rules_antecedent(r, i), *c = crm_rules_consequent(r, i);
        m[{Set(a, a + crm_rules_antecedent_len(r, i)), Set(c, c + crm_rules_consequent_len(r, i))}] =
            i;
    }
    return m;
}

void test_docs() {
    const Long d = docs();
    auto sets = mine(d, 0.6, 0, CRM_ALGORITHM_FPGROWTH);
    const auto m = as_map(sets.get());
    // docs/s=0.6/max_len=None: 11 itemsets.
    const std::map<Set, std::pair<double, size_t>> expected = {
        {{EGGS}, {0.8, 4}},          {{BEANS}, {1.0, 5}},          {{MILK}, {0.6, 3}},
        {{ONION}, {0.6, 3}},         {{YOGURT}, {0.6, 3}},         {{EGGS, BEANS}, {0.8, 4}},
        {{EGGS, ONION}, {0.6, 3}},   {{BEANS, MILK}, {0.6, 3}},    {{BEANS, ONION}, {0.6, 3}},
        {{BEANS, YOGURT}, {0.6, 3}}, {{EGGS, BEANS, ONION}, {0.6, 3}},
    };
    CHECK(m.size() == expected.size());
    for (const auto &[set, value] : expected) {
        auto it = m.find(set);
        CHECK(it != m.end());
        if (it == m.end()) continue;
        CHECK(std::fabs(it->second.first - value.first) < 1e-12);
        CHECK(it->second.second == value.second);
    }

    // The three algorithms agree at every support and length.
    for (double s : {0.2, 0.4, 0.6, 1.0})
        for (size_t len : {0, 1, 2, 4}) {
            auto a = as_map(mine(d, s, len, CRM_ALGORITHM_APRIORI).get());
            CHECK(!a.empty());
            CHECK(a == as_map(mine(d, s, len, CRM_ALGORITHM_FPGROWTH).get()));
            CHECK(a == as_map(mine(d, s, len, CRM_ALGORITHM_ECLAT).get()));
            for (const auto &kv : a) CHECK(len == 0 || kv.first.size() <= len);
        }
    CHECK(crm_itemsets_len(mine(d, 0.2, 0, CRM_ALGORITHM_ECLAT).get()) == 149);
    CHECK(crm_itemsets_len(mine(d, 0.2, 2, CRM_ALGORITHM_ECLAT).get()) == 47);

    // Rules at support >= 0: 16; Onion → Eggs has confidence 1, lift 1.25, conviction inf,
    // zhangs_metric 0.5, certainty 1, kulczynski 0.875.
    crm_rules *raw = nullptr;
    CHECK(crm_association_rules(sets.get(), 0, CRM_METRIC_SUPPORT, 0.0, 0, &raw) == CRM_OK);
    RulesPtr rules(raw);
    auto idx = rule_index(rules.get());
    CHECK(idx.size() == 16);
    auto it = idx.find({{ONION}, {EGGS}});
    CHECK(it != idx.end());
    if (it != idx.end()) {
        const size_t i = it->second;
        const crm_rules *r = rules.get();
        CHECK(crm_rules_value(r, i, CRM_METRIC_ANTECEDENT_SUPPORT) == 0.6);
        CHECK(crm_rules_value(r, i, CRM_METRIC_CONSEQUENT_SUPPORT) == 0.8);
        CHECK(std::fabs(crm_rules_value(r, i, CRM_METRIC_CONFIDENCE) - 1.0) < 1e-9);
        CHECK(std::fabs(crm_rules_value(r, i, CRM_METRIC_LIFT) - 1.25) < 1e-9);
        CHECK(std::fabs(crm_rules_value(r, i, CRM_METRIC_LEVERAGE) - 0.12) < 1e-9);
        CHECK(std::isinf(crm_rules_value(r, i, CRM_METRIC_CONVICTION)));
        CHECK(std::fabs(crm_rules_value(r, i, CRM_METRIC_ZHANGS_METRIC) - 0.5) < 1e-9);
        CHECK(std::fabs(crm_rules_value(r, i, CRM_METRIC_JACCARD) - 0.75) < 1e-9);
        CHECK(std::fabs(crm_rules_value(r, i, CRM_METRIC_CERTAINTY) - 1.0) < 1e-9);
        CHECK(std::fabs(crm_rules_value(r, i, CRM_METRIC_KULCZYNSKI) - 0.875) < 1e-9);
        CHECK(crm_rules_value(r, i, CRM_METRIC_REPRESENTATIVITY) == 1.0);
    }
    // Eggs → Onion: conviction 1.6, zhangs_metric 1.0000000000000002.
    it = idx.find({{EGGS}, {ONION}});
    CHECK(it != idx.end());
    if (it != idx.end()) {
        CHECK(std::fabs(crm_rules_value(rules.get(), it->second, CRM_METRIC_CONVICTION) - 1.6) <
              1e-9);
        CHECK(std::fabs(crm_rules_value(rules.get(), it->second, CRM_METRIC_ZHANGS_METRIC) -
                        1.0000000000000002) < 1e-9);
    }
    CHECK(idx.count({{EGGS, BEANS}, {ONION}}) == 1);
    CHECK(idx.count({{ONION}, {EGGS, BEANS}}) == 1);

    // Recommendations for {Eggs}: Kidney Beans (confidence 1), Onion (0.75), because of Eggs.
    const std::vector<int64_t> basket = {EGGS};
    crm_recommendations *rraw = nullptr;
    CHECK(crm_recommend(rules.get(), basket.data(), basket.size(), 5, CRM_METRIC_CONFIDENCE,
                        &rraw) == CRM_OK);
    RecsPtr recs(rraw);
    CHECK(crm_recommendations_len(recs.get()) == 2);
    CHECK(crm_recommendations_item(recs.get(), 0) == BEANS);
    CHECK(crm_recommendations_score(recs.get(), 0) == 1.0);
    CHECK(crm_recommendations_item(recs.get(), 1) == ONION);
    CHECK(std::fabs(crm_recommendations_score(recs.get(), 1) - 0.75) < 1e-12);
    CHECK(crm_recommendations_antecedent_len(recs.get(), 1) == 1);
    CHECK(*crm_recommendations_antecedent(recs.get(), 1) == EGGS);

    // One-hot input: the same itemsets, labelled by column.
    std::vector<uint8_t> cells(5 * 11, 0);
    for (size_t r = 0; r < d.items.size(); ++r)
        cells[(d.baskets[r] - 1) * 11 + (d.items[r] - MILK)] = 1;
    crm_itemsets *draw = nullptr;
    CHECK(crm_frequent_itemsets_dense(cells.data(), 5, 11, 0.4, 0, CRM_ALGORITHM_APRIORI, &draw) ==
          CRM_OK);
    ItemsetsPtr dense(draw);
    auto dm = as_map(dense.get());
    std::map<Set, std::pair<double, size_t>> relabelled;
    for (const auto &[set, value] : dm) {
        Set s;
        for (int64_t c : set) s.insert(c + MILK);
        relabelled[s] = value;
    }
    CHECK(relabelled == as_map(mine(d, 0.4, 0, CRM_ALGORITHM_APRIORI).get()));
    CHECK(dm.size() == 39);
}

int64_t fixed_clock(void *ctx) { return *static_cast<const int64_t *>(ctx); }

const int64_t T0 = INT64_C(1767225600000000);
const int64_t DAY = INT64_C(86400000000);

void test_store() {
    int64_t now = T0 + 30 * DAY;
    crm_open_options options;
    crm_open_options_init(&options, sizeof options);
    options.clock = fixed_clock;
    options.clock_ctx = &now;
    crm_db *raw = nullptr;
    CHECK(crm_open(":memory:", &options, &raw) == CRM_OK);
    Db db(raw);

    std::map<std::string, int64_t> product;
    for (const char *sku : {"BREAD", "BUTTER", "MILK"}) {
        crm_new_product p;
        crm_new_product_init(&p, sizeof p);
        p.sku = sku;
        p.name = sku;
        CHECK(crm_product_add(db.get(), &p, &product[sku]) == CRM_OK);
    }
    auto customer = [&](const char *name) {
        crm_new_customer c;
        crm_new_customer_init(&c, sizeof c);
        c.name = name;
        int64_t id = 0;
        CHECK(crm_customer_add(db.get(), &c, &id) == CRM_OK);
        return id;
    };
    auto buy = [&](int64_t who, int64_t at, std::vector<std::string> skus) {
        std::vector<crm_new_line_item> lines(skus.size());
        for (size_t k = 0; k < skus.size(); ++k) {
            crm_new_line_item_init(&lines[k], sizeof lines[k]);
            lines[k].product_id = product[skus[k]];
            lines[k].unit_price = 100;
        }
        crm_new_purchase p;
        crm_new_purchase_init(&p, sizeof p);
        p.customer_id = who;
        p.purchased_at = at;
        p.amount = 100;
        p.currency = "EUR";
        p.items = lines.data();
        p.items_len = lines.size();
        CHECK(crm_purchase_add(db.get(), &p, nullptr) == CRM_OK);
    };
    const int64_t ann = customer("Ann"), ben = customer("Ben"), cat = customer("Cat");
    // Baskets: BREAD BUTTER ×3, BREAD MILK, MILK; Cat has BREAD only.
    buy(ann, T0 + DAY, {"BREAD", "BUTTER"});
    buy(ann, T0 + 2 * DAY, {"BREAD", "BUTTER", "BREAD"});
    buy(ben, T0 + 3 * DAY, {"BREAD", "BUTTER"});
    buy(ben, T0 + 4 * DAY, {"BREAD", "MILK"});
    buy(cat, T0 + 5 * DAY, {"BREAD"});
    buy(ben, T0 + 6 * DAY, {"MILK"});

    crm_itemsets *sraw = nullptr;
    CHECK(crm_basket_itemsets(db.get(), 0.5, 0, CRM_ALGORITHM_ECLAT, nullptr, &sraw) == CRM_OK);
    ItemsetsPtr sets(sraw);
    auto m = as_map(sets.get());
    CHECK(m.size() == 3);
    CHECK(m[Set{product["BREAD"]}].second == 5);
    const Set bread_butter = {product["BREAD"], product["BUTTER"]};
    CHECK(m[bread_butter].second == 3);
    CHECK(crm_itemsets_n_transactions(sets.get()) == 6);

    crm_basket_options bo;
    crm_basket_options_init(&bo, sizeof bo);
    bo.since = T0 + 4 * DAY;  // BREAD MILK, BREAD, MILK
    CHECK(crm_basket_itemsets(db.get(), 0.6, 0, CRM_ALGORITHM_APRIORI, &bo, &sraw) == CRM_OK);
    sets.reset(sraw);
    CHECK(crm_itemsets_len(sets.get()) == 2);
    CHECK(crm_itemsets_n_transactions(sets.get()) == 3);

    // Cat (BREAD): BUTTER by confidence 3/5, then MILK (BREAD → MILK, 1/5).
    crm_recommend_options ro;
    crm_recommend_options_init(&ro, sizeof ro);
    ro.metric = CRM_METRIC_CONFIDENCE;
    crm_product_recommendations *praw = nullptr;
    CHECK(crm_basket_recommend(db.get(), cat, 3, &ro, &praw) == CRM_OK);
    ProductRecsPtr recs(praw);
    CHECK(crm_product_recommendations_len(recs.get()) == 2);
    CHECK(std::string(crm_product_recommendations_sku(recs.get(), 0)) == "BUTTER");
    CHECK(std::fabs(crm_product_recommendations_score(recs.get(), 0) - 0.6) < 1e-12);
    CHECK(crm_product_recommendations_because_of_len(recs.get(), 0) == 1);
    CHECK(*crm_product_recommendations_because_of(recs.get(), 0) == product["BREAD"]);
    CHECK(std::string(crm_product_recommendations_name(recs.get(), 1)) == "MILK");

    // Bad input: codes, messages, NULL out.
    praw = reinterpret_cast<crm_product_recommendations *>(&now);
    CHECK(crm_basket_recommend(db.get(), 12345, 3, &ro, &praw) == CRM_NOT_FOUND);
    CHECK(praw == nullptr);
    ro.struct_size = 2;
    CHECK(crm_basket_recommend(db.get(), cat, 3, &ro, &praw) == CRM_INVALID_ARGUMENT);
    CHECK(contains(crm_errmsg(db.get()), "struct_size"));
    sraw = reinterpret_cast<crm_itemsets *>(&now);
    CHECK(crm_basket_itemsets(db.get(), 0.0, 0, CRM_ALGORITHM_ECLAT, nullptr, &sraw) ==
          CRM_INVALID_INPUT);
    CHECK(sraw == nullptr);
    CHECK(contains(crm_errmsg(db.get()), "min_support"));
}

void test_bad_input() {
    const Long d = docs();
    crm_itemsets *raw = nullptr;
    const double nan = std::numeric_limits<double>::quiet_NaN();
    for (double s : {0.0, 1.5, -1.0, nan}) {
        raw = reinterpret_cast<crm_itemsets *>(&passed);
        CHECK(crm_frequent_itemsets(d.baskets.data(), d.items.data(), d.items.size(), s, 0,
                                    CRM_ALGORITHM_FPGROWTH, &raw) == CRM_INVALID_INPUT);
        CHECK(raw == nullptr);
        CHECK(contains(crm_errmsg(nullptr), "min_support"));
    }
    CHECK(crm_frequent_itemsets(nullptr, nullptr, 0, 0.5, 0, CRM_ALGORITHM_FPGROWTH, &raw) ==
          CRM_INVALID_INPUT);
    CHECK(contains(crm_errmsg(nullptr), "no transactions"));
    CHECK(crm_frequent_itemsets(d.baskets.data(), nullptr, d.items.size(), 0.5, 0,
                                CRM_ALGORITHM_FPGROWTH, &raw) == CRM_INVALID_ARGUMENT);
    CHECK(contains(crm_errmsg(nullptr), "items is NULL"));
    CHECK(crm_frequent_itemsets(d.baskets.data(), d.items.data(), d.items.size(), 0.5, 0, 17,
                                &raw) == CRM_INVALID_ARGUMENT);
    crm_rules *rules = nullptr;
    CHECK(crm_association_rules(nullptr, 0, CRM_METRIC_LIFT, 1.0, 0, &rules) ==
          CRM_INVALID_ARGUMENT);
    auto sets = mine(d, 0.6, 0, CRM_ALGORITHM_APRIORI);
    CHECK(crm_association_rules(sets.get(), 0, -3, 1.0, 0, &rules) == CRM_INVALID_ARGUMENT);
    CHECK(crm_association_rules(sets.get(), 0, CRM_METRIC_LIFT, nan, 0, &rules) ==
          CRM_INVALID_INPUT);
    CHECK(rules == nullptr);
    crm_recommendations *recs = nullptr;
    CHECK(crm_recommend(nullptr, nullptr, 0, 3, CRM_METRIC_LIFT, &recs) == CRM_INVALID_ARGUMENT);
    CHECK(recs == nullptr);
}

}  // namespace

int main() {
    test_docs();
    test_store();
    test_bad_input();
    std::printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
