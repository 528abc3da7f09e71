// attribution.csv (DESIGN.md, "Copy attribution"): one row per variant ×
// size × mode × side × site. The zod schema is the row's one definition; the
// header is derived from it. Pure; store.ts writes the file.
import { z } from 'zod';
import { IMPLEMENTATIONS, MODES, SIDES, type Side } from '../config/domain.ts';
import { SITES } from './attribution-symbols.ts';
import type { SideAttribution } from './attribution.ts';

export const ATTRIBUTION_CSV = 'attribution.csv';

export const AttributionRow = z.strictObject({
  implementation: z.enum(IMPLEMENTATIONS),
  msg_size: z.number().int().positive(),
  threads: z.number().int().positive(),
  mode: z.enum(MODES),
  side: z.enum(SIDES),
  site: z.enum(SITES),
  samples: z.number().int().nonnegative(),
  /** The site's fraction of the side's samples (idle and other programs left out), 0..1. */
  share: z.number().min(0).max(1),
  /** share × the side's CPU time ÷ bytes the server sent; null when nothing was sent. */
  cpu_ns_per_byte: z.number().nonnegative().nullable(),
  event: z.string().min(1),
  run_id: z.string(),
});
export type AttributionRow = z.infer<typeof AttributionRow>;

export const ATTRIBUTION_HEADER = Object.keys(AttributionRow.shape) as (keyof AttributionRow)[];

export interface AttributedPoint {
  implementation: AttributionRow['implementation'];
  msg_size: number;
  threads: number;
  mode: AttributionRow['mode'];
  event: string;
  frequencyHz: number;
  /** Bytes the server sent over its life (the window perf recorded). */
  bytes: number;
  sides: Record<Side, SideAttribution>;
}

/**
 * The rows of one point. A sample stands for 1/frequency s of CPU time
 * (cpu-clock by construction; cycles as perf tunes its period to the
 * frequency), so a site's CPU time is its samples ÷ frequency.
 */
export function attributionRows(point: AttributedPoint, runId: string): AttributionRow[] {
  return SIDES.flatMap((side) => {
    const a = point.sides[side];
    return SITES.map((site) =>
      AttributionRow.parse({
        implementation: point.implementation,
        msg_size: point.msg_size,
        threads: point.threads,
        mode: point.mode,
        side,
        site,
        samples: a.sites[site],
        share: a.samples === 0 ? 0 : a.sites[site] / a.samples,
        cpu_ns_per_byte: point.bytes > 0 ? (a.sites[site] / point.frequencyHz) * 1e9 / point.bytes : null,
        event: point.event,
        run_id: runId,
      }),
    );
  });
}

/** attribution.csv's text records (table.ts's reader) as rows; throws naming the line that does not fit. */
export function parseAttributionRecords(records: readonly Record<string, string>[]): AttributionRow[] {
  return records.map((r, i) => {
    const num = (k: string) => (r[k] === undefined || r[k] === '' ? null : Number(r[k]));
    const parsed = AttributionRow.safeParse({
      ...r,
      msg_size: num('msg_size'),
      threads: num('threads'),
      samples: num('samples'),
      share: num('share'),
      cpu_ns_per_byte: num('cpu_ns_per_byte'),
    });
    if (!parsed.success) throw new Error(`${ATTRIBUTION_CSV} row ${i + 1}: ${parsed.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`);
    return parsed.data;
  });
}
