import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Model, ModelNode } from '../../../models/graph/model.js';
import { loadModel } from '../../../models/load-model.js';
import type { NirArray, NirGraph, NirNode } from '../../../models/nir/nir-graph.js';
import { readNirGraph } from '../../../models/nir/read-nir.js';
import { ReferenceExecutor } from '../../../models/reference/executor.js';
import { fixturePath } from '../../helpers/fixtures.js';
import { inputOf, perStepOutputs } from './nir-test-helpers.js';

/*
 * The NIR equations, integrated here independently in float64 from the raw NIR fields (not from the Model the
 * importer builds), with the dt and rule each writer implies:
 *   LIF      tau dv/dt = (v_leak - v) + R I,                 z = H(v - v_thr), v -> 0
 *   CubaLIF  tau_syn dI/dt = -I + w_in x;  tau_mem dv/dt = (v_leak - v) + R I
 * forward Euler: v += (dt/tau) (v_leak - v + R I); exact (Rockpool): v = a v + (1 - a)(v_leak + R I), a = e^(-dt/tau).
 * The float reference (float32 state) must give the same spike trains and membrane traces.
 */

const nirPath = (name: string) => fixturePath('nir', `${name}.nir`);
const graphOf = (name: string): NirGraph => readNirGraph(readFileSync(nirPath(name)), name).graph;
const node = <T extends NirNode['type']>(g: NirGraph, name: string, type: T) => {
  const n = g.nodes.find((m) => m.name === name)!;
  expect(n.type).toBe(type);
  return n as Extract<NirNode, { type: T }>;
};
const first = (a: NirArray) => a.data[0]!;

interface Lif {
  tau: number;
  r: number;
  vLeak: number;
  vThr: number;
}

/** One LIF neuron fed I[t]: returns v (after reset) and z per step. */
function lifTrace(p: Lif, dt: number, rule: 'euler' | 'exact', current: readonly number[]): { v: number[]; z: number[] } {
  let v = 0;
  const vs: number[] = [];
  const zs: number[] = [];
  for (const I of current) {
    if (rule === 'euler') v += (dt / p.tau) * (p.vLeak - v + p.r * I);
    else {
      const a = Math.exp(-dt / p.tau);
      v = a * v + (1 - a) * (p.vLeak + p.r * I);
    }
    const z = v >= p.vThr ? 1 : 0;
    if (z) v = 0;
    vs.push(v);
    zs.push(z);
  }
  return { v: vs, z: zs };
}

/** The same model with its last neuron made non-spiking (same dynamics), so the output is its membrane. */
function membraneOf(model: Model): Model {
  const nodes = model.nodes.map((n): ModelNode =>
    n === model.nodes[model.nodes.length - 1] && n.kind === 'spiking-neuron' ? { kind: 'leaky-integrator', name: n.name, origin: n.origin, dynamics: n.dynamics } : n,
  );
  return { ...model, nodes };
}

const column = (rows: number[][], k = 0) => rows.map((r) => r[k]!);
/** A per-step output recovered from running means: 0 or 1 up to float rounding (and -0 read as 0). */
const spike = (v: number) => Math.round(v) + 0;

describe('single LIF fixtures against the NIR equation', () => {
  it('lif_norse: forward Euler with dt = 1 ms', () => {
    const g = graphOf('lif_norse');
    const aff = node(g, '0', 'Affine');
    const lif = node(g, '1', 'LIF');
    const p = { tau: first(lif.tau), r: first(lif.r), vLeak: first(lif.vLeak), vThr: first(lif.vThreshold) };
    const model = loadModel(nirPath('lif_norse')).model;
    for (const x of [0.2, 0.09, 0.5]) {
      const I = first(aff.weight) * x + first(aff.bias);
      const expected = lifTrace(p, 1e-3, 'euler', new Array<number>(30).fill(I));
      const spikes = column(perStepOutputs(model, inputOf(model, [x]), 30)).map(spike);
      expect(spikes).toEqual(expected.z);
      const sub = lifTrace({ ...p, vThr: Infinity }, 1e-3, 'euler', new Array<number>(30).fill(I)).v;
      column(perStepOutputs(membraneOf(model), inputOf(model, [x]), 30)).forEach((v, t) => expect(v).toBeCloseTo(sub[t]!, 5));
    }
    // x = 0.2: v = 0.08, 0.128 >= 0.1 fires at step 2, every second step.
    expect(lifTrace(p, 1e-3, 'euler', [0.2, 0.2, 0.2, 0.2]).z).toEqual([0, 1, 0, 1]);
    // The run's per-step statistics count NIR neurons as spiking layers too.
    const run = new ReferenceExecutor({ ...model, timesteps: 6 }, 1).run(inputOf(model, [0.2]), 1, 'frozen');
    expect([run.lifKeys, run.spikesPerLayerPerStep, run.thresholdsPerLayerPerStep[0]!.map(Math.fround)]).toEqual([
      ['1'],
      [[0, 1, 0, 1, 0, 1]],
      new Array<number>(6).fill(Math.fround(0.1)),
    ]);
  });

  it('lif_rockpool: exact integration with dt = 0.1 ms solved from r', () => {
    const g = graphOf('lif_rockpool');
    const lin = node(g, '0_LinearTorch', 'Linear');
    const lif = node(g, '1_LIFNeuronTorch', 'LIF');
    const p = { tau: first(lif.tau), r: first(lif.r), vLeak: first(lif.vLeak), vThr: first(lif.vThreshold) };
    const model = loadModel(nirPath('lif_rockpool')).model;
    for (const x of [1, 0.3, 2.5]) {
      const I = first(lin.weight) * x;
      const expected = lifTrace(p, 1e-4, 'exact', new Array<number>(40).fill(I));
      expect(column(perStepOutputs(model, inputOf(model, [x]), 40)).map(spike)).toEqual(expected.z);
      const sub = lifTrace({ ...p, vThr: Infinity }, 1e-4, 'exact', new Array<number>(40).fill(I)).v;
      column(perStepOutputs(membraneOf(model), inputOf(model, [x]), 40)).forEach((v, t) => expect(v).toBeCloseTo(sub[t]!, 5));
    }
    expect(lifTrace(p, 1e-4, 'exact', new Array<number>(3).fill(0.04)).z).toEqual([0, 0, 1]);
  });

  it('two_lif_neurons: lif1 driven by its leak alone fires first at step 179 (dt = 0.1 ms assumed)', () => {
    const g = graphOf('two_lif_neurons');
    const lif = node(g, 'lif1', 'LIF');
    const p = { tau: first(lif.tau), r: first(lif.r), vLeak: first(lif.vLeak), vThr: first(lif.vThreshold) };
    const full = loadModel(nirPath('two_lif_neurons')).model;
    const model = { ...full, nodes: full.nodes.slice(0, 2) };
    const steps = 400;
    const expected = lifTrace(p, 1e-4, 'euler', new Array<number>(steps).fill(0));
    const spikes = column(perStepOutputs(model, inputOf(model, [0]), steps)).map(spike);
    expect(spikes).toEqual(expected.z);
    expect(expected.z.indexOf(1)).toBe(178);
    expect(expected.z.reduce((a, b) => a + b, 0)).toBe(2);
  });
});

