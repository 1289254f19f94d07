// The RDB writer's encodings: lengths in 1, 2, 5 and 9 bytes, integer-encoded strings, the
// LZF threshold, d2string, intsets, stream nodes with tombstones, and whole files read back.

import assert from "node:assert/strict";
import { RdbCursor, readDumpPayload, readRdb } from "../../src/persistence/rdb/reader.ts";
import {
  d2string,
  encodeStreamNode,
  RdbWriter,
  writeIntset,
  writeQuicklist,
  writeStream,
} from "../../src/persistence/rdb/writer.ts";
import { lpDecode } from "../../src/persistence/rdb/listpack.ts";
import { intsetDecode } from "../../src/persistence/rdb/ziplist.ts";

function bytesOf(fn: (w: RdbWriter) => void, compression = true): number[] {
  const w = new RdbWriter(null, compression);
  fn(w);
  return [...w.toBytes()];
}

Deno.test("lengths use 1, 2, 5 or 9 bytes like rdbSaveLen", () => {
  assert.deepEqual(bytesOf((w) => w.len(63)), [63]);
  assert.deepEqual(bytesOf((w) => w.len(64)), [0x40, 64]);
  assert.deepEqual(bytesOf((w) => w.len(16383)), [0x7f, 0xff]);
  assert.deepEqual(bytesOf((w) => w.len(16384)), [0x80, 0, 0, 0x40, 0]);
  assert.deepEqual(bytesOf((w) => w.len(2 ** 32)), [0x81, 0, 0, 0, 1, 0, 0, 0, 0]);
  assert.deepEqual(bytesOf((w) => w.len(5n)), [5]);
  const c = new RdbCursor(new Uint8Array(bytesOf((w) => w.len(2n ** 64n - 1n))));
  assert.equal(c.lenBig(), 2n ** 64n - 1n);
});

Deno.test("short integer strings are integer-encoded, others are not", () => {
  assert.deepEqual(bytesOf((w) => w.string("-1")), [0xc0, 0xff]);
  assert.deepEqual(bytesOf((w) => w.string("300")), [0xc1, 0x2c, 0x01]);
  assert.deepEqual(bytesOf((w) => w.string("2000000000")), [0xc2, 0x00, 0x94, 0x35, 0x77]);
  // Beyond 32 bits, leading zeros, "+": plain strings.
  assert.deepEqual(bytesOf((w) => w.string("5000000000")), [
    10,
    ...new TextEncoder().encode("5000000000"),
  ]);
  assert.deepEqual(bytesOf((w) => w.string("01")), [2, 0x30, 0x31]);
  assert.deepEqual(bytesOf((w) => w.string("+1")), [2, 0x2b, 0x31]);
});

Deno.test("strings over 20 bytes are LZF-compressed when that saves space and compression is on", () => {
  const s20 = "a".repeat(20);
  assert.deepEqual(bytesOf((w) => w.string(s20)), [20, ...new Array(20).fill(0x61)]);
  const s21 = "a".repeat(21);
  assert.equal(bytesOf((w) => w.string(s21))[0], 0xc3);
  assert.equal(bytesOf((w) => w.string(s21), false)[0], 21);
  const c = new RdbCursor(new Uint8Array(bytesOf((w) => w.string("ab".repeat(500)))));
  assert.equal(c.string(), "ab".repeat(500));
});

Deno.test("d2string prints integral scores as integers and the rest as %.17g", () => {
  assert.equal(d2string(1), "1");
  assert.equal(d2string(-3), "-3");
  assert.equal(d2string(2.5), "2.5");
  assert.equal(d2string(0.1), "0.10000000000000001");
  assert.equal(d2string(-0), "-0");
  assert.equal(d2string(Infinity), "inf");
  assert.equal(d2string(-Infinity), "-inf");
  assert.equal(d2string(1e20), "1e+20");
  // double2ll's range is ±LLONG_MAX/2, which as a double is 2^62.
  assert.equal(d2string(1e17), "100000000000000000");
  assert.equal(d2string(123456789012345680), "123456789012345680");
  assert.equal(d2string(2 ** 62), "4611686018427387904");
  assert.equal(d2string(-(2 ** 62)), "-4611686018427387904");
  assert.equal(d2string(2 ** 62 + 1024), "4.6116860184273889e+18");
});

