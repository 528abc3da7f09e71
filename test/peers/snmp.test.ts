// TCP's counters (RetransSegs, OutSegs) as run/topology/counters.ts reads them, from /proc/<pid>/net/snmp
// (the file nstat reads), on a real capture of that file.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseSnmpRetransSegs, parseSnmpTcp } from '../../orchestrate/run/topology/counters.ts';

const text = readFileSync(path.resolve(import.meta.dirname, '../fixtures/peers/proc-net-snmp.txt'), 'utf8');

describe('parseSnmpRetransSegs', () => {
  it('reads RetransSegs from the Tcp: lines by its column name', () => {
    const [names, values] = text.split('\n').filter((l) => l.startsWith('Tcp:')).map((l) => l.split(/\s+/));
    expect(parseSnmpRetransSegs(text)).toBe(Number(values![names!.indexOf('RetransSegs')]));
  });

  it('follows the column, wherever the kernel puts it', () => {
    expect(parseSnmpRetransSegs('Tcp: RetransSegs InSegs\nTcp: 7 100\n')).toBe(7);
  });

  it('is null without a Tcp: table or without the column', () => {
    expect(parseSnmpRetransSegs('Ip: Forwarding\nIp: 1\n')).toBeNull();
    expect(parseSnmpRetransSegs('Tcp: InSegs\nTcp: 100\n')).toBeNull();
    expect(parseSnmpRetransSegs('')).toBeNull();
  });
});

describe('parseSnmpTcp', () => {
  it('reads RetransSegs and OutSegs from the same Tcp: lines of a real capture', () => {
    // Tcp: ... InSegs OutSegs RetransSegs ... / Tcp: ... 52564947 52555913 7101 ...
    expect(parseSnmpTcp(text)).toEqual({ retransSegs: 7101, outSegs: 52555913 });
  });

  it('finds each by name, and leaves a missing one unknown', () => {
    expect(parseSnmpTcp('Tcp: OutSegs RetransSegs\nTcp: 9 2\n')).toEqual({ retransSegs: 2, outSegs: 9 });
    expect(parseSnmpTcp('Tcp: RetransSegs\nTcp: 2\n')).toEqual({ retransSegs: 2, outSegs: null });
    expect(parseSnmpTcp('')).toEqual({ retransSegs: null, outSegs: null });
  });
});
