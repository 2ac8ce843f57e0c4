/* Text filters, tags, notes, the audit trail and saved segments through the C API: the happy
 * paths, then bad input, each checked for its documented code and for leaving the store unchanged.
 * Built by `make test-c` with -std=c99 -pedantic, linked statically and dynamically, run under
 * valgrind. */
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
#define DAY INT64_C(86400000000)
#define T0 INT64_C(1767225600000000) /* 2026-01-01T00:00:00Z */

/* ------------------------------------------------------------------------------ helpers */

static int64_t fixed_clock(void *ctx) { return *(const int64_t *)ctx; }

/* A store whose clock reads *now, acting for `principal` (NULL: the default, system/admin). */
static crm_db *open_as(int64_t *now, const char *principal, const char *role) {
    crm_open_options options;
    crm_db *db = NULL;
    crm_open_options_init(&options, sizeof options);
    options.clock = fixed_clock;
    options.clock_ctx = now;
    options.principal = principal;
    options.role = role;
    CHECK(crm_open(":memory:", &options, &db) == CRM_OK);
    return db;
}

static crm_filter *parse(const char *text) {
    crm_filter *f = NULL;
    CHECK(crm_filter_parse(text, &f) == CRM_OK);
    CHECK(f != NULL);
    return f;
}

static int64_t count(crm_db *db, const crm_filter *filter) {
    int64_t n = -1;
    CHECK(crm_customer_count(db, filter, &n) == CRM_OK);
    return n;
}

/* Customers matching filter text. */
static int64_t count_text(crm_db *db, const char *text) {
    crm_filter *f = parse(text);
    int64_t n = count(db, f);
    crm_filter_free(f);
    return n;
}

static int64_t add_customer(crm_db *db, const char *name) {
    crm_new_customer c;
    int64_t id = 0;
    crm_new_customer_init(&c, sizeof c);
    c.name = name;
    CHECK(crm_customer_add(db, &c, &id) == CRM_OK);
    return id;
}

static int64_t add_purchase(crm_db *db, int64_t customer, int64_t at, int64_t amount,
                            const char *status) {
    crm_new_purchase p;
    int64_t id = 0;
    crm_new_purchase_init(&p, sizeof p);
    p.customer_id = customer;
    p.purchased_at = at;
    p.amount = amount;
    p.currency = "EUR";
    p.status = status;
    CHECK(crm_purchase_add(db, &p, &id) == CRM_OK);
    return id;
}

#define HOSTILE "O'Brien'); DROP TABLE customers;--"

/* Five customers and a few purchases:
 *   Ada  web/lead       vip       completed 50.00 (Jan 2) + 70.00 (Jan 11)  → spend 12000, 2
 *   Bob  web/customer   -         completed 200.00 (Jan 4), refunded 500.00 → spend 20000, 1
 *   Cy   referral/cust. vip,beta  -                                         → spend 0, 0
 *   Dee  ads/churned    -         cancelled 1.00                            → spend 0, 0
 *   O'Brien…  web/prospect  beta  -
 * ids[] receives the ids in that order. */
static void add_shop(crm_db *db, int64_t ids[5]) {
    const char *names[] = {"Ada", "Bob", "Cy", "Dee", HOSTILE};
    const char *sources[] = {"web", "web", "referral", "ads", "web"};
    const char *stages[] = {"lead", "customer", "customer", "churned", "prospect"};
    const char *tags[] = {"vip", "", "vip,beta", NULL, "beta"};
    crm_customer_columns cols;
    crm_customer_columns_init(&cols, sizeof cols);
    cols.name = names;
    cols.source = sources;
    cols.stage = stages;
    cols.tags = tags;
    CHECK(crm_customer_add_many(db, 5, &cols, ids) == CRM_OK);
    add_purchase(db, ids[0], T0 + DAY, 5000, NULL);
    add_purchase(db, ids[0], T0 + 10 * DAY, 7000, "completed");
    add_purchase(db, ids[1], T0 + 3 * DAY, 20000, NULL);
    add_purchase(db, ids[1], T0 + 20 * DAY, 50000, "refunded");
    add_purchase(db, ids[3], T0 + 30 * DAY, 100, "cancelled");
}

/* The number of audit entries matching filter text. */
static size_t audit_count(crm_db *db, const char *text) {
    crm_filter *f = parse(text);
    crm_audit_list *l = NULL;
    size_t n = 0;
    CHECK(crm_audit_find(db, f, NULL, &l) == CRM_OK);
    n = crm_audit_list_len(l);
    crm_audit_list_free(l);
    crm_filter_free(f);
    return n;
}

static size_t segments(crm_db *db) {
    crm_segment_list *l = NULL;
    size_t n = 0;
    CHECK(crm_segment_all(db, &l) == CRM_OK);
    n = crm_segment_list_len(l);
    crm_segment_list_free(l);
    return n;
}

