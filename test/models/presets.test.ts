import { describe, expect, it } from 'vitest';
import type { ArchSpec } from '../../models/arch/arch-spec.js';
import { detectPreset, PRESETS } from '../../models/arch/presets.js';
import { ModelError } from '../../models/errors.js';
import type { Model } from '../../models/graph/model.js';
import { inferShapes, parameterCount } from '../../models/graph/shapes.js';
import { validateModel } from '../../models/graph/validate-model.js';
import { buildModel } from '../../models/import/build-model.js';
import type { PresetOptions } from '../../models/arch/presets.js';
import { SyntheticStateDict } from '../helpers/synthetic-state-dict.js';

const FILE = 'synthetic.pth';

// ---------------------------------------------------------------------------------------------------------------
// State dicts as the seed constructors register them (small widths: the presets read widths from the keys).

type Block = 'basic' | 'bottleneck';
const EXPANSION: Record<Block, number> = { basic: 1, bottleneck: 4 };

/** torchvision's _make_layer, which every seed ResNet copies: a downsample where the stride or width changes. */
function eachBlock(
  layers: readonly number[],
  planes: readonly number[],
  strides: readonly number[],
  stemWidth: number,
  block: Block,
  visit: (path: string, inplanes: number, planes: number, stride: number, downsample: boolean) => void,
): number {
  let inplanes = stemWidth;
  layers.forEach((count, s) => {
    for (let b = 0; b < count; b += 1) {
      const stride = b === 0 ? strides[s]! : 1;
      const width = planes[s]! * EXPANSION[block];
      visit(`layer${s + 1}.${b}`, inplanes, planes[s]!, stride, b === 0 && (stride !== 1 || inplanes !== width));
      inplanes = width;
    }
  });
  return inplanes;
}

/** Paper A models/spiking_resnet_SEW.py (BN: True): SynapseNeuron = synapse conv (bias) + bn MySyncBN + neuron. */
function paperASew(block: Block, layers: readonly number[], planes: readonly number[], classes: number): SyntheticStateDict {
  const sd = new SyntheticStateDict();
  const synapseNeuron = (path: string, cin: number, cout: number, k: number) => sd.conv(`${path}.synapse`, cin, cout, k, true).osr(`${path}.bn`, cout);
  synapseNeuron('convNeuron1', 3, planes[0]!, 7);
  const last = eachBlock(layers, planes, [1, 2, 2, 2], planes[0]!, block, (p, cin, w, _s, down) => {
    if (block === 'basic') {
      synapseNeuron(`${p}.convNeuron1`, cin, w, 3);
      synapseNeuron(`${p}.convNeuron2`, w, w, 3);
    } else {
      synapseNeuron(`${p}.convNeuron1`, cin, w, 1);
      synapseNeuron(`${p}.convNeuron2`, w, w, 3);
      synapseNeuron(`${p}.convNeuron3`, w, 4 * w, 1);
    }
    if (down) synapseNeuron(`${p}.downsample`, cin, w * EXPANSION[block], 1);
  });
  return sd.linear('fc', last, classes);
}

/** Paper A models/spiking_resnet_NF.py, and (BatchNorm2d) paper B model/preact_resnet.py: conv (bias) + norm. */
function preactivation(norm: 'osr' | 'batchNorm', block: Block, layers: readonly number[], planes: readonly number[], classes: number): SyntheticStateDict {
  const sd = new SyntheticStateDict();
  const convNorm = (conv: string, bn: string, cin: number, cout: number, k: number) => sd.conv(conv, cin, cout, k, true)[norm](bn, cout);
  convNorm('conv1', 'bn1', 3, planes[0]!, 7);
  const last = eachBlock(layers, planes, [1, 2, 2, 2], planes[0]!, block, (p, cin, w, _s, down) => {
    if (block === 'basic') {
      convNorm(`${p}.conv1`, `${p}.bn1`, cin, w, 3);
      convNorm(`${p}.conv2`, `${p}.bn2`, w, w, 3);
    } else {
      convNorm(`${p}.conv1`, `${p}.bn1`, cin, w, 1);
      convNorm(`${p}.conv2`, `${p}.bn2`, w, w, 3);
      convNorm(`${p}.conv3`, `${p}.bn3`, w, 4 * w, 1);
    }
    if (down) convNorm(`${p}.downsample.0`, `${p}.downsample.1`, cin, w * EXPANSION[block], 1);
  });
  return sd.linear('fc', last, classes);
}

