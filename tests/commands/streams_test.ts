// The streams family through the dispatcher: every command, option and error text, the forms
// writes propagate in (XADD's generated IDs, `~` trimming, consumer-group reads as XCLAIM /
// XGROUP SETID / XGROUP CREATECONSUMER), keyspace events, WATCH, and blocked readers driven by
// fake clients. Expected values were taken from a real redis-server 7.0.15 (and its
// `redis-cli --replica` stream for propagation).

import assert from "node:assert/strict";
import type { Client } from "../../src/client.ts";
import { bytesToStr } from "../../src/util/bytes.ts";
import { Harness, withHarness } from "../helpers/harness.ts";
import { parseReply, type Value } from "../helpers/resp_client.ts";

const OK = { status: "OK" };
const err = (error: string) => ({ error });
const INVALID_ID = err("ERR Invalid stream ID specified as stream command argument");
const WRONGTYPE = err("WRONGTYPE Operation against a key holding the wrong kind of value");
const SYNTAX = err("ERR syntax error");
const NOT_INT = err("ERR value is not an integer or out of range");

// Propagated commands since the last call, without SELECTs.
function props(h: Harness): string[][] {
  return h.propagated().filter((c) => c[0] !== "SELECT");
}

// Keyspace events fired while running `fn` (the notify hook, whatever the config says).
function events(h: Harness, fn: () => void): string[] {
  const hooks = h.server.keyspace.hooks;
  const orig = hooks.notify;
  const seen: string[] = [];
  hooks.notify = (type, event, key) => {
    seen.push(`${type}:${event}:${key}`);
  };
  try {
    fn();
  } finally {
    hooks.notify = orig;
  }
  return seen;
}

// The reply a blocked fake client got when it was served (or undefined when still waiting).
function served(c: Client): Value | undefined {
  const raw = bytesToStr(c.out.bytes());
  if (raw === "") return undefined;
  c.out.reset();
  return parseReply(raw, 0)!.value;
}

// XADDs explicit IDs ms-1 with field f, value v<ms>.
function fill(h: Harness, key: string, ...ms: number[]): void {
  for (const m of ms) h.run("XADD", key, `${m}-1`, "f", `v${m}`);
}

const entry = (id: string, ...fv: string[]) => [id, fv];

// --- XADD

Deno.test("XADD takes explicit, partial and automatic IDs and validates them", () =>
  withHarness((h) => {
    assert.deepEqual(
      h.run("XADD", "s", "0-0", "f", "v"),
      err("ERR The ID specified in XADD must be greater than 0-0"),
    );
    assert.deepEqual(
      h.run("XADD", "s", "0", "f", "v"),
      err("ERR The ID specified in XADD must be greater than 0-0"),
    );
    assert.equal(h.run("EXISTS", "s"), 0);
    assert.equal(h.run("XADD", "s", "0-*", "f", "v"), "0-1");
    assert.equal(h.run("XADD", "s", "0-*", "f", "v"), "0-2");
    assert.equal(h.run("XADD", "s", "5-*", "f", "v"), "5-0");
    assert.equal(h.run("XADD", "s", "5-*", "f", "v"), "5-1");
    const small = err(
      "ERR The ID specified in XADD is equal or smaller than the target stream top item",
    );
    assert.deepEqual(h.run("XADD", "s", "5-1", "f", "v"), small);
    assert.deepEqual(h.run("XADD", "s", "4-*", "f", "v"), small);
    // strtoull rules: leading zeros, '+' and spaces are accepted.
    assert.equal(h.run("XADD", "s", "06-1", "f", "v"), "6-1");
    assert.equal(h.run("XADD", "s", " +7", "f", "v"), "7-0");
    for (
      const bad of [
        "18446744073709551616-1",
        "1-18446744073709551616",
        "-1-1",
        "1--1",
        "1-",
        "-",
        "+",
        "1-*x",
        "*-1",
        "**",
        "",
      ]
    ) {
      assert.deepEqual(h.run("XADD", "s", bad, "f", "v"), INVALID_ID, bad);
    }
    assert.deepEqual(
      h.run("XADD", "s", "9-0", "f"),
      err("ERR wrong number of arguments for 'xadd' command"),
    );
    assert.deepEqual(
      h.run("XADD", "s", "9-0", "f", "v", "g"),
      err("ERR wrong number of arguments for 'xadd' command"),
    );
    assert.equal(
      h.run("XADD", "s", "18446744073709551615-18446744073709551615", "f", "v"),
      "18446744073709551615-18446744073709551615",
    );
    assert.deepEqual(
      h.run("XADD", "s", "*", "f", "v"),
      err("ERR The stream has exhausted the last possible ID, unable to add more items"),
    );
    assert.equal(h.run("XADD", "m", "18446744073709551615-*", "f", "v"), "18446744073709551615-0");
    assert.equal(
      h.run("XADD", "b", "9007199254740993-9007199254740995", "f", "v"),
      "9007199254740993-9007199254740995",
    );
    assert.equal(
      h.run("XADD", "b", "9007199254740993-*", "f", "v"),
      "9007199254740993-9007199254740996",
    );
  }));

Deno.test("XADD * uses the command's clock and never goes back", () =>
  withHarness((h) => {
    const before = Date.now();
    const id = h.run("XADD", "s", "*", "f", "v") as string;
    const [ms, seq] = id.split("-").map(Number);
    assert.ok(ms >= before && ms <= Date.now() && seq === 0);
    h.run("XADD", "f", "99999999999999-5", "f", "v");
    assert.equal(h.run("XADD", "f", "*", "f", "v"), "99999999999999-6");
  }));

Deno.test("XADD propagates the ID it generated; explicit IDs go as given", () =>
  withHarness((h) => {
    h.propagated();
    h.run("XADD", "s", "011-1", "a", "1");
    const id = h.run("XADD", "s", "*", "a", "1") as string;
    h.run("XADD", "s", "99999999999999-*", "a", "1");
    h.run("XADD", "s", "1-1", "a", "1"); // fails: not propagated
    assert.deepEqual(props(h), [
      ["XADD", "s", "011-1", "a", "1"],
      ["XADD", "s", id, "a", "1"],
      ["XADD", "s", "99999999999999-0", "a", "1"],
    ]);
  }));

