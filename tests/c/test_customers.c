/* Customers through the C API: the happy paths, then bad input, each checked for its documented
 * code and for leaving the store unchanged. Built by `make test-c` with -std=c99 -pedantic, linked
 * statically and dynamically, run under valgrind. */
#define _POSIX_C_SOURCE 200809L

#include <crm.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

#define DAY INT64_C(86400000000)
#define T0 INT64_C(1767225600000000) /* 2026-01-01T00:00:00Z */

/* ------------------------------------------------------------------------------ helpers */

/* A unique empty file under /tmp; the caller removes it with remove_store. */
static void temp_path(char *buf, size_t size) {
    int fd;
    snprintf(buf, size, "/tmp/crm-ctest-XXXXXX");
    fd = mkstemp(buf);
    if (fd < 0) {
        perror("mkstemp");
        exit(2);
    }
    close(fd);
}

static void remove_store(const char *path) {
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    char side[256];
    size_t i;
    for (i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        snprintf(side, sizeof side, "%s%s", path, suffixes[i]);
        remove(side);
    }
}

static crm_db *open_memory(void) {
    crm_db *db = NULL;
    CHECK(crm_open(":memory:", NULL, &db) == CRM_OK);
    return db;
}

static int64_t count(crm_db *db, const crm_filter *filter) {
    int64_t n = -1;
    CHECK(crm_customer_count(db, filter, &n) == CRM_OK);
    return n;
}

/* Counts with a filter built by the caller, then frees it. */
static int64_t count_and_free(crm_db *db, crm_filter *filter) {
    int64_t n;
    CHECK(filter != NULL);
    n = count(db, filter);
    crm_filter_free(filter);
    return n;
}

static crm_filter *text(const char *field, int op, const char *value) {
    crm_filter *f = NULL;
    CHECK(crm_filter_text(field, op, value, &f) == CRM_OK);
    return f;
}

static crm_filter *tag(const char *t) {
    crm_filter *f = NULL;
    CHECK(crm_filter_has_tag(t, &f) == CRM_OK);
    return f;
}

static crm_filter *not_(crm_filter *a) {
    crm_filter *f = NULL;
    CHECK(crm_filter_not(a, &f) == CRM_OK);
    return f;
}

static crm_filter *and_(crm_filter *a, crm_filter *b) {
    crm_filter *f = NULL;
    CHECK(crm_filter_and(a, b, &f) == CRM_OK);
    return f;
}

static crm_filter *or_(crm_filter *a, crm_filter *b) {
    crm_filter *f = NULL;
    CHECK(crm_filter_or(a, b, &f) == CRM_OK);
    return f;
}

static int64_t fixed_clock(void *ctx) { return *(const int64_t *)ctx; }

/* ------------------------------------------------------------------------------ happy paths */

static void test_version_and_codes(void) {
    CHECK(strlen(crm_version()) > 0);
    CHECK(strchr(crm_version(), '.') != NULL);
    CHECK(STREQ(crm_code_name(CRM_OK), "OK"));
    CHECK(STREQ(crm_code_name(CRM_NOT_FOUND), "NOT_FOUND"));
    CHECK(STREQ(crm_code_name(CRM_CONFLICT), "CONFLICT"));
    CHECK(STREQ(crm_code_name(99), "UNKNOWN"));
    CHECK(CRM_CONFLICT == 16 && CRM_INTERNAL == 15);
}

static void test_open_close(void) {
    char path[64];
    crm_db *db = NULL;
    int64_t schema = 0;

    temp_path(path, sizeof path);
    CHECK(crm_open(path, NULL, &db) == CRM_OK);
    CHECK(db != NULL);
    CHECK(crm_schema_version(db, &schema) == CRM_OK);
    CHECK(schema >= 1);
    CHECK(crm_errcode(db) == CRM_OK);
    CHECK(STREQ(crm_errmsg(db), ""));
    crm_close(db);
    remove_store(path);

    db = open_memory();
    CHECK(db != NULL);
    CHECK(count(db, NULL) == 0);
    crm_close(db);
    crm_close(NULL); /* destructors accept NULL */
}

static int64_t add_ada(crm_db *db) {
    const char *tags[] = {"VIP", " newsletter", "vip"};
    crm_new_customer c;
    int64_t id = 0;
    crm_new_customer_init(&c, sizeof c);
    c.external_id = "A-1";
    c.name = "  Ada Lovelace ";
    c.email = " Ada@Example.COM";
    c.phone = "+1 (415) 555-0100";
    c.company = "Analytical Engines";
    c.stage = "prospect";
    c.source = "referral";
    c.tags = tags;
    c.tags_len = 3;
    CHECK(crm_customer_add(db, &c, &id) == CRM_OK);
    CHECK(id > 0);
    return id;
}

