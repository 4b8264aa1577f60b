import { ModelError } from '../errors.js';
import type { NirEdge, NirGraph, NirNode } from './nir-graph.js';

/** A NIR node after nested graphs are inlined: its name is qualified by its graphs (`outer.inner`). */
export interface FlatNode {
  readonly name: string;
  readonly node: Exclude<NirNode, { type: 'NIRGraph' }>;
  /** The Input/Output of a nested graph: the identity, removed when the chain is built. */
  readonly passThrough: boolean;
}

export interface FlatGraph {
  readonly nodes: readonly FlatNode[];
  readonly edges: readonly NirEdge[];
}

/**
 * Inlines nested graphs: a subgraph's nodes get its name as a prefix, an edge into the subgraph goes to its Input
 * node and an edge out of it leaves from its Output node.
 */
export function flattenGraph(graph: NirGraph, file: string): FlatGraph {
  const nodes: FlatNode[] = [];
  const edges: NirEdge[] = [];
  inline(graph, '', true, nodes, edges, file);
  return { nodes, edges };
}

interface Ports {
  readonly entry: string;
  readonly exit: string;
}

function inline(graph: NirGraph, prefix: string, top: boolean, nodes: FlatNode[], edges: NirEdge[], file: string): Ports | null {
  const ports = new Map<string, Ports>();
  for (const node of graph.nodes) {
    const name = prefix + node.name;
    if (node.type === 'NIRGraph') {
      const inner = inline(node.graph, `${name}.`, false, nodes, edges, file);
      ports.set(node.name, inner!);
    } else {
      nodes.push({ name, node, passThrough: !top && (node.type === 'Input' || node.type === 'Output') });
      ports.set(node.name, { entry: name, exit: name });
    }
  }
  for (const edge of graph.edges) {
    edges.push({ source: ports.get(edge.source)!.exit, target: ports.get(edge.target)!.entry });
  }
  if (top) return null;
  const inputs = graph.nodes.filter((n) => n.type === 'Input');
  const outputs = graph.nodes.filter((n) => n.type === 'Output');
  const where = prefix.slice(0, -1);
  if (inputs.length !== 1 || outputs.length !== 1) {
    throw new ModelError(file, `nested graph ${where} has ${inputs.length} Input and ${outputs.length} Output nodes; spikechip inlines graphs with one of each`);
  }
  return { entry: prefix + inputs[0]!.name, exit: prefix + outputs[0]!.name };
}
