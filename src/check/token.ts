import { createHash } from 'node:crypto';
import { z } from 'zod';

/**
 * Replay tokens: a counterexample's configuration and choice sequence in one short string,
 * so that `check --replay TOKEN` reproduces the trace exactly.
 *
 * Layout (then base64url): a JSON header, a NUL byte, the successor indexes as LEB128
 * varints, then a 4-byte check: the first 4 bytes of the sha-256 of everything before it.
 * The header names the token's version, the spec by the start of its hash, the
 * configuration, the edges taken out, the memory mode and the number of choices, so that a
 * token cut short or with characters added or changed is refused instead of replaying a
 * different trace.
 */

/** The version of the token layout; version 1 had no count of choices and no check. */
export const TOKEN_VERSION = 2;

/** The shape of a token's JSON header (field names kept short: they are in every token). */
const HEADER = z.object({
  v: z.literal(TOKEN_VERSION),
  s: z.string().regex(/^[0-9a-f]{12}$/),
  c: z.union([
    z.object({ kind: z.literal('scenario'), name: z.string().min(1) }),
    z.object({ kind: z.literal('ranges'), params: z.record(z.string(), z.number().int()) }),
  ]),
  w: z.array(z.string()),
  sc: z.union([z.literal(0), z.literal(1)]),
  n: z.number().int().nonnegative(),
});

/** Bytes of the check at the end of a token. */
const CHECK_BYTES = 4;

/** Which configuration a token replays. */
export type ConfigRef =
  | { kind: 'scenario'; name: string }
  | { kind: 'ranges'; params: Record<string, number> };

/** Everything a replay needs besides the spec. */
export interface ReplayToken {
  /** The first 12 hex digits of the spec's sha-256. */
  spec: string;
  config: ConfigRef;
  without: string[];
  sc: boolean;
  path: number[];
}

/** Raised for a string that is not a replay token. */
/**
 * What is wrong with a token that cannot be replayed, for the hint: the token itself (cut,
 * mistyped), the spec it is replayed against (another version), or the tool (a token of an
 * older or newer mempool-spec).
 */
export type TokenTrouble = 'token' | 'spec' | 'tool';

export class TokenError extends Error {
  constructor(message: string, readonly about: TokenTrouble = 'token') {
    super(message);
    this.name = 'TokenError';
  }
}

function checkOf(bytes: Uint8Array): Buffer {
  return createHash('sha256').update(bytes).digest().subarray(0, CHECK_BYTES);
}

/** The token for `t`. */
export function encodeToken(t: ReplayToken): string {
  const header = Buffer.from(JSON.stringify({ v: TOKEN_VERSION, s: t.spec, c: t.config,
    w: t.without, sc: t.sc ? 1 : 0, n: t.path.length }), 'utf8');
  const bytes: number[] = [...header, 0];
  for (const n of t.path) {
    let v = n;
    while (v >= 0x80) {
      bytes.push((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    bytes.push(v);
  }
  const body = Buffer.from(bytes);
  return Buffer.concat([body, checkOf(body)]).toString('base64url');
}

/** Reads a token made by `encodeToken`. */
export function decodeToken(token: string): ReplayToken {
  const text = token.trim();
  if (text === '') throw new TokenError('not a replay token (it is empty)');
  // Buffer.from skips characters outside the alphabet; a token has none.
  if (!/^[A-Za-z0-9_-]+$/.test(text)) {
    throw new TokenError('not a replay token (it has characters other than letters, digits, ' +
      '- and _)');
  }
  const bytes = Buffer.from(text, 'base64url');
  const nul = bytes.indexOf(0);
  if (nul < 0) throw new TokenError('not a replay token (no header)');
  let header: unknown;
  try {
    header = JSON.parse(bytes.subarray(0, nul).toString('utf8'));
  } catch {
    throw new TokenError('not a replay token (unreadable header)');
  }
  if (typeof header !== 'object' || header === null) {
    throw new TokenError('not a replay token (unreadable header)');
  }
  const { v } = header as { v?: unknown };
  if (typeof v === 'number' && v !== TOKEN_VERSION) {
    throw new TokenError(`the replay token was made by ${v < TOKEN_VERSION ? 'an older' :
      'a newer'} mempool-spec (token version ${v}, this one reads version ${TOKEN_VERSION})`,
    'tool');
  }
  const parsed = HEADER.safeParse(header);
  if (!parsed.success) throw new TokenError('not a replay token (incomplete header)');
  const fields = parsed.data;
  // A character added at the end may make no whole byte, which Buffer.from drops.
  if (bytes.toString('base64url') !== text) {
    throw new TokenError('replay token cut short or damaged (it does not end where a token ' +
      'can end)');
  }
  const count = fields.n;
  const path: number[] = [];
  let i = nul + 1;
  while (path.length < count) {
    let v = 0;
    let shift = 0;
    for (;;) {
      if (i >= bytes.length) throw new TokenError('replay token cut short');
      const b = bytes[i++];
      v += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) break;
      shift += 7;
      if (shift > 28) throw new TokenError('replay token damaged (a choice out of range)');
    }
    path.push(v);
  }
  if (bytes.length < i + CHECK_BYTES) throw new TokenError('replay token cut short');
  if (bytes.length > i + CHECK_BYTES) {
    throw new TokenError(`replay token damaged (${bytes.length - i - CHECK_BYTES} byte(s) ` +
      'too many at its end)');
  }
  if (!checkOf(bytes.subarray(0, i)).equals(bytes.subarray(i))) {
    throw new TokenError('replay token damaged (its check does not match)');
  }
  return { spec: fields.s, config: fields.c, without: fields.w, sc: fields.sc === 1, path };
}
