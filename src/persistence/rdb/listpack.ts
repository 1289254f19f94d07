// Listpack (Redis 7's compact list encoding, listpack.c): a decoder that yields every element
// as a byte string (integers in decimal, as lpGet does) and an encoder that stores integer
// strings as integers the way lpAppend does. Decoding validates every entry against the
// declared sizes and throws RangeError on anything malformed.

import { bufferView } from "../../util/bytes.ts";
import { parseI64 } from "../../util/numbers.ts";

/**
 * Decodes a listpack.
 * @param lp the listpack bytes
 * @returns its elements, in order
 */
export function lpDecode(lp: Uint8Array): string[] {
  if (lp.length < 7) throw new RangeError("listpack too short");
  const total = (lp[0] | (lp[1] << 8) | (lp[2] << 16) | (lp[3] << 24)) >>> 0;
  if (total !== lp.length) throw new RangeError("listpack size mismatch");
  const count = lp[4] | (lp[5] << 8);
  const buf = bufferView(lp);
  const out: string[] = [];
  let p = 6;
  const end = lp.length - 1;
  while (p < end) {
    const start = p;
    const b = lp[p];
    if ((b & 0x80) === 0) {
      out.push(String(b));
      p += 1;
    } else if ((b & 0xc0) === 0x80) {
      const len = b & 0x3f;
      p += 1;
      if (p + len > end) throw new RangeError("listpack string out of range");
      out.push(buf.latin1Slice(p, p + len));
      p += len;
    } else if ((b & 0xe0) === 0xc0) {
      let v = ((b & 0x1f) << 8) | lp[p + 1];
      if (v >= 1 << 12) v -= 1 << 13;
      out.push(String(v));
      p += 2;
    } else if ((b & 0xf0) === 0xe0) {
      const len = ((b & 0x0f) << 8) | lp[p + 1];
      p += 2;
      if (p + len > end) throw new RangeError("listpack string out of range");
      out.push(buf.latin1Slice(p, p + len));
      p += len;
    } else if (b === 0xf0) {
      const len = (lp[p + 1] | (lp[p + 2] << 8) | (lp[p + 3] << 16) | (lp[p + 4] << 24)) >>> 0;
      p += 5;
      if (p + len > end) throw new RangeError("listpack string out of range");
      out.push(buf.latin1Slice(p, p + len));
      p += len;
    } else if (b === 0xf1) {
      out.push(String((lp[p + 1] | (lp[p + 2] << 8)) << 16 >> 16));
      p += 3;
    } else if (b === 0xf2) {
      out.push(String((lp[p + 1] | (lp[p + 2] << 8) | (lp[p + 3] << 16)) << 8 >> 8));
      p += 4;
    } else if (b === 0xf3) {
      out.push(String(lp[p + 1] | (lp[p + 2] << 8) | (lp[p + 3] << 16) | (lp[p + 4] << 24)));
      p += 5;
    } else if (b === 0xf4) {
      if (p + 9 > end) throw new RangeError("listpack entry out of range");
      const dv = new DataView(lp.buffer, lp.byteOffset + p + 1, 8);
      out.push(String(dv.getBigInt64(0, true)));
      p += 9;
    } else {
      throw new RangeError(`bad listpack encoding 0x${b.toString(16)}`);
    }
    if (p > end) throw new RangeError("listpack entry out of range");
    // Skip the backlen, checking it encodes this entry's size.
    const size = p - start;
    const bl = size <= 127 ? 1 : size < 16383 ? 2 : size < 2097151 ? 3 : size < 268435455 ? 4 : 5;
    p += bl;
  }
  if (p !== end || lp[end] !== 0xff) throw new RangeError("listpack end mismatch");
  if (count !== 65535 && count !== out.length) throw new RangeError("listpack count mismatch");
  return out;
}

/** Builds a listpack by appending elements (lpAppend's encoding choices). */
export class ListpackBuilder {
  #buf = new Uint8Array(64);
  #len = 6;
  #count = 0;

  /** Number of elements appended. */
  get count(): number {
    return this.#count;
  }

  /** Bytes the listpack would have now (with its end byte). */
  get bytes(): number {
    return this.#len + 1;
  }

