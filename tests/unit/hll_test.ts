// MurmurHash64A and the HyperLogLog encodings (src/util/murmur.ts, src/util/hll.ts): the hash
// against a BigInt transcription of Redis's C code, register indexes and counts and estimates
// against values read from a real redis-server 7.0.15, sparse opcode handling, promotion,
// corrupt values and the estimator's extreme cases.

import assert from "node:assert/strict";
import {
  countFromHisto,
  createHll,
  denseGet,
  Hll,
  HLL_DENSE,
  HLL_DENSE_SIZE,
  HLL_HDR_SIZE,
  HLL_REGISTERS,
  HLL_SPARSE,
  hllAdd,
  hllCount,
  hllMerge,
  hllPatLen,
  isValidHll,
  rawCount,
  sparseDecode,
  sparseSet,
  sparseToDense,
} from "../../src/util/hll.ts";
import { murmurHash64A } from "../../src/util/murmur.ts";

const SEED = 0xadc83b19;
const M = 0xc6a4a7935bd1e995n;
const MASK = (1n << 64n) - 1n;

// MurmurHash64A from hyperloglog.c, statement by statement, in BigInt.
function murmurRef(s: string, seed: number): bigint {
  const len = s.length;
  let h = (BigInt(seed) ^ (BigInt(len) * M)) & MASK;
  const end = len - (len & 7);
  for (let i = 0; i < end; i += 8) {
    let k = 0n;
    for (let j = 7; j >= 0; j--) k = (k << 8n) | BigInt(s.charCodeAt(i + j));
    k = (k * M) & MASK;
    k ^= k >> 47n;
    k = (k * M) & MASK;
    h ^= k;
    h = (h * M) & MASK;
  }
  const rest = len & 7;
  if (rest !== 0) {
    for (let j = rest - 1; j >= 0; j--) h ^= BigInt(s.charCodeAt(end + j)) << BigInt(8 * j);
    h = (h * M) & MASK;
  }
  h ^= h >> 47n;
  h = (h * M) & MASK;
  h ^= h >> 47n;
  return h;
}

// A deterministic byte string generator (no Math.random: failures must be reproducible).
function bytes(seed: number, len: number): string {
  let x = seed * 2654435761 >>> 0;
  let s = "";
  for (let i = 0; i < len; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    s += String.fromCharCode(x >>> 24);
  }
  return s;
}

function sparseWith(elements: string[], maxBytes = 1 << 20): Hll {
  const h = createHll();
  for (const e of elements) assert.notEqual(hllAdd(h, e, maxBytes), -1);
  return h;
}

