import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { encodeChipProgram } from '../chips/ir/chip-program-codec.js';
import { getChip } from '../chips/registry.js';
import { compile } from '../compiler/compile.js';
import type { Model } from '../models/graph/model.js';
import { loadModel } from '../models/load-model.js';
import { packageRoot } from '../models/package-root.js';
import { withFrozenThresholds } from '../models/reference/calibrate-ots.js';
import { calibrateOtsParallel } from '../models/reference/calibrate-ots-parallel.js';
import { evaluateParallel } from '../models/reference/evaluate-parallel.js';
import { simulateDataset } from '../simulator/parallel.js';
import { workerCount } from '../simulator/worker-pool.js';

/** The papers' large models, each from its fixture folder in ../shared/fixtures. */
export const LARGE_MODELS = [
  { name: 'vggsnn', fixture: 'osr-vggsnn-cifar-random' },
  { name: 'resnet19', fixture: 'osr-resnet19-cifar-random' },
] as const;

export type LargeModelName = (typeof LARGE_MODELS)[number]['name'];

/** Images of one float batch of ours (our rate hardly depends on it: each conv call takes 8 samples). */
export const FLOAT_BATCH = 64;
/** Batch sizes PyTorch's baseline times; it reports its fastest. */
export const PYTORCH_BATCHES = [8, 16, 32, 64];
/** Float batches run; the rate is that of the batches after the first, as PyTorch's baseline times warm batches. */
export const FLOAT_BATCHES = 5;
/** Images the chip simulation runs; its rate is the marginal one past the first image of each worker. */
export const CHIP_IMAGES = 32;

/** The part of a large model's row measured in a process of its own (so its peak RSS is this model's). */
export interface LargeModelOwnFigures {
  readonly floatImagesPerSec: number | null;
  readonly chipImagesPerSec: number | null;
  /** Freezing OTS on the fixture's 32 calibration images (float reference over every core), before compiling. */
  readonly calibrationSeconds: number | null;
  /** compile() of the frozen model for loihi2 with --chips auto: every pass and the check. */
  readonly compileSeconds: number | null;
  readonly chips: number | null;
  readonly cores: number | null;
  readonly peakRssBytes: number;
  /** The float reference's worker processes (evaluateParallel): the largest one's peak; null where it did not run. */
  readonly floatWorkerPeakRssBytes: number | null;
  /** Why a figure is null: the step that failed and its one-line error. */
  readonly notes: readonly string[];
}

export function fixtureDir(fixture: string): string {
  return resolve(packageRoot(), '..', 'shared', 'fixtures', fixture);
}

/** The fixture's calibration images, [32, C, H, W] float32 in [0, 1]. */
function calibrationImages(dir: string, model: Model): { values: Float32Array; count: number } {
  const file = join(dir, `calibration-32x${model.input.shape.join('x')}.f32`);
  const bytes = readFileSync(file);
  const values = new Float32Array(bytes.length / 4);
  for (let i = 0; i < values.length; i++) values[i] = bytes.readFloatLE(i * 4);
  return { values, count: 32 };
}

/** `count` samples cycling through `pool`, for timing: the labels do not matter. */
function cycled(pool: { values: Float32Array; count: number }, count: number) {
  const size = pool.values.length / pool.count;
  return {
    count,
    labels: new Uint8Array(count),
    toInput: (first: number, n: number, out: Float32Array) => {
      for (let s = 0; s < n; s++) out.set(pool.values.subarray(((first + s) % pool.count) * size, (((first + s) % pool.count) + 1) * size), s * size);
    },
  };
}

/** Runs `step`, or records why it failed and gives null. */
function attempt<T>(notes: string[], what: string, step: () => T): T | null {
  try {
    return step();
  } catch (error) {
    notes.push(`${what}: ${(error as Error).message.split('\n')[0]}`);
    return null;
  }
}

async function attemptAsync<T>(notes: string[], what: string, step: () => Promise<T>): Promise<T | null> {
  try {
    return await step();
  } catch (error) {
    notes.push(`${what}: ${(error as Error).message.split('\n')[0]}`);
    return null;
  }
}

/**
 * One large model's own figures: OTS calibration on the fixture's 32 images, the float reference's images/s over
 * FLOAT_BATCHES batches of FLOAT_BATCH (split over every core; the warm ones), the loihi2 compile with --chips auto, and the chip
 * simulation's marginal images/s over CHIP_IMAGES images (the calibration images as 8-bit pixels). A step that
 * cannot run gives null and a note; the steps after it that need it are skipped.
 */
