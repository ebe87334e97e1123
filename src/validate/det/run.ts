import fc from 'fast-check';
import type { SpecIR } from '../../ir.ts';
import { workerProgram, type WorkerStep } from '../../harness/concurrent/program.ts';
import { minNrRange, observedInvariants, poolParams } from '../../harness/observe.ts';
import type { Capabilities } from '../../harness/contract.ts';
import { Step } from './protocol.ts';
import { Scheduler, Stop, type DetStep, type RunRecord } from './scheduler.ts';
import { skippedByCapabilities, type DriverReport, type Failure } from '../report.ts';

/**
 * The deterministic driver: a few threads run short programs on one memory-interface pool,
 * one shared access at a time, in an order fast-check chooses; in weak-memory mode a plain
 * read may return any value the views model allows. A failing run shrinks to fewer steps
 * and fewer non-default choices, and replays exactly from its seed and path.
 */
export interface DetOptions {
  ir: SpecIR;
  moduleUrl: string;
  wordCount: (slots: number) => number;
  capabilities: Required<Capabilities>;
  seed: number;
  runs: number;
  budgetMs: number;
  weak: boolean;
  threads?: number;
  /** Steps per thread program at most. */
  steps?: number;
  path?: string;
  /** Stop at the first failure, unshrunk. */
  noShrink?: boolean;
  resourceLimits?: { maxOldGenerationSizeMb: number; maxYoungGenerationSizeMb: number };
  typescript?: boolean;
  /** Told after every run (a heartbeat). */
  onProgress?: (runs: number) => void;
}

interface Failed {
  stop: Stop;
  record: RunRecord;
  input: Input;
}

interface Input {
  minNr: number;
  /** The backing allocator fails from the start (the spec's scenarios' capacity = 0). */
  starve: boolean;
  perThread: number;
  programs: DetStep[][];
  choices: number[];
}

const SLOTS = 8;

export async function runDeterministic(o: DetOptions): Promise<DriverReport> {
  const threads = o.threads ?? 2;
  const started = performance.now();
  const scheduler = new Scheduler({
    moduleUrl: o.moduleUrl, threads, wordCount: o.wordCount(SLOTS), weak: o.weak,
    // Generous: on a loaded 2-core machine a thread may be descheduled for a while.
    silentMs: 3000, accessLimit: 5000, resourceLimits: o.resourceLimits,
    typescript: o.typescript,
  });
  const name = o.weak ? 'deterministic (weak memory)' : 'deterministic';
  try {
    await scheduler.start(20_000);
  } catch (error) {
    await scheduler.shutdown();
    return { driver: name, verdict: 'crashed', ran: 'nothing', ms: 0, skipped: [],
      failure: { verdict: 'crashed', property: 'the threads load the module',
        expected: 'they load', actual: error instanceof Error ? error.message : String(error),
        steps: [], replay: '' } };
  }
  const minNr = minNrRange(o.ir, { min: 1, max: 3 }, 3);
  const input = fc.record({
    minNr: fc.integer(minNr),
    starve: fc.boolean(),
    perThread: fc.integer({ min: 1, max: 3 }),
    programs: fc.array(program(threads, o.steps ?? 5, o.capabilities, minNr.max),
      { minLength: threads, maxLength: threads }),
    // size 'max': past the end of the list every choice is 0 (the lowest thread, the newest
    // message), so a short list would leave most of a run to one fixed schedule.
    choices: fc.array(fc.nat({ max: 0xffff }), { maxLength: 400, size: 'max' }),
  });
  let runs = 0;
  // Set inside the property; an object so that TypeScript sees the writes.
  const seen: { last?: Failed } = {};
  let detectedMs: number | undefined;
  const property = fc.property(input, (inp) => {
    if (scheduler.broken) return true; // a stopped thread cannot run again: shrinking ends
    runs++;
    o.onProgress?.(runs);
    let record: RunRecord | null = null;
    try {
      record = scheduler.run(inp.minNr, SLOTS, inp.perThread, inp.programs, inp.choices,
        inp.starve);
      judge(o.ir, inp, record);
    } catch (error) {
      if (!(error instanceof Stop)) throw error;
      detectedMs ??= Math.round(performance.now() - started);
      const entry: Failed = { stop: error, record: record ?? scheduler['record'], input: inp };
      seen.last = entry;
      throw error;
    }
    return true;
  });
  let details: fc.RunDetails<[Input]>;
  let broken: string | null = null;
  try {
    details = fc.check(property, {
      seed: o.seed, numRuns: o.runs, path: o.path,
      endOnFailure: o.path !== undefined || o.noShrink === true,
      interruptAfterTimeLimit: o.budgetMs, markInterruptAsFailure: false,
    });
    broken = scheduler.broken;
  } finally {
    await scheduler.shutdown();
  }
  const ms = Math.round(performance.now() - started);
  const skipped = skippedByCapabilities(o.capabilities);
  if (!details.failed || !seen.last) {
    if (details.failed && details.errorInstance) throw details.errorInstance;
    return { driver: name, verdict: 'pass', ran: `${runs} interleavings of ${threads} ` +
      `threads${details.interrupted ? ' (stopped at the time budget)' : ''}`, ms, skipped };
  }
  // The last failing run is the shrunk counterexample, the one `counterexamplePath` names
  // (once a thread had to be stopped, every later run passes, so shrinking ends there).
  const chosen = seen.last;
  const failure: Failure = {
    verdict: chosen.stop.verdict,
    property: chosen.stop.property,
    expected: chosen.stop.expected,
    actual: chosen.stop.actual,
    steps: formatTrace(chosen.record, chosen.input, threads),
    replay: `--driver ${o.weak ? 'det-weak' : 'det'} --seed ${o.seed} --replay ` +
      `${details.counterexamplePath}`,
    note: broken ? 'shrinking stopped early: a thread had to be stopped' : undefined,
  };
  return { driver: name, verdict: chosen.stop.verdict, ran: `${runs} interleavings`,
    ms, detectedMs, skipped, failure };
}

