import type { Model } from '../graph/model.js';
import type { Evaluation, EvaluateOptions, LabelledSamples } from '../reference/evaluate.js';
import { evaluate } from '../reference/evaluate.js';
import { evaluateParallel, type ParallelEvaluateOptions } from '../reference/evaluate-parallel.js';
import { staticMetrics, type StaticMetrics } from './static-metrics.js';
import { WorkloadCollector, type WorkloadMetrics } from './workload-collector.js';

/** The NeuroBench release whose metric code this reproduces. */
export const NEUROBENCH_VERSION = '2.3.0';

export type NeuroBenchMetrics = { readonly version: string } & StaticMetrics & WorkloadMetrics;

/** The float reference's evaluation with NeuroBench's static and workload metrics of the same run. */
export function evaluateWithNeuroBench(model: Model, data: LabelledSamples, options: EvaluateOptions): { evaluation: Evaluation; neurobench: NeuroBenchMetrics } {
  const collector = new WorkloadCollector(model, data.count, options.mode);
  const evaluation = evaluate(model, data, { ...options, onStage: collector.observe });
  return { evaluation, neurobench: { version: NEUROBENCH_VERSION, ...staticMetrics(model), ...collector.result() } };
}

/** evaluateWithNeuroBench over worker threads (evaluateParallel): the same evaluation and the same metrics. */
export async function evaluateWithNeuroBenchParallel(
  model: Model,
  data: LabelledSamples,
  options: ParallelEvaluateOptions,
): Promise<{ evaluation: Evaluation; neurobench: NeuroBenchMetrics }> {
  const collector = new WorkloadCollector(model, data.count, options.mode);
  const evaluation = await evaluateParallel(model, data, { ...options, workload: collector });
  return { evaluation, neurobench: { version: NEUROBENCH_VERSION, ...staticMetrics(model), ...collector.result() } };
}
