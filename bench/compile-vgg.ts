import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { getChip } from '../chips/registry.js';
import { compile } from '../compiler/compile.js';
import { loadModel } from '../models/load-model.js';
import { packageRoot } from '../models/package-root.js';
import { calibrateFolded } from '../compiler/float/calibrate-folded.js';

export interface CompileBench {
  readonly model: string;
  readonly chip: string;
  readonly chipsUsed: number;
  readonly coresUsed: number;
  /** Freezing OTS on the fixture's 32 calibration images as `compile --calibration-input` does (calibrateFolded over every core). */
  readonly calibrationSeconds: number;
  /** compile() given those tables: every pass and the check. */
  readonly compileSeconds: number;
  readonly goalSeconds: number;
}

/** Compile time of the 36 MB VGGSNN fixture onto loihi2 with --chips auto, OTS freezing included (goal: under 5 s, issue 14), null without ../shared. */
export async function benchCompileVgg(): Promise<CompileBench | { skipped: string }> {
  const dir = resolve(packageRoot(), '..', 'shared', 'fixtures', 'osr-vggsnn-cifar-random');
  if (!existsSync(join(dir, 'checkpoint.pth'))) return { skipped: `${dir} is absent` };
  const { model } = loadModel(join(dir, 'checkpoint.pth'));
  const bytes = readFileSync(join(dir, 'calibration-32x3x32x32.f32'));
  const calibration = new Float32Array(bytes.length / 4);
  for (let i = 0; i < calibration.length; i++) calibration[i] = bytes.readFloatLE(i * 4);
  let started = performance.now();
  const tables = await calibrateFolded(model, calibration, 32);
  const calibrationSeconds = (performance.now() - started) / 1000;
  started = performance.now();
  const result = compile(model, getChip('loihi2'), { chips: 'auto', threshold: 'auto', calibration: { input: calibration, count: 32, tables } });
  const compileSeconds = (performance.now() - started) / 1000;
  return {
    model: model.name,
    chip: 'loihi2',
    chipsUsed: result.program?.chipCount ?? 0,
    coresUsed: result.program?.cores.length ?? 0,
    calibrationSeconds,
    compileSeconds,
    goalSeconds: 5,
  };
}
