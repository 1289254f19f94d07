// RDB reader for versions 1 to 11: walks a whole file (or one DUMP payload) held in memory
// and hands every key to a callback as a neutral `RdbObject`, whatever encoding Redis used
// (rdb.c rdbLoadRioWithLoadingCtx / rdbLoadObject). Any malformed or truncated input throws
// RdbFormatError carrying the byte offset where reading failed.

import { bufferView, type Latin1Buffer } from "../../util/bytes.ts";
import * as C from "./constants.ts";
import { crc64EqualsLE, crc64Init, crc64Update } from "./crc64.ts";
import { lzfDecompress } from "./lzf.ts";
import { lpDecode } from "./listpack.ts";
import { intsetDecode, zipmapDecode, zlDecode } from "./ziplist.ts";

/** A stream ID: 64-bit milliseconds and sequence. */
export interface StreamId {
  ms: bigint;
  seq: bigint;
}

/** One pending entry of a consumer group. */
export interface RdbPendingEntry {
  id: StreamId;
  /** Unix ms of the last delivery. */
  deliveryTime: number;
  deliveryCount: number;
  /** Owning consumer's name. */
  consumer: string;
}

/** A consumer of a group. */
export interface RdbConsumer {
  name: string;
  seenTime: number;
  /** Unix ms of the last successful action; -1 when unknown (RDB before 11). */
  activeTime: number;
}

/** A consumer group. */
export interface RdbGroup {
  name: string;
  lastId: StreamId;
  /**
   * Entries read counter; -1 when invalid (SCG_INVALID_ENTRIES_READ); null when the file is
   * too old to store it (the loader estimates it as Redis does).
   */
  entriesRead: number | null;
  /** Pending entries in ID order. */
  pel: RdbPendingEntry[];
  consumers: RdbConsumer[];
}

/** A stream entry: ID plus flat field/value list. */
export interface RdbStreamEntry {
  id: StreamId;
  fields: string[];
}

/** A stream with its metadata. */
export interface RdbStream {
  entries: RdbStreamEntry[];
  lastId: StreamId;
  firstId: StreamId;
  maxDeletedId: StreamId;
  entriesAdded: bigint;
  groups: RdbGroup[];
}

/** A value in a type-neutral form. Collections keep Redis's order. */
export type RdbObject =
  | { type: "string"; value: string }
  | { type: "list"; items: string[] }
  | { type: "set"; members: string[] }
  | { type: "zset"; members: string[]; scores: number[] }
  | { type: "hash"; fields: string[]; values: string[] }
  | { type: "stream"; stream: RdbStream };

/** Malformed RDB input; `offset` is the byte position where reading failed. */
export class RdbFormatError extends Error {
  constructor(message: string, readonly offset: number) {
    super(message);
    this.name = "RdbFormatError";
  }
}

/** What `readRdb` reports besides the keys. */
export interface RdbVisitor {
  /** An AUX field (redis-ver, ctime, used-mem, aof-base ...). */
  aux?(key: string, value: string): void;
  /** A RESIZEDB hint for the current db. */
  resizeDb?(db: number, size: number, expires: number): void;
  /** A function library's source (FUNCTION2). */
  functionCode?(code: string): void;
  /**
   * One key. `expireAt` is unix ms or -1; `idle` seconds or -1; `freq` 0-255 or -1.
   */
  key(
    db: number,
    key: string,
    value: RdbObject,
    expireAt: number,
    idle: number,
    freq: number,
  ): void;
}

/** Options for `readRdb`. */
export interface RdbReadOptions {
  /** Verify the CRC64 trailer (when it is not 0). @default true */
  verifyChecksum?: boolean;
  /** Number of databases the server has: a SELECTDB beyond them fails, as in Redis. */
  maxDb?: number;
}

/** Summary of a read file. */
export interface RdbInfo {
  version: number;
  keys: number;
  /** Offset just past the file (after the checksum): an AOF tail may follow. */
  end: number;
}

const EMPTY: Uint8Array = new Uint8Array(0);

