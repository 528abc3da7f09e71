/* A small JSON line writer: the binaries' only output on stdout. */
#ifndef COPYBENCH_JSON_H
#define COPYBENCH_JSON_H

#include <stdbool.h>
#include <stdint.h>

struct json {
    char buf[4096];
    unsigned len;
    bool first; /* no comma before the next member */
};

void json_begin(struct json *j);
void json_key(struct json *j, const char *key); /* then one value call */
void json_str(struct json *j, const char *key, const char *v);
void json_u64(struct json *j, const char *key, uint64_t v);
void json_num(struct json *j, const char *key, double v); /* finite only */
void json_bool(struct json *j, const char *key, bool v);
void json_null(struct json *j, const char *key);
void json_open(struct json *j, const char *key); /* nested object */
void json_close(struct json *j);
/* Close the top-level object, write it with a newline to stdout, flush. */
void json_emit(struct json *j);

#endif
