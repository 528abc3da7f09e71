// The copy-attribution pass (DESIGN.md, "Copy attribution"): each point of
// the config's `attribution:` section runs once as copybench's pair under
// `perf record -g`, each side recorded as its pinned CPU; `perf script`'s
// stacks go to the pure classifier (results/attribution.ts), the rows to
// attribution.csv, the rest to meta.json's `attribution`. The matrix's rows
// are never taken under perf record: this pass runs after them, in its own
// topology (its own pinning and receive steering).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { $ } from 'zx';
import type { Config } from '../config/schema.ts';
import { experimentKey, experimentSlug, type Experiment } from '../config/plan.ts';
import { SIDES, type Side } from '../config/domain.ts';
import { attributeSide, parsePerfScript } from '../results/attribution.ts';
import { ATTRIBUTION_CSV, ATTRIBUTION_HEADER, attributionRows, type AttributionRow } from '../results/attribution-rows.ts';
import { ClientResult, ServerResult, parseLine } from '../results/lines.ts';
import type { AttributionRecord } from '../results/meta.ts';
import type { Interpretation } from '../results/outputs.ts';
import { writeCsv } from '../results/store.ts';
import { copybenchPair } from './copybench.ts';
import { binaryName } from './paths.ts';
import { pairContext, runPair, type PairRecord, type Recorder } from './pair.ts';
import { CHILD_ENV } from './process.ts';
import type { Campaign } from './campaign.ts';
import type { Session } from './session.ts';

/** The section's points: variants × modes × sizes × threads (rr only at rr_message_sizes when given). */
export function attributionPoints(config: Config): Experiment[] {
  const a = config.attribution;
  if (!a) return [];
  const points: Experiment[] = [];
  for (const mode of a.modes)
    for (const msgSize of mode === 'rr' && a.rr_message_sizes ? a.rr_message_sizes : a.message_sizes)
      for (const threads of a.threads)
        for (const impl of a.variants ?? config.variants) points.push({ index: points.length + 1, impl, mode, msgSize, threads, rx: 'copy', rep: 1 });
  return points;
}

/** The config the pass runs with: its pinning, steering and duration. */
export function attributionConfig(config: Config): Config {
  const a = config.attribution!;
  const topology = config.topology.kind === 'netns' ? { ...config.topology, steer_receive: a.steer_receive } : config.topology;
  return { ...config, pinning: { ...a.pinning }, duration_s: a.duration_s, topology };
}

/** cycles if the PMU counts them here (perf stat says a number), else cpu-clock. */
export async function chooseEvent(config: Config): Promise<{ event: string; reason: string }> {
  const wanted = config.attribution!.event;
  if (wanted !== 'auto') return { event: wanted, reason: 'configured' };
  const probe = await $({ quiet: true, nothrow: true, env: CHILD_ENV })`perf stat -x, -e cycles -- true`;
  const counted = /^\d+,/m.test(probe.stderr);
  return counted
    ? { event: 'cycles', reason: 'the PMU counts cycles here (sampled by NMI)' }
    : { event: 'cpu-clock', reason: 'no hardware PMU here (perf stat: cycles <not supported>): cpu-clock, a timer interrupt' };
}

/** Why kernel stacks would not resolve here, naming the setting; null when they will. */
export function symbolSourceProblem(): string | null {
  const read = (f: string) => {
    try {
      return readFileSync(f, 'utf8').trim();
    } catch {
      return null;
    }
  };
  const root = process.getuid?.() === 0;
  const paranoid = Number(read('/proc/sys/kernel/perf_event_paranoid') ?? '2');
  const kptr = Number(read('/proc/sys/kernel/kptr_restrict') ?? '0');
  if (!root && paranoid > 1) return `kernel.perf_event_paranoid is ${paranoid}: per-CPU sampling with kernel stacks needs root or ≤ 1 (sysctl kernel.perf_event_paranoid=1)`;
  if (kptr >= 2 || (kptr === 1 && !root)) return `kernel.kptr_restrict is ${kptr}: /proc/kallsyms hides kernel addresses, so kernel symbols cannot resolve (sysctl kernel.kptr_restrict=0, as root)`;
  const firstSymbol = read('/proc/kallsyms')?.split('\n', 1)[0] ?? '';
  if (/^0+\s/.test(firstSymbol)) return 'kernel symbols are hidden (/proc/kallsyms shows zero addresses): run as root, or set kernel.kptr_restrict=0';
  return null;
}

/** The server's bytes_sent, from its result line; the client must have printed one too. */
function interpretRecorded(record: PairRecord<number>): Interpretation<{ bytes: number }> {
  const problems = [...record.problems];
  const last = (out: string | undefined) => out?.trim().split('\n').at(-1) ?? '';
  try {
    parseLine(ClientResult, last(record.outputs.client?.stdout), 'client result');
    const server = parseLine(ServerResult, last(record.outputs.server?.stdout), 'server result');
    if (problems.length === 0) return { ok: true, value: { bytes: server.bytes_sent }, notes: [] };
  } catch (e) {
    problems.push((e as Error).message);
  }
  return { ok: false, problems, notes: [] };
}

