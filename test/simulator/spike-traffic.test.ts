import { describe, expect, it } from 'vitest';
import { getChip } from '../../chips/registry.js';
import { compile } from '../../compiler/compile.js';
import { bundledModelPath } from '../../models/bundled/bundled.js';
import { bundledFashionMnistDir, loadFashionMnist } from '../../models/datasets/fashion-mnist.js';
import { readModelFile } from '../../models/format/model-file.js';
import { createCounters, type CoreCounters } from '../../simulator/counters.js';
import { ChipSimulator } from '../../simulator/engine.js';
import { directPixels } from '../../simulator/inputs.js';
import { MeshLinks } from '../../simulator/mesh-links.js';
import { buildRuntime } from '../../simulator/runtime.js';

const ROUTED_KINDS = ['synapticOps', 'messagesIn', 'messagesOut', 'spikesWithinTile', 'hopsEastWest', 'hopsNorthSouth'] as const;

/**
 * The engine charges spike traffic in bulk (per route, per link class, per destination group). Here it is charged
 * the readable way, one spike at a time and one destination core at a time, each packet walked over the mesh
 * (MeshLinks.route), from the spikes the engine fired: every routed count, every link total and every step's
 * busiest link must come out the same.
 */
describe('spike traffic: bulk charging gives the counts of one spike at a time', () => {
  const model = readModelFile(bundledModelPath());
  const images = loadFashionMnist(bundledFashionMnistDir(), 'test', 6);
  // tianjic: 2 chips, a core per tile (packets cross chips); loihi: several cores per tile, a host first layer.
  for (const chip of ['tianjic', 'loihi', 'loihi2'] as const) {
    it(`on ${chip}`, () => {
      const spec = getChip(chip);
      const program = compile(model, spec, { chips: 'auto', threshold: 'auto' }).program!;
      const runtime = buildRuntime(program, spec, `${chip}.chip.pb`);
      const { layers, coreX, coreY, stepsPerInference: steps } = runtime;
      expect(layers.every((l) => l.branches.length === 0)).toBe(true);
      const simulator = new ChipSimulator(runtime);
      const fired: Int32Array[][] = layers.map(() => Array.from({ length: steps }, () => new Int32Array(0)));
      simulator.spikeSink = { spikes: (layer, step, neurons, count) => (fired[layer]![step] = neurons.slice(0, count)) };
      const expected: CoreCounters = createCounters(program.cores.length);
      const mesh = new MeshLinks(simulator.links.width, simulator.links.height);
      const peaks = new Float64Array(steps);
      const size = runtime.inputSize;
      let spikes = 0;
      for (let i = 0; i < images.count; i++) {
        for (const list of fired) list.fill(new Int32Array(0));
        simulator.infer(directPixels(images.images, i * size, size, new Float32Array(size)));
        for (let g = 0; g < steps; g++) {
          for (const layer of layers) {
            const t = g - layer.startStep;
            if (t < 0 || t >= program.timesteps) continue;
            for (const p of layer.partialCores) mesh.route(coreX[p.core]!, coreY[p.core]!, coreX[p.soma]!, coreY[p.soma]!, p.neurons);
            if (layer.index === 0 || g === 0) continue;
            const source = layers[layer.recurrent ? layer.index - 1 : layer.source]!;
            for (const neuron of fired[source.index]![g - 1]!) {
              const axon = layer.axonOf[neuron]!;
              if (axon < 0) continue;
              spikes++;
              const src = source.coreOfNeuron[neuron]!;
              const group = layer.axonGroup[axon]!;
              const begin = layer.groupCoreStart[group]!;
              const end = layer.groupCoreStart[group + 1]!;
              expected.messagesOut[src]! += spec.mesh.multicast ? Math.min(1, end - begin) : end - begin;
              for (let j = begin; j < end; j++) {
                const core = layer.groupCore[j]!;
                expected.synapticOps[core]! += layer.groupCoreSynapses[j]!;
                expected.messagesIn[core]! += 1;
                const dx = Math.abs(coreX[core]! - coreX[src]!);
                const dy = Math.abs(coreY[core]! - coreY[src]!);
                if (dx === 0 && dy === 0) expected.spikesWithinTile[src]! += 1;
                else mesh.route(coreX[src]!, coreY[src]!, coreX[core]!, coreY[core]!, 1);
                expected.hopsEastWest[src]! += dx;
                expected.hopsNorthSouth[src]! += dy;
              }
            }
          }
          peaks[g]! += mesh.endStep();
        }
      }
      expect(spikes).toBeGreaterThan(0);
      // What the engine charged for deliveries (its partial sums and input are counted apart, as the step's own):
      // the second part of each step's counts, charged from the spikes held per route when read.
      const routed = createCounters(program.cores.length);
      for (const [, step] of simulator.stepParts()) for (const kind of ROUTED_KINDS) step![kind].forEach((n, c) => (routed[kind][c]! += n));
      for (const kind of ROUTED_KINDS) expect([...routed[kind]], kind).toEqual([...expected[kind]]);
      expect([...simulator.links.total]).toEqual([...mesh.total]);
      expect([...simulator.stepPeakLinkLoad]).toEqual([...peaks]);
    });
  }
});
