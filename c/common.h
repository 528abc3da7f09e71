/* Shared declarations of the copybench engine: errors, time, options. */
#ifndef COPYBENCH_COMMON_H
#define COPYBENCH_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Exit codes of every binary (DESIGN.md). */
enum { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

/* Message size limits: 16 B holds the header (sequence + send time). */
#define MSG_SIZE_MIN 16u
#define MSG_SIZE_MAX (64u << 20)
#define THREADS_MAX 1024u
#define DURATION_MAX_S 86400.0

extern const char *prog_name;

/* Print "prog: message[: strerror]" on stderr and exit 1. */
_Noreturn void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void die_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* One-line usage error on stderr, exit 2. */
_Noreturn void usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void warnx_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

void *xcalloc(size_t n, size_t size);
void *xmalloc(size_t size);

/* CLOCK_MONOTONIC in nanoseconds: shared by every process on the machine,
 * network namespaces included, so a sender's stamp is comparable here. */
uint64_t now_ns(void);

/* The process's peak resident set size so far, in KiB (getrusage). */
uint64_t peak_rss_kib(void);

/* Option values, checked against inclusive limits; a bad one is a usage error
 * naming the option, the limits and what was given. */
uint64_t parse_uint_opt(const char *opt, const char *arg, uint64_t min, uint64_t max);
double parse_seconds_opt(const char *opt, const char *arg, double min, double max);

/* Fetch the argument of option argv[*i], or a usage error if it is missing. */
const char *opt_arg(int argc, char **argv, int *i);

#endif
