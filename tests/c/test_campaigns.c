/* Campaigns and the statistics on proportions through the C API: the pure crm_stats_* functions
 * against statsmodels/scipy reference values, a campaign's lifecycle, members, tracking events
 * (one by one and in bulk), its evaluation against a control group, the campaign filters, then
 * bad input, each checked for its documented code and for leaving the store unchanged. Built by
 * `make test-c` with -std=c99 -pedantic, linked statically and dynamically, run under valgrind. */
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
/* |a - b| < tol, false for NaN. */
#define NEAR(a, b, tol) ((a) - (b) < (tol) && (b) - (a) < (tol))
#define IS_NAN(x) ((x) != (x))

#define HOUR INT64_C(3600000000)
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

/* n customers c0 … c(n-1); their ids go to ids[]. */
static void add_customers(crm_db *db, size_t n, int64_t *ids) {
    static char names[64][8];
    const char *name_ptrs[64];
    crm_customer_columns cols;
    size_t i;
    for (i = 0; i < n && i < 64; i++) {
        snprintf(names[i], sizeof names[i], "c%u", (unsigned)i);
        name_ptrs[i] = names[i];
    }
    crm_customer_columns_init(&cols, sizeof cols);
    cols.name = name_ptrs;
    CHECK(crm_customer_add_many(db, n, &cols, ids) == CRM_OK);
}

static void buy(crm_db *db, int64_t customer, int64_t at, int64_t amount) {
    crm_new_purchase p;
    crm_new_purchase_init(&p, sizeof p);
    p.customer_id = customer;
    p.purchased_at = at;
    p.amount = amount;
    p.currency = "EUR";
    CHECK(crm_purchase_add(db, &p, NULL) == CRM_OK);
}

static int64_t count_campaigns(crm_db *db) {
    int64_t n = -1;
    CHECK(crm_campaign_count(db, NULL, &n) == CRM_OK);
    return n;
}

static int64_t count_customers(crm_db *db, const crm_filter *f) {
    int64_t n = -1;
    CHECK(crm_customer_count(db, f, &n) == CRM_OK);
    return n;
}

static size_t count_events(crm_db *db, int64_t campaign) {
    crm_campaign_event_list *l = NULL;
    size_t n;
    CHECK(crm_campaign_events(db, campaign, 0, &l) == CRM_OK);
    n = crm_campaign_event_list_len(l);
    crm_campaign_event_list_free(l);
    return n;
}

static const char *status_of(crm_db *db, int64_t id, char *buf, size_t size) {
    crm_campaign *c = NULL;
    buf[0] = '\0';
    if (crm_campaign_get(db, id, &c) == CRM_OK) {
        snprintf(buf, size, "%s", crm_campaign_status(c));
    }
    crm_campaign_free(c);
    return buf;
}

/* A campaign "Welcome" on email for segment `segment`, split A/control by `share_a`, seed 1,
 * budget 500.00 EUR. */
static int64_t plan(crm_db *db, const char *name, const char *segment, double share_a) {
    crm_variant v[2];
    crm_new_campaign c;
    int64_t id = 0;
    crm_variant_init(&v[0], sizeof v[0]);
    crm_variant_init(&v[1], sizeof v[1]);
    v[0].name = "A";
    v[0].share = share_a;
    v[1].name = "control";
    v[1].share = 1.0 - share_a;
    v[1].control = 1;
    crm_new_campaign_init(&c, sizeof c);
    c.name = name;
    c.channel = "email";
    c.objective = "welcome";
    c.budget = 50000;
    c.budget_currency = "EUR";
    c.segment = segment;
    c.variants = v;
    c.variants_len = 2;
    c.has_seed = 1;
    c.seed = 1;
    CHECK(crm_campaign_create(db, &c, &id) == CRM_OK);
    CHECK(id > 0);
    return id;
}

/* The members of `campaign` in variant A and in the control group. */
static void split(crm_db *db, int64_t campaign, int64_t *a, size_t *na, int64_t *ctl, size_t *nc) {
    crm_campaign_member_list *m = NULL;
    size_t i;
    *na = *nc = 0;
    CHECK(crm_campaign_members(db, campaign, &m) == CRM_OK);
    for (i = 0; i < crm_campaign_member_list_len(m); i++) {
        if (crm_campaign_member_list_control(m, i)) {
            ctl[(*nc)++] = crm_campaign_member_list_customer_id(m, i);
        } else {
            a[(*na)++] = crm_campaign_member_list_customer_id(m, i);
        }
    }
    crm_campaign_member_list_free(m);
}

static void record(crm_db *db, int64_t campaign, int64_t customer, const char *kind, int64_t at) {
    CHECK(crm_campaign_record_event(db, campaign, customer, kind, at, NULL) == CRM_OK);
}

/* ------------------------------------------------------------------------------ statistics */

