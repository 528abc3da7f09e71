// Hostile input and faults: what one server may hold is bounded, and going
// past a bound refuses or ends that connection only. Every case checks that a
// real client of the same variant is still served.
import net from 'node:net';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { binary, clientResult, killAll, run, serverResult, startServer } from './harness.ts';

afterEach(killAll);

const MiB = 1 << 20;
const server = (n: number) => binary('bin', n, 'server');
const client = (n: number) => binary('bin', n, 'client');

/** A hello as the C client encodes it (c/wire.c). */
function hello(impl: number, size: number, mode: 'stream' | 'rr' = 'stream'): Buffer {
  const b = Buffer.alloc(32);
  b.writeUInt32LE(0x43505942, 0);
  b.writeUInt16LE(1, 4);
  b[6] = mode === 'stream' ? 0 : 1;
  b[7] = impl;
  b.writeUInt32LE(size, 8);
  b.writeUInt32LE(1, 12); // threads
  b.writeUInt32LE(1000, 16); // duration_ms
  return b;
}

/** The stop frame that ends a run (c/wire.c frame_encode). */
function stopFrame(): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt32LE(2, 8);
  b.writeUInt32LE(0x43505942, 12);
  return b;
}

/** Figures of a live process from /proc/<pid>/status. */
function procStatus(pid: number): { hwmKiB: number; threads: number } {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(text)![1]);
  return { hwmKiB: field('VmHWM'), threads: field('Threads') };
}

async function connect(port: number): Promise<net.Socket> {
  const sock = net.connect(port, '127.0.0.1');
  sock.on('error', () => {});
  await once(sock, 'connect');
  sock.resume(); // read, so that the server's hang-up is seen
  return sock;
}

