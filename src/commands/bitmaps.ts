// The bitmaps family (bitops.c) over string values, with Redis 7.0's argument order, errors
// and propagation (SETBIT and BITFIELD propagate only when a byte changed or the string grew).
// Large bitmaps are rewritten through a cached ByteRope (util/byte_rope.ts), so one SETBIT does
// not copy the whole immutable JS string.

import {
  BIT_ARG_NOT_BIT,
  BIT_OUT_OF_RANGE,
  BIT_VALUE_OUT_OF_RANGE,
  BITFIELD_INVALID_OVERFLOW,
  BITFIELD_INVALID_TYPE,
  BITFIELD_RO_GET_ONLY,
  BITOP_NOT_SINGLE_KEY,
  NOT_INTEGER,
  ReplyError,
  SYNTAX,
  WRONGTYPE,
} from "../errors.ts";
import type { Reply } from "../resp/types.ts";
import type { Database } from "../store/database.ts";
import { ByteRope } from "../util/byte_rope.ts";
import { bytesToStr } from "../util/bytes.ts";
import { normInt, parseI64 } from "../util/numbers.ts";
import { ValueCache } from "../util/value_cache.ts";
import { type CommandSpec, type Ctx, type KeySpec, rangeKeySpec } from "./spec.ts";

/** V8's longest string (2^29 - 24 chars): a bitmap cannot grow beyond it, unlike in Redis. */
const MAX_STRING_LENGTH = (1 << 29) - 24;
/** Strings at least this long are rewritten through a ByteRope; shorter ones are re-sliced. */
const ROPE_MIN = 16384;
const ropes = new ValueCache<ByteRope>(32);

/** Set bits per byte value. */
const POPCOUNT = new Uint8Array(256);
for (let i = 1; i < 256; i++) POPCOUNT[i] = (i & 1) + POPCOUNT[i >> 1];

/** True when `s` is `word` (lowercase ASCII letters) in any letter case; allocates nothing. */
function isOpt(s: string, word: string): boolean {
  const n = word.length;
  if (s.length !== n) return false;
  for (let i = 0; i < n; i++) {
    if ((s.charCodeAt(i) | 0x20) !== word.charCodeAt(i)) return false;
  }
  return true;
}

function notify(ctx: Ctx, type: string, event: string, key: string): void {
  ctx.server.keyspace.hooks.notify(type, event, key, ctx.db.id);
}

// lookupKeyRead plus checkType: the string at `key` or undefined; WRONGTYPE for other types.
function readString(db: Database, key: string): string | undefined {
  const v = db.lookupRead(key);
  if (v === undefined || typeof v === "string") return v;
  throw new ReplyError(WRONGTYPE);
}

// The byte at `i` of `v`, the value of `key` (0 past the end). A value held by a cached rope is
// read through its leaves, which keeps V8 from flattening the whole string for one byte.
function byteAt(db: Database, key: string, v: string, i: number): number {
  if (i >= v.length) return 0;
  if (v.length >= ROPE_MIN) {
    const rope = ropes.get(db, key, v);
    if (rope !== undefined) return rope.byteAt(i);
  }
  return v.charCodeAt(i);
}

// The bytes `start..end-1` of `v` for a range read: a string and the index of its first byte.
// A short range of a value held by a cached rope is cut from the leaves; otherwise it is `v`
// itself (V8 flattens a rope's root once, on the first read).
function rangeView(db: Database, key: string, v: string, start: number, end: number): RangeView {
  if (v.length >= ROPE_MIN && (end - start) * 2 < v.length) {
    const rope = ropes.get(db, key, v);
    if (rope !== undefined) return { s: rope.slice(start, end), base: start };
  }
  return { s: v, base: 0 };
}

interface RangeView {
  s: string;
  base: number;
}

/**
 * getBitOffsetFromArgument: a bit offset, optionally `#N` (N times `bits`, BITFIELD), refused
 * when negative or addressing a byte beyond proto-max-bulk-len (except for our master).
 * @returns the offset (offsets past 2^53 lose precision; they are far beyond any JS string)
 */
