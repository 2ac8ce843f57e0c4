/* Custom fields through the C API: define, set, filter, sort and read back, the bulk path with
 * values in their text form, rename/retire/restore/remove, then bad input, each checked for its
 * documented code and for leaving the store unchanged. Built by `make test-c` with -std=c99
 * -pedantic, linked statically and dynamically, run under valgrind. */
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

/* ------------------------------------------------------------------------------ helpers */

static const char *const REGIONS[] = {"north", "south", "east"};
static const char *const CHANNELS[] = {"email", "sms", "post"};

static crm_db *open_memory(void) {
    crm_db *db = NULL;
    CHECK(crm_open(":memory:", NULL, &db) == CRM_OK);
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

static crm_filter *parse(const char *t) {
    crm_filter *f = NULL;
    CHECK(crm_filter_parse(t, &f) == CRM_OK);
    return f;
}

/* The number of custom fields of customers (retired ones too when asked). */
static size_t field_count(crm_db *db, int include_retired) {
    crm_field_list *list = NULL;
    size_t n;
    CHECK(crm_field_all(db, NULL, include_retired, &list) == CRM_OK);
    n = crm_field_list_len(list);
    crm_field_list_free(list);
    return n;
}

static int define(crm_db *db, const char *name, const char *type, const char *const *choices,
                  size_t choices_len, const char *default_value) {
    crm_field_definition d;
    crm_field_definition_init(&d, sizeof d);
    d.name = name;
    d.type = type;
    d.choices = choices;
    d.choices_len = choices_len;
    d.default_value = default_value;
    return crm_field_define(db, &d);
}

/* region (indexed enum), loyalty_tier (integer, default 0), score (decimal), newsletter
 * (boolean), birthday (date), channels (multi-enum). */
static void define_all(crm_db *db) {
    crm_field_definition d;
    crm_field_definition_init(&d, sizeof d);
    d.name = "region";
    d.type = "enum";
    d.choices = REGIONS;
    d.choices_len = 3;
    d.indexed = 1;
    CHECK(crm_field_define(db, &d) == CRM_OK);
    CHECK(define(db, "loyalty_tier", "integer", NULL, 0, "0") == CRM_OK);
    CHECK(define(db, "score", "decimal", NULL, 0, NULL) == CRM_OK);
    CHECK(define(db, "newsletter", "boolean", NULL, 0, NULL) == CRM_OK);
    CHECK(define(db, "birthday", "date", NULL, 0, NULL) == CRM_OK);
    CHECK(define(db, "channels", "multi_enum", CHANNELS, 3, NULL) == CRM_OK);
}

/* The text form of field `name` of customer `id`, copied into `buf` ("(null)" when absent). */
static const char *field_text(crm_db *db, int64_t id, const char *name, char *buf, size_t size) {
    crm_customer *c = NULL;
    const char *t;
    CHECK(crm_customer_get(db, id, &c) == CRM_OK);
    t = crm_customer_field_text(c, name);
    snprintf(buf, size, "%s", t != NULL ? t : "(null)");
    crm_customer_free(c);
    return buf;
}

static int64_t version_of(crm_db *db, int64_t id) {
    crm_customer *c = NULL;
    int64_t v;
    CHECK(crm_customer_get(db, id, &c) == CRM_OK);
    v = crm_customer_version(c);
    crm_customer_free(c);
    return v;
}

/* ------------------------------------------------------------------------------ happy paths */

static void test_define_and_list(void) {
    crm_db *db = open_memory();
    crm_field_list *list = NULL;

    define_all(db);
    CHECK(crm_field_all(db, "customer", 0, &list) == CRM_OK);
    CHECK(crm_field_list_len(list) == 6);
    CHECK(STREQ(crm_field_list_name(list, 0), "region"));
    CHECK(STREQ(crm_field_list_type(list, 0), "enum"));
    CHECK(crm_field_list_indexed(list, 0) == 1);
    CHECK(crm_field_list_required(list, 0) == 0);
    CHECK(crm_field_list_personal(list, 0) == 0);
    CHECK(crm_field_list_retired(list, 0) == 0);
    CHECK(crm_field_list_choices_len(list, 0) == 3);
    CHECK(STREQ(crm_field_list_choice(list, 0, 2), "east"));
    CHECK(crm_field_list_choice(list, 0, 3) == NULL);
    CHECK(crm_field_list_default(list, 0) == NULL);
    CHECK(STREQ(crm_field_list_name(list, 1), "loyalty_tier"));
    CHECK(STREQ(crm_field_list_type(list, 1), "integer"));
    CHECK(STREQ(crm_field_list_default(list, 1), "0"));
    CHECK(crm_field_list_indexed(list, 1) == 0);
    CHECK(crm_field_list_choices_len(list, 1) == 0);
    CHECK(STREQ(crm_field_list_type(list, 5), "multi_enum"));
    /* Out of range and NULL: 0 or NULL. */
    CHECK(crm_field_list_name(list, 6) == NULL);
    CHECK(crm_field_list_type(list, 6) == NULL);
    CHECK(crm_field_list_indexed(list, 6) == 0);
    CHECK(crm_field_list_len(NULL) == 0);
    CHECK(crm_field_list_name(NULL, 0) == NULL);
    crm_field_list_free(list);
    crm_field_list_free(NULL);
    crm_close(db);
}

static void test_set_filter_sort_read(void) {
    crm_db *db = open_memory();
    int64_t ada, bo, cy, tier = -1;
    crm_customer *c = NULL;
    crm_customer_list *found = NULL;
    crm_find_options opts;
    const char *const channels[] = {"sms", "email", "sms"};
    char buf[64];

    define_all(db);
    ada = add_customer(db, "Ada");
    bo = add_customer(db, "Bo");
    cy = add_customer(db, "Cy");

    CHECK(crm_customer_set_text(db, ada, "region", "north") == CRM_OK);
    CHECK(crm_customer_set_text(db, bo, "region", "south") == CRM_OK);
    CHECK(crm_customer_set_text(db, cy, "region", " north ") == CRM_OK);
    CHECK(crm_customer_set_int(db, ada, "loyalty_tier", 2) == CRM_OK);
    CHECK(crm_customer_set_int(db, cy, "loyalty_tier", 1) == CRM_OK);
    CHECK(crm_customer_set_real(db, ada, "score", 2.5) == CRM_OK);
    CHECK(crm_customer_set_bool(db, ada, "newsletter", 1) == CRM_OK);
    CHECK(crm_customer_set_bool(db, bo, "newsletter", 0) == CRM_OK);
    CHECK(crm_customer_set_text(db, ada, "birthday", "1990-05-17") == CRM_OK);
    CHECK(crm_customer_set_choices(db, ada, "channels", channels, 3) == CRM_OK);
    /* Each set is an update: Ada went from version 1 through six of them. */
    CHECK(version_of(db, ada) == 7);

    /* Filters: built, and parsed from text. */
    CHECK(count_and_free(db, text("region", CRM_OP_EQ, "north")) == 2);
    CHECK(count_and_free(db, parse("region = 'north' and loyalty_tier >= 1")) == 2);
    CHECK(count_and_free(db, parse("loyalty_tier >= 2")) == 1);
    CHECK(count_and_free(db, parse("newsletter = true")) == 1);

    /* Sorted by a custom field, descending. */
    crm_find_options_init(&opts, sizeof opts);
    opts.order_by = "-loyalty_tier";
    CHECK(crm_customer_find(db, NULL, &opts, &found) == CRM_OK);
    CHECK(crm_customer_list_len(found) == 3);
    CHECK(crm_customer_id(crm_customer_list_get(found, 0)) == ada);
    CHECK(crm_customer_id(crm_customer_list_get(found, 1)) == cy);
    CHECK(crm_customer_id(crm_customer_list_get(found, 2)) == bo);
    CHECK(STREQ(crm_customer_field_text(crm_customer_list_get(found, 1), "region"), "north"));
    crm_customer_list_free(found);

    /* Read back, in text form and as an integer. */
    CHECK(crm_customer_get(db, ada, &c) == CRM_OK);
    CHECK(crm_customer_fields_len(c) == 6);
    CHECK(STREQ(crm_customer_field_name(c, 0), "birthday")); /* sorted by name */
    CHECK(crm_customer_field_name(c, 6) == NULL);
    CHECK(STREQ(crm_customer_field_text(c, "region"), "north"));
    CHECK(STREQ(crm_customer_field_text(c, "loyalty_tier"), "2"));
    CHECK(STREQ(crm_customer_field_text(c, "score"), "2.5"));
    CHECK(STREQ(crm_customer_field_text(c, "newsletter"), "true"));
    CHECK(STREQ(crm_customer_field_text(c, "birthday"), "1990-05-17"));
    CHECK(STREQ(crm_customer_field_text(c, "channels"), "email,sms"));
    CHECK(crm_customer_field_text(c, "nope") == NULL);
    CHECK(crm_customer_field_text(c, NULL) == NULL);
    CHECK(crm_customer_field_text(NULL, "region") == NULL);
    CHECK(crm_customer_field_int(c, "loyalty_tier", &tier) == CRM_OK);
    CHECK(tier == 2);
    CHECK(crm_customer_field_int(c, "region", &tier) == CRM_INVALID_ARGUMENT);
    CHECK(crm_customer_field_int(c, "nope", &tier) == CRM_NOT_FOUND);
    CHECK(CONTAINS(crm_errmsg(NULL), "nope"));
    CHECK(crm_customer_field_int(c, "loyalty_tier", NULL) == CRM_INVALID_ARGUMENT);
    CHECK(crm_customer_field_int(NULL, "loyalty_tier", &tier) == CRM_INVALID_ARGUMENT);
    CHECK(tier == 2);
    crm_customer_free(c);

    /* Bo never got a tier: the default. Clearing a value with NULL. */
    CHECK(crm_customer_get(db, bo, &c) == CRM_OK);
    CHECK(STREQ(crm_customer_field_text(c, "newsletter"), "false"));
    CHECK(crm_customer_field_text(c, "score") == NULL);
    crm_customer_free(c);
    CHECK(crm_customer_set_text(db, ada, "region", NULL) == CRM_OK);
    CHECK(STREQ(field_text(db, ada, "region", buf, sizeof buf), "(null)"));
    CHECK(count_and_free(db, text("region", CRM_OP_EQ, "north")) == 1);
    crm_close(db);
}

static void test_add_many(void) {
    crm_db *db = open_memory();
    crm_customer_columns cols;
    const char *names[] = {"Ada", "Bo", "Cy"};
    const char *regions[] = {"north", NULL, "south"};
    const char *tiers[] = {"3", "4", NULL};
    const char *channels[] = {"sms, email", NULL, "post"};
    const char *flags[] = {"true", "false", NULL};
    const char *const custom_names[] = {"region", "loyalty_tier", "channels", "newsletter", "score"};
    const char *const *custom_values[] = {regions, tiers, channels, flags, NULL};
    int64_t ids[3] = {0, 0, 0};
    char buf[64];

    define_all(db);
    crm_customer_columns_init(&cols, sizeof cols);
    cols.name = names;
    cols.custom_len = 5;
    cols.custom_names = custom_names;
    cols.custom_text_values = custom_values;
    CHECK(crm_customer_add_many(db, 3, &cols, ids) == CRM_OK);
    CHECK(count(db, NULL) == 3);
    CHECK(STREQ(field_text(db, ids[0], "region", buf, sizeof buf), "north"));
    CHECK(STREQ(field_text(db, ids[1], "region", buf, sizeof buf), "(null)"));
    CHECK(STREQ(field_text(db, ids[1], "loyalty_tier", buf, sizeof buf), "4"));
    CHECK(STREQ(field_text(db, ids[2], "loyalty_tier", buf, sizeof buf), "0")); /* default */
    CHECK(STREQ(field_text(db, ids[0], "channels", buf, sizeof buf), "email,sms"));
    CHECK(STREQ(field_text(db, ids[1], "newsletter", buf, sizeof buf), "false"));
    CHECK(STREQ(field_text(db, ids[0], "score", buf, sizeof buf), "(null)"));
    CHECK(count_and_free(db, parse("loyalty_tier >= 3")) == 2);

    /* A bad value in one row: nothing is written, the message names the row and the field. */
    tiers[1] = "lots";
    CHECK(crm_customer_add_many(db, 3, &cols, NULL) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "row 1"));
    CHECK(CONTAINS(crm_errmsg(db), "loyalty_tier"));
    tiers[1] = "4";
    regions[2] = "west";
    CHECK(crm_customer_add_many(db, 3, &cols, NULL) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "west"));
    regions[2] = "south";
    /* An unknown field; a field given twice; a NULL name. */
    cols.custom_len = 1;
    cols.custom_names = (const char *const[]){"nope"};
    cols.custom_text_values = (const char *const *const[]){regions};
    CHECK(crm_customer_add_many(db, 3, &cols, NULL) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "nope"));
    cols.custom_len = 2;
    cols.custom_names = (const char *const[]){"region", "region"};
    cols.custom_text_values = (const char *const *const[]){regions, regions};
    CHECK(crm_customer_add_many(db, 3, &cols, NULL) == CRM_INVALID_ARGUMENT);
    cols.custom_names = (const char *const[]){"region", NULL};
    CHECK(crm_customer_add_many(db, 3, &cols, NULL) == CRM_INVALID_ARGUMENT);
    cols.custom_names = NULL;
    CHECK(crm_customer_add_many(db, 3, &cols, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(count(db, NULL) == 3);

    /* A caller built against the header before custom columns: struct_size without them. */
    crm_customer_columns_init(&cols, sizeof cols);
    cols.struct_size = (uint32_t)offsetof(crm_customer_columns, custom_len);
    cols.name = names;
    cols.custom_len = 99; /* beyond struct_size: not read */
    CHECK(crm_customer_add_many(db, 3, &cols, NULL) == CRM_OK);
    CHECK(count(db, NULL) == 6);
    crm_close(db);
}

static void test_rename_retire_restore_remove(void) {
    crm_db *db = open_memory();
    crm_field_list *list = NULL;
    crm_filter *f = NULL;
    int64_t ada, n = -1;
    char buf[64];

    define_all(db);
    ada = add_customer(db, "Ada");
    CHECK(crm_customer_set_text(db, ada, "region", "north") == CRM_OK);

    /* Rename: values stay, filters use the new name. */
    CHECK(crm_field_rename(db, NULL, "region", "area") == CRM_OK);
    CHECK(STREQ(field_text(db, ada, "area", buf, sizeof buf), "north"));
    CHECK(count_and_free(db, text("area", CRM_OP_EQ, "north")) == 1);
    CHECK(crm_filter_text("region", CRM_OP_EQ, "north", &f) == CRM_OK);
    CHECK(crm_customer_count(db, f, &n) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "area")); /* the known fields */
    crm_filter_free(f);
    CHECK(crm_field_rename(db, NULL, "area", "loyalty_tier") == CRM_ALREADY_EXISTS);
    CHECK(crm_field_rename(db, NULL, "area", "name") == CRM_INVALID_INPUT);
    CHECK(crm_field_rename(db, NULL, "nope", "other") == CRM_NOT_FOUND);

    /* Retire: hidden from records and filters, values kept. */
    CHECK(crm_field_retire(db, "customer", "area") == CRM_OK);
    CHECK(field_count(db, 0) == 5);
    CHECK(field_count(db, 1) == 6);
    CHECK(STREQ(field_text(db, ada, "area", buf, sizeof buf), "(null)"));
    CHECK(crm_customer_set_text(db, ada, "area", "south") == CRM_INVALID_INPUT);
    CHECK(crm_field_all(db, NULL, 1, &list) == CRM_OK);
    CHECK(STREQ(crm_field_list_name(list, 0), "area"));
    CHECK(crm_field_list_retired(list, 0) == 1);
    crm_field_list_free(list);

    /* Restore: back with its values. */
    CHECK(crm_field_restore(db, NULL, "area") == CRM_OK);
    CHECK(STREQ(field_text(db, ada, "area", buf, sizeof buf), "north"));
    CHECK(field_count(db, 0) == 6);

    /* Remove: refused while values exist, unless forced. */
    CHECK(crm_field_remove(db, NULL, "area", 0) == CRM_CONSTRAINT);
    CHECK(field_count(db, 1) == 6);
    CHECK(STREQ(field_text(db, ada, "area", buf, sizeof buf), "north"));
    CHECK(crm_field_remove(db, NULL, "area", 1) == CRM_OK);
    CHECK(field_count(db, 1) == 5);
    CHECK(STREQ(field_text(db, ada, "area", buf, sizeof buf), "(null)"));
    CHECK(crm_field_remove(db, NULL, "score", 0) == CRM_OK); /* no values */
    CHECK(crm_field_remove(db, NULL, "score", 0) == CRM_NOT_FOUND);
    CHECK(crm_field_retire(db, NULL, "nope") == CRM_NOT_FOUND);
    CHECK(field_count(db, 1) == 4);
    crm_close(db);
}

