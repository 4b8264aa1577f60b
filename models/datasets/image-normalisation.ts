import type { ModelSource } from '../graph/model.js';

/**
 * The test-time transform of the papers' codes for 8-bit colour images: torchvision ToTensor (pixel / 255 as a
 * float32 division) then Normalize(mean, std), which computes (x - mean) / std in float32 with mean and std
 * stored as float32 tensors.
 *
 * Reference:
 *   paper A, zhuyaoyu/SNN-online-normalization datasets/data.py (get_dataset, commit 65fb705): CIFAR-10 and
 *     CIFAR-100 both use Normalize((0.4914, 0.4822, 0.4465), (0.2023, 0.1994, 0.2010)).
 *   paper B, Tab-ct/rate-based-backpropagation util/data.py (load_dataset, commit 3c70ee9): CIFAR10
 *     Normalize((0.4914, 0.4822, 0.4465), (0.2023, 0.1994, 0.2010)), CIFAR100
 *     Normalize((0.5071, 0.4867, 0.4408), (0.2675, 0.2565, 0.2761)).
 */
export interface ChannelNormalisation {
  readonly mean: readonly number[];
  readonly std: readonly number[];
  /** Where the constants come from, for reports. */
  readonly reference: string;
}

export type CifarVariant = 'cifar10' | 'cifar100';

/** Who decides the transform: a paper's code (by the model's source), or plain ToTensor. */
export type NormalisationChoice = 'osr-ots' | 'rate-bp' | 'none';

const CIFAR10_MEAN_STD = { mean: [0.4914, 0.4822, 0.4465], std: [0.2023, 0.1994, 0.201] } as const;
const CIFAR100_MEAN_STD_RATE_BP = { mean: [0.5071, 0.4867, 0.4408], std: [0.2675, 0.2565, 0.2761] } as const;

const PAPER_A = 'zhuyaoyu/SNN-online-normalization datasets/data.py';
const PAPER_B = 'Tab-ct/rate-based-backpropagation util/data.py';

export const CIFAR_NORMALISATION: Readonly<Record<Exclude<NormalisationChoice, 'none'>, Readonly<Record<CifarVariant, ChannelNormalisation>>>> = {
  'osr-ots': {
    cifar10: { ...CIFAR10_MEAN_STD, reference: PAPER_A },
    // Paper A's code applies its CIFAR-10 statistics to CIFAR-100 too.
    cifar100: { ...CIFAR10_MEAN_STD, reference: PAPER_A },
  },
  'rate-bp': {
    cifar10: { ...CIFAR10_MEAN_STD, reference: PAPER_B },
    cifar100: { ...CIFAR100_MEAN_STD_RATE_BP, reference: PAPER_B },
  },
};

/** The papers' sources pick their code's transform; any other model gets none unless told. */
export function normalisationFor(source: ModelSource): NormalisationChoice {
  return source === 'osr-ots' || source === 'rate-bp' ? source : 'none';
}

/**
 * out[k] for `count` consecutive CHW pixels starting at `offset` (a whole number of images of `plane` pixels per
 * channel): ToTensor then Normalize, every step rounded to float32 as torch does it. A double result of one
 * operation on float32 operands, rounded once to float32, equals the float32 operation's result.
 */
export function normalisePixels(images: Uint8Array, offset: number, count: number, plane: number, norm: ChannelNormalisation, out: Float32Array): void {
  const channels = norm.mean.length;
  const imageSize = channels * plane;
  if (offset % imageSize !== 0 || count % imageSize !== 0 || offset + count > images.length || count > out.length) {
    throw new RangeError(`cannot normalise ${count} pixels at offset ${offset} of ${images.length} in images of ${imageSize} into ${out.length}`);
  }
  const mean = norm.mean.map(Math.fround);
  const std = norm.std.map(Math.fround);
  for (let i = 0; i < count; i++) {
    const channel = Math.floor((i % imageSize) / plane);
    const x = Math.fround(images[offset + i]! / 255);
    out[i] = Math.fround(x - mean[channel]!) / std[channel]!;
  }
}
