#include "json.h"
#include "common.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>

static void put(struct json *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct json *j, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(j->buf + j->len, sizeof j->buf - j->len, fmt, ap);
    va_end(ap);
    if (n < 0 || (unsigned)n >= sizeof j->buf - j->len)
        die("internal error: JSON line longer than %zu bytes", sizeof j->buf);
    j->len += (unsigned)n;
}

void json_begin(struct json *j)
{
    j->len = 0;
    j->first = true;
    put(j, "{");
}

void json_key(struct json *j, const char *key)
{
    put(j, "%s\"%s\":", j->first ? "" : ",", key);
    j->first = false;
}

void json_str(struct json *j, const char *key, const char *v)
{
    /* Values are identifiers of ours (impl, mode, ...): nothing to escape. */
    json_key(j, key);
    put(j, "\"%s\"", v);
}

void json_u64(struct json *j, const char *key, uint64_t v)
{
    json_key(j, key);
    put(j, "%llu", (unsigned long long)v);
}

void json_num(struct json *j, const char *key, double v)
{
    if (!isfinite(v))
        die("internal error: %s is not a finite number", key);
    json_key(j, key);
    put(j, "%.6f", v);
}

void json_bool(struct json *j, const char *key, bool v)
{
    json_key(j, key);
    put(j, "%s", v ? "true" : "false");
}

void json_null(struct json *j, const char *key)
{
    json_key(j, key);
    put(j, "null");
}

void json_open(struct json *j, const char *key)
{
    json_key(j, key);
    put(j, "{");
    j->first = true;
}

void json_close(struct json *j)
{
    put(j, "}");
    j->first = false;
}

void json_emit(struct json *j)
{
    put(j, "}\n");
    if (fputs(j->buf, stdout) == EOF || fflush(stdout) == EOF)
        die_errno("writing the result to stdout");
}
