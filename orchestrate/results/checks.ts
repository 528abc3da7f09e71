// Cross-checks of one experiment's validated outputs against each other and
// against what was asked. Pure: every problem is returned as a sentence; an
// experiment with any problem is failed, not written.
import type { ClientResult, ServerResult } from './lines.ts';
import type { PerfStat } from './perf.ts';
import type { Experiment } from '../config/plan.ts';
import { isZeroCopy } from '../config/domain.ts';

/** One experiment's outputs, each validated on its own (zod, perf parser). */
export interface ExperimentOutputs {
  experiment: Experiment;
  client: ClientResult;
  server: ServerResult;
  serverPerf: PerfStat;
  clientPerf: PerfStat;
  events: readonly string[];
}

export function crossCheck({ experiment: e, client, server, serverPerf, clientPerf, events }: ExperimentOutputs): string[] {
  const problems: string[] = [];
  const expect = (ok: boolean, message: string) => {
    if (!ok) problems.push(message);
  };

  // The binaries echo what they ran; a mismatch means the wrong binary or flags.
  expect(client.impl === e.impl, `client impl is ${client.impl}, expected ${e.impl}`);
  expect(server.impl === e.impl, `server impl is ${server.impl}, expected ${e.impl}`);
  expect(client.mode === e.mode, `client mode is ${client.mode}, expected ${e.mode}`);
  expect(client.msg_size === e.msgSize, `client msg_size is ${client.msg_size}, expected ${e.msgSize}`);
  expect(client.threads === e.threads, `client threads is ${client.threads}, expected ${e.threads}`);
  expect(server.mode === e.mode, `server saw mode ${server.mode}, expected ${e.mode}`);
  expect(server.msg_size === e.msgSize, `server saw msg_size ${server.msg_size}, expected ${e.msgSize}`);
  expect(server.connections === e.threads, `server served ${server.connections} connections, expected ${e.threads}`);
  expect(server.rejected === 0, `server rejected ${server.rejected} connections`);

  // Data integrity and plausibility.
  expect(client.corrupt === 0, `client saw ${client.corrupt} corrupt messages`);
  expect(client.messages > 0 && client.bytes > 0, 'client received nothing in its window');
  expect(client.window_s > 0, 'client measurement window is empty');
  expect(
    server.bytes_sent >= client.bytes,
    `server sent ${server.bytes_sent} bytes but the client counted ${client.bytes} received`,
  );
  expect(
    server.messages_sent >= client.messages,
    `server sent ${server.messages_sent} messages but the client counted ${client.messages} received`,
  );

  // Only the zero-copy variants may send zero-copy (MSG_ZEROCOPY, io_uring
  // SEND_ZC), and they must have; every send is completed by the end.
  if (isZeroCopy(e.impl)) {
    expect(server.zerocopy.enabled, `${e.impl} server ran without ${e.impl === 'zero_copy' ? 'SO_ZEROCOPY' : 'io_uring zero-copy sends'}`);
    expect(server.zerocopy.sends > 0, `${e.impl} server made no zero-copy sends`);
  } else {
    expect(server.zerocopy.sends === 0, `${e.impl} server made ${server.zerocopy.sends} zero-copy sends`);
  }

  // Every requested event has a row on both sides (its value may be unknown).
  for (const [side, perf] of [
    ['server', serverPerf],
    ['client', clientPerf],
  ] as const) {
    const missing = events.filter((ev) => !(ev in perf));
    if (missing.length) problems.push(`${side} perf file has no row for ${missing.join(', ')}`);
  }
  return problems;
}
