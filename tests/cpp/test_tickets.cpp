// Service tickets and SLAs from C++17: RAII over the handle, tickets, lists, SLA states and
// results (unique_ptr with the library's destructors), rows read into std::vector. Built by
// `make test-c` with -std=c++17 -pedantic, linked statically and dynamically, run under valgrind.
#include <crm.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
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

struct Close { void operator()(crm_db *p) const { crm_close(p); } };
struct FreeTicket { void operator()(crm_ticket *p) const { crm_ticket_free(p); } };
struct FreeHistory {
    void operator()(crm_ticket_history_list *p) const { crm_ticket_history_list_free(p); }
};
struct FreeComments {
    void operator()(crm_ticket_comment_list *p) const { crm_ticket_comment_list_free(p); }
};
struct FreeQueue { void operator()(crm_ticket_queue_list *p) const { crm_ticket_queue_list_free(p); } };
struct FreeSla { void operator()(crm_sla_state *p) const { crm_sla_state_free(p); } };
struct FreeBreaches { void operator()(crm_sla_breach_list *p) const { crm_sla_breach_list_free(p); } };
struct FreeStats { void operator()(crm_ticket_stats *p) const { crm_ticket_stats_free(p); } };
struct FreeFilter { void operator()(crm_filter *p) const { crm_filter_free(p); } };

using Db = std::unique_ptr<crm_db, Close>;
using Ticket = std::unique_ptr<crm_ticket, FreeTicket>;
using History = std::unique_ptr<crm_ticket_history_list, FreeHistory>;
using Comments = std::unique_ptr<crm_ticket_comment_list, FreeComments>;
using Queue = std::unique_ptr<crm_ticket_queue_list, FreeQueue>;
using Sla = std::unique_ptr<crm_sla_state, FreeSla>;
using Breaches = std::unique_ptr<crm_sla_breach_list, FreeBreaches>;
using Stats = std::unique_ptr<crm_ticket_stats, FreeStats>;
using Filter = std::unique_ptr<crm_filter, FreeFilter>;

using Strings = std::vector<std::string>;

std::string str(const char *s) { return s != nullptr ? s : "(null)"; }

int64_t fixed_clock(void *ctx) { return *static_cast<const int64_t *>(ctx); }

const int64_t MIN = INT64_C(60000000);
const int64_t HOUR = 60 * MIN;
const int64_t DAY = 24 * HOUR;
const int64_t MON = INT64_C(1767225600000000) + 123 * DAY;  // 2026-05-04T00:00:00Z, a Monday

int64_t at(int64_t day, int64_t h, int64_t m) { return MON + day * DAY + h * HOUR + m * MIN; }

Db open_at(int64_t *now) {
    crm_open_options options;
    crm_open_options_init(&options, sizeof options);
    options.clock = fixed_clock;
    options.clock_ctx = now;
    options.principal = "li.wei";
    options.role = "agent";
    crm_db *raw = nullptr;
    CHECK(crm_open(":memory:", &options, &raw) == CRM_OK);
    return Db(raw);
}

int64_t add_customer(crm_db *db, const char *name) {
    crm_new_customer c;
    crm_new_customer_init(&c, sizeof c);
    c.name = name;
    int64_t id = 0;
    CHECK(crm_customer_add(db, &c, &id) == CRM_OK);
    return id;
}

int64_t open_ticket(crm_db *db, int64_t customer, const char *subject, const char *priority,
                    int64_t created) {
    crm_new_ticket t;
    crm_new_ticket_init(&t, sizeof t);
    t.customer_id = customer;
    t.subject = subject;
    t.channel = "chat";
    t.priority = priority;
    t.created_at = created;
    int64_t id = 0;
    CHECK(crm_ticket_open(db, &t, &id) == CRM_OK);
    return id;
}

void set_policy(crm_db *db, const char *priority, int64_t first, int64_t resolution) {
    crm_sla_policy p;
    crm_sla_policy_init(&p, sizeof p);
    p.priority = priority;
    p.first_response_minutes = first;
    p.resolution_minutes = resolution;
    CHECK(crm_sla_policy_set(db, &p) == CRM_OK);
}

Ticket get(crm_db *db, int64_t id) {
    crm_ticket *raw = nullptr;
    CHECK(crm_ticket_get(db, id, &raw) == CRM_OK);
    return Ticket(raw);
}

Sla sla(crm_db *db, int64_t id, int64_t now) {
    crm_sla_state *raw = nullptr;
    CHECK(crm_ticket_sla(db, id, now, &raw) == CRM_OK);
    return Sla(raw);
}

