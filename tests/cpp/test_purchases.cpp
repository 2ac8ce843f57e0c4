// Purchases from C++17: RAII over the result tables (unique_ptr with the library's destructors),
// std::vector columns in, borrowed arrays out read through a span-like view. Built by
// `make test-c` with -std=c++17 -pedantic, linked statically and dynamically, run under valgrind.
#include <crm.h>

#include <cstdio>
#include <cstring>
#include <memory>
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
struct FreePurchase { void operator()(crm_purchase *p) const { crm_purchase_free(p); } };
struct FreeTable { void operator()(crm_purchase_table *p) const { crm_purchase_table_free(p); } };
struct FreeLines { void operator()(crm_line_item_table *p) const { crm_line_item_table_free(p); } };
struct FreeFilter { void operator()(crm_filter *p) const { crm_filter_free(p); } };

using Db = std::unique_ptr<crm_db, Close>;
using Purchase = std::unique_ptr<crm_purchase, FreePurchase>;
using Table = std::unique_ptr<crm_purchase_table, FreeTable>;
using Lines = std::unique_ptr<crm_line_item_table, FreeLines>;
using Filter = std::unique_ptr<crm_filter, FreeFilter>;

std::string str(const char *s) { return s != nullptr ? s : "(null)"; }

// A column borrowed from a table: valid while the table lives.
std::vector<int64_t> column(const int64_t *data, size_t len) {
    return data != nullptr ? std::vector<int64_t>(data, data + len) : std::vector<int64_t>();
}

int64_t fixed_clock(void *ctx) { return *static_cast<const int64_t *>(ctx); }

const int64_t T0 = INT64_C(1767225600000000);
const int64_t DAY = INT64_C(86400000000);

Table find_columns(crm_db *db, const Filter &f, const char *order_by) {
    crm_find_options opts;
    crm_find_options_init(&opts, sizeof opts);
    opts.order_by = order_by;
    crm_purchase_table *raw = nullptr;
    CHECK(crm_purchase_find_columns(db, f.get(), &opts, &raw) == CRM_OK);
    return Table(raw);
}