function bitOffset(ctx: Ctx, arg: string, hash: boolean, bits: number): number {
  const useHash = hash && bits > 0 && arg.charCodeAt(0) === 35; // '#'
  const v = parseI64(useHash ? arg.slice(1) : arg);
  if (v === null) throw new ReplyError(BIT_OUT_OF_RANGE);
  let off: number | bigint = v;
  if (useHash) {
    // long long multiplication, wrapping as the C code does.
    const prod = BigInt(v) * BigInt(bits);
    off = Number.isSafeInteger(Number(prod)) ? Number(prod) : BigInt.asIntN(64, prod);
  }
  if (off < 0) throw new ReplyError(BIT_OUT_OF_RANGE);
  if (!ctx.client.isMaster) {
    const max = ctx.server.config.num("proto-max-bulk-len");
    if (Math.floor(Number(off) / 8) >= max) throw new ReplyError(BIT_OUT_OF_RANGE);
  }
  return Number(off);
}

// Refuses a write that would need a string longer than V8 allows (Redis would allocate it).
function checkWriteLength(len: number): void {
  if (len > MAX_STRING_LENGTH) throw new ReplyError(BIT_OUT_OF_RANGE);
}

// Stores the rewritten value of `key` as Redis leaves it: in place (TTL kept), raw encoded.
function put(db: Database, key: string, cur: string | undefined, next: string): void {
  if (cur === undefined) db.add(key, next);
  else db.set(key, next, true);
  db.markRaw(key);
}

// The rope holding `cur` (the value of `key`, undefined for a new key), zero-padded to `newLen`
// bytes; the caller writes to it and then stores `rope.value` (see ropeDone).
function ropeFor(db: Database, key: string, cur: string | undefined, newLen: number): ByteRope {
  const rope = (cur === undefined ? undefined : ropes.get(db, key, cur)) ??
    ByteRope.from(cur ?? "");
  rope.grow(newLen);
  return rope;
}

function ropeDone(db: Database, key: string, cur: string | undefined, rope: ByteRope): void {
  const next = rope.value;
  put(db, key, cur, next);
  ropes.set(db, key, next, rope);
}

// Stores `cur` zero-padded to `newLen` bytes with byte `index` set to `b`.
function storeByte(
  db: Database,
  key: string,
  cur: string | undefined,
  newLen: number,
  index: number,
  b: number,
): void {
  if (newLen >= ROPE_MIN) {
    const rope = ropeFor(db, key, cur, newLen);
    rope.setByte(index, b);
    ropeDone(db, key, cur, rope);
    return;
  }
  let s = cur ?? "";
  if (newLen > s.length) s += "\0".repeat(newLen - s.length);
  put(db, key, cur, s.slice(0, index) + String.fromCharCode(b) + s.slice(index + 1));
}

// SETBIT key offset value
function setbit(ctx: Ctx, argv: string[]): Reply {
  const off = bitOffset(ctx, argv[2], false, 0);
  const on = parseI64(argv[3]);
  if (on !== 0 && on !== 1) throw new ReplyError(BIT_VALUE_OUT_OF_RANGE);
  const db = ctx.db;
  const key = argv[1];
  const cur = db.getString(key);
  const byte = Math.floor(off / 8);
  const len = cur === undefined ? 0 : cur.length;
  const grow = cur === undefined || byte >= len;
  if (grow) checkWriteLength(byte + 1);
  const old = cur === undefined ? 0 : byteAt(db, key, cur, byte);
  const mask = 1 << (7 - (off % 8));
  const bitval = (old & mask) !== 0 ? 1 : 0;
  // Nothing is written (or propagated) when the bit already has the value and no byte was
  // added, as Redis 7.0 does.
  if (grow || bitval !== on) {
    storeByte(db, key, cur, Math.max(len, byte + 1), byte, on ? old | mask : old & ~mask);
    notify(ctx, "$", "setbit", key);
  } else {
    db.markRaw(key); // dbUnshareStringValue
  }
  return bitval;
}

// GETBIT key offset
function getbit(ctx: Ctx, argv: string[]): Reply {
  const off = bitOffset(ctx, argv[2], false, 0);
  const key = argv[1];
  const v = readString(ctx.db, key);
  if (v === undefined) return 0;
  const byte = Math.floor(off / 8);
  if (byte >= v.length) return 0;
  return (byteAt(ctx.db, key, v, byte) & (1 << (7 - (off % 8)))) !== 0 ? 1 : 0;
}

/** The set bits of bytes `start..end` (inclusive) of `v`. */
function popcount(v: string, start: number, end: number): number {
  let count = 0;
  for (let i = start; i <= end; i++) count += POPCOUNT[v.charCodeAt(i)];
  return count;
}

function parseLongLong(s: string): bigint {
  const v = parseI64(s);
  if (v === null) throw new ReplyError(NOT_INTEGER);
  return BigInt(v);
}

