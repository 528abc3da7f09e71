import { describe, expect, it } from 'vitest';
import { ClientResult, ReadyLine, ServerResult, parseLine } from '../../orchestrate/results/lines.ts';
import { lines } from '../run/helpers.ts';

describe('JSON lines of the binaries', () => {
  it.each(['zero_copy-stream', 'two_copy-rr'])('%s: the server prints its ready line, then its result', (name) => {
    const [ready, result, ...rest] = lines(`${name}-server.stdout`);
    expect(rest).toEqual([]);
    expect(parseLine(ReadyLine, ready!, 'server').port).toBeGreaterThan(0);
    expect(parseLine(ServerResult, result!, 'server').role).toBe('server');
  });

  it.each(['zero_copy-stream', 'two_copy-rr'])('%s: the client prints one result line', (name) => {
    const all = lines(`${name}-client.stdout`);
    expect(all).toHaveLength(1);
    const c = parseLine(ClientResult, all[0]!, 'client');
    expect(c.corrupt).toBe(0);
    expect(c.latency_us.kind).toBe(name.endsWith('rr') ? 'rtt' : 'one_way');
  });

  const client = () => JSON.parse(lines('zero_copy-stream-client.stdout')[0]!) as Record<string, unknown>;

  it('names a missing field', () => {
    const c = client();
    delete c.bytes;
    expect(() => parseLine(ClientResult, JSON.stringify(c), 'client stdout')).toThrow(/^client stdout: bytes: /);
  });

  it('rejects an unknown field', () => {
    expect(() => parseLine(ClientResult, JSON.stringify({ ...client(), extra: 1 }), 'c')).toThrow(/extra/);
  });

  it('rejects a negative count and unordered percentiles', () => {
    expect(() => parseLine(ClientResult, JSON.stringify({ ...client(), corrupt: -1 }), 'c')).toThrow(/corrupt/);
    const c = client();
    c.latency_us = { ...(c.latency_us as object), p50: 1e9 };
    expect(() => parseLine(ClientResult, JSON.stringify(c), 'c')).toThrow(/percentiles must be ordered/);
  });

  it('rejects text that is not JSON, and a ready line with a bad port', () => {
    expect(() => parseLine(ReadyLine, 'listening on 7000', 'server')).toThrow(/not a JSON line/);
    expect(() => parseLine(ReadyLine, '{"event":"ready","port":0}', 'server')).toThrow(/port/);
  });
});
