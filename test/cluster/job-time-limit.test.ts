import { describe, expect, it } from 'vitest';
import { getChip } from '../../chips/registry.js';
import { boundEventsPerSample, MIN_JOB_SECONDS, pointTimeLimitSeconds, shardTimeLimitSeconds } from '../../cluster/job-time-limit.js';
import { compile } from '../../compiler/compile.js';
import { bundledModelPath } from '../../models/bundled/bundled.js';
import { readModelFile } from '../../models/format/model-file.js';

describe('a shard time limit from its work', () => {
  const program = compile(readModelFile(bundledModelPath()), getChip('loihi2'), { chips: 'auto', threshold: 'auto' }).program!;

  it("counts every connection of the bundled model's layers at every step", () => {
    // conv 1->16 3x3 onto 16x28x28, conv 16->32 3x3 onto 32x14x14 (pooled input), dense 32*7*7 -> 10; T = 4.
    const perStep = 16 * 28 * 28 * 9 + 32 * 14 * 14 * 16 * 9 + 32 * 7 * 7 * 10;
    expect(program.timesteps).toBe(4);
    expect(boundEventsPerSample(program)).toBe(4 * perStep);
  });

  it('is a minute for a small shard and grows with the samples beyond', () => {
    expect(shardTimeLimitSeconds(program, 625)).toBe(MIN_JOB_SECONDS);
    const large = shardTimeLimitSeconds(program, 100_000);
    expect(large).toBe(Math.ceil((100_000 * boundEventsPerSample(program)) / 1e8));
    expect(shardTimeLimitSeconds(program, 200_000)).toBeGreaterThanOrEqual(2 * large - 1);
  });

  it("gives a sweep point its test samples' limit, counting each learning sample twice", () => {
    expect(pointTimeLimitSeconds(program, 100_000, 0)).toBe(shardTimeLimitSeconds(program, 100_000));
    expect(pointTimeLimitSeconds(program, 100_000, 50_000)).toBe(shardTimeLimitSeconds(program, 200_000));
  });
});
