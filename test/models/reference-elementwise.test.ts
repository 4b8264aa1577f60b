import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { NormNode } from '../../models/graph/model.js';
import { ReferenceArena } from '../../models/reference/arena.js';
import { ELEMENTWISE_WASM_BASE64 } from '../../models/reference/kernels/elementwise-binary.js';
import { lifCharge, lifFire } from '../../models/reference/kernels/lif.js';
import { normApply, normCoefficients } from '../../models/reference/kernels/norm.js';
import { pool2dSample } from '../../models/reference/kernels/pool.js';
import { PROJECT_ROOT } from '../helpers/fixtures.js';

/** Bit for bit, but any NaN equals any NaN: WebAssembly's arithmetic NaNs carry another sign and payload than V8's. */
function sameBits(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < a.length; i++) if (x[i] !== y[i] && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) return false;
  return true;
}

/** Float32 values as the stages see them: spikes, membrane potentials, signed zeros, NaN and infinities. */
const value = fc.oneof(fc.constantFrom(0, -0, 1, 0.25, 0.75, Number.NaN, Infinity, -Infinity), fc.float({ min: -8, max: 8 }), fc.float({ noDefaultInfinity: true }));
const f32 = fc.float({ noNaN: true, min: -4, max: 4 }).map(Math.fround);

function arena(bytes: number): ReferenceArena {
  const a = ReferenceArena.create(bytes);
  if (!a) throw new Error('this runtime has no WebAssembly SIMD');
  return a;
}