/* ------------------------------------------------------------------------------ bad input */

static void test_bad_values(void) {
    crm_db *db = open_memory();
    const char *const bad_channels[] = {"sms", "pigeon"};
    const char *const null_entry[] = {"sms", NULL};
    int64_t ada, v;

    define_all(db);
    ada = add_customer(db, "Ada");
    CHECK(crm_customer_set_text(db, ada, "region", "north") == CRM_OK);
    CHECK(crm_customer_set_int(db, ada, "loyalty_tier", 2) == CRM_OK);
    v = version_of(db, ada);

    /* An enum value not allowed: the message names the field and the value. */
    CHECK(crm_customer_set_text(db, ada, "region", "west") == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "region"));
    CHECK(CONTAINS(crm_errmsg(db), "west"));
    CHECK(crm_customer_set_choices(db, ada, "channels", bad_channels, 2) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "pigeon"));

    /* The wrong type. */
    CHECK(crm_customer_set_text(db, ada, "loyalty_tier", "lots") == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "loyalty_tier"));
    CHECK(crm_customer_set_int(db, ada, "region", 3) == CRM_INVALID_INPUT);
    CHECK(crm_customer_set_real(db, ada, "loyalty_tier", 2.5) == CRM_INVALID_INPUT);
    CHECK(crm_customer_set_bool(db, ada, "loyalty_tier", 1) == CRM_INVALID_INPUT);
    CHECK(crm_customer_set_text(db, ada, "birthday", "2026-02-30") == CRM_INVALID_INPUT);

    /* An unknown field; a built-in one; no such customer. */
    CHECK(crm_customer_set_int(db, ada, "nope", 1) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "nope"));
    CHECK(crm_customer_set_text(db, ada, "email", "a@b.c") == CRM_INVALID_INPUT);
    CHECK(crm_customer_set_int(db, ada + 100, "loyalty_tier", 1) == CRM_NOT_FOUND);

    /* NULL arguments. */
    CHECK(crm_customer_set_text(NULL, ada, "region", "north") == CRM_INVALID_ARGUMENT);
    CHECK(crm_customer_set_text(db, ada, NULL, "north") == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(db), "field"));
    CHECK(crm_customer_set_choices(db, ada, "channels", NULL, 1) == CRM_INVALID_ARGUMENT);
    CHECK(crm_customer_set_choices(db, ada, "channels", null_entry, 2) == CRM_INVALID_ARGUMENT);

    /* Nothing changed. */
    CHECK(version_of(db, ada) == v);
    CHECK(count_and_free(db, text("region", CRM_OP_EQ, "north")) == 1);
    CHECK(count_and_free(db, parse("loyalty_tier = 2")) == 1);
    crm_close(db);
}

