/**
 * The drivers `validate` can run, by the name the command line and replay lines use, in the
 * order they run: the cheap sequential driver first; then the deterministic driver in
 * weak-memory mode, whose reads may return any message the views model allows (the latest
 * among them), so it reaches most of what sequential consistency reaches and the stale reads
 * besides; then the sequentially consistent one; real workers last.
 */
export const DRIVERS = ['sequential', 'det-weak', 'det', 'concurrent'] as const;

/** One of `DRIVERS`. */
export type DriverName = (typeof DRIVERS)[number];

/** The heading a driver's report carries. */
export const DRIVER_TITLES: Record<DriverName, string> = {
  sequential: 'sequential',
  det: 'deterministic',
  'det-weak': 'deterministic (weak memory)',
  concurrent: 'concurrent',
};

/** What one driver run is given, in the driver worker (`driver-worker.ts`). */
export interface DriverJob {
  driver: DriverName;
  /** The spec's IR (plain data). */
  ir: import('../ir.ts').SpecIR;
  /** The user's module, as a file URL. */
  module: string;
  /** `implementation.ts?module=...`: the user's module in `ImplementationModule` form. */
  implementation: string;
  typescript: boolean;
  seed: number;
  runs: number;
  budgetMs: number;
  /** A fast-check path to replay (sequential and deterministic drivers). */
  path?: string;
  /** Report the first failure as found, without shrinking it (the benchmark's setting). */
  noShrink?: boolean;
  /** Heartbeat words shared with the supervisor (see `supervise.ts`). */
  beat: SharedArrayBuffer;
  capabilities: Required<import('../harness/contract.ts').Capabilities>;
}