static int64_t segment_count(crm_db *db, const char *name) {
    int64_t n = -1;
    CHECK(crm_segment_count(db, name, &n) == CRM_OK);
    return n;
}

static size_t notes(crm_db *db, const char *entity, int64_t id) {
    crm_note_list *l = NULL;
    size_t n = 0;
    CHECK(crm_note_all(db, entity, id, &l) == CRM_OK);
    n = crm_note_list_len(l);
    crm_note_list_free(l);
    return n;
}

static int64_t version_of(crm_db *db, int64_t id) {
    crm_customer *c = NULL;
    int64_t v = -1;
    CHECK(crm_customer_get(db, id, &c) == CRM_OK);
    v = crm_customer_version(c);
    crm_customer_free(c);
    return v;
}

/* ------------------------------------------------------------------------------ text filters */

static void test_text_filters(void) {
    int64_t now = T0 + 40 * DAY;
    crm_db *db = open_as(&now, NULL, NULL);
    int64_t ids[5];
    crm_filter *f = NULL, *g = NULL, *both = NULL;
    crm_customer_list *l = NULL;
    crm_find_options opts;

    add_shop(db, ids);
    CHECK(count_text(db, "") == 5);
    CHECK(count_text(db, "   ") == 5);
    CHECK(count_text(db, "source = 'web'") == 3);
    CHECK(count_text(db, "source = \"web\" AND stage IN ('lead', 'prospect')") == 2);
    CHECK(count_text(db, "tags contains 'vip'") == 2);
    CHECK(count_text(db, "tags = 'VIP' and tags contains 'beta'") == 1);
    CHECK(count_text(db, "tags is null") == 2);
    CHECK(count_text(db, "not stage = 'churned' and stage not in ('lead')") == 3);
    CHECK(count_text(db, "(source = 'ads' or source = 'referral') and not tags is null") == 1);
    CHECK(count_text(db, "name starts with 'o''b'") == 1);
    CHECK(count_text(db, "id between 2 and 3") == 2);

    /* Behavioural fields: only completed purchases count. */
    CHECK(count_text(db, "total_spend > 10000") == 2);
    CHECK(count_text(db, "total_spend = 12000") == 1);
    CHECK(count_text(db, "total_spend = 0") == 3);
    CHECK(count_text(db, "purchase_count >= 2") == 1);
    CHECK(count_text(db, "purchase_count = 0") == 3);
    CHECK(count_text(db, "last_purchase >= '2026-01-05'") == 1); /* Bob's later one was refunded */
    CHECK(count_text(db, "last_purchase < '2026-01-05T00:00:00Z'") == 1);
    CHECK(count_text(db, "last_purchase is null") == 3);
    CHECK(count_text(db, "source = 'web' and total_spend > 10000 and last_purchase < '2026-02-01'") ==
          2);

    /* Sorted by a behavioural field, biggest spender first. */
    f = parse("total_spend > 0");
    crm_find_options_init(&opts, sizeof opts);
    opts.order_by = "-total_spend";
    CHECK(crm_customer_find(db, f, &opts, &l) == CRM_OK);
    CHECK(crm_customer_list_len(l) == 2);
    CHECK(STREQ(crm_customer_name(crm_customer_list_get(l, 0)), "Bob"));
    CHECK(STREQ(crm_customer_name(crm_customer_list_get(l, 1)), "Ada"));
    crm_customer_list_free(l);
    crm_filter_free(f);

    /* A parsed filter combines with built ones. */
    f = parse("source = 'web'");
    CHECK(crm_filter_has_tag("vip", &g) == CRM_OK);
    CHECK(crm_filter_and(f, g, &both) == CRM_OK);
    CHECK(count(db, both) == 1);
    crm_filter_free(both);

    /* Hostile strings are values: they match only themselves and change nothing. */
    CHECK(count_text(db, "name = 'O''Brien''); DROP TABLE customers;--'") == 1);
    CHECK(count_text(db, "name = \"" HOSTILE "\"") == 1);
    CHECK(count_text(db, "name = 'x'' or ''1''=''1'") == 0);
    CHECK(count_text(db, "name contains '%'") == 0);
    CHECK(count_text(db, "name contains '_'") == 0);
    CHECK(count_text(db, "name starts with '%a'") == 0);
    CHECK(count_text(db, "company = '/* */ 1 or 1=1 --'") == 0);
    CHECK(count_text(db, "name = 'a\\'' or 1=1 --'") == 0);
    CHECK(count_text(db, "tags contains 'vip'' or 1=1 --'") == 0);
    CHECK(count(db, NULL) == 5);
    crm_close(db);
}