/** A normalised BITCOUNT/BITPOS range: bytes start..end and the bit masks of the edge bytes. */
interface BitRange {
  start: number;
  end: number;
  firstMask: number;
  lastMask: number;
}

// The negative index conversion and clamping shared by BITCOUNT and BITPOS; `totlen` is the
// string length in the range's unit. Bit ranges become byte ranges plus masks of the bits of
// the first and last byte that lie outside the range.
function normalizeRange(start: bigint, end: bigint, totlen: bigint, isBit: boolean): BitRange {
  if (start < 0n) start += totlen;
  if (end < 0n) end += totlen;
  if (start < 0n) start = 0n;
  if (end < 0n) end = 0n;
  if (end >= totlen) end = totlen - 1n;
  let firstMask = 0;
  let lastMask = 0;
  if (isBit && start <= end) {
    firstMask = ~((1 << (8 - Number(start & 7n))) - 1) & 0xff;
    lastMask = (1 << (7 - Number(end & 7n))) - 1;
    start >>= 3n;
    end >>= 3n;
  }
  return { start: Number(start), end: Number(end), firstMask, lastMask };
}

// BITCOUNT key [start end [BYTE | BIT]]
function bitcount(ctx: Ctx, argv: string[]): Reply {
  // Redis 7.0 looks the key up before parsing the range: a missing key replies 0 whatever the
  // arguments.
  const v = readString(ctx.db, argv[1]);
  if (v === undefined) return 0;
  const argc = argv.length;
  let r: BitRange;
  if (argc === 4 || argc === 5) {
    const start = parseLongLong(argv[2]);
    const end = parseLongLong(argv[3]);
    if (start < 0n && end < 0n && start > end) return 0;
    let isBit = false;
    if (argc === 5) {
      if (isOpt(argv[4], "bit")) isBit = true;
      else if (!isOpt(argv[4], "byte")) throw new ReplyError(SYNTAX);
    }
    const totlen = BigInt(v.length) * (isBit ? 8n : 1n);
    r = normalizeRange(start, end, totlen, isBit);
  } else if (argc === 2) {
    r = { start: 0, end: v.length - 1, firstMask: 0, lastMask: 0 };
  } else {
    throw new ReplyError(SYNTAX);
  }
  if (r.start > r.end) return 0;
  const { s, base } = rangeView(ctx.db, argv[1], v, r.start, r.end + 1);
  const start = r.start - base;
  const end = r.end - base;
  let count = popcount(s, start, end);
  if (r.firstMask !== 0) count -= POPCOUNT[s.charCodeAt(start) & r.firstMask];
  if (r.lastMask !== 0) count -= POPCOUNT[s.charCodeAt(end) & r.lastMask];
  return count;
}

/**
 * redisBitpos: the position of the first `bit` in `count` bytes of `v` from `start`, where the
 * string is taken as zero-padded on the right: -1 when looking for a 1 that is not there,
 * count*8 when looking for a 0 that is not there.
 */
function findBit(v: string, start: number, count: number, bit: number): number {
  const skip = bit ? 0 : 0xff;
  const end = start + count;
  for (let i = start; i < end; i++) {
    const b = v.charCodeAt(i);
    if (b !== skip) return (i - start) * 8 + firstBitIn(b, bit);
  }
  return bit ? -1 : count * 8;
}

// Index (0 = most significant) of the first `bit` in byte `b`; 8 when there is none.
function firstBitIn(b: number, bit: number): number {
  const x = bit ? b : ~b & 0xff;
  return x === 0 ? 8 : Math.clz32(x) - 24;
}

// BITPOS key bit [start [end [BYTE | BIT]]]
function bitpos(ctx: Ctx, argv: string[]): Reply {
  const bitArg = parseI64(argv[2]);
  if (bitArg === null) throw new ReplyError(NOT_INTEGER);
  if (bitArg !== 0 && bitArg !== 1) throw new ReplyError(BIT_ARG_NOT_BIT);
  const bit = bitArg;
  // A missing key is an infinite run of zeros, whatever the other arguments (Redis 7.0).
  const v = readString(ctx.db, argv[1]);
  if (v === undefined) return bit ? -1 : 0;
  const argc = argv.length;
  let endGiven = false;
  let r: BitRange;
  if (argc >= 4 && argc <= 6) {
    let totlen = BigInt(v.length);
    const start = parseLongLong(argv[3]);
    let isBit = false;
    if (argc === 6) {
      if (isOpt(argv[5], "bit")) isBit = true;
      else if (!isOpt(argv[5], "byte")) throw new ReplyError(SYNTAX);
    }
    let end: bigint;
    if (argc >= 5) {
      end = parseLongLong(argv[4]);
      endGiven = true;
    } else {
      end = totlen - 1n;
    }
    if (isBit) totlen <<= 3n;
    r = normalizeRange(start, end, totlen, isBit);
  } else if (argc === 3) {
    r = { start: 0, end: v.length - 1, firstMask: 0, lastMask: 0 };
  } else {
    throw new ReplyError(SYNTAX);
  }
  if (r.start > r.end) return -1;
  const { s, base } = rangeView(ctx.db, argv[1], v, r.start, r.end + 1);
  const pos = maskedBitpos(s, r.start - base, r.end - base, r, bit, endGiven);
  return pos === -1 ? -1 : pos + base * 8;
}

