// Redis 7.0's HyperLogLog (hyperloglog.c) byte for byte: the "HYLL" header with its cached
// cardinality, dense (16384 6-bit registers) and sparse (ZERO/XZERO/VAL opcodes) encodings,
// promotion, and the Ertl estimator of hllCount. An `Hll` is a growable buffer of exactly the
// bytes Redis keeps in the string value.

import { bytesToStr } from "./bytes.ts";
import { murmurHash64AInto, murmurHash64AU64Into } from "./murmur.ts";

/** Register index bits: 2^14 = 16384 registers. */
export const HLL_P = 14;
/** Hash bits left for the zero-run count. */
export const HLL_Q = 64 - HLL_P;
export const HLL_REGISTERS = 1 << HLL_P;
const HLL_P_MASK = HLL_REGISTERS - 1;
const HLL_BITS = 6;
const HLL_REGISTER_MAX = (1 << HLL_BITS) - 1;
/** Header: "HYLL", encoding, 3 unused bytes, 8-byte little-endian cached cardinality. */
export const HLL_HDR_SIZE = 16;
/** Size of a dense HLL value: header plus 12288 register bytes. */
export const HLL_DENSE_SIZE = HLL_HDR_SIZE + ((HLL_REGISTERS * HLL_BITS + 7) >> 3);
export const HLL_DENSE = 0;
export const HLL_SPARSE = 1;
const HLL_MAX_ENCODING = 1;
const HLL_ALPHA_INF = 0.721347520444481703680; // 0.5/ln(2)
const HASH_SEED = 0xadc83b19;

// Sparse opcodes: ZERO 00xxxxxx, XZERO 01xxxxxx yyyyyyyy, VAL 1vvvvvxx.
const XZERO_BIT = 0x40;
const VAL_BIT = 0x80;
const VAL_MAX_VALUE = 32;
const VAL_MAX_LEN = 4;
const ZERO_MAX_LEN = 64;

/**
 * The bytes of one HLL value. `buf` is always longer than `len` and `buf[len]` is 0: Redis's
 * code reads the sds NUL terminator past the last register or a truncated XZERO opcode.
 */
export class Hll {
  buf: Uint8Array;
  len: number;

  constructor(buf: Uint8Array, len: number) {
    this.buf = buf;
    this.len = len;
  }

  /** A copy of a value's bytes with room to grow. */
  static fromString(s: string): Hll {
    const n = s.length;
    const buf = new Uint8Array(n + 8);
    for (let i = 0; i < n; i++) buf[i] = s.charCodeAt(i);
    return new Hll(buf, n);
  }

  /** The value as a byte string, to store. */
  value(): string {
    return bytesToStr(this.buf.subarray(0, this.len));
  }

  /** HLL_DENSE or HLL_SPARSE. */
  get encoding(): number {
    return this.buf[4];
  }

