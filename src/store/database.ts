// One logical database: `data` maps key → value, `expires` maps key → absolute unix ms for keys
// that have a TTL (kept apart so active expiry samples only keys that can expire, as db.c
// does). Every read goes through `lookup*` (lazy expiry); every write goes through `set` /
// `delete` / `modified`, which bump the dirty counter, touch WATCHers and signal blocked
// clients via the owning Keyspace. String values are stored as bare one-byte JS strings (no
// wrapper object: measured 40 B/key cheaper); other types are objects with a `type` field.

import { ReplyError, WRONGTYPE } from "../errors.ts";
import { type AccessClocks, initAccess, touchKey } from "./evict.ts";
import type { Keyspace } from "./keyspace.ts";
import { keyBytes, newValueBytes, stringBytes, valueBytes } from "./memory.ts";

/** Non-string values (lists, hashes, sets, sorted sets, streams) implement this. */
export interface ObjectValue {
  readonly type: "list" | "hash" | "set" | "zset" | "stream";
  /** OBJECT ENCODING name (listpack, quicklist, hashtable ...). */
  encoding(): string;
  /** True when the value is empty and the key must be removed (streams stay). */
  isEmpty(): boolean;
  /** A deep copy sharing no mutable state with this value (COPY). */
  clone?(): ObjectValue;
}

/** A stored value: a byte string, or an ObjectValue. */
export type RedisValue = string | ObjectValue;

/** TYPE's name for a value. */
export function typeOf(v: RedisValue): string {
  return typeof v === "string" ? "string" : v.type;
}

/** One of the numbered logical databases. */
export class Database {
  data = new Map<string, RedisValue>();
  expires = new Map<string, number>();
  /** Average TTL estimate for INFO keyspace (avg_ttl), updated by active expiry. */
  avgTtl = 0;
  /**
   * Keys whose string value Redis would hold with the "raw" encoding although SET would pick
   * int or embstr: the result of APPEND to an existing key, SETRANGE, SETBIT, BITFIELD, BITOP
   * (they write through dbUnshareStringValue or createObject). Only OBJECT ENCODING/REFCOUNT
   * read it. `set`, `add` and `delete` clear the mark, so writers call `markRaw` after `set`.
   */
  rawStrings = new Set<string>();
  /**
   * Access clock per key (LRU seconds or LFU counter and minutes) for OBJECT IDLETIME/FREQ and
   * the LRU/LFU policies; null while nothing needs access times. See store/evict.ts for why it
   * is a parallel table and when it exists.
   */
  access: AccessClocks | null = null;
  /** Bytes of keys and values in Redis's units, kept on every write (store/memory.ts). */
  memBytes = 0;
  /** Keys `memBytes` covers; differs from data.size after a load that wrote `data` directly. */
  memKeys = 0;
  /** Keys whose aggregate value changed in place since it was last measured. */
  memStale = new Set<string>();
  // RANDOMKEY's iterator and the Map it walks (`data` is replaced by FLUSHDB and SWAPDB).
  #sampler: MapIterator<string> | null = null;
  #sampled: Map<string, RedisValue> | null = null;

  constructor(readonly id: number, readonly keyspace: Keyspace) {}

  /** Number of keys, including logically expired ones not yet reclaimed (as DBSIZE). */
  get size(): number {
    return this.data.size;
  }

