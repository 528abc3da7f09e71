// Bad input gets a clear error and nothing else breaks: usage errors exit 2
// with one line naming the problem; a missing server, garbage, truncated or
// stalled hellos and a mismatched variant are handled without a crash or a
// stall of anyone else.
import net from 'node:net';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { VARIANTS, binary, clientResult, closedPort, killAll, run, serverResult, startServer } from './harness.ts';

afterEach(killAll);

const client = (n = 1) => binary('bin', n, 'client');
const server = (n = 1) => binary('bin', n, 'server');
const GOOD = ['--host', '127.0.0.1', '--port', '7', '--size', '1024', '--threads', '1', '--duration', '3'];

/** Replace (or add) one option of the good client command line. */
function withOpt(opt: string, value: string | null): string[] {
  const args = [...GOOD];
  const i = args.indexOf(opt);
  if (i >= 0) args.splice(i, 2);
  return value === null ? args : [...args, opt, value];
}

async function expectUsageError(file: string, args: string[], mentions: RegExp): Promise<void> {
  const e = await run(file, args);
  expect(e.code).toBe(2);
  expect(e.stdout).toBe('');
  const lines = e.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(mentions);
}

describe('--help', () => {
  for (const v of VARIANTS)
    for (const role of ['server', 'client'] as const)
      it(`a${v.n}_${role} --help prints usage and exits 0`, async () => {
        const e = await run(binary('bin', v.n, role), ['--help']);
        expect(e.code).toBe(0);
        expect(e.stdout).toMatch(/^usage: a\d_(server|client)/);
        expect(e.stdout).toMatch(/--port/);
      });
});

describe('client usage errors exit 2 with a one-line reason', () => {
  it('missing --host', () => expectUsageError(client(), withOpt('--host', null), /--host is required/));
  it('missing --size', () => expectUsageError(client(), withOpt('--size', null), /--size is required/));
  it('unknown option', () => expectUsageError(client(), [...GOOD, '--frobnicate'], /unknown option "--frobnicate"/));
  it('non-numeric size', () => expectUsageError(client(), withOpt('--size', 'abc'), /--size: expected an integer 16\.\.67108864, got "abc"/));
  it('size below the minimum', () => expectUsageError(client(), withOpt('--size', '8'), /--size: 8 is out of range 16\.\.67108864/));
  it('size above the maximum', () => expectUsageError(client(), withOpt('--size', '67108865'), /out of range 16\.\.67108864/));
  it('zero threads', () => expectUsageError(client(), withOpt('--threads', '0'), /--threads: 0 is out of range 1\.\.1024/));
  it('too many threads', () => expectUsageError(client(), withOpt('--threads', '1025'), /--threads: 1025 is out of range 1\.\.1024/));
  it('negative threads', () => expectUsageError(client(), withOpt('--threads', '-3'), /--threads: expected an integer/));
  it('zero duration', () => expectUsageError(client(), withOpt('--duration', '0'), /--duration: 0 is out of range/));
  it('non-numeric duration', () => expectUsageError(client(), withOpt('--duration', '1s'), /--duration: expected seconds/));
  it('unknown mode', () => expectUsageError(client(), withOpt('--mode', 'burst'), /--mode: expected stream or rr, got "burst"/));
  it('unknown verify', () => expectUsageError(client(), withOpt('--verify', 'some'), /--verify: expected stamps or full/));
  it('option without its value', () => expectUsageError(client(), [...GOOD, '--warmup'], /--warmup needs a value/));
});

describe('server usage errors exit 2 with a one-line reason', () => {
  it('port out of range', () => expectUsageError(server(), ['--port', '70000'], /--port: 70000 is out of range 0\.\.65535/));
  it('non-numeric connections', () => expectUsageError(server(), ['--connections', 'many'], /--connections: expected an integer/));
  it('bad bind address', () => expectUsageError(server(), ['--bind', 'not-an-address', '--port', '0'], /--bind: "not-an-address" is not a numeric/));
  it('zero zero-copy slots', () => expectUsageError(server(3), ['--zc-slots', '0'], /--zc-slots: 0 is out of range 1\.\.4096/));
  it('unknown option', () => expectUsageError(server(), ['--threads', '4'], /unknown option "--threads"/));
});

