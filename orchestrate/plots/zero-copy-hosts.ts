// The zero-copy answer for a run across two hosts (topology ssh), read from
// the copied fraction of MSG_ZEROCOPY's completions: below 100 % the NIC took
// the pages without a copy, and the sender's CPU time per byte against
// one_copy says what that saved; at 100 % the hosts' facts (meta.json
// `hosts`) say why the kernel copied anyway. Pure.
//
// Why the kernel copies (net/ipv4/tcp.c, tcp_sendmsg_locked; Documentation/
// networking/msg_zerocopy.rst): without scatter-gather on the route's device
// (NETIF_F_SG, which itself needs checksum offload) the send is a plain copy
// and its completion is flagged copied; a packet delivered to a socket on the
// same host (loopback, veth into another namespace) gets a deferred copy.
import { formatSize } from '../results/format.ts';
import type { HostFacts, Meta } from '../results/meta.ts';
import type { PointStats } from './points.ts';

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/**
 * The report's lines on zero-copy for a run across two hosts; null when the
 * run has no hosts (one machine: the report's own reason applies) or no
 * zero_copy completions to read.
 */
export function zeroCopyAcrossHosts(points: readonly PointStats[], hosts: Meta['hosts'] | null | undefined): string[] | null {
  if (!hosts) return null;
  const zc = points.filter((p) => p.impl === 'zero_copy' && p.zc.completions > 0);
  const completions = zc.reduce((s, p) => s + p.zc.completions, 0);
  if (completions === 0) return null;
  const copied = zc.reduce((s, p) => s + p.zc.copied, 0);
  const fraction = copied / completions;
  if (fraction >= 1) return [`every one of ${completions} MSG_ZEROCOPY completions was flagged copied: no send left without a copy.`, `Why: ${whyCopied(hosts)}`];
  return [
    `${pct(1 - fraction)} of ${completions} MSG_ZEROCOPY completions were true zero-copy (the NIC read the pages in place); ${pct(fraction)} were copied.`,
    ...savings(points),
  ];
}

/** Per point with both variants: the sender's CPU time per byte, zero_copy against one_copy. */
function savings(points: readonly PointStats[]): string[] {
  const lines: string[] = [];
  for (const z of points.filter((p) => p.impl === 'zero_copy' && p.zc.completions > 0)) {
    const one = points.find((p) => p.impl === 'one_copy' && p.mode === z.mode && p.msgSize === z.msgSize && p.threads === z.threads);
    const zcNs = z.figures.cpu_ns_per_byte_server?.median;
    const oneNs = one?.figures.cpu_ns_per_byte_server?.median;
    if (zcNs === undefined || oneNs === undefined || oneNs <= 0) continue;
    const copiedHere = z.zc.copied / z.zc.completions;
    lines.push(
      `${z.mode} ${formatSize(z.msgSize, 'course')}, ${z.threads} thread${z.threads === 1 ? '' : 's'}: the sender spent ${zcNs.toFixed(3)} ns/B ` +
        `against one_copy's ${oneNs.toFixed(3)} ns/B — ${oneNs >= zcNs ? 'saved' : 'cost'} ${Math.abs(oneNs - zcNs).toFixed(3)} ns per byte ` +
        `(${(((oneNs - zcNs) / oneNs) * 100).toFixed(0)}%; ${pct(copiedHere)} of its completions copied).`,
    );
  }
  if (lines.length === 0) lines.push('what it saved per byte cannot be told: no point has both zero_copy and one_copy with the sender\'s CPU time.');
  return lines;
}

/** Why every zero-copy send was copied, from the server's (the sender's) facts. */
export function whyCopied(hosts: NonNullable<Meta['hosts']>): string {
  const server: HostFacts = hosts.server;
  const nic = server.interface;
  if (hosts.client.route === 'local' || server.route === 'local') {
    return 'the route between the two hosts is local (both ends on one host): a packet delivered to a socket on the same host always gets a deferred copy.';
  }
  if (!nic) return `the server host's interface towards the client is unknown (no route found there), so the reason cannot be told.`;
  const named = `the server host's interface ${nic.name}${nic.driver ? ` (driver ${nic.driver})` : ''}`;
  if (nic.driver === 'veth' || nic.name === 'lo') {
    return `${named} is a virtual link on one machine: its packets go to a socket on the same machine (another network namespace), which always gets a deferred copy. Only a real NIC between two machines can take the pages without one.`;
  }
  if (nic.offloads === null) return `${named}'s offloads are unknown (ethtool is not installed there), so the reason cannot be told; scatter-gather is the first suspect.`;
  if (nic.offloads['scatter-gather'] === 'off') {
    return `${named} has scatter-gather off: without it the kernel cannot hand the NIC the user's pages and copies every send (ethtool -K ${nic.name} sg on, if the NIC can).`;
  }
  if (nic.offloads['tx-checksumming'] === 'off') {
    return `${named} has transmit checksumming off, and scatter-gather needs it: the kernel copies every send (ethtool -K ${nic.name} tx on, if the NIC can).`;
  }
  return `${named} has scatter-gather and checksum offload on, yet every send was copied: the path to the client is not a plain NIC (a tunnel or bridge that copies, a driver without zero-copy support); look at the route on the server host.`;
}