Deno.test("XADD options: NOMKSTREAM, MAXLEN and MINID with = and ~, LIMIT, and their errors", () =>
  withHarness((h) => {
    assert.equal(h.run("XADD", "nos", "NOMKSTREAM", "1-1", "f", "v"), null);
    assert.equal(h.run("EXISTS", "nos"), 0);
    fill(h, "s", 1, 2, 3);
    assert.equal(h.run("XADD", "s", "MAXLEN", "2", "4-1", "f", "v"), "4-1");
    assert.deepEqual(h.run("XRANGE", "s", "-", "+"), [
      entry("3-1", "f", "v3"),
      entry("4-1", "f", "v"),
    ]);
    assert.equal(h.run("XADD", "s", "minid", "=", "4-1", "5-1", "f", "v"), "5-1");
    assert.equal(h.run("XLEN", "s"), 2);
    assert.equal(h.run("XADD", "s", "nomkstream", "MAXLEN", "=", "0", "6-1", "f", "v"), "6-1");
    assert.equal(h.run("XLEN", "s"), 0);
    assert.deepEqual(h.run("TYPE", "s"), { status: "stream" }, "an empty stream stays");
    assert.deepEqual(h.run("XADD", "s", "maxlen", "x", "9-0", "f", "v"), NOT_INT);
    assert.deepEqual(
      h.run("XADD", "s", "maxlen", "-1", "9-0", "f", "v"),
      err("ERR The MAXLEN argument must be >= 0."),
    );
    assert.deepEqual(
      h.run("XADD", "s", "maxlen", "1", "minid", "1", "9-0", "f", "v"),
      err("ERR syntax error, MAXLEN and MINID options at the same time are not compatible"),
    );
    assert.deepEqual(
      h.run("XADD", "s", "limit", "10", "9-0", "f", "v"),
      err("ERR syntax error, LIMIT cannot be used without specifying a trimming strategy"),
    );
    assert.deepEqual(
      h.run("XADD", "s", "maxlen", "1", "limit", "10", "9-0", "f", "v"),
      err("ERR syntax error, LIMIT cannot be used without the special ~ option"),
    );
    assert.deepEqual(
      h.run("XADD", "s", "maxlen", "~", "1", "limit", "-1", "9-0", "f", "v"),
      err("ERR The LIMIT argument must be >= 0."),
    );
    assert.deepEqual(h.run("XADD", "s", "minid", "-", "9-0", "f", "v"), INVALID_ID);
    assert.deepEqual(h.run("XADD", "s", "minid", "1-*", "9-0", "f", "v"), INVALID_ID);
    assert.deepEqual(
      h.run("XADD", "s", "maxlen", "~", "5"),
      err("ERR wrong number of arguments for 'xadd' command"),
    );
    // LIMIT 0 without a strategy passes the first check, not the second.
    assert.deepEqual(
      h.run("XADD", "s", "limit", "0", "9-0", "f", "v"),
      err("ERR syntax error, LIMIT cannot be used without the special ~ option"),
    );
  }));

Deno.test("XADD and XTRIM propagate ~ trimming as = with the resulting bound", () =>
  withHarness((h) => {
    for (let i = 1; i <= 250; i++) h.run("XADD", "s", `${i}-1`, "f", "v");
    h.propagated();
    assert.equal(h.run("XADD", "s", "MAXLEN", "~", "120", "251-1", "f", "v"), "251-1");
    assert.equal(h.run("XLEN", "s"), 151, "only the first node of 100 goes");
    assert.equal(
      h.run("XADD", "s", "MINID", "~", "230", "LIMIT", "200", "252-1", "f", "v"),
      "252-1",
    );
    assert.equal(h.run("XTRIM", "s", "MAXLEN", "~", "0"), 52);
    assert.equal(h.run("XTRIM", "s", "MAXLEN", "~", "0"), 0);
    assert.equal(h.run("XADD", "s", "MINID", "~", "0", "253-1", "f", "v"), "253-1");
    assert.deepEqual(props(h), [
      ["XADD", "s", "MAXLEN", "=", "151", "251-1", "f", "v"],
      ["XADD", "s", "MINID", "=", "201-1", "LIMIT", "200", "252-1", "f", "v"],
      ["XTRIM", "s", "MAXLEN", "=", "0"],
      ["XADD", "s", "MINID", "=", "253-1", "253-1", "f", "v"],
    ]);
    // Trimming can take the entry just added; an emptied stream rewrites MINID to the largest ID.
    h.run("XADD", "t", "1-1", "f", "v");
    h.propagated();
    h.run("XADD", "t", "MINID", "~", "5", "2-1", "f", "v");
    assert.equal(h.run("XLEN", "t"), 0);
    assert.deepEqual(props(h), [
      ["XADD", "t", "MINID", "=", "18446744073709551615-18446744073709551615", "2-1", "f", "v"],
    ]);
  }));

Deno.test("LIMIT does not bind commands from our master (they carry exact bounds)", () =>
  withHarness((h) => {
    for (let i = 1; i <= 10; i++) h.run("XADD", "s", `${i}-1`, "f", "v");
    const master = h.newClient();
    master.isMaster = true;
    h.runAs(master, "XADD", "s", "MAXLEN", "=", "2", "LIMIT", "2", "11-1", "f", "v");
    assert.equal(h.run("XLEN", "s"), 2);
  }));

// --- XRANGE / XREVRANGE / XLEN / XDEL / XTRIM / XSETID

Deno.test("XRANGE and XREVRANGE take -, +, incomplete and exclusive IDs and COUNT", () =>
  withHarness((h) => {
    h.run("XADD", "r", "1-1", "a", "1");
    h.run("XADD", "r", "1-2", "b", "2");
    h.run("XADD", "r", "2-1", "a", "1", "b", "2");
    assert.equal(
      h.raw(["XRANGE", "r", "1", "1"]),
      "*2\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$3\r\n1-2\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n",
    );
    assert.deepEqual(h.run("XRANGE", "r", "(1-1", "+"), [
      entry("1-2", "b", "2"),
      entry("2-1", "a", "1", "b", "2"),
    ]);
    // An incomplete exclusive end is 2-18446744073709551615 minus one: 2-1 is in.
    assert.equal((h.run("XRANGE", "r", "-", "(2") as Value[]).length, 3);
    assert.deepEqual(h.run("XRANGE", "r", "-", "(2-0"), [
      entry("1-1", "a", "1"),
      entry("1-2", "b", "2"),
    ]);
    assert.deepEqual(h.run("XREVRANGE", "r", "+", "-", "COUNT", "1"), [
      entry("2-1", "a", "1", "b", "2"),
    ]);
    assert.deepEqual(h.run("XREVRANGE", "r", "(2-1", "(1-1"), [entry("1-2", "b", "2")]);
    assert.equal(h.raw(["XRANGE", "r", "-", "+", "COUNT", "0"]), "*-1\r\n");
    assert.equal(h.raw(["XRANGE", "r", "-", "+", "COUNT", "-5"]), "*-1\r\n");
    assert.equal(h.raw(["XRANGE", "nokey", "-", "+", "COUNT", "0"]), "*0\r\n");
    assert.deepEqual(h.run("XRANGE", "r", "2", "1"), []);
    assert.deepEqual(h.run("XRANGE", "r", "(0-0", "(1-2"), [entry("1-1", "a", "1")]);
    assert.deepEqual(h.run("XRANGE", "r", "- ", "+"), INVALID_ID);
    assert.deepEqual(h.run("XRANGE", "r", "(", "+"), INVALID_ID);
    assert.deepEqual(h.run("XRANGE", "r", "(-", "+"), INVALID_ID);
    assert.deepEqual(h.run("XRANGE", "r", "-", "(0-0"), err("ERR invalid end ID for the interval"));
    assert.deepEqual(
      h.run("XRANGE", "r", "(18446744073709551615-18446744073709551615", "+"),
      err("ERR invalid start ID for the interval"),
    );
    assert.deepEqual(h.run("XRANGE", "r", "-", "+", "COUNT"), SYNTAX);
    assert.deepEqual(h.run("XRANGE", "r", "-", "+", "COUNT", "x"), NOT_INT);
    assert.deepEqual(h.run("XRANGE", "nokey", "x", "+"), INVALID_ID);
  }));