// The search of bitposCommand over bytes start..end of `v`: the first and last bytes of a bit
// range are searched with the bits outside the range forced to the opposite value, the bytes
// in between directly. The result counts from byte 0 of `v`.
function maskedBitpos(
  v: string,
  first: number,
  end: number,
  r: BitRange,
  bit: number,
  endGiven: boolean,
): number {
  let start = first;
  const fmask = r.firstMask;
  const lmask = r.lastMask;
  let bytes = end - start + 1;
  let pos: number;
  found: {
    if (fmask !== 0) {
      let tmp = bit ? v.charCodeAt(start) & ~fmask : v.charCodeAt(start) | fmask;
      if (lmask !== 0 && bytes === 1) tmp = bit ? tmp & ~lmask : tmp | lmask;
      pos = findBitInByte(tmp & 0xff, bit);
      if (bytes === 1 || (pos !== -1 && pos !== 8)) break found;
      start++;
      bytes--;
    }
    const curbytes = bytes - (lmask !== 0 ? 1 : 0);
    if (curbytes > 0) {
      pos = findBit(v, start, curbytes, bit);
      if (bytes === curbytes || (pos !== -1 && pos !== curbytes * 8)) break found;
      start += curbytes;
      bytes -= curbytes;
    }
    const tmp = bit ? v.charCodeAt(end) & ~lmask : v.charCodeAt(end) | lmask;
    pos = findBitInByte(tmp & 0xff, bit);
  }
  // With an explicit end, looking for a 0 must not run into the zero padding past the range.
  if (endGiven && bit === 0 && pos === bytes * 8) return -1;
  if (pos !== -1) pos += start * 8;
  return pos;
}

// redisBitpos over one byte.
function findBitInByte(b: number, bit: number): number {
  const p = firstBitIn(b, bit);
  return p === 8 && bit ? -1 : p;
}

// BITOP AND | OR | XOR | NOT destkey key [key ...]
function bitop(ctx: Ctx, argv: string[]): Reply {
  const opname = argv[1];
  const op = isOpt(opname, "and")
    ? 0
    : isOpt(opname, "or")
    ? 1
    : isOpt(opname, "xor")
    ? 2
    : isOpt(opname, "not")
    ? 3
    : -1;
  if (op < 0) throw new ReplyError(SYNTAX);
  if (op === 3 && argv.length !== 4) throw new ReplyError(BITOP_NOT_SINGLE_KEY);
  const db = ctx.db;
  const numkeys = argv.length - 3;
  const src: string[] = new Array(numkeys);
  let maxlen = 0;
  for (let j = 0; j < numkeys; j++) {
    const v = readString(db, argv[j + 3]) ?? "";
    src[j] = v;
    if (v.length > maxlen) maxlen = v.length;
  }
  const dest = argv[2];
  if (maxlen > 0) {
    const res = new Uint8Array(maxlen);
    const first = src[0];
    for (let i = 0; i < first.length; i++) res[i] = first.charCodeAt(i);
    if (op === 3) {
      for (let i = 0; i < maxlen; i++) res[i] = ~res[i];
    } else {
      for (let j = 1; j < numkeys; j++) {
        const s = src[j];
        const n = s.length;
        if (op === 0) {
          for (let i = 0; i < n; i++) res[i] &= s.charCodeAt(i);
          res.fill(0, n);
        } else if (op === 1) {
          for (let i = 0; i < n; i++) res[i] |= s.charCodeAt(i);
        } else {
          for (let i = 0; i < n; i++) res[i] ^= s.charCodeAt(i);
        }
      }
    }
    // setKey: a lookup first expires a logically expired destination, then the value is set
    // without its TTL.
    if (db.expires.size !== 0) db.lookup(dest);
    db.set(dest, bytesToStr(res));
    db.markRaw(dest); // a fresh sds, raw encoded
    notify(ctx, "$", "set", dest);
  } else if (db.delete(dest)) {
    notify(ctx, "g", "del", dest);
  }
  return maxlen;
}