/** elementwise.wat against the TypeScript kernels it stands in for (lif.ts, norm.ts, pool.ts), bit for bit. */
describe('the float reference element-wise stages in WebAssembly SIMD', () => {
  it('is the assembled elementwise.wat (run `npm run build:wasm` after editing it)', async () => {
    const assemble = (await import(pathToFileURL(join(PROJECT_ROOT, 'scripts', 'assemble-wasm.mjs')).href)) as { assembleKernels: (text: string) => Promise<Uint8Array> };
    const bytes = await assemble.assembleKernels(readFileSync(join(PROJECT_ROOT, 'models', 'reference', 'kernels', 'elementwise.wat'), 'utf8'));
    expect(Buffer.from(bytes).equals(Buffer.from(ELEMENTWISE_WASM_BASE64, 'base64'))).toBe(true);
  });

  /**
   * Random potentials, inputs, decay, threshold and reset, set up in an arena; `kernel` runs the WebAssembly side and
   * compares: it gets the arena's arrays and the TypeScript kernels' expected potentials after lifCharge.
   */
  function lifProperty(kernel: (a: ReferenceArena, u: Float32Array, input: Float32Array, spikes: Float32Array, decay: number, theta: number, subtract: boolean) => void) {
    fc.assert(
      fc.property(
        fc.array(value, { minLength: 1, maxLength: 37 }),
        fc.array(value, { minLength: 37, maxLength: 37 }),
        f32,
        f32,
        fc.boolean(),
        (start, x, decay, theta, subtract) => {
          const n = start.length;
          const a = arena(64 * n + 64);
          const [u, input, spikes] = [a.floats(n), a.floats(n), a.floats(n)];
          u.set(start);
          input.set(x.slice(0, n));
          kernel(a, u, input, spikes, decay, theta, subtract);
        },
      ),
      { numRuns: 300 },
    );
  }

  /** lifCharge then lifFire in TypeScript on a copy of `u`: the potentials, spikes and count they give. */
  function expectedLif(u: Float32Array, input: Float32Array, decay: number, theta: number, subtract: boolean) {
    const potentials = Float32Array.from(u);
    const spikes = new Float32Array(u.length);
    lifCharge(potentials, input, 0, u.length, decay);
    const charged = Float32Array.from(potentials);
    const fired = lifFire(potentials, spikes, 0, u.length, theta, subtract ? 'subtract' : 'zero');
    return { charged, potentials, spikes, fired };
  }

  it('charges and fires LIF neurons as lifCharge and lifFire do: potentials, spikes and counts, both resets, any count', () => {
    lifProperty((a, u, input, spikes, decay, theta, subtract) => {
      const expected = expectedLif(u, input, decay, theta, subtract);
      a.kernels.elementwise.lifCharge(u.byteOffset, input.byteOffset, u.length, decay);
      expect(sameBits(u, expected.charged)).toBe(true);
      expect(a.kernels.elementwise.lifFire(u.byteOffset, spikes.byteOffset, u.length, theta, subtract ? 1 : 0)).toBe(expected.fired);
      expect(sameBits(u, expected.potentials)).toBe(true);
      expect(sameBits(spikes, expected.spikes)).toBe(true);
    });
  });

  it('charges and fires in one pass (lifStep) as lifCharge then lifFire do, any count', () => {
    lifProperty((a, u, input, spikes, decay, theta, subtract) => {
      const expected = expectedLif(u, input, decay, theta, subtract);
      expect(a.kernels.elementwise.lifStep(u.byteOffset, input.byteOffset, spikes.byteOffset, u.length, decay, theta, subtract ? 1 : 0)).toBe(expected.fired);
      expect(sameBits(u, expected.potentials)).toBe(true);
      expect(sameBits(spikes, expected.spikes)).toBe(true);
    });
  });

  it('applies both norms as normApply does, planes of any size, in place or into another array', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 11 }),
        fc.constantFrom('osr' as const, 'batchnorm' as const),
        fc.array(f32, { minLength: 16, maxLength: 16 }),
        fc.array(value, { minLength: 132, maxLength: 132 }),
        fc.boolean(),
        (samples, channels, plane, variant, constants, values, inPlace) => {
          const node = {
            kind: 'norm',
            variant,
            eps: 1e-4,
            gamma: { data: Float32Array.from(constants.slice(0, channels)) },
            beta: { data: Float32Array.from(constants.slice(4, 4 + channels)) },
            mean: { data: Float32Array.from(constants.slice(8, 8 + channels)) },
            variance: { data: Float32Array.from(constants.slice(12, 12 + channels), Math.abs) },
          } as unknown as NormNode;
          const k = normCoefficients(node);
          const n = samples * channels * plane;
          const expected = Float32Array.from(values.slice(0, n));
          normApply(k, expected, 0, samples, plane);
          const a = arena(8 * n + 6 * 16 + 64);
          const from = a.floats(n);
          from.set(values.slice(0, n));
          const to = inPlace ? from : a.floats(n);
          const at = [k.mean, k.std, k.gamma, k.beta, k.alpha, k.shift].map((c) => {
            const copy = a.floats(channels);
            copy.set(c);
            return copy.byteOffset;
          }) as [number, number, number, number, number, number];
          a.kernels.elementwise.norm(from.byteOffset, to.byteOffset, samples, channels, plane, variant === 'osr' ? 0 : 1, ...at);
          expect(sameBits(to, expected)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('pools as pool2dSample does: average, sum and max, kernels, strides and padding; 2 x 2 averages four at a time too', () => {
    fc.assert(
      fc.property(
        fc.record({
          samples: fc.integer({ min: 1, max: 2 }),
          channels: fc.integer({ min: 1, max: 3 }),
          height: fc.integer({ min: 1, max: 7 }),
          width: fc.integer({ min: 1, max: 21 }),
          kernel: fc.integer({ min: 1, max: 3 }),
          stride: fc.integer({ min: 1, max: 3 }),
          padding: fc.integer({ min: 0, max: 1 }),
          kind: fc.constantFrom('avg' as const, 'sum' as const, 'max' as const),
        }),
        fc.array(value, { minLength: 2 * 3 * 7 * 21, maxLength: 2 * 3 * 7 * 21 }),
        (r, values) => {
          const padding = Math.min(r.padding, Math.floor(r.kernel / 2));
          const outH = Math.floor((r.height + 2 * padding - r.kernel) / r.stride) + 1;
          const outW = Math.floor((r.width + 2 * padding - r.kernel) / r.stride) + 1;
          fc.pre(outH > 0 && outW > 0);
          const inSize = r.channels * r.height * r.width;
          const outSize = r.channels * outH * outW;
          const input = Float32Array.from(values.slice(0, r.samples * inSize));
          const expected = new Float32Array(r.samples * outSize);
          for (let s = 0; s < r.samples; s++)
            pool2dSample(r.kind, input, s * inSize, r.channels, r.height, r.width, r.kernel, r.stride, outH, outW, expected, s * outSize, padding);
          const a = arena(4 * (input.length + expected.length) + 64);
          const from = a.floats(input.length);
          from.set(input);
          const to = a.floats(expected.length);
          const kind = r.kind === 'avg' ? 0 : r.kind === 'sum' ? 1 : 2;
          a.kernels.elementwise.pool(from.byteOffset, to.byteOffset, r.samples, r.channels, r.height, r.width, r.kernel, r.stride, outH, outW, padding, kind);
          expect(sameBits(to, expected)).toBe(true);
          if (r.kind === 'avg' && r.kernel === 2 && r.stride === 2 && padding === 0) {
            to.fill(0);
            a.kernels.elementwise.averagePool2(from.byteOffset, to.byteOffset, r.samples, r.channels, r.height, r.width, outH, outW);
            expect(sameBits(to, expected)).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('averages 2 x 2 windows four at a time (averagePool2) as pool2dSample does, rows of 2 to 41 columns', () => {
    fc.assert(
      fc.property(
        fc.record({
          samples: fc.integer({ min: 1, max: 2 }),
          channels: fc.integer({ min: 1, max: 3 }),
          height: fc.integer({ min: 2, max: 7 }),
          width: fc.integer({ min: 2, max: 41 }),
        }),
        fc.array(value, { minLength: 2 * 3 * 7 * 41, maxLength: 2 * 3 * 7 * 41 }),
        fc.boolean(),
        (r, values, spikes) => {
          const outH = Math.floor(r.height / 2);
          const outW = Math.floor(r.width / 2);
          const inSize = r.channels * r.height * r.width;
          const outSize = r.channels * outH * outW;
          const input = Float32Array.from(values.slice(0, r.samples * inSize), (v) => (spikes ? (v === 0 || Number.isNaN(v) ? 0 : 1) : v));
          const expected = new Float32Array(r.samples * outSize);
          for (let s = 0; s < r.samples; s++) pool2dSample('avg', input, s * inSize, r.channels, r.height, r.width, 2, 2, outH, outW, expected, s * outSize);
          const a = arena(4 * (input.length + expected.length) + 64);
          const from = a.floats(input.length);
          from.set(input);
          const to = a.floats(expected.length);
          a.kernels.elementwise.averagePool2(from.byteOffset, to.byteOffset, r.samples, r.channels, r.height, r.width, outH, outW);
          expect(sameBits(to, expected)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('adds two arrays in float32, any count', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(value, value), { minLength: 1, maxLength: 23 }), (pairs) => {
        const n = pairs.length;
        const a = arena(12 * n + 64);
        const x = a.floats(n);
        const y = a.floats(n);
        const to = a.floats(n);
        x.set(pairs.map((p) => p[0]));
        y.set(pairs.map((p) => p[1]));
        const expected = new Float32Array(n);
        for (let i = 0; i < n; i++) expected[i] = x[i]! + y[i]!;
        a.kernels.elementwise.add(x.byteOffset, y.byteOffset, to.byteOffset, n);
        expect(sameBits(to, expected)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
