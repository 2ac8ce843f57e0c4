/* Products and purchases through the C API: the catalogue, purchases with lines, status changes,
 * bad input (each checked for its documented code and for leaving the store unchanged), the
 * columnar batch path in (10,000 purchases from arrays) and out (purchase and line-item tables),
 * and deleting a customer who has purchases. Built by `make test-c` with -std=c99 -pedantic,
 * linked statically and dynamically, run under valgrind. */
#include <crm.h>

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

#define HOUR INT64_C(3600000000)
#define T0 INT64_C(1767225600000000) /* 2026-01-01T00:00:00Z */

/* ------------------------------------------------------------------------------ helpers */

static int64_t fixed_clock(void *ctx) { return *(const int64_t *)ctx; }

/* An in-memory store whose clock reads *now. */
static crm_db *open_at(int64_t *now) {
    crm_db *db = NULL;
    crm_open_options options;
    crm_open_options_init(&options, sizeof options);
    options.clock = fixed_clock;
    options.clock_ctx = now;
    CHECK(crm_open(":memory:", &options, &db) == CRM_OK);
    return db;
}

static int64_t add_customer(crm_db *db, const char *name) {
    crm_new_customer c;
    int64_t id = 0;
    crm_new_customer_init(&c, sizeof c);
    c.name = name;
    CHECK(crm_customer_add(db, &c, &id) == CRM_OK);
    return id;
}

static int64_t add_product(crm_db *db, const char *sku, const char *name, const char *category,
                           const char *currency, int64_t price) {
    crm_new_product p;
    int64_t id = 0;
    crm_new_product_init(&p, sizeof p);
    p.sku = sku;
    p.name = name;
    p.category = category;
    p.currency = currency;
    p.price = price;
    CHECK(crm_product_add(db, &p, &id) == CRM_OK);
    return id;
}

static int64_t purchases(crm_db *db, const crm_filter *filter) {
    int64_t n = -1;
    CHECK(crm_purchase_count(db, filter, &n) == CRM_OK);
    return n;
}

static int64_t products(crm_db *db) {
    int64_t n = -1;
    CHECK(crm_product_count(db, NULL, &n) == CRM_OK);
    return n;
}

static int64_t lines(crm_db *db, const crm_filter *filter) {
    crm_line_item_table *t = NULL;
    int64_t n = -1;
    CHECK(crm_purchase_line_items(db, filter, NULL, &t) == CRM_OK);
    if (t != NULL) n = (int64_t)crm_line_item_table_len(t);
    crm_line_item_table_free(t);
    return n;
}

static crm_filter *int_eq(const char *field, int64_t value) {
    crm_filter *f = NULL;
    CHECK(crm_filter_int(field, CRM_OP_EQ, value, &f) == CRM_OK);
    return f;
}

static crm_filter *time_cmp(const char *field, int op, int64_t t) {
    crm_filter *f = NULL;
    CHECK(crm_filter_time(field, op, t, &f) == CRM_OK);
    return f;
}

static crm_filter *and_(crm_filter *a, crm_filter *b) {
    crm_filter *f = NULL;
    CHECK(crm_filter_and(a, b, &f) == CRM_OK);
    return f;
}

/* ------------------------------------------------------------------------------ products */

