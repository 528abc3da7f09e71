// A host's facts for meta.json (topology ssh), from the `key=value` lines a
// small script prints there (run/topology/ssh-prepare.ts). Pure: tests feed
// it captured text.
import type { HostFacts, InterfaceFacts } from './meta.ts';

/** The offloads that decide whether MSG_ZEROCOPY's pages can leave without a copy, or how segments are cut. */
export const RECORDED_OFFLOADS = [
  'scatter-gather',
  'tx-checksumming',
  'tcp-segmentation-offload',
  'generic-segmentation-offload',
  'generic-receive-offload',
  'large-receive-offload',
] as const;

export interface HostIdentity {
  /** /proc/sys/kernel/random/boot_id: a reboot resets every sysctl. */
  bootId: string;
  /** readlink /proc/self/ns/net: the network stack the sysctls belong to. */
  netns: string;
}

/**
 * `ip -o route get ADDR`'s first line → where it goes: `local` (delivered on
 * this host), the device and the source address. Null where the line says nothing.
 */
export function parseRoute(line: string): { route: 'local' | 'network' | null; dev: string | null; src: string | null } {
  const trimmed = line.trim();
  if (!trimmed) return { route: null, dev: null, src: null };
  return {
    route: trimmed.startsWith('local ') ? 'local' : 'network',
    dev: / dev (\S+)/.exec(trimmed)?.[1] ?? null,
    src: / src (\S+)/.exec(trimmed)?.[1] ?? null,
  };
}

/** The facts script's output → facts and identity; throws naming the missing key. */
export function parseHostFacts(text: string, ssh: string): { facts: HostFacts; identity: HostIdentity } {
  const values = new Map<string, string>();
  const offloads: Record<string, string> = {};
  let ethtool = false;
  for (const line of text.split('\n')) {
    const offload = /^offload ([a-z-]+)=(on|off)/.exec(line);
    if (offload) {
      ethtool = true;
      if ((RECORDED_OFFLOADS as readonly string[]).includes(offload[1]!)) offloads[offload[1]!] = offload[2]!;
      continue;
    }
    const eq = line.indexOf('=');
    if (eq > 0) values.set(line.slice(0, eq), line.slice(eq + 1).trim());
  }
  const need = (key: string) => {
    const v = values.get(key);
    if (!v) throw new Error(`host facts: no ${key} (got: ${text.trim().split('\n').slice(0, 3).join(' | ') || 'nothing'})`);
    return v;
  };
  const known = (key: string) => values.get(key) || null;
  const cores = Number(need('cores'));
  if (!Number.isInteger(cores) || cores < 1) throw new Error(`host facts: cores is ${values.get('cores')}`);
  const route = parseRoute(values.get('route_line') ?? '');
  const mtu = Number(values.get('mtu'));
  const iface: InterfaceFacts | null = route.dev
    ? {
        name: route.dev,
        driver: known('driver'),
        mtu: Number.isInteger(mtu) && mtu > 0 ? mtu : null,
        offloads: ethtool ? offloads : null,
      }
    : null;
  return {
    facts: {
      ssh,
      hostname: need('hostname'),
      kernel: need('kernel'),
      cpu_model: known('cpu_model') ?? 'unknown',
      cores,
      perf_version: known('perf_version'),
      gcc_version: known('gcc_version'),
      route: route.route,
      address: route.src,
      interface: iface,
    },
    identity: { bootId: need('boot_id'), netns: need('netns') },
  };
}