static void test_add_and_get(void) {
    crm_db *db = open_memory();
    crm_customer *c = NULL, *same = NULL;
    crm_new_customer plain;
    int64_t id = add_ada(db);

    CHECK(crm_customer_get(db, id, &c) == CRM_OK);
    CHECK(crm_customer_id(c) == id);
    CHECK(STREQ(crm_customer_external_id(c), "A-1"));
    CHECK(STREQ(crm_customer_name(c), "Ada Lovelace"));
    CHECK(STREQ(crm_customer_email(c), "ada@example.com"));
    CHECK(STREQ(crm_customer_phone(c), "+14155550100"));
    CHECK(STREQ(crm_customer_company(c), "Analytical Engines"));
    CHECK(STREQ(crm_customer_stage(c), "prospect"));
    CHECK(STREQ(crm_customer_source(c), "referral"));
    CHECK(crm_customer_tags_len(c) == 2);
    CHECK(STREQ(crm_customer_tag(c, 0), "newsletter"));
    CHECK(STREQ(crm_customer_tag(c, 1), "vip"));
    CHECK(crm_customer_tag(c, 2) == NULL);
    CHECK(crm_customer_version(c) == 1);
    CHECK(crm_customer_created_at(c) > 0);
    CHECK(crm_customer_updated_at(c) == crm_customer_created_at(c));

    CHECK(crm_customer_get_by_external_id(db, "A-1", &same) == CRM_OK);
    CHECK(crm_customer_id(same) == id);
    crm_customer_free(same);

    /* Defaults: no optional fields, stage lead, source other; out_id may be NULL. */
    crm_new_customer_init(&plain, sizeof plain);
    plain.name = "Grace Hopper";
    CHECK(crm_customer_add(db, &plain, NULL) == CRM_OK);
    same = NULL;
    CHECK(crm_customer_get(db, id + 1, &same) == CRM_OK);
    CHECK(crm_customer_external_id(same) == NULL);
    CHECK(crm_customer_email(same) == NULL);
    CHECK(crm_customer_phone(same) == NULL);
    CHECK(crm_customer_company(same) == NULL);
    CHECK(STREQ(crm_customer_stage(same), "lead"));
    CHECK(STREQ(crm_customer_source(same), "other"));
    CHECK(crm_customer_tags_len(same) == 0);
    crm_customer_free(same);

    /* Accessors given NULL return 0 / NULL. */
    CHECK(crm_customer_id(NULL) == 0);
    CHECK(crm_customer_name(NULL) == NULL);
    CHECK(crm_customer_stage(NULL) == NULL);
    CHECK(crm_customer_tags_len(NULL) == 0);
    CHECK(crm_customer_tag(NULL, 0) == NULL);
    CHECK(crm_customer_version(NULL) == 0);

    crm_customer_free(c);
    crm_customer_free(NULL);
    crm_close(db);
}

