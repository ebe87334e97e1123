# mm/mempool.c as fixed by kernel commit 5b990546, plus a fix this project proposes for a
# problem the checker finds in that code (and in the kernel since): a step that hands an
# element to the backing allocator wakes nobody, so an allocator that went to sleep because
# the reserve was empty sleeps out its 5 s timeout although memory came back. The checker
# reports it on spec/mempool.mps as `waiters_woken` (see "What check found in the kernel" in
# README.md); this variant passes every property.
#
# It differs from spec/mempool.mps in these places, each marked FIX below:
#   - every step that gives memory back wakes pool->wait: mempool_free() after
#     pool->free(element), and mempool_resize() after each pool->free() and after a grow that
#     added elements to the reserve (the kernel wakes waiters only from mempool_free()'s
#     refill of the reserve);
#   - mempool_alloc(), after prepare_to_wait() and the unlock, tries pool->alloc() once more
#     before sleeping (the waiter adds itself to the queue, then tests the wait condition
#     again: the pattern the commit message gives for waiters, applied to the backing
#     allocator). An element freed before that try is found by it; one freed after it is
#     freed by a free whose wake_up() comes after the waiter joined the queue.
#
# Each FIX is needed: with any one of them taken out, check finds a dangling waiter again
# (test/check/variants.test.ts takes them out one by one). Mainline's later fix for pools
# with min_nr == 0 ("mm: mempool: fix wake-up edge case bug for zero-minimum pools", 2025:
# mempool_free() parks the element in an empty zero-minimum pool and wakes) covers only the
# first case; written into this spec, it still fails: a shrinking mempool_resize() hands its
# surplus to pool->free() without a wake, and a free racing with a resize that grows a
# zero-minimum pool can read the old min_nr in its lockless test.
spec mempool_fixed "Linux kernel mempool after commit 5b990546, with waiters woken by every free"

# ---- parameters: the bounds the checker explores ----------------------------------------

param min_nr in 0..2
  "min_nr of mempool_create(): the number of elements the reserve guarantees. "
  "mempool_create() accepts 0; mempool_resize() needs new_min_nr >= 1."
param threads in 2..3 "Threads that run operations on one pool at the same time."
param ops in 2..3 "Operations each thread runs."
param capacity in 0..2
  "What the backing allocator can still hand out once create has filled the reserve."

# ---- state ------------------------------------------------------------------------------

lock pool.lock "pool->lock: spin_lock_irqsave()/spin_unlock_irqrestore()."

queue pool.wait timeout 5000 ms
  "pool->wait: io_schedule_timeout(5*HZ) sleeps at most five seconds, then retries."

var curr_nr = 0 guarded by pool.lock lockless reads @free.test
  "pool->curr_nr: how many elements the reserve holds. mempool_free() tests it without "
  "the lock."

var min_nr = min_nr guarded by pool.lock lockless reads @free.test
  "pool->min_nr: the size the reserve is kept at. Written by mempool_resize() under the "
  "lock; mempool_free() reads it in the same lockless test as curr_nr."

reserve elements counted by curr_nr guarded by pool.lock
  "pool->elements: the stack add_element() pushes onto and remove_element() pops from."

backing slab limited by capacity
  "pool->alloc / pool->free (alloc_fn, free_fn): the allocator behind the pool. It fails "
  "once `capacity` elements beyond the ones create put in the reserve are out."

ghost allocated = 0
  "Elements the pool has handed out (from the reserve or the backing allocator) and not "
  "taken back."

ghost floor = 0
  "The part of min_nr the pool has actually established. It lags min_nr while a growing "
  "resize runs, and stays behind when that resize cannot get elements (the kernel returns "
  "0 with the reserve short). A grow raises it only to what the reserve itself holds: an "
  "element out at that moment may be on its way back to the backing allocator, by a free "
  "that read min_nr before the grow."

# ---- operations -------------------------------------------------------------------------

