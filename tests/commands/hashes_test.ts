// The hashes family through the dispatcher: every command and option, the error texts, the
// forms writes propagate in, keyspace events, the dirty counter, the listpack → hashtable
// transitions, and RESP3 shapes. Expected values were taken from a real redis-server 7.0.15.

import assert from "node:assert/strict";
import { Harness, withHarness } from "../helpers/harness.ts";
import type { Value } from "../helpers/resp_client.ts";

const WRONGTYPE = { error: "WRONGTYPE Operation against a key holding the wrong kind of value" };
const SYNTAX = { error: "ERR syntax error" };
const NOT_INT = { error: "ERR value is not an integer or out of range" };
const NOT_FLOAT = { error: "ERR value is not a valid float" };
const OK = { status: "OK" };

// Propagated commands since the last call, without the stream's SELECTs.
function props(h: Harness): string[][] {
  return h.propagated().filter((c) => c[0] !== "SELECT");
}

/** Records keyspace notifications as "class event key". */
function recordEvents(h: Harness): string[] {
  const events: string[] = [];
  h.server.keyspace.hooks.notify = (type, event, key) => {
    events.push(`${type} ${event} ${key}`);
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

// --- HSET / HMSET / HSETNX / HGET / HMGET

Deno.test("HSET counts new fields, updates in place and propagates as sent", () =>
  withHarness((h) => {
    assert.equal(h.run("HSET", "h", "f", "v"), 1);
    assert.equal(h.run("HSET", "h", "f", "v2", "g", "w"), 1);
    assert.equal(h.run("HSET", "h", "f", "a", "f", "b"), 0);
    assert.equal(h.run("HGET", "h", "f"), "b");
    assert.deepEqual(h.run("HGETALL", "h"), ["f", "b", "g", "w"]);
    assert.deepEqual(props(h), [
      ["HSET", "h", "f", "v"],
      ["HSET", "h", "f", "v2", "g", "w"],
      ["HSET", "h", "f", "a", "f", "b"],
    ]);
  }));

Deno.test("HSET and HMSET with an odd number of arguments reply the arity error", () =>
  withHarness((h) => {
    const arity = (name: string) => ({
      error: `ERR wrong number of arguments for '${name}' command`,
    });
    assert.deepEqual(h.run("HSET", "h", "f"), arity("hset"));
    assert.deepEqual(h.run("hset", "h", "f", "v", "g"), arity("hset"));
    assert.deepEqual(h.run("HMSET", "h", "f", "v", "g"), arity("hmset"));
    assert.equal(h.run("EXISTS", "h"), 0);
    assert.deepEqual(props(h), []);
  }));

Deno.test("HMSET replies +OK", () =>
  withHarness((h) => {
    assert.deepEqual(h.run("HMSET", "h", "a", "1", "b", "2"), OK);
    assert.equal(h.raw(["HMSET", "h", "a", "3"]), "+OK\r\n");
    assert.deepEqual(h.run("HMGET", "h", "a", "b", "c"), ["3", "2", null]);
    assert.deepEqual(props(h), [["HMSET", "h", "a", "1", "b", "2"], ["HMSET", "h", "a", "3"]]);
  }));

Deno.test("HSETNX sets only a missing field and propagates only then", () =>
  withHarness((h) => {
    assert.equal(h.run("HSETNX", "h", "f", "1"), 1);
    assert.equal(h.run("HSETNX", "h", "f", "2"), 0);
    assert.equal(h.run("HGET", "h", "f"), "1");
    assert.deepEqual(props(h), [["HSETNX", "h", "f", "1"]]);
  }));

Deno.test("HGET and HMGET of missing keys and fields reply nil", () =>
  withHarness((h) => {
    assert.equal(h.raw(["HGET", "nokey", "f"]), "$-1\r\n");
    assert.deepEqual(h.run("HMGET", "nokey", "a", "b"), [null, null]);
    h.run("HSET", "h", "f", "v");
    assert.equal(h.run("HGET", "h", "nofield"), null);
  }));

Deno.test("binary fields and values round-trip", () =>
  withHarness((h) => {
    assert.equal(h.run("HSET", "h", "\x00\xff", "\r\n\x00"), 1);
    assert.equal(h.raw(["HGET", "h", "\x00\xff"]), "$3\r\n\r\n\x00\r\n");
    assert.equal(h.run("HSTRLEN", "h", "\x00\xff"), 3);
    assert.equal(h.run("HSET", "h", "", ""), 1);
    assert.equal(h.run("HEXISTS", "h", ""), 1);
  }));

// --- HDEL / HLEN / HSTRLEN / HEXISTS

Deno.test("HDEL counts removed fields and deletes the emptied key", () =>
  withHarness((h) => {
    h.run("HSET", "h", "a", "1", "b", "2", "c", "3");
    h.propagated();
    const events = recordEvents(h);
    assert.equal(h.run("HDEL", "h", "a", "nofield", "a"), 1);
    assert.equal(h.run("HDEL", "h", "nofield"), 0);
    assert.equal(h.run("HDEL", "nokey", "a"), 0);
    assert.equal(h.run("HLEN", "h"), 2);
    assert.equal(h.run("HDEL", "h", "b", "c", "b"), 2);
    assert.deepEqual(events, ["h hdel h", "h hdel h", "g del h"]);
    assert.equal(h.run("EXISTS", "h"), 0);
    assert.deepEqual(props(h), [["HDEL", "h", "a", "nofield", "a"], ["HDEL", "h", "b", "c", "b"]]);
  }));

Deno.test("HLEN, HSTRLEN and HEXISTS read fields and treat missing keys as empty", () =>
  withHarness((h) => {
    h.run("HSET", "h", "s", "hello", "n", "-12345");
    assert.equal(h.run("HLEN", "h"), 2);
    assert.equal(h.run("HLEN", "nokey"), 0);
    assert.equal(h.run("HSTRLEN", "h", "s"), 5);
    assert.equal(h.run("HSTRLEN", "h", "n"), 6);
    assert.equal(h.run("HSTRLEN", "h", "x"), 0);
    assert.equal(h.run("HSTRLEN", "nokey", "x"), 0);
    assert.equal(h.run("HEXISTS", "h", "s"), 1);
    assert.equal(h.run("HEXISTS", "h", "x"), 0);
    assert.equal(h.run("HEXISTS", "nokey", "x"), 0);
  }));

// --- HKEYS / HVALS / HGETALL

Deno.test("HKEYS, HVALS and HGETALL list a listpack hash in insertion order", () =>
  withHarness((h) => {
    h.run("HSET", "h", "z", "1", "a", "2", "m", "3");
    h.run("HSET", "h", "a", "22");
    h.run("HDEL", "h", "z");
    h.run("HSET", "h", "z", "4");
    assert.deepEqual(h.run("HKEYS", "h"), ["a", "m", "z"]);
    assert.deepEqual(h.run("HVALS", "h"), ["22", "3", "4"]);
    assert.deepEqual(h.run("HGETALL", "h"), ["a", "22", "m", "3", "z", "4"]);
    assert.deepEqual(h.run("HKEYS", "nokey"), []);
    assert.deepEqual(h.run("HVALS", "nokey"), []);
    assert.equal(h.raw(["HGETALL", "nokey"]), "*0\r\n");
  }));

Deno.test("HGETALL replies a RESP3 map, empty for a missing key", () =>
  withHarness((h) => {
    h.run("HELLO", "3");
    h.run("HSET", "h", "a", "1", "b", "2");
    assert.equal(h.raw(["HGETALL", "h"]), "%2\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n");
    assert.equal(h.raw(["HGETALL", "nokey"]), "%0\r\n");
    assert.equal(h.raw(["HGET", "nokey", "f"]), "_\r\n");
    assert.equal(h.raw(["HMGET", "h", "a", "x"]), "*2\r\n$1\r\n1\r\n_\r\n");
  }));

// --- HINCRBY

Deno.test("HINCRBY adds to integer fields, creating key and field", () =>
  withHarness((h) => {
    assert.equal(h.run("HINCRBY", "h", "f", "5"), 5);
    assert.equal(h.run("HINCRBY", "h", "f", "-15"), -10);
    assert.equal(h.run("HGET", "h", "f"), "-10");
    assert.equal(h.run("HINCRBY", "h", "big", "9223372036854775807"), 9223372036854775807n);
    assert.equal(h.run("HINCRBY", "h", "big", "-9223372036854775807"), 0);
    assert.deepEqual(props(h), [
      ["HINCRBY", "h", "f", "5"],
      ["HINCRBY", "h", "f", "-15"],
      ["HINCRBY", "h", "big", "9223372036854775807"],
      ["HINCRBY", "h", "big", "-9223372036854775807"],
    ]);
  }));

Deno.test("HINCRBY errors: bad increment, non-integer value, overflow", () =>
  withHarness((h) => {
    assert.deepEqual(h.run("HINCRBY", "h", "f", "abc"), NOT_INT);
    assert.deepEqual(h.run("HINCRBY", "h", "f", "1.5"), NOT_INT);
    assert.deepEqual(h.run("HINCRBY", "h", "f", "9223372036854775808"), NOT_INT);
    assert.equal(h.run("EXISTS", "h"), 0);
    const notInt = { error: "ERR hash value is not an integer" };
    h.run("HSET", "h", "s", "hello", "sp", " 1", "lead", "01", "fl", "1.5");
    for (const f of ["s", "sp", "lead", "fl"]) {
      assert.deepEqual(h.run("HINCRBY", "h", f, "1"), notInt);
    }
    const overflow = { error: "ERR increment or decrement would overflow" };
    h.run("HSET", "h", "max", "9223372036854775807", "min", "-9223372036854775808");
    assert.deepEqual(h.run("HINCRBY", "h", "max", "1"), overflow);
    assert.deepEqual(h.run("HINCRBY", "h", "min", "-1"), overflow);
    assert.equal(h.run("HINCRBY", "h", "min", "9223372036854775807"), -1);
    assert.equal(h.run("HGET", "h", "max"), "9223372036854775807");
  }));

// --- HINCRBYFLOAT

Deno.test("HINCRBYFLOAT computes in long double and propagates HSET with the result", () =>
  withHarness((h) => {
    assert.equal(h.run("HINCRBYFLOAT", "h", "f", "0.1"), "0.1");
    assert.equal(h.run("HINCRBYFLOAT", "h", "f", "0.2"), "0.3");
    assert.equal(h.run("HINCRBYFLOAT", "h", "g", "5.0e3"), "5000");
    assert.equal(h.run("HINCRBYFLOAT", "h", "i", "0x10"), "16");
    assert.equal(h.run("HINCRBYFLOAT", "h", "k", "-0.0"), "0");
    h.run("HSET", "h", "n", "10");
    assert.equal(h.run("HINCRBYFLOAT", "h", "n", "-0.5"), "9.5");
    assert.deepEqual(props(h), [
      ["HSET", "h", "f", "0.1"],
      ["HSET", "h", "f", "0.3"],
      ["HSET", "h", "g", "5000"],
      ["HSET", "h", "i", "16"],
      ["HSET", "h", "k", "0"],
      ["HSET", "h", "n", "10"],
      ["HSET", "h", "n", "9.5"],
    ]);
  }));

Deno.test("HINCRBYFLOAT errors: bad increment, infinity, non-float value, overflow", () =>
  withHarness((h) => {
    assert.deepEqual(h.run("HINCRBYFLOAT", "h", "f", "abc"), NOT_FLOAT);
    assert.deepEqual(h.run("HINCRBYFLOAT", "h", "f", "nan"), NOT_FLOAT);
    assert.deepEqual(h.run("HINCRBYFLOAT", "h", "f", " 1"), NOT_FLOAT);
    const nanInf = { error: "ERR value is NaN or Infinity" };
    assert.deepEqual(h.run("HINCRBYFLOAT", "h", "f", "inf"), nanInf);
    assert.deepEqual(h.run("HINCRBYFLOAT", "h", "f", "-Infinity"), nanInf);
    assert.equal(h.run("EXISTS", "h"), 0);
    h.run("HSET", "h", "s", "hello", "e", "");
    const notFloat = { error: "ERR hash value is not a float" };
    assert.deepEqual(h.run("HINCRBYFLOAT", "h", "s", "1"), notFloat);
    assert.deepEqual(h.run("HINCRBYFLOAT", "h", "e", "1"), notFloat);
    h.run("HSET", "h", "big", "1.18973149535723176502e+4932");
    assert.deepEqual(h.run("HINCRBYFLOAT", "h", "big", "1.18973149535723176502e+4932"), {
      error: "ERR increment would produce NaN or Infinity",
    });
    h.propagated();
    assert.deepEqual(props(h), []);
  }));

// --- HRANDFIELD

Deno.test("HRANDFIELD without count replies a field or nil", () =>
  withHarness((h) => {
    assert.equal(h.raw(["HRANDFIELD", "nokey"]), "$-1\r\n");
    h.run("HSET", "h", "a", "1", "b", "2", "c", "3");
    for (let i = 0; i < 20; i++) {
      assert.ok(["a", "b", "c"].includes(h.run("HRANDFIELD", "h") as string));
    }
  }));

Deno.test("HRANDFIELD with a positive count replies distinct fields, all when it covers the hash", () =>
  withHarness((h) => {
    h.run("HSET", "h", "a", "1", "b", "2", "c", "3", "d", "4");
    assert.deepEqual(h.run("HRANDFIELD", "h", "4"), ["a", "b", "c", "d"]);
    assert.deepEqual(h.run("HRANDFIELD", "h", "10", "WITHVALUES"), [
      "a",
      "1",
      "b",
      "2",
      "c",
      "3",
      "d",
      "4",
    ]);
    for (let i = 0; i < 20; i++) {
      const r = h.run("HRANDFIELD", "h", "3") as string[];
      assert.equal(new Set(r).size, 3);
      for (const f of r) assert.ok("abcd".includes(f));
      const wv = h.run("HRANDFIELD", "h", "2", "withvalues") as string[];
      assert.equal(wv.length, 4);
      assert.equal(wv[1], String("abcd".indexOf(wv[0]) + 1));
      assert.notEqual(wv[0], wv[2]);
    }
    assert.deepEqual(h.run("HRANDFIELD", "h", "0"), []);
    assert.deepEqual(h.run("HRANDFIELD", "nokey", "3"), []);
  }));

Deno.test("HRANDFIELD with a negative count allows repeats and replies exactly that many", () =>
  withHarness((h) => {
    h.run("HSET", "h", "only", "1");
    assert.deepEqual(h.run("HRANDFIELD", "h", "-3"), ["only", "only", "only"]);
    assert.deepEqual(h.run("HRANDFIELD", "h", "-2", "WITHVALUES"), ["only", "1", "only", "1"]);
    h.run("HSET", "h", "x", "2");
    const r = h.run("HRANDFIELD", "h", "-100") as string[];
    assert.equal(r.length, 100);
    assert.deepEqual([...new Set(r)].sort(), ["only", "x"]);
  }));

Deno.test("HRANDFIELD WITHVALUES nests pairs in RESP3", () =>
  withHarness((h) => {
    h.run("HELLO", "3");
    h.run("HSET", "h", "a", "1");
    assert.equal(
      h.raw(["HRANDFIELD", "h", "1", "WITHVALUES"]),
      "*1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n",
    );
    assert.equal(
      h.raw(["HRANDFIELD", "h", "-2", "WITHVALUES"]),
      "*2\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n",
    );
    assert.equal(h.raw(["HRANDFIELD", "h", "2"]), "*1\r\n$1\r\na\r\n");
    assert.equal(h.raw(["HRANDFIELD", "nokey"]), "_\r\n");
  }));

Deno.test("HRANDFIELD argument errors come before the key lookup", () =>
  withHarness((h) => {
    h.run("SET", "str", "x");
    assert.deepEqual(h.run("HRANDFIELD", "str", "abc"), NOT_INT);
    assert.deepEqual(h.run("HRANDFIELD", "nokey", "1", "WITHVALUE"), SYNTAX);
    assert.deepEqual(h.run("HRANDFIELD", "nokey", "1", "WITHVALUES", "x"), SYNTAX);
    assert.deepEqual(h.run("HRANDFIELD", "nokey", "-9223372036854775808"), {
      error:
        "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807",
    });
    const range = { error: "ERR value is out of range" };
    assert.deepEqual(h.run("HRANDFIELD", "nokey", "4611686018427387904", "WITHVALUES"), range);
    assert.deepEqual(h.run("HRANDFIELD", "nokey", "-4611686018427387904", "WITHVALUES"), range);
    assert.deepEqual(h.run("HRANDFIELD", "nokey", "4611686018427387903", "WITHVALUES"), []);
    assert.deepEqual(h.run("HRANDFIELD", "str", "1"), WRONGTYPE);
  }));

// --- HSCAN

Deno.test("HSCAN returns a listpack hash whole with cursor 0, filtered by MATCH", () =>
  withHarness((h) => {
    h.run("HSET", "h", "a1", "1", "b1", "2", "a2", "3");
    assert.deepEqual(h.run("HSCAN", "h", "0"), ["0", ["a1", "1", "b1", "2", "a2", "3"]]);
    assert.deepEqual(h.run("HSCAN", "h", "0", "COUNT", "1"), [
      "0",
      ["a1", "1", "b1", "2", "a2", "3"],
    ]);
    assert.deepEqual(h.run("HSCAN", "h", "0", "MATCH", "a*"), ["0", ["a1", "1", "a2", "3"]]);
    assert.deepEqual(h.run("HSCAN", "h", "987", "match", "b?", "count", "5"), ["0", ["b1", "2"]]);
    assert.deepEqual(h.run("HSCAN", "nokey", "0"), ["0", []]);
  }));

Deno.test("HSCAN walks a hashtable hash with cursors, each field once", () =>
  withHarness((h) => {
    const args: string[] = [];
    for (let i = 0; i < 1000; i++) args.push(`f${i}`, `v${i}`);
    h.run("HSET", "h", ...args);
    assert.equal(encoding(h, "h"), "hashtable");
    const seen = new Map<string, string>();
    let cursor = "0";
    let calls = 0;
    do {
      const [next, items] = h.run("HSCAN", "h", cursor, "COUNT", "100") as [string, string[]];
      assert.ok(items.length <= 200);
      for (let i = 0; i < items.length; i += 2) seen.set(items[i], items[i + 1]);
      cursor = next;
      calls++;
    } while (cursor !== "0" && calls < 100);
    assert.equal(cursor, "0");
    assert.equal(seen.size, 1000);
    assert.equal(seen.get("f999"), "v999");
    const [next, all] = h.run("HSCAN", "h", "0", "MATCH", "f99?", "COUNT", "10000") as [
      string,
      string[],
    ];
    assert.equal(next, "0");
    assert.equal(all.length, 20);
  }));

Deno.test("HSCAN errors: cursor first, then WRONGTYPE, then options", () =>
  withHarness((h) => {
    const invalid = { error: "ERR invalid cursor" };
    h.run("SET", "str", "x");
    h.run("HSET", "h", "a", "1");
    assert.deepEqual(h.run("HSCAN", "nokey", "abc"), invalid);
    assert.deepEqual(h.run("HSCAN", "str", "abc"), invalid);
    assert.deepEqual(h.run("HSCAN", "h", "18446744073709551616"), invalid);
    assert.deepEqual(h.run("HSCAN", "str", "0"), WRONGTYPE);
    assert.deepEqual(h.run("HSCAN", "nokey", "0", "COUNT", "abc"), ["0", []]);
    assert.deepEqual(h.run("HSCAN", "h", "0", "COUNT", "abc"), NOT_INT);
    assert.deepEqual(h.run("HSCAN", "h", "0", "COUNT", "0"), SYNTAX);
    assert.deepEqual(h.run("HSCAN", "h", "0", "COUNT"), SYNTAX);
    assert.deepEqual(h.run("HSCAN", "h", "0", "TYPE", "string"), SYNTAX);
    assert.deepEqual(h.run("HSCAN", "h", "0", "NOVALUES"), SYNTAX);
    assert.deepEqual(h.run("HSCAN", "h", "-1"), ["0", ["a", "1"]]);
  }));

// --- encodings

Deno.test("a hash converts to hashtable past hash-max-listpack-value, never back", () =>
  withHarness((h) => {
    h.run("HSET", "h", "f", "y".repeat(64));
    assert.equal(encoding(h, "h"), "listpack");
    h.run("HSET", "h", "g", "x".repeat(65));
    assert.equal(encoding(h, "h"), "hashtable");
    h.run("HDEL", "h", "g");
    assert.equal(encoding(h, "h"), "hashtable");
    h.run("HSET", "h2", "k".repeat(65), "v");
    assert.equal(encoding(h, "h2"), "hashtable");
    h.run("HSET", "h3", "f", "1");
    h.run("HINCRBYFLOAT", "h3", "f", "1e100");
    assert.equal(encoding(h, "h3"), "hashtable");
  }));

Deno.test("a hash converts past hash-max-listpack-entries, read at each write", () =>
  withHarness((h) => {
    const args: string[] = [];
    for (let i = 1; i <= 512; i++) args.push(`g${i}`, String(i));
    h.run("HSET", "h", ...args);
    assert.equal(encoding(h, "h"), "listpack");
    h.run("HSET", "h", "g513", "513");
    assert.equal(encoding(h, "h"), "hashtable");
    h.run("CONFIG", "SET", "hash-max-listpack-entries", "1");
    h.run("HSET", "h2", "a", "1");
    assert.equal(encoding(h, "h2"), "listpack");
    h.run("HSET", "h2", "a", "2");
    assert.equal(encoding(h, "h2"), "listpack");
    h.run("HSET", "h2", "b", "2");
    assert.equal(encoding(h, "h2"), "hashtable");
    h.run("CONFIG", "SET", "hash-max-listpack-entries", "512");
    h.run("CONFIG", "SET", "hash-max-listpack-value", "3");
    h.run("HSET", "h3", "a", "123");
    assert.equal(encoding(h, "h3"), "listpack");
    h.run("HINCRBY", "h3", "a", "1000");
    assert.equal(encoding(h, "h3"), "hashtable");
  }));

Deno.test("COPY duplicates a hash with its encoding; MEMORY USAGE matches Redis", () =>
  withHarness((h) => {
    h.run("HSET", "src", "a", "1", "b", "2");
    assert.equal(h.run("COPY", "src", "dst"), 1);
    h.run("HSET", "dst", "c", "3");
    assert.equal(h.run("HLEN", "src"), 2);
    assert.equal(h.run("HLEN", "dst"), 3);
    h.run("HSET", "big", "f", "x".repeat(100));
    h.run("COPY", "big", "big2");
    assert.equal(encoding(h, "big2"), "hashtable");
    h.run("HSET", "h1", "f", "v");
    assert.equal(h.run("MEMORY", "USAGE", "h1"), 64);
  }));

// --- dirty counter, events, WRONGTYPE

Deno.test("the dirty counter moves by fields written or deleted", () =>
  withHarness((h) => {
    assert.equal(dirtyDelta(h, () => h.run("HSET", "h", "a", "1", "b", "2", "a", "3")), 3);
    assert.equal(dirtyDelta(h, () => h.run("HSETNX", "h", "a", "1")), 0);
    assert.equal(dirtyDelta(h, () => h.run("HSETNX", "h", "c", "1")), 1);
    assert.equal(dirtyDelta(h, () => h.run("HINCRBY", "h", "n", "1")), 1);
    assert.equal(dirtyDelta(h, () => h.run("HINCRBYFLOAT", "h", "n", "1.5")), 1);
    assert.equal(dirtyDelta(h, () => h.run("HDEL", "h", "a", "b", "x")), 2);
    assert.equal(dirtyDelta(h, () => h.run("HDEL", "h", "x")), 0);
  }));

Deno.test("hash writes fire Redis's keyspace events", () =>
  withHarness((h) => {
    const events = recordEvents(h);
    h.run("HSET", "h", "a", "1");
    h.run("HMSET", "h", "a", "1");
    h.run("HSETNX", "h", "a", "1");
    h.run("HSETNX", "h", "b", "1");
    h.run("HINCRBY", "h", "a", "1");
    h.run("HINCRBYFLOAT", "h", "a", "1.5");
    h.run("HDEL", "h", "a", "b");
    h.run("HGET", "nokey", "a");
    assert.deepEqual(events, [
      "h hset h",
      "h hset h",
      "h hset h",
      "h hincrby h",
      "h hincrbyfloat h",
      "h hdel h",
      "g del h",
      "m keymiss nokey",
    ]);
  }));

Deno.test("every hash command replies WRONGTYPE on another type", () =>
  withHarness((h) => {
    h.run("SET", "str", "x");
    const cmds: string[][] = [
      ["HSET", "str", "f", "v"],
      ["HSETNX", "str", "f", "v"],
      ["HMSET", "str", "f", "v"],
      ["HGET", "str", "f"],
      ["HMGET", "str", "f"],
      ["HDEL", "str", "f"],
      ["HLEN", "str"],
      ["HSTRLEN", "str", "f"],
      ["HEXISTS", "str", "f"],
      ["HKEYS", "str"],
      ["HVALS", "str"],
      ["HGETALL", "str"],
      ["HINCRBY", "str", "f", "1"],
      ["HINCRBYFLOAT", "str", "f", "1"],
      ["HRANDFIELD", "str"],
      ["HRANDFIELD", "str", "2", "WITHVALUES"],
      ["HSCAN", "str", "0"],
    ];
    for (const c of cmds) assert.deepEqual(h.run(...c), WRONGTYPE, c.join(" "));
    assert.equal(h.run("GET", "str"), "x");
    h.run("HSET", "h", "f", "v");
    assert.deepEqual(h.run("GET", "h"), WRONGTYPE);
  }));

Deno.test("HINCRBYFLOAT inside MULTI propagates its HSET within MULTI/EXEC", () =>
  withHarness((h) => {
    h.run("MULTI");
    h.run("HINCRBYFLOAT", "h", "f", "1.25");
    h.run("HSET", "h", "g", "1");
    assert.deepEqual(h.run("EXEC"), ["1.25", 1]);
    assert.deepEqual(props(h), [
      ["MULTI"],
      ["HSET", "h", "f", "1.25"],
      ["HSET", "h", "g", "1"],
      ["EXEC"],
    ]);
  }));
