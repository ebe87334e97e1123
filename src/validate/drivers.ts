/**
 * The drivers `validate` can run, by the name the command line and replay lines use, and
 * what each needs from the user's module.
 */
export const DRIVERS = ['sequential', 'det', 'det-weak', 'concurrent'] as const;

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
  /** Heartbeat words shared with the supervisor (see `supervise.ts`). */
  beat: SharedArrayBuffer;
  capabilities: Required<import('../harness/contract.ts').Capabilities>;
}