static void test_products(void) {
    int64_t now = T0;
    crm_db *db = open_at(&now);
    crm_new_product p;
    crm_product *got = NULL;
    int64_t tea, cup, id = 0;
    crm_filter *f;
    int64_t n = -1;

    tea = add_product(db, " TEA-01 ", "Green tea", "tea", "eur", 1250);
    cup = add_product(db, "CUP-01", "Cup", NULL, NULL, 0);
    CHECK(tea > 0 && cup == tea + 1);
    CHECK(products(db) == 2);

    CHECK(crm_product_get(db, tea, &got) == CRM_OK);
    CHECK(crm_product_id(got) == tea);
    CHECK(STREQ(crm_product_sku(got), "TEA-01"));
    CHECK(STREQ(crm_product_name(got), "Green tea"));
    CHECK(STREQ(crm_product_category(got), "tea"));
    CHECK(STREQ(crm_product_currency(got), "EUR"));
    CHECK(crm_product_price(got) == 1250);
    CHECK(crm_product_created_at(got) == T0);
    crm_product_free(got);

    got = NULL;
    CHECK(crm_product_get_by_sku(db, "CUP-01", &got) == CRM_OK);
    CHECK(crm_product_id(got) == cup);
    CHECK(crm_product_category(got) == NULL);
    CHECK(crm_product_currency(got) == NULL); /* no price */
    CHECK(crm_product_price(got) == 0);
    crm_product_free(got);

    /* Accessors given NULL, destructor given NULL. */
    CHECK(crm_product_id(NULL) == 0);
    CHECK(crm_product_sku(NULL) == NULL);
    CHECK(crm_product_currency(NULL) == NULL);
    crm_product_free(NULL);

    /* Filters on products. */
    f = NULL;
    CHECK(crm_filter_text("currency", CRM_OP_EQ, "EUR", &f) == CRM_OK);
    CHECK(crm_product_count(db, f, &n) == CRM_OK);
    CHECK(n == 1);
    crm_filter_free(f);

    /* Duplicate sku (after trimming), negative price, bad currency, price without currency. */
    crm_new_product_init(&p, sizeof p);
    CHECK(p.sku == NULL && p.currency == NULL && p.price == 0);
    p.sku = "TEA-01 ";
    p.name = "Another tea";
    CHECK(crm_product_add(db, &p, &id) == CRM_ALREADY_EXISTS);
    CHECK(id == 0);
    CHECK(CONTAINS(crm_errmsg(db), "sku"));
    CHECK(CONTAINS(crm_errmsg(db), "TEA-01"));
    p.sku = "TEA-02";
    p.currency = "EUR";
    p.price = -5;
    CHECK(crm_product_add(db, &p, NULL) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "price"));
    p.price = 500;
    p.currency = "EURO";
    CHECK(crm_product_add(db, &p, NULL) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "currency"));
    CHECK(CONTAINS(crm_errmsg(db), "EURO"));
    p.currency = NULL;
    CHECK(crm_product_add(db, &p, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(db), "currency"));
    p.price = 0;
    p.name = "   ";
    CHECK(crm_product_add(db, &p, NULL) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "name"));
    p.name = NULL;
    CHECK(crm_product_add(db, &p, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(db), "product->name"));
    p.name = "Tea";
    p.sku = "T\xff";
    CHECK(crm_product_add(db, &p, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(db), "UTF-8"));
    p.sku = "TEA-02";
    p.struct_size = 4;
    CHECK(crm_product_add(db, &p, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(db), "crm_new_product_init"));
    CHECK(crm_product_add(db, NULL, NULL) == CRM_INVALID_ARGUMENT);
    crm_new_product_init(&p, sizeof p);
    p.sku = "TEA-02";
    p.name = "Tea";
    CHECK(crm_product_add(NULL, &p, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(NULL), "db is NULL"));
    CHECK(products(db) == 2);

    /* Unknown id and sku; NULL handle clears the out-parameter. */
    got = (crm_product *)&p;
    CHECK(crm_product_get(db, 999, &got) == CRM_NOT_FOUND);
    CHECK(got == NULL);
    got = (crm_product *)&p;
    CHECK(crm_product_get_by_sku(NULL, "TEA-01", &got) == CRM_INVALID_ARGUMENT);
    CHECK(got == NULL);
    CHECK(crm_product_get_by_sku(db, "NOPE", &got) == CRM_NOT_FOUND);
    CHECK(crm_product_get_by_sku(db, NULL, &got) == CRM_INVALID_ARGUMENT);
    CHECK(crm_product_count(db, NULL, NULL) == CRM_INVALID_ARGUMENT);

    /* Delete. */
    CHECK(crm_product_delete(db, cup) == CRM_OK);
    CHECK(crm_product_delete(db, cup) == CRM_NOT_FOUND);
    CHECK(products(db) == 1);
    crm_close(db);
}

/* ------------------------------------------------------------------------------ purchases */