Deno.test("XDEL leaves tombstones and tracks the first and the largest deleted IDs", () =>
  withHarness((h) => {
    fill(h, "s", 1, 2, 3);
    h.propagated();
    assert.equal(h.run("XDEL", "s", "2-1", "9-9", "2-1"), 1);
    assert.deepEqual(h.run("XDEL", "s", "1-1", "x"), INVALID_ID);
    assert.equal(h.run("XLEN", "s"), 2, "all or nothing");
    assert.equal(h.run("XDEL", "nokey", "x"), 0);
    assert.equal(h.run("XDEL", "s", "1-1"), 1);
    const info = h.run("XINFO", "STREAM", "s") as Value[];
    assert.deepEqual(info.slice(0, 14), [
      "length",
      1,
      "radix-tree-keys",
      1,
      "radix-tree-nodes",
      2,
      "last-generated-id",
      "3-1",
      "max-deleted-entry-id",
      "2-1",
      "entries-added",
      3,
      "recorded-first-entry-id",
      "3-1",
    ]);
    assert.deepEqual(props(h), [["XDEL", "s", "2-1", "9-9", "2-1"], ["XDEL", "s", "1-1"]]);
    assert.equal(h.run("XDEL", "s", "3-1"), 1);
    assert.equal(h.run("EXISTS", "s"), 1);
    assert.equal(h.run("XLEN", "s"), 0);
  }));

Deno.test("XTRIM trims by MAXLEN and MINID and reports its errors", () =>
  withHarness((h) => {
    fill(h, "t", 1, 2, 3, 4);
    assert.deepEqual(h.run("XTRIM", "t", "foo", "1"), SYNTAX);
    assert.deepEqual(
      h.run("XTRIM", "t", "limit", "0"),
      err("ERR syntax error, XTRIM must be called with a trimming strategy"),
    );
    assert.deepEqual(h.run("XTRIM", "t", "nomkstream", "maxlen", "1"), SYNTAX);
    assert.deepEqual(
      h.run("XTRIM", "t", "maxlen", "1", "maxlen", "2"),
      err("ERR syntax error, MAXLEN and MINID options at the same time are not compatible"),
    );
    assert.deepEqual(
      h.run("XTRIM", "t", "maxlen"),
      err("ERR wrong number of arguments for 'xtrim' command"),
    );
    assert.equal(h.run("XTRIM", "nokey", "maxlen", "1"), 0);
    h.propagated();
    assert.equal(h.run("XTRIM", "t", "maxlen", "10"), 0);
    assert.equal(h.run("XTRIM", "t", "maxlen", "=", "3"), 1);
    assert.equal(h.run("XTRIM", "t", "minid", "4"), 2);
    assert.deepEqual(props(h), [["XTRIM", "t", "maxlen", "=", "3"], ["XTRIM", "t", "minid", "4"]]);
    assert.deepEqual(h.run("XRANGE", "t", "-", "+"), [entry("4-1", "f", "v4")]);
  }));

Deno.test("XSETID sets the last ID, entries-added and max-deleted-entry-id", () =>
  withHarness((h) => {
    fill(h, "x", 1, 2);
    assert.deepEqual(
      h.run("XSETID", "x", "10-10", "ENTRIESADDED", "100", "MAXDELETEDID", "5-5"),
      OK,
    );
    const info = h.run("XINFO", "STREAM", "x") as Value[];
    assert.deepEqual(info.slice(6, 12), [
      "last-generated-id",
      "10-10",
      "max-deleted-entry-id",
      "5-5",
      "entries-added",
      100,
    ]);
    assert.deepEqual(
      h.run("XSETID", "x", "1"),
      err("ERR The ID specified in XSETID is smaller than the target stream top item"),
    );
    assert.deepEqual(
      h.run("XSETID", "x", "10-10", "ENTRIESADDED", "1"),
      err("ERR The entries_added specified in XSETID is smaller than the target stream length"),
    );
    assert.deepEqual(
      h.run("XSETID", "x", "10-10", "MAXDELETEDID", "11-1"),
      err("ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id"),
    );
    assert.deepEqual(
      h.run("XSETID", "x", "10-10", "ENTRIESADDED", "-1"),
      err("ERR entries_added must be positive"),
    );
    assert.deepEqual(h.run("XSETID", "x", "10-10", "FOO"), SYNTAX);
    assert.deepEqual(h.run("XSETID", "x", "+"), INVALID_ID);
    assert.deepEqual(h.run("XSETID", "nokey", "1-1"), err("ERR no such key"));
    assert.deepEqual(
      h.run("XSETID", "nokey", "1-1", "MAXDELETEDID", "2-2"),
      err("ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id"),
    );
    // An empty stream takes any ID, even below its deleted ones.
    h.run("XDEL", "x", "1-1", "2-1");
    assert.deepEqual(h.run("XSETID", "x", "0-1"), OK);
    h.propagated();
    assert.deepEqual(h.run("XADD", "x", "0-2", "f", "v"), "0-2");
    h.run("SET", "str", "v");
    assert.deepEqual(h.run("XSETID", "str", "1-1"), WRONGTYPE);
  }));

// --- XREAD

Deno.test("XREAD reads several streams, resolves $, and replies a map in RESP3", () =>
  withHarness((h) => {
    fill(h, "s1", 1, 2);
    fill(h, "s2", 5);
    assert.deepEqual(h.run("XREAD", "COUNT", "1", "STREAMS", "s1", "s2", "0", "0"), [
      ["s1", [entry("1-1", "f", "v1")]],
      ["s2", [entry("5-1", "f", "v5")]],
    ]);
    assert.equal(h.raw(["XREAD", "STREAMS", "s1", "$"]), "*-1\r\n");
    assert.equal(h.raw(["XREAD", "STREAMS", "nokey", "0"]), "*-1\r\n");
    assert.deepEqual(h.run("XREAD", "STREAMS", "s1", "s1", "0", "1-1"), [
      ["s1", [entry("1-1", "f", "v1"), entry("2-1", "f", "v2")]],
      ["s1", [entry("2-1", "f", "v2")]],
    ]);
    // Served only when a live entry is newer: a deleted last entry does not count.
    h.run("XDEL", "s1", "2-1");
    assert.equal(h.raw(["XREAD", "STREAMS", "s1", "1-1"]), "*-1\r\n");
    h.run("HELLO", "3");
    assert.equal(
      h.raw(["XREAD", "STREAMS", "s1", "0"]),
      "%1\r\n$2\r\ns1\r\n*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\nf\r\n$2\r\nv1\r\n",
    );
    assert.equal(h.raw(["XREAD", "STREAMS", "s1", "1-1"]), "_\r\n");
  }));

Deno.test("XREAD reports its argument errors", () =>
  withHarness((h) => {
    fill(h, "s", 1);
    assert.deepEqual(
      h.run("XREAD", "STREAMS", "s", "t", "0"),
      err(
        "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.",
      ),
    );
    assert.deepEqual(
      h.run("XREAD", "STREAMS", "s", ">"),
      err(
        "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.",
      ),
    );
    assert.deepEqual(h.run("XREAD", "STREAMS", "s", "+"), INVALID_ID);
    assert.deepEqual(h.run("XREAD", "STREAMS", "s", "-"), INVALID_ID);
    assert.deepEqual(h.run("XREAD", "COUNT", "x", "STREAMS", "s", "0"), NOT_INT);
    assert.deepEqual(
      h.run("XREAD", "BLOCK", "x", "STREAMS", "s", "0"),
      err("ERR timeout is not an integer or out of range"),
    );
    assert.deepEqual(
      h.run("XREAD", "BLOCK", "1.5", "STREAMS", "s", "0"),
      err("ERR timeout is not an integer or out of range"),
    );
    assert.deepEqual(
      h.run("XREAD", "BLOCK", "-1", "STREAMS", "s", "0"),
      err("ERR timeout is negative"),
    );
    assert.deepEqual(
      h.run("XREAD", "GROUP", "g", "c", "STREAMS", "s", "0"),
      err("ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead."),
    );
    assert.deepEqual(
      h.run("XREAD", "NOACK", "STREAMS", "s", "0"),
      err("ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead."),
    );
    assert.deepEqual(h.run("XREAD", "COUNT", "1", "s", "0"), SYNTAX);
    assert.deepEqual(
      h.run("XREAD", "STREAMS"),
      err("ERR wrong number of arguments for 'xread' command"),
    );
    h.run("SET", "str", "v");
    assert.deepEqual(h.run("XREAD", "STREAMS", "nokey", "str", "0", "x"), WRONGTYPE);
  }));