/** Paper B model/sew_resnet.py: nn.Sequential(conv (bias), BatchNorm2d, LIFLayer) = `.0`, `.1`, `.2`. */
function paperBSew(layers: readonly number[], planes: readonly number[], classes: number): SyntheticStateDict {
  const sd = new SyntheticStateDict();
  const convNeuron = (path: string, cin: number, cout: number, k: number) => sd.conv(`${path}.0`, cin, cout, k, true).batchNorm(`${path}.1`, cout);
  convNeuron('convNeuron1', 3, planes[0]!, 7);
  const last = eachBlock(layers, planes, [1, 2, 2, 2], planes[0]!, 'basic', (p, cin, w, _s, down) => {
    convNeuron(`${p}.convNeuron1`, cin, w, 3);
    convNeuron(`${p}.convNeuron2`, w, w, 3);
    if (down) convNeuron(`${p}.downsample`, cin, w, 1);
  });
  return sd.linear('fc', last, classes);
}

/** Paper B model/resnet.py ResNet (4 stages) and ResNet19 (3 stages, Linear + LIF + Linear head); no conv bias. */
function paperBResNet(inChannels: number, layers: readonly number[], planes: readonly number[], classes: number, hidden?: number): SyntheticStateDict {
  const sd = new SyntheticStateDict();
  sd.conv('conv0.0', inChannels, planes[0]!, 3, false).batchNorm('conv0.1', planes[0]!);
  const last = eachBlock(layers, planes, [1, 2, 2, 2], planes[0]!, 'basic', (p, cin, w, _s, down) => {
    sd.conv(`${p}.conv1`, cin, w, 3, false).batchNorm(`${p}.bn1`, w);
    sd.conv(`${p}.conv2`, w, w, 3, false).batchNorm(`${p}.bn2`, w);
    if (down) sd.conv(`${p}.shortcut.0`, cin, w, 1, false).batchNorm(`${p}.shortcut.1`, w);
  });
  return hidden === undefined ? sd.linear('classifier.0', last, classes) : sd.linear('classifier.0', last, hidden).linear('classifier.2', hidden, classes);
}

/** Paper A models/spiking_resnet.py OnlineSpikingResNet17/19: MySyncBN everywhere, fc1 = Linear + MySyncBN, fc2. */
function paperAResNet(layers: readonly number[], planes: readonly number[], strides: readonly number[], pooledSide: number, hidden: number, classes: number): SyntheticStateDict {
  const sd = new SyntheticStateDict();
  sd.conv('conv1', 3, planes[0]!, 3, true).osr('bn1', planes[0]!);
  const last = eachBlock(layers, planes, strides, planes[0]!, 'basic', (p, cin, w, _s, down) => {
    sd.conv(`${p}.conv1`, cin, w, 3, true).osr(`${p}.bn1`, w);
    sd.conv(`${p}.conv2`, w, w, 3, true).osr(`${p}.bn2`, w);
    if (down) sd.conv(`${p}.downsample.0`, cin, w, 1, true).osr(`${p}.downsample.1`, w);
  });
  return sd
    .linear('fc1.0', last * pooledSide * pooledSide, hidden)
    .osr('fc1.1', hidden)
    .linear('fc2', hidden, classes);
}

/** Paper A models/spiking_vgg.py make_layers (BN: True): each cfg entry one child of `features`. */
function paperAVgg(cfg: readonly (number | 'M')[], inChannels: number, fcHw: number, classes: number): SyntheticStateDict {
  const sd = new SyntheticStateDict();
  let channels = inChannels;
  cfg.forEach((entry, index) => {
    if (entry === 'M') return;
    sd.conv(`features.${index}.synapse`, channels, entry, 3, true).osr(`features.${index}.bn`, entry);
    channels = entry;
  });
  return sd.linear('classifier.0', channels * fcHw * fcHw, classes);
}