// "from>to" for each step of the history.
Strings steps(crm_db *db, int64_t id) {
    crm_ticket_history_list *raw = nullptr;
    CHECK(crm_ticket_history(db, id, &raw) == CRM_OK);
    History h(raw);
    Strings out;
    for (size_t i = 0; i < crm_ticket_history_list_len(h.get()); ++i) {
        out.push_back(str(crm_ticket_history_list_from(h.get(), i)) + ">" +
                      str(crm_ticket_history_list_to(h.get(), i)));
    }
    return out;
}

void test_workflow_and_comments() {
    int64_t now = at(0, 9, 0);
    Db db = open_at(&now);
    int64_t ada = add_customer(db.get(), "Ada");
    set_policy(db.get(), "high", 60, 8 * 60);
    int64_t id = open_ticket(db.get(), ada, "Checkout down", "high", CRM_TIME_NOW);
    CHECK(crm_ticket_first_response_due(get(db.get(), id).get()) == at(0, 10, 0));

    now = at(0, 9, 10);
    crm_new_ticket_comment c;
    crm_new_ticket_comment_init(&c, sizeof c);
    c.body = "Looking into it";
    CHECK(crm_ticket_comment_add(db.get(), id, &c, nullptr) == CRM_OK);
    Ticket t = get(db.get(), id);
    CHECK(crm_ticket_first_response_at(t.get()) == at(0, 9, 10));
    CHECK(crm_ticket_first_response_due(t.get()) == CRM_TIME_NONE);

    now = at(0, 9, 30);
    CHECK(crm_ticket_transition(db.get(), id, "open", CRM_TIME_NOW, nullptr) == CRM_OK);
    // Illegal: both states named, nothing changed.
    crm_ticket *raw = nullptr;
    CHECK(crm_ticket_transition(db.get(), id, "closed", CRM_TIME_NOW, &raw) ==
          CRM_ILLEGAL_TRANSITION);
    CHECK(raw == nullptr);
    CHECK(str(crm_errmsg(db.get())) == "illegal ticket transition from open to closed");
    CHECK(crm_ticket_version(get(db.get(), id).get()) == 3);

    now = at(0, 9, 45);
    CHECK(crm_ticket_transition(db.get(), id, "resolved", CRM_TIME_NOW, nullptr) == CRM_OK);
    CHECK(crm_ticket_reopen(db.get(), id, CRM_TIME_NOW, &raw) == CRM_OK);
    t.reset(raw);
    CHECK(str(crm_ticket_status(t.get())) == "open");
    CHECK(crm_ticket_resolved_at(t.get()) == CRM_TIME_NONE);
    CHECK(steps(db.get(), id) ==
          (Strings{"(null)>new", "new>open", "open>resolved", "resolved>open"}));

    crm_ticket_comment_list *raw_c = nullptr;
    CHECK(crm_ticket_comments(db.get(), id, &raw_c) == CRM_OK);
    Comments comments(raw_c);
    CHECK(crm_ticket_comment_list_len(comments.get()) == 1);
    CHECK(str(crm_ticket_comment_list_author(comments.get(), 0)) == "li.wei");
    CHECK(crm_ticket_comment_list_public(comments.get(), 0) == 1);
}

