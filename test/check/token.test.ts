import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkSpec, replayToken } from '../../src/check/index.ts';
import { decodeToken, encodeToken, TokenError, type ReplayToken } from '../../src/check/token.ts';
import { loadSpec } from '../../src/spec/load.ts';

const kernel = loadSpec('spec/mempool.mps');

const token: fc.Arbitrary<ReplayToken> = fc.record({
  spec: fc.stringMatching(/^[0-9a-f]{12}$/),
  config: fc.oneof(
    fc.record({ kind: fc.constant('scenario' as const), name: fc.string() }),
    fc.record({ kind: fc.constant('ranges' as const),
      params: fc.dictionary(fc.stringMatching(/^[a-z_]{1,8}$/), fc.nat(9)) }),
  ),
  without: fc.array(fc.string(), { maxLength: 3 }),
  sc: fc.boolean(),
  path: fc.array(fc.nat(100_000), { maxLength: 60 }),
});

describe('replay tokens', () => {
  it('decode to what was encoded', () => {
    fc.assert(fc.property(token, (t) => {
      expect(decodeToken(encodeToken(t))).toEqual(t);
    }));
  });

  it('reject strings that are not tokens', () => {
    expect(() => decodeToken('not-a-token')).toThrow(TokenError);
  });

  it.each([[['reserve_handoff']], [['wait_registration']]])(
    'reproduce the counterexample found without %s, step for step', (without) => {
      const found = checkSpec(kernel, { without, fix: { min_nr: 1, capacity: 0 },
        bounds: { threads: 2, ops: 2 } }).counterexample!;
      const replayed = replayToken(kernel, found.token).counterexample!;
      expect(replayed.property).toBe(found.property);
      expect(replayed.steps).toEqual(found.steps);
    });

  it('refuse a token made for another version of the spec', () => {
    const found = checkSpec(kernel, { without: ['reserve_handoff'], only: 'scenarios' });
    const other = { ...kernel, sha256: 'f'.repeat(64) };
    expect(() => replayToken(other, found.counterexample!.token)).toThrow(TokenError);
  });
});
