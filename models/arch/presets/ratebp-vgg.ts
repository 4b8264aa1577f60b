import type { ArchLayer } from '../arch-spec.js';
import { PAPER_B, paperBDataset, presetArchSpec, squareSide } from './codebases.js';
import type { Preset, TensorShapes } from './preset.js';
import { StateDictShapes } from './state-dict-shapes.js';

const MODULE = 'model/vgg.py';

/** A `feature` entry of model/vgg.py's configurations: a conv (its width read from the keys) or 'A' = AvgPool2d(2, 2). */
type Token = 'C' | 'A';

interface VggConfig {
  readonly name: 'vggsnn_cifar' | 'vggsnn_dvs' | 'vgg11' | 'vgg13';
  readonly architecture: string;
  /** feature_cfg without its last entry, which holds no tensors, with widths as 'C'. */
  readonly body: readonly Token[];
  /** That last entry: 'AA' = AdaptiveAvgPool2d(1), 'AA3' = AdaptiveAvgPool2d(3), 'A' = AvgPool2d(2, 2). */
  readonly tail: 'AA' | 'AA3' | 'A';
  /** The in_channel of the main that builds it, where the key layout alone cannot tell two configs apart. */
  readonly inChannels?: number;
}

const tokens = (cfg: string): Token[] => cfg.split(' ') as Token[];

// feature_cfg of model/vgg.py, widths as 'C' (read from the keys). VGGSNN_CIFAR and VGGSNN_DVS differ only in
// their tail, which holds no tensors: the dvs main builds its models with in_channel=2, the cifar main with 3.
const CONFIGS: readonly VggConfig[] = [
  { name: 'vggsnn_cifar', architecture: 'VGGSNN_CIFAR', body: tokens('C C A C C A C C A C C'), tail: 'AA3', inChannels: 3 },
  { name: 'vggsnn_dvs', architecture: 'VGGSNN_DVS', body: tokens('C C A C C A C C A C C'), tail: 'A', inChannels: 2 },
  { name: 'vgg11', architecture: 'VGG11', body: tokens('C A C C A C C A C A C C'), tail: 'AA' },
  { name: 'vgg13', architecture: 'VGG13', body: tokens('C C A C C A C C A C C C A C'), tail: 'AA' },
];

/**
 * The feature entries the keys show: a conv occupies three children of `feature` (Conv2d, BatchNorm2d,
 * LIFLayer), a pool one; a pool after the last conv is invisible. Undefined when `feature.0` is no conv.
 */
function featureTokens(shapes: TensorShapes): Token[] | undefined {
  const convs = new Set<number>();
  for (const [key, shape] of shapes) {
    const m = /^feature\.(\d+)\.weight$/.exec(key);
    if (m && shape.length === 4) convs.add(Number(m[1]));
  }
  if (!convs.has(0)) return undefined;
  const last = Math.max(...convs);
  const out: Token[] = [];
  for (let i = 0; i <= last;) {
    if (convs.has(i)) {
      out.push('C');
      i += 3;
    } else {
      out.push('A');
      i += 1;
    }
  }
  return out;
}

/**
 * Paper B's VGG class (model/vgg.py) in one of its configurations: every conv 3x3 p1 (bias, use_bias=True) +
 * BatchNorm2d + LIFLayer, 'A' AvgPool2d(2, 2), the configuration's last pool, flatten, and the classifier's
 * Linear layers with a LIFLayer between each two (none after the last). The input side: VGGSNN_DVS's head
 * fixes it (48 for 4608 features); the others adapt, so it is the dataset's (in_channel 2: CIFAR10-DVS 48,
 * T 10; else CIFAR 32, T 2).
 */
