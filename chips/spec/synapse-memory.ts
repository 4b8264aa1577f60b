/** Reference: nengo-loihi nengo_loihi/block.py (SynapseConfig.bits_per_axon), as DESIGN.md section 3 states it:
 * each synapse costs weight + delay + tag bits, each group of up to 64 synapses adds a 10-bit header, and groups
 * are rounded up to 64-bit words. The numbers themselves come from the spec (chip-spec.ts SynapseMemoryModel).
 */
import type { CrossbarSynapseMemory, GroupedSynapseMemory } from './chip-spec.js';

/** The fields of one synapse entry (bits each). */
export interface SynapseEntryFormat {
  /** Weight mantissa (bits). */
  readonly weightBits: number;
  /** Delay (bits); 0 without delays. */
  readonly delayBits: number;
  /** Learning tag (bits); 0 without learning. */
  readonly tagBits: number;
}

/**
 * Width of a synapse's delay field (bits): the narrowest field that holds every delay 0..maxDelaySteps. A spec
 * states the longest delay, not the field; a chip cannot store fewer bits than this (nengo-loihi's SynapseFmt
 * sizes `dlyBits` per synapse format the same way), so the accounting never undercounts. 0 without delays.
 */
export function delayFieldBits(maxDelaySteps: number): number {
  return maxDelaySteps > 0 ? Math.ceil(Math.log2(maxDelaySteps + 1)) : 0;
}

/** Bits one synapse entry occupies (bits). */
export function bitsPerSynapse(format: SynapseEntryFormat): number {
  return format.weightBits + format.delayBits + format.tagBits;
}

/**
 * Synapse memory one input axon with `synapseCount` synapses uses under the grouped-words model (bits): full
 * groups of `maxSynapsesPerGroup` then one partial group, each (n * bitsPerEntry + header) rounded up to words.
 */
export function groupedSynapseBitsForAxon(model: GroupedSynapseMemory, synapseCount: number, bitsPerEntry: number): number {
  const groupBits = (n: number): number => Math.ceil((n * bitsPerEntry + model.headerBitsPerGroup) / model.wordBits) * model.wordBits;
  const fullGroups = Math.floor(synapseCount / model.maxSynapsesPerGroup);
  const rest = synapseCount - fullGroups * model.maxSynapsesPerGroup;
  return fullGroups * groupBits(model.maxSynapsesPerGroup) + (rest > 0 ? groupBits(rest) : 0);
}

/** Bits `synapseCount` stored synapses use on a crossbar core (bits); compare with 8 * core.sramBytes. */
export function crossbarSynapseBits(model: CrossbarSynapseMemory, synapseCount: number): number {
  return synapseCount * model.weightBits;
}
