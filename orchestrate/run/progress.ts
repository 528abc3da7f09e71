// Progress on stderr: experiment k of n, the current point, elapsed time and
// ETA. On a terminal one status line is rewritten in place; otherwise (CI, a
// log file) each experiment gets a plain line.
import { formatDuration } from '../config/estimate.ts';

export interface ProgressState {
  k: number;
  n: number;
  point: string;
  elapsedS: number;
  etaS: number | null;
}

/** Pure: the status text for one moment. */
export function progressLine(s: ProgressState): string {
  const eta = s.etaS === null ? '?' : formatDuration(s.etaS);
  return `[${s.k}/${s.n}] ${s.point} | elapsed ${formatDuration(s.elapsedS)} | ETA ${eta}`;
}

/**
 * ETA: what is left of the steps' estimates, scaled by the pace so far (the
 * time spent over what the finished steps were estimated to take); before
 * the first step has finished, the estimates as they are.
 */
export function remainingSeconds(estimates: readonly number[], finished: number, spentS: number): number {
  const sum = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0);
  const left = sum(estimates.slice(finished));
  const expected = sum(estimates.slice(0, finished));
  return finished > 0 && expected > 0 ? (left * spentS) / expected : left;
}

export class Progress {
  private statusShown = false;
  constructor(
    private readonly out: NodeJS.WriteStream = process.stderr,
    private readonly tty: boolean = Boolean(process.stderr.isTTY),
  ) {}

  status(s: ProgressState): void {
    const line = progressLine(s);
    if (this.tty) {
      this.out.write(`\r\x1b[2K${line}`);
      this.statusShown = true;
    } else {
      this.out.write(line + '\n');
    }
  }

  /** A line that stays (a failure, a note), printed above the status line. */
  say(message: string): void {
    if (this.tty && this.statusShown) this.out.write('\r\x1b[2K');
    this.out.write(message + '\n');
    this.statusShown = false;
  }

  done(): void {
    if (this.tty && this.statusShown) this.out.write('\n');
    this.statusShown = false;
  }
}
