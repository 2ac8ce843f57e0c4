/* report: a summary of a crm store — customers per source and per stage, the newest VIPs, the
 * campaign results and the ticket work queue.
 *
 *   cc report.c $(pkg-config --cflags --libs crm) -o report && ./report shop.db [AS_OF_MICROS]
 *
 * AS_OF_MICROS (microseconds since the epoch, UTC) fixes the handle's clock, so SLA deadlines are
 * judged as of that moment; without it the system clock is used.
 */
#include <crm.h>

#include <stdio.h>
#include <stdlib.h>
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

/* Prints every campaign's uplift against its control group; returns a crm status. */
static int print_campaigns(crm_db *db) {
    crm_campaign_list *campaigns = NULL;
    size_t i, j;
    int rc = crm_campaign_find(db, NULL, NULL, &campaigns);
    if (rc != CRM_OK) return rc;
    for (i = 0; i < crm_campaign_list_len(campaigns) && rc == CRM_OK; i++) {
        const crm_campaign *c = crm_campaign_list_get(campaigns, i);
        crm_campaign_report *report = NULL;
        if (crm_campaign_started_at(c) == CRM_TIME_NONE) continue; /* nothing to evaluate yet */
        rc = crm_campaign_evaluate(db, crm_campaign_id(c), NULL, &report);
        if (rc != CRM_OK) break;
        printf("campaign '%s' (%s): %lld conversions, ROI %.0f%%\n", crm_campaign_name(c),
               crm_campaign_status(c), (long long)crm_campaign_report_conversions(report),
               100.0 * crm_campaign_report_roi(report));
        for (j = 0; j < crm_campaign_report_uplift_len(report); j++) {
            printf("  %-18s %+5.1f points vs %s, p = %.4f%s\n",
                   crm_campaign_report_uplift_variant(report, j),
                   100.0 * crm_campaign_report_uplift_difference(report, j),
                   crm_campaign_report_uplift_control(report, j),
                   crm_campaign_report_uplift_z_p_value(report, j),
                   crm_campaign_report_uplift_significant(report, j) ? " (significant)" : "");
        }
        crm_campaign_report_free(report);
    }
    crm_campaign_list_free(campaigns);
    return rc;
}

/* Prints the first `limit` tickets of the work queue with their SLA state; returns a crm status. */
static int print_queue(crm_db *db, size_t limit) {
    crm_ticket_queue_list *queue = NULL;
    size_t i;
    int rc = crm_ticket_queue(db, limit, CRM_TIME_NOW, &queue);
    if (rc != CRM_OK) return rc;
    printf("ticket queue\n");
    for (i = 0; i < crm_ticket_queue_list_len(queue); i++) {
        const crm_ticket *t = crm_ticket_queue_list_ticket(queue, i);
        const crm_sla_state *sla = crm_ticket_queue_list_sla(queue, i); /* NULL: no policy */
        int breached = sla != NULL && (crm_sla_state_first_response_breached(sla) ||
                                       crm_sla_state_resolution_breached(sla));
        printf("  #%-5lld %-7s %-30s %s\n", (long long)crm_ticket_id(t), crm_ticket_priority(t),
               crm_ticket_subject(t), breached ? "SLA BREACHED" : "");
    }
    crm_ticket_queue_list_free(queue);
    return CRM_OK;
}

/* The clock callback: "now" is the moment given on the command line. */
static int64_t fixed_clock(void *ctx) { return *(const int64_t *)ctx; }

int main(int argc, char **argv) {
    crm_db *db = NULL;
    crm_open_options options;
    int64_t as_of = 0;
    int rc;

    if (argc != 2 && argc != 3) {
        fprintf(stderr, "usage: %s STORE [AS_OF_MICROS]\n", argv[0]);
        return 2;
    }
    crm_open_options_init(&options, sizeof options);
    if (argc == 3) {
        as_of = strtoll(argv[2], NULL, 10);
        options.clock = fixed_clock;
        options.clock_ctx = &as_of;
    }
    rc = crm_open(argv[1], &options, &db);
    if (rc == CRM_OK) rc = print_counts(db, "source", SOURCES, COUNT_OF(SOURCES));
    if (rc == CRM_OK) rc = print_counts(db, "stage", STAGES, COUNT_OF(STAGES));
    if (rc == CRM_OK) rc = print_newest_vips(db, 5);
    if (rc == CRM_OK) rc = print_campaigns(db);
    if (rc == CRM_OK) rc = print_queue(db, 5);
    if (rc != CRM_OK) {
        /* With NULL, crm_errmsg describes the last failed call on this thread, handle or not. */
        fprintf(stderr, "report: %s: %s\n", crm_code_name(rc), crm_errmsg(NULL));
    }
    crm_close(db);
    return rc == CRM_OK ? 0 : 1;
}
