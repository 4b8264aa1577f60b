import { ModelError } from '../errors.js';
import type { FlatGraph, FlatNode } from './flatten-graph.js';
import type { NirAffine, NirLinear } from './nir-graph.js';

export interface ChainLink {
  readonly node: FlatNode;
  /** For a spiking neuron: the linear map of a recurrent edge neuron -> map -> neuron. */
  readonly recurrent: NirAffine | NirLinear | null;
}

const SPIKING = new Set(['IF', 'LIF', 'CubaLIF']);

/**
 * Orders a flat NIR graph into the chain a spikechip Model is: Input, then one node after another, then Output.
 * A cycle neuron -> Affine/Linear -> neuron (the only way in and out of the map) becomes the neuron's recurrent
 * weight; nested graphs' Input/Output nodes disappear. Any other branching, merging or cycle is refused, naming
 * the node.
 */
export function orderChain(graph: FlatGraph, file: string): ChainLink[] {
  const byName = new Map(graph.nodes.map((n) => [n.name, n]));
  let edges = graph.edges.map((e) => ({ ...e }));
  const preds = (name: string) => edges.filter((e) => e.target === name).map((e) => e.source);
  const succs = (name: string) => edges.filter((e) => e.source === name).map((e) => e.target);
  const recurrent = new Map<string, NirAffine | NirLinear>();
  const removed = new Set<string>();

  for (const flat of graph.nodes) {
    const n = flat.node;
    if (n.type !== 'Affine' && n.type !== 'Linear') continue;
    const p = preds(flat.name);
    const s = succs(flat.name);
    if (p.length === 1 && s.length === 1 && p[0] === s[0] && SPIKING.has(byName.get(p[0]!)!.node.type)) {
      if (recurrent.has(p[0]!)) throw new ModelError(file, `node ${p[0]} has two recurrent connections; spikechip supports one`);
      recurrent.set(p[0]!, n);
      removed.add(flat.name);
      edges = edges.filter((e) => e.source !== flat.name && e.target !== flat.name);
    }
  }
  for (const flat of graph.nodes) {
    if (!flat.passThrough) continue;
    const p = preds(flat.name);
    const s = succs(flat.name);
    if (p.length !== 1 || s.length !== 1) {
      throw new ModelError(file, `node ${flat.name} (${flat.node.type} of a nested graph) has ${p.length} inputs and ${s.length} outputs; spikechip inlines only chains`);
    }
    edges = edges.filter((e) => e.source !== flat.name && e.target !== flat.name);
    edges.push({ source: p[0]!, target: s[0]! });
    removed.add(flat.name);
  }

  const inputs = graph.nodes.filter((n) => n.node.type === 'Input' && !removed.has(n.name));
  if (inputs.length !== 1) throw new ModelError(file, `the graph has ${inputs.length} Input nodes; spikechip needs exactly one`);
  const chain: ChainLink[] = [];
  const seen = new Set<string>();
  let current: FlatNode | undefined = inputs[0];
  while (current) {
    if (seen.has(current.name)) throw new ModelError(file, `node ${current.name} is on a cycle that is not a neuron's recurrent linear map`);
    seen.add(current.name);
    const p = preds(current.name);
    if (p.length > 1) throw new ModelError(file, `node ${current.name} (${current.node.type}) has ${p.length} inputs (${p.join(', ')}); spikechip models are chains`);
    chain.push({ node: current, recurrent: recurrent.get(current.name) ?? null });
    const s = succs(current.name);
    if (s.length > 1) throw new ModelError(file, `node ${current.name} (${current.node.type}) feeds ${s.length} nodes (${s.join(', ')}); spikechip models are chains`);
    current = s.length === 1 ? byName.get(s[0]!) : undefined;
  }
  const last = chain[chain.length - 1]!.node;
  if (last.node.type !== 'Output') throw new ModelError(file, `the chain from the Input ends at node ${last.name} (${last.node.type}), not at an Output node`);
  const unreached = graph.nodes.filter((n) => !seen.has(n.name) && !removed.has(n.name));
  if (unreached.length > 0) throw new ModelError(file, `node ${unreached[0]!.name} (${unreached[0]!.node.type}) is not on the path from the Input to the Output`);
  return chain;
}
