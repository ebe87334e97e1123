import fc from 'fast-check';

/**
 * The programs the concurrent suite's workers run, and how fast-check generates them.
 *
 * A step names what to do, not with which element: `pick` is taken modulo the number of
 * elements the worker holds when it gets there, because what a worker holds depends on
 * the interleaving (a `receive` may bring in elements, an `alloc` may come back empty).
 */
export type WorkerStep =
  /** `alloc(mayWait)`, if a token is free (see `shared.ts`); otherwise skipped. */
  | { k: 'alloc'; wait: boolean }
  /** `free` of a held element, if any. */
  | { k: 'free'; pick: number }
  /** `free(null)`. */
  | { k: 'free-null' }
  /** Pass a held element to worker `(self + offset) % workers`, if its slot is empty. */
  | { k: 'send'; offset: number; pick: number }
  /** Take every element other workers have passed to this one. */
  | { k: 'receive' }
  /**
   * Make the shared backing allocator fail (or stop failing). Generated only in balanced
   * windows holding no waiting alloc, so every window closes: see `workerProgram`.
   */
  | { k: 'failing'; on: boolean };

/** What one worker runs. */
export type WorkerProgram = WorkerStep[];

/** Printable form of a step, used in hang and failure reports. */
export function describeStep(step: WorkerStep): string {
  switch (step.k) {
    case 'alloc':
      return step.wait ? 'alloc(wait)' : 'alloc(nowait)';
    case 'free':
      return `free(held[${step.pick}])`;
    case 'free-null':
      return 'free(null)';
    case 'send':
      return `send(held[${step.pick}], +${step.offset})`;
    case 'receive':
      return 'receive()';
    case 'failing':
      return step.on ? 'backing.setFailing(true)' : 'backing.setFailing(false)';
  }
}

/** A whole program, one step a line, numbered. */
export function describeProgram(program: WorkerProgram): string {
  return program.map((s, i) => `${String(i).padStart(3)}: ${describeStep(s)}`).join('\n');
}

const PICK = fc.nat({ max: 7 });

/** Steps that never wait: the only ones allowed while the backing allocator fails. */
function quickStep(workers: number): fc.Arbitrary<WorkerStep> {
  const steps: fc.Arbitrary<WorkerStep>[] = [
    fc.constant<WorkerStep>({ k: 'alloc', wait: false }),
    PICK.map((pick): WorkerStep => ({ k: 'free', pick })),
    fc.constant<WorkerStep>({ k: 'free-null' }),
  ];
  if (workers > 1) {
    steps.push(
      fc.record({ offset: fc.integer({ min: 1, max: workers - 1 }), pick: PICK })
        .map(({ offset, pick }): WorkerStep => ({ k: 'send', offset, pick })),
      fc.constant<WorkerStep>({ k: 'receive' }),
    );
  }
  return fc.oneof(...steps);
}

/**
 * A program for one of `workers` workers, about `length` steps long.
 *
 * A waiting alloc on an empty reserve sleeps until someone frees an element or the backing
 * allocator stops failing; a worker that turned failing on and then waited itself could
 * wait for nobody. So `failing` comes only as a window, on, a few steps that never wait,
 * off, and every window its worker opens, it closes.
 */
export function workerProgram(workers: number, length: number): fc.Arbitrary<WorkerProgram> {
  const quick = quickStep(workers);
  const chunk = fc.oneof(
    { arbitrary: quick.map((s) => [s]), weight: 6 },
    { arbitrary: fc.constant<WorkerStep[]>([{ k: 'alloc', wait: true }]), weight: 3 },
    {
      arbitrary: fc.array(quick, { minLength: 1, maxLength: 12 }).map((body): WorkerStep[] => [
        { k: 'failing', on: true },
        ...body,
        { k: 'failing', on: false },
      ]),
      weight: 4,
    },
  );
  return fc
    .array(chunk, { minLength: Math.max(1, Math.floor(length / 2)), maxLength: length })
    .map((chunks) => chunks.flat());
}

/**
 * One round of the concurrent suite, on a fresh pool: its `min_nr` and each worker's
 * program. A worker runs its program over and over for the round's duration, starting each
 * pass empty-handed (it gives back what it holds between passes).
 */
export interface Round {
  minNr: number;
  /** Elements each worker may hold at once (the token budget is `workers * perWorker`). */
  perWorker: number;
  programs: WorkerProgram[];
}

/** Rounds for `workers` workers with `minNr` drawn from `minNrRange`. */
export function roundArbitrary(
  workers: number,
  length: number,
  minNrRange: { min: number; max: number },
): fc.Arbitrary<Round> {
  return fc.record({
    minNr: fc.integer(minNrRange),
    perWorker: fc.integer({ min: 1, max: 4 }),
    programs: fc.array(workerProgram(workers, length), {
      minLength: workers,
      maxLength: workers,
    }),
  });
}
