import { describe, expect, it } from 'vitest';
import { machinePace, PaceMemory, SharePacer, type PaceMode } from '../../../simulator/free-run/share-pacer.js';

/** Runs `chunks` chunks whose seconds per step each mode takes are given by `pace`; returns the modes chosen. */
function drive(pacer: SharePacer, chunks: number, pace: (mode: PaceMode, chunk: number) => number): PaceMode[] {
  const modes: PaceMode[] = [];
  for (let c = 0; c < chunks; c++) {
    const mode = pacer.next();
    const steps = pacer.chunkSteps();
    pacer.record(mode, steps, steps * pace(mode, c));
    modes.push(mode);
  }
  return modes;
}

describe('SharePacer: threads or one thread, chunk by chunk', () => {
  it('tries the inline mode once early, then never while threaded chunks keep their pace (a quiet machine pays one chunk)', () => {
    const modes = drive(new SharePacer(), 200, (mode) => (mode === 'threads' ? 1e-5 * (1 + 0.2 * Math.random()) : 1.6e-5));
    expect(modes.filter((m) => m === 'inline')).toEqual(['inline']);
    expect(modes.indexOf('inline')).toBeLessThan(5);
  });

  it('moves to the inline mode when threads are slow from the very first chunk (a machine busy all along)', () => {
    const modes = drive(new SharePacer(), 100, (mode) => (mode === 'threads' ? 3e-5 : 1.6e-5));
    expect(modes.slice(10).filter((m) => m === 'inline').length).toBeGreaterThan(80);
  });

  it('moves to the inline mode when threaded chunks slow down and one thread runs faster', () => {
    const modes = drive(new SharePacer(), 100, (mode, chunk) => (mode === 'threads' ? (chunk < 10 ? 1e-5 : 3e-5) : 1.6e-5));
    expect(modes.slice(0, 10).filter((m) => m === 'inline').length).toBe(1);
    expect(modes.slice(10)).toContain('inline');
    const late = modes.slice(50);
    // Only the occasional trial of threads, and fewer as they keep losing.
    expect(late.filter((m) => m === 'threads').length).toBeLessThanOrEqual(2);
  });

  it('goes back to threads when the machine is quiet again', () => {
    const modes = drive(new SharePacer(), 300, (mode, chunk) => (mode === 'threads' ? (chunk >= 10 && chunk < 60 ? 3e-5 : 1e-5) : 1.6e-5));
    expect(modes.slice(20, 60)).toContain('inline');
    expect(modes.slice(200).every((m) => m === 'threads')).toBe(true);
  });

  it('keeps trying the threads while they are disturbed but still faster than one thread', () => {
    const modes = drive(new SharePacer(), 100, (mode, chunk) => (mode === 'threads' ? (chunk < 5 ? 1e-5 : 1.4e-5) : 2e-5));
    expect(modes.slice(20).filter((m) => m === 'threads').length).toBeGreaterThan(70);
  });

  it('makes chunks of about a millisecond at the pace of the mode in use', () => {
    const pacer = new SharePacer();
    expect(pacer.chunkSteps()).toBe(8);
    pacer.next();
    pacer.record('threads', 8, 8 * 2e-5);
    expect(pacer.chunkSteps()).toBe(50);
  });

  it('spaces trials of the losing mode by their cost: a busy run spends a few per cent of its time on them', () => {
    const pacer = new SharePacer();
    let trialSeconds = 0;
    let total = 0;
    for (let c = 0; c < 2000; c++) {
      const mode = pacer.next();
      const steps = pacer.chunkSteps();
      // Threads wait for a descheduled thread: a few milliseconds whatever the chunk's length.
      const seconds = mode === 'threads' ? 4e-3 : steps * 1.6e-5;
      pacer.record(mode, steps, seconds);
      total += seconds;
      if (mode === 'threads' && c > 5) trialSeconds += seconds;
    }
    expect(trialSeconds / total).toBeLessThan(0.05);
  });
});

describe('PaceMemory: what one run of a network tells the next', () => {
  it('after a run where one thread won, the next runs take one thread until threads are due for a trial, which a new pacer then runs first', () => {
    const memory = new PaceMemory();
    drive(new SharePacer(memory), 50, (mode) => (mode === 'threads' ? 3e-5 : 1.6e-5));
    expect(memory.current).toBe('inline');
    expect(memory.prefersOneThread()).toBe(true);
    let runs = 0;
    while (memory.prefersOneThread()) {
      memory.ranOneThread(1000, 1000 * 1.4e-5);
      runs++;
    }
    expect(runs).toBeGreaterThan(0);
    expect(runs).toBeLessThan(1000);
    expect(memory.perStep.inline).toBeLessThan(1.6e-5);
    expect(new SharePacer(memory).next()).toBe('threads');
  });

  it('after a quiet run the next run takes threads; each network keeps a memory of its own', () => {
    const memory = new PaceMemory();
    drive(new SharePacer(memory), 50, (mode) => (mode === 'threads' ? 1e-5 : 1.6e-5));
    expect(memory.prefersOneThread()).toBe(false);
    expect(machinePace('a network')).toBe(machinePace('a network'));
    expect(machinePace('a network')).not.toBe(machinePace('another network'));
  });
});
