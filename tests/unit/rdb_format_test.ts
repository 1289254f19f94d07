// The RDB building blocks: CRC64 (Jones) test vector, LZF round trips and byte-identical
// output to Redis's liblzf, listpack encode/decode, and the legacy ziplist, intset and zipmap
// decoders against hand-built inputs.

import assert from "node:assert/strict";
import { crc64, crc64Init, crc64Update, crc64Value } from "../../src/persistence/rdb/crc64.ts";
import { lzfCompress, lzfDecompress } from "../../src/persistence/rdb/lzf.ts";
import { ListpackBuilder, lpDecode, lpEncode } from "../../src/persistence/rdb/listpack.ts";
import { intsetDecode, zipmapDecode, zlDecode } from "../../src/persistence/rdb/ziplist.ts";
import { strToBytes } from "../../src/util/bytes.ts";

const enc = new TextEncoder();

Deno.test("crc64 of 123456789 is Redis's test vector", () => {
  assert.equal(crc64(enc.encode("123456789")), 0xe9c6d914c4b8d9can);
  assert.equal(crc64(new Uint8Array(0)), 0n);
});

Deno.test("crc64 folded in pieces equals crc64 in one go", () => {
  const data = enc.encode("This is a test of the emergency broadcast system.".repeat(10));
  const c = crc64Init();
  crc64Update(c, data, 0, 7);
  crc64Update(c, data, 7, 300);
  crc64Update(c, data, 300);
  assert.equal(crc64Value(c), crc64(data));
});

Deno.test("lzf round-trips compressible and random data", () => {
  const inputs = [
    "a".repeat(1000),
    "abcabcabcabcabcabcabcabcabcabcabcabcabc",
    "The quick brown fox jumps over the lazy dog. ".repeat(50),
    Array.from({ length: 3000 }, (_, i) => String.fromCharCode((i * 7919) % 251)).join(""),
  ];
  for (const s of inputs) {
    const src = strToBytes(s);
    const c = lzfCompress(src, src.length + 64);
    assert.ok(c !== null);
    assert.deepEqual(lzfDecompress(c, src.length), src);
  }
});

Deno.test("lzf gives up when the output would not be smaller", () => {
  const src = new Uint8Array(100);
  for (let i = 0; i < 100; i++) src[i] = (i * 131 + 17) % 256;
  assert.equal(lzfCompress(src, src.length - 4), null);
});

Deno.test("lzf decompress rejects a back reference before the start and a wrong length", () => {
  assert.equal(lzfDecompress(new Uint8Array([0x20, 0x05]), 3), null);
  const c = lzfCompress(strToBytes("a".repeat(100)), 96)!;
  assert.equal(lzfDecompress(c, 99), null);
});

Deno.test("listpack round-trips strings and integers of every width", () => {
  const items = [
    "0",
    "127",
    "128",
    "-1",
    "-4096",
    "4095",
    "-4097",
    "32767",
    "-32768",
    "8388607",
    "-8388608",
    "2147483647",
    "-2147483648",
    "9223372036854775807",
    "-9223372036854775808",
    "9223372036854775808",
    "007",
    "",
    "x".repeat(63),
    "y".repeat(64),
    "z".repeat(4095),
    "w".repeat(4096),
    "\x00\xff",
  ];
  const lp = lpEncode(items);
  assert.deepEqual(lpDecode(lp), items);
});

Deno.test("listpack encodes like Redis's lpAppend", () => {
  // lpNew + lpAppend("a") + lpAppend("1") + lpAppend("-1") as Redis lays them out.
  const lp = lpEncode(["a", "1", "-1"]);
  assert.deepEqual(
    [...lp],
    [15, 0, 0, 0, 3, 0, 0x81, 0x61, 2, 0x01, 1, 0xdf, 0xff, 2, 0xff],
  );
});

Deno.test("listpack decode rejects a wrong total size and a missing end byte", () => {
  const lp = lpEncode(["a", "b"]);
  const bad = lp.slice();
  bad[0]++;
  assert.throws(() => lpDecode(bad), RangeError);
  const trunc = lp.slice(0, lp.length - 1);
  trunc[0]--;
  assert.throws(() => lpDecode(trunc), RangeError);
});

Deno.test("listpack builder counts elements and bytes", () => {
  const b = new ListpackBuilder();
  b.append("hello");
  b.appendInt(5);
  assert.equal(b.count, 2);
  const lp = b.finish();
  assert.equal(lp.length, b.bytes);
});

/** A ziplist built by hand: header, entries with prevlen, end byte. */
function ziplist(entries: number[][]): Uint8Array {
  const body: number[] = [];
  let prev = 0;
  for (const e of entries) {
    const pl = prev < 254 ? [prev] : [254, prev & 0xff, (prev >> 8) & 0xff, 0, 0];
    body.push(...pl, ...e);
    prev = pl.length + e.length;
  }
  const total = 10 + body.length + 1;
  return new Uint8Array([
    total & 0xff,
    total >> 8,
    0,
    0,
    10,
    0,
    0,
    0,
    entries.length,
    0,
    ...body,
    0xff,
  ]);
}

Deno.test("ziplist decodes strings and every integer encoding", () => {
  const zl = ziplist([
    [0x03, 0x61, 0x62, 0x63], // "abc"
    [0xc0, 0x39, 0x30], // int16 12345
    [0xd0, 0x00, 0x94, 0x35, 0x77], // int32 2000000000
    [0xe0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f], // int64 max
    [0xf0, 0xff, 0xff, 0x7f], // int24 8388607
    [0xfe, 0x80], // int8 -128
    [0xf1], // immediate 0
    [0xfd], // immediate 12
    [0x40, 0x02, 0x78, 0x79], // 14-bit length "xy"
  ]);
  assert.deepEqual(zlDecode(zl), [
    "abc",
    "12345",
    "2000000000",
    "9223372036854775807",
    "8388607",
    "-128",
    "0",
    "12",
    "xy",
  ]);
});

Deno.test("intset decodes 16, 32 and 64-bit members", () => {
  const i16 = new Uint8Array([2, 0, 0, 0, 2, 0, 0, 0, 0xff, 0xff, 5, 0]);
  assert.deepEqual(intsetDecode(i16), ["-1", "5"]);
  const i64 = new Uint8Array(16);
  const dv = new DataView(i64.buffer);
  dv.setUint32(0, 8, true);
  dv.setUint32(4, 1, true);
  dv.setBigInt64(8, 5000000000n, true);
  assert.deepEqual(intsetDecode(i64), ["5000000000"]);
  assert.throws(() => intsetDecode(i16.subarray(0, 10)), RangeError);
});

Deno.test("zipmap decodes field/value pairs with free bytes", () => {
  // zmlen 2, "a" -> "1" (1 free byte), "bc" -> "" , end
  const zm = new Uint8Array([2, 1, 0x61, 1, 1, 0x31, 0x00, 2, 0x62, 0x63, 0, 0, 0xff]);
  assert.deepEqual(zipmapDecode(zm), ["a", "1", "bc", ""]);
});
