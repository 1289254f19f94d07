// A per-database cache of decoded forms of string values (bitmap ropes, HLL byte buffers), so
// commands that rewrite a large string need not decode it on every call. An entry is used only
// while its key holds the exact string it decodes (`===`: by pointer for the same string, by
// content otherwise), so it can never serve a different value.

import type { Database } from "../store/database.ts";

interface Entry<T> {
  value: string;
  data: T;
}

/**
 * Decoded data per (database, key), valid while the key holds the string it was made from. At
 * most `maxPerDb` keys per database; stale entries are dropped when found or when one is added.
 */
export class ValueCache<T> {
  #dbs = new WeakMap<Database, Map<string, Entry<T>>>();

  constructor(readonly maxPerDb: number) {}

  /**
   * The data cached for `key` if it was decoded from `value`; a stale entry is dropped.
   * @returns the data or undefined
   */
  get(db: Database, key: string, value: string): T | undefined {
    const m = this.#dbs.get(db);
    if (m === undefined) return undefined;
    const e = m.get(key);
    if (e === undefined) return undefined;
    if (e.value.length !== value.length || e.value !== value) {
      m.delete(key);
      return undefined;
    }
    return e.data;
  }

  /** Records `data` as the decoded form of `value`, the string now stored at `key`. */
  set(db: Database, key: string, value: string, data: T): void {
    let m = this.#dbs.get(db);
    if (m === undefined) {
      m = new Map();
      this.#dbs.set(db, m);
    }
    const e = m.get(key);
    if (e !== undefined) {
      e.value = value;
      e.data = data;
      return;
    }
    // A new entry first drops the entries of keys deleted or rewritten since (so that their
    // data is not kept alive), then, if still full, the oldest entry.
    for (const [k, old] of m) {
      const cur = db.data.get(k);
      if (typeof cur !== "string" || cur.length !== old.value.length || cur !== old.value) {
        m.delete(k);
      }
    }
    if (m.size >= this.maxPerDb) m.delete(m.keys().next().value!);
    m.set(key, { value, data });
  }

  /** Forgets `key` (its decoded data was changed without storing the result). */
  delete(db: Database, key: string): void {
    this.#dbs.get(db)?.delete(key);
  }
}
