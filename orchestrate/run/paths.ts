// Where copybench's own files are: the checkout, and the binaries `make` builds.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Implementation, Side } from '../config/domain.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const DEFAULT_BIN_DIR = path.join(ROOT, 'bin');

const BINARY_PREFIX: Record<Implementation, string> = { two_copy: 'a1', one_copy: 'a2', zero_copy: 'a3', uring_zero_copy: 'a4' };

/** aN_server / aN_client: a side's binary, as its process is named. */
export function binaryName(impl: Implementation, role: Side): string {
  return `${BINARY_PREFIX[impl]}_${role}`;
}

export function binaryPath(binDir: string, impl: Implementation, role: Side): string {
  return path.join(binDir, binaryName(impl, role));
}
