/* The server engine, shared by every variant: listen, validate each hello,
 * serve each connection on its own thread through the variant's send path,
 * and print one JSON result when done. */
#include "common.h"
#include "io.h"
#include "json.h"
#include "paths.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

/* Bounds (limits.h): a hello must be whole HELLO_TIMEOUT_S after accept; at
 * most MAX_PENDING_HELLOS connections wait for theirs; at most
 * --max-connections are served at once, and their message buffers together
 * stay within --max-memory, both reserved before anything is allocated; a
 * peer that makes no progress for --stall-timeout ends its connection. None
 * of these ends the server: a refused or failed connection is counted. */

struct server_opts {
    const char *bind;
    const char *port;
    uint64_t connections; /* end after this many valid connections; 0: never */
    uint64_t max_memory;  /* bytes of message buffers over all connections */
    unsigned max_connections;
    double stall_timeout_s;
    struct send_opts send;
};

struct conn {
    struct server *srv;
    int fd;
    pthread_t thread;
    struct conn *next;
    uint64_t accept_ns;
    bool finished; /* the thread has returned (guarded by srv->lock) */
    bool pending;  /* counted in srv->pending (guarded by srv->lock) */
    size_t reserved; /* bytes of srv->reserved held (guarded by srv->lock) */
    /* Written by the thread, read after it is joined: */
    bool valid;  /* the hello was accepted */
    bool failed; /* a runtime failure after the hello */
    enum mode mode;
    uint32_t msg_size;
    uint64_t start_ns, end_ns, bytes_sent, messages_sent;
    struct zc_counters zc;
};

struct totals {
    uint64_t connections, rejected, failed, bytes_sent, messages_sent;
    uint64_t first_start_ns, last_end_ns;
    bool have_mode;
    enum mode mode;
    uint32_t msg_size;
    struct zc_counters zc;
    bool zc_all_enabled;
};

struct server {
    const struct send_path *path;
    struct server_opts opt;
    pthread_mutex_t lock;
    struct conn *active; /* threads not yet reaped */
    /* Admission, guarded by lock: */
    unsigned pending;    /* accepted, hello not yet complete */
    unsigned serving;    /* hello accepted, not yet ended */
    uint64_t reserved;   /* bytes reserved by the connections served */
    int done_pipe[2];    /* a finishing thread writes one byte */
    atomic_bool stopping;
    atomic_uint_fast64_t rejected;
    struct totals total;
};

static void usage(void)
{
    printf("usage: %s [--bind ADDR] [--port PORT] [--connections N] [--max-connections N]\n"
           "       [--max-memory BYTES] [--stall-timeout SECONDS] [--zc-slots N]\n"
           "\n"
           "Serve copybench clients: after each client's hello, send it 8-field messages\n"
           "through this variant's send path (stream), or one per request (rr).\n"
           "\n"
           "  --bind ADDR            address to listen on (default %s)\n"
           "  --port PORT            TCP port, 0 picks a free one (default %d)\n"
           "  --connections N        exit after N accepted connections have ended\n"
           "                         (default 0: run until SIGINT/SIGTERM)\n"
           "  --max-connections N    connections served at once, 1..%u (default %u);\n"
           "                         a hello beyond them is refused and counted\n"
           "  --max-memory BYTES     message buffers of all connections together, with\n"
           "                         an optional K, M or G suffix, 1M..64G (default 256M);\n"
           "                         a hello whose buffers would not fit is refused\n"
           "  --stall-timeout SECONDS  end a connection whose client makes no progress\n"
           "                         (takes no data, sends no request) for this long,\n"
           "                         %g..%g (default %g)\n"
           "  --zc-slots N           zero-copy ring length, 1..%u (default: about 1 MiB\n"
           "                         of messages, 8..256 slots, at most 16 MiB)\n"
           "  --zc-unsafe-reuse      for tests only: rewrite zero-copy slots without waiting\n"
           "                         for their completions (the client must see corruption)\n"
           "  --help                 this text\n"
           "\n"
           "A connection must complete its hello within %g s of being accepted; at most\n"
           "%u connections may be waiting for theirs, more are closed at once.\n"
           "\n"
           "stdout: {\"event\":\"ready\",\"port\":P} once listening, then one JSON result\n"
           "line at exit. Exit 0 ok, 1 a runtime failure, 2 a usage error.\n",
           prog_name, DEFAULT_BIND, DEFAULT_PORT, MAX_CONNECTIONS_MAX, MAX_CONNECTIONS_DEFAULT,
           STALL_TIMEOUT_MIN_S, STALL_TIMEOUT_MAX_S, STALL_TIMEOUT_S, ZC_SLOTS_MAX, HELLO_TIMEOUT_S,
           MAX_PENDING_HELLOS);
}

