// SetValue (src/store/types/set.ts): the intset (sorted, strict 64-bit integers, one-way
// conversion), the hashtable with its random-access snapshot under SADD/SREM/SPOP, clone, and
// MEMORY USAGE figures checked against a real redis-server 7.0.15.

import assert from "node:assert/strict";
import { SetValue } from "../../src/store/types/set.ts";

const MAX = 512;

function setOf(...members: string[]): SetValue {
  const s = new SetValue();
  for (const m of members) s.add(m, MAX);
  return s;
}

Deno.test("an intset keeps members in ascending numeric order", () => {
  const s = setOf("100", "-5", "0", "9223372036854775807", "-9223372036854775808", "42", "7");
  assert.equal(s.encoding(), "intset");
  assert.deepEqual(s.toArray(), [
    "-9223372036854775808",
    "-5",
    "0",
    "7",
    "42",
    "100",
    "9223372036854775807",
  ]);
});

Deno.test("integers beyond 2^53 compare exactly in an intset", () => {
  const s = setOf("9007199254740993", "9007199254740992", "9007199254740994", "1");
  assert.deepEqual(s.toArray(), [
    "1",
    "9007199254740992",
    "9007199254740993",
    "9007199254740994",
  ]);
  assert.equal(s.has("9007199254740993"), true);
  assert.equal(s.has("9007199254740995"), false);
  assert.equal(s.add("9007199254740993", MAX), false);
  assert.equal(s.delete("9007199254740993"), true);
  assert.equal(s.size, 3);
});

Deno.test("only strict integers stay in an intset", () => {
  for (const m of ["01", "-0", "+1", " 2", "1.0", "9223372036854775808", "", "a"]) {
    assert.equal(setOf("1", m).encoding(), "hashtable", m);
  }
  assert.equal(setOf("-1", "0").encoding(), "intset");
});

Deno.test("membership tests on an intset do not convert it", () => {
  const s = setOf("1", "2");
  assert.equal(s.has("a"), false);
  assert.equal(s.has("01"), false);
  assert.equal(s.delete("a"), false);
  assert.equal(s.encoding(), "intset");
  assert.equal(s.isIntset, true);
});

Deno.test("more members than set-max-intset-entries converts, and never back", () => {
  const s = new SetValue();
  s.add("1", 2);
  s.add("2", 2);
  assert.equal(s.encoding(), "intset");
  s.add("3", 2);
  assert.equal(s.encoding(), "hashtable");
  s.delete("3");
  s.delete("2");
  assert.equal(s.encoding(), "hashtable");
  assert.equal(s.has("1"), true);
  const zero = new SetValue();
  zero.add("5", 0);
  assert.equal(zero.encoding(), "hashtable");
});

Deno.test("add and delete report changes in both encodings", () => {
  for (const s of [setOf("1"), setOf("a")]) {
    assert.equal(s.add("x", MAX), true);
    assert.equal(s.add("x", MAX), false);
    assert.equal(s.delete("x"), true);
    assert.equal(s.delete("x"), false);
    assert.equal(s.size, 1);
  }
});

Deno.test("pop empties a set without repeats, in both encodings", () => {
  for (const members of [["1", "2", "3", "4", "5"], ["a", "b", "c", "d", "e"]]) {
    const s = setOf(...members);
    const popped: string[] = [];
    while (!s.isEmpty()) popped.push(s.pop());
    assert.deepEqual(popped.sort(), members);
    assert.equal(s.size, 0);
  }
});

Deno.test("random picks stay members while the snapshot follows SADD, SREM and SPOP", () => {
  const s = setOf("a", "b", "c");
  assert.ok(s.has(s.random()));
  s.add("d", MAX);
  s.delete("a");
  const p = s.pop();
  s.add("e", MAX);
  const expected = ["b", "c", "d", "e"].filter((m) => m !== p);
  const seen = new Set<string>();
  for (let i = 0; i < 1000; i++) seen.add(s.random());
  assert.deepEqual([...seen].sort(), expected);
  assert.deepEqual(s.toArray().sort(), expected);
});

Deno.test("forEach stops when the callback returns false", () => {
  const s = setOf("3", "1", "2");
  const seen: string[] = [];
  s.forEach((m) => {
    seen.push(m);
    if (m === "2") return false;
  });
  assert.deepEqual(seen, ["1", "2"]);
});

Deno.test("scanTarget is null for an intset and the member Set for a hashtable", () => {
  assert.equal(setOf("1").scanTarget(), null);
  const t = setOf("a", "b").scanTarget();
  assert.ok(t instanceof Set);
  assert.deepEqual([...t!], ["a", "b"]);
});

Deno.test("clone copies members and encoding and shares nothing", () => {
  const ints = setOf("1", "2");
  const ci = ints.clone();
  ci.add("3", MAX);
  assert.deepEqual(ints.toArray(), ["1", "2"]);
  assert.equal(ci.encoding(), "intset");
  const ht = setOf("a", "b");
  const ch = ht.clone();
  ch.delete("a");
  ch.add("c", MAX);
  assert.deepEqual(ht.toArray(), ["a", "b"]);
  assert.deepEqual(ch.toArray(), ["b", "c"]);
  assert.equal(ch.encoding(), "hashtable");
});

Deno.test("memoryUsage matches Redis 7.0 for intsets of each width and a small hashtable", () => {
  // MEMORY USAGE minus the key's dict entry and sds (32 bytes for a short key).
  assert.equal(setOf("1").memoryUsage(5), 64 - 32);
  assert.equal(setOf("1", "2", "3", "100000").memoryUsage(5), 80 - 32);
  assert.equal(setOf("1", "2", "3", "10000000000").memoryUsage(5), 96 - 32);
  assert.equal(setOf("a").memoryUsage(5), 168 - 32);
  // The intset width only grows: removing the wide member keeps 8-byte elements.
  const w = setOf("1", "10000000000");
  w.delete("10000000000");
  assert.equal(w.memoryUsage(5), 16 + 16);
});