// BITFIELD operations and overflow behaviours.
const OP_GET = 0;
const OP_SET = 1;
const OP_INCRBY = 2;
const OVERFLOW_WRAP = 0;
const OVERFLOW_SAT = 1;
const OVERFLOW_FAIL = 2;

interface BitfieldOp {
  offset: number;
  value: bigint;
  opcode: number;
  overflow: number;
  bits: number;
  signed: boolean;
}

/** getBitfieldTypeFromArgument: `i1`..`i64` or `u1`..`u63`; [signed, bits]. */
function bitfieldType(arg: string): [boolean, number] {
  const c = arg.charCodeAt(0);
  if (c !== 105 && c !== 117) throw new ReplyError(BITFIELD_INVALID_TYPE); // 'i', 'u'
  const signed = c === 105;
  // The width is read as a C string: it ends at the first NUL.
  const z = arg.indexOf("\0", 1);
  const bits = parseI64(z < 0 ? arg.slice(1) : arg.slice(1, z));
  if (bits === null || bits < 1 || bits > (signed ? 64 : 63)) {
    throw new ReplyError(BITFIELD_INVALID_TYPE);
  }
  return [signed, Number(bits)];
}

/**
 * checkUnsignedBitfieldOverflow: whether `value + incr` (value a uint64, incr an int64) fits
 * `bits` unsigned bits.
 * @returns [0 | 1 | -1, the wrapped or saturated value to store]
 */
function unsignedOverflow(
  value: bigint,
  incr: bigint,
  bits: number,
  owtype: number,
): [number, bigint] {
  const max = (1n << BigInt(bits)) - 1n;
  const maxincr = BigInt.asIntN(64, max - value);
  const minincr = BigInt.asIntN(64, -value);
  let dir = 0;
  if (value > max || (incr > 0n && incr > maxincr)) dir = 1;
  else if (incr < 0n && incr < minincr) dir = -1;
  if (dir === 0) return [0, 0n];
  if (owtype === OVERFLOW_SAT) return [dir, dir > 0 ? max : 0n];
  return [dir, BigInt.asUintN(64, value + incr) & max];
}

/**
 * checkSignedBitfieldOverflow: whether `value + incr` (both int64) fits `bits` signed bits.
 * @returns [0 | 1 | -1, the wrapped or saturated value to store]
 */
function signedOverflow(
  value: bigint,
  incr: bigint,
  bits: number,
  owtype: number,
): [number, bigint] {
  const max = bits === 64 ? (1n << 63n) - 1n : (1n << BigInt(bits - 1)) - 1n;
  const min = -max - 1n;
  // Computed as the C code does, with 64-bit wrap-around; only read where it cannot wrap.
  const maxincr = BigInt.asIntN(64, max - value);
  const minincr = BigInt.asIntN(64, min - value);
  let dir = 0;
  if (
    value > max || (bits !== 64 && incr > maxincr) || (value >= 0n && incr > 0n && incr > maxincr)
  ) {
    dir = 1;
  } else if (
    value < min || (bits !== 64 && incr < minincr) || (value < 0n && incr < 0n && incr < minincr)
  ) {
    dir = -1;
  }
  if (dir === 0) return [0, 0n];
  if (owtype === OVERFLOW_SAT) return [dir, dir > 0 ? max : min];
  return [dir, BigInt.asIntN(bits, value + incr)];
}

/** A bitmap being edited by BITFIELD: the stored string plus the bytes written so far. */
class BitfieldTarget {
  readonly patch = new Map<number, number>();

  constructor(
    readonly db: Database,
    readonly key: string,
    readonly base: string | undefined,
  ) {}

  byte(i: number): number {
    const p = this.patch.get(i);
    if (p !== undefined) return p;
    return this.base === undefined ? 0 : byteAt(this.db, this.key, this.base, i);
  }

  /** getUnsignedBitfield: `bits` bits at bit `offset`, most significant first. */
  getUnsigned(offset: number, bits: number): bigint {
    const first = Math.floor(offset / 8);
    const last = Math.floor((offset + bits - 1) / 8);
    let v = 0n;
    for (let i = first; i <= last; i++) v = (v << 8n) | BigInt(this.byte(i));
    const shift = (last - first + 1) * 8 - (offset - first * 8) - bits;
    return (v >> BigInt(shift)) & ((1n << BigInt(bits)) - 1n);
  }