  /** Makes room for `extra` more bytes plus the terminator (sdsMakeRoomFor). */
  reserve(extra: number): void {
    if (this.len + extra < this.buf.length) return;
    const next = new Uint8Array(Math.max(this.len + extra + 1, this.buf.length * 2));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  /** True when the cached cardinality may be used (HLL_VALID_CACHE). */
  get cacheValid(): boolean {
    return (this.buf[15] & 0x80) === 0;
  }

  /** Marks the cached cardinality stale (HLL_INVALIDATE_CACHE). */
  invalidateCache(): void {
    this.buf[15] |= 0x80;
  }

  /** The cached cardinality (bytes 8..15, little endian). */
  get cachedCard(): number | bigint {
    const b = this.buf;
    const low = (b[8] | (b[9] << 8) | (b[10] << 16) | (b[11] << 24)) >>> 0;
    const high = (b[12] | (b[13] << 8) | (b[14] << 16) | (b[15] << 24)) >>> 0;
    if (high < 0x200000) return high * 0x100000000 + low;
    return (BigInt(high) << 32n) | BigInt(low);
  }

  /** Stores `card` (a uint64, as hllCount returns it) as the cached cardinality. */
  setCachedCard(card: number | bigint): void {
    const b = this.buf;
    let high: number;
    let low: number;
    if (typeof card === "bigint") {
      high = Number(card >> 32n);
      low = Number(card & 0xffffffffn);
    } else {
      high = Math.floor(card / 0x100000000);
      low = card >>> 0;
    }
    for (let i = 0; i < 4; i++) {
      b[8 + i] = (low >>> (8 * i)) & 0xff;
      b[12 + i] = (high >>> (8 * i)) & 0xff;
    }
  }
}

/**
 * isHLLObjectOrReply's test on a string value: "HYLL" magic, a known encoding, and for dense
 * values the exact size.
 */
export function isValidHll(s: string): boolean {
  if (s.length < HLL_HDR_SIZE) return false;
  if (
    s.charCodeAt(0) !== 72 || s.charCodeAt(1) !== 89 || s.charCodeAt(2) !== 76 ||
    s.charCodeAt(3) !== 76
  ) return false;
  const enc = s.charCodeAt(4);
  if (enc > HLL_MAX_ENCODING) return false;
  return enc !== HLL_DENSE || s.length === HLL_DENSE_SIZE;
}

/** createHLLObject: an empty sparse HLL (header plus one XZERO:16384). */
export function createHll(): Hll {
  const buf = new Uint8Array(64);
  buf[0] = 72; // H
  buf[1] = 89; // Y
  buf[2] = 76; // L
  buf[3] = 76; // L
  buf[4] = HLL_SPARSE;
  xzeroSet(buf, HLL_HDR_SIZE, HLL_REGISTERS);
  return new Hll(buf, HLL_HDR_SIZE + 2);
}

// ---- Dense registers (HLL_DENSE_GET_REGISTER / HLL_DENSE_SET_REGISTER), at byte `base`.

/** The dense register `regnum` of registers starting at `base`. */
export function denseGet(p: Uint8Array, base: number, regnum: number): number {
  const byte = base + ((regnum * HLL_BITS) >> 3);
  const fb = (regnum * HLL_BITS) & 7;
  const b1 = byte + 1 < p.length ? p[byte + 1] : 0;
  return ((p[byte] >> fb) | (b1 << (8 - fb))) & HLL_REGISTER_MAX;
}

/** Sets dense register `regnum` to `val` (< 64). */
export function denseSetRegister(p: Uint8Array, base: number, regnum: number, val: number): void {
  const byte = base + ((regnum * HLL_BITS) >> 3);
  const fb = (regnum * HLL_BITS) & 7;
  const fb8 = 8 - fb;
  p[byte] = (p[byte] & ~(HLL_REGISTER_MAX << fb)) | (val << fb);
  if (byte + 1 < p.length) {
    p[byte + 1] = (p[byte + 1] & ~(HLL_REGISTER_MAX >> fb8)) | (val >> fb8);
  }
}

/** hllDenseSet: raises register `index` to `count`; 1 when it changed. */
function denseSet(p: Uint8Array, index: number, count: number): number {
  if (count > denseGet(p, HLL_HDR_SIZE, index)) {
    denseSetRegister(p, HLL_HDR_SIZE, index, count);
    return 1;
  }
  return 0;
}

// ---- Hashing.

const hashOut = new Uint32Array(2);
/** The register index of the last `patLen` call. */
let patIndex = 0;

/**
 * hllPatLen: hashes `ele` and returns the length of the 000..1 run above the 14 index bits
 * (1..51); the register index is left in `patIndex`.
 */
function patLen(ele: string): number {
  murmurHash64AInto(ele, HASH_SEED, hashOut);
  return patLenOfHash();
}

// The 000..1 run length of the hash in `hashOut`, setting `patIndex`.
function patLenOfHash(): number {
  const hi = hashOut[0];
  const lo = hashOut[1];
  patIndex = lo & HLL_P_MASK;
  const low = lo >>> HLL_P; // hash bits 14..31
  if (low !== 0) return 32 - Math.clz32(low & -low);
  if (hi !== 0) return 18 + 32 - Math.clz32(hi & -hi);
  return HLL_Q + 1;
}

// ---- Sparse representation.

// The opcodes replacing a split one (at most XZERO-VAL-XZERO, 5 bytes).
const seq = new Uint8Array(5);

function xzeroSet(p: Uint8Array, at: number, len: number): void {
  const l = len - 1;
  p[at] = (l >> 8) | XZERO_BIT;
  p[at + 1] = l & 0xff;
}

function valSet(p: Uint8Array, at: number, val: number, len: number): void {
  p[at] = ((val - 1) << 2) | (len - 1) | VAL_BIT;
}

function isZero(b: number): boolean {
  return (b & 0xc0) === 0;
}

function isXzero(b: number): boolean {
  return (b & 0xc0) === XZERO_BIT;
}

function valValue(b: number): number {
  return ((b >> 2) & 0x1f) + 1;
}

function valLen(b: number): number {
  return (b & 0x3) + 1;
}

function xzeroLen(p: Uint8Array, at: number): number {
  return (((p[at] & 0x3f) << 8) | p[at + 1]) + 1;
}

/**
 * hllSparseToDense: rewrites a sparse HLL as dense, keeping the header (and so the cached
 * cardinality). A dense one is left alone.
 * @returns false when the sparse data is corrupt (nothing is changed then)
 */
export function sparseToDense(h: Hll): boolean {
  const sparse = h.buf;
  if (sparse[4] === HLL_DENSE) return true;
  const dense = new Uint8Array(HLL_DENSE_SIZE + 1);
  dense.set(sparse.subarray(0, HLL_HDR_SIZE));
  dense[4] = HLL_DENSE;
  let idx = 0;
  let p = HLL_HDR_SIZE;
  const end = h.len;
  while (p < end) {
    const b = sparse[p];
    if (isZero(b)) {
      idx += (b & 0x3f) + 1;
      p++;
    } else if (isXzero(b)) {
      idx += xzeroLen(sparse, p);
      p += 2;
    } else {
      let runlen = valLen(b);
      const regval = valValue(b);
      // A run past the last register is corrupt (Redis 7.0.15 fails here; older code broke
      // out of the loop and could accept it).
      if (runlen + idx > HLL_REGISTERS) return false;
      while (runlen--) {
        denseSetRegister(dense, HLL_HDR_SIZE, idx, regval);
        idx++;
      }
      p++;
    }
  }
  if (idx !== HLL_REGISTERS) return false;
  h.buf = dense;
  h.len = HLL_DENSE_SIZE;
  return true;
}

/**
 * hllSparseSet: raises register `index` to `count` in a sparse HLL, splitting the opcode that
 * covers it and merging equal neighbours, or promotes to dense when the value does not fit
 * a VAL opcode or the result would exceed `maxBytes` (hll-sparse-max-bytes).
 * @returns 1 when the register changed, 0 when not, -1 when the data is corrupt
 */
export function sparseSet(h: Hll, index: number, count: number, maxBytes: number): number {
  if (count > VAL_MAX_VALUE) return promote(h, index, count);
  // Room for the worst case, XZERO split into XZERO-VAL-XZERO.
  h.reserve(3);
  const p8 = h.buf;
  const sparse = HLL_HDR_SIZE;
  let end = h.len;

  // Step 1: find the opcode covering `index`.
  let p = sparse;
  let first = 0;
  let prev = -1;
  let span = 0;
  while (p < end) {
    const b = p8[p];
    let oplen = 1;
    if (isZero(b)) {
      span = (b & 0x3f) + 1;
    } else if (b & VAL_BIT) {
      span = valLen(b);
    } else {
      span = xzeroLen(p8, p);
      oplen = 2;
    }
    if (index <= first + span - 1) break;
    prev = p;
    p += oplen;
    first += span;
  }
  if (span === 0 || p >= end) return -1;

  const op = p8[p];
  const opIsXzero = isXzero(op);
  const next = opIsXzero ? p + 2 : p + 1;
  let isZeroOp = false;
  let runlen: number;
  if (isZero(op)) {
    isZeroOp = true;
    runlen = (op & 0x3f) + 1;
  } else if (opIsXzero) {
    runlen = xzeroLen(p8, p);
  } else {
    runlen = valLen(op);
  }
  const isVal = !isZeroOp && !opIsXzero;

  updated: {
    // A) a VAL already >= count: nothing to do. B) a VAL of length 1: update in place.
    if (isVal) {
      if (valValue(op) >= count) return 0;
      if (runlen === 1) {
        valSet(p8, p, count, 1);
        break updated;
      }
    }
    // C) a ZERO of length 1 becomes a VAL.
    if (isZeroOp && runlen === 1) {
      valSet(p8, p, count, 1);
      break updated;
    }

    // D) the general case: split the opcode into up to three.
    let n = 0;
    const last = first + span - 1;
    if (!isVal) {
      if (index !== first) {
        const len = index - first;
        if (len > ZERO_MAX_LEN) {
          xzeroSet(seq, n, len);
          n += 2;
        } else {
          seq[n++] = len - 1;
        }
      }
      valSet(seq, n++, count, 1);
      if (index !== last) {
        const len = last - index;
        if (len > ZERO_MAX_LEN) {
          xzeroSet(seq, n, len);
          n += 2;
        } else {
          seq[n++] = len - 1;
        }
      }
    } else {
      const curval = valValue(op);
      if (index !== first) valSet(seq, n++, curval, index - first);
      valSet(seq, n++, count, 1);
      if (index !== last) valSet(seq, n++, curval, last - index);
    }

    // Step 3: substitute the new sequence for the old opcode.
    const oldlen = opIsXzero ? 2 : 1;
    const deltalen = n - oldlen;
    if (deltalen > 0 && h.len + deltalen > maxBytes) return promote(h, index, count);
    if (deltalen !== 0 && next < end) p8.copyWithin(next + deltalen, next, end);
    h.len += deltalen;
    p8.set(seq.subarray(0, n), p);
    end += deltalen;
    p8[end] = 0;
  }

  // Step 4: merge adjacent VAL opcodes of equal value, scanning up to 5 opcodes from prev.
  let q = prev >= 0 ? prev : sparse;
  let scanlen = 5;
  while (q < end && scanlen--) {
    const b = p8[q];
    if (isXzero(b)) {
      q += 2;
      continue;
    } else if (isZero(b)) {
      q++;
      continue;
    }
    if (q + 1 < end && (p8[q + 1] & VAL_BIT) !== 0) {
      const v1 = valValue(b);
      const v2 = valValue(p8[q + 1]);
      if (v1 === v2) {
        const len = valLen(b) + valLen(p8[q + 1]);
        if (len <= VAL_MAX_LEN) {
          valSet(p8, q + 1, v1, len);
          p8.copyWithin(q, q + 1, end);
          h.len--;
          end--;
          p8[end] = 0;
          continue;
        }
      }
    }
    q++;
  }
  h.invalidateCache();
  return 1;
}

// The promote label of hllSparseSet: convert to dense, then set the register there.
function promote(h: Hll, index: number, count: number): number {
  if (!sparseToDense(h)) return -1;
  return denseSet(h.buf, index, count);
}

/**
 * hllAdd: adds one element.
 * @returns 1 when a register changed, 0 when not, -1 when the value is corrupt
 */
export function hllAdd(h: Hll, ele: string, sparseMaxBytes: number): number {
  const count = patLen(ele);
  switch (h.buf[4]) {
    case HLL_DENSE:
      return denseSet(h.buf, patIndex, count);
    case HLL_SPARSE:
      return sparseSet(h, patIndex, count, sparseMaxBytes);
    default:
      return -1;
  }
}

/** Sets register `index` to at least `count` in either encoding (PFMERGE's write loop). */
export function hllSet(h: Hll, index: number, count: number, sparseMaxBytes: number): void {
  if (h.buf[4] === HLL_DENSE) denseSet(h.buf, index, count);
  else sparseSet(h, index, count, sparseMaxBytes);
}

// ---- Counting.

/** hllSigma, from Ertl, "New cardinality estimation algorithms for HyperLogLog sketches". */
function sigma(x: number): number {
  if (x === 1) return Infinity;
  let zPrime: number;
  let y = 1;
  let z = x;
  do {
    x *= x;
    zPrime = z;
    z += x * y;
    y += y;
  } while (zPrime !== z);
  return z;
}

/** hllTau, from the same paper. */
function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let zPrime: number;
  let y = 1.0;
  let z = 1 - x;
  do {
    x = Math.sqrt(x);
    zPrime = z;
    y *= 0.5;
    const d = 1 - x;
    z -= d * d * y;
  } while (zPrime !== z);
  return z / 3;
}