static void test_stats_match_statsmodels_and_scipy(void) {
    double z = 0, p = 0, chi = 0, lo = 0, hi = 0, h = 0, n1f = 0;
    double expected[4] = {0, 0, 0, 0};
    size_t dof = 0;
    int64_t n1 = 0, n2 = 0;
    const int64_t table[4] = {4, 16, 2, 18};
    const int64_t big[4] = {120, 880, 100, 900};

    /* statsmodels proportions_ztest([4, 2], [20, 20]) */
    CHECK(crm_stats_proportions_ztest(4, 20, 2, 20, CRM_ALTERNATIVE_TWO_SIDED, &z, &p) == CRM_OK);
    CHECK(NEAR(z, 0.8856148855400953, 1e-9));
    CHECK(NEAR(p, 0.37582508748869836, 1e-9));
    /* …, alternative='larger' on [120, 100] of [1000, 1000] */
    CHECK(crm_stats_proportions_ztest(120, 1000, 100, 1000, CRM_ALTERNATIVE_LARGER, &z, &p) ==
          CRM_OK);
    CHECK(NEAR(z, 1.4293008498232314, 1e-9));
    CHECK(NEAR(p, 0.0764588909319731, 1e-9));
    /* Nobody converted anywhere: 0/0, NaN as in statsmodels, not an error. */
    CHECK(crm_stats_proportions_ztest(0, 10, 0, 10, CRM_ALTERNATIVE_TWO_SIDED, &z, &p) == CRM_OK);
    CHECK(IS_NAN(z) && IS_NAN(p));

    /* scipy chi2_contingency([[4, 16], [2, 18]], correction=False) */
    CHECK(crm_stats_chi2_contingency(table, 2, 2, 0, &chi, &p, &dof, expected) == CRM_OK);
    CHECK(NEAR(chi, 0.7843137254901961, 1e-9));
    CHECK(dof == 1);
    CHECK(NEAR(expected[0], 3.0, 1e-12) && NEAR(expected[1], 17.0, 1e-12));
    CHECK(NEAR(expected[2], 3.0, 1e-12) && NEAR(expected[3], 17.0, 1e-12));
    /* Two-sided z-test and uncorrected chi-square agree on the p-value. */
    CHECK(NEAR(p, 0.37582508748869836, 1e-9));
    /* With Yates' correction (scipy's default), and dof / expected not wanted. */
    CHECK(crm_stats_chi2_contingency(big, 2, 2, 1, &chi, &p, NULL, NULL) == CRM_OK);
    CHECK(NEAR(chi, 1.8437180796731358, 1e-9));
    CHECK(NEAR(p, 0.17451579008209805, 1e-9));

    /* statsmodels confint_proportions_2indep(120, 1000, 100, 1000, method=…) */
    CHECK(crm_stats_confint_proportions_2indep(120, 1000, 100, 1000, CRM_CONFINT_WALD, 0.05, &lo,
                                               &hi) == CRM_OK);
    CHECK(NEAR(lo, -0.007411481998019949, 1e-9) && NEAR(hi, 0.04741148199801993, 1e-9));
    CHECK(crm_stats_confint_proportions_2indep(120, 1000, 100, 1000, CRM_CONFINT_NEWCOMBE, 0.05,
                                               &lo, &hi) == CRM_OK);
    CHECK(NEAR(lo, -0.007492167515211062, 1e-9) && NEAR(hi, 0.047550667456339055, 1e-9));

    CHECK(crm_stats_proportion_effectsize(0.12, 0.10, &h) == CRM_OK);
    CHECK(NEAR(h, 0.06398210298605855, 1e-12));

    /* statsmodels sample size for 0.12 vs 0.10, alpha 0.05, power 0.8, ratio 1: 3834.5957… */
    CHECK(crm_stats_samplesize_proportions_2indep(0.12, 0.10, 0.05, 0.8, 1.0,
                                                  CRM_ALTERNATIVE_TWO_SIDED, &n1f) == CRM_OK);
    CHECK(NEAR(n1f, 3834.5957, 1e-3));
    CHECK(crm_stats_samplesize_proportions_2indep_ceil(0.12, 0.10, 0.05, 0.8, 1.0,
                                                       CRM_ALTERNATIVE_TWO_SIDED, &n1, &n2) ==
          CRM_OK);
    CHECK(n1 == 3835 && n2 == 3835);
    n1 = n2 = 0;
    CHECK(crm_campaign_sample_size(0.10, 0.02, 0.05, 0.8, 1.0, &n1, &n2) == CRM_OK);
    CHECK(n1 == 3835 && n2 == 3835);
    CHECK(crm_campaign_sample_size(0.10, 0.02, 0.05, 0.8, 2.0, &n1, &n2) == CRM_OK);
    CHECK(n2 > n1 && n1 < 3835);
}

static void test_stats_refuse_bad_input(void) {
    double z = 42, p = 42, chi = 42, lo = 42, hi = 42, h = 42, n = 42;
    int64_t n1 = 42, n2 = 42;
    const int64_t empty_row[4] = {0, 0, 2, 18};
    const int64_t negative[4] = {4, -1, 2, 18};

    CHECK(crm_stats_proportions_ztest(21, 20, 2, 20, CRM_ALTERNATIVE_TWO_SIDED, &z, &p) ==
          CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(NULL), "count[0]"));
    CHECK(crm_stats_proportions_ztest(1, 0, 2, 20, CRM_ALTERNATIVE_TWO_SIDED, &z, &p) ==
          CRM_INVALID_INPUT);
    CHECK(crm_stats_proportions_ztest(4, 20, 2, 20, 9, &z, &p) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(NULL), "alternative"));
    CHECK(crm_stats_proportions_ztest(4, 20, 2, 20, CRM_ALTERNATIVE_TWO_SIDED, NULL, &p) ==
          CRM_INVALID_ARGUMENT);
    CHECK(z == 42 && p == 42); /* untouched on failure */

    CHECK(crm_stats_chi2_contingency(empty_row, 2, 2, 0, &chi, &p, NULL, NULL) ==
          CRM_INVALID_INPUT);
    CHECK(crm_stats_chi2_contingency(negative, 2, 2, 0, &chi, &p, NULL, NULL) ==
          CRM_INVALID_INPUT);
    CHECK(crm_stats_chi2_contingency(NULL, 2, 2, 0, &chi, &p, NULL, NULL) ==
          CRM_INVALID_ARGUMENT);
    CHECK(crm_stats_chi2_contingency(negative, 0, 2, 0, &chi, &p, NULL, NULL) ==
          CRM_INVALID_ARGUMENT);
    CHECK(crm_stats_chi2_contingency(negative, SIZE_MAX, 2, 0, &chi, &p, NULL, NULL) ==
          CRM_INVALID_ARGUMENT);
    CHECK(chi == 42);

    CHECK(crm_stats_confint_proportions_2indep(4, 20, 2, 20, CRM_CONFINT_WALD, 1.5, &lo, &hi) ==
          CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(NULL), "alpha"));
    CHECK(crm_stats_confint_proportions_2indep(4, 20, 2, 20, 7, 0.05, &lo, &hi) ==
          CRM_INVALID_ARGUMENT);
    CHECK(crm_stats_proportion_effectsize(1.5, 0.1, &h) == CRM_INVALID_INPUT);
    CHECK(crm_stats_proportion_effectsize(0.5, 0.1, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(crm_stats_samplesize_proportions_2indep(0.1, 0.1, 0.05, 0.8, 1.0,
                                                  CRM_ALTERNATIVE_TWO_SIDED, &n) ==
          CRM_INVALID_INPUT);
    CHECK(crm_stats_samplesize_proportions_2indep(0.12, 0.1, 0.05, 0.8, -1.0,
                                                  CRM_ALTERNATIVE_TWO_SIDED, &n) ==
          CRM_INVALID_INPUT);
    CHECK(crm_stats_samplesize_proportions_2indep_ceil(0.12, 0.1, 0.05, 0.8, 1.0,
                                                       CRM_ALTERNATIVE_TWO_SIDED, &n1, NULL) ==
          CRM_INVALID_ARGUMENT);
    CHECK(crm_campaign_sample_size(0.95, 0.10, 0.05, 0.8, 1.0, &n1, &n2) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(NULL), "minimum_effect"));
    CHECK(lo == 42 && h == 42 && n == 42 && n1 == 42 && n2 == 42);
}

/* ------------------------------------------------------------------------------ lifecycle */