  /** getSignedBitfield: the same bits, sign-extended. */
  getSigned(offset: number, bits: number): bigint {
    return BigInt.asIntN(bits, this.getUnsigned(offset, bits));
  }

  /** setUnsignedBitfield: stores the low `bits` bits of `value` at bit `offset`. */
  set(offset: number, bits: number, value: bigint): void {
    const first = Math.floor(offset / 8);
    const last = Math.floor((offset + bits - 1) / 8);
    let v = 0n;
    for (let i = first; i <= last; i++) v = (v << 8n) | BigInt(this.byte(i));
    const shift = BigInt((last - first + 1) * 8 - (offset - first * 8) - bits);
    const mask = ((1n << BigInt(bits)) - 1n) << shift;
    v = (v & ~mask) | ((BigInt.asUintN(bits, value) << shift) & mask);
    for (let i = last; i >= first; i--) {
      this.patch.set(i, Number(v & 0xffn));
      v >>= 8n;
    }
  }
}

/**
 * bitfieldGeneric: parses every operation first (any error replies before anything runs), then
 * runs them in order on one bitmap. `readOnly` is BITFIELD_RO, which accepts only GET.
 */
function bitfieldGeneric(ctx: Ctx, argv: string[], readOnly: boolean): Reply {
  const ops: BitfieldOp[] = [];
  let owtype = OVERFLOW_WRAP;
  let writes = false;
  let highest = 0;
  const argc = argv.length;
  for (let j = 2; j < argc; j++) {
    const remargs = argc - j - 1;
    const sub = argv[j];
    let opcode: number;
    if (isOpt(sub, "get") && remargs >= 2) {
      opcode = OP_GET;
    } else if (isOpt(sub, "set") && remargs >= 3) {
      opcode = OP_SET;
    } else if (isOpt(sub, "incrby") && remargs >= 3) {
      opcode = OP_INCRBY;
    } else if (isOpt(sub, "overflow") && remargs >= 1) {
      const name = argv[++j];
      if (isOpt(name, "wrap")) owtype = OVERFLOW_WRAP;
      else if (isOpt(name, "sat")) owtype = OVERFLOW_SAT;
      else if (isOpt(name, "fail")) owtype = OVERFLOW_FAIL;
      else throw new ReplyError(BITFIELD_INVALID_OVERFLOW);
      continue;
    } else {
      throw new ReplyError(SYNTAX);
    }
    const [signed, bits] = bitfieldType(argv[j + 1]);
    const offset = bitOffset(ctx, argv[j + 2], true, bits);
    let value = 0n;
    if (opcode !== OP_GET) {
      writes = true;
      if (offset + bits - 1 > highest) highest = offset + bits - 1;
      value = parseLongLong(argv[j + 3]);
    }
    ops.push({ offset, value, opcode, overflow: owtype, bits, signed });
    j += opcode === OP_GET ? 2 : 3;
  }

  const db = ctx.db;
  const key = argv[1];
  let cur: string | undefined;
  let grown = false;
  let newLen = 0;
  if (!writes) {
    cur = readString(db, key);
  } else {
    if (readOnly) throw new ReplyError(BITFIELD_RO_GET_ONLY);
    cur = db.getString(key);
    const len = cur === undefined ? 0 : cur.length;
    newLen = Math.max(len, Math.floor(highest / 8) + 1);
    grown = cur === undefined || newLen > len;
    if (grown) checkWriteLength(newLen);
  }

  const t = new BitfieldTarget(db, key, cur);
  const replies: Reply[] = new Array(ops.length);
  let changes = 0;
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    if (op.opcode === OP_GET) {
      const v = op.signed ? t.getSigned(op.offset, op.bits) : t.getUnsigned(op.offset, op.bits);
      replies[i] = normInt(v);
      continue;
    }
    // SET replies the old value, INCRBY the new one; FAIL skips the write and replies nil.
    const oldval = op.signed ? t.getSigned(op.offset, op.bits) : t.getUnsigned(op.offset, op.bits);
    let newval: bigint;
    let overflow: number;
    let wrapped: bigint;
    if (op.opcode === OP_INCRBY) {
      [overflow, wrapped] = op.signed
        ? signedOverflow(oldval, op.value, op.bits, op.overflow)
        : unsignedOverflow(oldval, op.value, op.bits, op.overflow);
      newval = overflow ? wrapped : oldval + op.value;
    } else {
      // SET: the value as the field's C type sees it (an int64, or cast to uint64).
      newval = op.signed ? op.value : BigInt.asUintN(64, op.value);
      [overflow, wrapped] = op.signed
        ? signedOverflow(newval, 0n, op.bits, op.overflow)
        : unsignedOverflow(newval, 0n, op.bits, op.overflow);
      if (overflow) newval = wrapped;
    }
    if (overflow && op.overflow === OVERFLOW_FAIL) {
      replies[i] = null;
      continue;
    }
    replies[i] = normInt(op.opcode === OP_INCRBY ? BigInt.asIntN(64, newval) : oldval);
    t.set(op.offset, op.bits, newval);
    if (grown || oldval !== (op.signed ? newval : BigInt.asUintN(op.bits, newval))) changes++;
  }

  if (writes) {
    if (grown || changes > 0) storePatch(db, key, cur, newLen, t.patch);
    else db.markRaw(key); // dbUnshareStringValue
    if (changes > 0) {
      notify(ctx, "$", "setbit", key);
    } else {
      // Redis created or grew the string but counts no change: nothing is propagated.
      ctx.preventPropagation = true;
    }
  }
  return replies;
}

