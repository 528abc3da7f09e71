// MT25042's published table (seeds/mt25042-part-b.csv) beside a run of
// configs/mt25042.yaml: their throughput and ours at every point both have,
// the ratio that carries between machines (each variant ÷ two_copy), and
// what differs between the two measurements and why, computed where the data
// allow. Pure: the seed's rows and a run's points in, a report section out;
// plotting.ts reads the file (SEED_FILE) and hands the section to the report.
import { fileURLToPath } from 'node:url';
import { cpusOf } from '../config/cpus.ts';
import { IMPLEMENTATIONS } from '../config/domain.ts';
import { formatSize } from '../results/format.ts';
import { SeedColumns } from '../results/row.ts';
import { median } from '../results/stats.ts';
import { DataError, readTable, type TypedRecord } from '../results/table.ts';
import { counterAbsence } from './analysis.ts';
import { BASELINE, compareWithBaseline, type Comparison } from './compare.ts';
import { sideValue, type RunData } from './dataset.ts';
import type { PointStats } from './points.ts';
import type { ReportSection } from './report.ts';

/** The config whose runs the seed is set beside (its `name:`). */
export const SEED_CONFIG_NAME = 'mt25042';

/** The project's copy of MT25042's Part B "Raw Results" table (seeds/README.md names the source). */
export const SEED_FILE = fileURLToPath(new URL('../../seeds/mt25042-part-b.csv', import.meta.url));

/** Their experiment length (report MT25042, Part B): the span their counts were taken over. */
export const SEED_DURATION_S = 10;

/** One row of their table: the course's nine columns; their counters are the client's alone. */
export type SeedRow = TypedRecord<typeof SeedColumns.shape>;

/** The seed's CSV text → its rows, validated column by column; a repeated point is a DataError. */
export function parseSeedTable(text: string, source: string): SeedRow[] {
  const rows = readTable(SeedColumns.shape, text, source);
  const seen = new Set<string>();
  rows.forEach((r, i) => {
    const key = `${r.implementation}/${r.msg_size}/${r.threads}`;
    if (seen.has(key)) throw new DataError(`${source}: line ${i + 2}: ${key} appears twice`);
    seen.add(key);
  });
  return rows;
}

export type SeedRunData = Pick<RunData, 'config' | 'meta' | 'rows' | 'events'>;

export const isSeedRun = (data: Pick<RunData, 'config'>) => data.config?.name === SEED_CONFIG_NAME;

// --- (i) their latency is inverse throughput ---------------------------------

/** The time per message implied by a throughput with one message in flight per thread: size × threads × 8 ÷ throughput, in µs. */
export function derivedLatencyUs(r: { msg_size: number; threads: number; throughput_gbps: number }): number {
  return (r.msg_size * r.threads * 8) / (r.throughput_gbps * 1e3);
}

export interface LatencyDeviation {
  /** The largest |latency − derived| ÷ derived over the rows, in %. */
  maxPct: number;
  /** The row where it is largest, and its derived latency. */
  row: SeedRow;
  derivedUs: number;
}

/** How far their latency column is from the latency their throughput implies; null without a row with both. */
export function derivedLatencyDeviation(rows: readonly SeedRow[]): LatencyDeviation | null {
  let worst: LatencyDeviation | null = null;
  for (const row of rows) {
    // An empty latency cell (a stream row across two hosts: results/row.ts TWO_CLOCKS) has nothing to compare.
    if (row.throughput_gbps <= 0 || row.latency_us === null) continue;
    const derivedUs = derivedLatencyUs(row);
    const pct = (Math.abs(row.latency_us - derivedUs) / derivedUs) * 100;
    if (!worst || pct > worst.maxPct) worst = { maxPct: pct, row, derivedUs };
  }
  return worst;
}

// --- the points both have ------------------------------------------------------

export interface SeedPair {
  seed: SeedRow;
  point: PointStats;
  /** Ours ÷ two_copy at the point (null for two_copy itself, or without a two_copy point). */
  ours: Comparison | null;
  /** Theirs ÷ their two_copy at the point. */
  theirs: number | null;
}