op create() -> bool exclusive
  "mempool_create_node(): fill the reserve up to min_nr. Runs before any other thread can "
  "see the pool. Returns false where the kernel returns NULL."
{
  # pool->min_nr = min_nr: the initial value of the variable min_nr.
  # while (pool->curr_nr < pool->min_nr) {
  while curr_nr < min_nr {
    # element = pool->alloc(GFP_KERNEL, pool->pool_data);
    e = alloc_fn()
    # if (unlikely(!element)) { mempool_destroy(pool); return NULL; }
    if e == null {
      # mempool_destroy(): while (pool->curr_nr) { element = remove_element(pool);
      #                                            pool->free(element, pool->pool_data); }
      while curr_nr != 0 {
        d = remove_element()
        free_fn(d)
      }
      return false
    }
    # add_element(pool, element);
    add_element(e)
  }
  ghost floor = min_nr
  return true
}

op destroy() exclusive
  "mempool_destroy(): give every reserved element back to the backing allocator. The "
  "caller guarantees that nobody uses the pool any more."
{
  # From here on nothing is guaranteed: the pool is being torn down.
  ghost floor = 0
  # while (pool->curr_nr) {
  while curr_nr != 0 {
    # void *element = remove_element(pool);
    e = remove_element()
    # pool->free(element, pool->pool_data);
    free_fn(e)
  }
}

op alloc(may_wait: bool) -> elem
  "mempool_alloc(): try the backing allocator, then the reserve; with __GFP_WAIT "
  "(may_wait), sleep on the wait queue until an element comes back, and retry."
{
  # gfp_temp = gfp_mask & ~(__GFP_WAIT|__GFP_IO): the first try may not wait. An empty
  # reserve then sends a waiting caller back once with its full flags (gfp_temp != gfp_mask).
  retry_full = may_wait
  # repeat_alloc:
  loop {
    # element = pool->alloc(gfp_temp, pool->pool_data);
    e = alloc_fn()
    # if (likely(element != NULL)) return element;
    if e != null {
      ghost allocated = allocated + 1
      return e
    }

    # spin_lock_irqsave(&pool->lock, flags);
    lock pool.lock
    # if (likely(pool->curr_nr)) {
    if curr_nr != 0 {
      # element = remove_element(pool);
      ghost allocated = allocated + 1
      e = remove_element() @take
      # spin_unlock_irqrestore(&pool->lock, flags);
      unlock pool.lock @take_unlock
      # /* paired with rmb in mempool_free(), read comment there */
      # smp_wmb();
      wmb @wmb
      return e
    }

    # if (gfp_temp != gfp_mask) { spin_unlock_irqrestore(); gfp_temp = gfp_mask;
    #                             goto repeat_alloc; }
    if retry_full {
      unlock pool.lock
      retry_full = false
      continue
    }

    # /* We must not sleep in the GFP_ATOMIC case */
    # if (!(gfp_mask & __GFP_WAIT)) { spin_unlock_irqrestore(); return NULL; }
    if !may_wait {
      unlock pool.lock
      return null
    }

    # /* Let's wait for someone else to return an element to @pool */
    # prepare_to_wait(&pool->wait, &wait, TASK_UNINTERRUPTIBLE);  (still under pool->lock)
    enqueue pool.wait @join
    # spin_unlock_irqrestore(&pool->lock, flags);
    unlock pool.lock
    # FIX: element = pool->alloc(gfp_temp, pool->pool_data); now that it is on the queue, a
    # free to the backing allocator either came before this try or wakes it.
    e = alloc_fn() @recheck
    # if (element) { finish_wait(&pool->wait, &wait); return element; }
    if e != null {
      dequeue pool.wait
      ghost allocated = allocated + 1
      return e
    }
    # io_schedule_timeout(5*HZ);
    sleep pool.wait @sleep
    # finish_wait(&pool->wait, &wait);
    dequeue pool.wait
    # goto repeat_alloc;
  }
}

