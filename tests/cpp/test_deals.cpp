// Pipelines and deals from C++17: RAII over the handle, pipelines, deals and the view lists
// (unique_ptr with the library's destructors), error codes turned into exceptions that carry the
// code and message. Built by `make test-c` with -std=c++17 -pedantic, linked statically and
// dynamically, run under valgrind.
#include <crm.h>

#include <cmath>
#include <cstdio>
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
struct FreeDeal { void operator()(crm_deal *p) const { crm_deal_free(p); } };
struct FreePipeline { void operator()(crm_pipeline *p) const { crm_pipeline_free(p); } };
struct FreeHistory {
    void operator()(crm_stage_change_list *p) const { crm_stage_change_list_free(p); }
};
struct FreeValues { void operator()(crm_stage_value_list *p) const { crm_stage_value_list_free(p); } };
struct FreeRates { void operator()(crm_win_rate_list *p) const { crm_win_rate_list_free(p); } };

using Db = std::unique_ptr<crm_db, Close>;
using Deal = std::unique_ptr<crm_deal, FreeDeal>;
using Pipeline = std::unique_ptr<crm_pipeline, FreePipeline>;
using History = std::unique_ptr<crm_stage_change_list, FreeHistory>;
using Values = std::unique_ptr<crm_stage_value_list, FreeValues>;
using Rates = std::unique_ptr<crm_win_rate_list, FreeRates>;

std::string str(const char *s) { return s != nullptr ? s : "(null)"; }

int64_t fixed_clock(void *ctx) { return *static_cast<const int64_t *>(ctx); }

const int64_t T0 = INT64_C(1767225600000000);
const int64_t DAY = INT64_C(86400000000);

Db open_at(int64_t *now) {
    crm_open_options options;
    crm_open_options_init(&options, sizeof options);
    options.clock = fixed_clock;
    options.clock_ctx = now;
    options.principal = "li";
    crm_db *raw = nullptr;
    ok(crm_open(":memory:", &options, &raw));
    return Db(raw);
}

Deal get(crm_db *db, int64_t id) {
    crm_deal *raw = nullptr;
    ok(crm_deal_get(db, id, &raw), db);
    return Deal(raw);
}

void test_pipeline_and_deals() {
    int64_t now = T0 + 30 * DAY;
    Db db = open_at(&now);
    crm_new_customer c;
    crm_new_customer_init(&c, sizeof c);
    c.name = "Ada";
    int64_t ada = 0;
    ok(crm_customer_add(db.get(), &c, &ada), db.get());

    std::vector<const char *> stages{"Lead", "Proposal"};
    std::vector<double> probabilities{0.2, 0.5};
    ok(crm_pipeline_create(db.get(), "Sales", stages.size(), stages.data(), probabilities.data(),
                           nullptr),
       db.get());
    crm_pipeline *raw_p = nullptr;
    ok(crm_pipeline_get(db.get(), "sales", &raw_p), db.get());
    Pipeline p(raw_p);
    CHECK(crm_pipeline_stages_len(p.get()) == 2);
    CHECK(str(crm_pipeline_stage_name(p.get(), 1)) == "Proposal");

    crm_new_deal d;
    crm_new_deal_init(&d, sizeof d);
    d.pipeline = "Sales";
    d.customer_id = ada;
    d.name = "Licence";
    d.amount = 100000;
    d.currency = "EUR";
    d.expected_close = "2026-03-31";
    d.created_at = T0;
    int64_t id = 0;
    ok(crm_deal_create(db.get(), &d, &id), db.get());

    // An unknown stage throws CRM_INVALID_INPUT listing the stages; the deal stays in Lead.
    try {
        ok(crm_deal_move_to(db.get(), id, "Closing", CRM_TIME_NOW, nullptr), db.get());
        CHECK(false);
    } catch (const Error &e) {
        CHECK(e.code == CRM_INVALID_INPUT);
        CHECK(std::string(e.what()).find("Lead, Proposal") != std::string::npos);
    }
    CHECK(str(crm_deal_stage(get(db.get(), id).get())) == "Lead");

    crm_deal *raw_d = nullptr;
    ok(crm_deal_move_to(db.get(), id, "proposal", T0 + 4 * DAY, &raw_d), db.get());
    Deal moved(raw_d);
    CHECK(str(crm_deal_stage(moved.get())) == "Proposal");
    CHECK(crm_deal_version(moved.get()) == 2);

    crm_stage_value_list *raw_v = nullptr;
    ok(crm_deal_value_by_stage(db.get(), "Sales", &raw_v), db.get());
    Values values(raw_v);
    CHECK(crm_stage_value_list_len(values.get()) == 2);
    CHECK(crm_stage_value_list_amount(values.get(), 1) == 100000);
    CHECK(std::fabs(crm_stage_value_list_weighted(values.get(), 1) - 50000.0) < 1e-9);

    ok(crm_deal_win(db.get(), id, T0 + 10 * DAY, nullptr), db.get());
    try {
        ok(crm_deal_lose(db.get(), id, "price", CRM_TIME_NOW, nullptr), db.get());
        CHECK(false);
    } catch (const Error &e) {
        CHECK(e.code == CRM_ILLEGAL_TRANSITION);
        CHECK(std::string(e.what()).find("won") != std::string::npos);
        CHECK(std::string(e.what()).find("lost") != std::string::npos);
    }
    Deal won = get(db.get(), id);
    CHECK(str(crm_deal_status(won.get())) == "won");
    CHECK(crm_deal_closed_at(won.get()) == T0 + 10 * DAY);
    CHECK(str(crm_deal_expected_close(won.get())) == "2026-03-31");

    crm_stage_change_list *raw_h = nullptr;
    ok(crm_deal_history(db.get(), id, &raw_h), db.get());
    History history(raw_h);
    CHECK(crm_stage_change_list_len(history.get()) == 2);
    CHECK(crm_stage_change_list_from_stage(history.get(), 0) == nullptr);
    CHECK(str(crm_stage_change_list_by(history.get(), 1)) == "li");

    crm_win_rate_list *raw_w = nullptr;
    ok(crm_deal_win_rates(db.get(), "Sales", "owner", &raw_w), db.get());
    Rates rates(raw_w);
    CHECK(crm_win_rate_list_len(rates.get()) == 1);
    CHECK(str(crm_win_rate_list_key(rates.get(), 0)) == "li");
    CHECK(crm_win_rate_list_rate(rates.get(), 0) == 1.0);
    CHECK(std::fabs(crm_win_rate_list_average_cycle(rates.get(), 0) - 10.0 * DAY) < 1.0);

    try {
        ok(crm_pipeline_delete(db.get(), "Sales"), db.get());
        CHECK(false);
    } catch (const Error &e) {
        CHECK(e.code == CRM_CONSTRAINT);
    }
    ok(crm_deal_delete(db.get(), id), db.get());
    ok(crm_pipeline_delete(db.get(), "Sales"), db.get());
}

}  // namespace

int main() {
    try {
        test_pipeline_and_deals();
    } catch (const Error &e) {
        std::fprintf(stderr, "unexpected error %d: %s\n", e.code, e.what());
        ++failed;
    }
    std::printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
