/* The client engine, shared by every variant: parse the options, start one
 * worker thread per connection (worker.c), then merge their counts and
 * latencies into one JSON result. */
#include "common.h"
#include "histo.h"
#include "json.h"
#include "paths.h"
#include "queue.h"
#include "tcpinfo.h"
#include "worker.h"

#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* What the workers measured, merged. */
struct merged {
    struct histo latency;
    uint64_t bytes, messages, corrupt;
    struct rx_counts rx;
    struct tcp_account tcp;
    struct queue_sampler queue; /* bytes received, not yet read (stream mode) */
    bool failed;
};

static void print_result(const struct client *cl, const struct merged *m)
{
    const struct histo *h = &m->latency;
    const struct client_opts *o = &cl->opt;
    struct json j;
    json_begin(&j);
    json_str(&j, "impl", impl_name(cl->impl));
    json_str(&j, "role", "client");
    json_str(&j, "mode", mode_name(o->mode));
    json_u64(&j, "msg_size", o->size);
    json_u64(&j, "threads", o->threads);
    json_num(&j, "window_s", o->duration_s);
    json_u64(&j, "bytes", m->bytes);
    json_u64(&j, "messages", m->messages);
    json_num(&j, "throughput_gbps", (double)m->bytes * 8 / o->duration_s / 1e9);
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
    json_u64(&j, "corrupt", m->corrupt);
    json_open(&j, "rx");
    json_str(&j, "mode", o->rx == RX_ZEROCOPY ? "zerocopy" : "copy");
    json_u64(&j, "mapped_bytes", m->rx.mapped);
    json_u64(&j, "copied_bytes", m->rx.copied);
    json_close(&j);
    tcp_account_json(&j, &m->tcp, false);
    if (o->mode == MODE_STREAM)
        queue_json(&j, &m->queue.stats);
    else
        json_null(&j, "queue");
    json_u64(&j, "max_rss_kib", peak_rss_kib());
    json_emit(&j);
}

/* The receiver's probe (queue.h): SIOCINQ summed over the connections,
 * inside the window the workers measure. The workers' sockets were
 * published before the start gate opened; main closes none of them before
 * the sampler has stopped. */
struct receiver_queue {
    struct client *cl;
    const struct worker *w;
    unsigned n;
};

static enum queue_tick client_probe(void *ctx, struct queue_reader *r, uint64_t now, uint64_t *bytes)
{
    const struct receiver_queue *rq = ctx;
    struct client *cl = rq->cl;
    pthread_mutex_lock(&cl->lock);
    bool abort = cl->abort, open = cl->start_ns != 0;
    pthread_mutex_unlock(&cl->lock);
    if (abort)
        return QUEUE_DONE;
    if (!open)
        return QUEUE_WAIT;
    uint64_t warm_end, end, sum = 0, b;
    client_window(cl, &warm_end, &end);
    if (now >= end)
        return QUEUE_DONE;
    if (now < warm_end)
        return QUEUE_WAIT;
    for (unsigned i = 0; i < rq->n; i++) {
        if (!queue_bytes(r, rq->w[i].fd, false, &b))
            return QUEUE_WAIT;
        sum += b;
    }
    *bytes = sum;
    return QUEUE_TAKEN;
}

/* Wait for the started workers, then stop the sampler (their sockets are
 * closed only after that) and merge what they measured. */
static void collect(struct client *cl, struct worker *w, unsigned started, struct merged *m)
{
    for (unsigned i = 0; i < started; i++)
        pthread_join(w[i].thread, NULL);
    queue_sampler_stop(&m->queue);
    for (unsigned i = 0; i < started; i++) {
        if (w[i].failed) {
            warnx_("thread %u: %s", i, w[i].err);
            m->failed = true;
        }
        if (w[i].fd >= 0)
            close(w[i].fd);
        m->bytes += w[i].bytes;
        m->messages += w[i].messages;
        m->corrupt += w[i].corrupt;
        m->rx.mapped += w[i].rx.mapped;
        m->rx.copied += w[i].rx.copied;
        if (w[i].tcp_ended)
            tcp_account_add(&m->tcp, &w[i].tcp_start, &w[i].tcp_end);
        histo_merge(&m->latency, &w[i].latency);
        histo_free(&w[i].latency);
    }
    if (cl->abort && !m->failed) {
        warnx_("the run was aborted before it started");
        m->failed = true;
    }
}

int client_main(int argc, char **argv, enum impl impl, const struct recv_path *path)
{
    prog_name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    struct client cl = { .impl = impl, .path = path };
    parse_client_opts(argc, argv, &cl.opt);
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

    struct merged m = { .failed = started < n };
    histo_init(&m.latency);
    struct receiver_queue rq = { .cl = &cl, .w = w, .n = started };
    if (cl.opt.mode == MODE_STREAM)
        queue_sampler_start(&m.queue, client_probe, &rq);
    collect(&cl, w, started, &m);
    int code = EXIT_OK;
    if (m.corrupt) {
        warnx_("%llu corrupt messages received (wrong sequence or stamps)", (unsigned long long)m.corrupt);
        code = EXIT_RUNTIME;
    }
    if (m.failed) {
        code = EXIT_RUNTIME;
    } else if (m.messages == 0 || m.latency.count == 0) {
        warnx_("no intact message completed within the %g s window", cl.opt.duration_s);
        code = EXIT_RUNTIME;
    } else {
        print_result(&cl, &m);
    }
    histo_free(&m.latency);
    free(w);
    freeaddrinfo(cl.server);
    pthread_mutex_destroy(&cl.lock);
    pthread_cond_destroy(&cl.cond);
    return code;
}