async function perfScript(dataFile: string): Promise<string> {
  const out = await $({ quiet: true, nothrow: true, env: CHILD_ENV })`perf script -F comm,tid,cpu,event,ip,sym,dso -i ${dataFile}`;
  if (out.exitCode !== 0) throw new Error(`perf script -i ${dataFile} failed: ${out.stderr.trim().split('\n').at(-1)}`);
  return out.stdout;
}

export interface AttributionOutcome {
  record: AttributionRecord;
  failed: string[];
}

/** Runs every point of the section in its own topology; attribution.csv and raw/attribution/ under runDir. */
export async function attribute(
  session: Session,
  config: Config,
  binDir: string,
  run: { runDir: string; runId: string },
  say: (line: string) => void,
): Promise<AttributionOutcome | null> {
  const problem = symbolSourceProblem();
  if (problem) {
    say(`attribution: ${problem}`);
    return { record: emptyRecord(config, { event: 'none', reason: problem }), failed: [problem] };
  }
  const chosen = await chooseEvent(config);
  const recorder: Recorder = { event: chosen.event, frequencyHz: config.attribution!.frequency_hz };
  const cfg = attributionConfig(config);
  const record = emptyRecord(config, chosen);
  const rows: AttributionRow[] = [];
  const failed: string[] = [];
  const points = attributionPoints(config);
  say(`attribution: ${points.length} points under perf record -e ${recorder.event} -F ${recorder.frequencyHz} -g, server CPU ${cfg.pinning.server}, client CPU ${cfg.pinning.client}`);
  const { toolFailure } = await session.inTopology(cfg, async (topology) => {
    const ctx = { config: cfg, topology, tracker: session.tracker, abort: session.abort, rawDir: path.join(run.runDir, 'raw', 'attribution') };
    for (const [i, e] of points.entries()) {
      if (session.interrupted) return;
      const pc = { ...pairContext(ctx, experimentSlug(e)), recorder, interference: null };
      const out = await runPair(copybenchPair(e, cfg, binDir, topology), pc, interpretRecorded);
      if (!out.ok) {
        failed.push(`${experimentKey(e)}: ${out.problems.join('; ')}`);
        say(`attribution [${i + 1}/${points.length}] ${experimentKey(e)} FAILED: ${out.problems.join('; ')} — raw files in ${out.dir}`);
        continue;
      }
      const sides = {} as Record<Side, ReturnType<typeof attributeSide>>;
      for (const side of SIDES) {
        const { samples } = parsePerfScript(await perfScript(path.join(out.dir, `${side}.perf.data`)));
        sides[side] = attributeSide(samples, { comms: [binaryName(e.impl, side)], event: recorder.event });
      }
      const point = { implementation: e.impl, msg_size: e.msgSize, threads: e.threads, mode: e.mode, event: recorder.event, frequencyHz: recorder.frequencyHz, bytes: out.value.bytes, sides };
      rows.push(...attributionRows(point, run.runId));
      record.points.push(pointRecord(experimentKey(e), out.value.bytes, sides));
      writeCsv(path.join(run.runDir, ATTRIBUTION_CSV), ATTRIBUTION_HEADER, rows);
      say(`attribution [${i + 1}/${points.length}] ${experimentKey(e)}: ${describePoint(sides)}`);
    }
  });
  if (toolFailure) failed.push('the attribution topology could not be set up (see above)');
  return session.interrupted ? null : { record, failed };
}

/**
 * The pass as a campaign's last part: its record in the campaign's meta.json
 * and its failed points in the campaign's tally (so the exit code says so).
 */
export async function attributeCampaign(session: Session, config: Config, binDir: string, campaign: Campaign, say: (line: string) => void): Promise<AttributionOutcome | null> {
  const outcome = await attribute(session, config, binDir, campaign, say);
  if (outcome) campaign.meta.attribution = outcome.record;
  campaign.tally.failed += outcome?.failed.length ?? 0;
  campaign.tally.interrupted ||= session.interrupted;
  return outcome;
}


function emptyRecord(config: Config, chosen: { event: string; reason: string }): AttributionRecord {
  const a = config.attribution!;
  return { event: chosen.event, event_reason: chosen.reason, frequency_hz: a.frequency_hz, sampled_as: 'cpu', pinning: { ...a.pinning }, steer_receive: a.steer_receive, points: [] };
}

function pointRecord(key: string, bytes: number, sides: Record<Side, ReturnType<typeof attributeSide>>): AttributionRecord['points'][number] {
  const side = (a: ReturnType<typeof attributeSide>) => ({
    samples: a.samples,
    outside_process_pct: a.samples === 0 ? null : Math.round((1000 * a.outsideProcess) / a.samples) / 10,
    foreign: a.foreign,
    idle: a.idle,
    hottest: a.hottest,
  });
  return { key, bytes, sides: { server: side(sides.server), client: side(sides.client) } };
}

function describePoint(sides: Record<Side, ReturnType<typeof attributeSide>>): string {
  return SIDES.map((s) => {
    const a = sides[s];
    const top = Object.entries(a.sites)
      .filter(([, n]) => n > 0)
      .map(([site, n]) => `${site} ${((100 * n) / Math.max(1, a.samples)).toFixed(0)}%`)
      .join(' ');
    return `${s} ${a.samples} samples: ${top}`;
  }).join(' | ');
}
