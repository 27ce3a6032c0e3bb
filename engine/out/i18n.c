/*
** i18n.c -- labels and status words in English and Vietnamese; see i18n.h.
**
** One table, indexed by key then language, so every word of a language sits beside
** its translation. A missing Vietnamese entry falls back to English; the unit tests
** walk every key in both languages.
*/
#include "out/i18n.h"

#include <stdio.h>

/* Indexed [key][lang]: I18N_EN then I18N_VI. */
static const char *const texts[I18N_KEY_COUNT][2] = {
    [I18N_KPI] = {"KPI", "KPI"},
    [I18N_VALUE] = {"Value", "Giá trị"},
    [I18N_MINIMUM] = {"Minimum", "Tối thiểu"},
    [I18N_TARGET] = {"Target", "Mục tiêu"},
    [I18N_STATUS] = {"Status", "Trạng thái"},
    [I18N_PREVIOUS] = {"Previous", "Kỳ trước"},
    [I18N_CHANGE] = {"Change", "Thay đổi"},
    [I18N_OWNER] = {"Owner", "Phụ trách"},
    [I18N_REVIEW] = {"Review", "Chu kỳ"},
    [I18N_PERIOD] = {"Period", "Kỳ báo cáo"},
    [I18N_RULESET] = {"Rule set", "Bộ KPI"},
    [I18N_CLIENT] = {"Client", "Khách hàng"},
    [I18N_FILE] = {"File", "Tệp"},
    [I18N_GENERATED] = {"Generated", "Lập lúc"},
    [I18N_BREAKDOWN] = {"Breakdown", "Chi tiết"},
    [I18N_TREND] = {"Trend", "Xu hướng"},
    [I18N_SCORECARD] = {"KPI scorecard", "Bảng điểm KPI"},
    [I18N_SUMMARY] = {"Summary", "Tổng quan"},
    [I18N_ALL_FIGURES] = {"All figures", "Bảng số liệu"},
    [I18N_VS_PREVIOUS] = {"vs previous period", "so với kỳ trước"},
    [I18N_HIGHER_BETTER] = {"higher is better", "càng cao càng tốt"},
    [I18N_LOWER_BETTER] = {"lower is better", "càng thấp càng tốt"},
    [I18N_NO_KPIS] = {"No KPIs in this rule set.", "Bộ KPI này chưa có KPI nào."},
    [I18N_NO_DATA_WHY] = {"Why no data", "Lý do không có dữ liệu"},
    [I18N_MORE_ITEMS] = {"more", "mục khác"},
    [I18N_NOT_GRADED] = {"part of the total, not graded", "phần của tổng, không xếp loại"},
    [I18N_UNNAMED] = {"(unnamed rule set)", "(bộ KPI chưa đặt tên)"},
};

/* Indexed [status][lang]; the statuses' enum order. */
static const char *const status_words[4][2] = {
    [STATUS_NO_DATA] = {"no data", "không có dữ liệu"},
    [STATUS_BELOW_MINIMUM] = {"below minimum", "dưới mức tối thiểu"},
    [STATUS_MET_MINIMUM] = {"met minimum", "đạt mức tối thiểu"},
    [STATUS_MET_TARGET] = {"met target", "đạt mục tiêu"},
};

static const char *const status_labels[4][2] = {
    [STATUS_NO_DATA] = {"No data", "Không có dữ liệu"},
    [STATUS_BELOW_MINIMUM] = {"Below minimum", "Dưới mức tối thiểu"},
    [STATUS_MET_MINIMUM] = {"Met minimum", "Đạt mức tối thiểu"},
    [STATUS_MET_TARGET] = {"Met target", "Đạt mục tiêu"},
};

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

i18n_lang i18n_pick(const char *lang, const char *locale)
{
    const char *s = lang ? lang : locale;
    if (!s || lower(s[0]) != 'v' || lower(s[1]) != 'i') return I18N_EN;
    return s[2] == '\0' || s[2] == '-' || s[2] == '_' ? I18N_VI : I18N_EN;
}

const char *i18n_code(i18n_lang lang)
{
    return lang == I18N_VI ? "vi" : "en";
}

/* A status outside the enum (never made by the engine) reads as no data. */
static int status_index(kpi_status s)
{
    return s >= STATUS_NO_DATA && s <= STATUS_MET_TARGET ? (int)s : (int)STATUS_NO_DATA;
}

const char *i18n_status(i18n_lang lang, kpi_status s)
{
    return status_words[status_index(s)][lang == I18N_VI];
}

const char *i18n_status_label(i18n_lang lang, kpi_status s)
{
    return status_labels[status_index(s)][lang == I18N_VI];
}

const char *i18n_text(i18n_lang lang, i18n_key key)
{
    if (key < 0 || key >= I18N_KEY_COUNT) return "";
    const char *t = texts[key][lang == I18N_VI];
    return t ? t : texts[key][0];
}

const char *i18n_kpi_count(i18n_lang lang, size_t n, char *buf, size_t size)
{
    if (lang == I18N_VI)
        snprintf(buf, size, "%zu KPI", n);
    else
        snprintf(buf, size, "%zu KPI%s", n, n == 1 ? "" : "s");
    return buf;
}

size_t i18n_utf8_length(const unsigned char *s, size_t n, unsigned long *cp)
{
    if (n == 0) return 0;
    unsigned long c = s[0];
    size_t len;
    unsigned long min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xE0) == 0xC0) {
        len = 2, min = 0x80, c &= 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        len = 3, min = 0x800, c &= 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        len = 4, min = 0x10000, c &= 0x07;
    } else {
        return 0;
    }
    if (n < len) return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        c = (c << 6) | (s[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return 0;
    *cp = c;
    return len;
}
