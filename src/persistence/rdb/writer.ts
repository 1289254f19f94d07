// RDB writer: a byte sink that streams fixed-size chunks to a callback while folding them
// into the CRC64, plus the encoders Redis 7.0's rdbSave* functions use for lengths, strings
// (integer encodings, LZF above 20 bytes) and every value type. Files are version 10, which
// Redis 7.0 loads and redis-check-rdb accepts.

import { writeStr } from "../../util/bytes.ts";
import { formatDouble, parseI64 } from "../../util/numbers.ts";
import * as C from "./constants.ts";
import { type Crc64, crc64Init, crc64Update, crc64WriteLE } from "./crc64.ts";
import { ListpackBuilder } from "./listpack.ts";
import { lzfCompress } from "./lzf.ts";
import type { RdbObject, StreamId } from "./reader.ts";

const CHUNK = 256 * 1024;

/** Writes RDB primitives into chunks handed to `sink` (or kept in memory when none). */
export class RdbWriter {
  #buf = new Uint8Array(CHUNK);
  #pos = 0;
  readonly #crc: Crc64 = crc64Init();
  readonly #sink: ((chunk: Uint8Array) => void) | null;
  readonly #kept: Uint8Array[] = [];
  /** Total bytes written so far. */
  written = 0;
  /** Compress strings over 20 bytes with LZF (rdbcompression). */
  compression: boolean;
  /** The db the entries being written belong to, when the caller says (-1: unknown). */
  dbId = -1;

  /**
   * @param sink receives each full chunk (a view that is reused afterwards: copy or write it
   *   out before returning); null keeps everything for `toBytes()`
   * @param compression LZF-compress long strings
   */
  constructor(sink: ((chunk: Uint8Array) => void) | null, compression = true) {
    this.#sink = sink;
    this.compression = compression;
  }