static void test_parse_errors(void) {
    static const char *const bad[] = {
        "source = ",
        "source = 'web' and",
        "(source = 'web'",
        "source = 'web')",
        "name = 'unterminated",
        "source == = 'web'",
        "1 = 1",
        "source = 'web' or or stage = 'lead'",
        "name = 'x' or '1'='1'",
        "source = web",
        "tags > 'vip'",
        "name between 1",
        "name = 'a'; DROP TABLE customers",
    };
    int64_t now = T0;
    crm_db *db = open_as(&now, NULL, NULL);
    int64_t ids[5];
    crm_filter *f = NULL;
    char deep[400];
    size_t i;

    add_shop(db, ids);
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        f = (crm_filter *)&now; /* must be reset to NULL on failure */
        CHECK(crm_filter_parse(bad[i], &f) == CRM_PARSE);
        CHECK(f == NULL);
        CHECK(crm_errcode(NULL) == CRM_PARSE);
        CHECK(CONTAINS(crm_errmsg(NULL), "position"));
    }
    CHECK(crm_filter_parse("source = ", &f) == CRM_PARSE);
    CHECK(CONTAINS(crm_errmsg(NULL), "position 9"));
    CHECK(crm_filter_parse("stage = 'lead' and (", &f) == CRM_PARSE);
    CHECK(CONTAINS(crm_errmsg(NULL), "position 20"));

    /* Nesting deeper than 64 levels is a parse error too. */
    memset(deep, '(', 100);
    strcpy(deep + 100, "source = 'web'");
    memset(deep + 114, ')', 100);
    deep[214] = '\0';
    CHECK(crm_filter_parse(deep, &f) == CRM_PARSE);
    CHECK(CONTAINS(crm_errmsg(NULL), "64"));
    CHECK(f == NULL);

    /* Unknown fields and values that do not fit are reported when the filter is used. */
    f = parse("nope = 1");
    {
        int64_t n = -1;
        CHECK(crm_customer_count(db, f, &n) == CRM_INVALID_INPUT);
        CHECK(CONTAINS(crm_errmsg(db), "nope"));
        CHECK(n == -1);
    }
    crm_filter_free(f);
    f = parse("SOURCE = 'web'"); /* field names are case-sensitive */
    {
        int64_t n = -1;
        CHECK(crm_customer_count(db, f, &n) == CRM_INVALID_INPUT);
    }
    crm_filter_free(f);
    f = parse("stage = 'vip'");
    {
        int64_t n = -1;
        CHECK(crm_customer_count(db, f, &n) == CRM_INVALID_INPUT);
    }
    crm_filter_free(f);

    /* NULL arguments. */
    f = (crm_filter *)&now;
    CHECK(crm_filter_parse(NULL, &f) == CRM_INVALID_ARGUMENT);
    CHECK(f == NULL);
    CHECK(CONTAINS(crm_errmsg(NULL), "text"));
    CHECK(crm_filter_parse("source = 'web'", NULL) == CRM_INVALID_ARGUMENT);
    CHECK(crm_filter_parse("\xff = 1", &f) == CRM_INVALID_ARGUMENT);
    CHECK(count(db, NULL) == 5);
    crm_close(db);
}

/* ------------------------------------------------------------------------------ tags */