Deno.test("XREAD BLOCK inside MULTI replies as a timeout at once", () =>
  withHarness((h) => {
    h.run("MULTI");
    h.run("XREAD", "BLOCK", "0", "STREAMS", "s", "$");
    assert.equal(h.raw(["EXEC"]), "*1\r\n*-1\r\n");
  }));

// --- XGROUP

Deno.test("XGROUP CREATE, SETID, DESTROY, CREATECONSUMER and DELCONSUMER", () =>
  withHarness((h) => {
    const noKey = err(
      "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.",
    );
    assert.deepEqual(h.run("XGROUP", "CREATE", "s", "g", "$"), noKey);
    h.propagated();
    assert.deepEqual(h.run("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"), OK);
    assert.deepEqual(
      h.run("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"),
      err("BUSYGROUP Consumer Group name already exists"),
    );
    assert.deepEqual(h.run("TYPE", "s"), { status: "stream" });
    assert.deepEqual(h.run("XGROUP", "CREATE", "s", "g2", "0", "ENTRIESREAD", "5"), OK);
    assert.deepEqual(
      h.run("XGROUP", "CREATE", "s", "g3", "0", "ENTRIESREAD", "-2"),
      err("ERR value for ENTRIESREAD must be positive or -1"),
    );
    assert.deepEqual(
      h.run("XGROUP", "CREATE", "s", "g3", "0", "FOO"),
      err("ERR unknown subcommand or wrong number of arguments for 'CREATE'. Try XGROUP HELP."),
    );
    assert.deepEqual(
      h.run("XGROUP", "CREATE", "s", "g3", "0", "MKSTREAM", "MKSTREAM", "MKSTREAM", "MKSTREAM"),
      err("ERR unknown subcommand or wrong number of arguments for 'CREATE'. Try XGROUP HELP."),
    );
    assert.deepEqual(h.run("XGROUP", "CREATE", "s", "g3", "+"), INVALID_ID);
    assert.deepEqual(h.run("XGROUP", "SETID", "s", "g", "+"), OK, "SETID takes - and +");
    assert.deepEqual(
      h.run("XGROUP", "SETID", "s", "nog", "0"),
      err("NOGROUP No such consumer group 'nog' for key name 's'"),
    );
    assert.deepEqual(
      h.run("XGROUP", "SETID", "s", "g", "0", "MKSTREAM"),
      err("ERR unknown subcommand or wrong number of arguments for 'SETID'. Try XGROUP HELP."),
    );
    assert.equal(h.run("XGROUP", "CREATECONSUMER", "s", "g", "c1"), 1);
    assert.equal(h.run("XGROUP", "CREATECONSUMER", "s", "g", "c1"), 0);
    assert.equal(h.run("XGROUP", "DELCONSUMER", "s", "g", "c1"), 0);
    assert.equal(h.run("XGROUP", "DELCONSUMER", "s", "g", "c1"), 0);
    assert.equal(h.run("XGROUP", "DESTROY", "s", "g2"), 1);
    assert.equal(h.run("XGROUP", "DESTROY", "s", "g2"), 0);
    assert.deepEqual(
      h.run("XGROUP", "DESTROY", "s", "g2", "x"),
      err("ERR wrong number of arguments for 'xgroup|destroy' command"),
    );
    assert.deepEqual(h.run("XGROUP", "FOO"), err("ERR unknown subcommand 'FOO'. Try XGROUP HELP."));
    assert.equal((h.run("XGROUP", "HELP") as Value[]).length, 17);
    // Only the changes propagate, as given.
    assert.deepEqual(props(h), [
      ["XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"],
      ["XGROUP", "CREATE", "s", "g2", "0", "ENTRIESREAD", "5"],
      ["XGROUP", "SETID", "s", "g", "+"],
      ["XGROUP", "CREATECONSUMER", "s", "g", "c1"],
      ["XGROUP", "DELCONSUMER", "s", "g", "c1"],
      ["XGROUP", "DESTROY", "s", "g2"],
    ]);
    const groups = h.run("XINFO", "GROUPS", "s") as Value[];
    assert.deepEqual(groups, [[
      "name",
      "g",
      "consumers",
      0,
      "pending",
      0,
      "last-delivered-id",
      "18446744073709551615-18446744073709551615",
      "entries-read",
      null,
      "lag",
      0,
    ]]);
  }));

Deno.test("XGROUP CREATE with MKSTREAM creates nothing when an argument is wrong", () =>
  withHarness((h) => {
    assert.deepEqual(
      h.run("XGROUP", "CREATE", "mk", "g", "0", "ENTRIESREAD", "x", "MKSTREAM"),
      NOT_INT,
    );
    assert.deepEqual(h.run("XGROUP", "CREATE", "mk", "g", "x", "MKSTREAM"), INVALID_ID);
    assert.equal(h.run("EXISTS", "mk"), 0);
    h.run("SET", "str", "v");
    assert.deepEqual(h.run("XGROUP", "CREATE", "str", "g", "$", "MKSTREAM"), WRONGTYPE);
  }));

// --- XREADGROUP / XACK / XPENDING

Deno.test("XREADGROUP > delivers new entries once and propagates them as XCLAIMs", () =>
  withHarness((h) => {
    fill(h, "q", 1, 2, 3);
    h.run("XGROUP", "CREATE", "q", "g", "0");
    h.propagated();
    assert.deepEqual(h.run("XREADGROUP", "GROUP", "g", "c1", "COUNT", "1", "STREAMS", "q", ">"), [[
      "q",
      [entry("1-1", "f", "v1")],
    ]]);
    assert.deepEqual(h.run("XREADGROUP", "GROUP", "g", "c1", "STREAMS", "q", ">"), [["q", [
      entry("2-1", "f", "v2"),
      entry("3-1", "f", "v3"),
    ]]]);
    assert.equal(h.raw(["XREADGROUP", "GROUP", "g", "c1", "STREAMS", "q", ">"]), "*-1\r\n");
    const p = props(h);
    const claim = (
      id: string,
    ) => [
      "XCLAIM",
      "q",
      "g",
      "c1",
      "0",
      id,
      "TIME",
      "T",
      "RETRYCOUNT",
      "1",
      "FORCE",
      "JUSTID",
      "LASTID",
      id,
    ];
    const masked = p.map((c) => c[0] === "XCLAIM" ? [...c.slice(0, 7), "T", ...c.slice(8)] : c);
    assert.deepEqual(masked, [claim("1-1"), ["MULTI"], claim("2-1"), claim("3-1"), ["EXEC"]]);
    assert.deepEqual(h.run("XPENDING", "q", "g"), [3, "1-1", "3-1", [["c1", "3"]]]);
    assert.deepEqual((h.run("XINFO", "GROUPS", "q") as Value[])[0], [
      "name",
      "g",
      "consumers",
      1,
      "pending",
      3,
      "last-delivered-id",
      "3-1",
      "entries-read",
      3,
      "lag",
      0,
    ]);
  }));