static void parse_opts(int argc, char **argv, struct server_opts *o)
{
    static char port_text[8];
    snprintf(port_text, sizeof port_text, "%d", DEFAULT_PORT);
    *o = (struct server_opts){ .bind = DEFAULT_BIND, .port = port_text,
                               .max_memory = MAX_MEMORY_DEFAULT,
                               .max_connections = MAX_CONNECTIONS_DEFAULT,
                               .stall_timeout_s = STALL_TIMEOUT_S };
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        exit_if_help(a, usage);
        if (!strcmp(a, "--bind")) {
            o->bind = opt_arg(argc, argv, &i);
        } else if (!strcmp(a, "--port")) {
            o->port = port_opt(argc, argv, &i, 0);
        } else if (!strcmp(a, "--connections")) {
            o->connections = parse_uint_opt("--connections", opt_arg(argc, argv, &i), 0, 1000000);
        } else if (!strcmp(a, "--max-connections")) {
            o->max_connections = (unsigned)parse_uint_opt("--max-connections", opt_arg(argc, argv, &i), 1,
                                                          MAX_CONNECTIONS_MAX);
        } else if (!strcmp(a, "--max-memory")) {
            o->max_memory = parse_bytes_opt("--max-memory", opt_arg(argc, argv, &i), MAX_MEMORY_MIN,
                                            MAX_MEMORY_MAX);
        } else if (!strcmp(a, "--stall-timeout")) {
            o->stall_timeout_s = parse_seconds_opt("--stall-timeout", opt_arg(argc, argv, &i),
                                                   STALL_TIMEOUT_MIN_S, STALL_TIMEOUT_MAX_S);
        } else if (!strcmp(a, "--zc-slots")) {
            o->send.zc_slots = (unsigned)parse_uint_opt("--zc-slots", opt_arg(argc, argv, &i), 1, ZC_SLOTS_MAX);
        } else if (!strcmp(a, "--zc-unsafe-reuse")) {
            o->send.zc_unsafe_reuse = true;
        } else {
            usage_error("unknown option \"%s\"", a);
        }
    }
    o->send.stall_timeout_ms = (int)(o->stall_timeout_s * 1000 + 0.5);
}

static int listen_on(const struct server_opts *o, unsigned *port)
{
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                              .ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV };
    struct addrinfo *ai;
    int r = getaddrinfo(o->bind, o->port, &hints, &ai);
    if (r != 0)
        usage_error("--bind: \"%s\" is not a numeric IPv4 or IPv6 address (%s)", o->bind, gai_strerror(r));
    int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        die_errno("socket");
    int one = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0)
        die_errno("setsockopt(SO_REUSEADDR)");
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0)
        die_errno("bind %s port %s", o->bind, o->port);
    freeaddrinfo(ai);
    if (listen(fd, 1024) != 0)
        die_errno("listen");
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
        die_errno("getsockname");
    *port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                            : ((struct sockaddr_in *)&ss)->sin_port);
    return fd;
}

static void conn_fail(struct conn *c, const char *what)
{
    /* A failure caused by our own shutdown at SIGINT/SIGTERM is no failure. */
    if (atomic_load(&c->srv->stopping))
        return;
    c->failed = true;
    warnx_("connection %d: %s", c->fd, what);
}

