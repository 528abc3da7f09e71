import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { Progress, remainingSeconds, progressLine } from '../../orchestrate/run/progress.ts';

describe('progress', () => {
  it('says k of n, the point, elapsed time and ETA', () => {
    expect(progressLine({ k: 3, n: 432, point: 'zero_copy stream 4096 B 4 threads rep 1/3', elapsedS: 65, etaS: 800 })).toBe(
      '[3/432] zero_copy stream 4096 B 4 threads rep 1/3 | elapsed 1m05s | ETA 13m20s',
    );
  });

  it('estimates from the pace so far, or from the plan before anything finished', () => {
    expect(remainingSeconds(Array(10).fill(2), 0, 0)).toBe(20);
    expect(remainingSeconds(Array(14).fill(2), 4, 12)).toBe(30);
  });

  function capture(tty: boolean): { progress: Progress; text: () => string } {
    let text = '';
    const out = new Writable({ write: (chunk, _enc, done) => ((text += chunk), done()) }) as unknown as NodeJS.WriteStream;
    return { progress: new Progress(out, tty), text: () => text };
  }

  it('writes plain lines when not a terminal', () => {
    const { progress, text } = capture(false);
    progress.status({ k: 1, n: 2, point: 'p', elapsedS: 0, etaS: null });
    progress.say('FAILED p');
    expect(text()).toBe('[1/2] p | elapsed 0s | ETA ?\nFAILED p\n');
  });

  it('rewrites one status line on a terminal, and clears it for lines that stay', () => {
    const { progress, text } = capture(true);
    progress.status({ k: 1, n: 2, point: 'p', elapsedS: 0, etaS: 1 });
    progress.say('note');
    progress.status({ k: 2, n: 2, point: 'q', elapsedS: 1, etaS: 0 });
    progress.done();
    expect(text()).toBe('\r\x1b[2K[1/2] p | elapsed 0s | ETA 1s\r\x1b[2Knote\n\r\x1b[2K[2/2] q | elapsed 1s | ETA 0s\n');
  });
});
