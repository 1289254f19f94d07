// Byte strings: keys and values are JS strings with one char per byte (0-255). These helpers
// convert between such strings and bytes without going through any text encoding
// (TextDecoder("latin1") is windows-1252 and would corrupt 0x80-0x9F).

import { Buffer } from "node:buffer";

const encoder = new TextEncoder();

/** Node's Buffer with its (untyped) native latin1 slicing method. */
export type Latin1Buffer = Buffer & { latin1Slice(start: number, end: number): string };

/** A node Buffer view over the same memory as `u8`, for its fast native latin1 slicing. */
export function bufferView(u8: Uint8Array): Latin1Buffer {
  return Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength) as Latin1Buffer;
}

/**
 * Bytes to a one-byte-per-char string.
 * @param u8 source bytes
 * @returns the byte string
 */
export function bytesToStr(u8: Uint8Array): string {
  return bufferView(u8).latin1Slice(0, u8.length);
}

/**
 * Writes byte string `s` into `dst` at `off`; the caller guarantees room for `s.length` bytes.
 * ASCII goes through the native encodeInto; any byte >= 0x80 falls back to a char loop.
 * @returns the offset after the written bytes
 */
export function writeStr(dst: Uint8Array, off: number, s: string): number {
  const n = s.length;
  if (n < 16) {
    for (let i = 0; i < n; i++) dst[off + i] = s.charCodeAt(i);
    return off + n;
  }
  const r = encoder.encodeInto(s, dst.subarray(off, off + n));
  if (r.read === n && r.written === n) return off + n;
  for (let i = 0; i < n; i++) dst[off + i] = s.charCodeAt(i);
  return off + n;
}

/** A byte string to a fresh Uint8Array. */
export function strToBytes(s: string): Uint8Array {
  const u8 = new Uint8Array(s.length);
  writeStr(u8, 0, s);
  return u8;
}

/** UTF-8 text (log lines, config) to a byte string, one char per byte. */
export function utf8ToStr(text: string): string {
  return bytesToStr(encoder.encode(text));
}

/** A byte string holding UTF-8 back to text, for display only. */
export function strToUtf8(s: string): string {
  return new TextDecoder().decode(strToBytes(s));
}
