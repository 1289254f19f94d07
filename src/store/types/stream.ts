// The stream value (t_stream.c's data side). Entries live in nodes that mirror Redis's listpack
// nodes one for one: a node starts with a master entry, takes entries until it reaches
// stream-node-max-entries or stream-node-max-bytes (its listpack size is tracked byte for byte),
// and deleted entries stay in it as tombstones, so approximate (~) trimming, which only drops
// whole nodes, and XINFO's radix-tree figures come out as Redis's. Nodes sit in an array sorted
// by master ID; reads binary-search node then entry (O(log n + k)). IDs are 128-bit bigints,
// ms << 64 | seq. Consumer groups, their pending entries lists and consumers live here too.

import type { ObjectValue } from "../database.ts";
import { parseI64 } from "../../util/numbers.ts";
import { jemallocSize, ROBJ } from "./hash.ts";

/** Mask of one 64-bit half of an ID. */
export const U64 = (1n << 64n) - 1n;
/** The largest ID, 18446744073709551615-18446744073709551615. */
export const MAX_ID = (1n << 128n) - 1n;
/** entries_read when the group's counter is unknown (SCG_INVALID_ENTRIES_READ). */
export const INVALID_ENTRIES_READ = -1n;
/** Listpacks never grow beyond this, whatever stream-node-max-bytes says. */
const LP_MAX_SIZE = 1 << 30;

/** An ID from its two 64-bit halves. */
export function streamId(ms: bigint, seq: bigint): bigint {
  return (ms << 64n) | seq;
}

/** The `<ms>-<seq>` text of an ID. */
export function formatId(id: bigint): string {
  return `${id >> 64n}-${id & U64}`;
}

// C isspace() in the "C" locale, which strtoull skips before the number.
function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/**
 * Redis string2ull: a strict string2ll first (negative values rejected), then strtoull, which
 * also takes leading white space, a sign (a '-' negates modulo 2^64) and leading zeros.
 * @returns the value, or null when Redis rejects it
 */