/**
 * The cardinality estimate from a register histogram (the tail of hllCount), as the uint64 Redis
 * computes: a number below 2^53, else a bigint. Crafted dense values can push the estimate past
 * 2^63, where llroundl fails and x86 yields LLONG_MIN, i.e. 2^63 once cast to uint64.
 */
export function countFromHisto(reghisto: Int32Array): number | bigint {
  const m = HLL_REGISTERS;
  let z = m * tau((m - reghisto[HLL_Q + 1]) / m);
  for (let j = HLL_Q; j >= 1; --j) {
    z += reghisto[j];
    z *= 0.5;
  }
  z += m * sigma(reghisto[0] / m);
  // llroundl: round half away from zero (the estimate is never negative).
  const e = HLL_ALPHA_INF * m * m / z;
  if (!(e < 9223372036854775808)) return 1n << 63n;
  const r = Math.floor(e);
  const card = e - r >= 0.5 ? r + 1 : r;
  return card <= Number.MAX_SAFE_INTEGER ? card : BigInt(card);
}

/** hllDenseRegHisto over the registers at `base`. */
function denseHisto(p: Uint8Array, base: number, reghisto: Int32Array): void {
  let r = base;
  for (let j = 0; j < 1024; j++) {
    const b0 = p[r], b1 = p[r + 1], b2 = p[r + 2], b3 = p[r + 3], b4 = p[r + 4], b5 = p[r + 5];
    const b6 = p[r + 6], b7 = p[r + 7], b8 = p[r + 8], b9 = p[r + 9], b10 = p[r + 10];
    const b11 = p[r + 11];
    reghisto[b0 & 63]++;
    reghisto[((b0 >> 6) | (b1 << 2)) & 63]++;
    reghisto[((b1 >> 4) | (b2 << 4)) & 63]++;
    reghisto[(b2 >> 2) & 63]++;
    reghisto[b3 & 63]++;
    reghisto[((b3 >> 6) | (b4 << 2)) & 63]++;
    reghisto[((b4 >> 4) | (b5 << 4)) & 63]++;
    reghisto[(b5 >> 2) & 63]++;
    reghisto[b6 & 63]++;
    reghisto[((b6 >> 6) | (b7 << 2)) & 63]++;
    reghisto[((b7 >> 4) | (b8 << 4)) & 63]++;
    reghisto[(b8 >> 2) & 63]++;
    reghisto[b9 & 63]++;
    reghisto[((b9 >> 6) | (b10 << 2)) & 63]++;
    reghisto[((b10 >> 4) | (b11 << 4)) & 63]++;
    reghisto[(b11 >> 2) & 63]++;
    r += 12;
  }
}