static void test_lifecycle_and_members(void) {
    int64_t now = T0;
    crm_db *db = open_at(&now);
    int64_t ids[10], id, a[10], ctl[10];
    size_t na, nc;
    crm_campaign *c = NULL;
    crm_campaign_member_list *m = NULL;
    char buf[32];

    add_customers(db, 10, ids);
    CHECK(crm_segment_save_text(db, "everyone", "") == CRM_OK);
    id = plan(db, "Welcome", "everyone", 0.8);

    CHECK(crm_campaign_get_by_name(db, "Welcome", &c) == CRM_OK);
    CHECK(crm_campaign_id(c) == id);
    CHECK(STREQ(crm_campaign_name(c), "Welcome"));
    CHECK(STREQ(crm_campaign_channel(c), "email"));
    CHECK(STREQ(crm_campaign_objective(c), "welcome"));
    CHECK(crm_campaign_budget(c) == 50000);
    CHECK(STREQ(crm_campaign_budget_currency(c), "EUR"));
    CHECK(crm_campaign_cost(c) == 0 && crm_campaign_cost_currency(c) == NULL);
    CHECK(STREQ(crm_campaign_segment(c), "everyone"));
    CHECK(crm_campaign_variants_len(c) == 2);
    CHECK(STREQ(crm_campaign_variant_name(c, 0), "A"));
    CHECK(NEAR(crm_campaign_variant_share(c, 0), 0.8, 1e-12));
    CHECK(crm_campaign_variant_control(c, 0) == 0 && crm_campaign_variant_control(c, 1) == 1);
    CHECK(crm_campaign_variant_name(c, 2) == NULL);
    CHECK(IS_NAN(crm_campaign_variant_share(c, 2)));
    CHECK(crm_campaign_seed(c) == 1);
    CHECK(STREQ(crm_campaign_status(c), "draft"));
    CHECK(crm_campaign_starts_at(c) == CRM_TIME_NONE && crm_campaign_ends_at(c) == CRM_TIME_NONE);
    CHECK(crm_campaign_started_at(c) == CRM_TIME_NONE);
    CHECK(crm_campaign_created_at(c) == T0 && crm_campaign_updated_at(c) == T0);
    crm_campaign_free(c);
    c = NULL;

    /* No members before the start. */
    CHECK(crm_campaign_members(db, id, &m) == CRM_OK);
    CHECK(crm_campaign_member_list_len(m) == 0);
    crm_campaign_member_list_free(m);

    now = T0 + HOUR;
    CHECK(crm_campaign_schedule(db, id, CRM_TIME_NOW, &c) == CRM_OK);
    CHECK(STREQ(crm_campaign_status(c), "scheduled"));
    crm_campaign_free(c);
    now = T0 + DAY;
    CHECK(crm_campaign_start(db, id, CRM_TIME_NOW, NULL) == CRM_OK);
    CHECK(crm_campaign_get(db, id, &c) == CRM_OK);
    CHECK(STREQ(crm_campaign_status(c), "running"));
    CHECK(crm_campaign_started_at(c) == T0 + DAY);
    crm_campaign_free(c);

    /* 10 members split 8 / 2, reproducibly. */
    split(db, id, a, &na, ctl, &nc);
    CHECK(na == 8 && nc == 2);
    CHECK(crm_campaign_members(db, id, &m) == CRM_OK);
    CHECK(crm_campaign_member_list_len(m) == 10);
    CHECK(crm_campaign_member_list_customer_id(m, 0) == ids[0]);
    CHECK(STREQ(crm_campaign_member_list_variant(m, 0), "A") ||
          STREQ(crm_campaign_member_list_variant(m, 0), "control"));
    CHECK(crm_campaign_member_list_assigned_at(m, 0) == T0 + DAY);
    CHECK(crm_campaign_member_list_variant(m, 10) == NULL);
    CHECK(crm_campaign_member_list_customer_id(m, 10) == 0);
    crm_campaign_member_list_free(m);

    /* Customers added later are not members. */
    add_customers(db, 1, &ids[0]);
    split(db, id, a, &na, ctl, &nc);
    CHECK(na + nc == 10);

    /* Complete with an explicit time, then every further move is illegal. */
    CHECK(crm_campaign_complete(db, id, T0 + 3 * DAY, &c) == CRM_OK);
    CHECK(STREQ(crm_campaign_status(c), "completed"));
    CHECK(crm_campaign_ended_at(c) == T0 + 3 * DAY);
    crm_campaign_free(c);
    c = (crm_campaign *)&now; /* not NULL, to see it cleared */
    CHECK(crm_campaign_cancel(db, id, CRM_TIME_NOW, &c) == CRM_ILLEGAL_TRANSITION);
    CHECK(c == NULL);
    CHECK(CONTAINS(crm_errmsg(db), "completed") && CONTAINS(crm_errmsg(db), "cancelled"));
    CHECK(crm_errcode(db) == CRM_ILLEGAL_TRANSITION);
    CHECK(STREQ(status_of(db, id, buf, sizeof buf), "completed"));

    crm_close(db);
}

static void test_illegal_transitions_leave_the_store_unchanged(void) {
    int64_t now = T0;
    crm_db *db = open_at(&now);
    int64_t ids[4], id, other;
    char buf[32];
    crm_new_campaign c;

    add_customers(db, 4, ids);
    CHECK(crm_segment_save_text(db, "everyone", "") == CRM_OK);
    id = plan(db, "Draft one", "everyone", 0.5);

    /* draft → running skips scheduled: the message names both states. */
    CHECK(crm_campaign_start(db, id, CRM_TIME_NOW, NULL) == CRM_ILLEGAL_TRANSITION);
    CHECK(CONTAINS(crm_errmsg(db), "draft") && CONTAINS(crm_errmsg(db), "running"));
    CHECK(STREQ(status_of(db, id, buf, sizeof buf), "draft"));
    CHECK(crm_campaign_complete(db, id, CRM_TIME_NOW, NULL) == CRM_ILLEGAL_TRANSITION);
    CHECK(CONTAINS(crm_errmsg(db), "draft") && CONTAINS(crm_errmsg(db), "completed"));
    CHECK(STREQ(status_of(db, id, buf, sizeof buf), "draft"));

    /* Scheduling needs an audience. */
    crm_new_campaign_init(&c, sizeof c);
    c.name = "No audience";
    c.channel = "sms";
    CHECK(crm_campaign_create(db, &c, &other) == CRM_OK);
    CHECK(crm_campaign_schedule(db, other, CRM_TIME_NOW, NULL) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "segment"));
    CHECK(STREQ(status_of(db, other, buf, sizeof buf), "draft"));

    /* Cancel a draft, then nothing more. */
    CHECK(crm_campaign_cancel(db, other, CRM_TIME_NOW, NULL) == CRM_OK);
    CHECK(crm_campaign_schedule(db, other, CRM_TIME_NOW, NULL) == CRM_ILLEGAL_TRANSITION);
    CHECK(STREQ(status_of(db, other, buf, sizeof buf), "cancelled"));

    /* Unknown campaign. */
    CHECK(crm_campaign_schedule(db, 999, CRM_TIME_NOW, NULL) == CRM_NOT_FOUND);
    CHECK(count_campaigns(db) == 2);
    crm_close(db);
}

/* ------------------------------------------------------------------------------ events */

