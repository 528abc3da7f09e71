// Reading a config: YAML text → Config, or a ConfigError naming every bad
// field by its path. `parseConfig` is pure (text in, Config or ConfigError
// out); `loadConfig` only adds reading the file.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { parseDocument } from 'yaml';
import { ConfigSchema, type Config } from './schema.ts';

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(source: string, problems: string[]) {
    super(`${source}: invalid config\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Parse and validate a YAML config. Throws ConfigError naming every bad field. */
export function parseConfig(text: string, source: string): Config {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      source,
      doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        const where = pos ? `line ${pos.line}, column ${pos.col}` : 'somewhere';
        const reason = (e.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
        return `YAML syntax error at ${where}: ${reason}`;
      }),
    );
  }
  const raw: unknown = doc.toJS() ?? {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError(source, ['(root): expected a mapping of settings, got ' + describe(raw)]);
  }
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(source, parsed.error.issues.map((issue) => formatIssue(issue, raw)));
  }
  return parsed.data;
}

export function loadConfig(path: string): Config {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(path, [`cannot read the file: ${(e as Error).message}`]);
  }
  return parseConfig(text, path);
}

/** `threads[1]`, `topology.namespaces.server`, `(root)`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += (out ? '.' : '') + String(key);
  }
  return out || '(root)';
}

function formatIssue(issue: z.core.$ZodIssue, raw: unknown): string {
  const where = formatPath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    const prefix = issue.path.length ? `${where}.` : '';
    return issue.keys.map((k) => `${prefix}${k}: unknown key`).join('; ');
  }
  if (issue.code === 'invalid_key') {
    // A bad key of a map (a sysctl name): the key's own complaint says more.
    const inner = issue.issues.map((i) => i.message).join('; ');
    return `${where}: ${inner || issue.message}`;
  }
  const value = valueAt(raw, issue.path);
  const got = value.found ? `, got ${describe(value.value)}` : ', got nothing';
  // zod's own messages already say what was received; ours say what is expected.
  const message = issue.message.replace(/^Invalid input: /, '').replace(/, received \w+$/, '');
  return `${where}: ${message}${got}`;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): { found: boolean; value?: unknown } {
  let v: unknown = root;
  for (const key of path) {
    if (v === null || typeof v !== 'object' || !(key in (v as object))) return { found: false };
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return { found: true, value: v };
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s.length > 80 ? s.slice(0, 77) + '...' : s;
}

/**
 * The config as the peer baseline runs it: with its own `peers:` section, or
 * with an empty one (every tool, the matrix's sizes and repetitions) —
 * validated again, so the peers' constraints on the durations apply.
 */
export function withPeers(config: Config, source: string): Config & { peers: NonNullable<Config['peers']> } {
  if (config.peers) return config as Config & { peers: NonNullable<Config['peers']> };
  const parsed = ConfigSchema.safeParse({ ...config, peers: {} });
  if (!parsed.success) {
    throw new ConfigError(
      source,
      parsed.error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message} (with the default peers section)`),
    );
  }
  return parsed.data as Config & { peers: NonNullable<Config['peers']> };
}
