// Build the binaries once, before any test: `make` for bin/, `make asan` for
// bin/asan/. A build failure fails the whole run with the compiler's output.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export default function setup(): void {
  const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
  for (const target of ['all', 'asan']) {
    execFileSync('make', ['-s', '-j2', target], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  }
}