static void test_update(void) {
    crm_db *db = open_memory();
    int64_t id = add_ada(db);
    const char *tags[] = {"Gold"};
    crm_customer_patch u;
    crm_customer *c = NULL;

    /* Clear the e-mail, change the stage: version 2. */
    crm_customer_patch_init(&u, sizeof u);
    u.set = CRM_SET_EMAIL | CRM_SET_STAGE;
    u.email = NULL;
    u.stage = "customer";
    u.name = "ignored: its bit is not set";
    CHECK(crm_customer_update(db, id, &u, &c) == CRM_OK);
    CHECK(crm_customer_email(c) == NULL);
    CHECK(STREQ(crm_customer_stage(c), "customer"));
    CHECK(STREQ(crm_customer_name(c), "Ada Lovelace"));
    CHECK(STREQ(crm_customer_phone(c), "+14155550100"));
    CHECK(crm_customer_version(c) == 2);
    crm_customer_free(c);

    /* A stale expected_version is a conflict and changes nothing. */
    crm_customer_patch_init(&u, sizeof u);
    u.set = CRM_SET_NAME;
    u.name = "Augusta Ada King";
    u.expected_version = 1;
    c = (crm_customer *)&u; /* must be reset to NULL on failure */
    CHECK(crm_customer_update(db, id, &u, &c) == CRM_CONFLICT);
    CHECK(c == NULL);
    CHECK(crm_errcode(db) == CRM_CONFLICT);
    CHECK(CONTAINS(crm_errmsg(db), "version 2"));
    CHECK(crm_customer_get(db, id, &c) == CRM_OK);
    CHECK(STREQ(crm_customer_name(c), "Ada Lovelace"));
    CHECK(crm_customer_version(c) == 2);
    crm_customer_free(c);

    /* The right version goes through; tags are replaced; out may be NULL. */
    u.expected_version = 2;
    u.set = CRM_SET_NAME | CRM_SET_TAGS;
    u.tags = tags;
    u.tags_len = 1;
    CHECK(crm_customer_update(db, id, &u, NULL) == CRM_OK);
    CHECK(crm_errcode(db) == CRM_OK); /* a success resets the handle's error */
    CHECK(STREQ(crm_errmsg(db), ""));
    c = NULL;
    CHECK(crm_customer_get(db, id, &c) == CRM_OK);
    CHECK(STREQ(crm_customer_name(c), "Augusta Ada King"));
    CHECK(crm_customer_tags_len(c) == 1);
    CHECK(STREQ(crm_customer_tag(c, 0), "gold"));
    CHECK(crm_customer_version(c) == 3);
    crm_customer_free(c);

    /* Bad updates: a NULL name with its bit set, unknown bits, an unknown id, a bad e-mail. */
    crm_customer_patch_init(&u, sizeof u);
    u.set = CRM_SET_NAME;
    CHECK(crm_customer_update(db, id, &u, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(db), "name"));
    u.set = 1u << 20;
    CHECK(crm_customer_update(db, id, &u, NULL) == CRM_INVALID_ARGUMENT);
    u.set = CRM_SET_STAGE;
    u.stage = "vip";
    CHECK(crm_customer_update(db, id, &u, NULL) == CRM_INVALID_INPUT);
    u.set = CRM_SET_EMAIL;
    u.email = "not-an-email";
    CHECK(crm_customer_update(db, id, &u, NULL) == CRM_INVALID_INPUT);
    CHECK(crm_customer_update(db, id + 100, &u, NULL) == CRM_NOT_FOUND);
    CHECK(crm_customer_update(db, id, NULL, NULL) == CRM_INVALID_ARGUMENT);
    c = NULL;
    CHECK(crm_customer_get(db, id, &c) == CRM_OK);
    CHECK(crm_customer_version(c) == 3);
    crm_customer_free(c);
    crm_close(db);
}

static void test_delete(void) {
    crm_db *db = open_memory();
    int64_t id = add_ada(db);
    crm_customer *c = NULL;

    CHECK(crm_customer_delete(db, id, 9) == CRM_INVALID_ARGUMENT);
    CHECK(count(db, NULL) == 1);
    CHECK(crm_customer_delete(db, id, 0) == CRM_OK);
    CHECK(crm_customer_get(db, id, &c) == CRM_NOT_FOUND);
    CHECK(c == NULL);
    CHECK(crm_errcode(db) == CRM_NOT_FOUND);
    CHECK(CONTAINS(crm_errmsg(db), "not found"));
    CHECK(crm_customer_delete(db, id, CRM_DELETE_CASCADE) == CRM_NOT_FOUND);
    CHECK(count(db, NULL) == 0);
    crm_close(db);
}

/* Six customers a day apart from T0, for the filter and paging tests. */
static void add_six(crm_db *db, int64_t ids[6]) {
    const char *names[] = {"Ada", "Bob", "Cy", "Dee", "Eve", "Fay"};
    const char *sources[] = {"web", "web", "referral", "ads", "web", "event"};
    const char *stages[] = {"lead", "prospect", "customer", "lead", "churned", "prospect"};
    const char *tags[] = {"vip", NULL, "vip,beta", "", "VIP", "beta"};
    int64_t created[6];
    crm_customer_columns cols;
    int i;
    for (i = 0; i < 6; i++) created[i] = T0 + i * DAY;
    crm_customer_columns_init(&cols, sizeof cols);
    cols.name = names;
    cols.source = sources;
    cols.stage = stages;
    cols.tags = tags;
    cols.created_at = created;
    CHECK(crm_customer_add_many(db, 6, &cols, ids) == CRM_OK);
}

