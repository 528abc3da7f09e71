// Two "hosts" for the topology-ssh tests: network namespaces on this machine,
// each with its own real OpenSSH server, as the test's own throw-away world.
//
//   cbh-ctl  (runs the orchestrator)  10.213.1.1 ── 10.213.1.2  cbh-a (server host, sshd :22, and :2222 without perf)
//                                     10.213.2.1 ── 10.213.2.2  cbh-b (client host, sshd :22)
//   data plane:                       cbh-a 10.213.3.1 ── 10.213.3.2 cbh-b
//
// A host key and a user key made for the test in a temp folder; known_hosts
// pinned to that host key; password authentication off; the client side
// reads a generated ssh_config. Everything is removed by stop(), also after
// a failure. The hosts share this machine's file system, so each run folder
// has its side in its name (run/topology/ssh.ts).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, type Finished } from './orchestrator.ts';

export const NS = { ctl: 'cbh-ctl', server: 'cbh-a', client: 'cbh-b' } as const;
export const DATA_ADDRESS = { server: '10.213.3.1', client: '10.213.3.2' } as const;
const CONTROL = { server: ['10.213.1.1', '10.213.1.2'], client: ['10.213.2.1', '10.213.2.2'] } as const;
/** An address on the control link that no host holds: ssh to it fails as to a host that is down. */
const NOBODY = '10.213.1.9';
const SSHD = '/usr/sbin/sshd';
const ZX_CLI = path.join(ROOT, 'node_modules/zx/build/cli.js');

export const canRunTwoHosts = (): string | null =>
  process.getuid?.() !== 0 ? 'not root: network namespaces need root' : !existsSync(SSHD) ? `no ${SSHD} (Debian package openssh-server)` : null;

function must(argv: string[]): string {
  const out = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`${argv.join(' ')}: ${out.stderr || out.stdout || out.status}`);
  return out.stdout;
}

export class TwoHosts {
  readonly dir = mkdtempSync(path.join(os.tmpdir(), 'cbh-'));
  readonly sshConfig = path.join(this.dir, 'ssh_config');
  /** topology.work_dir for the runs: per-run folders appear (and must go) under it. */
  readonly workDir = path.join(this.dir, 'work');
  private readonly sshds: ChildProcess[] = [];
  private madeRunSshd = false;

