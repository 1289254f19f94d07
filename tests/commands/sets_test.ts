// The sets family through the dispatcher: every command and option, the error texts, the
// forms writes propagate in (SPOP as SREM or DEL), keyspace events, the dirty counter, the
// intset → hashtable transitions and ordering, and RESP3 shapes. Expected values were taken
// from a real redis-server 7.0.15.

import assert from "node:assert/strict";
import { Harness, withHarness } from "../helpers/harness.ts";
import type { Value } from "../helpers/resp_client.ts";

const WRONGTYPE = { error: "WRONGTYPE Operation against a key holding the wrong kind of value" };
const SYNTAX = { error: "ERR syntax error" };
const NOT_INT = { error: "ERR value is not an integer or out of range" };
const POSITIVE = { error: "ERR value is out of range, must be positive" };

// Propagated commands since the last call, without the stream's SELECTs.
function props(h: Harness): string[][] {
  return h.propagated().filter((c) => c[0] !== "SELECT");
}

/** Records keyspace notifications as "class event key". */
function recordEvents(h: Harness): string[] {
  const events: string[] = [];
  h.server.keyspace.hooks.notify = (type, event, key) => {
    if (type !== "m") events.push(`${type} ${event} ${key}`);
  };
  return events;
}

function dirtyDelta(h: Harness, fn: () => void): number {
  const before = h.server.keyspace.dirty;
  fn();
  return h.server.keyspace.dirty - before;
}

function encoding(h: Harness, key: string): Value {
  return h.run("OBJECT", "ENCODING", key);
}

function sorted(v: Value): string[] {
  return (v as string[]).slice().sort();
}

function range(from: number, to: number): string[] {
  const out: string[] = [];
  for (let i = from; i <= to; i++) out.push(String(i));
  return out;
}

// --- SADD / SREM / SCARD / SISMEMBER / SMISMEMBER / SMEMBERS

Deno.test("SADD counts added members and propagates only when something was added", () =>
  withHarness((h) => {
    assert.equal(h.run("SADD", "s", "3", "1", "2"), 3);
    assert.equal(h.run("SADD", "s", "2", "3", "4"), 1);
    assert.equal(h.run("SADD", "s", "4"), 0);
    assert.equal(h.run("SCARD", "s"), 4);
    assert.deepEqual(props(h), [["SADD", "s", "3", "1", "2"], ["SADD", "s", "2", "3", "4"]]);
  }));

Deno.test("SREM counts removed members and deletes the emptied key", () =>
  withHarness((h) => {
    h.run("SADD", "s", "a", "b", "c");
    h.propagated();
    const events = recordEvents(h);
    assert.equal(h.run("SREM", "s", "a", "x", "a"), 1);
    assert.equal(h.run("SREM", "s", "x"), 0);
    assert.equal(h.run("SREM", "nokey", "x"), 0);
    assert.equal(h.run("SREM", "s", "b", "c"), 2);
    assert.deepEqual(events, ["s srem s", "s srem s", "g del s"]);
    assert.equal(h.run("EXISTS", "s"), 0);
    assert.deepEqual(props(h), [["SREM", "s", "a", "x", "a"], ["SREM", "s", "b", "c"]]);
  }));

Deno.test("SISMEMBER, SMISMEMBER and SCARD treat a missing key as empty", () =>
  withHarness((h) => {
    h.run("SADD", "s", "1", "a");
    assert.equal(h.run("SISMEMBER", "s", "1"), 1);
    assert.equal(h.run("SISMEMBER", "s", "01"), 0);
    assert.equal(h.run("SISMEMBER", "nokey", "1"), 0);
    assert.deepEqual(h.run("SMISMEMBER", "s", "1", "x", "a"), [1, 0, 1]);
    assert.deepEqual(h.run("SMISMEMBER", "nokey", "1", "2"), [0, 0]);
    assert.equal(h.run("SCARD", "nokey"), 0);
  }));