static void test_find_and_count(void) {
    crm_db *db = open_memory();
    int64_t ids[6], some[2];
    const char *early[] = {"lead", "prospect"};
    const char *expected_pages[] = {"Fay", "Eve", "Dee", "Cy", "Bob", "Ada"};
    crm_filter *f = NULL;
    crm_find_options opts;
    crm_customer_list *list = NULL;
    int64_t offset;
    size_t i;

    add_six(db, ids);
    CHECK(count(db, NULL) == 6);
    CHECK(count_and_free(db, text("source", CRM_OP_EQ, "web")) == 3);
    CHECK(count_and_free(db, text("stage", CRM_OP_NE, "lead")) == 4);
    CHECK(crm_filter_in_text("stage", early, 2, &f) == CRM_OK);
    CHECK(count_and_free(db, f) == 4);
    CHECK(count_and_free(db, tag("vip")) == 3);
    CHECK(count_and_free(db, not_(tag("vip"))) == 3);
    CHECK(count_and_free(db, and_(text("source", CRM_OP_EQ, "web"), not_(tag("vip")))) == 1);
    CHECK(count_and_free(db, or_(text("source", CRM_OP_EQ, "ads"), tag("beta"))) == 3);
    f = NULL;
    CHECK(crm_filter_between_time("created_at", T0 + DAY, T0 + 3 * DAY, &f) == CRM_OK);
    CHECK(count_and_free(db, f) == 3);
    f = NULL;
    CHECK(crm_filter_time("created_at", CRM_OP_GE, T0 + 4 * DAY, &f) == CRM_OK);
    CHECK(count_and_free(db, f) == 2);
    some[0] = ids[0];
    some[1] = ids[2];
    f = NULL;
    CHECK(crm_filter_in_int("id", some, 2, &f) == CRM_OK);
    CHECK(count_and_free(db, f) == 2);
    f = NULL;
    CHECK(crm_filter_between_int("id", ids[1], ids[2], &f) == CRM_OK);
    CHECK(count_and_free(db, f) == 2);
    f = NULL;
    CHECK(crm_filter_int("version", CRM_OP_EQ, 1, &f) == CRM_OK);
    CHECK(count_and_free(db, f) == 6);
    f = NULL;
    CHECK(crm_filter_contains("name", "e", &f) == CRM_OK);
    CHECK(count_and_free(db, f) == 2); /* Dee, Eve */
    f = NULL;
    CHECK(crm_filter_starts_with("name", "f", &f) == CRM_OK);
    CHECK(count_and_free(db, f) == 1);
    f = NULL;
    CHECK(crm_filter_is_null("email", &f) == CRM_OK);
    CHECK(count_and_free(db, f) == 6);

    /* Newest first, two per page. */
    crm_find_options_init(&opts, sizeof opts);
    CHECK(opts.limit == -1 && opts.offset == 0 && opts.order_by == NULL);
    opts.order_by = "-created_at,name";
    opts.limit = 2;
    for (offset = 0; offset < 6; offset += 2) {
        opts.offset = offset;
        list = NULL;
        CHECK(crm_customer_find(db, NULL, &opts, &list) == CRM_OK);
        CHECK(crm_customer_list_len(list) == 2);
        for (i = 0; i < crm_customer_list_len(list); i++) {
            const crm_customer *c = crm_customer_list_get(list, i);
            CHECK(STREQ(crm_customer_name(c), expected_pages[offset + (int64_t)i]));
        }
        CHECK(crm_customer_list_get(list, 2) == NULL);
        crm_customer_list_free(list);
    }
    opts.offset = 6;
    list = NULL;
    CHECK(crm_customer_find(db, NULL, &opts, &list) == CRM_OK);
    CHECK(crm_customer_list_len(list) == 0);
    crm_customer_list_free(list);

    /* A filter with an order, no options struct: by id. */
    f = text("source", CRM_OP_EQ, "web");
    list = NULL;
    CHECK(crm_customer_find(db, f, NULL, &list) == CRM_OK);
    CHECK(crm_customer_list_len(list) == 3);
    CHECK(STREQ(crm_customer_name(crm_customer_list_get(list, 0)), "Ada"));
    CHECK(STREQ(crm_customer_name(crm_customer_list_get(list, 2)), "Eve"));
    CHECK(STREQ(crm_customer_tag(crm_customer_list_get(list, 2), 0), "vip"));
    crm_customer_list_free(list);
    crm_customer_list_free(NULL);
    crm_filter_free(f);
    crm_filter_free(NULL);
    crm_close(db);
}

#define MANY 1000

