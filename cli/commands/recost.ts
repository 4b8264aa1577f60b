import { readFileSync } from 'node:fs';
import type { Argv } from 'yargs';
import { SimulationError } from '../../simulator/errors.js';
import { recost, type SimulationReport } from '../../simulator/report.js';
import { emit } from '../output.js';
import { text } from '../arguments.js';
import { checkProfile } from '../program-chip.js';
import { resultChip } from './report.js';
import { formatReport } from './simulate.js';

interface RecostArgs {
  result: string;
  profile: string;
  chip?: string;
  json: boolean;
}

/** Prices a saved simulation's event counts with another cost profile: no re-run. */
export function registerRecost(yargs: Argv): Argv {
  return yargs.command<RecostArgs>(
    'recost <result>',
    'Re-price a saved simulation result (simulate -o result.json) with another energy/latency profile, without re-running',
    (y) =>
      y
        .positional('result', { type: 'string', demandOption: true })
        .option('profile', { type: 'string', demandOption: true, describe: 'cost profile name (e.g. sanafe)' })
        .option('chip', { type: 'string', coerce: text('chip'), describe: 'chip spec: a builtin name or a spec file (default: the builtin the result names)' })
        .option('json', { type: 'boolean', default: false }) as Argv<RecostArgs>,
    (args) => {
      let report: SimulationReport;
      try {
        report = JSON.parse(readFileSync(args.result, 'utf8')) as SimulationReport;
      } catch (err) {
        throw new SimulationError(args.result, `not a simulation result (${(err as Error).message})`);
      }
      if (!report.counts || !report.chip) throw new SimulationError(args.result, 'holds no event counts: write it with simulate -o');
      if (typeof report.chip !== 'string') throw new SimulationError(args.result, 'field chip is not a chip name: write it with simulate -o');
      const spec = resultChip(report, args.result, args.chip);
      checkProfile(spec, args.profile);
      const priced = recost(report, spec, args.profile);
      const { counts: _counts, predictions: _predictions, raster: _raster, ...summary } = priced;
      emit(args.json, summary, () => formatReport(priced));
    },
  );
}
