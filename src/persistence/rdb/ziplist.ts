// Decoders for the compact encodings of older RDB versions: ziplist (Redis < 7), intset, and
// zipmap (Redis < 2.6). Each returns the elements as byte strings, integers in decimal, and
// throws RangeError on malformed input. Redis 7 converts these on load too; it never writes
// them.

import { bufferView } from "../../util/bytes.ts";

/**
 * Decodes a ziplist.
 * @returns its elements, in order
 */
export function zlDecode(zl: Uint8Array): string[] {
  if (zl.length < 11) throw new RangeError("ziplist too short");
  const dv = new DataView(zl.buffer, zl.byteOffset, zl.byteLength);
  if (dv.getUint32(0, true) !== zl.length) throw new RangeError("ziplist size mismatch");
  const count = dv.getUint16(8, true);
  const buf = bufferView(zl);
  const end = zl.length - 1;
  const out: string[] = [];
  let p = 10;
  while (p < end && zl[p] !== 0xff) {
    // prevlen
    p += zl[p] < 254 ? 1 : 5;
    if (p >= end) throw new RangeError("ziplist entry out of range");
    const b = zl[p];
    const top = b >> 6;
    let len = -1;
    if (top === 0) {
      len = b & 0x3f;
      p += 1;
    } else if (top === 1) {
      len = ((b & 0x3f) << 8) | zl[p + 1];
      p += 2;
    } else if (top === 2) {
      len = dv.getUint32(p + 1, false);
      p += 5;
    }
    if (len >= 0) {
      if (p + len > end) throw new RangeError("ziplist string out of range");
      out.push(buf.latin1Slice(p, p + len));
      p += len;
      continue;
    }
    p += 1;
    if (b === 0xc0) {
      out.push(String(dv.getInt16(p, true)));
      p += 2;
    } else if (b === 0xd0) {
      out.push(String(dv.getInt32(p, true)));
      p += 4;
    } else if (b === 0xe0) {
      out.push(String(dv.getBigInt64(p, true)));
      p += 8;
    } else if (b === 0xf0) {
      out.push(String((zl[p] | (zl[p + 1] << 8) | (zl[p + 2] << 16)) << 8 >> 8));
      p += 3;
    } else if (b === 0xfe) {
      out.push(String(dv.getInt8(p)));
      p += 1;
    } else if (b >= 0xf1 && b <= 0xfd) {
      out.push(String((b & 0x0f) - 1));
    } else {
      throw new RangeError(`bad ziplist encoding 0x${b.toString(16)}`);
    }
  }
  if (p !== end || zl[end] !== 0xff) throw new RangeError("ziplist end mismatch");
  if (count !== 65535 && count !== out.length) throw new RangeError("ziplist count mismatch");
  return out;
}

/**
 * Decodes an intset.
 * @returns its members in decimal, ascending
 */
export function intsetDecode(is: Uint8Array): string[] {
  if (is.length < 8) throw new RangeError("intset too short");
  const dv = new DataView(is.buffer, is.byteOffset, is.byteLength);
  const enc = dv.getUint32(0, true);
  const len = dv.getUint32(4, true);
  if ((enc !== 2 && enc !== 4 && enc !== 8) || 8 + enc * len !== is.length) {
    throw new RangeError("intset size mismatch");
  }
  const out = new Array<string>(len);
  for (let i = 0; i < len; i++) {
    const o = 8 + i * enc;
    out[i] = String(
      enc === 2 ? dv.getInt16(o, true) : enc === 4 ? dv.getInt32(o, true) : dv.getBigInt64(o, true),
    );
  }
  return out;
}

/**
 * Decodes a zipmap (field, value, field, value ...).
 * @returns the flat field/value list
 */
export function zipmapDecode(zm: Uint8Array): string[] {
  const dv = new DataView(zm.buffer, zm.byteOffset, zm.byteLength);
  const buf = bufferView(zm);
  const out: string[] = [];
  let p = 1;
  const readLen = (): number => {
    if (p >= zm.length) throw new RangeError("zipmap out of range");
    const b = zm[p];
    if (b < 254) {
      p += 1;
      return b;
    }
    if (b === 254) {
      const v = dv.getUint32(p + 1, true);
      p += 5;
      return v;
    }
    return -1;
  };
  for (;;) {
    const klen = readLen();
    if (klen < 0) break;
    if (p + klen > zm.length) throw new RangeError("zipmap out of range");
    out.push(buf.latin1Slice(p, p + klen));
    p += klen;
    const vlen = readLen();
    if (vlen < 0) throw new RangeError("zipmap value missing");
    const free = zm[p++];
    if (p + vlen + free > zm.length) throw new RangeError("zipmap out of range");
    out.push(buf.latin1Slice(p, p + vlen));
    p += vlen + free;
  }
  if (p !== zm.length - 1) throw new RangeError("zipmap end mismatch");
  return out;
}
