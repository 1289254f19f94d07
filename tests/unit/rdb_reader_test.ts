// Reading RDB files real Redis 7.0 wrote (tests/fixtures, made by make_fixtures.ts): every
// type and encoding of the dataset, aux fields, functions, expiries, FREQ/IDLE; byte-identical
// LZF output; write/read round trips; and truncated or corrupted files failing with an offset.

import assert from "node:assert/strict";
import {
  RdbFormatError,
  type RdbObject,
  readDumpPayload,
  readRdb,
  verifyDumpPayload,
} from "../../src/persistence/rdb/reader.ts";
import { RdbWriter, writeRdbObject } from "../../src/persistence/rdb/writer.ts";
import { strToBytes } from "../../src/util/bytes.ts";
import { lpEncode } from "../../src/persistence/rdb/listpack.ts";
import { legacyRdb } from "../fixtures/legacy.ts";

const FIXTURES = new URL("../fixtures/", import.meta.url).pathname;

interface Loaded {
  aux: Map<string, string>;
  dbs: Map<number, Map<string, { v: RdbObject; exp: number; idle: number; freq: number }>>;
  functions: string[];
  version: number;
}

function load(data: Uint8Array): Loaded {
  const out: Loaded = { aux: new Map(), dbs: new Map(), functions: [], version: 0 };
  const info = readRdb(data, {
    aux: (k, v) => out.aux.set(k, v),
    functionCode: (code) => out.functions.push(code),
    key: (db, key, v, exp, idle, freq) => {
      let m = out.dbs.get(db);
      if (m === undefined) out.dbs.set(db, m = new Map());
      m.set(key, { v, exp, idle, freq });
    },
  });
  out.version = info.version;
  return out;
}

function fixture(name: string): Uint8Array {
  return Deno.readFileSync(FIXTURES + name);
}

