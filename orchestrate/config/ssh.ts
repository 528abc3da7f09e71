// Topology `ssh`: server and client on two hosts, each reached with the
// user's own OpenSSH (keys, agent, known_hosts as they are). Pure; the
// topology itself is run/topology/ssh.ts.
import { z } from 'zod';
import { patterned } from './fields.ts';
import { sysctlMap } from './sysctls.ts';

// What ssh takes as a destination: `host`, `user@host`, `ssh://user@host:port`,
// or a Host alias of the ssh_config. Never starting with '-', so it can never
// read as an option (copybench also passes `--` before it).
export const SSH_DESTINATION_PATTERN = /^(?!-)[A-Za-z0-9._%+@:/[\]-]{1,255}$/;
// Absolute, without `.` or `..` components: copybench creates and removes
// per-run folders under it, never the folder itself.
export const WORK_DIR_PATTERN = /^(\/(?!\.{1,2}(\/|$))[A-Za-z0-9._-]+)+\/?$/;

const destination = patterned(SSH_DESTINATION_PATTERN, 'an ssh destination such as root@192.0.2.10 or a Host of the ssh_config');
const address = z.ipv4({ error: 'expected the IPv4 address the client connects to, such as 198.51.100.1' });

export const SshTopology = z
  .strictObject({
    kind: z.literal('ssh'),
    // Passed as `ssh -F FILE` to every ssh call; relative to the directory run.mts runs in.
    ssh_config: z
      .string({ error: 'expected the path of an ssh_config file' })
      .min(1, { error: 'expected the path of an ssh_config file' })
      .regex(/^[^\0\n]+$/, { error: 'expected a path on one line' })
      .nullable()
      .default(null),
    server: z.strictObject({ ssh: destination, address }),
    client: z.strictObject({ ssh: destination }),
    work_dir: patterned(WORK_DIR_PATTERN, 'an absolute folder path such as /tmp/copybench').default('/tmp/copybench'),
    // Set on each host for the run, read back, and restored at exit (or by
    // the next run, if this one was killed).
    sysctls: sysctlMap,
  })
  .superRefine((t, ctx) => {
    const first = Number(t.server.address.split('.')[0]);
    if (first === 0 || first === 127 || (first >= 224 && first < 240) || t.server.address === '255.255.255.255') {
      ctx.addIssue({
        code: 'custom',
        path: ['server', 'address'],
        message: 'expected the unicast address of the server host on the network between the hosts',
        input: t.server.address,
      });
    }
  });
export type SshTopology = z.output<typeof SshTopology>;
