import type { NeuronDynamics } from '../../graph/model.js';

/**
 * One time step of NeuronDynamics in float32, element-wise over `count` neurons:
 * i = current.decay*i + current.scale*x (or i = x without a synaptic current); v = decay*v + inputScale*i + leak.
 * `current` holds the synaptic current state (unused without one).
 */
export function neuronStep(v: Float32Array, current: Float32Array, x: Float32Array, count: number, d: NeuronDynamics): void {
  const f = Math.fround;
  const syn = d.current;
  for (let k = 0; k < count; k++) {
    let drive = x[k]!;
    if (syn) {
      drive = f(f(syn.decay * current[k]!) + f(syn.scale * drive));
      current[k] = drive;
    }
    v[k] = f(f(f(d.decay * v[k]!) + f(d.inputScale * drive)) + d.leak);
  }
}
