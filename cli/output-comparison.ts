/** How the chip's read-out compares with the float model's, sample by sample (simulate --outputs --float-reference). */
export interface OutputComparison {
  readonly samples: number;
  /** Mean over samples of |chip - float|_2 / |float|_2. */
  readonly meanRelativeError: number;
  /** Largest |chip - float| of any output of any sample, in model units. */
  readonly maxAbsoluteError: number;
  /** Samples whose largest output is the same class on the chip and in float. */
  readonly sameArgmax: number;
  /** The samples whose class differs, with the float top-2 margin: a flip needs a margin within the chip's error. */
  readonly differentArgmax: { readonly sample: number; readonly floatMargin: number; readonly chipClass: number; readonly floatClass: number }[];
}

/** Per-sample rows of a [samples x classes] output matrix. */
export function outputRows(outputs: ArrayLike<number>, classes: number): number[][] {
  const rows: number[][] = [];
  for (let i = 0; i + classes <= outputs.length; i += classes) rows.push(Array.from({ length: classes }, (_, k) => outputs[i + k]!));
  return rows;
}

export function compareOutputs(chip: ArrayLike<number>, float: ArrayLike<number>, classes: number): OutputComparison {
  const samples = Math.min(chip.length, float.length) / classes;
  let relative = 0;
  let maxAbsolute = 0;
  let same = 0;
  const different: OutputComparison['differentArgmax'][number][] = [];
  for (let s = 0; s < samples; s++) {
    let diff = 0;
    let norm = 0;
    let chipBest = 0;
    let floatBest = 0;
    for (let k = 0; k < classes; k++) {
      const c = chip[s * classes + k]!;
      const f = float[s * classes + k]!;
      diff += (c - f) ** 2;
      norm += f * f;
      maxAbsolute = Math.max(maxAbsolute, Math.abs(c - f));
      if (c > chip[s * classes + chipBest]!) chipBest = k;
      if (f > float[s * classes + floatBest]!) floatBest = k;
    }
    relative += norm > 0 ? Math.sqrt(diff / norm) : Math.sqrt(diff);
    if (chipBest === floatBest) {
      same++;
    } else {
      let second = -Infinity;
      for (let k = 0; k < classes; k++) if (k !== floatBest) second = Math.max(second, float[s * classes + k]!);
      different.push({ sample: s, floatMargin: float[s * classes + floatBest]! - second, chipClass: chipBest, floatClass: floatBest });
    }
  }
  return { samples, meanRelativeError: samples > 0 ? relative / samples : 0, maxAbsoluteError: maxAbsolute, sameArgmax: same, differentArgmax: different };
}
