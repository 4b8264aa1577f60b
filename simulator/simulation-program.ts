import type { ChipProgram } from '../chips/ir/chip-program.js';
import { decodeChipProgram } from '../chips/ir/chip-program-codec.js';

/**
 * A program decoded for a thread that only simulates it: every core's route list left empty. The simulator never
 * reads those lists (spike-routes.ts routes spikes from the layers' axon groups), and they are nearly all of a
 * decoded program's heap: ResNet-19's 3.75 M route objects are 400 of its 420 MB, which every full garbage
 * collection of the thread walks (0.25 to 0.5 s each, several at the end of a run). Not for a thread that writes a
 * program back (learnedProgram copies the runtime's program).
 */
export function decodeForSimulation(bytes: Uint8Array, file: string): ChipProgram {
  const program = decodeChipProgram(bytes, file);
  return { ...program, cores: program.cores.map((core) => ({ ...core, routes: [] })) };
}
