// IPv4 checks for the veth pair's addresses. Pure.

/**
 * Why an address cannot be one end of the veth pair, or null. 127/8 is
 * routed to lo whichever interface holds it; 0/8, multicast (224/4) and the
 * broadcast address are no host's; and Linux adds a broadcast route for the
 * last address of the subnet, so a connection to it fails.
 */
export function unusableAddress(address: string, prefixLength: number): string | null {
  const a = ipv4ToInt(address);
  const first = a >>> 24;
  if (first === 0) return 'expected a host address, not one in 0.0.0.0/8';
  if (first === 127) return 'expected an address on the veth pair, not a loopback one (127.0.0.0/8; use kind: loopback)';
  if (first >= 224 && first < 240) return 'expected a unicast address, not a multicast one (224.0.0.0/4)';
  if (address === '255.255.255.255') return 'expected a host address, not the broadcast address';
  const block = 2 ** (32 - prefixLength);
  if (a % block === block - 1) return `expected a host address, not the broadcast address of its /${prefixLength} subnet`;
  return null;
}

function ipv4ToInt(a: string): number {
  return a.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

export function sameSubnet(a: string, b: string, prefixLength: number): boolean {
  const hostBits = 32 - prefixLength;
  const block = 2 ** hostBits;
  return Math.floor(ipv4ToInt(a) / block) === Math.floor(ipv4ToInt(b) / block);
}
