/*
** report_fixture.h -- hand-built reports for the renderer tests: a report of the retail
** rule set for August 2024, KPIs and breakdown items added one call at a time.
**
** Every string is a kpi_strdup copy owned by the report, so rf_end_report (or
** report_free when no KPI has a history) frees all of it. Allocation failures fail the
** current cmocka test.
*/
#ifndef KPI_REPORT_FIXTURE_H
#define KPI_REPORT_FIXTURE_H

#include <stddef.h>

#include "core/period.h"
#include "model/report.h"

/* The month of August 2024, the period of every fixture report unless told otherwise. */
period rf_month_2024_08(void);

/* Start r empty: rule set name, file kpis/retail.lua, currency VND, the locale given and
** August 2024. */
void rf_start_report(report *r, const char *name, const char *locale);

/* Start r empty with the file, period and locale given (currency VND). */
void rf_start_report_in(report *r, const char *name, const char *file, period p,
                        const char *locale);

/* Append a KPI without a value (title NULL: the id); owner and review are "". */
kpi_result *rf_add_kpi(report *r, const char *id, const char *title, const char *unit,
                       kpi_better better, double minimum, double target);

void rf_set_value(kpi_result *k, double value, kpi_status status);

/* The previous period's value and the relative change from it. */
void rf_set_previous(kpi_result *k, double previous, double change);

/* Replace the owned string *field by a copy of text. */
void rf_set_text(char **field, const char *text);

/* Append a graded breakdown item with a value. */
breakdown_item *rf_add_item(kpi_result *k, const char *key, double value, kpi_status status);

/* A copy of values[0..n) as the KPI's history. */
void rf_set_history(kpi_result *k, const double *values, size_t n);

/* Free r, histories included: report_free does not know the history array in every
** version of the model. */
void rf_end_report(report *r);

#endif