static void reject(struct conn *c, uint32_t status, const char *why)
{
    uint8_t ack[ACK_SIZE];
    atomic_fetch_add(&c->srv->rejected, 1);
    if (status != HELLO_OK) {
        ack_encode(status, ack);
        (void)send_all(c->fd, ack, sizeof ack); /* best effort: it may be gone */
    }
    warnx_("connection %d rejected: %s", c->fd, why);
}

/* The hello is complete (or never will be): free the waiting place. */
static void leave_pending(struct conn *c)
{
    pthread_mutex_lock(&c->srv->lock);
    if (c->pending) {
        c->pending = false;
        c->srv->pending--;
    }
    pthread_mutex_unlock(&c->srv->lock);
}

/* Reserve a served connection's place and the memory its send path will
 * allocate, before anything is allocated: HELLO_OK, or why not (in why).
 * Reserving under the lock means connections greeting at the same moment
 * cannot together overshoot the budget. */
static enum hello_status admit(struct conn *c, const struct hello *h, char *why, size_t whylen)
{
    struct server *s = c->srv;
    uint64_t need = (uint64_t)s->path->footprint(h->msg_size, &s->opt.send) + CONN_OVERHEAD_BYTES;
    enum hello_status status = HELLO_OK;
    pthread_mutex_lock(&s->lock);
    if (s->serving >= s->opt.max_connections) {
        status = HELLO_SERVER_FULL;
        snprintf(why, whylen, "%u connections are already served (--max-connections)", s->serving);
    } else if (need > s->opt.max_memory - s->reserved) {
        status = HELLO_SERVER_NO_MEMORY;
        snprintf(why, whylen, "messages of %u bytes need %llu bytes, %llu of --max-memory %llu are free",
                 h->msg_size, (unsigned long long)need, (unsigned long long)(s->opt.max_memory - s->reserved),
                 (unsigned long long)s->opt.max_memory);
    } else {
        s->serving++;
        s->reserved += need;
        c->reserved = need;
    }
    pthread_mutex_unlock(&s->lock);
    return status;
}

static void release(struct conn *c)
{
    pthread_mutex_lock(&c->srv->lock);
    if (c->reserved) {
        c->srv->serving--;
        c->srv->reserved -= c->reserved;
        c->reserved = 0;
    }
    pthread_mutex_unlock(&c->srv->lock);
}

/* Why a send failed: a timed-out send (SO_SNDTIMEO, set to --stall-timeout)
 * means the client took no data for that long. errno is the send path's. */
static const char *send_failure(const struct conn *c, char *err, size_t errlen)
{
    if (errno == EAGAIN || errno == EWOULDBLOCK)
        snprintf(err, errlen, "the client stopped taking data (sends made no headway, --stall-timeout %g s)",
                 c->srv->opt.stall_timeout_s);
    return err;
}

/* Both loops return NULL when the client ended the run, else the reason.
 *
 * Stream: send back to back until the client's stop frame, looking for it
 * once a millisecond (the send time is taken anyway, so the check is free
 * until it is due). */
static const char *serve_stream(struct conn *c, void *path_state, const struct hello *h,
                                char *err, size_t errlen)
{
    const struct send_path *path = c->srv->path;
    uint8_t ctl[FRAME_SIZE];
    size_t have = 0;
    uint64_t next_check = 0, deadline = c->start_ns + (uint64_t)h->warmup_ms * 1000000ull +
                                        (uint64_t)h->duration_ms * 1000000ull + STREAM_GRACE_NS;
    for (uint64_t seq = 0; !atomic_load(&c->srv->stopping); seq++) {
        uint64_t t = now_ns();
        if (t >= next_check) {
            next_check = t + CONTROL_CHECK_NS;
            if (t > deadline)
                return "the client never ended the stream";
            ssize_t r = recv(c->fd, ctl + have, sizeof ctl - have, MSG_DONTWAIT);
            if (r == 0)
                return "the client closed without a stop frame";
            if (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                snprintf(err, errlen, "recv: %s", strerror(errno));
                return err;
            }
            if (r > 0 && (have += (size_t)r) == sizeof ctl) {
                struct frame f;
                if (!frame_decode(ctl, &f) || f.type != FRAME_STOP)
                    return "malformed control frame in stream mode";
                return NULL;
            }
        }
        if (path->send(path_state, seq, t, err, errlen) < 0)
            return send_failure(c, err, errlen);
        c->bytes_sent += h->msg_size;
        c->messages_sent++;
    }
    return NULL;
}

