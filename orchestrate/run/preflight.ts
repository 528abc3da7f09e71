// Before a campaign: the tools and fonts it needs (each with the Debian
// package that installs it, and `npm run setup`, which installs them all),
// root where the topology needs it, what perf can count here and which
// figures that leaves unfilled, and the binaries built.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { $, which } from 'zx';
import { cpusOf } from '../config/cpus.ts';
import { perfEvents, type Config } from '../config/schema.ts';
import type { Implementation } from '../config/domain.ts';
import { parsePerfStatReport } from '../results/perf.ts';
import { unfillableFigures } from '../plots/figure-needs.ts';
import { FONT_FILES } from '../plots/render.ts';
import { ROOT, binaryPath } from './paths.ts';
import { CHILD_ENV, describeExit, lastLines, type ProcessTracker } from './process.ts';


export class PreflightError extends Error {
  override name = 'PreflightError';
}

/** The Debian package of each tool a run may need, here or at a host of topology ssh. */
export const TOOL_PACKAGES: Record<string, string> = {
  perf: 'linux-perf; Ubuntu: linux-tools-generic',
  ip: 'iproute2',
  taskset: 'util-linux',
  make: 'make',
  cc: 'gcc',
  tar: 'tar',
  ssh: 'openssh-client',
};

export interface PreflightResult {
  /** Events perf reported as <not supported> here: their cells stay empty. */
  unsupportedEvents: string[];
  warnings: string[];
}

export async function preflight(config: Config, opts: { build: boolean; /** Figures will be drawn (default): the fonts are needed. */ plot?: boolean }): Promise<PreflightResult> {
  const warnings: string[] = [];
  // Two hosts: this machine only drives ssh (and draws the figures); each host is checked at setup (topology/ssh-prepare.ts).
  if (config.topology.kind === 'ssh') {
    await requireTools(['ssh', 'tar'], opts.plot ?? true);
    return { unsupportedEvents: [], warnings };
  }
  if (config.topology.kind === 'netns' && process.getuid?.() !== 0) {
    throw new PreflightError(
      'topology netns needs root (it creates network namespaces and a veth pair): run as root, ' +
        'or use `topology: { kind: loopback }` in the config, which needs no root',
    );
  }
  const tools = ['perf', 'ip'];
  if (config.pinning.server !== null || config.pinning.client !== null) tools.push('taskset');
  if (opts.build) tools.push('make', 'cc');
  await requireTools(tools, opts.plot ?? true, opts.build && config.variants.includes('uring_zero_copy'));

  const cpuCount = os.cpus().length;
  for (const side of ['server', 'client'] as const) {
    const list = config.pinning[side];
    if (list === null) continue;
    const cpus = cpusOf(list);
    if (cpus.some((c) => c >= cpuCount)) {
      throw new PreflightError(`pinning.${side}: CPU list ${list} names a CPU this machine does not have (CPUs 0-${cpuCount - 1})`);
    }
  }

  // Can perf count at all, and which events does it support here?
  const tmp = path.join(os.tmpdir(), `copybench-preflight-${process.pid}.perf`);
  const events = perfEvents(config);
  const probe = await $({ quiet: true, nothrow: true, env: CHILD_ENV })`perf stat -x, --no-big-num -o ${tmp} -e ${events.join(',')} -- true`;
  if (probe.exitCode !== 0) {
    let paranoid = '?';
    try {
      paranoid = readFileSync('/proc/sys/kernel/perf_event_paranoid', 'utf8').trim();
    } catch {
      // not Linux, or no procfs
    }
    throw new PreflightError(
      `perf cannot count here (kernel.perf_event_paranoid = ${paranoid}): ${lastLines(probe.stderr)}. ` +
        'Run as root, or lower it: sysctl -w kernel.perf_event_paranoid=1',
    );
  }
  const report = parsePerfStatReport(readFileSync(tmp, 'utf8'));
  rmSync(tmp, { force: true });
  const unsupportedEvents = events.filter((ev) => report.counts[ev] && !report.counts[ev]!.supported);
  const absent = events.filter((ev) => !report.counts[ev]);
  if (absent.length) throw new PreflightError(`perf printed no row for: ${absent.join(', ')} (is the event name right? see perf list)`);
  if (unsupportedEvents.length) {
    warnings.push(`perf cannot count ${unsupportedEvents.join(', ')} on this machine: those cells stay empty`);
  }
  warnings.push(...unfillableFigures(events, unsupportedEvents));
  return { unsupportedEvents, warnings };
}

const LIBURING_HEADER = '/usr/include/liburing.h';

/** Throws PreflightError naming every tool (and the figures' fonts, when `plot`; liburing, when a4 is to be built) missing here, with its package. */
async function requireTools(tools: readonly string[], plot: boolean, liburing = false): Promise<void> {
  const missing: string[] = [];
  // a4 links liburing; without its header `make` leaves a4 out (Makefile).
  if (liburing && !existsSync(LIBURING_HEADER)) missing.push('liburing, which a4 (uring_zero_copy) is built with (Debian package liburing-dev)');
  for (const tool of tools) {
    if (!(await which(tool, { nothrow: true }))) missing.push(`${tool} (Debian package ${TOOL_PACKAGES[tool]})`);
  }
  // The figures are drawn after the matrix: a missing font would only show then.
  if (plot && !existsSync(FONT_FILES[0]!)) missing.push(`the DejaVu fonts the figures are drawn with (Debian package fonts-dejavu-core)`);
  if (missing.length) {
    const packages = [...new Set(missing.map((m) => /package ([^;)]+)/.exec(m)?.[1]))].join(' ');
    throw new PreflightError(
      `missing: ${missing.join(', ')}. Install everything with \`npm run setup\` (as root), or: apt-get install ${packages}`,
    );
  }
}

/** `make` (compile only). Throws PreflightError with the compiler's output. */
export async function build(tracker: ProcessTracker): Promise<void> {
  const t = tracker.start(['make', '-s', '-C', ROOT, 'all'], 'make', process.env);
  const out = await t.exited;
  if (out.exitCode !== 0) throw new PreflightError(`make failed (${describeExit(out)}):\n${out.stderr || out.stdout}`);
}

export function checkBinaries(binDir: string, impls: readonly Implementation[]): void {
  const missing = impls.flatMap((impl) =>
    (['server', 'client'] as const).map((role) => binaryPath(binDir, impl, role)).filter((p) => !existsSync(p)),
  );
  if (missing.length) throw new PreflightError(`binaries missing: ${missing.join(', ')} (run make${impls.includes('uring_zero_copy') ? '; a4 needs liburing-dev' : ''})`);
}

/** The variants whose send path needs more of the kernel than TCP: only they are asked. */
const CHECKED: readonly Implementation[] = ['uring_zero_copy'];

/**
 * Can each variant's send path run on this machine? `aN_server --check` says
 * (a4 needs io_uring: not disabled by kernel.io_uring_disabled, a kernel
 * with SEND_ZC's usage report). Throws PreflightError with the binary's reason.
 */
export async function checkVariants(binDir: string, impls: readonly Implementation[]): Promise<void> {
  for (const impl of impls.filter((i) => CHECKED.includes(i))) {
    const out = await $({ quiet: true, nothrow: true, env: CHILD_ENV })`${binaryPath(binDir, impl, 'server')} --check`;
    if (out.exitCode !== 0) throw new PreflightError(`${impl} cannot run on this machine: ${lastLines(out.stderr)}`);
  }
}

