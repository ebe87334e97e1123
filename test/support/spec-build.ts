/**
 * Random *valid* specs, built from the language's constructs, for properties of the
 * generators (test/gen/output.test.ts). Where spec-fuzz.ts breaks specs to test the errors,
 * this module builds specs that resolve and that gen accepts, to test what gen makes of them.
 *
 * A built spec has the pool's API operations from spec/mempool.mps (gen needs them), and
 * around them, at random: parameter ranges and extra parameters; a queue timeout; extra
 * shared variables, guarded or atomic, and ghosts; extra operations whose bodies mix locked
 * and unlocked sections, barriers, wakes, ghost updates, locals, the backing allocator and
 * the reserve, `if`/`else if`/`else`, `while` and `loop` with `break`, labels, and an int,
 * bool or no result; invariants over random typed expressions; a liveness property or none;
 * a subset of the real scenarios, with each edge whose witness is among them; and every doc
 * string replaced by a random one, hostile text included (quotes, backslashes, comment
 * terminators, backticks, `${`, U+2028/U+2029).
 */
import fc from 'fast-check';
import { mempoolBase, topLevelDeclarations } from './spec-fuzz.ts';

const realDecls = topLevelDeclarations(mempoolBase);
const apiOps = realDecls.filter((d) => d.startsWith('op '));
const scenarios = realDecls.filter((d) => d.startsWith('scenario '));
const edges = realDecls.filter((d) => d.startsWith('edge '));
const nameOf = (decl: string): string => /^\w+\s+(\w+)/.exec(decl)?.[1] ?? '';
const witnessOf = (edge: string): string => /witness\s+(\w+)/.exec(edge)?.[1] ?? '';

/** Doc strings as they are written in a spec: quotes and backslashes escaped. */
const HOSTILE_PIECES = [
  '*/', '/*', '(*', '*)', '`', '${', '}', '\\"', '\\\\', "'", '\u2028', '\u2029', '\r',
  '//', '<!--', '{{x}}', 'é', '😀', ' ', 'a',
];
const docString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('', 'A plain doc string.', 'pool->lock: spin_lock_irqsave().'),
  fc.array(fc.constantFrom(...HOSTILE_PIECES), { maxLength: 12 }).map((ps) => ps.join('')),
);

/** A name unique by its index, with a random readable part. */
const word = fc.stringMatching(/^[a-z]{1,6}$/);
const named = (prefix: string, i: number) => word.map((w) => `${prefix}${i}_${w}`);

interface Names {
  guarded: string[];
  atomic: string[];
  ghosts: string[];
}

/** An int expression over what `names` offers, `depth` levels deep at most. */
function intExpr(atoms: string[], depth: number): fc.Arbitrary<string> {
  const leaf = fc.oneof(fc.nat(5).map(String), fc.constantFrom(...atoms));
  if (depth === 0) return leaf;
  const sub = intExpr(atoms, depth - 1);
  return fc.oneof(
    { weight: 2, arbitrary: leaf },
    fc.tuple(sub, fc.constantFrom('+', '-', '*'), sub).map(([a, o, b]) => `${a} ${o} ${b}`),
    fc.tuple(fc.constantFrom('min', 'max'), sub, sub).map(([f, a, b]) => `${f}(${a}, ${b})`),
    sub.map((a) => `(${a})`),
    sub.map((a) => `-${a}`),
  );
}

function boolExpr(atoms: string[], depth: number): fc.Arbitrary<string> {
  const cmp = fc.tuple(intExpr(atoms, 1), fc.constantFrom('<', '<=', '==', '!=', '>=', '>'),
    intExpr(atoms, 1)).map(([a, o, b]) => `${a} ${o} ${b}`);
  if (depth === 0) return fc.oneof(cmp, fc.constantFrom('true', 'false'));
  const sub = boolExpr(atoms, depth - 1);
  return fc.oneof(
    { weight: 2, arbitrary: cmp },
    fc.tuple(sub, fc.constantFrom('&&', '||'), sub).map(([a, o, b]) => `(${a}) ${o} (${b})`),
    sub.map((a) => `!(${a})`),
  );
}

/**
 * Statements that keep the lock discipline by construction: `locked` ones run with
 * pool.lock held and never take or drop it; unlocked ones never touch a guarded variable.
 * Locals are named by the statement's path, so no two statements give one local two types.
 */