/**
 * hllSparseRegHisto.
 * @returns false when the opcodes do not cover exactly 16384 registers
 */
function sparseHisto(p: Uint8Array, start: number, end: number, reghisto: Int32Array): boolean {
  let idx = 0;
  let i = start;
  while (i < end) {
    const b = p[i];
    if (isZero(b)) {
      const runlen = (b & 0x3f) + 1;
      idx += runlen;
      reghisto[0] += runlen;
      i++;
    } else if (isXzero(b)) {
      const runlen = xzeroLen(p, i);
      idx += runlen;
      reghisto[0] += runlen;
      i += 2;
    } else {
      const runlen = valLen(b);
      idx += runlen;
      reghisto[valValue(b)] += runlen;
      i++;
    }
  }
  return idx === HLL_REGISTERS;
}

const histo = new Int32Array(64);

/**
 * hllCount: the estimated cardinality of one HLL value.
 * @returns the estimate (see countFromHisto), or -1 when a sparse value is corrupt
 */
export function hllCount(h: Hll): number | bigint {
  histo.fill(0);
  if (h.buf[4] === HLL_DENSE) {
    denseHisto(h.buf, HLL_HDR_SIZE, histo);
  } else if (!sparseHisto(h.buf, HLL_HDR_SIZE, h.len, histo)) {
    return -1;
  }
  return countFromHisto(histo);
}

