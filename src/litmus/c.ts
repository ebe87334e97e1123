/**
 * Prints a litmus program as a kernel C litmus file for herd7 and the Linux kernel memory
 * model, to the rules in `reference/lkmm-litmus-format.md`.
 *
 * It prints only what herd7's C front end is known to accept, and refuses the rest loudly
 * (herd7 itself reports an unknown construct and still exits 0):
 *
 * - `sc` accesses: JavaScript `Atomics` have no kernel C spelling.
 * - In values (`WRITE_ONCE`, register assignment): numbers, registers, `+` and `-`.
 * - In `if` conditions: `==` and `!=` between values, or a bare value (non-zero is true).
 *   `&&`, `||` and `!` are lowered into nested `if`s (herd7's C has no logical operators).
 *   `<`, `>`, `<=` and `>=` are refused: they are in herd7's C parser today but not in every
 *   release the kernel's memory model supports. Compare against the values a register can
 *   hold instead (`r0 == 0` for `r0 < 1` when `r0` is never negative).
 * - Binary operators are printed with spaces around them: herd7 reads `r2-1` as `r2`
 *   followed by the constant `-1`.
 *
 * The verdict is the caller's; `toC` refuses a `Never` or `Always` for a test whose outcome
 * the memory model cannot produce (see `src/memory/limits.ts`), since that verdict would be
 * the model's blind spot and not the kernel's answer.
 */

import { outOfOrderCycle } from '../memory/limits.ts';
import type { LCond, LExpr, LInstr, LitmusProc, LitmusTest, Verdict } from './types.ts';

type Block = (depth: number) => string[];

/** The kernel C litmus file for `test`, with `Result: <verdict>` as its first comment line. */
export function toC(test: LitmusTest, verdict: Verdict): string {
  checkPrintable(test, verdict);
  const lines = [
    `C ${test.name}`,
    '',
    ...commentBlock(test.doc, verdict),
    '',
    ...initBlock(test),
    '',
    ...test.procs.flatMap((proc, p) => [...procLines(test, proc, p), '']),
    `exists (${printCond(test, test.exists, true)})`,
  ];
  return `${lines.join('\n')}\n`;
}

function commentBlock(doc: string[], verdict: Verdict): string[] {
  const body = doc.map((line) => (line.trim() === '' ? ' *' : ` * ${line.trimEnd()}`));
  return ['(*', ` * Result: ${verdict}`, ...(doc.length > 0 ? [' *', ...body] : []), ' *)'];
}

function initBlock(test: LitmusTest): string[] {
  if (test.vars.every((v) => v.init === 0)) return ['{}'];
  return ['{', ...test.vars.map((v) => `\tint ${v.name} = ${v.init};`), '}'];
}

function procLines(test: LitmusTest, proc: LitmusProc, p: number): string[] {
  const used = usedNames(proc.body);
  const params = [
    ...test.vars.filter((v) => used.vars.has(v.name)).map((v) => `int *${v.name}`),
    ...test.locks.filter((l) => used.locks.has(l)).map((l) => `spinlock_t *${l}`),
  ];
  const body = printBody(proc.body, 1);
  if (body.length === 0) throw new Error(`toC: ${test.name}: P${p} has no instructions`);
  const decls = proc.regs.map((r) => `\tint ${r};`);
  return [
    `P${p}(${params.join(', ')})`,
    '{',
    ...decls,
    ...(decls.length > 0 ? [''] : []),
    ...body,
    '}',
  ];
}

function printBody(body: readonly LInstr[], depth: number): string[] {
  return body.flatMap((instr) => printInstr(instr, depth));
}

function printInstr(instr: LInstr, depth: number): string[] {
  const tab = '\t'.repeat(depth);
  switch (instr.k) {
    case 'read':
      return instr.mode === 'acquire'
        ? [`${tab}${instr.reg} = smp_load_acquire(${instr.var});`]
        : [`${tab}${instr.reg} = READ_ONCE(*${instr.var});`];
    case 'write': {
      const value = printValue(instr.expr);
      return instr.mode === 'release'
        ? [`${tab}smp_store_release(${instr.var}, ${value});`]
        : [`${tab}WRITE_ONCE(*${instr.var}, ${value});`];
    }
    case 'fence':
      return [`${tab}smp_${instr.fence}();`];
    case 'lock':
      return [`${tab}spin_lock(${instr.lock});`];
    case 'unlock':
      return [`${tab}spin_unlock(${instr.lock});`];
    case 'assign':
      return [`${tab}${instr.reg} = ${printValue(instr.expr)};`];
    case 'if': {
      const then: Block = (d) => printBody(instr.then, d);
      const otherwise: Block = (d) => printBody(instr.else, d);
      return lowerIf(instr.cond, then, otherwise, depth);
    }
  }
}

