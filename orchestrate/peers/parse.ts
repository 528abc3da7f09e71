// What iperf3 and sockperf print, turned into figures comparable with
// copybench's. Pure: the tests feed it outputs captured from the real tools.
// (The plan is plan.ts, peers.csv rows.ts, the comparison compare.ts.)
//
// What "the same transfer" means, for each tool (tools.ts runs them so):
// - copybench: the server sends 8-field messages of SIZE bytes back to back
//   over one TCP connection with TCP_NODELAY; the client receives and counts
//   the bytes of whole messages that arrive inside its window (after the
//   warm-up).
// - iperf3 -c ... -R -N -l SIZE: with -R the server sends and the client
//   receives, SIZE bytes per write, TCP_NODELAY (-N). The client's -J report
//   has the receiver's bytes per interval; the window is cut from those
//   intervals, warm-up excluded.
// - sockperf tp --tcp -m SIZE: the `tp` side sends SIZE-byte messages, the
//   `sr` side receives. It counts messages *sent* during its test, so its
//   figure is the sender's (what is still in flight at the end is a few
//   hundred KiB of seconds' worth). It has no timed warm-up: it sends a few
//   warm-up messages, pauses 2 s (fixed, in its client), then times its
//   test from the first message; over veth TCP reaches full speed within
//   milliseconds, so our warm-up is not applied to it.
import { z } from 'zod';
import type { PeerTool } from '../config/schema.ts';


/** Thrown when a peer's output is not what the tool prints, or not the transfer asked for. */
export class PeerOutputError extends Error {
  override name = 'PeerOutputError';
}

export interface PeerMeasurement {
  /** Bytes counted in the window. */
  bytes: number;
  /** The window those bytes were counted in, seconds. */
  windowS: number;
  throughputGbps: number;
  /**
   * What the sender sent over its whole run (warm-up included), for bytes
   * per segment against the server namespace's OutSegs over the same span;
   * null when the tool does not say.
   */
  senderBytes: number | null;
  /** Who counted: the receiver (iperf3 -R client) or the sender (sockperf tp). */
  countedBy: 'receiver' | 'sender';
  /** The tool's own version string. */
  version: string;
}

const gbps = (bytes: number, seconds: number) => (bytes * 8) / seconds / 1e9;

// ---------------------------------------------------------------------------
// iperf3 -J (client side, -R: the client is the receiver)

const finite = z.number().finite();
const Iperf3Interval = z.looseObject({
  sum: z.looseObject({
    start: finite.nonnegative(),
    end: finite.nonnegative(),
    seconds: finite.nonnegative(),
    bytes: z.number().int().nonnegative(),
    sender: z.boolean().optional(),
  }),
});

const Iperf3Report = z.looseObject({
  start: z.looseObject({
    version: z.string(),
    test_start: z.looseObject({
      protocol: z.string(),
      num_streams: z.number().int(),
      blksize: z.number().int(),
      reverse: z.number().int(),
    }),
  }),
  intervals: z.array(Iperf3Interval),
  // With -R the client's report carries the sender's (the server's) totals in end.sum_sent.
  end: z.looseObject({ sum_sent: z.looseObject({ bytes: z.number().int().nonnegative() }).optional() }),
});

export interface Iperf3Window {
  warmupS: number;
  durationS: number;
  /** The message size asked for (iperf3's -l). */
  msgSize: number;
}

/**
 * The receiver's throughput over [warm-up, warm-up + duration] from an
 * `iperf3 -c HOST -R -J -i INTERVAL` report. Each interval report counts
 * its bytes over its own [start, end] on iperf3's clock; an interval inside
 * the window counts whole, one across an edge for the part inside it (at
 * its own average rate). The intervals normally fall on the window's edges
 * (iperf3Timing chooses them so) and nothing is apportioned; on a loaded
 * machine iperf3's timer can fire late and merge two intervals, and this
 * keeps the window right.
 */
export function parseIperf3Json(text: string, window: Iperf3Window): PeerMeasurement {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new PeerOutputError(`iperf3: output is not JSON: ${JSON.stringify(text.slice(0, 200))}`);
  }
  const error = (json as { error?: unknown })?.error;
  if (typeof error === 'string') throw new PeerOutputError(`iperf3: ${error}`);
  const parsed = Iperf3Report.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new PeerOutputError(`iperf3: not an iperf3 -J report: ${issues.join('; ')}`);
  }
  const report = parsed.data;
  const t = report.start.test_start;
  const problems: string[] = [];
  if (t.protocol !== 'TCP') problems.push(`protocol ${t.protocol}, expected TCP`);
  if (t.num_streams !== 1) problems.push(`${t.num_streams} streams, expected 1`);
  if (t.blksize !== window.msgSize) problems.push(`block size ${t.blksize}, expected ${window.msgSize}`);
  if (t.reverse !== 1) problems.push('not reversed (-R): the client sent instead of receiving');
  const senders = report.intervals.filter((i) => i.sum.sender === true).length;
  if (senders) problems.push(`${senders} intervals counted by the sender, expected the receiver's`);
  if (problems.length) throw new PeerOutputError(`iperf3: not the transfer asked for: ${problems.join('; ')}`);

  if (report.intervals.length === 0) throw new PeerOutputError('iperf3: the report has no intervals');
  const from = window.warmupS;
  const to = window.warmupS + window.durationS;
  let bytes = 0;
  let seconds = 0;
  for (const { sum } of report.intervals) {
    const length = sum.end - sum.start;
    const overlap = Math.min(sum.end, to) - Math.max(sum.start, from);
    if (length <= 0 || overlap <= 0) continue;
    // Within a microsecond of whole: iperf3's edges are its timer's, not ours.
    const share = overlap >= length - 1e-6 ? 1 : overlap / length;
    bytes += sum.bytes * share;
    seconds += overlap;
  }
  bytes = Math.round(bytes);
  // A run cut short (the server gone, a timeout) must not pass for a short window.
  if (seconds < window.durationS * 0.95) {
    throw new PeerOutputError(
      `iperf3: its intervals cover ${seconds.toFixed(3)} s of the ${window.durationS} s window after ${window.warmupS} s`,
    );
  }
  if (bytes === 0) throw new PeerOutputError('iperf3: nothing received in the window');
  const senderBytes = report.end.sum_sent?.bytes ?? null;
  return { bytes, windowS: seconds, throughputGbps: gbps(bytes, seconds), senderBytes, countedBy: 'receiver', version: report.start.version };
}

