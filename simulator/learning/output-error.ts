// Reference: DESIGN.md section 5 (the error is the third factor and reaches learning layers as graded spikes);
// section 2 (both papers train with cross-entropy on the mean output; OTTT on each step's output).
/**
 * The error unit beside the output layer: it compares the layer's output with the label and sends, per output
 * neuron, the cross-entropy gradient softmax(o) - onehot(label) as a signed graded spike. The softmax is
 * evaluated in float64 here: a stand-in for a microcoded error neuron whose arithmetic is not published
 * (unconfirmed); only its graded payload, rounded stochastically to the trace width, enters the learning engine.
 */
export function crossEntropyError(outputs: Float64Array, label: number, into: Float64Array): void {
  let max = -Infinity;
  for (let i = 0; i < outputs.length; i++) if (outputs[i]! > max) max = outputs[i]!;
  let sum = 0;
  for (let i = 0; i < outputs.length; i++) {
    const e = Math.exp(outputs[i]! - max);
    into[i] = e;
    sum += e;
  }
  for (let i = 0; i < outputs.length; i++) into[i] = into[i]! / sum - (i === label ? 1 : 0);
}
