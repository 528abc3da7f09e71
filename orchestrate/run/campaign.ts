// The campaign loop, one for every entry point (run.mts, peers.mts,
// bench.mts): a run folder (new, or an interrupted one continued), meta.json
// kept current, then every step in one topology with progress and ETA, each
// note said once, each failure said and kept in failures.jsonl, and at the
// end meta.json's status and the exit code. What a step runs and what it
// writes is the caller's.
import path from 'node:path';
import { perfEvents, type Config } from '../config/schema.ts';
import type { Meta, SessionRecord } from '../results/meta.ts';
import { RAW_DIR, appendFailure, createRunDir, writeCsvHeader, writeMeta } from '../results/store.ts';
import { csvHeader } from '../results/row.ts';
import { machineFacts } from './machine.ts';
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

export type StepResult =
  | { ok: true; notes: readonly string[] }
  | { ok: false; problems: readonly string[]; notes: readonly string[]; rawDir: string };

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
  /** Files a new run folder starts with besides results.csv's header. */
  newFiles?: (runDir: string) => void;
}

export interface Tally {
  done: number;
  failed: number;
  toolFailure: boolean;
  interrupted: boolean;
}

export class Campaign {
  readonly runDir: string;
  readonly runId: string;
  readonly meta: Meta;
  private readonly record: SessionRecord;
  private readonly wallStart: number;
  private readonly seenNotes = new Set<string>();
  readonly tally: Tally = { done: 0, failed: 0, toolFailure: false, interrupted: false };

  /** Creates or reopens the run folder and writes meta.json. */
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
      ({ runId: this.runId, dir: this.runDir } = createRunDir(setup.folder.out, config.name, startedAt));
      writeCsvHeader(this.runDir, csvHeader(perfEvents(config)));
      setup.newFiles?.(this.runDir);
      this.meta = {
        run_id: this.runId,
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
    this.save();
  }

  private say(line: string): void {
    this.setup.progress.say(line);
  }

  save(): void {
    writeMeta(this.runDir, this.meta);
  }

  /**
   * Runs `steps` in one topology, then the steps `after` returns (bench's
   * extra experiments), set up and torn down whatever happens.
   */
  async run(steps: readonly Step[], after?: () => readonly Step[]): Promise<Tally> {
    const { session, config } = this.setup;
    const body = async (topology: Topology) => {
      this.record.topology = topologyRecord(topology);
      this.record.notes.push(...topology.notes);
      this.meta.sysctls = topology.sysctls;
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
      if (after && !session.interrupted) await this.loop(after(), ctx);
    };
    const { toolFailure } = await session.inTopology(config, body, () => this.setup.progress.done());
    this.tally.toolFailure ||= toolFailure;
    this.tally.interrupted = session.interrupted;
    return this.tally;
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

  /** meta.json's final word; returns the exit code: 130 interrupted, 1 a step or tool failed, else 0. */
  finish(extra: Partial<Meta> = {}): number {
    const t = this.tally;
    const endedAt = new Date().toISOString();
    Object.assign(this.record, { ended_at: endedAt, rows_written: t.done, failed: t.failed });
    Object.assign(this.meta, extra, {
      ended_at: endedAt,
      status: t.interrupted ? 'interrupted' : t.failed || t.toolFailure ? 'failed' : 'done',
      wall_s: Math.round(this.wallS * 10) / 10,
    });
    this.save();
    return t.interrupted ? 130 : t.failed || t.toolFailure ? 1 : 0;
  }
}
