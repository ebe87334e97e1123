/**
 * A litmus program as JavaScript runs it.
 *
 * The ECMAScript memory model has two kinds of access to shared memory: `Atomics`, which are
 * sequentially consistent, and plain typed-array accesses, which are unordered. It has no
 * free-standing fences and no acquire/release accesses. A port of a kernel idiom therefore
 * keeps ordering only where it uses `Atomics`: the spec says which variables those are (the
 * ones a happens-before edge protects). This module rewrites a kernel-level litmus program
 * into that JavaScript program, so that the memory model can judge what JavaScript promises
 * (`jsVerdict`) and the worker harness can run exactly the program that was judged.
 */

import { enumerate } from './enumerate.ts';
import type { LInstr, LitmusTest, Verdict } from './types.ts';

/**
 * The program as JavaScript runs it, when the accesses to `protectedVars` use `Atomics`:
 *
 * - `smp_wmb`/`smp_rmb`/`smp_mb` are dropped: JavaScript has no fence of its own.
 * - Every read and write of a protected variable becomes `sc` (an `Atomics.load`/`store`).
 * - An access that is `sc` already stays `sc`; every other access becomes `once`, a plain
 *   typed-array access. Acquire and release are plain too: a JavaScript port has no way to
 *   write them except as `Atomics`, which is what protecting the variable means.
 * - Spin locks stay locks. In JavaScript they are built on `Atomics`, which is at least as
 *   strong as the acquire/release a lock is modelled with, so the verdict is conservative.
 *
 * Names in `protectedVars` that the test does not use are ignored: the spec's list covers
 * every test compiled from it. The name is kept; one line saying what changed is added to
 * the doc.
 */
export function toJsModel(test: LitmusTest, protectedVars: string[]): LitmusTest {
  const isProtected = new Set(protectedVars);
  const used = test.vars.map((v) => v.name).filter((name) => isProtected.has(name));
  return {
    ...test,
    doc: [...test.doc, jsModelNote(used)],
    vars: test.vars.map((v) => ({ ...v })),
    locks: [...test.locks],
    procs: test.procs.map((proc) => ({
      regs: [...proc.regs],
      body: toJsBody(proc.body, isProtected),
    })),
  };
}

/**
 * The verdict of the test's `exists` clause when JavaScript runs the program: `Never` means
 * no JavaScript engine may ever show that outcome, so a harness that sees it has found a bug.
 */
export function jsVerdict(test: LitmusTest, protectedVars: string[]): Verdict {
  return enumerate(toJsModel(test, protectedVars)).verdict;
}

function toJsBody(body: LInstr[], isProtected: Set<string>): LInstr[] {
  return body.flatMap((instr): LInstr[] => {
    switch (instr.k) {
      case 'fence':
        return [];
      case 'read':
        return [{ ...instr, mode: jsMode(instr.var, instr.mode, isProtected) }];
      case 'write':
        return [{ ...instr, mode: jsMode(instr.var, instr.mode, isProtected) }];
      case 'if':
        return [
          {
            ...instr,
            then: toJsBody(instr.then, isProtected),
            else: toJsBody(instr.else, isProtected),
          },
        ];
      case 'lock':
      case 'unlock':
      case 'assign':
        return [{ ...instr }];
    }
  });
}

function jsMode(name: string, mode: string, isProtected: Set<string>): 'once' | 'sc' {
  return isProtected.has(name) || mode === 'sc' ? 'sc' : 'once';
}

function jsModelNote(atomicVars: string[]): string {
  const atomics =
    atomicVars.length === 0
      ? 'no variable uses Atomics'
      : `${atomicVars.join(', ')} ${atomicVars.length === 1 ? 'uses' : 'use'} Atomics`;
  return `As JavaScript runs it: fences dropped, ${atomics}, every other access plain.`;
}
