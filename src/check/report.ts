import type { CheckResult, Counterexample } from './index.ts';
import { MODEL_LIMITS } from './index.ts';
import type { TraceEventOut, TraceStep } from './trace.ts';

/**
 * The check's result as text for a terminal, and as one JSON document. Both say the same:
 * what was explored, how fast, whether exhaustively, and the counterexample with its replay
 * token.
 */

/** Styling hooks; the CLI passes `util.styleText` on a terminal and identity elsewhere. */
export interface Style {
  bad(text: string): string;
  good(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

/** No styling. */
export const plain: Style = { bad: (t) => t, good: (t) => t, dim: (t) => t, bold: (t) => t };

/** The result as text. */
export function formatResult(r: CheckResult, style: Style = plain): string {
  const lines: string[] = [];
  const removed = r.without.length > 0 ? ` without ${r.without.join(', ')}` : '';
  lines.push(`check ${r.spec.source}${removed} (${r.search}, ` +
    `${r.memory === 'sc' ? 'sequentially consistent memory' : 'views memory model'})`);
  for (const c of r.configs) {
    const verdict = c.verdict === 'holds' ? style.good('holds')
      : c.verdict === 'create-fails' ? style.dim('create fails: nothing to check')
        : style.bad(c.verdict);
    lines.push(`  ${c.label.padEnd(44)} ${verdict.padEnd(12)} ` +
      style.dim(`${c.states} states, depth ${c.depth}, ${c.seconds.toFixed(2)}s` +
        (c.exhaustive || c.verdict !== 'holds' ? '' : ', not exhaustive')));
  }
  if (r.counterexample) {
    lines.push('', ...formatCounterexample(r.counterexample, r.spec.source, style));
  }
  for (const f of r.failures) lines.push('', style.bad(f));
  const t = r.totals;
  const what = r.status === 'holds' ? style.good(r.exhaustive ? 'holds (exhaustive)'
    : r.search === 'random-walk'
      ? 'holds on every state the random walks visited (not exhaustive)'
      : 'holds on every state visited (not exhaustive)')
    : r.status === 'incomplete' ? style.bad('incomplete') : style.bad('counterexample');
  // The configurations are searched one by one: the depth is that of the deepest one.
  lines.push('', `${what}: ${t.states} states, ${t.transitions} transitions, ` +
    `${r.configs.length > 1 ? 'max depth' : 'depth'} ${t.depth}, ` +
    `${t.statesPerSecond} states/s, ${t.seconds.toFixed(1)}s`);
  lines.push(style.dim(`properties: ${r.properties.map((p) => p.name).join(', ')}`));
  if (r.status !== 'counterexample') lines.push(style.dim(`note: ${MODEL_LIMITS}`));
  return `${lines.join('\n')}\n`;
}

/** A counterexample as numbered steps. */
export function formatCounterexample(cx: Counterexample, source: string,
  style: Style = plain): string[] {
  const lines = [
    style.bad(style.bold(`counterexample: ${cx.property}`)) + ` — ${cx.message}`,
    style.dim(`in ${cx.configLabel}; ${cx.steps.length} steps, each a thread's visible step ` +
      'with what ran along with it:'),
  ];
  for (const step of cx.steps) lines.push(...formatStep(step, style));
  if (cx.note) lines.push(`note: ${cx.note}`);
  lines.push(`replay: mempool-spec check ${source} --replay ${cx.token}`);
  return lines;
}

function formatStep(step: TraceStep, style: Style): string[] {
  const head = `${String(step.index).padStart(3)}. ${step.thread.padEnd(5)}`;
  const lines = step.events.map((e, i) =>
    `${i === 0 ? head : ' '.repeat(head.length)} ${formatEvent(e, style)}`);
  if (lines.length === 0) lines.push(head);
  lines.push(`${' '.repeat(head.length)} ${style.dim(`→ ${formatAfter(step.after)}`)}`);
  return lines;
}

function formatEvent(e: TraceEventOut, style: Style): string {
  const where = e.line ? style.dim(`  [${e.op ?? 'client'}${e.label ? `@${e.label}` : ''} ` +
    `line ${e.line}]`) : '';
  let text = e.text;
  if (e.read) {
    const from = e.from ? `step ${e.from}` : 'the initial state';
    text += ` → ${e.read.value} (written by ${from})`;
    if (e.stale && e.newest) {
      text += style.bad(` STALE: the newest value is ${e.newest.value}` +
        (e.newest.step ? `, written by step ${e.newest.step}` : ''));
    }
  }
  return `${text}${where}`;
}

/** The pool after a step, in one line. */
export function formatAfter(after: Record<string, number | number[]>): string {
  return Object.entries(after)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? `[${v.join(',')}]` : v}`).join(' ');
}

/** The result as one JSON document. */
export function resultJson(r: CheckResult): string {
  return `${JSON.stringify({ ...r, modelLimits: MODEL_LIMITS }, null, 2)}\n`;
}
