// copybench's copy attribution alone (DESIGN.md, "Copy attribution"):
//
//   npx zx orchestrate/attribute.mts [CONFIG] [--out DIR] [--bin-dir DIR]
//
// Runs the config's `attribution:` section (its defaults when the config
// has none) into a new run folder under DIR (default results): attribution.csv,
// meta.json's `attribution`, raw/attribution/. run.mts runs the same pass
// after its matrix when the config has the section.
// Exit codes: 0 done, 1 a point or tool failed, 2 bad config or usage, 130 interrupted.
import { parseCommandLine, runMain, scriptArgs, stopWith } from './config/cli.ts';
import { AttributionSection } from './config/attribution.ts';
import { ConfigError, loadConfig } from './config/load.ts';
import { attributeCampaign } from './run/attribute.ts';
import { Campaign } from './run/campaign.ts';
import { Progress } from './run/progress.ts';
import { Session } from './run/session.ts';

const USAGE = `usage: npx zx orchestrate/attribute.mts [CONFIG] [options]

  CONFIG          YAML config; its attribution: section (default: configs/full.yaml)
  --out DIR       where the run folder goes (default: results)
  --bin-dir DIR   binaries to run (default: bin/, built with make)
  -h, --help      this text

exit codes: 0 done, 1 a point or tool failed, 2 bad config or usage, 130 interrupted`;

const OPTIONS = { out: { type: 'string' }, 'bin-dir': { type: 'string' } } as const;

async function main(): Promise<number> {
  const since = Date.now();
  const progress = new Progress();
  const say = (line: string) => progress.say(line);
  const session = new Session(say);
  const argv = scriptArgs(import.meta.url);
  const cli = parseCommandLine(argv, OPTIONS, USAGE, { min: 0, max: 1, name: 'CONFIG' });
  if (!cli.ok) return stopWith(cli, 'attribute.mts', say);
  const configPath = cli.positionals[0] ?? 'configs/full.yaml';
  let config;
  try {
    config = loadConfig(configPath);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    say(e.message);
    return 2;
  }
  if (!config.attribution) config = { ...config, attribution: AttributionSection.parse({}) };
  const prepared = await session.prepare(config, (cli.values['bin-dir'] as string | undefined) ?? null);
  if ('exitCode' in prepared) return prepared.exitCode;
  const campaign = await Campaign.open(
    { session, progress, config, configPath, argv, since, ...prepared, folder: { out: (cli.values.out as string | undefined) ?? 'results' } },
    0,
  );
  // No matrix steps: the campaign makes the run folder and meta.json; the pass runs in its own topology.
  await campaign.run([]);
  if (!campaign.created || session.interrupted) return campaign.finish();
  const outcome = await attributeCampaign(session, config, prepared.binDir, campaign, say);
  const code = campaign.finish();
  say(`attribution: ${outcome?.record.points.length ?? 0} points in ${campaign.runDir}`);
  return code;
}

runMain('attribute.mts', main);