/** `if (cond)` with logical operators turned into nested `if`s; blocks may be duplicated. */
function lowerIf(cond: LExpr, then: Block, otherwise: Block, depth: number): string[] {
  if (cond.k === 'not' && !isLogical(cond.arg)) {
    const [test, negated] = printTest(cond.arg);
    return ifLines(negated, test, then, otherwise, depth);
  }
  if (cond.k === 'not') return lowerIf(cond.arg, otherwise, then, depth);
  if (cond.k === 'bin' && cond.op === '&&') {
    const right: Block = (d) => lowerIf(cond.right, then, otherwise, d);
    return lowerIf(cond.left, right, otherwise, depth);
  }
  if (cond.k === 'bin' && cond.op === '||') {
    const right: Block = (d) => lowerIf(cond.right, then, otherwise, d);
    return lowerIf(cond.left, then, right, depth);
  }
  const [test, negated] = printTest(cond);
  return ifLines(test, negated, then, otherwise, depth);
}

function isLogical(expr: LExpr): boolean {
  return expr.k === 'not' || (expr.k === 'bin' && (expr.op === '&&' || expr.op === '||'));
}

function ifLines(
  test: string,
  negated: string,
  then: Block,
  otherwise: Block,
  depth: number,
): string[] {
  const tab = '\t'.repeat(depth);
  const thenLines = then(depth + 1);
  const elseLines = otherwise(depth + 1);
  // herd7's C grammar has no empty block, so an empty branch is left out or swapped.
  if (thenLines.length === 0 && elseLines.length === 0) return [];
  if (thenLines.length === 0) return [`${tab}if (${negated}) {`, ...elseLines, `${tab}}`];
  if (elseLines.length === 0) return [`${tab}if (${test}) {`, ...thenLines, `${tab}}`];
  return [`${tab}if (${test}) {`, ...thenLines, `${tab}} else {`, ...elseLines, `${tab}}`];
}

/** A condition without logical operators, printed as itself and as its negation. */
function printTest(cond: LExpr): [string, string] {
  if (cond.k === 'bin' && (cond.op === '==' || cond.op === '!=')) {
    const left = printValue(cond.left);
    const right = printValue(cond.right);
    const opposite = cond.op === '==' ? '!=' : '==';
    return [`${left} ${cond.op} ${right}`, `${left} ${opposite} ${right}`];
  }
  if (cond.k === 'bin' && cond.op !== '+' && cond.op !== '-') {
    throw new Error(
      `toC: '${cond.op}' in an if condition: not every herd7 release the kernel memory model ` +
        `supports reads it; compare with == and != against the values the registers can hold`,
    );
  }
  return [printValue(cond), `${printOperand(cond)} == 0`];
}

function printValue(expr: LExpr): string {
  switch (expr.k) {
    case 'num':
      return String(expr.value);
    case 'reg':
      return expr.name;
    case 'bin':
      if (expr.op === '+' || expr.op === '-') {
        return `${printValue(expr.left)} ${expr.op} ${printOperand(expr.right)}`;
      }
      throw new Error(notAValue(expr.op));
    case 'not':
      throw new Error(notAValue('!'));
  }
}

function printOperand(expr: LExpr): string {
  return expr.k === 'bin' ? `(${printValue(expr)})` : printValue(expr);
}

function notAValue(op: string): string {
  return (
    `toC: '${op}' inside a value: herd7's C front end is only known to accept + and - ` +
    `there; compute the value with an if instead`
  );
}

function printCond(test: LitmusTest, cond: LCond, top = false): string {
  const wrap = (c: LCond): string =>
    c.k === 'and' || c.k === 'or' ? `(${printCond(test, c)})` : printCond(test, c);
  switch (cond.k) {
    case 'reg':
      if (!test.procs[cond.proc]?.regs.includes(cond.reg)) {
        throw new Error(`toC: ${test.name}: exists names ${cond.proc}:${cond.reg}, unknown`);
      }
      return `${cond.proc}:${cond.reg}=${cond.value}`;
    case 'var':
      if (!test.vars.some((v) => v.name === cond.var)) {
        throw new Error(`toC: ${test.name}: exists names ${cond.var}, not a variable`);
      }
      return `${cond.var}=${cond.value}`;
    case 'not':
      return `~${wrap(cond.arg)}`;
    case 'and':
    case 'or': {
      if (cond.args.length === 0) throw new Error(`toC: ${test.name}: empty '${cond.k}' in exists`);
      if (cond.args.length === 1) {
        return top ? printCond(test, cond.args[0], true) : wrap(cond.args[0]);
      }
      return cond.args.map(wrap).join(cond.k === 'and' ? ' /\\ ' : ' \\/ ');
    }
  }
}

