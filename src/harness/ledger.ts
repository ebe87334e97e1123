/**
 * The ownership ledger: for every element handle, who has it right now. It lives in a
 * SharedArrayBuffer so that every worker updates the same ledger, and every change is one
 * `Atomics.compareExchange` from the state the change expects, so an element handed out
 * twice is caught by the second claim, at the moment it happens, in the thread it happens in.
 *
 * The harness keeps the ledger itself; it never asks the implementation who holds what.
 */

/** Where an element is, as the ledger sees it. */
export type Place =
  | { at: 'unseen' }
  /** In the backing allocator (given back, or never taken). */
  | { at: 'backing' }
  /** Taken from the backing allocator by the pool and not handed to a client: the reserve. */
  | { at: 'pool' }
  | { at: 'client'; client: number };

const UNSEEN = 0;
const BACKING = 1;
const POOL = 2;
const CLIENT_BASE = 16;

/** Header words: the first violation, recorded by whichever thread saw it. */
const V_FLAG = 0;
const V_CODE = 1;
const V_ELEMENT = 2;
const V_FOUND = 3;
const V_CLIENT = 4;
/** Header words: how many elements are in the pool, and how many are with clients. */
const N_POOL = 5;
const N_CLIENTS = 6;
const HEADER_WORDS = 8;

/** The kinds of broken ownership the ledger detects. */
export const violationKinds = [
  'handed out twice',
  'handed out while not the pool\'s',
  'given back to the backing allocator while a client holds it',
  'given back to the backing allocator while not the pool\'s',
  'handed out by the backing allocator while still in use',
  'freed by a client that does not hold it',
  'ledger full',
] as const;

/** One of `violationKinds`. */
export type ViolationKind = (typeof violationKinds)[number];

/** The first ownership violation seen, with what the ledger found in place of what it expected. */
export interface Violation {
  kind: ViolationKind;
  element: number;
  found: Place;
  /** The client whose operation saw it (-1: the pool's own traffic with the backing). */
  client: number;
}

/** Thrown by the thread that detects a violation (after recording it in shared memory). */
export class LedgerViolation extends Error {
  constructor(readonly violation: Violation) {
    super(describeViolation(violation));
    this.name = 'LedgerViolation';
  }
}

/** A sentence naming the element, what happened and where the element was instead. */
export function describeViolation(v: Violation): string {
  const who = v.client >= 0 ? ` (seen by client ${v.client})` : '';
  return `element ${v.element} ${v.kind}: it was ${describePlace(v.found)}${who}`;
}

/** Where an element was, as words. */
export function describePlace(p: Place): string {
  switch (p.at) {
    case 'unseen':
      return 'never handed out by the backing allocator';
    case 'backing':
      return 'in the backing allocator';
    case 'pool':
      return 'in the pool (reserve or on its way back)';
    case 'client':
      return `held by client ${p.client}`;
  }
}

/** The shared ownership ledger; see the module comment. */
export class OwnershipLedger {
  private readonly header: Int32Array;
  private readonly keys: Int32Array;
  private readonly states: Int32Array;
  private readonly mask: number;

  private constructor(readonly buffer: SharedArrayBuffer) {
    this.header = new Int32Array(buffer, 0, HEADER_WORDS);
    const slots = (buffer.byteLength / 4 - HEADER_WORDS) / 2;
    this.keys = new Int32Array(buffer, HEADER_WORDS * 4, slots);
    this.states = new Int32Array(buffer, (HEADER_WORDS + slots) * 4, slots);
    this.mask = slots - 1;
  }

  /**
   * A ledger with room for `minSlots` distinct handles (rounded up to a power of two; the
   * table stays at most half full for short probes).
   */
  static create(minSlots = 1 << 14): OwnershipLedger {
    let slots = 1;
    while (slots < minSlots * 2) slots *= 2;
    return new OwnershipLedger(new SharedArrayBuffer((HEADER_WORDS + 2 * slots) * 4));
  }

  /** Opens a ledger created in another thread. */
  static attach(buffer: SharedArrayBuffer): OwnershipLedger {
    return new OwnershipLedger(buffer);
  }

  /** The backing allocator handed `element` to the pool. */
  fromBacking(element: number): void {
    const slot = this.slot(element, -1);
    const old = this.swap(slot, [UNSEEN, BACKING], POOL);
    if (old !== UNSEEN && old !== BACKING) {
      this.fail('handed out by the backing allocator while still in use', element, old, -1);
    }
  }

  /** The pool gave `element` back to the backing allocator. */
  toBacking(element: number): void {
    const slot = this.slot(element, -1);
    const old = this.swap(slot, [POOL], BACKING);
    if (old === POOL) return;
    const kind = old >= CLIENT_BASE
      ? 'given back to the backing allocator while a client holds it'
      : 'given back to the backing allocator while not the pool\'s';
    this.fail(kind, element, old, -1);
  }

  /** The pool's `alloc` returned `element` to `client`. */
  handedOut(element: number, client: number): void {
    const slot = this.slot(element, client);
    const old = this.swap(slot, [POOL], CLIENT_BASE + client);
    if (old === POOL) return;
    const kind = old >= CLIENT_BASE ? 'handed out twice' : 'handed out while not the pool\'s';
    this.fail(kind, element, old, client);
  }