Deno.test("XREADGROUP with an ID reads the consumer's own history without propagating", () =>
  withHarness((h) => {
    fill(h, "q", 1, 2, 3);
    h.run("XGROUP", "CREATE", "q", "g", "0");
    h.run("XREADGROUP", "GROUP", "g", "c1", "STREAMS", "q", ">");
    h.propagated();
    assert.deepEqual(h.run("XREADGROUP", "GROUP", "g", "c1", "STREAMS", "q", "1-1"), [["q", [
      entry("2-1", "f", "v2"),
      entry("3-1", "f", "v3"),
    ]]]);
    assert.deepEqual(h.run("XREADGROUP", "GROUP", "g", "c2", "STREAMS", "q", "0"), [["q", []]]);
    h.run("XDEL", "q", "2-1");
    h.propagated();
    assert.equal(
      h.raw(["XREADGROUP", "GROUP", "g", "c1", "COUNT", "2", "STREAMS", "q", "0"]),
      "*1\r\n*2\r\n$1\r\nq\r\n*2\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\nf\r\n$2\r\nv1\r\n*2\r\n$3\r\n2-1\r\n*-1\r\n",
    );
    assert.deepEqual(props(h), []);
    // Each history read of an existing entry counts as a delivery.
    const pending = h.run("XPENDING", "q", "g", "-", "+", "10") as Value[][];
    assert.deepEqual(pending.map((p) => [p[0], p[3]]), [["1-1", 2], ["2-1", 2], ["3-1", 2]]);
  }));

Deno.test("XREADGROUP NOACK creates no pending entries and propagates CREATECONSUMER + SETID", () =>
  withHarness((h) => {
    fill(h, "q", 1);
    h.run("XGROUP", "CREATE", "q", "g", "0");
    h.propagated();
    assert.deepEqual(h.run("XREADGROUP", "GROUP", "g", "c", "NOACK", "STREAMS", "q", ">"), [["q", [
      entry("1-1", "f", "v1"),
    ]]]);
    assert.equal(
      h.raw(["XREADGROUP", "GROUP", "g", "c3", "NOACK", "STREAMS", "q", ">"]),
      "*-1\r\n",
    );
    assert.deepEqual(props(h), [
      ["MULTI"],
      ["XGROUP", "CREATECONSUMER", "q", "g", "c"],
      ["XGROUP", "SETID", "q", "g", "1-1", "ENTRIESREAD", "1"],
      ["EXEC"],
    ]);
    assert.deepEqual(h.run("XPENDING", "q", "g"), [0, null, null, null]);
    // A reader that got nothing was not created.
    assert.equal((h.run("XINFO", "CONSUMERS", "q", "g") as Value[]).length, 1);
  }));

Deno.test("XREADGROUP reports missing groups and misplaced IDs", () =>
  withHarness((h) => {
    fill(h, "q", 1);
    h.run("XGROUP", "CREATE", "q", "g", "0");
    assert.deepEqual(
      h.run("XREADGROUP", "GROUP", "nog", "c", "STREAMS", "q", "0"),
      err("NOGROUP No such key 'q' or consumer group 'nog' in XREADGROUP with GROUP option"),
    );
    assert.deepEqual(
      h.run("XREADGROUP", "GROUP", "g", "c", "STREAMS", "nokey", "0"),
      err("NOGROUP No such key 'nokey' or consumer group 'g' in XREADGROUP with GROUP option"),
    );
    assert.deepEqual(
      h.run("XREADGROUP", "GROUP", "g", "c", "STREAMS", "q", "$"),
      err(
        "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.",
      ),
    );
    assert.deepEqual(
      h.run("XREADGROUP", "COUNT", "1", "BLOCK", "0", "STREAMS", "q", ">"),
      err("ERR Missing GROUP option for XREADGROUP"),
    );
    assert.deepEqual(
      h.run("XREADGROUP", "GROUP", "g", "c", "STREAMS", "q", "q", "0"),
      err(
        "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.",
      ),
    );
    assert.deepEqual(
      h.run("XREADGROUP", "GROUP", "g", "STREAMS", "q", "0"),
      err("ERR wrong number of arguments for 'xreadgroup' command"),
    );
  }));

Deno.test("XACK acknowledges pending entries and propagates only when it did", () =>
  withHarness((h) => {
    fill(h, "q", 1, 2);
    h.run("XGROUP", "CREATE", "q", "g", "0");
    h.run("XREADGROUP", "GROUP", "g", "c", "STREAMS", "q", ">");
    h.propagated();
    assert.equal(h.run("XACK", "q", "g", "1-1", "1-1", "9-9"), 1);
    assert.deepEqual(h.run("XACK", "q", "g", "1-1", "x"), INVALID_ID);
    assert.equal(h.run("XACK", "q", "nog", "x"), 0);
    assert.equal(h.run("XACK", "nokey", "g", "x"), 0);
    assert.equal(h.run("XACK", "q", "g", "1-1"), 0);
    assert.deepEqual(props(h), [["XACK", "q", "g", "1-1", "1-1", "9-9"]]);
    assert.deepEqual(h.run("XPENDING", "q", "g"), [1, "2-1", "2-1", [["c", "1"]]]);
  }));

Deno.test("XPENDING summary, ranges, IDLE, consumer filter and errors", () =>
  withHarness((h) => {
    fill(h, "q", 1, 2, 3);
    h.run("XGROUP", "CREATE", "q", "g", "0");
    h.run("XREADGROUP", "GROUP", "g", "b", "COUNT", "1", "STREAMS", "q", ">");
    h.run("XREADGROUP", "GROUP", "g", "a", "STREAMS", "q", ">");
    assert.deepEqual(h.run("XPENDING", "q", "g"), [3, "1-1", "3-1", [["a", "2"], ["b", "1"]]]);
    const ids = (v: Value) => (v as Value[][]).map((p) => [p[0], p[1], p[3]]);
    assert.deepEqual(ids(h.run("XPENDING", "q", "g", "-", "+", "10")), [["1-1", "b", 1], [
      "2-1",
      "a",
      1,
    ], ["3-1", "a", 1]]);
    assert.deepEqual(ids(h.run("XPENDING", "q", "g", "(1-1", "+", "1")), [["2-1", "a", 1]]);
    assert.deepEqual(ids(h.run("XPENDING", "q", "g", "-", "+", "10", "a")), [["2-1", "a", 1], [
      "3-1",
      "a",
      1,
    ]]);
    assert.deepEqual(h.run("XPENDING", "q", "g", "-", "+", "10", "nobody"), []);
    assert.deepEqual(h.run("XPENDING", "q", "g", "IDLE", "100000", "-", "+", "10"), []);
    assert.equal((h.run("XPENDING", "q", "g", "IDLE", "0", "-", "+", "10") as Value[]).length, 3);
    assert.deepEqual(h.run("XPENDING", "q", "g", "-", "+", "0"), []);
    assert.deepEqual(h.run("XPENDING", "q", "g", "-", "+"), SYNTAX);
    assert.deepEqual(h.run("XPENDING", "q", "g", "IDLE", "10", "-", "+"), SYNTAX);
    assert.deepEqual(h.run("XPENDING", "q", "g", "IDLE", "x", "-", "+", "10"), NOT_INT);
    assert.deepEqual(
      h.run("XPENDING", "q", "nog"),
      err("NOGROUP No such key 'q' or consumer group 'nog'"),
    );
    assert.deepEqual(h.run("XPENDING", "q", "nog", "-", "+", "x"), NOT_INT);
    assert.deepEqual(
      h.run("XPENDING", "empty", "g"),
      err("NOGROUP No such key 'empty' or consumer group 'g'"),
    );
  }));

