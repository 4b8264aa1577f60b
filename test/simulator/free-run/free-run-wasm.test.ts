import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { cubaProgram } from '../../../bench/cuba-program.js';
import { getChip } from '../../../chips/registry.js';
import { runRecurrent, type FreeRunResult } from '../../../simulator/free-run/free-run.js';
import { packSynapses } from '../../../simulator/free-run/free-run-parts.js';
import { expandedBias, fusedLifConstants } from '../../../simulator/fused-lif.js';
import { buildRuntime, type ProgramRuntime } from '../../../simulator/runtime.js';
import { incomingWeightsFit16 } from '../../../simulator/free-run/free-run-layout.js';
import { PROJECT_ROOT } from '../../helpers/fixtures.js';

/** The WebAssembly free run, in one share or several, inline or in threads, against the scalar TypeScript loop. */
describe('the CUBA free run with the WebAssembly kernels', () => {
  const spec = getChip('loihi');
  const program = cubaProgram(spec, 3001, 200);
  const packed = (p: typeof program) => {
    const sparse = p.layers[0]!.connection.sparse!;
    return packSynapses(Int32Array.from(sparse.targets), sparse.weights, p.layers[0]!.shape[0]!)!;
  };
  const outcome = (runtime: ProgramRuntime, run: FreeRunResult) => ({
    spikes: run.spikes,
    events: run.synapticEvents,
    counters: run.counters,
    u: [...runtime.layers[0]!.u],
    v: [...runtime.layers[0]!.v],
    flags: [...runtime.layers[0]!.spikes],
  });
  const scalarRuntime = buildRuntime(program, spec, 'cuba');
  const scalar = outcome(scalarRuntime, runRecurrent(scalarRuntime, 200, { kernel: 'js' }));

  for (const shares of [1, 2, 3]) {
    it(`gives the scalar loop's spikes, events, counters and final state in ${shares} share(s)`, () => {
      const runtime = buildRuntime(program, spec, 'cuba');
      const run = runRecurrent(runtime, 200, { shares });
      expect(scalar.spikes).toBeGreaterThan(1000);
      expect(outcome(runtime, run)).toEqual(scalar);
    });
  }

  it('sums into int16 when every incoming |weight| sum fits (fan-in 200), into int32 when it may not (fan-in 1500)', () => {
    expect(incomingWeightsFit16(packed(program), 3001)).toBe(true);
    const dense = cubaProgram(spec, 3001, 60, 1500);
    expect(incomingWeightsFit16(packed(dense), 3001)).toBe(false);
    const scalarRun = buildRuntime(dense, spec, 'cuba');
    const expected = outcome(scalarRun, runRecurrent(scalarRun, 60, { kernel: 'js' }));
    for (const shares of [1, 2]) {
      const runtime = buildRuntime(dense, spec, 'cuba');
      expect(outcome(runtime, runRecurrent(runtime, 60, { shares }))).toEqual(expected);
    }
    expect(expected.spikes).toBeGreaterThan(100);
  });

  /** The compiled package's modules: workers run .js files. */
  const dist = (file: string) => pathToFileURL(join(PROJECT_ROOT, 'dist', file)).href;

  /** The network laid out in two shares by the compiled package, not yet run. */
  async function twoShareRun(steps: number) {
    const wasm = (await import(dist('simulator/free-run/free-run-wasm.js'))) as typeof import('../../../simulator/free-run/free-run-wasm.js');
    const layOut = (await import(dist('simulator/free-run/free-run-layout.js'))) as typeof import('../../../simulator/free-run/free-run-layout.js');
    const runtime = buildRuntime(program, spec, 'cuba');
    const layer = runtime.layers[0]!;
    const bias = expandedBias(layer.biasMantissa, layer.biasExponent, new Int32Array(layer.neurons)) as Int32Array;
    const constants = fusedLifConstants(layer.du, layer.dv, layer.thresholds[0]!, 'zero', layer.weightExponent);
    return { wasm, layOut, runtime, layer, run: layOut.layOutFreeRun(runtime, layer, steps, packed(program), bias, () => constants, 2) };
  }

  it('gives the same in two threads meeting at a barrier (the compiled package)', async () => {
    const { runRecurrentThreaded } = (await import(dist('simulator/free-run/free-run.js'))) as typeof import('../../../simulator/free-run/free-run.js');
    const { buildRuntime: build } = (await import(dist('simulator/runtime.js'))) as typeof import('../../../simulator/runtime.js');
    const runtime = build(program, spec, 'cuba');
    const run = await runRecurrentThreaded(runtime, 200, 2);
    expect(outcome(runtime, run)).toEqual(scalar);
  });

  it('gives the same when the chunks alternate between threads and one thread running every share', async () => {
    const { wasm, runtime, layer, run } = await twoShareRun(200);
    const threads = (await import(dist('simulator/free-run/free-run-threads.js'))) as typeof import('../../../simulator/free-run/free-run-threads.js');
    const pacing = (await import(dist('simulator/free-run/share-pacer.js'))) as typeof import('../../../simulator/free-run/share-pacer.js');
    // Chunks of 1 to 7 steps, each mode in turn: every switch hands shares between threads mid-run.
    class Alternating extends pacing.SharePacer {
      private chunk = 0;
      override next(): 'threads' | 'inline' {
        return this.chunk++ % 2 === 0 ? 'threads' : 'inline';
      }
      override chunkSteps(): number {
        return 1 + (this.chunk % 7);
      }
    }
    const totals = await threads.runSharesInThreads(run, new Alternating());
    expect(totals.inlineSteps).toBeGreaterThan(50);
    expect(totals.inlineSteps).toBeLessThan(150);
    expect(outcome(runtime, wasm.finishFreeRun(run, layer, totals))).toEqual(scalar);
  });

  it('a share that waits past its spins sleeps in wait32 and wakes when the other publishes, on the main thread too', async () => {
    const { wasm, runtime, layer, run } = await twoShareRun(200);
    const loop = (await import(dist('simulator/free-run/free-run-share-loop.js'))) as typeof import('../../../simulator/free-run/free-run-share-loop.js');
    // Share 1 starts 300 ms late: share 0, in this thread, runs out of spins at its step 1 and sleeps.
    const late = new Worker(
      `const { workerData, parentPort } = require('node:worker_threads');
       Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
       import(workerData.loop).then(({ runShareLoop }) => {
         const share = runShareLoop(workerData.memory, workerData.layout, 1);
         parentPort.postMessage({ spikes: share.spikes, events: share.events });
       });`,
      { eval: true, workerData: { memory: run.memory, layout: run.layout, loop: dist('simulator/free-run/free-run-share-loop.js') } },
    );
    const report = new Promise<{ spikes: number; events: number }>((resolve, reject) => {
      late.once('message', resolve);
      late.once('error', reject);
    });
    const started = performance.now();
    const mine = loop.runShareLoop(run.memory, run.layout, 0);
    expect(performance.now() - started).toBeGreaterThan(250);
    const theirs = await report;
    await late.terminate();
    const result = wasm.finishFreeRun(run, layer, { spikes: mine.spikes + theirs.spikes, events: mine.events + theirs.events, seconds: 1 });
    expect(outcome(runtime, result)).toEqual(scalar);
  });

  it('fails, without hanging, when a worker thread fails (its share releases the others)', async () => {
    const { layOut, run } = await twoShareRun(50);
    const threads = (await import(dist('simulator/free-run/free-run-threads.js'))) as typeof import('../../../simulator/free-run/free-run-threads.js');
    // Share 1 counts its deliveries past the end of the memory: the first delivery of its own spikes traps.
    new DataView(run.memory.buffer).setUint32(run.layout.shares[1]!.record + layOut.RECORD_FIELD.delivered, 2 ** 31, true);
    await expect(threads.runSharesInThreads(run)).rejects.toThrow(/out of bounds/);
  });
});
