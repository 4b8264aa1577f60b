import type { ChipProgram } from '../chips/ir/chip-program.js';
import { THRESHOLD_POLICY_TEXT } from '../chips/ir/ir-enum-text.js';

/** Per layer, what quantizing it cost (`compile`/`check --json`), the threshold policy in the words `--threshold` takes. */
export function quantizationReport(program: ChipProgram | null) {
  return Object.fromEntries(
    (program?.layers ?? []).map((l) => [
      l.name,
      { ...l.quantization, thresholdPolicy: THRESHOLD_POLICY_TEXT[l.quantization.thresholdPolicy], weightExponent: l.connection.weightExponent, scale: l.scale },
    ]),
  );
}