function statements(names: Names, locked: boolean, path: string, depth: number):
  fc.Arbitrary<string[]> {
  const id = (i: number) => `${path}_${i}`;
  const shared = locked ? [...names.guarded, 'curr_nr', 'min_nr', ...names.atomic]
    : names.atomic;
  const atoms = ['k', ...shared];
  const simple = (i: number): fc.Arbitrary<string[]> => fc.oneof(
    fc.constantFrom('wmb', 'rmb', 'mb').map((f) => [`${f} @f${id(i)}`]),
    intExpr(atoms, 1).map((e) => [`l${id(i)} = ${e}`]),
    boolExpr(atoms, 0).map((e) => [`b${id(i)} = ${e}`]),
    ...(names.ghosts.length > 0 ? [fc.tuple(fc.constantFrom(...names.ghosts),
      intExpr([...names.ghosts, 'k', 'curr_nr'], 1)).map(([g, e]) => [`ghost ${g} = ${e}`])] : []),
    ...(locked ? [] : [fc.constant(null).map(() => ['wake pool.wait'])]),
    // The backing allocator, unlocked; the reserve, under its lock.
    fc.constant<string[]>(locked
      ? ['if curr_nr != 0 {', `r${id(i)} = remove_element()`, `add_element(r${id(i)})`, '}']
      : [`x${id(i)} = alloc_fn()`, `if x${id(i)} != null {`, `free_fn(x${id(i)})`, '}']),
    ...((locked ? names.guarded : names.atomic).length > 0
      ? [fc.tuple(fc.constantFrom(...(locked ? names.guarded : names.atomic)),
        intExpr(atoms, 1)).map(([v, e]) => [`${v} = ${e}`])] : []),
  );
  const compound = (i: number): fc.Arbitrary<string[]> => {
    if (depth === 0) return simple(i);
    const inner = (tag: string) => statements(names, locked, `${id(i)}${tag}`, depth - 1);
    return fc.oneof(
      { weight: 3, arbitrary: simple(i) },
      fc.tuple(boolExpr(atoms, 1), inner('t'), fc.option(inner('e'), { nil: undefined }))
        .map(([c, t, e]) => [`if ${c} {`, ...t, ...(e ? ['} else {', ...e] : []), '}']),
      fc.tuple(boolExpr(atoms, 0), inner('u'), boolExpr(atoms, 0), inner('v'))
        .map(([c, t, d, e]) => [`if ${c} {`, ...t, `} else if ${d} {`, ...e, '}']),
      fc.tuple(fc.nat(3), inner('w')).map(([n, body]) => [`n${id(i)} = 0`,
        `while n${id(i)} < ${n} @w${id(i)} {`, ...body, `n${id(i)} = n${id(i)} + 1`, '}']),
      inner('o').map((body) => [`m${id(i)} = 0`, 'loop {', ...body,
        `m${id(i)} = m${id(i)} + 1`, `if m${id(i)} > 2 {`, 'break', '}', '}']),
    );
  };
  return fc.integer({ min: 0, max: 3 }).chain((n) =>
    fc.tuple(...Array.from({ length: n }, (_, i) => compound(i))).map((ss) => ss.flat()));
}

/** An extra operation: unlocked, locked and unlocked sections, then its result. */
function extraOp(names: Names, i: number): fc.Arbitrary<string> {
  return fc.tuple(named('op', i), fc.constantFrom('int', 'bool', 'void'),
    statements(names, false, `a${i}`, 2), fc.boolean(), statements(names, true, `b${i}`, 2),
    statements(names, false, `c${i}`, 1))
    .map(([name, returns, before, locked, lockedPart, after]) => {
      const body = [...before,
        ...(locked ? ['lock pool.lock @take_lock', ...lockedPart, 'unlock pool.lock'] : []),
        ...after];
      const result = returns === 'int' ? ['return k + 1'] : returns === 'bool' ? ['return k > 0']
        : [];
      const head = `op ${name}(k: int)${returns === 'void' ? '' : ` -> ${returns}`} "DOC"`;
      return [`${head} {`, ...body.map((s) => `  ${s}`), ...result.map((s) => `  ${s}`), '}']
        .join('\n');
    });
}