Deno.test("SMEMBERS of an intset is in ascending order, of a missing key empty", () =>
  withHarness((h) => {
    h.run("SADD", "s", "100", "-5", "0", "9223372036854775807", "-9223372036854775808");
    assert.deepEqual(h.run("SMEMBERS", "s"), [
      "-9223372036854775808",
      "-5",
      "0",
      "100",
      "9223372036854775807",
    ]);
    assert.deepEqual(h.run("SMEMBERS", "nokey"), []);
    h.run("SADD", "t", "b", "a", "\x00\xff");
    assert.deepEqual(sorted(h.run("SMEMBERS", "t")), ["\x00\xff", "a", "b"]);
  }));

Deno.test("set replies are RESP3 sets; SRANDMEMBER and SMISMEMBER stay arrays", () =>
  withHarness((h) => {
    h.run("HELLO", "3");
    h.run("SADD", "s", "2", "1");
    assert.equal(h.raw(["SMEMBERS", "s"]), "~2\r\n$1\r\n1\r\n$1\r\n2\r\n");
    assert.equal(h.raw(["SMEMBERS", "nokey"]), "~0\r\n");
    assert.equal(h.raw(["SINTER", "s", "nokey"]), "~0\r\n");
    assert.equal(h.raw(["SUNION", "s"]), "~2\r\n$1\r\n1\r\n$1\r\n2\r\n");
    assert.equal(h.raw(["SDIFF", "nokey"]), "~0\r\n");
    assert.equal(h.raw(["SPOP", "nokey"]), "_\r\n");
    assert.equal(h.raw(["SPOP", "nokey", "2"]), "~0\r\n");
    assert.equal(h.raw(["SPOP", "s", "0"]), "~0\r\n");
    assert.equal(h.raw(["SRANDMEMBER", "s", "5"]), "*2\r\n$1\r\n1\r\n$1\r\n2\r\n");
    assert.equal(h.raw(["SRANDMEMBER", "nokey"]), "_\r\n");
    assert.equal(h.raw(["SMISMEMBER", "s", "1", "3"]), "*2\r\n:1\r\n:0\r\n");
  }));

// --- encodings

Deno.test("a set is an intset until a non-integer or too many members, never back", () =>
  withHarness((h) => {
    h.run("SADD", "s", ...range(1, 512));
    assert.equal(encoding(h, "s"), "intset");
    h.run("SADD", "s", "513");
    assert.equal(encoding(h, "s"), "hashtable");
    h.run("SREM", "s", "513", "512");
    assert.equal(encoding(h, "s"), "hashtable");
    for (const m of ["a", "01", "-0", "+1", "1.0", "9223372036854775808"]) {
      h.run("DEL", "t");
      h.run("SADD", "t", "1", m);
      assert.equal(encoding(h, "t"), "hashtable", m);
    }
    h.run("SADD", "u", "1", "2", "a");
    h.run("SREM", "u", "a");
    assert.equal(encoding(h, "u"), "hashtable");
  }));

Deno.test("set-max-intset-entries is read at each write", () =>
  withHarness((h) => {
    h.run("CONFIG", "SET", "set-max-intset-entries", "2");
    h.run("SADD", "s", "1", "2");
    assert.equal(encoding(h, "s"), "intset");
    h.run("SADD", "s", "3");
    assert.equal(encoding(h, "s"), "hashtable");
    h.run("SADD", "t", "1", "2");
    h.run("CONFIG", "SET", "set-max-intset-entries", "1");
    h.run("SADD", "t", "2");
    assert.equal(encoding(h, "t"), "intset");
    h.run("CONFIG", "SET", "set-max-intset-entries", "0");
    h.run("SADD", "u", "1");
    assert.equal(encoding(h, "u"), "hashtable");
  }));

Deno.test("COPY duplicates a set with its encoding; MEMORY USAGE matches Redis", () =>
  withHarness((h) => {
    h.run("SADD", "s", "1", "2", "3");
    assert.equal(h.run("COPY", "s", "c"), 1);
    h.run("SADD", "c", "4");
    assert.equal(h.run("SCARD", "s"), 3);
    assert.equal(encoding(h, "c"), "intset");
    h.run("SADD", "t", "a");
    h.run("COPY", "t", "t2");
    assert.equal(encoding(h, "t2"), "hashtable");
    assert.equal(h.run("MEMORY", "USAGE", "s"), 64);
    assert.equal(h.run("MEMORY", "USAGE", "t"), 168);
  }));

