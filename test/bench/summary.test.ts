import { describe, expect, it } from 'vitest';
import { benchSummary } from '../../bench/summary.js';

describe('the bench summary (npm run bench without --json)', () => {
  it('gives every figure of the run, and says which baselines were not measured', () => {
    const text = benchSummary({
      chipSimulation: { chip: 'loihi2', images: 10_000, workers: 2, accuracy: 0.8951, imagesPerSec: 3182.4, synapticOpsPerSec: 7e9 },
      compileVggLoihi2: { model: 'osr-vggsnn-cifar-random', chip: 'loihi2', chipsUsed: 21, coresUsed: 2655, calibrationSeconds: 2.5, compileSeconds: 3.25, goalSeconds: 5 },
      cuba: [
        {
          N: 10_000,
          busy: false,
          eventsPerSec: 1.382e9,
          threads: 2,
          runsPerFigure: 20,
          eventsPerSecOneThread: 7.96e8,
          eventsPerSecScalar: 1.61e8,
          spikes: 116_707,
          rateHz: 11.67,
          cEventsPerSec: 1.446e9,
          cPlainEventsPerSec: 7.09e8,
          cSpikes: 118_069,
          brian2CppEventsPerSec: null,
          ratioToC: 0.9557,
          ratioToBrian2: null,
        },
        {
          N: 10_000,
          busy: true,
          eventsPerSec: 7.2e8,
          threads: 2,
          runsPerFigure: 20,
          eventsPerSecOneThread: 7.1e8,
          eventsPerSecScalar: 1.2e8,
          spikes: 116_707,
          rateHz: 11.67,
          cEventsPerSec: 1.2e9,
          cPlainEventsPerSec: 6e8,
          cSpikes: 118_069,
          brian2CppEventsPerSec: 2.5e8,
          ratioToC: 0.6,
          ratioToBrian2: 2.88,
        },
      ],
      models: [
        {
          name: 'vggsnn',
          fixture: 'osr-vggsnn-cifar-random',
          floatImagesPerSec: 1.31,
          chipImagesPerSec: 4.9,
          pytorchImagesPerSec: 46.2,
          pytorchBatch: 16,
          floatToPytorch: 1.31 / 46.2,
          chipToPytorch: 4.9 / 46.2,
          calibrationSeconds: 21.5,
          compileSeconds: 3.25,
          chips: 21,
          cores: 2655,
          peakRssBytes: 1.5 * 2 ** 30,
          floatWorkerPeakRssBytes: 2 ** 29,
          notes: [],
        },
        {
          name: 'resnet19',
          fixture: 'osr-resnet19-cifar-random',
          floatImagesPerSec: 0.4,
          chipImagesPerSec: null,
          pytorchImagesPerSec: null,
          pytorchBatch: null,
          floatToPytorch: null,
          chipToPytorch: null,
          calibrationSeconds: 60,
          compileSeconds: null,
          chips: null,
          cores: null,
          peakRssBytes: 2 ** 30,
          floatWorkerPeakRssBytes: null,
          notes: ['compile for loihi2: E-UNSUPPORTED layer layer1.0.add', 'PyTorch baseline: torch is not installed'],
        },
        { name: 'sew', fixture: 'osr-sew', skipped: '../shared/fixtures/osr-sew is absent' },
      ],
    });
    expect(text).toContain('vggsnn            float 1.31 images/s, chip 4.90 images/s, PyTorch 46.2 images/s at batch 16 (float/PyTorch 0.03, chip/PyTorch 0.11)');
    expect(text).toContain('compile 3.25 s + OTS calibration 21.50 s, 2,655 cores on 21 chips, peak RSS 1,536 MiB (each float worker process 512 MiB)');
    expect(text).toMatch(/OTS calibration 60\.00 s, peak RSS 1,024 MiB\n/);
    expect(text).toContain('resnet19          float 0.40 images/s, chip null, PyTorch null (float/PyTorch -, chip/PyTorch -)');
    expect(text).toContain('null because compile for loihi2: E-UNSUPPORTED layer layer1.0.add');
    expect(text).toContain('sew               skipped: ../shared/fixtures/osr-sew is absent');
    expect(text).toContain('loihi2, 10,000 images, 2 workers: 3,182 images/s, accuracy 89.51 %');
    expect(text).toContain('VGGSNN compile    loihi2: 5.75 s with OTS freezing (goal 5 s): freezing OTS 2.50 s, compile 3.25 s, 2,655 cores on 21 chips');
    expect(text).toContain('1,382 M synaptic events/s in 2 threads (1 thread 796 M, scalar 161 M), 116,707 spikes, best of 20 runs');
    expect(text).toContain('C fastest 1,446 M (ratio 0.96), C plain 709 M, Brian2 C++ standalone not measured (ratio -)');
    expect(text).toContain('CUBA N = 10,000   beside a CPU-bound process: 720 M synaptic events/s in 2 threads (1 thread 710 M');
    expect(text).toContain('Brian2 C++ standalone 250 M (ratio 2.88)');
    expect(text).not.toContain('float reference');
  });
});