const keyOf = (impl: string, size: number, threads: number) => `${impl}/${size}/${threads}`;

/** Every seed row with a stream point of ours at the same variant, size and threads, in the seed's order. */
export function seedPairs(seed: readonly SeedRow[], points: readonly PointStats[]): SeedPair[] {
  const stream = points.filter((p) => p.mode === 'stream');
  const ourPoint = new Map(stream.map((p) => [keyOf(p.impl, p.msgSize, p.threads), p]));
  const ourRatio = new Map(compareWithBaseline(stream, 'throughput_gbps', true).map((c) => [keyOf(c.impl, c.msgSize, c.threads), c]));
  const theirBase = new Map(seed.filter((r) => r.implementation === BASELINE).map((r) => [keyOf(BASELINE, r.msg_size, r.threads), r]));
  return seed.flatMap((r) => {
    const key = keyOf(r.implementation, r.msg_size, r.threads);
    const point = ourPoint.get(key);
    if (!point || !point.figures.throughput_gbps) return [];
    const base = r.implementation === BASELINE ? undefined : theirBase.get(keyOf(BASELINE, r.msg_size, r.threads));
    return [{ seed: r, point, ours: ourRatio.get(key) ?? null, theirs: base && base.throughput_gbps > 0 ? r.throughput_gbps / base.throughput_gbps : null }];
  });
}

// --- text ----------------------------------------------------------------------

/** Three significant digits, without an exponent: 0.0123, 1.23, 123, 12300. */
export function sig3(x: number): string {
  return Math.abs(x) >= 1000 ? Math.round(x).toString() : Number(x.toPrecision(3)).toString();
}

const fixed2 = (x: number) => x.toFixed(2);

/** `median 0.93 (0.84–1.09)`: the median and range of some values. */
const range = (values: readonly number[], format: (x: number) => string = fixed2) =>
  `median ${format(median(values)!)} (${format(Math.min(...values))}–${format(Math.max(...values))})`;

function oursCell(p: PointStats): string {
  const s = p.figures.throughput_gbps!;
  return s.n < 2 ? sig3(s.median) : `${sig3(s.median)} [${sig3(s.min)}–${sig3(s.max)}]`;
}

function ourRatioCell(pair: SeedPair): string {
  if (pair.seed.implementation === BASELINE) return '1 (baseline)';
  const c = pair.ours;
  if (!c) return '';
  return c.ci ? `${c.ratio.toFixed(2)} [${c.ci.lo.toFixed(2)}, ${c.ci.hi.toFixed(2)}]` : `${c.ratio.toFixed(2)} (no interval: 1 repetition)`;
}

export const SEED_TABLE_HEADER = [
  'variant',
  'size',
  'threads',
  'theirs (Gbit/s)',
  'ours (Gbit/s, median [min–max])',
  'ours ÷ theirs',
  'theirs ÷ two_copy',
  'ours ÷ two_copy [95% interval]',
];

function tableRow(pair: SeedPair): string[] {
  const { seed: r, point } = pair;
  const ours = point.figures.throughput_gbps!.median;
  return [
    r.implementation,
    formatSize(r.msg_size, 'course'),
    String(r.threads),
    sig3(r.throughput_gbps),
    oursCell(point),
    r.throughput_gbps > 0 ? (ours / r.throughput_gbps).toFixed(3) : '',
    r.implementation === BASELINE ? '1 (baseline)' : pair.theirs === null ? '' : pair.theirs.toFixed(2),
    ourRatioCell(pair),
  ];
}

