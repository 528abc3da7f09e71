// What every entry point that runs experiments (run.mts, peers.mts,
// bench.mts) shares, so that none of them copies it: signals that end
// exactly this session's processes, preflight and build, and a topology that
// is always torn down, whatever happens in between.
//
// It starts nothing itself: processes are started by the pair engine
// (pair.ts) and the topology, all through this session's tracker.
import path from 'node:path';
import type { Config } from '../config/schema.ts';
import { DEFAULT_BIN_DIR } from './paths.ts';
import { PreflightError, build, checkBinaries, checkVariants, preflight, type PreflightResult } from './preflight.ts';
import { Interrupted, ProcessTracker } from './process.ts';
import { setUpTopology } from './topology/setup.ts';
import { TopologyError, type Topology } from './topology/topology.ts';

export class Session {
  readonly tracker = new ProcessTracker();
  /** Topology ssh: leave each host's run folder in place at exit (run.mts --keep-remote). */
  keepRemote = false;
  private readonly controller = new AbortController();
  private stopping = false;

  /**
   * From construction on, a Ctrl-C or SIGTERM ends this session's processes
   * and aborts what is running, whatever stage it arrives in; a second one
   * is ignored while cleaning up.
   */
  constructor(private readonly say: (line: string) => void) {
    const onSignal = (signal: NodeJS.Signals) => {
      if (this.stopping) {
        say(`${signal}: still cleaning up, please wait`);
        return;
      }
      this.stopping = true;
      say(`${signal}: stopping; ending this run's processes and undoing its setup`);
      this.controller.abort();
      void this.tracker.endAll();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }

  get interrupted(): boolean {
    return this.stopping;
  }

  get abort(): AbortSignal {
    return this.controller.signal;
  }

  /**
   * Preflight (tools, root, perf), then `make` — unless `binDirOption` names
   * ready binaries. Returns where the binaries are, or the exit code to stop
   * with (1: a tool or the build failed; 130: interrupted), already explained.
   */
  async prepare(
    config: Config,
    binDirOption: string | null,
  ): Promise<{ binDir: string; preflight: PreflightResult } | { exitCode: number }> {
    if (this.interrupted) return { exitCode: 130 };
    const binDir = binDirOption ? path.resolve(binDirOption) : DEFAULT_BIN_DIR;
    // Two hosts: each builds its own binaries from this checkout's sources (topology/ssh.ts).
    const here = config.topology.kind !== 'ssh';
    if (!here && binDirOption) {
      this.say('--bin-dir: with topology ssh the binaries are built on each host from this checkout\'s sources');
      return { exitCode: 2 };
    }
    let result: PreflightResult;
    try {
      result = await preflight(config, { build: here && !binDirOption });
      if (here && !binDirOption) await build(this.tracker);
      if (here) checkBinaries(binDir, config.variants);
      if (here) await checkVariants(binDir, config.variants);
    } catch (e) {
      if (this.interrupted) return { exitCode: 130 };
      if (e instanceof PreflightError) {
        this.say(`preflight: ${e.message}`);
        return { exitCode: 1 };
      }
      throw e;
    }
    for (const w of result.warnings) this.say(`note: ${w}`);
    if (this.interrupted) return { exitCode: 130 };
    return { binDir, preflight: result };
  }

  /**
   * Sets the topology up, runs `body` with it, then — whatever happened —
   * calls `beforeTeardown`, ends every process this session started and
   * tears the topology down. Notes from setup and teardown are said as they
   * come (unless `notes` is false: a calibration's set-ups repeat them). `toolFailure` is true when setup, `body` (other than by an
   * interrupt) or teardown failed; the failure has been said.
   */
  async inTopology(
    config: Config,
    body: (topology: Topology) => Promise<void>,
    beforeTeardown: () => void = () => {},
    { notes = true }: { notes?: boolean } = {},
  ): Promise<{ toolFailure: boolean }> {
    const sayNote = (note: string) => {
      if (notes) this.say(`note: ${note}`);
    };
    let topology: Topology | null = null;
    let toolFailure = false;
    let notesSaid = 0;
    try {
      if (this.interrupted) throw new Interrupted('interrupted before setup');
      topology = await setUpTopology(config, this.tracker, { keepRemote: this.keepRemote, abort: this.abort });
      topology.notes.forEach(sayNote);
      notesSaid = topology.notes.length;
      await body(topology);
    } catch (e) {
      if (!(e instanceof Interrupted) && !this.interrupted) {
        toolFailure = true;
        this.say(e instanceof TopologyError ? `topology: ${e.message}` : `error: ${(e as Error).stack ?? e}`);
      }
    } finally {
      beforeTeardown();
      await this.tracker.endAll();
      if (topology) {
        try {
          await topology.tearDown();
          topology.notes.slice(notesSaid).forEach(sayNote);
        } catch (e) {
          toolFailure = true;
          this.say(`teardown: ${(e as Error).message}`);
        }
      }
    }
    return { toolFailure };
  }
}