void test_sla_queue_and_breaches() {
    int64_t now = at(0, 12, 0);
    Db db = open_at(&now);
    int64_t ada = add_customer(db.get(), "Ada");
    set_policy(db.get(), "high", 60, 4 * 60);
    crm_sla_policy bad;
    crm_sla_policy_init(&bad, sizeof bad);
    bad.priority = "normal";
    bad.first_response_minutes = -1;
    bad.resolution_minutes = 60;
    CHECK(crm_sla_policy_set(db.get(), &bad) == CRM_INVALID_INPUT);

    int64_t old = open_ticket(db.get(), ada, "old", "high", at(0, 7, 0));      // overdue
    int64_t fresh = open_ticket(db.get(), ada, "fresh", "high", at(0, 11, 30)); // due 12:30
    int64_t low = open_ticket(db.get(), ada, "low", "low", at(0, 6, 0));        // no policy
    int64_t urgent = open_ticket(db.get(), ada, "urgent", "urgent", at(0, 11, 0));

    crm_ticket_queue_list *raw_q = nullptr;
    CHECK(crm_ticket_queue(db.get(), 10, CRM_TIME_NOW, &raw_q) == CRM_OK);
    Queue q(raw_q);
    std::vector<int64_t> order;
    for (size_t i = 0; i < crm_ticket_queue_list_len(q.get()); ++i) {
        order.push_back(crm_ticket_id(crm_ticket_queue_list_ticket(q.get(), i)));
    }
    CHECK(order == (std::vector<int64_t>{urgent, old, fresh, low}));
    CHECK(crm_ticket_queue_list_sla(q.get(), 0) == nullptr);
    CHECK(crm_sla_state_first_response_breach_by(crm_ticket_queue_list_sla(q.get(), 1)) ==
          4 * HOUR);

    // Deterministic: the old ticket's resolution was due at 11:00; at 13:00 two hours over.
    Sla s = sla(db.get(), old, at(0, 13, 0));
    CHECK(s != nullptr);
    CHECK(crm_sla_state_resolution_breached(s.get()) == 1);
    CHECK(crm_sla_state_resolution_breach_by(s.get()) == 2 * HOUR);
    CHECK(crm_sla_state_resolution_breached_at(s.get()) == at(0, 11, 0));
    CHECK(sla(db.get(), low, CRM_TIME_NOW) == nullptr);

    // Pending stops the resolution clock: no deadline while waiting, breaches stay as they were.
    CHECK(crm_ticket_transition(db.get(), fresh, "pending", at(0, 12, 0), nullptr) == CRM_OK);
    Sla paused = sla(db.get(), fresh, at(1, 12, 0));
    CHECK(crm_sla_state_paused(paused.get()) == 1);
    CHECK(crm_sla_state_resolution_due(paused.get()) == CRM_TIME_NONE);
    CHECK(crm_sla_state_resolution_elapsed(paused.get()) == 30 * MIN);

    crm_sla_breach_list *raw_b = nullptr;
    CHECK(crm_sla_breaches(db.get(), at(0, 12, 0), &raw_b) == CRM_OK);
    Breaches b(raw_b);
    std::vector<std::pair<int64_t, std::string>> got;
    for (size_t i = 0; i < crm_sla_breach_list_len(b.get()); ++i) {
        got.emplace_back(crm_sla_breach_list_ticket_id(b.get(), i),
                         str(crm_sla_breach_list_target(b.get(), i)));
    }
    CHECK(got == (std::vector<std::pair<int64_t, std::string>>{{old, "first_response"},
                                                                {old, "resolution"}}));

    crm_business_hours h;
    crm_business_hours_init(&h, sizeof h);
    CHECK(crm_business_hours_get(db.get(), &h) == CRM_OK);
    CHECK(h.days == 31u && h.open_seconds == 9 * 3600 && h.close_seconds == 17 * 3600);
}

void test_stats() {
    int64_t now = at(1, 12, 0);
    Db db = open_at(&now);
    int64_t ada = add_customer(db.get(), "Ada");
    int64_t a = open_ticket(db.get(), ada, "a", nullptr, at(0, 9, 0));
    int64_t b = open_ticket(db.get(), ada, "b", nullptr, at(0, 9, 0));
    open_ticket(db.get(), ada, "c", "low", at(0, 9, 0));
    CHECK(crm_ticket_transition(db.get(), a, "resolved", at(0, 10, 0), nullptr) == CRM_OK);
    CHECK(crm_ticket_transition(db.get(), b, "resolved", at(0, 12, 0), nullptr) == CRM_OK);

    crm_ticket_stats *raw = nullptr;
    CHECK(crm_ticket_stats_compute(db.get(), nullptr, &raw) == CRM_OK);
    Stats s(raw);
    CHECK(crm_ticket_stats_total(s.get()) == 3);
    CHECK(crm_ticket_stats_mean_resolution(s.get()) == static_cast<double>(2 * HOUR));
    CHECK(crm_ticket_stats_median_resolution(s.get()) == static_cast<double>(2 * HOUR));
    CHECK(std::isnan(crm_ticket_stats_mean_first_response(s.get())));
    Strings statuses;
    for (size_t i = 0; i < crm_ticket_stats_status_len(s.get()); ++i) {
        statuses.push_back(str(crm_ticket_stats_status_name(s.get(), i)) + "=" +
                           std::to_string(crm_ticket_stats_status_count(s.get(), i)));
    }
    CHECK(statuses == (Strings{"new=1", "open=0", "pending=0", "resolved=2", "closed=0"}));

    crm_filter *raw_f = nullptr;
    CHECK(crm_filter_parse("priority < 'normal'", &raw_f) == CRM_OK);
    Filter low(raw_f);
    int64_t n = -1;
    CHECK(crm_ticket_count(db.get(), low.get(), &n) == CRM_OK);
    CHECK(n == 1);
    CHECK(crm_ticket_count(nullptr, low.get(), &n) == CRM_INVALID_ARGUMENT);
    CHECK(crm_ticket_stats_compute(db.get(), nullptr, nullptr) == CRM_INVALID_ARGUMENT);
}

}  // namespace

int main() {
    test_workflow_and_comments();
    test_sla_queue_and_breaches();
    test_stats();
    std::printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
