import { describe, it } from 'vitest';
import {
  expectRejectedAt,
  itRejects,
  mempoolText,
  replaceOnce,
  type RejectionCase,
} from './helpers.ts';

const cases: RejectionCase[] = [
  {
    title: 'a lockless read of curr_nr whose label curr_nr does not declare',
    edits: [
      [
        'curr_nr = 0 guarded by pool.lock lockless reads @free.test',
        'curr_nr = 0 guarded by pool.lock',
      ],
    ],
    code: 'unguarded-access',
    marker: 'curr_nr < min_nr @test',
  },
  {
    title: 'a lockless read at a label declared for another variable only',
    edits: [
      [
        'min_nr guarded by pool.lock lockless reads @free.test',
        'min_nr guarded by pool.lock',
      ],
    ],
    code: 'unguarded-access',
    marker: 'min_nr @test {',
  },
  {
    title: 'a write of min_nr without the lock',
    edits: [['  rmb @rmb\n', '  min_nr = 1 @other\n  rmb @rmb\n']],
    code: 'unguarded-access',
    marker: 'min_nr = 1',
  },
  {
    title: 'the reserve used without its lock',
    edits: [['  rmb @rmb\n', '  add_element(e)\n  rmb @rmb\n']],
    code: 'unguarded-access',
    marker: 'add_element(e)\n  rmb',
  },
  {
    title: 'an unlock that no path has locked',
    edits: [['  rmb @rmb\n', '  rmb @rmb\n  unlock pool.lock\n']],
    code: 'unlock-not-held',
    marker: 'unlock pool.lock',
    after: 'rmb @rmb',
  },
  {
    title: 'a spin lock taken twice',
    edits: [['    lock pool.lock @lock\n', '    lock pool.lock @lock\n    lock pool.lock\n']],
    code: 'lock-already-held',
    marker: 'lock pool.lock\n',
    after: 'lock pool.lock @lock\n',
  },
  {
    title: 'a return while holding the lock',
    edits: [['      unlock pool.lock @refill_unlock\n', '']],
    code: 'return-holding-lock',
    marker: 'return\n',
    after: 'wake pool.wait @wake',
  },
  {
    title: 'a continue that goes round the loop holding the lock, caught at the next return',
    edits: [['      unlock pool.lock\n      retry_full = false\n', '      retry_full = false\n']],
    code: 'return-holding-lock',
    marker: 'return e\n',
    after: 'op alloc',
  },
  {
    title: 'a lock-guarded read on the path that leaves a while loop unlocked',
    edits: [
      [
        '      free_fn(s)\n      # spin_lock_irqsave(&pool->lock, flags);\n      lock pool.lock\n',
        '      free_fn(s)\n',
      ],
    ],
    code: 'unguarded-access',
    marker: 'curr_nr {',
    after: 'while new_min_nr <',
  },
  {
    title: 'the end of an operation reached while holding a lock',
    edits: [['    free_fn(e)\n  }\n}', '    free_fn(e)\n  }\n  lock pool.lock\n}']],
    code: 'return-holding-lock',
    marker: '}\n\nop alloc',
  },
  {
    title: 'the end of a non-void operation reachable without a return',
    edits: [['  unlock pool.lock\n  return 0\n}', '  unlock pool.lock\n}']],
    code: 'missing-return',
    marker: '}\n\n# ---- properties',
  },
];

describe('the lock discipline check rejects', () => {
  itRejects(mempoolText, cases);
});

describe('the lock discipline check', () => {
  it('exempts exclusive operations, and only them', () => {
    // destroy reads curr_nr and uses the reserve without pool.lock: fine while exclusive.
    const text = replaceOnce(mempoolText, 'op destroy() exclusive', 'op destroy()');
    expectRejectedAt(text, 'unguarded-access', 'curr_nr != 0 {', 'op destroy');
  });
});
