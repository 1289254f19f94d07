// SORT and SORT_RO through the dispatcher: every option and error text, BY/GET patterns, the
// unsorted fast paths, STORE (its list, the deleted destination, events, dirty counter and
// verbatim propagation), and the command metadata. Expected values were taken from a real
// redis-server 7.0.15 (tests/differential/sort.redis compares the bytes of many more).

import assert from "node:assert/strict";
import type { Client } from "../../src/client.ts";
import { bytesToStr } from "../../src/util/bytes.ts";
import { Harness, withHarness } from "../helpers/harness.ts";

const WRONGTYPE = { error: "WRONGTYPE Operation against a key holding the wrong kind of value" };
const SYNTAX = { error: "ERR syntax error" };
const NOT_INT = { error: "ERR value is not an integer or out of range" };
const NOT_DOUBLE = { error: "ERR One or more scores can't be converted into double" };

// Simple strings as the parser gives them.
function simple(...names: string[]): { status: string }[] {
  return names.map((status) => ({ status }));
}

// Propagated commands since the last call, without the stream's SELECTs.
function props(h: Harness): string[][] {
  return h.propagated().filter((c) => c[0] !== "SELECT");
}

/** Records keyspace notifications as "class event key". */
function recordEvents(h: Harness): string[] {
  const events: string[] = [];
  h.server.keyspace.hooks.notify = (type, event, key) => events.push(`${type} ${event} ${key}`);
  return events;
}

function dirtyDelta(h: Harness, fn: () => void): number {
  const before = h.server.keyspace.dirty;
  fn();
  return h.server.keyspace.dirty - before;
}

function takenRaw(c: Client): string {
  const raw = bytesToStr(c.out.bytes());
  c.out.reset();
  return raw;
}

function stat(h: Harness, field: string): number {
  const info = h.run("INFO", "stats") as string;
  const line = info.split("\r\n").find((l) => l.startsWith(field + ":"))!;
  return Number(line.slice(field.length + 1));
}

// --- ordering

Deno.test("SORT orders a list numerically, DESC reverses, equal weights fall back to bytes", () =>
  withHarness((h) => {
    h.run("RPUSH", "l", "3", "1", "2", "10", "-5", "2.5", "1e3", "-inf", "inf", "0");
    const asc = ["-inf", "-5", "0", "1", "2", "2.5", "3", "10", "1e3", "inf"];
    assert.deepEqual(h.run("SORT", "l"), asc);
    assert.deepEqual(h.run("SORT", "l", "asc"), asc);
    assert.deepEqual(h.run("SORT", "l", "DESC"), [...asc].reverse());
    assert.deepEqual(h.run("SORT", "l", "desc", "ASC"), asc);
    assert.deepEqual(h.run("SORT_RO", "l"), asc);
    h.run("RPUSH", "d", "3", "03", "3.0", "+3", "1");
    assert.deepEqual(h.run("SORT", "d"), ["1", "+3", "03", "3", "3.0"]);
    assert.deepEqual(h.run("SORT", "d", "DESC"), ["3.0", "3", "03", "+3", "1"]);
    assert.deepEqual(h.run("SORT", "nokey"), []);
    assert.deepEqual(h.run("SORT_RO", "nokey", "DESC", "ALPHA"), []);
  }));

Deno.test("SORT ALPHA compares bytes, up to a NUL byte unless storing", () =>
  withHarness((h) => {
    h.run("RPUSH", "a", "b", "B", "a", "\xc3\xa9", "Z", "_", "1", "\xff", "\x80", "");
    assert.deepEqual(h.run("SORT", "a", "ALPHA"), [
      "",
      "1",
      "B",
      "Z",
      "_",
      "a",
      "b",
      "\x80",
      "\xc3\xa9",
      "\xff",
    ]);
    // strcoll stops at NUL: "a\0c" ties with "a\0b" and "a" (stable: input order kept).
    h.run("RPUSH", "n", "a\x00c", "a\x00b", "a", "b", "0");
    assert.deepEqual(h.run("SORT", "n", "ALPHA"), ["0", "a\x00c", "a\x00b", "a", "b"]);
    assert.deepEqual(h.run("SORT", "n", "ALPHA", "DESC"), ["b", "a\x00c", "a\x00b", "a", "0"]);
    // With STORE the whole strings are compared (compareStringObjects).
    assert.equal(h.run("SORT", "n", "ALPHA", "STORE", "out"), 5);
    assert.deepEqual(h.run("LRANGE", "out", 0, -1), ["0", "a", "a\x00b", "a\x00c", "b"]);
  }));