// Stores `cur` zero-padded to `newLen` bytes with the patched bytes applied.
function storePatch(
  db: Database,
  key: string,
  cur: string | undefined,
  newLen: number,
  patch: Map<number, number>,
): void {
  if (newLen >= ROPE_MIN) {
    const rope = ropeFor(db, key, cur, newLen);
    for (const [i, b] of patch) rope.setByte(i, b);
    ropeDone(db, key, cur, rope);
    return;
  }
  const buf = new Uint8Array(newLen);
  if (cur !== undefined) { for (let i = 0; i < cur.length; i++) buf[i] = cur.charCodeAt(i); }
  for (const [i, b] of patch) buf[i] = b;
  put(db, key, cur, bytesToStr(buf));
}

// BITFIELD key [GET encoding offset | [OVERFLOW WRAP | SAT | FAIL]
//   {SET encoding offset value | INCRBY encoding offset increment} [...]]
function bitfield(ctx: Ctx, argv: string[]): Reply {
  return bitfieldGeneric(ctx, argv, false);
}

// BITFIELD_RO key [GET encoding offset [GET encoding offset ...]]
function bitfieldRo(ctx: Ctx, argv: string[]): Reply {
  return bitfieldGeneric(ctx, argv, true);
}

function keySpec(flags: string[], index: number, lastKey: number, notes?: string): KeySpec {
  return rangeKeySpec(flags, index, lastKey, 1, notes);
}

const KEY1 = { first: 1, last: 1, step: 1 };
const KEY_ARG = { name: "key", type: "key", keySpecIndex: 0 };
const INDEX_UNIT = {
  name: "index_unit",
  type: "oneof",
  since: "7.0.0",
  flags: ["optional"],
  arguments: [
    { name: "byte", type: "pure-token", token: "BYTE" },
    { name: "bit", type: "pure-token", token: "BIT" },
  ],
};
const BYTE_BIT_HISTORY: [string, string][] = [["7.0.0", "Added the `BYTE|BIT` option."]];
const GET_ARGS = [{ name: "encoding", type: "string" }, { name: "offset", type: "integer" }];

