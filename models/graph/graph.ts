import { ModelError } from '../errors.js';
import { MODEL_INPUT, type Model, type ModelNode } from './model.js';

/** A node's operands as node indices; -1 is the model's input sample. */
export type Sources = readonly number[];

/** The name of the node a node reads first: its `input`, or the node before it (the sample for the first). */
export function primaryInputName(nodes: readonly ModelNode[], index: number): string {
  const node = nodes[index]!;
  if (node.input !== undefined) return node.input;
  return index === 0 ? MODEL_INPUT : nodes[index - 1]!.name;
}

/** Every operand name of a node, in order: its input, and for an add the node it adds. */
export function inputNames(nodes: readonly ModelNode[], index: number): string[] {
  const node = nodes[index]!;
  const first = primaryInputName(nodes, index);
  return node.kind === 'add' ? [first, node.from] : [first];
}

/** True when every node reads the one before it and nothing adds: the graph is the chain of the list. */
export function isChain(model: Model): boolean {
  return model.nodes.every((n, i) => n.kind !== 'add' && primaryInputName(model.nodes, i) === (i === 0 ? MODEL_INPUT : model.nodes[i - 1]!.name));
}

/**
 * Resolves the wiring of a model and checks it: names unique (and never MODEL_INPUT), every operand names an
 * earlier node or the sample (a later one means a cycle or an order that is not topological), every node but
 * the last is read by some node (an unused branch is almost always a wiring mistake). Errors name the ids.
 */
export function resolveSources(model: Model): Sources[] {
  const index = new Map<string, number>();
  model.nodes.forEach((node, i) => {
    const where = `${model.name}: layer ${node.name}`;
    if (node.name === MODEL_INPUT) throw new ModelError(where, `'${MODEL_INPUT}' names the model's input and cannot name a layer`);
    if (index.has(node.name)) throw new ModelError(where, `the id '${node.name}' is used by two layers`);
    index.set(node.name, i);
  });
  const read = new Uint8Array(model.nodes.length);
  const sources = model.nodes.map((node, i) =>
    inputNames(model.nodes, i).map((name) => {
      if (name === MODEL_INPUT) return -1;
      const at = index.get(name);
      const where = `${model.name}: layer ${node.name} (${node.kind})`;
      if (at === undefined) throw new ModelError(where, `reads '${name}', which names no layer`);
      if (at >= i) throw new ModelError(where, `reads '${name}', which does not come before it (a cycle, or layers out of order)`);
      read[at] = 1;
      return at;
    }),
  );
  const unused = model.nodes.filter((_, i) => i < model.nodes.length - 1 && read[i] === 0).map((n) => n.name);
  if (unused.length > 0) {
    throw new ModelError(model.name, `the output of ${unused.map((n) => `'${n}'`).join(', ')} is read by no layer (an unused branch); the model's output is its last layer`);
  }
  return sources;
}

/** Ids and what they read, for ordering layers given in any order. */
export interface WiredItem {
  readonly id: string;
  readonly inputs: readonly string[];
}

/**
 * A topological order of items (stable: an item already after its operands keeps its place), with MODEL_INPUT
 * as the source of everything. A cycle is refused naming the ids on it; an unknown id, naming the reader.
 */
export function topologicalOrder(items: readonly WiredItem[], file: string): number[] {
  const byId = new Map<string, number>();
  items.forEach((item, i) => {
    if (item.id === MODEL_INPUT) throw new ModelError(file, `layer ${i}: the id '${MODEL_INPUT}' names the model's input and cannot name a layer`);
    if (byId.has(item.id)) throw new ModelError(file, `the id '${item.id}' is used by layers ${byId.get(item.id)} and ${i}`);
    byId.set(item.id, i);
  });
  for (const item of items) {
    for (const name of item.inputs) {
      if (name !== MODEL_INPUT && !byId.has(name)) throw new ModelError(file, `layer '${item.id}' reads '${name}', which names no layer`);
    }
  }
  const state = new Uint8Array(items.length); // 0 new, 1 on the path, 2 done
  const order: number[] = [];
  const path: number[] = [];
  const visit = (start: number): void => {
    // Iterative depth-first search: a deep chain (thousands of layers) must not overflow the stack.
    const stack: { at: number; next: number }[] = [{ at: start, next: 0 }];
    state[start] = 1;
    path.push(start);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const inputs = items[top.at]!.inputs;
      if (top.next < inputs.length) {
        const name = inputs[top.next++]!;
        if (name === MODEL_INPUT) continue;
        const j = byId.get(name)!;
        if (state[j] === 2) continue;
        if (state[j] === 1) {
          const cycle = path.slice(path.indexOf(j)).map((k) => `'${items[k]!.id}'`);
          throw new ModelError(file, `the layers ${cycle.join(' -> ')} -> '${items[j]!.id}' read each other in a cycle`);
        }
        state[j] = 1;
        path.push(j);
        stack.push({ at: j, next: 0 });
      } else {
        state[top.at] = 2;
        order.push(top.at);
        path.pop();
        stack.pop();
      }
    }
  };
  for (let i = 0; i < items.length; i++) if (state[i] === 0) visit(i);
  return order;
}
