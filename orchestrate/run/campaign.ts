// The campaign loop, one for every entry point (run.mts, peers.mts,
// bench.mts): a run folder (new, or an interrupted one continued), meta.json
// kept current, then every step in one topology with progress and ETA, each
// note said once, each failure said and kept in failures.jsonl, and at the
// end meta.json's status and the exit code. What a step runs and what it
// writes is the caller's.
import path from 'node:path';
import { perfEvents, type Config } from '../config/schema.ts';
import type { Meta, SessionRecord } from '../results/meta.ts';
import { RAW_DIR, WriteError, appendFailure, createRunDir, releaseRoom, reserveRoom, writeCsvHeader, writeMeta } from '../results/store.ts';
import { csvHeader } from '../results/row.ts';
import { stealReported } from '../results/steal.ts';
import { machineFacts, readProcStat } from './machine.ts';
import type { PreflightResult } from './preflight.ts';
import { remainingSeconds, type Progress } from './progress.ts';
import type { Session } from './session.ts';
import type { RunContext } from './pair.ts';
import { topologyRecord, type Topology } from './topology/topology.ts';

/** What a step is given: the campaign's run context, binaries and folder. */
export interface StepContext extends RunContext {
  binDir: string;
  runId: string;
  runDir: string;
}

export type StepResult = (
  | { ok: true; notes: readonly string[] }
  | { ok: false; problems: readonly string[]; notes: readonly string[]; rawDir: string }
) & {
  /** Tries the step took (the pair engine's re-runs on interference); 1 when absent. */
  attempts?: number;
};

/** Said once per run when steal cannot be seen here. */
export const NO_STEAL_NOTE = 'this machine reports no steal time; interference cannot be detected';

export interface Step {
  /** For the progress line and messages: `two_copy stream 128 B 1 thread rep 1/3`. */
  label: string;
  /** For failures.jsonl (and --resume): `two_copy/stream/128/1/1`. */
  key: string;
  /** Seconds it is expected to take, for the ETA. */
  estimateS: number;
  run(ctx: StepContext): Promise<StepResult>;
}

export interface CampaignSetup {
  session: Session;
  progress: Progress;
  config: Config;
  configPath: string;
  binDir: string;
  preflight: PreflightResult;
  /** A new run folder under `out`, or an interrupted run's folder and meta to continue. */
  folder: { out: string } | { resume: string; meta: Meta };
  /** The script's arguments and --only, for the session record. */
  argv: string[];
  only?: string | null;
  /** Keys a new meta.json starts with beyond the common ones (plan, peers). */
  metaExtras?: Partial<Meta>;
  /** When the script started (Date.now()), for elapsed and wall time; default: when the campaign opened. */
  since?: number;
  /** How to continue this run after a failure, for messages (run.mts: `--resume DIR`); none: rerun it. */
  resumeHint?: (runDir: string) => string;
  /** Files a new run folder starts with besides results.csv's header. */
  newFiles?: (runDir: string) => void;
}

export interface CampaignHooks {
  /** Once the run folder exists, before the first step. */
  started?: () => void;
  /** Steps to run once after the first batch. */
  after?: () => readonly Step[];
  /** Asked after every batch (after `after`'s) for more steps, until it returns none. */
  more?: () => readonly Step[];
}

export interface Tally {
  done: number;
  failed: number;
  toolFailure: boolean;
  interrupted: boolean;
}

export class Campaign {
  runDir = '';
  runId = '';
  meta: Meta;
  /** True once the run folder exists: a run refused at setup creates none. */
  created = false;
  private writeError: WriteError | null = null;
  private readonly record: SessionRecord;
  private readonly wallStart: number;
  private readonly seenNotes = new Set<string>();
  readonly tally: Tally = { done: 0, failed: 0, toolFailure: false, interrupted: false };

  /** A campaign about to run; its folder is made once the topology is up. */
  static async open(setup: CampaignSetup, planned: number): Promise<Campaign> {
    return new Campaign(setup, planned, await machineFacts());
  }

  private constructor(
    private readonly setup: CampaignSetup,
    planned: number,
    machine: Meta['machine'],
  ) {
    const { config } = setup;
    this.wallStart = setup.since ?? Date.now();
    const startedAt = new Date();
    this.record = {
      started_at: startedAt.toISOString(),
      ended_at: null,
      argv: setup.argv,
      only: setup.only ?? null,
      experiments_planned: planned,
      rows_written: 0,
      failed: 0,
      topology: null,
      notes: [],
    };
    if ('resume' in setup.folder) {
      const old = setup.folder.meta;
      this.runDir = setup.folder.resume;
      this.runId = old.run_id;
      this.meta = { ...old, status: 'running', ended_at: null, machine, sessions: [...(old.sessions ?? []), this.record] };
    } else {
      this.meta = {
        run_id: '',
        config_path: setup.configPath,
        config,
        status: 'running',
        started_at: startedAt.toISOString(),
        ended_at: null,
        machine,
        perf_events: perfEvents(config),
        perf_unsupported: setup.preflight.unsupportedEvents,
        ...setup.metaExtras,
        sessions: [this.record],
      };
    }
  }

  /** The run folder, once the topology is up: created (a new run) or reopened (--resume), meta.json written. */
  private materialize(): void {
    if (!('resume' in this.setup.folder)) {
      const { config } = this.setup;
      ({ runId: this.runId, dir: this.runDir } = createRunDir(this.setup.folder.out, config.name, new Date(this.meta.started_at)));
      this.meta.run_id = this.runId;
      writeCsvHeader(this.runDir, csvHeader(perfEvents(config)));
      this.setup.newFiles?.(this.runDir);
    }
    reserveRoom(this.runDir);
    this.created = true;
    this.save();
  }

