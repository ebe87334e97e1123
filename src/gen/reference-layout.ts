import type { SpecIR } from '../ir.ts';
import { commentText } from './templates.ts';

/**
 * Where each part of the pool lives in the generated pool's SharedArrayBuffer, and how the
 * generated code accesses it. Both builds of the reference pool (direct Atomics and through
 * `Memory`) use this one layout, so either can open a pool the other created.
 */

/** One 32-bit word of the header, as the generated file documents it. */
export interface LayoutWord {
  index: number;
  /** The TS constant that holds the index, e.g. `CURR_NR`. */
  constant: string;
  meaning: string;
}

export interface Layout {
  /** The header words, in index order; the reserve slots follow them. */
  words: LayoutWord[];
  /** Index of the first reserve slot (= number of header words). */
  reserveIndex: number;
  /** Lock name -> constant of its word. */
  lockWord: Map<string, string>;
  /** Queue name -> constants of its sequence word and its waiter count. */
  queueWords: Map<string, { seq: string; waiters: string }>;
  /** Shared variable name -> constant of its word. */
  varWord: Map<string, string>;
  /**
   * Variables accessed with Atomics everywhere: declared atomic, read without the lock
   * somewhere, or protected by a happens-before edge. The rest are plain, inside their lock.
   */
  atomicVars: Set<string>;
  /** Why each atomic variable is atomic, for the layout table. */
  atomicReason: Map<string, string>;
}

/** The constant of the word that holds the number of reserve slots. */
export const SLOTS_WORD = 'SLOTS';
/** The constant of the first reserve slot. */
export const RESERVE_WORD = 'RESERVE';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/** Throws unless `name` is a spec name that can become part of a TS identifier. */
export function checkName(name: string, what: string): void {
  if (!NAME.test(name)) throw new Error(`reference: ${what} '${name}' is not an identifier`);
}

/** `pool.wait` -> `POOL_WAIT`, `curr_nr` -> `CURR_NR`. */
export function constantName(name: string): string {
  return name.replace(/\./g, '_').replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

/** Computes the layout of `ir`'s pool. */
export function computeLayout(ir: SpecIR): Layout {
  const words: LayoutWord[] = [];
  const used = new Set<string>([RESERVE_WORD]);
  const push = (constant: string, meaning: string): string => {
    if (used.has(constant)) {
      throw new Error(`reference: two parts of the pool would share the constant ${constant}`);
    }
    used.add(constant);
    words.push({ index: words.length, constant, meaning });
    return constant;
  };

  push(SLOTS_WORD, 'Number of reserve slots in this buffer, fixed at create.');

  const lockWord = new Map<string, string>();
  for (const lock of ir.state.locks) {
    checkName(lock.name, 'lock');
    const base = constantName(lock.name);
    const constant = /LOCK/.test(base) ? base : `${base}_LOCK`;
    lockWord.set(lock.name, push(constant, `Lock ${lock.name}: 0 free, 1 held, 2 held and ` +
      `contended (a thread may sleep on it). ${docText(lock.doc)}`));
  }

  const queueWords = new Map<string, { seq: string; waiters: string }>();
  for (const queue of ir.state.queues) {
    checkName(queue.name, 'queue');
    const base = constantName(queue.name);
    const seq = push(`${base}_SEQ`, `Wait queue ${queue.name}: sequence number, bumped by ` +
      `every wake; sleepers wait on this word. ${docText(queue.doc)}`);
    const waiters = push(`${base}_WAITERS`, `Wait queue ${queue.name}: threads between ` +
      'enqueue and dequeue.');
    queueWords.set(queue.name, { seq, waiters });
  }

  const { atomicVars, atomicReason } = accessDiscipline(ir);
  const varWord = new Map<string, string>();
  for (const v of ir.state.vars) {
    checkName(v.name, 'shared variable');
    const how = atomicVars.has(v.name)
      ? `Atomics: ${atomicReason.get(v.name)}.`
      : `Plain, only under ${v.access.kind === 'locked' ? v.access.lock : 'its lock'}.`;
    varWord.set(v.name, push(constantName(v.name), `${v.name}: ${docText(v.doc)} ${how}`));
  }

  return {
    words,
    reserveIndex: words.length,
    lockWord,
    queueWords,
    varWord,
    atomicVars,
    atomicReason,
  };
}

function accessDiscipline(ir: SpecIR): Pick<Layout, 'atomicVars' | 'atomicReason'> {
  const atomicReason = new Map<string, string>();
  const because = (name: string, reason: string): void => {
    const before = atomicReason.get(name);
    atomicReason.set(name, before ? `${before}; ${reason}` : reason);
  };
  for (const v of ir.state.vars) {
    if (v.access.kind === 'atomic') because(v.name, 'declared atomic');
    else if (v.access.locklessReads.length > 0) {
      const where = v.access.locklessReads.map((r) => `@${r.op}.${r.label}`).join(', ');
      because(v.name, `read without the lock at ${where}`);
    }
  }
  const varNames = new Set(ir.state.vars.map((v) => v.name));
  for (const edge of ir.edges) {
    if (varNames.has(edge.protects)) because(edge.protects, `protected by edge ${edge.name}`);
  }
  return { atomicVars: new Set(atomicReason.keys()), atomicReason };
}

/** Spec doc text for a comment: one line, no terminators, no trailing space. */
export function docText(doc: string): string {
  return commentText(doc).trim();
}
