/**
 * The JavaScript litmus harnesses: for every litmus test, a vitest file and a worker module
 * that run the program as JavaScript runs it (`toJsModel`) on real worker threads, thousands
 * of copies per round, and fail when an outcome the JavaScript verdict forbids shows up.
 *
 * The process bodies are emitted here as straight-line JavaScript, never interpreted at run
 * time, so that what the hardware does to plain accesses is what the test sees. The shared
 * runner and worker loop come from `generators/litmus/`.
 */

import { createHash } from 'node:crypto';
import { outOfOrderCycle } from '../memory/limits.ts';
import { jsVerdict, toJsModel } from '../litmus/js.ts';
import { mp, sb } from '../litmus/shapes.ts';
import type { LCond, LExpr, LInstr, LitmusTest, Verdict } from '../litmus/types.ts';
import { commentText, renderTemplate, tsStringLiteral } from './templates.ts';

/** One litmus test to run in JavaScript, with the verdict the memory model gives it there. */
export interface JsLitmusEntry {
  /** The kernel-level program; the generator runs `toJsModel(test, protectedVars)`. */
  test: LitmusTest;
  protectedVars: string[];
  /** `enumerate(toJsModel(test, protectedVars)).verdict`. */
  jsVerdict: Verdict;
}

/** Words per cache line: copies of a program are padded to whole lines. */
const LINE_WORDS = 16;

/** Where the generated files go, relative to the output folder. */
const DIR = 'litmus/js';

/**
 * The two programs every generated suite runs besides the spec's own, each with its computed
 * JavaScript verdict. Store buffering with plain accesses shows that the harness really
 * exercises the hardware: its weak outcome (both reads 0) is allowed, and x86 shows it.
 * Message passing with `Atomics` on both sides shows the other side of the line: its weak
 * outcome is forbidden, and a run that shows it fails.
 */
export function jsLitmusBuiltIns(): JsLitmusEntry[] {
  const plainSb = { test: sb(), protectedVars: [] };
  const atomicMp = { test: mp({ sc: true }), protectedVars: ['x', 'y'] };
  return [plainSb, atomicMp].map((entry) => ({
    ...entry,
    jsVerdict: jsVerdict(entry.test, entry.protectedVars),
  }));
}

/**
 * The JavaScript litmus files for the built-in programs (`jsLitmusBuiltIns`), then for
 * `entries`: per test `<name>.test.ts` and `<name>.worker.mjs`, plus the shared `runner.ts`
 * and `worker-loop.mjs`, all under `litmus/js/`. File names are the test names with
 * characters unsafe in a path replaced; a repeated name gets `-2`, `-3`, ... in order.
 * Without the generated-file header; the same entries give the same bytes.
 */
export function generateJsLitmus(entries: JsLitmusEntry[]): { path: string; content: string }[] {
  const all = [...jsLitmusBuiltIns(), ...entries];
  const files = [
    { path: `${DIR}/runner.ts`, content: renderTemplate('litmus/js-runner.ts.hbs', {}) },
    {
      path: `${DIR}/worker-loop.mjs`,
      content: renderTemplate('litmus/js-worker-loop.mjs.hbs', {}),
    },
  ];
  const ids = fileIds(all.map((e) => e.test.name));
  all.forEach((entry, index) => files.push(...harnessFiles(entry, ids[index])));
  return files;
}

function harnessFiles(entry: JsLitmusEntry, id: string): { path: string; content: string }[] {
  const test = toJsModel(entry.test, entry.protectedVars);
  const layout = blockLayout(test);
  const regs = registerColumns(test);
  // js-test.ts.hbs builds the same name from `id`, which `fileIds` keeps literal-safe.
  const workerFile = `${id}.worker.mjs`;

  const worker = renderTemplate('litmus/js-worker.mjs.hbs', {
    name: test.name,
    stride: layout.stride,
    layout: [...test.vars.map((v) => v.name), ...test.locks.map((l) => `lock ${l}`)].join(', '),
    procs: test.procs.map((proc, p) => ({
      regList: proc.regs.length === 0 ? 'none' : proc.regs.join(', '),
      code: processCode(test, p, layout, regs),
    })),
    bodies: test.procs.map((_, p) => `p${p}`).join(', '),
  });

  const columns = [...regs.columns, ...test.vars.map((v) => v.name)];
  const blindSpot = entry.jsVerdict === 'Sometimes' ? null : outOfOrderCycle(test);
  const testFile = renderTemplate('litmus/js-test.ts.hbs', {
    name: test.name,
    doc: test.doc,
    never: entry.jsVerdict === 'Never' && blindSpot === null,
    blindSpot: blindSpot ?? '',
    verdict: entry.jsVerdict,
    existsText: condText(test.exists),
    id,
    procs: test.procs.length,
    stride: layout.stride,
    init: arrayLiteral([...test.vars.map((v) => v.init), ...test.locks.map(() => 0)]),
    regs: regs.columns.length,
    columns: arrayLiteral(columns),
    varWords: arrayLiteral(test.vars.map((_, i) => i)),
    existsCode: condCode(test.exists, (key) => columnIndex(columns, key)),
    describeTitle: `${test.name} as JavaScript runs it`,
  });

  return [
    { path: `${DIR}/${id}.test.ts`, content: testFile },
    { path: `${DIR}/${workerFile}`, content: worker },
  ];
}

