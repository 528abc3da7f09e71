// The vocabulary every wing shares: which variants, modes and checks exist.
// One definition each; the config, the binaries' lines and the CSV rows all
// validate against these. Pure.
import { z } from 'zod';

export const IMPLEMENTATIONS = ['two_copy', 'one_copy', 'zero_copy', 'uring_zero_copy'] as const;
export const Implementation = z.enum(IMPLEMENTATIONS);
/** The course's three variants: a config's default. a4 (io_uring, beyond the course) is asked for by name. */
export const COURSE_VARIANTS = ['two_copy', 'one_copy', 'zero_copy'] as const satisfies readonly Implementation[];
/** The variants whose sender sends zero-copy, with completions to count. */
export const ZERO_COPY_VARIANTS = ['zero_copy', 'uring_zero_copy'] as const satisfies readonly Implementation[];
export const isZeroCopy = (impl: Implementation): boolean => (ZERO_COPY_VARIANTS as readonly Implementation[]).includes(impl);
export type Implementation = z.infer<typeof Implementation>;

/** How the client receives: its variant's copying path, or by mapping the socket's pages (TCP_ZEROCOPY_RECEIVE). */
export const RX_MODES = ['copy', 'zerocopy'] as const;
export const RxMode = z.enum(RX_MODES, { error: 'expected copy or zerocopy' });
export type RxMode = z.infer<typeof RxMode>;

export const MODES = ['stream', 'rr'] as const;
export const Mode = z.enum(MODES);
export type Mode = z.infer<typeof Mode>;

/** How the receiver checks what arrived: the stamps in every field, or every byte. */
export const VERIFY_MODES = ['stamps', 'full'] as const;
export const Verify = z.enum(VERIFY_MODES, { error: 'expected stamps or full' });

/** The binaries' latency kind: one-way delay (stream) or round trip (rr). results.csv names them its own way (results/row.ts RowLatencyKind). */
export const LATENCY_KINDS = ['one_way', 'rtt'] as const;
export const LatencyKind = z.enum(LATENCY_KINDS);

/** The two ends of every pair: the server sends the messages, the client receives them. */
export const SIDES = ['server', 'client'] as const;
export type Side = (typeof SIDES)[number];