static void test_add_many(void) {
    static const char *names[MANY], *emails[MANY], *sources[MANY], *tags[MANY];
    static char name_buf[MANY][32], email_buf[MANY][40];
    static int64_t created[MANY], ids[MANY];
    static const char *const source_names[] = {"web", "referral", "ads", "event", "partner", "other"};
    crm_db *db = open_memory();
    crm_customer_columns cols;
    crm_customer *c = NULL;
    int i, distinct = 1;

    for (i = 0; i < MANY; i++) {
        snprintf(name_buf[i], sizeof name_buf[i], "Customer %d", i);
        snprintf(email_buf[i], sizeof email_buf[i], "Customer.%d@Example.com", i);
        names[i] = name_buf[i];
        emails[i] = i % 3 == 0 ? NULL : email_buf[i];
        sources[i] = source_names[i % 6];
        tags[i] = i % 10 == 0 ? "vip, newsletter" : NULL;
        created[i] = i % 2 == 0 ? T0 + i : CRM_TIME_NOW;
    }
    crm_customer_columns_init(&cols, sizeof cols);
    cols.name = names;
    cols.email = emails;
    cols.source = sources;
    cols.tags = tags;
    cols.created_at = created;
    CHECK(crm_customer_add_many(db, MANY, &cols, ids) == CRM_OK);
    for (i = 1; i < MANY; i++) distinct &= ids[i] > ids[i - 1];
    CHECK(distinct);
    CHECK(count(db, NULL) == MANY);
    CHECK(count_and_free(db, tag("vip")) == MANY / 10);
    CHECK(count_and_free(db, text("source", CRM_OP_EQ, "partner")) == 166);

    CHECK(crm_customer_get(db, ids[500], &c) == CRM_OK);
    CHECK(STREQ(crm_customer_name(c), "Customer 500"));
    CHECK(STREQ(crm_customer_email(c), "customer.500@example.com"));
    CHECK(crm_customer_created_at(c) == T0 + 500);
    crm_customer_free(c);

    /* One bad row in the middle: nothing is written, and the message names the row. */
    for (i = 0; i < MANY; i++) snprintf(name_buf[i], sizeof name_buf[i], "Second %d", i);
    emails[500] = "not-an-email";
    CHECK(crm_customer_add_many(db, MANY, &cols, NULL) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "row 500"));
    CHECK(CONTAINS(crm_errmsg(db), "email"));
    CHECK(count(db, NULL) == MANY);

    /* A NULL name in a row; no name column at all; no rows at all. */
    emails[500] = NULL;
    names[7] = NULL;
    CHECK(crm_customer_add_many(db, MANY, &cols, NULL) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "row 7"));
    cols.name = NULL;
    CHECK(crm_customer_add_many(db, MANY, &cols, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(crm_customer_add_many(db, MANY, NULL, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(crm_customer_add_many(db, 0, &cols, NULL) == CRM_OK);
    CHECK(count(db, NULL) == MANY);
    crm_close(db);
}

static void test_clock(void) {
    int64_t now = T0 + 42;
    crm_open_options options;
    crm_new_customer nc;
    crm_db *db = NULL;
    crm_customer *c = NULL;
    int64_t id = 0;

    crm_open_options_init(&options, sizeof options);
    options.clock = fixed_clock;
    options.clock_ctx = &now;
    CHECK(crm_open(":memory:", &options, &db) == CRM_OK);
    crm_new_customer_init(&nc, sizeof nc);
    nc.name = "Clocked";
    CHECK(crm_customer_add(db, &nc, &id) == CRM_OK);
    CHECK(crm_customer_get(db, id, &c) == CRM_OK);
    CHECK(crm_customer_created_at(c) == now);
    CHECK(crm_customer_updated_at(c) == now);
    crm_customer_free(c);

    /* The callback is read on every call; crm_set_clock swaps it. */
    now = T0 + DAY;
    CHECK(crm_customer_add(db, &nc, &id) == CRM_OK);
    c = NULL;
    CHECK(crm_customer_get(db, id, &c) == CRM_OK);
    CHECK(crm_customer_created_at(c) == T0 + DAY);
    crm_customer_free(c);

    {
        int64_t later = T0 + 2 * DAY;
        CHECK(crm_set_clock(db, fixed_clock, &later) == CRM_OK);
        CHECK(crm_customer_add(db, &nc, &id) == CRM_OK);
        c = NULL;
        CHECK(crm_customer_get(db, id, &c) == CRM_OK);
        CHECK(crm_customer_created_at(c) == later);
        crm_customer_free(c);
    }

    /* Back to the system clock. */
    CHECK(crm_set_clock(db, NULL, NULL) == CRM_OK);
    CHECK(crm_customer_add(db, &nc, &id) == CRM_OK);
    c = NULL;
    CHECK(crm_customer_get(db, id, &c) == CRM_OK);
    CHECK(crm_customer_created_at(c) > INT64_C(1700000000000000));
    crm_customer_free(c);
    CHECK(crm_set_clock(NULL, NULL, NULL) == CRM_INVALID_ARGUMENT);
    crm_close(db);
}

/* 2026-02-28T16:30Z is already March 1st in Shanghai (UTC+8). */
#define FEB28_1630Z INT64_C(1772296200000000)

static void test_time_zone_and_reopen(void) {
    char path[64];
    crm_db *db = NULL;
    crm_new_customer nc;
    crm_customer *c = NULL;

    temp_path(path, sizeof path);
    CHECK(crm_open(path, NULL, &db) == CRM_OK);
    crm_new_customer_init(&nc, sizeof nc);
    nc.name = "Li Wei";
    nc.external_id = "CN-1";
    nc.created_at = FEB28_1630Z;
    CHECK(crm_customer_add(db, &nc, NULL) == CRM_OK);

    CHECK(count_and_free(db, text("created_at", CRM_OP_GE, "2026-03-01")) == 0); /* UTC */
    CHECK(crm_set_time_zone(db, "Asia/Shanghai") == CRM_OK);
    CHECK(count_and_free(db, text("created_at", CRM_OP_GE, "2026-03-01")) == 1);
    CHECK(crm_set_time_zone(db, "Mars/Olympus") == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "time zone"));
    CHECK(crm_set_time_zone(db, NULL) == CRM_INVALID_ARGUMENT);
    crm_close(db);

    /* Reopening keeps the customers and the saved time zone. */
    db = NULL;
    CHECK(crm_open(path, NULL, &db) == CRM_OK);
    CHECK(count(db, NULL) == 1);
    CHECK(crm_customer_get_by_external_id(db, "CN-1", &c) == CRM_OK);
    CHECK(STREQ(crm_customer_name(c), "Li Wei"));
    CHECK(crm_customer_created_at(c) == FEB28_1630Z);
    crm_customer_free(c);
    CHECK(count_and_free(db, text("created_at", CRM_OP_GE, "2026-03-01")) == 1);
    crm_close(db);

    /* A handle's own zone overrides the saved one. */
    {
        crm_open_options options;
        crm_open_options_init(&options, sizeof options);
        options.time_zone = "UTC";
        options.principal = "li.wei";
        options.role = "agent";
        options.busy_timeout_ms = 100;
        db = NULL;
        CHECK(crm_open(path, &options, &db) == CRM_OK);
        CHECK(count_and_free(db, text("created_at", CRM_OP_GE, "2026-03-01")) == 0);
        crm_close(db);
    }
    remove_store(path);
}

/* ------------------------------------------------------------------------------ bad input */

static void test_bad_input(void) {
    crm_db *db = open_memory();
    crm_new_customer nc;
    crm_customer *c = NULL;
    crm_filter *f = NULL;
    crm_customer_list *list = NULL;
    crm_find_options opts;
    int64_t before, id = 0;

    add_ada(db);
    before = count(db, NULL);

    /* A NULL handle: pointer outputs are NULL afterwards, even when they held something. */
    c = (crm_customer *)&nc;
    CHECK(crm_customer_get(NULL, 1, &c) == CRM_INVALID_ARGUMENT);
    CHECK(c == NULL);
    c = (crm_customer *)&nc;
    CHECK(crm_customer_get_by_external_id(NULL, "A-1", &c) == CRM_INVALID_ARGUMENT);
    CHECK(c == NULL);
    list = (crm_customer_list *)&nc;
    CHECK(crm_customer_find(NULL, NULL, NULL, &list) == CRM_INVALID_ARGUMENT);
    CHECK(list == NULL);
    CHECK(CONTAINS(crm_errmsg(NULL), "db"));

    /* Duplicate external id. */
    crm_new_customer_init(&nc, sizeof nc);
    nc.name = "Impostor";
    nc.external_id = "A-1";
    CHECK(crm_customer_add(db, &nc, &id) == CRM_ALREADY_EXISTS);
    CHECK(id == 0); /* out_id untouched on failure */
    CHECK(crm_errcode(db) == CRM_ALREADY_EXISTS);
    CHECK(CONTAINS(crm_errmsg(db), "A-1"));
    CHECK(crm_errcode(NULL) == CRM_ALREADY_EXISTS); /* the thread's last error too */
    CHECK(count(db, NULL) == before);

    /* Invalid e-mail. */
    crm_new_customer_init(&nc, sizeof nc);
    nc.name = "Bad Mail";
    nc.email = "not-an-email";
    CHECK(crm_customer_add(db, &nc, NULL) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "email"));
    CHECK(count(db, NULL) == before);

    /* Unknown stage and source strings. */
    crm_new_customer_init(&nc, sizeof nc);
    nc.name = "Odd Stage";
    nc.stage = "vip";
    CHECK(crm_customer_add(db, &nc, NULL) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "stage"));
    nc.stage = NULL;
    nc.source = "tv";
    CHECK(crm_customer_add(db, &nc, NULL) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "source"));
    CHECK(count(db, NULL) == before);

    /* Invalid UTF-8, NULL name, NULL tag. */
    crm_new_customer_init(&nc, sizeof nc);
    nc.name = "Bad \xff\xfe name";
    CHECK(crm_customer_add(db, &nc, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(db), "name"));
    CHECK(CONTAINS(crm_errmsg(db), "UTF-8"));
    nc.name = NULL;
    CHECK(crm_customer_add(db, &nc, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(db), "name"));
    {
        const char *tags[] = {"ok", NULL};
        nc.name = "Null Tag";
        nc.tags = tags;
        nc.tags_len = 2;
        CHECK(crm_customer_add(db, &nc, NULL) == CRM_INVALID_ARGUMENT);
        CHECK(CONTAINS(crm_errmsg(db), "tags[1]"));
    }
    CHECK(count(db, NULL) == before);

    /* A struct_size smaller than the first version's. */
    crm_new_customer_init(&nc, sizeof nc);
    nc.name = "Old Struct";
    nc.struct_size = 4;
    CHECK(crm_customer_add(db, &nc, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(db), "struct_size"));
    CHECK(count(db, NULL) == before);

    /* Unknown id. */
    CHECK(crm_customer_get(db, 424242, &c) == CRM_NOT_FOUND);
    CHECK(c == NULL);
    CHECK(crm_customer_get_by_external_id(db, "nope", &c) == CRM_NOT_FOUND);
    CHECK(crm_customer_delete(db, 424242, 0) == CRM_NOT_FOUND);

    /* NULL db, out, struct, string. */
    crm_new_customer_init(&nc, sizeof nc);
    nc.name = "Nobody";
    CHECK(crm_customer_add(NULL, &nc, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(crm_errcode(NULL) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(NULL), "db is NULL"));
    CHECK(crm_customer_get(db, 1, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(db), "out"));
    CHECK(crm_customer_add(db, NULL, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(db), "customer"));
    CHECK(crm_customer_get_by_external_id(db, NULL, &c) == CRM_INVALID_ARGUMENT);
    CHECK(crm_customer_count(db, NULL, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(crm_customer_find(db, NULL, NULL, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(crm_schema_version(db, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(count(db, NULL) == before);

    /* Filters: unknown op, NULL field, unknown field (found when used), wrong value type. */
    f = (crm_filter *)&nc;
    CHECK(crm_filter_text("stage", 42, "lead", &f) == CRM_INVALID_ARGUMENT);
    CHECK(f == NULL);
    CHECK(crm_errcode(NULL) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(NULL), "op 42"));
    CHECK(crm_filter_text(NULL, CRM_OP_EQ, "lead", &f) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(NULL), "field"));
    CHECK(crm_filter_has_tag("vip", NULL) == CRM_INVALID_ARGUMENT);
    f = text("colour", CRM_OP_EQ, "blue");
    CHECK(crm_customer_count(db, f, &id) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "colour"));
    CHECK(CONTAINS(crm_errmsg(db), "known: id, external_id"));
    CHECK(crm_customer_find(db, f, NULL, &list) == CRM_INVALID_INPUT);
    CHECK(list == NULL);
    crm_filter_free(f);
    f = NULL;
    CHECK(crm_filter_int("name", CRM_OP_EQ, 3, &f) == CRM_OK);
    CHECK(crm_customer_count(db, f, &id) == CRM_INVALID_ARGUMENT);
    crm_filter_free(f);
    CHECK(count_and_free(db, text("stage", CRM_OP_EQ, "lead")) == 0);
    f = text("stage", CRM_OP_EQ, "vip");
    CHECK(crm_customer_count(db, f, &id) == CRM_INVALID_INPUT);
    crm_filter_free(f);

    /* Combinators free their arguments even when they fail (valgrind checks). */
    f = NULL;
    CHECK(crm_filter_and(tag("a"), NULL, &f) == CRM_INVALID_ARGUMENT);
    CHECK(f == NULL);
    CHECK(crm_filter_or(tag("a"), tag("b"), NULL) == CRM_INVALID_ARGUMENT);
    CHECK(crm_filter_not(NULL, &f) == CRM_INVALID_ARGUMENT);

    /* The same filter twice is refused and freed once (valgrind checks). */
    f = tag("a");
    {
        crm_filter *both = (crm_filter *)&opts; /* must come back NULL */
        CHECK(crm_filter_and(f, f, &both) == CRM_INVALID_ARGUMENT);
        CHECK(both == NULL);
        CHECK(CONTAINS(crm_errmsg(NULL), "same filter"));
    }

    /* Nesting deeper than the limit is refused; the refused tree is freed. */
    {
        int depth, rc = CRM_OK;
        f = tag("a");
        for (depth = 1; depth < 1000 && rc == CRM_OK; depth++) {
            crm_filter *next = NULL;
            rc = crm_filter_not(f, &next);
            f = next;
        }
        CHECK(rc == CRM_INVALID_ARGUMENT);
        CHECK(f == NULL);
        CHECK(depth < 1000);
        CHECK(CONTAINS(crm_errmsg(NULL), "deep"));
    }

    /* _init writes no more than the size it is given: a program built against an older,
       smaller header keeps the bytes after its struct. */
    {
        crm_find_options two[2];
        const unsigned char *bytes = (const unsigned char *)two;
        size_t k, intact = 1;
        memset(two, 0xAB, sizeof two);
        crm_find_options_init(&two[0], 12);
        CHECK(two[0].struct_size == 12);
        for (k = 12; k < sizeof two; k++) intact = intact && bytes[k] == 0xAB;
        CHECK(intact);
        crm_find_options_init(&two[0], 2); /* too small to hold struct_size: nothing written */
        CHECK(two[0].struct_size == 12);
        crm_find_options_init(NULL, sizeof two[0]); /* NULL: nothing happens */
    }

    /* Find options: unknown sort field, negative offset, bad struct_size. */
    crm_find_options_init(&opts, sizeof opts);
    opts.order_by = "shoe_size";
    CHECK(crm_customer_find(db, NULL, &opts, &list) == CRM_INVALID_INPUT);
    opts.order_by = NULL;
    opts.offset = -1;
    CHECK(crm_customer_find(db, NULL, &opts, &list) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(db), "offset"));
    crm_find_options_init(&opts, sizeof opts);
    opts.struct_size = 1;
    CHECK(crm_customer_find(db, NULL, &opts, &list) == CRM_INVALID_ARGUMENT);
    CHECK(list == NULL);

    /* After all that, one success resets the handle's error. */
    CHECK(count(db, NULL) == before);
    CHECK(crm_errcode(db) == CRM_OK);
    crm_close(db);
}

static void test_bad_open(void) {
    char path[64];
    unsigned char junk[4096];
    crm_db *db = (crm_db *)junk; /* must come back NULL */
    crm_open_options options;
    FILE *fp;
    size_t i;
    unsigned seed = 12345;
    static const uint8_t key[] = {1, 2, 3, 4};

    /* A file that is not a store. */
    temp_path(path, sizeof path);
    for (i = 0; i < sizeof junk; i++) {
        seed = seed * 1103515245u + 12345u;
        junk[i] = (unsigned char)(seed >> 16);
    }
    fp = fopen(path, "wb");
    CHECK(fp != NULL);
    if (fp != NULL) {
        fwrite(junk, 1, sizeof junk, fp);
        fclose(fp);
    }
    CHECK(crm_open(path, NULL, &db) == CRM_NOT_A_DATABASE);
    CHECK(db == NULL);
    CHECK(crm_errcode(NULL) == CRM_NOT_A_DATABASE);
    CHECK(CONTAINS(crm_errmsg(NULL), "not a crm store"));
    CHECK(CONTAINS(crm_errmsg(NULL), path));
    remove_store(path);

    /* An encryption key: not in this build. */
    crm_open_options_init(&options, sizeof options);
    options.key = key;
    options.key_len = sizeof key;
    CHECK(crm_open(":memory:", &options, &db) == CRM_UNSUPPORTED);
    CHECK(db == NULL);
    CHECK(crm_errcode(NULL) == CRM_UNSUPPORTED);
    CHECK(CONTAINS(crm_errmsg(NULL), "encryption"));

    /* Bad options and arguments. */
    crm_open_options_init(&options, sizeof options);
    options.key_len = 16; /* but no key */
    CHECK(crm_open(":memory:", &options, &db) == CRM_INVALID_ARGUMENT);
    crm_open_options_init(&options, sizeof options);
    options.role = "not a role!";
    CHECK(crm_open(":memory:", &options, &db) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(NULL), "role"));
    crm_open_options_init(&options, sizeof options);
    options.time_zone = "Nowhere/Special";
    CHECK(crm_open(":memory:", &options, &db) == CRM_INVALID_INPUT);
    crm_open_options_init(&options, sizeof options);
    options.struct_size = 8;
    CHECK(crm_open(":memory:", &options, &db) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(NULL), "crm_open_options_init"));
    CHECK(crm_open(NULL, NULL, &db) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(NULL), "path"));
    CHECK(crm_open(":memory:", NULL, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(crm_open("", NULL, &db) == CRM_INVALID_ARGUMENT);
    CHECK(crm_open("/nonexistent-dir/x/crm.db", NULL, &db) == CRM_STORAGE);
    CHECK(db == NULL);
    /* crm_errcode(NULL) keeps the failure until the next fallible call on this thread. */
    CHECK(crm_errcode(NULL) == CRM_STORAGE);
    CHECK(crm_errcode(NULL) == CRM_STORAGE);
}

int main(void) {
    test_version_and_codes();
    test_open_close();
    test_add_and_get();
    test_update();
    test_delete();
    test_find_and_count();
    test_add_many();
    test_clock();
    test_time_zone_and_reopen();
    test_bad_input();
    test_bad_open();
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