/** A TS array literal of numbers or strings, one space after each comma. */
function arrayLiteral(items: (number | string)[]): string {
  const literal = (item: number | string) =>
    typeof item === 'number' ? String(item) : tsStringLiteral(item);
  return `[${items.map(literal).join(', ')}]`;
}

/**
 * Longest file id. Kernel-convention names of long processes pass the 255 bytes a file name
 * may have; `.worker.mjs` and a `-2` must still fit, and a folder listing stay readable.
 */
const MAX_ID = 96;

/**
 * File names for test names: path-safe, at most `MAX_ID` characters (a long name keeps its
 * start and ends with a hash of the whole), unique in order of appearance.
 */
function fileIds(names: string[]): string[] {
  const used = new Set<string>();
  return names.map((name) => {
    const safe = name.replace(/[^A-Za-z0-9._+-]/g, '-').replace(/^[.-]+/, '') || 'litmus';
    const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
    const base = safe.length <= MAX_ID ? safe : `${safe.slice(0, MAX_ID - 9)}-${hash}`;
    let id = base;
    for (let n = 2; used.has(id.toLowerCase()); n++) id = `${base}-${n}`;
    used.add(id.toLowerCase());
    return id;
  });
}

interface BlockLayout {
  /** Word of each variable and each lock inside a copy's block. */
  word: Map<string, number>;
  stride: number;
}

function blockLayout(test: LitmusTest): BlockLayout {
  const word = new Map<string, number>();
  test.vars.forEach((v, i) => word.set(v.name, i));
  test.locks.forEach((l, i) => word.set(`lock ${l}`, test.vars.length + i));
  const used = test.vars.length + test.locks.length;
  return { word, stride: Math.max(1, Math.ceil(used / LINE_WORDS)) * LINE_WORDS };
}

interface RegisterColumns {
  /** `P:reg` for every register of every process, in order. */
  columns: string[];
  /** Offset of each process's first register among a copy's recorded registers. */
  first: number[];
}

function registerColumns(test: LitmusTest): RegisterColumns {
  const columns: string[] = [];
  const first: number[] = [];
  test.procs.forEach((proc, p) => {
    first.push(columns.length);
    for (const reg of proc.regs) columns.push(`${p}:${reg}`);
  });
  return { columns, first };
}

function columnIndex(columns: string[], key: string): number {
  const index = columns.indexOf(key);
  if (index < 0) throw new Error(`js-litmus: exists names ${key}, which no column holds`);
  return index;
}

/** The loop body of process `p`: registers, the instructions, then the registers recorded. */
function processCode(
  test: LitmusTest,
  p: number,
  layout: BlockLayout,
  regs: RegisterColumns,
): string {
  const proc = test.procs[p];
  const names = registerNames(proc.regs);
  const emitter = new BodyEmitter(test.name, layout, names);
  const record =
    proc.regs.length === 0
      ? []
      : [
          `const o = out + i * ${regs.columns.length};`,
          ...proc.regs.map((reg, r) => `m[o + ${regs.first[p] + r}] = ${names.get(reg)};`),
        ];
  const lines = [
    ...proc.regs.map((reg) => `let ${names.get(reg)} = 0;`),
    ...emitter.block(proc.body),
    ...record,
  ];
  return lines.map((line) => `    ${line}`).join('\n');
}

/**
 * JavaScript names for litmus registers: `$` keeps them apart from the loop's own locals
 * and from reserved words; anything that is not an identifier character is replaced.
 */
function registerNames(regs: string[]): Map<string, string> {
  const names = new Map<string, string>();
  const taken = new Set<string>();
  for (const reg of regs) {
    let name = `$${reg.replace(/[^A-Za-z0-9_]/g, '_')}`;
    while (taken.has(name)) name += '_';
    taken.add(name);
    names.set(reg, name);
  }
  return names;
}

/** Emits the JavaScript of one process body; `m[v + k]` is word `k` of the current copy. */
class BodyEmitter {
  constructor(
    private readonly testName: string,
    private readonly layout: BlockLayout,
    private readonly regs: Map<string, string>,
  ) {}

  block(body: LInstr[]): string[] {
    return body.flatMap((instr) => this.instr(instr));
  }

