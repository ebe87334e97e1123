import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkSpec, ReplayError, replayToken } from '../../src/check/index.ts';
import { decodeToken, encodeToken, TokenError, type ReplayToken } from '../../src/check/token.ts';
import { loadSpec } from '../../src/spec/load.ts';

const kernel = loadSpec('spec/mempool.mps');

const token: fc.Arbitrary<ReplayToken> = fc.record({
  spec: fc.stringMatching(/^[0-9a-f]{12}$/),
  config: fc.oneof(
    fc.record({ kind: fc.constant('scenario' as const), name: fc.string({ minLength: 1 }) }),
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

  it('refuse a token put together by hand, with a good check, as a bad token', () => {
    const spec = kernel.sha256.slice(0, 12);
    const made = (t: Partial<ReplayToken> & Record<string, unknown>): string => encodeToken({
      spec, config: { kind: 'ranges', params: { min_nr: 0, threads: 2, ops: 2, capacity: 1 } },
      without: [], sc: false, path: [], ...t } as ReplayToken);
    expect(() => decodeToken(made({ config: { kind: 'zzz' } as never }))).toThrow(TokenError);
    expect(() => decodeToken(made({ spec: '' }))).toThrow(TokenError);
    expect(() => replayToken(kernel, made({ config: { kind: 'ranges', params: {} } })))
      .toThrow(/a configuration this spec does not have/);
    expect(() => replayToken(kernel, made({ config: { kind: 'ranges',
      params: { min_nr: 7, threads: 2, ops: 2, capacity: 1 } } })))
      .toThrow(/a configuration this spec does not have/);
    expect(() => replayToken(kernel, made({ without: ['nope'] })))
      .toThrow(/takes out an edge this spec does not have \('nope'\)/);
  });

  it('reject strings that are not tokens', () => {
    expect(() => decodeToken('not-a-token')).toThrow(TokenError);
  });

  it('refuse a token cut short, or with characters added or changed anywhere', () => {
    fc.assert(fc.property(token, fc.nat(), fc.stringMatching(/^[A-Za-z0-9_-]{1,8}$/),
      (t, at, extra) => {
        const whole = encodeToken(t);
        const cut = 1 + (at % (whole.length - 1));
        expect(() => decodeToken(whole.slice(0, cut))).toThrow(TokenError);
        expect(() => decodeToken(whole + extra)).toThrow(TokenError);
        const i = at % whole.length;
        const changed = whole.slice(0, i) + (whole[i] === 'A' ? 'B' : 'A') + whole.slice(i + 1);
        expect(() => decodeToken(changed)).toThrow(TokenError);
      }));
  });

  it('say that a version 1 token was made by an older mempool-spec', () => {
    const v1 = Buffer.from('{"v":1,"s":"8fb9e8c56dd0","c":{"kind":"ranges","params":{' +
      '"min_nr":0,"threads":2,"ops":2,"capacity":1}},"w":[],"sc":0}\0\0\b\x06\x06\x02\0\0')
      .toString('base64url');
    expect(() => decodeToken(v1)).toThrow(/made by an older mempool-spec \(token version 1,/);
  });

  it('refuse a well-formed token whose trace breaks no property', () => {
    const found = checkSpec(kernel, { without: ['reserve_handoff'],
      fix: { min_nr: 1, capacity: 0 }, bounds: { threads: 2, ops: 2 } }).counterexample!;
    const t = decodeToken(found.token);
    // The trace without its last step: a valid token of a trace that breaks nothing.
    const short = encodeToken({ ...t, path: t.path.slice(0, -1) });
    expect(() => replayToken(kernel, short)).toThrow(ReplayError);
    expect(() => replayToken(kernel, short)).toThrow(/breaks no property, so the token is /);
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
