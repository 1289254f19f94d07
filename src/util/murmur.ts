// MurmurHash64A (Austin Appleby's MurmurHash2, 64-bit), the endian-neutral variant Redis uses
// for HyperLogLog (hyperloglog.c). 64-bit arithmetic is done on two int32 halves with exact
// 32x32→64 products, so hashing allocates nothing; `murmurHash64A` wraps it as a bigint.
// Values stay int32 throughout (no `>>> 0`), which keeps V8 on its small-integer fast path.

const M_HI = 0xc6a4a793 | 0;
const M_LO = 0x5bd1e995 | 0;
const B0 = M_LO & 0xffff;
const B1 = M_LO >>> 16;

// The result of mul(): [hi, lo].
const st = new Int32Array(2);

// st = (h, l) * M mod 2^64. The product l*M_LO is split in 16-bit halves so that every partial
// product is exact in a double.
function mul(h: number, l: number): void {
  const a0 = l & 0xffff;
  const a1 = l >>> 16;
  const p00 = a0 * B0;
  const p01 = a0 * B1;
  const p10 = a1 * B0;
  const p11 = a1 * B1;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  const carry = p11 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16);
  st[0] = carry + Math.imul(h, M_LO) + Math.imul(l, M_HI);
  st[1] = ((mid & 0xffff) << 16) | (p00 & 0xffff);
}

/**
 * Hashes a byte string (one char per byte) and leaves the 64-bit result in `out`:
 * `out[0]` the high 32 bits, `out[1]` the low 32 bits.
 * @param key the bytes to hash
 * @param seed the 32-bit seed (Redis HLL uses 0xadc83b19)
 * @param out receives [hi, lo]
 */
export function murmurHash64AInto(key: string, seed: number, out: Uint32Array): void {
  const len = key.length;
  // h = seed ^ (len * m)
  mul(0, len);
  let hHi = st[0];
  let hLo = st[1] ^ seed;
  const end = len - (len & 7);
  for (let i = 0; i < end; i += 8) {
    // k = the next 8 bytes, little endian; k *= m; k ^= k >> 47; k *= m; h ^= k; h *= m
    mul(
      key.charCodeAt(i + 4) | (key.charCodeAt(i + 5) << 8) | (key.charCodeAt(i + 6) << 16) |
        (key.charCodeAt(i + 7) << 24),
      key.charCodeAt(i) | (key.charCodeAt(i + 1) << 8) | (key.charCodeAt(i + 2) << 16) |
        (key.charCodeAt(i + 3) << 24),
    );
    const kHi = st[0];
    mul(kHi, st[1] ^ (kHi >>> 15));
    mul(hHi ^ st[0], hLo ^ st[1]);
    hHi = st[0];
    hLo = st[1];
  }
  const rest = len & 7;
  if (rest !== 0) {
    // The tail bytes, folded in as the fall-through switch of the C code does.
    let tHi = 0;
    let tLo = 0;
    for (let j = rest - 1; j >= 0; j--) {
      const b = key.charCodeAt(end + j);
      if (j >= 4) tHi |= b << ((j - 4) * 8);
      else tLo |= b << (j * 8);
    }
    mul(hHi ^ tHi, hLo ^ tLo);
    hHi = st[0];
    hLo = st[1];
  }
  finish(hHi, hLo, out);
}

// h ^= h >> 47; h *= m; h ^= h >> 47
function finish(hHi: number, hLo: number, out: Uint32Array): void {
  mul(hHi, hLo ^ (hHi >>> 15));
  const h = st[0];
  out[0] = h;
  out[1] = st[1] ^ (h >>> 15);
}

/**
 * MurmurHash64A of the 8 bytes of a little-endian uint64 given as two 32-bit halves (what
 * PFSELFTEST hashes), without building a string.
 * @param lo32 the low 32 bits
 * @param hi32 the high 32 bits
 * @param seed the 32-bit seed
 * @param out receives [hi, lo]
 */
export function murmurHash64AU64Into(
  lo32: number,
  hi32: number,
  seed: number,
  out: Uint32Array,
): void {
  mul(0, 8);
  const hHi = st[0];
  const hLo = st[1] ^ seed;
  mul(hi32 | 0, lo32 | 0);
  const kHi = st[0];
  mul(kHi, st[1] ^ (kHi >>> 15));
  mul(hHi ^ st[0], hLo ^ st[1]);
  finish(st[0], st[1], out);
}

const scratch = new Uint32Array(2);

/**
 * MurmurHash64A of a byte string as an unsigned 64-bit bigint (for tests and debugging).
 * @param key the bytes to hash
 * @param seed the 32-bit seed
 * @returns the hash
 */
export function murmurHash64A(key: string, seed: number): bigint {
  murmurHash64AInto(key, seed, scratch);
  return (BigInt(scratch[0]) << 32n) | BigInt(scratch[1]);
}
