// Write configs/copybench.schema.json, the JSON Schema editors use for the
// configs, from the zod config schema (orchestrate/config/json-schema.ts).
//
//   npm run schema            (npx zx orchestrate/schema.mts)
//
// Run it after changing orchestrate/config/schema.ts or limits.ts; the test
// test/config/json-schema.test.ts fails until the committed file is current.
// Exit codes: 0 written or already current, 1 it could not be written.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CONFIG_JSON_SCHEMA_PATH, configJsonSchemaText } from './config/json-schema.ts';

const file = path.resolve(import.meta.dirname, '..', CONFIG_JSON_SCHEMA_PATH);
const text = configJsonSchemaText();
let current: string | null = null;
try {
  current = readFileSync(file, 'utf8');
} catch {
  // not written yet
}
if (current === text) {
  process.stderr.write(`schema: ${CONFIG_JSON_SCHEMA_PATH} is current\n`);
} else {
  try {
    writeFileSync(file, text);
  } catch (e) {
    process.stderr.write(`schema: cannot write ${CONFIG_JSON_SCHEMA_PATH}: ${(e as Error).message}\n`);
    process.exit(1);
  }
  process.stderr.write(`schema: wrote ${CONFIG_JSON_SCHEMA_PATH}\n`);
}
