// Campaigns and proportion statistics from C++17: RAII over the handle, campaigns, member lists,
// event and evaluation reports (unique_ptr with the library's destructors), error codes turned
// into exceptions that carry the code and message. Built by `make test-c` with -std=c++17
// -pedantic, linked statically and dynamically, run under valgrind.
#include <crm.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>
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

// A failed call as an exception: the code and the message of the handle (or the thread).
struct Error : std::runtime_error {
    int code;
    Error(int c, const char *msg) : std::runtime_error(msg != nullptr ? msg : ""), code(c) {}
};

void ok(int code, const crm_db *db = nullptr) {
    if (code != CRM_OK) {
        throw Error(code, crm_errmsg(db));
    }
}

struct Close { void operator()(crm_db *p) const { crm_close(p); } };
struct FreeCampaign { void operator()(crm_campaign *p) const { crm_campaign_free(p); } };
struct FreeMembers {
    void operator()(crm_campaign_member_list *p) const { crm_campaign_member_list_free(p); }
};
struct FreeEvents { void operator()(crm_event_report *p) const { crm_event_report_free(p); } };
struct FreeReport { void operator()(crm_campaign_report *p) const { crm_campaign_report_free(p); } };
struct FreeFilter { void operator()(crm_filter *p) const { crm_filter_free(p); } };

using Db = std::unique_ptr<crm_db, Close>;
using Campaign = std::unique_ptr<crm_campaign, FreeCampaign>;
using Members = std::unique_ptr<crm_campaign_member_list, FreeMembers>;
using EventReport = std::unique_ptr<crm_event_report, FreeEvents>;
using Report = std::unique_ptr<crm_campaign_report, FreeReport>;
using Filter = std::unique_ptr<crm_filter, FreeFilter>;

std::string str(const char *s) { return s != nullptr ? s : "(null)"; }

int64_t fixed_clock(void *ctx) { return *static_cast<const int64_t *>(ctx); }

const int64_t T0 = INT64_C(1767225600000000);
const int64_t DAY = INT64_C(86400000000);

Db open_at(int64_t *now) {
    crm_open_options options;
    crm_open_options_init(&options, sizeof options);
    options.clock = fixed_clock;
    options.clock_ctx = now;
    crm_db *raw = nullptr;
    ok(crm_open(":memory:", &options, &raw));
    return Db(raw);
}

std::vector<int64_t> add_customers(crm_db *db, size_t n) {
    std::vector<std::string> names;
    std::vector<const char *> ptrs;
    for (size_t i = 0; i < n; ++i) {
        names.push_back("c" + std::to_string(i));
    }
    for (const auto &s : names) {
        ptrs.push_back(s.c_str());
    }
    crm_customer_columns cols;
    crm_customer_columns_init(&cols, sizeof cols);
    cols.name = ptrs.data();
    std::vector<int64_t> ids(n);
    ok(crm_customer_add_many(db, n, &cols, ids.data()), db);
    return ids;
}

int64_t plan(crm_db *db, const char *name) {
    crm_variant v[2];
    crm_variant_init(&v[0], sizeof v[0]);
    crm_variant_init(&v[1], sizeof v[1]);
    v[0].name = "A";
    v[0].share = 0.5;
    v[1].name = "control";
    v[1].share = 0.5;
    v[1].control = 1;
    crm_new_campaign c;
    crm_new_campaign_init(&c, sizeof c);
    c.name = name;
    c.channel = "email";
    c.segment = "everyone";
    c.variants = v;
    c.variants_len = 2;
    c.has_seed = 1;
    c.seed = 7;
    int64_t id = 0;
    ok(crm_campaign_create(db, &c, &id), db);
    return id;
}

bool near(double a, double b) { return std::fabs(a - b) < 1e-9; }

void test_stats() {
    double z = 0, p = 0, chi = 0;
    ok(crm_stats_proportions_ztest(4, 20, 2, 20, CRM_ALTERNATIVE_TWO_SIDED, &z, &p));
    CHECK(near(z, 0.8856148855400953) && near(p, 0.37582508748869836));
    const int64_t table[4] = {4, 16, 2, 18};
    ok(crm_stats_chi2_contingency(table, 2, 2, 0, &chi, &p, nullptr, nullptr));
    CHECK(near(chi, 0.7843137254901961));
    int64_t n1 = 0, n2 = 0;
    ok(crm_stats_samplesize_proportions_2indep_ceil(0.12, 0.10, 0.05, 0.8, 1.0,
                                                    CRM_ALTERNATIVE_TWO_SIDED, &n1, &n2));
    CHECK(n1 == 3835 && n2 == 3835);
    try {
        ok(crm_stats_proportions_ztest(30, 20, 2, 20, CRM_ALTERNATIVE_TWO_SIDED, &z, &p));
        CHECK(false);
    } catch (const Error &e) {
        CHECK(e.code == CRM_INVALID_INPUT);
        CHECK(std::string(e.what()).find("count[0]") != std::string::npos);
    }
}