static void test_bad_definitions(void) {
    crm_db *db = open_memory();
    crm_field_definition d;
    crm_field_list *list = (crm_field_list *)&d; /* not NULL, to see it cleared */
    const char *const twice[] = {"a", "a"};

    define_all(db);
    add_customer(db, "Ada");

    /* Shadowing a built-in name; a bad name; a duplicate name; an unknown type. */
    CHECK(define(db, "email", "text", NULL, 0, NULL) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "built-in"));
    CHECK(define(db, "total_spend", "integer", NULL, 0, NULL) == CRM_INVALID_INPUT);
    CHECK(define(db, "Region", "text", NULL, 0, NULL) == CRM_INVALID_INPUT);
    CHECK(define(db, "region", "text", NULL, 0, NULL) == CRM_ALREADY_EXISTS);
    CHECK(define(db, "colour", "color", NULL, 0, NULL) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "color"));

    /* Choices: missing, repeated, or on a type without them. A default that does not fit. */
    CHECK(define(db, "tier", "enum", NULL, 0, NULL) == CRM_INVALID_INPUT);
    CHECK(define(db, "tier", "enum", twice, 2, NULL) == CRM_INVALID_INPUT);
    CHECK(define(db, "tier", "text", REGIONS, 3, NULL) == CRM_INVALID_INPUT);
    CHECK(define(db, "tier", "integer", NULL, 0, "high") == CRM_INVALID_INPUT);
    CHECK(define(db, "tier", "enum", REGIONS, 3, "west") == CRM_INVALID_INPUT);
    CHECK(define(db, "tier", "boolean", NULL, 0, "yes") == CRM_INVALID_INPUT);

    /* Required without a default while customers exist; another entity. */
    crm_field_definition_init(&d, sizeof d);
    d.name = "tier";
    d.type = "integer";
    d.required = 1;
    CHECK(crm_field_define(db, &d) == CRM_INVALID_INPUT);
    d.entity = "product";
    d.required = 0;
    CHECK(crm_field_define(db, &d) == CRM_UNSUPPORTED);
    d.entity = "ticket";
    CHECK(crm_field_define(db, &d) == CRM_INVALID_INPUT);

    /* NULL arguments and a bad struct_size. */
    crm_field_definition_init(&d, sizeof d);
    d.type = "text";
    CHECK(crm_field_define(db, &d) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(db), "name"));
    d.name = "tier";
    d.type = NULL;
    CHECK(crm_field_define(db, &d) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(db), "type"));
    d.type = "enum";
    d.choices_len = 2; /* but no choices */
    CHECK(crm_field_define(db, &d) == CRM_INVALID_ARGUMENT);
    d.choices_len = 0;
    d.type = "text";
    d.struct_size = 4;
    CHECK(crm_field_define(db, &d) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(db), "crm_field_definition_init"));
    d.struct_size = sizeof d;
    CHECK(crm_field_define(db, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(crm_field_define(NULL, &d) == CRM_INVALID_ARGUMENT);
    CHECK(crm_field_rename(db, NULL, "region", NULL) == CRM_INVALID_ARGUMENT);
    CHECK(crm_field_rename(db, NULL, NULL, "area") == CRM_INVALID_ARGUMENT);
    CHECK(crm_field_retire(db, NULL, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(crm_field_restore(NULL, NULL, "region") == CRM_INVALID_ARGUMENT);
    CHECK(crm_field_remove(db, NULL, NULL, 1) == CRM_INVALID_ARGUMENT);
    CHECK(crm_field_all(db, NULL, 0, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(crm_field_all(NULL, NULL, 0, &list) == CRM_INVALID_ARGUMENT);
    CHECK(list == NULL);
    crm_field_definition_init(NULL, sizeof d); /* a no-op */

    /* Nothing was defined. */
    CHECK(field_count(db, 1) == 6);
    crm_close(db);
}

int main(void) {
    test_define_and_list();
    test_set_filter_sort_read();
    test_add_many();
    test_rename_retire_restore_remove();
    test_bad_values();
    test_bad_definitions();
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