  private instr(instr: LInstr): string[] {
    switch (instr.k) {
      case 'read': {
        const at = `v + ${this.word(instr.var)}`;
        const value = instr.mode === 'sc' ? `Atomics.load(m, ${at})` : `m[${at}]`;
        this.plainOrSc(instr.mode);
        const note = commentText(`${instr.reg} = ${instr.var}`);
        return [`${this.reg(instr.reg)} = ${value}; // ${note}`];
      }
      case 'write': {
        const at = `v + ${this.word(instr.var)}`;
        const value = this.int(instr.expr);
        this.plainOrSc(instr.mode);
        return instr.mode === 'sc'
          ? [`Atomics.store(m, ${at}, ${value}); // ${commentText(instr.var)} (Atomics)`]
          : [`m[${at}] = ${value}; // ${commentText(instr.var)}`];
      }
      case 'lock':
      case 'unlock': {
        const call = `${instr.k}(m, v + ${this.lockWord(instr.lock)});`;
        return [`${call} // spin_${instr.k}(${commentText(instr.lock)})`];
      }
      case 'assign':
        return [`${this.reg(instr.reg)} = ${this.int(instr.expr)};`];
      case 'if': {
        const then = this.block(instr.then).map((line) => `  ${line}`);
        const otherwise = this.block(instr.else).map((line) => `  ${line}`);
        const head = `if (${this.bool(instr.cond)}) {`;
        return otherwise.length === 0
          ? [head, ...then, '}']
          : [head, ...then, '} else {', ...otherwise, '}'];
      }
      case 'fence':
        throw new Error(`js-litmus: ${this.testName}: smp_${instr.fence} has no JavaScript form`);
    }
  }

  /** `toJsModel` leaves only plain and `sc` accesses; anything else is a caller's mistake. */
  private plainOrSc(mode: string): void {
    if (mode !== 'once' && mode !== 'sc') {
      throw new Error(`js-litmus: ${this.testName}: ${mode} access has no JavaScript form`);
    }
  }

  private word(name: string): number {
    const word = this.layout.word.get(name);
    if (word === undefined) throw new Error(`js-litmus: ${this.testName}: unknown ${name}`);
    return word;
  }

  private lockWord(name: string): number {
    return this.word(`lock ${name}`);
  }

  private reg(name: string): string {
    const js = this.regs.get(name);
    if (js === undefined) throw new Error(`js-litmus: ${this.testName}: unknown register ${name}`);
    return js;
  }

  /** An int-valued expression, as C computes it (comparisons give 0 or 1). */
  private int(e: LExpr): string {
    switch (e.k) {
      case 'num':
        return e.value < 0 ? `(${e.value})` : String(e.value);
      case 'reg':
        return this.reg(e.name);
      case 'bin':
        if (e.op === '+' || e.op === '-') {
          return `((${this.int(e.left)} ${e.op} ${this.int(e.right)}) | 0)`;
        }
        return `(${this.bool(e)} ? 1 : 0)`;
      case 'not':
        return `(${this.bool(e)} ? 1 : 0)`;
    }
  }

  /** A boolean-valued expression: C's "non-zero is true". */
  private bool(e: LExpr): string {
    switch (e.k) {
      case 'bin':
        switch (e.op) {
          case '+':
          case '-':
            return `${this.int(e)} !== 0`;
          case '&&':
          case '||':
            return `(${this.bool(e.left)}) ${e.op} (${this.bool(e.right)})`;
          case '==':
            return `${this.int(e.left)} === ${this.int(e.right)}`;
          case '!=':
            return `${this.int(e.left)} !== ${this.int(e.right)}`;
          default:
            return `${this.int(e.left)} ${e.op} ${this.int(e.right)}`;
        }
      case 'not':
        return `!(${this.bool(e.arg)})`;
      default:
        return `${this.int(e)} !== 0`;
    }
  }
}

/** The `exists` clause over an outcome array `o`, whose columns `column` locates. */
function condCode(cond: LCond, column: (key: string) => number): string {
  switch (cond.k) {
    case 'reg':
      return `o[${column(`${cond.proc}:${cond.reg}`)}] === ${cond.value}`;
    case 'var':
      return `o[${column(cond.var)}] === ${cond.value}`;
    case 'and':
      return cond.args.length === 0
        ? 'true'
        : cond.args.map((arg) => `(${condCode(arg, column)})`).join(' && ');
    case 'or':
      return cond.args.length === 0
        ? 'false'
        : cond.args.map((arg) => `(${condCode(arg, column)})`).join(' || ');
    case 'not':
      return `!(${condCode(cond.arg, column)})`;
  }
}

/** The `exists` clause in litmus notation, for the file's comment. */
function condText(cond: LCond): string {
  switch (cond.k) {
    case 'reg':
      return `${cond.proc}:${cond.reg}=${cond.value}`;
    case 'var':
      return `${cond.var}=${cond.value}`;
    case 'and':
      return cond.args.length === 0 ? 'true' : `(${cond.args.map(condText).join(' /\\ ')})`;
    case 'or':
      return cond.args.length === 0 ? 'false' : `(${cond.args.map(condText).join(' \\/ ')})`;
    case 'not':
      return `~${condText(cond.arg)}`;
  }
}