/** The ratio each variant ÷ two_copy, theirs against ours, per variant. */
function ratioNotes(pairs: readonly SeedPair[]): string[] {
  return IMPLEMENTATIONS.filter((i) => i !== BASELINE).flatMap((impl) => {
    const both = pairs.filter((p) => p.seed.implementation === impl && p.ours && p.theirs !== null);
    if (both.length === 0) return [];
    const withCi = both.filter((p) => p.ours!.ci);
    const inside = withCi.filter((p) => p.ours!.ci!.lo <= p.theirs! && p.theirs! <= p.ours!.ci!.hi).length;
    const agreement = withCi.length
      ? `their ratio lies inside our 95% interval at ${inside} of ${withCi.length} points`
      : 'one repetition per point: no interval, so no claim that the two ratios differ';
    return [
      `${impl} ÷ two_copy: theirs ${range(both.map((p) => p.theirs!))}, ours ${range(both.map((p) => p.ours!.ratio))} over ${both.length} points; ${agreement}.`,
    ];
  });
}

function latencyNote(seed: readonly SeedRow[], pairs: readonly SeedPair[]): string {
  const dev = derivedLatencyDeviation(seed);
  const theirs = dev
    ? `size × threads × 8 ÷ throughput matches their latency column to within ${dev.maxPct.toFixed(1)}% at every one of their ${seed.length} rows ` +
      `(largest: ${dev.row.implementation} ${formatSize(dev.row.msg_size, 'course')}, ${dev.row.threads} thread${dev.row.threads > 1 ? 's' : ''}: ` +
      `${dev.row.latency_us!.toFixed(2)} µs against ${dev.derivedUs.toFixed(2)} µs derived)`
    : 'their table has no row with a throughput to derive it from';
  const measured = pairs.flatMap((p) => {
    const p50 = p.point.figures.latency_p50_us;
    const gbps = p.point.figures.throughput_gbps!.median;
    return p50 && gbps > 0 ? [p50.median / derivedLatencyUs({ msg_size: p.point.msgSize, threads: p.point.threads, throughput_gbps: gbps })] : [];
  });
  const ours = measured.length
    ? ` Here the measured p50 is ${range(measured, sig3)}× the latency our throughput implies the same way, over ${measured.length} points.`
    : '';
  return (
    `(i) Their latency is not a measured delay: ${theirs}. It is the time per message implied by the throughput with one message in flight per thread, ` +
    'so it says nothing the throughput column does not. Ours in stream mode is measured: the one-way delay from the send time stamped in each message ' +
    `to its full receipt, queueing in socket buffers included; rr mode measures round trips.${ours}`
  );
}

const COUNTERS = [
  { label: 'CPU cycles', seed: 'cpu_cycles', names: ['cycles', 'cpu-cycles'] },
  { label: 'L1-dcache-load-misses', seed: 'l1_cache_misses', names: ['L1-dcache-load-misses'] },
  { label: 'LLC-load-misses', seed: 'llc_cache_misses', names: ['LLC-load-misses'] },
  { label: 'context switches', seed: 'context_switches', names: ['context-switches', 'cs'] },
] as const;

type Counter = (typeof COUNTERS)[number];

/** Our client's count of a counter per KiB the server sent, per point (stream rows); empty when no row has one. */
function clientPerKib(counter: Counter, data: SeedRunData): Map<string, number[]> {
  const ourPerKib = new Map<string, number[]>();
  for (const r of data.rows) {
    const count = sideValue(r, 'client', counter.names);
    if (r.mode !== 'stream' || count === null || r.server_bytes_sent === 0) continue;
    const key = keyOf(r.implementation, r.msg_size, r.threads);
    ourPerKib.set(key, [...(ourPerKib.get(key) ?? []), (count * 1024) / r.server_bytes_sent]);
  }
  return ourPerKib;
}

/** One counter per KiB received, theirs (count ÷ throughput × their 10 s) against our client's. */
function counterLine(counter: Counter, ourPerKib: Map<string, number[]>, pairs: readonly SeedPair[]): string {
  const both = pairs.flatMap((p) => {
    const count = p.seed[counter.seed];
    const ours = ourPerKib.get(keyOf(p.seed.implementation, p.seed.msg_size, p.seed.threads));
    const bytes = (p.seed.throughput_gbps * 1e9 * SEED_DURATION_S) / 8;
    return count === null || !ours || bytes === 0 ? [] : [{ theirs: (count * 1024) / bytes, ours: median(ours)! }];
  });
  if (both.length === 0) return `${counter.label}: no point has both their count and ours`;
  return (
    `${counter.label} per KiB: theirs median ${sig3(median(both.map((b) => b.theirs))!)}, ours median ${sig3(median(both.map((b) => b.ours))!)}, ` +
    `ours ÷ theirs ${range(both.map((b) => b.ours / b.theirs), sig3)} over ${both.length} points`
  );
}