// --- XCLAIM / XAUTOCLAIM

Deno.test("XCLAIM moves pending entries, honours its options and propagates each claim", () =>
  withHarness((h) => {
    fill(h, "c", 1, 2, 3, 4);
    h.run("XGROUP", "CREATE", "c", "g", "0");
    h.run("XREADGROUP", "GROUP", "g", "c1", "STREAMS", "c", ">");
    h.propagated();
    assert.deepEqual(h.run("XCLAIM", "c", "g", "c2", "0", "1-1"), [entry("1-1", "f", "v1")]);
    assert.deepEqual(h.run("XCLAIM", "c", "g", "c2", "0", "1-1", "2-1", "JUSTID"), ["1-1", "2-1"]);
    assert.deepEqual(h.run("XCLAIM", "c", "g", "c2", "100000", "3-1"), []);
    assert.deepEqual(h.run("XCLAIM", "c", "g", "c3", "0", "9-9", "FORCE"), []);
    assert.deepEqual(
      h.run("XCLAIM", "c", "g", "c3", "0", "3-1", "TIME", "1000", "RETRYCOUNT", "7", "JUSTID"),
      ["3-1"],
    );
    const p = props(h);
    assert.deepEqual(p[0].slice(0, 6), ["XCLAIM", "c", "g", "c2", "0", "1-1"]);
    assert.deepEqual(p[0].slice(8), ["RETRYCOUNT", "2", "FORCE", "JUSTID", "LASTID", "4-1"]);
    assert.deepEqual(p.at(-1), [
      "XCLAIM",
      "c",
      "g",
      "c3",
      "0",
      "3-1",
      "TIME",
      "1000",
      "RETRYCOUNT",
      "7",
      "FORCE",
      "JUSTID",
      "LASTID",
      "4-1",
    ]);
    // LASTID moves the group forward; with nothing claimed it propagates as XGROUP SETID.
    assert.deepEqual(h.run("XCLAIM", "c", "g", "c3", "0", "LASTID", "200-0"), []);
    assert.deepEqual(props(h), [["XGROUP", "SETID", "c", "g", "200-0", "ENTRIESREAD", "4"]]);
    // FORCE creates a pending entry for an existing but undelivered entry.
    h.run("XACK", "c", "g", "2-1");
    assert.deepEqual(h.run("XCLAIM", "c", "g", "c5", "0", "2-1", "FORCE", "JUSTID"), ["2-1"]);
    assert.deepEqual((h.run("XPENDING", "c", "g", "2-1", "2-1", "1") as Value[][])[0][3], 1);
    // A claimed entry that was deleted is dropped from the PEL, and replicas are told.
    h.run("XDEL", "c", "4-1");
    h.propagated();
    assert.deepEqual(h.run("XCLAIM", "c", "g", "c4", "0", "4-1", "1-1"), [entry("1-1", "f", "v1")]);
    const drop = props(h);
    assert.deepEqual(drop[1].slice(0, 6), ["XCLAIM", "c", "g", "c1", "0", "4-1"]);
    assert.deepEqual(drop[2].slice(0, 6), ["XCLAIM", "c", "g", "c4", "0", "1-1"]);
    assert.deepEqual(h.run("XPENDING", "c", "g"), [3, "1-1", "3-1", [["c3", "1"], ["c4", "1"], [
      "c5",
      "1",
    ]]]);
  }));

Deno.test("XCLAIM reports bad options and a missing group before anything else", () =>
  withHarness((h) => {
    fill(h, "c", 1);
    h.run("XGROUP", "CREATE", "c", "g", "0");
    assert.deepEqual(
      h.run("XCLAIM", "c", "g", "c", "0", "1-1", "FOO"),
      err("ERR Unrecognized XCLAIM option 'FOO'"),
    );
    assert.deepEqual(
      h.run("XCLAIM", "c", "g", "c", "0", "1-1", "IDLE"),
      err("ERR Unrecognized XCLAIM option 'IDLE'"),
    );
    assert.deepEqual(
      h.run("XCLAIM", "c", "g", "c", "0", "x", "1-1"),
      err("ERR Unrecognized XCLAIM option 'x'"),
    );
    assert.deepEqual(
      h.run("XCLAIM", "c", "g", "c", "0", "1-1", "IDLE", "x"),
      err("ERR Invalid IDLE option argument for XCLAIM"),
    );
    assert.deepEqual(
      h.run("XCLAIM", "c", "g", "c", "0", "1-1", "TIME", "x"),
      err("ERR Invalid TIME option argument for XCLAIM"),
    );
    assert.deepEqual(
      h.run("XCLAIM", "c", "g", "c", "0", "1-1", "RETRYCOUNT", "x"),
      err("ERR Invalid RETRYCOUNT option argument for XCLAIM"),
    );
    assert.deepEqual(h.run("XCLAIM", "c", "g", "c", "0", "1-1", "LASTID", "-"), INVALID_ID);
    assert.deepEqual(
      h.run("XCLAIM", "c", "g", "c", "x", "1-1"),
      err("ERR Invalid min-idle-time argument for XCLAIM"),
    );
    assert.deepEqual(
      h.run("XCLAIM", "c", "nog", "c", "x", "1-1"),
      err("NOGROUP No such key 'c' or consumer group 'nog'"),
    );
    // Nothing claimed: the consumer is not created.
    assert.deepEqual(h.run("XINFO", "CONSUMERS", "c", "g"), []);
  }));

Deno.test("XAUTOCLAIM scans the PEL from a cursor, dropping and reporting deleted entries", () =>
  withHarness((h) => {
    fill(h, "a", 1, 2, 3, 4, 5);
    h.run("XGROUP", "CREATE", "a", "g", "0");
    h.run("XREADGROUP", "GROUP", "g", "c1", "STREAMS", "a", ">");
    h.run("XDEL", "a", "2-1", "3-1");
    h.propagated();
    // Deleted entries count against COUNT.
    assert.deepEqual(h.run("XAUTOCLAIM", "a", "g", "c2", "0", "2-1", "COUNT", "1"), ["3-1", [], [
      "2-1",
    ]]);
    assert.deepEqual(h.run("XAUTOCLAIM", "a", "g", "c2", "0", "-", "COUNT", "1"), ["3-1", [
      entry("1-1", "f", "v1"),
    ], []]);
    assert.deepEqual(h.run("XAUTOCLAIM", "a", "g", "c2", "0", "-", "COUNT", "3", "JUSTID"), [
      "5-1",
      ["1-1", "4-1"],
      ["3-1"],
    ]);
    assert.deepEqual(h.run("XAUTOCLAIM", "a", "g", "c3", "100000", "-", "JUSTID"), ["0-0", [], []]);
    assert.deepEqual(h.run("XAUTOCLAIM", "a", "g", "c2", "0", "-", "COUNT", "3", "JUSTID"), [
      "0-0",
      ["1-1", "4-1", "5-1"],
      [],
    ]);
    const p = props(h);
    assert.deepEqual(p[0].slice(0, 6), ["XCLAIM", "a", "g", "c1", "0", "2-1"]);
    assert.deepEqual(p[1].slice(0, 6), ["XCLAIM", "a", "g", "c2", "0", "1-1"]);
    assert.equal(p.filter((c) => c[0] === "XCLAIM").length, 8);
    // c3 claimed nothing and was not created.
    assert.deepEqual((h.run("XINFO", "CONSUMERS", "a", "g") as Value[][]).map((c) => c[1]), [
      "c1",
      "c2",
    ]);
    assert.deepEqual(
      h.run("XAUTOCLAIM", "a", "g", "c", "0", "-", "COUNT", "0"),
      err("ERR COUNT must be > 0"),
    );
    assert.deepEqual(
      h.run("XAUTOCLAIM", "a", "g", "c", "0", "-", "COUNT", "576460752303423488"),
      err("ERR COUNT must be > 0"),
    );
    assert.deepEqual(
      h.run("XAUTOCLAIM", "a", "g", "c", "0", "-", "COUNT", "10000000000000"),
      err("ERR Insufficient memory, failed allocating transient memory, COUNT too high."),
    );
    assert.deepEqual(h.run("XAUTOCLAIM", "a", "g", "c", "0", "-", "FOO"), SYNTAX);
    assert.deepEqual(
      h.run("XAUTOCLAIM", "a", "g", "c", "x", "-"),
      err("ERR Invalid min-idle-time argument for XAUTOCLAIM"),
    );
    assert.deepEqual(
      h.run("XAUTOCLAIM", "a", "g", "c", "0", "(18446744073709551615-18446744073709551615"),
      err("ERR invalid start ID for the interval"),
    );
    assert.deepEqual(
      h.run("XAUTOCLAIM", "nokey", "g", "c", "0", "-"),
      err("NOGROUP No such key 'nokey' or consumer group 'g'"),
    );
  }));

