import { afterEach, describe, expect, it } from 'vitest';
import { chipReaderMemoryBudget } from '../../chips/memory-budget.js';
import { ModelError } from '../../models/errors.js';
import { defaultMemoryBudget, MEMORY_BUDGET_VARIABLE, MemoryLedger, memoryBudget, parseByteSize, setMemoryBudget } from '../../models/memory-budget.js';

const MIB = 2 ** 20;
const GIB = 2 ** 30;
const saved = process.env[MEMORY_BUDGET_VARIABLE];

afterEach(() => {
  if (saved === undefined) delete process.env[MEMORY_BUDGET_VARIABLE];
  else process.env[MEMORY_BUDGET_VARIABLE] = saved;
});

describe('parseByteSize', () => {
  it.each([
    ['1048576', MIB],
    ['512M', 512 * MIB],
    ['512MiB', 512 * MIB],
    ['512mb', 512 * MIB],
    ['2G', 2 * GIB],
    ['1.5G', 1.5 * GIB],
    [' 4096K ', 4 * MIB],
    ['1T', 1024 * GIB],
  ])('reads %j as %d bytes', (text, bytes) => {
    expect(parseByteSize(text)).toBe(bytes);
  });

  it.each(['', 'lots', '-1G', '1e9', '0', '1K', '2P', '1 G B', '0x100000'])('refuses %j', (text) => {
    expect(parseByteSize(text)).toBeUndefined();
  });
});

describe('the process budget', () => {
  it('defaults to a quarter of the machine, at most 512 MiB', () => {
    expect(defaultMemoryBudget(24 * GIB)).toBe(512 * MIB);
    expect(defaultMemoryBudget(1 * GIB)).toBe(256 * MIB);
    expect(defaultMemoryBudget(2 * MIB)).toBe(MIB);
  });

  it('comes from SPIKECHIP_MAX_MEMORY when set, and setMemoryBudget sets it for workers and children', () => {
    delete process.env[MEMORY_BUDGET_VARIABLE];
    expect(memoryBudget()).toBe(defaultMemoryBudget());
    process.env[MEMORY_BUDGET_VARIABLE] = '64M';
    expect(memoryBudget()).toBe(64 * MIB);
    setMemoryBudget(3 * MIB);
    expect(process.env[MEMORY_BUDGET_VARIABLE]).toBe(String(3 * MIB));
    expect(memoryBudget()).toBe(3 * MIB);
    expect(() => setMemoryBudget(1.5)).toThrow(RangeError);
  });

  it('refuses a malformed variable with an error naming it', () => {
    process.env[MEMORY_BUDGET_VARIABLE] = 'plenty';
    expect(() => memoryBudget()).toThrow(`${MEMORY_BUDGET_VARIABLE}: 'plenty' is not a memory size`);
  });

  it('is read the same way by chips/, which may not import models/', () => {
    for (const text of [undefined, '', '1048576', '512M', '1.5G', '3GiB', '1T', ' 64m ']) {
      if (text === undefined) delete process.env[MEMORY_BUDGET_VARIABLE];
      else process.env[MEMORY_BUDGET_VARIABLE] = text;
      expect(chipReaderMemoryBudget(), String(text)).toBe(memoryBudget());
    }
  });
});

describe('MemoryLedger', () => {
  it('accepts charges up to its limit and refuses the one that passes it, naming file, field and sizes', () => {
    const ledger = new MemoryLedger('model.pth', 100 * 1024);
    ledger.charge(60 * 1024, 'storage 0');
    ledger.charge(40 * 1024, 'storage 1');
    expect(ledger.used).toBe(100 * 1024);
    let error: unknown;
    try {
      ledger.charge(1, 'storage 2');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ModelError);
    expect((error as ModelError).message).toBe(
      'model.pth: storage 2 needs 1 bytes (on top of 100.0 KiB already read), over the memory budget of 100.0 KiB ' + `(raise it with --max-memory or ${MEMORY_BUDGET_VARIABLE})`,
    );
  });

  it('refuses sizes that are not numbers of bytes (overflowed products)', () => {
    const ledger = new MemoryLedger('x', GIB);
    expect(() => ledger.charge(Number.NaN, 'a')).toThrow(ModelError);
    expect(() => ledger.charge(Infinity, 'b')).toThrow(ModelError);
    expect(() => ledger.charge(-1, 'c')).toThrow(ModelError);
    expect(ledger.used).toBe(0);
  });
});
