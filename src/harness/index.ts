/**
 * The test harness: what the generated suites run and what `mempool-spec validate` drives a
 * user's pool through.
 *
 * - `runModelBased`: fast-check command sequences on the pool and the spec's sequential
 *   model side by side, compared after every command.
 * - `runConcurrent`: workers sharing one pool, with a shared ownership ledger, end-of-round
 *   checks and a watchdog that turns a stalled worker into a `hang` verdict.
 */
export type {
  BackingAllocator, ImplementationModule, Inspection, PoolFactory, PoolOptions, PoolUnderTest,
  SharedBackingFactory, SharedBackingUnderTest,
} from './contract.ts';
export { ENOMEM } from './contract.ts';
export { describeViolation, LedgerViolation, OwnershipLedger } from './ledger.ts';
export type { Place, Violation, ViolationKind } from './ledger.ts';
export { TrackedBacking } from './tracked-backing.ts';
export { observedInvariants } from './observe.ts';
export type { Observation, ObservedInvariant } from './observe.ts';
export { DEFAULT_SEED, replayHint, runSettings } from './settings.ts';
export type { RunSettings } from './settings.ts';
export { modelBasedProperty, runModelBased } from './model/run.ts';
export type { ModelBasedOptions } from './model/run.ts';
export { ModelMismatch } from './model/system.ts';
export {
  assertConcurrentPass, formatConcurrentResult, generateRounds, runConcurrent,
} from './concurrent/run.ts';
export type { ConcurrentOptions, ConcurrentResult } from './concurrent/run.ts';
export type { Round, WorkerProgram, WorkerStep } from './concurrent/program.ts';