// --- XINFO

Deno.test("XINFO STREAM, FULL, GROUPS, CONSUMERS and HELP", () =>
  withHarness((h) => {
    h.run("XADD", "i", "1-1", "a", "1");
    h.run("XADD", "i", "2-1", "a", "2", "b", "3");
    h.run("XGROUP", "CREATE", "i", "g", "0");
    h.run("XREADGROUP", "GROUP", "g", "c1", "COUNT", "1", "STREAMS", "i", ">");
    assert.deepEqual(h.run("XINFO", "STREAM", "i"), [
      "length",
      2,
      "radix-tree-keys",
      1,
      "radix-tree-nodes",
      2,
      "last-generated-id",
      "2-1",
      "max-deleted-entry-id",
      "0-0",
      "entries-added",
      2,
      "recorded-first-entry-id",
      "1-1",
      "groups",
      1,
      "first-entry",
      entry("1-1", "a", "1"),
      "last-entry",
      entry("2-1", "a", "2", "b", "3"),
    ]);
    const full = h.run("XINFO", "STREAM", "i", "FULL", "COUNT", "1") as Value[];
    assert.deepEqual(full.slice(14, 16), ["entries", [entry("1-1", "a", "1")]]);
    const g = (full[17] as Value[][])[0];
    assert.deepEqual(g.slice(0, 10), [
      "name",
      "g",
      "last-delivered-id",
      "1-1",
      "entries-read",
      1,
      "lag",
      1,
      "pel-count",
      1,
    ]);
    const consumer = (g[13] as Value[][])[0];
    assert.deepEqual([consumer[0], consumer[1], consumer[4], consumer[5]], [
      "name",
      "c1",
      "pel-count",
      1,
    ]);
    assert.deepEqual(h.run("XINFO", "STREAM", "i", "FULL", "COUNT", "x"), NOT_INT);
    assert.deepEqual(
      h.run("XINFO", "STREAM", "i", "FOO"),
      err("ERR unknown subcommand or wrong number of arguments for 'STREAM'. Try XINFO HELP."),
    );
    assert.deepEqual(h.run("XINFO", "STREAM", "nokey", "FOO"), err("ERR no such key"));
    const consumers = h.run("XINFO", "CONSUMERS", "i", "g") as Value[][];
    assert.deepEqual(consumers[0].slice(0, 5), ["name", "c1", "pending", 1, "idle"]);
    assert.deepEqual(
      h.run("XINFO", "CONSUMERS", "i", "nog"),
      err("NOGROUP No such consumer group 'nog' for key name 'i'"),
    );
    assert.deepEqual(h.run("XINFO", "GROUPS", "nokey"), err("ERR no such key"));
    assert.equal((h.run("XINFO", "HELP") as Value[]).length, 9);
    assert.deepEqual(h.run("XINFO", "FOO"), err("ERR unknown subcommand 'FOO'. Try XINFO HELP."));
    h.run("HELLO", "3");
    assert.ok(h.raw(["XINFO", "STREAM", "i"]).startsWith("%10\r\n$6\r\nlength\r\n:2\r\n"));
  }));

Deno.test("TYPE, OBJECT ENCODING, COPY and MEMORY USAGE see a stream", () =>
  withHarness((h) => {
    fill(h, "s", 1, 2);
    h.run("XGROUP", "CREATE", "s", "g", "0");
    assert.deepEqual(h.run("TYPE", "s"), { status: "stream" });
    assert.equal(h.run("OBJECT", "ENCODING", "s"), "stream");
    assert.equal(h.run("COPY", "s", "t"), 1);
    h.run("XADD", "t", "3-1", "f", "v");
    h.run("XGROUP", "DESTROY", "t", "g");
    assert.equal(h.run("XLEN", "s"), 2);
    assert.equal((h.run("XINFO", "GROUPS", "s") as Value[]).length, 1);
    // One listpack (4096 preallocated), its rax, the group and its empty PEL.
    assert.equal(h.run("MEMORY", "USAGE", "s"), 5012);
  }));

// --- keyspace events, WATCH

Deno.test("stream commands fire Redis's class t keyspace events", () =>
  withHarness((h) => {
    const seen = events(h, () => {
      h.run("XADD", "s", "1-1", "f", "v");
      h.run("XADD", "s", "MAXLEN", "1", "2-1", "f", "v");
      h.run("XADD", "s", "1-1", "f", "v");
      h.run("XDEL", "s", "9-9");
      h.run("XDEL", "s", "2-1");
      h.run("XTRIM", "s", "MAXLEN", "0");
      h.run("XSETID", "s", "10-10");
      h.run("XGROUP", "CREATE", "s", "g", "0");
      h.run("XGROUP", "CREATE", "s2", "g", "0", "MKSTREAM");
      h.run("XGROUP", "SETID", "s", "g", "0");
      h.run("XGROUP", "CREATECONSUMER", "s", "g", "c");
      h.run("XGROUP", "DELCONSUMER", "s", "g", "c");
      h.run("XADD", "s", "11-1", "f", "v");
      h.run("XREADGROUP", "GROUP", "g", "c1", "STREAMS", "s", ">");
      h.run("XCLAIM", "s", "g", "c2", "0", "11-1");
      h.run("XACK", "s", "g", "11-1");
      h.run("XGROUP", "DESTROY", "s", "g");
    });
    assert.deepEqual(seen.filter((e) => e.startsWith("t:")), [
      "t:xadd:s",
      "t:xadd:s",
      "t:xtrim:s",
      "t:xdel:s",
      "t:xsetid:s",
      "t:xgroup-create:s",
      "t:xgroup-create:s2",
      "t:xgroup-setid:s",
      "t:xgroup-createconsumer:s",
      "t:xgroup-delconsumer:s",
      "t:xadd:s",
      "t:xgroup-createconsumer:s",
      "t:xgroup-createconsumer:s",
      "t:xgroup-destroy:s",
    ]);
  }));

