/* Interactions through the C API: recording touchpoints, reading a customer's timeline (order,
 * filters, paging), then bad input, each checked for its documented code and for leaving the store
 * unchanged. Built by `make test-c` with -std=c99 -pedantic, linked statically and dynamically,
 * run under valgrind. */
#include <crm.h>

#include <stdio.h>
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

#define DAY INT64_C(86400000000)
#define T0 INT64_C(1767225600000000) /* 2026-01-01T00:00:00Z */

/* ------------------------------------------------------------------------------ helpers */

static int64_t fixed_clock(void *ctx) { return *(const int64_t *)ctx; }

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

static int64_t add(crm_db *db, int64_t customer, const char *channel, const char *kind,
                   int64_t at, const char *subject) {
    crm_new_interaction n;
    int64_t id = 0;
    crm_new_interaction_init(&n, sizeof n);
    n.customer_id = customer;
    n.channel = channel;
    n.kind = kind;
    n.occurred_at = at;
    n.subject = subject;
    CHECK(crm_interaction_add(db, &n, &id) == CRM_OK);
    return id;
}

static int64_t count(crm_db *db, const crm_filter *filter) {
    int64_t n = -1;
    CHECK(crm_interaction_count(db, filter, &n) == CRM_OK);
    return n;
}

static crm_filter *text(const char *field, int op, const char *value) {
    crm_filter *f = NULL;
    CHECK(crm_filter_text(field, op, value, &f) == CRM_OK);
    return f;
}

static crm_filter *int_eq(const char *field, int64_t value) {
    crm_filter *f = NULL;
    CHECK(crm_filter_int(field, CRM_OP_EQ, value, &f) == CRM_OK);
    return f;
}

/* The timeline of `customer` with `filter` and `options`; the caller frees it. */
static crm_interaction_list *timeline(crm_db *db, int64_t customer, const crm_filter *filter,
                                      const crm_find_options *options) {
    crm_interaction_list *list = NULL;
    CHECK(crm_interaction_timeline(db, customer, filter, options, &list) == CRM_OK);
    CHECK(list != NULL);
    return list;
}

/* The subjects of a list joined by ',' into buf, to compare orders in one CHECK. */
static const char *subjects(const crm_interaction_list *list, char *buf, size_t size) {
    size_t i, used = 0;
    buf[0] = '\0';
    for (i = 0; i < crm_interaction_list_len(list); i++) {
        const char *s = crm_interaction_subject(crm_interaction_list_get(list, i));
        int n = snprintf(buf + used, size - used, "%s%s", i > 0 ? "," : "", s ? s : "(null)");
        if (n < 0 || (size_t)n >= size - used) {
            break;
        }
        used += (size_t)n;
    }
    return buf;
}

/* ------------------------------------------------------------------------------ add and get */

