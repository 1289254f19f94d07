// The list value (t_list.c's data side): a growable ring buffer of byte strings, so pushes and
// pops at both ends are O(1) amortised and access by index is O(1); inserts and removals in
// the middle shift the shorter side. Redis 7.0 always reports the "quicklist" encoding (small
// lists are one listpack node; 7.2 introduced a plain listpack); MEMORY USAGE models its
// nodes, packed as quicklist.c does under the list-max-listpack-size captured at creation.

import type { ObjectValue } from "../database.ts";
import { parseI64 } from "../../util/numbers.ts";
import { jemallocSize, ROBJ } from "./hash.ts";

/** The head (LEFT) end of a list. */
export const HEAD = 0;
/** The tail (RIGHT) end of a list. */
export const TAIL = 1;
/** A list end: HEAD or TAIL. */
export type End = typeof HEAD | typeof TAIL;

const MIN_CAPACITY = 8;
/** sizeof(quicklist) in Redis 7.0. */
const QUICKLIST = 40;
/** sizeof(quicklistNode) in Redis 7.0 (its `sz` became a size_t). */
const QUICKLIST_NODE = 40;
/** Listpack header (total bytes, element count) plus its end byte. */
const LP_EMPTY = 7;
/** quicklist.c's SIZE_SAFETY_LIMIT, SIZE_ESTIMATE_OVERHEAD and optimization_level (fill -1..-5). */
const SIZE_SAFETY_LIMIT = 8192;
const SIZE_ESTIMATE_OVERHEAD = 8;
const OPTIMIZATION_LEVEL = [4096, 8192, 16384, 32768, 65536];

/** A Redis list. */
export class ListValue implements ObjectValue {
  readonly type = "list" as const;
  /**
   * list-max-listpack-size when the list was created (quicklistSetOptions), clamped to what
   * quicklist accepts; later CONFIG SETs do not change existing lists, as in Redis.
   */
  readonly fill: number;
  // Slots hold the elements from #head on, wrapping around; free slots hold undefined. The
  // array is built by push so V8 keeps it in fast (non-dictionary) mode at any size.
  #buf: (string | undefined)[];
  #mask: number;
  #head = 0;
  #len = 0;

  /** An empty list; `fill` is list-max-listpack-size. */
  constructor(fill = -2) {
    this.fill = fill < -5 ? -5 : fill > 32767 ? 32767 : fill;
    this.#buf = slots(MIN_CAPACITY);
    this.#mask = MIN_CAPACITY - 1;
  }

  /**
   * A list holding `items`, head first.
   * @param items the elements
   * @param fill list-max-listpack-size
   * @returns the new list
   */
  static from(items: Iterable<string>, fill = -2): ListValue {
    const l = new ListValue(fill);
    for (const s of items) l.pushTail(s);
    return l;
  }

  /** Number of elements. */
  get length(): number {
    return this.#len;
  }

  encoding(): string {
    return "quicklist";
  }

  isEmpty(): boolean {
    return this.#len === 0;
  }

