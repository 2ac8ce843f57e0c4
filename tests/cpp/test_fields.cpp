// Custom fields from C++17: RAII over the handle, customers and field lists (unique_ptr with the
// library's destructors), custom columns from std::vector, values read back into std::string.
// Built by `make test-c` with -std=c++17 -pedantic, linked statically and dynamically, run under
// valgrind.
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
struct FreeCustomer { void operator()(crm_customer *p) const { crm_customer_free(p); } };
struct FreeFields { void operator()(crm_field_list *p) const { crm_field_list_free(p); } };

using Db = std::unique_ptr<crm_db, Close>;
using Customer = std::unique_ptr<crm_customer, FreeCustomer>;
using Fields = std::unique_ptr<crm_field_list, FreeFields>;

std::string str(const char *s) { return s != nullptr ? s : "(null)"; }

Db open_memory() {
    crm_db *raw = nullptr;
    CHECK(crm_open(":memory:", nullptr, &raw) == CRM_OK);
    return Db(raw);
}

Customer get(crm_db *db, int64_t id) {
    crm_customer *raw = nullptr;
    CHECK(crm_customer_get(db, id, &raw) == CRM_OK);
    return Customer(raw);
}

// The field names of a list, in order.
std::vector<std::string> field_names(crm_db *db, int include_retired) {
    crm_field_list *raw = nullptr;
    CHECK(crm_field_all(db, nullptr, include_retired, &raw) == CRM_OK);
    Fields list(raw);
    std::vector<std::string> names;
    for (size_t i = 0; i < crm_field_list_len(list.get()); ++i)
        names.push_back(str(crm_field_list_name(list.get(), i)));
    return names;
}

void test_fields() {
    Db db = open_memory();
    std::vector<const char *> regions{"north", "south"};
    crm_field_definition d;
    crm_field_definition_init(&d, sizeof d);
    d.name = "region";
    d.type = "enum";
    d.choices = regions.data();
    d.choices_len = regions.size();
    d.indexed = 1;
    CHECK(crm_field_define(db.get(), &d) == CRM_OK);
    crm_field_definition_init(&d, sizeof d);
    d.name = "loyalty_tier";
    d.type = "integer";
    d.default_value = "1";
    CHECK(crm_field_define(db.get(), &d) == CRM_OK);
    CHECK((field_names(db.get(), 0) == std::vector<std::string>{"region", "loyalty_tier"}));

    // Two customers from columns, values in their text form.
    std::vector<const char *> names{"Ada", "Bo"};
    std::vector<const char *> region{"north", nullptr};
    std::vector<const char *> tier{"5", nullptr};
    std::vector<const char *> custom_names{"region", "loyalty_tier"};
    std::vector<const char *const *> custom_values{region.data(), tier.data()};
    crm_customer_columns cols;
    crm_customer_columns_init(&cols, sizeof cols);
    cols.name = names.data();
    cols.custom_len = custom_names.size();
    cols.custom_names = custom_names.data();
    cols.custom_text_values = custom_values.data();
    std::vector<int64_t> ids(names.size());
    CHECK(crm_customer_add_many(db.get(), names.size(), &cols, ids.data()) == CRM_OK);

    Customer ada = get(db.get(), ids[0]);
    CHECK(str(crm_customer_field_text(ada.get(), "region")) == "north");
    int64_t value = 0;
    CHECK(crm_customer_field_int(ada.get(), "loyalty_tier", &value) == CRM_OK && value == 5);
    Customer bo = get(db.get(), ids[1]);
    CHECK(crm_customer_field_text(bo.get(), "region") == nullptr);
    CHECK(crm_customer_field_int(bo.get(), "loyalty_tier", &value) == CRM_OK && value == 1);

    // A value not allowed, then one that is.
    CHECK(crm_customer_set_text(db.get(), ids[1], "region", "west") == CRM_INVALID_INPUT);
    CHECK(std::strstr(crm_errmsg(db.get()), "west") != nullptr);
    CHECK(crm_customer_set_text(db.get(), ids[1], "region", "south") == CRM_OK);
    CHECK(str(crm_customer_field_text(get(db.get(), ids[1]).get(), "region")) == "south");

    // Retire, restore, remove.
    CHECK(crm_field_retire(db.get(), nullptr, "region") == CRM_OK);
    CHECK((field_names(db.get(), 0) == std::vector<std::string>{"loyalty_tier"}));
    CHECK(crm_field_restore(db.get(), nullptr, "region") == CRM_OK);
    CHECK(crm_field_remove(db.get(), nullptr, "region", 0) == CRM_CONSTRAINT);
    CHECK(crm_field_remove(db.get(), nullptr, "region", 1) == CRM_OK);
    CHECK((field_names(db.get(), 1) == std::vector<std::string>{"loyalty_tier"}));
}

}  // namespace

int main() {
    test_fields();
    std::printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