static void test_add_and_get(void) {
    int64_t now = T0 + 30 * DAY;
    crm_db *db = open_at(&now);
    int64_t ada = add_customer(db, "Ada");
    crm_new_interaction n;
    crm_interaction *it = NULL;
    int64_t id = 0, plain;

    crm_new_interaction_init(&n, sizeof n);
    CHECK(n.struct_size == sizeof n);
    CHECK(n.occurred_at == CRM_TIME_NOW);
    CHECK(n.channel == NULL && n.direction == NULL && n.kind == NULL && n.metadata_json == NULL);
    n.customer_id = ada;
    n.channel = "Phone"; /* vocabularies ignore case */
    n.direction = "outbound";
    n.kind = "call";
    n.occurred_at = T0 + DAY;
    n.subject = "  Delivery date ";
    n.body = "Asked when the order ships.";
    n.metadata_json = "{ \"agent\": \"li\", \"score\": 4, \"tags\": [\"a\", \"b\"] }";
    CHECK(crm_interaction_add(db, &n, &id) == CRM_OK);
    CHECK(id > 0);
    CHECK(crm_errcode(db) == CRM_OK);

    CHECK(crm_interaction_get(db, id, &it) == CRM_OK);
    CHECK(crm_interaction_id(it) == id);
    CHECK(crm_interaction_customer_id(it) == ada);
    CHECK(STREQ(crm_interaction_channel(it), "phone"));
    CHECK(STREQ(crm_interaction_direction(it), "outbound"));
    CHECK(STREQ(crm_interaction_kind(it), "call"));
    CHECK(crm_interaction_occurred_at(it) == T0 + DAY);
    CHECK(STREQ(crm_interaction_subject(it), "Delivery date"));
    CHECK(STREQ(crm_interaction_body(it), "Asked when the order ships."));
    /* Compact JSON text of the same object. */
    CHECK(STREQ(crm_interaction_metadata_json(it),
                "{\"agent\":\"li\",\"score\":4,\"tags\":[\"a\",\"b\"]}"));
    CHECK(crm_interaction_created_at(it) == now);
    crm_interaction_free(it);

    /* The defaults: inbound note, now, no text, empty metadata. A blank subject is none. */
    crm_new_interaction_init(&n, sizeof n);
    n.customer_id = ada;
    n.channel = "email";
    n.subject = "   ";
    CHECK(crm_interaction_add(db, &n, NULL) == CRM_OK);
    plain = id + 1;
    it = NULL;
    CHECK(crm_interaction_get(db, plain, &it) == CRM_OK);
    CHECK(STREQ(crm_interaction_channel(it), "email"));
    CHECK(STREQ(crm_interaction_direction(it), "inbound"));
    CHECK(STREQ(crm_interaction_kind(it), "note"));
    CHECK(crm_interaction_occurred_at(it) == now);
    CHECK(crm_interaction_subject(it) == NULL);
    CHECK(crm_interaction_body(it) == NULL);
    CHECK(STREQ(crm_interaction_metadata_json(it), "{}"));

    /* The object is a copy: it outlives the handle. */
    crm_close(db);
    CHECK(crm_interaction_id(it) == plain);
    CHECK(STREQ(crm_interaction_metadata_json(it), "{}"));
    crm_interaction_free(it);

    /* Accessors and destructors accept NULL. */
    CHECK(crm_interaction_id(NULL) == 0);
    CHECK(crm_interaction_channel(NULL) == NULL);
    CHECK(crm_interaction_metadata_json(NULL) == NULL);
    CHECK(crm_interaction_list_len(NULL) == 0);
    CHECK(crm_interaction_list_get(NULL, 0) == NULL);
    crm_interaction_free(NULL);
    crm_interaction_list_free(NULL);
}