// --- SPOP

Deno.test("SPOP without count propagates SREM of the popped member", () =>
  withHarness((h) => {
    h.run("SADD", "s", "a", "b");
    h.propagated();
    const m = h.run("SPOP", "s") as string;
    assert.ok(m === "a" || m === "b");
    assert.deepEqual(props(h), [["SREM", "s", m]]);
    const last = h.run("SPOP", "s") as string;
    assert.deepEqual(props(h), [["SREM", "s", last]]);
    assert.equal(h.run("EXISTS", "s"), 0);
    assert.equal(h.raw(["SPOP", "s"]), "$-1\r\n");
    assert.deepEqual(props(h), []);
  }));

Deno.test("SPOP with count below the size propagates one SREM per member in MULTI/EXEC", () =>
  withHarness((h) => {
    h.run("SADD", "s", "1", "2", "3", "4", "5");
    h.propagated();
    const popped = h.run("SPOP", "s", "2") as string[];
    assert.equal(popped.length, 2);
    assert.notEqual(popped[0], popped[1]);
    assert.deepEqual(props(h), [
      ["MULTI"],
      ["SREM", "s", popped[0]],
      ["SREM", "s", popped[1]],
      ["EXEC"],
    ]);
    assert.equal(h.run("SCARD", "s"), 3);
    const one = h.run("SPOP", "s", "1") as string[];
    assert.deepEqual(props(h), [["SREM", "s", one[0]]]);
  }));

Deno.test("SPOP with count covering the set replies it in set order and propagates DEL", () =>
  withHarness((h) => {
    h.run("SADD", "s", "5", "3", "9");
    h.propagated();
    const events = recordEvents(h);
    assert.deepEqual(h.run("SPOP", "s", "100"), ["3", "5", "9"]);
    assert.equal(h.run("EXISTS", "s"), 0);
    assert.deepEqual(props(h), [["DEL", "s"]]);
    assert.deepEqual(events, ["s spop s", "g del s"]);
    h.run("SADD", "t", "a", "b", "c");
    h.propagated();
    assert.deepEqual(sorted(h.run("SPOP", "t", "3")), ["a", "b", "c"]);
    assert.deepEqual(props(h), [["DEL", "t"]]);
  }));

Deno.test("SPOP drawing most of a set rebuilds the rest with a fresh encoding", () =>
  withHarness((h) => {
    h.run("SADD", "s", ...range(1, 600));
    assert.equal(encoding(h, "s"), "hashtable");
    h.run("EXPIRE", "s", "100");
    h.propagated();
    const popped = h.run("SPOP", "s", "590") as string[];
    assert.equal(new Set(popped).size, 590);
    assert.equal(h.run("SCARD", "s"), 10);
    assert.equal(encoding(h, "s"), "intset");
    assert.equal(h.run("TTL", "s"), 100);
    const rest = h.run("SMEMBERS", "s") as string[];
    for (const m of rest) assert.ok(!popped.includes(m));
    const p = props(h);
    assert.equal(p.length, 592);
    assert.deepEqual(p.slice(1, -1).map((c) => c[2]), popped);
    h.run("SADD", "t", ...range(1, 600));
    h.run("SPOP", "t", "10");
    assert.equal(encoding(h, "t"), "hashtable");
    assert.equal(h.run("SCARD", "t"), 590);
  }));

Deno.test("SPOP count errors and edge cases", () =>
  withHarness((h) => {
    h.run("SADD", "s", "1", "2");
    h.propagated();
    assert.deepEqual(h.run("SPOP", "s", "-1"), POSITIVE);
    assert.deepEqual(h.run("SPOP", "s", "abc"), POSITIVE);
    assert.deepEqual(h.run("SPOP", "nokey", "-1"), POSITIVE);
    assert.deepEqual(h.run("SPOP", "s", "1", "2"), SYNTAX);
    assert.deepEqual(h.run("SPOP", "s", "0"), []);
    assert.deepEqual(h.run("SPOP", "nokey", "3"), []);
    assert.equal(h.run("SCARD", "s"), 2);
    assert.deepEqual(props(h), []);
  }));