/** Paper B model/vgg.py: a width is Conv2d (bias) + BatchNorm2d + LIFLayer (3 children), 'A'/'AA'/'AA3' one. */
function paperBVgg(cfg: readonly (number | string)[], inChannels: number, classifier: readonly number[]): SyntheticStateDict {
  const sd = new SyntheticStateDict();
  let index = 0;
  let channels = inChannels;
  for (const entry of cfg) {
    if (typeof entry === 'number') {
      sd.conv(`feature.${index}`, channels, entry, 3, true).batchNorm(`feature.${index + 1}`, entry);
      channels = entry;
      index += 3;
    } else {
      index += 1;
    }
  }
  for (let i = 0; i + 1 < classifier.length; i += 1) sd.linear(`classifier.${2 * i}`, classifier[i]!, classifier[i + 1]!);
  return sd;
}

// ---------------------------------------------------------------------------------------------------------------
// Parameter counts by hand from the seed code's definitions: a conv k*k*cin*cout (+ cout with a bias), a norm
// 2*c (gamma and beta; running statistics are buffers), a Linear in*out + out; LIF neurons and pools none.

interface ResNetCount {
  readonly inChannels: number;
  readonly stemKernel: number;
  readonly block: Block;
  readonly layers: readonly number[];
  readonly planes: readonly number[];
  readonly strides: readonly number[];
  readonly convBias: boolean;
  /** The head's parameters given the last stage's width. */
  readonly head: (width: number) => number;
}

/**
 * stem conv(stemKernel, C, w0) + norm(w0); per BasicBlock conv(3, cin, w) + norm(w) + conv(3, w, w) + norm(w);
 * per Bottleneck conv(1, cin, w) + norm(w) + conv(3, w, w) + norm(w) + conv(1, w, 4w) + norm(4w); per
 * downsample (first block of a stage whose stride is not 1 or whose width changes) conv(1, cin, w*e) +
 * norm(w*e); then the head.
 */
function resnetParameters(c: ResNetCount): number {
  const conv = (k: number, cin: number, cout: number) => k * k * cin * cout + (c.convBias ? cout : 0);
  const norm = (ch: number) => 2 * ch;
  const e = EXPANSION[c.block];
  let total = conv(c.stemKernel, c.inChannels, c.planes[0]!) + norm(c.planes[0]!);
  let cin = c.planes[0]!;
  c.layers.forEach((count, s) => {
    const w = c.planes[s]!;
    for (let b = 0; b < count; b += 1) {
      total += c.block === 'basic' ? conv(3, cin, w) + norm(w) + conv(3, w, w) + norm(w) : conv(1, cin, w) + norm(w) + conv(3, w, w) + norm(w) + conv(1, w, 4 * w) + norm(4 * w);
      if (b === 0 && (c.strides[s]! !== 1 || cin !== w * e)) total += conv(1, cin, w * e) + norm(w * e);
      cin = w * e;
    }
  });
  return total + c.head(cin);
}

const fc = (classes: number) => (width: number) => width * classes + classes;
const FULL = [64, 128, 256, 512];
const SMALL = [4, 8, 16, 32];

describe('the parameter formula against published and measured counts', () => {
  const imagenet = { inChannels: 3, stemKernel: 7, strides: [1, 2, 2, 2], planes: FULL, head: fc(1000) } as const;
  it("gives torchvision's resnet18/34/50 (no conv bias) exactly", () => {
    expect(resnetParameters({ ...imagenet, block: 'basic', layers: [2, 2, 2, 2], convBias: false })).toBe(11_689_512);
    expect(resnetParameters({ ...imagenet, block: 'basic', layers: [3, 4, 6, 3], convBias: false })).toBe(21_797_672);
    expect(resnetParameters({ ...imagenet, block: 'bottleneck', layers: [3, 4, 6, 3], convBias: false })).toBe(25_557_032);
  });
  it("gives the fixtures' counts (reference.json `parameters`, from PyTorch)", () => {
    // osr-sewresnet-small-random and osr-nfresnet-small-random: 4,913,802; ratebp-resnet-small-random: 4,903,242;
    // osr-resnet19-cifar-random: 14,669,834 (fc1: Linear(512*4*4, 256) + MySyncBN(256), fc2: Linear(256, 10)).
    expect(resnetParameters({ ...imagenet, block: 'basic', layers: [1, 1, 1, 1], convBias: true, head: fc(10) })).toBe(4_913_802);
    expect(resnetParameters({ ...imagenet, stemKernel: 3, block: 'basic', layers: [1, 1, 1, 1], convBias: false, head: fc(10) })).toBe(4_903_242);
    const resnet19Head = (w: number) => w * 16 * 256 + 256 + 2 * 256 + 256 * 10 + 10;
    expect(
      resnetParameters({ inChannels: 3, stemKernel: 3, block: 'basic', layers: [3, 3, 2], planes: [128, 256, 512], strides: [1, 2, 2], convBias: true, head: resnet19Head }),
    ).toBe(14_669_834);
  });
});

