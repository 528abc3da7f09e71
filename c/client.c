/* The client engine, shared by every variant: one connection per thread,
 * a common start, a warm-up excluded from every figure, then a window in
 * which whole messages are counted, checked and timed. */
#include "common.h"
#include "histo.h"
#include "io.h"
#include "json.h"
#include "paths.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)
#define DEFAULT_PORT_TEXT STRINGIFY(DEFAULT_PORT)

struct client_opts {
    const char *host;
    const char *port;
    uint64_t size;
    unsigned threads;
    double duration_s, warmup_s;
    enum mode mode;
    enum msg_verify verify;
};

struct client;

struct worker {
    struct client *cl;
    pthread_t thread;
    int fd;
    unsigned index;
    uint64_t bytes, messages, corrupt;
    struct histo latency;
    bool failed;
    char err[256];
};

struct client {
    struct client_opts opt;
    enum impl impl;
    const struct recv_path *path;
    struct addrinfo *server;
    /* The start gate: every worker connected and greeted, or one failed. */
    pthread_mutex_t lock;
    pthread_cond_t cond;
    unsigned arrived;
    bool abort;
    uint64_t start_ns;
};

static void usage(void)
{
    printf("usage: %s --host ADDR [--port PORT] --size BYTES --threads N --duration SECONDS\n"
           "       [--warmup SECONDS] [--mode stream|rr] [--verify stamps|full]\n"
           "\n"
           "Receive 8-field messages from a copybench server of the same variant and\n"
           "report throughput and latency over a common window.\n"
           "\n"
           "  --host ADDR          server address or name (required)\n"
           "  --port PORT          server port (default %s)\n"
           "  --size BYTES         message size, %u..%u (required)\n"
           "  --threads N          connections, one thread each, 1..%u (required)\n"
           "  --duration SECONDS   measured window, 0.001..%g (required)\n"
           "  --warmup SECONDS     excluded start, 0..%g (default 0.5)\n"
           "  --mode stream|rr     stream: the server sends back to back, latency is\n"
           "                       one-way from the embedded send time; rr: one message\n"
           "                       per request, latency is the round trip (default stream)\n"
           "  --verify stamps|full stamps: sequence and 16 stamp bytes per message;\n"
           "                       full: every byte too, for tests (default stamps)\n"
           "  --help               this text\n"
           "\n"
           "stdout: one JSON result line. Exit 0 ok, 1 a runtime failure or a corrupt\n"
           "message, 2 a usage error.\n",
           prog_name, DEFAULT_PORT_TEXT, MSG_SIZE_MIN, MSG_SIZE_MAX, THREADS_MAX, DURATION_MAX_S,
           DURATION_MAX_S);
}

static void parse_opts(int argc, char **argv, struct client_opts *o)
{
    *o = (struct client_opts){ .port = DEFAULT_PORT_TEXT, .warmup_s = 0.5 };
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        exit_if_help(a, usage);
        if (!strcmp(a, "--host")) {
            o->host = opt_arg(argc, argv, &i);
        } else if (!strcmp(a, "--port")) {
            o->port = port_opt(argc, argv, &i, 1);
        } else if (!strcmp(a, "--size")) {
            o->size = parse_uint_opt("--size", opt_arg(argc, argv, &i), MSG_SIZE_MIN, MSG_SIZE_MAX);
        } else if (!strcmp(a, "--threads")) {
            o->threads = (unsigned)parse_uint_opt("--threads", opt_arg(argc, argv, &i), 1, THREADS_MAX);
        } else if (!strcmp(a, "--duration")) {
            o->duration_s = parse_seconds_opt("--duration", opt_arg(argc, argv, &i), 0.001, DURATION_MAX_S);
        } else if (!strcmp(a, "--warmup")) {
            o->warmup_s = parse_seconds_opt("--warmup", opt_arg(argc, argv, &i), 0, DURATION_MAX_S);
        } else if (!strcmp(a, "--mode")) {
            const char *v = opt_arg(argc, argv, &i);
            if (!strcmp(v, "stream"))
                o->mode = MODE_STREAM;
            else if (!strcmp(v, "rr"))
                o->mode = MODE_RR;
            else
                usage_error("--mode: expected stream or rr, got \"%s\"", v);
        } else if (!strcmp(a, "--verify")) {
            const char *v = opt_arg(argc, argv, &i);
            if (!strcmp(v, "stamps"))
                o->verify = VERIFY_STAMPS;
            else if (!strcmp(v, "full"))
                o->verify = VERIFY_FULL;
            else
                usage_error("--verify: expected stamps or full, got \"%s\"", v);
        } else {
            usage_error("unknown option \"%s\"", a);
        }
    }
    if (!o->host)
        usage_error("--host is required");
    if (!o->size)
        usage_error("--size is required");
    if (!o->threads)
        usage_error("--threads is required");
    if (o->duration_s <= 0)
        usage_error("--duration is required");
}

