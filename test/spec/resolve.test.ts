import { describe, it } from 'vitest';
import { expectRejectedAt, itRejects, mempoolText, type RejectionCase } from './helpers.ts';

const handoffEdge = ': wmb @alloc.wmb -> rmb @free.rmb';
const lockEdge = ': lock pool.lock @alloc.join -> @free.wake';

const cases: RejectionCase[] = [
  // ---- names -------------------------------------------------------------------------------
  {
    title: 'an unknown lock in a statement',
    edits: [['lock pool.lock @lock', 'lock pool.lok @lock']],
    code: 'unknown-name',
    marker: 'pool.lok',
  },
  {
    title: 'an unknown wait queue in a statement',
    edits: [['wake pool.wait @wake', 'wake pool.wake @wake']],
    code: 'unknown-name',
    marker: 'pool.wake @wake',
  },
  {
    title: 'an unknown variable in an invariant',
    edits: [[': curr_nr + allocated >= floor', ': curr_nr + alocated >= floor']],
    code: 'unknown-name',
    marker: 'alocated',
  },
  {
    title: 'an unknown ghost in a ghost update',
    edits: [['ghost floor = min_nr\n', 'ghost flor = min_nr\n']],
    code: 'unknown-name',
    marker: 'flor',
  },
  {
    title: 'an unknown wait queue in a liveness property',
    edits: [['no_dangling_waiter on pool.wait', 'no_dangling_waiter on pool.wai']],
    code: 'unknown-name',
    marker: 'pool.wai\n',
  },
  {
    title: 'an unknown function',
    edits: [
      [
        'floor = min(floor, new_min_nr)\n    # pool',
        'floor = least(floor, new_min_nr)\n    # pool',
      ],
    ],
    code: 'unknown-name',
    marker: 'least',
  },
  {
    title: 'a name other than a spec parameter in an initial value',
    edits: [['var curr_nr = 0', 'var curr_nr = floor']],
    code: 'unknown-name',
    marker: 'floor guarded',
  },
  {
    title: 'an unknown lock guarding a variable',
    edits: [['min_nr = min_nr guarded by pool.lock', 'min_nr = min_nr guarded by pool.mutex']],
    code: 'unknown-name',
    marker: 'pool.mutex',
  },
  {
    title: 'a backing allocator limited by something that is not a parameter',
    edits: [['backing slab limited by capacity', 'backing slab limited by capacities']],
    code: 'unknown-name',
    marker: 'capacities',
  },
  // ---- duplicates ----------------------------------------------------------------------------
  {
    title: 'a pool state name declared twice',
    edits: [['ghost floor = 0\n  "The part', 'ghost allocated = 0\n  "The part']],
    code: 'duplicate-name',
    marker: 'allocated = 0\n  "The part',
  },
  {
    title: 'an operation declared twice',
    edits: [['op destroy() exclusive', 'op create() exclusive']],
    code: 'duplicate-name',
    marker: 'create() exclusive\n  "mempool_destroy',
  },
  {
    title: 'a label used twice in one operation',
    edits: [['unlock pool.lock @refill_unlock', 'unlock pool.lock @lock']],
    code: 'duplicate-name',
    marker: 'lock\n      # wake_up',
  },
  {
    title: 'a property name shared by an invariant and a liveness property',
    edits: [['liveness waiters_woken', 'liveness reserve_floor']],
    code: 'duplicate-name',
    marker: 'reserve_floor\n  "Invariant 2',
  },
  {
    title: 'a scenario declared twice',
    edits: [['scenario shrink_vs_free', 'scenario handoff']],
    code: 'duplicate-name',
    marker: 'handoff\n  "A shrink',
  },
  // ---- declarations --------------------------------------------------------------------------
  {
    title: 'a lockless read declared at a label that does not exist',
    edits: [['reads @free.test\n  "pool->curr_nr', 'reads @free.tset\n  "pool->curr_nr']],
    code: 'missing-label',
    marker: 'tset',
  },
  {
    title: 'a lockless read declared at a step that does not read the variable',
    edits: [['reads @free.test\n  "pool->curr_nr', 'reads @free.rmb\n  "pool->curr_nr']],
    code: 'bad-declaration',
    marker: '@free.rmb\n',
  },
  {
    title: 'a reserve counted by a variable its lock does not guard',
    edits: [
      ['lock pool.lock "pool->lock', 'lock other.lock "x"\nlock pool.lock "pool->lock'],
      ['counted by curr_nr guarded by pool.lock', 'counted by curr_nr guarded by other.lock'],
    ],
    code: 'bad-declaration',
    marker: 'curr_nr guarded by other.lock',
  },
  {
    title: 'a parameter with an empty range',
    edits: [['param ops in 2..3', 'param ops in 3..2']],
    code: 'bad-range',
    marker: 'param ops',
  },
  // ---- edges ---------------------------------------------------------------------------------
  {
    title: 'an rmb on the writer side of a barrier edge',
    edits: [[handoffEdge, ': rmb @alloc.wmb -> rmb @free.rmb']],
    code: 'barrier-pairing',
    marker: 'rmb @alloc.wmb',
  },
  {
    title: 'an unlock on the reader side of a barrier edge',
    edits: [[handoffEdge, ': wmb @alloc.wmb -> unlock @free.rmb']],
    code: 'barrier-pairing',
    marker: 'unlock @free.rmb',
  },
  {
    title: 'a barrier edge naming a barrier the labelled step is not',
    edits: [[handoffEdge, ': mb @alloc.wmb -> rmb @free.rmb']],
    code: 'barrier-mismatch',
    marker: '@alloc.wmb',
  },
  {
    title: 'a barrier edge naming an unlock at a step that is a barrier',
    edits: [[handoffEdge, ': unlock @alloc.wmb -> rmb @free.rmb']],
    code: 'barrier-mismatch',
    marker: '@alloc.wmb',
  },
  {
    title: 'an edge naming a missing label',
    edits: [[handoffEdge, ': wmb @alloc.wbm -> rmb @free.rmb']],
    code: 'missing-label',
    marker: 'wbm',
  },
  {
    title: 'an edge naming an unknown operation',
    edits: [[handoffEdge, ': wmb @aloc.wmb -> rmb @free.rmb']],
    code: 'unknown-name',
    marker: 'aloc',
  },
  {
    title: 'a lock edge whose first step is outside the lock',
    edits: [[lockEdge, ': lock pool.lock @alloc.sleep -> @free.wake']],
    code: 'edge-not-under-lock',
    marker: '@alloc.sleep',
  },
  {
    title: 'a lock edge whose second step never took the lock',
    edits: [[lockEdge, ': lock pool.lock @alloc.join -> @free.rmb']],
    code: 'edge-not-under-lock',
    marker: '@free.rmb',
    after: 'edge wait_registration',
  },
  {
    title: 'an edge protecting something that is neither a variable nor a queue',
    edits: [['protects curr_nr witness handoff', 'protects curr witness handoff']],
    code: 'unknown-name',
    marker: 'curr witness',
  },
  {
    title: 'an edge whose witness scenario is missing',
    edits: [['protects curr_nr witness handoff', 'protects curr_nr witness hand_off']],
    code: 'missing-witness',
    marker: 'hand_off',
  },
];

describe('resolving the spec rejects', () => {
  itRejects(mempoolText, cases);

  it('a spec without a reserve, at the spec name', () => {
    const text = mempoolText.replace(/^reserve[^]*?\n\n/m, '');
    expectRejectedAt(text, 'bad-declaration', 'mempool "Linux');
  });
});