Deno.test("SORT reads weights with strtod: spaces, hex, inf, empty are fine; the rest fail", () =>
  withHarness((h) => {
    h.run("RPUSH", "w", "", "5", " 7", "\t3", "0x10", "-0x1p2", "inf", "1\x00junk", "\x00x");
    assert.deepEqual(h.run("SORT", "w"), [
      "-0x1p2",
      "",
      "\x00x",
      "1\x00junk",
      "\t3",
      "5",
      " 7",
      "0x10",
      "inf",
    ]);
    for (const bad of ["1 ", "nan", "abc", "1e400", "1e-400", "1e-310", "1e", "0x", "  ", "."]) {
      h.run("DEL", "b");
      h.run("RPUSH", "b", "1", bad);
      assert.deepEqual(h.run("SORT", "b"), NOT_DOUBLE, JSON.stringify(bad));
    }
    // Subnormals are refused unless exact (hex), as glibc's ERANGE.
    h.run("DEL", "b");
    h.run("RPUSH", "b", "1", "0x1p-1070", "0x1.8p-1073", "2.2250738585072014e-308");
    assert.deepEqual(h.run("SORT", "b"), [
      "0x1.8p-1073",
      "0x1p-1070",
      "2.2250738585072014e-308",
      "1",
    ]);
    // ALPHA and BY nosort never parse weights.
    h.run("RPUSH", "b", "abc");
    assert.equal((h.run("SORT", "b", "ALPHA") as string[]).length, 5);
    assert.equal((h.run("SORT", "b", "BY", "nosort") as string[]).length, 5);
  }));

// --- LIMIT

Deno.test("SORT LIMIT clamps offset and count to the length, negative count means all", () =>
  withHarness((h) => {
    h.run("RPUSH", "l", "5", "3", "1", "4", "2");
    assert.deepEqual(h.run("SORT", "l", "LIMIT", 1, 2), ["2", "3"]);
    assert.deepEqual(h.run("SORT", "l", "LIMIT", 3, 10), ["4", "5"]);
    assert.deepEqual(h.run("SORT", "l", "LIMIT", -5, 2), ["1", "2"]);
    assert.deepEqual(h.run("SORT", "l", "LIMIT", 2, -1), ["3", "4", "5"]);
    assert.deepEqual(h.run("SORT", "l", "LIMIT", 1, 0), []);
    assert.deepEqual(h.run("SORT", "l", "LIMIT", 5, 1), []);
    assert.deepEqual(h.run("SORT", "l", "LIMIT", 4, "9223372036854775807"), ["5"]);
    assert.deepEqual(
      h.run("SORT", "l", "LIMIT", "9223372036854775807", "9223372036854775807"),
      [],
    );
    assert.deepEqual(h.run("SORT", "l", "LIMIT", 0, 1, "LIMIT", 3, 1, "DESC"), ["2"]);
    assert.deepEqual(h.run("SORT", "l", "LIMIT", "a", 1), NOT_INT);
    assert.deepEqual(h.run("SORT", "l", "LIMIT", 1, "9223372036854775808"), NOT_INT);
    assert.deepEqual(h.run("SORT", "l", "LIMIT", 1), SYNTAX);
  }));

// --- errors