/** hllCount on the internal HLL_RAW encoding: one byte per register. */
export function rawCount(max: Uint8Array): number | bigint {
  histo.fill(0);
  for (let j = 0; j < HLL_REGISTERS; j++) histo[max[j]]++;
  return countFromHisto(histo);
}

/**
 * hllMerge: max[i] = MAX(max[i], register i of `h`).
 * @returns false when a sparse value is corrupt
 */
export function hllMerge(max: Uint8Array, h: Hll): boolean {
  const p = h.buf;
  if (p[4] === HLL_DENSE) {
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const val = denseGet(p, HLL_HDR_SIZE, i);
      if (val > max[i]) max[i] = val;
    }
    return true;
  }
  let i = 0;
  let q = HLL_HDR_SIZE;
  const end = h.len;
  while (q < end) {
    const b = p[q];
    if (isZero(b)) {
      i += (b & 0x3f) + 1;
      q++;
    } else if (isXzero(b)) {
      i += xzeroLen(p, q);
      q += 2;
    } else {
      let runlen = valLen(b);
      const regval = valValue(b);
      if (runlen + i > HLL_REGISTERS) return false; // corrupt, as in sparseToDense
      while (runlen--) {
        if (regval > max[i]) max[i] = regval;
        i++;
      }
      q++;
    }
  }
  return i === HLL_REGISTERS;
}

