import type { Model } from '../../models/graph/model.js';
import { diagnostic, type Diagnostic } from '../diagnostics.js';

/**
 * read-out-output: the chip's output is the mean over T of the last synaptic layer's input (its output
 * accumulators, DESIGN.md section 2). A NIR model often ends in spiking neurons (Sinabs' IF after the last
 * Affine), whose spike count is its output: those neurons are dropped and read out as their mean input current
 * instead, with a warning, since the two rank classes alike only as far as the neurons integrate without leak or
 * saturation.
 */
export function readOutOutput(model: Model): { model: Model; diagnostics: Diagnostic[] } {
  const last = model.nodes[model.nodes.length - 1];
  const before = model.nodes[model.nodes.length - 2];
  if (last?.kind !== 'spiking-neuron' || (before?.kind !== 'linear' && before?.kind !== 'conv2d')) return { model, diagnostics: [] };
  const message = `the model's output is the spike count of its last ${last.origin} neurons; the chip reads the mean input current of ${before.name} instead (its output accumulators)`;
  return {
    model: { ...model, nodes: model.nodes.slice(0, -1) },
    diagnostics: [diagnostic('W-OUTPUT-SPIKES', { layer: last.name }, {}, message)],
  };
}
