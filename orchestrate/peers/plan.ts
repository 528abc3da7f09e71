// The peer baseline's plan: copybench's variants and the peers, alternating. Pure.
import type { Implementation } from '../config/domain.ts';
import type { PeerTool } from '../config/schema.ts';
import { iperf3Timing } from './parse.ts';

/**
 * How long a run takes here, for the plan's estimate: copybench its warm-up
 * and duration and ~0.05 s of start and stop; iperf3 its whole seconds;
 * sockperf its duration after a fixed 2 s pause it always takes between its
 * warm-up messages and its test, and 0.1 s it waits at the end.
 */
export function estimateRunSeconds(subject: BaselineSubject, warmupS: number, durationS: number): number {
  if (subject.kind === 'copybench') return warmupS + durationS + 0.05;
  if (subject.tool === 'iperf3') return iperf3Timing(warmupS, durationS).timeS + 0.1;
  return durationS + 2.2;
}

export type BaselineSubject = { kind: 'copybench'; impl: Implementation } | { kind: 'peer'; tool: PeerTool };

export interface BaselineRun {
  /** 1-based position in the plan. */
  index: number;
  subject: BaselineSubject;
  msgSize: number;
  /** 1-based repetition. */
  rep: number;
}

export function subjectName(s: BaselineSubject): Implementation | PeerTool {
  return s.kind === 'copybench' ? s.impl : s.tool;
}

/**
 * Repetitions outermost, then sizes, then every variant followed by every
 * peer: a size's runs are back to back, so slow drift (thermal state,
 * background load) hits copybench and the peers alike.
 */
export function planBaseline(settings: {
  variants: readonly Implementation[];
  tools: readonly PeerTool[];
  message_sizes: readonly number[];
  repetitions: number;
}): BaselineRun[] {
  const out: BaselineRun[] = [];
  const subjects: BaselineSubject[] = [
    ...settings.variants.map((impl) => ({ kind: 'copybench' as const, impl })),
    ...settings.tools.map((tool) => ({ kind: 'peer' as const, tool })),
  ];
  for (let rep = 1; rep <= settings.repetitions; rep++) {
    for (const msgSize of settings.message_sizes) {
      for (const subject of subjects) out.push({ index: out.length + 1, subject, msgSize, rep });
    }
  }
  return out;
}