// ---------------------------------------------------------------------------------------------------------------

function build(sd: SyntheticStateDict, expectedPreset: string, options: PresetOptions = {}): { arch: ArchSpec; model: Model; shapes: Map<string, readonly number[]> } {
  const preset = detectPreset(sd.shapes(), FILE);
  expect(preset?.name).toBe(expectedPreset);
  const arch = preset!.build(sd.shapes(), FILE, options);
  const model = buildModel(arch, sd.tensors, FILE);
  validateModel(model, FILE);
  const shapes = new Map(inferShapes(model).map((s) => [s.node.name, s.outputShape] as const));
  return { arch, model, shapes };
}

const parameters = (model: Model) => model.nodes.reduce((sum, n) => sum + parameterCount(n), 0);
const countOf = (model: Model, kind: string) => model.nodes.filter((n) => n.kind === kind).length;

describe('paper A presets without a fixture', () => {
  it('SEW-ResNet-34 (BasicBlock [3, 4, 6, 3]): ImageNet shapes, spike-sum adds, parameters by the formula', () => {
    const { arch, model, shapes } = build(paperASew('basic', [3, 4, 6, 3], SMALL, 10), 'online_spiking_resnet_sew');
    expect(arch.name).toBe('online_spiking_resnet34');
    expect([arch.timesteps, arch.input.shape, arch.neuron.ots, arch.stateDictKey]).toEqual([4, [3, 224, 224], true, 'net']);
    expect(arch.notes).toEqual([
      "input 3x224x224: ImageNet's in zhuyaoyu/SNN-online-normalization (the head adapts to any size; --input-shape C,H,W for another)",
      "T 4: ImageNet's default in zhuyaoyu/SNN-online-normalization (--timesteps for another)",
    ]);
    expect(shapes.get('convNeuron1.neuron')).toEqual([4, 112, 112]);
    expect(shapes.get('maxpool')).toEqual([4, 56, 56]);
    expect(shapes.get('layer4.2.add')).toEqual([32, 7, 7]);
    expect(shapes.get('fc')).toEqual([10]);
    // 16 blocks, each an add of spikes; 1 stem + 2 per block + 3 downsample SynapseNeurons, each with a LIF.
    expect(countOf(model, 'add')).toBe(16);
    expect(countOf(model, 'lif')).toBe(1 + 2 * 16 + 3);
    expect(parameters(model)).toBe(
      resnetParameters({ inChannels: 3, stemKernel: 7, block: 'basic', layers: [3, 4, 6, 3], planes: SMALL, strides: [1, 2, 2, 2], convBias: true, head: fc(10) }),
    );
  });

  it('SEW-ResNet-50 (Bottleneck): the stride on the 3x3, a downsample in layer1 (width x4)', () => {
    const { arch, model, shapes } = build(paperASew('bottleneck', [3, 4, 6, 3], SMALL, 7), 'online_spiking_resnet_sew');
    expect(arch.name).toBe('online_spiking_resnet50');
    expect(arch.layers.find((l) => l.id === 'layer2.0.convNeuron2.synapse')).toMatchObject({ stride: 2, padding: 1 });
    expect(arch.layers.find((l) => l.id === 'layer2.0.convNeuron1.synapse')).toMatchObject({ stride: 1, padding: 0 });
    expect(arch.layers.find((l) => l.id === 'layer1.0.downsample.synapse')).toMatchObject({ stride: 1, input: 'maxpool' });
    expect(shapes.get('layer1.0.add')).toEqual([16, 56, 56]);
    expect(shapes.get('layer4.2.add')).toEqual([128, 7, 7]);
    expect(parameters(model)).toBe(
      resnetParameters({ inChannels: 3, stemKernel: 7, block: 'bottleneck', layers: [3, 4, 6, 3], planes: SMALL, strides: [1, 2, 2, 2], convBias: true, head: fc(7) }),
    );
  });

  it('SEW-ResNet-18 is named from its depth', () => {
    expect(build(paperASew('basic', [2, 2, 2, 2], SMALL, 10), 'online_spiking_resnet_sew').arch.name).toBe('online_spiking_resnet18');
  });

  it('NF-ResNet-34: pre-activation blocks, the add reads the real-valued stream (no LIF before the head)', () => {
    const { arch, model, shapes } = build(preactivation('osr', 'basic', [3, 4, 6, 3], SMALL, 10), 'online_spiking_resnet_nf', { inputShape: [3, 64, 64] });
    expect(arch.name).toBe('online_spiking_resnet34');
    expect(arch.input.shape).toEqual([3, 64, 64]);
    expect(shapes.get('layer4.2.add')).toEqual([32, 2, 2]);
    const kinds = model.nodes.map((n) => n.kind);
    expect(kinds.slice(0, 4)).toEqual(['conv2d', 'norm', 'maxpool2d', 'lif']);
    expect(kinds.slice(-4)).toEqual(['add', 'adaptiveavgpool2d', 'flatten', 'linear']);
    expect(countOf(model, 'lif')).toBe(2 * 16);
    expect(parameters(model)).toBe(
      resnetParameters({ inChannels: 3, stemKernel: 7, block: 'basic', layers: [3, 4, 6, 3], planes: SMALL, strides: [1, 2, 2, 2], convBias: true, head: fc(10) }),
    );
  });

  it('NF-ResNet-50 (Bottleneck): three sn -> conv -> bn stages per block', () => {
    const { arch, model } = build(preactivation('osr', 'bottleneck', [3, 4, 6, 3], SMALL, 10), 'online_spiking_resnet_nf');
    expect(arch.name).toBe('online_spiking_resnet50');
    expect(countOf(model, 'lif')).toBe(3 * 16);
    expect(parameters(model)).toBe(
      resnetParameters({ inChannels: 3, stemKernel: 7, block: 'bottleneck', layers: [3, 4, 6, 3], planes: SMALL, strides: [1, 2, 2, 2], convBias: true, head: fc(10) }),
    );
  });

  it('online_spiking_resnet17: two stride-2 stages, the norm after the add, 3x32x32 read back from fc1', () => {
    const { arch, model, shapes } = build(paperAResNet([3, 4], [4, 8], [2, 2], 4, 16, 10), 'online_spiking_resnet17');
    expect([arch.timesteps, arch.input.shape]).toEqual([4, [3, 32, 32]]);
    expect(shapes.get('layer2.3.sn2')).toEqual([8, 8, 8]);
    expect(shapes.get('avgpool')).toEqual([8, 4, 4]);
    // BN after the add: the add feeds bn2, which feeds sn2.
    const at = arch.layers.findIndex((l) => l.id === 'layer1.0.add');
    expect(arch.layers.slice(at, at + 3).map((l) => l.id)).toEqual(['layer1.0.add', 'layer1.0.bn2', 'layer1.0.sn2']);
    const head = (w: number) => w * 16 * 16 + 16 + 2 * 16 + 16 * 10 + 10;
    expect(parameters(model)).toBe(resnetParameters({ inChannels: 3, stemKernel: 3, block: 'basic', layers: [3, 4], planes: [4, 8], strides: [2, 2], convBias: true, head }));
  });

  it('online_spiking_resnet19 at small width: fc1 fixes the input side, a different one is refused', () => {
    const sd = paperAResNet([3, 3, 2], [4, 8, 16], [1, 2, 2], 4, 16, 10);
    const { arch, model } = build(sd, 'online_spiking_resnet19');
    expect(arch.input.shape).toEqual([3, 32, 32]);
    expect(model.nodes.at(-2)).toMatchObject({ kind: 'norm', name: 'fc1.1', variant: 'osr', eps: 1e-4 });
    expect(() => PRESETS.get('online_spiking_resnet19')!.build(sd.shapes(), FILE, { inputShape: [3, 64, 64] })).toThrow(/fixes the input at 32x32/);
  });
});