  /**
   * The value at `key`, expiring it lazily first.
   * @returns the value or undefined
   */
  lookup(key: string): RedisValue | undefined {
    if (this.expires.size !== 0 && this.#expireIfNeeded(key)) return undefined;
    const v = this.data.get(key);
    if (this.access !== null && v !== undefined) touchKey(this, key);
    return v;
  }

  /**
   * `lookup` without counting as an access for LRU/LFU (Redis's LOOKUP_NOTOUCH: EXISTS, TYPE,
   * the TTL family, OBJECT).
   * @returns the value or undefined
   */
  peek(key: string): RedisValue | undefined {
    if (this.expires.size !== 0 && this.#expireIfNeeded(key)) return undefined;
    return this.data.get(key);
  }

  /**
   * `lookup` for reads (Redis lookupKeyRead): also counts keyspace hits and misses, and fires
   * `keymiss` unless `notify` is false (OBJECT); `touch` false is LOOKUP_NOTOUCH (see `peek`).
   * @returns the value or undefined
   */
  lookupRead(key: string, notify = true, touch = true): RedisValue | undefined {
    const v = touch ? this.lookup(key) : this.peek(key);
    const ks = this.keyspace;
    if (v !== undefined) {
      ks.stats.keyspaceHits++;
    } else {
      ks.stats.keyspaceMisses++;
      if (notify) ks.hooks.notify("m", "keymiss", key, this.id);
    }
    return v;
  }

  /**
   * A pseudo-random key, possibly logically expired; undefined when the db is empty.
   * A Map has no random access, so this keeps one iterator per db and moves it on by a random
   * 1..64 entries per call, wrapping around: O(1) amortised. Over up to 64 keys the pick is
   * uniform; beyond that, successive picks walk the keyspace in random strides.
   */
  sampleKey(): string | undefined {
    const data = this.data;
    if (data.size === 0) return undefined;
    let it = this.#sampler;
    if (it === null || this.#sampled !== data) {
      it = data.keys();
      this.#sampled = data;
    }
    let skip = Math.floor(Math.random() * Math.min(data.size, 64));
    for (;;) {
      const r = it.next();
      if (r.done) {
        it = data.keys();
        continue;
      }
      if (skip-- === 0) {
        this.#sampler = it;
        return r.value;
      }
    }
  }

  /**
   * Moves the RANDOMKEY iterator on by one key, so that it does not keep alive the hash tables
   * V8 replaced since (see store/scan.ts). Called periodically.
   */
  refreshSampler(): void {
    const it = this.#sampler;
    if (it === null) return;
    if (this.#sampled !== this.data || it.next().done) {
      this.#sampler = null;
      this.#sampled = null;
    }
  }

  /** Marks the string at `key` as "raw"-encoded (see `rawStrings`); call after `set`. */
  markRaw(key: string): void {
    const raw = this.rawStrings;
    if (raw.size !== 0 && raw.has(key)) return;
    raw.add(key);
    const v = this.data.get(key);
    if (typeof v === "string") this.memBytes += stringBytes(v, true) - stringBytes(v, false);
  }

  /** The string at `key`, or undefined; throws WRONGTYPE for other types. */
  getString(key: string): string | undefined {
    const v = this.lookup(key);
    if (v === undefined || typeof v === "string") return v;
    throw new ReplyError(WRONGTYPE);
  }

  /** The object of `type` at `key`, or undefined; throws WRONGTYPE for other types. */
  getObject<T extends ObjectValue>(key: string, type: ObjectValue["type"]): T | undefined {
    const v = this.lookup(key);
    if (v === undefined) return undefined;
    if (typeof v === "string" || v.type !== type) throw new ReplyError(WRONGTYPE);
    return v as T;
  }

  /**
   * The object of `type` at `key` for a read command (lookupKeyRead: counts keyspace hits and
   * misses), or undefined; throws WRONGTYPE for other types.
   */
  readObject<T extends ObjectValue>(key: string, type: ObjectValue["type"]): T | undefined {
    const v = this.lookupRead(key);
    if (v === undefined) return undefined;
    if (typeof v === "string" || v.type !== type) throw new ReplyError(WRONGTYPE);
    return v as T;
  }

  /** True when `key` exists (after lazy expiry). */
  has(key: string): boolean {
    return this.lookup(key) !== undefined;
  }

  /**
   * Stores `value` at `key`. Drops any TTL unless `keepTtl`. Signals the modification.
   */
  set(key: string, value: RedisValue, keepTtl = false): void {
    const data = this.data;
    const old = data.get(key);
    data.set(key, value);
    if (old === undefined) {
      this.memKeys++;
      this.memBytes += keyBytes(key) + newValueBytes(value);
      if (this.access !== null) initAccess(this, key, value);
      if (this.keyspace.notifyNew) this.keyspace.hooks.notify("n", "new", key, this.id);
    } else {
      const raw = this.rawStrings.size !== 0 && this.rawStrings.delete(key);
      this.memBytes += newValueBytes(value) - valueBytes(old, raw);
      // Overwriting keeps the LFU counter (dbSetValue) but is an access for LRU.
      if (this.access !== null) touchKey(this, key, true);
    }
    if (!keepTtl && this.expires.size !== 0) this.expires.delete(key);
    this.keyspace.modified(this, key);
    this.keyspace.keyRemoved(this, key);
  }

  /** Adds a brand-new key (caller checked it is absent) and signals it. */
  add(key: string, value: RedisValue): void {
    this.data.set(key, value);
    this.memKeys++;
    this.memBytes += keyBytes(key) + newValueBytes(value);
    if (this.access !== null) initAccess(this, key, value);
    if (this.keyspace.notifyNew) this.keyspace.hooks.notify("n", "new", key, this.id);
    if (this.rawStrings.size !== 0) this.rawStrings.delete(key);
    this.keyspace.modified(this, key);
    this.keyspace.keyAdded(this, key);
  }

  /**
   * Removes `key` and its TTL.
   * @returns true when a key was removed
   */
  delete(key: string): boolean {
    if (this.drop(key) === undefined) return false;
    this.keyspace.modified(this, key);
    this.keyspace.keyRemoved(this, key);
    return true;
  }

  /**
   * Removes `key` with its TTL, marks and accounting, without signalling anything (expiry and
   * eviction signal on their own terms).
   * @returns the removed value, or undefined when there was none
   */
  drop(key: string): RedisValue | undefined {
    const data = this.data;
    const old = data.get(key);
    if (old === undefined) return undefined;
    data.delete(key);
    if (this.expires.size !== 0) this.expires.delete(key);
    const raw = this.rawStrings.size !== 0 && this.rawStrings.delete(key);
    this.memKeys--;
    this.memBytes -= keyBytes(key) + valueBytes(old, raw);
    if (this.access !== null) this.access.delete(key);
    return old;
  }

  /**
   * Call after changing an object value in place: deletes it when it became empty and
   * signals the modification.
   */
  modified(key: string, value: ObjectValue): void {
    if (value.isEmpty()) this.delete(key);
    else {
      this.keyspace.modified(this, key);
      this.memStale.add(key);
    }
  }

  /**
   * Wakes clients blocked on `key` (after a push to a list, a ZADD, an XADD): they are served
   * after the current command. A no-op when nobody waits on the key.
   */
  signalReady(key: string): void {
    this.keyspace.keyAdded(this, key);
  }

  /** Sets an absolute expiry (unix ms) on an existing key. */
  setExpire(key: string, at: number): void {
    this.expires.set(key, at);
  }

  /** The absolute expiry of `key` in unix ms, or undefined. */
  getExpire(key: string): number | undefined {
    return this.expires.size === 0 ? undefined : this.expires.get(key);
  }

  /** Removes the TTL of `key`; true when it had one. */
  persist(key: string): boolean {
    return this.expires.delete(key);
  }

  /** Removes every key; returns how many there were. */
  clear(): number {
    const n = this.data.size;
    this.data = new Map();
    this.expires = new Map();
    this.rawStrings = new Set();
    this.avgTtl = 0;
    this.memBytes = 0;
    this.memKeys = 0;
    this.memStale = new Set();
    if (this.access !== null) this.access.clear();
    return n;
  }

  /**
   * True when `key` is logically expired. On a master this deletes it (propagating DEL and
   * firing the `expired` event); a replica only hides it and waits for the master's DEL.
   */
  #expireIfNeeded(key: string): boolean {
    const at = this.expires.get(key);
    if (at === undefined) return false;
    const ks = this.keyspace;
    if (at > ks.now() || ks.loading) return false;
    if (ks.isReplica()) return true;
    if (ks.expirePaused) return true;
    ks.expireKey(this, key);
    return true;
  }

  /** True when the key has a TTL that is already in the past (without deleting it). */
  isLogicallyExpired(key: string): boolean {
    const at = this.expires.get(key);
    return at !== undefined && at <= this.keyspace.now();
  }
}