/* Request/response: one full message through the send path per request. */
static const char *serve_rr(struct conn *c, void *path_state, const struct hello *h,
                            char *err, size_t errlen)
{
    const struct send_path *path = c->srv->path;
    uint8_t buf[FRAME_SIZE];
    while (!atomic_load(&c->srv->stopping)) {
        int r = recv_all(c->fd, buf, sizeof buf);
        if (r == 0)
            return "the client closed without a stop frame";
        if (r < 0 && errno == EAGAIN)
            snprintf(err, errlen, "no request for %g s (--stall-timeout)", c->srv->opt.stall_timeout_s);
        else if (r < 0)
            snprintf(err, errlen, "recv: %s", strerror(errno));
        if (r < 0)
            return err;
        struct frame f;
        if (!frame_decode(buf, &f))
            return "malformed request frame";
        if (f.type == FRAME_STOP)
            return NULL;
        if (path->send(path_state, f.seq, now_ns(), err, errlen) < 0)
            return send_failure(c, err, errlen);
        c->bytes_sent += h->msg_size;
        c->messages_sent++;
    }
    return NULL;
}

static void serve(struct conn *c)
{
    const struct send_path *path = c->srv->path;
    const struct server_opts *opt = &c->srv->opt;
    uint8_t raw[HELLO_SIZE];
    struct hello h;
    char err[256];

    int r = recv_all_by(c->fd, raw, sizeof raw, c->accept_ns + (uint64_t)(HELLO_TIMEOUT_S * 1e9));
    leave_pending(c);
    if (r <= 0) {
        if (r == 0)
            reject(c, HELLO_OK, "closed before a whole hello");
        else if (errno == ETIMEDOUT) {
            snprintf(err, sizeof err, "no whole hello within %g s of accept", HELLO_TIMEOUT_S);
            reject(c, HELLO_OK, err);
        } else {
            reject(c, HELLO_OK, strerror(errno));
        }
        return;
    }
    hello_decode(raw, &h);
    enum hello_status status = hello_validate(&h, path->impl);
    if (status != HELLO_OK) {
        reject(c, status, hello_status_text(status));
        return;
    }
    char why[192];
    status = admit(c, &h, why, sizeof why);
    if (status != HELLO_OK) {
        reject(c, status, why);
        return;
    }

    c->valid = true;
    c->mode = h.mode;
    c->msg_size = h.msg_size;
    c->start_ns = now_ns();
    set_nodelay(c->fd);
    /* From here on a peer that makes no progress for --stall-timeout ends its
     * connection: sends and receives time out in the kernel (no extra
     * syscall on the measured path); a send that times out having moved
     * nothing fails, one that moved a part returns short and the next call
     * gets the whole bound again, so a client that stops reading is dropped
     * between one and two bounds after its last read. */
    set_timeouts(c->fd, opt->stall_timeout_s, opt->stall_timeout_s);
    void *state = path->open(c->fd, h.msg_size, &opt->send, err, sizeof err);
    uint8_t ack[ACK_SIZE];
    ack_encode(state ? HELLO_OK : HELLO_SERVER_ERROR, ack);
    if (send_all(c->fd, ack, sizeof ack) < 0)
        conn_fail(c, "could not answer the hello");
    else if (!state)
        conn_fail(c, err);
    else {
        const char *why_end = h.mode == MODE_STREAM ? serve_stream(c, state, &h, err, sizeof err)
                                                    : serve_rr(c, state, &h, err, sizeof err);
        if (why_end)
            conn_fail(c, why_end);
    }
    if (state) {
        if (path->finish && path->finish(state, &c->zc, err, sizeof err) < 0)
            conn_fail(c, err);
        path->close(state);
    }
    release(c);
    /* Our side is done; after a clean end, read until the client closes so
     * that neither side resets a connection with data in flight, for at
     * most --stall-timeout in all. After a failure there is nothing to
     * protect: close at once. */
    if (!c->failed) {
        shutdown(c->fd, SHUT_WR);
        char sink[4096];
        uint64_t deadline = now_ns() + (uint64_t)(opt->stall_timeout_s * 1e9);
        while (recv_all_by(c->fd, sink, sizeof sink, deadline) > 0)
            ;
    }
    c->end_ns = now_ns();
}

