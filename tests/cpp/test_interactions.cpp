// Interactions from C++17: RAII over the handle, interactions, lists and filters (unique_ptr with
// the library's destructors), a timeline read into std::vector. Built by `make test-c` with
// -std=c++17 -pedantic, linked statically and dynamically, run under valgrind.
#include <crm.h>

#include <cstdio>
#include <cstring>
#include <memory>
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

struct Close { void operator()(crm_db *p) const { crm_close(p); } };
struct FreeInteraction { void operator()(crm_interaction *p) const { crm_interaction_free(p); } };
struct FreeList { void operator()(crm_interaction_list *p) const { crm_interaction_list_free(p); } };
struct FreeFilter { void operator()(crm_filter *p) const { crm_filter_free(p); } };

using Db = std::unique_ptr<crm_db, Close>;
using Interaction = std::unique_ptr<crm_interaction, FreeInteraction>;
using List = std::unique_ptr<crm_interaction_list, FreeList>;
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

// The subjects of a timeline, in its order.
std::vector<std::string> subjects(const List &list) {
    std::vector<std::string> out;
    for (size_t i = 0; i < crm_interaction_list_len(list.get()); ++i) {
        out.push_back(str(crm_interaction_subject(crm_interaction_list_get(list.get(), i))));
    }
    return out;
}

void test_timeline() {
    int64_t now = T0 + 10 * DAY;
    Db db = open_at(&now);
    int64_t ada = add_customer(db.get(), "Ada");

    const char *channels[] = {"email", "phone", "chat", "phone"};
    const char *subject[] = {"first", "second", "third", "fourth"};
    std::vector<int64_t> ids;
    for (int i = 0; i < 4; ++i) {
        crm_new_interaction n;
        crm_new_interaction_init(&n, sizeof n);
        n.customer_id = ada;
        n.channel = channels[i];
        n.occurred_at = T0 + i * DAY;
        n.subject = subject[i];
        n.metadata_json = i == 3 ? "{\"agent\":\"li\"}" : nullptr;
        int64_t id = 0;
        CHECK(crm_interaction_add(db.get(), &n, &id) == CRM_OK);
        ids.push_back(id);
    }

    crm_interaction *raw_it = nullptr;
    CHECK(crm_interaction_get(db.get(), ids[3], &raw_it) == CRM_OK);
    Interaction last(raw_it);
    CHECK(str(crm_interaction_metadata_json(last.get())) == "{\"agent\":\"li\"}");
    CHECK(str(crm_interaction_kind(last.get())) == "note");
    CHECK(crm_interaction_created_at(last.get()) == now);

    crm_interaction_list *raw = nullptr;
    CHECK(crm_interaction_timeline(db.get(), ada, nullptr, nullptr, &raw) == CRM_OK);
    List all(raw);
    CHECK(subjects(all) == (std::vector<std::string>{"fourth", "third", "second", "first"}));

    crm_filter *raw_f = nullptr;
    CHECK(crm_filter_text("channel", CRM_OP_EQ, "phone", &raw_f) == CRM_OK);
    Filter phone(raw_f);
    crm_find_options opts;
    crm_find_options_init(&opts, sizeof opts);
    opts.limit = 1;
    raw = nullptr;
    CHECK(crm_interaction_timeline(db.get(), ada, phone.get(), &opts, &raw) == CRM_OK);
    List newest_call(raw);
    CHECK(subjects(newest_call) == (std::vector<std::string>{"fourth"}));
    int64_t n = -1;
    CHECK(crm_interaction_count(db.get(), phone.get(), &n) == CRM_OK);
    CHECK(n == 2);

    // Lists and objects outlive the handle.
    db.reset();
    CHECK(crm_interaction_list_len(all.get()) == 4);
    CHECK(crm_interaction_id(last.get()) == ids[3]);
}

void test_bad_input() {
    int64_t now = T0;
    Db db = open_at(&now);
    int64_t ada = add_customer(db.get(), "Ada");

    crm_new_interaction n;
    crm_new_interaction_init(&n, sizeof n);
    n.customer_id = ada;
    n.channel = "email";
    n.metadata_json = "{\"a\": }";
    CHECK(crm_interaction_add(db.get(), &n, nullptr) == CRM_PARSE);
    CHECK(std::strstr(crm_errmsg(db.get()), "metadata") != nullptr);
    n.metadata_json = "42";
    CHECK(crm_interaction_add(db.get(), &n, nullptr) == CRM_INVALID_INPUT);
    n.metadata_json = nullptr;
    n.channel = "fax";
    CHECK(crm_interaction_add(db.get(), &n, nullptr) == CRM_INVALID_INPUT);

    crm_interaction_list *raw = reinterpret_cast<crm_interaction_list *>(&n);
    CHECK(crm_interaction_timeline(db.get(), ada + 1, nullptr, nullptr, &raw) == CRM_NOT_FOUND);
    CHECK(raw == nullptr);
    int64_t count = -1;
    CHECK(crm_interaction_count(db.get(), nullptr, &count) == CRM_OK);
    CHECK(count == 0);
}

}  // namespace

int main() {
    test_timeline();
    test_bad_input();
    std::printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
