import type { Counterexample } from './index.ts';
import { formatAfter } from './report.ts';

/**
 * A counterexample as a self-contained HTML page: one lane per thread, steps top to bottom in
 * the order they ran, each read joined by a line to the write it returned, and a stale read
 * (one that returned an older value than the newest) marked in red. No scripts, no external
 * files: it opens anywhere and can be attached to a bug report.
 */

const LANE = 300;
const ROW = 18;
const GAP = 14;
const LEFT = 40;

/**
 * The page's `<meta name="generator">`: `check --trace-out` overwrites a file only if it
 * carries this, so that it never replaces a file someone wrote.
 */
export const TRACE_GENERATOR = 'mempool-spec check --trace-out';

/** The page for `cx`. */
export function traceHtml(cx: Counterexample, specSource: string): string {
  const lanes = laneNames(cx);
  const boxes: { x: number; y: number; h: number; step: number }[] = [];
  let y = 40;
  const parts: string[] = [];
  for (const step of cx.steps) {
    const lane = lanes.indexOf(step.thread);
    const x = LEFT + lane * LANE;
    const lines = step.events.map((e) => {
      let text = e.text;
      if (e.read) text += ` → ${e.read.value}`;
      return { text, stale: e.stale === true };
    });
    const h = (lines.length + 1) * ROW + 8;
    boxes[step.index] = { x, y, h, step: step.index };
    const stale = lines.some((l) => l.stale);
    parts.push(`<rect x="${x}" y="${y}" width="${LANE - 20}" height="${h}" rx="4" ` +
      `class="${stale ? 'box stale' : 'box'}">` +
      `<title>${esc(formatAfter(step.after))}</title></rect>`);
    parts.push(`<text x="${x - 30}" y="${y + 15}" class="num">${step.index}</text>`);
    lines.forEach((l, i) => {
      const cls = l.stale ? 'ev staletext' : 'ev';
      parts.push(`<text x="${x + 8}" y="${y + 15 + i * ROW}" class="${cls}">` +
        `${esc(clip(l.text))}</text>`);
    });
    parts.push(`<text x="${x + 8}" y="${y + 15 + lines.length * ROW}" class="after">` +
      `${esc(clip(formatAfter(step.after), 60))}</text>`);
    y += h + GAP;
  }
  for (const step of cx.steps) {
    for (const e of step.events) {
      if (!e.read || !e.from || !boxes[e.from]) continue;
      const from = boxes[e.from];
      const to = boxes[step.index];
      parts.push(`<line x1="${from.x + LANE - 20}" y1="${from.y + from.h / 2}" x2="${to.x}" ` +
        `y2="${to.y + 10}" class="${e.stale ? 'rf stale-rf' : 'rf'}" marker-end="url(#arrow)"/>`);
    }
  }
  const width = LEFT + lanes.length * LANE + 20;
  const header = lanes.map((name, i) =>
    `<text x="${LEFT + i * LANE}" y="24" class="lane">${esc(name)}</text>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="generator" content="${TRACE_GENERATOR}">
<title>${esc(`${cx.property}: counterexample from ${specSource}`)}</title>
<style>
body { font: 14px system-ui, sans-serif; margin: 24px; color: #222; }
code { font-size: 12px; word-break: break-all; }
.box { fill: #f4f6f8; stroke: #9aa5b1; }
.stale { fill: #fdecea; stroke: #c62828; stroke-width: 2; }
.ev { font: 12px ui-monospace, monospace; }
.staletext { fill: #c62828; font-weight: bold; }
.after { font: 11px ui-monospace, monospace; fill: #667; }
.num { font: bold 13px system-ui; fill: #667; }
.lane { font: bold 14px system-ui; }
.rf { stroke: #1565c0; stroke-dasharray: 4 3; fill: none; }
.stale-rf { stroke: #c62828; stroke-width: 2; }
</style></head><body>
<h1>${esc(cx.property)}</h1>
<p>${esc(cx.message)}</p>
${cx.note ? `<p><em>${esc(cx.note)}</em></p>` : ''}
<p>Spec <code>${esc(specSource)}</code>, ${esc(cx.configLabel)}. Steps run top to bottom; a
dashed line joins a read to the write it returned; red marks a stale read. Hover a step for
the pool's state after it.</p>
<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y + 20}">
<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6"
orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#555"/></marker></defs>
${header}
${parts.join('\n')}
</svg>
<p>Replay: <code>mempool-spec check ${esc(specSource)} --replay ${esc(cx.token)}</code></p>
</body></html>
`;
}

function laneNames(cx: Counterexample): string[] {
  const names = [...cx.threadNames];
  if (cx.steps.some((s) => s.thread === 'main')) names.push('main');
  return names;
}

function clip(text: string, max = 44): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}
