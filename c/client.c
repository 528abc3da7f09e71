/* The client engine, shared by every variant: parse the options, start one
 * worker thread per connection (worker.c), then merge their counts and
 * latencies into one JSON result. */
#include "common.h"
#include "histo.h"
#include "json.h"
#include "paths.h"
#include "tcpinfo.h"
#include "worker.h"

#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void print_result(const struct client *cl, const struct histo *h, uint64_t bytes,
                         uint64_t messages, uint64_t corrupt, const struct tcp_account *tcp)
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
    tcp_account_json(&j, tcp, false);
    json_u64(&j, "max_rss_kib", peak_rss_kib());
    json_emit(&j);
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

    struct histo all;
    histo_init(&all);
    uint64_t bytes = 0, messages = 0, corrupt = 0;
    struct tcp_account tcp = { 0 };
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
        if (w[i].tcp_ended)
            tcp_account_add(&tcp, &w[i].tcp_start, &w[i].tcp_end);
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
        print_result(&cl, &all, bytes, messages, corrupt, &tcp);
    }
    histo_free(&all);
    free(w);
    freeaddrinfo(cl.server);
    pthread_mutex_destroy(&cl.lock);
    pthread_cond_destroy(&cl.cond);
    return code;
}