void test_campaign_round_trip() {
    int64_t now = T0;
    Db db = open_at(&now);
    std::vector<int64_t> ids = add_customers(db.get(), 40);
    ok(crm_segment_save_text(db.get(), "everyone", ""), db.get());
    int64_t id = plan(db.get(), "AB");

    // A transition out of order throws, naming both states; the campaign stays a draft.
    try {
        ok(crm_campaign_complete(db.get(), id, CRM_TIME_NOW, nullptr), db.get());
        CHECK(false);
    } catch (const Error &e) {
        CHECK(e.code == CRM_ILLEGAL_TRANSITION);
        CHECK(std::string(e.what()).find("draft") != std::string::npos);
        CHECK(std::string(e.what()).find("completed") != std::string::npos);
    }
    ok(crm_campaign_schedule(db.get(), id, CRM_TIME_NOW, nullptr), db.get());
    now = T0 + DAY;
    crm_campaign *raw = nullptr;
    ok(crm_campaign_start(db.get(), id, CRM_TIME_NOW, &raw), db.get());
    Campaign c(raw);
    CHECK(str(crm_campaign_status(c.get())) == "running");
    CHECK(crm_campaign_started_at(c.get()) == T0 + DAY);

    crm_campaign_member_list *raw_m = nullptr;
    ok(crm_campaign_members(db.get(), id, &raw_m), db.get());
    Members members(raw_m);
    std::vector<int64_t> a, control;
    for (size_t i = 0; i < crm_campaign_member_list_len(members.get()); ++i) {
        (crm_campaign_member_list_control(members.get(), i) ? control : a)
            .push_back(crm_campaign_member_list_customer_id(members.get(), i));
    }
    CHECK(a.size() == 20 && control.size() == 20);

    // Conversions 4 of 20 against 2 of 20, in one batch with one refused event.
    std::vector<int64_t> who{a[0], a[1], a[2], a[3], control[0], control[1], control[2]};
    std::vector<const char *> kinds(who.size(), "converted");
    kinds[6] = "opened";
    crm_event_report *raw_e = nullptr;
    ok(crm_campaign_record_events(db.get(), id, who.size(), who.data(), kinds.data(), nullptr,
                                  &raw_e),
       db.get());
    EventReport events(raw_e);
    CHECK(crm_event_report_recorded(events.get()) == 6);
    CHECK(crm_event_report_rejected_len(events.get()) == 1);
    CHECK(crm_event_report_rejected_index(events.get(), 0) == 6);
    CHECK(str(crm_event_report_rejected_reason(events.get(), 0)) == "control_group");

    crm_evaluation_options o;
    crm_evaluation_options_init(&o, sizeof o);
    o.yates = 0;
    crm_campaign_report *raw_r = nullptr;
    ok(crm_campaign_evaluate(db.get(), id, &o, &raw_r), db.get());
    Report r(raw_r);
    CHECK(crm_campaign_report_uplift_len(r.get()) == 1);
    CHECK(near(crm_campaign_report_uplift_z(r.get(), 0), 0.8856148855400953));
    CHECK(near(crm_campaign_report_uplift_chi2(r.get(), 0), 0.7843137254901961));
    CHECK(crm_campaign_report_variant_converted(r.get(), 0) == 4);
    CHECK(std::isnan(crm_campaign_report_roi(r.get())));

    crm_filter *raw_f = nullptr;
    ok(crm_filter_in_campaign("AB", "control", &raw_f));
    Filter f(raw_f);
    int64_t n = -1;
    ok(crm_customer_count(db.get(), f.get(), &n), db.get());
    CHECK(n == 20);

    // A non-member's event throws; the store keeps its events.
    try {
        ok(crm_campaign_record_event(db.get(), id, ids[0] + 1000, "sent", CRM_TIME_NOW, nullptr),
           db.get());
        CHECK(false);
    } catch (const Error &e) {
        CHECK(e.code == CRM_INVALID_INPUT);
        CHECK(std::string(e.what()).find("not a member") != std::string::npos);
    }
    try {
        ok(crm_campaign_delete(db.get(), id, 0), db.get());
        CHECK(false);
    } catch (const Error &e) {
        CHECK(e.code == CRM_CONSTRAINT);
    }
    ok(crm_campaign_delete(db.get(), id, 1), db.get());
}

}  // namespace

int main() {
    try {
        test_stats();
        test_campaign_round_trip();
    } catch (const Error &e) {
        std::fprintf(stderr, "unexpected error %d: %s\n", e.code, e.what());
        ++failed;
    }
    std::printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
