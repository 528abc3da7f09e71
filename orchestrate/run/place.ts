// Where a process runs. The pair engine and the topology never build a
// prefix such as `ip netns exec` or `ssh HOST` by hand: they ask the side's
// place. A place is this machine's own network namespace, one the topology
// created, or another host reached over SSH (topology/ssh-place.ts). A place
// on this machine shares its files and process groups with the orchestrator;
// a host does not, so a place also says where a process's output file is
// written, how it comes back into raw/, where the binaries are, and how a
// signal reaches a process started there.

export interface Place {
  /** For messages and meta.json: "namespace cb-srv", "this machine", "server host root@192.0.2.10". */
  readonly name: string;
  /** The argv that runs `argv` at this place: a short command, awaited where it is started. */
  command(argv: readonly string[]): string[];
  /** A long-lived process, which the tracker may have to end: how to start it here, and how to signal it. */
  launch(argv: readonly string[], label: string): Launch;
  /** The path at this place of a file that belongs at `localFile` (a raw file of the run). */
  outputPath(localFile: string): string;
  /** Brings the files written at `outputPath(f)` home to `f`; one that was not written stays absent. */
  collect(localFiles: readonly string[]): Promise<void>;
  /** Where copybench's binaries are at this place, given where they are on this machine. */
  binDir(localBinDir: string): string;
}

/**
 * Signals the process (its process group) at its place; resolves false when
 * the signal could not be delivered there (the connection is gone).
 */
export type RemoteSignal = (signal: NodeJS.Signals) => Promise<boolean>;

export interface Launch {
  argv: string[];
  /** null: the local process group started with `argv` is all of the process (signalled directly). */
  signal: RemoteSignal | null;
}

/** A place on this machine: `prefix` before every argv; same files, same process groups. */
function onThisMachine(name: string, prefix: readonly string[]): Place {
  const command = (argv: readonly string[]) => [...prefix, ...argv];
  return {
    name,
    command,
    launch: (argv) => ({ argv: command(argv), signal: null }),
    outputPath: (localFile) => localFile,
    collect: async () => {},
    binDir: (localBinDir) => localBinDir,
  };
}

/** The orchestrator's own network namespace. */
export const LOCAL: Place = onThisMachine('this machine', []);

/** A network namespace of this machine (`ip netns exec` also mounts its /sys). */
export function netnsPlace(namespace: string): Place {
  return onThisMachine(`namespace ${namespace}`, ['ip', 'netns', 'exec', namespace]);
}
