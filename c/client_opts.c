/* The client's command line: its usage text and option parsing. */
#include "client_opts.h"

#include "common.h"

#include <stdio.h>
#include <string.h>

#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)
#define DEFAULT_PORT_TEXT STRINGIFY(DEFAULT_PORT)

static void usage(void)
{
    printf("usage: %s --host ADDR [--port PORT] --size BYTES --threads N --duration SECONDS\n"
           "       [--warmup SECONDS] [--mode stream|rr] [--verify stamps|full]\n"
           "       [--rx copy|zerocopy]\n"
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
           "  --rx copy|zerocopy   copy: this variant's recv path; zerocopy: map the\n"
           "                       socket's pages (TCP_ZEROCOPY_RECEIVE), recv what cannot\n"
           "                       be mapped, check each message in place (default copy)\n"
           "  --help               this text\n"
           "\n"
           "stdout: one JSON result line. Exit 0 ok, 1 a runtime failure or a corrupt\n"
           "message, 2 a usage error.\n",
           prog_name, DEFAULT_PORT_TEXT, MSG_SIZE_MIN, MSG_SIZE_MAX, THREADS_MAX, DURATION_MAX_S,
           DURATION_MAX_S);
}

void parse_client_opts(int argc, char **argv, struct client_opts *o)
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
        } else if (!strcmp(a, "--rx")) {
            const char *v = opt_arg(argc, argv, &i);
            if (!strcmp(v, "copy"))
                o->rx = RX_COPY;
            else if (!strcmp(v, "zerocopy"))
                o->rx = RX_ZEROCOPY;
            else
                usage_error("--rx: expected copy or zerocopy, got \"%s\"", v);
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
