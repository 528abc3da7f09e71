// --rx zerocopy end to end over loopback, with every sender variant: the
// client maps what the kernel lets it (TCP_ZEROCOPY_RECEIVE), reads the rest,
// checks every byte in place, and says how many bytes went each way.
import { afterEach, describe, expect, it } from 'vitest';
import { MODES, ZERO_COPY_VARIANTS } from '../../orchestrate/config/domain.ts';
import { VARIANTS, binary, clientResult, killAll, run, sanitizerReports, serverResult, startServer, type Build } from './harness.ts';

afterEach(killAll);

async function transfer(build: Build, n: number, size: number, mode: string, rx: string) {
  const server = await startServer(binary(build, n, 'server'), ['--connections', '1']);
  const client = await run(binary(build, n, 'client'), [
    '--host', '127.0.0.1', '--port', String(server.port), '--size', String(size), '--threads', '1',
    '--duration', '0.5', '--warmup', '0.1', '--mode', mode, '--verify', 'full', '--rx', rx,
  ]);
  const srv = await server.exited;
  expect(sanitizerReports(client.stderr + srv.stderr)).toEqual([]);
  expect(client.code, client.stderr).toBe(0);
  expect(srv.code, srv.stderr).toBe(0);
  return { c: clientResult(client), s: serverResult(srv) };
}

for (const build of ['bin', 'bin/asan'] as const)
  describe(`--rx zerocopy (${build})`, () => {
    for (const v of VARIANTS)
      for (const mode of MODES)
        it(`${v.impl}, ${mode}, 64 KiB: every byte intact, mapped and copied bytes add up to the messages`, async () => {
          const { c, s } = await transfer(build, v.n, 65536, mode, 'zerocopy');
          expect(c.corrupt).toBe(0);
          expect(c.rx!.mode).toBe('zerocopy');
          const moved = c.rx!.mapped_bytes + c.rx!.copied_bytes;
          // Whole messages, warm-up included: at least the window's, at most what was sent.
          expect(moved % 65536).toBe(0);
          expect(moved).toBeGreaterThanOrEqual(c.bytes);
          expect(moved).toBeLessThanOrEqual(s.bytes_sent);
          // Pages a zero-copy sender handed over are copied at delivery into
          // order-0 pages, which the receiver can map (the probe: 94–100 %).
          if ((ZERO_COPY_VARIANTS as readonly string[]).includes(v.impl) && mode === 'stream') expect(c.rx!.mapped_bytes).toBeGreaterThan(0);
        });

    it('copy (the default): nothing mapped, every message byte copied', async () => {
      const { c } = await transfer(build, 2, 4096, 'stream', 'copy');
      expect(c.rx).toMatchObject({ mode: 'copy', mapped_bytes: 0 });
      expect(c.rx!.copied_bytes % 4096).toBe(0);
      expect(c.rx!.copied_bytes).toBeGreaterThanOrEqual(c.bytes);
    });

    it('a message smaller than a page is read whole with recv, still checked in place', async () => {
      const { c } = await transfer(build, 3, 1000, 'stream', 'zerocopy');
      expect(c.corrupt).toBe(0);
      expect(c.rx!.copied_bytes + c.rx!.mapped_bytes).toBeGreaterThanOrEqual(c.bytes);
    });
  });