  /** Adds `v` before the first element. */
  pushHead(v: string): void {
    if (this.#len === this.#buf.length) this.#resize(this.#buf.length * 2);
    this.#head = (this.#head - 1) & this.#mask;
    this.#buf[this.#head] = v;
    this.#len++;
  }

  /** Adds `v` after the last element. */
  pushTail(v: string): void {
    if (this.#len === this.#buf.length) this.#resize(this.#buf.length * 2);
    this.#buf[(this.#head + this.#len) & this.#mask] = v;
    this.#len++;
  }

  /** Adds `v` at `end`. */
  push(v: string, end: End): void {
    if (end === HEAD) this.pushHead(v);
    else this.pushTail(v);
  }

  /** Removes and returns the first element, or undefined when empty. */
  popHead(): string | undefined {
    if (this.#len === 0) return undefined;
    const h = this.#head;
    const v = this.#buf[h];
    this.#buf[h] = undefined;
    this.#head = (h + 1) & this.#mask;
    this.#len--;
    this.#maybeShrink();
    return v;
  }

  /** Removes and returns the last element, or undefined when empty. */
  popTail(): string | undefined {
    if (this.#len === 0) return undefined;
    const i = (this.#head + this.#len - 1) & this.#mask;
    const v = this.#buf[i];
    this.#buf[i] = undefined;
    this.#len--;
    this.#maybeShrink();
    return v;
  }

  /** Removes and returns the element at `end`, or undefined when empty. */
  pop(end: End): string | undefined {
    return end === HEAD ? this.popHead() : this.popTail();
  }

  /** The element at `i` (0 ≤ i < length; the caller checks the range). */
  get(i: number): string {
    return this.#buf[(this.#head + i) & this.#mask]!;
  }

  /** Replaces the element at `i` (0 ≤ i < length). */
  set(i: number, v: string): void {
    this.#buf[(this.#head + i) & this.#mask] = v;
  }

  /**
   * Resolves a Redis index (negative counts from the tail) to a position.
   * @returns the position, or -1 when out of range
   */
  index(i: number): number {
    const n = this.#len;
    if (i < 0) i += n;
    return i >= 0 && i < n ? i : -1;
  }

  /**
   * The position of the first element equal to `v`, searching from the head.
   * @returns the position, or -1
   */
  indexOf(v: string): number {
    const buf = this.#buf;
    const mask = this.#mask;
    const h = this.#head;
    for (let i = 0, n = this.#len; i < n; i++) if (buf[(h + i) & mask] === v) return i;
    return -1;
  }

  /** Inserts `v` at position `i` (0 ≤ i ≤ length), shifting the shorter side. */
  insert(i: number, v: string): void {
    if (this.#len === this.#buf.length) this.#resize(this.#buf.length * 2);
    const buf = this.#buf;
    const mask = this.#mask;
    if (i < this.#len - i) {
      const h = this.#head = (this.#head - 1) & mask;
      for (let k = 0; k < i; k++) buf[(h + k) & mask] = buf[(h + k + 1) & mask];
    } else {
      const h = this.#head;
      for (let k = this.#len; k > i; k--) buf[(h + k) & mask] = buf[(h + k - 1) & mask];
    }
    buf[(this.#head + i) & mask] = v;
    this.#len++;
  }

  /** Removes the element at position `i` (0 ≤ i < length), shifting the shorter side. */
  removeAt(i: number): void {
    const buf = this.#buf;
    const mask = this.#mask;
    const h = this.#head;
    if (i < this.#len - 1 - i) {
      for (let k = i; k > 0; k--) buf[(h + k) & mask] = buf[(h + k - 1) & mask];
      buf[h] = undefined;
      this.#head = (h + 1) & mask;
    } else {
      const last = this.#len - 1;
      for (let k = i; k < last; k++) buf[(h + k) & mask] = buf[(h + k + 1) & mask];
      buf[(h + last) & mask] = undefined;
    }
    this.#len--;
    this.#maybeShrink();
  }

  /** Removes `n` elements at the head (n ≤ length). */
  removeHead(n: number): void {
    const buf = this.#buf;
    const mask = this.#mask;
    const h = this.#head;
    for (let k = 0; k < n; k++) buf[(h + k) & mask] = undefined;
    this.#head = (h + n) & mask;
    this.#len -= n;
    this.#maybeShrink();
  }

  /** Removes `n` elements at the tail (n ≤ length). */
  removeTail(n: number): void {
    const buf = this.#buf;
    const mask = this.#mask;
    const h = this.#head;
    for (let k = this.#len - n; k < this.#len; k++) buf[(h + k) & mask] = undefined;
    this.#len -= n;
    this.#maybeShrink();
  }

  /**
   * Removes elements equal to `v` (LREM): up to `limit` of them (0 = all), scanning from the
   * head, or from the tail when `fromTail`. One pass that closes the gaps as it goes.
   * @returns how many were removed
   */
  removeMatches(v: string, limit: number, fromTail: boolean): number {
    const buf = this.#buf;
    const mask = this.#mask;
    const h = this.#head;
    const n = this.#len;
    let removed = 0;
    if (!fromTail) {
      let w = 0;
      for (let r = 0; r < n; r++) {
        const e = buf[(h + r) & mask];
        if (e === v && (limit === 0 || removed < limit)) removed++;
        else if (w++ !== r) buf[(h + w - 1) & mask] = e;
      }
      for (let k = w; k < n; k++) buf[(h + k) & mask] = undefined;
    } else {
      let w = n - 1;
      for (let r = n - 1; r >= 0; r--) {
        const e = buf[(h + r) & mask];
        if (e === v && (limit === 0 || removed < limit)) removed++;
        else if (w-- !== r) buf[(h + w + 1) & mask] = e;
      }
      for (let k = 0; k <= w; k++) buf[(h + k) & mask] = undefined;
      this.#head = (h + w + 1) & mask;
    }
    this.#len = n - removed;
    if (removed > 0) this.#maybeShrink();
    return removed;
  }

  /**
   * Elements `start` to `end` inclusive (0 ≤ start ≤ end < length), in order, or from `end`
   * down to `start` when `reverse`.
   */
  range(start: number, end: number, reverse = false): string[] {
    const buf = this.#buf;
    const mask = this.#mask;
    const h = this.#head;
    const out: string[] = [];
    if (!reverse) { for (let i = start; i <= end; i++) out.push(buf[(h + i) & mask]!); }
    else for (let i = end; i >= start; i--) out.push(buf[(h + i) & mask]!);
    return out;
  }

  /** The elements, head first. */
  *values(): IterableIterator<string> {
    for (let i = 0; i < this.#len; i++) yield this.get(i);
  }

  [Symbol.iterator](): IterableIterator<string> {
    return this.values();
  }

  clone(): ListValue {
    const l = new ListValue(this.fill);
    if (this.#len > MIN_CAPACITY) l.#resize(capacityFor(this.#len));
    for (let i = 0; i < this.#len; i++) l.#buf[i] = this.get(i);
    l.#len = this.#len;
    return l;
  }

  /**
   * Bytes Redis would use (objectComputeSize for a quicklist): the robj and quicklist header,
   * plus the average of the first `samples` nodes (node struct and listpack allocation) times
   * the node count. Nodes are packed from the head as pushes at the tail pack them.
   */
  memoryUsage(samples: number): number {
    if (samples <= 0) samples = 1;
    let nodes = 0;
    let sampled = 0;
    let sum = 0;
    this.#packNodes((bytes) => {
      if (nodes++ < samples) {
        sum += QUICKLIST_NODE + jemallocSize(bytes);
        sampled++;
      }
    });
    return ROBJ + QUICKLIST + (sampled === 0 ? 0 : Math.floor((sum / sampled) * nodes));
  }

  /**
   * RDB_TYPE_LIST_QUICKLIST_2 payload length (DEBUG OBJECT serializedlength): the node count,
   * then per node its container type and its listpack as a string (uncompressed: Redis would
   * LZF-compress listpacks over 20 bytes when that makes them smaller).
   */
  serializedLength(): number {
    let nodes = 0;
    let total = 0;
    this.#packNodes((bytes) => {
      nodes++;
      total += 1 + rdbLenSize(bytes) + bytes;
    });
    return rdbLenSize(nodes) + total;
  }

  // Calls `node` with the listpack size of each quicklist node, head first, packing elements
  // as quicklistPushTail does under this list's fill.
  #packNodes(node: (bytes: number) => void): void {
    let bytes = -1;
    let count = 0;
    for (let i = 0; i < this.#len; i++) {
      const s = this.get(i);
      if (bytes >= 0 && allowInsert(bytes, count, s.length, this.fill)) {
        bytes += lpEntrySize(s);
        count++;
        continue;
      }
      if (bytes >= 0) node(bytes);
      bytes = LP_EMPTY + lpEntrySize(s);
      count = 1;
    }
    if (bytes >= 0) node(bytes);
  }

  // Moves the elements to a fresh array of `cap` slots (a power of two ≥ length), head at 0.
  #resize(cap: number): void {
    const old = this.#buf;
    const mask = this.#mask;
    const h = this.#head;
    const n = this.#len;
    const buf: (string | undefined)[] = [];
    for (let i = 0; i < n; i++) buf.push(old[(h + i) & mask]);
    for (let i = n; i < cap; i++) buf.push(undefined);
    this.#buf = buf;
    this.#mask = cap - 1;
    this.#head = 0;
  }

  // Once the array is three quarters empty, moves the elements to one twice their count, so a
  // drained or trimmed list gives memory back; growth doubles at full, so push/pop at a
  // boundary cannot thrash.
  #maybeShrink(): void {
    const cap = this.#buf.length;
    if (cap > MIN_CAPACITY * 8 && this.#len <= cap >>> 2) this.#resize(capacityFor(this.#len * 2));
  }
}

// An array of `n` empty slots, built by push (see ListValue.#buf).
function slots(n: number): (string | undefined)[] {
  const a: (string | undefined)[] = [];
  for (let i = 0; i < n; i++) a.push(undefined);
  return a;
}

// The smallest power of two ≥ n and ≥ MIN_CAPACITY.
function capacityFor(n: number): number {
  let c = MIN_CAPACITY;
  while (c < n) c *= 2;
  return c;
}

// _quicklistNodeAllowInsert as Redis 7.0.15 has it: may a node of `bytes` listpack bytes and
// `count` elements take one more element of `sz` bytes? The size estimate adds a flat 8 bytes;
// a negative fill limits bytes, a positive one counts (within the 8 KB safety limit).
function allowInsert(bytes: number, count: number, sz: number, fill: number): boolean {
  const newSz = bytes + sz + SIZE_ESTIMATE_OVERHEAD;
  if (fill < 0) return newSz <= OPTIMIZATION_LEVEL[-fill - 1];
  if (newSz > SIZE_SAFETY_LIMIT) return false;
  return count + 1 <= (fill === 0 ? 1 : fill);
}

/** Bytes one element takes in a listpack: encoding + data + backlen (listpack.c). */
export function lpEntrySize(s: string): number {
  let len: number;
  const v = s.length <= 20 ? parseI64(s) : null;
  if (v !== null) {
    if (v >= 0 && v <= 127) len = 1;
    else if (v >= -4096 && v <= 4095) len = 2;
    else if (v >= -32768 && v <= 32767) len = 3;
    else if (v >= -8388608 && v <= 8388607) len = 4;
    else if (v >= -2147483648 && v <= 2147483647) len = 5;
    else len = 9;
  } else {
    const n = s.length;
    len = n < 64 ? 1 + n : n < 4096 ? 2 + n : 5 + n;
  }
  const back = len < 128 ? 1 : len < 16384 ? 2 : len < 2097152 ? 3 : len < 268435456 ? 4 : 5;
  return len + back;
}

// rdbSaveLen's size for `n`.
function rdbLenSize(n: number): number {
  return n < 64 ? 1 : n < 16384 ? 2 : n <= 0xffffffff ? 5 : 9;
}
