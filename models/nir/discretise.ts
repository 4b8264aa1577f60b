import { ModelError } from '../errors.js';
import type { NeuronDynamics } from '../graph/model.js';
import type { NirArray, NirNode } from './nir-graph.js';

/**
 * NIR's neurons are continuous-time and NIR carries no dt; each framework writes its time constants for its own
 * dt and integration rule. The writer is recognised from the file where it can be, and the rule and dt it implies
 * are recorded in the model's notes:
 *  - snnTorch writes r = tau_mem/dt and w_in = tau_syn/dt (so that beta*v + I is the forward Euler step):
 *    dt = tau/r, forward Euler. Reference: the braille fixtures (tau_mem/r = tau_syn/w_in = 1e-4 s).
 *  - Rockpool names its nodes `<n>_<Module>Torch` and integrates exactly (exp(-dt/tau)); its r matches
 *    r = (tau/dt) exp(-dt/tau), which gives dt. Reference: lif_rockpool.nir (r = 24.0197, tau = 2.5 ms gives
 *    dt = 1e-4 s); inferred from the fixture, unconfirmed against Rockpool's source.
 *  - Sinabs writes only IF neurons (no time constant) and integrates v += r x per step: dt = 1.
 *  - Norse writes numbered nodes with r = 1 and integrates forward Euler with its default dt = 1e-3 s.
 *  - spikechip's own export states its dt in `/spikechip/dt` (forward Euler).
 *  - Otherwise: forward Euler with the dt given (--nir-dt), else 1e-4 s, said so in a note.
 */
export type NirWriter = 'spikechip' | 'snntorch' | 'rockpool' | 'sinabs' | 'norse' | 'unknown';

export interface TimeConvention {
  readonly writer: NirWriter;
  /** Seconds per step (Sinabs: 1, time counted in steps). */
  readonly dt: number;
  readonly rule: 'forward-euler' | 'exponential';
  readonly note: string;
}

export const DEFAULT_NIR_DT = 1e-4;
const NORSE_DT = 1e-3;

export function detectConvention(nodes: readonly NirNode[], dtOption: number | undefined, statedDt: number | null = null): TimeConvention {
  const neurons = nodes.filter((n) => n.type === 'LIF' || n.type === 'CubaLIF' || n.type === 'LI' || n.type === 'CubaLI');
  const withTime = neurons.length > 0;
  if (dtOption !== undefined) {
    const rule = nodes.some((n) => /^\d+_\w+Torch$/.test(n.name)) ? 'exponential' : 'forward-euler';
    return { writer: 'unknown', dt: dtOption, rule, note: `dt = ${dtOption} s as given, ${rule} integration` };
  }
  if (statedDt !== null) {
    return { writer: 'spikechip', dt: statedDt, rule: 'forward-euler', note: `written by spikechip: dt = ${fmt(statedDt)} s (/spikechip/dt), forward Euler` };
  }
  if (nodes.some((n) => /^\d+_\w+Torch$/.test(n.name))) {
    const dt = rockpoolDt(neurons);
    return {
      writer: 'rockpool',
      dt,
      rule: 'exponential',
      note: `written by Rockpool (node names): dt = ${fmt(dt)} s solved from r = (tau/dt) exp(-dt/tau), exact exponential decay (inferred, unconfirmed)`,
    };
  }
  const snn = snnTorchDt(neurons);
  if (snn !== null) {
    return { writer: 'snntorch', dt: snn, rule: 'forward-euler', note: `written by snnTorch (r = tau_mem/dt, w_in = tau_syn/dt): dt = ${fmt(snn)} s, forward Euler` };
  }
  if (!withTime && nodes.some((n) => n.type === 'IF' || n.type === 'I')) {
    return { writer: 'sinabs', dt: 1, rule: 'forward-euler', note: 'only IF neurons, no time constant (as Sinabs writes): one step per unit of time, v += r*x' };
  }
  if (withTime && nodes.every((n) => /^\d+$|^input$|^output$/.test(n.name)) && neurons.every((n) => 'r' in n && uniform(n.r) === 1)) {
    return { writer: 'norse', dt: NORSE_DT, rule: 'forward-euler', note: `numbered nodes with r = 1 (as Norse writes): Norse's dt = ${NORSE_DT} s, forward Euler` };
  }
  return {
    writer: 'unknown',
    dt: DEFAULT_NIR_DT,
    rule: 'forward-euler',
    note: `writer not recognised: dt = ${DEFAULT_NIR_DT} s assumed, forward Euler (pass --nir-dt to choose)`,
  };
}

