/* report: a summary of a crm store — customers per source and per stage, and the newest VIPs.
 *
 *   cc report.c $(pkg-config --cflags --libs crm) -o report && ./report shop.db
 */
#include <crm.h>

#include <stdio.h>
#include <time.h>

static const char *const SOURCES[] = {"web", "referral", "ads", "event", "partner", "other"};
static const char *const STAGES[] = {"lead", "prospect", "customer", "churned"};

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

/* Prints how many customers have each of `values` in `field`; returns a crm status. */
static int print_counts(crm_db *db, const char *field, const char *const *values, size_t n) {
    size_t i;
    printf("customers by %s\n", field);
    for (i = 0; i < n; i++) {
        crm_filter *filter = NULL;
        int64_t count = 0;
        int rc = crm_filter_text(field, CRM_OP_EQ, values[i], &filter);
        if (rc == CRM_OK) rc = crm_customer_count(db, filter, &count);
        crm_filter_free(filter);
        if (rc != CRM_OK) return rc;
        printf("  %-10s %8lld\n", values[i], (long long)count);
    }
    return CRM_OK;
}

/* Times are microseconds since the epoch, UTC. */
static void format_time(int64_t us, char *buf, size_t size) {
    time_t secs = (time_t)(us / 1000000);
    const struct tm *utc = gmtime(&secs);
    if (utc == NULL || strftime(buf, size, "%Y-%m-%d %H:%M", utc) == 0) snprintf(buf, size, "?");
}

/* Prints the `limit` most recently created customers tagged "vip"; returns a crm status. */
static int print_newest_vips(crm_db *db, int64_t limit) {
    crm_filter *vip = NULL;
    crm_customer_list *list = NULL;
    crm_find_options options;
    size_t i;
    int rc;

    crm_find_options_init(&options, sizeof options);
    options.order_by = "-created_at";
    options.limit = limit;
    rc = crm_filter_has_tag("vip", &vip);
    if (rc == CRM_OK) rc = crm_customer_find(db, vip, &options, &list);
    crm_filter_free(vip);
    if (rc != CRM_OK) return rc;

    printf("newest vip customers\n");
    for (i = 0; i < crm_customer_list_len(list); i++) {
        const crm_customer *c = crm_customer_list_get(list, i); /* borrowed from the list */
        const char *email = crm_customer_email(c);
        char created[32];
        format_time(crm_customer_created_at(c), created, sizeof created);
        printf("  %s  %-28s %s\n", created, crm_customer_name(c), email != NULL ? email : "-");
    }
    crm_customer_list_free(list);
    return CRM_OK;
}

int main(int argc, char **argv) {
    crm_db *db = NULL;
    int rc;

    if (argc != 2) {
        fprintf(stderr, "usage: %s STORE\n", argv[0]);
        return 2;
    }
    rc = crm_open(argv[1], NULL, &db);
    if (rc == CRM_OK) rc = print_counts(db, "source", SOURCES, COUNT_OF(SOURCES));
    if (rc == CRM_OK) rc = print_counts(db, "stage", STAGES, COUNT_OF(STAGES));
    if (rc == CRM_OK) rc = print_newest_vips(db, 5);
    if (rc != CRM_OK) {
        /* With NULL, crm_errmsg describes the last failed call on this thread, handle or not. */
        fprintf(stderr, "report: %s: %s\n", crm_code_name(rc), crm_errmsg(NULL));
    }
    crm_close(db);
    return rc == CRM_OK ? 0 : 1;
}
