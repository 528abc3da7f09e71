// The setup_cost rule (findings.ts): what the preflight's calibration
// measured for each alternative topology against the configured one
// (meta.calibration) — an alternative that moved more bytes only by
// retransmitting, or one that cost throughput and CPU per byte (receive
// steering). One measurement per topology and variant: no interval, so the
// strength is the effect less the run's resolution (strengthOf). Pure.
import type { CalibrationCandidate, CalibrationMeasurement } from '../results/calibration.ts';
import { SPURIOUS_RETRANS_PER_GIB, retransPerGib } from '../results/calibration.ts';
import { count, pct, size, times } from './answer-text.ts';
import { strengthOf, type Finding, type FindingInput } from './findings.ts';

interface Versus {
  impl: string;
  alt: CalibrationMeasurement;
  configured: CalibrationMeasurement;
  throughput: number;
  cpu: number | null;
  retransPerGib: number | null;
}

function versus(alt: CalibrationCandidate, configured: CalibrationCandidate): Versus[] {
  return alt.measurements.flatMap((m) => {
    const c = configured.measurements.find((x) => x.impl === m.impl);
    if (!c || c.throughput_gbps <= 0) return [];
    const cpu = m.total_cpu_ns_per_byte !== null && c.total_cpu_ns_per_byte ? m.total_cpu_ns_per_byte / c.total_cpu_ns_per_byte : null;
    return [{ impl: m.impl, alt: m, configured: c, throughput: m.throughput_gbps / c.throughput_gbps, cpu, retransPerGib: retransPerGib(m) }];
  });
}

const gbps = (v: Versus) => `${v.alt.throughput_gbps.toFixed(2)} vs ${v.configured.throughput_gbps.toFixed(2)} Gbit/s`;
const nsB = (v: Versus) =>
  v.cpu === null ? '' : ` and ${times(v.cpu)} the CPU per byte (${v.alt.total_cpu_ns_per_byte!.toFixed(2)} vs ${v.configured.total_cpu_ns_per_byte!.toFixed(2)} ns/B, both sides)`;
const spurious = (v: Versus) => v.retransPerGib !== null && v.retransPerGib > SPURIOUS_RETRANS_PER_GIB;

/** The headline of one alternative, by rule: faster only by retransmitting; slower (what it costs); or faster and clean. */
function headline(desc: string, v: Versus): string {
  if (spurious(v) && v.throughput > 1) {
    return (
      `the calibration's ${desc} moved ${times(v.throughput)} the configured topology's ${v.impl} throughput (${gbps(v)}) but retransmitted ` +
      `${count(v.alt.retrans_segs!)} segments (${count(v.retransPerGib!)} per GiB, over ${SPURIOUS_RETRANS_PER_GIB} is spurious over veth): a faster setup that is not a clean measurement`
    );
  }
  if (v.throughput < 1) return `the calibration's ${desc} cost ${pct(1 - v.throughput)} of ${v.impl}'s throughput (${gbps(v)})${nsB(v)}`;
  return `the calibration's ${desc} moved ${times(v.throughput)} the configured topology's ${v.impl} throughput (${gbps(v)})${nsB(v)}`;
}

export function setupCost(input: Pick<FindingInput, 'meta' | 'resolutionPct'>): Finding[] {
  const cal = input.meta?.calibration;
  const configured = cal?.candidates.find((c) => c.configured && c.failed === null);
  if (!cal || !configured) return [];
  return cal.candidates
    .filter((c) => !c.configured && c.failed === null)
    .flatMap((alt) => {
      const list = versus(alt, configured);
      if (list.length === 0) return [];
      const effect = (v: Versus) => Math.max(Math.abs(Math.log(v.throughput)), v.cpu ? Math.abs(Math.log(v.cpu)) : 0);
      const top = list.reduce((m, v) => (effect(v) > effect(m) ? v : m));
      const others = list.filter((v) => v !== top);
      const ratio = Math.abs(Math.log(top.throughput)) >= (top.cpu ? Math.abs(Math.log(top.cpu)) : 0) ? top.throughput : top.cpu!;
      return [
        {
          rule: 'setup_cost' as const,
          headline: headline(alt.description, top),
          why: [
            `Against ${configured.description}, at ${size(cal.message_size)} for ${cal.duration_s} s, one measurement per topology and variant (no interval)` +
              (others.length
                ? `; ${others.map((v) => `${v.impl} ${times(v.throughput)} (${gbps(v)}${v.alt.retrans_segs ? `, ${count(v.alt.retrans_segs)} retransmitted` : ''})`).join('; ')}`
                : '') +
              '.',
          ],
          ratio,
          ci: null,
          strength: strengthOf(ratio, null, input.resolutionPct),
          figures: [],
          answeredElsewhere: false,
        },
      ];
    });
}