/** fc1 -> CubaLIF (recurrent through w_rec) -> fc2 -> CubaLIF, forward Euler with dt = 0.1 ms (snnTorch). */
function brailleTrace(g: NirGraph, x: readonly number[], steps: number, reset: 'zero' | 'subtract') {
  const dt = 1e-4;
  const affine = (name: string) => {
    const n = g.nodes.find((m) => m.name === name)!;
    if (n.type !== 'Affine' && n.type !== 'Linear') throw new Error(name);
    const [out, inn] = n.weight.shape as [number, number];
    const bias = n.type === 'Affine' ? n.bias.data : new Float64Array(out);
    return (v: readonly number[]) => Array.from({ length: out }, (_, o) => bias[o]! + v.reduce((s, vi, i) => s + n.weight.data[o * inn + i]! * vi, 0));
  };
  const cuba = (name: string) => {
    const n = node(g, name, 'CubaLIF');
    return { tm: first(n.tauMem), ts: first(n.tauSyn), r: first(n.r), vl: first(n.vLeak), th: first(n.vThreshold), w: first(n.wIn) };
  };
  const fc1 = affine('fc1');
  const rec = affine('lif1.w_rec');
  const fc2 = affine('fc2');
  const l1 = cuba('lif1.lif');
  const l2 = cuba('lif2');
  const n1 = fc1(x).length;
  const n2 = fc2(new Array<number>(n1).fill(0)).length;
  const state = (n: number) => ({ i: new Array<number>(n).fill(0), v: new Array<number>(n).fill(0), z: new Array<number>(n).fill(0) });
  const s1 = state(n1);
  const s2 = state(n2);
  let margin = Infinity;
  const step = (s: ReturnType<typeof state>, p: ReturnType<typeof cuba>, input: number[]) => {
    for (let k = 0; k < input.length; k++) {
      s.i[k] = s.i[k]! + (dt / p.ts) * (-s.i[k]! + p.w * input[k]!);
      s.v[k] = s.v[k]! + (dt / p.tm) * (p.vl - s.v[k]! + p.r * s.i[k]!);
      margin = Math.min(margin, Math.abs(s.v[k]! - p.th));
      s.z[k] = s.v[k]! >= p.th ? 1 : 0;
      if (s.z[k]) s.v[k] = reset === 'zero' ? 0 : s.v[k]! - p.th;
    }
  };
  const out: number[][] = [];
  const a1 = fc1(x);
  for (let t = 0; t < steps; t++) {
    const r = rec(s1.z);
    step(
      s1,
      l1,
      a1.map((a, k) => a + r[k]!),
    );
    step(s2, l2, fc2(s1.z));
    out.push([...s2.z]);
  }
  return { out, margin };
}

describe('braille CubaLIF networks with recurrence against the NIR equations', () => {
  it.each([
    ['braille_noDelay_bias_zero', 'zero'],
    ['braille_noDelay_noBias_subtract', 'subtract'],
  ] as const)('%s (reset %s)', (name, reset) => {
    const g = graphOf(name);
    const model = loadModel(nirPath(name), { nirReset: reset }).model;
    const steps = 40;
    // A fixed input pattern (as a braille frame would hold a pressure value per taxel).
    const x = Array.from({ length: 12 }, (_, k) => ((k * 7) % 5) / 2 - 0.5);
    const { out, margin } = brailleTrace(g, x, steps, reset);
    // float32 state against float64: only a membrane within rounding of the threshold could flip a spike.
    expect(margin).toBeGreaterThan(1e-4);
    const got = perStepOutputs(model, inputOf(model, x), steps).map((row) => row.map(spike));
    expect(got).toEqual(out);
    expect(out.flat().reduce((a, b) => a + b, 0)).toBeGreaterThan(5);
  });
});