// --- SRANDMEMBER

Deno.test("SRANDMEMBER replies members without removing them", () =>
  withHarness((h) => {
    assert.equal(h.raw(["SRANDMEMBER", "nokey"]), "$-1\r\n");
    assert.deepEqual(h.run("SRANDMEMBER", "nokey", "3"), []);
    assert.deepEqual(h.run("SRANDMEMBER", "nokey", "-3"), []);
    h.run("SADD", "s", "3", "1", "2");
    assert.deepEqual(h.run("SRANDMEMBER", "s", "3"), ["1", "2", "3"]);
    assert.deepEqual(h.run("SRANDMEMBER", "s", "9223372036854775807"), ["1", "2", "3"]);
    assert.deepEqual(h.run("SRANDMEMBER", "s", "0"), []);
    for (let i = 0; i < 20; i++) {
      assert.ok(["1", "2", "3"].includes(h.run("SRANDMEMBER", "s") as string));
      const two = h.run("SRANDMEMBER", "s", "2") as string[];
      assert.equal(new Set(two).size, 2);
    }
    const many = h.run("SRANDMEMBER", "s", "-50") as string[];
    assert.equal(many.length, 50);
    assert.deepEqual([...new Set(many)].sort(), ["1", "2", "3"]);
    assert.equal(h.run("SCARD", "s"), 3);
    h.run("SADD", "one", "x");
    assert.deepEqual(h.run("SRANDMEMBER", "one", "-3"), ["x", "x", "x"]);
    assert.deepEqual(props(h), [["SADD", "s", "3", "1", "2"], ["SADD", "one", "x"]]);
  }));

Deno.test("SRANDMEMBER count errors", () =>
  withHarness((h) => {
    h.run("SADD", "s", "1");
    assert.deepEqual(h.run("SRANDMEMBER", "s", "abc"), NOT_INT);
    assert.deepEqual(h.run("SRANDMEMBER", "s", "1.5"), NOT_INT);
    assert.deepEqual(h.run("SRANDMEMBER", "nokey", "-9223372036854775808"), {
      error:
        "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807",
    });
    assert.deepEqual(h.run("SRANDMEMBER", "s", "1", "2"), SYNTAX);
  }));

// --- SMOVE

Deno.test("SMOVE moves a member, creating and deleting keys as needed", () =>
  withHarness((h) => {
    h.run("SADD", "a", "1", "2");
    h.run("SADD", "b", "3");
    h.propagated();
    const events = recordEvents(h);
    assert.equal(h.run("SMOVE", "a", "b", "1"), 1);
    assert.equal(h.run("SMOVE", "a", "b", "9"), 0);
    assert.equal(h.run("SMOVE", "a", "new", "2"), 1);
    assert.equal(h.run("EXISTS", "a"), 0);
    assert.deepEqual(h.run("SMEMBERS", "b"), ["1", "3"]);
    assert.deepEqual(h.run("SMEMBERS", "new"), ["2"]);
    assert.deepEqual(events, ["s srem a", "s sadd b", "s srem a", "g del a", "s sadd new"]);
    assert.deepEqual(props(h), [["SMOVE", "a", "b", "1"], ["SMOVE", "a", "new", "2"]]);
  }));

Deno.test("SMOVE to the same key or of a member the destination has", () =>
  withHarness((h) => {
    h.run("SADD", "a", "1");
    h.run("SADD", "b", "1");
    h.propagated();
    assert.equal(h.run("SMOVE", "b", "b", "1"), 1);
    assert.equal(h.run("SMOVE", "b", "b", "9"), 0);
    assert.deepEqual(props(h), []);
    assert.equal(dirtyDelta(h, () => h.run("SMOVE", "a", "b", "1")), 1);
    assert.equal(h.run("EXISTS", "a"), 0);
    assert.deepEqual(h.run("SMEMBERS", "b"), ["1"]);
    h.run("SADD", "s", "x");
    assert.equal(h.run("SMOVE", "s", "ints", "x"), 1);
    assert.equal(encoding(h, "ints"), "hashtable");
    h.run("SADD", "s", "5");
    h.run("SMOVE", "s", "ints2", "5");
    assert.equal(encoding(h, "ints2"), "intset");
  }));

