import { ModelError } from '../errors.js';
import type { FlatGraph, FlatNode } from './flatten-graph.js';
import type { NirAffine, NirEdge, NirLinear } from './nir-graph.js';

export interface GraphLink {
  readonly node: FlatNode;
  /**
   * The nodes whose outputs reach this one, in the file's edge order; NIR sums the outputs of every edge into a
   * node, so two or more are a sum (a residual connection). A name twice means its output counts twice.
   */
  readonly inputs: readonly string[];
  /** For a spiking neuron: the linear map of a recurrent edge neuron -> map -> neuron. */
  readonly recurrent: NirAffine | NirLinear | null;
}

const SPIKING = new Set(['IF', 'LIF', 'CubaLIF']);

/**
 * Orders a flat NIR graph for a spikechip Model: the Input first, every node after all the nodes that feed it, the
 * Output last. A cycle neuron -> Affine/Linear -> neuron (the only way in and out of the map) becomes the neuron's
 * recurrent weight; nested graphs' Input/Output nodes disappear (whatever fed them feeds whatever they fed). Any
 * other cycle, a node the Input does not reach, and a node that reaches no Output are refused, naming the node.
 */
export function orderGraph(graph: FlatGraph, file: string): GraphLink[] {
  let edges: NirEdge[] = graph.edges.map((e) => ({ ...e }));
  const preds = (name: string) => edges.filter((e) => e.target === name).map((e) => e.source);
  const succs = (name: string) => edges.filter((e) => e.source === name).map((e) => e.target);
  const byName = new Map(graph.nodes.map((n) => [n.name, n]));
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
    if (p.length === 0 || s.length === 0) {
      throw new ModelError(file, `node ${flat.name} (${flat.node.type} of a nested graph) has ${p.length} inputs and ${s.length} outputs; it must pass something on`);
    }
    edges = edges.filter((e) => e.source !== flat.name && e.target !== flat.name);
    for (const target of s) for (const source of p) edges.push({ source, target });
    removed.add(flat.name);
  }

  const kept = graph.nodes.filter((n) => !removed.has(n.name));
  const inputs = kept.filter((n) => n.node.type === 'Input');
  const outputs = kept.filter((n) => n.node.type === 'Output');
  if (inputs.length !== 1) throw new ModelError(file, `the graph has ${inputs.length} Input nodes; spikechip needs exactly one`);
  if (outputs.length !== 1) throw new ModelError(file, `the graph has ${outputs.length} Output nodes; spikechip needs exactly one`);
  const input = inputs[0]!;
  const output = outputs[0]!;
  for (const [flat, wrong, side] of [
    [input, preds(input.name), 'inputs'],
    [output, succs(output.name), 'outputs'],
  ] as const) {
    if (wrong.length > 0) throw new ModelError(file, `node ${flat.name} (${flat.node.type}) has ${side} (${wrong.join(', ')})`);
  }

  // Kahn's algorithm over the nodes the Input reaches, in the file's node order where the graph leaves a choice.
  const reached = reachable(input.name, succs);
  const unreached = kept.find((n) => !reached.has(n.name));
  if (unreached) throw new ModelError(file, `node ${unreached.name} (${unreached.node.type}) is not on a path from the Input`);
  const feedsOutput = reachable(output.name, preds);
  const dead = kept.find((n) => !feedsOutput.has(n.name));
  if (dead) throw new ModelError(file, `node ${dead.name} (${dead.node.type}) reaches no Output (an unused branch)`);
  const waiting = new Map(kept.map((n) => [n.name, preds(n.name).length]));
  const order: GraphLink[] = [];
  const ready = [input];
  while (ready.length > 0) {
    const flat = ready.shift()!;
    order.push({ node: flat, inputs: preds(flat.name), recurrent: recurrent.get(flat.name) ?? null });
    for (const target of succs(flat.name)) {
      const left = waiting.get(target)! - 1;
      waiting.set(target, left);
      if (left === 0) ready.push(byName.get(target)!);
    }
    ready.sort((a, b) => kept.indexOf(a) - kept.indexOf(b));
  }
  if (order.length < kept.length) {
    const stuck = kept.find((n) => waiting.get(n.name)! > 0)!;
    throw new ModelError(file, `node ${stuck.name} (${stuck.node.type}) is on a cycle that is not a neuron's recurrent linear map`);
  }
  return order;
}

function reachable(start: string, next: (name: string) => string[]): Set<string> {
  const seen = new Set([start]);
  const stack = [start];
  while (stack.length > 0) {
    for (const name of next(stack.pop()!)) {
      if (!seen.has(name)) {
        seen.add(name);
        stack.push(name);
      }
    }
  }
  return seen;
}