Deno.test("reads every type and encoding Redis 7.0 wrote", () => {
  const r = load(fixture("redis7_dataset.rdb.bin"));
  assert.equal(r.version, 10);
  assert.equal(r.aux.get("redis-ver"), "7.0.15");
  assert.equal(r.aux.get("redis-bits"), "64");
  assert.equal(r.functions.length, 1);
  assert.match(r.functions[0], /^#!lua name=mylib/);
  const db0 = r.dbs.get(0)!;
  const db3 = r.dbs.get(3)!;
  const get = (k: string) => db0.get(k)!.v;
  assert.deepEqual(get("str:raw"), { type: "string", value: "hello world" });
  assert.deepEqual(get("str:int"), { type: "string", value: "12345" });
  assert.deepEqual(get("str:neg"), { type: "string", value: "-100" });
  assert.deepEqual(get("str:int32"), { type: "string", value: "2000000000" });
  assert.deepEqual(get("str:int64"), { type: "string", value: "12345678901234567890" });
  assert.deepEqual(get("str:lzf"), { type: "string", value: "a".repeat(200) + "b".repeat(100) });
  assert.deepEqual(get("str:big"), { type: "string", value: "x".repeat(70000) });
  assert.deepEqual(get("str:bin"), { type: "string", value: "\x00\x01\xff\xfe\r\n" });
  assert.deepEqual(get("str:empty"), { type: "string", value: "" });
  assert.equal(db0.get("str:exp")!.exp, 4102444800000);
  assert.equal(db0.get("str:raw")!.exp, -1);
  assert.ok(db0.get("hash:longval")!.exp > Date.now());
  assert.deepEqual(get("list:small"), {
    type: "list",
    items: ["a", "b", "c", "1", "2", "3", "-5", "70000", "9999999999", "-9223372036854775808"],
  });
  const big = get("list:big") as { items: string[] };
  assert.equal(big.items.length, 300);
  assert.equal(big.items[299], "elem299");
  const setInt = get("set:int") as { members: string[] };
  assert.deepEqual(
    [...setInt.members].sort(),
    ["-4", "1", "100000", "2", "3", "5000000000"].sort(),
  );
  assert.deepEqual(
    [...(get("set:str") as { members: string[] }).members].sort(),
    ["a", "b", "c"],
  );
  assert.equal((get("set:big") as { members: string[] }).members.length, 300);
  const hs = get("hash:small") as { fields: string[]; values: string[] };
  assert.deepEqual(hs.fields, ["f1", "f2", "f3"]);
  assert.deepEqual(hs.values, ["v1", "2", "-3"]);
  const hb = get("hash:big") as { fields: string[]; values: string[] };
  assert.equal(hb.fields.length, 300);
  assert.equal(hb.values[hb.fields.indexOf("field42")], "value42");
  const zs = get("zset:small") as { members: string[]; scores: number[] };
  assert.deepEqual(zs.members, ["e", "c", "f", "a", "b", "d"]);
  assert.deepEqual(zs.scores, [-Infinity, -3, 0.1, 1, 2.5, Infinity]);
  const zb = get("zset:big") as { members: string[]; scores: number[] };
  assert.equal(zb.members.length, 300);
  assert.equal(zb.scores[zb.members.indexOf("m70")], 10);
  assert.deepEqual(db3.get("db3key")!.v, { type: "string", value: "value3" });
  assert.deepEqual(db3.get("db3list")!.v, { type: "list", items: ["x"] });
});

Deno.test("reads streams with deleted entries, consumer groups and PELs", () => {
  const r = load(fixture("redis7_dataset.rdb.bin"));
  const s = (r.dbs.get(0)!.get("stream:1")!.v as {
    stream: import("../../src/persistence/rdb/reader.ts").RdbStream;
  }).stream;
  const id = (x: { ms: bigint; seq: bigint }) => `${x.ms}-${x.seq}`;
  assert.deepEqual(s.entries.map((e) => id(e.id)), ["1-1", "2-0", "3-0"]);
  assert.deepEqual(s.entries[0].fields, ["f1", "v1", "f2", "v2"]);
  assert.deepEqual(s.entries[1].fields, ["other", "x"]);
  assert.deepEqual(s.entries[2].fields, ["f1", "v5", "f2", "v6"]);
  assert.equal(id(s.lastId), "3-0");
  assert.equal(id(s.firstId), "1-1");
  assert.equal(id(s.maxDeletedId), "1-2");
  assert.equal(s.entriesAdded, 4n);
  assert.deepEqual(s.groups.map((g) => g.name), ["g1", "g2"]);
  const g1 = s.groups[0];
  assert.equal(id(g1.lastId), "3-0");
  assert.equal(g1.entriesRead, 4);
  assert.deepEqual(g1.pel.map((p) => [id(p.id), p.consumer, p.deliveryCount]), [
    ["1-1", "alice", 1],
    ["2-0", "alice", 1],
    ["3-0", "bob", 1],
  ]);
  assert.deepEqual(g1.consumers.map((c) => c.name), ["alice", "bob", "carol"]);
  assert.ok(g1.consumers[0].seenTime > 1600000000000);
  const empty = (r.dbs.get(0)!.get("stream:empty")!.v as { stream: typeof s }).stream;
  assert.equal(empty.entries.length, 0);
  assert.equal(id(empty.lastId), "5-5");
  const big = (r.dbs.get(0)!.get("stream:big")!.v as { stream: typeof s }).stream;
  assert.equal(big.entries.length, 250);
  assert.equal(id(big.entries[249].id), "1249-0");
  assert.deepEqual(big.entries[249].fields, ["k", "249", "n", "v249"]);
});

Deno.test("reads FREQ and IDLE opcodes", () => {
  const lfu = load(fixture("redis7_lfu.rdb.bin"));
  for (const e of lfu.dbs.get(0)!.values()) {
    assert.ok(e.freq >= 0 && e.freq <= 255);
    assert.equal(e.idle, -1);
  }
  const lru = load(fixture("redis7_lru.rdb.bin"));
  for (const e of lru.dbs.get(0)!.values()) {
    assert.ok(e.idle >= 0);
    assert.equal(e.freq, -1);
  }
});

Deno.test("LZF-compressed strings come out byte-identical to Redis's", () => {
  const data = fixture("redis7_dataset.rdb.bin");
  for (
    const [key, value] of [["str:lzf", "a".repeat(200) + "b".repeat(100)], [
      "str:big",
      "x".repeat(70000),
    ]]
  ) {
    const w = new RdbWriter(null, true);
    w.byte(0);
    w.string(key);
    w.string(value);
    const mine = w.toBytes();
    const hay = Array.from(data).map((b) => String.fromCharCode(b)).join("");
    const at = hay.indexOf(String.fromCharCode(...mine.subarray(0, key.length + 2)));
    assert.ok(at > 0, `key ${key} not found`);
    assert.deepEqual(data.subarray(at, at + mine.length), mine);
  }
});

Deno.test("a file written from the read values reads back the same", () => {
  const r = load(fixture("redis7_dataset.rdb.bin"));
  const w = new RdbWriter(null, true);
  w.header();
  w.aux("redis-ver", "7.0.15");
  for (const [db, keys] of r.dbs) {
    w.byte(254);
    w.len(db);
    for (const [k, e] of keys) {
      if (e.exp >= 0) {
        w.byte(252);
        w.millis(e.exp);
      }
      writeRdbObject(w, e.v, k);
    }
  }
  w.finish(true);
  const again = load(w.toBytes());
  for (const [db, keys] of r.dbs) {
    for (const [k, e] of keys) {
      const b = again.dbs.get(db)!.get(k)!;
      assert.equal(b.exp, e.exp);
      assert.deepEqual(normalise(b.v), normalise(e.v), k);
    }
  }
});

// Orderless types compared as sorted pairs.
function normalise(v: RdbObject): unknown {
  if (v.type === "set") return [...v.members].sort();
  if (v.type === "zset") return v.members.map((m, i) => `${m}=${v.scores[i]}`).sort();
  if (v.type === "hash") return v.fields.map((f, i) => `${f}=${v.values[i]}`).sort();
  return v;
}

Deno.test("a truncated file fails with the offset where data ran out", () => {
  const data = fixture("redis7_dataset.rdb.bin");
  for (const cut of [0, 5, 9, 10, 100, 1000, 5000, data.length - 9, data.length - 1]) {
    assert.throws(() => load(data.subarray(0, cut)), (e: unknown) => {
      assert.ok(e instanceof RdbFormatError, String(e));
      assert.ok(e.offset <= cut, `offset ${e.offset} > ${cut}`);
      return true;
    });
  }
});

Deno.test("flipped bits and a wrong checksum are detected", () => {
  const data = fixture("redis7_dataset.rdb.bin");
  for (const pos of [20, 200, 2000, 8000, data.length - 3]) {
    const bad = data.slice();
    bad[pos] ^= 0x10;
    assert.throws(() => load(bad), RdbFormatError);
  }
  const zeroCrc = data.slice();
  zeroCrc.fill(0, data.length - 8);
  assert.equal(load(zeroCrc).version, 10);
});

Deno.test("a wrong signature and an unknown version are rejected", () => {
  assert.throws(() => load(strToBytes("REDXS0010\xff\0\0\0\0\0\0\0\0")), /Wrong signature/);
  assert.throws(
    () => load(strToBytes("REDIS0012\xff\0\0\0\0\0\0\0\0")),
    /Can't handle RDB format version 0012/,
  );
  assert.equal(load(strToBytes("REDIS0011\xff\0\0\0\0\0\0\0\0")).version, 11);
  assert.equal(load(strToBytes("REDIS0001\xff")).version, 1);
});

Deno.test("DUMP payloads: footer checks and decoding", () => {
  const w = new RdbWriter(null, true);
  writeRdbObject(w, { type: "list", items: ["a", "1", "b".repeat(30)] });
  w.finishDump(10);
  const p = w.toBytes();
  assert.equal(verifyDumpPayload(p), 10);
  assert.deepEqual(readDumpPayload(p), { type: "list", items: ["a", "1", "b".repeat(30)] });
  const bad = p.slice();
  bad[1] ^= 1;
  assert.equal(verifyDumpPayload(bad), -1);
  const w11 = new RdbWriter(null, true);
  writeRdbObject(w11, { type: "string", value: "x" });
  w11.finishDump(11);
  assert.equal(verifyDumpPayload(w11.toBytes()), -1);
});

Deno.test("reads the legacy encodings: linked list, ziplists, quicklist, zipmap, intset, v1 stream", () => {
  const r = load(legacyRdb());
  assert.equal(r.version, 9);
  const db0 = r.dbs.get(0)!;
  const v = (k: string) => db0.get(k)!.v;
  assert.deepEqual(v("linked"), { type: "list", items: ["a", "12", "c".repeat(40)] });
  assert.deepEqual(v("zllist"), {
    type: "list",
    items: ["x", "5", "-100", "70000", "5000000000", "y".repeat(100)],
  });
  assert.deepEqual(v("qlist"), { type: "list", items: ["q1", "q2", "1", "q3", "-7"] });
  assert.deepEqual(v("intset"), { type: "set", members: ["-70000", "3", "100000"] });
  assert.deepEqual(v("plainset"), { type: "set", members: ["m1", "m2"] });
  assert.deepEqual(v("zset1"), {
    type: "zset",
    members: ["a", "b", "c"],
    scores: [1.5, -3, Infinity],
  });
  assert.deepEqual(v("zlzset"), {
    type: "zset",
    members: ["low", "mid", "high"],
    scores: [-1, 2.5, 10],
  });
  assert.deepEqual(v("zmhash"), {
    type: "hash",
    fields: ["f1", "f2", "f3"],
    values: ["v1", "22", ""],
  });
  assert.deepEqual(v("zlhash"), { type: "hash", fields: ["a", "b"], values: ["1", "two"] });
  assert.equal(db0.get("exp-seconds")!.exp, 2000000000000);
  const s =
    (v("stream-v1") as { stream: import("../../src/persistence/rdb/reader.ts").RdbStream }).stream;
  assert.deepEqual(s.entries.map((e) => [`${e.id.ms}-${e.id.seq}`, e.fields]), [
    ["10-0", ["f", "v1"]],
    ["12-1", ["f", "v2"]],
  ]);
  assert.equal(s.groups[0].entriesRead, null);
  assert.equal(s.groups[0].pel[0].consumer, "alice");
  assert.equal(s.groups[0].pel[0].deliveryCount, 3);
  assert.deepEqual(r.dbs.get(2)!.get("in-db-2")!.v, { type: "string", value: "two" });
});

Deno.test("reads the RDB 11 types Redis 7.2 writes: listpack sets and v3 streams", () => {
  const w = new RdbWriter(null, false);
  w.header(11);
  w.byte(254);
  w.len(0);
  w.byte(20); // RDB_TYPE_SET_LISTPACK
  w.string("lpset");
  w.stringBytes(lpEncode(["a", "1", "b"]));
  w.byte(21); // RDB_TYPE_STREAM_LISTPACKS_3
  w.string("s3");
  w.len(0); // no nodes: empty stream
  w.len(0);
  for (const n of [7, 0, 0, 0, 0, 0, 3]) w.len(n); // last 7-0, first 0-0, max-del 0-0, added 3
  w.len(1);
  w.string("g");
  w.len(7);
  w.len(0);
  w.len(3); // entries read
  w.len(0); // PEL
  w.len(1);
  w.string("c1");
  w.millis(1700000000000); // seen
  w.millis(1700000000123); // active (v3 only)
  w.len(0);
  w.finish(true);
  const r = load(w.toBytes());
  assert.equal(r.version, 11);
  assert.deepEqual(r.dbs.get(0)!.get("lpset")!.v, { type: "set", members: ["a", "1", "b"] });
  const s = (r.dbs.get(0)!.get("s3")!.v as {
    stream: import("../../src/persistence/rdb/reader.ts").RdbStream;
  }).stream;
  assert.equal(s.entries.length, 0);
  assert.equal(s.groups[0].entriesRead, 3);
  assert.deepEqual(s.groups[0].consumers, [{
    name: "c1",
    seenTime: 1700000000000,
    activeTime: 1700000000123,
  }]);
});
