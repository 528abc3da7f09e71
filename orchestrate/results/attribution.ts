// Copy attribution, pure: `perf script` output (sampled call stacks) → the
// sites of DESIGN.md ("Copy attribution"), per side. The symbols are in
// attribution-symbols.ts; this file parses and walks stacks against them.
//
// A side is sampled as its pinned CPU (perf record -C, docs/attribution.md):
// other programs' own work on that CPU is left out, like idle, unless an
// interrupt was running in them (network work done in whatever process the
// interrupt hit belongs to the side's CPU all the same).
import {
  CONTEXT,
  COPY_PRIMITIVES,
  COPY_SITES,
  IDLE_FRAME,
  IRQ_ENABLE_LEAVES,
  IRQ_ENTRY,
  KERNEL_DSO,
  KERNEL_HELPERS,
  NETWORK_FRAME,
  SITES,
  SYSCALL_WRAPPERS,
  USER_COPY_CALLERS,
  USER_COPY_LEAF,
  USER_ZC,
  type Site,
} from './attribution-symbols.ts';

export interface Frame {
  symbol: string;
  kernel: boolean;
}

export interface Sample {
  comm: string;
  cpu: number | null;
  event: string;
  /** Leaf first. */
  frames: Frame[];
}

/** perf script's sample header with `-F comm,tid,cpu,event,ip,sym,dso`: `a1_server 1234 [000] cpu-clock:`. */
const HEADER = /^(.*?)\s+(\d+)(?:\/\d+)?\s+(?:\[(\d+)\]\s+)?(?:[\d.]+:\s+)?(?:\d+\s+)?([A-Za-z][\w:./-]*):\s*$/;
/** A frame: `\tffffffff81a0 _copy_from_iter ([kernel.kallsyms])`; the dso may hold parentheses (`/memfd:x (deleted)`). */
const FRAME = /^\s+([0-9a-f]+)\s+(.*?)\s+\((.*)\)\s*$/;

/** Parses `perf script` text into samples; lines it does not know are skipped (counted in `skipped`). */
export function parsePerfScript(text: string): { samples: Sample[]; skipped: number } {
  const samples: Sample[] = [];
  let skipped = 0;
  let current: Sample | null = null;
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) {
      current = null;
      continue;
    }
    const frame = current ? FRAME.exec(line) : null;
    if (current && frame) {
      const symbol = frame[2]!.replace(/\+0x[0-9a-f]+$/, '');
      current.frames.push({ symbol, kernel: KERNEL_DSO.test(frame[3]!) });
      continue;
    }
    const header = /^\S/.test(line) ? HEADER.exec(line) : null;
    if (header) {
      current = { comm: header[1]!, cpu: header[3] === undefined ? null : Number(header[3]), event: header[4]!, frames: [] };
      samples.push(current);
      continue;
    }
    skipped++;
  }
  return { samples, skipped };
}

/** What a sample is: idle (left out), or a site; `outside` when it ran outside the side's own process. */
export type Verdict = { idle: true } | { idle: false; site: Site; outside: boolean; foreign: boolean };

export interface SideContext {
  /** The side's process names (comm): `a1_server`. */
  comms: readonly string[];
  /** `cpu-clock` (timer-interrupt sampling: irq_off applies) or `cycles` (NMI: it does not). */
  event: string;
}

/** Frames from the leaf up to (not including) the first interrupt entry: the interrupted context is not the sample's. */
function ownFrames(frames: readonly Frame[]): { frames: Frame[]; interrupted: boolean } {
  const i = frames.findIndex((f) => f.kernel && IRQ_ENTRY.test(f.symbol));
  return i < 0 ? { frames: [...frames], interrupted: false } : { frames: frames.slice(0, i), interrupted: true };
}

const isSoftirqThread = (comm: string) => KERNEL_HELPERS.test(comm) && !comm.startsWith('swapper');

