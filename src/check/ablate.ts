import type { Edge, LabelRef, SpecIR, Stmt } from '../ir.ts';

/**
 * Edge ablation: the spec with a happens-before edge taken out, to show that the edge is
 * necessary (without it, the checker must find a counterexample).
 *
 * - A barrier edge loses its labelled fences, on both sides.
 * - A lock edge's labelled step moves out of the critical section, to just after the next
 *   unlock of the edge's lock in the same block.
 */

/** Raised for an edge the spec does not have, or one that cannot be taken out. */
export class AblationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AblationError';
  }
}

/** `ir` without the named edges (a deep copy; `ir` is left alone). */
export function withoutEdges(ir: SpecIR, names: readonly string[]): SpecIR {
  const out: SpecIR = structuredClone(ir);
  for (const name of names) {
    const edge = out.edges.find((e) => e.name === name);
    if (!edge) {
      throw new AblationError(`the spec has no edge '${name}'; its edges: ` +
        (out.edges.map((e) => e.name).join(', ') || 'none'));
    }
    if (edge.kind === 'barrier') removeBarriers(out, edge);
    else moveOutOfSection(out, edge);
  }
  return out;
}

function removeBarriers(ir: SpecIR, edge: Extract<Edge, { kind: 'barrier' }>): void {
  for (const side of [edge.from, edge.to]) {
    const body = opBody(ir, side.at);
    const found = findLabelled(body, side.at.label);
    if (!found) {
      throw new AblationError(`edge ${edge.name}: no step @${side.at.op}.${side.at.label}`);
    }
    const [list, i] = found;
    const st = list[i];
    if (st.k === 'fence') {
      list.splice(i, 1);
    } else {
      // A lock/unlock side is the critical section itself; the edge's fences are what can go.
      if (edge.from.barrier !== 'unlock' && edge.to.barrier !== 'lock') {
        throw new AblationError(`edge ${edge.name}: @${side.at.op}.${side.at.label} is a ` +
          `${st.k}, not a barrier`);
      }
    }
  }
}

function moveOutOfSection(ir: SpecIR, edge: Extract<Edge, { kind: 'lock' }>): void {
  const body = opBody(ir, edge.from);
  const found = findLabelled(body, edge.from.label);
  if (!found) {
    throw new AblationError(`edge ${edge.name}: no step @${edge.from.op}.${edge.from.label}`);
  }
  const [list, i] = found;
  const unlock = list.findIndex((st, j) => j > i && st.k === 'unlock' && st.lock === edge.lock);
  if (unlock < 0) {
    throw new AblationError(`edge ${edge.name}: no 'unlock ${edge.lock}' after ` +
      `@${edge.from.op}.${edge.from.label} in its block`);
  }
  const [step] = list.splice(i, 1);
  list.splice(unlock, 0, step);
}

function opBody(ir: SpecIR, at: LabelRef): Stmt[] {
  const op = ir.ops.find((o) => o.name === at.op);
  if (!op) throw new AblationError(`no operation '${at.op}'`);
  return op.body;
}

/** The statement list holding the step labelled `label`, and its index there. */
export function findLabelled(body: Stmt[], label: string): [Stmt[], number] | null {
  for (let i = 0; i < body.length; i++) {
    const st = body[i];
    if (st.label === label && st.k !== 'if') return [body, i];
    const nested = st.k === 'if' ? [st.then, st.else] : st.k === 'loop' ? [st.body] : [];
    for (const inner of nested) {
      const found = findLabelled(inner, label);
      if (found) return found;
    }
  }
  return null;
}
