// Memory accounting behind used_memory and maxmemory. Keys and values are counted in Redis's
// own units, the figures MEMORY USAGE replies (byte for byte Redis's), so that the same
// maxmemory holds about as many keys here as in Redis. Strings are counted eagerly on every
// write (their size follows from their length); aggregates changed in place are re-measured,
// sampled like MEMORY USAGE, when the figure is next read (see `refreshDb`).

import type { Database, RedisValue } from "./database.ts";
import { DICT_ENTRY, ROBJ, sdsAlloc } from "../util/memory.ts";

/** The last measured size of each aggregate value (the part of `Database.memBytes` it owns). */
const measured = new WeakMap<object, number>();
/** Lists longer than this are re-measured exactly only when their length doubles or halves. */
const BIG_LIST = 4096;
/** A big list's length at its last exact measure. */
const measuredLen = new WeakMap<object, number>();
/** Elements MEMORY USAGE samples by default (and so does the accounting). */
export const DEFAULT_SAMPLES = 5;

/**
 * True when SET would store `v` with the int encoding (a string2ll-clean integer of at most 20
 * characters). Cheap rejection first: most values do not start with a digit or '-'.
 */
export function isIntEncodable(v: string): boolean {
  const n = v.length;
  if (n === 0 || n > 20) return false;
  const c = v.charCodeAt(0);
  if (c === 48) return n === 1;
  let i = 0;
  if (c === 45) {
    if (n === 1 || v.charCodeAt(1) === 48) return false;
    i = 1;
  }
  for (; i < n; i++) {
    const d = v.charCodeAt(i);
    if (d < 48 || d > 57) return false;
  }
  if (n < 19) return true;
  // 19-20 characters: compare with the int64 bounds.
  const neg = c === 45;
  const digits = neg ? v.slice(1) : v;
  if (digits.length < 19) return true;
  if (digits.length > 19) return false;
  return digits <= (neg ? "9223372036854775808" : "9223372036854775807");
}

/**
 * Bytes Redis allocates for a string value (object.c): int encoding is a bare robj, embstr
 * puts the robj and an sdshdr8 in one allocation, raw has a separate sds.
 * @param raw the key is marked raw (APPEND, SETRANGE ...: Database.rawStrings)
 */
export function stringBytes(v: string, raw: boolean): number {
  const n = v.length;
  if (!raw) {
    if (n <= 20 && isIntEncodable(v)) return ROBJ;
    if (n <= 44) return (ROBJ + 3 + n + 1 + 15) & ~15;
  }
  return ROBJ + sdsAlloc(n, 3);
}

/** Bytes of a key that do not depend on its value: the key's sds and the dict entry. */
export function keyBytes(key: string): number {
  return sdsAlloc(key.length) + DICT_ENTRY;
}

/** Measures an aggregate value now (MEMORY USAGE's estimate) and records it. */
function measureObject(v: object): number {
  const m = v as { type?: string; length?: number; memoryUsage?: (samples: number) => number };
  let bytes: number;
  if (m.type === "list" && m.length! > BIG_LIST) {
    // List.memoryUsage walks every element to pack nodes: scale the last exact measure while
    // the length stays within a factor of two of the one it was taken at.
    const len = m.length!;
    const at = measuredLen.get(v);
    const prev = measured.get(v);
    if (at !== undefined && prev !== undefined && len <= at * 2 && len * 2 >= at) {
      bytes = Math.round((prev * len) / at);
    } else {
      bytes = m.memoryUsage!(DEFAULT_SAMPLES);
      measuredLen.set(v, len);
    }
  } else {
    bytes = m.memoryUsage ? m.memoryUsage(DEFAULT_SAMPLES) : ROBJ;
  }
  measured.set(v, bytes);
  return bytes;
}

/**
 * Bytes a value is counted for now: strings from their length, aggregates measured when first
 * seen and then as last measured.
 */
export function valueBytes(v: RedisValue, raw: boolean): number {
  if (typeof v === "string") return stringBytes(v, raw);
  return measured.get(v) ?? measureObject(v);
}

/** Bytes a new value adds: measures aggregates afresh (they may be reused objects). */
export function newValueBytes(v: RedisValue): number {
  return typeof v === "string" ? stringBytes(v, false) : measureObject(v);
}

/**
 * Brings `db.memBytes` up to date: re-measures aggregates changed in place, and recounts the
 * whole db when keys were added without accounting (a bulk load writes `data` directly).
 */
export function refreshDb(db: Database): void {
  if (db.memKeys !== db.data.size) {
    recountDb(db);
    return;
  }
  const stale = db.memStale;
  if (stale.size === 0) return;
  const data = db.data;
  for (const key of stale) {
    const v = data.get(key);
    if (v === undefined || typeof v === "string") continue;
    const before = measured.get(v) ?? 0;
    db.memBytes += measureObject(v) - before;
  }
  stale.clear();
}

/** Recounts every key of `db` (after a load, or when the books do not balance). O(N). */
export function recountDb(db: Database): void {
  let bytes = 0;
  const raw = db.rawStrings;
  for (const [k, v] of db.data) {
    bytes += keyBytes(k) +
      (typeof v === "string" ? stringBytes(v, raw.size !== 0 && raw.has(k)) : measureObject(v));
  }
  db.memBytes = bytes;
  db.memKeys = db.data.size;
  db.memStale.clear();
}

/** Redis's dict table size for `n` entries: the next power of two, at least 4; 0 when empty. */
function slots(n: number): number {
  if (n === 0) return 0;
  return n <= 4 ? 4 : 2 ** (32 - Math.clz32(n - 1));
}

// jemalloc serves a 24-byte dictEntry from its 32-byte class: MEMORY USAGE counts 24 per key
// (sizeof), used_memory counts the allocation.
const ENTRY_SLACK = 8;
const EXPIRE_ENTRY = DICT_ENTRY + ENTRY_SLACK;

/** Total bytes of every db (dataset plus table overheads), refreshed first. */
export function keyspaceBytes(dbs: readonly Database[]): number {
  let total = 0;
  for (let i = 0; i < dbs.length; i++) {
    const db = dbs[i];
    if (db.memKeys === 0 && db.data.size === 0) continue;
    refreshDb(db);
    const e = db.expires.size;
    const n = db.data.size;
    total += db.memBytes + 8 * slots(n) + ENTRY_SLACK * n +
      (e === 0 ? 0 : e * EXPIRE_ENTRY + 8 * slots(e));
  }
  return total;
}