  private say(line: string): void {
    this.setup.progress.say(line);
  }

  save(): void {
    writeMeta(this.runDir, this.meta);
  }

  /**
   * Runs `steps` in one topology, then asks `more` for further steps after
   * each batch until it returns none (adaptive repetitions: one round at a
   * time; bench's extra experiments: `after`, asked once), set up and torn
   * down whatever happens.
   */
  async run(steps: readonly Step[], hooks: CampaignHooks = {}): Promise<Tally> {
    const { session, config } = this.setup;
    const body = async (topology: Topology) => {
      this.materialize();
      hooks.started?.();
      this.record.topology = topologyRecord(topology);
      this.record.notes.push(...topology.notes);
      this.meta.sysctls = topology.sysctls;
      // Two hosts: their facts, and what perf cannot count there (read at setup, not by the preflight here).
      if (topology.hosts) this.meta.hosts = topology.hosts;
      if (topology.perfUnsupported) this.meta.perf_unsupported = topology.perfUnsupported;
      this.checkSteal();
      this.save();
      const ctx: StepContext = {
        config,
        topology,
        tracker: session.tracker,
        abort: session.abort,
        rawDir: path.join(this.runDir, RAW_DIR),
        binDir: this.setup.binDir,
        runId: this.runId,
        runDir: this.runDir,
      };
      await this.loop(steps, ctx);
      if (hooks.after && !session.interrupted) await this.loop(hooks.after(), ctx);
      while (hooks.more && !session.interrupted && !this.writeError) {
        const next = hooks.more();
        if (next.length === 0) break;
        await this.loop(next, ctx);
      }
    };
    const guarded = async (topology: Topology) => {
      try {
        await body(topology);
      } catch (e) {
        if (!(e instanceof WriteError)) throw e;
        this.writeFailed(e);
      }
    };
    const { toolFailure } = await session.inTopology(config, guarded, () => this.setup.progress.done());
    this.tally.toolFailure ||= toolFailure;
    this.tally.interrupted = session.interrupted;
    return this.tally;
  }

  /** Whether this machine reports steal time at all: said once, kept in meta.json with the re-runs so far. */
  private checkSteal(): void {
    const stat = readProcStat();
    const reported = stat !== null && stealReported(stat);
    if (!reported) {
      this.say(`note: ${NO_STEAL_NOTE}`);
      this.record.notes.push(NO_STEAL_NOTE);
    }
    this.meta.interference = { steal_reported: reported, reruns: this.meta.interference?.reruns ?? 0 };
  }

  private async loop(steps: readonly Step[], ctx: StepContext): Promise<void> {
    const estimates = steps.map((s) => s.estimateS);
    const loopStart = Date.now();
    for (const [i, step] of steps.entries()) {
      if (this.setup.session.interrupted) return;
      this.setup.progress.status({
        k: i + 1,
        n: steps.length,
        point: step.label,
        elapsedS: (Date.now() - this.wallStart) / 1000,
        etaS: remainingSeconds(estimates, i, (Date.now() - loopStart) / 1000),
      });
      const result = await step.run(ctx);
      if (result.attempts && result.attempts > 1 && this.meta.interference) this.meta.interference.reruns += result.attempts - 1;
      for (const note of result.notes) {
        if (this.seenNotes.has(note)) continue;
        this.seenNotes.add(note);
        this.say(`note: ${step.label}: ${note}`);
      }
      if (result.ok) {
        this.tally.done++;
        continue;
      }
      this.tally.failed++;
      this.say(`FAILED ${step.label}: ${result.problems.join('; ')} — raw files in ${result.rawDir}`);
      appendFailure(this.runDir, {
        key: step.key,
        at: new Date().toISOString(),
        problems: result.problems,
        raw: path.relative(this.runDir, result.rawDir),
      });
    }
  }

  get wallS(): number {
    return (Date.now() - this.wallStart) / 1000;
  }

  /** A write failed (a full disk): said once, with the path and how to go on; the campaign stops. */
  writeFailed(e: WriteError): void {
    if (this.writeError) return;
    this.writeError = e;
    const where = this.created ? `; the rows before are intact in ${this.runDir}` : '';
    const next = this.created && this.setup.resumeHint ? `; once there is room, continue with: ${this.setup.resumeHint(this.runDir)}` : '';
    this.say(`FAILED: ${e.message}${where}${next}`);
  }

  /**
   * meta.json's final word (where it can still be written); returns the exit
   * code: 130 interrupted, 1 a step, a tool or a write failed, else 0.
   */
  finish(extra: Partial<Meta> = {}): number {
    const t = this.tally;
    const failed = t.failed > 0 || t.toolFailure || this.writeError !== null;
    if (this.created) {
      const endedAt = new Date().toISOString();
      Object.assign(this.record, { ended_at: endedAt, rows_written: t.done, failed: t.failed });
      Object.assign(this.meta, extra, {
        ended_at: endedAt,
        status: t.interrupted ? 'interrupted' : failed ? 'failed' : 'done',
        wall_s: Math.round(this.wallS * 10) / 10,
      });
      try {
        this.save();
        releaseRoom(this.runDir);
      } catch (e) {
        if (!(e instanceof WriteError)) throw e;
        this.writeFailed(e);
      }
    }
    return t.interrupted ? 130 : failed ? 1 : 0;
  }
}
