import { describe, expect, it } from 'vitest';
import { crossCheck } from '../../orchestrate/results/checks.ts';
import { perfStat, zeroCopyStream } from '../run/helpers.ts';

const EVENTS = ['cycles', 'context-switches'];
const perf = () => perfStat({ cycles: 1, 'context-switches': 2 });

function check(patch: (x: ReturnType<typeof zeroCopyStream>) => void = () => {}, serverPerf = perf(), clientPerf = perf()) {
  const x = zeroCopyStream();
  patch(x);
  return crossCheck({ ...x, serverPerf, clientPerf, events: EVENTS });
}

describe('crossCheck', () => {
  it('passes a real, consistent experiment', () => {
    expect(check()).toEqual([]);
  });

  it('fails when the server sent less than the client received', () => {
    expect(check((x) => (x.server.bytes_sent = x.client.bytes - 1))).toEqual([
      expect.stringMatching(/^server sent \d+ bytes but the client counted \d+ received$/),
    ]);
  });

  it('fails on corrupt messages', () => {
    expect(check((x) => (x.client.corrupt = 2))).toEqual(['client saw 2 corrupt messages']);
  });

  it('fails when the binaries ran something other than asked', () => {
    expect(check((x) => (x.experiment.threads = 4))).toEqual([
      'client threads is 2, expected 4',
      'server served 2 connections, expected 4',
    ]);
  });

  it('fails a zero-copy run without SO_ZEROCOPY, and a copy run with MSG_ZEROCOPY sends', () => {
    expect(check((x) => (x.server.zerocopy.enabled = false))).toEqual(['zero_copy server ran without SO_ZEROCOPY']);
    expect(
      check((x) => {
        x.experiment.impl = 'one_copy';
        x.client.impl = 'one_copy';
        x.server.impl = 'one_copy';
      }),
    ).toEqual([expect.stringMatching(/^one_copy server made \d+ zero-copy sends$/)]);
  });

  it('holds uring_zero_copy to the same: zero-copy sends enabled and made', () => {
    const a4 = (x: ReturnType<typeof zeroCopyStream>) => {
      x.experiment.impl = 'uring_zero_copy';
      x.client.impl = 'uring_zero_copy';
      x.server.impl = 'uring_zero_copy';
    };
    expect(check(a4)).toEqual([]);
    expect(check((x) => (a4(x), (x.server.zerocopy.sends = 0)))).toEqual(['uring_zero_copy server made no zero-copy sends']);
    expect(check((x) => (a4(x), (x.server.zerocopy.enabled = false)))).toEqual(['uring_zero_copy server ran without io_uring zero-copy sends']);
  });

  it('fails when a perf file lacks a requested event, but not when it is unsupported', () => {
    expect(check(undefined, perfStat({ cycles: 1 }))).toEqual(['server perf file has no row for context-switches']);
    expect(check(undefined, perfStat({ cycles: 1, 'context-switches': 2 }, { unsupported: ['cycles'] }))).toEqual([]);
  });
});
