import type { ChipProgram, Connection } from '../chips/ir/chip-program.js';

/**
 * A shard's time limit comes from its work: every connection of every layer carrying an event at every step
 * (the dense bound of a sample's synaptic events), at a rate thirty times below what one quiet core of the
 * reference machine reaches on the bundled model (about 3e9 such bound events per second: 4.1 M per sample in
 * 1.3 ms), and never below a minute. A healthy job ends far inside it on a loaded machine; a stuck one is cut off.
 */
const BOUND_EVENTS_PER_SECOND = 1e8;
export const MIN_JOB_SECONDS = 60;

export function shardTimeLimitSeconds(program: ChipProgram, samples: number): number {
  return Math.max(MIN_JOB_SECONDS, Math.ceil((samples * boundEventsPerSample(program)) / BOUND_EVENTS_PER_SECOND));
}

/**
 * A sweep point's limit once compiled: its test samples and learning samples (a learning step costs about what an
 * inference does, plus its updates: counted twice) as a shard of that many; before compiling, POINT_COMPILE_SECONDS.
 */
export function pointTimeLimitSeconds(program: ChipProgram, samples: number, learningSamples: number): number {
  return shardTimeLimitSeconds(program, samples + 2 * learningSamples);
}

/** What a point may take to compile and check before its limit follows from its program. */
export const POINT_COMPILE_SECONDS = 30 * 60;

/** Synaptic events of one sample if every source fired at every step, over main connections and branches. */
export function boundEventsPerSample(program: ChipProgram): number {
  let perStep = 0;
  for (const layer of program.layers) {
    const neurons = layer.shape.reduce((a, b) => a * b, 1);
    perStep += connectionsOf(layer.connection, neurons);
    for (const branch of layer.branches ?? []) perStep += connectionsOf(branch.connection, neurons);
  }
  return perStep * program.timesteps;
}

function connectionsOf(connection: Connection, neurons: number): number {
  if (connection.conv) return neurons * connection.conv.inChannels * connection.conv.kernelH * connection.conv.kernelW;
  if (connection.dense) return connection.dense.inFeatures * connection.dense.outFeatures;
  if (connection.sparse) return connection.sparse.targets.length;
  return 0;
}
