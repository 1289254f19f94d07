// SCAN cursors over JS Maps and Sets: the keyspace now, HSCAN/SSCAN/ZSCAN later. A cursor
// names a parked iterator, because a Map has no buckets to address with Redis's reverse-binary
// cursor. Guarantee: an element present for a whole iteration is returned at least once,
// whatever is added or removed in between; a reused or unknown cursor restarts from the start.
//
// Why parked iterators: Map/Set iterators walk insertion order, survive inserts and deletes,
// and reach entries added after them. So one iterator visits every element that stays present.
// The other option, an insertion-sequence index per key, costs memory and work on every write
// (the SET hot path). Parked iterators cost nothing unless a scan is in progress.
//
// - Each call consumes its cursor. If elements remain, the iterator is parked again under a
//   new id. A client that retries a cursor, or sends one that was evicted, from another
//   collection or from before a restart, gets a fresh iteration: duplicates, never misses.
// - At most `maxCursors` iterators are parked; the oldest is evicted first.
// - V8 keeps every hash table a parked iterator has not yet moved past: a Map that is rehashed
//   again and again under an abandoned cursor would pin each old table (measured: 440 MB
//   after ten grow/shrink cycles of 300k keys). `maintain()` runs from the server cron. When
//   enough writes happened for a rehash, it moves each parked iterator on by one element into
//   a pending buffer, which releases the old tables. It drops cursors whose collection was
//   replaced or deleted, and cursors parked for so long that their buffer filled up.

/** A collection SCAN can walk: Map (keys) or Set. */
export interface Scannable<K> {
  readonly size: number;
  keys(): IterableIterator<K>;
  has(key: K): boolean;
}

interface Parked {
  coll: Scannable<unknown>;
  /** null once exhausted. */
  iter: Iterator<unknown> | null;
  /** Elements taken from `iter` but not yet returned (from `pos` on). */
  pending: unknown[];
  pos: number;
  /** Still the collection a new scan of the same thing would walk? */
  live: () => boolean;
  /** Change counter when `iter` last moved. */
  changesAt: number;
}

/** Cursors parked at once, beyond which the oldest is dropped. */
const MAX_CURSORS = 1024;
/** Elements buffered by `maintain` before a long-abandoned cursor is dropped. */
const MAX_PENDING = 1024;
const EMPTY: unknown[] = [];

/** The parked iterators of one server. */
export class ScanCursors {
  #parked = new Map<number, Parked>();
  #nextId = 1;
  #changes = 0;

  constructor(readonly maxCursors: number = MAX_CURSORS) {}

  /** Number of parked cursors. */
  get size(): number {
    return this.#parked.size;
  }

  /**
   * One SCAN step: calls `visit` for up to `count` elements of `coll` that are still present,
   * continuing where `cursor` stopped (0, or an unknown cursor, starts from the beginning).
   * `visit` may delete the element it is given (lazy expiry).
   * @param live tells later whether a parked cursor still refers to the current collection
   * @returns the cursor to continue with, 0 when the iteration is complete
   */
  step<K>(
    cursor: number,
    coll: Scannable<K>,
    count: number,
    visit: (element: K) => void,
    live: () => boolean,
  ): number {
    let p: Parked | undefined;
    if (cursor > 0) {
      p = this.#parked.get(cursor);
      if (p !== undefined && p.coll === coll) this.#parked.delete(cursor);
      else p = undefined;
    }
    let iter: Iterator<unknown> | null;
    let pending: unknown[];
    let pos: number;
    if (p === undefined) {
      iter = coll.keys();
      pending = EMPTY;
      pos = 0;
    } else {
      iter = p.iter;
      pending = p.pending;
      pos = p.pos;
    }
    let n = 0;
    while (n < count) {
      let k: K;
      if (pos < pending.length) {
        k = pending[pos++] as K;
        if (!coll.has(k)) continue;
      } else {
        if (iter === null) break;
        const r = iter.next();
        if (r.done) {
          iter = null;
          break;
        }
        k = r.value as K;
      }
      visit(k);
      n++;
    }
    // Look one element ahead so a scan that just finished replies cursor 0 now, as Redis does
    // when the whole collection fits in one call.
    if (pos >= pending.length) {
      pending = EMPTY;
      pos = 0;
      if (iter !== null) {
        const r = iter.next();
        if (r.done) iter = null;
        else pending = [r.value];
      }
    }
    if (iter === null && pos >= pending.length) return 0;
    const id = this.#nextId++;
    if (p === undefined) {
      p = { coll, iter, pending, pos, live, changesAt: this.#changes };
    } else {
      p.iter = iter;
      p.pending = pending;
      p.pos = pos;
      p.changesAt = this.#changes;
    }
    this.#parked.set(id, p);
    if (this.#parked.size > this.maxCursors) {
      for (const oldest of this.#parked.keys()) {
        this.#parked.delete(oldest);
        break;
      }
    }
    return id;
  }

  /**
   * Periodic upkeep (see the module comment).
   * @param changes a counter of writes (Keyspace.dirty); a decrease (after a save) counts as change
   */
  maintain(changes: number): void {
    this.#changes = changes;
    if (this.#parked.size === 0) return;
    for (const [id, p] of this.#parked) {
      if (!p.live()) {
        this.#parked.delete(id);
        continue;
      }
      const since = changes >= p.changesAt ? changes - p.changesAt : Infinity;
      // A Map rehashes after writes in proportion to its size: move on before that can pile up.
      if (p.iter === null || since < Math.max(64, p.coll.size >> 2)) continue;
      p.changesAt = changes;
      const r = p.iter.next();
      if (r.done) {
        p.iter = null;
        continue;
      }
      if (p.pos > 0) {
        p.pending = p.pending.slice(p.pos);
        p.pos = 0;
      } else if (p.pending === EMPTY) {
        p.pending = [];
      }
      p.pending.push(r.value);
      if (p.pending.length > MAX_PENDING) this.#parked.delete(id);
    }
  }

  /** Drops every parked cursor. */
  clear(): void {
    this.#parked.clear();
  }
}

/**
 * Parses a SCAN cursor as Redis does (strtoul base 10: optional sign, digits, nothing else,
 * no leading space, at most 2^64-1; "" is 0).
 * @returns the cursor, -1 for a valid cursor too large to be one of ours, null when invalid
 */
export function parseCursor(s: string): number | null {
  const n = s.length;
  if (n === 0) return 0;
  let i = 0;
  let neg = false;
  const c0 = s.charCodeAt(0);
  if (c0 === 43 || c0 === 45) {
    neg = c0 === 45;
    i = 1;
  }
  if (i === n) return null;
  let v = 0;
  let digits = 0;
  for (; i < n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return null;
    if (digits > 0 || d > 0) digits++;
    v = v * 10 + d;
  }
  if (digits > 20) return null;
  if (digits === 20) {
    const sig = s.slice(n - 20);
    if (sig > "18446744073709551615") return null; // ERANGE
  }
  if (v === 0) return 0;
  return neg || v > Number.MAX_SAFE_INTEGER ? -1 : v;
}