  #flush(): void {
    if (this.#pos === 0) return;
    const chunk = this.#buf.subarray(0, this.#pos);
    crc64Update(this.#crc, chunk);
    if (this.#sink !== null) this.#sink(chunk);
    else {
      this.#kept.push(chunk);
      this.#buf = new Uint8Array(CHUNK);
    }
    this.#pos = 0;
  }

  #room(n: number): void {
    if (this.#pos + n > this.#buf.length) {
      this.#flush();
      if (n > this.#buf.length) this.#buf = new Uint8Array(n);
    }
  }

  byte(b: number): void {
    this.#room(1);
    this.#buf[this.#pos++] = b;
    this.written++;
  }

  raw(b: Uint8Array): void {
    if (b.length > CHUNK) {
      this.#flush();
      crc64Update(this.#crc, b);
      if (this.#sink !== null) this.#sink(b);
      else this.#kept.push(b.slice());
      this.written += b.length;
      return;
    }
    this.#room(b.length);
    this.#buf.set(b, this.#pos);
    this.#pos += b.length;
    this.written += b.length;
  }

  /** Writes a byte string's bytes without a length. */
  rawStr(s: string): void {
    if (s.length > CHUNK) {
      const u8 = new Uint8Array(s.length);
      writeStr(u8, 0, s);
      this.raw(u8);
      return;
    }
    this.#room(s.length);
    this.#pos = writeStr(this.#buf, this.#pos, s);
    this.written += s.length;
  }

  /** rdbSaveLen: 1, 2, 5 or 9 bytes. */
  len(n: number | bigint): void {
    if (typeof n === "bigint" && n <= 0xffffffffn) n = Number(n);
    this.#room(9);
    const b = this.#buf;
    let o = this.#pos;
    if (typeof n === "number" && n < 64) {
      b[o++] = n;
    } else if (typeof n === "number" && n < 16384) {
      b[o++] = (n >> 8) | 0x40;
      b[o++] = n & 0xff;
    } else if (typeof n === "number" && n <= 0xffffffff) {
      b[o++] = C.RDB_32BITLEN;
      b[o++] = n >>> 24;
      b[o++] = (n >>> 16) & 0xff;
      b[o++] = (n >>> 8) & 0xff;
      b[o++] = n & 0xff;
    } else {
      b[o++] = C.RDB_64BITLEN;
      new DataView(b.buffer, b.byteOffset + o, 8).setBigUint64(0, BigInt(n), false);
      o += 8;
    }
    this.written += o - this.#pos;
    this.#pos = o;
  }

  /** rdbSaveMillisecondTime: 8 bytes little-endian. */
  millis(ms: number): void {
    this.#room(8);
    new DataView(this.#buf.buffer, this.#buf.byteOffset + this.#pos, 8).setBigInt64(
      0,
      BigInt(Math.trunc(ms)),
      true,
    );
    this.#pos += 8;
    this.written += 8;
  }

  /** rdbSaveBinaryDoubleValue: 8 bytes little-endian IEEE 754. */
  double(v: number): void {
    this.#room(8);
    new DataView(this.#buf.buffer, this.#buf.byteOffset + this.#pos, 8).setFloat64(0, v, true);
    this.#pos += 8;
    this.written += 8;
  }

  /** rdbSaveRawString: integer encoding for short integers, LZF when it pays, else plain. */
  string(s: string): void {
    const len = s.length;
    if (len <= 11 && len > 0) {
      const c = s.charCodeAt(0);
      if ((c >= 48 && c <= 57) || c === 45) {
        const v = parseI64(s);
        if (typeof v === "number" && v >= -2147483648 && v <= 2147483647) {
          this.#int(v);
          return;
        }
      }
    }
    if (this.compression && len > 20 && this.#lzf(s)) return;
    this.len(len);
    this.rawStr(s);
  }

  /** Writes bytes as an RDB string (listpacks, intsets), LZF-compressed when it pays. */
  stringBytes(b: Uint8Array): void {
    if (this.compression && b.length > 20) {
      const out = lzfCompress(b, b.length - 4);
      if (out !== null) {
        this.byte((C.RDB_ENCVAL << 6) | C.RDB_ENC_LZF);
        this.len(out.length);
        this.len(b.length);
        this.raw(out);
        return;
      }
    }
    this.len(b.length);
    this.raw(b);
  }

  #int(v: number): void {
    this.#room(5);
    const b = this.#buf;
    let o = this.#pos;
    if (v >= -128 && v <= 127) {
      b[o++] = (C.RDB_ENCVAL << 6) | C.RDB_ENC_INT8;
      b[o++] = v & 0xff;
    } else if (v >= -32768 && v <= 32767) {
      b[o++] = (C.RDB_ENCVAL << 6) | C.RDB_ENC_INT16;
      b[o++] = v & 0xff;
      b[o++] = (v >> 8) & 0xff;
    } else {
      b[o++] = (C.RDB_ENCVAL << 6) | C.RDB_ENC_INT32;
      b[o++] = v & 0xff;
      b[o++] = (v >> 8) & 0xff;
      b[o++] = (v >> 16) & 0xff;
      b[o++] = (v >> 24) & 0xff;
    }
    this.written += o - this.#pos;
    this.#pos = o;
  }

  #lzf(s: string): boolean {
    const u8 = new Uint8Array(s.length);
    writeStr(u8, 0, s);
    const out = lzfCompress(u8, s.length - 4);
    if (out === null) return false;
    this.byte((C.RDB_ENCVAL << 6) | C.RDB_ENC_LZF);
    this.len(out.length);
    this.len(s.length);
    this.raw(out);
    return true;
  }

  /** The file header `REDIS0010`. */
  header(version = C.RDB_VERSION): void {
    this.rawStr(`REDIS${String(version).padStart(4, "0")}`);
  }

  /** An AUX field. */
  aux(key: string, value: string): void {
    this.byte(C.RDB_OPCODE_AUX);
    this.string(key);
    this.string(value);
  }

  /**
   * Ends the file: EOF opcode and the CRC64 (zeros when `checksum` is false), then flushes.
   */
  finish(checksum = true): void {
    this.byte(C.RDB_OPCODE_EOF);
    this.#flush();
    const tail = new Uint8Array(8);
    if (checksum) crc64WriteLE(this.#crc, tail, 0);
    this.written += 8;
    if (this.#sink !== null) this.#sink(tail);
    else this.#kept.push(tail);
  }

  /**
   * Ends a DUMP payload: 2-byte RDB version and CRC64 of everything before it.
   */
  finishDump(version = C.RDB_VERSION): void {
    this.byte(version & 0xff);
    this.byte(version >> 8);
    this.#flush();
    const tail = new Uint8Array(8);
    crc64WriteLE(this.#crc, tail, 0);
    this.written += 8;
    if (this.#sink !== null) this.#sink(tail);
    else this.#kept.push(tail);
  }

  /** Everything written, when constructed without a sink. */
  toBytes(): Uint8Array {
    this.#flush();
    if (this.#kept.length === 1) return this.#kept[0];
    const out = new Uint8Array(this.written);
    let o = 0;
    for (const k of this.#kept) {
      out.set(k, o);
      o += k.length;
    }
    return out;
  }
}

/**
 * Redis 7.0's d2string (how listpack zsets store scores): integral values within
 * ±LLONG_MAX/2 (double2ll) in full digits, anything else as %.17g.
 */
export function d2string(v: number): string {
  if (Number.isNaN(v)) return "nan";
  if (v === Infinity) return "inf";
  if (v === -Infinity) return "-inf";
  if (v === 0) return Object.is(v, -0) ? "-0" : "0";
  // (double)(LLONG_MAX / 2) rounds to 2^62.
  if (v >= -4611686018427387904 && v <= 4611686018427387904 && Number.isInteger(v)) {
    return BigInt(v).toString();
  }
  return formatDouble(v);
}

// quicklist.c's optimization_level and SIZE_SAFETY_LIMIT.
const OPTIMIZATION_LEVEL = [4096, 8192, 16384, 32768, 65536];
const SIZE_SAFETY_LIMIT = 8192;

// Redis 7.0's _quicklistNodeAllowInsert: may an element of `sz` bytes join a node of `bytes`
// bytes and `count` elements under list-max-listpack-size `fill`?
function allowInsert(bytes: number, count: number, sz: number, fill: number): boolean {
  let overhead = sz < 254 ? 1 : 5;
  overhead += sz < 64 ? 1 : sz < 16384 ? 2 : 5;
  const newSz = bytes + sz + overhead;
  if (fill < 0 && newSz <= OPTIMIZATION_LEVEL[Math.min(-fill, 5) - 1]) return true;
  if (newSz > SIZE_SAFETY_LIMIT) return false;
  return count < fill;
}

/**
 * Writes a list as RDB_TYPE_LIST_QUICKLIST_2 (without the type byte): packed listpack nodes
 * filled as RPUSH fills them under list-max-listpack-size `fill`.
 * @param length number of elements (a list is never empty when saved)
 */
export function writeQuicklist(
  w: RdbWriter,
  items: Iterable<string>,
  length: number,
  fill = -2,
): void {
  const nodes: Uint8Array[] = [];
  let b = new ListpackBuilder();
  let n = 0;
  for (const s of items) {
    if (b.count > 0 && !allowInsert(b.bytes, b.count, s.length, fill)) {
      nodes.push(b.finish());
      b = new ListpackBuilder();
    }
    b.append(s);
    n++;
  }
  if (b.count > 0) nodes.push(b.finish());
  if (n !== length) throw new RangeError("list length changed while saving");
  w.len(nodes.length);
  for (const lp of nodes) {
    w.len(C.QUICKLIST_NODE_CONTAINER_PACKED);
    w.stringBytes(lp);
  }
}

/** Writes elements as one listpack string (small hashes, zsets). */
export function writeListpack(w: RdbWriter, items: Iterable<string>): void {
  const b = new ListpackBuilder();
  for (const s of items) b.append(s);
  w.stringBytes(b.finish());
}

/** Writes integer members as an intset (RDB_TYPE_SET_INTSET), sorted ascending. */
export function writeIntset(w: RdbWriter, members: Iterable<string>): void {
  const vals: bigint[] = [];
  for (const m of members) vals.push(BigInt(m));
  vals.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  let enc = 2;
  for (const v of vals) {
    if (v < -2147483648n || v > 2147483647n) enc = 8;
    else if ((v < -32768n || v > 32767n) && enc < 4) enc = 4;
  }
  const out = new Uint8Array(8 + enc * vals.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, enc, true);
  dv.setUint32(4, vals.length, true);
  for (let i = 0; i < vals.length; i++) {
    const o = 8 + i * enc;
    if (enc === 2) dv.setInt16(o, Number(vals[i]), true);
    else if (enc === 4) dv.setInt32(o, Number(vals[i]), true);
    else dv.setBigInt64(o, vals[i], true);
  }
  w.stringBytes(out);
}

/** A stream entry as the writer takes it; `deleted` marks a tombstone kept in its node. */
export interface StreamEntrySource {
  id: StreamId;
  fields: string[];
  deleted?: boolean;
}

/** One listpack node: master ID, master field names, entries (tombstones included). */
export interface StreamNodeSource {
  master: StreamId;
  masterFields: string[];
  entries: StreamEntrySource[];
}

/** A stream as the writer needs it (the reader's RdbStream fits). */
export interface StreamSource {
  /** Live entries in ID order; used when `nodes` is absent. */
  entries: Iterable<StreamEntrySource>;
  /** The stream's own node layout, written as is when given. */
  nodes?: Iterable<StreamNodeSource>;
  length: number;
  lastId: StreamId;
  firstId: StreamId;
  maxDeletedId: StreamId;
  entriesAdded: bigint;
  groups: {
    name: string;
    lastId: StreamId;
    /** -1 (or null, unknown) is written as SCG_INVALID_ENTRIES_READ. */
    entriesRead: number | null;
    pel: { id: StreamId; deliveryTime: number; deliveryCount: number | bigint; consumer: string }[];
    consumers: { name: string; seenTime: number }[];
  }[];
}

function idKey(id: StreamId): Uint8Array {
  const b = new Uint8Array(16);
  const dv = new DataView(b.buffer);
  dv.setBigUint64(0, id.ms, false);
  dv.setBigUint64(8, id.seq, false);
  return b;
}

// An int64 listpack element from a bigint delta (ID parts are unsigned; Redis stores the
// difference as a signed 64-bit integer).
function appendDelta(b: ListpackBuilder, d: bigint): void {
  const v = BigInt.asIntN(64, d);
  b.appendInt(v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v);
}

/**
 * Encodes one stream node as t_stream.c lays it out: master entry (count, deleted, field
 * count, fields, 0), then per entry flags, ID deltas, fields or values only (SAMEFIELDS), and
 * the entry's element count.
 */
export function encodeStreamNode(node: StreamNodeSource): Uint8Array {
  let live = 0;
  let dead = 0;
  for (const e of node.entries) {
    if (e.deleted) dead++;
    else live++;
  }
  const mf = node.masterFields;
  const b = new ListpackBuilder();
  b.appendInt(live);
  b.appendInt(dead);
  b.appendInt(mf.length);
  for (const f of mf) b.append(f);
  b.appendInt(0);
  for (const e of node.entries) {
    const nf = e.fields.length / 2;
    let same = nf === mf.length;
    for (let i = 0; same && i < nf; i++) if (e.fields[2 * i] !== mf[i]) same = false;
    let flags = same ? C.STREAM_ITEM_FLAG_SAMEFIELDS : 0;
    if (e.deleted) flags |= C.STREAM_ITEM_FLAG_DELETED;
    b.appendInt(flags);
    appendDelta(b, e.id.ms - node.master.ms);
    appendDelta(b, e.id.seq - node.master.seq);
    if (same) {
      for (let i = 0; i < nf; i++) b.append(e.fields[2 * i + 1]);
    } else {
      b.appendInt(nf);
      for (const f of e.fields) b.append(f);
    }
    b.appendInt(same ? nf + 3 : 2 * nf + 4);
  }
  return b.finish();
}

// Groups live entries into nodes of at most `maxEntries` entries / about `maxBytes` bytes.
function* chunkNodes(
  entries: Iterable<StreamEntrySource>,
  maxEntries: number,
  maxBytes: number,
): Generator<StreamNodeSource> {
  let node: StreamNodeSource | null = null;
  let bytes = 0;
  for (const e of entries) {
    if (
      node !== null &&
      ((maxEntries > 0 && node.entries.length >= maxEntries) || (maxBytes > 0 && bytes >= maxBytes))
    ) {
      yield node;
      node = null;
    }
    if (node === null) {
      const mf: string[] = [];
      for (let i = 0; i < e.fields.length; i += 2) mf.push(e.fields[i]);
      node = { master: e.id, masterFields: mf, entries: [] };
      bytes = 0;
    }
    node.entries.push(e);
    for (const f of e.fields) bytes += f.length + 2;
  }
  if (node !== null) yield node;
}

/**
 * Writes a stream as RDB_TYPE_STREAM_LISTPACKS_2: listpack nodes, metadata, then consumer
 * groups with their PELs and consumers.
 */
export function writeStream(
  w: RdbWriter,
  s: StreamSource,
  maxEntries = 100,
  maxBytes = 4096,
): void {
  const nodes: [StreamId, Uint8Array][] = [];
  for (const n of s.nodes ?? chunkNodes(s.entries, maxEntries, maxBytes)) {
    if (n.entries.length > 0) nodes.push([n.master, encodeStreamNode(n)]);
  }
  w.len(nodes.length);
  for (const [id, lp] of nodes) {
    w.stringBytes(idKey(id));
    w.stringBytes(lp);
  }
  w.len(s.length);
  w.len(s.lastId.ms);
  w.len(s.lastId.seq);
  w.len(s.firstId.ms);
  w.len(s.firstId.seq);
  w.len(s.maxDeletedId.ms);
  w.len(s.maxDeletedId.seq);
  w.len(s.entriesAdded);
  w.len(s.groups.length);
  for (const g of s.groups) {
    w.string(g.name);
    w.len(g.lastId.ms);
    w.len(g.lastId.seq);
    // SCG_INVALID_ENTRIES_READ (-1) is stored as an unsigned 64-bit length.
    w.len(g.entriesRead === null || g.entriesRead < 0 ? (1n << 64n) - 1n : g.entriesRead);
    w.len(g.pel.length);
    for (const p of g.pel) {
      w.raw(idKey(p.id));
      w.millis(p.deliveryTime);
      w.len(p.deliveryCount);
    }
    w.len(g.consumers.length);
    const byConsumer = new Map<string, StreamId[]>();
    for (const p of g.pel) {
      let l = byConsumer.get(p.consumer);
      if (l === undefined) byConsumer.set(p.consumer, l = []);
      l.push(p.id);
    }
    for (const c of g.consumers) {
      w.string(c.name);
      w.millis(c.seenTime);
      const mine = byConsumer.get(c.name) ?? [];
      w.len(mine.length);
      for (const id of mine) w.raw(idKey(id));
    }
  }
}

/**
 * Writes a type-neutral value with the plainest encodings Redis 7.0 loads: its type byte,
 * then `key` when given (a file entry; a DUMP payload has none), then the payload.
 */
export function writeRdbObject(w: RdbWriter, obj: RdbObject, key?: string): void {
  const typeByte = obj.type === "string"
    ? C.RDB_TYPE_STRING
    : obj.type === "list"
    ? C.RDB_TYPE_LIST_QUICKLIST_2
    : obj.type === "set"
    ? C.RDB_TYPE_SET
    : obj.type === "zset"
    ? C.RDB_TYPE_ZSET_2
    : obj.type === "hash"
    ? C.RDB_TYPE_HASH
    : C.RDB_TYPE_STREAM_LISTPACKS_2;
  w.byte(typeByte);
  if (key !== undefined) w.string(key);
  switch (obj.type) {
    case "string":
      w.string(obj.value);
      break;
    case "list":
      writeQuicklist(w, obj.items, obj.items.length);
      break;
    case "set":
      w.len(obj.members.length);
      for (const m of obj.members) w.string(m);
      break;
    case "zset":
      // Redis saves skiplists from the greatest element down (loading then inserts at the head).
      w.len(obj.members.length);
      for (let i = obj.members.length - 1; i >= 0; i--) {
        w.string(obj.members[i]);
        w.double(obj.scores[i]);
      }
      break;
    case "hash":
      w.len(obj.fields.length);
      for (let i = 0; i < obj.fields.length; i++) {
        w.string(obj.fields[i]);
        w.string(obj.values[i]);
      }
      break;
    case "stream":
      writeStream(w, { ...obj.stream, length: obj.stream.entries.length });
      break;
  }
}