describe('runtime failures', () => {
  it('a client whose server is not there exits 1 quickly with a clear message', async () => {
    const port = await closedPort();
    const t0 = Date.now();
    const e = await run(client(), withOpt('--port', String(port)));
    expect(e.code).toBe(1);
    expect(e.stdout).toBe('');
    expect(e.stderr).toMatch(/cannot connect to 127\.0\.0\.1 port \d+: Connection refused/);
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('a client of another variant is refused, by name, and counted', async () => {
    const s = await startServer(server(2), ['--connections', '1']);
    const e = await run(client(1), withOpt('--port', String(s.port)));
    expect(e.code).toBe(1);
    expect(e.stderr).toMatch(/refused the hello: client and server are different variants/);
    s.proc.kill('SIGTERM');
    const r = serverResult(await s.exited);
    expect(r.rejected).toBe(1);
    expect(r.connections).toBe(0);
  });

  it('a client whose server dies mid-run exits 1 with a clear message', async () => {
    const s = await startServer(server(2));
    const c = run(client(2), [...withOpt('--port', String(s.port)), '--warmup', '0']);
    // Kill the server (by the id we started) well inside the client's window.
    await new Promise((r) => setTimeout(r, 400));
    s.proc.kill('SIGKILL');
    const e = await c;
    expect(e.code).toBe(1);
    expect(e.stderr).toMatch(/server closed the connection mid-run|Connection reset/);
  });

  it('SIGTERM ends an idle server cleanly with a result line', async () => {
    const s = await startServer(server(3));
    s.proc.kill('SIGTERM');
    const e = await s.exited;
    expect(e.code).toBe(0);
    const r = serverResult(e);
    expect(r).toMatchObject({ connections: 0, rejected: 0, mode: null, msg_size: null, bytes_sent: 0 });
  });
});

/** Connect to the server and write raw bytes; resolves to the socket. */
async function rawConnect(port: number, bytes: Buffer | null): Promise<net.Socket> {
  const sock = net.connect(port, '127.0.0.1');
  await once(sock, 'connect');
  sock.on('error', () => {});
  sock.resume(); // read, so that the server's hang-up is seen
  if (bytes) sock.write(bytes);
  return sock;
}

/** Resolves when the socket is closed, whether by FIN or by reset. */
function closed(sock: net.Socket): Promise<void> {
  return new Promise((resolve) => sock.on('close', () => resolve()));
}

async function goodRun(port: number, n = 1) {
  return run(client(n), ['--host', '127.0.0.1', '--port', String(port), '--size', '4096', '--threads', '1', '--duration', '0.5', '--warmup', '0.1']);
}

describe('hostile connections are counted and closed; the server keeps serving', () => {
  it('garbage instead of a hello', async () => {
    const s = await startServer(server(), ['--connections', '1']);
    const junk = await rawConnect(s.port, Buffer.from('GET / HTTP/1.1\r\nHost: copybench\r\n\r\n'));
    await closed(junk); // the server hangs up on it
    const c = await goodRun(s.port);
    expect(c.code, c.stderr).toBe(0);
    expect(clientResult(c).corrupt).toBe(0);
    const r = serverResult(await s.exited);
    expect(r).toMatchObject({ rejected: 1, connections: 1 });
  });

  it('a truncated hello', async () => {
    const s = await startServer(server(), ['--connections', '1']);
    const half = await rawConnect(s.port, Buffer.alloc(10, 0x42));
    half.end();
    await closed(half);
    const c = await goodRun(s.port);
    expect(c.code, c.stderr).toBe(0);
    expect(serverResult(await s.exited)).toMatchObject({ rejected: 1, connections: 1 });
  });

  it('a hello that stalls half way is timed out without blocking anyone', async () => {
    const s = await startServer(server(3), ['--connections', '2']);
    const stalled = await rawConnect(s.port, Buffer.from([0x42, 0x59, 0x50]));
    const t0 = Date.now();
    const closedAt = closed(stalled).then(() => Date.now() - t0);
    // Served while the stalled connection is still open.
    const c = await goodRun(s.port, 3);
    expect(c.code, c.stderr).toBe(0);
    const closedAfter = await closedAt;
    expect(closedAfter).toBeGreaterThanOrEqual(1500);
    expect(closedAfter).toBeLessThan(5000);
    // Another client after the timeout: the server still serves.
    const c2 = await goodRun(s.port, 3);
    expect(c2.code, c2.stderr).toBe(0);
    expect(serverResult(await s.exited)).toMatchObject({ rejected: 1, connections: 2 });
  });
});

describe('the stamps catch what they exist to catch', () => {
  for (const n of [3, 4])
    it(`a${n}: zero-copy slots rewritten before their completions arrive show as corrupt messages`, async () => {
      // One slot, reused without waiting for its completion (a3) or its
      // notification CQE (a4): the kernel still references the pages of
      // earlier sends when the next message is stamped.
      const s = await startServer(server(n), ['--connections', '1', '--zc-slots', '1', '--zc-unsafe-reuse']);
      const c = await run(client(n), ['--host', '127.0.0.1', '--port', String(s.port), '--size', '65536', '--threads', '1', '--duration', '0.5', '--warmup', '0']);
      await s.exited;
      expect(c.code).toBe(1);
      const m = /(\d+) corrupt messages received/.exec(c.stderr);
      expect(m, c.stderr).not.toBeNull();
      expect(Number(m![1])).toBeGreaterThan(0);
    });
});
