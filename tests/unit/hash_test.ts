// HashValue (src/store/types/hash.ts): insertion (listpack) order, the one-way listpack →
// hashtable conversion by field/value length and by field count, random fields, clone, and
// MEMORY USAGE figures checked against a real redis-server 7.0.15.

import assert from "node:assert/strict";
import { HashValue, jemallocSize, sdsAlloc } from "../../src/store/types/hash.ts";

const ENTRIES = 512;
const VALUE = 64;

function hashOf(...pairs: string[]): HashValue {
  const h = new HashValue();
  for (let i = 0; i < pairs.length; i += 2) h.set(pairs[i], pairs[i + 1], ENTRIES, VALUE);
  return h;
}

Deno.test("set reports new fields, updates keep their position", () => {
  const h = new HashValue();
  assert.equal(h.set("z", "1", ENTRIES, VALUE), true);
  assert.equal(h.set("a", "2", ENTRIES, VALUE), true);
  assert.equal(h.set("z", "3", ENTRIES, VALUE), false);
  assert.deepEqual([...h.map], [["z", "3"], ["a", "2"]]);
  assert.equal(h.get("z"), "3");
  assert.equal(h.get("nope"), undefined);
  assert.equal(h.size, 2);
});

Deno.test("delete removes fields and the hash reports empty when none are left", () => {
  const h = hashOf("a", "1", "b", "2");
  assert.equal(h.delete("a"), true);
  assert.equal(h.delete("a"), false);
  assert.equal(h.isEmpty(), false);
  assert.equal(h.delete("b"), true);
  assert.equal(h.isEmpty(), true);
  assert.equal(h.type, "hash");
});

Deno.test("a value or field longer than the listpack limit converts to hashtable for good", () => {
  const h = hashOf("f", "y".repeat(64));
  assert.equal(h.encoding(), "listpack");
  h.set("g", "x".repeat(65), ENTRIES, VALUE);
  assert.equal(h.encoding(), "hashtable");
  h.delete("g");
  assert.equal(h.encoding(), "hashtable");
  const byField = hashOf("k".repeat(65), "v");
  assert.equal(byField.encoding(), "hashtable");
  assert.equal(byField.isListpack, false);
});

Deno.test("more fields than the entries limit converts, also on an update after lowering it", () => {
  const h = new HashValue();
  h.set("a", "1", 2, VALUE);
  h.set("b", "2", 2, VALUE);
  assert.equal(h.encoding(), "listpack");
  h.set("c", "3", 2, VALUE);
  assert.equal(h.encoding(), "hashtable");
  const upd = hashOf("a", "1", "b", "2");
  upd.set("a", "5", 1, VALUE);
  assert.equal(upd.encoding(), "hashtable");
  const zero = new HashValue();
  zero.set("a", "1", 0, VALUE);
  assert.equal(zero.encoding(), "hashtable");
});

Deno.test("randomField picks existing fields and follows additions and deletions", () => {
  const h = hashOf("a", "1", "b", "2", "c", "3");
  for (let i = 0; i < 50; i++) assert.ok(h.map.has(h.randomField()));
  h.set("d", "4", ENTRIES, VALUE);
  assert.deepEqual(h.fields().slice().sort(), ["a", "b", "c", "d"]);
  h.delete("a");
  assert.deepEqual(h.fields().slice().sort(), ["b", "c", "d"]);
  const seen = new Set<string>();
  for (let i = 0; i < 500; i++) seen.add(h.randomField());
  assert.deepEqual([...seen].sort(), ["b", "c", "d"]);
});

Deno.test("clone copies fields and encoding and shares nothing", () => {
  const h = hashOf("a", "1", "b", "x".repeat(100));
  const c = h.clone();
  assert.equal(c.encoding(), "hashtable");
  c.set("z", "9", ENTRIES, VALUE);
  c.delete("a");
  assert.deepEqual([...h.map.keys()], ["a", "b"]);
  assert.deepEqual([...c.map.keys()], ["b", "z"]);
  assert.equal(hashOf("a", "1").clone().encoding(), "listpack");
});

Deno.test("memoryUsage matches Redis 7.0 for listpack hashes", () => {
  // MEMORY USAGE minus the key's dict entry and sds (32 bytes for a short key).
  assert.equal(hashOf("f", "v").memoryUsage(5), 64 - 32);
  const ten: string[] = [];
  for (let i = 0; i < 10; i++) ten.push(String.fromCharCode(97 + i), String(i + 1));
  assert.equal(hashOf(...ten).memoryUsage(5), 112 - 32);
  const h3 = hashOf("field1", "value1", "field2", "a longer value for the hash field here");
  assert.equal(h3.memoryUsage(5), 128 - 32);
});

Deno.test("memoryUsage of a hashtable hash counts the dict, buckets and sampled entries", () => {
  assert.equal(hashOf("f", "a".repeat(84)).memoryUsage(5), 264 - 32);
});

Deno.test("jemalloc size classes and sds allocations", () => {
  assert.deepEqual([1, 8, 9, 16, 17, 128, 129, 160, 161, 256, 257].map(jemallocSize), [
    8,
    8,
    16,
    16,
    32,
    128,
    160,
    160,
    192,
    256,
    320,
  ]);
  assert.equal(sdsAlloc(1), 8); // sdshdr5: 1 + 1 + NUL
  assert.equal(sdsAlloc(31), 48); // 1 + 31 + 1 = 33
  assert.equal(sdsAlloc(32), 48); // sdshdr8: 3 + 32 + 1 = 36
});