/** PFDEBUG DECODE's text for a sparse value: `z:N`, `Z:N` and `v:V,N` separated by spaces. */
export function sparseDecode(h: Hll): string {
  const p = h.buf;
  const parts: string[] = [];
  let q = HLL_HDR_SIZE;
  while (q < h.len) {
    const b = p[q];
    if (isZero(b)) {
      parts.push(`z:${(b & 0x3f) + 1}`);
      q++;
    } else if (isXzero(b)) {
      // Like the C code, this reads the byte after a truncated XZERO as the sds terminator.
      parts.push(`Z:${(((b & 0x3f) << 8) | (q + 1 < h.len ? p[q + 1] : 0)) + 1}`);
      q += 2;
    } else {
      parts.push(`v:${valValue(b)},${valLen(b)}`);
      q++;
    }
  }
  return parts.join(" ");
}

/**
 * hllPatLen: the register index and 000..1 run length of an element.
 * @returns [index, count]
 */
export function hllPatLen(ele: string): [number, number] {
  const count = patLen(ele);
  return [patIndex, count];
}

// PFSELFTEST adds 64-bit integers (their 8 little-endian bytes) without making strings.

/**
 * Adds a uint64 element, given as two uint32 halves, both to dense registers at HLL_HDR_SIZE
 * (hllDenseAdd) and to `h` (hllAdd), hashing it once.
 */
export function selftestAdd(
  dense: Uint8Array,
  h: Hll,
  lo32: number,
  hi32: number,
  sparseMaxBytes: number,
): void {
  murmurHash64AU64Into(lo32, hi32, HASH_SEED, hashOut);
  const count = patLenOfHash();
  const index = patIndex;
  denseSet(dense, index, count);
  if (h.buf[4] === HLL_DENSE) denseSet(h.buf, index, count);
  else sparseSet(h, index, count, sparseMaxBytes);
}