static void test_add_many(void) {
    int64_t now = T0;
    crm_db *db = open_at(&now);
    int64_t ada = add_customer(db, "Ada"), ids[3] = {0, 0, 0};
    crm_new_interaction rows[3];
    crm_interaction *it = NULL;
    int i;

    for (i = 0; i < 3; i++) {
        crm_new_interaction_init(&rows[i], sizeof rows[i]);
        rows[i].customer_id = ada;
        rows[i].channel = "chat";
        rows[i].occurred_at = T0 + i * DAY;
    }
    rows[2].metadata_json = "{\"n\": 3}";
    CHECK(crm_interaction_add_many(db, 3, rows, ids) == CRM_OK);
    CHECK(ids[0] > 0 && ids[1] == ids[0] + 1 && ids[2] == ids[1] + 1);
    CHECK(crm_interaction_get(db, ids[2], &it) == CRM_OK);
    CHECK(STREQ(crm_interaction_metadata_json(it), "{\"n\":3}"));
    crm_interaction_free(it);
    CHECK(count(db, NULL) == 3);

    /* One bad entry writes nothing, and the message names it. */
    rows[1].channel = "fax";
    CHECK(crm_interaction_add_many(db, 3, rows, NULL) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "row 1"));
    rows[1].channel = NULL;
    CHECK(crm_interaction_add_many(db, 3, rows, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(db), "interactions[1].channel"));
    rows[1].channel = "chat";
    rows[2].customer_id = ada + 100;
    CHECK(crm_interaction_add_many(db, 3, rows, NULL) == CRM_NOT_FOUND);
    CHECK(crm_interaction_add_many(db, 2, NULL, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(count(db, NULL) == 3);
    CHECK(crm_interaction_add_many(db, 0, NULL, NULL) == CRM_OK);
    crm_close(db);
}

/* ------------------------------------------------------------------------------ timeline */

static void test_timeline(void) {
    int64_t now = T0 + 30 * DAY;
    crm_db *db = open_at(&now);
    int64_t ada = add_customer(db, "Ada"), bob = add_customer(db, "Bob");
    crm_find_options opts;
    crm_interaction_list *list;
    crm_filter *f;
    char buf[256];

    /* Added out of order: the timeline sorts by when they happened, not by id. */
    add(db, ada, "email", "message", T0 + 2 * DAY, "d2");
    add(db, ada, "phone", "call", T0 + 4 * DAY, "d4");
    add(db, ada, "email", "note", T0, "d0");
    add(db, ada, "phone", "call", T0 + 3 * DAY, "d3");
    add(db, ada, "web", "visit", T0 + 1 * DAY, "d1");
    add(db, bob, "phone", "call", T0 + 5 * DAY, "bob");

    list = timeline(db, ada, NULL, NULL);
    CHECK(crm_interaction_list_len(list) == 5);
    CHECK(STREQ(subjects(list, buf, sizeof buf), "d4,d3,d2,d1,d0"));
    CHECK(crm_interaction_occurred_at(crm_interaction_list_get(list, 0)) == T0 + 4 * DAY);
    CHECK(crm_interaction_customer_id(crm_interaction_list_get(list, 4)) == ada);
    CHECK(crm_interaction_list_get(list, 5) == NULL);
    crm_interaction_list_free(list);

    /* By channel and by kind (crm_filter_text), newest first still. */
    f = text("channel", CRM_OP_EQ, "phone");
    list = timeline(db, ada, f, NULL);
    CHECK(STREQ(subjects(list, buf, sizeof buf), "d4,d3"));
    crm_interaction_list_free(list);
    CHECK(count(db, f) == 3); /* Bob's call too */
    crm_filter_free(f);
    f = text("kind", CRM_OP_NE, "call");
    list = timeline(db, ada, f, NULL);
    CHECK(STREQ(subjects(list, buf, sizeof buf), "d2,d1,d0"));
    crm_interaction_list_free(list);
    crm_filter_free(f);

    /* A date range: between (inclusive) and a one-sided bound. */
    f = NULL;
    CHECK(crm_filter_between_time("occurred_at", T0 + DAY, T0 + 3 * DAY, &f) == CRM_OK);
    list = timeline(db, ada, f, NULL);
    CHECK(STREQ(subjects(list, buf, sizeof buf), "d3,d2,d1"));
    crm_interaction_list_free(list);
    crm_filter_free(f);
    f = NULL;
    CHECK(crm_filter_time("occurred_at", CRM_OP_LT, T0 + 2 * DAY, &f) == CRM_OK);
    list = timeline(db, ada, f, NULL);
    CHECK(STREQ(subjects(list, buf, sizeof buf), "d1,d0"));
    crm_interaction_list_free(list);
    crm_filter_free(f);

    /* Paging: newest first, skip one, take two. */
    crm_find_options_init(&opts, sizeof opts);
    opts.limit = 2;
    opts.offset = 1;
    list = timeline(db, ada, NULL, &opts);
    CHECK(STREQ(subjects(list, buf, sizeof buf), "d3,d2"));
    crm_interaction_list_free(list);
    opts.offset = 4;
    list = timeline(db, ada, NULL, &opts);
    CHECK(STREQ(subjects(list, buf, sizeof buf), "d0"));
    crm_interaction_list_free(list);
    opts.offset = 5;
    list = timeline(db, ada, NULL, &opts);
    CHECK(crm_interaction_list_len(list) == 0);
    crm_interaction_list_free(list);

    /* An explicit order replaces newest-first. */
    crm_find_options_init(&opts, sizeof opts);
    opts.order_by = "occurred_at";
    list = timeline(db, ada, NULL, &opts);
    CHECK(STREQ(subjects(list, buf, sizeof buf), "d0,d1,d2,d3,d4"));
    crm_interaction_list_free(list);

    /* A customer without interactions has an empty timeline. */
    list = timeline(db, add_customer(db, "Cy"), NULL, NULL);
    CHECK(crm_interaction_list_len(list) == 0);
    crm_interaction_list_free(list);

    /* Find across customers: by id unless ordered; count per customer. */
    list = NULL;
    f = text("channel", CRM_OP_EQ, "phone");
    CHECK(crm_interaction_find(db, f, NULL, &list) == CRM_OK);
    CHECK(STREQ(subjects(list, buf, sizeof buf), "d4,d3,bob"));
    crm_filter_free(f);
    /* Lists outlive the handle. */
    f = int_eq("customer_id", ada);
    CHECK(count(db, f) == 5);
    crm_filter_free(f);
    CHECK(count(db, NULL) == 6);
    crm_close(db);
    CHECK(crm_interaction_list_len(list) == 3);
    CHECK(STREQ(crm_interaction_channel(crm_interaction_list_get(list, 2)), "phone"));
    crm_interaction_list_free(list);
}

/* ------------------------------------------------------------------------------ bad input */

static void test_bad_input(void) {
    int64_t now = T0;
    crm_db *db = open_at(&now);
    int64_t ada = add_customer(db, "Ada"), id = -7;
    crm_new_interaction n, good;
    crm_interaction *it;
    crm_interaction_list *list;
    crm_find_options opts;
    crm_filter *f;

    crm_new_interaction_init(&good, sizeof good);
    good.customer_id = ada;
    good.channel = "email";
    CHECK(crm_interaction_add(db, &good, NULL) == CRM_OK);
    CHECK(count(db, NULL) == 1);

    /* Unknown customer. */
    n = good;
    n.customer_id = ada + 100;
    CHECK(crm_interaction_add(db, &n, &id) == CRM_NOT_FOUND);
    CHECK(crm_errcode(db) == CRM_NOT_FOUND);
    CHECK(CONTAINS(crm_errmsg(db), "customer"));
    CHECK(id == -7); /* not written on failure */
    CHECK(count(db, NULL) == 1);

    /* Unknown vocabulary values. */
    n = good;
    n.channel = "fax";
    CHECK(crm_interaction_add(db, &n, NULL) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "channel"));
    CHECK(CONTAINS(crm_errmsg(db), "in_person"));
    n = good;
    n.direction = "sideways";
    CHECK(crm_interaction_add(db, &n, NULL) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "direction"));
    n = good;
    n.kind = "lunch";
    CHECK(crm_interaction_add(db, &n, NULL) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "kind"));
    CHECK(count(db, NULL) == 1);

    /* Metadata: JSON but not an object, then not JSON at all. */
    n = good;
    n.metadata_json = "[1]";
    CHECK(crm_interaction_add(db, &n, NULL) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "metadata"));
    n.metadata_json = "{oops";
    CHECK(crm_interaction_add(db, &n, NULL) == CRM_PARSE);
    CHECK(CONTAINS(crm_errmsg(db), "metadata"));
    CHECK(count(db, NULL) == 1);

    /* NULL handle, struct, channel. */
    CHECK(crm_interaction_add(NULL, &good, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(NULL), "db is NULL"));
    CHECK(crm_interaction_add(db, NULL, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(db), "interaction is NULL"));
    n = good;
    n.channel = NULL;
    CHECK(crm_interaction_add(db, &n, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(db), "interaction.channel"));
    CHECK(count(db, NULL) == 1);

    /* Invalid UTF-8. */
    n = good;
    n.subject = "caf\xc3" "ok";
    CHECK(crm_interaction_add(db, &n, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(db), "subject"));
    CHECK(CONTAINS(crm_errmsg(db), "UTF-8"));
    CHECK(count(db, NULL) == 1);

    /* A struct_size below the first version's, e.g. an uninitialised struct. */
    n = good;
    n.struct_size = 4;
    CHECK(crm_interaction_add(db, &n, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(db), "crm_new_interaction_init"));
    n.struct_size = 0;
    CHECK(crm_interaction_add(db, &n, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(count(db, NULL) == 1);

    /* Get: unknown id, NULL handle, NULL out; *out is NULL on every failure. */
    it = (crm_interaction *)&n;
    CHECK(crm_interaction_get(db, 999, &it) == CRM_NOT_FOUND);
    CHECK(it == NULL);
    it = (crm_interaction *)&n;
    CHECK(crm_interaction_get(NULL, 1, &it) == CRM_INVALID_ARGUMENT);
    CHECK(it == NULL);
    CHECK(crm_interaction_get(db, 1, NULL) == CRM_INVALID_ARGUMENT);

    /* Timeline: unknown customer, NULL handle, NULL out, bad options. */
    list = (crm_interaction_list *)&n;
    CHECK(crm_interaction_timeline(db, ada + 100, NULL, NULL, &list) == CRM_NOT_FOUND);
    CHECK(CONTAINS(crm_errmsg(db), "customer"));
    CHECK(list == NULL);
    list = (crm_interaction_list *)&n;
    CHECK(crm_interaction_timeline(NULL, ada, NULL, NULL, &list) == CRM_INVALID_ARGUMENT);
    CHECK(list == NULL);
    CHECK(crm_interaction_timeline(db, ada, NULL, NULL, NULL) == CRM_INVALID_ARGUMENT);
    crm_find_options_init(&opts, sizeof opts);
    opts.offset = -1;
    CHECK(crm_interaction_timeline(db, ada, NULL, &opts, &list) == CRM_INVALID_ARGUMENT);
    CHECK(list == NULL);
    crm_find_options_init(&opts, sizeof opts);
    opts.order_by = "-colour";
    CHECK(crm_interaction_timeline(db, ada, NULL, &opts, &list) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "occurred_at")); /* lists the known fields */
    opts.struct_size = 2;
    CHECK(crm_interaction_find(db, NULL, &opts, &list) == CRM_INVALID_ARGUMENT);
    CHECK(list == NULL);

    /* Filters naming unknown fields or values that do not fit. */
    f = text("colour", CRM_OP_EQ, "red");
    CHECK(crm_interaction_timeline(db, ada, f, NULL, &list) == CRM_INVALID_INPUT);
    CHECK(list == NULL);
    crm_filter_free(f);
    f = text("channel", CRM_OP_EQ, "fax");
    CHECK(crm_interaction_find(db, f, NULL, &list) == CRM_INVALID_INPUT);
    CHECK(list == NULL);
    crm_filter_free(f);
    f = text("stage", CRM_OP_EQ, "lead"); /* a customer field */
    {
        int64_t c = -1;
        CHECK(crm_interaction_count(db, f, &c) == CRM_INVALID_INPUT);
        CHECK(c == -1);
    }
    crm_filter_free(f);

    /* Count: NULL handle, NULL out. */
    CHECK(crm_interaction_count(NULL, NULL, &id) == CRM_INVALID_ARGUMENT);
    CHECK(crm_interaction_count(db, NULL, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(count(db, NULL) == 1);
    CHECK(crm_errcode(db) == CRM_OK);
    crm_close(db);
}

/* ------------------------------------------------------------------------------ delete */

static void test_delete_customer_with_interactions(void) {
    int64_t now = T0;
    crm_db *db = open_at(&now);
    int64_t ada = add_customer(db, "Ada"), bob = add_customer(db, "Bob");
    crm_interaction_list *list = NULL;
    crm_filter *f;

    add(db, ada, "email", NULL, T0, "a1");
    add(db, ada, "phone", "call", T0 + DAY, "a2");
    add(db, bob, "chat", NULL, T0, "b1");

    CHECK(crm_customer_delete(db, ada, 0) == CRM_CONSTRAINT);
    CHECK(crm_errcode(db) == CRM_CONSTRAINT);
    CHECK(CONTAINS(crm_errmsg(db), "interactions"));
    CHECK(count(db, NULL) == 3);
    list = timeline(db, ada, NULL, NULL);
    CHECK(crm_interaction_list_len(list) == 2);
    crm_interaction_list_free(list);

    CHECK(crm_customer_delete(db, ada, CRM_DELETE_CASCADE) == CRM_OK);
    f = int_eq("customer_id", ada);
    CHECK(count(db, f) == 0);
    crm_filter_free(f);
    CHECK(count(db, NULL) == 1);
    list = (crm_interaction_list *)&now;
    CHECK(crm_interaction_timeline(db, ada, NULL, NULL, &list) == CRM_NOT_FOUND);
    CHECK(list == NULL);
    list = timeline(db, bob, NULL, NULL);
    CHECK(crm_interaction_list_len(list) == 1);
    crm_interaction_list_free(list);
    crm_close(db);
}

/* ------------------------------------------------------------------------------ links */

/* Interactions may belong to a campaign and to a ticket; both must exist. */
static void test_campaign_and_ticket_links(void) {
    int64_t now = T0;
    crm_db *db = open_at(&now);
    int64_t ada = add_customer(db, "Ada"), campaign = 0, ticket = 0, id = 0, plain;
    crm_new_campaign c;
    crm_new_ticket t;
    crm_new_interaction n;
    crm_interaction *it = NULL;
    crm_interaction_list *list = NULL;
    crm_filter *f;

    crm_new_campaign_init(&c, sizeof c);
    c.name = "Spring";
    c.channel = "email";
    CHECK(crm_campaign_create(db, &c, &campaign) == CRM_OK);
    crm_new_ticket_init(&t, sizeof t);
    t.customer_id = ada;
    t.subject = "Broken";
    t.channel = "email";
    CHECK(crm_ticket_open(db, &t, &ticket) == CRM_OK);
    CHECK(campaign > 0 && ticket > 0);
    plain = count(db, NULL);

    crm_new_interaction_init(&n, sizeof n);
    CHECK(n.campaign_id == 0 && n.ticket_id == 0);
    n.customer_id = ada;
    n.channel = "email";
    n.subject = "linked";
    n.campaign_id = campaign;
    n.ticket_id = ticket;
    CHECK(crm_interaction_add(db, &n, &id) == CRM_OK);
    CHECK(crm_interaction_get(db, id, &it) == CRM_OK);
    CHECK(crm_interaction_campaign_id(it) == campaign);
    CHECK(crm_interaction_ticket_id(it) == ticket);
    crm_interaction_free(it);

    /* Without links both read 0; so does NULL. */
    n.campaign_id = n.ticket_id = 0;
    n.subject = "plain";
    CHECK(crm_interaction_add(db, &n, &id) == CRM_OK);
    CHECK(crm_interaction_get(db, id, &it) == CRM_OK);
    CHECK(crm_interaction_campaign_id(it) == 0 && crm_interaction_ticket_id(it) == 0);
    crm_interaction_free(it);
    CHECK(crm_interaction_campaign_id(NULL) == 0 && crm_interaction_ticket_id(NULL) == 0);

    /* A list carries the links too. */
    f = text("subject", CRM_OP_EQ, "linked");
    list = timeline(db, ada, f, NULL);
    CHECK(crm_interaction_list_len(list) == 1);
    CHECK(crm_interaction_campaign_id(crm_interaction_list_get(list, 0)) == campaign);
    CHECK(crm_interaction_ticket_id(crm_interaction_list_get(list, 0)) == ticket);
    crm_interaction_list_free(list);
    crm_filter_free(f);
    CHECK(count(db, NULL) == plain + 2);

    /* A campaign or ticket that does not exist: CRM_NOT_FOUND, nothing written. */
    n.campaign_id = campaign + 100;
    id = -1;
    CHECK(crm_interaction_add(db, &n, &id) == CRM_NOT_FOUND);
    CHECK(CONTAINS(crm_errmsg(db), "campaign"));
    n.campaign_id = 0;
    n.ticket_id = ticket + 100;
    CHECK(crm_interaction_add(db, &n, &id) == CRM_NOT_FOUND);
    CHECK(CONTAINS(crm_errmsg(db), "ticket"));
    CHECK(crm_interaction_add_many(db, 1, &n, NULL) == CRM_NOT_FOUND);
    CHECK(id == -1);
    CHECK(count(db, NULL) == plain + 2);

    /* Deleting the campaign keeps its interactions, unlinked. */
    CHECK(crm_campaign_delete(db, campaign, 0) == CRM_OK);
    CHECK(count(db, NULL) == plain + 2);
    f = text("subject", CRM_OP_EQ, "linked");
    list = timeline(db, ada, f, NULL);
    CHECK(crm_interaction_list_len(list) == 1);
    CHECK(crm_interaction_campaign_id(crm_interaction_list_get(list, 0)) == 0);
    CHECK(crm_interaction_ticket_id(crm_interaction_list_get(list, 0)) == ticket);
    crm_interaction_list_free(list);
    crm_filter_free(f);
    crm_close(db);
}

int main(void) {
    test_add_and_get();
    test_add_many();
    test_timeline();
    test_bad_input();
    test_delete_customer_with_interactions();
    test_campaign_and_ticket_links();
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
