/** Stable codes: tests and users match on them, so never renumber or reuse one. */
export const DIAGNOSTIC_CODES = {
  'E-NEURONS': 'neurons per core above the limit',
  'E-IN-AXONS': 'input axons per core above the limit',
  'E-OUT-AXONS': 'output axons per core above the limit',
  'E-SYNMEM': 'synapse memory per core above the limit',
  'E-FANIN': 'fan-in of a crossbar core above the limit',
  'E-WEIGHT-RANGE': 'weights do not fit the mantissa and exponent range',
  'E-THRESHOLD-RANGE': 'thresholds do not fit the threshold mantissa',
  'E-BIAS-RANGE': 'bias does not fit the bias mantissa and exponent',
  'E-CHIPS': 'the model needs more chips than allowed',
  'E-UNSUPPORTED': 'an operation the chip cannot run',
  'E-THRESHOLD-SCHEDULE': 'per-step thresholds on a chip without a threshold table',
  'E-GRAPH': 'a model graph the compiler cannot lower: a node where no chip layer can take it',
  'E-CALIBRATION': 'thresholds that need calibration images to be frozen',
  'E-LEARNING': 'an on-chip learning setting the chip or the model cannot take',
  'W-THRESHOLD-SCHEDULE': 'per-step thresholds replaced by their mean (--threshold mean)',
  'W-RESET-MODE': 'soft reset on a chip that resets to zero',
  'W-INPUT-HOST': 'analog input computed on the host (no graded spikes, no ANN-mode cores)',
  'W-DECAY': 'the chip realises the decay only approximately',
  'W-UNCONFIRMED': 'a limit or cost the result depends on comes from a weak source',
  'W-OUTPUT-SPIKES': 'spiking output neurons read out as their mean input current',
  'I-INPUT-GRADED': 'analog input enters as graded spikes',
  'I-INPUT-RANGE': 'the range of real-valued input the first layer is scaled for',
  'I-INPUT-ANN': 'analog input enters through ANN-mode cores',
  'I-CHIPS': 'how many chips the model uses',
} as const;

export type DiagnosticCode = keyof typeof DIAGNOSTIC_CODES;
export type Severity = 'error' | 'warning' | 'info';

export interface Diagnostic {
  readonly code: DiagnosticCode;
  readonly severity: Severity;
  /** Layer name, or null for a whole-program diagnostic. */
  readonly layer: string | null;
  /** Global core id, or null where no single core is concerned. */
  readonly core: number | null;
  /** The measured amount and the chip's limit, where the diagnostic compares the two. */
  readonly value: number | null;
  readonly limit: number | null;
  readonly message: string;
}

export function severityOf(code: DiagnosticCode): Severity {
  return code.startsWith('E-') ? 'error' : code.startsWith('W-') ? 'warning' : 'info';
}

export function diagnostic(
  code: DiagnosticCode,
  where: { layer?: string | null; core?: number | null },
  measured: { value?: number | null; limit?: number | null },
  detail: string,
  hint?: string,
): Diagnostic {
  const layer = where.layer ?? null;
  const core = where.core ?? null;
  const value = measured.value ?? null;
  const limit = measured.limit ?? null;
  const place = [layer !== null ? `layer ${layer}` : null, core !== null ? `core ${core}` : null].filter(Boolean).join(' ');
  const amount = value !== null && limit !== null ? `: ${fmt(value)} ${detail} > ${fmt(limit)}` : `: ${detail}`;
  const message = `${code}${place ? ` ${place}` : ''}${amount}${hint ? ` (${hint})` : ''}`;
  return { code, severity: severityOf(code), layer, core, value, limit, message };
}

export function fmt(n: number): string {
  return Number.isInteger(n) ? n.toLocaleString('en-US') : n.toPrecision(6);
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}
