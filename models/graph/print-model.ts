import { assertNever, type ModelNode, type Model, type NeuronDynamics } from './model.js';
import { inferShapes, parameterCount } from './shapes.js';
import { formatShape } from './tensor.js';

/** One line per node: name, kind, its parameters, output shape and parameter count; then totals. */
export function printModel(model: Model): string {
  const rows = inferShapes(model).map(({ node, outputShape }) => [
    node.name,
    node.kind,
    [node.input !== undefined ? `<- ${node.input}` : '', describeNode(node)].filter((d) => d.length > 0).join(' '),
    formatShape(outputShape),
    parameterCount(node).toLocaleString('en-US'),
  ]);
  const header = ['layer', 'kind', 'details', 'output', 'params'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 4 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const total = model.nodes.reduce((sum, n) => sum + parameterCount(n), 0);
  return [
    `model ${model.name} (${model.source}), T = ${model.timesteps}, input ${formatShape(model.input.shape)} x ${model.input.scale === 1 / 255 ? '1/255' : model.input.scale}, output mean over time`,
    line(header),
    ...rows.map(line),
    `total parameters: ${total.toLocaleString('en-US')}`,
    ...(model.notes ?? []).map((n) => `note: ${n}`),
  ].join('\n');
}

function describeDynamics(d: NeuronDynamics): string {
  const current = d.current ? `current decay ${d.current.decay} scale ${d.current.scale}, ` : '';
  return `${current}decay ${d.decay} input x${d.inputScale}${d.leak !== 0 ? ` leak ${d.leak}` : ''}`;
}

function describeNode(node: ModelNode): string {
  switch (node.kind) {
    case 'conv2d':
      return `weight ${formatShape(node.weight.shape)} stride ${node.stride.join('x')} pad ${node.padding.join('x')}${node.bias ? ' +bias' : ''}`;
    case 'linear':
      return `weight ${formatShape(node.weight.shape)}${node.bias ? ' +bias' : ''}`;
    case 'norm':
      return `${node.variant} eps ${node.eps}`;
    case 'lif': {
      const th = node.threshold;
      const threshold = th.kind === 'fixed' ? `theta ${th.value}` : th.frozen ? `OTS frozen [${[...th.frozen].map((v) => v.toFixed(4)).join(', ')}]` : 'OTS (not calibrated)';
      return `decay ${node.decay} ${threshold} reset ${node.reset}`;
    }
    case 'avgpool2d':
    case 'maxpool2d':
      return `kernel ${node.kernel} stride ${node.stride}${node.padding ? ` pad ${node.padding}` : ''}`;
    case 'sumpool2d':
      return `kernel ${node.kernel} stride ${node.stride}`;
    case 'conv1d':
      return `weight ${formatShape(node.weight.shape)} stride ${node.stride} pad ${node.padding}${node.bias ? ' +bias' : ''}`;
    case 'scale':
      return `factor ${node.factor.data.length === 1 ? node.factor.data[0] : `x${node.factor.data.length}`}`;
    case 'heaviside':
      return `threshold ${node.threshold.data.length === 1 ? node.threshold.data[0] : `x${node.threshold.data.length}`}`;
    case 'spiking-neuron':
      return `${node.origin} ${describeDynamics(node.dynamics)} theta ${node.threshold} reset ${node.reset}${node.recurrent ? ` recurrent ${formatShape(node.recurrent.weight.shape)}${node.recurrent.bias ? ' +bias' : ''}` : ''}`;
    case 'leaky-integrator':
      return `${node.origin} ${describeDynamics(node.dynamics)} (membrane out)`;
    case 'adaptiveavgpool2d':
      return `output ${node.output.join('x')}`;
    case 'flatten':
      return '';
    case 'dropout':
      return `p ${node.p} (identity at inference)`;
    case 'add':
      return `+ ${node.from}`;
    default:
      return assertNever(node);
  }
}