export const BITMAPS_COMMANDS: CommandSpec[] = [
  {
    name: "setbit",
    arity: 4,
    flags: ["write", "denyoom"],
    categories: ["write", "bitmap", "slow"],
    keys: KEY1,
    handler: setbit,
    summary: "Sets or clears the bit at offset in the string value stored at key",
    since: "2.2.0",
    group: "bitmap",
    complexity: "O(1)",
    keySpecs: [keySpec(["RW", "access", "update"], 1, 0)],
    arguments: [
      KEY_ARG,
      { name: "offset", type: "integer" },
      { name: "value", type: "integer" },
    ],
  },
  {
    name: "getbit",
    arity: 3,
    flags: ["readonly", "fast"],
    categories: ["read", "bitmap", "fast"],
    keys: KEY1,
    handler: getbit,
    summary: "Returns the bit value at offset in the string value stored at key",
    since: "2.2.0",
    group: "bitmap",
    complexity: "O(1)",
    keySpecs: [keySpec(["RO", "access"], 1, 0)],
    arguments: [KEY_ARG, { name: "offset", type: "integer" }],
  },
  {
    name: "bitcount",
    arity: -2,
    flags: ["readonly"],
    categories: ["read", "bitmap", "slow"],
    keys: KEY1,
    handler: bitcount,
    summary: "Count set bits in a string",
    since: "2.6.0",
    group: "bitmap",
    complexity: "O(N)",
    keySpecs: [keySpec(["RO", "access"], 1, 0)],
    history: BYTE_BIT_HISTORY,
    arguments: [
      KEY_ARG,
      {
        name: "index",
        type: "block",
        flags: ["optional"],
        arguments: [
          { name: "start", type: "integer" },
          { name: "end", type: "integer" },
          INDEX_UNIT,
        ],
      },
    ],
  },
  {
    name: "bitpos",
    arity: -3,
    flags: ["readonly"],
    categories: ["read", "bitmap", "slow"],
    keys: KEY1,
    handler: bitpos,
    summary: "Find first bit set or clear in a string",
    since: "2.8.7",
    group: "bitmap",
    complexity: "O(N)",
    keySpecs: [keySpec(["RO", "access"], 1, 0)],
    history: BYTE_BIT_HISTORY,
    arguments: [
      KEY_ARG,
      { name: "bit", type: "integer" },
      {
        name: "index",
        type: "block",
        flags: ["optional"],
        arguments: [
          { name: "start", type: "integer" },
          {
            name: "end_index",
            type: "block",
            flags: ["optional"],
            arguments: [{ name: "end", type: "integer" }, INDEX_UNIT],
          },
        ],
      },
    ],
  },
  {
    name: "bitop",
    arity: -4,
    flags: ["write", "denyoom"],
    categories: ["write", "bitmap", "slow"],
    keys: { first: 2, last: -1, step: 1 },
    handler: bitop,
    summary: "Perform bitwise operations between strings",
    since: "2.6.0",
    group: "bitmap",
    complexity: "O(N)",
    keySpecs: [keySpec(["OW", "update"], 2, 0), keySpec(["RO", "access"], 3, -1)],
    arguments: [
      { name: "operation", type: "string" },
      { name: "destkey", type: "key", keySpecIndex: 0 },
      { name: "key", type: "key", keySpecIndex: 1, flags: ["multiple"] },
    ],
  },
  {
    name: "bitfield",
    arity: -2,
    flags: ["write", "denyoom"],
    categories: ["write", "bitmap", "slow"],
    keys: KEY1,
    handler: bitfield,
    summary: "Perform arbitrary bitfield integer operations on strings",
    since: "3.2.0",
    group: "bitmap",
    complexity: "O(1) for each subcommand specified",
    keySpecs: [
      keySpec(
        ["RW", "access", "update", "variable_flags"],
        1,
        0,
        "This command allows both access and modification of the key",
      ),
    ],
    arguments: [
      KEY_ARG,
      {
        name: "operation",
        type: "oneof",
        flags: ["optional", "multiple"],
        arguments: [
          { name: "encoding_offset", type: "block", token: "GET", arguments: GET_ARGS },
          {
            name: "write",
            type: "block",
            arguments: [
              {
                name: "wrap_sat_fail",
                type: "oneof",
                token: "OVERFLOW",
                flags: ["optional"],
                arguments: [
                  { name: "wrap", type: "pure-token", token: "WRAP" },
                  { name: "sat", type: "pure-token", token: "SAT" },
                  { name: "fail", type: "pure-token", token: "FAIL" },
                ],
              },
              {
                name: "write_operation",
                type: "oneof",
                arguments: [
                  {
                    name: "encoding_offset_value",
                    type: "block",
                    token: "SET",
                    arguments: [...GET_ARGS, { name: "value", type: "integer" }],
                  },
                  {
                    name: "encoding_offset_increment",
                    type: "block",
                    token: "INCRBY",
                    arguments: [...GET_ARGS, { name: "increment", type: "integer" }],
                  },
                ],
              },
            ],
          },
        ],
      },
    ],
  },
  {
    name: "bitfield_ro",
    arity: -2,
    flags: ["readonly", "fast"],
    categories: ["read", "bitmap", "fast"],
    keys: KEY1,
    handler: bitfieldRo,
    summary:
      "Perform arbitrary bitfield integer operations on strings. Read-only variant of BITFIELD",
    since: "6.0.0",
    group: "bitmap",
    complexity: "O(1) for each subcommand specified",
    keySpecs: [keySpec(["RO", "access"], 1, 0)],
    arguments: [
      KEY_ARG,
      {
        name: "encoding_offset",
        type: "block",
        token: "GET",
        flags: ["optional", "multiple", "multiple_token"],
        arguments: GET_ARGS,
      },
    ],
  },
];
