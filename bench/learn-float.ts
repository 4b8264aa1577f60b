// The float reference of an on-chip learning preset on the bundled model's last layer, as `spikechip learn --float`
// runs it, alone: `node dist/bench/learn-float.js <ottt|ottt-accumulated|rate> [learning rate] [training samples] [test samples]`.
import { DEFAULT_LEARNING_RATE } from '../compiler/learning/presets.js';
import { defaultFashionMnistDir, loadFashionMnist } from '../models/datasets/fashion-mnist.js';
import { imageSamples } from '../models/datasets/image-samples.js';
import { loadModel } from '../models/load-model.js';
import { packageRoot } from '../models/package-root.js';
import { learnLastLayerFloat } from '../models/training/layer-rules/learn-last-layer.js';
import { FLOAT_RULES, type FloatRule } from '../models/training/layer-rules/float-rules.js';
import { join } from 'node:path';

const [name = 'ottt', rate, trainCount, testCount] = process.argv.slice(2);
if (!(FLOAT_RULES as readonly string[]).includes(name)) throw new Error(`rule must be one of ${FLOAT_RULES.join(', ')}, got ${name}`);
const rule = name as FloatRule;
const { model } = loadModel(join(packageRoot(), 'models', 'bundled', 'osr-fmnist-conv.snnmodel'), {});
const dir = defaultFashionMnistDir();
const train = imageSamples(loadFashionMnist(dir, 'train', trainCount ? Number(trainCount) : undefined), model);
const test = imageSamples(loadFashionMnist(dir, 'test', testCount ? Number(testCount) : undefined), model);
const learningRate = rate ? Number(rate) : DEFAULT_LEARNING_RATE[rule];
const result = learnLastLayerFloat(model, train, test, { rule, learningRate, reset: true });
process.stdout.write(
  `${JSON.stringify({ rule, learningRate, trainingSamples: train.count, testSamples: test.count, accuracyBefore: result.accuracyBefore, accuracyAfter: result.accuracyAfter, seconds: result.seconds })}\n`,
);