Deno.test("SORT reports syntax errors before looking at the key, then WRONGTYPE", () =>
  withHarness((h) => {
    h.run("SET", "s", "x");
    h.run("HSET", "h", "f", "v");
    h.run("RPUSH", "l", "1");
    for (const args of [["foo"], ["BY"], ["GET"], ["STORE"], ["LIMIT", "1"], ["ASC", "x"]]) {
      assert.deepEqual(h.run("SORT", "l", ...args), SYNTAX);
      assert.deepEqual(h.run("SORT", "s", ...args), SYNTAX);
    }
    assert.deepEqual(h.run("SORT", "s", "LIMIT", "x", 1), NOT_INT);
    assert.deepEqual(h.run("SORT", "s"), WRONGTYPE);
    assert.deepEqual(h.run("SORT_RO", "h", "ALPHA"), WRONGTYPE);
    assert.deepEqual(h.run("SORT", "s", "STORE", "d"), WRONGTYPE);
    assert.deepEqual(h.run("SORT_RO", "l", "STORE", "d"), SYNTAX);
    assert.deepEqual(h.run("SORT"), {
      error: "ERR wrong number of arguments for 'sort' command",
    });
    assert.deepEqual(h.run("EXISTS", "d"), 0);
  }));

// --- unsorted paths

Deno.test("SORT BY nosort keeps a list's and a sorted set's order, LIMIT and DESC apply", () =>
  withHarness((h) => {
    h.run("RPUSH", "l", "c", "a", "d", "b");
    assert.deepEqual(h.run("SORT", "l", "BY", "nosort"), ["c", "a", "d", "b"]);
    assert.deepEqual(h.run("SORT", "l", "BY", "nosort", "DESC"), ["b", "d", "a", "c"]);
    assert.deepEqual(h.run("SORT", "l", "BY", "nosort", "LIMIT", 1, 2), ["a", "d"]);
    assert.deepEqual(h.run("SORT", "l", "BY", "nosort", "LIMIT", 1, 2, "DESC"), ["d", "a"]);
    // Any pattern without '*' (or whose '*' follows a NUL) means no sorting.
    assert.deepEqual(h.run("SORT", "l", "BY", "const", "ALPHA"), ["c", "a", "d", "b"]);
    assert.deepEqual(h.run("SORT", "l", "BY", "x\x00*"), ["c", "a", "d", "b"]);
    // A later BY with a '*' does not undo it.
    assert.deepEqual(h.run("SORT", "l", "BY", "nosort", "BY", "w_*"), ["c", "a", "d", "b"]);
    h.run("ZADD", "z", 3, "c", 1, "a", 2, "b", 5, "e", 4, "d");
    assert.deepEqual(h.run("SORT", "z", "BY", "nosort"), ["a", "b", "c", "d", "e"]);
    assert.deepEqual(h.run("SORT", "z", "BY", "nosort", "LIMIT", 1, 2, "DESC"), ["d", "c"]);
    assert.deepEqual(h.run("SORT", "z", "BY", "nosort", "LIMIT", 4, 9, "DESC"), ["a"]);
    assert.deepEqual(h.run("SORT", "z", "BY", "nosort", "LIMIT", 5, 1), []);
    assert.deepEqual(h.run("SORT", "z", "ALPHA", "DESC"), ["e", "d", "c", "b", "a"]);
  }));

Deno.test("SORT converts a listpack sorted set to a skiplist, even SORT_RO", () =>
  withHarness((h) => {
    h.run("ZADD", "z", 1, "a", 2, "b");
    assert.equal(h.run("OBJECT", "ENCODING", "z"), "listpack");
    h.run("SORT_RO", "z", "BY", "nosort", "LIMIT", 0, 0);
    assert.equal(h.run("OBJECT", "ENCODING", "z"), "skiplist");
  }));

