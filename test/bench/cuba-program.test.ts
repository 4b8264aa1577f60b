import { describe, expect, it } from 'vitest';
import { cubaProgram } from '../../bench/cuba-program.js';
import { decodeChipProgram, encodeChipProgram } from '../../chips/ir/chip-program-codec.js';
import { getChip } from '../../chips/registry.js';
import { runRecurrent } from '../../simulator/free-run/free-run.js';
import { buildRuntime } from '../../simulator/runtime.js';

describe('the CUBA benchmark network as a chip program', () => {
  const spec = getChip('loihi');

  it('draws the C baseline network: mean fan-in 200, 80 % excitatory weights 16, the rest -80', () => {
    const program = cubaProgram(spec, 2000, 10);
    const sparse = program.layers[0]!.connection.sparse!;
    expect(sparse.targets.length / 2000).toBeGreaterThan(190);
    expect(sparse.targets.length / 2000).toBeLessThan(210);
    const first = sparse.weights[sparse.rowStart[0]!];
    const last = sparse.weights[sparse.rowStart[1999]!];
    expect([first, last]).toEqual([16, -80]);
    expect(program.layers[0]!.neuron).toMatchObject({ du: 818, dv: 205, thresholdMantissa: [4995], refractorySteps: 5 });
  });

  it('round-trips through the IR byte for byte, recurrent sparse layer included', () => {
    const program = cubaProgram(spec, 1500, 10);
    const bytes = encodeChipProgram(program);
    const back = decodeChipProgram(bytes, 'cuba.chip.pb');
    expect(back.layers[0]!.recurrent).toBe(true);
    expect(back.layers[0]!.neuron.initialVoltage).toEqual(program.layers[0]!.neuron.initialVoltage);
    expect(Buffer.from(encodeChipProgram(back)).equals(Buffer.from(bytes))).toBe(true);
  });

  it('fires at about the benchmark rate (12 Hz) and counts every synaptic event once, deterministically', () => {
    const run = () => runRecurrent(buildRuntime(cubaProgram(spec, 4000, 300), spec, 'cuba'), 300);
    const a = run();
    const rateHz = a.spikes / 4000 / 0.3;
    expect(rateHz).toBeGreaterThan(8);
    expect(rateHz).toBeLessThan(16);
    expect(a.counters.synapticOps.reduce((s, n) => s + n, 0)).toBe(a.synapticEvents);
    expect(run().spikes).toBe(a.spikes);
  });

  it('refuses a free run of a feed-forward program', () => {
    expect(() => cubaProgram(spec, 100, 5)).toThrowError(/0 < fan-in < N/);
    const program = cubaProgram(spec, 1000, 5);
    program.layers[0]!.recurrent = false;
    expect(() => runRecurrent(buildRuntime(program, spec, 'x'), 5)).toThrowError(/one recurrent layer with sparse synapses/);
  });
});