static void test_events_one_by_one_and_in_bulk(void) {
    int64_t now = T0;
    crm_db *db = open_at(&now);
    int64_t ids[10], id, a[10], ctl[10], outsider, event_id = 0;
    size_t na, nc;
    crm_campaign_event_list *ev = NULL;
    crm_event_report *r = NULL;
    crm_interaction_list *timeline = NULL;

    add_customers(db, 10, ids);
    CHECK(crm_segment_save_text(db, "everyone", "") == CRM_OK);
    id = plan(db, "Welcome", "everyone", 0.8);
    CHECK(crm_campaign_schedule(db, id, CRM_TIME_NOW, NULL) == CRM_OK);
    now = T0 + DAY;
    CHECK(crm_campaign_start(db, id, CRM_TIME_NOW, NULL) == CRM_OK);
    split(db, id, a, &na, ctl, &nc);
    CHECK(na == 8 && nc == 2);
    /* In the segment, but added after the start: not a member. */
    add_customers(db, 1, &outsider);

    now = T0 + 2 * DAY;
    CHECK(crm_campaign_record_event(db, id, a[0], "sent", T0 + DAY + HOUR, &event_id) == CRM_OK);
    CHECK(event_id > 0);
    record(db, id, a[0], "delivered", T0 + DAY + 2 * HOUR);
    record(db, id, a[0], "opened", CRM_TIME_NOW);
    record(db, id, ctl[0], "converted", T0 + DAY + HOUR);
    CHECK(count_events(db, id) == 4);

    /* The sent event put the message on a[0]'s timeline, linked to the campaign. */
    CHECK(crm_interaction_timeline(db, a[0], NULL, NULL, &timeline) == CRM_OK);
    CHECK(crm_interaction_list_len(timeline) == 1);
    CHECK(crm_interaction_campaign_id(crm_interaction_list_get(timeline, 0)) == id);
    CHECK(STREQ(crm_interaction_subject(crm_interaction_list_get(timeline, 0)), "Welcome"));
    crm_interaction_list_free(timeline);

    /* One by one, a refused event is CRM_INVALID_INPUT and records nothing. */
    CHECK(crm_campaign_record_event(db, id, outsider, "sent", CRM_TIME_NOW, NULL) ==
          CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "not a member"));
    CHECK(crm_campaign_record_event(db, id, ctl[1], "sent", CRM_TIME_NOW, NULL) ==
          CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "control group"));
    CHECK(crm_campaign_record_event(db, id, a[1], "opened", CRM_TIME_NOW, NULL) ==
          CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "delivered"));
    CHECK(crm_campaign_record_event(db, id, a[1], "sent", T0, NULL) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "before the campaign started"));
    CHECK(crm_campaign_record_event(db, id, a[1], "bounced", CRM_TIME_NOW, NULL) ==
          CRM_INVALID_INPUT);
    CHECK(crm_campaign_record_event(db, id, a[1], NULL, CRM_TIME_NOW, NULL) ==
          CRM_INVALID_ARGUMENT);
    CHECK(crm_campaign_record_event(db, 999, a[1], "sent", CRM_TIME_NOW, NULL) == CRM_NOT_FOUND);
    CHECK(count_events(db, id) == 4);

    /* In bulk: in order, so a delivered may follow its sent; refused ones are reported. */
    {
        int64_t who[6];
        const char *kinds[6] = {"sent", "delivered", "sent", "opened", "sent", "clicked"};
        int64_t ats[6];
        who[0] = a[1];
        who[1] = a[1];
        who[2] = outsider;
        who[3] = a[2];
        who[4] = ctl[1];
        who[5] = a[3];
        ats[0] = T0 + DAY + HOUR;
        ats[1] = T0 + DAY + 2 * HOUR;
        ats[2] = CRM_TIME_NOW;
        ats[3] = T0 + DAY + 3 * HOUR;
        ats[4] = CRM_TIME_NOW;
        ats[5] = T0 + DAY + 3 * HOUR;
        CHECK(crm_campaign_record_events(db, id, 6, who, kinds, ats, &r) == CRM_OK);
        CHECK(crm_event_report_recorded(r) == 2);
        CHECK(crm_event_report_rejected_len(r) == 4);
        CHECK(crm_event_report_rejected_index(r, 0) == 2);
        CHECK(crm_event_report_rejected_customer_id(r, 0) == outsider);
        CHECK(STREQ(crm_event_report_rejected_kind(r, 0), "sent"));
        CHECK(crm_event_report_rejected_at(r, 0) == CRM_TIME_NONE);
        CHECK(STREQ(crm_event_report_rejected_reason(r, 0), "not_member"));
        CHECK(CONTAINS(crm_event_report_rejected_message(r, 0), "not a member"));
        CHECK(crm_event_report_rejected_index(r, 1) == 3);
        CHECK(crm_event_report_rejected_at(r, 1) == T0 + DAY + 3 * HOUR);
        CHECK(STREQ(crm_event_report_rejected_reason(r, 1), "out_of_order"));
        CHECK(STREQ(crm_event_report_rejected_reason(r, 2), "control_group"));
        CHECK(crm_event_report_rejected_index(r, 3) == 5);
        CHECK(STREQ(crm_event_report_rejected_kind(r, 3), "clicked"));
        CHECK(STREQ(crm_event_report_rejected_reason(r, 3), "out_of_order"));
        CHECK(crm_event_report_rejected_reason(r, 4) == NULL);
        CHECK(crm_event_report_rejected_message(r, 4) == NULL);
        crm_event_report_free(r);
        r = NULL;
        CHECK(count_events(db, id) == 6);

        /* An unknown kind fails the whole batch: nothing recorded, the row named. */
        kinds[1] = "bounced";
        r = (crm_event_report *)&now;
        CHECK(crm_campaign_record_events(db, id, 2, who, kinds, NULL, &r) == CRM_INVALID_INPUT);
        CHECK(r == NULL);
        CHECK(CONTAINS(crm_errmsg(db), "row 1"));
        CHECK(count_events(db, id) == 6);
        kinds[1] = NULL;
        CHECK(crm_campaign_record_events(db, id, 2, who, kinds, NULL, &r) ==
              CRM_INVALID_ARGUMENT);
        CHECK(CONTAINS(crm_errmsg(db), "kinds[1]"));
        CHECK(crm_campaign_record_events(db, id, 2, NULL, kinds, NULL, &r) ==
              CRM_INVALID_ARGUMENT);
        CHECK(crm_campaign_record_events(db, id, 2, who, kinds, NULL, NULL) ==
              CRM_INVALID_ARGUMENT);
        CHECK(count_events(db, id) == 6);
        /* An empty batch records nothing and reports nothing. */
        CHECK(crm_campaign_record_events(db, id, 0, NULL, NULL, NULL, &r) == CRM_OK);
        CHECK(crm_event_report_recorded(r) == 0 && crm_event_report_rejected_len(r) == 0);
        crm_event_report_free(r);
    }

    /* Events of one member, in time order. */
    CHECK(crm_campaign_events(db, id, a[0], &ev) == CRM_OK);
    CHECK(crm_campaign_event_list_len(ev) == 3);
    CHECK(STREQ(crm_campaign_event_list_kind(ev, 0), "sent"));
    CHECK(crm_campaign_event_list_at(ev, 0) == T0 + DAY + HOUR);
    CHECK(crm_campaign_event_list_id(ev, 0) == event_id);
    CHECK(crm_campaign_event_list_customer_id(ev, 2) == a[0]);
    CHECK(STREQ(crm_campaign_event_list_kind(ev, 2), "opened"));
    CHECK(crm_campaign_event_list_at(ev, 2) == T0 + 2 * DAY);
    CHECK(crm_campaign_event_list_kind(ev, 3) == NULL);
    crm_campaign_event_list_free(ev);

    /* A draft campaign does not track: the batch reports it. */
    {
        int64_t draft = plan(db, "Later", "everyone", 0.5);
        const char *kind = "sent";
        CHECK(crm_campaign_record_events(db, draft, 1, &a[0], &kind, NULL, &r) == CRM_OK);
        CHECK(crm_event_report_recorded(r) == 0);
        CHECK(STREQ(crm_event_report_rejected_reason(r, 0), "not_tracking"));
        crm_event_report_free(r);
    }
    crm_close(db);
}