op free(e: elem)
  "mempool_free(): refill the reserve if it is short, else give the element back to the "
  "backing allocator. The first test of curr_nr takes no lock."
{
  # if (unlikely(element == NULL)) return;
  if e == null {
    return
  }
  # smp_rmb();  /* paired with the wmb in mempool_alloc() */
  rmb @rmb
  # if (pool->curr_nr < pool->min_nr) {   (lockless: both reads at @test)
  if curr_nr < min_nr @test {
    # spin_lock_irqsave(&pool->lock, flags);
    lock pool.lock @lock
    # if (pool->curr_nr < pool->min_nr) {
    if curr_nr < min_nr {
      # add_element(pool, element);
      add_element(e) @refill
      ghost allocated = allocated - 1
      # spin_unlock_irqrestore(&pool->lock, flags);
      unlock pool.lock @refill_unlock
      # wake_up(&pool->wait);
      wake pool.wait @wake
      # return;
      return
    }
    # spin_unlock_irqrestore(&pool->lock, flags);
    unlock pool.lock
  }
  # pool->free(element, pool->pool_data);
  free_fn(e)
  ghost allocated = allocated - 1
  # FIX: wake_up(&pool->wait);  memory came back, if only to the backing allocator.
  wake pool.wait @wake_backing
}

op resize(new_min_nr: int) -> int
  "mempool_resize(): shrink the reserve to new_min_nr, giving surplus elements back, or "
  "grow min_nr and fill the reserve up to it. Callers pass new_min_nr >= 1 (the kernel "
  "has BUG_ON(new_min_nr <= 0)). Returns 0; kmalloc of the new element array is not "
  "modelled, so the -ENOMEM return cannot happen."
{
  # spin_lock_irqsave(&pool->lock, flags);
  lock pool.lock
  # if (new_min_nr <= pool->min_nr) {
  if new_min_nr <= min_nr {
    # while (new_min_nr < pool->curr_nr) {
    while new_min_nr < curr_nr {
      # Lowered before the element leaves: a concurrent grow may have raised the floor.
      ghost floor = min(floor, new_min_nr)
      # element = remove_element(pool);
      s = remove_element()
      # spin_unlock_irqrestore(&pool->lock, flags);
      unlock pool.lock
      # pool->free(element, pool->pool_data);
      free_fn(s)
      # FIX: wake_up(&pool->wait);  memory came back to the backing allocator.
      wake pool.wait @shrink_wake
      # spin_lock_irqsave(&pool->lock, flags);
      lock pool.lock
    }
    ghost floor = min(floor, new_min_nr)
    # pool->min_nr = new_min_nr;
    min_nr = new_min_nr
    # goto out_unlock;  out_unlock: spin_unlock_irqrestore(); out: return 0;
    unlock pool.lock
    return 0
  }
  # spin_unlock_irqrestore(&pool->lock, flags);
  unlock pool.lock

  # /* Grow the pool */  new_elements = kmalloc(...): not modelled, never fails.

  # spin_lock_irqsave(&pool->lock, flags);
  lock pool.lock
  # if (unlikely(new_min_nr <= pool->min_nr)) {
  if new_min_nr <= min_nr {
    # /* Raced, other resize will do our work */
    # spin_unlock_irqrestore(&pool->lock, flags); kfree(new_elements); goto out;
    unlock pool.lock
    return 0
  }
  # memcpy(new_elements, ...); kfree(pool->elements); pool->elements = new_elements;
  # pool->min_nr = new_min_nr;
  min_nr = new_min_nr

  # while (pool->curr_nr < pool->min_nr) {
  while curr_nr < min_nr {
    # spin_unlock_irqrestore(&pool->lock, flags);
    unlock pool.lock
    # element = pool->alloc(gfp_mask, pool->pool_data);
    g = alloc_fn()
    # if (!element) goto out;   (returns 0 with the reserve short)
    if g == null {
      ghost floor = max(floor, min(min_nr, curr_nr))
      # FIX: wake_up(&pool->wait);  earlier rounds may have refilled the reserve.
      wake pool.wait @grow_wake_short
      return 0
    }
    # spin_lock_irqsave(&pool->lock, flags);
    lock pool.lock
    # if (pool->curr_nr < pool->min_nr) {
    if curr_nr < min_nr {
      # add_element(pool, element);
      add_element(g)
      ghost floor = max(floor, min(min_nr, curr_nr))
    } else {
      # spin_unlock_irqrestore(&pool->lock, flags);
      unlock pool.lock
      # pool->free(element, pool->pool_data);  /* Raced */
      free_fn(g)
      ghost floor = max(floor, min(min_nr, curr_nr))
      # FIX: wake_up(&pool->wait);  the reserve was refilled, and g went back to the allocator.
      wake pool.wait @grow_wake_raced
      # goto out;
      return 0
    }
  }
  # out_unlock: spin_unlock_irqrestore(&pool->lock, flags);
  unlock pool.lock
  # FIX: wake_up(&pool->wait);  the grow refilled the reserve.
  wake pool.wait @grow_wake
  # out: return 0;
  return 0
}