describe('paper A VGGSNN at small width', () => {
  // Per SynapseNeuron 9*cin*w + w (conv with bias) + 2*w (MySyncBN), plus the light classifier C*fc_hw^2*K + K:
  // with the code's widths, c_in 3, fc_hw 1 and 10 classes that is the VGG fixture's 9,231,114.
  const vggParameters = (inChannels: number, widths: readonly number[], fcHw: number, classes: number) => {
    let cin = inChannels;
    let total = 0;
    for (const w of widths) {
      total += 9 * cin * w + 3 * w;
      cin = w;
    }
    return total + cin * fcHw * fcHw * classes + classes;
  };
  const CFG = [4, 8, 'M', 16, 16, 'M', 32, 32, 'M', 32, 32] as const;
  const WIDTHS = [4, 8, 16, 16, 32, 32, 32, 32];

  it('the formula gives the fixture count at the code widths', () => {
    expect(vggParameters(3, [64, 128, 256, 256, 512, 512, 512, 512], 1, 10)).toBe(9_231_114);
  });

  it('CIFAR: 3x32x32, T 4; fc_hw read from the classifier', () => {
    const { arch, model, shapes } = build(paperAVgg(CFG, 3, 3, 10), 'online_spiking_vgg11_ws');
    expect([arch.timesteps, arch.input.shape]).toEqual([4, [3, 32, 32]]);
    expect(shapes.get('adaptiveavgpool27')).toEqual([32, 3, 3]);
    expect(parameters(model)).toBe(vggParameters(3, WIDTHS, 3, 10));
  });

  it('c_in 2 (the event datasets): CIFAR10-DVS 2x48x48, T 10', () => {
    const { arch, model } = build(paperAVgg(CFG, 2, 1, 10), 'online_spiking_vgg11_ws');
    expect([arch.timesteps, arch.input.shape]).toEqual([10, [2, 48, 48]]);
    expect(arch.notes).toEqual([
      "input 2x48x48: CIFAR10-DVS's in zhuyaoyu/SNN-online-normalization (the head adapts to any size; --input-shape C,H,W for another)",
      "T 10: CIFAR10-DVS's default in zhuyaoyu/SNN-online-normalization (--timesteps for another)",
    ]);
    expect(parameters(model)).toBe(vggParameters(2, WIDTHS, 1, 10));
  });
});

