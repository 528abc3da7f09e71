// The config's sections about the machine rather than the matrix: the
// setup's own cost (calibration) and interference (steal). Pure.
import { z } from 'zod';
import { intInRange, messageSize, secondsInRange } from './fields.ts';
import { ATTEMPTS_MAX, DURATION_MIN_S } from './limits.ts';

// Before a netns run, the configured topology is measured against the
// alternatives (run/calibrate.ts) and the run warns when it costs more.
export const CalibrationSection = z
  .strictObject({
    enabled: z.boolean({ error: 'expected true or false' }).default(true),
    warmup_s: secondsInRange(0, 10, 'a warm-up').default(0.3),
    duration_s: secondsInRange(DURATION_MIN_S, 10, 'a duration').default(1),
    message_size: messageSize.default(65536),
    // The configured topology is said to cost too much when a clean
    // alternative moves the bytes for this much less CPU, every variant.
    margin_pct: intInRange(1, 1000, 'a percentage').default(25),
  })
  .prefault({});

// An experiment during which the hypervisor stole more than max_steal_pct
// of either side's CPUs (/proc/stat's steal column) is run again, up to
// max_attempts tries in all; results.csv keeps the last try (or the first
// clean one) and says how many it took.
export const InterferenceSection = z
  .strictObject({
    max_steal_pct: z
      .number({ error: 'expected a percentage from 0 to 100' })
      .finite({ error: 'expected a percentage from 0 to 100' })
      .min(0, { error: 'expected a percentage from 0 to 100' })
      .max(100, { error: 'expected a percentage from 0 to 100' })
      .default(2),
    max_attempts: intInRange(1, ATTEMPTS_MAX, 'an attempt count').default(3),
  })
  .prefault({});
