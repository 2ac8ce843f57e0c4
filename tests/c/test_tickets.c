/* Service tickets and their SLAs through the C API: the workflow with its history, comments and
 * the first response, SLA policies, business hours, deadlines, breaches with an explicit `now`,
 * the work queue and statistics; then bad input, each checked for its documented code and for
 * leaving the store unchanged. Every clock is fixed: nothing depends on the wall clock.
 * Built by `make test-c` with -std=c99 -pedantic, linked statically and dynamically, run under
 * valgrind. */
#include <crm.h>

#include <math.h>
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

#define MIN INT64_C(60000000)
#define HOUR INT64_C(3600000000)
#define DAY INT64_C(86400000000)
#define T0 INT64_C(1767225600000000) /* 2026-01-01T00:00:00Z, a Thursday */
#define MON (T0 + 123 * DAY)         /* 2026-05-04T00:00:00Z, a Monday */
#define AT(day, h, m) (MON + (day) * DAY + (h) * HOUR + (m) * MIN) /* day 0 = Monday May 4 */

/* ------------------------------------------------------------------------------ helpers */

static int64_t fixed_clock(void *ctx) { return *(const int64_t *)ctx; }

/* An in-memory store whose clock reads *now, acting for agent li.wei. */
static crm_db *open_at(int64_t *now) {
    crm_open_options options;
    crm_db *db = NULL;
    crm_open_options_init(&options, sizeof options);
    options.clock = fixed_clock;
    options.clock_ctx = now;
    options.principal = "li.wei";
    options.role = "agent";
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

/* Opens an email ticket; `created` may be CRM_TIME_NOW. Returns its id (0 on failure). */
static int64_t open_ticket(crm_db *db, int64_t customer, const char *subject, const char *priority,
                           int64_t created) {
    crm_new_ticket t;
    int64_t id = 0;
    crm_new_ticket_init(&t, sizeof t);
    t.customer_id = customer;
    t.subject = subject;
    t.channel = "email";
    t.priority = priority;
    t.created_at = created;
    CHECK(crm_ticket_open(db, &t, &id) == CRM_OK);
    return id;
}

static void set_policy(crm_db *db, const char *priority, int64_t first, int64_t resolution,
                       int business) {
    crm_sla_policy p;
    crm_sla_policy_init(&p, sizeof p);
    p.priority = priority;
    p.first_response_minutes = first;
    p.resolution_minutes = resolution;
    p.business_hours = business;
    CHECK(crm_sla_policy_set(db, &p) == CRM_OK);
}

static void transition(crm_db *db, int64_t id, const char *to, int64_t at) {
    CHECK(crm_ticket_transition(db, id, to, at, NULL) == CRM_OK);
}

/* A public comment (internal when `internal` is not 0) at `at`. */
static int64_t comment(crm_db *db, int64_t id, const char *body, int internal, int64_t at) {
    crm_new_ticket_comment c;
    int64_t cid = 0;
    crm_new_ticket_comment_init(&c, sizeof c);
    c.body = body;
    c.internal = internal;
    c.at = at;
    CHECK(crm_ticket_comment_add(db, id, &c, &cid) == CRM_OK);
    return cid;
}

/* The stored ticket; free it with crm_ticket_free. */
static crm_ticket *get(crm_db *db, int64_t id) {
    crm_ticket *t = NULL;
    CHECK(crm_ticket_get(db, id, &t) == CRM_OK);
    CHECK(t != NULL);
    return t;
}

static int64_t version_of(crm_db *db, int64_t id) {
    crm_ticket *t = get(db, id);
    int64_t v = crm_ticket_version(t);
    crm_ticket_free(t);
    return v;
}

static size_t history_len(crm_db *db, int64_t id) {
    crm_ticket_history_list *h = NULL;
    size_t n = 0;
    CHECK(crm_ticket_history(db, id, &h) == CRM_OK);
    n = crm_ticket_history_list_len(h);
    crm_ticket_history_list_free(h);
    return n;
}

static size_t comments_len(crm_db *db, int64_t id) {
    crm_ticket_comment_list *l = NULL;
    size_t n = 0;
    CHECK(crm_ticket_comments(db, id, &l) == CRM_OK);
    n = crm_ticket_comment_list_len(l);
    crm_ticket_comment_list_free(l);
    return n;
}

static int64_t ticket_count(crm_db *db, const char *text) {
    crm_filter *f = NULL;
    int64_t n = -1;
    CHECK(crm_filter_parse(text, &f) == CRM_OK);
    CHECK(crm_ticket_count(db, f, &n) == CRM_OK);
    crm_filter_free(f);
    return n;
}

static size_t audit_count(crm_db *db, const char *text) {
    crm_filter *f = NULL;
    crm_audit_list *l = NULL;
    size_t n = 0;
    CHECK(crm_filter_parse(text, &f) == CRM_OK);
    CHECK(crm_audit_find(db, f, NULL, &l) == CRM_OK);
    n = crm_audit_list_len(l);
    crm_audit_list_free(l);
    crm_filter_free(f);
    return n;
}

/* The SLA state of ticket `id` at `now`; NULL when its priority has no policy. */
static crm_sla_state *sla(crm_db *db, int64_t id, int64_t now) {
    crm_sla_state *s = (crm_sla_state *)&now; /* must be overwritten */
    CHECK(crm_ticket_sla(db, id, now, &s) == CRM_OK);
    return s;
}

/* ------------------------------------------------------------------------------ workflow */

static void test_workflow_and_history(void) {
    int64_t now = AT(0, 9, 0);
    crm_db *db = open_at(&now);
    int64_t ada = add_customer(db, "Ada");
    crm_new_ticket nt;
    crm_ticket *t = NULL;
    crm_ticket_history_list *h = NULL;
    int64_t id = 0;
    size_t steps, trail;
    static const char *const from[] = {NULL,   "new",      "open", "pending",
                                       "open", "resolved", "open", "resolved"};
    static const char *const to[] = {"new",      "open", "pending",  "open",
                                     "resolved", "open", "resolved", "closed"};
    int64_t at[8];
    size_t i;

    crm_new_ticket_init(&nt, sizeof nt);
    nt.customer_id = ada;
    nt.subject = "  Parcel never arrived ";
    nt.body = "Order ORD-7, paid last week.";
    nt.channel = "email";
    nt.category = " Delivery ";
    nt.priority = "high";
    CHECK(crm_ticket_open(db, &nt, &id) == CRM_OK);
    CHECK(id > 0);
    t = get(db, id);
    CHECK(crm_ticket_id(t) == id);
    CHECK(crm_ticket_customer_id(t) == ada);
    CHECK(STREQ(crm_ticket_subject(t), "Parcel never arrived"));
    CHECK(STREQ(crm_ticket_body(t), "Order ORD-7, paid last week."));
    CHECK(STREQ(crm_ticket_channel(t), "email"));
    CHECK(STREQ(crm_ticket_category(t), "delivery"));
    CHECK(STREQ(crm_ticket_priority(t), "high"));
    CHECK(STREQ(crm_ticket_status(t), "new"));
    CHECK(crm_ticket_assignee(t) == NULL);
    CHECK(crm_ticket_created_at(t) == AT(0, 9, 0));
    CHECK(crm_ticket_updated_at(t) == AT(0, 9, 0));
    CHECK(crm_ticket_version(t) == 1);
    CHECK(crm_ticket_first_response_at(t) == CRM_TIME_NONE);
    CHECK(crm_ticket_resolved_at(t) == CRM_TIME_NONE);
    CHECK(crm_ticket_closed_at(t) == CRM_TIME_NONE);
    /* No SLA policy: no deadlines. */
    CHECK(crm_ticket_first_response_due(t) == CRM_TIME_NONE);
    CHECK(crm_ticket_resolution_due(t) == CRM_TIME_NONE);
    CHECK(crm_ticket_next_due(t) == CRM_TIME_NONE);
    crm_ticket_free(t);

    now = AT(0, 9, 30);
    t = NULL;
    CHECK(crm_ticket_transition(db, id, "open", CRM_TIME_NOW, &t) == CRM_OK);
    CHECK(STREQ(crm_ticket_status(t), "open"));
    CHECK(crm_ticket_version(t) == 2);
    CHECK(crm_ticket_updated_at(t) == AT(0, 9, 30));
    crm_ticket_free(t);

    /* Illegal transitions name both states and change nothing. */
    steps = history_len(db, id);
    trail = audit_count(db, "entity = 'ticket'");
    t = (crm_ticket *)&now;
    CHECK(crm_ticket_transition(db, id, "closed", CRM_TIME_NOW, &t) == CRM_ILLEGAL_TRANSITION);
    CHECK(t == NULL);
    CHECK(crm_errcode(db) == CRM_ILLEGAL_TRANSITION);
    CHECK(STREQ(crm_errmsg(db), "illegal ticket transition from open to closed"));
    CHECK(crm_ticket_transition(db, id, "open", CRM_TIME_NOW, NULL) == CRM_ILLEGAL_TRANSITION);
    CHECK(CONTAINS(crm_errmsg(db), "from open to open"));
    CHECK(crm_ticket_transition(db, id, "new", CRM_TIME_NOW, NULL) == CRM_ILLEGAL_TRANSITION);
    CHECK(CONTAINS(crm_errmsg(db), "from open to new"));
    CHECK(crm_ticket_transition(db, id, "done", CRM_TIME_NOW, NULL) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "done"));
    CHECK(crm_ticket_reopen(db, id, CRM_TIME_NOW, NULL) == CRM_ILLEGAL_TRANSITION);
    CHECK(history_len(db, id) == steps);
    CHECK(audit_count(db, "entity = 'ticket'") == trail);
    t = get(db, id);
    CHECK(STREQ(crm_ticket_status(t), "open"));
    CHECK(crm_ticket_version(t) == 2);
    crm_ticket_free(t);

    /* Times must be in order and not in the future. */
    CHECK(crm_ticket_transition(db, id, "pending", AT(0, 9, 29), NULL) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "out of order"));
    CHECK(crm_ticket_transition(db, id, "pending", AT(0, 9, 31), NULL) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "future"));
    CHECK(history_len(db, id) == steps);

    now = AT(0, 10, 0);
    transition(db, id, "pending", CRM_TIME_NOW);
    /* Reopen is for resolved tickets: a pending one is refused as input. */
    CHECK(crm_ticket_reopen(db, id, CRM_TIME_NOW, NULL) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "only a resolved ticket"));
    now = AT(0, 11, 0);
    transition(db, id, "open", CRM_TIME_NOW);
    now = AT(0, 12, 0);
    t = NULL;
    CHECK(crm_ticket_transition(db, id, "resolved", CRM_TIME_NOW, &t) == CRM_OK);
    CHECK(crm_ticket_resolved_at(t) != CRM_TIME_NONE);
    CHECK(crm_ticket_resolved_at(t) == AT(0, 12, 0));
    crm_ticket_free(t);

    /* Reopen: resolved → open clears resolved_at. */
    now = AT(0, 13, 0);
    t = NULL;
    CHECK(crm_ticket_reopen(db, id, CRM_TIME_NOW, &t) == CRM_OK);
    CHECK(STREQ(crm_ticket_status(t), "open"));
    CHECK(crm_ticket_resolved_at(t) == CRM_TIME_NONE);
    crm_ticket_free(t);
    now = AT(0, 14, 0);
    transition(db, id, "resolved", CRM_TIME_NOW);

    /* Closing may record an earlier instant than the clock, in order. */
    now = AT(1, 9, 0);
    t = NULL;
    CHECK(crm_ticket_transition(db, id, "closed", AT(0, 15, 0), &t) == CRM_OK);
    CHECK(STREQ(crm_ticket_status(t), "closed"));
    CHECK(crm_ticket_closed_at(t) == AT(0, 15, 0));
    CHECK(crm_ticket_resolved_at(t) == AT(0, 14, 0));
    CHECK(crm_ticket_version(t) == 8);
    crm_ticket_free(t);

    /* Closed is final: no reopen, no comment; nothing written. */
    steps = history_len(db, id);
    trail = audit_count(db, "");
    CHECK(crm_ticket_reopen(db, id, CRM_TIME_NOW, NULL) == CRM_ILLEGAL_TRANSITION);
    CHECK(STREQ(crm_errmsg(db), "illegal ticket transition from closed to open"));
    CHECK(crm_ticket_transition(db, id, "open", CRM_TIME_NOW, NULL) == CRM_ILLEGAL_TRANSITION);
    {
        crm_new_ticket_comment c;
        crm_new_ticket_comment_init(&c, sizeof c);
        c.body = "One more thing";
        CHECK(crm_ticket_comment_add(db, id, &c, NULL) == CRM_INVALID_INPUT);
        CHECK(CONTAINS(crm_errmsg(db), "follow-up"));
    }
    CHECK(history_len(db, id) == steps);
    CHECK(comments_len(db, id) == 0);
    CHECK(audit_count(db, "") == trail);
    CHECK(version_of(db, id) == 8);

    /* The whole history, by whom. */
    at[0] = AT(0, 9, 0);
    at[1] = AT(0, 9, 30);
    at[2] = AT(0, 10, 0);
    at[3] = AT(0, 11, 0);
    at[4] = AT(0, 12, 0);
    at[5] = AT(0, 13, 0);
    at[6] = AT(0, 14, 0);
    at[7] = AT(0, 15, 0);
    CHECK(crm_ticket_history(db, id, &h) == CRM_OK);
    CHECK(crm_ticket_history_list_len(h) == 8);
    for (i = 0; i < 8; i++) {
        const char *f = crm_ticket_history_list_from(h, i);
        CHECK(from[i] == NULL ? f == NULL : STREQ(f, from[i]));
        CHECK(STREQ(crm_ticket_history_list_to(h, i), to[i]));
        CHECK(crm_ticket_history_list_at(h, i) == at[i]);
        CHECK(STREQ(crm_ticket_history_list_by(h, i), "li.wei"));
    }
    CHECK(crm_ticket_history_list_to(h, 8) == NULL);
    CHECK(crm_ticket_history_list_by(h, 8) == NULL);
    CHECK(crm_ticket_history_list_at(h, 8) == 0);
    crm_ticket_history_list_free(h);
    CHECK(audit_count(db, "entity = 'ticket' and action = 'create'") == 1);
    CHECK(audit_count(db, "entity = 'ticket' and action = 'update'") == 7);

    /* Delete takes comments and history along. */
    CHECK(crm_ticket_delete(db, id) == CRM_OK);
    t = (crm_ticket *)&now;
    CHECK(crm_ticket_get(db, id, &t) == CRM_NOT_FOUND);
    CHECK(t == NULL);
    CHECK(STREQ(crm_errmsg(db), "ticket id 1 not found"));
    CHECK(crm_ticket_delete(db, id) == CRM_NOT_FOUND);
    h = (crm_ticket_history_list *)&now;
    CHECK(crm_ticket_history(db, id, &h) == CRM_NOT_FOUND);
    CHECK(h == NULL);
    CHECK(audit_count(db, "entity = 'ticket' and action = 'delete'") == 1);
    crm_close(db);
}

