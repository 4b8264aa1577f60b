import { readFileSync } from 'node:fs';
import type { SimulationReport } from '../simulator/report.js';
import { ReportError } from './errors.js';

/** Fields a report draws from, with the type each must have; a result without them is refused, by name. */
const REQUIRED: readonly [keyof SimulationReport, 'string' | 'number' | 'number-or-null' | 'array' | 'object'][] = [
  ['chip', 'string'],
  ['model', 'string'],
  ['samples', 'number'],
  ['accuracy', 'number-or-null'],
  ['profile', 'string'],
  ['energyPerInferenceJ', 'number'],
  ['latencyPerInferenceS', 'number'],
  ['latencyPerStepS', 'array'],
  ['perLayer', 'array'],
  ['bottleneckCore', 'object'],
  ['energyByEventJ', 'object'],
  ['counts', 'object'],
];

/** Reads `spikechip simulate -o result.json`; a missing, unreadable or foreign file is an error naming it. */
export function readSimulationResult(file: string): SimulationReport {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ReportError(file, `cannot read the simulation result (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ReportError(file, `not a simulation result: invalid JSON (${(err as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ReportError(file, 'not a simulation result: the JSON is not an object');
  const record = value as Record<string, unknown>;
  for (const [field, type] of REQUIRED) {
    const v = record[field];
    const ok =
      type === 'number-or-null'
        ? v === null || typeof v === 'number'
        : type === 'array'
          ? Array.isArray(v)
          : type === 'object'
            ? typeof v === 'object' && v !== null && !Array.isArray(v)
            : typeof v === type;
    if (!ok)
      throw new ReportError(
        file,
        `not a simulation result: field '${field}' is ${v === undefined ? 'missing' : 'not a ' + type.replaceAll('-', ' ')} (write the result with spikechip simulate -o)`,
      );
  }
  const counts = record.counts as Record<string, unknown>;
  for (const field of ['coreIds', 'coreLayer', 'layerNames', 'perStep', 'linkTotals', 'meshTiles', 'totals']) {
    if (counts[field] === undefined) throw new ReportError(file, `not a simulation result: counts.${field} is missing (write the result with spikechip simulate -o)`);
  }
  return value as SimulationReport;
}