Deno.test("SMOVE type checks: a missing source wins over a wrong destination", () =>
  withHarness((h) => {
    h.run("SET", "str", "x");
    h.run("SADD", "a", "1");
    assert.equal(h.run("SMOVE", "nokey", "str", "1"), 0);
    assert.deepEqual(h.run("SMOVE", "a", "str", "1"), WRONGTYPE);
    assert.deepEqual(h.run("SMOVE", "a", "str", "9"), WRONGTYPE);
    assert.deepEqual(h.run("SMOVE", "str", "a", "1"), WRONGTYPE);
    assert.equal(h.run("SCARD", "a"), 1);
  }));

// --- SINTER / SINTERCARD / SINTERSTORE

Deno.test("SINTER replies the common members in the smallest set's order", () =>
  withHarness((h) => {
    h.run("SADD", "a", "1", "2", "3", "4", "5");
    h.run("SADD", "b", "4", "5", "6", "7");
    h.run("SADD", "c", "5", "4", "9");
    assert.deepEqual(h.run("SINTER", "a", "b"), ["4", "5"]);
    assert.deepEqual(h.run("SINTER", "a", "b", "c"), ["4", "5"]);
    assert.deepEqual(h.run("SINTER", "a"), range(1, 5));
    assert.deepEqual(h.run("SINTER", "a", "a"), range(1, 5));
    assert.deepEqual(h.run("SINTER", "a", "nokey"), []);
    h.run("SADD", "x", "q", "y", "z", "1");
    h.run("SADD", "y", "y", "z", "w", "1");
    assert.deepEqual(sorted(h.run("SINTER", "x", "y")), ["1", "y", "z"]);
  }));

Deno.test("SINTER checks the type of every key, even after a missing one", () =>
  withHarness((h) => {
    h.run("SET", "str", "x");
    h.run("SADD", "a", "1");
    assert.deepEqual(h.run("SINTER", "nokey", "str"), WRONGTYPE);
    assert.deepEqual(h.run("SINTER", "a", "str"), WRONGTYPE);
    assert.deepEqual(h.run("SINTERCARD", "2", "nokey", "str"), WRONGTYPE);
    assert.deepEqual(h.run("SINTERSTORE", "d", "nokey", "str"), WRONGTYPE);
    assert.deepEqual(h.run("SUNION", "nokey", "str"), WRONGTYPE);
    assert.deepEqual(h.run("SDIFF", "nokey", "str"), WRONGTYPE);
  }));

Deno.test("SINTERCARD counts the intersection up to LIMIT", () =>
  withHarness((h) => {
    h.run("SADD", "a", "1", "2", "3", "4", "5");
    h.run("SADD", "b", "4", "5", "6", "7");
    assert.equal(h.run("SINTERCARD", "2", "a", "b"), 2);
    assert.equal(h.run("SINTERCARD", "1", "a"), 5);
    assert.equal(h.run("SINTERCARD", "2", "a", "nokey"), 0);
    assert.equal(h.run("SINTERCARD", "2", "a", "b", "LIMIT", "1"), 1);
    assert.equal(h.run("SINTERCARD", "2", "a", "b", "limit", "0"), 2);
    assert.equal(h.run("SINTERCARD", "1", "a", "LIMIT", "2", "LIMIT", "4"), 4);
  }));