/** snnTorch's r = tau_mem/dt and w_in = tau_syn/dt: one dt for every neuron, and r > 1 (r = 1 would mean beta = 0). */
function snnTorchDt(neurons: readonly NirNode[]): number | null {
  const dts: number[] = [];
  for (const n of neurons) {
    if (n.type === 'LIF' || n.type === 'LI') {
      const r = uniform(n.r);
      if (r === null || r <= 1) return null;
      dts.push(uniform(n.tau)! / r);
    } else if (n.type === 'CubaLIF' || n.type === 'CubaLI') {
      const r = uniform(n.r);
      const w = uniform(n.wIn);
      if (r === null || w === null || r <= 1) return null;
      dts.push(uniform(n.tauMem)! / r, uniform(n.tauSyn)! / w);
    }
  }
  if (dts.length === 0 || dts.some((d) => !Number.isFinite(d) || d <= 0)) return null;
  const first = dts[0]!;
  return dts.every((d) => Math.abs(d - first) <= 1e-4 * first) ? first : null;
}

/** Solves r = (tau/dt) exp(-dt/tau) for y = dt/tau (y e^y = 1/r) by Newton's method. */
function rockpoolDt(neurons: readonly NirNode[]): number {
  for (const n of neurons) {
    const tau = n.type === 'LIF' || n.type === 'LI' ? uniform(n.tau) : n.type === 'CubaLIF' || n.type === 'CubaLI' ? uniform(n.tauMem) : null;
    const r = 'r' in n ? uniform(n.r) : null;
    if (tau === null || r === null || r <= 0) continue;
    let y = 1 / r;
    for (let k = 0; k < 50; k++) y -= (y * Math.exp(y) - 1 / r) / (Math.exp(y) * (1 + y));
    return y * tau;
  }
  return DEFAULT_NIR_DT;
}

/** One value when every element is equal (NIR stores one per neuron), else null. */
export function uniform(a: NirArray): number | null {
  const first = a.data[0];
  if (first === undefined) return null;
  for (const v of a.data) if (v !== first) return null;
  return first;
}

/**
 * Per-step factors of tau dv/dt = -v + u, u held over the step: forward Euler gives v' = (1 - dt/tau) v + (dt/tau) u,
 * the exact (zero-order-hold) solution v' = a v + (1 - a) u with a = exp(-dt/tau).
 */
function stepFactors(tau: number, c: TimeConvention): { decay: number; gain: number } {
  if (c.rule === 'exponential') {
    const a = Math.exp(-c.dt / tau);
    return { decay: a, gain: 1 - a };
  }
  return { decay: 1 - c.dt / tau, gain: c.dt / tau };
}

export function discretise(node: NirNode, c: TimeConvention, file: string): NeuronDynamics {
  const one = (a: NirArray, field: string): number => {
    const v = uniform(a);
    if (v === null) throw new ModelError(file, `node ${node.name} (${node.type}): per-neuron ${field} values differ; spikechip needs one ${field} per layer`);
    if (!Number.isFinite(v)) throw new ModelError(file, `node ${node.name} (${node.type}): ${field} is not finite`);
    return v;
  };
  const tauOk = (tau: number, field: string) => {
    if (!(tau > 0)) throw new ModelError(file, `node ${node.name} (${node.type}): ${field} must be positive, got ${tau}`);
    return tau;
  };
  switch (node.type) {
    case 'IF':
    case 'I':
      return { decay: 1, inputScale: c.dt * one(node.r, 'r'), leak: 0, current: null };
    case 'LIF':
    case 'LI': {
      const m = stepFactors(tauOk(one(node.tau, 'tau'), 'tau'), c);
      return { decay: m.decay, inputScale: m.gain * one(node.r, 'r'), leak: m.gain * one(node.vLeak, 'v_leak'), current: null };
    }
    case 'CubaLIF':
    case 'CubaLI': {
      const m = stepFactors(tauOk(one(node.tauMem, 'tau_mem'), 'tau_mem'), c);
      const syn = stepFactors(tauOk(one(node.tauSyn, 'tau_syn'), 'tau_syn'), c);
      return {
        decay: m.decay,
        inputScale: m.gain * one(node.r, 'r'),
        leak: m.gain * one(node.vLeak, 'v_leak'),
        current: { decay: syn.decay, scale: syn.gain * one(node.wIn, 'w_in') },
      };
    }
    default:
      throw new ModelError(file, `node ${node.name} (${node.type}) is not a neuron`);
  }
}

function fmt(x: number): string {
  return Number(x.toPrecision(6)).toString();
}