  /** Namespaces, links, keys, the three sshds; ready once ssh reaches both hosts. */
  async start(): Promise<void> {
    // Names of ours only: a crashed earlier test's namespaces go first.
    for (const ns of Object.values(NS)) spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
    for (const ns of Object.values(NS)) must(['ip', 'netns', 'add', ns]);
    this.link(NS.ctl, 'cbh-ca', CONTROL.server[0], NS.server, 'cbh-ac', CONTROL.server[1]);
    this.link(NS.ctl, 'cbh-cb', CONTROL.client[0], NS.client, 'cbh-bc', CONTROL.client[1]);
    this.link(NS.server, 'cbh-ab', DATA_ADDRESS.server, NS.client, 'cbh-ba', DATA_ADDRESS.client);
    for (const ns of Object.values(NS)) must(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
    this.makeKeys();
    if (!existsSync('/run/sshd')) {
      // sshd's privilege-separation folder.
      mkdirSync('/run/sshd', { mode: 0o755 });
      this.madeRunSshd = true;
    }
    this.startSshd('a', NS.server, CONTROL.server[1], 22);
    this.startSshd('b', NS.client, CONTROL.client[1], 22);
    this.startSshd('a-noperf', NS.server, CONTROL.server[1], 2222, this.pathWithoutPerf());
    for (const host of ['srv', 'cli', 'srv-noperf']) await this.waitForSsh(host);
  }

  private link(nsA: string, devA: string, addrA: string, nsB: string, devB: string, addrB: string): void {
    must(['ip', 'link', 'add', devA, 'netns', nsA, 'type', 'veth', 'peer', 'name', devB, 'netns', nsB]);
    must(['ip', '-n', nsA, 'addr', 'add', `${addrA}/24`, 'dev', devA]);
    must(['ip', '-n', nsB, 'addr', 'add', `${addrB}/24`, 'dev', devB]);
    must(['ip', '-n', nsA, 'link', 'set', devA, 'up']);
    must(['ip', '-n', nsB, 'link', 'set', devB, 'up']);
  }

  private makeKeys(): void {
    const key = (name: string) => {
      must(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', `copybench test ${name}`, '-f', path.join(this.dir, name)]);
      return readFileSync(path.join(this.dir, `${name}.pub`), 'utf8').trim().split(' ').slice(0, 2).join(' ');
    };
    const hostKey = key('host_key');
    const wrongKey = key('wrong_host_key');
    writeFileSync(path.join(this.dir, 'authorized_keys'), `${key('user_key')}\n`);
    const known = (k: string) => [CONTROL.server[1], CONTROL.client[1], `[${CONTROL.server[1]}]:2222`].map((h) => `${h} ${k}`).join('\n') + '\n';
    writeFileSync(path.join(this.dir, 'known_hosts'), known(hostKey));
    writeFileSync(path.join(this.dir, 'known_hosts_wrong'), known(wrongKey));
    // ssh takes the first value it finds for an option: the specific Hosts before `Host *`.
    writeFileSync(
      this.sshConfig,
      [
        `Host srv\n  HostName ${CONTROL.server[1]}`,
        `Host cli\n  HostName ${CONTROL.client[1]}`,
        `Host srv-noperf\n  HostName ${CONTROL.server[1]}\n  Port 2222`,
        `Host srv-badkey\n  HostName ${CONTROL.server[1]}\n  UserKnownHostsFile ${path.join(this.dir, 'known_hosts_wrong')}`,
        `Host down\n  HostName ${NOBODY}`,
        `Host *\n  User root\n  IdentityFile ${path.join(this.dir, 'user_key')}\n  IdentitiesOnly yes\n  IdentityAgent none\n` +
          `  UserKnownHostsFile ${path.join(this.dir, 'known_hosts')}\n  GlobalKnownHostsFile /dev/null\n  StrictHostKeyChecking yes\n` +
          `  PasswordAuthentication no\n  LogLevel ERROR`,
      ].join('\n') + '\n',
    );
  }

  /** A PATH folder with every command of this machine but perf: a host without perf. */
  private pathWithoutPerf(): string {
    const bin = path.join(this.dir, 'noperf-bin');
    mkdirSync(bin);
    for (const dir of ['/usr/local/bin', '/usr/bin', '/usr/sbin']) {
      if (!existsSync(dir)) continue;
      for (const name of readdirSync(dir)) {
        if (name === 'perf' || name.startsWith('perf_') || existsSync(path.join(bin, name))) continue;
        symlinkSync(path.join(dir, name), path.join(bin, name));
      }
    }
    return bin;
  }

  private startSshd(name: string, ns: string, address: string, port: number, pathEnv?: string): void {
    const config = path.join(this.dir, `sshd_config-${name}`);
    writeFileSync(
      config,
      [
        `ListenAddress ${address}`,
        `Port ${port}`,
        `HostKey ${path.join(this.dir, 'host_key')}`,
        `AuthorizedKeysFile ${path.join(this.dir, 'authorized_keys')}`,
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'PermitRootLogin prohibit-password',
        'UsePAM no',
        // The temp folder is not root's home: its modes are not sshd's business here.
        'StrictModes no',
        `PidFile ${path.join(this.dir, `sshd-${name}.pid`)}`,
        'LogLevel ERROR',
        ...(pathEnv ? [`SetEnv PATH=${pathEnv}`] : []),
      ].join('\n') + '\n',
    );
    // `ip netns exec` execs sshd: the child's pid is sshd's.
    const child = spawn('ip', ['netns', 'exec', ns, SSHD, '-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr!.on('data', (d) => process.stderr.write(`sshd ${name}: ${d}`));
    this.sshds.push(child);
  }

  private async waitForSsh(host: string): Promise<void> {
    let last = '';
    for (let i = 0; i < 50; i++) {
      const out = spawnSync('ip', ['netns', 'exec', NS.ctl, 'ssh', '-F', this.sshConfig, '-o', 'BatchMode=yes', host, 'true'], { encoding: 'utf8' });
      if (out.status === 0) return;
      last = out.stderr;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`ssh ${host} never worked: ${last}`);
  }

  /** The pids of sshd's listeners (ours); anything else in a host's namespace was left by a run. */
  get sshdPids(): number[] {
    return this.sshds.map((c) => c.pid!).filter(Boolean);
  }

  /** Processes in a namespace other than our sshd listeners. */
  strangers(ns: string): number[] {
    const out = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' });
    return out.stdout.split('\n').filter(Boolean).map(Number).filter((pid) => !this.sshdPids.includes(pid));
  }

  /** Waits (up to 3 s) until both hosts run nothing but sshd's listeners; returns what is left. */
  async leftovers(): Promise<number[]> {
    let left: number[] = [];
    for (let i = 0; i < 30; i++) {
      left = [...this.strangers(NS.server), ...this.strangers(NS.client)];
      if (left.length === 0) return [];
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return left;
  }

  /** A config of topology ssh with these hosts; `settings` are YAML lines of the rest. */
  config(name: string, hosts: { server: string; client: string }, settings: Record<string, string> = {}): string {
    const file = path.join(this.dir, `${name}.yaml`);
    const all: Record<string, string> = {
      variants: '[two_copy]', modes: '[stream]', message_sizes: '[1024]', threads: '[1]',
      duration_s: '0.3', warmup_s: '0.1', repetitions: '1', calibration: '{ enabled: false }', ...settings,
    };
    const topology = [
      'topology:', '  kind: ssh', `  ssh_config: ${this.sshConfig}`,
      `  server: { ssh: ${hosts.server}, address: ${DATA_ADDRESS.server} }`, `  client: { ssh: ${hosts.client} }`,
      `  work_dir: ${this.workDir}`, '  sysctls:', '    net.ipv4.tcp_wmem: "4096 16384 8388608"',
    ];
    writeFileSync(file, [`name: ${name}`, ...topology, ...Object.entries(all).map(([k, v]) => `${k}: ${v}`)].join('\n') + '\n');
    return file;
  }

  /** run.mts (or another script) inside cbh-ctl, in its own process group as a terminal would run it. */
  run(args: string[], script = 'orchestrate/run.mts'): { child: ChildProcess; finished: Promise<Finished> } {
    const started = Date.now();
    const child = spawn('ip', ['netns', 'exec', NS.ctl, process.execPath, '--import', 'tsx', ZX_CLI, path.join(ROOT, script), ...args], {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    const finished = new Promise<Finished>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr, ms: Date.now() - started })));
    return { child, finished };
  }

  /** A sysctl as a host sees it. */
  sysctl(ns: string, key: string): string {
    return must(['ip', 'netns', 'exec', ns, 'cat', path.join('/proc/sys', ...key.split('.'))]).trim().split(/\s+/).join(' ');
  }

  /** Everything undone: sshds ended by their pids, namespaces deleted, the temp folder removed. */
  async stop(): Promise<void> {
    for (const c of this.sshds) if (c.exitCode === null) c.kill('SIGTERM');
    await Promise.all(this.sshds.map((c) => (c.exitCode === null && c.signalCode === null ? new Promise((r) => c.once('exit', r)) : null)));
    for (const ns of Object.values(NS)) spawnSync('ip', ['netns', 'del', ns]);
    if (this.madeRunSshd) rmSync('/run/sshd', { recursive: true, force: true });
    rmSync(this.dir, { recursive: true, force: true });
  }
}