Deno.test("SINTERCARD argument errors", () =>
  withHarness((h) => {
    const numkeys = { error: "ERR numkeys should be greater than 0" };
    assert.deepEqual(h.run("SINTERCARD", "0", "a"), numkeys);
    assert.deepEqual(h.run("SINTERCARD", "-1", "a"), numkeys);
    assert.deepEqual(h.run("SINTERCARD", "abc", "a"), numkeys);
    assert.deepEqual(h.run("SINTERCARD", "9223372036854775808", "a"), numkeys);
    assert.deepEqual(h.run("SINTERCARD", "3", "a", "b"), {
      error: "ERR Number of keys can't be greater than number of args",
    });
    const limit = { error: "ERR LIMIT can't be negative" };
    assert.deepEqual(h.run("SINTERCARD", "1", "a", "LIMIT", "-1"), limit);
    assert.deepEqual(h.run("SINTERCARD", "1", "a", "LIMIT", "abc"), limit);
    assert.deepEqual(h.run("SINTERCARD", "1", "a", "LIMIT"), SYNTAX);
    assert.deepEqual(h.run("SINTERCARD", "1", "a", "FOO", "1"), SYNTAX);
    assert.deepEqual(h.run("COMMAND", "GETKEYS", "SINTERCARD", "2", "a", "b", "LIMIT", "1"), [
      "a",
      "b",
    ]);
  }));

Deno.test("SINTERSTORE stores the result, replacing the destination and its TTL", () =>
  withHarness((h) => {
    h.run("SADD", "a", "1", "2", "3");
    h.run("SADD", "b", "2", "3", "4");
    h.run("SET", "dst", "x", "EX", "100");
    h.propagated();
    const events = recordEvents(h);
    assert.equal(h.run("SINTERSTORE", "dst", "a", "b"), 2);
    assert.deepEqual(h.run("SMEMBERS", "dst"), ["2", "3"]);
    assert.equal(h.run("TTL", "dst"), -1);
    assert.equal(encoding(h, "dst"), "intset");
    assert.equal(h.run("SINTERSTORE", "a", "a", "b"), 2);
    assert.deepEqual(h.run("SMEMBERS", "a"), ["2", "3"]);
    assert.deepEqual(events, ["s sinterstore dst", "s sinterstore a"]);
    assert.deepEqual(props(h), [["SINTERSTORE", "dst", "a", "b"], ["SINTERSTORE", "a", "a", "b"]]);
  }));

Deno.test("*STORE with an empty result deletes the destination, propagating only then", () =>
  withHarness((h) => {
    h.run("SADD", "a", "1");
    h.run("SADD", "dst", "x");
    h.propagated();
    const events = recordEvents(h);
    assert.equal(h.run("SINTERSTORE", "dst", "a", "nokey"), 0);
    assert.equal(h.run("EXISTS", "dst"), 0);
    assert.equal(h.run("SINTERSTORE", "dst", "a", "nokey"), 0);
    assert.equal(h.run("SUNIONSTORE", "dst", "nokey"), 0);
    assert.equal(h.run("SDIFFSTORE", "dst", "a", "a"), 0);
    assert.deepEqual(events, ["g del dst"]);
    assert.deepEqual(props(h), [["SINTERSTORE", "dst", "a", "nokey"]]);
    h.run("SADD", "d2", "x");
    h.propagated();
    assert.equal(h.run("SDIFFSTORE", "d2", "a", "a"), 0);
    assert.deepEqual(props(h), [["SDIFFSTORE", "d2", "a", "a"]]);
  }));

Deno.test("*STORE results get the encoding of a freshly built set", () =>
  withHarness((h) => {
    h.run("SADD", "big", ...range(1, 513));
    h.run("SADD", "few", "1", "2", "a");
    h.run("SADD", "ints", "1", "2");
    assert.equal(h.run("SINTERSTORE", "d1", "big", "few"), 2);
    assert.equal(encoding(h, "d1"), "intset");
    assert.equal(h.run("SUNIONSTORE", "d2", "big", "ints"), 513);
    assert.equal(encoding(h, "d2"), "hashtable");
    assert.equal(h.run("SDIFFSTORE", "d3", "few", "ints"), 1);
    assert.equal(encoding(h, "d3"), "hashtable");
    assert.equal(h.run("SDIFFSTORE", "d4", "big", "few"), 511);
    assert.equal(encoding(h, "d4"), "intset");
  }));

// --- SUNION / SDIFF

