/* Shared declarations of the copybench engine: errors, time, options. */
#ifndef COPYBENCH_COMMON_H
#define COPYBENCH_COMMON_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "limits.h"

/* Exit codes of every binary (DESIGN.md). */
enum { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

extern const char *prog_name;

/* Print "prog: message[: strerror]" on stderr and exit 1. */
_Noreturn void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void die_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* One-line usage error on stderr, exit 2. */
_Noreturn void usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void warnx_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

void *xcalloc(size_t n, size_t size);
void *xmalloc(size_t size);

/* pthread_mutex_init / pthread_cond_init with defaults, or die naming what. */
void xmutex_init(pthread_mutex_t *m, const char *what);
void xcond_init(pthread_cond_t *c, const char *what);

/* CLOCK_MONOTONIC in nanoseconds: shared by every process on the machine,
 * network namespaces included, so a sender's stamp is comparable here. */
uint64_t now_ns(void);

/* The process's peak resident set size so far, in KiB (getrusage). */
uint64_t peak_rss_kib(void);

/* Option values, checked against inclusive limits; a bad one is a usage error
 * naming the option, the limits and what was given. */
uint64_t parse_uint_opt(const char *opt, const char *arg, uint64_t min, uint64_t max);
/* A byte count with an optional binary suffix K, M or G (256M = 256 MiB). */
uint64_t parse_bytes_opt(const char *opt, const char *arg, uint64_t min, uint64_t max);
double parse_seconds_opt(const char *opt, const char *arg, double min, double max);

/* Fetch the argument of option argv[*i], or a usage error if it is missing. */
const char *opt_arg(int argc, char **argv, int *i);
/* --port's value (its text, as getaddrinfo takes it), checked to be min..65535. */
const char *port_opt(int argc, char **argv, int *i, unsigned min);
/* `--help` or `-h`: print the usage and exit 0. */
void exit_if_help(const char *arg, void (*usage)(void));

/* A failed call as a variant reports it: "WHAT: strerror(errno)" into err,
 * errno kept for the caller; returns -1. */
int fail_errno(char *err, size_t errlen, const char *what);

#endif