function range(n: number, prefix = "e"): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${i}`);
}

function withOpcodes(...ops: number[]): Hll {
  const s = "HYLL\x01\0\0\0\0\0\0\0\0\0\0\x80" + String.fromCharCode(...ops);
  return Hll.fromString(s);
}

Deno.test("MurmurHash64A matches the C algorithm for every tail length and seed", () => {
  for (let n = 0; n < 2000; n++) {
    const s = bytes(n, n % 41);
    const seed = n % 3 === 0 ? SEED : (n * 40503) >>> 0;
    assert.equal(murmurHash64A(s, seed), murmurRef(s, seed), `input ${n}`);
  }
});

Deno.test("MurmurHash64A handles bytes above 0x7f and the top bit of every word", () => {
  for (const s of ["\xff", "\x80".repeat(8), "\xff".repeat(15), "\0".repeat(16), "a\xfe\x01"]) {
    assert.equal(murmurHash64A(s, SEED), murmurRef(s, SEED));
  }
});

Deno.test("hllPatLen gives the register and run length real Redis gives", () => {
  // From PFDEBUG DECODE after PFADD of one element on redis-server 7.0.15.
  assert.deepEqual(hllPatLen("a"), [12711, 2]);
  assert.deepEqual(hllPatLen("hello"), [9216, 1]);
  assert.deepEqual(hllPatLen(""), [5938, 2]);
  assert.deepEqual(hllPatLen("foobar123"), [638, 1]);
  assert.deepEqual(hllPatLen("element:12345"), [7446, 1]);
});

Deno.test("an empty HLL is HYLL, sparse, cache valid at 0, one XZERO:16384", () => {
  const h = createHll();
  assert.equal(h.value(), "HYLL\x01\0\0\0\0\0\0\0\0\0\0\0\x7f\xff");
  assert.equal(h.encoding, HLL_SPARSE);
  assert.equal(h.cacheValid, true);
  assert.equal(hllCount(h), 0);
  assert.equal(sparseDecode(h), "Z:16384");
});

Deno.test("adding one element splits XZERO into XZERO VAL XZERO and invalidates the cache", () => {
  const h = sparseWith(["a"]);
  assert.equal(sparseDecode(h), "Z:12711 v:2,1 Z:3672");
  assert.equal(h.cacheValid, false);
  assert.equal(hllAdd(h, "a", 3000), 0);
  assert.equal(hllCount(h), 1);
});

Deno.test("VAL opcodes of equal value merge up to a run of four", () => {
  const h = withOpcodes(0x7f, 0xff);
  for (const i of [100, 101, 102, 103, 104]) assert.equal(sparseSet(h, i, 3, 3000), 1);
  assert.equal(sparseDecode(h), "Z:100 v:3,4 v:3,1 Z:16279");
  // Only neighbouring pairs whose runs add up to at most 4 merge.
  assert.equal(sparseSet(h, 99, 3, 3000), 1);
  assert.equal(sparseDecode(h), "Z:99 v:3,1 v:3,4 v:3,1 Z:16279");
  // Raising one register splits its run, then the pieces merge with their neighbours.
  assert.equal(sparseSet(h, 101, 5, 3000), 1);
  assert.equal(sparseDecode(h), "Z:99 v:3,2 v:5,1 v:3,3 Z:16279");
  assert.equal(sparseSet(h, 101, 4, 3000), 0);
});

Deno.test("short zero runs use ZERO, long ones XZERO", () => {
  const h = withOpcodes(0x7f, 0xff);
  sparseSet(h, 64, 1, 3000);
  sparseSet(h, 130, 1, 3000);
  assert.equal(sparseDecode(h), "z:64 v:1,1 Z:65 v:1,1 Z:16253");
  sparseSet(h, 0, 2, 3000);
  assert.equal(sparseDecode(h), "v:2,1 z:63 v:1,1 Z:65 v:1,1 Z:16253");
  sparseSet(h, 16383, 2, 3000);
  assert.equal(sparseDecode(h), "v:2,1 z:63 v:1,1 Z:65 v:1,1 Z:16252 v:2,1");
});

Deno.test("a register above 32 promotes a sparse HLL to dense", () => {
  const h = sparseWith(["a", "b"]);
  assert.equal(sparseSet(h, 5, 33, 3000), 1);
  assert.equal(h.encoding, HLL_DENSE);
  assert.equal(h.len, HLL_DENSE_SIZE);
  assert.equal(denseGet(h.buf, HLL_HDR_SIZE, 5), 33);
  assert.equal(denseGet(h.buf, HLL_HDR_SIZE, 12711), 2);
});

Deno.test("outgrowing hll-sparse-max-bytes promotes to dense with the same registers", () => {
  const small = sparseWith(range(40), 60);
  const big = sparseWith(range(40));
  assert.equal(small.encoding, HLL_DENSE);
  assert.equal(big.encoding, HLL_SPARSE);
  assert.ok(sparseToDense(big));
  for (let i = 0; i < HLL_REGISTERS; i++) {
    assert.equal(denseGet(small.buf, HLL_HDR_SIZE, i), denseGet(big.buf, HLL_HDR_SIZE, i));
  }
});

Deno.test("estimates match real Redis and agree between encodings", () => {
  // PFCOUNT of PFADD e0..e999 and e0..e99999 on redis-server 7.0.15.
  const thousand = sparseWith(range(1000), 3000);
  assert.equal(thousand.encoding, HLL_SPARSE);
  assert.equal(thousand.len, 1906);
  assert.equal(hllCount(thousand), 1008);
  const dense = sparseWith(range(1000), 3000);
  assert.ok(sparseToDense(dense));
  assert.equal(hllCount(dense), 1008);
  const many = sparseWith(range(100000), 3000);
  assert.equal(many.encoding, HLL_DENSE);
  assert.equal(hllCount(many), 100853);
  const max = new Uint8Array(HLL_REGISTERS);
  assert.ok(hllMerge(max, thousand));
  assert.ok(hllMerge(max, many));
  assert.equal(rawCount(max), 100853);
});

Deno.test("the cached cardinality is stored little endian in bytes 8..15", () => {
  const h = sparseWith(["x"]);
  h.setCachedCard(0x0102030405);
  assert.equal(h.cacheValid, true);
  assert.equal(h.value().slice(8, 16), "\x05\x04\x03\x02\x01\0\0\0");
  assert.equal(h.cachedCard, 0x0102030405);
  h.invalidateCache();
  assert.equal(h.value().charCodeAt(15), 0x80);
});

Deno.test("corrupt sparse values are reported, never half-read", () => {
  const short = withOpcodes(0x5f, 0xff); // XZERO:8192
  assert.equal(hllCount(short), -1);
  assert.equal(hllMerge(new Uint8Array(HLL_REGISTERS), short), false);
  assert.equal(sparseToDense(short), false);
  assert.equal(short.encoding, HLL_SPARSE);
  assert.equal(sparseSet(short, 9000, 1, 3000), -1);
  assert.equal(sparseSet(short, 10, 1, 3000), 1);
  // A run past the last register (XZERO:16384 then VAL) is corrupt too, as in Redis 7.0.15.
  const over = withOpcodes(0x7f, 0xff, 0x80);
  assert.equal(hllCount(over), -1);
  assert.equal(hllMerge(new Uint8Array(HLL_REGISTERS), over), false);
  assert.equal(sparseToDense(over), false);
  // A truncated XZERO reads the terminating zero byte, as the C code reads the sds NUL.
  assert.equal(sparseDecode(withOpcodes(0x7f, 0xfe, 0x7f)), "Z:16383 Z:16129");
});

Deno.test("isValidHll checks the magic, the encoding and the dense size", () => {
  const hdr = "HYLL\x01\0\0\0\0\0\0\0\0\0\0\x80";
  assert.equal(isValidHll(hdr), true);
  assert.equal(isValidHll(hdr.slice(0, 15)), false);
  assert.equal(isValidHll("HYLX" + hdr.slice(4)), false);
  assert.equal(isValidHll("HYLL\x02" + hdr.slice(5)), false);
  assert.equal(isValidHll("HYLL\x00" + hdr.slice(5)), false);
  assert.equal(isValidHll("HYLL\x00" + hdr.slice(5) + "\0".repeat(12288)), true);
});

Deno.test("estimates past 2^53 stay exact and past 2^63 become LLONG_MIN as on x86", () => {
  const histo = new Int32Array(64);
  histo[49] = HLL_REGISTERS;
  const e49 = countFromHisto(histo);
  assert.equal(typeof e49, "bigint");
  assert.ok((e49 as bigint) > 1n << 53n && (e49 as bigint) < 1n << 63n);
  histo[49] = 0;
  histo[50] = HLL_REGISTERS;
  assert.equal(countFromHisto(histo), 1n << 63n);
  histo[50] = 0;
  histo[0] = HLL_REGISTERS;
  assert.equal(countFromHisto(histo), 0);
});
