/** Input the simulator cannot run: a program for another chip, data of the wrong shape, an unsupported layer. */
export class SimulationError extends Error {
  override readonly name = 'SimulationError';
  constructor(
    readonly source: string,
    readonly detail: string,
  ) {
    super(`${source}: ${detail}`);
  }
}
