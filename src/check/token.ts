/**
 * Replay tokens: a counterexample's configuration and choice sequence in one short string,
 * so that `check --replay TOKEN` reproduces the trace exactly.
 *
 * Layout (then base64url): a JSON header, a NUL byte, then the successor indexes as LEB128
 * varints. The header names the spec by the start of its hash, the configuration, the edges
 * taken out and the memory mode.
 */

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
export class TokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenError';
  }
}

/** The token for `t`. */
export function encodeToken(t: ReplayToken): string {
  const header = Buffer.from(JSON.stringify({ v: 1, s: t.spec, c: t.config, w: t.without,
    sc: t.sc ? 1 : 0 }), 'utf8');
  const bytes: number[] = [...header, 0];
  for (const n of t.path) {
    let v = n;
    while (v >= 0x80) {
      bytes.push((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    bytes.push(v);
  }
  return Buffer.from(bytes).toString('base64url');
}

/** Reads a token made by `encodeToken`. */
export function decodeToken(token: string): ReplayToken {
  const bytes = Buffer.from(token.trim(), 'base64url');
  const nul = bytes.indexOf(0);
  if (nul < 0) throw new TokenError('not a replay token (no header)');
  let header: { v?: number; s?: string; c?: ConfigRef; w?: string[]; sc?: number };
  try {
    header = JSON.parse(bytes.subarray(0, nul).toString('utf8'));
  } catch {
    throw new TokenError('not a replay token (unreadable header)');
  }
  if (header.v !== 1 || typeof header.s !== 'string' || !header.c || !Array.isArray(header.w)) {
    throw new TokenError('not a replay token of this version');
  }
  const path: number[] = [];
  for (let i = nul + 1; i < bytes.length;) {
    let v = 0;
    let shift = 0;
    for (;;) {
      if (i >= bytes.length) throw new TokenError('replay token cut short');
      const b = bytes[i++];
      v |= (b & 0x7f) << shift;
      if (b < 0x80) break;
      shift += 7;
    }
    path.push(v);
  }
  return { spec: header.s, config: header.c, without: header.w, sc: header.sc === 1, path };
}