static void *conn_thread(void *arg)
{
    struct conn *c = arg;
    serve(c);
    pthread_mutex_lock(&c->srv->lock);
    c->finished = true;
    pthread_mutex_unlock(&c->srv->lock);
    char byte = 1;
    while (write(c->srv->done_pipe[1], &byte, 1) < 0 && errno == EINTR)
        ;
    return NULL;
}

static void add_to_totals(struct totals *t, const struct conn *c)
{
    if (!c->valid)
        return;
    t->connections++;
    t->failed += c->failed;
    t->bytes_sent += c->bytes_sent;
    t->messages_sent += c->messages_sent;
    if (!t->first_start_ns || c->start_ns < t->first_start_ns)
        t->first_start_ns = c->start_ns;
    if (c->end_ns > t->last_end_ns)
        t->last_end_ns = c->end_ns;
    if (!t->have_mode) {
        t->have_mode = true;
        t->mode = c->mode;
        t->msg_size = c->msg_size;
    }
    t->zc.sends += c->zc.sends;
    t->zc.completions += c->zc.completions;
    t->zc.copied += c->zc.copied;
    t->zc.enobufs += c->zc.enobufs;
    t->zc.enabled |= c->zc.enabled;
    t->zc_all_enabled &= c->zc.enabled;
}

/* Join and free every finished connection thread. */
static void reap(struct server *s, bool all)
{
    pthread_mutex_lock(&s->lock);
    struct conn **pp = &s->active;
    while (*pp) {
        struct conn *c = *pp;
        if (!all && !c->finished) {
            pp = &c->next;
            continue;
        }
        *pp = c->next;
        pthread_mutex_unlock(&s->lock);
        pthread_join(c->thread, NULL);
        close(c->fd);
        add_to_totals(&s->total, c);
        free(c);
        pthread_mutex_lock(&s->lock);
    }
    pthread_mutex_unlock(&s->lock);
}

/* Accept one connection and start its thread, unless MAX_PENDING_HELLOS
 * connections are already waiting for their hello: then it is closed at
 * once, so stalled hellos cannot multiply threads. */
static void accept_one(struct server *s, int lfd)
{
    int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0) {
        if (errno != EINTR && errno != EAGAIN && errno != ECONNABORTED)
            warnx_("accept: %s", strerror(errno));
        return;
    }
    uint64_t accepted = now_ns();
    const char *why = NULL;
    char buf[128];
    pthread_mutex_lock(&s->lock);
    struct conn *c = NULL;
    if (s->pending >= MAX_PENDING_HELLOS) {
        why = "too many connections waiting for their hello";
    } else if (!(c = calloc(1, sizeof *c))) {
        why = "out of memory";
    } else {
        *c = (struct conn){ .srv = s, .fd = fd, .accept_ns = accepted, .pending = true };
        int r = pthread_create(&c->thread, NULL, conn_thread, c);
        if (r == 0) {
            s->pending++;
            c->next = s->active;
            s->active = c;
        } else {
            snprintf(buf, sizeof buf, "cannot start a thread: %s", strerror(r));
            why = buf;
            free(c);
        }
    }
    pthread_mutex_unlock(&s->lock);
    if (why) {
        atomic_fetch_add(&s->rejected, 1);
        warnx_("connection %d rejected: %s", fd, why);
        close(fd);
    }
}