function counterNote(pairs: readonly SeedPair[], data: SeedRunData): string {
  const ours = COUNTERS.map((c) => ({ c, perKib: clientPerKib(c, data) }));
  const uncounted = ours.filter((o) => o.perKib.size === 0).map((o) => o.c);
  const lines = [
    ...ours.filter((o) => o.perKib.size > 0).map((o) => counterLine(o.c, o.perKib, pairs)),
    ...(uncounted.length
      ? [`${uncounted.map((c) => c.label).join(', ')}: nothing to set beside theirs: ${counterAbsence(data, uncounted.flatMap((c) => c.names))}`]
      : []),
  ];
  return (
    "(ii) Their counters are the client's (the receiver's) alone: perf stat wrapped the client process. Our course columns (cpu_cycles, l1_cache_misses, " +
    'llc_cache_misses, context_switches) are server + client; the like-for-like figures are our client_* columns, set beside theirs per KiB received ' +
    `(theirs: count ÷ (throughput × ${SEED_DURATION_S} s); ours: the client's count ÷ the bytes the server sent). ` +
    lines.join('; ').replace(/^./, (c) => c.toUpperCase()) +
    '.'
  );
}

/** T(threads) ÷ T(1 thread), median over variant × size, at every thread count above 1 that both have. */
function scaling(byKey: Map<string, number>, impls: readonly string[], sizes: readonly number[], threads: readonly number[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const t of threads.filter((n) => n > 1)) {
    const ratios = impls.flatMap((i) =>
      sizes.flatMap((s) => {
        const one = byKey.get(keyOf(i, s, 1));
        const many = byKey.get(keyOf(i, s, t));
        return one && many ? [many / one] : [];
      }),
    );
    if (ratios.length) out.set(t, median(ratios)!);
  }
  return out;
}

function pinningText(data: SeedRunData): string {
  const pin = data.config?.pinning;
  if (!pin) return 'pinning unknown (no config in meta.json)';
  const { server, client } = pin;
  if (server === null && client === null) return 'unpinned, as theirs';
  const steer = data.config?.topology.kind === 'netns' ? (data.config.topology.steer_receive ? ', receive steered to each side' : ', no receive steering') : '';
  if (server !== null && server === client) {
    const n = cpusOf(server).length;
    return `both sides pinned to CPU ${server}${steer}: ${n === 1 ? 'one core, so the threads of both sides take turns on it' : `${n} CPUs shared by both sides`}`;
  }
  return `server pinned to CPU ${server ?? 'any'}, client to CPU ${client ?? 'any'}${steer}`;
}

function pinningNote(pairs: readonly SeedPair[], data: SeedRunData): string {
  const theirs = new Map(pairs.map((p) => [keyOf(p.seed.implementation, p.seed.msg_size, p.seed.threads), p.seed.throughput_gbps]));
  const ours = new Map(pairs.map((p) => [keyOf(p.point.impl, p.point.msgSize, p.point.threads), p.point.figures.throughput_gbps!.median]));
  const impls = [...new Set(pairs.map((p) => p.seed.implementation))];
  const sizes = [...new Set(pairs.map((p) => p.seed.msg_size))];
  const threads = [...new Set(pairs.map((p) => p.seed.threads))].sort((a, b) => a - b);
  const [st, so] = [scaling(theirs, impls, sizes, threads), scaling(ours, impls, sizes, threads)];
  const list = (m: Map<number, number>) => [...m].map(([t, r]) => `${t} threads ${r.toFixed(2)}×`).join(', ');
  const machine = data.meta?.machine;
  const here = machine ? `${machine.cpu_model}, ${machine.cores} CPUs` : 'machine unknown (no meta.json)';
  const scaled = st.size ? ` Throughput at n threads ÷ at 1 thread (median over variants and sizes): theirs ${list(st)}; ours ${list(so)}.` : '';
  return (
    '(iii) Their machine had more cores per side and ran unpinned: sender and receiver threads could each have cores of their own, ' +
    `so more threads could use more cores. Ours: ${here}; ${pinningText(data)} (configs/mt25042.yaml says why).${scaled}`
  );
}

