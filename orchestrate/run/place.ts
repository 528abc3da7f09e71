// Where a process runs. The pair engine and the topology never build a
// prefix such as `ip netns exec` by hand: they ask the side's place. Today a
// place is this machine's own network namespace or one the topology created;
// a remote host over SSH is the next kind.

export interface Place {
  /** For messages and meta.json: "namespace cb-srv", "this machine". */
  readonly name: string;
  /** The argv that runs `argv` at this place. */
  command(argv: readonly string[]): string[];
}

/** The orchestrator's own network namespace. */
export const LOCAL: Place = { name: 'this machine', command: (argv) => [...argv] };

/** A network namespace of this machine (`ip netns exec` also mounts its /sys). */
export function netnsPlace(namespace: string): Place {
  return { name: `namespace ${namespace}`, command: (argv) => ['ip', 'netns', 'exec', namespace, ...argv] };
}
