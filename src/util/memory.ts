// Allocation sizes as Redis's zmalloc_size sees them (jemalloc on x86-64), shared by every
// MEMORY USAGE estimate (commands/admin.ts and the types in store/types/).

/** robj header. */
export const ROBJ = 16;
/** sizeof(dict) in Redis 7.0. */
export const DICT = 56;
/** sizeof(dictEntry). */
export const DICT_ENTRY = 24;

/** jemalloc's size class for an allocation of `n` bytes (16-byte quantum, 4 per doubling). */
export function jemallocSize(n: number): number {
  if (n <= 8) return 8;
  if (n <= 128) return Math.ceil(n / 16) * 16;
  const step = 2 ** (Math.floor(Math.log2(n - 1)) - 2);
  return Math.ceil(n / step) * step;
}

/**
 * An sds string's allocation: the smallest header type that fits, the bytes and a NUL. Keys
 * may use the 1-byte sdshdr5; values are at least sdshdr8 (pass minHeader 3).
 */
export function sdsAlloc(len: number, minHeader = 1): number {
  const header = len < 32 ? 1 : len < 256 ? 3 : len < 65536 ? 5 : len < 2 ** 32 ? 9 : 17;
  return jemallocSize(Math.max(header, minHeader) + len + 1);
}

/** Buckets of a dict expanded for `n` entries: the next power of two, at least 4. */
export function dictSize(n: number): number {
  let s = 4;
  while (s < n) s *= 2;
  return s;
}

/** Buckets after a delete: Redis resizes a dict filled below 10% down to fit its entries. */
export function shrunk(slots: number, n: number): number {
  return slots > 4 && (n * 100) / slots < 10 ? dictSize(n) : slots;
}