Deno.test("SUNION and SDIFF reply intset results in ascending order", () =>
  withHarness((h) => {
    h.run("SADD", "a", "3", "1", "2");
    h.run("SADD", "b", "4", "3");
    h.run("SADD", "c", "5");
    assert.deepEqual(h.run("SUNION", "c", "b", "a"), range(1, 5));
    assert.deepEqual(h.run("SUNION", "a", "nokey"), ["1", "2", "3"]);
    assert.deepEqual(h.run("SUNION", "nokey"), []);
    assert.deepEqual(h.run("SDIFF", "a", "b"), ["1", "2"]);
    assert.deepEqual(h.run("SDIFF", "a", "b", "c"), ["1", "2"]);
    assert.deepEqual(h.run("SDIFF", "a", "nokey"), ["1", "2", "3"]);
    assert.deepEqual(h.run("SDIFF", "nokey", "a"), []);
    assert.deepEqual(h.run("SDIFF", "a", "b", "a"), []);
    h.run("SADD", "x", "q", "y", "1");
    assert.deepEqual(sorted(h.run("SUNION", "a", "x")), ["1", "2", "3", "q", "y"]);
    assert.deepEqual(sorted(h.run("SDIFF", "x", "a")), ["q", "y"]);
  }));

Deno.test("SUNIONSTORE and SDIFFSTORE store, fire their events and propagate as sent", () =>
  withHarness((h) => {
    h.run("SADD", "a", "1", "2", "3");
    h.run("SADD", "b", "3", "4");
    h.propagated();
    const events = recordEvents(h);
    assert.equal(h.run("SUNIONSTORE", "u", "a", "b"), 4);
    assert.deepEqual(h.run("SMEMBERS", "u"), range(1, 4));
    assert.equal(h.run("SDIFFSTORE", "d", "a", "b"), 2);
    assert.deepEqual(h.run("SMEMBERS", "d"), ["1", "2"]);
    assert.equal(h.run("SDIFFSTORE", "a", "a", "b"), 2);
    assert.deepEqual(h.run("SMEMBERS", "a"), ["1", "2"]);
    assert.deepEqual(events, ["s sunionstore u", "s sdiffstore d", "s sdiffstore a"]);
    assert.deepEqual(props(h), [
      ["SUNIONSTORE", "u", "a", "b"],
      ["SDIFFSTORE", "d", "a", "b"],
      ["SDIFFSTORE", "a", "a", "b"],
    ]);
  }));

// --- SSCAN

Deno.test("SSCAN returns an intset whole with cursor 0, filtered by MATCH", () =>
  withHarness((h) => {
    h.run("SADD", "s", ...range(1, 300));
    assert.deepEqual(h.run("SSCAN", "s", "0", "COUNT", "1", "MATCH", "25?"), [
      "0",
      range(250, 259),
    ]);
    assert.deepEqual(h.run("SSCAN", "s", "5"), ["0", range(1, 300)]);
    assert.deepEqual(h.run("SSCAN", "nokey", "0"), ["0", []]);
  }));

Deno.test("SSCAN walks a hashtable set with cursors, each member once", () =>
  withHarness((h) => {
    const members: string[] = [];
    for (let i = 0; i < 1000; i++) members.push(`m${i}`);
    h.run("SADD", "s", ...members);
    const seen = new Set<string>();
    let cursor = "0";
    let calls = 0;
    do {
      const [next, items] = h.run("SSCAN", "s", cursor, "COUNT", "50") as [string, string[]];
      for (const m of items) seen.add(m);
      cursor = next;
      calls++;
    } while (cursor !== "0" && calls < 100);
    assert.equal(cursor, "0");
    assert.equal(seen.size, 1000);
    assert.ok(calls >= 20);
  }));

