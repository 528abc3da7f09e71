// The JSON Schema editors use for the configs: committed, current, and named
// by every shipped config on its first line.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CONFIG_JSON_SCHEMA_PATH, SCHEMA_MODELINE, configJsonSchema, configJsonSchemaText } from '../../orchestrate/config/json-schema.ts';
import { loadConfig, parseConfig } from '../../orchestrate/config/load.ts';
import { MSG_SIZE_MAX, MSG_SIZE_MIN } from '../../orchestrate/config/limits.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CONFIGS = readdirSync(path.join(ROOT, 'configs')).filter((f) => f.endsWith('.yaml'));

describe('configs/copybench.schema.json', () => {
  it('is what the zod schema gives now (else: npm run schema, and commit it)', () => {
    expect(readFileSync(path.join(ROOT, CONFIG_JSON_SCHEMA_PATH), 'utf8')).toBe(configJsonSchemaText());
  });

  it('is the input side: strict, nothing required but a topology kind, the limits as ranges', () => {
    const schema = configJsonSchema() as {
      additionalProperties: boolean;
      required?: string[];
      properties: Record<string, { default?: unknown; items?: { minimum: number; maximum: number } }>;
    };
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toBeUndefined();
    expect(schema.properties['duration_s']?.default).toBe(1.5);
    expect(schema.properties['message_sizes']?.items).toMatchObject({ minimum: MSG_SIZE_MIN, maximum: MSG_SIZE_MAX });
    expect(JSON.stringify(schema)).toContain('"required":["kind"]');
  });
});

describe('shipped configs', () => {
  it('are there', () => {
    expect(CONFIGS).toEqual(expect.arrayContaining(['full.yaml', 'quick.yaml', 'mt25042.yaml', 'peers.yaml']));
  });

  it.each(CONFIGS)('%s names the schema on its first line and still loads', (file) => {
    const text = readFileSync(path.join(ROOT, 'configs', file), 'utf8');
    expect(text.split('\n')[0]).toBe(SCHEMA_MODELINE);
    expect(() => loadConfig(path.join(ROOT, 'configs', file), { cpus: 2 })).not.toThrow();
  });

  it('the modeline is a comment to the YAML parser', () => {
    expect(parseConfig(`${SCHEMA_MODELINE}\nname: x\n`, 'x.yaml')).toEqual(parseConfig('name: x\n', 'x.yaml'));
    expect(parseConfig(`${SCHEMA_MODELINE}\n`, 'x.yaml')).toEqual(parseConfig('', 'x.yaml'));
  });
});