Deno.test("WATCH sees XADD, XDEL and XTRIM but not consumer-group changes", () =>
  withHarness((h) => {
    const other = h.newClient();
    fill(h, "s", 1);
    const watchedExec = (change: () => void): string => {
      h.run("WATCH", "s");
      change();
      h.run("MULTI");
      return h.raw(["EXEC"]);
    };
    assert.equal(watchedExec(() => h.runAs(other, "XGROUP", "CREATE", "s", "g", "0")), "*0\r\n");
    assert.equal(
      watchedExec(() => h.runAs(other, "XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">")),
      "*0\r\n",
    );
    assert.equal(watchedExec(() => h.runAs(other, "XACK", "s", "g", "1-1")), "*0\r\n");
    assert.equal(watchedExec(() => h.runAs(other, "XSETID", "s", "5-5")), "*0\r\n");
    assert.equal(watchedExec(() => h.runAs(other, "XADD", "s", "6-1", "f", "v")), "*-1\r\n");
    assert.equal(watchedExec(() => h.runAs(other, "XTRIM", "s", "MAXLEN", "0")), "*-1\r\n");
  }));

Deno.test("stream commands on other types reply WRONGTYPE", () =>
  withHarness((h) => {
    h.run("SET", "str", "v");
    for (
      const argv of [
        ["XLEN", "str"],
        ["XRANGE", "str", "-", "+"],
        ["XADD", "str", "*", "a", "b"],
        ["XDEL", "str", "x"],
        ["XTRIM", "str", "MAXLEN", "1"],
        ["XREAD", "STREAMS", "str", "0"],
        ["XACK", "str", "g", "1-1"],
        ["XPENDING", "str", "g"],
        ["XCLAIM", "str", "g", "c", "0", "1-1"],
        ["XAUTOCLAIM", "str", "g", "c", "0", "-"],
        ["XGROUP", "CREATE", "str", "g", "$"],
        ["XINFO", "STREAM", "str"],
        ["XINFO", "GROUPS", "str"],
        ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "str", ">"],
      ]
    ) {
      assert.deepEqual(h.run(...argv), WRONGTYPE, argv.join(" "));
    }
  }));

// --- blocked readers (fake clients; the TCP side is in tests/integration)

Deno.test("a blocked XREAD is served by XADD with the new entries only", () =>
  withHarness((h) => {
    const reader = h.newClient();
    fill(h, "s", 1);
    assert.equal(h.raw(["XREAD", "BLOCK", "0", "STREAMS", "s", "$"], reader), "");
    assert.equal(h.server.blocking.count, 1);
    fill(h, "s", 2);
    assert.deepEqual(served(reader), [["s", [entry("2-1", "f", "v2")]]]);
    assert.equal(h.server.blocking.count, 0);
  }));

Deno.test("a reader blocked on several streams is served from the first that became ready", () =>
  withHarness((h) => {
    const reader = h.newClient();
    h.raw(["XREAD", "BLOCK", "0", "STREAMS", "s1", "s2", "$", "$"], reader);
    h.run("MULTI");
    h.run("XADD", "s2", "1-1", "f", "v");
    h.run("XADD", "s1", "1-1", "f", "v");
    h.run("EXEC");
    assert.deepEqual(served(reader), [["s2", [entry("1-1", "f", "v")]]]);
  }));

Deno.test("a blocked XREADGROUP is served, creates its consumer and propagates XCLAIM", () =>
  withHarness((h) => {
    const reader = h.newClient();
    h.run("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM");
    h.raw(["XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">"], reader);
    h.propagated();
    fill(h, "s", 1);
    assert.deepEqual(served(reader), [["s", [entry("1-1", "f", "v1")]]]);
    const p = props(h);
    assert.deepEqual(p[0], ["XADD", "s", "1-1", "f", "v1"]);
    assert.deepEqual(p[1].slice(0, 6), ["XCLAIM", "s", "g", "c", "0", "1-1"]);
    assert.deepEqual(h.run("XPENDING", "s", "g"), [1, "1-1", "1-1", [["c", "1"]]]);
  }));

Deno.test("blocked XREADGROUP readers fail when their stream or group goes away", () =>
  withHarness((h) => {
    const reader = h.newClient();
    const block = () =>
      h.raw(["XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">"], reader);
    h.run("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM");
    block();
    h.run("XGROUP", "DESTROY", "s", "g");
    assert.deepEqual(
      served(reader),
      err("NOGROUP the consumer group this client was blocked on no longer exists"),
    );
    for (const kill of [["DEL", "s"], ["SET", "s", "x"], ["FLUSHDB"], ["SWAPDB", "0", "1"]]) {
      h.run("DEL", "s");
      h.run("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM");
      block();
      h.run(...kill);
      assert.deepEqual(
        served(reader),
        err("UNBLOCKED the stream key no longer exists"),
        kill.join(" "),
      );
    }
    // SETID does not wake anyone.
    h.run("SELECT", "0");
    h.run("FLUSHALL");
    h.run("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM");
    block();
    h.run("XGROUP", "SETID", "s", "g", "0");
    assert.equal(served(reader), undefined);
    h.run("XADD", "s", "1-1", "f", "v");
    assert.deepEqual(served(reader), [["s", [entry("1-1", "f", "v")]]]);
  }));

Deno.test("plain XREAD readers keep waiting when their stream is deleted", () =>
  withHarness((h) => {
    const reader = h.newClient();
    h.run("XADD", "s", "5-5", "f", "v");
    h.raw(["XREAD", "BLOCK", "0", "STREAMS", "s", "$"], reader);
    h.run("DEL", "s");
    assert.equal(served(reader), undefined);
    h.run("XADD", "s", "1-1", "f", "v");
    assert.equal(served(reader), undefined, "still below the $ resolved at block time");
    h.run("XADD", "s", "6-1", "f", "v");
    assert.deepEqual(served(reader), [["s", [entry("6-1", "f", "v")]]]);
  }));

Deno.test("a blocked XREAD without COUNT gets at most 1000 entries", () =>
  withHarness((h) => {
    const reader = h.newClient();
    h.raw(["XREAD", "BLOCK", "0", "STREAMS", "s", "0"], reader);
    h.run("MULTI");
    for (let i = 1; i <= 1001; i++) h.run("XADD", "s", `${i}-1`, "f", "v");
    h.run("EXEC");
    const r = served(reader) as Value[][];
    assert.equal((r[0][1] as Value[]).length, 1000);
  }));

Deno.test("a blocked NOACK reader propagates its consumer and the group's new last ID", () =>
  withHarness((h) => {
    const reader = h.newClient();
    h.run("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM");
    h.raw(["XREADGROUP", "GROUP", "g", "c", "NOACK", "BLOCK", "0", "STREAMS", "s", ">"], reader);
    h.propagated();
    h.run("XADD", "s", "1-1", "f", "v");
    assert.deepEqual(served(reader), [["s", [entry("1-1", "f", "v")]]]);
    assert.deepEqual(props(h), [
      ["XADD", "s", "1-1", "f", "v"],
      ["MULTI"],
      ["XGROUP", "CREATECONSUMER", "s", "g", "c"],
      ["XGROUP", "SETID", "s", "g", "1-1", "ENTRIESREAD", "1"],
      ["EXEC"],
    ]);
  }));

Deno.test("a blocked group reader waits while the group is already past the new entry", () =>
  withHarness((h) => {
    const reader = h.newClient();
    h.run("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM");
    h.raw(["XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">"], reader);
    h.run("XGROUP", "SETID", "s", "g", "5-0");
    h.run("XADD", "s", "4-0", "f", "v");
    assert.equal(served(reader), undefined);
    h.run("XADD", "s", "6-0", "f", "v");
    assert.deepEqual(served(reader), [["s", [entry("6-0", "f", "v")]]]);
  }));