Deno.test("SORT of a set: intsets in ascending order, BY nosort STORE sorts anyway (ALPHA)", () =>
  withHarness((h) => {
    h.run("SADD", "si", 5, -3, 100, 0);
    assert.deepEqual(h.run("SORT", "si", "BY", "nosort"), ["-3", "0", "5", "100"]);
    assert.deepEqual(h.run("SORT", "si", "BY", "nosort", "DESC"), ["-3", "0", "5", "100"]);
    assert.deepEqual(h.run("SORT", "si", "DESC"), ["100", "5", "0", "-3"]);
    h.run("SADD", "sh", "pear", "apple", "10", "banana", "9");
    assert.deepEqual(h.run("SORT", "sh", "ALPHA"), ["10", "9", "apple", "banana", "pear"]);
    // Replicas must get the same list: the set is sorted by bytes, BY and DESC still apply.
    assert.equal(h.run("SORT", "sh", "BY", "nosort", "DESC", "LIMIT", 0, 2, "STORE", "d"), 2);
    assert.deepEqual(h.run("LRANGE", "d", 0, -1), ["pear", "banana"]);
    assert.equal(h.run("SORT", "si", "BY", "nosort", "STORE", "d"), 4);
    assert.deepEqual(h.run("LRANGE", "d", 0, -1), ["-3", "0", "100", "5"]);
  }));

// --- BY and GET patterns

Deno.test("SORT BY substitutes the first '*' and reads strings or hash fields", () =>
  withHarness((h) => {
    h.run("RPUSH", "l", "1", "2", "3", "4");
    h.run("MSET", "w_1", "40", "w_2", "10", "w_3", "30", "w_4", "20");
    assert.deepEqual(h.run("SORT", "l", "BY", "w_*"), ["2", "4", "3", "1"]);
    assert.deepEqual(h.run("SORT", "l", "BY", "w_*", "DESC", "LIMIT", 0, 2), ["1", "3"]);
    h.run("HSET", "o_1", "f", "3");
    h.run("HSET", "o_2", "f", "1", "g", "b");
    h.run("HSET", "o_3", "g", "a");
    h.run("SET", "o_4", "not a hash");
    // Missing weights count as 0 (numeric) or sort first (ALPHA).
    assert.deepEqual(h.run("SORT", "l", "BY", "o_*->f"), ["3", "4", "2", "1"]);
    assert.deepEqual(h.run("SORT", "l", "BY", "o_*->g", "ALPHA"), ["1", "4", "3", "2"]);
    assert.deepEqual(h.run("SORT", "l", "BY", "o_*->g", "ALPHA", "DESC"), ["2", "3", "1", "4"]);
    // "->" with nothing after it is part of the key name.
    h.run("SET", "p_2->", "-1");
    assert.deepEqual(h.run("SORT", "l", "BY", "p_*->"), ["2", "1", "3", "4"]);
    // Non-numeric weights fail; keys of other types are missing weights.
    h.run("SET", "w_3", "abc");
    assert.deepEqual(h.run("SORT", "l", "BY", "w_*"), NOT_DOUBLE);
    h.run("DEL", "w_3");
    h.run("RPUSH", "w_3", "5");
    assert.deepEqual(h.run("SORT", "l", "BY", "w_*"), ["3", "2", "4", "1"]);
  }));

Deno.test("SORT BY with LIMIT orders ties as pqsort does", () =>
  withHarness((h) => {
    h.run("RPUSH", "t", "c", "a", "b", "a", "c", "b");
    assert.deepEqual(h.run("SORT", "t", "BY", "nokey_*", "ALPHA", "LIMIT", 1, 3), [
      "a",
      "b",
      "a",
    ]);
    assert.deepEqual(h.run("SORT", "t", "BY", "nokey_*", "ALPHA"), ["c", "a", "b", "a", "c", "b"]);
  }));