static void print_result(const struct server *s)
{
    const struct totals *t = &s->total;
    double window = t->last_end_ns > t->first_start_ns ? (double)(t->last_end_ns - t->first_start_ns) / 1e9 : 0;
    struct json j;
    json_begin(&j);
    json_str(&j, "impl", impl_name(s->path->impl));
    json_str(&j, "role", "server");
    if (t->have_mode) {
        json_str(&j, "mode", mode_name(t->mode));
        json_u64(&j, "msg_size", t->msg_size);
    } else {
        json_null(&j, "mode");
        json_null(&j, "msg_size");
    }
    json_u64(&j, "threads", t->connections);
    json_num(&j, "window_s", window);
    json_u64(&j, "bytes", t->bytes_sent);
    json_u64(&j, "messages", t->messages_sent);
    json_num(&j, "throughput_gbps", window > 0 ? (double)t->bytes_sent * 8 / window / 1e9 : 0);
    json_null(&j, "latency_us");
    json_u64(&j, "connections", t->connections);
    json_u64(&j, "rejected", atomic_load(&s->rejected));
    json_u64(&j, "bytes_sent", t->bytes_sent);
    json_u64(&j, "messages_sent", t->messages_sent);
    json_open(&j, "zerocopy");
    json_bool(&j, "enabled", t->zc.enabled && t->zc_all_enabled);
    json_u64(&j, "sends", t->zc.sends);
    json_u64(&j, "completions", t->zc.completions);
    json_u64(&j, "copied", t->zc.copied);
    json_u64(&j, "enobufs", t->zc.enobufs);
    json_close(&j);
    json_u64(&j, "max_rss_kib", peak_rss_kib());
    json_emit(&j);
}

int server_main(int argc, char **argv, const struct send_path *path)
{
    prog_name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    struct server s = { .path = path, .total = { .zc_all_enabled = true } };
    parse_opts(argc, argv, &s.opt);
    signal(SIGPIPE, SIG_IGN);

    /* SIGINT/SIGTERM arrive on a signalfd read by the main loop; blocked
     * before any thread starts, so every thread inherits the mask. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    if (pthread_sigmask(SIG_BLOCK, &sigs, NULL) != 0)
        die("pthread_sigmask failed");
    int sfd = signalfd(-1, &sigs, SFD_CLOEXEC);
    if (sfd < 0)
        die_errno("signalfd");
    if (pipe2(s.done_pipe, O_CLOEXEC) != 0)
        die_errno("pipe");
    xmutex_init(&s.lock, "the server's connection list");

    unsigned port;
    int lfd = listen_on(&s.opt, &port);
    printf("{\"event\":\"ready\",\"port\":%u}\n", port);
    if (fflush(stdout) == EOF)
        die_errno("writing the ready line");

    for (;;) {
        struct pollfd p[3] = { { .fd = lfd, .events = POLLIN },
                               { .fd = sfd, .events = POLLIN },
                               { .fd = s.done_pipe[0], .events = POLLIN } };
        if (poll(p, 3, -1) < 0) {
            if (errno == EINTR)
                continue;
            die_errno("poll");
        }
        if (p[1].revents & POLLIN)
            break;
        if (p[2].revents & POLLIN) {
            char bytes[64];
            if (read(s.done_pipe[0], bytes, sizeof bytes) < 0 && errno != EINTR)
                die_errno("read");
            reap(&s, false);
            if (s.opt.connections && s.total.connections >= s.opt.connections)
                break;
        }
        if (p[0].revents & POLLIN)
            accept_one(&s, lfd);
    }

    /* Unblock every connection thread still running, then collect them. */
    atomic_store(&s.stopping, true);
    pthread_mutex_lock(&s.lock);
    for (struct conn *c = s.active; c; c = c->next)
        shutdown(c->fd, SHUT_RDWR);
    pthread_mutex_unlock(&s.lock);
    reap(&s, true);
    close(lfd);
    close(sfd);
    close(s.done_pipe[0]);
    close(s.done_pipe[1]);
    pthread_mutex_destroy(&s.lock);

    print_result(&s);
    if (s.total.failed) {
        warnx_("%llu of %llu connections failed", (unsigned long long)s.total.failed,
               (unsigned long long)s.total.connections);
        return EXIT_RUNTIME;
    }
    return EXIT_OK;
}
