import { describe, expect, it } from 'vitest';
import { ChipSpecError } from '../../chips/errors.js';
import { builtinChips } from '../../chips/registry.js';
import { COST_ACCOUNTING_CHOICES, DEFAULT_COST_ACCOUNTING } from '../../chips/spec/chip-spec.js';
import { validateChipSpec } from '../../chips/spec/validate-chip-spec.js';

/** Specs are mutated as untyped JSON here, exactly as a user's file could be. */
type Json = any;

const loihiJson = (): Json => JSON.parse(JSON.stringify(builtinChips.loihi));

describe("a cost profile's accounting (what its source model counts)", () => {
  it('davies2018 counts as spikechip does; sanafe as SANA-FE does', () => {
    expect(builtinChips.loihi.costProfiles.davies2018!.accounting).toEqual(DEFAULT_COST_ACCOUNTING);
    expect(builtinChips.loihi2.costProfiles.davies2018!.accounting).toEqual(DEFAULT_COST_ACCOUNTING);
    expect(builtinChips.loihi.costProfiles.sanafe!.accounting).toEqual({ neurons: 'every-step', spikeTraffic: 'firing-step', stepTime: 'max-of-phases', barrier: 'step' });
  });

  it('a spec file without it (written before it existed) reads as spikechip accounting', () => {
    const spec = loihiJson();
    delete spec.costProfiles.sanafe.accounting;
    expect(validateChipSpec(spec, 'user.json').costProfiles.sanafe!.accounting).toEqual(DEFAULT_COST_ACCOUNTING);
  });

  it('a user profile can choose SANA-FE accounting field by field', () => {
    const spec = loihiJson();
    spec.costProfiles.davies2018.accounting = { neurons: 'every-step', spikeTraffic: 'delivery-step', stepTime: 'core-sum', barrier: 'step' };
    expect(validateChipSpec(spec, 'user.json').costProfiles.davies2018!.accounting.neurons).toBe('every-step');
  });

  it.each(Object.keys(COST_ACCOUNTING_CHOICES))('refuses an unknown %s, naming the path and the choices', (key) => {
    const spec = loihiJson();
    spec.costProfiles.sanafe.accounting[key] = 'sometimes';
    let error: unknown;
    try {
      validateChipSpec(spec, 'user.json');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ChipSpecError);
    expect((error as ChipSpecError).jsonPath).toBe(`$.costProfiles.sanafe.accounting.${key}`);
    for (const choice of COST_ACCOUNTING_CHOICES[key as keyof typeof COST_ACCOUNTING_CHOICES]) expect((error as ChipSpecError).expected).toContain(choice);
  });

  it('refuses a missing or an extra field', () => {
    const missing = loihiJson();
    delete missing.costProfiles.sanafe.accounting.barrier;
    expect(() => validateChipSpec(missing, 'user.json')).toThrow(/\$\.costProfiles\.sanafe\.accounting\.barrier/);
    const extra = loihiJson();
    extra.costProfiles.sanafe.accounting.detailed = true;
    expect(() => validateChipSpec(extra, 'user.json')).toThrow(/\$\.costProfiles\.sanafe\.accounting\.detailed/);
  });
});