export function classifySample(sample: Sample, side: SideContext): Verdict {
  const { frames, interrupted } = ownFrames(sample.frames);
  const ours = side.comms.includes(sample.comm);
  const helper = KERNEL_HELPERS.test(sample.comm);
  const leaf = sample.frames[0];
  if (!leaf) return { idle: false, site: 'other', outside: !ours, foreign: !ours && !helper };
  if (sample.comm.startsWith('swapper') && !interrupted && !frames.some((f) => NETWORK_FRAME.test(f.symbol))) {
    if (frames.some((f) => IDLE_FRAME.test(f.symbol)) || frames.length === sample.frames.length) return { idle: true };
  }
  // Another program's own work on this CPU: not the side's.
  if (!ours && !helper && !interrupted && !frames.some((f) => f.kernel && /^(do_softirq|__local_bh_enable_ip|handle_softirqs|__do_softirq)$/.test(f.symbol))) {
    return { idle: false, site: 'other', outside: true, foreign: true };
  }
  const verdict = (site: Site): Verdict => ({ idle: false, site, outside: !ours, foreign: false });
  if (side.event.startsWith('cpu-clock') && leaf.kernel && IRQ_ENABLE_LEAVES.has(leaf.symbol)) return verdict('irq_off');
  if (!leaf.kernel) return verdict(userSite(frames, ours));
  return verdict(kernelSite(frames, isSoftirqThread(sample.comm) || interrupted));
}

/** A sample whose leaf is in user space. */
function userSite(frames: readonly Frame[], ours: boolean): Site {
  const leaf = frames[0]!.symbol;
  if (!ours) return 'other';
  if (USER_COPY_LEAF.test(leaf) && frames.slice(1, 4).some((f) => USER_COPY_CALLERS.has(f.symbol))) return 'user_copy';
  if (SYSCALL_WRAPPERS.test(leaf)) return 'stack';
  if (frames.some((f) => !f.kernel && USER_ZC.test(f.symbol))) return 'zc_overhead';
  return 'harness';
}

/** A kernel sample: the first context frame out from the leaf decides; a copy only with a copy primitive below it. */
function kernelSite(frames: readonly Frame[], network: boolean): Site {
  let copied = false;
  for (const f of frames) {
    // Back in user space: a system call of the send or receive itself (its entry and exit).
    if (!f.kernel) return SYSCALL_WRAPPERS.test(f.symbol) || network ? 'stack' : 'other';
    const rule = CONTEXT.get(f.symbol);
    if (rule) return copied && rule.copy ? rule.copy : rule.site;
    if (COPY_PRIMITIVES.has(f.symbol)) copied = true;
  }
  return network || frames.some((f) => f.kernel && NETWORK_FRAME.test(f.symbol)) ? 'stack' : 'other';
}

export type SiteCounts = Record<Site, number>;

export interface SideAttribution {
  /** Samples counted: idle and other programs' own work left out. */
  samples: number;
  sites: SiteCounts;
  /** Counted samples that ran outside the side's own process (softirq threads, interrupts in idle or in other programs). */
  outsideProcess: number;
  /** Samples of other programs' own work on the side's CPU: left out like idle. */
  foreign: number;
  idle: number;
  /** The hottest leaf symbols outside the copy sites (other programs' own work left out), most samples first. */
  hottest: { symbol: string; site: Site; samples: number }[];
}

export const emptySites = (): SiteCounts => Object.fromEntries(SITES.map((s) => [s, 0])) as SiteCounts;

/** Every sample of one side classified and counted. */
export function attributeSide(samples: readonly Sample[], side: SideContext, hottestCount = 10): SideAttribution {
  const sites = emptySites();
  let counted = 0;
  let outsideProcess = 0;
  let foreign = 0;
  let idle = 0;
  const hot = new Map<string, { symbol: string; site: Site; samples: number }>();
  for (const sample of samples) {
    const v = classifySample(sample, side);
    if (v.idle) {
      idle++;
      continue;
    }
    if (v.foreign) {
      foreign++;
      continue;
    }
    counted++;
    sites[v.site]++;
    if (v.outside) outsideProcess++;
    if (COPY_SITES.includes(v.site)) continue;
    const symbol = sample.frames[0]?.symbol ?? '[no stack]';
    const key = `${symbol}\u0000${v.site}`;
    const entry = hot.get(key) ?? { symbol, site: v.site, samples: 0 };
    entry.samples++;
    hot.set(key, entry);
  }
  const hottest = [...hot.values()].sort((a, b) => b.samples - a.samples || a.symbol.localeCompare(b.symbol)).slice(0, hottestCount);
  return { samples: counted, sites, outsideProcess, foreign, idle, hottest };
}
