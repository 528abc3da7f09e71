// The config schema as JSON Schema, for editors: a YAML file whose first line
// is `# yaml-language-server: $schema=./copybench.schema.json` gets completion,
// hover and checking of names, types and ranges as it is typed. Generated from
// ConfigSchema, never edited: `npm run schema` writes it, and a test fails
// when the committed file differs from what this returns. Pure.
//
// It is the input side (io: 'input'): every key with a default is optional,
// as in the YAML. Draft 7, the draft every editor's JSON Schema support
// knows (here it differs from 2020-12 only in the $schema line). What zod checks in code (repeats in a list, the CPU ranges,
// the addresses, the plan's size, the peers' duration rules) has no JSON
// Schema form and is left to loadConfig.
import { z } from 'zod';
import { ConfigSchema } from './schema.ts';

/** Where the schema is committed, relative to the repository root; the configs beside it name it as ./copybench.schema.json. */
export const CONFIG_JSON_SCHEMA_PATH = 'configs/copybench.schema.json';

/** The first line of every shipped config. */
export const SCHEMA_MODELINE = '# yaml-language-server: $schema=./copybench.schema.json';

export function configJsonSchema(): Record<string, unknown> {
  const { $schema, ...rest } = z.toJSONSchema(ConfigSchema, { io: 'input', target: 'draft-7' });
  return {
    $schema,
    $comment: 'Generated from orchestrate/config/schema.ts by `npm run schema`; do not edit.',
    title: 'copybench config',
    description: 'An experiment matrix for orchestrate/run.mts (docs/orchestrator.md, "Config reference").',
    ...rest,
  };
}

/** The file's text: two-space JSON and a final newline. */
export function configJsonSchemaText(): string {
  return JSON.stringify(configJsonSchema(), null, 2) + '\n';
}
