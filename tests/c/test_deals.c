/* Sales pipelines and deals through the C API: pipelines and their stages, deals created, moved,
 * won, lost and reopened, their history and time in stages, the pipeline views (value by stage,
 * forecast, win rates, stage conversion), then bad input, each checked for its documented code
 * and for leaving the store unchanged. Built by `make test-c` with -std=c99 -pedantic, linked
 * statically and dynamically, run under valgrind. */
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
#define NEAR(a, b, tol) ((a) - (b) < (tol) && (b) - (a) < (tol))
#define IS_NAN(x) ((x) != (x))

#define DAY INT64_C(86400000000)
#define T0 INT64_C(1767225600000000) /* 2026-01-01T00:00:00Z */

/* ------------------------------------------------------------------------------ helpers */

static int64_t fixed_clock(void *ctx) { return *(const int64_t *)ctx; }

/* A store acting for principal "li" whose clock reads *now. */
static crm_db *open_at(int64_t *now) {
    crm_db *db = NULL;
    crm_open_options options;
    crm_open_options_init(&options, sizeof options);
    options.clock = fixed_clock;
    options.clock_ctx = now;
    options.principal = "li";
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

/* Pipeline "Sales": Lead 0.1, Qualified 0.3, Proposal 0.6. */
static void sales_pipeline(crm_db *db) {
    const char *names[3] = {"Lead", "Qualified", "Proposal"};
    const double probabilities[3] = {0.1, 0.3, 0.6};
    int64_t id = 0;
    CHECK(crm_pipeline_create(db, "Sales", 3, names, probabilities, &id) == CRM_OK);
    CHECK(id > 0);
}

static int64_t deal(crm_db *db, int64_t customer, const char *name, int64_t amount,
                    const char *currency, const char *stage, const char *owner,
                    const char *source, const char *close, int64_t created_at) {
    crm_new_deal d;
    int64_t id = 0;
    crm_new_deal_init(&d, sizeof d);
    d.pipeline = "Sales";
    d.customer_id = customer;
    d.name = name;
    d.amount = amount;
    d.currency = currency;
    d.stage = stage;
    d.owner = owner;
    d.source = source;
    d.expected_close = close;
    d.created_at = created_at;
    CHECK(crm_deal_create(db, &d, &id) == CRM_OK);
    CHECK(id > 0);
    return id;
}

static int64_t count_deals(crm_db *db) {
    int64_t n = -1;
    CHECK(crm_deal_count(db, NULL, &n) == CRM_OK);
    return n;
}

/* Reads deal `id`; the caller frees it. */
static crm_deal *get(crm_db *db, int64_t id) {
    crm_deal *d = NULL;
    CHECK(crm_deal_get(db, id, &d) == CRM_OK);
    return d;
}

/* The shop: four deals in "Sales" (now is T0 + 30 days).
 *   d[0] Ada "Licence"  1000.00 EUR, li, referral, close 2026-03-31, created T0:
 *        Lead → Qualified (T0+5d) → Proposal (T0+10d), won T0+12d
 *   d[1] Bob "Support"   500.00 EUR, li, no source, no date, created T0+1d in Proposal
 *   d[2] Ada "Upsell"    200.00 USD, mo, web, close 2026-02-15, created T0+2d in Qualified,
 *        lost "price" T0+6d
 *   d[3] Bob "Training"  100.00 EUR, owner by default (li), close 2026-02-10, created T0+3d
 *        in Lead */
static void shop(crm_db *db, int64_t d[4]) {
    int64_t ada = add_customer(db, "Ada"), bob = add_customer(db, "Bob");
    sales_pipeline(db);
    d[0] = deal(db, ada, "Licence", 100000, "EUR", NULL, "li", "referral", "2026-03-31", T0);
    d[1] = deal(db, bob, "Support", 50000, "EUR", "proposal", "li", NULL, NULL, T0 + DAY);
    d[2] = deal(db, ada, "Upsell", 20000, "USD", "Qualified", "mo", "web", "2026-02-15",
                T0 + 2 * DAY);
    d[3] = deal(db, bob, "Training", 10000, "EUR", NULL, NULL, NULL, "2026-02-10", T0 + 3 * DAY);
    CHECK(crm_deal_move_to(db, d[0], "qualified", T0 + 5 * DAY, NULL) == CRM_OK);
    CHECK(crm_deal_move_to(db, d[0], "Proposal", T0 + 10 * DAY, NULL) == CRM_OK);
    CHECK(crm_deal_win(db, d[0], T0 + 12 * DAY, NULL) == CRM_OK);
    CHECK(crm_deal_lose(db, d[2], "price", T0 + 6 * DAY, NULL) == CRM_OK);
}

/* ------------------------------------------------------------------------------ pipelines */

static void test_pipelines(void) {
    int64_t now = T0;
    crm_db *db = open_at(&now);
    crm_pipeline *p = NULL;
    crm_pipeline_list *l = NULL;
    const char *one[1] = {"Only"};
    const double half[1] = {0.5};

    sales_pipeline(db);
    CHECK(crm_pipeline_get(db, " sales ", &p) == CRM_OK);
    CHECK(crm_pipeline_id(p) > 0);
    CHECK(STREQ(crm_pipeline_name(p), "Sales"));
    CHECK(crm_pipeline_created_at(p) == T0);
    CHECK(crm_pipeline_stages_len(p) == 3);
    CHECK(STREQ(crm_pipeline_stage_name(p, 0), "Lead"));
    CHECK(STREQ(crm_pipeline_stage_name(p, 2), "Proposal"));
    CHECK(NEAR(crm_pipeline_stage_probability(p, 1), 0.3, 1e-12));
    CHECK(crm_pipeline_stage_id(p, 0) > 0);
    CHECK(crm_pipeline_stage_name(p, 3) == NULL && crm_pipeline_stage_id(p, 3) == 0);
    CHECK(IS_NAN(crm_pipeline_stage_probability(p, 3)));
    crm_pipeline_free(p);
    p = NULL;

    /* Stages: append, insert first, change a probability, remove. */
    CHECK(crm_pipeline_add_stage(db, "Sales", "Negotiation", 0.8, -1) == CRM_OK);
    CHECK(crm_pipeline_add_stage(db, "Sales", "Prospect", 0.05, 0) == CRM_OK);
    CHECK(crm_pipeline_set_stage_probability(db, "Sales", "proposal", 0.7) == CRM_OK);
    CHECK(crm_pipeline_get(db, "Sales", &p) == CRM_OK);
    CHECK(crm_pipeline_stages_len(p) == 5);
    CHECK(STREQ(crm_pipeline_stage_name(p, 0), "Prospect"));
    CHECK(STREQ(crm_pipeline_stage_name(p, 4), "Negotiation"));
    CHECK(NEAR(crm_pipeline_stage_probability(p, 3), 0.7, 1e-12));
    crm_pipeline_free(p);
    p = NULL;
    CHECK(crm_pipeline_remove_stage(db, "Sales", "prospect") == CRM_OK);

    /* Refused stage changes leave the pipeline as it was. */
    CHECK(crm_pipeline_add_stage(db, "Sales", "lead", 0.2, -1) == CRM_ALREADY_EXISTS);
    CHECK(crm_pipeline_add_stage(db, "Sales", "Late", 0.2, 99) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "position"));
    CHECK(crm_pipeline_add_stage(db, "Sales", "Odd", 1.5, -1) == CRM_INVALID_INPUT);
    CHECK(crm_pipeline_add_stage(db, "Nope", "Odd", 0.5, -1) == CRM_NOT_FOUND);
    CHECK(crm_pipeline_add_stage(db, "Sales", NULL, 0.5, -1) == CRM_INVALID_ARGUMENT);
    CHECK(crm_pipeline_set_stage_probability(db, "Sales", "Lead", -0.1) == CRM_INVALID_INPUT);
    CHECK(crm_pipeline_set_stage_probability(db, "Sales", "Closing", 0.5) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "Lead, Qualified, Proposal, Negotiation"));
    CHECK(crm_pipeline_remove_stage(db, "Sales", "Closing") == CRM_INVALID_INPUT);
    CHECK(crm_pipeline_get(db, "Sales", &p) == CRM_OK);
    CHECK(crm_pipeline_stages_len(p) == 4);
    CHECK(NEAR(crm_pipeline_stage_probability(p, 0), 0.1, 1e-12));
    crm_pipeline_free(p);
    p = NULL;

    /* A second pipeline; the list is by name. A pipeline keeps at least one stage. */
    CHECK(crm_pipeline_create(db, "Partners", 1, one, half, NULL) == CRM_OK);
    CHECK(crm_pipeline_create(db, "partners", 1, one, half, NULL) == CRM_ALREADY_EXISTS);
    CHECK(crm_pipeline_all(db, &l) == CRM_OK);
    CHECK(crm_pipeline_list_len(l) == 2);
    CHECK(STREQ(crm_pipeline_name(crm_pipeline_list_get(l, 0)), "Partners"));
    CHECK(crm_pipeline_stages_len(crm_pipeline_list_get(l, 1)) == 4);
    CHECK(crm_pipeline_list_get(l, 2) == NULL);
    crm_pipeline_list_free(l);
    CHECK(crm_pipeline_remove_stage(db, "Partners", "Only") == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "only stage"));
    CHECK(crm_pipeline_delete(db, "Partners") == CRM_OK);
    p = (crm_pipeline *)&now;
    CHECK(crm_pipeline_get(db, "Partners", &p) == CRM_NOT_FOUND);
    CHECK(p == NULL);

    /* Bad pipelines: no stages, a stage twice, a bad probability, NULL arrays. */
    CHECK(crm_pipeline_create(db, "Empty", 0, NULL, NULL, NULL) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "at least one stage"));
    {
        const char *twice[2] = {"A", "a"};
        const double ok[2] = {0.1, 0.2};
        const double bad[2] = {0.1, 2.0};
        const char *with_null[2] = {"A", NULL};
        CHECK(crm_pipeline_create(db, "Twice", 2, twice, ok, NULL) == CRM_INVALID_INPUT);
        CHECK(CONTAINS(crm_errmsg(db), "named twice"));
        one[0] = "Only";
        CHECK(crm_pipeline_create(db, "Bad", 1, one, bad + 1, NULL) == CRM_INVALID_INPUT);
        CHECK(crm_pipeline_create(db, "Bad", 2, with_null, ok, NULL) == CRM_INVALID_ARGUMENT);
        CHECK(CONTAINS(crm_errmsg(db), "stage_names[1]"));
        CHECK(crm_pipeline_create(db, "Bad", 2, twice, NULL, NULL) == CRM_INVALID_ARGUMENT);
        CHECK(crm_pipeline_create(db, NULL, 2, twice, ok, NULL) == CRM_INVALID_ARGUMENT);
        CHECK(crm_pipeline_create(NULL, "Bad", 2, twice, ok, NULL) == CRM_INVALID_ARGUMENT);
    }
    CHECK(crm_pipeline_all(db, &l) == CRM_OK);
    CHECK(crm_pipeline_list_len(l) == 1);
    crm_pipeline_list_free(l);
    CHECK(crm_pipeline_all(db, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(crm_pipeline_get(db, NULL, &p) == CRM_INVALID_ARGUMENT);
    crm_close(db);
}

/* ------------------------------------------------------------------------------ deals */

static void test_deal_lifecycle(void) {
    int64_t now = T0 + 30 * DAY;
    crm_db *db = open_at(&now);
    int64_t d[4];
    crm_deal *x = NULL;
    crm_stage_change_list *h = NULL;
    crm_stage_duration_list *t = NULL;

    shop(db, d);
    x = get(db, d[0]);
    CHECK(crm_deal_id(x) == d[0]);
    CHECK(crm_deal_pipeline_id(x) > 0);
    CHECK(STREQ(crm_deal_pipeline(x), "Sales"));
    CHECK(crm_deal_customer_id(x) > 0);
    CHECK(STREQ(crm_deal_name(x), "Licence"));
    CHECK(crm_deal_amount(x) == 100000 && STREQ(crm_deal_currency(x), "EUR"));
    CHECK(STREQ(crm_deal_stage(x), "Proposal"));
    CHECK(crm_deal_stage_id(x) > 0);
    CHECK(NEAR(crm_deal_probability(x), 0.6, 1e-12));
    CHECK(STREQ(crm_deal_owner(x), "li"));
    CHECK(STREQ(crm_deal_source(x), "referral"));
    CHECK(STREQ(crm_deal_expected_close(x), "2026-03-31"));
    CHECK(STREQ(crm_deal_status(x), "won"));
    CHECK(crm_deal_lost_reason(x) == NULL);
    CHECK(crm_deal_created_at(x) == T0);
    CHECK(crm_deal_updated_at(x) == now);
    CHECK(crm_deal_closed_at(x) == T0 + 12 * DAY);
    CHECK(crm_deal_version(x) == 4);
    crm_deal_free(x);

    x = get(db, d[1]);
    CHECK(STREQ(crm_deal_stage(x), "Proposal"));
    CHECK(crm_deal_source(x) == NULL && crm_deal_expected_close(x) == NULL);
    CHECK(STREQ(crm_deal_status(x), "open"));
    CHECK(crm_deal_closed_at(x) == CRM_TIME_NONE);
    crm_deal_free(x);
    x = get(db, d[3]);
    CHECK(STREQ(crm_deal_owner(x), "li")); /* the principal */
    CHECK(STREQ(crm_deal_stage(x), "Lead"));
    crm_deal_free(x);
    x = get(db, d[2]);
    CHECK(STREQ(crm_deal_status(x), "lost"));
    CHECK(STREQ(crm_deal_lost_reason(x), "price"));
    crm_deal_free(x);

    /* History: the creation entry has no from-stage. */
    CHECK(crm_deal_history(db, d[0], &h) == CRM_OK);
    CHECK(crm_stage_change_list_len(h) == 3);
    CHECK(crm_stage_change_list_from_stage(h, 0) == NULL);
    CHECK(STREQ(crm_stage_change_list_to_stage(h, 0), "Lead"));
    CHECK(crm_stage_change_list_at(h, 0) == T0);
    CHECK(STREQ(crm_stage_change_list_by(h, 0), "li"));
    CHECK(STREQ(crm_stage_change_list_from_stage(h, 2), "Qualified"));
    CHECK(STREQ(crm_stage_change_list_to_stage(h, 2), "Proposal"));
    CHECK(crm_stage_change_list_at(h, 2) == T0 + 10 * DAY);
    CHECK(crm_stage_change_list_to_stage(h, 3) == NULL);
    crm_stage_change_list_free(h);

    /* Time in stages: a won deal's last stay ends at its close. */
    CHECK(crm_deal_time_in_stages(db, d[0], CRM_TIME_NOW, &t) == CRM_OK);
    CHECK(crm_stage_duration_list_len(t) == 3);
    CHECK(STREQ(crm_stage_duration_list_stage(t, 0), "Lead"));
    CHECK(crm_stage_duration_list_duration(t, 0) == 5 * DAY);
    CHECK(crm_stage_duration_list_duration(t, 1) == 5 * DAY);
    CHECK(crm_stage_duration_list_entered_at(t, 2) == T0 + 10 * DAY);
    CHECK(crm_stage_duration_list_left_at(t, 2) == T0 + 12 * DAY);
    CHECK(crm_stage_duration_list_duration(t, 2) == 2 * DAY);
    CHECK(crm_stage_duration_list_stage(t, 3) == NULL);
    crm_stage_duration_list_free(t);
    /* An open deal's stay runs to the `now` asked for. */
    CHECK(crm_deal_time_in_stages(db, d[1], T0 + 11 * DAY, &t) == CRM_OK);
    CHECK(crm_stage_duration_list_len(t) == 1);
    CHECK(crm_stage_duration_list_left_at(t, 0) == CRM_TIME_NONE);
    CHECK(crm_stage_duration_list_duration(t, 0) == 10 * DAY);
    crm_stage_duration_list_free(t);

    /* Reopen the lost deal: open again in its stage, no reason, no close. */
    CHECK(crm_deal_reopen(db, d[2], T0 + 20 * DAY, &x) == CRM_OK);
    CHECK(STREQ(crm_deal_status(x), "open"));
    CHECK(STREQ(crm_deal_stage(x), "Qualified"));
    CHECK(crm_deal_lost_reason(x) == NULL && crm_deal_closed_at(x) == CRM_TIME_NONE);
    crm_deal_free(x);
    /* Moving a deal to the stage it is in changes nothing. */
    x = get(db, d[1]);
    {
        int64_t version = crm_deal_version(x);
        crm_deal *same = NULL;
        CHECK(crm_deal_move_to(db, d[1], "PROPOSAL", CRM_TIME_NOW, &same) == CRM_OK);
        CHECK(crm_deal_version(same) == version);
        crm_deal_free(same);
    }
    crm_deal_free(x);

    CHECK(crm_deal_delete(db, d[3]) == CRM_OK);
    CHECK(crm_deal_delete(db, d[3]) == CRM_NOT_FOUND);
    CHECK(count_deals(db) == 3);
    crm_close(db);
}

static void test_find_and_update(void) {
    int64_t now = T0 + 30 * DAY;
    crm_db *db = open_at(&now);
    int64_t d[4], n = -1;
    crm_filter *f = NULL;
    crm_deal_list *l = NULL;
    crm_find_options opts;
    crm_deal_patch patch;
    crm_deal *x = NULL;

    shop(db, d);
    CHECK(crm_filter_parse("status = 'open' and currency = 'EUR'", &f) == CRM_OK);
    CHECK(crm_deal_count(db, f, &n) == CRM_OK);
    CHECK(n == 2);
    crm_find_options_init(&opts, sizeof opts);
    opts.order_by = "-amount";
    CHECK(crm_deal_find(db, f, &opts, &l) == CRM_OK);
    CHECK(crm_deal_list_len(l) == 2);
    CHECK(STREQ(crm_deal_name(crm_deal_list_get(l, 0)), "Support"));
    CHECK(STREQ(crm_deal_name(crm_deal_list_get(l, 1)), "Training"));
    CHECK(crm_deal_list_get(l, 2) == NULL);
    crm_deal_list_free(l);
    crm_filter_free(f);
    CHECK(crm_filter_parse("expected_close < '2026-03-01'", &f) == CRM_OK);
    CHECK(crm_deal_count(db, f, &n) == CRM_OK);
    CHECK(n == 2);
    crm_filter_free(f);
    CHECK(crm_filter_parse("colour = 'red'", &f) == CRM_OK);
    l = (crm_deal_list *)&now;
    CHECK(crm_deal_find(db, f, NULL, &l) == CRM_INVALID_INPUT);
    CHECK(l == NULL);
    crm_filter_free(f);

    crm_deal_patch_init(&patch, sizeof patch);
    CHECK(patch.struct_size == sizeof patch && patch.set == 0);
    patch.set = CRM_DEAL_SET_AMOUNT | CRM_DEAL_SET_SOURCE | CRM_DEAL_SET_EXPECTED_CLOSE;
    patch.amount = 55000;
    patch.currency = "EUR";
    patch.source = "partner";
    patch.expected_close = "2026-04-01";
    patch.expected_version = 1;
    CHECK(crm_deal_update(db, d[1], &patch, &x) == CRM_OK);
    CHECK(crm_deal_amount(x) == 55000);
    CHECK(STREQ(crm_deal_source(x), "partner"));
    CHECK(STREQ(crm_deal_expected_close(x), "2026-04-01"));
    CHECK(crm_deal_version(x) == 2);
    crm_deal_free(x);

    /* A stale version: CRM_CONFLICT, nothing changed. */
    patch.set = CRM_DEAL_SET_NAME;
    patch.name = "Renamed";
    CHECK(crm_deal_update(db, d[1], &patch, NULL) == CRM_CONFLICT);
    x = get(db, d[1]);
    CHECK(STREQ(crm_deal_name(x), "Support") && crm_deal_version(x) == 2);
    crm_deal_free(x);
    /* Clear source and date, rename, change the owner. */
    patch.expected_version = 0;
    patch.set = CRM_DEAL_SET_SOURCE | CRM_DEAL_SET_EXPECTED_CLOSE | CRM_DEAL_SET_NAME |
                CRM_DEAL_SET_OWNER;
    patch.source = NULL;
    patch.expected_close = NULL;
    patch.owner = "mo";
    CHECK(crm_deal_update(db, d[1], &patch, &x) == CRM_OK);
    CHECK(crm_deal_source(x) == NULL && crm_deal_expected_close(x) == NULL);
    CHECK(STREQ(crm_deal_name(x), "Renamed") && STREQ(crm_deal_owner(x), "mo"));
    crm_deal_free(x);

    /* Bad patches leave the deal as it was. */
    patch.set = CRM_DEAL_SET_AMOUNT;
    patch.amount = -5;
    CHECK(crm_deal_update(db, d[1], &patch, NULL) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "amount"));
    patch.amount = 5;
    patch.currency = NULL;
    CHECK(crm_deal_update(db, d[1], &patch, NULL) == CRM_INVALID_ARGUMENT);
    patch.set = CRM_DEAL_SET_EXPECTED_CLOSE;
    patch.expected_close = "2026-02-30";
    CHECK(crm_deal_update(db, d[1], &patch, NULL) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "expected_close"));
    patch.set = CRM_DEAL_SET_OWNER;
    patch.owner = NULL;
    CHECK(crm_deal_update(db, d[1], &patch, NULL) == CRM_INVALID_ARGUMENT);
    patch.set = 64;
    CHECK(crm_deal_update(db, d[1], &patch, NULL) == CRM_INVALID_ARGUMENT);
    patch.struct_size = 2;
    CHECK(crm_deal_update(db, d[1], &patch, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(crm_deal_update(db, 999, NULL, NULL) == CRM_INVALID_ARGUMENT);
    patch.struct_size = sizeof patch;
    patch.set = CRM_DEAL_SET_NAME;
    patch.name = "x";
    CHECK(crm_deal_update(db, 999, &patch, NULL) == CRM_NOT_FOUND);
    x = get(db, d[1]);
    CHECK(crm_deal_amount(x) == 55000 && crm_deal_version(x) == 3);
    CHECK(STREQ(crm_deal_owner(x), "mo"));
    crm_deal_free(x);
    crm_close(db);
}

static void test_views(void) {
    int64_t now = T0 + 30 * DAY;
    crm_db *db = open_at(&now);
    int64_t d[4];
    crm_stage_value_list *v = NULL;
    crm_forecast_list *fc = NULL;
    crm_win_rate_list *w = NULL;
    crm_stage_conversion_list *c = NULL;

    shop(db, d);

    /* Open deals: Support 500.00 in Proposal and Training 100.00 in Lead, both EUR. */
    CHECK(crm_deal_value_by_stage(db, "Sales", &v) == CRM_OK);
    CHECK(crm_stage_value_list_len(v) == 3);
    CHECK(STREQ(crm_stage_value_list_stage(v, 0), "Lead"));
    CHECK(crm_stage_value_list_position(v, 0) == 0);
    CHECK(STREQ(crm_stage_value_list_currency(v, 0), "EUR"));
    CHECK(crm_stage_value_list_count(v, 0) == 1 && crm_stage_value_list_amount(v, 0) == 10000);
    CHECK(NEAR(crm_stage_value_list_weighted(v, 0), 1000.0, 1e-9));
    CHECK(crm_stage_value_list_count(v, 1) == 0 && crm_stage_value_list_amount(v, 1) == 0);
    CHECK(crm_stage_value_list_position(v, 2) == 2);
    CHECK(crm_stage_value_list_amount(v, 2) == 50000);
    CHECK(NEAR(crm_stage_value_list_weighted(v, 2), 30000.0, 1e-9));
    CHECK(crm_stage_value_list_stage(v, 3) == NULL);
    CHECK(IS_NAN(crm_stage_value_list_weighted(v, 3)));
    crm_stage_value_list_free(v);

    /* Forecast: February first, the undated deal last. */
    CHECK(crm_deal_forecast(db, "Sales", &fc) == CRM_OK);
    CHECK(crm_forecast_list_len(fc) == 2);
    CHECK(STREQ(crm_forecast_list_month(fc, 0), "2026-02"));
    CHECK(STREQ(crm_forecast_list_currency(fc, 0), "EUR"));
    CHECK(crm_forecast_list_count(fc, 0) == 1 && crm_forecast_list_amount(fc, 0) == 10000);
    CHECK(NEAR(crm_forecast_list_weighted(fc, 0), 1000.0, 1e-9));
    CHECK(crm_forecast_list_month(fc, 1) == NULL);
    CHECK(crm_forecast_list_amount(fc, 1) == 50000);
    CHECK(NEAR(crm_forecast_list_weighted(fc, 1), 30000.0, 1e-9));
    CHECK(crm_forecast_list_currency(fc, 2) == NULL);
    crm_forecast_list_free(fc);

    /* Win rates by owner: li won 1 of 1 closed (12 days), 2 open; mo lost 1. */
    CHECK(crm_deal_win_rates(db, "Sales", "owner", &w) == CRM_OK);
    CHECK(crm_win_rate_list_len(w) == 2);
    CHECK(STREQ(crm_win_rate_list_key(w, 0), "li"));
    CHECK(crm_win_rate_list_won(w, 0) == 1 && crm_win_rate_list_lost(w, 0) == 0);
    CHECK(crm_win_rate_list_open(w, 0) == 2);
    CHECK(NEAR(crm_win_rate_list_rate(w, 0), 1.0, 1e-12));
    CHECK(NEAR(crm_win_rate_list_average_cycle(w, 0), (double)(12 * DAY), 1.0));
    CHECK(STREQ(crm_win_rate_list_key(w, 1), "mo"));
    CHECK(crm_win_rate_list_lost(w, 1) == 1);
    CHECK(NEAR(crm_win_rate_list_rate(w, 1), 0.0, 1e-12));
    CHECK(IS_NAN(crm_win_rate_list_average_cycle(w, 1)));
    crm_win_rate_list_free(w);
    /* By source: deals without a source come last, with a NULL key and no rate. */
    CHECK(crm_deal_win_rates(db, "Sales", "source", &w) == CRM_OK);
    CHECK(crm_win_rate_list_len(w) == 3);
    CHECK(STREQ(crm_win_rate_list_key(w, 0), "referral"));
    CHECK(STREQ(crm_win_rate_list_key(w, 1), "web"));
    CHECK(crm_win_rate_list_key(w, 2) == NULL);
    CHECK(crm_win_rate_list_open(w, 2) == 2);
    CHECK(IS_NAN(crm_win_rate_list_rate(w, 2)));
    crm_win_rate_list_free(w);

    /* Conversion: of Licence and Training (entered Lead) one advanced; of Licence and Upsell
     * (entered Qualified) one advanced. */
    CHECK(crm_deal_stage_conversion(db, "Sales", &c) == CRM_OK);
    CHECK(crm_stage_conversion_list_len(c) == 2);
    CHECK(STREQ(crm_stage_conversion_list_from_stage(c, 0), "Lead"));
    CHECK(STREQ(crm_stage_conversion_list_to_stage(c, 0), "Qualified"));
    CHECK(crm_stage_conversion_list_entered(c, 0) == 2);
    CHECK(crm_stage_conversion_list_advanced(c, 0) == 1);
    CHECK(NEAR(crm_stage_conversion_list_rate(c, 0), 0.5, 1e-12));
    CHECK(STREQ(crm_stage_conversion_list_from_stage(c, 1), "Qualified"));
    CHECK(crm_stage_conversion_list_entered(c, 1) == 2);
    CHECK(NEAR(crm_stage_conversion_list_rate(c, 1), 0.5, 1e-12));
    CHECK(IS_NAN(crm_stage_conversion_list_rate(c, 2)));
    crm_stage_conversion_list_free(c);

    /* Bad views. */
    w = (crm_win_rate_list *)&now;
    CHECK(crm_deal_win_rates(db, "Sales", "team", &w) == CRM_INVALID_INPUT);
    CHECK(w == NULL);
    CHECK(crm_deal_win_rates(db, "Sales", NULL, &w) == CRM_INVALID_ARGUMENT);
    CHECK(crm_deal_value_by_stage(db, "Nope", &v) == CRM_NOT_FOUND);
    CHECK(v == NULL);
    CHECK(crm_deal_forecast(db, "Nope", &fc) == CRM_NOT_FOUND);
    CHECK(crm_deal_stage_conversion(db, NULL, &c) == CRM_INVALID_ARGUMENT);
    CHECK(crm_deal_stage_conversion(db, "Sales", NULL) == CRM_INVALID_ARGUMENT);
    crm_close(db);
}

/* ------------------------------------------------------------------------------ bad input */

static void test_transitions_and_moves_refused(void) {
    int64_t now = T0 + 30 * DAY;
    crm_db *db = open_at(&now);
    int64_t d[4];
    crm_deal *x = NULL;
    crm_stage_change_list *h = NULL;

    shop(db, d);

    /* An unknown stage: CRM_INVALID_INPUT listing the stages; nothing changes. */
    x = (crm_deal *)&now;
    CHECK(crm_deal_move_to(db, d[1], "Closing", CRM_TIME_NOW, &x) == CRM_INVALID_INPUT);
    CHECK(x == NULL);
    CHECK(CONTAINS(crm_errmsg(db), "Closing"));
    CHECK(CONTAINS(crm_errmsg(db), "Lead, Qualified, Proposal"));
    x = get(db, d[1]);
    CHECK(STREQ(crm_deal_stage(x), "Proposal") && crm_deal_version(x) == 1);
    crm_deal_free(x);

    /* A won deal does not move, and is not won twice: the message names both states. */
    CHECK(crm_deal_move_to(db, d[0], "Lead", CRM_TIME_NOW, NULL) == CRM_ILLEGAL_TRANSITION);
    CHECK(CONTAINS(crm_errmsg(db), "won") && CONTAINS(crm_errmsg(db), "Lead"));
    CHECK(crm_deal_win(db, d[0], CRM_TIME_NOW, NULL) == CRM_ILLEGAL_TRANSITION);
    CHECK(CONTAINS(crm_errmsg(db), "from won to won"));
    CHECK(crm_deal_lose(db, d[0], "late", CRM_TIME_NOW, NULL) == CRM_ILLEGAL_TRANSITION);
    CHECK(CONTAINS(crm_errmsg(db), "from won to lost"));
    CHECK(crm_deal_reopen(db, d[1], CRM_TIME_NOW, NULL) == CRM_ILLEGAL_TRANSITION);
    CHECK(CONTAINS(crm_errmsg(db), "from open to open"));
    x = get(db, d[0]);
    CHECK(STREQ(crm_deal_status(x), "won") && crm_deal_version(x) == 4);
    crm_deal_free(x);
    CHECK(crm_deal_history(db, d[0], &h) == CRM_OK);
    CHECK(crm_stage_change_list_len(h) == 3);
    crm_stage_change_list_free(h);

    /* Times: after now, before the last move, a reopen before the close. */
    CHECK(crm_deal_move_to(db, d[1], "Lead", now + DAY, NULL) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "after now"));
    CHECK(crm_deal_move_to(db, d[1], "Lead", T0, NULL) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "out of order"));
    CHECK(crm_deal_reopen(db, d[0], T0 + 11 * DAY, NULL) == CRM_INVALID_INPUT);
    CHECK(crm_deal_lose(db, d[1], "   ", CRM_TIME_NOW, NULL) == CRM_INVALID_INPUT);
    CHECK(crm_deal_lose(db, d[1], NULL, CRM_TIME_NOW, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(crm_deal_move_to(db, d[1], NULL, CRM_TIME_NOW, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(crm_deal_win(db, 999, CRM_TIME_NOW, NULL) == CRM_NOT_FOUND);
    CHECK(crm_deal_win(NULL, d[1], CRM_TIME_NOW, NULL) == CRM_INVALID_ARGUMENT);
    x = get(db, d[1]);
    CHECK(STREQ(crm_deal_status(x), "open") && crm_deal_version(x) == 1);
    crm_deal_free(x);

    /* A stage that holds deals stays; so does a pipeline that has deals. */
    CHECK(crm_pipeline_remove_stage(db, "Sales", "Proposal") == CRM_CONSTRAINT);
    CHECK(CONTAINS(crm_errmsg(db), "2 deal"));
    CHECK(crm_pipeline_delete(db, "Sales") == CRM_CONSTRAINT);
    /* A stage's new probability reaches its deals at once. */
    CHECK(crm_pipeline_set_stage_probability(db, "Sales", "Proposal", 0.9) == CRM_OK);
    x = get(db, d[1]);
    CHECK(NEAR(crm_deal_probability(x), 0.9, 1e-12));
    crm_deal_free(x);
    crm_close(db);
}

static void test_bad_deals_are_not_created(void) {
    int64_t now = T0 + 30 * DAY;
    crm_db *db = open_at(&now);
    int64_t ada = add_customer(db, "Ada"), id = -1;
    crm_new_deal d;
    crm_deal *x = NULL;

    sales_pipeline(db);
    crm_new_deal_init(&d, sizeof d);
    CHECK(d.struct_size == sizeof d && d.created_at == CRM_TIME_NOW && d.stage == NULL);
    d.pipeline = "Sales";
    d.customer_id = ada;
    d.name = "Licence";
    d.amount = -1;
    d.currency = "EUR";
    /* A negative amount. */
    CHECK(crm_deal_create(db, &d, &id) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "amount") && CONTAINS(crm_errmsg(db), "negative"));
    d.amount = 100;
    /* An unknown stage: the message lists the stages. */
    d.stage = "Closing";
    CHECK(crm_deal_create(db, &d, &id) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "Lead, Qualified, Proposal"));
    d.stage = NULL;
    /* A bad date, a bad currency, a creation after now, a blank name. */
    d.expected_close = "2026-02-30";
    CHECK(crm_deal_create(db, &d, &id) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "expected_close"));
    d.expected_close = "soon";
    CHECK(crm_deal_create(db, &d, &id) == CRM_INVALID_INPUT);
    d.expected_close = NULL;
    d.currency = "euro";
    CHECK(crm_deal_create(db, &d, &id) == CRM_INVALID_INPUT);
    d.currency = "EUR";
    d.created_at = now + 1;
    CHECK(crm_deal_create(db, &d, &id) == CRM_INVALID_INPUT);
    d.created_at = CRM_TIME_NOW;
    d.name = "  ";
    CHECK(crm_deal_create(db, &d, &id) == CRM_INVALID_INPUT);
    d.name = "Licence";
    /* Unknown pipeline and customer. */
    d.pipeline = "Nope";
    CHECK(crm_deal_create(db, &d, &id) == CRM_NOT_FOUND);
    d.pipeline = "Sales";
    d.customer_id = 999;
    CHECK(crm_deal_create(db, &d, &id) == CRM_NOT_FOUND);
    d.customer_id = ada;
    /* NULL pointers and a bad struct_size. */
    d.currency = NULL;
    CHECK(crm_deal_create(db, &d, &id) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(db), "deal->currency"));
    d.currency = "EUR";
    d.struct_size = 4;
    CHECK(crm_deal_create(db, &d, &id) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(db), "crm_new_deal_init"));
    d.struct_size = sizeof d;
    CHECK(crm_deal_create(db, NULL, &id) == CRM_INVALID_ARGUMENT);
    CHECK(crm_deal_create(NULL, &d, &id) == CRM_INVALID_ARGUMENT);
    CHECK(id == -1);
    CHECK(count_deals(db) == 0);

    /* Then it goes through. */
    CHECK(crm_deal_create(db, &d, &id) == CRM_OK);
    CHECK(count_deals(db) == 1);
    x = (crm_deal *)&now;
    CHECK(crm_deal_get(db, 999, &x) == CRM_NOT_FOUND);
    CHECK(x == NULL);
    CHECK(crm_deal_get(db, id, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(crm_deal_history(db, 999, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(crm_deal_count(db, NULL, NULL) == CRM_INVALID_ARGUMENT);

    /* Accessors and destructors take NULL. */
    CHECK(crm_deal_id(NULL) == 0 && crm_deal_name(NULL) == NULL);
    CHECK(crm_deal_closed_at(NULL) == CRM_TIME_NONE && IS_NAN(crm_deal_probability(NULL)));
    CHECK(crm_pipeline_stages_len(NULL) == 0 && crm_win_rate_list_len(NULL) == 0);
    crm_deal_free(NULL);
    crm_deal_list_free(NULL);
    crm_pipeline_free(NULL);
    crm_pipeline_list_free(NULL);
    crm_stage_change_list_free(NULL);
    crm_stage_duration_list_free(NULL);
    crm_stage_value_list_free(NULL);
    crm_forecast_list_free(NULL);
    crm_win_rate_list_free(NULL);
    crm_stage_conversion_list_free(NULL);
    crm_new_deal_init(NULL, 0);
    crm_deal_patch_init(NULL, 0);
    crm_close(db);
}

int main(void) {
    test_pipelines();
    test_deal_lifecycle();
    test_find_and_update();
    test_views();
    test_transitions_and_moves_refused();
    test_bad_deals_are_not_created();
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
