// The entry scripts' command lines: one parser for run.mts, peers.mts,
// bench.mts and plot.mts, so that --help, usage errors and their exit codes
// behave alike. Pure but for reading process.argv in scriptArgs.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;
/** Option values by name: strings, booleans, or undefined when not given. */
export type OptionValues = Record<string, string | boolean | undefined>;

/**
 * The arguments after the script itself: under `npx zx script.mts a b` argv
 * is [node, zx, script.mts, a, b]; under `node script.mts a b`, [node,
 * script.mts, a, b]. `scriptUrl` is the script's import.meta.url.
 */
export function scriptArgs(scriptUrl: string): string[] {
  const self = fileURLToPath(scriptUrl);
  const i = process.argv.findIndex((a) => path.resolve(a) === self);
  return process.argv.slice(i >= 0 ? i + 1 : 2);
}

export type CommandLine =
  | { ok: true; values: OptionValues; positionals: string[] }
  /** Stop: `text` goes to stdout with exit 0 (--help) or to stderr with exit 2 (a usage error). */
  | { ok: false; exitCode: 0 | 2; text: string };

/**
 * Parses `argv` with `options` (plus -h/--help) and between `min` and `max`
 * positionals; a usage error names what was wrong, then the usage.
 */
export function parseCommandLine(
  argv: string[],
  options: Options,
  usage: string,
  positionals: { min: number; max: number; name: string },
): CommandLine {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: { ...options, help: { type: 'boolean', short: 'h', default: false } },
    });
  } catch (err) {
    return { ok: false, exitCode: 2, text: `${(err as Error).message}\n${usage}` };
  }
  if ((parsed.values as OptionValues).help) return { ok: false, exitCode: 0, text: usage };
  const n = parsed.positionals.length;
  if (n > positionals.max) {
    return { ok: false, exitCode: 2, text: `${positionals.max === 1 ? 'one' : positionals.max} ${positionals.name} at most, got ${parsed.positionals.join(' ')}\n${usage}` };
  }
  if (n < positionals.min) return { ok: false, exitCode: 2, text: `${positionals.name} is required\n${usage}` };
  return { ok: true, values: parsed.values as OptionValues, positionals: parsed.positionals };
}

/** A command line that stops the script (--help, a usage error): say it where it belongs; the exit code. */
export function stopWith(cli: Extract<CommandLine, { ok: false }>, script: string, say: (line: string) => void): number {
  if (cli.exitCode === 0) process.stdout.write(cli.text + '\n');
  else say(`${script}: ${cli.text}`);
  return cli.exitCode;
}

/** Runs an entry script's main and exits with its code; anything it throws is a bug: its trace, exit 1. */
export function runMain(script: string, main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (e) => {
      process.stderr.write(`${script}: ${(e as Error).stack ?? e}\n`);
      process.exit(1);
    },
  );
}
