// The setup's own cost, measured before a netns run: the configured topology
// and its alternatives — receive steering (RPS) to each side's CPU, no
// steering, both sides on one core — each set up in turn, with one short
// stream per variant (two_copy and one_copy where configured). The figures
// go to meta.json; results/calibration.ts judges them.
//
// Measured on the two reference machines: on the Intel guest steering was
// free; on the AMD guest (Safe-RET, retpolines) RPS's inter-processor
// interrupts, each a VM exit, cut 64 KiB streams from ~24 to ~10 Gbit/s,
// while leaving the flow unsteered reorders it across CPUs (27,000-116,000
// spurious retransmissions per 2 s) and one core keeps every cost of the
// transfer on one CPU (no IPI, no reordering, CV < 1 %).
import { rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Config } from '../config/schema.ts';
import { judgeCalibration, type Calibration, type CalibrationCandidate, type CalibrationMeasurement } from '../results/calibration.ts';
import { cpusOf } from '../config/cpus.ts';
import type { ExperimentResult } from '../results/experiment.ts';
import { runExperiment } from './copybench.ts';
import type { Session } from './session.ts';

type CandidateSpec = Omit<CalibrationCandidate, 'measurements' | 'failed'>;

const cpuNote = (p: CandidateSpec['pinning']) =>
  p.server !== null && p.server === p.client ? `both on CPU ${p.server}` : `server CPU ${p.server ?? 'any'}, client CPU ${p.client ?? 'any'}`;

/** The candidates for a netns config: the configured one, then the alternatives it differs from. Pure. */
export function calibrationCandidates(config: Config, cpuCount: number): CandidateSpec[] {
  if (config.topology.kind !== 'netns') return [];
  const p = config.pinning;
  const first = String(cpusOf(p.server ?? '0')[0] ?? 0);
  // Two CPUs for the steered and unsteered candidates: the configured ones if they differ.
  const apart = p.server !== null && p.client !== null && p.server !== p.client ? p : { server: first, client: first === '0' ? '1' : '0' };
  const spec = (name: string, what: string, steer: boolean, pinning: CandidateSpec['pinning']): CandidateSpec => ({
    name,
    description: `${what} (${cpuNote(pinning)})`,
    steer_receive: steer,
    pinning,
    configured: false,
  });
  const oneCoreConfigured = p.server !== null && p.server === p.client;
  const what = oneCoreConfigured ? 'one core' : config.topology.steer_receive ? "receive steering to each side's CPU" : 'no steering';
  const configured = { ...spec('configured', what, config.topology.steer_receive, p), configured: true };
  const alternatives = [
    ...(cpuCount >= 2 ? [spec('rps', 'receive steering to each side\'s CPU', true, apart), spec('unsteered', 'no steering', false, apart)] : []),
    spec('one_core', 'one core', false, { server: first, client: first }),
  ];
  const same = (a: CandidateSpec, b: CandidateSpec) =>
    a.steer_receive === b.steer_receive && a.pinning.server === b.pinning.server && a.pinning.client === b.pinning.client;
  // Unsteered on one core and steered on one core are the same thing.
  const oneCore = (c: CandidateSpec) => c.pinning.server !== null && c.pinning.server === c.pinning.client;
  return [configured, ...alternatives.filter((a) => !same(a, configured) && !(oneCore(a) && oneCore(configured)))];
}

/**
 * Sets up each candidate in turn and measures it; null when the run was
 * interrupted. Raw files go to a temporary folder (the run's own folder does
 * not exist yet), removed afterwards.
 */
export async function calibrate(session: Session, config: Config, binDir: string, say: (line: string) => void): Promise<Calibration | null> {
  const c = config.calibration;
  const impls = config.variants.filter((v) => v === 'two_copy' || v === 'one_copy');
  const variants = impls.length > 0 ? impls : config.variants.slice(0, 1);
  const candidates: CalibrationCandidate[] = [];
  const rawDir = path.join(os.tmpdir(), `copybench-calibration-${process.pid}`);
  for (const spec of calibrationCandidates(config, os.availableParallelism())) {
    if (session.interrupted) return null;
    const cfg: Config = {
      ...config,
      pinning: spec.pinning,
      warmup_s: c.warmup_s,
      duration_s: c.duration_s,
      topology: { ...config.topology, steer_receive: spec.steer_receive } as Config['topology'],
    };
    const measurements: CalibrationMeasurement[] = [];
    let failed: string | null = null;
    const { toolFailure } = await session.inTopology(
      cfg,
      async (topology) => {
        for (const impl of variants) {
          const e = { index: 0, impl, mode: 'stream' as const, msgSize: c.message_size, threads: 1, rx: 'copy' as const, rep: 1 };
          const out = await runExperiment(e, { config: cfg, topology, tracker: session.tracker, abort: session.abort, rawDir: path.join(rawDir, spec.name), binDir, runId: 'calibration' });
          if (!out.ok) {
            failed = `${impl}: ${out.problems.join('; ')}`;
            return;
          }
          measurements.push(measurement(out.value, out.tcpRetransSegs));
        }
      },
      () => {},
      { notes: false },
    );
    if (toolFailure && failed === null) failed = 'the topology could not be set up (see above)';
    candidates.push({ ...spec, measurements, failed });
    say(`calibration: ${spec.description}${spec.configured ? ' [configured]' : ''}: ${failed ?? measurements.map(describe).join('; ')}`);
  }
  rmSync(rawDir, { recursive: true, force: true });
  if (session.interrupted) return null;
  return { message_size: c.message_size, warmup_s: c.warmup_s, duration_s: c.duration_s, margin_pct: c.margin_pct, candidates, warnings: judgeCalibration(candidates, c.margin_pct) };
}

function measurement(
  r: ExperimentResult,
  retrans: number | null,
): CalibrationMeasurement {
  const ms = (side: 'server' | 'client') => r.perf[side]['task-clock']?.value ?? null;
  const perByte = (msec: number | null) => (msec === null || r.server.bytes_sent === 0 ? null : (msec * 1e6) / r.server.bytes_sent);
  const s = ms('server');
  const cl = ms('client');
  return {
    impl: r.server.impl,
    throughput_gbps: r.client.throughput_gbps,
    sender_cpu_ns_per_byte: perByte(s),
    total_cpu_ns_per_byte: s === null || cl === null ? null : perByte(s + cl),
    retrans_segs: retrans,
    bytes: r.server.bytes_sent,
  };
}

const describe = (m: CalibrationMeasurement) =>
  `${m.impl} ${m.throughput_gbps.toFixed(2)} Gbit/s, sender ${m.sender_cpu_ns_per_byte?.toFixed(3) ?? '?'} ns/B, ` +
  `both ${m.total_cpu_ns_per_byte?.toFixed(3) ?? '?'} ns/B, ${m.retrans_segs ?? '?'} retransmitted`;
