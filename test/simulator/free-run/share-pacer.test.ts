import { describe, expect, it } from 'vitest';
import { SharePacer, type PaceMode } from '../../../simulator/free-run/share-pacer.js';

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
});
