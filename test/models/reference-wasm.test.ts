import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { bundledModelPath } from '../../models/bundled/bundled.js';
import { bundledFashionMnistDir, loadFashionMnist } from '../../models/datasets/fashion-mnist.js';
import { imagesAsInput } from '../../models/datasets/image-samples.js';
import { readModelFile } from '../../models/format/model-file.js';
import { ReferenceExecutor } from '../../models/reference/executor.js';
import { CONV2D_WASM_BASE64 } from '../../models/reference/kernels/conv2d-binary.js';
import { standaloneConv2d } from '../../models/reference/kernels/conv2d-wasm.js';
import { conv2dSample, convTaps, reorderConvWeights } from '../../models/reference/kernels/conv2d.js';
import { convCase } from '../helpers/conv-cases.js';
import { PROJECT_ROOT } from '../helpers/fixtures.js';

/** The float reference's WebAssembly convolution against conv2dSample (the specification), bit for bit. */
describe('the float reference convolution in WebAssembly SIMD', () => {
  afterEach(() => {
    delete process.env.SPIKECHIP_NO_WASM;
  });

  it('is the assembled conv2d.wat (run `npm run build:wasm` after editing it)', async () => {
    const assemble = (await import(pathToFileURL(join(PROJECT_ROOT, 'scripts', 'assemble-wasm.mjs')).href)) as { assembleKernels: (text: string) => Promise<Uint8Array> };
    const bytes = await assemble.assembleKernels(readFileSync(join(PROJECT_ROOT, 'models', 'reference', 'kernels', 'conv2d.wat'), 'utf8'));
    expect(Buffer.from(bytes).equals(Buffer.from(CONV2D_WASM_BASE64, 'base64'))).toBe(true);
  });

  const geometry = fc
    .record({
      inChannels: fc.integer({ min: 1, max: 5 }),
      outChannels: fc.integer({ min: 1, max: 9 }),
      inHeight: fc.integer({ min: 1, max: 7 }),
      inWidth: fc.integer({ min: 1, max: 7 }),
      kernel: fc.integer({ min: 1, max: 3 }),
      stride: fc.integer({ min: 1, max: 2 }),
      pad: fc.integer({ min: 0, max: 1 }),
      bias: fc.boolean(),
    })
    .filter((r) => r.inHeight + 2 * r.pad >= r.kernel && r.inWidth + 2 * r.pad >= r.kernel);
  // Spikes, pooled spikes, analog pixels, negative and odd values, and the signed zeros a skip must treat alike.
  const value = fc.oneof(fc.constantFrom(0, 0, 0, 1, 1, 0.25, 0.5, -0, -1), fc.float({ noNaN: true, min: -4, max: 4 }));

  it("gives conv2dSample's float32 outputs bit for bit: spikes, pooled and analog inputs, odd channel counts, strides, padding", () => {
    fc.assert(
      fc.property(
        geometry,
        fc.array(value, { minLength: 5 * 49, maxLength: 5 * 49 }),
        fc.array(fc.float({ noNaN: true, min: -2, max: 2 }), { minLength: 9 * 5 * 9, maxLength: 9 * 5 * 9 }),
        (r, values, weightValues) => {
          const g = convCase(r);
          const inSize = r.inChannels * r.inHeight * r.inWidth;
          const outSize = r.outChannels * g.outHeight * g.outWidth;
          // Two samples, the second at an offset, as a batch lays them out.
          const input = Float32Array.from({ length: 2 * inSize }, (_, i) => values[i % values.length]!);
          const weight = Float32Array.from({ length: r.outChannels * r.inChannels * r.kernel * r.kernel }, (_, i) => weightValues[i]!);
          const bias = r.bias ? Float32Array.from({ length: r.outChannels }, (_, i) => weightValues[weightValues.length - 1 - i]!) : null;
          const reordered = reorderConvWeights(weight, g);
          const taps = convTaps(g);
          const expected = new Float32Array(2 * outSize);
          const acc = new Float64Array(outSize);
          for (let b = 0; b < 2; b++) conv2dSample(input, b * inSize, reordered, taps, bias, g, acc, expected, b * outSize);
          const simd = standaloneConv2d(weight, taps, bias, g, 'float64')!;
          const got = new Float32Array(2 * outSize);
          for (let b = 0; b < 2; b++) simd.run(input, b * inSize, got, b * outSize);
          expect(Buffer.from(got.buffer).equals(Buffer.from(expected.buffer))).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('runs the bundled model to the same outputs, spikes and thresholds with and without WebAssembly', () => {
    const model = readModelFile(bundledModelPath());
    const set = loadFashionMnist(bundledFashionMnistDir(), 'test', 16);
    const input = imagesAsInput(set, model, 16);
    const run = () => new ReferenceExecutor(model, 16).run(input, 16, 'frozen');
    const simd = run();
    process.env.SPIKECHIP_NO_WASM = '1';
    const scalar = run();
    expect(Buffer.from(simd.outputs.buffer).equals(Buffer.from(scalar.outputs.buffer))).toBe(true);
    expect(simd.spikesPerLayerPerStep).toEqual(scalar.spikesPerLayerPerStep);
    expect(simd.spikesPerLayerPerStep.flat().reduce((a, b) => a + b, 0)).toBeGreaterThan(1000);
  });
});