/**
 * iperf3's -t and -i for a window of `durationS` after `warmupS`: -t takes
 * whole seconds (3.12 parses it with atoi), so it runs for the window's end
 * rounded up; -i is the longest interval, at most 1 s and at least iperf3's
 * 0.1 s, that both the warm-up and the window's end fall on, so that the
 * window is a whole number of intervals.
 */
export function iperf3Timing(warmupS: number, durationS: number): { timeS: number; intervalS: number } {
  const tenths = (s: number) => Math.round(s * 10);
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  const common = gcd(tenths(warmupS), tenths(durationS));
  let interval = 1;
  for (let d = Math.min(10, common); d >= 1; d--) {
    if (common % d === 0) {
      interval = d;
      break;
    }
  }
  return { timeS: Math.ceil(warmupS + durationS - 1e-9), intervalS: interval / 10 };
}

/**
 * The line each tool's listening side prints once it accepts connections:
 * peer-tools.ts starts the other side only after seeing it (see
 * test/fixtures/peers/).
 */
export const READY_LINE: Record<PeerTool, RegExp> = {
  iperf3: /Server listening on \d+/,
  sockperf: /using \w+\(\) to block on socket/,
};

/** `iperf 3.12` from `iperf3 --version`'s first line. */
export function parseIperf3Version(text: string): string | null {
  return /^iperf (\d+\.\d+\S*)/m.exec(text)?.[1] ?? null;
}

// ---------------------------------------------------------------------------
// sockperf tp (the sender) and sr (the receiver)

// sockperf colours some of its lines (ESC[2;35m ... ESC[0m) even into a pipe.
const ANSI = /\x1b\[[0-9;]*m/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

/** `3.7-no.git` from `sockperf --version` (`sockperf, version 3.7-no.git`) or its banner (`== version #3.7-no.git ==`). */
export function parseSockperfVersion(text: string): string | null {
  return /version #?(\d[^\s=]*)/.exec(stripAnsi(text))?.[1] ?? null;
}

/**
 * The sender's throughput from `sockperf tp --tcp -m SIZE` output: its
 * "Message Rate" (messages sent per second of its test window, which it
 * computes from microsecond timestamps) × SIZE. Its "MBps" is not used: it
 * is MiB per second. The messages and the window come from its "Total of N
 * messages sent in T sec" line (T printed to the millisecond, so the rate is
 * the more precise of the two).
 */
export function parseSockperfTp(text: string, msgSize: number): PeerMeasurement {
  const plain = stripAnsi(text);
  const version = parseSockperfVersion(plain);
  const error = /sockperf: ERROR: (.*)/.exec(plain)?.[1];
  if (error) throw new PeerOutputError(`sockperf: ${error.trim()}`);
  const total = /Total of (\d+) messages sent in ([\d.]+) sec/.exec(plain);
  const rate = /Summary: Message Rate is (\d+) \[msg\/sec\]/.exec(plain);
  if (!version || !total || !rate) {
    const missing = [!version && 'version', !total && '"Total of N messages sent in T sec"', !rate && '"Message Rate"']
      .filter(Boolean)
      .join(', ');
    throw new PeerOutputError(`sockperf: not a sockperf tp summary (no ${missing}): ${JSON.stringify(plain.slice(-300))}`);
  }
  const size = /using msg-size=(\d+)/.exec(plain)?.[1];
  // sockperf notes the size only when it is not its preferred 1472.
  const reportedSize = size === undefined ? 1472 : Number(size);
  if (reportedSize !== msgSize) throw new PeerOutputError(`sockperf: sent ${reportedSize}-byte messages, expected ${msgSize}`);
  const messages = Number(total[1]);
  const seconds = Number(total[2]);
  if (!(seconds > 0) || messages === 0) throw new PeerOutputError(`sockperf: sent ${messages} messages in ${seconds} s`);
  const msgRate = Number(rate[1]);
  // The rate is the same count over the same time: a disagreement beyond the
  // rounding of T to the millisecond means the summary was not read as
  // sockperf meant it.
  if (Math.abs(msgRate - messages / seconds) > Math.max(1, msgRate * (0.0005 / seconds + 1e-4))) {
    throw new PeerOutputError(`sockperf: message rate ${msgRate}/s disagrees with ${messages} messages in ${seconds} s`);
  }
  const bytes = messages * msgSize;
  // Its whole run is its test: the few warm-up messages before it are not counted anywhere.
  return { bytes, windowS: messages / msgRate, throughputGbps: (msgRate * msgSize * 8) / 1e9, senderBytes: bytes, countedBy: 'sender', version };
}

