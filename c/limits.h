/* Every bound and default of the binaries in one place: what a hello may ask
 * for, how long either side waits for the other, and what one server may
 * hold. Each says why it is what it is; README's option tables quote them. */
#ifndef COPYBENCH_LIMITS_H
#define COPYBENCH_LIMITS_H

/* ---- What a message and a run may be (checked on the command line and in
 * every hello). 16 B holds the header (sequence + send time). */
#define MSG_SIZE_MIN 16u
#define MSG_SIZE_MAX (64u << 20)
#define THREADS_MAX 1024u
#define DURATION_MAX_S 86400.0

/* ---- Where the two meet. */
#define DEFAULT_PORT 7000
/* Loopback unless asked otherwise: a benchmark server answers anyone who can
 * reach it, and the orchestrator always passes --bind with its data-plane
 * address, so nothing is lost by not listening everywhere. */
#define DEFAULT_BIND "127.0.0.1"

/* ---- Client-side waits. */
#define CONNECT_TIMEOUT_MS 5000
/* The server answers a hello at once; 5 s covers a loaded machine. */
#define ACK_TIMEOUT_S 5.0
/* Longest a receive may block mid-run before the server is declared gone. */
#define IO_TIMEOUT_S 10.0

/* ---- Server-side waits. */
/* One deadline from accept to a complete hello, however the bytes trickle in
 * (a real client sends its 32 bytes in one write), so a connection that
 * never greets holds its thread for at most this long. */
#define HELLO_TIMEOUT_S 2.0
/* Default of --stall-timeout: a send that can hand the kernel no byte, a
 * zero-copy completion that does not come, or an rr request that does not
 * arrive for this long ends that connection (counted as failed). The same
 * figure as the client's IO_TIMEOUT_S: either side gives the other as long. */
#define STALL_TIMEOUT_S IO_TIMEOUT_S
#define STALL_TIMEOUT_MIN_S 0.1
#define STALL_TIMEOUT_MAX_S 3600.0
/* --idle-timeout: a server serving no connection gives up after this long
 * (0: never). The orchestrator passes its experiment budget, so a server
 * whose orchestrator was killed before its client started does not wait
 * forever. */
#define IDLE_TIMEOUT_MAX_S 86400.0
/* How often the stream loop looks for the client's stop frame. */
#define CONTROL_CHECK_NS 1000000ull
/* Beyond warm-up + duration, how long a stream may run before the server
 * gives up on a client that never sent its stop frame. */
#define STREAM_GRACE_NS 30000000000ull

/* ---- What one server may hold. A hello alone makes the server allocate
 * message buffers, so every figure here is counted before anything is
 * allocated for a connection, and exceeding one refuses that hello only. */
/* Default of --max-memory: the message buffers of every served connection
 * together (8 threads of 64 KiB messages need under 20 MiB in any variant;
 * one 64 MiB a1 connection needs 128 MiB). */
#define MAX_MEMORY_DEFAULT (256ull << 20)
#define MAX_MEMORY_MIN (1ull << 20)
#define MAX_MEMORY_MAX (64ull << 30)
/* Default of --max-connections: connections served at once (the matrix runs
 * up to 8 threads; 64 leaves room without one thread per stray connection). */
#define MAX_CONNECTIONS_DEFAULT 64u
#define MAX_CONNECTIONS_MAX 4096u
/* Connections accepted but still waiting for their hello; beyond it a new
 * connection is closed at once (and counted as rejected), so stalled hellos
 * cost at most this many threads for HELLO_TIMEOUT_S each. */
#define MAX_PENDING_HELLOS 16u
/* Counted per served connection besides its message buffers: its thread's
 * touched stack and the engine's per-connection structures (an estimate on
 * the safe side; the thread stack's untouched pages are not resident). */
#define CONN_OVERHEAD_BYTES (64u << 10)

/* ---- The zero-copy ring. Automatic length: about 1 MiB of slots (a 4 MiB
 * ring of 64 KiB messages fell out of L2 and ran slower here), at least 8 so
 * small messages keep several sends in flight per ACK, at most 256, and never
 * more than ZC_RING_MAX_BYTES in all (but always one slot): 8 slots of 64 MiB
 * would be half a GiB per connection. */
#define ZC_RING_BYTES (1u << 20)
#define ZC_RING_MIN 8u
#define ZC_RING_MAX 256u
#define ZC_RING_MAX_BYTES (16u << 20)
#define ZC_SLOTS_MAX 4096u

#endif