static bool fail(struct worker *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool fail(struct worker *w, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->err, sizeof w->err, fmt, ap);
    va_end(ap);
    w->failed = true;
    return false;
}

/* Connect within CONNECT_TIMEOUT_MS, whatever the network does. */
static bool connect_bounded(struct worker *w)
{
    const struct client_opts *o = &w->cl->opt;
    const struct addrinfo *ai = w->cl->server;
    w->fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (w->fd < 0)
        return fail(w, "socket: %s", strerror(errno));
    if (connect(w->fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        if (errno != EINPROGRESS)
            return fail(w, "cannot connect to %s port %s: %s", o->host, o->port, strerror(errno));
        struct pollfd p = { .fd = w->fd, .events = POLLOUT };
        int r;
        while ((r = poll(&p, 1, CONNECT_TIMEOUT_MS)) < 0 && errno == EINTR)
            ;
        if (r == 0)
            return fail(w, "cannot connect to %s port %s: no answer within %d s", o->host, o->port,
                        CONNECT_TIMEOUT_MS / 1000);
        int soerr = 0;
        socklen_t len = sizeof soerr;
        if (r < 0 || getsockopt(w->fd, SOL_SOCKET, SO_ERROR, &soerr, &len) != 0)
            return fail(w, "cannot connect to %s port %s: %s", o->host, o->port, strerror(errno));
        if (soerr)
            return fail(w, "cannot connect to %s port %s: %s", o->host, o->port, strerror(soerr));
    }
    int flags = fcntl(w->fd, F_GETFL);
    if (flags < 0 || fcntl(w->fd, F_SETFL, flags & ~O_NONBLOCK) != 0)
        return fail(w, "fcntl: %s", strerror(errno));
    return true;
}

static bool greet(struct worker *w)
{
    const struct client_opts *o = &w->cl->opt;
    struct hello h = {
        .magic = WIRE_MAGIC, .version = WIRE_VERSION, .mode = (uint8_t)o->mode,
        .impl = (uint8_t)w->cl->impl, .msg_size = (uint32_t)o->size, .threads = o->threads,
        .duration_ms = (uint32_t)(o->duration_s * 1000 + 0.999), /* >= 1 for any duration */
        .warmup_ms = (uint32_t)(o->warmup_s * 1000 + 0.5), .flags = o->verify == VERIFY_FULL,
    };
    uint8_t raw[HELLO_SIZE], ack[ACK_SIZE];
    uint32_t status;
    set_nodelay(w->fd);
    set_timeouts(w->fd, ACK_TIMEOUT_S, IO_TIMEOUT_S);
    hello_encode(&h, raw);
    if (send_all(w->fd, raw, sizeof raw) < 0)
        return fail(w, "sending the hello: %s", strerror(errno));
    int r = recv_all(w->fd, ack, sizeof ack);
    if (r <= 0)
        return fail(w, "no answer to the hello: %s",
                    r == 0 ? "the server closed the connection" : strerror(errno));
    if (!ack_decode(ack, &status))
        return fail(w, "the server's answer is not a copybench answer: is this a copybench server?");
    if (status != HELLO_OK)
        return fail(w, "the server refused the hello: %s", hello_status_text(status));
    set_timeouts(w->fd, IO_TIMEOUT_S, IO_TIMEOUT_S);
    return true;
}

/* Wait at the start gate; false if any worker failed to get there. The last
 * to arrive takes the common start time. */
static bool gate(struct worker *w, bool ok)
{
    struct client *cl = w->cl;
    pthread_mutex_lock(&cl->lock);
    if (!ok)
        cl->abort = true;
    else if (++cl->arrived == cl->opt.threads)
        cl->start_ns = now_ns();
    pthread_cond_broadcast(&cl->cond);
    while (!cl->abort && !cl->start_ns)
        pthread_cond_wait(&cl->cond, &cl->lock);
    bool go = !cl->abort;
    pthread_mutex_unlock(&cl->lock);
    return go;
}

static bool send_frame(struct worker *w, uint64_t seq, uint32_t type)
{
    uint8_t raw[FRAME_SIZE];
    frame_encode(&(struct frame){ .seq = seq, .type = type }, raw);
    if (send_all(w->fd, raw, sizeof raw) < 0)
        return fail(w, "sending a %s frame: %s", type == FRAME_STOP ? "stop" : "request", strerror(errno));
    return true;
}

static bool recv_failed(struct worker *w, int r)
{
    if (r == 0)
        return fail(w, "the server closed the connection mid-run");
    if (errno == EAGAIN)
        return fail(w, "receiving: no data from the server for %g s", IO_TIMEOUT_S);
    return fail(w, "receiving: %s", strerror(errno));
}

static bool run_stream(struct worker *w, void *st, uint64_t warm_end, uint64_t end)
{
    const struct client_opts *o = &w->cl->opt;
    for (uint64_t expect = 0;; expect++) {
        const struct msg *m;
        int r = w->cl->path->recv(st, &m);
        if (r <= 0)
            return recv_failed(w, r);
        uint64_t t = now_ns(), sent;
        bool ok = msg_check(m, expect, o->verify, &sent);
        w->corrupt += !ok;
        if (t >= end)
            return true;
        if (t >= warm_end) {
            w->messages++;
            w->bytes += o->size;
            if (ok)
                histo_add(&w->latency, t > sent ? t - sent : 0);
        }
    }
}

static bool run_rr(struct worker *w, void *st, uint64_t warm_end, uint64_t end)
{
    const struct client_opts *o = &w->cl->opt;
    for (uint64_t seq = 0;; seq++) {
        uint64_t asked = now_ns(), sent;
        if (asked >= end)
            return true;
        if (!send_frame(w, seq, FRAME_REQUEST))
            return false;
        const struct msg *m;
        int r = w->cl->path->recv(st, &m);
        if (r <= 0)
            return recv_failed(w, r);
        uint64_t t = now_ns();
        bool ok = msg_check(m, seq, o->verify, &sent);
        w->corrupt += !ok;
        if (t >= warm_end && t < end) {
            w->messages++;
            w->bytes += o->size;
            if (ok)
                histo_add(&w->latency, t - asked);
        }
    }
}

static void *worker_thread(void *arg)
{
    struct worker *w = arg;
    const struct client_opts *o = &w->cl->opt;
    if (!gate(w, connect_bounded(w) && greet(w)))
        return NULL;
    uint64_t warm_end = w->cl->start_ns + (uint64_t)(o->warmup_s * 1e9);
    uint64_t end = warm_end + (uint64_t)(o->duration_s * 1e9);
    void *st = w->cl->path->open(w->fd, o->size);
    bool ok = o->mode == MODE_STREAM ? run_stream(w, st, warm_end, end) : run_rr(w, st, warm_end, end);
    w->cl->path->close(st);
    if (ok && send_frame(w, 0, FRAME_STOP)) {
        /* Read what is still in flight until the server closes its side. */
        char sink[65536];
        ssize_t r;
        while ((r = recv(w->fd, sink, sizeof sink, 0)) > 0 || (r < 0 && errno == EINTR))
            ;
        if (r < 0)
            fail(w, "waiting for the server to end: %s", strerror(errno));
    }
    return NULL;
}

static void print_result(const struct client *cl, const struct histo *h, uint64_t bytes,
                         uint64_t messages, uint64_t corrupt)
{
    const struct client_opts *o = &cl->opt;
    struct json j;
    json_begin(&j);
    json_str(&j, "impl", impl_name(cl->impl));
    json_str(&j, "role", "client");
    json_str(&j, "mode", mode_name(o->mode));
    json_u64(&j, "msg_size", o->size);
    json_u64(&j, "threads", o->threads);
    json_num(&j, "window_s", o->duration_s);
    json_u64(&j, "bytes", bytes);
    json_u64(&j, "messages", messages);
    json_num(&j, "throughput_gbps", (double)bytes * 8 / o->duration_s / 1e9);
    json_num(&j, "duration_s", o->duration_s);
    json_num(&j, "warmup_s", o->warmup_s);
    json_str(&j, "verify", o->verify == VERIFY_FULL ? "full" : "stamps");
    json_open(&j, "latency_us");
    json_str(&j, "kind", o->mode == MODE_STREAM ? "one_way" : "rtt");
    json_u64(&j, "count", h->count);
    json_num(&j, "mean", histo_mean(h) / 1e3);
    json_num(&j, "p50", (double)histo_quantile(h, 0.50) / 1e3);
    json_num(&j, "p90", (double)histo_quantile(h, 0.90) / 1e3);
    json_num(&j, "p99", (double)histo_quantile(h, 0.99) / 1e3);
    json_num(&j, "p999", (double)histo_quantile(h, 0.999) / 1e3);
    json_num(&j, "max", (double)h->max_ns / 1e3);
    json_close(&j);
    json_u64(&j, "corrupt", corrupt);
    json_u64(&j, "max_rss_kib", peak_rss_kib());
    json_emit(&j);
}

int client_main(int argc, char **argv, enum impl impl, const struct recv_path *path)
{
    prog_name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    struct client cl = { .impl = impl, .path = path };
    parse_opts(argc, argv, &cl.opt);
    signal(SIGPIPE, SIG_IGN);

    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                              .ai_flags = AI_NUMERICSERV };
    int r = getaddrinfo(cl.opt.host, cl.opt.port, &hints, &cl.server);
    if (r != 0)
        die("cannot resolve --host %s: %s", cl.opt.host, gai_strerror(r));
    xmutex_init(&cl.lock, "the start gate");
    xcond_init(&cl.cond, "the start gate");

    unsigned n = cl.opt.threads;
    struct worker *w = xcalloc(n, sizeof *w);
    unsigned started = 0;
    for (; started < n; started++) {
        w[started] = (struct worker){ .cl = &cl, .fd = -1, .index = started };
        histo_init(&w[started].latency);
        int e = pthread_create(&w[started].thread, NULL, worker_thread, &w[started]);
        if (e != 0) {
            histo_free(&w[started].latency);
            warnx_("cannot start thread %u: %s", started, strerror(e));
            pthread_mutex_lock(&cl.lock);
            cl.abort = true;
            pthread_cond_broadcast(&cl.cond);
            pthread_mutex_unlock(&cl.lock);
            break;
        }
    }

    struct histo all;
    histo_init(&all);
    uint64_t bytes = 0, messages = 0, corrupt = 0;
    bool failed = started < n;
    for (unsigned i = 0; i < started; i++) {
        pthread_join(w[i].thread, NULL);
        if (w[i].failed) {
            warnx_("thread %u: %s", i, w[i].err);
            failed = true;
        }
        if (w[i].fd >= 0)
            close(w[i].fd);
        bytes += w[i].bytes;
        messages += w[i].messages;
        corrupt += w[i].corrupt;
        histo_merge(&all, &w[i].latency);
        histo_free(&w[i].latency);
    }
    if (cl.abort && !failed) {
        warnx_("the run was aborted before it started");
        failed = true;
    }
    int code = EXIT_OK;
    if (corrupt) {
        warnx_("%llu corrupt messages received (wrong sequence or stamps)", (unsigned long long)corrupt);
        code = EXIT_RUNTIME;
    }
    if (failed) {
        code = EXIT_RUNTIME;
    } else if (messages == 0 || all.count == 0) {
        warnx_("no intact message completed within the %g s window", cl.opt.duration_s);
        code = EXIT_RUNTIME;
    } else {
        print_result(&cl, &all, bytes, messages, corrupt);
    }
    histo_free(&all);
    free(w);
    freeaddrinfo(cl.server);
    pthread_mutex_destroy(&cl.lock);
    pthread_cond_destroy(&cl.cond);
    return code;
}