export async function measureLargeModel(fixture: string): Promise<LargeModelOwnFigures> {
  const dir = fixtureDir(fixture);
  const notes: string[] = [];
  const model = attempt(notes, 'load', () => loadModel(join(dir, 'checkpoint.pth'), { arch: join(dir, 'arch.json') }).model);
  const pool = model ? attempt(notes, 'calibration images', () => calibrationImages(dir, model)) : null;
  let calibrationSeconds: number | null = null;
  let floatWorkerPeakRssBytes: number | null = null;
  const frozen =
    model && pool
      ? await attemptAsync(notes, 'OTS calibration', async () => {
          const started = performance.now();
          const tables = await calibrateOtsParallel(model, pool.values, pool.count);
          calibrationSeconds = (performance.now() - started) / 1000;
          return withFrozenThresholds(model, tables);
        })
      : null;
  // Batches split over every core (evaluateParallel): the rate of the batches after the first, which also starts the
  // workers and builds their executors, as PyTorch's baseline times warm batches (a test set's run is nearly all warm).
  const floatImagesPerSec =
    frozen && pool
      ? await attemptAsync(notes, 'float reference', async () => {
          let warmAt = 0;
          let warmDone = 0;
          await evaluateParallel(frozen, cycled(pool, FLOAT_BATCH * FLOAT_BATCHES), {
            mode: 'frozen',
            batch: FLOAT_BATCH,
            onWorkerPeakRss: (bytes) => (floatWorkerPeakRssBytes = bytes),
            onBatch: (done) => {
              if (warmAt > 0) return;
              warmAt = performance.now();
              warmDone = done;
            },
          });
          return (FLOAT_BATCH * FLOAT_BATCHES - warmDone) / ((performance.now() - warmAt) / 1000);
        })
      : null;
  let compileSeconds: number | null = null;
  const spec = getChip('loihi2');
  const program = frozen
    ? attempt(notes, 'compile for loihi2', () => {
        const started = performance.now();
        const result = compile(frozen, spec, { chips: 'auto', threshold: 'auto' });
        compileSeconds = (performance.now() - started) / 1000;
        if (!result.program) throw new Error(result.diagnostics.find((d) => d.severity === 'error')?.message ?? 'no program');
        return result.program;
      })
    : null;
  const chipImagesPerSec =
    program && pool
      ? await attemptAsync(notes, 'chip simulation', async () => {
          const bytes = encodeChipProgram(program);
          const pixels = new Uint8Array(pool.values.length);
          for (let i = 0; i < pixels.length; i++) pixels[i] = Math.max(0, Math.min(255, Math.round(pool.values[i]! / program.input.valueScale)));
          const size = pixels.length / pool.count;
          const images = new Uint8Array(CHIP_IMAGES * size);
          for (let i = 0; i < CHIP_IMAGES; i++) images.set(pixels.subarray((i % pool.count) * size, ((i % pool.count) + 1) * size), i * size);
          // Each worker decodes the program and builds its runtime before its first image (ResNet-19: tens of
          // seconds that vary with the load, more than its images take): the rate counts the images finished after
          // every worker reported its first (workers report their first image at once), over the time since then.
          const workers = workerCount(undefined, CHIP_IMAGES, import.meta.url);
          let startedAt = 0;
          let doneAtStart = 0;
          await simulateDataset({
            programBytes: bytes,
            programFile: `${fixture}.loihi2.chip.pb`,
            spec,
            images,
            labels: new Uint8Array(CHIP_IMAGES),
            count: CHIP_IMAGES,
            encoding: 'direct',
            seed: 1,
            onProgress: (done, startedWorkers) => {
              if (startedAt === 0 && startedWorkers === workers) {
                startedAt = performance.now();
                doneAtStart = done;
              }
            },
          });
          const seconds = (performance.now() - startedAt) / 1000;
          if (startedAt === 0 || doneAtStart >= CHIP_IMAGES) throw new Error('every image finished before every worker had started: no marginal rate');
          return (CHIP_IMAGES - doneAtStart) / seconds;
        })
      : null;
  return {
    floatImagesPerSec,
    chipImagesPerSec,
    calibrationSeconds,
    compileSeconds,
    chips: program?.chipCount ?? null,
    cores: program?.cores.length ?? null,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    floatWorkerPeakRssBytes,
    notes,
  };
}

/** PyTorch's images/s on the same fixture (bench/pytorch_baseline.py), or null with the reason. */
export function pytorchImagesPerSec(fixture: string): { imagesPerSec: number | null; batch: number | null; note: string | null } {
  const script = join(packageRoot(), 'bench', 'pytorch_baseline.py');
  const python = '/usr/bin/python3';
  if (!existsSync(python)) return { imagesPerSec: null, batch: null, note: `${python} is absent` };
  // PyTorch at its fastest batch size of these (bench/pytorch_baseline.py): eager PyTorch slows down at large ones.
  const run = spawnSync(python, [script, fixtureDir(fixture), '--batch', PYTORCH_BATCHES.join(','), '--threads', '2'], { encoding: 'utf8', timeout: 1_800_000 });
  const line = (run.stdout ?? '').trim().split('\n').pop() ?? '';
  try {
    const json = JSON.parse(line) as { imagesPerSec?: number; batch?: number; error?: string };
    if (typeof json.imagesPerSec === 'number') return { imagesPerSec: json.imagesPerSec, batch: json.batch ?? null, note: null };
    return { imagesPerSec: null, batch: null, note: `PyTorch baseline: ${json.error ?? 'no figure'}` };
  } catch {
    return { imagesPerSec: null, batch: null, note: `PyTorch baseline: exit ${run.status}, ${(run.stderr ?? '').trim().split('\n').pop() ?? ''}` };
  }
}
