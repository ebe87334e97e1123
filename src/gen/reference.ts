import type { Op, SpecIR, ValueType } from '../ir.ts';
import type { GeneratedFile } from './files.ts';
import {
  directAccess, emitHelpers, memoryAccess, type Access, type EmitContext,
} from './reference-access.ts';
import { camelName, emitBody, emitExpr, makeScope, tsType, wrapText } from './reference-emit.ts';
import {
  computeLayout, docText, RESERVE_WORD, SLOTS_WORD, type Layout,
} from './reference-layout.ts';
import { commentText, renderTemplate } from './templates.ts';

/**
 * The reference-implementation generator: from the IR, a TypeScript mempool on one
 * SharedArrayBuffer (`reference/mempool.ts`), the same pool with every shared access
 * through a `Memory` interface (`reference/mempool-mem.ts`), that interface
 * (`reference/memory.ts`) and a shared, capacity-limited backing allocator
 * (`reference/backing.ts`). The files come without the generated-file header; the gen
 * driver adds it.
 *
 * The spec must have the operations the pool's API is made of: `create()` (returning bool,
 * false when preallocation failed, or nothing), `alloc(bool) -> elem`, `free(elem)`,
 * `resize(int) -> int` and `destroy()`, and a shared variable `min_nr`. Any further
 * operation becomes a public method too. The only spec parameter the pool's code may name
 * is `min_nr` (given to `create` as `minNr`).
 */
export function generateReference(ir: SpecIR): GeneratedFile[] {
  checkApi(ir);
  const layout = computeLayout(ir);
  return [
    { path: 'reference/backing.ts', content: renderTemplate('reference/backing.ts.hbs', {
      specName: ir.name,
      backingDoc: wrapText(`Spec: ${docText(ir.state.backing.doc)}`, 100 - 3),
    }) },
    { path: 'reference/memory.ts', content: renderTemplate('reference/memory.ts.hbs', {
      specName: ir.name,
    }) },
    { path: 'reference/mempool-mem.ts', content: renderPool(ir, layout, true) },
    { path: 'reference/mempool.ts', content: renderPool(ir, layout, false) },
  ];
}

/** The operations the pool's API needs, with the shape of their parameters and result. */
const API: Record<string, { params: ValueType[]; returns: (Op['returns'])[] }> = {
  create: { params: [], returns: ['bool', 'void'] },
  alloc: { params: ['bool'], returns: ['elem'] },
  free: { params: ['elem'], returns: ['void'] },
  resize: { params: ['int'], returns: ['int'] },
  destroy: { params: [], returns: ['void'] },
};

/** Throws if the spec lacks an operation of the pool's API, or has it with another shape. */
export function checkApi(ir: SpecIR): void {
  for (const [name, shape] of Object.entries(API)) {
    const op = ir.ops.find((o) => o.name === name);
    if (!op) throw new Error(`reference: spec ${ir.name} has no operation '${name}'`);
    const params = op.params.map((p) => p.type);
    if (params.join() !== shape.params.join() || !shape.returns.includes(op.returns)) {
      throw new Error(`reference: operation ${name} must be ${name}(${shape.params.join(', ')})` +
        ` -> ${shape.returns.join(' or ')}`);
    }
  }
  if (!ir.state.vars.some((v) => v.name === 'min_nr')) {
    throw new Error(`reference: spec ${ir.name} has no shared variable 'min_nr'`);
  }
  const timeouts = new Set(ir.state.queues.map((q) => q.timeoutMs));
  if (timeouts.size > 1) {
    throw new Error('reference: the wait queues have different timeouts; one pool option ' +
      '(sleepTimeoutMs) stands for all of them');
  }
}

function renderPool(ir: SpecIR, layout: Layout, mem: boolean): string {
  const access = mem ? memoryAccess : directAccess;
  const ctx: EmitContext = { ir, layout, access };
  const createOp = ir.ops.find((o) => o.name === 'create') as Op;
  // The spec parameter min_nr is the one input create has (PoolOptions.minNr); the initial
  // values and create's body may name it, and a step naming any other parameter fails here.
  const createScope = makeScope(createOp, new Map([['min_nr', 'options.minNr']]),
    moduleNames(layout));

  return renderTemplate('reference/mempool.ts.hbs', {
    mem,
    className: mem ? 'MempoolMem' : 'Mempool',
    titleLines: wrapText(`Spec \`${commentText(ir.name)}\`: ${docText(ir.title)}`, 100 - 3),
    layoutLines: layoutLines(ir, layout),
    constants: [
      ...layout.words.map((w) => ({ name: w.constant, value: w.index })),
      { name: RESERVE_WORD, value: layout.reserveIndex },
    ],
    reserveWord: RESERVE_WORD,
    slotsWord: SLOTS_WORD,
    timeoutMs: ir.state.queues[0]?.timeoutMs ?? 0,
    createCanFail: createOp.returns === 'bool',
    create: {
      doc: docLines(createOp),
      returns: tsType(createOp.returns),
      body: emitBody(ctx, createScope, 2).join('\n'),
    },
    initialize: [
      `${access.store(SLOTS_WORD, 'this.slots')};`,
      ...ir.state.vars.map((v) => {
        const value = emitExpr(v.init, createScope);
        const word = layout.varWord.get(v.name) as string;
        return `${layout.atomicVars.has(v.name) ? access.store(word, value)
          : access.set(word, value)};`;
      }),
    ],
    methods: ir.ops.filter((o) => o.name !== 'create')
      .map((op) => method(ctx, op, moduleNames(layout))),
    inspect: inspectExprs(ir, layout, access),
    helpers: emitHelpers(ctx).join('\n'),
  });
}