# ---- properties -------------------------------------------------------------------------

invariant reserve_floor
  "Invariant 1 of the commit, pool->curr_nr + #allocated never dips below pool->min_nr, "
  "stated against the part of min_nr the pool has established (see ghost floor)."
  : curr_nr + allocated >= floor

invariant curr_nr_nonnegative "remove_element(): BUG_ON(pool->curr_nr <= 0)."
  : 0 <= curr_nr

invariant curr_nr_at_most_min_nr "add_element(): BUG_ON(pool->curr_nr >= pool->min_nr)."
  : curr_nr <= min_nr

invariant floor_at_most_min_nr "The established part of min_nr is part of min_nr."
  : floor <= min_nr

liveness waiters_woken
  "Invariant 2 of the commit: waiters shouldn't be left dangling. No allocator sleeps on "
  "pool->wait while a retry of its allocation would succeed."
  : no_dangling_waiter on pool.wait

# ---- happens-before edges ---------------------------------------------------------------

edge reserve_handoff
  "mempool_alloc()'s smp_wmb() after taking from the reserve pairs with mempool_free()'s "
  "smp_rmb() before its lockless test, so the curr_nr that free sees is from after the "
  "allocation of the element, even when the element was passed on without barriers."
  : wmb @alloc.wmb -> rmb @free.rmb
  protects curr_nr witness handoff

edge wait_registration
  "The allocator joins pool->wait while it holds pool->lock; a free that refills the "
  "reserve takes pool->lock afterwards, so its wake_up() finds the waiter."
  : lock pool.lock @alloc.join -> @free.wake
  protects pool.wait witness waiter_vs_refill

# ---- scenarios --------------------------------------------------------------------------

scenario handoff
  "The commit's example: one task allocates the last reserved element and passes it "
  "through plain memory; the other frees it. The free must see curr_nr from after the "
  "allocation, or it hands the element to the backing allocator and the reserve stays "
  "empty."
{
  params min_nr = 1, capacity = 0, threads = 2, ops = 2
  shared p = 0
  thread T0 {
    r0 = alloc(false)
    if r0 != 0 {
      WRITE_ONCE(p, 1)
    }
  }
  thread T1 {
    r1 = READ_ONCE(p)
    if r1 != 0 {
      free(r1)
    }
  }
  never T1.r1 == 1 && curr_nr == 0
}

scenario waiter_vs_refill
  "An allocator finds the reserve empty and waits while the only element out comes back. "
  "The free refills the reserve, so it must wake the waiter."
{
  params min_nr = 1, capacity = 0, threads = 2, ops = 2
  start curr_nr = 0, allocated = 1
  thread T0 {
    r0 = alloc(true)
  }
  thread T1 {
    free(1)
  }
  never waiters(pool.wait) == 1 && woken(pool.wait) == 0 && curr_nr == 1
}

scenario reserve_exhausted
  "Two non-waiting allocations from a reserve of one with no backing capacity: exactly "
  "one gets the element and the other gets null."
{
  params min_nr = 1, capacity = 0, threads = 2, ops = 2
  thread T0 {
    r0 = alloc(false)
  }
  thread T1 {
    r1 = alloc(false)
  }
  never (T0.r0 == 0 && T1.r1 == 0) || (T0.r0 != 0 && T1.r1 != 0)
}

scenario shrink_vs_free
  "A shrink to one element races with a free that could refill the reserve: the reserve "
  "never ends above the new min_nr."
{
  params min_nr = 2, capacity = 0, threads = 2, ops = 2
  start curr_nr = 1, allocated = 1
  thread T0 {
    r0 = resize(1)
  }
  thread T1 {
    free(1)
  }
  never curr_nr == 2
}
