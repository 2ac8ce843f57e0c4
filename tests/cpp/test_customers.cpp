// The C header from C++17: a small RAII layer (unique_ptr with the library's destructors) over
// the same calls as tests/c/test_customers.c, plus a few bad-input checks. Built by `make test-c`
// with -std=c++17 -pedantic, linked statically and dynamically, run under valgrind.
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

// One deleter type per destructor, so each handle frees itself.
struct Close { void operator()(crm_db *p) const { crm_close(p); } };
struct FreeCustomer { void operator()(crm_customer *p) const { crm_customer_free(p); } };
struct FreeList { void operator()(crm_customer_list *p) const { crm_customer_list_free(p); } };
struct FreeFilter { void operator()(crm_filter *p) const { crm_filter_free(p); } };

using Db = std::unique_ptr<crm_db, Close>;
using Customer = std::unique_ptr<crm_customer, FreeCustomer>;
using List = std::unique_ptr<crm_customer_list, FreeList>;
using Filter = std::unique_ptr<crm_filter, FreeFilter>;

std::string str(const char *s) { return s != nullptr ? s : "(null)"; }

Db open(const char *path, const crm_open_options *options = nullptr) {
    crm_db *raw = nullptr;
    CHECK(crm_open(path, options, &raw) == CRM_OK);
    return Db(raw);
}

Filter eq(const char *field, const char *value) {
    crm_filter *raw = nullptr;
    CHECK(crm_filter_text(field, CRM_OP_EQ, value, &raw) == CRM_OK);
    return Filter(raw);
}

Filter has_tag(const char *tag) {
    crm_filter *raw = nullptr;
    CHECK(crm_filter_has_tag(tag, &raw) == CRM_OK);
    return Filter(raw);
}

// The combinators take ownership, even on failure: hand over with release().
Filter both(Filter a, Filter b) {
    crm_filter *raw = nullptr;
    CHECK(crm_filter_and(a.release(), b.release(), &raw) == CRM_OK);
    return Filter(raw);
}

Filter negate(Filter a) {
    crm_filter *raw = nullptr;
    CHECK(crm_filter_not(a.release(), &raw) == CRM_OK);
    return Filter(raw);
}

int64_t count(crm_db *db, const Filter &f) {
    int64_t n = -1;
    CHECK(crm_customer_count(db, f.get(), &n) == CRM_OK);
    return n;
}

int64_t fixed_clock(void *ctx) { return *static_cast<const int64_t *>(ctx); }