Deno.test("SORT GET returns each pattern's value per element, nil when missing", () =>
  withHarness((h) => {
    h.run("RPUSH", "l", "2", "1", "3");
    h.run("MSET", "g_1", "one", "g_2", "two");
    h.run("HSET", "o_3", "f", "x");
    assert.deepEqual(h.run("SORT", "l", "GET", "g_*"), ["one", "two", null]);
    assert.deepEqual(h.run("SORT", "l", "GET", "#", "GET", "o_*->f", "LIMIT", 1, 2), [
      "2",
      null,
      "3",
      "x",
    ]);
    // A pattern without '*' names no key.
    h.run("SET", "fixed", "v");
    assert.deepEqual(h.run("SORT", "l", "GET", "fixed"), [null, null, null]);
    assert.deepEqual(h.run("SORT", "l", "GET", "#\x00x", "LIMIT", 0, 1), ["1"]);
    assert.equal(
      h.raw(["SORT", "l", "GET", "g_*", "LIMIT", 2, 1]),
      "*1\r\n$-1\r\n",
    );
    h.run("HELLO", "3");
    assert.equal(h.raw(["SORT", "l", "GET", "g_*", "LIMIT", 2, 1]), "*1\r\n_\r\n");
  }));

Deno.test("SORT counts keyspace hits and misses for the key and every pattern lookup", () =>
  withHarness((h) => {
    h.run("RPUSH", "l", "1", "2");
    h.run("SET", "g_1", "x");
    h.run("CONFIG", "RESETSTAT");
    h.run("SORT", "l", "BY", "nosort", "GET", "g_*", "GET", "#");
    assert.equal(stat(h, "keyspace_hits"), 2);
    assert.equal(stat(h, "keyspace_misses"), 1);
    h.run("SORT", "nokey", "STORE", "d");
    assert.equal(stat(h, "keyspace_misses"), 2);
  }));

// --- STORE

Deno.test("SORT STORE writes a list, replacing any value and TTL, and propagates verbatim", () =>
  withHarness((h) => {
    h.run("RPUSH", "l", "3", "1", "2");
    h.run("SET", "dst", "str");
    h.run("EXPIRE", "dst", 100);
    props(h);
    const events = recordEvents(h);
    let n = 0;
    assert.equal(dirtyDelta(h, () => n = h.run("SORT", "l", "STORE", "dst") as number), 3);
    assert.equal(n, 3);
    assert.deepEqual(h.run("LRANGE", "dst", 0, -1), ["1", "2", "3"]);
    assert.deepEqual(h.run("TYPE", "dst"), { status: "list" });
    assert.equal(h.run("TTL", "dst"), -1);
    assert.deepEqual(events.filter((e) => !e.startsWith("m ")), ["l sortstore dst"]);
    assert.deepEqual(props(h), [["SORT", "l", "STORE", "dst"]]);
    // GET patterns: a missing value is stored as an empty string.
    h.run("SET", "g_2", "two");
    assert.equal(h.run("SORT", "l", "GET", "#", "GET", "g_*", "STORE", "dst"), 6);
    assert.deepEqual(h.run("LRANGE", "dst", 0, -1), ["1", "", "2", "two", "3", ""]);
    // The last STORE wins; the source itself can be the destination.
    assert.equal(h.run("SORT", "l", "STORE", "x", "DESC", "STORE", "l"), 3);
    assert.deepEqual(h.run("LRANGE", "l", 0, -1), ["3", "2", "1"]);
    assert.equal(h.run("EXISTS", "x"), 0);
  }));

Deno.test("SORT STORE with an empty result deletes the destination (del event, dirty 1)", () =>
  withHarness((h) => {
    h.run("RPUSH", "l", "1");
    h.run("RPUSH", "dst", "old");
    props(h);
    const events = recordEvents(h);
    assert.equal(dirtyDelta(h, () => h.run("SORT", "nokey", "STORE", "dst")), 1);
    assert.equal(h.run("EXISTS", "dst"), 0);
    assert.deepEqual(events.filter((e) => !e.startsWith("m ")), ["g del dst"]);
    assert.deepEqual(props(h), [["SORT", "nokey", "STORE", "dst"]]);
    // Nothing to delete: no change, nothing propagated.
    assert.equal(dirtyDelta(h, () => h.run("SORT", "l", "LIMIT", 5, 5, "STORE", "dst")), 0);
    assert.deepEqual(props(h), []);
    // A conversion error stores nothing.
    h.run("RPUSH", "bad", "x");
    props(h);
    assert.deepEqual(h.run("SORT", "bad", "STORE", "dst"), NOT_DOUBLE);
    assert.equal(h.run("EXISTS", "dst"), 0);
    assert.deepEqual(props(h), []);
  }));

