/* Fail loudly in one place: errors, allocation, option values, time. */
#include "common.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

const char *prog_name = "copybench";

static void vreport(const char *fmt, va_list ap, int err)
{
    char line[512];
    vsnprintf(line, sizeof line, fmt, ap);
    if (err)
        fprintf(stderr, "%s: %s: %s\n", prog_name, line, strerror(err));
    else
        fprintf(stderr, "%s: %s\n", prog_name, line);
}

void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(fmt, ap, 0);
    va_end(ap);
    exit(EXIT_RUNTIME);
}

void die_errno(const char *fmt, ...)
{
    int err = errno;
    va_list ap;
    va_start(ap, fmt);
    vreport(fmt, ap, err);
    va_end(ap);
    exit(EXIT_RUNTIME);
}

void usage_error(const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s: %s (see --help)\n", prog_name, line);
    exit(EXIT_USAGE);
}

void warnx_(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(fmt, ap, 0);
    va_end(ap);
}

void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n, size);
    if (!p)
        die("out of memory (%zu x %zu bytes)", n, size);
    return p;
}

void *xmalloc(size_t size)
{
    void *p = malloc(size);
    if (!p)
        die("out of memory (%zu bytes)", size);
    return p;
}

void xmutex_init(pthread_mutex_t *m, const char *what)
{
    int r = pthread_mutex_init(m, NULL);
    if (r != 0)
        die("pthread_mutex_init (%s): %s", what, strerror(r));
}

void xcond_init(pthread_cond_t *c, const char *what)
{
    int r = pthread_cond_init(c, NULL);
    if (r != 0)
        die("pthread_cond_init (%s): %s", what, strerror(r));
}

uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t peak_rss_kib(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        die_errno("getrusage");
    return (uint64_t)ru.ru_maxrss; /* KiB on Linux */
}

uint64_t parse_uint_opt(const char *opt, const char *arg, uint64_t min, uint64_t max)
{
    char *end;
    errno = 0;
    if (arg[0] < '0' || arg[0] > '9')
        usage_error("%s: expected an integer %llu..%llu, got \"%s\"", opt,
                    (unsigned long long)min, (unsigned long long)max, arg);
    unsigned long long v = strtoull(arg, &end, 10);
    if (*end != '\0')
        usage_error("%s: expected an integer %llu..%llu, got \"%s\"", opt,
                    (unsigned long long)min, (unsigned long long)max, arg);
    if (errno == ERANGE || v < min || v > max)
        usage_error("%s: %s is out of range %llu..%llu", opt, arg,
                    (unsigned long long)min, (unsigned long long)max);
    return v;
}

uint64_t parse_bytes_opt(const char *opt, const char *arg, uint64_t min, uint64_t max)
{
    char *end;
    errno = 0;
    unsigned long long v = arg[0] >= '0' && arg[0] <= '9' ? strtoull(arg, &end, 10) : 0;
    unsigned shift = 0;
    if (arg[0] >= '0' && arg[0] <= '9' && end[0] && !end[1])
        shift = end[0] == 'K' || end[0] == 'k' ? 10 : end[0] == 'M' || end[0] == 'm' ? 20
              : end[0] == 'G' || end[0] == 'g' ? 30 : 0;
    if (arg[0] < '0' || arg[0] > '9' || (*end && !shift))
        usage_error("%s: expected bytes (an integer, optionally with K, M or G) %lluM..%lluG, got \"%s\"",
                    opt, (unsigned long long)(min >> 20), (unsigned long long)(max >> 30), arg);
    if (errno == ERANGE || v > (max >> shift) || (v << shift) < min)
        usage_error("%s: %s is out of range %lluM..%lluG", opt, arg,
                    (unsigned long long)(min >> 20), (unsigned long long)(max >> 30));
    return (uint64_t)v << shift;
}

double parse_seconds_opt(const char *opt, const char *arg, double min, double max)
{
    char *end;
    errno = 0;
    double v = strtod(arg, &end);
    if (end == arg || *end != '\0' || !isfinite(v) || errno == ERANGE)
        usage_error("%s: expected seconds (a number %g..%g), got \"%s\"", opt, min, max, arg);
    if (v < min || v > max)
        usage_error("%s: %s is out of range %g..%g seconds", opt, arg, min, max);
    return v;
}

const char *opt_arg(int argc, char **argv, int *i)
{
    if (*i + 1 >= argc)
        usage_error("%s needs a value", argv[*i]);
    return argv[++*i];
}

const char *port_opt(int argc, char **argv, int *i, unsigned min)
{
    const char *port = opt_arg(argc, argv, i);
    parse_uint_opt(argv[*i - 1], port, min, 65535);
    return port;
}

void exit_if_help(const char *arg, void (*usage)(void))
{
    if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
        usage();
        exit(EXIT_OK);
    }
}

int fail_errno(char *err, size_t errlen, const char *what)
{
    int e = errno;
    snprintf(err, errlen, "%s: %s", what, strerror(e));
    errno = e;
    return -1;
}