describe('paper B presets without a fixture', () => {
  it('sew_resnet34: conv+BN+LIF triples, spike-sum adds, ImageNet defaults, paper B neuron', () => {
    const { arch, model, shapes } = build(paperBSew([3, 4, 6, 3], SMALL, 10), 'sew_resnet34');
    expect(arch.name).toBe('sew_resnet34');
    expect([arch.timesteps, arch.input.shape, arch.stateDictKey, arch.neuron.decay, arch.neuron.ots]).toEqual([4, [3, 224, 224], 'best_net', 0.19999998807907104, false]);
    expect(arch.layers.find((l) => l.id === 'layer2.0.add')).toEqual({ id: 'layer2.0.add', op: 'add', inputs: ['layer2.0.convNeuron2.2', 'layer2.0.downsample.2'] });
    expect(shapes.get('layer4.2.add')).toEqual([32, 7, 7]);
    expect(parameters(model)).toBe(
      resnetParameters({ inChannels: 3, stemKernel: 7, block: 'basic', layers: [3, 4, 6, 3], planes: SMALL, strides: [1, 2, 2, 2], convBias: true, head: fc(10) }),
    );
  });

  it('preact_resnet34: BatchNorm2d (eps 1e-5) pre-activation blocks', () => {
    const { arch, model } = build(preactivation('batchNorm', 'basic', [3, 4, 6, 3], SMALL, 10), 'preact_resnet34');
    expect(arch.name).toBe('preact_resnet34');
    expect(model.nodes.filter((n) => n.kind === 'norm').every((n) => n.kind === 'norm' && n.variant === 'batchnorm' && n.eps === 1e-5)).toBe(true);
    expect(parameters(model)).toBe(
      resnetParameters({ inChannels: 3, stemKernel: 7, block: 'basic', layers: [3, 4, 6, 3], planes: SMALL, strides: [1, 2, 2, 2], convBias: true, head: fc(10) }),
    );
  });

  it("resnet18 at full depth: CIFAR 3x32x32, T 2; with in_channel 2 the dvs main's 2x48x48, T 10", () => {
    const cifar = build(paperBResNet(3, [2, 2, 2, 2], SMALL, 10), 'resnet18');
    expect([cifar.arch.name, cifar.arch.timesteps, cifar.arch.input.shape]).toEqual(['resnet18', 2, [3, 32, 32]]);
    expect(cifar.shapes.get('layer4.1.spike2')).toEqual([32, 4, 4]);
    expect(parameters(cifar.model)).toBe(
      resnetParameters({ inChannels: 3, stemKernel: 3, block: 'basic', layers: [2, 2, 2, 2], planes: SMALL, strides: [1, 2, 2, 2], convBias: false, head: fc(10) }),
    );
    const dvs = build(paperBResNet(2, [2, 2, 2, 2], SMALL, 10), 'resnet18');
    expect([dvs.arch.timesteps, dvs.arch.input.shape]).toEqual([10, [2, 48, 48]]);
  });

  it('resnet19: three stages (128/256/512 in the code, here 4/8/16), Linear + LIF + Linear head', () => {
    const { arch, model } = build(paperBResNet(3, [3, 3, 2], [4, 8, 16], 10, 12), 'resnet19');
    expect(arch.name).toBe('resnet19');
    expect(model.nodes.slice(-3).map((n) => `${n.kind} ${n.name}`)).toEqual(['linear classifier.0', 'lif classifier.1', 'linear classifier.2']);
    const head = (w: number) => w * 12 + 12 + 12 * 10 + 10;
    expect(parameters(model)).toBe(
      resnetParameters({ inChannels: 3, stemKernel: 3, block: 'basic', layers: [3, 3, 2], planes: [4, 8, 16], strides: [1, 2, 2], convBias: false, head }),
    );
  });

  // feature_cfg of model/vgg.py with every width divided by 16; parameters: per conv 9*cin*cout + cout + 2*cout,
  // plus the classifier's in*out + out.
  const vggParameters = (inChannels: number, widths: readonly number[], classifierIn: number, classes: number) => {
    let cin = inChannels;
    let total = 0;
    for (const w of widths) {
      total += 9 * cin * w + w + 2 * w;
      cin = w;
    }
    return total + classifierIn * classes + classes;
  };
  const VGGSNN = [4, 8, 'A', 16, 16, 'A', 32, 32, 'A', 32, 32] as const;

  it('vggsnn_cifar: AdaptiveAvgPool2d(3) tail, 3x32x32, T 2', () => {
    const { arch, model, shapes } = build(paperBVgg([...VGGSNN, 'AA3'], 3, [32 * 9, 100]), 'vggsnn_cifar');
    expect([arch.timesteps, arch.input.shape]).toEqual([2, [3, 32, 32]]);
    // 8 convs of three children and 3 pools of one: the tail is feature.27.
    expect(arch.layers.find((l) => l.id === 'feature.27')).toEqual({ id: 'feature.27', op: 'adaptiveavgpool2d', output: 3 });
    expect(shapes.get('feature.27')).toEqual([32, 3, 3]);
    expect(parameters(model)).toBe(vggParameters(3, [4, 8, 16, 16, 32, 32, 32, 32], 288, 100));
  });

  it('vggsnn_dvs: AvgPool2d(2) tail, in_channel 2, 2x48x48 read back from the classifier, T 10', () => {
    const { arch, model, shapes } = build(paperBVgg([...VGGSNN, 'A'], 2, [32 * 9, 10]), 'vggsnn_dvs');
    expect([arch.timesteps, arch.input.shape]).toEqual([10, [2, 48, 48]]);
    expect(arch.layers.find((l) => l.id === 'feature.27')).toEqual({ id: 'feature.27', op: 'avgpool2d', kernel: 2, stride: 2 });
    expect(arch.notes?.[0]).toBe("input side 48 read from the classifier's width");
    expect(shapes.get('feature.27')).toEqual([32, 3, 3]);
    expect(parameters(model)).toBe(vggParameters(2, [4, 8, 16, 16, 32, 32, 32, 32], 288, 10));
  });

  it('vgg11 and vgg13: their pooling patterns, AdaptiveAvgPool2d(1) heads', () => {
    const vgg11 = build(paperBVgg([4, 'A', 8, 16, 'A', 32, 32, 'A', 32, 'A', 32, 32, 'AA'], 3, [32, 10]), 'vgg11');
    expect(countOf(vgg11.model, 'conv2d')).toBe(8);
    expect(vgg11.shapes.get('feature.25')).toEqual([32, 2, 2]);
    expect(vgg11.arch.layers.find((l) => l.id === 'feature.28')).toEqual({ id: 'feature.28', op: 'adaptiveavgpool2d', output: 1 });
    expect(parameters(vgg11.model)).toBe(vggParameters(3, [4, 8, 16, 32, 32, 32, 32, 32], 32, 10));
    const vgg13 = build(paperBVgg([4, 4, 'A', 8, 8, 'A', 16, 16, 'A', 32, 32, 32, 'A', 32, 'AA'], 3, [32, 10]), 'vgg13');
    expect(countOf(vgg13.model, 'conv2d')).toBe(10);
    expect(parameters(vgg13.model)).toBe(vggParameters(3, [4, 4, 8, 8, 16, 16, 32, 32, 32, 32], 32, 10));
  });
});

