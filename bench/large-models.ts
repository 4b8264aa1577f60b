import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fixtureDir, LARGE_MODELS, pytorchImagesPerSec, type LargeModelOwnFigures } from './large-model.js';

export interface LargeModelBench extends LargeModelOwnFigures {
  readonly name: string;
  readonly fixture: string;
  /** bench/pytorch_baseline.py on the same fixture, after our figures (never beside them); null without torch. */
  readonly pytorchImagesPerSec: number | null;
  /** The batch size PyTorch was fastest at (bench/pytorch_baseline.py times several). */
  readonly pytorchBatch: number | null;
  readonly floatToPytorch: number | null;
  readonly chipToPytorch: number | null;
}

export interface SkippedLargeModel {
  readonly name: string;
  readonly fixture: string;
  readonly skipped: string;
}

const ratio = (a: number | null, b: number | null) => (a !== null && b ? a / b : null);

/**
 * A row per large model (`models` in the bench's JSON): each model measured in a node process of its own, so that
 * its peak RSS is its own, then PyTorch on the same fixture. A model whose fixture is absent is skipped, saying so.
 */
export function benchLargeModels(stage: (what: string) => void = () => undefined): (LargeModelBench | SkippedLargeModel)[] {
  const main = fileURLToPath(new URL('./large-model-main.js', import.meta.url));
  return LARGE_MODELS.map(({ name, fixture }) => {
    const dir = fixtureDir(fixture);
    if (!existsSync(join(dir, 'checkpoint.pth'))) return { name, fixture, skipped: `${dir} is absent` };
    stage(`${name}: OTS calibration, float reference, compile and chip simulation`);
    const run = spawnSync(process.execPath, [main, fixture], { encoding: 'utf8', maxBuffer: 1 << 24 });
    const line = (run.stdout ?? '').trim().split('\n').pop() ?? '';
    if (run.status !== 0 || !line.startsWith('{')) {
      // A crash prints a native stack after its one telling line (e.g. V8's "FATAL ERROR: ... heap limit").
      const errors = (run.stderr ?? '').split('\n').filter((l) => /error/i.test(l));
      const why = errors[0] ?? (run.stderr ?? '').trim().split('\n').pop() ?? '';
      return { name, fixture, skipped: `its bench process failed (${run.signal ? `signal ${run.signal}` : `exit ${run.status}`}): ${why.trim()}` };
    }
    const own = JSON.parse(line) as LargeModelOwnFigures;
    stage(`${name}: PyTorch`);
    const pytorch = pytorchImagesPerSec(fixture);
    return {
      name,
      fixture,
      ...own,
      notes: pytorch.note ? [...own.notes, pytorch.note] : own.notes,
      pytorchImagesPerSec: pytorch.imagesPerSec,
      pytorchBatch: pytorch.batch,
      floatToPytorch: ratio(own.floatImagesPerSec, pytorch.imagesPerSec),
      chipToPytorch: ratio(own.chipImagesPerSec, pytorch.imagesPerSec),
    };
  });
}