void test_round_trip() {
    int64_t now = INT64_C(1767225600000000);
    crm_open_options options;
    crm_open_options_init(&options, sizeof options);
    options.clock = fixed_clock;
    options.clock_ctx = &now;
    Db db = open(":memory:", &options);

    std::vector<std::string> tags = {"VIP", "early"};
    std::vector<const char *> tag_ptrs;
    for (const auto &t : tags) tag_ptrs.push_back(t.c_str());

    crm_new_customer nc;
    crm_new_customer_init(&nc, sizeof nc);
    nc.name = "Ada Lovelace";
    nc.email = "ADA@example.com";
    nc.source = "web";
    nc.external_id = "A-1";
    nc.tags = tag_ptrs.data();
    nc.tags_len = tag_ptrs.size();
    int64_t id = 0;
    CHECK(crm_customer_add(db.get(), &nc, &id) == CRM_OK);

    crm_customer *raw = nullptr;
    CHECK(crm_customer_get(db.get(), id, &raw) == CRM_OK);
    Customer ada(raw);
    CHECK(str(crm_customer_email(ada.get())) == "ada@example.com");
    CHECK(str(crm_customer_tag(ada.get(), 0)) == "early");
    CHECK(str(crm_customer_tag(ada.get(), 1)) == "vip");
    CHECK(crm_customer_created_at(ada.get()) == now);

    crm_customer_patch u;
    crm_customer_patch_init(&u, sizeof u);
    u.set = CRM_SET_STAGE | CRM_SET_PHONE;
    u.stage = "customer";
    u.phone = "0086 138 0013 8000";
    u.expected_version = crm_customer_version(ada.get());
    raw = nullptr;
    CHECK(crm_customer_update(db.get(), id, &u, &raw) == CRM_OK);
    Customer updated(raw);
    CHECK(str(crm_customer_phone(updated.get())) == "+8613800138000");
    CHECK(crm_customer_version(updated.get()) == 2);
    CHECK(crm_customer_update(db.get(), id, &u, nullptr) == CRM_CONFLICT);

    std::vector<const char *> names = {"Bob", "Cy", "Dee"};
    std::vector<const char *> sources = {"web", "ads", "web"};
    std::vector<const char *> row_tags = {nullptr, "vip", "VIP, other"};
    crm_customer_columns cols;
    crm_customer_columns_init(&cols, sizeof cols);
    cols.name = names.data();
    cols.source = sources.data();
    cols.tags = row_tags.data();
    std::vector<int64_t> ids(names.size());
    CHECK(crm_customer_add_many(db.get(), names.size(), &cols, ids.data()) == CRM_OK);
    CHECK(ids[2] == ids[0] + 2);

    CHECK(count(db.get(), Filter()) == 4);
    CHECK(count(db.get(), eq("source", "web")) == 3);
    CHECK(count(db.get(), both(eq("source", "web"), has_tag("vip"))) == 2);
    CHECK(count(db.get(), negate(has_tag("vip"))) == 1);

    crm_find_options find;
    crm_find_options_init(&find, sizeof find);
    find.order_by = "-name";
    find.limit = 2;
    crm_customer_list *list_raw = nullptr;
    Filter web = eq("source", "web");
    CHECK(crm_customer_find(db.get(), web.get(), &find, &list_raw) == CRM_OK);
    List list(list_raw);
    CHECK(crm_customer_list_len(list.get()) == 2);
    CHECK(str(crm_customer_name(crm_customer_list_get(list.get(), 0))) == "Dee");
    CHECK(str(crm_customer_name(crm_customer_list_get(list.get(), 1))) == "Bob");
}

void test_bad_input() {
    Db db = open(":memory:");
    crm_new_customer nc;
    crm_new_customer_init(&nc, sizeof nc);
    nc.name = "Eve";
    nc.email = "eve at example";
    CHECK(crm_customer_add(db.get(), &nc, nullptr) == CRM_INVALID_INPUT);
    CHECK(std::strstr(crm_errmsg(db.get()), "email") != nullptr);
    CHECK(count(db.get(), Filter()) == 0);

    crm_customer *raw = nullptr;
    CHECK(crm_customer_get(db.get(), 7, &raw) == CRM_NOT_FOUND);
    CHECK(raw == nullptr);
    CHECK(crm_customer_get(db.get(), 7, nullptr) == CRM_INVALID_ARGUMENT);
    CHECK(crm_customer_count(nullptr, nullptr, nullptr) == CRM_INVALID_ARGUMENT);

    crm_filter *f = nullptr;
    CHECK(crm_filter_int("version", 17, 1, &f) == CRM_INVALID_ARGUMENT);
    CHECK(f == nullptr);
    CHECK(crm_errcode(nullptr) == CRM_INVALID_ARGUMENT);

    int64_t n = 0;
    Filter unknown = eq("shoe_size", "42");
    CHECK(crm_customer_count(db.get(), unknown.get(), &n) == CRM_INVALID_INPUT);
    CHECK(std::strstr(crm_errmsg(db.get()), "known:") != nullptr);

    crm_open_options options;
    crm_open_options_init(&options, sizeof options);
    static const uint8_t key[] = {0xde, 0xad};
    options.key = key;
    options.key_len = sizeof key;
    crm_db *none = nullptr;
    CHECK(crm_open(":memory:", &options, &none) == CRM_UNSUPPORTED);
    CHECK(none == nullptr);
    CHECK(std::string(crm_code_name(crm_errcode(nullptr))) == "UNSUPPORTED");
}

}  // namespace

int main() {
    test_round_trip();
    test_bad_input();
    std::printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