function usedNames(body: readonly LInstr[]): { vars: Set<string>; locks: Set<string> } {
  const vars = new Set<string>();
  const locks = new Set<string>();
  const visit = (instrs: readonly LInstr[]): void => {
    for (const instr of instrs) {
      if (instr.k === 'read' || instr.k === 'write') vars.add(instr.var);
      else if (instr.k === 'lock' || instr.k === 'unlock') locks.add(instr.lock);
      else if (instr.k === 'if') [instr.then, instr.else].forEach(visit);
    }
  };
  visit(body);
  return { vars, locks };
}

/**
 * Words a variable, lock or register must not be named: C and herd7 keywords, the kernel
 * macros of linux-kernel.def, and the keywords of herd7's lexer for the init block and the
 * `exists` clause (some of them, like `valid` and `tag`, look like ordinary names).
 */
const reserved = new Set([
  ...['if', 'else', 'while', 'for', 'do', 'switch', 'return', 'goto', 'int', 'char', 'long'],
  ...['void', 'struct', 'volatile', 'const', 'typedef', 'extern', 'static', 'auto'],
  ...['register', '_Atomic', 'lock', 'unlock', 'mtx_lock', 'mtx_unlock', 'WCAS', 'SCAS'],
  ...['NULL', 'spinlock_t', 'atomic_t', 'atomic_int', 'mtx_t', 'intptr_t', 'uintptr_t'],
  ...['READ_ONCE', 'WRITE_ONCE', 'barrier', 'xchg', 'cmpxchg', 'ATOMIC_INIT'],
  ...['exists', 'forall', 'filter', 'locations', 'final', 'with', 'true', 'false', 'not'],
  ...['and', 'observed', 'Observed', 'fault', 'Fault', 'tag', 'TAG', 'attrs', 'Attrs', 'oa'],
  ...['pending', 'active', 'enabled', 'priority', 'affinity', 'routing_mode', 'valid'],
  ...['handling_mode', 'PTE', 'TTD', 'INTID', 'intid', 'PA', 'SS', 'SSCap', 'gicarg'],
  ...['GICARG', 'parel1_t', 'PAREL1_T', 'nop', 'NOP', 'pac', 'pacda', 'pacdb', 'pacia'],
  'pacib',
]);
const reservedPrefix = /^(smp_|spin_|atomic_|rcu_|srcu_|xchg_|cmpxchg_|__|u?int\d+_t$|P\d+$)/;

function checkPrintable(test: LitmusTest, verdict: Verdict): void {
  if (!/^\S+$/.test(test.name)) {
    throw new Error(`toC: test name '${test.name}' is empty or has spaces`);
  }
  for (const line of test.doc) {
    if (line.includes('*)') || line.includes('(*')) {
      throw new Error(`toC: ${test.name}: a doc line would open or close the comment: ${line}`);
    }
  }
  const regs = test.procs.flatMap((p) => p.regs);
  const names = [...test.vars.map((v) => v.name), ...test.locks, ...regs];
  for (const name of names) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || reserved.has(name) || reservedPrefix.test(name)) {
      throw new Error(`toC: ${test.name}: '${name}' is not a name herd7 reads as an identifier`);
    }
  }
  test.procs.forEach((proc, p) => {
    const shared = new Set([...test.vars.map((v) => v.name), ...test.locks]);
    const clash = proc.regs.find((r) => shared.has(r));
    if (clash) throw new Error(`toC: ${test.name}: P${p}'s register ${clash} shadows a parameter`);
    if (containsSc(proc.body)) {
      throw new Error(
        `toC: ${test.name}: P${p} has an sc access (JavaScript Atomics), which has no kernel ` +
          `C spelling; print the kernel program, not its JavaScript model`,
      );
    }
  });
  const cycle = verdict === 'Sometimes' ? null : outOfOrderCycle(test);
  if (cycle !== null) {
    throw new Error(
      `toC: ${test.name}: refusing 'Result: ${verdict}': the memory model cannot produce the ` +
        `outcomes of this cycle, which the kernel memory model may allow (${cycle}); ` +
        `judge the test with herd7 instead`,
    );
  }
}

function containsSc(body: readonly LInstr[]): boolean {
  return body.some((instr) =>
    instr.k === 'if'
      ? containsSc(instr.then) || containsSc(instr.else)
      : (instr.k === 'read' || instr.k === 'write') && instr.mode === 'sc',
  );
}