void test_tables() {
    int64_t now = T0 + 10 * DAY;
    crm_open_options options;
    crm_open_options_init(&options, sizeof options);
    options.clock = fixed_clock;
    options.clock_ctx = &now;
    crm_db *raw_db = nullptr;
    CHECK(crm_open(":memory:", &options, &raw_db) == CRM_OK);
    Db db(raw_db);

    crm_new_customer nc;
    crm_new_customer_init(&nc, sizeof nc);
    nc.name = "Ada";
    int64_t ada = 0;
    CHECK(crm_customer_add(db.get(), &nc, &ada) == CRM_OK);

    crm_new_product product;
    crm_new_product_init(&product, sizeof product);
    product.sku = "TEA";
    product.name = "Green tea";
    product.currency = "EUR";
    product.price = 450;
    int64_t tea = 0;
    CHECK(crm_product_add(db.get(), &product, &tea) == CRM_OK);

    // Four purchases a day apart, one line each except the last (two lines).
    std::vector<int64_t> customer(4, ada), at, amount;
    for (int64_t i = 0; i < 4; ++i) {
        at.push_back(T0 + i * DAY);
        amount.push_back(450 * (i + 1));
    }
    std::vector<int64_t> row = {0, 1, 2, 3, 3}, qty = {1, 2, 3, 4, 1};
    std::vector<int64_t> price = {450, 450, 450, 450, 99};
    std::vector<const char *> sku = {"TEA", "TEA", "TEA", "TEA", nullptr};
    std::vector<const char *> name = {nullptr, nullptr, nullptr, nullptr, "Cup"};
    crm_purchase_columns cols;
    crm_purchase_columns_init(&cols, sizeof cols);
    cols.customer_id = customer.data();
    cols.purchased_at = at.data();
    cols.amount = amount.data();
    cols.currency = "EUR";
    cols.items_len = row.size();
    cols.item_purchase_row = row.data();
    cols.item_sku = sku.data();
    cols.item_name = name.data();
    cols.item_quantity = qty.data();
    cols.item_unit_price = price.data();
    std::vector<int64_t> ids(customer.size());
    CHECK(crm_purchase_add_many(db.get(), ids.size(), &cols, ids.data()) == CRM_OK);

    crm_purchase *raw = nullptr;
    CHECK(crm_purchase_get(db.get(), ids[3], &raw) == CRM_OK);
    Purchase last(raw);
    CHECK(crm_purchase_items_len(last.get()) == 2);
    CHECK(crm_purchase_item_product_id(last.get(), 0) == tea);
    CHECK(str(crm_purchase_item_name(last.get(), 0)) == "Green tea");
    CHECK(crm_purchase_item_product_id(last.get(), 1) == 0);

    // The last three days, newest first.
    crm_filter *raw_f = nullptr;
    CHECK(crm_filter_time("purchased_at", CRM_OP_GE, T0 + DAY, &raw_f) == CRM_OK);
    Filter recent(raw_f);
    Table t = find_columns(db.get(), recent, "-purchased_at");
    size_t n = crm_purchase_table_len(t.get());
    CHECK(n == 3);
    using V = std::vector<int64_t>;
    CHECK(column(crm_purchase_table_id(t.get()), n) == (V{ids[3], ids[2], ids[1]}));
    CHECK(column(crm_purchase_table_amount(t.get()), n) == (V{1800, 1350, 900}));
    CHECK(column(crm_purchase_table_purchased_at(t.get()), n) == (V{at[3], at[2], at[1]}));
    CHECK(str(crm_purchase_table_currency(t.get(), 0)) == "EUR");
    CHECK(str(crm_purchase_table_status(t.get(), 2)) == "completed");
    CHECK(crm_purchase_table_external_id(t.get(), 0) == nullptr);

    CHECK(crm_purchase_set_status(db.get(), ids[2], "cancelled") == CRM_OK);
    // The table is a copy: it does not change with the store.
    CHECK(str(crm_purchase_table_status(t.get(), 1)) == "completed");
    Table again = find_columns(db.get(), recent, "-purchased_at");
    CHECK(str(crm_purchase_table_status(again.get(), 1)) == "cancelled");

    crm_line_item_table *raw_lines = nullptr;
    CHECK(crm_purchase_line_items(db.get(), recent.get(), nullptr, &raw_lines) == CRM_OK);
    Lines lines(raw_lines);
    size_t m = crm_line_item_table_len(lines.get());
    CHECK(m == 4);
    CHECK(column(crm_line_item_table_purchase_id(lines.get()), m) ==
          (V{ids[1], ids[2], ids[3], ids[3]}));
    CHECK(column(crm_line_item_table_line(lines.get()), m) == (V{1, 1, 1, 2}));
    CHECK(column(crm_line_item_table_product_id(lines.get()), m) == (V{tea, tea, tea, 0}));
    CHECK(column(crm_line_item_table_quantity(lines.get()), m) == (V{2, 3, 4, 1}));
    CHECK(str(crm_line_item_table_sku(lines.get(), 0)) == "TEA");
    CHECK(crm_line_item_table_sku(lines.get(), 3) == nullptr);
    CHECK(str(crm_line_item_table_name(lines.get(), 3)) == "Cup");

    // Tables outlive the handle that made them.
    db.reset();
    CHECK(crm_purchase_table_len(t.get()) == 3);
    CHECK(str(crm_line_item_table_name(lines.get(), 0)) == "Green tea");
}

void test_bad_input() {
    crm_db *raw_db = nullptr;
    CHECK(crm_open(":memory:", nullptr, &raw_db) == CRM_OK);
    Db db(raw_db);

    std::vector<int64_t> customer = {1}, amount = {100}, row = {1}, qty = {1}, price = {1};
    std::vector<const char *> name = {"Tea"};
    crm_purchase_columns cols;
    crm_purchase_columns_init(&cols, sizeof cols);
    cols.customer_id = customer.data();
    cols.amount = amount.data();
    cols.currency = "EUR";
    cols.items_len = 1;
    cols.item_purchase_row = row.data();
    cols.item_name = name.data();
    cols.item_quantity = qty.data();
    cols.item_unit_price = price.data();
    CHECK(crm_purchase_add_many(db.get(), 1, &cols, nullptr) == CRM_INVALID_ARGUMENT);
    CHECK(std::strstr(crm_errmsg(db.get()), "out of range") != nullptr);

    crm_purchase_table *raw = reinterpret_cast<crm_purchase_table *>(&cols);
    CHECK(crm_purchase_find_columns(nullptr, nullptr, nullptr, &raw) == CRM_INVALID_ARGUMENT);
    CHECK(raw == nullptr);
    int64_t n = -1;
    CHECK(crm_purchase_count(db.get(), nullptr, &n) == CRM_OK);
    CHECK(n == 0);
}

}  // namespace

int main() {
    test_tables();
    test_bad_input();
    std::printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