function ratebpVgg(config: VggConfig): Preset {
  const { name, body, tail } = config;
  const inChannelsOf = (shapes: TensorShapes) => shapes.get('feature.0.weight')?.[1];
  return {
    name,
    module: `${PAPER_B.repository} ${MODULE}`,
    description: `paper B ${name} (VGG '${config.architecture}'): ${body.filter((t) => t === 'C').length} conv+BN+LIF layers, widths from the keys; ${name === 'vggsnn_dvs' ? 'CIFAR10-DVS 2x48x48 (side from the classifier), T 10' : 'CIFAR 3x32x32 T 2, or CIFAR10-DVS 2x48x48 T 10 when in_channel is 2'}`,
    matches(shapes) {
      const found = featureTokens(shapes);
      if (!found || found.join(' ') !== body.join(' ') || !shapes.has('classifier.0.weight')) return false;
      // The other of the two VGGSNN configurations claims the usual channel count of its main; any other count
      // matches both, and the caller refuses the checkpoint as ambiguous.
      const other = CONFIGS.find((c) => c !== config && c.body.join(' ') === body.join(' '));
      return other?.inChannels === undefined || inChannelsOf(shapes) !== other.inChannels;
    },
    build(shapes, file, options) {
      const keys = new StateDictShapes(shapes, file, name);
      const found = featureTokens(shapes);
      if (!found || found.join(' ') !== body.join(' ')) {
        keys.fail(`expects feature entries ${body.join(' ')} (C = conv, A = avgpool), the keys show ${found ? found.join(' ') : 'no conv at feature.0'}`);
      }
      const layers: ArchLayer[] = [];
      let channels = 0;
      let index = 0;
      for (const token of body) {
        const id = `feature.${index}`;
        if (token === 'C') {
          channels = keys.convOut(`${id}.weight`, 3);
          const bias = keys.has(`${id}.bias`) ? `${id}.bias` : null;
          layers.push(
            { id, op: 'conv2d', weight: `${id}.weight`, bias, stride: 1, padding: 1 },
            { id: `feature.${index + 1}`, op: 'norm', kind: 'batchnorm', prefix: `feature.${index + 1}`, eps: 1e-5 },
            { id: `feature.${index + 2}`, op: 'lif', prefix: `feature.${index + 2}` },
          );
          index += 3;
        } else {
          layers.push({ id, op: 'avgpool2d', kernel: 2, stride: 2 });
          index += 1;
        }
      }
      const tailId = `feature.${index}`;
      layers.push(tail === 'A' ? { id: tailId, op: 'avgpool2d', kernel: 2, stride: 2 } : { id: tailId, op: 'adaptiveavgpool2d', output: tail === 'AA3' ? 3 : 1 });
      layers.push({ id: 'flatten', op: 'flatten' });
      keys.shape('classifier.0.weight', 2);
      // _make_classifier alternates Linear and LIFLayer and drops the last LIFLayer: Linears sit at even indices.
      for (let i = 0; keys.has(`classifier.${i}.weight`); i += 2) {
        if (i > 0) layers.push({ id: `classifier.${i - 1}`, op: 'lif', prefix: `classifier.${i - 1}` });
        keys.shape(`classifier.${i}.weight`, 2);
        layers.push({ id: `classifier.${i}`, op: 'linear', weight: `classifier.${i}.weight`, bias: keys.has(`classifier.${i}.bias`) ? `classifier.${i}.bias` : null });
      }
      const inChannels = keys.shape('feature.0.weight', 4)[1]!;
      const pools = body.filter((t) => t === 'A').length + 1;
      let sideFromClassifier: number | undefined;
      if (tail === 'A') {
        const features = keys.shape('classifier.0.weight', 2)[1]!;
        const pooled = squareSide(features, channels) ?? keys.fail(`classifier.0 reads ${features} features, not ${channels}*W*W`);
        sideFromClassifier = pooled * 2 ** pools;
      }
      return presetArchSpec(
        { codebase: PAPER_B, preset: name, name, module: MODULE, defaults: paperBDataset(inChannels), inChannels, ...(sideFromClassifier ? { sideFromClassifier } : {}), layers },
        keys,
        options,
      );
    },
  };
}

export const RATEBP_VGGS: readonly Preset[] = CONFIGS.map(ratebpVgg);