/** What limited TCP at a point (results.csv limited_by): one regime, several across repetitions, or null where the run does not say. */
function regimeOf(p: PointStats): string | null {
  const limits = new Set(p.repetitions.flatMap((r) => (r.limitedBy === null ? [] : [r.limitedBy])));
  return limits.size === 0 ? null : limits.size === 1 ? [...limits][0]! : 'several';
}

/** (iv) Our points in different TCP regimes: a ratio across regimes compares regimes, not copies. Null when there is one regime, or none known. */
function regimeNote(pairs: readonly SeedPair[]): string | null {
  const regimes = new Map(pairs.map((p) => [keyOf(p.point.impl, p.point.msgSize, p.point.threads), regimeOf(p.point)]));
  const known = [...regimes.values()].filter((r): r is string => r !== null);
  const kinds = [...new Set(known)].sort();
  if (kinds.length < 2) return null;
  const counts = kinds.map((k) => `${k} at ${known.filter((r) => r === k).length}`).join(', ');
  const ratios = pairs.filter((p) => p.ours);
  const across = ratios.filter((p) => {
    const mine = regimes.get(keyOf(p.point.impl, p.point.msgSize, p.point.threads));
    const base = regimes.get(keyOf(BASELINE, p.point.msgSize, p.point.threads));
    return mine && base && (mine !== base || mine === 'several');
  }).length;
  return (
    `(iv) Our points did not all run in one TCP regime (results.csv limited_by: ${counts} of ${known.length} points` +
    `${kinds.includes('several') ? '; "several": its repetitions differ' : ''}). ` +
    `${across} of our ${ratios.length} variant ÷ two_copy ratios set points of different regimes against each other, which compares regimes, not copies; ` +
    'their table does not say what limited TCP.'
  );
}

/** The side-by-side section for a run of configs/mt25042.yaml; null for a run of any other config. */
export function seedComparison(seed: readonly SeedRow[], points: readonly PointStats[], data: SeedRunData): ReportSection | null {
  if (!isSeedRun(data)) return null;
  const pairs = seedPairs(seed, points);
  const regimes = regimeNote(pairs);
  const absolute = pairs.map((p) => p.point.figures.throughput_gbps!.median / p.seed.throughput_gbps).filter(Number.isFinite);
  const intro = [
    `MT25042's Part B "Raw Results" (${seed.length} rows, seeds/mt25042-part-b.csv: 11th Gen Intel Core, kernel 6.18.8-2-cachyos, GCC 15.2.1, perf 6.18, ` +
      '10 s per experiment, one run per point, unpinned, counters of the client process only) beside this run\u2019s stream points.',
    absolute.length
      ? `Absolute throughput does not carry between machines (ours ÷ theirs: ${range(absolute)} over ${absolute.length} points). ` +
        'The ratio that does is each variant ÷ two_copy, each measured on one machine: compare the last two columns.'
      : 'This run has no stream point of their matrix: nothing to set beside their table.',
  ];
  return {
    title: 'Beside MT25042’s published table',
    intro,
    table: [SEED_TABLE_HEADER, ...pairs.map(tableRow)],
    notes: pairs.length
      ? [...ratioNotes(pairs), latencyNote(seed, pairs), counterNote(pairs, data), pinningNote(pairs, data), ...(regimes ? [regimes] : [])]
      : [],
  };
}
