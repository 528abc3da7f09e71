// The problems a bad config is reported with: what the config tests read.
import { expect } from 'vitest';
import { ConfigError, parseConfig, type Machine } from '../../orchestrate/config/load.ts';

/** The problems parseConfig reports for `yaml` (the test fails if it parses). */
export function problemsOf(yaml: string, machine: Machine = {}): string[] {
  try {
    parseConfig(yaml, 'bad.yaml', machine);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as Error).message).toMatch(/^bad\.yaml: invalid config/);
    return (e as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}
