// The pieces of topology ssh that need no host: quoting for the remote shell,
// the ssh command line, and the state file a run leaves on a host.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { shellQuote, sshArgv } from '../../orchestrate/run/topology/ssh-place.ts';
import { deadRuns, parseState, stateText, type RunState } from '../../orchestrate/run/topology/ssh-state.ts';

const HOST = { destination: 'root@192.0.2.10', sshConfig: null, controlPath: '/tmp/cb-ssh-x/server' };

describe('shellQuote', () => {
  it('a POSIX shell splits the quoted string back into exactly the argv', () => {
    const argv = ['plain', 'two words', "it's", '$HOME', '`id`', '"q"', 'a\\b', '*', ';rm -rf /', '', 'x\ny', '-', 'LC_ALL=C', '--'];
    // The words come back NUL-separated, as the remote shell would pass them on.
    const out = spawnSync('sh', ['-c', `printf '%s\\0' ${shellQuote(argv)}`], { encoding: 'utf8' });
    expect(out.stdout.split('\0').slice(0, -1)).toEqual(argv);
  });

  it('leaves plain words bare and quotes the rest', () => {
    expect(shellQuote(['perf', 'stat', '-x,', '--', '/tmp/a b'])).toBe("perf stat -x, -- '/tmp/a b'");
  });
});

describe('sshArgv', () => {
  it('always checks host keys, never prompts, and ends the options before the destination', () => {
    const argv = sshArgv(HOST, ['true']);
    const options = argv.flatMap((a, i) => (argv[i - 1] === '-o' ? [a] : []));
    expect(options).toContain('StrictHostKeyChecking=yes');
    expect(options).toContain('BatchMode=yes');
    expect(options).toContain('ControlPath=/tmp/cb-ssh-x/server');
    expect(options).toContain('ControlMaster=no');
    expect(argv.join(' ')).not.toMatch(/StrictHostKeyChecking=(no|accept-new)/);
    expect(argv.slice(-3)).toEqual(['--', 'root@192.0.2.10', 'true']);
    expect(argv).not.toContain('-F');
  });

  it('opens the shared connection only for the link, and passes the ssh_config to every call', () => {
    const argv = sshArgv({ ...HOST, sshConfig: 'lab/ssh_config' }, ['sh', '-c', 'echo $$'], { master: true });
    expect(argv.slice(1, 3)).toEqual(['-F', 'lab/ssh_config']);
    expect(argv).toContain('ControlMaster=yes');
    expect(argv).toContain('ControlPersist=no');
    expect(argv.at(-1)).toBe("sh -c 'echo $$'");
  });
});

describe('the state file on a host', () => {
  const state: RunState = {
    owner: '4242 123456',
    identity: { bootId: '4b8c484d-ae83-4ae0-a329-6ee88a9aa1b2', netns: 'net:[4026531833]' },
    originals: { 'net.ipv4.tcp_wmem': '4096 16384 4194304', 'net.core.wmem_max': '212992' },
  };

  it('reads back what was written, values with spaces included', () => {
    expect(parseState(stateText(state))).toEqual(state);
    expect(parseState('something else\n')).toBeNull();
  });

  it('names the folders of runs whose owner is dead, not those of live ones', () => {
    const listing =
      `== /tmp/copybench/cb-a-1-x-server\n${stateText(state)}alive no\n` +
      `== /tmp/copybench/cb-a-2-y-server\n${stateText({ ...state, owner: '99 1' })}alive yes\n` +
      `== /tmp/copybench/cb-a-3-z-client\ngarbage\nalive no\n`;
    expect(deadRuns(listing)).toEqual([{ dir: '/tmp/copybench/cb-a-1-x-server', state }]);
    expect(deadRuns('')).toEqual([]);
  });
});