Deno.test("SSCAN errors: cursor first, then WRONGTYPE, then options", () =>
  withHarness((h) => {
    h.run("SET", "str", "x");
    h.run("SADD", "s", "1");
    assert.deepEqual(h.run("SSCAN", "str", "abc"), { error: "ERR invalid cursor" });
    assert.deepEqual(h.run("SSCAN", "str", "0"), WRONGTYPE);
    assert.deepEqual(h.run("SSCAN", "nokey", "0", "COUNT", "abc"), ["0", []]);
    assert.deepEqual(h.run("SSCAN", "s", "0", "COUNT", "abc"), NOT_INT);
    assert.deepEqual(h.run("SSCAN", "s", "0", "COUNT", "0"), SYNTAX);
    assert.deepEqual(h.run("SSCAN", "s", "0", "MATCH"), SYNTAX);
    assert.deepEqual(h.run("SSCAN", "s", "0", "TYPE", "set"), SYNTAX);
  }));

// --- dirty counter, events, WRONGTYPE

Deno.test("the dirty counter moves as Redis's", () =>
  withHarness((h) => {
    assert.equal(dirtyDelta(h, () => h.run("SADD", "s", "1", "2", "3", "1")), 3);
    assert.equal(dirtyDelta(h, () => h.run("SADD", "s", "1")), 0);
    assert.equal(dirtyDelta(h, () => h.run("SPOP", "s", "10")), 3);
    h.run("SADD", "s", "1", "2", "3", "4", "5");
    assert.equal(dirtyDelta(h, () => h.run("SPOP", "s", "2")), 2);
    assert.equal(dirtyDelta(h, () => h.run("SPOP", "s")), 1);
    assert.equal(dirtyDelta(h, () => h.run("SREM", "s", "x")), 0);
    assert.equal(dirtyDelta(h, () => h.run("SINTERSTORE", "d", "s")), 1);
    assert.equal(dirtyDelta(h, () => h.run("SINTERSTORE", "nodst", "nokey")), 0);
    const m = (h.run("SMEMBERS", "s") as string[])[0];
    assert.equal(dirtyDelta(h, () => h.run("SMOVE", "s", "fresh", m)), 2);
  }));

Deno.test("set writes fire Redis's keyspace events", () =>
  withHarness((h) => {
    const events = recordEvents(h);
    h.run("SADD", "s", "1");
    h.run("SADD", "s", "1");
    h.run("SADD", "s", "2", "3");
    h.run("SPOP", "s", "1");
    h.run("SPOP", "s");
    h.run("SPOP", "s", "5");
    assert.deepEqual(events, [
      "s sadd s",
      "s sadd s",
      "s spop s",
      "s spop s",
      "s spop s",
      "g del s",
    ]);
  }));

Deno.test("every set command replies WRONGTYPE on another type", () =>
  withHarness((h) => {
    h.run("SET", "str", "x");
    const cmds: string[][] = [
      ["SADD", "str", "a"],
      ["SREM", "str", "a"],
      ["SCARD", "str"],
      ["SISMEMBER", "str", "a"],
      ["SMISMEMBER", "str", "a"],
      ["SMEMBERS", "str"],
      ["SPOP", "str"],
      ["SPOP", "str", "2"],
      ["SRANDMEMBER", "str"],
      ["SRANDMEMBER", "str", "2"],
      ["SINTER", "str"],
      ["SINTERCARD", "1", "str"],
      ["SINTERSTORE", "d", "str"],
      ["SUNION", "str"],
      ["SUNIONSTORE", "d", "str"],
      ["SDIFF", "str"],
      ["SDIFFSTORE", "d", "str"],
      ["SSCAN", "str", "0"],
    ];
    for (const c of cmds) assert.deepEqual(h.run(...c), WRONGTYPE, c.join(" "));
    assert.equal(h.run("GET", "str"), "x");
    h.run("SADD", "s", "a");
    assert.deepEqual(h.run("GET", "s"), WRONGTYPE);
  }));

Deno.test("SPOP with count inside MULTI propagates its SREMs in the transaction", () =>
  withHarness((h) => {
    h.run("SADD", "s", "1", "2", "3");
    h.propagated();
    h.run("MULTI");
    h.run("SPOP", "s", "1");
    h.run("SADD", "s", "9");
    const [popped] = h.run("EXEC") as [string[], number];
    assert.deepEqual(props(h), [
      ["MULTI"],
      ["SREM", "s", popped[0]],
      ["SADD", "s", "9"],
      ["EXEC"],
    ]);
  }));
