// Text filters, notes, the audit trail and segments from C++17: RAII over the handle, filters and
// result lists (unique_ptr with the library's destructors), rows read into std::vector. Built by
// `make test-c` with -std=c++17 -pedantic, linked statically and dynamically, run under valgrind.
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
struct FreeFilter { void operator()(crm_filter *p) const { crm_filter_free(p); } };
struct FreeCustomers { void operator()(crm_customer_list *p) const { crm_customer_list_free(p); } };
struct FreeNotes { void operator()(crm_note_list *p) const { crm_note_list_free(p); } };
struct FreeAudit { void operator()(crm_audit_list *p) const { crm_audit_list_free(p); } };
struct FreeSegments { void operator()(crm_segment_list *p) const { crm_segment_list_free(p); } };

using Db = std::unique_ptr<crm_db, Close>;
using Filter = std::unique_ptr<crm_filter, FreeFilter>;
using Customers = std::unique_ptr<crm_customer_list, FreeCustomers>;
using Notes = std::unique_ptr<crm_note_list, FreeNotes>;
using Audit = std::unique_ptr<crm_audit_list, FreeAudit>;
using Segments = std::unique_ptr<crm_segment_list, FreeSegments>;

using Strings = std::vector<std::string>;

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
    CHECK(crm_open(":memory:", &options, &raw) == CRM_OK);
    return Db(raw);
}

Filter parse(const char *text) {
    crm_filter *raw = nullptr;
    CHECK(crm_filter_parse(text, &raw) == CRM_OK);
    return Filter(raw);
}

int64_t add_customer(crm_db *db, const char *name, const char *source) {
    crm_new_customer c;
    crm_new_customer_init(&c, sizeof c);
    c.name = name;
    c.source = source;
    int64_t id = 0;
    CHECK(crm_customer_add(db, &c, &id) == CRM_OK);
    return id;
}

void buy(crm_db *db, int64_t customer, int64_t amount) {
    crm_new_purchase p;
    crm_new_purchase_init(&p, sizeof p);
    p.customer_id = customer;
    p.amount = amount;
    p.currency = "EUR";
    CHECK(crm_purchase_add(db, &p, nullptr) == CRM_OK);
}

Strings names(const Customers &list) {
    Strings out;
    for (size_t i = 0; i < crm_customer_list_len(list.get()); ++i) {
        out.push_back(str(crm_customer_name(crm_customer_list_get(list.get(), i))));
    }
    return out;
}

void test_segments_and_filters() {
    int64_t now = T0;
    Db db = open_at(&now);
    int64_t ada = add_customer(db.get(), "Ada", "web");
    int64_t bob = add_customer(db.get(), "Bob", "web");
    add_customer(db.get(), "Cy", "ads");
    buy(db.get(), ada, 5000);
    buy(db.get(), bob, 15000);
    buy(db.get(), bob, 1000);

    Filter web_spenders = parse("source = 'web' and total_spend >= 10000");
    int64_t n = -1;
    CHECK(crm_customer_count(db.get(), web_spenders.get(), &n) == CRM_OK);
    CHECK(n == 1);

    CHECK(crm_segment_save_text(db.get(), "buyers", "purchase_count > 0") == CRM_OK);
    CHECK(crm_segment_save(db.get(), "web spenders", web_spenders.get()) == CRM_OK);
    crm_find_options opts;
    crm_find_options_init(&opts, sizeof opts);
    opts.order_by = "-purchase_count,name";
    crm_customer_list *raw_c = nullptr;
    CHECK(crm_segment_members(db.get(), "buyers", &opts, &raw_c) == CRM_OK);
    Customers buyers(raw_c);
    CHECK(names(buyers) == (Strings{"Bob", "Ada"}));

    crm_segment_list *raw_s = nullptr;
    CHECK(crm_segment_all(db.get(), &raw_s) == CRM_OK);
    Segments all(raw_s);
    Strings segment_names, texts;
    for (size_t i = 0; i < crm_segment_list_len(all.get()); ++i) {
        segment_names.push_back(str(crm_segment_list_name(all.get(), i)));
        texts.push_back(str(crm_segment_list_text(all.get(), i)));
    }
    CHECK(segment_names == (Strings{"buyers", "web spenders"}));
    CHECK(texts == (Strings{"purchase_count > 0", "(null)"}));

    CHECK(crm_segment_save_text(db.get(), "buyers", "") == CRM_ALREADY_EXISTS);
    CHECK(crm_segment_count(db.get(), "nobody", &n) == CRM_NOT_FOUND);
    crm_filter *raw_f = reinterpret_cast<crm_filter *>(&n);
    CHECK(crm_filter_parse("total_spend >= ", &raw_f) == CRM_PARSE);
    CHECK(raw_f == nullptr);
    CHECK(std::strstr(crm_errmsg(nullptr), "position 15") != nullptr);

    // Lists outlive the handle.
    db.reset();
    CHECK(crm_customer_list_len(buyers.get()) == 2);
    CHECK(str(crm_segment_list_name(all.get(), 1)) == "web spenders");
}

void test_notes_and_audit() {
    int64_t now = T0;
    Db db = open_at(&now);
    int64_t ada = add_customer(db.get(), "Ada", nullptr);
    for (int i = 0; i < 3; ++i) {
        now = T0 + i * DAY;
        std::string body = "note " + std::to_string(i);
        CHECK(crm_note_add(db.get(), "customer", ada, body.c_str(), nullptr) == CRM_OK);
    }
    crm_note_list *raw_n = nullptr;
    CHECK(crm_note_all(db.get(), "customer", ada, &raw_n) == CRM_OK);
    Notes notes(raw_n);
    Strings bodies;
    for (size_t i = 0; i < crm_note_list_len(notes.get()); ++i) {
        bodies.push_back(str(crm_note_list_body(notes.get(), i)));
        CHECK(str(crm_note_list_author(notes.get(), i)) == "li");
    }
    CHECK(bodies == (Strings{"note 2", "note 1", "note 0"}));
    CHECK(crm_note_add(db.get(), "ticket", ada, "x", nullptr) == CRM_INVALID_INPUT);

    const char *tags[] = {"VIP"};
    CHECK(crm_customer_add_tags(db.get(), ada, tags, 1, nullptr) == CRM_OK);
    Filter updates = parse("entity = 'customer' and action = 'update'");
    crm_audit_list *raw_a = nullptr;
    CHECK(crm_audit_find(db.get(), updates.get(), nullptr, &raw_a) == CRM_OK);
    Audit audit(raw_a);
    CHECK(crm_audit_list_len(audit.get()) == 1);
    CHECK(crm_audit_list_entity_id(audit.get(), 0) == ada);
    CHECK(str(crm_audit_list_principal(audit.get(), 0)) == "li");
    std::string changes = str(crm_audit_list_changes_json(audit.get(), 0));
    CHECK(changes.find("\"tags\"") != std::string::npos);
    CHECK(changes.find("\"vip\"") != std::string::npos);
}

}  // namespace

int main() {
    test_segments_and_filters();
    test_notes_and_audit();
    std::printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