static void test_purchase_rows(void) {
    int64_t now = T0;
    crm_db *db = open_at(&now);
    int64_t ada = add_customer(db, "Ada");
    int64_t tea = add_product(db, "TEA-01", "Green tea", "tea", "EUR", 1250);
    crm_new_line_item items[3];
    crm_new_purchase p;
    crm_purchase *got = NULL;
    int64_t id = 0, second = 0;
    int i;

    for (i = 0; i < 3; i++) crm_new_line_item_init(&items[i], sizeof items[i]);
    CHECK(items[0].quantity == 1 && items[0].product_id == 0 && items[0].sku == NULL);
    items[0].sku = "TEA-01"; /* linked by sku: product id, name and category from the catalogue */
    items[0].quantity = 2;
    items[0].unit_price = 1200;
    items[1].name = "Gift wrap"; /* no product */
    items[1].unit_price = 150;
    items[2].product_id = tea; /* linked by id, own name */
    items[2].name = "Tea sample";
    items[2].category = "samples";
    items[2].unit_price = 0;

    crm_new_purchase_init(&p, sizeof p);
    CHECK(p.purchased_at == CRM_TIME_NOW && p.status == NULL && p.items_len == 0);
    p.customer_id = ada;
    p.external_id = "ORD-1";
    p.purchased_at = T0 - 2 * HOUR;
    p.amount = 2550;
    p.currency = "eur";
    p.items = items;
    p.items_len = 3;
    CHECK(crm_purchase_add(db, &p, &id) == CRM_OK);
    CHECK(id > 0);
    CHECK(purchases(db, NULL) == 1);

    CHECK(crm_purchase_get(db, id, &got) == CRM_OK);
    CHECK(crm_purchase_id(got) == id);
    CHECK(crm_purchase_customer_id(got) == ada);
    CHECK(STREQ(crm_purchase_external_id(got), "ORD-1"));
    CHECK(crm_purchase_purchased_at(got) == T0 - 2 * HOUR);
    CHECK(crm_purchase_amount(got) == 2550);
    CHECK(STREQ(crm_purchase_currency(got), "EUR"));
    CHECK(STREQ(crm_purchase_status(got), "completed"));
    CHECK(crm_purchase_created_at(got) == T0);
    CHECK(crm_purchase_items_len(got) == 3);
    CHECK(crm_purchase_item_line(got, 0) == 1);
    CHECK(crm_purchase_item_product_id(got, 0) == tea);
    CHECK(STREQ(crm_purchase_item_sku(got, 0), "TEA-01"));
    CHECK(STREQ(crm_purchase_item_name(got, 0), "Green tea"));
    CHECK(STREQ(crm_purchase_item_category(got, 0), "tea"));
    CHECK(crm_purchase_item_quantity(got, 0) == 2);
    CHECK(crm_purchase_item_unit_price(got, 0) == 1200);
    CHECK(crm_purchase_item_product_id(got, 1) == 0);
    CHECK(crm_purchase_item_sku(got, 1) == NULL);
    CHECK(STREQ(crm_purchase_item_name(got, 1), "Gift wrap"));
    CHECK(crm_purchase_item_category(got, 1) == NULL);
    CHECK(crm_purchase_item_quantity(got, 1) == 1);
    CHECK(crm_purchase_item_line(got, 2) == 3);
    CHECK(crm_purchase_item_product_id(got, 2) == tea);
    CHECK(STREQ(crm_purchase_item_sku(got, 2), "TEA-01"));
    CHECK(STREQ(crm_purchase_item_name(got, 2), "Tea sample"));
    CHECK(STREQ(crm_purchase_item_category(got, 2), "samples"));
    /* Out of range and NULL. */
    CHECK(crm_purchase_item_name(got, 3) == NULL);
    CHECK(crm_purchase_item_line(got, 3) == 0);
    CHECK(crm_purchase_item_product_id(NULL, 0) == 0);
    CHECK(crm_purchase_items_len(NULL) == 0);
    CHECK(crm_purchase_status(NULL) == NULL);
    crm_purchase_free(got);
    crm_purchase_free(NULL);

    /* Defaults: now by the handle's clock, completed, no lines, no external id. */
    crm_new_purchase_init(&p, sizeof p);
    p.customer_id = ada;
    p.amount = 0;
    p.currency = "USD";
    p.status = "cancelled";
    CHECK(crm_purchase_add(db, &p, &second) == CRM_OK);
    got = NULL;
    CHECK(crm_purchase_get(db, second, &got) == CRM_OK);
    CHECK(crm_purchase_purchased_at(got) == T0);
    CHECK(crm_purchase_external_id(got) == NULL);
    CHECK(STREQ(crm_purchase_status(got), "cancelled"));
    CHECK(crm_purchase_items_len(got) == 0);
    crm_purchase_free(got);

    /* Status: completed -> refunded, then refunded is final. */
    CHECK(crm_purchase_set_status(db, id, "refunded") == CRM_OK);
    got = NULL;
    CHECK(crm_purchase_get(db, id, &got) == CRM_OK);
    CHECK(STREQ(crm_purchase_status(got), "refunded"));
    crm_purchase_free(got);
    CHECK(crm_purchase_set_status(db, id, "completed") == CRM_ILLEGAL_TRANSITION);
    CHECK(crm_errcode(db) == CRM_ILLEGAL_TRANSITION);
    CHECK(CONTAINS(crm_errmsg(db), "refunded"));
    CHECK(CONTAINS(crm_errmsg(db), "completed"));
    CHECK(crm_purchase_set_status(db, second, "refunded") == CRM_ILLEGAL_TRANSITION);
    CHECK(crm_purchase_set_status(db, id, "lost") == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "status"));
    CHECK(crm_purchase_set_status(db, id, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(crm_purchase_set_status(db, 999, "refunded") == CRM_NOT_FOUND);
    CHECK(crm_purchase_set_status(NULL, id, "refunded") == CRM_INVALID_ARGUMENT);
    got = NULL;
    CHECK(crm_purchase_get(db, id, &got) == CRM_OK);
    CHECK(STREQ(crm_purchase_status(got), "refunded"));
    crm_purchase_free(got);

    /* A product named by purchase lines cannot be deleted. */
    CHECK(crm_product_delete(db, tea) == CRM_CONSTRAINT);
    CHECK(products(db) == 1);
    crm_close(db);
}

static void test_purchase_bad_input(void) {
    int64_t now = T0;
    crm_db *db = open_at(&now);
    int64_t ada = add_customer(db, "Ada");
    crm_new_line_item items[2];
    crm_new_purchase p;
    crm_purchase *got = NULL;
    int64_t before, lines_before, id = 0;

    add_product(db, "TEA-01", "Green tea", NULL, NULL, 0);
    crm_new_line_item_init(&items[0], sizeof items[0]);
    crm_new_line_item_init(&items[1], sizeof items[1]);
    items[0].sku = "TEA-01";
    items[1].name = "Cup";
    crm_new_purchase_init(&p, sizeof p);
    p.customer_id = ada;
    p.amount = 100;
    p.currency = "EUR";
    p.items = items;
    p.items_len = 2;
    p.external_id = "ORD-1";
    CHECK(crm_purchase_add(db, &p, NULL) == CRM_OK);
    p.external_id = NULL;
    before = purchases(db, NULL);
    lines_before = lines(db, NULL);
    CHECK(before == 1 && lines_before == 2);

    /* Unknown customer. */
    p.customer_id = 424242;
    CHECK(crm_purchase_add(db, &p, &id) == CRM_NOT_FOUND);
    CHECK(id == 0);
    CHECK(CONTAINS(crm_errmsg(db), "customer"));
    p.customer_id = ada;

    /* Negative quantity on line 2. */
    items[1].quantity = -3;
    CHECK(crm_purchase_add(db, &p, NULL) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "quantity"));
    CHECK(CONTAINS(crm_errmsg(db), "line 2"));
    items[1].quantity = 1;

    /* Negative unit price, negative amount, a line with nothing to name it, an unknown sku
     * without a name. */
    items[1].unit_price = -1;
    CHECK(crm_purchase_add(db, &p, NULL) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "unit_price"));
    items[1].unit_price = 0;
    p.amount = -100;
    CHECK(crm_purchase_add(db, &p, NULL) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "amount"));
    p.amount = 100;
    items[1].name = NULL;
    CHECK(crm_purchase_add(db, &p, NULL) == CRM_INVALID_INPUT);
    items[1].sku = "NOT-IN-CATALOGUE";
    CHECK(crm_purchase_add(db, &p, NULL) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "NOT-IN-CATALOGUE"));
    items[1].sku = NULL;
    items[1].name = "Cup";

    /* Unknown product id (line 1). */
    items[0].product_id = 9999;
    CHECK(crm_purchase_add(db, &p, NULL) == CRM_NOT_FOUND);
    CHECK(CONTAINS(crm_errmsg(db), "product"));
    CHECK(CONTAINS(crm_errmsg(db), "9999"));
    items[0].product_id = 0;

    /* Bad currency and status; taken external id. */
    p.currency = "E1R";
    CHECK(crm_purchase_add(db, &p, NULL) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "currency"));
    p.currency = NULL;
    CHECK(crm_purchase_add(db, &p, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(db), "purchase->currency"));
    p.currency = "EUR";
    p.status = "shipped";
    CHECK(crm_purchase_add(db, &p, NULL) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "status"));
    p.status = NULL;
    p.external_id = "ORD-1";
    CHECK(crm_purchase_add(db, &p, NULL) == CRM_ALREADY_EXISTS);
    CHECK(CONTAINS(crm_errmsg(db), "ORD-1"));
    p.external_id = NULL;

    /* NULL handle, NULL struct, invalid UTF-8, NULL lines with a length. */
    CHECK(crm_purchase_add(NULL, &p, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(NULL), "db is NULL"));
    CHECK(crm_purchase_add(db, NULL, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(db), "purchase is NULL"));
    p.external_id = "ORD-\xc3";
    CHECK(crm_purchase_add(db, &p, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(db), "external_id"));
    CHECK(CONTAINS(crm_errmsg(db), "UTF-8"));
    p.external_id = NULL;
    items[1].name = "Cup \xff";
    CHECK(crm_purchase_add(db, &p, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(db), "items[1].name"));
    items[1].name = "Cup";
    p.items = NULL;
    CHECK(crm_purchase_add(db, &p, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(db), "items"));
    p.items = items;

    /* A struct_size smaller than the first version's, on the purchase and on a line. */
    p.struct_size = 8;
    CHECK(crm_purchase_add(db, &p, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(db), "crm_new_purchase_init"));
    crm_new_purchase_init(&p, sizeof p);
    p.customer_id = ada;
    p.amount = 100;
    p.currency = "EUR";
    p.items = items;
    p.items_len = 2;
    items[0].struct_size = 4;
    CHECK(crm_purchase_add(db, &p, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(db), "crm_new_line_item_init"));
    crm_new_line_item_init(&items[0], sizeof items[0]);
    items[0].sku = "TEA-01";
    items[1].struct_size = 4; /* elements must agree on their size */
    CHECK(crm_purchase_add(db, &p, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(db), "items[1].struct_size"));
    crm_new_line_item_init(&items[1], sizeof items[1]);
    items[1].name = "Cup";

    CHECK(purchases(db, NULL) == before);
    CHECK(lines(db, NULL) == lines_before);

    /* Still fine after all that. */
    CHECK(crm_purchase_add(db, &p, &id) == CRM_OK);
    CHECK(purchases(db, NULL) == before + 1);

    /* Gets and counts with bad arguments; pointer outputs are NULL afterwards. */
    got = (crm_purchase *)&p;
    CHECK(crm_purchase_get(NULL, id, &got) == CRM_INVALID_ARGUMENT);
    CHECK(got == NULL);
    got = (crm_purchase *)&p;
    CHECK(crm_purchase_get(db, 424242, &got) == CRM_NOT_FOUND);
    CHECK(got == NULL);
    CHECK(crm_purchase_get(db, id, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(crm_purchase_count(db, NULL, NULL) == CRM_INVALID_ARGUMENT);
    {
        crm_filter *f = NULL;
        int64_t n;
        CHECK(crm_filter_text("colour", CRM_OP_EQ, "blue", &f) == CRM_OK);
        CHECK(crm_purchase_count(db, f, &n) == CRM_INVALID_INPUT);
        CHECK(CONTAINS(crm_errmsg(db), "purchased_at"));
        crm_filter_free(f);
    }
    crm_close(db);
}

/* ------------------------------------------------------------------------------ columns */

#define N 10000
#define SKUS 5

static const char *const sku_codes[SKUS] = {"SKU-0", "SKU-1", "SKU-2", "SKU-3", "SKU-4"};
static const char *const sku_names[SKUS] = {"Tea", "Coffee", "Cocoa", "Mug", "Spoon"};

/* Columns for N purchases by three customers an hour apart; purchase i has (i % 3) + 1 lines,
 * line k naming sku (i + k) % 5 with quantity k + 1 at 10 * (k + 1). Every tenth purchase
 * (i % 10 == 3) is refunded; each has external id "ORD-i". */
struct batch {
    int64_t customer_id[N], purchased_at[N], amount[N];
    const char *status[N];
    const char *external_id[N];
    char external_text[N][16];
    size_t items_len;
    int64_t item_purchase_row[3 * N], item_quantity[3 * N], item_unit_price[3 * N];
    const char *item_sku[3 * N];
};

static void fill(struct batch *b, const int64_t customers[3], crm_purchase_columns *cols) {
    size_t i, k, j = 0;
    for (i = 0; i < N; i++) {
        b->customer_id[i] = customers[i % 3];
        b->purchased_at[i] = T0 + (int64_t)i * HOUR;
        b->amount[i] = 100 + (int64_t)i;
        b->status[i] = i % 10 == 3 ? "refunded" : NULL;
        snprintf(b->external_text[i], sizeof b->external_text[i], "ORD-%u", (unsigned)i);
        b->external_id[i] = b->external_text[i];
        for (k = 0; k <= i % 3; k++, j++) {
            b->item_purchase_row[j] = (int64_t)i;
            b->item_sku[j] = sku_codes[(i + k) % SKUS];
            b->item_quantity[j] = (int64_t)k + 1;
            b->item_unit_price[j] = 10 * ((int64_t)k + 1);
        }
    }
    b->items_len = j;
    crm_purchase_columns_init(cols, sizeof *cols);
    cols->customer_id = b->customer_id;
    cols->purchased_at = b->purchased_at;
    cols->amount = b->amount;
    cols->currency = "EUR";
    cols->status = b->status;
    cols->external_id = b->external_id;
    cols->items_len = b->items_len;
    cols->item_purchase_row = b->item_purchase_row;
    cols->item_sku = b->item_sku;
    cols->item_quantity = b->item_quantity;
    cols->item_unit_price = b->item_unit_price;
}

static void test_columns(void) {
    int64_t now = T0 + 100000 * HOUR;
    crm_db *db = open_at(&now);
    int64_t customers[3], product_ids[SKUS], *ids = malloc(N * sizeof *ids);
    struct batch *b = malloc(sizeof *b);
    crm_purchase_columns cols;
    crm_purchase_table *t = NULL;
    crm_line_item_table *l = NULL;
    crm_find_options opts;
    crm_filter *f;
    size_t i, j, n_lines;
    int64_t saved;
    int ok;

    if (ids == NULL || b == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    customers[0] = add_customer(db, "Ada");
    customers[1] = add_customer(db, "Bob");
    customers[2] = add_customer(db, "Cy");
    for (i = 0; i < SKUS; i++)
        product_ids[i] = add_product(db, sku_codes[i], sku_names[i], i < 3 ? "drinks" : NULL,
                                     NULL, 0);

    fill(b, customers, &cols);
    CHECK(b->items_len == 19999); /* 3334 + 3333 * 2 + 3333 * 3 */
    CHECK(crm_purchase_add_many(db, N, &cols, ids) == CRM_OK);
    CHECK(purchases(db, NULL) == N);
    CHECK(lines(db, NULL) == (int64_t)b->items_len);
    ok = 1;
    for (i = 1; i < N; i++) ok &= ids[i] == ids[0] + (int64_t)i;
    CHECK(ok);

    /* Bob's purchases in [T0 + 100 h, T0 + 130 h), newest first: i = 127, 124, ..., 100. */
    f = and_(int_eq("customer_id", customers[1]),
             and_(time_cmp("purchased_at", CRM_OP_GE, T0 + 100 * HOUR),
                  time_cmp("purchased_at", CRM_OP_LT, T0 + 130 * HOUR)));
    crm_find_options_init(&opts, sizeof opts);
    opts.order_by = "-purchased_at";
    CHECK(purchases(db, f) == 10);
    CHECK(crm_purchase_find_columns(db, f, &opts, &t) == CRM_OK);
    CHECK(crm_purchase_table_len(t) == 10);
    if (crm_purchase_table_len(t) == 10) {
        const int64_t *id = crm_purchase_table_id(t);
        const int64_t *customer = crm_purchase_table_customer_id(t);
        const int64_t *at = crm_purchase_table_purchased_at(t);
        const int64_t *amount = crm_purchase_table_amount(t);
        ok = id != NULL && customer != NULL && at != NULL && amount != NULL;
        for (j = 0; ok && j < 10; j++) {
            size_t row = 127 - 3 * j;
            char ext[16];
            snprintf(ext, sizeof ext, "ORD-%u", (unsigned)row);
            ok &= id[j] == ids[row];
            ok &= customer[j] == customers[1];
            ok &= at[j] == T0 + (int64_t)row * HOUR;
            ok &= amount[j] == 100 + (int64_t)row;
            ok &= STREQ(crm_purchase_table_currency(t, j), "EUR");
            ok &= STREQ(crm_purchase_table_status(t, j), row == 103 ? "refunded" : "completed");
            ok &= STREQ(crm_purchase_table_external_id(t, j), ext);
        }
        CHECK(ok);
    }
    CHECK(crm_purchase_table_currency(t, 10) == NULL);
    CHECK(crm_purchase_table_status(t, 10) == NULL);
    CHECK(crm_purchase_table_external_id(t, 10) == NULL);
    crm_purchase_table_free(t);

    /* Their lines: two per purchase (i % 3 == 1), purchase by purchase in the same order. */
    CHECK(crm_purchase_line_items(db, f, &opts, &l) == CRM_OK);
    n_lines = crm_line_item_table_len(l);
    CHECK(n_lines == 20);
    if (n_lines == 20) {
        const int64_t *purchase = crm_line_item_table_purchase_id(l);
        const int64_t *customer = crm_line_item_table_customer_id(l);
        const int64_t *at = crm_line_item_table_purchased_at(l);
        const int64_t *line = crm_line_item_table_line(l);
        const int64_t *product = crm_line_item_table_product_id(l);
        const int64_t *quantity = crm_line_item_table_quantity(l);
        const int64_t *price = crm_line_item_table_unit_price(l);
        ok = 1;
        for (j = 0; j < n_lines; j++) {
            size_t row = 127 - 3 * (j / 2), k = j % 2, s = (row + k) % SKUS;
            ok &= purchase[j] == ids[row];
            ok &= customer[j] == customers[1];
            ok &= at[j] == T0 + (int64_t)row * HOUR;
            ok &= line[j] == (int64_t)k + 1;
            ok &= product[j] == product_ids[s];
            ok &= quantity[j] == (int64_t)k + 1;
            ok &= price[j] == 10 * ((int64_t)k + 1);
            ok &= STREQ(crm_line_item_table_sku(l, j), sku_codes[s]);
            ok &= STREQ(crm_line_item_table_name(l, j), sku_names[s]);
            ok &= s < 3 ? STREQ(crm_line_item_table_category(l, j), "drinks")
                        : crm_line_item_table_category(l, j) == NULL;
        }
        CHECK(ok);
    }
    CHECK(crm_line_item_table_sku(l, n_lines) == NULL);
    CHECK(crm_line_item_table_name(l, n_lines) == NULL);
    crm_line_item_table_free(l);

    /* Paging applies to purchases: the first two purchases bring their four lines. */
    opts.limit = 2;
    l = NULL;
    CHECK(crm_purchase_line_items(db, f, &opts, &l) == CRM_OK);
    CHECK(crm_line_item_table_len(l) == 4);
    crm_line_item_table_free(l);
    crm_filter_free(f);

    /* An empty result: length 0, NULL arrays; NULL tables read as empty. */
    f = int_eq("customer_id", 424242);
    t = NULL;
    CHECK(crm_purchase_find_columns(db, f, NULL, &t) == CRM_OK);
    CHECK(t != NULL);
    CHECK(crm_purchase_table_len(t) == 0);
    CHECK(crm_purchase_table_id(t) == NULL);
    crm_purchase_table_free(t);
    l = NULL;
    CHECK(crm_purchase_line_items(db, f, NULL, &l) == CRM_OK);
    CHECK(crm_line_item_table_len(l) == 0);
    CHECK(crm_line_item_table_purchase_id(l) == NULL);
    crm_line_item_table_free(l);
    crm_filter_free(f);
    CHECK(crm_purchase_table_len(NULL) == 0);
    CHECK(crm_purchase_table_amount(NULL) == NULL);
    CHECK(crm_line_item_table_len(NULL) == 0);
    CHECK(crm_line_item_table_name(NULL, 0) == NULL);
    crm_purchase_table_free(NULL);
    crm_line_item_table_free(NULL);

    /* Bad finder arguments; the out-parameter is NULL afterwards. */
    t = (crm_purchase_table *)&opts;
    CHECK(crm_purchase_find_columns(NULL, NULL, NULL, &t) == CRM_INVALID_ARGUMENT);
    CHECK(t == NULL);
    CHECK(crm_purchase_find_columns(db, NULL, NULL, NULL) == CRM_INVALID_ARGUMENT);
    crm_find_options_init(&opts, sizeof opts);
    opts.order_by = "-shoe_size";
    CHECK(crm_purchase_find_columns(db, NULL, &opts, &t) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "shoe_size"));
    l = (crm_line_item_table *)&opts;
    CHECK(crm_purchase_line_items(db, NULL, &opts, &l) == CRM_INVALID_INPUT);
    CHECK(l == NULL);
    opts.order_by = NULL;
    opts.offset = -1;
    CHECK(crm_purchase_line_items(db, NULL, &opts, &l) == CRM_INVALID_ARGUMENT);

    /* A batch with a bad line in the middle writes nothing and names the row. */
    fill(b, customers, &cols);
    cols.external_id = NULL; /* the first batch has these */
    b->item_quantity[b->items_len / 2] = -1;
    CHECK(crm_purchase_add_many(db, N, &cols, NULL) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "row 5000"));
    CHECK(CONTAINS(crm_errmsg(db), "quantity"));
    b->item_quantity[b->items_len / 2] = 1;
    /* An unknown customer in the middle. */
    b->customer_id[N / 2] = 424242;
    CHECK(crm_purchase_add_many(db, N, &cols, NULL) == CRM_NOT_FOUND);
    CHECK(CONTAINS(crm_errmsg(db), "row 5000"));
    b->customer_id[N / 2] = customers[0];
    /* A line whose purchase row is out of range, negative or not. */
    saved = b->item_purchase_row[7];
    b->item_purchase_row[7] = N;
    CHECK(crm_purchase_add_many(db, N, &cols, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(db), "out of range"));
    b->item_purchase_row[7] = -1;
    CHECK(crm_purchase_add_many(db, N, &cols, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(db), "out of range"));
    b->item_purchase_row[7] = saved;
    /* Bad status and currency strings name their row. */
    b->status[42] = "lost";
    CHECK(crm_purchase_add_many(db, N, &cols, NULL) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "row 42"));
    b->status[42] = NULL;
    cols.currency = "EURO";
    CHECK(crm_purchase_add_many(db, N, &cols, NULL) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "currency"));
    cols.currency = NULL;
    CHECK(crm_purchase_add_many(db, N, &cols, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(db), "currency"));
    cols.currency = "EUR";
    /* Missing required arrays, bad struct_size, NULL struct and handle. */
    cols.amount = NULL;
    CHECK(crm_purchase_add_many(db, N, &cols, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(db), "columns->amount"));
    cols.amount = b->amount;
    cols.item_quantity = NULL;
    CHECK(crm_purchase_add_many(db, N, &cols, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(db), "item_quantity"));
    cols.item_quantity = b->item_quantity;
    cols.struct_size = 16;
    CHECK(crm_purchase_add_many(db, N, &cols, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(db), "crm_purchase_columns_init"));
    CHECK(crm_purchase_add_many(db, N, NULL, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(crm_purchase_add_many(NULL, N, &cols, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(purchases(db, NULL) == N);
    CHECK(lines(db, NULL) == (int64_t)b->items_len);

    /* Per-row currencies, no times (all now), no lines; zero rows is a no-op. */
    {
        const char *currencies[3] = {"EUR", "cny", "USD"};
        int64_t three[3];
        crm_purchase_columns small;
        crm_purchase_columns_init(&small, sizeof small);
        small.customer_id = customers;
        small.amount = b->amount;
        small.currency = "XXX"; /* ignored: currencies wins */
        small.currencies = currencies;
        CHECK(crm_purchase_add_many(db, 3, &small, three) == CRM_OK);
        t = NULL;
        f = int_eq("id", three[1]);
        CHECK(crm_purchase_find_columns(db, f, NULL, &t) == CRM_OK);
        CHECK(crm_purchase_table_len(t) == 1);
        CHECK(STREQ(crm_purchase_table_currency(t, 0), "CNY"));
        CHECK(crm_purchase_table_purchased_at(t) != NULL &&
              crm_purchase_table_purchased_at(t)[0] == now);
        crm_purchase_table_free(t);
        crm_filter_free(f);
        currencies[2] = NULL;
        CHECK(crm_purchase_add_many(db, 3, &small, NULL) == CRM_INVALID_ARGUMENT);
        CHECK(CONTAINS(crm_errmsg(db), "currencies[2]"));
        currencies[2] = "US";
        CHECK(crm_purchase_add_many(db, 3, &small, NULL) == CRM_INVALID_INPUT);
        CHECK(CONTAINS(crm_errmsg(db), "row 2: currency"));
        crm_purchase_columns_init(&small, sizeof small);
        CHECK(crm_purchase_add_many(db, 0, &small, NULL) == CRM_OK);
        CHECK(purchases(db, NULL) == N + 3);
    }

    free(b);
    free(ids);
    crm_close(db);
}

/* ------------------------------------------------------------------------------ delete */

static void test_delete_customer_with_purchases(void) {
    int64_t now = T0;
    crm_db *db = open_at(&now);
    int64_t ada = add_customer(db, "Ada"), bob = add_customer(db, "Bob");
    crm_new_line_item item;
    crm_new_purchase p;
    crm_filter *f;
    int i;

    crm_new_line_item_init(&item, sizeof item);
    item.name = "Tea";
    crm_new_purchase_init(&p, sizeof p);
    p.amount = 100;
    p.currency = "EUR";
    p.items = &item;
    p.items_len = 1;
    for (i = 0; i < 3; i++) {
        p.customer_id = i < 2 ? ada : bob;
        CHECK(crm_purchase_add(db, &p, NULL) == CRM_OK);
    }

    CHECK(crm_customer_delete(db, ada, 0) == CRM_CONSTRAINT);
    CHECK(crm_errcode(db) == CRM_CONSTRAINT);
    CHECK(CONTAINS(crm_errmsg(db), "purchases"));
    CHECK(purchases(db, NULL) == 3);

    CHECK(crm_customer_delete(db, ada, CRM_DELETE_CASCADE) == CRM_OK);
    f = int_eq("customer_id", ada);
    CHECK(purchases(db, f) == 0);
    CHECK(lines(db, f) == 0);
    crm_filter_free(f);
    CHECK(purchases(db, NULL) == 1);
    CHECK(lines(db, NULL) == 1);
    {
        crm_customer *c = NULL;
        CHECK(crm_customer_get(db, ada, &c) == CRM_NOT_FOUND);
        CHECK(crm_customer_get(db, bob, &c) == CRM_OK);
        crm_customer_free(c);
    }
    crm_close(db);
}

int main(void) {
    test_products();
    test_purchase_rows();
    test_purchase_bad_input();
    test_columns();
    test_delete_customer_with_purchases();
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