/* ------------------------------------------------------------------------------ evaluation */

static void test_evaluation_reproduces_the_tests(void) {
    int64_t now = T0;
    crm_db *db = open_at(&now);
    int64_t ids[40], id, a[40], ctl[40];
    size_t na, nc, i;
    crm_campaign_report *r = NULL;
    crm_evaluation_options o;
    crm_campaign_patch patch;
    double z = 0, p = 0, lo = 0, hi = 0;

    add_customers(db, 40, ids);
    CHECK(crm_segment_save_text(db, "everyone", "") == CRM_OK);
    id = plan(db, "AB", "everyone", 0.5);
    CHECK(crm_campaign_schedule(db, id, CRM_TIME_NOW, NULL) == CRM_OK);
    now = T0 + DAY;
    CHECK(crm_campaign_start(db, id, CRM_TIME_NOW, NULL) == CRM_OK);
    split(db, id, a, &na, ctl, &nc);
    CHECK(na == 20 && nc == 20);

    now = T0 + 5 * DAY;
    /* Everyone in A is sent and delivered; 10 open; 4 convert. 2 of the control convert. */
    for (i = 0; i < na; i++) {
        record(db, id, a[i], "sent", T0 + DAY + HOUR);
        record(db, id, a[i], "delivered", T0 + DAY + 2 * HOUR);
        if (i < 10) {
            record(db, id, a[i], "opened", T0 + 2 * DAY);
        }
        if (i < 4) {
            record(db, id, a[i], "converted", T0 + 3 * DAY);
        }
    }
    record(db, id, ctl[0], "converted", T0 + 2 * DAY);
    record(db, id, ctl[1], "converted", T0 + 2 * DAY);
    /* Revenue: a converted A member buys within the window, another one long after it. */
    buy(db, a[0], T0 + 3 * DAY, 12000);
    buy(db, a[1], T0 + 30 * DAY, 99900);

    crm_evaluation_options_init(&o, sizeof o);
    CHECK(o.struct_size == sizeof o);
    CHECK(o.window == 7 * DAY && o.yates == 1 && NEAR(o.alpha, 0.05, 1e-15));
    o.yates = 0;
    CHECK(crm_campaign_evaluate(db, id, &o, &r) == CRM_OK);
    CHECK(crm_campaign_report_campaign_id(r) == id);
    CHECK(STREQ(crm_campaign_report_name(r), "AB"));
    CHECK(STREQ(crm_campaign_report_currency(r), "EUR"));
    CHECK(crm_campaign_report_variants_len(r) == 2);
    CHECK(STREQ(crm_campaign_report_variant_name(r, 0), "A"));
    CHECK(crm_campaign_report_variant_control(r, 0) == 0);
    CHECK(crm_campaign_report_variant_control(r, 1) == 1);
    CHECK(crm_campaign_report_variant_members(r, 0) == 20);
    CHECK(crm_campaign_report_variant_sent(r, 0) == 20);
    CHECK(crm_campaign_report_variant_delivered(r, 0) == 20);
    CHECK(crm_campaign_report_variant_opened(r, 0) == 10);
    CHECK(crm_campaign_report_variant_clicked(r, 0) == 0);
    CHECK(crm_campaign_report_variant_unsubscribed(r, 0) == 0);
    CHECK(crm_campaign_report_variant_converted_events(r, 0) == 4);
    CHECK(crm_campaign_report_variant_converted(r, 0) == 4);
    CHECK(crm_campaign_report_variant_purchases(r, 0) == 1);
    CHECK(crm_campaign_report_variant_revenue(r, 0) == 12000);
    CHECK(NEAR(crm_campaign_report_variant_open_rate(r, 0), 0.5, 1e-12));
    CHECK(NEAR(crm_campaign_report_variant_click_rate(r, 0), 0.0, 1e-12));
    CHECK(NEAR(crm_campaign_report_variant_conversion_rate(r, 0), 0.2, 1e-12));
    CHECK(NEAR(crm_campaign_report_variant_revenue_per_member(r, 0), 600.0, 1e-9));
    CHECK(crm_campaign_report_variant_converted(r, 1) == 2);
    /* Nothing was delivered to the control group: its open rate is undefined. */
    CHECK(IS_NAN(crm_campaign_report_variant_open_rate(r, 1)));
    CHECK(IS_NAN(crm_campaign_report_variant_conversion_rate(r, 2)));
    CHECK(crm_campaign_report_variant_members(r, 2) == 0);

    /* The uplift is statsmodels' z-test and scipy's chi-square on 4/20 against 2/20. */
    CHECK(crm_campaign_report_uplift_len(r) == 1);
    CHECK(STREQ(crm_campaign_report_uplift_variant(r, 0), "A"));
    CHECK(STREQ(crm_campaign_report_uplift_control(r, 0), "control"));
    CHECK(NEAR(crm_campaign_report_uplift_rate(r, 0), 0.2, 1e-12));
    CHECK(NEAR(crm_campaign_report_uplift_control_rate(r, 0), 0.1, 1e-12));
    CHECK(NEAR(crm_campaign_report_uplift_difference(r, 0), 0.1, 1e-12));
    CHECK(NEAR(crm_campaign_report_uplift_relative(r, 0), 1.0, 1e-12));
    CHECK(NEAR(crm_campaign_report_uplift_z(r, 0), 0.8856148855400953, 1e-9));
    CHECK(NEAR(crm_campaign_report_uplift_z_p_value(r, 0), 0.37582508748869836, 1e-9));
    CHECK(NEAR(crm_campaign_report_uplift_chi2(r, 0), 0.7843137254901961, 1e-9));
    CHECK(NEAR(crm_campaign_report_uplift_chi2_p_value(r, 0), 0.37582508748869836, 1e-9));
    CHECK(crm_stats_confint_proportions_2indep(4, 20, 2, 20, CRM_CONFINT_WALD, 0.05, &lo, &hi) ==
          CRM_OK);
    CHECK(NEAR(crm_campaign_report_uplift_ci_wald_low(r, 0), lo, 1e-12));
    CHECK(NEAR(crm_campaign_report_uplift_ci_wald_high(r, 0), hi, 1e-12));
    CHECK(crm_stats_confint_proportions_2indep(4, 20, 2, 20, CRM_CONFINT_NEWCOMBE, 0.05, &lo,
                                               &hi) == CRM_OK);
    CHECK(NEAR(crm_campaign_report_uplift_ci_newcombe_low(r, 0), lo, 1e-12));
    CHECK(NEAR(crm_campaign_report_uplift_ci_newcombe_high(r, 0), hi, 1e-12));
    CHECK(crm_campaign_report_uplift_ci_newcombe_low(r, 0) < 0.0);
    CHECK(crm_campaign_report_uplift_significant(r, 0) == 0);
    CHECK(IS_NAN(crm_campaign_report_uplift_z(r, 1)));
    CHECK(crm_campaign_report_uplift_variant(r, 1) == NULL);

    CHECK(crm_campaign_report_conversions(r) == 4);
    CHECK(crm_campaign_report_revenue(r) == 12000);
    CHECK(crm_campaign_report_has_cost(r) == 0 && crm_campaign_report_cost(r) == 0);
    CHECK(IS_NAN(crm_campaign_report_cost_per_conversion(r)));
    CHECK(IS_NAN(crm_campaign_report_roi(r)));
    crm_campaign_report_free(r);
    r = NULL;

    /* Yates' correction by default: a smaller statistic than without it. */
    CHECK(crm_campaign_evaluate(db, id, NULL, &r) == CRM_OK);
    CHECK(crm_campaign_report_uplift_chi2(r, 0) < 0.7843137254901961);
    crm_campaign_report_free(r);
    r = NULL;
    CHECK(crm_stats_proportions_ztest(4, 20, 2, 20, CRM_ALTERNATIVE_TWO_SIDED, &z, &p) == CRM_OK);

    /* Spend so far: cost per conversion and ROI. */
    crm_campaign_patch_init(&patch, sizeof patch);
    patch.set = CRM_CAMPAIGN_SET_COST;
    patch.cost = 10000;
    patch.cost_currency = "EUR";
    CHECK(crm_campaign_update(db, id, &patch, NULL) == CRM_OK);
    CHECK(crm_campaign_evaluate(db, id, NULL, &r) == CRM_OK);
    CHECK(crm_campaign_report_has_cost(r) == 1 && crm_campaign_report_cost(r) == 10000);
    CHECK(NEAR(crm_campaign_report_cost_per_conversion(r), 2500.0, 1e-9));
    CHECK(NEAR(crm_campaign_report_roi(r), 0.2, 1e-12));
    crm_campaign_report_free(r);
    r = NULL;

    /* A longer window attributes the late purchase too: a[1] converted anyway. */
    crm_evaluation_options_init(&o, sizeof o);
    o.window = 60 * DAY;
    CHECK(crm_campaign_evaluate(db, id, &o, &r) == CRM_OK);
    CHECK(crm_campaign_report_variant_revenue(r, 0) == 12000 + 99900);
    CHECK(crm_campaign_report_variant_purchases(r, 0) == 2);
    crm_campaign_report_free(r);
    r = NULL;

    /* Bad options and a campaign that never started. */
    crm_evaluation_options_init(&o, sizeof o);
    o.alpha = 1.5;
    r = (crm_campaign_report *)&now;
    CHECK(crm_campaign_evaluate(db, id, &o, &r) == CRM_INVALID_INPUT);
    CHECK(r == NULL);
    CHECK(CONTAINS(crm_errmsg(db), "alpha"));
    o.alpha = 0.05;
    o.window = 0;
    CHECK(crm_campaign_evaluate(db, id, &o, &r) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "attribution_window"));
    o.window = DAY;
    o.currency = "EURO";
    CHECK(crm_campaign_evaluate(db, id, &o, &r) == CRM_INVALID_INPUT);
    o.currency = "USD";
    CHECK(crm_campaign_evaluate(db, id, &o, &r) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "EUR"));
    o.currency = NULL;
    o.struct_size = 3;
    CHECK(crm_campaign_evaluate(db, id, &o, &r) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(db), "struct_size"));
    CHECK(crm_campaign_evaluate(db, id, NULL, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(crm_campaign_evaluate(db, 999, NULL, &r) == CRM_NOT_FOUND);
    {
        int64_t draft = plan(db, "Not yet", "everyone", 0.5);
        CHECK(crm_campaign_evaluate(db, draft, NULL, &r) == CRM_INVALID_INPUT);
        CHECK(CONTAINS(crm_errmsg(db), "has not started"));
    }
    CHECK(r == NULL);
    crm_close(db);
}

/* ------------------------------------------------------------------------------ filters */

static void test_campaign_filters(void) {
    int64_t now = T0;
    crm_db *db = open_at(&now);
    int64_t ids[10], id, a[10], ctl[10];
    size_t na, nc;
    crm_filter *f = NULL;
    crm_interaction_list *l = NULL;

    add_customers(db, 10, ids);
    CHECK(crm_segment_save_text(db, "everyone", "") == CRM_OK);
    id = plan(db, "Welcome", "everyone", 0.8);
    CHECK(crm_campaign_schedule(db, id, CRM_TIME_NOW, NULL) == CRM_OK);
    CHECK(crm_campaign_start(db, id, CRM_TIME_NOW, NULL) == CRM_OK);
    split(db, id, a, &na, ctl, &nc);
    add_customers(db, 2, ids);
    now = T0 + DAY;
    record(db, id, a[0], "sent", CRM_TIME_NOW);
    record(db, id, a[0], "delivered", CRM_TIME_NOW);
    record(db, id, a[0], "opened", CRM_TIME_NOW);
    record(db, id, a[1], "sent", CRM_TIME_NOW);
    record(db, id, ctl[0], "converted", CRM_TIME_NOW);

    CHECK(crm_filter_in_campaign("Welcome", NULL, &f) == CRM_OK);
    CHECK(count_customers(db, f) == 10);
    crm_filter_free(f);
    CHECK(crm_filter_in_campaign("Welcome", "control", &f) == CRM_OK);
    CHECK(count_customers(db, f) == 2);
    crm_filter_free(f);
    CHECK(crm_filter_in_campaign(" Welcome ", "a", &f) == CRM_OK);
    CHECK(count_customers(db, f) == 8);
    crm_filter_free(f);
    CHECK(crm_filter_in_campaign("Nope", NULL, &f) == CRM_OK);
    CHECK(count_customers(db, f) == 0);
    crm_filter_free(f);
    /* Responded: opened, clicked or converted (sent alone is not a response). */
    CHECK(crm_filter_responded("Welcome", &f) == CRM_OK);
    CHECK(count_customers(db, f) == 2);
    crm_filter_free(f);
    CHECK(crm_filter_responded(NULL, &f) == CRM_OK);
    CHECK(count_customers(db, f) == 2);
    /* Segments keep campaign filters. */
    CHECK(crm_segment_save(db, "responders", f) == CRM_OK);
    {
        int64_t n = -1;
        CHECK(crm_segment_count(db, "responders", &n) == CRM_OK);
        CHECK(n == 2);
    }
    /* They are customer filters: other records refuse them, naming the predicate. */
    CHECK(crm_interaction_find(db, f, NULL, &l) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "responded"));
    CHECK(l == NULL);
    crm_filter_free(f);

    f = (crm_filter *)&now;
    CHECK(crm_filter_in_campaign(NULL, "A", &f) == CRM_INVALID_ARGUMENT);
    CHECK(f == NULL);
    CHECK(CONTAINS(crm_errmsg(NULL), "campaign"));
    CHECK(crm_filter_in_campaign("Welcome", NULL, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(crm_filter_responded(NULL, NULL) == CRM_INVALID_ARGUMENT);
    crm_close(db);
}

/* ------------------------------------------------------------------------------ find, update */

static void test_find_update_delete(void) {
    int64_t now = T0;
    crm_db *db = open_at(&now);
    int64_t ids[4], running, draft, n = -1;
    crm_filter *f = NULL;
    crm_campaign_list *l = NULL;
    crm_find_options opts;
    crm_campaign_patch patch;
    crm_campaign *c = NULL;
    crm_variant v[1];
    char buf[32];

    add_customers(db, 4, ids);
    CHECK(crm_segment_save_text(db, "everyone", "") == CRM_OK);
    running = plan(db, "Running", "everyone", 0.5);
    draft = plan(db, "Draft", "everyone", 0.5);
    CHECK(crm_campaign_schedule(db, running, CRM_TIME_NOW, NULL) == CRM_OK);
    CHECK(crm_campaign_start(db, running, CRM_TIME_NOW, NULL) == CRM_OK);

    CHECK(crm_filter_parse("status = 'running'", &f) == CRM_OK);
    CHECK(crm_campaign_count(db, f, &n) == CRM_OK);
    CHECK(n == 1);
    CHECK(crm_campaign_find(db, f, NULL, &l) == CRM_OK);
    CHECK(crm_campaign_list_len(l) == 1);
    CHECK(STREQ(crm_campaign_name(crm_campaign_list_get(l, 0)), "Running"));
    CHECK(crm_campaign_list_get(l, 1) == NULL);
    crm_campaign_list_free(l);
    crm_filter_free(f);
    crm_find_options_init(&opts, sizeof opts);
    opts.order_by = "name";
    CHECK(crm_campaign_find(db, NULL, &opts, &l) == CRM_OK);
    CHECK(crm_campaign_list_len(l) == 2);
    CHECK(STREQ(crm_campaign_name(crm_campaign_list_get(l, 0)), "Draft"));
    crm_campaign_list_free(l);
    CHECK(crm_filter_parse("budget > 3", &f) == CRM_OK);
    l = (crm_campaign_list *)&now;
    CHECK(crm_campaign_find(db, f, NULL, &l) == CRM_INVALID_INPUT);
    CHECK(l == NULL);
    CHECK(CONTAINS(crm_errmsg(db), "status"));
    crm_filter_free(f);

    /* Change the objective and the dates of the draft; clear its objective again. */
    now = T0 + HOUR;
    crm_campaign_patch_init(&patch, sizeof patch);
    patch.set = CRM_CAMPAIGN_SET_OBJECTIVE | CRM_CAMPAIGN_SET_STARTS_AT | CRM_CAMPAIGN_SET_ENDS_AT;
    patch.objective = "reactivation";
    patch.starts_at = T0 + 10 * DAY;
    patch.ends_at = T0 + 20 * DAY;
    CHECK(crm_campaign_update(db, draft, &patch, &c) == CRM_OK);
    CHECK(STREQ(crm_campaign_objective(c), "reactivation"));
    CHECK(crm_campaign_starts_at(c) == T0 + 10 * DAY && crm_campaign_ends_at(c) == T0 + 20 * DAY);
    CHECK(crm_campaign_updated_at(c) == T0 + HOUR);
    crm_campaign_free(c);
    patch.set = CRM_CAMPAIGN_SET_OBJECTIVE | CRM_CAMPAIGN_SET_ENDS_AT;
    patch.objective = NULL;
    patch.ends_at = CRM_TIME_NONE;
    CHECK(crm_campaign_update(db, draft, &patch, &c) == CRM_OK);
    CHECK(crm_campaign_objective(c) == NULL && crm_campaign_ends_at(c) == CRM_TIME_NONE);
    crm_campaign_free(c);
    c = NULL;

    /* Refusals leave the campaign as it was. */
    patch.set = CRM_CAMPAIGN_SET_BUDGET;
    patch.budget = -100;
    patch.budget_currency = "EUR";
    CHECK(crm_campaign_update(db, draft, &patch, NULL) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "budget"));
    patch.budget = 100;
    patch.budget_currency = NULL;
    CHECK(crm_campaign_update(db, draft, &patch, NULL) == CRM_INVALID_ARGUMENT);
    patch.set = CRM_CAMPAIGN_SET_NAME;
    patch.name = "Running";
    CHECK(crm_campaign_update(db, draft, &patch, NULL) == CRM_ALREADY_EXISTS);
    patch.name = NULL;
    CHECK(crm_campaign_update(db, draft, &patch, NULL) == CRM_INVALID_ARGUMENT);
    patch.set = 1024;
    CHECK(crm_campaign_update(db, draft, &patch, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(db), "unknown bits"));
    crm_variant_init(&v[0], sizeof v[0]);
    v[0].name = "B";
    v[0].share = 1.0;
    patch.set = CRM_CAMPAIGN_SET_VARIANTS;
    patch.variants = v;
    patch.variants_len = 1;
    CHECK(crm_campaign_update(db, running, &patch, NULL) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "fixed"));
    CHECK(crm_campaign_update(db, draft, NULL, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(crm_campaign_get(db, draft, &c) == CRM_OK);
    CHECK(crm_campaign_budget(c) == 50000 && STREQ(crm_campaign_name(c), "Draft"));
    crm_campaign_free(c);
    CHECK(crm_campaign_get(db, running, &c) == CRM_OK);
    CHECK(crm_campaign_variants_len(c) == 2);
    crm_campaign_free(c);
    /* The draft's variants may still change. */
    CHECK(crm_campaign_update(db, draft, &patch, &c) == CRM_OK);
    CHECK(crm_campaign_variants_len(c) == 1 && STREQ(crm_campaign_variant_name(c, 0), "B"));
    crm_campaign_free(c);

    /* A started campaign keeps its members unless deleted with cascade. */
    CHECK(crm_campaign_delete(db, running, 0) == CRM_CONSTRAINT);
    CHECK(STREQ(status_of(db, running, buf, sizeof buf), "running"));
    CHECK(count_campaigns(db) == 2);
    CHECK(crm_campaign_delete(db, running, 1) == CRM_OK);
    CHECK(crm_campaign_delete(db, draft, 0) == CRM_OK);
    CHECK(crm_campaign_delete(db, draft, 0) == CRM_NOT_FOUND);
    CHECK(count_campaigns(db) == 0);
    crm_close(db);
}

/* ------------------------------------------------------------------------------ bad input */

static void test_bad_input_changes_nothing(void) {
    int64_t now = T0;
    crm_db *db = open_at(&now);
    crm_new_campaign c;
    crm_variant v[2];
    crm_campaign *got = NULL;
    int64_t id = -1;

    CHECK(crm_segment_save_text(db, "everyone", "") == CRM_OK);
    crm_variant_init(&v[0], sizeof v[0]);
    crm_variant_init(&v[1], sizeof v[1]);
    CHECK(v[0].struct_size == sizeof v[0] && v[0].name == NULL && v[0].control == 0);
    crm_new_campaign_init(&c, sizeof c);
    CHECK(c.struct_size == sizeof c);
    CHECK(c.starts_at == CRM_TIME_NONE && c.has_seed == 0 && c.variants_len == 0);
    c.name = "Spring";
    c.channel = "email";

    /* A negative budget. */
    c.budget = -1;
    c.budget_currency = "EUR";
    CHECK(crm_campaign_create(db, &c, &id) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "budget") && CONTAINS(crm_errmsg(db), "negative"));
    /* A budget without its currency, a bad currency, a cost in another currency. */
    c.budget = 100;
    c.budget_currency = NULL;
    CHECK(crm_campaign_create(db, &c, &id) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(db), "budget_currency"));
    c.budget_currency = "EU";
    CHECK(crm_campaign_create(db, &c, &id) == CRM_INVALID_INPUT);
    c.budget_currency = "EUR";
    c.cost = 5;
    c.cost_currency = "USD";
    CHECK(crm_campaign_create(db, &c, &id) == CRM_INVALID_INPUT);
    c.cost = 0;
    c.cost_currency = NULL;
    /* Unknown channel, unknown segment, the end before the start. */
    c.channel = "pigeon";
    CHECK(crm_campaign_create(db, &c, &id) == CRM_INVALID_INPUT);
    c.channel = "email";
    c.segment = "nobody";
    CHECK(crm_campaign_create(db, &c, &id) == CRM_NOT_FOUND);
    c.segment = NULL;
    c.starts_at = T0 + DAY;
    c.ends_at = T0;
    CHECK(crm_campaign_create(db, &c, &id) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "ends_at"));
    c.starts_at = c.ends_at = CRM_TIME_NONE;
    /* Variants: shares not adding up to 1, a NULL name, only a control group, bad sizes. */
    v[0].name = "A";
    v[0].share = 0.5;
    v[1].name = "B";
    v[1].share = 0.4;
    c.variants = v;
    c.variants_len = 2;
    CHECK(crm_campaign_create(db, &c, &id) == CRM_INVALID_INPUT);
    CHECK(CONTAINS(crm_errmsg(db), "add up to 1"));
    v[1].share = 0.5;
    v[1].name = NULL;
    CHECK(crm_campaign_create(db, &c, &id) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(db), "variants[1].name"));
    v[1].name = "a";
    CHECK(crm_campaign_create(db, &c, &id) == CRM_INVALID_INPUT);
    v[1].name = "B";
    v[0].control = v[1].control = 1;
    CHECK(crm_campaign_create(db, &c, &id) == CRM_INVALID_INPUT);
    v[0].control = v[1].control = 0;
    v[1].struct_size = 4;
    CHECK(crm_campaign_create(db, &c, &id) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(db), "struct_size"));
    v[1].struct_size = sizeof v[1];
    c.variants = NULL;
    CHECK(crm_campaign_create(db, &c, &id) == CRM_INVALID_ARGUMENT);
    c.variants = v;
    /* NULL pointers and a bad struct_size. */
    c.name = NULL;
    CHECK(crm_campaign_create(db, &c, &id) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(db), "campaign->name"));
    c.name = "Spring";
    c.struct_size = 8;
    CHECK(crm_campaign_create(db, &c, &id) == CRM_INVALID_ARGUMENT);
    CHECK(CONTAINS(crm_errmsg(db), "crm_new_campaign_init"));
    c.struct_size = sizeof c;
    CHECK(crm_campaign_create(db, NULL, &id) == CRM_INVALID_ARGUMENT);
    CHECK(crm_campaign_create(NULL, &c, &id) == CRM_INVALID_ARGUMENT);
    CHECK(crm_errcode(NULL) == CRM_INVALID_ARGUMENT);
    CHECK(id == -1);
    CHECK(count_campaigns(db) == 0);

    /* The same campaign, now valid, and its name taken. */
    CHECK(crm_campaign_create(db, &c, &id) == CRM_OK);
    CHECK(crm_campaign_create(db, &c, NULL) == CRM_ALREADY_EXISTS);
    CHECK(count_campaigns(db) == 1);

    got = (crm_campaign *)&now;
    CHECK(crm_campaign_get(db, 999, &got) == CRM_NOT_FOUND);
    CHECK(got == NULL);
    CHECK(crm_campaign_get_by_name(db, NULL, &got) == CRM_INVALID_ARGUMENT);
    CHECK(crm_campaign_get(db, id, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(crm_campaign_get(NULL, id, &got) == CRM_INVALID_ARGUMENT);
    CHECK(crm_campaign_members(db, 999, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(crm_campaign_events(db, id, 0, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(crm_campaign_count(db, NULL, NULL) == CRM_INVALID_ARGUMENT);
    CHECK(crm_campaign_delete(NULL, id, 1) == CRM_INVALID_ARGUMENT);
    CHECK(count_campaigns(db) == 1);

    /* Accessors and destructors take NULL. */
    CHECK(crm_campaign_id(NULL) == 0 && crm_campaign_name(NULL) == NULL);
    CHECK(crm_campaign_started_at(NULL) == CRM_TIME_NONE);
    CHECK(crm_campaign_report_variants_len(NULL) == 0);
    CHECK(IS_NAN(crm_campaign_report_roi(NULL)));
    CHECK(crm_event_report_recorded(NULL) == 0);
    crm_campaign_free(NULL);
    crm_campaign_list_free(NULL);
    crm_campaign_member_list_free(NULL);
    crm_campaign_event_list_free(NULL);
    crm_event_report_free(NULL);
    crm_campaign_report_free(NULL);
    crm_variant_init(NULL, 0);
    crm_new_campaign_init(NULL, 0);
    crm_campaign_patch_init(NULL, 0);
    crm_evaluation_options_init(NULL, 0);
    crm_close(db);
}

int main(void) {
    test_stats_match_statsmodels_and_scipy();
    test_stats_refuse_bad_input();
    test_lifecycle_and_members();
    test_illegal_transitions_leave_the_store_unchanged();
    test_events_one_by_one_and_in_bulk();
    test_evaluation_reproduces_the_tests();
    test_campaign_filters();
    test_find_update_delete();
    test_bad_input_changes_nothing();
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