/** End-of-run checks: nothing lost, counters, invariants. */
function judge(ir: SpecIR, inp: Input, r: RunRecord): void {
  const seen = r.inspection!;
  if (r.inPool !== seen.currNr) {
    throw r.inPool > seen.currNr
      ? new Stop('leak', 'nothing lost', `the pool keeps ${r.inPool} element(s) it took`,
        `${r.inPool - seen.currNr} element(s) lost: inspect() says currNr ${seen.currNr}`)
      : new Stop('wrong-reply', 'inspect().currNr', `${r.inPool} (what the pool holds)`,
        String(seen.currNr));
  }
  if (seen.waiters !== 0) {
    throw new Stop('wrong-reply', 'inspect().waiters at the end', '0', String(seen.waiters));
  }
  const params = poolParams(ir, inp.minNr, r.capacity - inp.minNr);
  const broken = observedInvariants(ir, params, ['alloc', 'free', 'resize'],
    { inspection: seen, heldByClients: 0 }).filter((i) => i.verdict === 'broken');
  if (broken.length > 0) {
    throw new Stop('invariant', `invariant ${broken.map((i) => i.name).join(', ')}`,
      'it holds at the end', `inspect() = ${JSON.stringify(seen)}`);
  }
}

/** Numbered steps, one column of text per thread. */
function formatTrace(r: RunRecord, inp: Input, threads: number): string[] {
  const lines = [`min_nr ${inp.minNr}, backing capacity ${r.capacity}, ${threads} threads`];
  r.trace.forEach((t, i) => {
    lines.push(`${String(i + 1).padStart(4)}. ${'    '.repeat(t.thread * 6)}T${t.thread}: ${t.text}`);
  });
  return lines;
}


function program(threads: number, length: number, c: Required<Capabilities>,
  maxMin: number): fc.Arbitrary<DetStep[]> {
  const base = workerProgram(threads, length).map((steps) => steps
    .filter((s) => c.blocking || !(s.k === 'alloc' && s.wait))
    .map(toDet));
  if (!c.resize) return base;
  return fc.tuple(base, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: maxMin + 2 })),
    { maxLength: 2 })).map(([steps, resizes]) => {
    const out = [...steps];
    for (const [at, n] of resizes) out.splice(at % (out.length + 1), 0, { kind: Step.resize, a: n, b: 0 });
    return out;
  });
}

function toDet(s: WorkerStep): DetStep {
  switch (s.k) {
    case 'alloc': return { kind: Step.alloc, a: s.wait ? 1 : 0, b: 0 };
    case 'free': return { kind: Step.free, a: s.pick, b: 0 };
    case 'free-null': return { kind: Step.freeNull, a: 0, b: 0 };
    case 'send': return { kind: Step.send, a: s.offset, b: s.pick };
    case 'receive': return { kind: Step.receive, a: 0, b: 0 };
    case 'failing': return { kind: Step.failing, a: s.on ? 1 : 0, b: 0 };
  }
}


