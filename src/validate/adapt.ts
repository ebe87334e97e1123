import type {
  BackingAllocator, Capabilities, ImplementationModule, Memory, PoolFactory, PoolOptions,
  PoolUnderTest, UserModule,
} from '../harness/contract.ts';
import { HarnessBacking } from '../harness/shared-backing.ts';

/**
 * Turns what a user's module exports (`UserModule`) into what the harness drives
 * (`ImplementationModule`), and says what is wrong with a module that does not fit.
 */

/** Reserve slots of a memory-interface pool when `create` is given none. */
const DEFAULT_SLOTS = 16;

/** The contract problems of `mod`, one line each; empty when it fits. */
export function contractProblems(mod: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const hasPool = 'Mempool' in mod && mod.Mempool !== undefined;
  const hasMem = 'MempoolMem' in mod && mod.MempoolMem !== undefined;
  if (!hasPool && !hasMem) {
    problems.push('exports neither `Mempool` (a PoolFactory) nor `MempoolMem` (a ' +
      'MemoryPoolFactory); see mempool-spec/contract');
  }
  const statics = (name: string, fns: string[]) => {
    const value = mod[name] as Record<string, unknown> | undefined;
    if (value === undefined) return;
    for (const fn of fns) {
      if (typeof value?.[fn] !== 'function') problems.push(`${name}.${fn} is not a function`);
    }
  };
  statics('Mempool', ['create', 'attach']);
  statics('MempoolMem', ['create', 'attach']);
  statics('SharedBacking', ['create', 'attach']);
  if (hasMem && typeof mod.poolWordCount !== 'function') {
    problems.push('exports `MempoolMem` but no `poolWordCount(slots)` function');
  }
  const caps = mod.capabilities as Record<string, unknown> | undefined;
  if (caps !== undefined) {
    if (typeof caps !== 'object' || caps === null) {
      problems.push('`capabilities` must be an object');
    } else {
      for (const [key, value] of Object.entries(caps)) {
        if (!['resize', 'blocking', 'shareable'].includes(key)) {
          problems.push(`capabilities.${key}: unknown (expected resize, blocking, shareable)`);
        } else if (typeof value !== 'boolean') {
          problems.push(`capabilities.${key} must be true or false`);
        }
      }
    }
  }
  return problems;
}

/** Every capability, defaults filled in. */
export function capabilitiesOf(mod: UserModule): Required<Capabilities> {
  return {
    resize: mod.capabilities?.resize ?? true,
    blocking: mod.capabilities?.blocking ?? true,
    shareable: mod.capabilities?.shareable ?? true,
  };
}

/** `mod` as the harness drives it; a memory-interface pool runs on real Atomics. */
export function adapt(mod: UserModule): ImplementationModule {
  return {
    Mempool: mod.Mempool ?? memoryPoolOnAtomics(mod),
    SharedBacking: mod.SharedBacking ?? HarnessBacking,
    capabilities: mod.capabilities,
  };
}

function memoryPoolOnAtomics(mod: UserModule): PoolFactory {
  const factory = mod.MempoolMem!;
  const words = mod.poolWordCount!;
  const wrap = (buffer: SharedArrayBuffer, pool: ReturnType<typeof factory.attach>):
    PoolUnderTest => ({
    buffer,
    alloc: (mayWait) => pool.alloc(mayWait),
    free: (element) => pool.free(element),
    resize: (n) => pool.resize(n),
    destroy: () => pool.destroy(),
    inspect: () => pool.inspect(),
  });
  return {
    create(options: PoolOptions) {
      const slots = options.slots ?? Math.max(options.minNr, DEFAULT_SLOTS);
      const buffer = new SharedArrayBuffer(words(slots) * 4);
      const pool = factory.create(atomicsMemory(new Int32Array(buffer)), { ...options, slots });
      return pool ? wrap(buffer, pool) : null;
    },
    attach(buffer: SharedArrayBuffer, backing: BackingAllocator, sleepTimeoutMs?: number) {
      return wrap(buffer,
        factory.attach(atomicsMemory(new Int32Array(buffer)), backing, sleepTimeoutMs));
    },
  };
}

/** `Memory` as direct `Atomics` calls on `words`. */
export function atomicsMemory(words: Int32Array): Memory {
  return {
    load: (i) => Atomics.load(words, i),
    store: (i, v) => void Atomics.store(words, i, v),
    compareExchange: (i, e, r) => Atomics.compareExchange(words, i, e, r),
    add: (i, d) => Atomics.add(words, i, d),
    sub: (i, d) => Atomics.sub(words, i, d),
    wait: (i, e, t) => Atomics.wait(words, i, e, t),
    notify: (i, c) => Atomics.notify(words, i, c),
    get: (i) => words[i],
    set: (i, v) => void (words[i] = v),
  };
}