/** A cursor over RDB bytes. */
export class RdbCursor {
  pos = 0;
  readonly #buf: Uint8Array;
  readonly #str: Latin1Buffer;
  readonly #dv: DataView;

  constructor(buf: Uint8Array, pos = 0) {
    this.#buf = buf;
    this.#str = bufferView(buf);
    this.#dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.pos = pos;
  }

  get length(): number {
    return this.#buf.length;
  }

  fail(msg: string, at = this.pos): never {
    throw new RdbFormatError(msg, at);
  }

  #need(n: number): void {
    if (this.pos + n > this.#buf.length) this.fail("Unexpected EOF reading RDB file");
  }

  byte(): number {
    this.#need(1);
    return this.#buf[this.pos++];
  }

  bytes(n: number): Uint8Array {
    this.#need(n);
    const b = this.#buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  u32le(): number {
    this.#need(4);
    const v = this.#dv.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  i64le(): bigint {
    this.#need(8);
    const v = this.#dv.getBigInt64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** rdbLoadMillisecondTime: 8 bytes little-endian. */
  millis(): number {
    return Number(this.i64le());
  }

  f64le(): number {
    this.#need(8);
    const v = this.#dv.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  u64be(): bigint {
    this.#need(8);
    const v = this.#dv.getBigUint64(this.pos, false);
    this.pos += 8;
    return v;
  }

  /** Set by `lenOrEnc`: the value read was an encoding marker, not a length. */
  encoded = false;

  /**
   * rdbLoadLenByRef: a length, or an encoding marker (then `encoded` is set).
   * @returns the value (a bigint only for a 64-bit length beyond 2^53)
   */
  lenOrEnc(): bigint | number {
    const b = this.byte();
    const kind = b >> 6;
    this.encoded = kind === C.RDB_ENCVAL;
    if (kind === C.RDB_ENCVAL || kind === C.RDB_6BITLEN) return b & 0x3f;
    if (kind === C.RDB_14BITLEN) return ((b & 0x3f) << 8) | this.byte();
    if (b === C.RDB_32BITLEN) {
      this.#need(4);
      const v = this.#dv.getUint32(this.pos, false);
      this.pos += 4;
      return v;
    }
    if (b === C.RDB_64BITLEN) {
      const v = this.u64be();
      return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
    }
    this.fail(`Unknown length encoding ${b} in rdbLoadLen()`, this.pos - 1);
  }

  /** A length that must fit a JS number. */
  len(): number {
    const at = this.pos;
    const v = this.lenOrEnc();
    if (this.encoded || typeof v === "bigint") this.fail("Invalid length", at);
    return v;
  }

  /** A length as a bigint (stream IDs and counters are 64-bit). */
  lenBig(): bigint {
    const at = this.pos;
    const v = this.lenOrEnc();
    if (this.encoded) this.fail("Invalid length", at);
    return BigInt(v);
  }

  /** rdbGenericLoadStringObject as raw bytes (integer encodings come back in decimal). */
  stringBytes(): Uint8Array {
    const at = this.pos;
    const v = this.lenOrEnc();
    if (!this.encoded) {
      if (typeof v === "bigint") this.fail("String too long", at);
      return this.bytes(v);
    }
    switch (v) {
      case C.RDB_ENC_INT8:
      case C.RDB_ENC_INT16:
      case C.RDB_ENC_INT32:
        return new TextEncoder().encode(this.#intString(v as number));
      case C.RDB_ENC_LZF:
        return this.#lzf(at);
      default:
        this.fail(`Unknown RDB string encoding type ${v}`, at);
    }
  }

  /** A string as a one-byte-per-char JS string. */
  string(): string {
    // Fast path: a plain string under 64 bytes (a 6-bit length), the common key and value.
    const p = this.pos;
    const buf = this.#buf;
    const b = buf[p];
    if (b < 0x40) {
      const end = p + 1 + b;
      if (end <= buf.length) {
        this.pos = end;
        return b === 0 ? "" : this.#str.latin1Slice(p + 1, end);
      }
    }
    const at = p;
    const v = this.lenOrEnc();
    if (!this.encoded) {
      if (typeof v === "bigint") this.fail("String too long", at);
      this.#need(v);
      const s = v === 0 ? "" : this.#str.latin1Slice(this.pos, this.pos + v);
      this.pos += v;
      return s;
    }
    switch (v) {
      case C.RDB_ENC_INT8:
      case C.RDB_ENC_INT16:
      case C.RDB_ENC_INT32:
        return this.#intString(v as number);
      case C.RDB_ENC_LZF: {
        const b = this.#lzf(at);
        return b.length === 0 ? "" : bufferView(b).latin1Slice(0, b.length);
      }
      default:
        this.fail(`Unknown RDB string encoding type ${v}`, at);
    }
  }

  #intString(enc: number): string {
    if (enc === C.RDB_ENC_INT8) {
      this.#need(1);
      return String(this.#dv.getInt8(this.pos++));
    }
    if (enc === C.RDB_ENC_INT16) {
      this.#need(2);
      const v = this.#dv.getInt16(this.pos, true);
      this.pos += 2;
      return String(v);
    }
    this.#need(4);
    const v = this.#dv.getInt32(this.pos, true);
    this.pos += 4;
    return String(v);
  }

  #lzf(at: number): Uint8Array {
    const clen = this.len();
    const ulen = this.len();
    const src = this.bytes(clen);
    if (ulen === 0) return EMPTY;
    const out = lzfDecompress(src, ulen);
    if (out === null) this.fail("Invalid LZF compressed string", at);
    return out;
  }

  /** The double of ZSET (type 3): a length byte and text, or 253/254/255 for nan/inf/-inf. */
  stringDouble(): number {
    const n = this.byte();
    if (n === 253) return NaN;
    if (n === 254) return Infinity;
    if (n === 255) return -Infinity;
    const at = this.pos;
    const s = new TextDecoder().decode(this.bytes(n));
    const v = Number(s.trim().replace(/^([+-]?)inf(inity)?$/i, "$1Infinity"));
    if (Number.isNaN(v) && !/nan/i.test(s)) this.fail("Invalid double", at);
    return v;
  }
}

function streamIdFromKey(c: RdbCursor, key: Uint8Array, at: number): StreamId {
  if (key.length !== 16) c.fail("Stream node key entry is not the size of a stream ID", at);
  const dv = new DataView(key.buffer, key.byteOffset, 16);
  return { ms: dv.getBigUint64(0, false), seq: dv.getBigUint64(8, false) };
}

function rawStreamId(c: RdbCursor): StreamId {
  const b = c.bytes(16);
  const dv = new DataView(b.buffer, b.byteOffset, 16);
  return { ms: dv.getBigUint64(0, false), seq: dv.getBigUint64(8, false) };
}

const U64_MASK = (1n << 64n) - 1n;

// Decodes one stream listpack node (t_stream.c layout: master entry, then entries with
// flags, ID deltas, optional fields and a trailing lp-count) into live entries.
function decodeStreamNode(
  c: RdbCursor,
  master: StreamId,
  lp: Uint8Array,
  at: number,
): RdbStreamEntry[] {
  let items: string[];
  try {
    items = lpDecode(lp);
  } catch (e) {
    c.fail(`Stream listpack integrity check failed: ${(e as Error).message}`, at);
  }
  if (items.length === 0) c.fail("Empty listpack inside stream", at);
  const num = (i: number): number => {
    const v = Number(items[i]);
    if (!Number.isSafeInteger(v)) c.fail("Bad stream listpack entry", at);
    return v;
  };
  let p = 0;
  const count = num(p++);
  const deleted = num(p++);
  const nmaster = num(p++);
  const masterFields = items.slice(p, p + nmaster);
  p += nmaster;
  if (items[p++] !== "0") c.fail("Bad stream master entry terminator", at);
  const out: RdbStreamEntry[] = [];
  let seen = 0;
  while (p < items.length) {
    const flags = num(p++);
    const ms = (master.ms + BigInt(items[p++])) & U64_MASK;
    const seq = (master.seq + BigInt(items[p++])) & U64_MASK;
    let fields: string[];
    if (flags & C.STREAM_ITEM_FLAG_SAMEFIELDS) {
      fields = new Array(nmaster * 2);
      for (let i = 0; i < nmaster; i++) {
        fields[2 * i] = masterFields[i];
        fields[2 * i + 1] = items[p++];
      }
    } else {
      const n = num(p++);
      fields = items.slice(p, p + 2 * n);
      p += 2 * n;
    }
    p++; // lp-count
    if (p > items.length) c.fail("Truncated stream listpack entry", at);
    seen++;
    if (!(flags & C.STREAM_ITEM_FLAG_DELETED)) out.push({ id: { ms, seq }, fields });
  }
  if (seen !== count + deleted) c.fail("Stream listpack entry count mismatch", at);
  return out;
}

function readStream(c: RdbCursor, type: number): RdbStream {
  const nodes = c.len();
  const entries: RdbStreamEntry[] = [];
  for (let i = 0; i < nodes; i++) {
    const at = c.pos;
    const master = streamIdFromKey(c, c.stringBytes(), at);
    const lpAt = c.pos;
    const lp = c.stringBytes();
    for (const e of decodeStreamNode(c, master, lp, lpAt)) entries.push(e);
  }
  const lengthAt = c.pos;
  const length = c.len();
  if (length !== entries.length) c.fail("Stream length does not match its entries", lengthAt);
  const lastId = { ms: c.lenBig(), seq: c.lenBig() };
  let firstId: StreamId;
  let maxDeletedId: StreamId;
  let entriesAdded: bigint;
  if (type >= C.RDB_TYPE_STREAM_LISTPACKS_2) {
    firstId = { ms: c.lenBig(), seq: c.lenBig() };
    maxDeletedId = { ms: c.lenBig(), seq: c.lenBig() };
    entriesAdded = c.lenBig();
  } else {
    // Redis 7 derives these for streams from older files (rdb.c).
    firstId = entries.length ? entries[0].id : { ms: 0n, seq: 0n };
    maxDeletedId = { ms: 0n, seq: 0n };
    entriesAdded = BigInt(length);
  }
  const ngroups = c.len();
  const groups: RdbGroup[] = [];
  for (let g = 0; g < ngroups; g++) {
    const name = c.string();
    const glast = { ms: c.lenBig(), seq: c.lenBig() };
    // Not stored before RDB_TYPE_STREAM_LISTPACKS_2: the loader estimates it (null).
    let entriesRead: number | null = null;
    if (type >= C.RDB_TYPE_STREAM_LISTPACKS_2) {
      const v = c.lenBig();
      // SCG_INVALID_ENTRIES_READ is -1 stored as an unsigned 64-bit length.
      entriesRead = v > BigInt(Number.MAX_SAFE_INTEGER) ? -1 : Number(v);
    }
    const npel = c.len();
    const pel: RdbPendingEntry[] = [];
    const byId = new Map<string, RdbPendingEntry>();
    for (let k = 0; k < npel; k++) {
      const id = rawStreamId(c);
      const e = { id, deliveryTime: c.millis(), deliveryCount: c.len(), consumer: "" };
      pel.push(e);
      byId.set(`${id.ms}-${id.seq}`, e);
    }
    const ncons = c.len();
    const consumers: RdbConsumer[] = [];
    for (let k = 0; k < ncons; k++) {
      const cname = c.string();
      const seenTime = c.millis();
      const activeTime = type >= C.RDB_TYPE_STREAM_LISTPACKS_3 ? c.millis() : -1;
      consumers.push({ name: cname, seenTime, activeTime });
      const n = c.len();
      for (let j = 0; j < n; j++) {
        const at = c.pos;
        const id = rawStreamId(c);
        const e = byId.get(`${id.ms}-${id.seq}`);
        if (e === undefined) c.fail("Consumer entry not found in group global PEL", at);
        e.consumer = cname;
      }
    }
    for (const e of pel) {
      if (e.consumer === "") c.fail("Group PEL entry without a consumer", c.pos);
    }
    groups.push({ name, lastId: glast, entriesRead, pel, consumers });
  }
  return { entries, lastId, firstId, maxDeletedId, entriesAdded, groups };
}

function decodePacked(c: RdbCursor, fn: (b: Uint8Array) => string[], what: string): string[] {
  const at = c.pos;
  const b = c.stringBytes();
  try {
    return fn(b);
  } catch (e) {
    c.fail(`${what} integrity check failed: ${(e as Error).message}`, at);
  }
}

function pairs(c: RdbCursor, flat: string[], at: number): [string[], string[]] {
  if (flat.length % 2 !== 0) c.fail("Odd number of elements in a pair encoding", at);
  const a = new Array<string>(flat.length / 2);
  const b = new Array<string>(flat.length / 2);
  for (let i = 0; i < a.length; i++) {
    a[i] = flat[2 * i];
    b[i] = flat[2 * i + 1];
  }
  return [a, b];
}

function zsetFromPairs(c: RdbCursor, flat: string[], at: number): RdbObject {
  const [members, raw] = pairs(c, flat, at);
  const scores = raw.map((s) => {
    const v = Number(s.replace(/^([+-]?)inf$/i, "$1Infinity"));
    if (Number.isNaN(v)) c.fail("Invalid zset score", at);
    return v;
  });
  return { type: "zset", members, scores };
}

/**
 * Reads one value of RDB type `type` at the cursor (rdbLoadObject).
 * @returns the value
 */
export function readObject(c: RdbCursor, type: number): RdbObject {
  const at = c.pos;
  switch (type) {
    case C.RDB_TYPE_STRING:
      return { type: "string", value: c.string() };
    case C.RDB_TYPE_LIST:
    case C.RDB_TYPE_SET: {
      const n = c.len();
      const items = new Array<string>(n);
      for (let i = 0; i < n; i++) items[i] = c.string();
      return type === C.RDB_TYPE_LIST ? { type: "list", items } : { type: "set", members: items };
    }
    case C.RDB_TYPE_ZSET:
    case C.RDB_TYPE_ZSET_2: {
      const n = c.len();
      const members = new Array<string>(n);
      const scores = new Array<number>(n);
      for (let i = 0; i < n; i++) {
        members[i] = c.string();
        scores[i] = type === C.RDB_TYPE_ZSET_2 ? c.f64le() : c.stringDouble();
        if (Number.isNaN(scores[i])) c.fail("Zset with NAN score detected");
      }
      return { type: "zset", members, scores };
    }
    case C.RDB_TYPE_HASH: {
      const n = c.len();
      const fields = new Array<string>(n);
      const values = new Array<string>(n);
      for (let i = 0; i < n; i++) {
        fields[i] = c.string();
        values[i] = c.string();
      }
      return { type: "hash", fields, values };
    }
    case C.RDB_TYPE_LIST_QUICKLIST:
    case C.RDB_TYPE_LIST_QUICKLIST_2: {
      const nodes = c.len();
      const items: string[] = [];
      for (let i = 0; i < nodes; i++) {
        let container = C.QUICKLIST_NODE_CONTAINER_PACKED;
        if (type === C.RDB_TYPE_LIST_QUICKLIST_2) {
          const cat = c.pos;
          container = c.len();
          if (
            container !== C.QUICKLIST_NODE_CONTAINER_PACKED &&
            container !== C.QUICKLIST_NODE_CONTAINER_PLAIN
          ) c.fail("Quicklist integrity check failed", cat);
        }
        if (container === C.QUICKLIST_NODE_CONTAINER_PLAIN) {
          items.push(c.string());
          continue;
        }
        const els = type === C.RDB_TYPE_LIST_QUICKLIST_2
          ? decodePacked(c, lpDecode, "Listpack")
          : decodePacked(c, zlDecode, "Ziplist");
        for (const e of els) items.push(e);
      }
      return { type: "list", items };
    }
    case C.RDB_TYPE_LIST_ZIPLIST:
      return { type: "list", items: decodePacked(c, zlDecode, "Ziplist") };
    case C.RDB_TYPE_SET_INTSET:
      return { type: "set", members: decodePacked(c, intsetDecode, "Intset") };
    case C.RDB_TYPE_SET_LISTPACK:
      return { type: "set", members: decodePacked(c, lpDecode, "Listpack") };
    case C.RDB_TYPE_ZSET_ZIPLIST:
      return zsetFromPairs(c, decodePacked(c, zlDecode, "Ziplist"), at);
    case C.RDB_TYPE_ZSET_LISTPACK:
      return zsetFromPairs(c, decodePacked(c, lpDecode, "Listpack"), at);
    case C.RDB_TYPE_HASH_ZIPMAP:
    case C.RDB_TYPE_HASH_ZIPLIST:
    case C.RDB_TYPE_HASH_LISTPACK: {
      const fn = type === C.RDB_TYPE_HASH_ZIPMAP
        ? zipmapDecode
        : type === C.RDB_TYPE_HASH_ZIPLIST
        ? zlDecode
        : lpDecode;
      const [fields, values] = pairs(c, decodePacked(c, fn, "Hash encoding"), at);
      return { type: "hash", fields, values };
    }
    case C.RDB_TYPE_STREAM_LISTPACKS:
    case C.RDB_TYPE_STREAM_LISTPACKS_2:
    case C.RDB_TYPE_STREAM_LISTPACKS_3:
      return { type: "stream", stream: readStream(c, type) };
    case C.RDB_TYPE_MODULE_PRE_GA:
    case C.RDB_TYPE_MODULE_2:
      c.fail("Module values are not supported", at - 1);
      break;
    default:
      c.fail(`Unknown RDB encoding type ${type}`, at - 1);
  }
}

/** True when `t` is a value type byte (not an opcode). */
export function isObjectType(t: number): boolean {
  return (t >= 0 && t <= 7) || (t >= 9 && t <= 21);
}

/**
 * Reads a whole RDB file image, calling `visitor` for every key and aux field.
 * @param data the file bytes
 * @param visitor receives keys and metadata
 * @returns the version and key count
 */
export function readRdb(
  data: Uint8Array,
  visitor: RdbVisitor,
  opts: RdbReadOptions = {},
): RdbInfo {
  const steps = readRdbSteps(data, visitor, opts);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/**
 * `readRdb` as a generator that yields the byte offset reached after every key, so a caller
 * can load in steps and serve clients in between (Redis's loading-process-events-interval).
 * @returns (as the generator's return value) the version and key count
 */
export function* readRdbSteps(
  data: Uint8Array,
  visitor: RdbVisitor,
  opts: RdbReadOptions = {},
): Generator<number, RdbInfo> {
  const c = new RdbCursor(data);
  if (data.length < 9) c.fail("Unexpected EOF reading RDB file", data.length);
  const magic = new TextDecoder().decode(data.subarray(0, 5));
  if (magic !== "REDIS") c.fail("Wrong signature trying to load DB from file", 0);
  const vtext = new TextDecoder().decode(data.subarray(5, 9));
  const version = /^\d{4}$/.test(vtext) ? Number(vtext) : -1;
  if (version < 1 || version > C.RDB_MAX_VERSION) {
    c.fail(`Can't handle RDB format version ${vtext}`, 5);
  }
  c.pos = 9;
  let db = 0;
  let expireAt = -1;
  let idle = -1;
  let freq = -1;
  let keys = 0;
  for (;;) {
    const typeAt = c.pos;
    const type = c.byte();
    if (type === C.RDB_OPCODE_EXPIRETIME) {
      // rdbLoadTime: a signed 32-bit count of seconds.
      expireAt = (c.u32le() | 0) * 1000;
      continue;
    }
    if (type === C.RDB_OPCODE_EXPIRETIME_MS) {
      expireAt = c.millis();
      continue;
    }
    if (type === C.RDB_OPCODE_FREQ) {
      freq = c.byte();
      continue;
    }
    if (type === C.RDB_OPCODE_IDLE) {
      idle = c.len();
      continue;
    }
    if (type === C.RDB_OPCODE_EOF) break;
    if (type === C.RDB_OPCODE_SELECTDB) {
      const at = c.pos;
      db = c.len();
      if (opts.maxDb !== undefined && db >= opts.maxDb) {
        c.fail(
          `Data file was created with a Redis server configured to handle more than ${opts.maxDb} databases`,
          at,
        );
      }
      continue;
    }
    if (type === C.RDB_OPCODE_RESIZEDB) {
      const size = c.len();
      const exp = c.len();
      visitor.resizeDb?.(db, size, exp);
      continue;
    }
    if (type === C.RDB_OPCODE_AUX) {
      const k = c.string();
      const v = c.string();
      visitor.aux?.(k, v);
      continue;
    }
    if (type === C.RDB_OPCODE_FUNCTION2) {
      const code = c.string();
      try {
        visitor.functionCode?.(code);
      } catch (e) {
        // A library that does not compile or already exists fails the load, as in Redis.
        if (e instanceof RdbFormatError) throw e;
        c.fail((e as Error).message, typeAt);
      }
      continue;
    }
    if (type === C.RDB_OPCODE_FUNCTION_PRE_GA) {
      c.fail("Pre-release function format not supported", typeAt);
    }
    if (type === C.RDB_OPCODE_MODULE_AUX) {
      c.fail("Module auxiliary data is not supported (no modules are loaded)", typeAt);
    }
    if (!isObjectType(type)) c.fail(`Unknown RDB encoding type ${type}`, typeAt);
    const key = c.string();
    let value: RdbObject;
    try {
      value = readObject(c, type);
    } catch (e) {
      // Garbage inside an encoded value (listpack, stream node ...) can fail in the decoders
      // with a RangeError or SyntaxError: still a bad file, never a crash of the loader.
      if (e instanceof RdbFormatError) throw e;
      throw new RdbFormatError(`Bad data format: ${(e as Error).message} (key '${key}')`, typeAt);
    }
    try {
      visitor.key(db, key, value, expireAt, idle, freq);
    } catch (e) {
      if (e instanceof RdbFormatError) throw e;
      c.fail(`${(e as Error).message} (key '${key}')`, typeAt);
    }
    keys++;
    expireAt = -1;
    idle = -1;
    freq = -1;
    yield c.pos;
  }
  const eofEnd = c.pos;
  if (version >= 5) {
    const at = c.pos;
    c.bytes(8);
    let zero = true;
    for (let i = at; i < at + 8; i++) if (data[i] !== 0) zero = false;
    if (!zero && opts.verifyChecksum !== false) {
      const crc = crc64Init();
      crc64Update(crc, data, 0, eofEnd);
      if (!crc64EqualsLE(crc, data, at)) c.fail("Wrong RDB checksum", at);
    }
  }
  return { version, keys, end: c.pos };
}

/**
 * Checks a DUMP payload's footer (2-byte RDB version, CRC64) like verifyDumpPayload.
 * @returns the RDB version, or -1 when the version is newer than ours or the CRC is wrong
 */
export function verifyDumpPayload(p: Uint8Array, maxVersion: number = C.RDB_VERSION): number {
  if (p.length < 10) return -1;
  const footer = p.length - 10;
  const ver = p[footer] | (p[footer + 1] << 8);
  if (ver > maxVersion) return -1;
  const crc = crc64Init();
  crc64Update(crc, p, 0, p.length - 8);
  return crc64EqualsLE(crc, p, p.length - 8) ? ver : -1;
}

/**
 * Decodes a DUMP payload's value (after `verifyDumpPayload`).
 * @returns the value, or throws RdbFormatError
 */
export function readDumpPayload(p: Uint8Array): RdbObject {
  const c = new RdbCursor(p.subarray(0, p.length - 10));
  const type = c.byte();
  if (!isObjectType(type)) c.fail(`Unknown RDB encoding type ${type}`, 0);
  // Like Redis, bytes after the value are ignored.
  return readObject(c, type);
}
