// The setup's own cost: what the preflight's calibration measured for each
// candidate topology, and the pure judgement of the configured one against
// the others. run/calibrate.ts measures; meta.json keeps the figures.
import { z } from 'zod';

export const CalibrationMeasurement = z.object({
  impl: z.string(),
  throughput_gbps: z.number().nonnegative(),
  /** The sender's CPU time (perf task-clock) per byte it sent, ns. */
  sender_cpu_ns_per_byte: z.number().nonnegative().nullable(),
  /** Both sides' CPU time per byte: the whole transfer's cost, comparable across topologies. */
  total_cpu_ns_per_byte: z.number().nonnegative().nullable(),
  retrans_segs: z.number().int().nonnegative().nullable(),
  bytes: z.number().int().nonnegative(),
});
export type CalibrationMeasurement = z.infer<typeof CalibrationMeasurement>;

export const CalibrationCandidate = z.object({
  name: z.string(),
  description: z.string(),
  steer_receive: z.boolean(),
  pinning: z.object({ server: z.string().nullable(), client: z.string().nullable() }),
  configured: z.boolean(),
  measurements: z.array(CalibrationMeasurement),
  /** Why it could not be measured, when it could not. */
  failed: z.string().nullable(),
});
export type CalibrationCandidate = z.infer<typeof CalibrationCandidate>;

export const Calibration = z.object({
  message_size: z.number().int().positive(),
  warmup_s: z.number(),
  duration_s: z.number(),
  margin_pct: z.number(),
  candidates: z.array(CalibrationCandidate),
  warnings: z.array(z.string()),
});
export type Calibration = z.infer<typeof Calibration>;

// A candidate whose transfers retransmit more than this many segments per
// GiB moved is not clean: over veth nothing is lost, so retransmissions are
// spurious (packets of one flow reordered across CPUs) and its throughput is
// TCP recovering, not the copy. 64 KiB segments make a GiB ~16,000 segments;
// 100 is well under 1 %. Measured here: RPS 0, one core 0-1, unsteered
// 4,000-19,000 per GiB.
export const SPURIOUS_RETRANS_PER_GIB = 100;

const GIB = 1024 ** 3;

export function retransPerGib(m: Pick<CalibrationMeasurement, 'retrans_segs' | 'bytes'>): number | null {
  return m.retrans_segs === null || m.bytes === 0 ? null : (m.retrans_segs * GIB) / m.bytes;
}

export function isClean(c: CalibrationCandidate): boolean {
  return c.failed === null && c.measurements.length > 0 && c.measurements.every((m) => (retransPerGib(m) ?? 0) <= SPURIOUS_RETRANS_PER_GIB);
}

/**
 * How much more the configured topology spends than `alt` for one variant, in
 * %: CPU time of both sides per byte moved where perf counted it (the whole
 * transfer's cost, comparable between one core and two), else throughput.
 * Positive: the configured one is dearer. Null when not comparable.
 */
export function extraCostPct(configured: CalibrationMeasurement, alt: CalibrationMeasurement): number | null {
  if (configured.total_cpu_ns_per_byte !== null && alt.total_cpu_ns_per_byte !== null && alt.total_cpu_ns_per_byte > 0) {
    return (configured.total_cpu_ns_per_byte / alt.total_cpu_ns_per_byte - 1) * 100;
  }
  return configured.throughput_gbps > 0 ? (alt.throughput_gbps / configured.throughput_gbps - 1) * 100 : null;
}

/**
 * Warnings about the configured topology: it retransmits spuriously, or a
 * clean alternative moves the same bytes for more than `marginPct` % less
 * CPU (both sides together) for every variant measured on both: then the
 * setup costs more than the copies it compares. Throughput alone would
 * favour two CPUs over one even where steering is free, so it is the
 * criterion only where perf counted no CPU time. Pure.
 */
export function judgeCalibration(candidates: readonly CalibrationCandidate[], marginPct: number): string[] {
  const configured = candidates.find((c) => c.configured);
  if (!configured || configured.failed !== null) return configured ? [`the configured topology could not be calibrated: ${configured.failed}`] : [];
  const warnings: string[] = [];
  if (!isClean(configured)) {
    const worst = Math.max(...configured.measurements.map((m) => retransPerGib(m) ?? 0));
    warnings.push(
      `the configured topology (${configured.description}) retransmits spuriously: ${Math.round(worst)} segments per GiB moved ` +
        `(more than ${SPURIOUS_RETRANS_PER_GIB}); its throughput measures TCP's recovery, not the copy`,
    );
  }
  for (const alt of candidates.filter((c) => !c.configured && isClean(c))) {
    const extra = configured.measurements.flatMap((m) => {
      const a = alt.measurements.find((x) => x.impl === m.impl);
      const pct = a ? extraCostPct(m, a) : null;
      return pct === null ? [] : [{ impl: m.impl, pct }];
    });
    if (extra.length > 0 && extra.every((g) => g.pct > marginPct)) {
      warnings.push(
        `the configured topology (${configured.description}) costs more than ${alt.description}: ` +
          extra.map((g) => `${g.impl} +${Math.round(g.pct)} %`).join(', ') +
          ` CPU per byte (margin ${marginPct} %); the setup costs more than the copies it compares`,
      );
    }
  }
  return warnings;
}