  /** `client` is about to free `element` (recorded first: the pool may hand it on at once). */
  returning(element: number, client: number): void {
    const slot = this.slot(element, client);
    const old = this.swap(slot, [CLIENT_BASE + client], POOL);
    if (old !== CLIENT_BASE + client) {
      this.fail('freed by a client that does not hold it', element, old, client);
    }
  }

  /** `from` passes `element` to `to` (recorded before the hand-over is published). */
  transfer(element: number, from: number, to: number): void {
    const slot = this.slot(element, from);
    const old = this.swap(slot, [CLIENT_BASE + from], CLIENT_BASE + to);
    if (old !== CLIENT_BASE + from) {
      this.fail('freed by a client that does not hold it', element, old, from);
    }
  }

  /** Where `element` is now. */
  placeOf(element: number): Place {
    const slot = this.find(element);
    return slot < 0 ? { at: 'unseen' } : decode(Atomics.load(this.states, slot));
  }

  /** Every element the ledger has seen, with its place. */
  entries(): { element: number; place: Place }[] {
    const out: { element: number; place: Place }[] = [];
    for (let i = 0; i <= this.mask; i++) {
      const key = Atomics.load(this.keys, i);
      if (key !== 0) out.push({ element: key, place: decode(Atomics.load(this.states, i)) });
    }
    return out.sort((a, b) => a.element - b.element);
  }

  /** How many elements are in each place: `pool`, `backing`, and per client. */
  census(): { pool: number; backing: number; clients: Map<number, number[]> } {
    const result = { pool: 0, backing: 0, clients: new Map<number, number[]>() };
    for (const { element, place } of this.entries()) {
      if (place.at === 'pool') result.pool++;
      else if (place.at === 'backing') result.backing++;
      else if (place.at === 'client') {
        const list = result.clients.get(place.client) ?? [];
        list.push(element);
        result.clients.set(place.client, list);
      }
    }
    return result;
  }

  /** The first violation any thread recorded, if any. */
  violation(): Violation | null {
    if (Atomics.load(this.header, V_FLAG) !== 2) return null;
    return {
      kind: violationKinds[Atomics.load(this.header, V_CODE)],
      element: Atomics.load(this.header, V_ELEMENT),
      found: decode(Atomics.load(this.header, V_FOUND)),
      client: Atomics.load(this.header, V_CLIENT),
    };
  }

  /** Elements in the pool now: taken from the backing allocator, not handed to a client. */
  inPool(): number {
    return Atomics.load(this.header, N_POOL);
  }

  /** Elements clients hold now. */
  withClients(): number {
    return Atomics.load(this.header, N_CLIENTS);
  }

  private swap(slot: number, expected: number[], next: number): number {
    for (;;) {
      const current = Atomics.load(this.states, slot);
      if (!expected.includes(current)) return current;
      if (Atomics.compareExchange(this.states, slot, current, next) === current) {
        this.count(current, -1);
        this.count(next, 1);
        return current;
      }
    }
  }

  private count(state: number, delta: number): void {
    if (state === POOL) Atomics.add(this.header, N_POOL, delta);
    else if (state >= CLIENT_BASE) Atomics.add(this.header, N_CLIENTS, delta);
  }

  private find(element: number): number {
    for (let i = hash(element) & this.mask, n = 0; n <= this.mask; i = (i + 1) & this.mask, n++) {
      const key = Atomics.load(this.keys, i);
      if (key === element) return i;
      if (key === 0) return -1;
    }
    return -1;
  }

  /** The slot of `element`, claimed with a compare-exchange if it is new. */
  private slot(element: number, client: number): number {
    if (!Number.isInteger(element) || element <= 0 || element > 0x7fffffff) {
      throw new Error(`ledger: ${String(element)} is not an element handle`);
    }
    for (let i = hash(element) & this.mask, n = 0; n <= this.mask; i = (i + 1) & this.mask, n++) {
      const key = Atomics.load(this.keys, i);
      if (key === element) return i;
      if (key === 0) {
        const won = Atomics.compareExchange(this.keys, i, 0, element);
        if (won === 0 || won === element) return i;
      }
    }
    this.fail('ledger full', element, UNSEEN, client);
  }

  private fail(kind: ViolationKind, element: number, found: number, client: number): never {
    const v: Violation = { kind, element, found: decode(found), client };
    // Only the first violation is kept: later ones are usually its consequences.
    if (Atomics.compareExchange(this.header, V_FLAG, 0, 1) === 0) {
      Atomics.store(this.header, V_CODE, violationKinds.indexOf(kind));
      Atomics.store(this.header, V_ELEMENT, element);
      Atomics.store(this.header, V_FOUND, found);
      Atomics.store(this.header, V_CLIENT, client);
      Atomics.store(this.header, V_FLAG, 2);
    }
    throw new LedgerViolation(v);
  }
}

function decode(state: number): Place {
  if (state === BACKING) return { at: 'backing' };
  if (state === POOL) return { at: 'pool' };
  if (state >= CLIENT_BASE) return { at: 'client', client: state - CLIENT_BASE };
  return { at: 'unseen' };
}

/** Fibonacci hashing: handles are often consecutive, which this spreads over the table. */
function hash(element: number): number {
  return Math.imul(element, 0x9e3779b1) >>> 0;
}