/** One built spec: its text and what went into it, for messages. */
export interface BuiltSpec {
  text: string;
  scenarios: string[];
  extraOps: number;
}

/** Random valid spec texts; see the module comment for what varies. */
export function validSpec(): fc.Arbitrary<BuiltSpec> {
  const state = fc.record({
    minNrHi: fc.integer({ min: 2, max: 3 }),
    threads: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 2, max: 3 })),
    ops: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 2, max: 3 })),
    capacity: fc.integer({ min: 0, max: 3 }),
    timeout: fc.integer({ min: 1, max: 60_000 }),
    extraParams: fc.array(fc.tuple(fc.nat(3), fc.nat(3)), { maxLength: 2 }),
    guarded: fc.array(fc.nat(4), { maxLength: 2 }),
    atomic: fc.array(fc.nat(4), { maxLength: 2 }),
    ghosts: fc.array(fc.nat(4), { maxLength: 2 }),
    scenarios: fc.subarray(scenarios),
    liveness: fc.boolean(),
  });
  return state.chain((s) => {
    const names: Names = {
      guarded: s.guarded.map((_, i) => `g${i}_var`),
      atomic: s.atomic.map((_, i) => `a${i}_var`),
      ghosts: s.ghosts.map((_, i) => `h${i}_ghost`),
    };
    const atoms = ['curr_nr', 'min_nr', 'allocated', 'floor', 'capacity', ...names.guarded,
      ...names.atomic, ...names.ghosts];
    return fc.tuple(
      fc.integer({ min: 0, max: 3 }).chain((n) =>
        fc.tuple(...Array.from({ length: n }, (_, i) => extraOp(names, i)))),
      fc.array(boolExpr(atoms, 2), { maxLength: 3 }),
      fc.array(docString, { minLength: 1, maxLength: 8 }),
    ).map(([ops, invariants, docs]) => {
      const extraParams = s.extraParams.map(([a, b], i) => ({ name: `p${i}_extra`,
        lo: Math.min(a, b), hi: Math.max(a, b) }));
      const paramValues = extraParams.map((p) => `${p.name} = ${p.lo}, `).join('');
      const kept = new Set(s.scenarios.map(nameOf));
      const lines = [
        'spec built "DOC"',
        `param min_nr in 0..${s.minNrHi} "DOC"`,
        `param threads in ${s.threads[0]}..${s.threads[1]}`,
        `param ops in ${s.ops[0]}..${s.ops[1]} "DOC"`,
        `param capacity in 0..${s.capacity} "DOC"`,
        ...extraParams.map((p) => `param ${p.name} in ${p.lo}..${p.hi} "DOC"`),
        'lock pool.lock "DOC"',
        `queue pool.wait timeout ${s.timeout} ms "DOC"`,
        'var curr_nr = 0 guarded by pool.lock lockless reads @free.test "DOC"',
        'var min_nr = min_nr guarded by pool.lock lockless reads @free.test',
        ...names.guarded.map((v, i) => `var ${v} = ${s.guarded[i]} guarded by pool.lock "DOC"`),
        ...names.atomic.map((v, i) => `var ${v} = min_nr + ${s.atomic[i]} atomic "DOC"`),
        'reserve elements counted by curr_nr guarded by pool.lock "DOC"',
        'backing slab limited by capacity "DOC"',
        'ghost allocated = 0 "DOC"',
        'ghost floor = 0',
        ...names.ghosts.map((g, i) => `ghost ${g} = ${s.ghosts[i]} "DOC"`),
        ...apiOps,
        ...ops,
        ...invariants.map((e, i) => `invariant inv${i} "DOC" : ${e}`),
        ...(s.liveness ? ['liveness waiters_woken "DOC" : no_dangling_waiter on pool.wait'] : []),
        ...edges.filter((e) => kept.has(witnessOf(e))),
        // Every scenario gives every parameter a value, the extra ones too.
        ...s.scenarios.map((sc) => sc.replace(/^(\s*)params /m, `$1params ${paramValues}`)),
      ];
      let n = 0;
      const text = lines.join('\n')
        .replace(/"(?:[^"\\\n]|\\.)*"/g, () => `"${docs[n++ % docs.length]}"`);
      return { text: text + '\n', scenarios: [...kept], extraOps: ops.length };
    });
  });
}
