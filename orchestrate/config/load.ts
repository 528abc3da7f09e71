// Reading a config: YAML text → Config, or a ConfigError naming every bad
// field by its path. `parseConfig` is pure (text in, Config or ConfigError
// out); `loadConfig` only adds reading the file.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import os from 'node:os';
import { z } from 'zod';
import { parseDocument } from 'yaml';
import { ConfigSchema, type Config } from './schema.ts';
import { cpuListProblem } from './cpus.ts';
import { CONFIG_BYTES_MAX } from './limits.ts';

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(source: string, problems: string[]) {
    super(`${source}: invalid config\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** What parseConfig knows of the machine the config will run on; a fact left out is not checked. */
export interface Machine {
  /** CPUs 0 .. cpus-1 exist: the pinning lists may name no other. */
  cpus?: number;
}

/**
 * Parse and validate a YAML config. Throws ConfigError naming every bad field.
 * Pure: the machine's facts come in through `machine`.
 */
export function parseConfig(text: string, source: string, machine: Machine = {}): Config {
  const size = Buffer.byteLength(text, 'utf8');
  if (size > CONFIG_BYTES_MAX) throw new ConfigError(source, [tooLarge(String(size))]);
  const raw = parseYaml(text, source);
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(source, [...new Set(parsed.error.issues.map((issue) => formatIssue(issue, raw)))]);
  }
  const problems = machineProblems(parsed.data, machine);
  if (problems.length > 0) throw new ConfigError(source, problems);
  return parsed.data;
}

/** The YAML document as plain data: a mapping, or a ConfigError. */
function parseYaml(text: string, source: string): object {
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
  let raw: unknown;
  try {
    // The yaml library refuses aliases that expand past its maxAliasCount
    // (a "billion laughs" document) by throwing; that is a bad config too.
    raw = doc.toJS() ?? {};
  } catch (e) {
    throw new ConfigError(source, [`YAML: ${(e as Error).message}`]);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError(source, ['(root): expected a mapping of settings, got ' + describe(raw)]);
  }
  return raw;
}

/** A valid config checked against the machine: every pinned CPU exists. */
function machineProblems(config: Config, machine: Machine): string[] {
  // Two hosts: each is checked against its own CPUs when the run connects (run/topology/ssh-prepare.ts).
  if (machine.cpus === undefined || config.topology.kind === 'ssh') return [];
  const problems: string[] = [];
  for (const side of ['server', 'client'] as const) {
    const list = config.pinning[side];
    const problem = list === null ? null : cpuListProblem(list, machine.cpus);
    if (problem) problems.push(`pinning.${side}: ${problem}, got ${describe(list)}`);
  }
  return problems;
}

/**
 * How many CPUs this machine numbers, as taskset and the preflight count
 * them: os.cpus() lists the online CPUs (availableParallelism would count
 * only those this process may use, and a pinning may name others).
 */
export function machineCpus(): number {
  return os.cpus().length || os.availableParallelism();
}

/**
 * Read and parse a config file. The machine defaults to this one; the file
 * is read only up to CONFIG_BYTES_MAX, so a huge file (or /dev/zero) is
 * refused before it is parsed.
 */
export function loadConfig(path: string, { cpus = machineCpus() }: Machine = {}): Config {
  let text: string;
  try {
    text = readBounded(path);
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw new ConfigError(path, [`cannot read the file: ${(e as Error).message}`]);
  }
  return parseConfig(text, path, { cpus });
}

function readBounded(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const { size } = fstatSync(fd);
    if (size > CONFIG_BYTES_MAX) throw new ConfigError(path, [tooLarge(String(size))]);
    const buffer = Buffer.alloc(CONFIG_BYTES_MAX + 1);
    let length = 0;
    while (length < buffer.length) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
    }
    if (length > CONFIG_BYTES_MAX) throw new ConfigError(path, [tooLarge(`more than ${CONFIG_BYTES_MAX}`)]);
    return buffer.toString('utf8', 0, length);
  } finally {
    closeSync(fd);
  }
}

const tooLarge = (bytes: string) =>
  `(file): ${bytes} bytes; a config may be at most ${CONFIG_BYTES_MAX / 2 ** 20} MiB (${CONFIG_BYTES_MAX} bytes)`;

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
  if (isWhole(issue)) return issue.message;
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

/** An issue about the config as a whole (the plan's size), whose message names its fields itself. */
function isWhole(issue: z.core.$ZodIssue): boolean {
  return issue.code === 'custom' && issue.params?.['whole'] === true;
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
      parsed.error.issues.map(
        (issue) => `${isWhole(issue) ? '' : `${formatPath(issue.path)}: `}${issue.message} (with the default peers section)`,
      ),
    );
  }
  return parsed.data as Config & { peers: NonNullable<Config['peers']> };
}
