import type { ChipBudget } from '../../compiler/passes/place.js';
import type { ChipOverrides } from './chip-overrides.js';
import type { ThresholdPolicy } from './configuration.js';

/**
 * `ok`: compiled, fits, simulated and priced. `does-not-fit`: the compiler's check refused it (its diagnostics
 * say where). `no-profile`: simulated, but the chip has no such cost profile, so energy and latency are null.
 * `error`: the point could not run (message says why); --resume runs it again.
 */
export type RowStatus = 'ok' | 'does-not-fit' | 'no-profile' | 'error';

/** One row of a sweep table: the point's parameters and what it measured (null where the status rules it out). */
export interface SweepRow {
  readonly key: string;
  readonly model: string;
  readonly chip: string;
  readonly overrides: ChipOverrides;
  readonly profile: string;
  readonly threshold: ThresholdPolicy;
  readonly chipBudget: ChipBudget;
  readonly encoding: string;
  readonly seed: number;
  readonly samples: number;
  /** The on-chip learning preset learned before the test run, and from how many training images; null: none. */
  readonly learningRule: string | null;
  readonly learningSamples: number | null;
  readonly status: RowStatus;
  readonly message: string | null;
  /** The compiler's errors and warnings, as `spikechip check` prints them. */
  readonly diagnostics: readonly string[];
  readonly accuracy: number | null;
  readonly energyPerInferenceJ: number | null;
  readonly latencyPerInferenceS: number | null;
  readonly coresUsed: number | null;
  readonly chipsUsed: number | null;
  readonly spikesPerInference: number | null;
  readonly synapticOpsPerInference: number | null;
  /** Largest weight and threshold quantization errors over the layers (fractions). */
  readonly weightQuantizationError: number | null;
  readonly thresholdQuantizationError: number | null;
}

export const TABLE_FORMAT = 'spikechip-sweep-table/1';

export interface SweepTable {
  readonly format: typeof TABLE_FORMAT;
  /** The sweep file the table answers (as given on the command line). */
  readonly sweep: string;
  readonly rows: readonly SweepRow[];
}

const CSV_COLUMNS: readonly (keyof SweepRow)[] = [
  'model',
  'chip',
  'overrides',
  'profile',
  'threshold',
  'chipBudget',
  'encoding',
  'seed',
  'samples',
  'status',
  'accuracy',
  'energyPerInferenceJ',
  'latencyPerInferenceS',
  'coresUsed',
  'chipsUsed',
  'spikesPerInference',
  'synapticOpsPerInference',
  'weightQuantizationError',
  'thresholdQuantizationError',
  'learningRule',
  'learningSamples',
  'message',
  'diagnostics',
];

/** RFC 4180 CSV: one header line, one line per row; overrides as k=v;k=v, diagnostics joined by " | ". */
export function tableToCsv(table: SweepTable): string {
  const cell = (value: unknown): string => {
    const text =
      value === null
        ? ''
        : Array.isArray(value)
          ? value.join(' | ')
          : typeof value === 'object'
            ? Object.entries(value as object)
                .map(([k, v]) => `${k}=${String(v)}`)
                .join(';')
            : String(value);
    return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return [CSV_COLUMNS.join(','), ...table.rows.map((row) => CSV_COLUMNS.map((c) => cell(row[c])).join(','))].join('\n') + '\n';
}
