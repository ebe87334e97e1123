import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { replayHint, runSettings } from '../../src/harness/settings.ts';

describe('runSettings', () => {
  const defaults = { seed: 5, runs: 10 };

  it('uses the defaults unless the environment overrides seed or runs', () => {
    expect(runSettings(defaults, {})).toEqual(defaults);
    expect(runSettings(defaults, { MEMPOOL_SPEC_SEED: '-3', MEMPOOL_SPEC_RUNS: ' 7 ' }))
      .toEqual({ seed: -3, runs: 7 });
  });

  it('refuses a value that is not an integer in range instead of ignoring it', () => {
    expect(() => runSettings(defaults, { MEMPOOL_SPEC_SEED: 'abc' }))
      .toThrow('MEMPOOL_SPEC_SEED=abc');
    expect(() => runSettings(defaults, { MEMPOOL_SPEC_RUNS: '0' })).toThrow('MEMPOOL_SPEC_RUNS=0');
    expect(() => runSettings(defaults, { MEMPOOL_SPEC_RUNS: '1.5' })).toThrow();
  });

  it('gives a replay command with the test file relative to the working directory', () => {
    const url = pathToFileURL(`${process.cwd()}/generated/tests/model.test.ts`).href;
    expect(replayHint({ seed: 1, runs: 2 }, url))
      .toBe('MEMPOOL_SPEC_SEED=1 MEMPOOL_SPEC_RUNS=2 npx vitest run generated/tests/model.test.ts');
  });
});