Deno.test("SORT without STORE changes nothing and propagates nothing", () =>
  withHarness((h) => {
    h.run("RPUSH", "l", "2", "1");
    props(h);
    assert.equal(dirtyDelta(h, () => h.run("SORT", "l", "DESC")), 0);
    assert.deepEqual(props(h), []);
  }));

Deno.test("SORT STORE creating the destination wakes a client blocked on it", () =>
  withHarness((h) => {
    h.run("RPUSH", "l", "3", "1", "2");
    const c = h.newClient();
    assert.equal(h.raw(["BLPOP", "dst", 0], c), "");
    assert.equal(h.server.blocking.count, 1);
    props(h);
    assert.equal(h.run("SORT", "l", "STORE", "dst"), 3);
    assert.equal(takenRaw(c), "*2\r\n$3\r\ndst\r\n$1\r\n1\r\n");
    assert.deepEqual(props(h), [["SORT", "l", "STORE", "dst"], ["LPOP", "dst"]]);
    assert.deepEqual(h.run("LRANGE", "dst", 0, -1), ["2", "3"]);
  }));

Deno.test("SORT STORE touches WATCHed destinations", () =>
  withHarness((h) => {
    h.run("RPUSH", "l", "1");
    const other = h.newClient();
    h.run("WATCH", "dst");
    h.runAs(other, "SORT", "l", "STORE", "dst");
    h.run("MULTI");
    h.run("GET", "x");
    assert.equal(h.run("EXEC"), null);
  }));

// --- metadata

Deno.test("COMMAND INFO shows SORT's flags and its unknown key specs", () =>
  withHarness((h) => {
    const [sort, ro] = h.run("COMMAND", "INFO", "sort", "sort_ro") as unknown[][];
    assert.deepEqual(sort.slice(0, 7), [
      "sort",
      -2,
      simple("write", "denyoom", "movablekeys"),
      1,
      1,
      1,
      simple("@write", "@set", "@sortedset", "@list", "@slow", "@dangerous"),
    ]);
    assert.deepEqual(ro.slice(0, 7), [
      "sort_ro",
      -2,
      simple("readonly", "movablekeys"),
      1,
      1,
      1,
      simple("@read", "@set", "@sortedset", "@list", "@slow", "@dangerous"),
    ]);
    const specs = sort[8] as unknown[][];
    assert.equal(specs.length, 3);
    assert.deepEqual(specs[2], [
      "notes",
      "For the optional STORE keyword. It is marked 'unknown' because the keyword can appear anywhere in the argument array",
      "flags",
      simple("OW", "update"),
      "begin_search",
      ["type", "unknown", "spec", []],
      "find_keys",
      ["type", "unknown", "spec", []],
    ]);
  }));

Deno.test("COMMAND GETKEYS finds SORT's key and last STORE destination", () =>
  withHarness((h) => {
    assert.deepEqual(h.run("COMMAND", "GETKEYS", "sort", "k"), ["k"]);
    assert.deepEqual(h.run("COMMAND", "GETKEYS", "sort_ro", "k", "BY", "w_*"), ["k"]);
    assert.deepEqual(
      h.run("COMMAND", "GETKEYSANDFLAGS", "sort", "k", "STORE", "d", "GET", "x", "STORE", "e"),
      [["k", simple("RO", "access")], ["e", simple("OW", "update")]],
    );
    // Option arguments are skipped: "store" after BY/GET/LIMIT is not the keyword.
    assert.deepEqual(
      h.run("COMMAND", "GETKEYS", "sort", "k", "by", "store", "limit", "store", "1", "store", "z"),
      ["k", "z"],
    );
    assert.deepEqual(h.run("COMMAND", "GETKEYS", "sort", "k", "STORE"), ["k"]);
  }));
