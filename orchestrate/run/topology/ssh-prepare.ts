// Making a host ready for topology ssh: its tools checked and perf probed
// (nothing created yet), its facts read, then copybench's C sources sent to
// the run's folder there as a tar stream and built with make.
import { $ } from 'zx';
import { cpusOf } from '../../config/cpus.ts';
import type { Implementation } from '../../config/domain.ts';
import { parseHostFacts, type HostIdentity } from '../../results/hosts.ts';
import type { HostFacts } from '../../results/meta.ts';
import { parsePerfStatReport } from '../../results/perf.ts';
import { ROOT } from '../paths.ts';
import { TOOL_PACKAGES } from '../preflight.ts';
import { lastLines } from '../process.ts';
import { atHost, hostName, type SshHost } from './ssh-place.ts';
import { TopologyError } from './topology.ts';

type Reach = Omit<SshHost, 'runDir'>;

// sbin holds ip and ethtool, which a user's PATH may lack.
const PATH_PLUS = 'PATH="$PATH:/usr/sbin:/sbin"; ';

// `sh -c MISSING TOOL...`: the tools that are not there.
const MISSING = 'for t in "$@"; do command -v "$t" >/dev/null 2>&1 || echo "$t"; done';

/** The tools a host needs: perf, cc, make, tar (the sources arrive as a tar stream), taskset when it is pinned. */
export function hostTools(pinned: boolean): string[] {
  return ['perf', 'cc', 'make', 'tar', ...(pinned ? ['taskset'] : [])];
}

/**
 * The host's tools, perf's ability to count `events` there, and its CPUs
 * against the pinning: returns the events perf cannot count there. Creates
 * nothing at the host. Throws TopologyError naming the host.
 */
export async function checkHost(host: Reach, tools: readonly string[], events: readonly string[], pinning: string | null): Promise<string[]> {
  const name = hostName(host);
  const probe = await atHost(host, ['sh', '-c', MISSING, 'missing', ...tools]);
  if (probe.exitCode !== 0) throw new TopologyError(`${name}: cannot check its tools: ${lastLines(probe.stderr)}`);
  const missing = probe.stdout.split('\n').filter(Boolean);
  if (missing.length) {
    const packages = [...new Set(missing.map((t) => TOOL_PACKAGES[t] ?? t))];
    throw new TopologyError(
      `${name}: missing ${missing.map((t) => `${t} (Debian package ${TOOL_PACKAGES[t] ?? t})`).join(', ')}; ` +
        `install there: apt-get install ${packages.map((p) => p.split(';')[0]).join(' ')}`,
    );
  }
  const cores = await atHost(host, ['getconf', '_NPROCESSORS_CONF']);
  const count = Number(cores.stdout.trim());
  if (pinning !== null && Number.isInteger(count) && cpusOf(pinning).some((c) => c >= count)) {
    throw new TopologyError(`${name}: pinning ${pinning} names a CPU it does not have (CPUs 0-${count - 1})`);
  }
  const perf = await atHost(host, ['env', 'LC_ALL=C', 'perf', 'stat', '-x,', '--no-big-num', '-o', '/dev/stdout', '-e', events.join(','), '--', 'true']);
  if (perf.exitCode !== 0) {
    const paranoid = await atHost(host, ['cat', '/proc/sys/kernel/perf_event_paranoid']);
    throw new TopologyError(
      `${name}: perf cannot count there (kernel.perf_event_paranoid = ${paranoid.stdout.trim() || '?'}): ${lastLines(perf.stderr)}. ` +
        'Connect as root, or lower it there: sysctl -w kernel.perf_event_paranoid=1',
    );
  }
  const report = parsePerfStatReport(perf.stdout);
  const absent = events.filter((ev) => !report.counts[ev]);
  if (absent.length) throw new TopologyError(`${name}: perf printed no row for ${absent.join(', ')} (is the event name right there? see perf list)`);
  return events.filter((ev) => !report.counts[ev]!.supported);
}

// `sh -c FACTS PEER_ADDRESS`: key=value lines (results/hosts.ts reads them; test/fixtures/hosts/ holds captured ones).
export const FACTS =
  PATH_PLUS +
  'echo "hostname=$(cat /proc/sys/kernel/hostname)"; echo "kernel=$(uname -sr)"; ' +
  'echo "cpu_model=$(sed -n "s/^model name[[:space:]]*: //p" /proc/cpuinfo | head -n1)"; ' +
  'echo "cores=$(getconf _NPROCESSORS_CONF)"; echo "perf_version=$(perf --version 2>/dev/null)"; ' +
  'echo "gcc_version=$(cc --version 2>/dev/null | head -n1)"; ' +
  'echo "boot_id=$(cat /proc/sys/kernel/random/boot_id)"; echo "netns=$(readlink /proc/self/ns/net)"; ' +
  'r=$(ip -o route get "$0" 2>/dev/null | head -n1); echo "route_line=$r"; ' +
  'dev=$(echo "$r" | sed -n "s/.* dev \\([^ ]*\\).*/\\1/p"); [ -n "$dev" ] || exit 0; ' +
  'echo "mtu=$(cat /sys/class/net/$dev/mtu 2>/dev/null)"; ' +
  'drv=$(ethtool -i "$dev" 2>/dev/null | sed -n "s/^driver: //p"); ' +
  '[ -n "$drv" ] || drv=$(basename "$(readlink /sys/class/net/$dev/device/driver 2>/dev/null)" 2>/dev/null); echo "driver=$drv"; ' +
  'ethtool -k "$dev" 2>/dev/null | sed -n "s/^\\([a-z-]*\\): \\(on\\|off\\).*/offload \\1=\\2/p"';

/** The host's facts, with its route and interface towards `peer` (the other side's data-plane address). */
export async function readHostFacts(host: Reach, peer: string): Promise<{ facts: HostFacts; identity: HostIdentity }> {
  const out = await atHost(host, ['sh', '-c', FACTS, peer]);
  if (out.exitCode !== 0) throw new TopologyError(`${hostName(host)}: cannot read its facts: ${lastLines(out.stderr)}`);
  try {
    return parseHostFacts(out.stdout, host.destination);
  } catch (e) {
    throw new TopologyError(`${hostName(host)}: ${(e as Error).message}`);
  }
}

let sources: Promise<Buffer> | null = null;

/** Makefile and c/ of this checkout as a tar stream, made once per process. */
function sourceTarball(): Promise<Buffer> {
  sources ??= $({ quiet: true, cwd: ROOT })`tar -cf - Makefile c`.then((out) => out.buffer());
  return sources;
}

/** Sends the sources into the host's run folder and builds the variants' binaries there with make. */
export async function buildAtHost(host: SshHost, variants: readonly Implementation[], binaryNames: (impl: Implementation) => string[]): Promise<void> {
  const name = hostName(host);
  const sent = await atHost(host, ['tar', '-C', host.runDir, '-xf', '-'], await sourceTarball());
  if (sent.exitCode !== 0) throw new TopologyError(`${name}: sending the sources failed: ${lastLines(sent.stderr)}`);
  const targets = variants.flatMap(binaryNames).map((b) => `bin/${b}`);
  const made = await atHost(host, ['sh', '-c', 'cd "$0" && make -s -j"$(getconf _NPROCESSORS_ONLN)" "$@"', host.runDir, ...targets]);
  if (made.exitCode !== 0) throw new TopologyError(`${name}: make failed there:\n${lastLines(made.stderr || made.stdout, 12)}`);
}
