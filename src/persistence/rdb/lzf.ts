// LZF as liblzf 3.6 with Redis's settings (HLOG 16, VERY_FAST, offsets in the hash table):
// `lzfCompress` follows lzf_compress step by step, so its output matches Redis's byte for
// byte (Redis leaves its table uninitialised; stale entries there can only be rejected by the
// byte comparison, never change a match), and `lzfDecompress` reads any valid LZF stream.

const HLOG = 16;
const HSIZE = 1 << HLOG;
const MAX_LIT = 1 << 5;
const MAX_OFF = 1 << 13;
const MAX_REF = (1 << 8) + (1 << 3);

let htab: Uint32Array | null = null;

// liblzf's IDX for VERY_FAST on a 32-bit unsigned hash (only the low 16 bits matter).
function idx(h: number): number {
  return ((h >>> (3 * 8 - HLOG)) - Math.imul(h, 5)) & (HSIZE - 1);
}

/**
 * Compresses `input` into at most `outLen` bytes (Redis passes len - 4).
 * @returns the compressed bytes, or null when they would not fit in `outLen`
 */
export function lzfCompress(input: Uint8Array, outLen: number): Uint8Array | null {
  const inLen = input.length;
  if (inLen === 0 || outLen <= 0) return null;
  const tab = htab ??= new Uint32Array(HSIZE);
  tab.fill(0);
  const out = new Uint8Array(outLen);
  // The table holds input offsets; 0 means empty, and like liblzf's `ref > in_data` check,
  // offset 0 is never used as a match.
  let ip = 0;
  let op = 0;
  const inEnd = inLen;
  const outEnd = outLen;
  let lit = 0;
  op++;
  let hval = (input[0] << 8) | input[1];
  while (ip < inEnd - 2) {
    hval = ((hval << 8) | input[ip + 2]) >>> 0;
    const slot = idx(hval);
    const ref = tab[slot];
    tab[slot] = ip;
    const off = ip - ref - 1;
    if (
      ref > 0 && off < MAX_OFF && input[ref + 2] === input[ip + 2] &&
      input[ref] === input[ip] && input[ref + 1] === input[ip + 1]
    ) {
      let len = 2;
      let maxlen = inEnd - ip - len;
      if (maxlen > MAX_REF) maxlen = MAX_REF;
      if (op + 3 + 1 >= outEnd) {
        if (op - (lit === 0 ? 1 : 0) + 3 + 1 >= outEnd) return null;
      }
      out[op - lit - 1] = lit - 1;
      if (lit === 0) op--;
      // liblzf unrolls 16 comparisons without the maxlen check when maxlen > 16; matching
      // that keeps our output identical to Redis's.
      let done = false;
      if (maxlen > 16) {
        for (let k = 0; k < 16; k++) {
          len++;
          if (input[ref + len] !== input[ip + len]) {
            done = true;
            break;
          }
        }
      }
      if (!done) {
        do len++; while (len < maxlen && input[ref + len] === input[ip + len]);
      }
      len -= 2;
      ip++;
      if (len < 7) {
        out[op++] = (off >> 8) + (len << 5);
      } else {
        out[op++] = (off >> 8) + (7 << 5);
        out[op++] = len - 7;
      }
      out[op++] = off & 0xff;
      lit = 0;
      op++;
      ip += len + 1;
      if (ip >= inEnd - 2) break;
      ip -= 2;
      hval = (input[ip] << 8) | input[ip + 1];
      hval = ((hval << 8) | input[ip + 2]) >>> 0;
      tab[idx(hval)] = ip;
      ip++;
      hval = ((hval << 8) | input[ip + 2]) >>> 0;
      tab[idx(hval)] = ip;
      ip++;
    } else {
      if (op >= outEnd) return null;
      lit++;
      out[op++] = input[ip++];
      if (lit === MAX_LIT) {
        out[op - lit - 1] = lit - 1;
        lit = 0;
        op++;
      }
    }
  }
  if (op + 3 > outEnd) return null;
  while (ip < inEnd) {
    lit++;
    out[op++] = input[ip++];
    if (lit === MAX_LIT) {
      out[op - lit - 1] = lit - 1;
      lit = 0;
      op++;
    }
  }
  out[op - lit - 1] = lit - 1;
  if (lit === 0) op--;
  return out.subarray(0, op);
}

/**
 * Decompresses an LZF stream that expands to exactly `outLen` bytes.
 * @returns the bytes, or null when the stream is corrupt or does not expand to `outLen`
 */
export function lzfDecompress(input: Uint8Array, outLen: number): Uint8Array | null {
  const out = new Uint8Array(outLen);
  let ip = 0;
  let op = 0;
  const inEnd = input.length;
  while (ip < inEnd) {
    let ctrl = input[ip++];
    if (ctrl < 32) {
      ctrl++;
      if (op + ctrl > outLen || ip + ctrl > inEnd) return null;
      out.set(input.subarray(ip, ip + ctrl), op);
      op += ctrl;
      ip += ctrl;
    } else {
      let len = ctrl >> 5;
      let ref = op - ((ctrl & 0x1f) << 8) - 1;
      if (len === 7) {
        if (ip >= inEnd) return null;
        len += input[ip++];
      }
      if (ip >= inEnd) return null;
      ref -= input[ip++];
      len += 2;
      if (op + len > outLen || ref < 0) return null;
      for (let k = 0; k < len; k++) out[op++] = out[ref++];
    }
  }
  return op === outLen ? out : null;
}