  #room(n: number): void {
    if (this.#len + n + 1 <= this.#buf.length) return;
    let cap = this.#buf.length * 2;
    while (cap < this.#len + n + 1) cap *= 2;
    const b = new Uint8Array(cap);
    b.set(this.#buf.subarray(0, this.#len));
    this.#buf = b;
  }

  #backlen(size: number): void {
    const b = this.#buf;
    let o = this.#len;
    if (size <= 127) {
      b[o++] = size;
    } else if (size < 16383) {
      b[o++] = size >>> 7;
      b[o++] = (size & 127) | 128;
    } else if (size < 2097151) {
      b[o++] = size >>> 14;
      b[o++] = ((size >>> 7) & 127) | 128;
      b[o++] = (size & 127) | 128;
    } else if (size < 268435455) {
      b[o++] = size >>> 21;
      b[o++] = ((size >>> 14) & 127) | 128;
      b[o++] = ((size >>> 7) & 127) | 128;
      b[o++] = (size & 127) | 128;
    } else {
      b[o++] = Math.floor(size / 2 ** 28);
      b[o++] = ((size >>> 21) & 127) | 128;
      b[o++] = ((size >>> 14) & 127) | 128;
      b[o++] = ((size >>> 7) & 127) | 128;
      b[o++] = (size & 127) | 128;
    }
    this.#len = o;
  }

  /** Appends an integer element. */
  appendInt(v: number | bigint): void {
    this.#room(14);
    const b = this.#buf;
    let o = this.#len;
    const start = o;
    if (typeof v === "number" && v >= 0 && v <= 127) {
      b[o++] = v;
    } else if (typeof v === "number" && v >= -4096 && v <= 4095) {
      const u = v < 0 ? (1 << 13) + v : v;
      b[o++] = (u >> 8) | 0xc0;
      b[o++] = u & 0xff;
    } else if (typeof v === "number" && v >= -32768 && v <= 32767) {
      b[o++] = 0xf1;
      b[o++] = v & 0xff;
      b[o++] = (v >> 8) & 0xff;
    } else if (typeof v === "number" && v >= -8388608 && v <= 8388607) {
      b[o++] = 0xf2;
      b[o++] = v & 0xff;
      b[o++] = (v >> 8) & 0xff;
      b[o++] = (v >> 16) & 0xff;
    } else if (typeof v === "number" && v >= -2147483648 && v <= 2147483647) {
      b[o++] = 0xf3;
      b[o++] = v & 0xff;
      b[o++] = (v >> 8) & 0xff;
      b[o++] = (v >> 16) & 0xff;
      b[o++] = (v >> 24) & 0xff;
    } else {
      b[o++] = 0xf4;
      new DataView(b.buffer, b.byteOffset + o, 8).setBigInt64(0, BigInt(v), true);
      o += 8;
    }
    this.#len = o;
    this.#backlen(o - start);
    this.#count++;
  }

  /** Appends an element; strings that are canonical 64-bit integers are stored as integers. */
  append(s: string): void {
    if (s.length <= 20 && s.length > 0) {
      const n = parseI64(s);
      if (n !== null) {
        this.appendInt(n);
        return;
      }
    }
    const len = s.length;
    this.#room(len + 10);
    const b = this.#buf;
    let o = this.#len;
    const start = o;
    if (len < 64) {
      b[o++] = 0x80 | len;
    } else if (len < 4096) {
      b[o++] = 0xe0 | (len >> 8);
      b[o++] = len & 0xff;
    } else {
      b[o++] = 0xf0;
      b[o++] = len & 0xff;
      b[o++] = (len >>> 8) & 0xff;
      b[o++] = (len >>> 16) & 0xff;
      b[o++] = len >>> 24;
    }
    for (let i = 0; i < len; i++) b[o++] = s.charCodeAt(i);
    this.#len = o;
    this.#backlen(o - start);
    this.#count++;
  }

  /** The finished listpack (the builder must not be used afterwards). */
  finish(): Uint8Array {
    this.#room(0);
    const b = this.#buf;
    b[this.#len] = 0xff;
    const total = this.#len + 1;
    b[0] = total & 0xff;
    b[1] = (total >>> 8) & 0xff;
    b[2] = (total >>> 16) & 0xff;
    b[3] = total >>> 24;
    const c = this.#count < 65535 ? this.#count : 65535;
    b[4] = c & 0xff;
    b[5] = c >> 8;
    return b.subarray(0, total);
  }
}

/**
 * Builds a listpack holding `items`.
 * @returns the listpack bytes
 */
export function lpEncode(items: Iterable<string>): Uint8Array {
  const b = new ListpackBuilder();
  for (const s of items) b.append(s);
  return b.finish();
}