static void test_tags(void) {
    int64_t now = T0;
    crm_db *db = open_as(&now, NULL, NULL);
    const char *more[] = {" Gold", "VIP", "new", "gold"};
    const char *again[] = {"GOLD"};
    const char *drop[] = {"GOLD", "absent"};
    const char *bad_tag[] = {"ok", "a,b"};
    const char *blank[] = {"  "};
    const char *with_null[] = {"ok", NULL};
    const char *first[] = {"vip"};
    crm_new_customer c;
    crm_customer *out = NULL;
    int64_t id = 0;

    crm_new_customer_init(&c, sizeof c);
    c.name = "Ada";
    c.tags = first;
    c.tags_len = 1;
    CHECK(crm_customer_add(db, &c, &id) == CRM_OK);

    /* Added tags are normalised and merged: version 2. */
    now += HOUR;
    CHECK(crm_customer_add_tags(db, id, more, 4, &out) == CRM_OK);
    CHECK(crm_customer_version(out) == 2);
    CHECK(crm_customer_tags_len(out) == 3);
    CHECK(STREQ(crm_customer_tag(out, 0), "gold"));
    CHECK(STREQ(crm_customer_tag(out, 1), "new"));
    CHECK(STREQ(crm_customer_tag(out, 2), "vip"));
    CHECK(crm_customer_updated_at(out) == now);
    crm_customer_free(out);
    out = NULL;

    /* A tag it already carries changes nothing; out may be NULL. */
    CHECK(crm_customer_add_tags(db, id, again, 1, &out) == CRM_OK);
    CHECK(crm_customer_version(out) == 2);
    crm_customer_free(out);
    CHECK(crm_customer_add_tags(db, id, again, 1, NULL) == CRM_OK);
    CHECK(version_of(db, id) == 2);

    /* Removing compares in normal form and ignores tags it lacks: version 3. */
    CHECK(crm_customer_remove_tags(db, id, drop, 2, &out) == CRM_OK);
    CHECK(crm_customer_version(out) == 3);
    CHECK(crm_customer_tags_len(out) == 2);
    CHECK(STREQ(crm_customer_tag(out, 0), "new"));
    CHECK(STREQ(crm_customer_tag(out, 1), "vip"));
    crm_customer_free(out);
    CHECK(crm_customer_remove_tags(db, id, NULL, 0, NULL) == CRM_OK);
    CHECK(version_of(db, id) == 3);
    CHECK(count_text(db, "tags contains 'gold'") == 0);
    CHECK(count_text(db, "tags contains 'new'") == 1);

    /* Failures change nothing and leave *out NULL. */
    out = (crm_customer *)&c;
    CHECK(crm_customer_add_tags(db, id + 1, again, 1, &out) == CRM_NOT_FOUND);
    CHECK(out == NULL);
    out = (crm_customer *)&c;
    CHECK(crm_customer_add_tags(db, id, bad_tag, 2, &out) == CRM_INVALID_INPUT);
    CHECK(out == NULL);
    CHECK(CONTAINS(crm_errmsg(db), "a,b"));
    CHECK(crm_customer_add_tags(db, id, blank, 1, NULL) == CRM_INVALID_INPUT);
    CHECK(crm_customer_remove_tags(db, id, bad_tag, 2, NULL) == CRM_INVALID_INPUT);
    CHECK(crm_customer_add_tags(db, id, with_null, 2, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(db), "tags[1]"));
    CHECK(crm_customer_add_tags(db, id, NULL, 2, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(crm_customer_remove_tags(db, id + 1, drop, 2, NULL) == CRM_NOT_FOUND);
    out = (crm_customer *)&c;
    CHECK(crm_customer_add_tags(NULL, id, again, 1, &out) == CRM_INVALID_ARGUMENT);
    CHECK(out == NULL);
    CHECK(CONTAINS(crm_errmsg(NULL), "db is NULL"));
    out = (crm_customer *)&c;
    CHECK(crm_customer_remove_tags(NULL, id, again, 1, &out) == CRM_INVALID_ARGUMENT);
    CHECK(out == NULL);
    CHECK(version_of(db, id) == 3);
    CHECK(count_text(db, "tags contains 'ok'") == 0);
    crm_close(db);
}

/* ------------------------------------------------------------------------------ notes */

static void test_notes(void) {
    int64_t now = T0;
    crm_db *db = open_as(&now, "ana", "agent");
    int64_t ada = add_customer(db, "Ada"), product = 0, purchase, interaction = 0;
    int64_t first = 0, second = 0, id = 0;
    crm_new_product p;
    crm_new_interaction it;
    crm_note_list *l = NULL;

    crm_new_product_init(&p, sizeof p);
    p.sku = "TEA-01";
    p.name = "Green tea";
    CHECK(crm_product_add(db, &p, &product) == CRM_OK);
    purchase = add_purchase(db, ada, T0, 1250, NULL);
    crm_new_interaction_init(&it, sizeof it);
    it.customer_id = ada;
    it.channel = "phone";
    CHECK(crm_interaction_add(db, &it, &interaction) == CRM_OK);

    /* Two notes on the customer, an hour apart: newest first, signed by the principal. */
    now = T0 + HOUR;
    CHECK(crm_note_add(db, "customer", ada, "  Prefers e-mail.  ", &first) == CRM_OK);
    now = T0 + 2 * HOUR;
    CHECK(crm_note_add(db, "Customer", ada, "'); DROP TABLE notes;--", &second) == CRM_OK);
    CHECK(first > 0 && second > first);
    CHECK(crm_note_all(db, "customer", ada, &l) == CRM_OK);
    CHECK(crm_note_list_len(l) == 2);
    CHECK(crm_note_list_id(l, 0) == second);
    CHECK(STREQ(crm_note_list_body(l, 0), "'); DROP TABLE notes;--"));
    CHECK(crm_note_list_created_at(l, 0) == T0 + 2 * HOUR);
    CHECK(crm_note_list_id(l, 1) == first);
    CHECK(STREQ(crm_note_list_body(l, 1), "Prefers e-mail."));
    CHECK(STREQ(crm_note_list_author(l, 1), "ana"));
    CHECK(crm_note_list_created_at(l, 1) == T0 + HOUR);
    /* Out of range and NULL give 0 / NULL. */
    CHECK(crm_note_list_id(l, 2) == 0);
    CHECK(crm_note_list_body(l, 2) == NULL);
    CHECK(crm_note_list_author(l, 99) == NULL);
    CHECK(crm_note_list_created_at(l, 2) == 0);
    CHECK(crm_note_list_len(NULL) == 0);
    CHECK(crm_note_list_body(NULL, 0) == NULL);
    crm_note_list_free(l);
    crm_note_list_free(NULL);

    /* Every kind of record takes notes; out_id may be NULL. */
    CHECK(crm_note_add(db, "product", product, "Seasonal.", NULL) == CRM_OK);
    CHECK(crm_note_add(db, "purchase", purchase, "Gift wrap.", NULL) == CRM_OK);
    CHECK(crm_note_add(db, "interaction", interaction, "Call back Monday.", NULL) == CRM_OK);
    CHECK(notes(db, "product", product) == 1);
    CHECK(notes(db, "purchase", purchase) == 1);
    CHECK(notes(db, "interaction", interaction) == 1);
    CHECK(audit_count(db, "entity = 'note' and principal = 'ana'") == 5);

    /* Failures write nothing. */
    id = -1;
    CHECK(crm_note_add(db, "ticket", ada, "x", &id) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "ticket"));
    CHECK(id == -1);
    CHECK(crm_note_add(db, "customer", ada + 100, "x", NULL) == CRM_NOT_FOUND);
    CHECK(crm_note_add(db, "customer", ada, "   ", NULL) == CRM_INVALID_INPUT);
    CHECK(crm_note_add(db, "customer", ada, "", NULL) == CRM_INVALID_INPUT);
    CHECK(crm_note_add(db, "customer", ada, NULL, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(crm_note_add(db, NULL, ada, "x", NULL) == CRM_INVALID_ARGUMENT);
    CHECK(crm_note_add(NULL, "customer", ada, "x", NULL) == CRM_INVALID_ARGUMENT);
    l = (crm_note_list *)&p;
    CHECK(crm_note_all(db, "product", product + 1, &l) == CRM_NOT_FOUND);
    CHECK(l == NULL);
    l = (crm_note_list *)&p;
    CHECK(crm_note_all(db, "ticket", ada, &l) == CRM_INVALID_INPUT);
    CHECK(l == NULL);
    l = (crm_note_list *)&p;
    CHECK(crm_note_all(NULL, "customer", ada, &l) == CRM_INVALID_ARGUMENT);
    CHECK(l == NULL);
    CHECK(crm_note_all(db, "customer", ada, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(crm_note_all(db, NULL, ada, &l) == CRM_INVALID_ARGUMENT);
    CHECK(notes(db, "customer", ada) == 2);
    CHECK(audit_count(db, "entity = 'note'") == 5);
    crm_close(db);
}

/* ------------------------------------------------------------------------------ audit trail */

static void test_audit(void) {
    int64_t now = T0;
    crm_db *db = open_as(&now, "ana", "agent");
    const char *names[] = {"Bob", "Cy"};
    crm_customer_columns cols;
    crm_customer_patch u;
    crm_filter *f = NULL, *g = NULL, *both = NULL;
    crm_audit_list *l = NULL;
    crm_find_options opts;
    int64_t ada, ids[2];
    const char *changes;

    ada = add_customer(db, "Ada");
    now = T0 + HOUR;
    crm_customer_patch_init(&u, sizeof u);
    u.set = CRM_SET_STAGE;
    u.stage = "customer";
    CHECK(crm_customer_update(db, ada, &u, NULL) == CRM_OK);
    now = T0 + 2 * HOUR;
    CHECK(crm_customer_delete(db, ada, 0) == CRM_OK);
    now = T0 + 3 * HOUR;
    crm_customer_columns_init(&cols, sizeof cols);
    cols.name = names;
    CHECK(crm_customer_add_many(db, 2, &cols, ids) == CRM_OK);

    /* Ada's trail: create, update, delete, oldest first, by ana the agent. */
    f = parse("entity = 'customer'");
    CHECK(crm_filter_int("entity_id", CRM_OP_EQ, ada, &g) == CRM_OK);
    CHECK(crm_filter_and(f, g, &both) == CRM_OK);
    CHECK(crm_audit_find(db, both, NULL, &l) == CRM_OK);
    CHECK(crm_audit_list_len(l) == 3);
    CHECK(STREQ(crm_audit_list_action(l, 0), "create"));
    CHECK(STREQ(crm_audit_list_action(l, 1), "update"));
    CHECK(STREQ(crm_audit_list_action(l, 2), "delete"));
    CHECK(crm_audit_list_id(l, 0) >= 1);
    CHECK(crm_audit_list_id(l, 0) < crm_audit_list_id(l, 1));
    CHECK(crm_audit_list_id(l, 1) < crm_audit_list_id(l, 2));
    CHECK(STREQ(crm_audit_list_principal(l, 0), "ana"));
    CHECK(STREQ(crm_audit_list_principal(l, 2), "ana"));
    CHECK(STREQ(crm_audit_list_role(l, 1), "agent"));
    CHECK(STREQ(crm_audit_list_entity(l, 1), "customer"));
    CHECK(crm_audit_list_entity_id(l, 1) == ada);
    CHECK(crm_audit_list_at(l, 0) == T0);
    CHECK(crm_audit_list_at(l, 1) == T0 + HOUR);
    CHECK(crm_audit_list_at(l, 2) == T0 + 2 * HOUR);
    changes = crm_audit_list_changes_json(l, 0);
    CHECK(changes != NULL && changes[0] == '{');
    CHECK(CONTAINS(changes, "\"name\""));
    CHECK(CONTAINS(changes, "\"Ada\""));
    changes = crm_audit_list_changes_json(l, 1);
    CHECK(CONTAINS(changes, "\"stage\""));
    CHECK(CONTAINS(changes, "\"customer\""));
    CHECK(CONTAINS(changes, "\"lead\""));
    CHECK(!CONTAINS(changes, "\"name\"")); /* only what changed */
    changes = crm_audit_list_changes_json(l, 2);
    CHECK(CONTAINS(changes, "\"name\""));
    /* Out of range and NULL give 0 / NULL. */
    CHECK(crm_audit_list_id(l, 3) == 0);
    CHECK(crm_audit_list_at(l, 3) == 0);
    CHECK(crm_audit_list_entity_id(l, 3) == 0);
    CHECK(crm_audit_list_action(l, 3) == NULL);
    CHECK(crm_audit_list_principal(l, 3) == NULL);
    CHECK(crm_audit_list_role(l, 3) == NULL);
    CHECK(crm_audit_list_entity(l, 3) == NULL);
    CHECK(crm_audit_list_changes_json(l, 3) == NULL);
    CHECK(crm_audit_list_len(NULL) == 0);
    CHECK(crm_audit_list_action(NULL, 0) == NULL);
    crm_audit_list_free(l);
    crm_audit_list_free(NULL);

    /* By action, by time, newest first with a page. */
    CHECK(audit_count(db, "action = 'update'") == 1);
    CHECK(audit_count(db, "action in ('create', 'delete')") == 2);
    CHECK(audit_count(db, "at >= '2026-01-01 02:00'") == 2);
    CHECK(audit_count(db, "principal = 'system'") == 0);
    crm_find_options_init(&opts, sizeof opts);
    opts.order_by = "-id";
    opts.limit = 1;
    l = NULL;
    CHECK(crm_audit_find(db, NULL, &opts, &l) == CRM_OK);
    CHECK(crm_audit_list_len(l) == 1);
    /* The bulk entry names no single record: entity_id 0, its range in the changes. */
    CHECK(STREQ(crm_audit_list_action(l, 0), "bulk_create"));
    CHECK(crm_audit_list_entity_id(l, 0) == 0);
    CHECK(CONTAINS(crm_audit_list_changes_json(l, 0), "\"count\""));
    crm_audit_list_free(l);

    /* Bad queries. */
    crm_filter_free(both);
    f = parse("nope = 1");
    l = (crm_audit_list *)&u;
    CHECK(crm_audit_find(db, f, NULL, &l) == CRM_INVALID_INPUT);
    CHECK(l == NULL);
    CHECK(CONTAINS(crm_errmsg(db), "nope"));
    crm_filter_free(f);
    f = parse("action = 'rename'");
    CHECK(crm_audit_find(db, f, NULL, &l) == CRM_INVALID_INPUT);
    crm_filter_free(f);
    crm_find_options_init(&opts, sizeof opts);
    opts.order_by = "-nope";
    CHECK(crm_audit_find(db, NULL, &opts, &l) == CRM_INVALID_INPUT);
    crm_find_options_init(&opts, sizeof opts);
    opts.offset = -1;
    CHECK(crm_audit_find(db, NULL, &opts, &l) == CRM_INVALID_ARGUMENT);
    CHECK(crm_audit_find(db, NULL, NULL, NULL) == CRM_INVALID_ARGUMENT);
    l = (crm_audit_list *)&u;
    CHECK(crm_audit_find(NULL, NULL, NULL, &l) == CRM_INVALID_ARGUMENT);
    CHECK(l == NULL);
    CHECK(audit_count(db, "") == 4);
    crm_close(db);
}

/* ------------------------------------------------------------------------------ segments */

static void test_segments(void) {
    int64_t now = T0 + 40 * DAY;
    crm_db *db = open_as(&now, "ana", NULL);
    int64_t ids[5], n;
    crm_filter *f = NULL, *g = NULL, *web_vip = NULL;
    crm_segment_list *sl = NULL;
    crm_customer_list *cl = NULL;
    crm_find_options opts;

    add_shop(db, ids);

    /* Saved from text and from a built filter. */
    CHECK(crm_segment_save_text(db, "big spenders", "  total_spend > 10000 ") == CRM_OK);
    f = parse("source = 'web'");
    CHECK(crm_filter_has_tag("vip", &g) == CRM_OK);
    CHECK(crm_filter_and(f, g, &web_vip) == CRM_OK);
    CHECK(crm_segment_save(db, "web vip", web_vip) == CRM_OK);
    CHECK(crm_segment_save_text(db, "everyone", "") == CRM_OK);
    CHECK(crm_segment_save_text(db, "x'); DROP TABLE segments;--", "name = 'x'' --'") == CRM_OK);

    CHECK(crm_segment_all(db, &sl) == CRM_OK);
    CHECK(crm_segment_list_len(sl) == 4);
    CHECK(STREQ(crm_segment_list_name(sl, 0), "big spenders"));
    CHECK(STREQ(crm_segment_list_text(sl, 0), "total_spend > 10000"));
    CHECK(STREQ(crm_segment_list_name(sl, 1), "everyone"));
    CHECK(STREQ(crm_segment_list_text(sl, 1), ""));
    CHECK(STREQ(crm_segment_list_name(sl, 2), "web vip"));
    CHECK(crm_segment_list_text(sl, 2) == NULL); /* saved from a built filter */
    CHECK(STREQ(crm_segment_list_name(sl, 3), "x'); DROP TABLE segments;--"));
    CHECK(crm_segment_list_id(sl, 0) > 0);
    CHECK(crm_segment_list_id(sl, 0) != crm_segment_list_id(sl, 1));
    CHECK(crm_segment_list_id(sl, 4) == 0);
    CHECK(crm_segment_list_name(sl, 4) == NULL);
    CHECK(crm_segment_list_text(sl, 4) == NULL);
    CHECK(crm_segment_list_len(NULL) == 0);
    CHECK(crm_segment_list_name(NULL, 0) == NULL);
    crm_segment_list_free(sl);
    crm_segment_list_free(NULL);

    CHECK(segment_count(db, "big spenders") == 2);
    CHECK(segment_count(db, "web vip") == 1);
    CHECK(segment_count(db, "everyone") == 5);
    CHECK(segment_count(db, "x'); DROP TABLE segments;--") == 0);
    CHECK(segment_count(db, " web vip ") == 1); /* names are trimmed */

    /* Members, ordered and paged. */
    crm_find_options_init(&opts, sizeof opts);
    opts.order_by = "-total_spend";
    CHECK(crm_segment_members(db, "big spenders", &opts, &cl) == CRM_OK);
    CHECK(crm_customer_list_len(cl) == 2);
    CHECK(STREQ(crm_customer_name(crm_customer_list_get(cl, 0)), "Bob"));
    CHECK(STREQ(crm_customer_name(crm_customer_list_get(cl, 1)), "Ada"));
    crm_customer_list_free(cl);
    opts.order_by = "name";
    opts.limit = 2;
    opts.offset = 1;
    cl = NULL;
    CHECK(crm_segment_members(db, "everyone", &opts, &cl) == CRM_OK);
    CHECK(crm_customer_list_len(cl) == 2);
    CHECK(STREQ(crm_customer_name(crm_customer_list_get(cl, 0)), "Bob"));
    crm_customer_list_free(cl);
    cl = NULL;
    CHECK(crm_segment_members(db, "web vip", NULL, &cl) == CRM_OK);
    CHECK(crm_customer_list_len(cl) == 1);
    CHECK(crm_customer_id(crm_customer_list_get(cl, 0)) == ids[0]);
    crm_customer_list_free(cl);

    /* Membership follows the data. */
    add_purchase(db, ids[2], T0 + 35 * DAY, 15000, NULL);
    CHECK(segment_count(db, "big spenders") == 3);

    /* Update from text, then from a built filter (which drops the text). */
    CHECK(crm_segment_update_text(db, "big spenders", "total_spend > 15000") == CRM_OK);
    CHECK(segment_count(db, "big spenders") == 1);
    CHECK(crm_filter_int("purchase_count", CRM_OP_GE, 1, &g) == CRM_OK);
    CHECK(crm_segment_update(db, "big spenders", g) == CRM_OK);
    CHECK(segment_count(db, "big spenders") == 3);
    crm_filter_free(g);
    sl = NULL;
    CHECK(crm_segment_all(db, &sl) == CRM_OK);
    CHECK(STREQ(crm_segment_list_name(sl, 0), "big spenders"));
    CHECK(crm_segment_list_text(sl, 0) == NULL);
    crm_segment_list_free(sl);

    /* Delete: its customers stay. */
    CHECK(crm_segment_delete(db, "x'); DROP TABLE segments;--") == CRM_OK);
    CHECK(segments(db) == 3);
    CHECK(count(db, NULL) == 5);
    CHECK(audit_count(db, "entity = 'segment' and action = 'create'") == 4);
    CHECK(audit_count(db, "entity = 'segment' and action = 'update'") == 2);
    CHECK(audit_count(db, "entity = 'segment' and action = 'delete' and principal = 'ana'") == 1);

    /* Failures: each leaves the segments, their filters and the trail as they were. */
    CHECK(crm_segment_save_text(db, "everyone", "source = 'web'") == CRM_ALREADY_EXISTS);
    CHECK(CONTAINS(crm_errmsg(db), "everyone"));
    CHECK(crm_segment_save(db, " everyone ", web_vip) == CRM_ALREADY_EXISTS);
    CHECK(crm_segment_save_text(db, "bad", "nope = 1") == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "nope"));
    CHECK(crm_segment_save_text(db, "bad", "stage = 'vip'") == CRM_INVALID_INPUT);
    CHECK(crm_filter_text("nope", CRM_OP_EQ, "x", &g) == CRM_OK);
    CHECK(crm_segment_save(db, "bad", g) == CRM_INVALID_INPUT);
    CHECK(crm_segment_update(db, "everyone", g) == CRM_INVALID_INPUT);
    crm_filter_free(g);
    CHECK(crm_segment_save_text(db, "bad", "total_spend >") == CRM_PARSE);
    CHECK(CONTAINS(crm_errmsg(db), "position"));
    CHECK(crm_segment_update_text(db, "everyone", "nope = 1") == CRM_INVALID_INPUT);
    CHECK(crm_segment_update_text(db, "everyone", "(source = 'web'") == CRM_PARSE);
    CHECK(crm_segment_save_text(db, "   ", "source = 'web'") == CRM_INVALID_INPUT);
    CHECK(crm_segment_save_text(db, "bad\nname", "source = 'web'") == CRM_INVALID_INPUT);

    CHECK(crm_segment_update_text(db, "missing", "source = 'web'") == CRM_NOT_FOUND);
    CHECK(CONTAINS(crm_errmsg(db), "missing"));
    CHECK(crm_segment_update(db, "missing", web_vip) == CRM_NOT_FOUND);
    CHECK(crm_segment_delete(db, "missing") == CRM_NOT_FOUND);
    n = -1;
    CHECK(crm_segment_count(db, "missing", &n) == CRM_NOT_FOUND);
    CHECK(n == -1);
    cl = (crm_customer_list *)&opts;
    CHECK(crm_segment_members(db, "missing", NULL, &cl) == CRM_NOT_FOUND);
    CHECK(cl == NULL);
    crm_find_options_init(&opts, sizeof opts);
    opts.order_by = "nope";
    cl = (crm_customer_list *)&opts;
    CHECK(crm_segment_members(db, "everyone", &opts, &cl) == CRM_INVALID_INPUT);
    CHECK(cl == NULL);

    CHECK(crm_segment_save(db, NULL, web_vip) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(db), "name"));
    CHECK(crm_segment_save(db, "bad", NULL) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(db), "filter"));
    CHECK(crm_segment_save(NULL, "bad", web_vip) == CRM_INVALID_ARGUMENT);
    CHECK(crm_segment_save_text(db, "bad", NULL) == CRM_INVALID_ARGUMENT);
    CHECK(crm_segment_save_text(db, NULL, "source = 'web'") == CRM_INVALID_ARGUMENT);
    CHECK(crm_segment_save_text(NULL, "bad", "source = 'web'") == CRM_INVALID_ARGUMENT);
    CHECK(crm_segment_update(db, "everyone", NULL) == CRM_INVALID_ARGUMENT);
    CHECK(crm_segment_update_text(db, "everyone", NULL) == CRM_INVALID_ARGUMENT);
    CHECK(crm_segment_update_text(NULL, "everyone", "") == CRM_INVALID_ARGUMENT);
    CHECK(crm_segment_delete(db, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(crm_segment_delete(NULL, "everyone") == CRM_INVALID_ARGUMENT);
    CHECK(crm_segment_count(db, "everyone", NULL) == CRM_INVALID_ARGUMENT);
    CHECK(crm_segment_count(db, NULL, &n) == CRM_INVALID_ARGUMENT);
    CHECK(crm_segment_count(NULL, "everyone", &n) == CRM_INVALID_ARGUMENT);
    CHECK(crm_segment_members(db, "everyone", NULL, NULL) == CRM_INVALID_ARGUMENT);
    cl = (crm_customer_list *)&opts;
    CHECK(crm_segment_members(NULL, "everyone", NULL, &cl) == CRM_INVALID_ARGUMENT);
    CHECK(cl == NULL);
    CHECK(crm_segment_all(db, NULL) == CRM_INVALID_ARGUMENT);
    sl = (crm_segment_list *)&opts;
    CHECK(crm_segment_all(NULL, &sl) == CRM_INVALID_ARGUMENT);
    CHECK(sl == NULL);

    CHECK(segments(db) == 3);
    CHECK(segment_count(db, "everyone") == 5);
    CHECK(segment_count(db, "big spenders") == 3);
    CHECK(segment_count(db, "web vip") == 1);
    CHECK(audit_count(db, "entity = 'segment'") == 7);
    CHECK(count(db, NULL) == 5);

    CHECK(crm_segment_delete(db, "web vip") == CRM_OK);
    CHECK(crm_segment_count(db, "web vip", &n) == CRM_NOT_FOUND);
    CHECK(segments(db) == 2);
    crm_filter_free(web_vip); /* the segment copied it */
    crm_close(db);
}

int main(void) {
    test_text_filters();
    test_parse_errors();
    test_tags();
    test_notes();
    test_audit();
    test_segments();
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