describe('recognition refuses what it cannot place', () => {
  it('a key set two presets match is refused naming both', () => {
    // VGGSNN_CIFAR and VGGSNN_DVS differ only in a tail without tensors; one input channel is neither main's.
    const sd = paperBVgg([...[4, 8, 'A', 16, 16, 'A', 32, 32, 'A', 32, 32], 'A'], 1, [288, 10]);
    expect(() => detectPreset(sd.shapes(), FILE)).toThrow(ModelError);
    expect(() => detectPreset(sd.shapes(), FILE)).toThrow(/vggsnn_cifar from .*model\/vgg\.py; vggsnn_dvs from .*model\/vgg\.py/);
  });

  it('a tensor the architecture has no place for is refused, naming it', () => {
    const sd = paperBSew([1, 1, 1, 1], SMALL, 10).linear('extra_head', 32, 10);
    expect(() => PRESETS.get('sew_resnet34')!.build(sd.shapes(), FILE)).toThrow(/2 tensor\(s\) the architecture has no place for \('extra_head.weight', 'extra_head.bias'\)/);
  });

  it("a gap in a stage's blocks is refused, naming the missing index", () => {
    const sd = paperBResNet(3, [3, 2, 2, 2], SMALL, 10);
    for (const key of [...sd.tensors.keys()]) if (key.startsWith('layer1.1.')) sd.tensors.delete(key);
    expect(() => PRESETS.get('resnet18')!.build(sd.shapes(), FILE)).toThrow(/'layer1' has children 0, 2: 1 is missing/);
  });

  it("a preset forced on another zoo's checkpoint names the key it lacks", () => {
    expect(() => PRESETS.get('preact_resnet34')!.build(paperBSew([1, 1, 1, 1], SMALL, 10).shapes(), FILE)).toThrow(/preset preact_resnet34: expects the key 'conv1.weight'/);
  });

  it('every synthetic zoo member is claimed by exactly one preset', () => {
    const zoo: [SyntheticStateDict, string][] = [
      [paperASew('basic', [1, 1, 1, 1], SMALL, 10), 'online_spiking_resnet_sew'],
      [preactivation('osr', 'basic', [1, 1, 1, 1], SMALL, 10), 'online_spiking_resnet_nf'],
      [preactivation('batchNorm', 'basic', [1, 1, 1, 1], SMALL, 10), 'preact_resnet34'],
      [paperBSew([1, 1, 1, 1], SMALL, 10), 'sew_resnet34'],
      [paperBResNet(3, [1, 1, 1, 1], SMALL, 10), 'resnet18'],
      [paperBResNet(3, [1, 1, 1], [4, 8, 16], 10, 8), 'resnet19'],
      [paperAResNet([1, 1], [4, 8], [2, 2], 4, 8, 10), 'online_spiking_resnet17'],
      [paperAResNet([1, 1, 1], [4, 8, 16], [1, 2, 2], 4, 8, 10), 'online_spiking_resnet19'],
    ];
    for (const [sd, name] of zoo) {
      expect([...PRESETS.values()].filter((p) => p.matches(sd.shapes())).map((p) => p.name)).toEqual([name]);
    }
  });
});
