// The set value (t_set.c's data side). While every member is an integer that fits 64 bits and
// there are at most set-max-intset-entries of them, Redis 7.0 keeps an intset: a sorted array,
// so SMEMBERS and friends reply in ascending order; we keep the same sorted array. Otherwise
// (for good: Redis never converts back) members live in a JS Set, plus an array snapshot for
// O(1) random picks (SPOP, SRANDMEMBER) that SADD and SPOP keep current and SREM drops.

import type { ObjectValue } from "../database.ts";
import { parseI64 } from "../../util/numbers.ts";
import { DICT, DICT_ENTRY, dictSize, jemallocSize, ROBJ, sdsAlloc, shrunk } from "./hash.ts";

/** An intset element: a number when it is a safe integer, else a bigint (as parseI64). */
type Int = number | bigint;

/** A Redis set. */
export class SetValue implements ObjectValue {
  readonly type = "set" as const;
  /** Sorted members while intset-encoded, else null. */
  #ints: Int[] | null;
  /** Bytes per intset element (2, 4 or 8): it only grows, as intsetUpgradeAndAdd. */
  #width = 2;
  /** Members once hashtable-encoded, else null. */
  #set: Set<string> | null;
  /** Array of the hashtable's members for random access, or null until needed. */
  #members: string[] | null = null;
  /** Buckets of the dict Redis would hold (MEMORY USAGE). */
  #slots = 0;

  /** An empty set, intset-encoded as createIntsetObject. */
  constructor() {
    this.#ints = [];
    this.#set = null;
  }

  /** Number of members. */
  get size(): number {
    return this.#ints !== null ? this.#ints.length : this.#set!.size;
  }

  /** True while intset-encoded (members iterate in ascending order). */
  get isIntset(): boolean {
    return this.#ints !== null;
  }

  encoding(): string {
    return this.#ints !== null ? "intset" : "hashtable";
  }

  isEmpty(): boolean {
    return this.size === 0;
  }

  /** True when `member` is in the set. */
  has(member: string): boolean {
    const ints = this.#ints;
    if (ints === null) return this.#set!.has(member);
    const v = parseI64(member);
    return v !== null && search(ints, v) >= 0;
  }

  /**
   * Adds `member` as setTypeAdd: a non-integer converts an intset to a hashtable first, an
   * intset longer than `maxIntset` converts after.
   * @returns true when it was not a member yet
   */
  add(member: string, maxIntset: number): boolean {
    const ints = this.#ints;
    if (ints !== null) {
      const v = parseI64(member);
      if (v !== null) {
        const at = search(ints, v);
        if (at >= 0) return false;
        ints.splice(-at - 1, 0, v);
        const w = intWidth(v);
        if (w > this.#width) this.#width = w;
        if (ints.length > maxIntset) this.#convert();
        return true;
      }
      this.#convert();
    }
    const set = this.#set!;
    const n = set.size;
    set.add(member);
    if (set.size === n) return false;
    if (n >= this.#slots) this.#slots = dictSize(n + 1);
    if (this.#members !== null) this.#members.push(member);
    return true;
  }

  /**
   * Removes `member`.
   * @returns true when it was a member
   */
  delete(member: string): boolean {
    const ints = this.#ints;
    if (ints !== null) {
      const v = parseI64(member);
      if (v === null) return false;
      const at = search(ints, v);
      if (at < 0) return false;
      ints.splice(at, 1);
      return true;
    }
    if (!this.#set!.delete(member)) return false;
    this.#members = null;
    this.#slots = shrunk(this.#slots, this.#set!.size);
    return true;
  }

  /** A random member (the set must not be empty). */
  random(): string {
    const ints = this.#ints;
    if (ints !== null) return String(ints[Math.floor(Math.random() * ints.length)]);
    const members = this.#snapshot();
    return members[Math.floor(Math.random() * members.length)];
  }

  /** Removes and returns a random member (the set must not be empty). */
  pop(): string {
    const ints = this.#ints;
    if (ints !== null) {
      const at = Math.floor(Math.random() * ints.length);
      const v = ints[at];
      ints.splice(at, 1);
      return String(v);
    }
    const members = this.#snapshot();
    const at = Math.floor(Math.random() * members.length);
    const m = members[at];
    members[at] = members[members.length - 1];
    members.pop();
    this.#set!.delete(m);
    this.#slots = shrunk(this.#slots, members.length);
    return m;
  }

  /** The members as a new array, in iteration order (ascending while an intset). */
  toArray(): string[] {
    const ints = this.#ints;
    if (ints === null) return [...this.#set!];
    const out = new Array<string>(ints.length);
    for (let i = 0; i < ints.length; i++) out[i] = String(ints[i]);
    return out;
  }

  /** Calls `fn` for every member in iteration order; stops early when it returns false. */
  forEach(fn: (member: string) => boolean | void): void {
    const ints = this.#ints;
    if (ints !== null) {
      for (let i = 0; i < ints.length; i++) if (fn(String(ints[i])) === false) return;
      return;
    }
    for (const m of this.#set!) if (fn(m) === false) return;
  }

  /** The JS Set a SSCAN cursor walks, or null while intset-encoded (scanned in one call). */
  scanTarget(): Set<string> | null {
    return this.#set;
  }

  clone(): SetValue {
    const c = new SetValue();
    if (this.#ints !== null) {
      c.#ints = this.#ints.slice();
      c.#width = this.#width;
    } else {
      c.#ints = null;
      c.#set = new Set(this.#set);
      c.#slots = this.#slots;
    }
    return c;
  }

  /**
   * Bytes Redis would use (objectComputeSize): the robj plus the intset, or the dict with its
   * buckets and, averaged over `samples` members, each member's sds and entry.
   */
  memoryUsage(samples: number): number {
    const ints = this.#ints;
    if (ints !== null) return ROBJ + jemallocSize(8 + this.#width * ints.length);
    const set = this.#set!;
    let size = ROBJ + DICT + 8 * this.#slots;
    let sum = 0;
    let n = 0;
    for (const m of set) {
      if (n >= samples) break;
      sum += sdsAlloc(m.length) + DICT_ENTRY;
      n++;
    }
    if (n > 0) size += (sum / n) * set.size;
    return Math.round(size);
  }

  // setTypeConvert: the dict is created with room for the intset's members.
  #convert(): void {
    const ints = this.#ints!;
    const set = new Set<string>();
    for (let i = 0; i < ints.length; i++) set.add(String(ints[i]));
    this.#set = set;
    this.#ints = null;
    this.#slots = dictSize(ints.length);
  }

  #snapshot(): string[] {
    let members = this.#members;
    if (members === null) this.#members = members = [...this.#set!];
    return members;
  }
}

/** Binary search: the index of `v`, or -(insertion point) - 1. */
function search(ints: Int[], v: Int): number {
  let lo = 0;
  let hi = ints.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const x = ints[mid];
    if (x < v) lo = mid + 1;
    else if (x > v) hi = mid - 1;
    else return mid;
  }
  return -lo - 1;
}

/** Bytes intset needs per element for `v` (_intsetValueEncoding). */
function intWidth(v: Int): number {
  if (v >= -32768 && v <= 32767) return 2;
  if (v >= -2147483648 && v <= 2147483647) return 4;
  return 8;
}