/** Resolves with the time the socket closed, by FIN or reset. */
function closedAt(sock: net.Socket): Promise<number> {
  return new Promise((resolve) => sock.on('close', () => resolve(Date.now())));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function realClient(port: number, n: number, extra: string[] = []) {
  return run(client(n), ['--host', '127.0.0.1', '--port', String(port), '--size', '4096', '--threads', '1',
    '--duration', '0.5', '--warmup', '0.1', '--verify', 'full', ...extra]);
}

describe('hellos claiming 64 MiB messages stay within --max-memory', () => {
  // a1 needs 2 x 64 MiB per connection (fields + buffer): one fits the
  // default 256 MiB budget; a3's ring is one 64 MiB slot: three fit.
  for (const v of [{ n: 1, admitted: 1 }, { n: 3, admitted: 3 }])
    it(`a${v.n}_server: peak RSS under the budget, the excess refused and counted, a real client served`, async () => {
      const s = await startServer(server(v.n));
      const hostile: net.Socket[] = [];
      for (let i = 0; i < 6; i++) {
        const sock = await connect(s.port);
        sock.write(hello(v.n, 64 * MiB));
        sock.pause(); // never read: the admitted ones keep their buffers
        hostile.push(sock);
      }
      await sleep(1000); // the admitted connections allocate and start sending
      const c = await realClient(s.port, v.n);
      expect(c.code, c.stderr).toBe(0);
      expect(clientResult(c).corrupt).toBe(0);
      const hwm = procStatus(s.proc.pid!).hwmKiB * 1024;
      s.proc.kill('SIGTERM');
      const e = await s.exited;
      hostile.forEach((h) => h.destroy());
      expect(hwm).toBeLessThan(256 * MiB + 24 * MiB);
      const r = serverResult(e);
      expect(r.rejected).toBe(6 - v.admitted);
      expect(r.connections).toBe(v.admitted + 1);
      expect(r.max_rss_kib * 1024).toBeLessThan(256 * MiB + 24 * MiB);
      expect(e.stderr).toMatch(/rejected: messages of 67108864 bytes need \d+ bytes, \d+ of --max-memory 268435456 are free/);
    });

  it('a real client whose messages do not fit the budget is told why', async () => {
    const s = await startServer(server(1), ['--max-memory', '1M', '--connections', '1']);
    const big = await run(client(1), ['--host', '127.0.0.1', '--port', String(s.port), '--size', String(MiB),
      '--threads', '1', '--duration', '0.3']);
    expect(big.code).toBe(1);
    expect(big.stderr).toMatch(/refused the hello: server's memory budget has no room for these messages \(--max-memory\)/);
    const c = await realClient(s.port, 1);
    expect(c.code, c.stderr).toBe(0);
    expect(serverResult(await s.exited)).toMatchObject({ rejected: 1, connections: 1 });
  });
});

describe('slowloris: hellos trickled a byte at a time', () => {
  it('each waits at most 2 s from accept, at most 16 wait at once, a real client is served', async () => {
    const s = await startServer(server(1));
    const N = 40;
    const t0 = Date.now();
    const socks = await Promise.all(Array.from({ length: N }, () => connect(s.port)));
    const closes = socks.map((sock) => closedAt(sock).then((t) => t - t0));
    const h = hello(1, 1024);
    let k = 0;
    const trickle = setInterval(() => {
      for (const sock of socks) if (!sock.destroyed) sock.write(h.subarray(k, k + 1));
      k++;
    }, 1500);
    for (const sock of socks) sock.write(h.subarray(0, 1));
    let peakThreads = 0;
    for (let t = 0; t < 2600; t += 100) {
      peakThreads = Math.max(peakThreads, procStatus(s.proc.pid!).threads);
      await sleep(100);
    }
    clearInterval(trickle);
    const closedAfter = (await Promise.all(closes)).sort((a, b) => a - b);
    // 24 closed at once (no room to wait), 16 at their 2 s deadline.
    expect(closedAfter.filter((t) => t < 1000)).toHaveLength(N - 16);
    expect(closedAfter[N - 1]).toBeGreaterThanOrEqual(1900);
    expect(closedAfter[N - 1]).toBeLessThan(3000);
    expect(peakThreads).toBeLessThanOrEqual(1 + 16 + 2);
    const c = await realClient(s.port, 1);
    expect(c.code, c.stderr).toBe(0);
    s.proc.kill('SIGTERM');
    const r = serverResult(await s.exited);
    expect(r).toMatchObject({ rejected: N, connections: 1 });
  });
});

describe('--max-connections', () => {
  it('valid connections beyond the cap are refused and counted; the server keeps serving', async () => {
    const s = await startServer(server(2), ['--max-connections', '2']);
    const held: net.Socket[] = [];
    for (let i = 0; i < 2; i++) {
      const sock = await connect(s.port);
      sock.write(hello(2, 1024, 'rr'));
      held.push(sock);
    }
    await sleep(300);
    const refused = await realClient(s.port, 2);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/refused the hello: server is serving as many connections as it may \(--max-connections\)/);
    // Ended cleanly by their stop frames, the two make room again.
    for (const sock of held) {
      sock.end(stopFrame());
      sock.resume();
    }
    await Promise.all(held.map(closedAt));
    const c = await realClient(s.port, 2);
    expect(c.code, c.stderr).toBe(0);
    s.proc.kill('SIGTERM');
    const e = await s.exited;
    expect(e.code, e.stderr).toBe(0);
    expect(serverResult(e)).toMatchObject({ rejected: 1, connections: 3 });
  });
});

describe('--stall-timeout', () => {
  for (const n of [1, 3, 4])
    it(`a${n}_server ends a connection whose client stops reading, and serves others`, async () => {
      const s = await startServer(server(n), ['--stall-timeout', '1', '--connections', '2']);
      const stalled = await connect(s.port);
      stalled.write(hello(n, 65536));
      stalled.pause();
      const t0 = Date.now();
      // Served while the stalled one is still held.
      const c = await realClient(s.port, n);
      expect(c.code, c.stderr).toBe(0);
      // With --connections 2 the server exits once the stalled one has ended too.
      const e = await s.exited;
      const endedAfter = Date.now() - t0;
      stalled.destroy();
      // Two bounds for the send, one more for zero-copy completions.
      expect(endedAfter).toBeGreaterThanOrEqual(900);
      expect(endedAfter).toBeLessThan(n >= 3 ? 4500 : 3500);
      // The stalled connection counts as failed: the result line is printed, exit 1.
      expect(e.code).toBe(1);
      expect(e.stderr).toMatch(/the client stopped taking data \(sends made no headway, --stall-timeout 1 s\)/);
      expect(serverResult(e)).toMatchObject({ connections: 2, rejected: 0 });
    });
});

describe('usage errors of the new options exit 2 with a one-line reason', () => {
  async function expectUsageError(args: string[], mentions: RegExp): Promise<void> {
    const e = await run(server(1), args);
    expect(e.code).toBe(2);
    expect(e.stdout).toBe('');
    const lines = e.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(mentions);
  }
  it('non-numeric --max-memory', () => expectUsageError(['--max-memory', 'lots'], /--max-memory: expected bytes .* 1M\.\.64G, got "lots"/));
  it('unknown --max-memory suffix', () => expectUsageError(['--max-memory', '5T'], /--max-memory: expected bytes/));
  it('--max-memory below 1M', () => expectUsageError(['--max-memory', '1000'], /--max-memory: 1000 is out of range 1M\.\.64G/));
  it('--max-memory above 64G', () => expectUsageError(['--max-memory', '65G'], /--max-memory: 65G is out of range 1M\.\.64G/));
  it('zero --max-connections', () => expectUsageError(['--max-connections', '0'], /--max-connections: 0 is out of range 1\.\.4096/));
  it('zero --stall-timeout', () => expectUsageError(['--stall-timeout', '0'], /--stall-timeout: 0 is out of range 0\.1\.\.3600 seconds/));
  it('--max-memory without its value', () => expectUsageError(['--max-memory'], /--max-memory needs a value/));

  it('--help lists the new options and the default bind address', async () => {
    const e = await run(server(3), ['--help']);
    expect(e.code).toBe(0);
    for (const opt of ['--max-connections', '--max-memory', '--stall-timeout']) expect(e.stdout).toContain(opt);
    expect(e.stdout).toMatch(/--bind ADDR .*default 127\.0\.0\.1/);
  });

  it('suffixed sizes are accepted', async () => {
    const s = await startServer(server(1), ['--max-memory', '1G', '--max-connections', '8']);
    s.proc.kill('SIGTERM');
    expect((await s.exited).code).toBe(0);
  });
});

describe('a server nobody connects to', () => {
  it('gives up after --idle-timeout (a run killed before its client started leaves no server behind), with its result line, exit 1', async () => {
    const t0 = Date.now();
    const e = await run(binary('bin', 1, 'server'), ['--port', '0', '--idle-timeout', '0.4']);
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(e.code).toBe(1);
    expect(e.stderr).toMatch(/no connection for 0\.4 s \(--idle-timeout\): giving up/);
    expect(serverResult(e).connections).toBe(0);
  });

  it('waits while it serves: the clock runs only with no connection', async () => {
    const server = await startServer(binary('bin', 2, 'server'), ['--connections', '1', '--idle-timeout', '0.5']);
    const client = await run(binary('bin', 2, 'client'), ['--host', '127.0.0.1', '--port', String(server.port), '--size', '1024', '--threads', '1', '--duration', '1', '--warmup', '0.2']);
    expect(client.code, client.stderr).toBe(0);
    const done = await server.exited;
    expect(done.code, done.stderr).toBe(0);
    expect(serverResult(done).connections).toBe(1);
  });
});