/** Names the generated module declares at top level, which a spec local must not shadow. */
function moduleNames(layout: Layout): Set<string> {
  return new Set([
    ...layout.words.map((w) => w.constant), RESERVE_WORD, 'SPEC_TIMEOUT_MS', 'ENOMEM',
    'DEFAULT_SLOTS', 'MAX_SLOTS', 'PoolOptions', 'poolWordCount', 'requireInteger',
    'requireTimeout', 'Mempool', 'MempoolMem', 'BackingAllocator', 'Memory',
  ]);
}

function method(ctx: EmitContext, op: Op, names: Set<string>): { name: string; doc: string[];
  params: string; returns: string; guard: string[]; body: string } {
  const scope = makeScope(op, new Map(), names);
  const params = op.params.map((p) => `${scope.params.get(p.name)}: ${tsType(p.type)}`);
  const name = camelName(op.name);
  if (['lock', 'unlock', 'wake', 'addElement', 'removeElement', 'inspect', 'initialize',
    'runCreate', 'buffer', 'constructor'].includes(name)) {
    throw new Error(`reference: operation ${op.name} clashes with a member of the pool class`);
  }
  return {
    name,
    doc: docLines(op, op.name === 'resize' ? RESIZE_DOC : ''),
    params: params.join(', '),
    returns: tsType(op.returns),
    guard: op.name === 'resize' ? resizeGuard(scope.params.get(op.params[0].name) as string)
      : [],
    body: emitBody(ctx, scope, 2).join('\n'),
  };
}

/**
 * The reserve's storage is fixed at create, so where the kernel's kmalloc of a bigger
 * element array would fail, this pool refuses a min_nr past its slots. The kernel BUG()s on
 * a min_nr below 1; here that is an error return too.
 */
function resizeGuard(param: string): string[] {
  return [
    `requireInteger('${param}', ${param}, -MAX_SLOTS, MAX_SLOTS);`,
    `if (${param} < 1 || ${param} > this.slots) return -ENOMEM;`,
  ];
}

const RESIZE_DOC = 'In this pool the reserve\'s storage is fixed at create: a new min_nr ' +
  'below 1 or past the slots returns -ENOMEM (-12) and changes nothing.';

function docLines(op: Op, extra = ''): string[] {
  const doc = docText(op.doc);
  const text = [doc, `(Spec operation ${commentText(op.name)}.)`, extra]
    .filter((part) => part.length > 0).join(' ');
  return wrapText(text, 100 - '   * '.length);
}

function inspectExprs(ir: SpecIR, layout: Layout, access: Access): { currNr: string;
  minNr: string; waiters: string } {
  const word = (v: string): string => layout.varWord.get(v) as string;
  const waiters = [...layout.queueWords.values()].map((q) => access.load(q.waiters));
  return {
    currNr: access.load(word(ir.state.reserve.count)),
    minNr: access.load(word('min_nr')),
    waiters: waiters.length > 0 ? waiters.join(' + ') : '0',
  };
}

/** The layout table of the module comment: index, constant, meaning (wrapped). */
function layoutLines(ir: SpecIR, layout: Layout): string[] {
  const rows = layout.words.map((w) => ({ index: String(w.index), constant: w.constant,
    meaning: w.meaning }));
  const lock = ir.state.reserve.lock;
  rows.push({
    index: `${layout.reserveIndex}..`,
    constant: RESERVE_WORD,
    meaning: `The reserve ${ir.state.reserve.name}: SLOTS element handles, bottom first, ` +
      `${ir.state.reserve.count} of them in use. Plain, only under ${lock}. ` +
      docText(ir.state.reserve.doc),
  });
  const indexWidth = Math.max(...rows.map((r) => r.index.length));
  const constantWidth = Math.max(...rows.map((r) => r.constant.length));
  const hang = 3 + indexWidth + 2 + constantWidth + 2;
  const lines: string[] = [];
  for (const row of rows) {
    const wrapped = wrapText(row.meaning, 100 - ' *'.length - hang);
    wrapped.forEach((text, i) => {
      const head = i === 0
        ? `   ${row.index.padEnd(indexWidth)}  ${row.constant.padEnd(constantWidth)}  `
        : ' '.repeat(hang);
      lines.push(`${head}${text}`);
    });
  }
  return lines;
}
