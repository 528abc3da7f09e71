/* The server's command line: its usage text and option parsing. */
#include "server_opts.h"

#include "common.h"

#include <stdio.h>
#include <string.h>

static void usage(void)
{
    printf("usage: %s [--bind ADDR] [--port PORT] [--connections N] [--max-connections N]\n"
           "       [--max-memory BYTES] [--stall-timeout SECONDS] [--idle-timeout SECONDS]\n"
           "       [--zc-slots N] [--check]\n"
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
           "  --idle-timeout SECONDS exit (1) after this long serving no connection, 0..%g\n"
           "                         (default 0: never)\n"
           "  --zc-slots N           zero-copy ring length, 1..%u (default: about 1 MiB\n"
           "                         of messages, 8..256 slots, at most 16 MiB)\n"
           "  --zc-unsafe-reuse      for tests only: rewrite zero-copy slots without waiting\n"
           "                         for their completions (the client must see corruption)\n"
           "  --check                check that this machine can run this variant's send\n"
           "                         path (a4: io_uring), then exit: 0, or 1 with the reason\n"
           "  --help                 this text\n"
           "\n"
           "A connection must complete its hello within %g s of being accepted; at most\n"
           "%u connections may be waiting for theirs, more are closed at once.\n"
           "\n"
           "stdout: {\"event\":\"ready\",\"port\":P} once listening, then one JSON result\n"
           "line at exit. Exit 0 ok, 1 a runtime failure, 2 a usage error.\n",
           prog_name, DEFAULT_BIND, DEFAULT_PORT, MAX_CONNECTIONS_MAX, MAX_CONNECTIONS_DEFAULT,
           STALL_TIMEOUT_MIN_S, STALL_TIMEOUT_MAX_S, STALL_TIMEOUT_S, IDLE_TIMEOUT_MAX_S, ZC_SLOTS_MAX, HELLO_TIMEOUT_S,
           MAX_PENDING_HELLOS);
}

void parse_server_opts(int argc, char **argv, struct server_opts *o)
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
        } else if (!strcmp(a, "--idle-timeout")) {
            o->idle_timeout_s = parse_seconds_opt("--idle-timeout", opt_arg(argc, argv, &i), 0, IDLE_TIMEOUT_MAX_S);
        } else if (!strcmp(a, "--zc-slots")) {
            o->send.zc_slots = (unsigned)parse_uint_opt("--zc-slots", opt_arg(argc, argv, &i), 1, ZC_SLOTS_MAX);
        } else if (!strcmp(a, "--check")) {
            o->check = true;
        } else if (!strcmp(a, "--zc-unsafe-reuse")) {
            o->send.zc_unsafe_reuse = true;
        } else {
            usage_error("unknown option \"%s\"", a);
        }
    }
    o->send.stall_timeout_ms = (int)(o->stall_timeout_s * 1000 + 0.5);
}