Deno.test("intsets pick the narrowest width and sort their members", () => {
  for (
    const [members, width] of [[["3", "-1"], 2], [["70000", "1"], 4], [
      ["5000000000", "1"],
      8,
    ]] as const
  ) {
    const w = new RdbWriter(null, false);
    writeIntset(w, members);
    const c = new RdbCursor(w.toBytes());
    const is = c.stringBytes();
    assert.equal(is[0], width);
    assert.deepEqual(intsetDecode(is), [...members].sort((a, b) => Number(BigInt(a) - BigInt(b))));
  }
});

Deno.test("quicklist nodes are filled as RPUSH fills them (8 KB for list-max-listpack-size -2)", () => {
  const items = Array.from({ length: 2000 }, (_, i) => `element-${i}`);
  const w = new RdbWriter(null, false);
  writeQuicklist(w, items, items.length, -2);
  const c = new RdbCursor(w.toBytes());
  const nodes = c.len();
  assert.ok(nodes > 1);
  const out: string[] = [];
  for (let i = 0; i < nodes; i++) {
    assert.equal(c.len(), 2);
    const lp = c.stringBytes();
    assert.ok(lp.length <= 8192);
    out.push(...lpDecode(lp));
  }
  assert.deepEqual(out, items);
  const w5 = new RdbWriter(null, false);
  writeQuicklist(w5, items.slice(0, 12), 12, 5);
  assert.equal(new RdbCursor(w5.toBytes()).len(), 3);
});

Deno.test("stream nodes keep tombstones, which the reader skips", () => {
  const id = (ms: bigint, seq: bigint) => ({ ms, seq });
  const node = {
    master: id(5n, 0n),
    masterFields: ["a"],
    entries: [
      { id: id(5n, 0n), fields: ["a", "1"] },
      { id: id(5n, 1n), fields: ["a", "2"], deleted: true },
      { id: id(7n, 0n), fields: ["b", "3", "c", "4"] },
    ],
  };
  const lp = lpDecode(encodeStreamNode(node));
  // count 2, deleted 1, 1 master field.
  assert.deepEqual(lp.slice(0, 5), ["2", "1", "1", "a", "0"]);
  const w = new RdbWriter(null, true);
  w.byte(19);
  writeStream(w, {
    entries: [],
    nodes: [node],
    length: 2,
    lastId: id(7n, 0n),
    firstId: id(5n, 0n),
    maxDeletedId: id(5n, 1n),
    entriesAdded: 3n,
    groups: [],
  });
  w.finishDump(10);
  const v = readDumpPayload(w.toBytes());
  assert.equal(v.type, "stream");
  if (v.type !== "stream") return;
  assert.deepEqual(v.stream.entries.map((e) => [`${e.id.ms}-${e.id.seq}`, e.fields]), [
    ["5-0", ["a", "1"]],
    ["7-0", ["b", "3", "c", "4"]],
  ]);
  assert.equal(v.stream.maxDeletedId.seq, 1n);
});

Deno.test("a file with no checksum (rdbchecksum no) reads back", () => {
  const w = new RdbWriter(null, true);
  w.header();
  w.byte(254);
  w.len(0);
  w.byte(0);
  w.string("k");
  w.string("v");
  w.finish(false);
  const bytes = w.toBytes();
  assert.deepEqual([...bytes.subarray(bytes.length - 8)], [0, 0, 0, 0, 0, 0, 0, 0]);
  let seen = "";
  readRdb(bytes, { key: (_db, k, v) => seen = `${k}=${v.type === "string" ? v.value : ""}` });
  assert.equal(seen, "k=v");
});
