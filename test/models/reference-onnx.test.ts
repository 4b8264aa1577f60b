import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bundledModelPath } from '../../models/bundled/bundled.js';
import { bundledFashionMnistDir, loadFashionMnist } from '../../models/datasets/fashion-mnist.js';
import { imagesAsInput } from '../../models/datasets/image-samples.js';
import { readModelFile } from '../../models/format/model-file.js';
import { lifNodes } from '../../models/graph/model.js';
import { loadModel } from '../../models/load-model.js';
import { withFrozenThresholds } from '../../models/reference/calibrate-ots.js';
import { ReferenceExecutor } from '../../models/reference/executor.js';
import { OnnxConv2d, onnxRuntime } from '../../models/reference/kernels/conv2d-onnx.js';
import { conv2dSample, convTaps, reorderConvWeights, type Conv2dGeometry } from '../../models/reference/kernels/conv2d.js';
import { seededRandom, squareConv } from '../helpers/conv-cases.js';
import { HAS_VGG_FIXTURE, PROJECT_ROOT, VGG_FIXTURE, readF32 } from '../helpers/fixtures.js';

const runtime = onnxRuntime();

/** float64 sums of one sample (conv2dSample), rounded once: within one float32 rounding of the exact sums. */
function exactConv(input: Float32Array, weight: Float32Array, bias: Float32Array | null, g: Conv2dGeometry): Float32Array {
  const out = new Float32Array(g.outChannels * g.outHeight * g.outWidth);
  conv2dSample(input, 0, reorderConvWeights(weight, g), convTaps(g), bias, g, new Float64Array(out.length), out, 0);
  return out;
}

/**
 * onnxruntime-node is an optional dependency: where it is missing (or cannot load on this platform) every layer runs
 * on the WebAssembly kernels, which the other reference tests pin; these tests then skip.
 */
describe.skipIf(!runtime)('conv layers on onnxruntime (the float reference with float32 sums, layers fed by average pooling)', () => {
  it('computes the convolution to float32 rounding: strides, padding, bias, odd channel counts, pooled values', () => {
    fc.assert(
      fc.property(
        fc.record({
          inChannels: fc.integer({ min: 1, max: 40 }),
          outChannels: fc.integer({ min: 1, max: 30 }),
          size: fc.integer({ min: 1, max: 9 }),
          kernel: fc.constantFrom(1, 3),
          stride: fc.integer({ min: 1, max: 2 }),
          pad: fc.integer({ min: 0, max: 1 }),
          bias: fc.boolean(),
          batch: fc.integer({ min: 1, max: 3 }),
        }),
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        (r, seed) => {
          const g = squareConv(r);
          const side = g.outHeight;
          fc.pre(side > 0);
          const random = seededRandom(seed);
          const inSize = r.inChannels * r.size * r.size;
          const outSize = r.outChannels * side * side;
          // Average-pooled spikes: quarters, about half of them zero.
          const input = Float32Array.from({ length: r.batch * inSize }, () => (random() < 0.5 ? 0 : Math.ceil(random() * 4) / 4));
          const weight = Float32Array.from({ length: r.outChannels * r.inChannels * r.kernel * r.kernel }, () => Math.fround(random() * 2 - 1));
          const bias = r.bias ? Float32Array.from({ length: r.outChannels }, () => Math.fround(random() - 0.5)) : null;
          const got = new Float32Array(r.batch * outSize);
          new OnnxConv2d(runtime!, weight, bias, g).run(input, r.batch, inSize, got);
          for (let b = 0; b < r.batch; b++) {
            const sample = input.subarray(b * inSize, (b + 1) * inSize);
            const exact = exactConv(sample, weight, bias, g);
            // Float32 sums of n terms stray from the exact sum by at most about n * 2^-24 of the terms' magnitude.
            const magnitude = exactConv(sample.map(Math.abs), weight.map(Math.abs), bias ? bias.map(Math.abs) : null, g);
            const terms = r.inChannels * r.kernel * r.kernel + 1;
            for (let i = 0; i < outSize; i++) {
              expect(Math.abs(got[b * outSize + i]! - exact[i]!)).toBeLessThanOrEqual(terms * 2 ** -23 * magnitude[i]! + 1e-30);
            }
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('takes the conv layers that average pooling feeds, with float32 sums only, within 1e-5 of float64 sums on the bundled model', () => {
    const model = readModelFile(bundledModelPath());
    const set = loadFashionMnist(bundledFashionMnistDir(), 'test', 16);
    const input = imagesAsInput(set, model, 16);
    const float32 = new ReferenceExecutor(model, 16, undefined, 'float32');
    const float64 = new ReferenceExecutor(model, 16, undefined, 'float64');
    const pooledConvs = model.nodes.filter((n, k) => n.kind === 'conv2d' && model.nodes[k - 1]?.kind === 'avgpool2d').map((n) => n.name);
    expect(pooledConvs.length).toBeGreaterThan(0);
    expect(float32.onnxLayers).toEqual(pooledConvs);
    expect(float64.onnxLayers).toEqual([]);
    const a = float32.run(input, 16, 'frozen');
    const b = float64.run(input, 16, 'frozen');
    a.outputs.forEach((v, i) => expect(Math.abs(v - b.outputs[i]!)).toBeLessThanOrEqual(1e-5));
  });

  it('is never loaded in a worker thread (a worker that loaded it aborts the process when it ends)', async () => {
    const module = pathToFileURL(join(PROJECT_ROOT, 'dist', 'models', 'reference', 'kernels', 'conv2d-onnx.js')).href;
    const worker = new Worker(`import(${JSON.stringify(module)}).then((m) => require('node:worker_threads').parentPort.postMessage(m.onnxRuntime() === null));`, { eval: true });
    const none = await new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    expect(none).toBe(true);
  });

  // The 36 MB VGGSNN checkpoint stays in ../shared; a clone of the project alone skips this one.
  it.skipIf(!HAS_VGG_FIXTURE)(`gives VGGSNN's outputsFrozen within 1e-4 with its three pooled-input conv layers on onnxruntime (needs ${VGG_FIXTURE})`, () => {
    const reference = JSON.parse(readFileSync(join(VGG_FIXTURE, 'reference.json'), 'utf8')) as { frozenThresholds: Record<string, number[]>; outputsFrozen: number[][] };
    const { model: raw } = loadModel(join(VGG_FIXTURE, 'checkpoint.pth'));
    const model = withFrozenThresholds(raw, new Map(lifNodes(raw).map((n) => [n.name, Float32Array.from(reference.frozenThresholds[n.prefix!]!)])));
    const executor = new ReferenceExecutor(model, 4, undefined, 'float32');
    expect(executor.onnxLayers).toHaveLength(3);
    const run = executor.run(readF32(join(VGG_FIXTURE, 'inputs-4x3x32x32.f32')), 4, 'frozen');
    reference.outputsFrozen.flat().forEach((v, i) => expect(Math.abs(run.outputs[i]! - v)).toBeLessThanOrEqual(1e-4));
  });
});
