/*
** i18n.h -- the words of the reports people read, in Vietnamese and English:
** headings, status words, counts and the names of periods.
**
** A report's language is chosen once (i18n_pick) from `--lang` or the rule set's
** `locale`; renderers then ask for every word by key, so a heading is never spelt
** in two places. Machine formats (JSON, CSV) stay in English whatever the language.
** Nothing here calls setlocale or reads the environment: the C locale, and so the
** parsing of numbers elsewhere in the engine, is never touched.
**
** All strings are UTF-8, static, never NULL.
*/
#ifndef KPI_I18N_H
#define KPI_I18N_H

#include <stddef.h>

#include "model/report.h"

typedef enum i18n_lang { I18N_EN, I18N_VI } i18n_lang;

/*
** The language of a report: `lang` when not NULL (the --lang option), else the rule
** set's `locale`. "vi", "vi-VN", "vi_VN" (any case) are Vietnamese; anything else,
** NULL and "" are English, the international default.
*/
i18n_lang i18n_pick(const char *lang, const char *locale);
/* The BCP 47 code for <html lang>: "en" or "vi". */
const char *i18n_code(i18n_lang lang);

/* The words of a status, lower case: "met target" / "đạt mục tiêu". */
const char *i18n_status(i18n_lang lang, kpi_status s);
/* The same, capitalised for a label standing alone: "Met target" / "Đạt mục tiêu". */
const char *i18n_status_label(i18n_lang lang, kpi_status s);

typedef enum i18n_key {
    I18N_KPI,           /* "KPI" */
    I18N_VALUE,         /* "Value" / "Giá trị" */
    I18N_MINIMUM,       /* "Minimum" / "Tối thiểu" */
    I18N_TARGET,        /* "Target" / "Mục tiêu" */
    I18N_STATUS,        /* "Status" / "Trạng thái" */
    I18N_PREVIOUS,      /* "Previous" / "Kỳ trước" */
    I18N_CHANGE,        /* "Change" / "Thay đổi" */
    I18N_OWNER,         /* "Owner" / "Phụ trách" */
    I18N_REVIEW,        /* "Review" / "Chu kỳ" */
    I18N_PERIOD,        /* "Period" / "Kỳ báo cáo" */
    I18N_RULESET,       /* "Rule set" / "Bộ KPI" */
    I18N_CLIENT,        /* "Client" / "Khách hàng" */
    I18N_FILE,          /* "File" / "Tệp" */
    I18N_GENERATED,     /* "Generated" / "Lập lúc" */
    I18N_BREAKDOWN,     /* "Breakdown" / "Chi tiết" */
    I18N_TREND,         /* "Trend" / "Xu hướng" */
    I18N_SCORECARD,     /* "KPI scorecard" / "Bảng điểm KPI" */
    I18N_SUMMARY,       /* "Summary" / "Tổng quan" */
    I18N_ALL_FIGURES,   /* "All figures" / "Bảng số liệu" */
    I18N_VS_PREVIOUS,   /* "vs previous period" / "so với kỳ trước" */
    I18N_HIGHER_BETTER, /* "higher is better" / "càng cao càng tốt" */
    I18N_LOWER_BETTER,  /* "lower is better" / "càng thấp càng tốt" */
    I18N_NO_KPIS,       /* "No KPIs in this rule set." */
    I18N_NO_DATA_WHY,   /* "Why no data" / "Lý do không có dữ liệu" */
    I18N_MORE_ITEMS,    /* "more" / "mục khác": "+ 12 more" */
    I18N_NOT_GRADED, /* "part of the total, not graded" / "phần của tổng, không xếp loại" */
    I18N_UNNAMED,    /* "(unnamed rule set)" / "(bộ KPI chưa đặt tên)" */
    I18N_KEY_COUNT
} i18n_key;

/* The label for key. */
const char *i18n_text(i18n_lang lang, i18n_key key);

/* "1 KPI", "22 KPIs" (Vietnamese has no plural: "22 KPI") into buf; returns buf. */
const char *i18n_kpi_count(i18n_lang lang, size_t n, char *buf, size_t size);

/*
** The length (1..4) of the well-formed UTF-8 sequence at s[0..n), or 0 when s starts
** with a byte that cannot begin one there (a stray continuation byte, an overlong
** form, a surrogate, a value past U+10FFFF, a sequence cut short). The code point
** goes to *cp. Renderers use it to replace each bad byte with U+FFFD, so what they
** write is always valid UTF-8 whatever the data held.
*/
size_t i18n_utf8_length(const unsigned char *s, size_t n, unsigned long *cp);

#endif