/* ------------------------------------------------------------------------------ comments */

static void test_comments_and_first_response(void) {
    int64_t now = AT(0, 9, 0);
    crm_db *db = open_at(&now);
    int64_t ada = add_customer(db, "Ada");
    int64_t id, note, reply, later;
    crm_new_ticket_comment c;
    crm_ticket_comment_list *l = NULL;
    crm_ticket *t = NULL;
    size_t trail;

    set_policy(db, "normal", 60, 8 * 60, 0);
    id = open_ticket(db, ada, "Cannot log in", NULL, CRM_TIME_NOW);
    t = get(db, id);
    CHECK(STREQ(crm_ticket_priority(t), "normal"));
    CHECK(crm_ticket_first_response_due(t) != CRM_TIME_NONE);
    CHECK(crm_ticket_first_response_due(t) == AT(0, 10, 0));
    crm_ticket_free(t);

    now = AT(0, 9, 5);
    note = comment(db, id, "Checking the auth logs", 1, CRM_TIME_NOW);
    t = get(db, id);
    CHECK(crm_ticket_first_response_at(t) == CRM_TIME_NONE); /* internal notes do not count */
    CHECK(crm_ticket_version(t) == 1);
    crm_ticket_free(t);

    now = AT(0, 9, 20);
    crm_new_ticket_comment_init(&c, sizeof c);
    c.body = "Please try resetting your password.";
    c.author = "Wu Fei";
    reply = 0;
    CHECK(crm_ticket_comment_add(db, id, &c, &reply) == CRM_OK);
    CHECK(reply > note);
    t = get(db, id);
    CHECK(crm_ticket_first_response_at(t) != CRM_TIME_NONE);
    CHECK(crm_ticket_first_response_at(t) == AT(0, 9, 20));
    CHECK(crm_ticket_version(t) == 2);
    /* Answered: only the resolution deadline is pending. */
    CHECK(crm_ticket_first_response_due(t) == CRM_TIME_NONE);
    CHECK(crm_ticket_resolution_due(t) != CRM_TIME_NONE);
    CHECK(crm_ticket_resolution_due(t) == AT(0, 17, 0));
    CHECK(crm_ticket_next_due(t) == AT(0, 17, 0));
    crm_ticket_free(t);

    now = AT(0, 10, 0);
    later = comment(db, id, "Did that help?", 0, CRM_TIME_NOW);
    CHECK(later > reply);
    t = get(db, id);
    CHECK(crm_ticket_first_response_at(t) == AT(0, 9, 20)); /* later replies do not move it */
    CHECK(crm_ticket_version(t) == 2);
    crm_ticket_free(t);

    /* Bad comments write nothing. */
    trail = audit_count(db, "");
    crm_new_ticket_comment_init(&c, sizeof c);
    c.body = "   ";
    CHECK(crm_ticket_comment_add(db, id, &c, NULL) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "body"));
    c.body = "early";
    c.at = AT(0, 8, 59);
    CHECK(crm_ticket_comment_add(db, id, &c, NULL) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "before the ticket was created"));
    c.at = AT(0, 10, 1);
    CHECK(crm_ticket_comment_add(db, id, &c, NULL) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "future"));
    c.at = CRM_TIME_NOW;
    c.author = "Wu\nFei";
    CHECK(crm_ticket_comment_add(db, id, &c, NULL) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "author"));
    c.author = NULL;
    c.body = NULL;
    CHECK(crm_ticket_comment_add(db, id, &c, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(db), "comment->body"));
    c.body = "\xff\xfe";
    CHECK(crm_ticket_comment_add(db, id, &c, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(db), "UTF-8"));
    c.body = "hi";
    CHECK(crm_ticket_comment_add(db, 999, &c, NULL) == CRM_NOT_FOUND);
    CHECK(crm_ticket_comment_add(db, id, NULL, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(crm_ticket_comment_add(NULL, id, &c, NULL) == CRM_INVALID_ARGUMENT);
    c.struct_size = 4;
    CHECK(crm_ticket_comment_add(db, id, &c, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(db), "struct_size"));
    CHECK(audit_count(db, "") == trail);
    CHECK(version_of(db, id) == 2);

    CHECK(crm_ticket_comments(db, id, &l) == CRM_OK);
    CHECK(crm_ticket_comment_list_len(l) == 3);
    CHECK(crm_ticket_comment_list_id(l, 0) == note);
    CHECK(STREQ(crm_ticket_comment_list_body(l, 0), "Checking the auth logs"));
    CHECK(crm_ticket_comment_list_public(l, 0) == 0);
    CHECK(STREQ(crm_ticket_comment_list_author(l, 0), "li.wei")); /* the handle's principal */
    CHECK(crm_ticket_comment_list_at(l, 0) == AT(0, 9, 5));
    CHECK(crm_ticket_comment_list_id(l, 1) == reply);
    CHECK(crm_ticket_comment_list_public(l, 1) == 1);
    CHECK(STREQ(crm_ticket_comment_list_author(l, 1), "Wu Fei"));
    CHECK(STREQ(crm_ticket_comment_list_body(l, 2), "Did that help?"));
    CHECK(crm_ticket_comment_list_at(l, 2) == AT(0, 10, 0));
    CHECK(crm_ticket_comment_list_body(l, 3) == NULL);
    CHECK(crm_ticket_comment_list_author(l, 3) == NULL);
    CHECK(crm_ticket_comment_list_id(l, 3) == 0);
    crm_ticket_comment_list_free(l);
    l = (crm_ticket_comment_list *)&now;
    CHECK(crm_ticket_comments(db, 999, &l) == CRM_NOT_FOUND);
    CHECK(l == NULL);
    CHECK(audit_count(db, "entity = 'ticket_comment'") == 3);
    crm_close(db);
}

/* ------------------------------------------------------------------------------ policies */

static void test_policies_and_business_hours(void) {
    int64_t now = AT(0, 9, 0);
    crm_db *db = open_at(&now);
    int64_t ada = add_customer(db, "Ada");
    int64_t high, normal, urgent;
    crm_sla_policy p;
    crm_sla_policy_list *pl = NULL;
    crm_business_hours bh, back;
    crm_ticket *t = NULL;
    crm_ticket_patch patch;
    size_t trail = audit_count(db, "");

    /* Targets ≤ 0 and other bad policies are refused and write nothing. */
    crm_sla_policy_init(&p, sizeof p);
    p.priority = "high";
    p.first_response_minutes = 0;
    p.resolution_minutes = 60;
    CHECK(crm_sla_policy_set(db, &p) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "first_response_minutes"));
    p.first_response_minutes = 60;
    p.resolution_minutes = -5;
    CHECK(crm_sla_policy_set(db, &p) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "resolution_minutes"));
    p.resolution_minutes = 527041; /* more than 366 days */
    CHECK(crm_sla_policy_set(db, &p) == CRM_INVALID_INPUT);
    p.resolution_minutes = 480;
    p.priority = "critical";
    CHECK(crm_sla_policy_set(db, &p) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "critical"));
    p.priority = NULL;
    CHECK(crm_sla_policy_set(db, &p) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(db), "policy->priority"));
    p.priority = "high";
    p.struct_size = 8;
    CHECK(crm_sla_policy_set(db, &p) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(db), "struct_size"));
    CHECK(crm_sla_policy_set(db, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(crm_sla_policy_set(NULL, &p) == CRM_INVALID_ARGUMENT);
    CHECK(crm_sla_policy_all(db, &pl) == CRM_OK);
    CHECK(crm_sla_policy_list_len(pl) == 0);
    crm_sla_policy_list_free(pl);
    CHECK(audit_count(db, "") == trail);

    /* Calendar targets: due one hour and eight hours after creation. */
    set_policy(db, "high", 60, 8 * 60, 0);
    high = open_ticket(db, ada, "Checkout down", "high", CRM_TIME_NOW);
    t = get(db, high);
    CHECK(crm_ticket_first_response_due(t) == AT(0, 10, 0));
    CHECK(crm_ticket_resolution_due(t) == AT(0, 17, 0));
    CHECK(crm_ticket_next_due(t) == AT(0, 10, 0));
    crm_ticket_free(t);

    /* No policy for normal: no deadlines and no SLA state (CRM_OK with NULL). */
    normal = open_ticket(db, ada, "Invoice copy", NULL, CRM_TIME_NOW);
    t = get(db, normal);
    CHECK(crm_ticket_first_response_due(t) == CRM_TIME_NONE);
    CHECK(crm_ticket_resolution_due(t) == CRM_TIME_NONE);
    crm_ticket_free(t);
    CHECK(sla(db, normal, CRM_TIME_NOW) == NULL);
    CHECK(crm_errcode(db) == CRM_OK);
    /* Raising its priority starts the high targets from its creation. */
    now = AT(0, 9, 30);
    crm_ticket_patch_init(&patch, sizeof patch);
    patch.set = CRM_TICKET_SET_PRIORITY;
    patch.priority = "High";
    t = NULL;
    CHECK(crm_ticket_update(db, normal, &patch, &t) == CRM_OK);
    CHECK(STREQ(crm_ticket_priority(t), "high"));
    CHECK(crm_ticket_first_response_due(t) == AT(0, 10, 0));
    crm_ticket_free(t);

    /* Business hours: Monday to Friday 09:00–17:00 until set. */
    crm_business_hours_init(&bh, sizeof bh);
    CHECK(bh.days == 0 && bh.open_seconds == 0 && bh.close_seconds == 0);
    CHECK(crm_business_hours_get(db, &bh) == CRM_OK);
    CHECK(bh.days == (CRM_DAY_MONDAY | CRM_DAY_TUESDAY | CRM_DAY_WEDNESDAY | CRM_DAY_THURSDAY |
                      CRM_DAY_FRIDAY));
    CHECK(bh.open_seconds == 9 * 3600 && bh.close_seconds == 17 * 3600);
    CHECK(bh.struct_size == sizeof bh);

    /* A business-hours policy; an old ticket raised on Friday 16:00 and imported on Monday. */
    set_policy(db, "urgent", 120, 10 * 60, 1);
    now = AT(0, 12, 0);
    urgent = open_ticket(db, ada, "Data export broken", "urgent", AT(-3, 16, 0));
    t = get(db, urgent);
    CHECK(crm_ticket_created_at(t) == AT(-3, 16, 0));
    CHECK(crm_ticket_first_response_due(t) == AT(0, 10, 0));
    CHECK(crm_ticket_resolution_due(t) == AT(1, 10, 0)); /* 1h Fri + 8h Mon + 1h Tue */
    crm_ticket_free(t);

    /* New hours move the deadlines: Monday to Saturday 08:00–18:00. */
    bh.days |= CRM_DAY_SATURDAY;
    bh.open_seconds = 8 * 3600;
    bh.close_seconds = 18 * 3600;
    CHECK(crm_business_hours_set(db, &bh) == CRM_OK);
    crm_business_hours_init(&back, sizeof back);
    CHECK(crm_business_hours_get(db, &back) == CRM_OK);
    CHECK(back.days == 63 && back.open_seconds == 28800 && back.close_seconds == 64800);
    t = get(db, urgent);
    CHECK(crm_ticket_first_response_due(t) == AT(-3, 18, 0));
    CHECK(crm_ticket_resolution_due(t) == AT(-2, 16, 0));
    crm_ticket_free(t);

    /* Bad hours are refused and change nothing. */
    trail = audit_count(db, "");
    back.open_seconds = 18 * 3600;
    back.close_seconds = 9 * 3600;
    CHECK(crm_business_hours_set(db, &back) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "business_hours.close"));
    back.open_seconds = 9 * 3600;
    back.days = 0;
    CHECK(crm_business_hours_set(db, &back) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "business_hours.days"));
    back.days = CRM_DAY_MONDAY;
    back.close_seconds = 86400;
    CHECK(crm_business_hours_set(db, &back) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "business_hours.close"));
    back.close_seconds = 17 * 3600;
    back.open_seconds = -1;
    CHECK(crm_business_hours_set(db, &back) == CRM_INVALID_INPUT);
    back.open_seconds = 9 * 3600;
    back.days = 0x80;
    CHECK(crm_business_hours_set(db, &back) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(db), "days"));
    back.days = CRM_DAY_MONDAY;
    back.struct_size = 2;
    CHECK(crm_business_hours_set(db, &back) == CRM_INVALID_ARGUMENT);
    CHECK(crm_business_hours_set(db, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(crm_business_hours_set(NULL, &bh) == CRM_INVALID_ARGUMENT);
    CHECK(audit_count(db, "") == trail);
    crm_business_hours_init(&back, sizeof back);
    CHECK(crm_business_hours_get(db, &back) == CRM_OK);
    CHECK(back.days == 63 && back.open_seconds == 28800 && back.close_seconds == 64800);
    /* Reading needs an initialised struct; nothing is written on failure. */
    back.struct_size = 4;
    back.days = 1234;
    CHECK(crm_business_hours_get(db, &back) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(db), "crm_business_hours_init"));
    CHECK(back.days == 1234);
    CHECK(crm_business_hours_get(db, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(crm_business_hours_get(NULL, &bh) == CRM_INVALID_ARGUMENT);

    /* The policies, low to urgent; a change moves deadlines, a removal clears them. */
    CHECK(crm_sla_policy_all(db, &pl) == CRM_OK);
    CHECK(crm_sla_policy_list_len(pl) == 2);
    CHECK(STREQ(crm_sla_policy_list_priority(pl, 0), "high"));
    CHECK(crm_sla_policy_list_first_response_minutes(pl, 0) == 60);
    CHECK(crm_sla_policy_list_resolution_minutes(pl, 0) == 480);
    CHECK(crm_sla_policy_list_business_hours(pl, 0) == 0);
    CHECK(STREQ(crm_sla_policy_list_priority(pl, 1), "urgent"));
    CHECK(crm_sla_policy_list_business_hours(pl, 1) == 1);
    CHECK(crm_sla_policy_list_priority(pl, 2) == NULL);
    CHECK(crm_sla_policy_list_first_response_minutes(pl, 2) == 0);
    crm_sla_policy_list_free(pl);
    set_policy(db, "high", 30, 8 * 60, 0);
    t = get(db, high);
    CHECK(crm_ticket_first_response_due(t) == AT(0, 9, 30));
    crm_ticket_free(t);
    CHECK(crm_sla_policy_remove(db, "high") == CRM_OK);
    t = get(db, high);
    CHECK(crm_ticket_first_response_due(t) == CRM_TIME_NONE);
    CHECK(crm_ticket_resolution_due(t) == CRM_TIME_NONE);
    CHECK(crm_ticket_version(t) == 1); /* derived deadlines do not bump the version */
    crm_ticket_free(t);
    CHECK(crm_sla_policy_remove(db, "high") == CRM_NOT_FOUND);
    CHECK(crm_sla_policy_remove(db, "critical") == CRM_INVALID_INPUT);
    CHECK(crm_sla_policy_remove(db, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(crm_sla_policy_remove(NULL, "urgent") == CRM_INVALID_ARGUMENT);
    CHECK(audit_count(db, "entity = 'sla_policy'") == 4);
    crm_close(db);
}

/* ------------------------------------------------------------------------------ breaches */

static void test_breaches_with_explicit_now(void) {
    int64_t now = AT(0, 13, 0);
    crm_db *db = open_at(&now);
    int64_t ada = add_customer(db, "Ada");
    int64_t late, slow, fine, card;
    crm_sla_state *s = NULL;
    crm_sla_breach_list *b = NULL;

    set_policy(db, "high", 60, 4 * 60, 0);
    /* Answered late, resolved and closed: a first-response breach that stays. */
    late = open_ticket(db, ada, "late reply", "high", AT(0, 8, 0));
    comment(db, late, "Hello", 0, AT(0, 9, 30));
    transition(db, late, "resolved", AT(0, 10, 0));
    transition(db, late, "closed", CRM_TIME_NOW);
    /* Answered in time, still open past the resolution target (due 12:00). */
    slow = open_ticket(db, ada, "slow", "high", AT(0, 8, 0));
    comment(db, slow, "Hello", 0, AT(0, 8, 30));
    /* Fine: answered in time, within its resolution target. */
    fine = open_ticket(db, ada, "fine", "high", AT(0, 12, 0));
    comment(db, fine, "Hello", 0, AT(0, 12, 10));
    /* No policy: never breached. */
    open_ticket(db, ada, "no policy", "low", AT(-3, 8, 0));

    /* The slow ticket at 13:00: resolution breached by an hour since 12:00. */
    s = sla(db, slow, AT(0, 13, 0));
    CHECK(s != NULL);
    CHECK(STREQ(crm_sla_state_priority(s), "high"));
    CHECK(crm_sla_state_first_response_minutes(s) == 60);
    CHECK(crm_sla_state_resolution_minutes(s) == 240);
    CHECK(crm_sla_state_business_hours(s) == 0);
    CHECK(crm_sla_state_first_response_due(s) == AT(0, 9, 0));
    CHECK(crm_sla_state_first_response_at(s) != CRM_TIME_NONE);
    CHECK(crm_sla_state_first_response_at(s) == AT(0, 8, 30));
    CHECK(crm_sla_state_first_response_stopped(s) == 1);
    CHECK(crm_sla_state_first_response_breached(s) == 0);
    CHECK(crm_sla_state_first_response_breach_by(s) == 0);
    CHECK(crm_sla_state_resolution_breached(s) == 1);
    CHECK(crm_sla_state_resolution_breach_by(s) == HOUR);
    CHECK(crm_sla_state_resolution_breached_at(s) != CRM_TIME_NONE);
    CHECK(crm_sla_state_resolution_breached_at(s) == AT(0, 12, 0));
    CHECK(crm_sla_state_resolution_due(s) != CRM_TIME_NONE);
    CHECK(crm_sla_state_resolution_due(s) == AT(0, 12, 0));
    CHECK(crm_sla_state_resolved_at(s) == CRM_TIME_NONE);
    CHECK(crm_sla_state_paused(s) == 0);
    CHECK(crm_sla_state_resolution_elapsed(s) == 5 * HOUR);
    crm_sla_state_free(s);
    /* Looking back to 11:00, it was within its target. */
    s = sla(db, slow, AT(0, 11, 0));
    CHECK(crm_sla_state_resolution_breached(s) == 0);
    CHECK(crm_sla_state_resolution_breach_by(s) == 0);
    CHECK(crm_sla_state_resolution_breached_at(s) == CRM_TIME_NONE);
    CHECK(crm_sla_state_resolution_due(s) == AT(0, 12, 0));
    CHECK(crm_sla_state_resolution_elapsed(s) == 3 * HOUR);
    crm_sla_state_free(s);
    /* The late ticket: answered 30 minutes after the due time, resolved. */
    s = sla(db, late, CRM_TIME_NOW);
    CHECK(crm_sla_state_first_response_breached(s) == 1);
    CHECK(crm_sla_state_first_response_breach_by(s) == 30 * MIN);
    CHECK(crm_sla_state_resolved_at(s) != CRM_TIME_NONE);
    CHECK(crm_sla_state_resolved_at(s) == AT(0, 10, 0));
    CHECK(crm_sla_state_resolution_breached(s) == 0);
    crm_sla_state_free(s);

    /* The breaches view at the handle's clock (13:00), by ticket. */
    CHECK(crm_sla_breaches(db, CRM_TIME_NOW, &b) == CRM_OK);
    CHECK(crm_sla_breach_list_len(b) == 2);
    CHECK(crm_sla_breach_list_ticket_id(b, 0) == late);
    CHECK(STREQ(crm_sla_breach_list_target(b, 0), "first_response"));
    CHECK(crm_sla_breach_list_due(b, 0) == AT(0, 9, 0));
    CHECK(crm_sla_breach_list_breach_by(b, 0) == 30 * MIN);
    CHECK(crm_sla_breach_list_ticket_id(b, 1) == slow);
    CHECK(STREQ(crm_sla_breach_list_target(b, 1), "resolution"));
    CHECK(crm_sla_breach_list_due(b, 1) == AT(0, 12, 0));
    CHECK(crm_sla_breach_list_breach_by(b, 1) == HOUR);
    CHECK(crm_sla_breach_list_ticket_id(b, 2) == 0);
    CHECK(crm_sla_breach_list_target(b, 2) == NULL);
    CHECK(crm_sla_breach_list_due(b, 2) == 0);
    crm_sla_breach_list_free(b);
    /* At 11:00 only the late reply had breached; at 17:00 the fine one has too. */
    CHECK(crm_sla_breaches(db, AT(0, 11, 0), &b) == CRM_OK);
    CHECK(crm_sla_breach_list_len(b) == 1);
    CHECK(crm_sla_breach_list_ticket_id(b, 0) == late);
    crm_sla_breach_list_free(b);
    CHECK(crm_sla_breaches(db, AT(0, 17, 0), &b) == CRM_OK);
    CHECK(crm_sla_breach_list_len(b) == 3);
    CHECK(crm_sla_breach_list_ticket_id(b, 2) == fine);
    CHECK(crm_sla_breach_list_due(b, 2) == AT(0, 16, 0));
    CHECK(crm_sla_breach_list_breach_by(b, 2) == HOUR);
    crm_sla_breach_list_free(b);

    /* An overdue first response grows with `now`. */
    now = AT(0, 13, 0);
    card = open_ticket(db, ada, "Card declined", "high", CRM_TIME_NOW);
    s = sla(db, card, AT(0, 13, 30));
    CHECK(crm_sla_state_first_response_breached(s) == 0);
    CHECK(crm_sla_state_first_response_stopped(s) == 0);
    CHECK(crm_sla_state_first_response_at(s) == CRM_TIME_NONE);
    crm_sla_state_free(s);
    s = sla(db, card, AT(0, 14, 45));
    CHECK(crm_sla_state_first_response_breached(s) == 1);
    CHECK(crm_sla_state_first_response_breach_by(s) == 45 * MIN);
    crm_sla_state_free(s);

    /* An instant outside years 1–9999 is refused; unknown tickets are not found. */
    s = (crm_sla_state *)&now;
    CHECK(crm_ticket_sla(db, slow, INT64_MAX, &s) == CRM_INVALID_INPUT);
    CHECK(s == NULL);
    CHECK(CONTAINS(crm_errmsg(db), "now"));
    b = (crm_sla_breach_list *)&now;
    CHECK(crm_sla_breaches(db, INT64_MAX, &b) == CRM_INVALID_INPUT);
    CHECK(b == NULL);
    s = (crm_sla_state *)&now;
    CHECK(crm_ticket_sla(db, 999, CRM_TIME_NOW, &s) == CRM_NOT_FOUND);
    CHECK(s == NULL);
    CHECK(crm_ticket_sla(db, slow, CRM_TIME_NOW, NULL) == CRM_INVALID_ARGUMENT);
    s = (crm_sla_state *)&now;
    CHECK(crm_ticket_sla(NULL, slow, CRM_TIME_NOW, &s) == CRM_INVALID_ARGUMENT);
    CHECK(s == NULL);
    CHECK(crm_sla_breaches(db, CRM_TIME_NOW, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(crm_sla_breaches(NULL, CRM_TIME_NOW, &b) == CRM_INVALID_ARGUMENT);
    crm_close(db);
}

/* ------------------------------------------------------------------------------ pending */

static void test_pending_pauses_the_clock(void) {
    int64_t now = AT(2, 12, 0);
    crm_db *db = open_at(&now);
    int64_t ada = add_customer(db, "Ada");
    int64_t id;
    crm_sla_state *s = NULL;
    crm_ticket *t = NULL;

    set_policy(db, "normal", 60, 4 * 60, 0);
    /* Imported: raised Monday 08:00, opened 09:00, waiting on the customer from 10:00. */
    id = open_ticket(db, ada, "Refund", "normal", AT(0, 8, 0));
    transition(db, id, "open", AT(0, 9, 0));
    transition(db, id, "pending", AT(0, 10, 0));
    t = get(db, id);
    CHECK(STREQ(crm_ticket_status(t), "pending"));
    CHECK(crm_ticket_resolution_due(t) == CRM_TIME_NONE); /* the clock is stopped */
    CHECK(crm_ticket_first_response_due(t) != CRM_TIME_NONE);
    CHECK(crm_ticket_first_response_due(t) == AT(0, 9, 0));
    crm_ticket_free(t);

    /* A day later, still paused: two hours ran, nothing is due, nothing breached. */
    s = sla(db, id, AT(1, 10, 0));
    CHECK(crm_sla_state_paused(s) == 1);
    CHECK(crm_sla_state_resolution_due(s) == CRM_TIME_NONE);
    CHECK(crm_sla_state_resolution_elapsed(s) == 2 * HOUR);
    CHECK(crm_sla_state_resolution_breached(s) == 0);
    crm_sla_state_free(s);

    /* Back to open on Tuesday 10:00: the remaining two hours count from there. */
    transition(db, id, "open", AT(1, 10, 0));
    s = sla(db, id, AT(1, 11, 0));
    CHECK(crm_sla_state_paused(s) == 0);
    CHECK(crm_sla_state_resolution_due(s) == AT(1, 12, 0));
    CHECK(crm_sla_state_resolution_elapsed(s) == 3 * HOUR);
    crm_sla_state_free(s);

    /* Resolved at 12:30: 30 minutes over; the pause did not count. */
    transition(db, id, "resolved", AT(1, 12, 30));
    s = sla(db, id, CRM_TIME_NOW);
    CHECK(crm_sla_state_resolved_at(s) == AT(1, 12, 30));
    CHECK(crm_sla_state_resolution_breached(s) == 1);
    CHECK(crm_sla_state_resolution_breach_by(s) == 30 * MIN);
    CHECK(crm_sla_state_resolution_breached_at(s) == AT(1, 12, 0));
    /* The resolution also stopped the unanswered first-response clock. */
    CHECK(crm_sla_state_first_response_stopped(s) == 1);
    CHECK(crm_sla_state_first_response_at(s) == CRM_TIME_NONE);
    CHECK(crm_sla_state_first_response_breach_by(s) == AT(1, 12, 30) - AT(0, 9, 0));
    crm_sla_state_free(s);
    crm_close(db);
}

/* ------------------------------------------------------------------------------ imports */

static void test_imported_tickets(void) {
    int64_t now = AT(28, 12, 0);
    crm_db *db = open_at(&now);
    int64_t ada = add_customer(db, "Ada");
    int64_t id;
    crm_ticket *t = NULL;
    crm_ticket_history_list *h = NULL;
    crm_interaction_list *timeline = NULL;
    crm_new_ticket nt;
    int64_t n = -1;

    set_policy(db, "high", 60, 8 * 60, 0);
    id = open_ticket(db, ada, "Old matter", "high", AT(-119, 9, 0)); /* 2026-01-05 09:00 */
    t = get(db, id);
    CHECK(crm_ticket_created_at(t) == AT(-119, 9, 0));
    CHECK(crm_ticket_updated_at(t) == AT(28, 12, 0)); /* the record changed now */
    CHECK(crm_ticket_first_response_due(t) == AT(-119, 10, 0));
    crm_ticket_free(t);
    CHECK(crm_ticket_history(db, id, &h) == CRM_OK);
    CHECK(crm_ticket_history_list_len(h) == 1);
    CHECK(crm_ticket_history_list_from(h, 0) == NULL);
    CHECK(STREQ(crm_ticket_history_list_to(h, 0), "new"));
    CHECK(crm_ticket_history_list_at(h, 0) == AT(-119, 9, 0));
    crm_ticket_history_list_free(h);
    /* The request is on the customer's timeline at its own time, linked to the ticket. */
    CHECK(crm_interaction_timeline(db, ada, NULL, NULL, &timeline) == CRM_OK);
    CHECK(crm_interaction_list_len(timeline) == 1);
    CHECK(crm_interaction_ticket_id(crm_interaction_list_get(timeline, 0)) == id);
    CHECK(crm_interaction_occurred_at(crm_interaction_list_get(timeline, 0)) == AT(-119, 9, 0));
    CHECK(STREQ(crm_interaction_subject(crm_interaction_list_get(timeline, 0)), "Old matter"));
    crm_interaction_list_free(timeline);
    /* Its old history can be imported too, in order. */
    transition(db, id, "resolved", AT(-119, 11, 0));
    t = get(db, id);
    CHECK(crm_ticket_resolved_at(t) == AT(-119, 11, 0));
    crm_ticket_free(t);

    /* Tickets from the future are refused and write nothing. */
    crm_new_ticket_init(&nt, sizeof nt);
    nt.customer_id = ada;
    nt.subject = "Later";
    nt.channel = "web";
    nt.created_at = AT(28, 12, 0) + 1;
    CHECK(crm_ticket_open(db, &nt, NULL) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "created_at"));
    CHECK(CONTAINS(crm_errmsg(db), "future"));
    nt.created_at = INT64_MAX;
    CHECK(crm_ticket_open(db, &nt, NULL) == CRM_INVALID_INPUT);
    CHECK(crm_ticket_count(db, NULL, &n) == CRM_OK);
    CHECK(n == 1);
    crm_close(db);
}

/* ------------------------------------------------------------------------------ queue */

static void test_queue_order(void) {
    int64_t now = AT(0, 12, 0);
    crm_db *db = open_at(&now);
    int64_t ada = add_customer(db, "Ada");
    int64_t a, b, c, d, e, f, g, h;
    int64_t expected[6];
    crm_ticket_queue_list *q = NULL;
    const crm_sla_state *s = NULL;
    size_t i;

    set_policy(db, "high", 60, 8 * 60, 0);
    set_policy(db, "normal", 120, 16 * 60, 0);
    a = open_ticket(db, ada, "a", "normal", AT(0, 8, 0));  /* due 10:00 */
    b = open_ticket(db, ada, "b", "high", AT(0, 11, 0));   /* due 12:00 */
    c = open_ticket(db, ada, "c", "high", AT(0, 10, 30));  /* due 11:30 */
    d = open_ticket(db, ada, "d", "low", AT(0, 7, 0));     /* no policy */
    e = open_ticket(db, ada, "e", "low", AT(0, 6, 0));     /* no policy, older */
    f = open_ticket(db, ada, "f", "urgent", AT(0, 11, 59)); /* no policy, most urgent */
    g = open_ticket(db, ada, "g", "high", AT(0, 5, 0));    /* pending: waits on the customer */
    h = open_ticket(db, ada, "h", "normal", AT(0, 5, 0));  /* resolved */
    transition(db, g, "pending", CRM_TIME_NOW);
    transition(db, h, "resolved", CRM_TIME_NOW);
    transition(db, a, "open", CRM_TIME_NOW);

    expected[0] = f;
    expected[1] = c;
    expected[2] = b;
    expected[3] = a;
    expected[4] = e;
    expected[5] = d;
    CHECK(crm_ticket_queue(db, 100, CRM_TIME_NOW, &q) == CRM_OK);
    CHECK(crm_ticket_queue_list_len(q) == 6);
    for (i = 0; i < 6; i++) {
        CHECK(crm_ticket_id(crm_ticket_queue_list_ticket(q, i)) == expected[i]);
    }
    /* Each entry carries its SLA state at the queue's now; no policy, no state. */
    CHECK(crm_ticket_queue_list_sla(q, 0) == NULL);
    CHECK(STREQ(crm_ticket_priority(crm_ticket_queue_list_ticket(q, 0)), "urgent"));
    s = crm_ticket_queue_list_sla(q, 1);
    CHECK(s != NULL);
    CHECK(crm_sla_state_first_response_breached(s) == 1);
    CHECK(crm_sla_state_first_response_breach_by(s) == 30 * MIN);
    CHECK(crm_ticket_next_due(crm_ticket_queue_list_ticket(q, 1)) == AT(0, 11, 30));
    s = crm_ticket_queue_list_sla(q, 3);
    CHECK(crm_sla_state_first_response_breach_by(s) == 2 * HOUR);
    CHECK(STREQ(crm_ticket_status(crm_ticket_queue_list_ticket(q, 3)), "open"));
    CHECK(crm_ticket_queue_list_sla(q, 4) == NULL);
    CHECK(crm_ticket_queue_list_ticket(q, 6) == NULL);
    CHECK(crm_ticket_queue_list_sla(q, 6) == NULL);
    crm_ticket_queue_list_free(q);

    /* A page, at an explicit earlier instant: same order, states as of then. */
    CHECK(crm_ticket_queue(db, 2, AT(0, 11, 0), &q) == CRM_OK);
    CHECK(crm_ticket_queue_list_len(q) == 2);
    CHECK(crm_ticket_id(crm_ticket_queue_list_ticket(q, 1)) == c);
    CHECK(crm_sla_state_first_response_breached(crm_ticket_queue_list_sla(q, 1)) == 0);
    crm_ticket_queue_list_free(q);
    CHECK(crm_ticket_queue(db, 0, CRM_TIME_NOW, &q) == CRM_OK);
    CHECK(crm_ticket_queue_list_len(q) == 0);
    crm_ticket_queue_list_free(q);

    q = (crm_ticket_queue_list *)&now;
    CHECK(crm_ticket_queue(db, 10, INT64_MAX, &q) == CRM_INVALID_INPUT);
    CHECK(q == NULL);
    CHECK(crm_ticket_queue(db, 10, CRM_TIME_NOW, NULL) == CRM_INVALID_ARGUMENT);
    q = (crm_ticket_queue_list *)&now;
    CHECK(crm_ticket_queue(NULL, 10, CRM_TIME_NOW, &q) == CRM_INVALID_ARGUMENT);
    CHECK(q == NULL);
    CHECK(crm_ticket_queue_list_len(NULL) == 0);
    CHECK(crm_ticket_queue_list_ticket(NULL, 0) == NULL);
    crm_ticket_queue_list_free(NULL);
    crm_close(db);
}

/* ------------------------------------------------------------------------------ stats, find */

static void test_stats_and_find(void) {
    int64_t now = AT(6, 12, 0);
    crm_db *db = open_at(&now);
    int64_t ada = add_customer(db, "Ada");
    int64_t bob = add_customer(db, "Bob");
    /* Created 09:00; first responses after 10, 30, 60, 120 minutes, one without; resolved
     * after 2, 4 and 9 hours. */
    static const char *const categories[] = {"billing", "billing", "delivery", NULL, NULL};
    const int64_t replies[] = {AT(0, 9, 10), AT(0, 9, 30), AT(0, 10, 0), AT(0, 11, 0), 0};
    const int64_t resolved[] = {AT(0, 11, 0), AT(0, 13, 0), AT(0, 18, 0), 0, 0};
    static const char *const statuses[] = {"new", "open", "pending", "resolved", "closed"};
    const int64_t status_counts[] = {1, 1, 0, 3, 0};
    static const char *const priorities[] = {"low", "normal", "high", "urgent"};
    const int64_t priority_counts[] = {0, 4, 0, 1};
    int64_t ids[5];
    crm_ticket_stats *st = NULL;
    crm_ticket_list *l = NULL;
    crm_filter *fl = NULL;
    crm_find_options opts;
    int64_t n = -1;
    size_t i;

    for (i = 0; i < 5; i++) {
        crm_new_ticket t;
        char subject[8];
        sprintf(subject, "t%d", (int)i);
        crm_new_ticket_init(&t, sizeof t);
        t.customer_id = i < 3 ? ada : bob;
        t.subject = subject;
        t.channel = "chat";
        t.category = categories[i];
        t.priority = i == 4 ? "urgent" : NULL;
        t.created_at = AT(0, 9, 0);
        CHECK(crm_ticket_open(db, &t, &ids[i]) == CRM_OK);
        if (replies[i] != 0) {
            comment(db, ids[i], "hi", 0, replies[i]);
        }
        if (resolved[i] != 0) {
            transition(db, ids[i], "resolved", resolved[i]);
        }
    }
    transition(db, ids[3], "open", CRM_TIME_NOW);

    CHECK(crm_ticket_stats_compute(db, NULL, &st) == CRM_OK);
    CHECK(crm_ticket_stats_total(st) == 5);
    CHECK(crm_ticket_stats_status_len(st) == 5);
    for (i = 0; i < 5; i++) {
        CHECK(STREQ(crm_ticket_stats_status_name(st, i), statuses[i]));
        CHECK(crm_ticket_stats_status_count(st, i) == status_counts[i]);
    }
    CHECK(crm_ticket_stats_status_name(st, 5) == NULL);
    CHECK(crm_ticket_stats_category_len(st) == 3);
    CHECK(STREQ(crm_ticket_stats_category_name(st, 0), "billing"));
    CHECK(crm_ticket_stats_category_count(st, 0) == 2);
    CHECK(STREQ(crm_ticket_stats_category_name(st, 1), "delivery"));
    CHECK(crm_ticket_stats_category_count(st, 1) == 1);
    CHECK(crm_ticket_stats_category_name(st, 2) == NULL); /* uncategorised */
    CHECK(crm_ticket_stats_category_count(st, 2) == 2);
    CHECK(crm_ticket_stats_category_count(st, 3) == 0);
    CHECK(crm_ticket_stats_priority_len(st) == 4);
    for (i = 0; i < 4; i++) {
        CHECK(STREQ(crm_ticket_stats_priority_name(st, i), priorities[i]));
        CHECK(crm_ticket_stats_priority_count(st, i) == priority_counts[i]);
    }
    /* First response: 10, 30, 60, 120 minutes → mean 55, median 45. Resolution: 2, 4, 9 hours. */
    CHECK(crm_ticket_stats_mean_first_response(st) == (double)(55 * MIN));
    CHECK(crm_ticket_stats_median_first_response(st) == (double)(45 * MIN));
    CHECK(crm_ticket_stats_mean_resolution(st) == (double)(5 * HOUR));
    CHECK(crm_ticket_stats_median_resolution(st) == (double)(4 * HOUR));
    crm_ticket_stats_free(st);

    CHECK(crm_filter_parse("category = 'billing'", &fl) == CRM_OK);
    CHECK(crm_ticket_stats_compute(db, fl, &st) == CRM_OK);
    CHECK(crm_ticket_stats_total(st) == 2);
    CHECK(crm_ticket_stats_mean_first_response(st) == (double)(20 * MIN));
    crm_ticket_stats_free(st);
    crm_filter_free(fl);
    /* Nothing to average: NaN. */
    CHECK(crm_filter_parse("status = 'pending'", &fl) == CRM_OK);
    CHECK(crm_ticket_stats_compute(db, fl, &st) == CRM_OK);
    CHECK(crm_ticket_stats_total(st) == 0);
    CHECK(isnan(crm_ticket_stats_mean_first_response(st)));
    CHECK(isnan(crm_ticket_stats_median_first_response(st)));
    CHECK(isnan(crm_ticket_stats_mean_resolution(st)));
    CHECK(isnan(crm_ticket_stats_median_resolution(st)));
    CHECK(crm_ticket_stats_category_len(st) == 0);
    CHECK(crm_ticket_stats_status_count(st, 2) == 0);
    crm_ticket_stats_free(st);
    crm_filter_free(fl);
    CHECK(isnan(crm_ticket_stats_mean_resolution(NULL)));
    CHECK(crm_ticket_stats_total(NULL) == 0);
    crm_ticket_stats_free(NULL);

    /* Find and count with filters; priority compares and sorts by rank. */
    CHECK(ticket_count(db, "status = 'resolved'") == 3);
    CHECK(ticket_count(db, "priority >= 'high'") == 1);
    CHECK(ticket_count(db, "priority > 'low' and category is null") == 2);
    CHECK(ticket_count(db, "first_response_at is null") == 1);
    CHECK(ticket_count(db, "subject starts with 't'") == 5);
    CHECK(crm_filter_parse("customer_id = 2", &fl) == CRM_OK);
    crm_find_options_init(&opts, sizeof opts);
    opts.order_by = "-priority,-id";
    CHECK(crm_ticket_find(db, fl, &opts, &l) == CRM_OK);
    CHECK(crm_ticket_list_len(l) == 2);
    CHECK(crm_ticket_id(crm_ticket_list_get(l, 0)) == ids[4]);
    CHECK(crm_ticket_id(crm_ticket_list_get(l, 1)) == ids[3]);
    CHECK(STREQ(crm_ticket_channel(crm_ticket_list_get(l, 1)), "chat"));
    CHECK(crm_ticket_list_get(l, 2) == NULL);
    crm_ticket_list_free(l);
    crm_filter_free(fl);
    opts.limit = 2;
    opts.offset = 1;
    opts.order_by = NULL;
    CHECK(crm_ticket_find(db, NULL, &opts, &l) == CRM_OK);
    CHECK(crm_ticket_list_len(l) == 2);
    CHECK(crm_ticket_id(crm_ticket_list_get(l, 0)) == ids[1]);
    crm_ticket_list_free(l);

    /* Unknown fields and values are refused. */
    CHECK(crm_filter_parse("mood = 'angry'", &fl) == CRM_OK);
    n = -1;
    CHECK(crm_ticket_count(db, fl, &n) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "mood"));
    CHECK(n == -1);
    st = (crm_ticket_stats *)&n;
    CHECK(crm_ticket_stats_compute(db, fl, &st) == CRM_INVALID_INPUT);
    CHECK(st == NULL);
    l = (crm_ticket_list *)&n;
    CHECK(crm_ticket_find(db, fl, NULL, &l) == CRM_INVALID_INPUT);
    CHECK(l == NULL);
    crm_filter_free(fl);
    CHECK(crm_filter_parse("status = 'done'", &fl) == CRM_OK);
    CHECK(crm_ticket_count(db, fl, &n) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "must be one of new"));
    crm_filter_free(fl);
    crm_find_options_init(&opts, sizeof opts);
    opts.order_by = "mood";
    CHECK(crm_ticket_find(db, NULL, &opts, &l) == CRM_INVALID_INPUT);
    opts.order_by = NULL;
    opts.offset = -1;
    CHECK(crm_ticket_find(db, NULL, &opts, &l) == CRM_INVALID_ARGUMENT);
    CHECK(crm_ticket_find(db, NULL, NULL, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(crm_ticket_count(db, NULL, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(crm_ticket_count(NULL, NULL, &n) == CRM_INVALID_ARGUMENT);
    CHECK(crm_ticket_stats_compute(db, NULL, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(crm_ticket_stats_compute(NULL, NULL, &st) == CRM_INVALID_ARGUMENT);
    CHECK(crm_ticket_count(db, NULL, &n) == CRM_OK);
    CHECK(n == 5);
    crm_close(db);
}

/* ------------------------------------------------------------------------------ updates */

static void test_update_and_assign(void) {
    int64_t now = AT(0, 9, 0);
    crm_db *db = open_at(&now);
    int64_t ada = add_customer(db, "Ada");
    int64_t id;
    crm_ticket_patch u;
    crm_ticket *t = NULL;
    char long_category[102];
    size_t trail;

    {
        crm_new_ticket nt;
        crm_new_ticket_init(&nt, sizeof nt);
        nt.customer_id = ada;
        nt.subject = "Typo in invoice";
        nt.channel = "web";
        nt.category = "billing";
        CHECK(crm_ticket_open(db, &nt, &id) == CRM_OK);
    }
    now = AT(0, 10, 0);
    crm_ticket_patch_init(&u, sizeof u);
    u.set = CRM_TICKET_SET_SUBJECT | CRM_TICKET_SET_CATEGORY;
    u.subject = "Wrong VAT on invoice";
    u.category = NULL; /* clears it */
    u.expected_version = 1;
    CHECK(crm_ticket_update(db, id, &u, &t) == CRM_OK);
    CHECK(STREQ(crm_ticket_subject(t), "Wrong VAT on invoice"));
    CHECK(crm_ticket_category(t) == NULL);
    CHECK(crm_ticket_version(t) == 2);
    CHECK(crm_ticket_updated_at(t) == AT(0, 10, 0));
    crm_ticket_free(t);

    t = NULL;
    CHECK(crm_ticket_assign(db, id, " wu.fei ", &t) == CRM_OK);
    CHECK(STREQ(crm_ticket_assignee(t), "wu.fei"));
    CHECK(crm_ticket_version(t) == 3);
    crm_ticket_free(t);
    CHECK(crm_ticket_assign(db, id, "wu.fei", NULL) == CRM_OK); /* no change, no new version */
    CHECK(version_of(db, id) == 3);
    CHECK(ticket_count(db, "assignee = 'wu.fei'") == 1);

    /* Refused updates change nothing. */
    trail = audit_count(db, "");
    crm_ticket_patch_init(&u, sizeof u);
    u.set = CRM_TICKET_SET_PRIORITY;
    u.priority = "urgent";
    u.expected_version = 2;
    t = (crm_ticket *)&now;
    CHECK(crm_ticket_update(db, id, &u, &t) == CRM_CONFLICT);
    CHECK(t == NULL);
    CHECK(CONTAINS(crm_errmsg(db), "version 3, not the expected version 2"));
    u.expected_version = 0;
    u.priority = "critical";
    CHECK(crm_ticket_update(db, id, &u, NULL) == CRM_INVALID_INPUT);
    u.priority = NULL;
    CHECK(crm_ticket_update(db, id, &u, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(db), "update->priority"));
    u.set = CRM_TICKET_SET_SUBJECT;
    u.subject = NULL;
    CHECK(crm_ticket_update(db, id, &u, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(db), "update->subject"));
    u.subject = "   ";
    CHECK(crm_ticket_update(db, id, &u, NULL) == CRM_INVALID_INPUT);
    u.set = CRM_TICKET_SET_CATEGORY;
    memset(long_category, 'x', 101);
    long_category[101] = '\0';
    u.category = long_category;
    CHECK(crm_ticket_update(db, id, &u, NULL) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "category"));
    u.set = 16;
    CHECK(crm_ticket_update(db, id, &u, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(db), "unknown bits"));
    u.set = CRM_TICKET_SET_ASSIGNEE;
    u.assignee = "wu\tfei";
    CHECK(crm_ticket_update(db, id, &u, NULL) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "assignee"));
    u.struct_size = 4;
    CHECK(crm_ticket_update(db, id, &u, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(db), "struct_size"));
    CHECK(crm_ticket_update(db, id, NULL, NULL) == CRM_INVALID_ARGUMENT);
    crm_ticket_patch_init(&u, sizeof u);
    t = (crm_ticket *)&now;
    CHECK(crm_ticket_update(NULL, id, &u, &t) == CRM_INVALID_ARGUMENT);
    CHECK(t == NULL);
    CHECK(crm_ticket_update(db, 999, &u, NULL) == CRM_NOT_FOUND);
    CHECK(crm_ticket_assign(db, 999, "li", NULL) == CRM_NOT_FOUND);
    CHECK(crm_ticket_assign(db, id, "li\x01", NULL) == CRM_INVALID_INPUT);
    CHECK(crm_ticket_assign(NULL, id, "li", NULL) == CRM_INVALID_ARGUMENT);
    CHECK(audit_count(db, "") == trail);
    t = get(db, id);
    CHECK(crm_ticket_version(t) == 3);
    CHECK(STREQ(crm_ticket_priority(t), "normal"));
    CHECK(STREQ(crm_ticket_assignee(t), "wu.fei"));
    crm_ticket_free(t);

    /* An empty patch changes nothing; NULL unassigns, and so does blank text. */
    crm_ticket_patch_init(&u, sizeof u);
    CHECK(crm_ticket_update(db, id, &u, NULL) == CRM_OK);
    CHECK(version_of(db, id) == 3);
    t = NULL;
    CHECK(crm_ticket_assign(db, id, NULL, &t) == CRM_OK);
    CHECK(crm_ticket_assignee(t) == NULL);
    CHECK(crm_ticket_version(t) == 4);
    crm_ticket_free(t);
    CHECK(crm_ticket_assign(db, id, "li", NULL) == CRM_OK);
    t = NULL;
    CHECK(crm_ticket_assign(db, id, "  ", &t) == CRM_OK);
    CHECK(crm_ticket_assignee(t) == NULL);
    CHECK(crm_ticket_version(t) == 6);
    crm_ticket_free(t);
    crm_close(db);
}

/* ------------------------------------------------------------------------------ bad arguments */

static void test_bad_arguments(void) {
    int64_t now = AT(0, 9, 0);
    crm_db *db = open_at(&now);
    int64_t ada = add_customer(db, "Ada");
    crm_new_ticket nt;
    crm_ticket *t = NULL;
    crm_ticket_comment_list *cl = NULL;
    int64_t id = -1, n = -1;
    size_t trail;
    struct {
        crm_new_ticket t;
        char guard[16];
    } small;

    trail = audit_count(db, "");
    crm_new_ticket_init(&nt, sizeof nt);
    CHECK(nt.struct_size == sizeof nt);
    CHECK(nt.created_at == CRM_TIME_NOW);
    CHECK(nt.subject == NULL && nt.channel == NULL && nt.priority == NULL);
    nt.customer_id = ada;
    nt.subject = "Help";
    nt.channel = "email";

    /* Required fields and pointers. */
    nt.subject = NULL;
    CHECK(crm_ticket_open(db, &nt, &id) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(db), "ticket->subject is NULL"));
    CHECK(id == -1);
    nt.subject = "Help";
    nt.channel = NULL;
    CHECK(crm_ticket_open(db, &nt, &id) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(db), "ticket->channel"));
    nt.channel = "fax";
    CHECK(crm_ticket_open(db, &nt, &id) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "channel"));
    nt.channel = "email";
    nt.priority = "asap";
    CHECK(crm_ticket_open(db, &nt, &id) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "priority"));
    nt.priority = NULL;
    nt.subject = "   ";
    CHECK(crm_ticket_open(db, &nt, &id) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "subject"));
    nt.subject = "caf\xc3";
    CHECK(crm_ticket_open(db, &nt, &id) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(db), "UTF-8"));
    nt.subject = "Help";
    nt.customer_id = 999;
    CHECK(crm_ticket_open(db, &nt, &id) == CRM_NOT_FOUND);
    CHECK(STREQ(crm_errmsg(db), "customer id 999 not found"));
    nt.customer_id = ada;
    CHECK(crm_ticket_open(db, NULL, &id) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(db), "ticket is NULL"));
    CHECK(crm_ticket_open(NULL, &nt, &id) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(NULL), "db is NULL"));
    nt.struct_size = 8;
    CHECK(crm_ticket_open(db, &nt, &id) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(db), "crm_new_ticket_init"));
    CHECK(id == -1);
    CHECK(crm_ticket_count(db, NULL, &n) == CRM_OK);
    CHECK(n == 0);
    CHECK(audit_count(db, "") == trail);

    /* _init writes no more than the size it is given. */
    memset(&small, 0x5a, sizeof small);
    crm_new_ticket_init(&small.t, 2); /* too small for struct_size: nothing written */
    CHECK(((unsigned char *)&small.t)[0] == 0x5a);
    crm_new_ticket_init(&small.t, 12);
    CHECK(small.t.struct_size == 12);
    CHECK(small.guard[0] == 0x5a && small.guard[15] == 0x5a);
    crm_new_ticket_init(NULL, sizeof nt);
    crm_ticket_patch_init(NULL, 64);
    crm_new_ticket_comment_init(NULL, 64);
    crm_sla_policy_init(NULL, 64);
    crm_business_hours_init(NULL, 64);

    /* NULL handles and out-parameters; out-parameters are NULL after a failure. */
    nt.struct_size = sizeof nt;
    CHECK(crm_ticket_open(db, &nt, NULL) == CRM_OK); /* the id is optional */
    id = 1;
    t = (crm_ticket *)&now;
    CHECK(crm_ticket_get(NULL, id, &t) == CRM_INVALID_ARGUMENT);
    CHECK(t == NULL);
    CHECK(crm_ticket_get(db, id, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(db), "out"));
    t = (crm_ticket *)&now;
    CHECK(crm_ticket_get(db, 42, &t) == CRM_NOT_FOUND);
    CHECK(t == NULL);
    t = (crm_ticket *)&now;
    CHECK(crm_ticket_transition(NULL, id, "open", CRM_TIME_NOW, &t) == CRM_INVALID_ARGUMENT);
    CHECK(t == NULL);
    CHECK(crm_ticket_transition(db, id, NULL, CRM_TIME_NOW, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(db), "to is NULL"));
    CHECK(crm_ticket_transition(db, 42, "open", CRM_TIME_NOW, NULL) == CRM_NOT_FOUND);
    CHECK(crm_ticket_reopen(NULL, id, CRM_TIME_NOW, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(crm_ticket_reopen(db, 42, CRM_TIME_NOW, NULL) == CRM_NOT_FOUND);
    CHECK(crm_ticket_delete(NULL, id) == CRM_INVALID_ARGUMENT);
    CHECK(crm_ticket_comments(db, id, NULL) == CRM_INVALID_ARGUMENT);
    cl = (crm_ticket_comment_list *)&now;
    CHECK(crm_ticket_comments(NULL, id, &cl) == CRM_INVALID_ARGUMENT);
    CHECK(cl == NULL);
    CHECK(crm_ticket_history(db, id, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(crm_sla_policy_all(db, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(crm_sla_policy_all(NULL, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(version_of(db, id) == 1);
    CHECK(history_len(db, id) == 1);

    /* Accessors and destructors accept NULL. */
    CHECK(crm_ticket_id(NULL) == 0);
    CHECK(crm_ticket_subject(NULL) == NULL);
    CHECK(crm_ticket_status(NULL) == NULL);
    CHECK(crm_ticket_priority(NULL) == NULL);
    CHECK(crm_ticket_channel(NULL) == NULL);
    CHECK(crm_ticket_first_response_at(NULL) == CRM_TIME_NONE);
    CHECK(crm_ticket_next_due(NULL) == CRM_TIME_NONE);
    CHECK(crm_ticket_created_at(NULL) == 0);
    CHECK(crm_ticket_list_len(NULL) == 0);
    CHECK(crm_ticket_list_get(NULL, 0) == NULL);
    CHECK(crm_ticket_comment_list_len(NULL) == 0);
    CHECK(crm_ticket_comment_list_body(NULL, 0) == NULL);
    CHECK(crm_ticket_history_list_len(NULL) == 0);
    CHECK(crm_ticket_history_list_to(NULL, 0) == NULL);
    CHECK(crm_sla_policy_list_len(NULL) == 0);
    CHECK(crm_sla_breach_list_len(NULL) == 0);
    CHECK(crm_sla_state_priority(NULL) == NULL);
    CHECK(crm_sla_state_paused(NULL) == 0);
    CHECK(crm_sla_state_resolution_due(NULL) == CRM_TIME_NONE);
    CHECK(crm_sla_state_first_response_due(NULL) == 0);
    crm_ticket_free(NULL);
    crm_ticket_list_free(NULL);
    crm_ticket_comment_list_free(NULL);
    crm_ticket_history_list_free(NULL);
    crm_sla_policy_list_free(NULL);
    crm_sla_breach_list_free(NULL);
    crm_sla_state_free(NULL);
    crm_close(db);
}

int main(void) {
    test_workflow_and_history();
    test_comments_and_first_response();
    test_policies_and_business_hours();
    test_breaches_with_explicit_now();
    test_pending_pauses_the_clock();
    test_imported_tickets();
    test_queue_order();
    test_stats_and_find();
    test_update_and_assign();
    test_bad_arguments();
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