export function string2ull(s: string): bigint | null {
  const v = parseI64(s);
  if (v !== null) return v < 0 ? null : BigInt(v);
  const n = s.length;
  let i = 0;
  while (i < n && isSpace(s.charCodeAt(i))) i++;
  let neg = false;
  if (i < n && (s.charCodeAt(i) === 43 || s.charCodeAt(i) === 45)) {
    neg = s.charCodeAt(i) === 45;
    i++;
  }
  const start = i;
  while (i < n && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
  if (i === start || i !== n) return null;
  const u = BigInt(s.slice(start));
  if (u > U64) return null; // ERANGE
  return neg ? (-u) & U64 : u;
}

/** What `parseStreamId` understood. */
export interface ParsedId {
  id: bigint;
  /** False for XADD's `<ms>-*` form (the sequence is to be generated). */
  seqGiven: boolean;
}

/**
 * streamGenericParseIDOrReply: `<ms>-<seq>`, `<ms>` (seq = `missingSeq`), `-` and `+` unless
 * `strict`, and `<ms>-*` when `seqStar`. The text is read as a C string (up to a NUL) and may
 * be at most 127 bytes.
 * @returns the ID, or null when invalid
 */
export function parseStreamId(
  s: string,
  missingSeq: bigint,
  strict: boolean,
  seqStar = false,
): ParsedId | null {
  if (s.length > 127) return null;
  const z = s.indexOf("\0");
  if (z >= 0) s = s.slice(0, z);
  if (s === "-" || s === "+") {
    if (strict) return null;
    return { id: s === "-" ? 0n : MAX_ID, seqGiven: true };
  }
  const dash = s.indexOf("-");
  const ms = string2ull(dash < 0 ? s : s.slice(0, dash));
  if (ms === null) return null;
  if (dash < 0) return { id: streamId(ms, missingSeq), seqGiven: true };
  const rest = s.slice(dash + 1);
  if (seqStar && rest === "*") return { id: streamId(ms, 0n), seqGiven: false };
  const seq = string2ull(rest);
  if (seq === null) return null;
  return { id: streamId(ms, seq), seqGiven: true };
}

// ---------------------------------------------------------------------------------------------
// Listpack sizes (listpack.c), to place node boundaries exactly where Redis does.

const LP_HEADER = 6;
const LP_EOF = 1;

// lpEncodeBacklen: bytes needed to store the length of an element's encoding.
function backlen(l: number): number {
  return l <= 127 ? 1 : l < 16383 ? 2 : l < 2097151 ? 3 : l < 268435455 ? 4 : 5;
}

/** Bytes of an integer element (encoding + backlen; integer encodings are all < 128 bytes). */
export function lpIntSize(v: number | bigint): number {
  const n = typeof v === "bigint" ? Number(v) : v;
  if (n >= 0 && n <= 127) return 2;
  if (n >= -4096 && n <= 4095) return 3;
  if (n >= -32768 && n <= 32767) return 4;
  if (n >= -8388608 && n <= 8388607) return 5;
  if (n >= -2147483648 && n <= 2147483647) return 6;
  return 10;
}

/** Bytes of a string element: integer-looking strings are stored as integers. */
export function lpStrSize(s: string): number {
  const n = s.length;
  if (n <= 20) {
    const v = parseI64(s);
    if (v !== null) return lpIntSize(v);
  }
  const enc = n < 64 ? 1 + n : n < 4096 ? 2 + n : 5 + n;
  return enc + backlen(enc);
}

// ---------------------------------------------------------------------------------------------
// Entries and nodes

/** One stream entry. `fv` is the flat field, value list and is never changed. */
export interface StreamEntry {
  readonly id: bigint;
  readonly fv: string[];
  /** Marked by XDEL or by trimming inside a node; the entry stays as a tombstone. */
  deleted: boolean;
  /** `formatId(id)`, cached by the first reply that needs it. */
  idStr?: string;
}

/** One listpack node of the stream's radix tree. */
export class StreamNode {
  /** The master entry's ID: the radix tree key of this node. */
  readonly master: bigint;
  /** The master entry's field names (the fields of the node's first entry). */
  readonly fields: string[];
  /** Entries in ID order, tombstones included. */
  readonly entries: StreamEntry[] = [];
  /** Live entries (the master entry's count). */
  live = 0;
  /** Tombstones (the master entry's deleted count). */
  deleted = 0;
  // Listpack bytes except the count and deleted elements, whose size changes with their value.
  #fixed: number;

  /** Bytes allocated when the node was created (MEMORY USAGE). */
  readonly prealloc: number;

  constructor(master: bigint, fv: string[], prealloc = 4096) {
    this.master = master;
    this.prealloc = prealloc;
    const fields: string[] = [];
    let bytes = LP_HEADER + LP_EOF + lpIntSize(fv.length / 2) + lpIntSize(0);
    for (let i = 0; i < fv.length; i += 2) {
      fields.push(fv[i]);
      bytes += lpStrSize(fv[i]);
    }
    this.fields = fields;
    this.#fixed = bytes;
  }

  /** lpBytes() of the node's listpack. */
  get bytes(): number {
    return this.#fixed + lpIntSize(this.live) + lpIntSize(this.deleted);
  }

  /** Appends an entry, accounting for its listpack encoding (t_stream.c streamAppendItem). */
  add(e: StreamEntry): void {
    const fv = e.fv;
    const nf = fv.length / 2;
    const fields = this.fields;
    let same = nf === fields.length;
    for (let i = 0; same && i < nf; i++) same = fv[2 * i] === fields[i];
    const delta = e.id - this.master;
    // ms and seq deltas are stored as signed 64-bit integers.
    let bytes = 2 + lpIntSize(BigInt.asIntN(64, delta >> 64n)) +
      lpIntSize(BigInt.asIntN(64, (e.id & U64) - (this.master & U64)));
    if (!same) {
      bytes += lpIntSize(nf);
      for (let i = 0; i < fv.length; i += 2) bytes += lpStrSize(fv[i]);
    }
    for (let i = 1; i < fv.length; i += 2) bytes += lpStrSize(fv[i]);
    bytes += lpIntSize(same ? nf + 3 : 2 * nf + 4);
    this.#fixed += bytes;
    this.entries.push(e);
    this.live++;
  }

  /** Index of the first entry with ID >= id (entries.length when none). */
  lowerBound(id: bigint): number {
    const a = this.entries;
    let lo = 0;
    let hi = a.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (a[mid].id < id) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The last entry's ID, tombstone or not (lpGetEdgeStreamID). */
  get lastId(): bigint {
    return this.entries[this.entries.length - 1].id;
  }
}

// ---------------------------------------------------------------------------------------------
// Ordered map keyed by ID (PELs): sorted chunks, O(log n + chunk) per operation.

const CHUNK = 128;

interface Chunk<V> {
  keys: bigint[];
  vals: V[];
}

/** An ordered map from stream ID to V, iterated in ID order (Redis uses a rax). */
export class IdMap<V> {
  #chunks: Chunk<V>[] = [];
  #size = 0;

  get size(): number {
    return this.#size;
  }

  // Index of the first chunk whose last key is >= k (chunks.length when none).
  #chunkFor(k: bigint): number {
    const c = this.#chunks;
    let lo = 0;
    let hi = c.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const keys = c[mid].keys;
      if (keys[keys.length - 1] < k) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  #indexIn(keys: bigint[], k: bigint): number {
    let lo = 0;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (keys[mid] < k) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The value at `k`, or undefined. */
  get(k: bigint): V | undefined {
    const ci = this.#chunkFor(k);
    if (ci === this.#chunks.length) return undefined;
    const c = this.#chunks[ci];
    const i = this.#indexIn(c.keys, k);
    return c.keys[i] === k ? c.vals[i] : undefined;
  }

  /** True when `k` is present. */
  has(k: bigint): boolean {
    return this.get(k) !== undefined;
  }

  /**
   * Sets `k` to `v`.
   * @returns true when `k` was not present
   */
  set(k: bigint, v: V): boolean {
    const chunks = this.#chunks;
    let ci = this.#chunkFor(k);
    if (ci === chunks.length) {
      if (ci === 0) {
        chunks.push({ keys: [k], vals: [v] });
        this.#size++;
        return true;
      }
      ci--; // beyond every key: append to the last chunk
    }
    const c = chunks[ci];
    const i = this.#indexIn(c.keys, k);
    if (c.keys[i] === k) {
      c.vals[i] = v;
      return false;
    }
    c.keys.splice(i, 0, k);
    c.vals.splice(i, 0, v);
    this.#size++;
    if (c.keys.length > CHUNK) {
      const half = c.keys.length >>> 1;
      chunks.splice(ci + 1, 0, { keys: c.keys.splice(half), vals: c.vals.splice(half) });
    }
    return true;
  }

  /**
   * Removes `k`.
   * @returns true when it was present
   */
  delete(k: bigint): boolean {
    const chunks = this.#chunks;
    const ci = this.#chunkFor(k);
    if (ci === chunks.length) return false;
    const c = chunks[ci];
    const i = this.#indexIn(c.keys, k);
    if (c.keys[i] !== k) return false;
    c.keys.splice(i, 1);
    c.vals.splice(i, 1);
    if (c.keys.length === 0) chunks.splice(ci, 1);
    this.#size--;
    return true;
  }

  /** The smallest key, or undefined when empty. */
  first(): bigint | undefined {
    return this.#size === 0 ? undefined : this.#chunks[0].keys[0];
  }

  /** The largest key, or undefined when empty. */
  last(): bigint | undefined {
    if (this.#size === 0) return undefined;
    const keys = this.#chunks[this.#chunks.length - 1].keys;
    return keys[keys.length - 1];
  }

  /** The smallest key >= k, or undefined. */
  ceiling(k: bigint): bigint | undefined {
    const ci = this.#chunkFor(k);
    if (ci === this.#chunks.length) return undefined;
    const keys = this.#chunks[ci].keys;
    return keys[this.#indexIn(keys, k)];
  }

  /**
   * Calls `fn` for each entry with key >= `from`, in order, until it returns false. The map
   * must not change during the walk.
   */
  forEachFrom(from: bigint, fn: (k: bigint, v: V) => boolean | void): void {
    const chunks = this.#chunks;
    let ci = this.#chunkFor(from);
    if (ci === chunks.length) return;
    let i = this.#indexIn(chunks[ci].keys, from);
    for (; ci < chunks.length; ci++, i = 0) {
      const { keys, vals } = chunks[ci];
      for (; i < keys.length; i++) if (fn(keys[i], vals[i]) === false) return;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Consumer groups

/** A pending entry (streamNACK): delivered to a consumer, not yet acknowledged. */
export interface PendingEntry {
  /** Owner; null only transiently (XCLAIM FORCE creates it before assigning it). */
  consumer: Consumer | null;
  /** Last delivery, unix ms. */
  deliveryTime: number;
  /** Deliveries so far (uint64). */
  deliveryCount: bigint;
}

/** A consumer of a group. */
export class Consumer {
  /** Pending entries owned by this consumer (shared objects with the group PEL). */
  readonly pel = new IdMap<PendingEntry>();
  constructor(readonly name: string, public seenTime: number) {}
}

/** A consumer group. */
export class ConsumerGroup {
  /** Every pending entry of the group. */
  readonly pel = new IdMap<PendingEntry>();
  readonly consumers = new Map<string, Consumer>();
  constructor(public lastId: bigint, public entriesRead: bigint) {}

  /** Consumers in name (byte) order, as Redis's rax walks them. */
  sortedConsumers(): Consumer[] {
    return [...this.consumers.keys()].sort().map((n) => this.consumers.get(n)!);
  }

  /** Removes a consumer and its pending entries from the group PEL (streamDelConsumer). */
  deleteConsumer(c: Consumer): void {
    c.pel.forEachFrom(0n, (id) => {
      this.pel.delete(id);
    });
    this.consumers.delete(c.name);
  }
}

// ---------------------------------------------------------------------------------------------
// The stream

/** Trimming parameters (streamAddTrimArgs). */
export interface TrimArgs {
  /** MAXLEN (length to keep) or MINID (lowest ID to keep). */
  strategy: "maxlen" | "minid";
  maxlen: number;
  minid: bigint;
  /** `~`: only whole nodes are removed. */
  approx: boolean;
  /** Most entries to remove, 0 = no limit. */
  limit: number;
}

/** A Redis stream. Empty streams stay in the keyspace. */
export class StreamValue implements ObjectValue {
  readonly type = "stream" as const;
  /** Live entries. */
  length = 0;
  /** last-generated-id. */
  lastId = 0n;
  /** recorded-first-entry-id. */
  firstId = 0n;
  /** max-deleted-entry-id. */
  maxDeletedId = 0n;
  /** entries-added (uint64). */
  entriesAdded = 0n;
  /** Consumer groups; null until the first one is created. */
  groups: Map<string, ConsumerGroup> | null = null;
  #nodes: StreamNode[] = [];
  #head = 0;
  #raxNodes = -1;

  encoding(): string {
    return "stream";
  }

  isEmpty(): boolean {
    return false;
  }

  /** Number of listpack nodes (radix-tree-keys). */
  get nodeCount(): number {
    return this.#nodes.length - this.#head;
  }

  /** The i-th node (0 = oldest). */
  node(i: number): StreamNode {
    return this.#nodes[this.#head + i];
  }

  #removeNode(i: number): void {
    this.#raxNodes = -1;
    if (i === 0) {
      (this.#nodes as (StreamNode | undefined)[])[this.#head] = undefined;
      this.#head++;
      if (this.#head === this.#nodes.length) {
        this.#nodes = [];
        this.#head = 0;
      } else if (this.#head >= 64 && this.#head * 2 >= this.#nodes.length) {
        this.#nodes = this.#nodes.slice(this.#head);
        this.#head = 0;
      }
    } else {
      this.#nodes.splice(this.#head + i, 1);
    }
  }

  // Index of the last node whose master ID is <= id, or -1.
  #nodeFor(id: bigint): number {
    let lo = 0;
    let hi = this.nodeCount;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#nodes[this.#head + mid].master <= id) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }

  /**
   * Appends an entry with an ID the caller validated (greater than lastId). A new node starts
   * when the tail node's listpack would reach `maxBytes` or holds `maxEntries` entries
   * (tombstones included), as streamAppendItem decides.
   */
  append(id: bigint, fv: string[], maxEntries: number, maxBytes: number): StreamEntry {
    const e: StreamEntry = { id, fv, deleted: false };
    let tail = this.nodeCount === 0 ? null : this.#nodes[this.#nodes.length - 1];
    if (tail !== null) {
      let total = 0;
      for (let i = 0; i < fv.length; i++) total += fv[i].length;
      const limit = maxBytes <= 0 || maxBytes > LP_MAX_SIZE ? LP_MAX_SIZE : maxBytes;
      if (tail.bytes + total >= limit) tail = null;
      else if (maxEntries > 0 && tail.live + tail.deleted >= maxEntries) tail = null;
    }
    if (tail === null) {
      // Listpacks start with room for stream-node-max-bytes (at most 4096) bytes.
      tail = new StreamNode(id, fv, maxBytes > 0 && maxBytes < 4096 ? maxBytes : 4096);
      this.#nodes.push(tail);
      this.#raxNodes = -1;
    }
    tail.add(e);
    this.length++;
    this.entriesAdded = (this.entriesAdded + 1n) & U64;
    this.lastId = id;
    if (this.length === 1) this.firstId = id;
    return e;
  }

  /**
   * Appends a whole node as an RDB file stores it (RESTORE, loading): Redis keeps loaded
   * listpacks as they are, tombstones and boundaries included. `entries` are in ID order, after
   * every entry already present; the caller sets lastId, firstId, maxDeletedId and
   * entriesAdded from the file.
   */
  restoreNode(master: bigint, entries: StreamEntry[]): void {
    if (entries.length === 0) return;
    // A loaded listpack is allocated at its exact size.
    const node = new StreamNode(master, entries[0].fv, 0);
    for (const e of entries) {
      node.add(e);
      if (e.deleted) {
        node.live--;
        node.deleted++;
      }
    }
    this.#nodes.push(node);
    this.#raxNodes = -1;
    this.length += node.live;
  }

  /** The live entry with this ID, or null. */
  find(id: bigint): StreamEntry | null {
    const ni = this.#nodeFor(id);
    if (ni < 0) return null;
    const node = this.#nodes[this.#head + ni];
    const i = node.lowerBound(id);
    const e = node.entries[i];
    return e !== undefined && e.id === id && !e.deleted ? e : null;
  }

  /**
   * Marks the live entry `id` deleted (streamIteratorRemoveEntry): a node losing its last live
   * entry goes away whole. Does not touch maxDeletedId / firstId (XDEL does).
   * @returns true when an entry was deleted
   */
  delete(id: bigint): boolean {
    const ni = this.#nodeFor(id);
    if (ni < 0) return false;
    const node = this.#nodes[this.#head + ni];
    const e = node.entries[node.lowerBound(id)];
    if (e === undefined || e.id !== id || e.deleted) return false;
    e.deleted = true;
    if (node.live === 1) this.#removeNode(ni);
    else {
      node.live--;
      node.deleted++;
    }
    this.length--;
    return true;
  }

  /**
   * Calls `fn` for each live entry with start <= ID <= end, ascending (or descending when
   * `rev`), until it returns false.
   */
  range(start: bigint, end: bigint, rev: boolean, fn: (e: StreamEntry) => boolean | void): void {
    if (start > end) return;
    const n = this.nodeCount;
    if (!rev) {
      let ni = Math.max(0, this.#nodeFor(start));
      if (ni >= n) return;
      let i = this.#nodes[this.#head + ni].lowerBound(start);
      for (; ni < n; ni++, i = 0) {
        const entries = this.#nodes[this.#head + ni].entries;
        for (; i < entries.length; i++) {
          const e = entries[i];
          if (e.id > end) return;
          if (!e.deleted && fn(e) === false) return;
        }
      }
    } else {
      let ni = this.#nodeFor(end);
      if (ni < 0) return;
      const first = this.#nodes[this.#head + ni];
      let i = first.lowerBound(end);
      if (i === first.entries.length || first.entries[i].id > end) i--;
      for (; ni >= 0; ni--) {
        const entries = this.#nodes[this.#head + ni].entries;
        if (i === -2) i = entries.length - 1;
        for (; i >= 0; i--) {
          const e = entries[i];
          if (e.id < start) return;
          if (!e.deleted && fn(e) === false) return;
        }
        i = -2;
      }
    }
  }

  /** The first live entry, or null (XINFO first-entry). */
  firstEntry(): StreamEntry | null {
    let found: StreamEntry | null = null;
    this.range(0n, MAX_ID, false, (e) => {
      found = e;
      return false;
    });
    return found;
  }

  /** The last live entry, or null. */
  lastEntry(): StreamEntry | null {
    let found: StreamEntry | null = null;
    this.range(0n, MAX_ID, true, (e) => {
      found = e;
      return false;
    });
    return found;
  }

  /** The last live ID (streamLastValidID), or null when the stream is empty. */
  lastValidId(): bigint | null {
    return this.lastEntry()?.id ?? null;
  }

  /**
   * streamGetEdgeID(first, skip_tombstones=0): the first entry in the nodes, tombstone or not;
   * MAX_ID when there is none.
   */
  firstIdWithTombstones(): bigint {
    return this.nodeCount === 0 ? MAX_ID : this.#nodes[this.#head].entries[0].id;
  }

  /**
   * streamTrim: removes entries from the head by MAXLEN or MINID. Exact trimming marks entries
   * inside the first node that cannot go whole as deleted; `~` stops there instead.
   * @returns the number of entries removed
   */
  trim(args: TrimArgs): number {
    const maxlen = args.maxlen;
    const byLen = args.strategy === "maxlen";
    let deleted = 0;
    while (this.nodeCount > 0) {
      if (byLen && this.length <= maxlen) break;
      const node = this.#nodes[this.#head];
      const entries = node.live;
      if (args.limit !== 0 && deleted + entries > args.limit) break;
      const removeNode = byLen ? this.length - entries >= maxlen : node.lastId < args.minid;
      if (removeNode) {
        this.#removeNode(0);
        this.length -= entries;
        deleted += entries;
        continue;
      }
      if (args.approx) break;
      for (const e of node.entries) {
        if (byLen ? this.length <= maxlen : e.id >= args.minid) break;
        if (!e.deleted) {
          e.deleted = true;
          node.live--;
          node.deleted++;
          this.length--;
          deleted++;
        }
      }
      break;
    }
    if (this.length === 0) this.firstId = 0n;
    else if (deleted > 0) this.firstId = this.firstEntry()!.id;
    return deleted;
  }

  // ---- consumer group counters (t_stream.c, Redis 7.0)

  /** streamRangeHasTombstones(start, MAX): a tombstone may lie at or after `start`. */
  hasTombstonesFrom(start: bigint): boolean {
    if (this.length === 0 || this.maxDeletedId === 0n) return false;
    if (this.firstId > this.maxDeletedId) return false;
    return start <= this.maxDeletedId;
  }

  /**
   * streamEstimateDistanceFromFirstEverEntry: the logical read counter of `id`, or
   * INVALID_ENTRIES_READ when it cannot be known.
   */
  estimateEntriesRead(id: bigint): bigint {
    const added = BigInt.asIntN(64, this.entriesAdded);
    if (this.entriesAdded === 0n) return 0n;
    if (this.length === 0 && id <= this.lastId) return added;
    if (id === this.lastId) return added;
    if (id > this.lastId) return INVALID_ENTRIES_READ;
    if (this.maxDeletedId === 0n || this.maxDeletedId < this.firstId) {
      if (id < this.firstId) return BigInt.asIntN(64, this.entriesAdded - BigInt(this.length));
      if (id === this.firstId) {
        return BigInt.asIntN(64, this.entriesAdded - BigInt(this.length) + 1n);
      }
    }
    return INVALID_ENTRIES_READ;
  }

  /** A group's lag (streamReplyWithCGLag), or null when it cannot be known. */
  lag(g: ConsumerGroup): bigint | null {
    if (this.entriesAdded === 0n) return 0n;
    const added = BigInt.asIntN(64, this.entriesAdded);
    if (g.entriesRead !== INVALID_ENTRIES_READ && !this.hasTombstonesFrom(g.lastId)) {
      return BigInt.asIntN(64, added - g.entriesRead);
    }
    const read = this.estimateEntriesRead(g.lastId);
    return read === INVALID_ENTRIES_READ ? null : BigInt.asIntN(64, added - read);
  }

  /** Groups in name (byte) order, as Redis's rax walks them. */
  sortedGroups(): [string, ConsumerGroup][] {
    if (this.groups === null) return [];
    return [...this.groups.keys()].sort().map((n) => [n, this.groups!.get(n)!]);
  }

  // ---- introspection

  /**
   * Nodes of the radix tree holding the listpacks (XINFO radix-tree-nodes). Keys are the
   * 16-byte big-endian master IDs; rax keeps them compressed (one node per chain of single-child
   * bytes), which is canonical after any sequence of inserts and removes, so the count follows
   * from the keys alone.
   */
  raxNodeCount(): number {
    if (this.#raxNodes >= 0) return this.#raxNodes;
    const keys: bigint[] = [];
    for (let i = 0; i < this.nodeCount; i++) keys.push(this.#nodes[this.#head + i].master);
    this.#raxNodes = keys.length === 0 ? 1 : raxCount(keys, 0, keys.length, 0);
    return this.#raxNodes;
  }

  /** A deep copy (COPY): nodes, tombstones, groups, PELs and consumers (streamDup). */
  clone(): StreamValue {
    const s = new StreamValue();
    for (let i = 0; i < this.nodeCount; i++) {
      const src = this.#nodes[this.#head + i];
      // streamDup copies each listpack into an allocation of its exact size.
      const n = new StreamNode(src.master, src.entries[0].fv, 0);
      for (const e of src.entries) n.add({ id: e.id, fv: e.fv, deleted: e.deleted });
      n.live = src.live;
      n.deleted = src.deleted;
      s.#nodes.push(n);
    }
    s.length = this.length;
    s.lastId = this.lastId;
    s.firstId = this.firstId;
    s.maxDeletedId = this.maxDeletedId;
    s.entriesAdded = this.entriesAdded;
    if (this.groups !== null) {
      s.groups = new Map();
      for (const [name, g] of this.groups) {
        const ng = new ConsumerGroup(g.lastId, g.entriesRead);
        const nacks = new Map<PendingEntry, PendingEntry>();
        g.pel.forEachFrom(0n, (id, p) => {
          const np: PendingEntry = {
            consumer: null,
            deliveryTime: p.deliveryTime,
            deliveryCount: p.deliveryCount,
          };
          nacks.set(p, np);
          ng.pel.set(id, np);
        });
        for (const [cname, c] of g.consumers) {
          const nc = new Consumer(cname, c.seenTime);
          c.pel.forEachFrom(0n, (id, p) => {
            const np = nacks.get(p)!;
            np.consumer = nc;
            nc.pel.set(id, np);
          });
          ng.consumers.set(cname, nc);
        }
        s.groups.set(name, ng);
      }
    }
    return s;
  }

  /**
   * MEMORY USAGE (object.c objectComputeSize for streams): the stream struct, the radix tree,
   * the listpacks (the first `samples` measured, the rest averaged, the tail measured), and
   * the groups' PELs and consumers.
   */
  memoryUsage(samples: number): number {
    let size = ROBJ + 80 + raxMemory(this.nodeCount, this.raxNodeCount());
    const n = this.nodeCount;
    let lp = 0;
    let measured = 0;
    for (; measured < samples && measured < n; measured++) {
      lp += lpAlloc(this.node(measured), measured === n - 1);
    }
    if (n <= measured) size += lp;
    else {
      if (measured > 0) lp /= measured;
      size += lp * (n - 1) + lpAlloc(this.node(n - 1), true);
    }
    if (this.groups !== null) {
      for (const g of this.groups.values()) {
        size += 40 + raxMemory(g.pel.size, raxNodesEstimate(g.pel.size)) + 24 * g.pel.size;
        for (const c of g.consumers.values()) {
          size += 24 + c.name.length + raxMemory(c.pel.size, raxNodesEstimate(c.pel.size));
        }
      }
    }
    return Math.round(size);
  }
}

// Nodes of the canonical rax holding the sorted 16-byte keys[lo..hi), all sharing their first
// `d` bytes, counted from the node that starts at depth d.
function raxCount(keys: bigint[], lo: number, hi: number, d: number): number {
  if (hi - lo === 1) return d === 16 ? 1 : 2; // a compressed chain to the key, then the leaf
  const b = commonBytes(keys[lo], keys[hi - 1]);
  let n = b === d ? 1 : 2; // the branching node, preceded by a chain when b > d
  let i = lo;
  while (i < hi) {
    const v = byteAt(keys[i], b);
    let j = i + 1;
    while (j < hi && byteAt(keys[j], b) === v) j++;
    n += raxCount(keys, i, j, b + 1);
    i = j;
  }
  return n;
}

// Leading bytes two 16-byte keys share.
function commonBytes(a: bigint, b: bigint): number {
  const x = a ^ b;
  if (x === 0n) return 16;
  return 16 - Math.ceil(x.toString(16).length / 2);
}

function byteAt(k: bigint, p: number): number {
  return Number((k >> BigInt(120 - 8 * p)) & 0xffn);
}

// streamRadixTreeMemoryUsage: keys, nodes, and a fixed overhead per node.
function raxMemory(keys: number, nodes: number): number {
  return 16 * keys + 4 * nodes + 8 * 30 * nodes;
}

// PEL radix trees are not modelled node by node; sequential IDs need about one node per key.
function raxNodesEstimate(keys: number): number {
  return keys === 0 ? 1 : keys + 1;
}

// A node's allocation: the tail node was created with some bytes preallocated and grows past
// them by reallocation; full nodes were shrunk to fit when the next node was created.
function lpAlloc(node: StreamNode, tail: boolean): number {
  const bytes = node.bytes;
  return jemallocSize(tail && bytes < node.prealloc ? node.prealloc : bytes);
}
