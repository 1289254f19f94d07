// The lists family through the dispatcher: every command and option, the exact error texts
// and their precedence, RESP2/RESP3 nulls, the forms writes propagate in (LMPOP/BLMPOP as
// LPOP|RPOP key count, BLPOP as LPOP key, BLMOVE as LMOVE, BRPOPLPUSH as RPOPLPUSH), keyspace
// events, the dirty counter, and blocked fake clients served, timed out and unblocked.
// Expected values were taken from a real redis-server 7.0.15 (tests/differential/lists.redis
// compares the bytes of many more; tests/integration/blocking_test.ts covers TCP clients).

import assert from "node:assert/strict";
import type { Client } from "../../src/client.ts";
import { bytesToStr } from "../../src/util/bytes.ts";
import { Harness, withHarness } from "../helpers/harness.ts";
import { parseReply, type Value } from "../helpers/resp_client.ts";

const WRONGTYPE = { error: "WRONGTYPE Operation against a key holding the wrong kind of value" };
const SYNTAX = { error: "ERR syntax error" };
const NOT_INT = { error: "ERR value is not an integer or out of range" };
const MUST_BE_POSITIVE = { error: "ERR value is out of range, must be positive" };
const NUMKEYS = { error: "ERR numkeys should be greater than 0" };
const COUNT = { error: "ERR count should be greater than 0" };
const TIMEOUT_NOT_FLOAT = { error: "ERR timeout is not a float or out of range" };
const TIMEOUT_NEGATIVE = { error: "ERR timeout is negative" };

// Propagated commands since the last call, without the stream's SELECTs.
function props(h: Harness): string[][] {
  return h.propagated().filter((c) => c[0] !== "SELECT");
}

// Records keyspace notifications as "class event key".
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

// The raw reply a (fake) blocked client got since the last call; "" when none.
function takenRaw(c: Client): string {
  const raw = bytesToStr(c.out.bytes());
  c.out.reset();
  return raw;
}

// The parsed reply a (fake) blocked client got since the last call; undefined when none.
function taken(c: Client): Value | undefined {
  const raw = takenRaw(c);
  return raw === "" ? undefined : parseReply(raw, 0)!.value;
}

// Lets CLIENT UNBLOCK's deferred reply (a microtask) run.
function microtask(): Promise<void> {
  return Promise.resolve();
}

// --- pushes

Deno.test("LPUSH and RPUSH add every element in order and reply the new length", () =>
  withHarness((h) => {
    assert.equal(h.run("RPUSH", "l", "a", "b"), 2);
    assert.equal(h.run("LPUSH", "l", "x", "y"), 4);
    assert.deepEqual(h.run("LRANGE", "l", 0, -1), ["y", "x", "a", "b"]);
    assert.deepEqual(props(h), [["RPUSH", "l", "a", "b"], ["LPUSH", "l", "x", "y"]]);
    assert.equal(dirtyDelta(h, () => h.run("RPUSH", "l", 1, 2, 3)), 3);
    assert.deepEqual(h.run("TYPE", "l"), { status: "list" });
    assert.equal(h.run("OBJECT", "ENCODING", "l"), "quicklist");
  }));

Deno.test("LPUSHX and RPUSHX only push onto an existing list", () =>
  withHarness((h) => {
    assert.equal(h.run("LPUSHX", "l", "a"), 0);
    assert.equal(h.run("RPUSHX", "l", "a", "b"), 0);
    assert.equal(h.run("EXISTS", "l"), 0);
    assert.deepEqual(props(h), []);
    h.run("RPUSH", "l", "m");
    assert.equal(h.run("LPUSHX", "l", "a", "b"), 3);
    assert.equal(h.run("RPUSHX", "l", "z"), 4);
    assert.deepEqual(h.run("LRANGE", "l", 0, -1), ["b", "a", "m", "z"]);
  }));

Deno.test("pushes fire lpush/rpush events", () =>
  withHarness((h) => {
    const events = recordEvents(h);
    h.run("LPUSH", "l", "a");
    h.run("RPUSH", "l", "b", "c");
    h.run("RPUSHX", "nokey", "b");
    assert.deepEqual(events, ["l lpush l", "l rpush l"]);
  }));

Deno.test("every list command on a string key replies WRONGTYPE", () =>
  withHarness((h) => {
    h.run("SET", "s", "v");
    for (
      const argv of [
        ["LPUSH", "s", "a"],
        ["RPUSHX", "s", "a"],
        ["LPOP", "s"],
        ["RPOP", "s", 0],
        ["LLEN", "s"],
        ["LRANGE", "s", 0, 1],
        ["LINDEX", "s", "abc"],
        ["LSET", "s", "abc", "x"],
        ["LINSERT", "s", "BEFORE", "a", "b"],
        ["LREM", "s", 0, "a"],
        ["LTRIM", "s", 0, 1],
        ["LPOS", "s", "a"],
        ["LMOVE", "s", "d", "LEFT", "LEFT"],
        ["RPOPLPUSH", "s", "d"],
        ["LMPOP", 2, "nokey", "s", "LEFT"],
        ["BLPOP", "nokey", "s", 0],
        ["BRPOP", "s", 0],
        ["BLMOVE", "s", "d", "LEFT", "LEFT", 0],
        ["BRPOPLPUSH", "s", "d", 0],
        ["BLMPOP", 0, 1, "s", "RIGHT"],
      ]
    ) {
      assert.deepEqual(h.run(...argv), WRONGTYPE, argv.join(" "));
    }
    assert.equal(h.run("GET", "s"), "v");
  }));

// --- pops

Deno.test("LPOP and RPOP without a count reply one bulk string", () =>
  withHarness((h) => {
    h.run("RPUSH", "l", "a", "b", "c");
    assert.equal(h.run("LPOP", "l"), "a");
    assert.equal(h.run("RPOP", "l"), "c");
    assert.equal(h.raw(["LPOP", "nokey"]), "$-1\r\n");
    assert.deepEqual(props(h), [["RPUSH", "l", "a", "b", "c"], ["LPOP", "l"], ["RPOP", "l"]]);
  }));

Deno.test("LPOP and RPOP with a count reply an array in popping order", () =>
  withHarness((h) => {
    h.run("RPUSH", "l", 1, 2, 3, 4, 5, 6);
    assert.deepEqual(h.run("LPOP", "l", 2), ["1", "2"]);
    assert.deepEqual(h.run("RPOP", "l", 3), ["6", "5", "4"]);
    assert.deepEqual(h.run("RPOP", "l", 10), ["3"]);
    assert.equal(h.run("EXISTS", "l"), 0);
    assert.equal(h.raw(["LPOP", "nokey", 2]), "*-1\r\n");
    assert.equal(h.raw(["LPOP", "nokey", 0]), "*-1\r\n");
  }));

Deno.test("a pop count of 0 replies an empty array and changes nothing", () =>
  withHarness((h) => {
    h.run("RPUSH", "l", "a");
    props(h);
    assert.equal(h.raw(["LPOP", "l", 0]), "*0\r\n");
    assert.equal(h.raw(["RPOP", "l", 0]), "*0\r\n");
    assert.deepEqual(props(h), []);
    assert.equal(h.run("LLEN", "l"), 1);
  }));

Deno.test("pop count errors: negative or not an integer, extra arguments, WRONGTYPE order", () =>
  withHarness((h) => {
    h.run("RPUSH", "l", "a");
    assert.deepEqual(h.run("LPOP", "l", -1), MUST_BE_POSITIVE);
    assert.deepEqual(h.run("RPOP", "l", "abc"), MUST_BE_POSITIVE);
    assert.deepEqual(h.run("LPOP", "l", 1, 2), {
      error: "ERR wrong number of arguments for 'lpop' command",
    });
    h.run("SET", "s", "x");
    assert.deepEqual(h.run("LPOP", "s", -1), MUST_BE_POSITIVE);
    assert.deepEqual(h.run("LPOP", "s", 0), WRONGTYPE);
  }));

Deno.test("RESP3 pops reply _ for a missing key with and without a count", () =>
  withHarness((h) => {
    h.run("HELLO", 3);
    assert.equal(h.raw(["LPOP", "nokey"]), "_\r\n");
    assert.equal(h.raw(["RPOP", "nokey", 3]), "_\r\n");
    assert.equal(h.raw(["LMPOP", 1, "nokey", "LEFT"]), "_\r\n");
    assert.equal(h.raw(["LINDEX", "nokey", 0]), "_\r\n");
  }));

Deno.test("popping the last element deletes the key: pop event, then del", () =>
  withHarness((h) => {
    h.run("RPUSH", "l", "a", "b");
    const events = recordEvents(h);
    h.run("LPOP", "l");
    h.run("RPOP", "l", 5);
    assert.deepEqual(events, ["l lpop l", "l rpop l", "g del l"]);
    assert.equal(h.run("EXISTS", "l"), 0);
  }));

Deno.test("pops count one change per element", () =>
  withHarness((h) => {
    h.run("RPUSH", "l", 1, 2, 3, 4, 5);
    assert.equal(dirtyDelta(h, () => h.run("LPOP", "l", 3)), 3);
    assert.equal(dirtyDelta(h, () => h.run("RPOP", "l", 5)), 2);
  }));

// --- LMPOP

Deno.test("LMPOP pops from the first non-empty list and propagates LPOP|RPOP key count", () =>
  withHarness((h) => {
    h.run("RPUSH", "b", 1, 2, 3);
    props(h);
    assert.deepEqual(h.run("LMPOP", 3, "a", "b", "c", "LEFT"), ["b", ["1"]]);
    assert.deepEqual(h.run("LMPOP", 2, "a", "b", "right", "COUNT", 10), ["b", ["3", "2"]]);
    assert.deepEqual(props(h), [["LPOP", "b", "1"], ["RPOP", "b", "2"]]);
    assert.equal(h.raw(["LMPOP", 2, "a", "b", "LEFT"]), "*-1\r\n");
    assert.deepEqual(props(h), []);
  }));

Deno.test("LMPOP argument errors", () =>
  withHarness((h) => {
    assert.deepEqual(h.run("LMPOP", 0, "a", "LEFT"), NUMKEYS);
    assert.deepEqual(h.run("LMPOP", -1, "a", "LEFT"), NUMKEYS);
    assert.deepEqual(h.run("LMPOP", "abc", "a", "LEFT"), NUMKEYS);
    assert.deepEqual(h.run("LMPOP", 2, "a", "LEFT"), SYNTAX);
    assert.deepEqual(h.run("LMPOP", "9223372036854775807", "a", "LEFT"), SYNTAX);
    assert.deepEqual(h.run("LMPOP", 1, "a", "MIDDLE"), SYNTAX);
    assert.deepEqual(h.run("LMPOP", 1, "a", "LEFT", "COUNT", 0), COUNT);
    assert.deepEqual(h.run("LMPOP", 1, "a", "LEFT", "COUNT", "x"), COUNT);
    assert.deepEqual(h.run("LMPOP", 1, "a", "LEFT", "COUNT", 1, "COUNT", 2), SYNTAX);
    assert.deepEqual(h.run("LMPOP", 1, "a", "LEFT", "COUNT"), SYNTAX);
    assert.deepEqual(h.run("LMPOP", 1, "a", "LEFT", "FOO"), SYNTAX);
    assert.deepEqual(h.run("LMPOP", 1, "a"), {
      error: "ERR wrong number of arguments for 'lmpop' command",
    });
  }));

Deno.test("LMPOP stops at the first list: a later key of another type is not checked", () =>
  withHarness((h) => {
    h.run("SET", "s", "v");
    h.run("RPUSH", "l", "a");
    assert.deepEqual(h.run("LMPOP", 2, "l", "s", "LEFT"), ["l", ["a"]]);
    assert.deepEqual(h.run("LMPOP", 2, "s", "l", "LEFT"), WRONGTYPE);
  }));

// --- reads

Deno.test("LLEN replies the length, 0 for a missing key", () =>
  withHarness((h) => {
    assert.equal(h.run("LLEN", "l"), 0);
    h.run("RPUSH", "l", "a", "b");
    assert.equal(h.run("LLEN", "l"), 2);
  }));

Deno.test("LRANGE clamps and resolves negative indexes", () =>
  withHarness((h) => {
    h.run("RPUSH", "l", "a", "b", "c", "d");
    assert.deepEqual(h.run("LRANGE", "l", 0, -1), ["a", "b", "c", "d"]);
    assert.deepEqual(h.run("LRANGE", "l", -2, -1), ["c", "d"]);
    assert.deepEqual(h.run("LRANGE", "l", -100, 1), ["a", "b"]);
    assert.deepEqual(h.run("LRANGE", "l", 2, 100), ["c", "d"]);
    assert.deepEqual(h.run("LRANGE", "l", 3, 1), []);
    assert.deepEqual(h.run("LRANGE", "l", 4, 10), []);
    assert.deepEqual(h.run("LRANGE", "l", "9223372036854775807", "-9223372036854775808"), []);
    assert.deepEqual(h.run("LRANGE", "l", 0, "9223372036854775808"), NOT_INT);
    assert.deepEqual(h.run("LRANGE", "nokey", "x", 0), NOT_INT);
    assert.equal(h.raw(["LRANGE", "nokey", 0, -1]), "*0\r\n");
  }));

Deno.test("LINDEX replies the element, or null out of range; a missing key ignores the index", () =>
  withHarness((h) => {
    h.run("RPUSH", "l", "a", "b", "c");
    assert.equal(h.run("LINDEX", "l", 0), "a");
    assert.equal(h.run("LINDEX", "l", -1), "c");
    assert.equal(h.run("LINDEX", "l", 3), null);
    assert.equal(h.run("LINDEX", "l", -4), null);
    assert.deepEqual(h.run("LINDEX", "l", "x"), NOT_INT);
    assert.equal(h.run("LINDEX", "nokey", "x"), null);
  }));

Deno.test("LPOS finds matches with RANK, COUNT and MAXLEN", () =>
  withHarness((h) => {
    h.run("RPUSH", "l", "a", "b", "c", "a", "b", "c", "a");
    assert.equal(h.run("LPOS", "l", "a"), 0);
    assert.equal(h.run("LPOS", "l", "a", "RANK", 2), 3);
    assert.equal(h.run("LPOS", "l", "a", "RANK", -1), 6);
    assert.equal(h.run("LPOS", "l", "a", "RANK", -3), 0);
    assert.equal(h.run("LPOS", "l", "a", "RANK", 4), null);
    assert.deepEqual(h.run("LPOS", "l", "a", "COUNT", 0), [0, 3, 6]);
    assert.deepEqual(h.run("LPOS", "l", "a", "COUNT", 2), [0, 3]);
    assert.deepEqual(h.run("LPOS", "l", "a", "COUNT", 2, "RANK", -1), [6, 3]);
    assert.deepEqual(h.run("LPOS", "l", "a", "COUNT", 0, "RANK", 2, "MAXLEN", 4), [3]);
    assert.equal(h.run("LPOS", "l", "a", "RANK", -2, "MAXLEN", 3), null);
    assert.equal(h.run("LPOS", "l", "a", "RANK", 1, "RANK", 2), 3);
    assert.equal(h.run("LPOS", "l", "z"), null);
    assert.deepEqual(h.run("LPOS", "l", "z", "COUNT", 1), []);
    assert.equal(h.run("LPOS", "nokey", "z"), null);
    assert.deepEqual(h.run("LPOS", "nokey", "z", "COUNT", 1), []);
  }));

Deno.test("LPOS with RANK -9223372036854775808 reports every match from the tail", () =>
  withHarness((h) => {
    h.run("RPUSH", "l", "a", "b", "c", "a", "b", "c", "a");
    const min = "-9223372036854775808";
    assert.equal(h.run("LPOS", "l", "a", "RANK", min), 6);
    assert.deepEqual(h.run("LPOS", "l", "a", "RANK", min, "COUNT", 1), [6, 3, 0]);
    assert.deepEqual(h.run("LPOS", "l", "a", "RANK", min, "COUNT", 2, "MAXLEN", 5), [6, 3]);
    assert.equal(h.run("LPOS", "l", "a", "RANK", "-9223372036854775807"), null);
  }));

Deno.test("LPOS option errors come before the key lookup", () =>
  withHarness((h) => {
    h.run("SET", "s", "v");
    assert.deepEqual(h.run("LPOS", "s", "a", "RANK", 0), {
      error:
        "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list",
    });
    assert.deepEqual(h.run("LPOS", "s", "a", "RANK", "x"), NOT_INT);
    assert.deepEqual(h.run("LPOS", "s", "a", "COUNT", -1), {
      error: "ERR COUNT can't be negative",
    });
    assert.deepEqual(h.run("LPOS", "s", "a", "COUNT", "x"), {
      error: "ERR COUNT can't be negative",
    });
    assert.deepEqual(h.run("LPOS", "s", "a", "MAXLEN", -1), {
      error: "ERR MAXLEN can't be negative",
    });
    assert.deepEqual(h.run("LPOS", "s", "a", "RANK"), SYNTAX);
    assert.deepEqual(h.run("LPOS", "s", "a", "FOO", 1), SYNTAX);
    assert.deepEqual(h.run("LPOS", "s", "a", "COUNT", 1), WRONGTYPE);
  }));

// --- in-place changes

Deno.test("LSET replaces by index; no such key, bad index and range errors", () =>
  withHarness((h) => {
    assert.deepEqual(h.run("LSET", "nokey", "x", "v"), { error: "ERR no such key" });
    h.run("RPUSH", "l", "a", "b", "c");
    const events = recordEvents(h);
    assert.deepEqual(h.run("LSET", "l", -1, "z"), { status: "OK" });
    assert.deepEqual(h.run("LSET", "l", 0, "y"), { status: "OK" });
    assert.deepEqual(h.run("LSET", "l", 3, "v"), { error: "ERR index out of range" });
    assert.deepEqual(h.run("LSET", "l", -4, "v"), { error: "ERR index out of range" });
    assert.deepEqual(h.run("LSET", "l", "x", "v"), NOT_INT);
    assert.deepEqual(h.run("LRANGE", "l", 0, -1), ["y", "b", "z"]);
    assert.deepEqual(events, ["l lset l", "l lset l"]);
  }));

Deno.test("LINSERT inserts before or after the first pivot", () =>
  withHarness((h) => {
    assert.equal(h.run("LINSERT", "nokey", "BEFORE", "a", "x"), 0);
    assert.deepEqual(h.run("LINSERT", "nokey", "MIDDLE", "a", "x"), SYNTAX);
    h.run("RPUSH", "l", "a", "b", "a");
    props(h);
    const events = recordEvents(h);
    assert.equal(h.run("LINSERT", "l", "before", "a", "x"), 4);
    assert.equal(h.run("LINSERT", "l", "AFTER", "a", "y"), 5);
    assert.equal(h.run("LINSERT", "l", "AFTER", "zz", "y"), -1);
    assert.deepEqual(h.run("LRANGE", "l", 0, -1), ["x", "a", "y", "b", "a"]);
    assert.deepEqual(events, ["l linsert l", "l linsert l"]);
    assert.deepEqual(props(h), [
      ["LINSERT", "l", "before", "a", "x"],
      ["LINSERT", "l", "AFTER", "a", "y"],
    ]);
  }));

Deno.test("LREM removes from the head, from the tail, or every match", () =>
  withHarness((h) => {
    h.run("RPUSH", "l", "a", "b", "a", "c", "a", "b", "a");
    assert.equal(h.run("LREM", "l", 2, "a"), 2);
    assert.deepEqual(h.run("LRANGE", "l", 0, -1), ["b", "c", "a", "b", "a"]);
    assert.equal(h.run("LREM", "l", -1, "b"), 1);
    assert.deepEqual(h.run("LRANGE", "l", 0, -1), ["b", "c", "a", "a"]);
    assert.equal(dirtyDelta(h, () => h.run("LREM", "l", 0, "a")), 2);
    assert.equal(h.run("LREM", "nokey", 1, "a"), 0);
    assert.deepEqual(h.run("LREM", "nokey", "x", "a"), NOT_INT);
    props(h);
    assert.equal(h.run("LREM", "l", 0, "zz"), 0);
    assert.deepEqual(props(h), []);
    const events = recordEvents(h);
    h.run("LREM", "l", 0, "b");
    h.run("LREM", "l", "-9223372036854775808", "c");
    assert.deepEqual(events, ["l lrem l", "l lrem l", "g del l"]);
    assert.equal(h.run("EXISTS", "l"), 0);
  }));

Deno.test("LTRIM keeps the range; an empty range deletes the key", () =>
  withHarness((h) => {
    assert.deepEqual(h.run("LTRIM", "nokey", 0, 1), { status: "OK" });
    assert.deepEqual(h.run("LTRIM", "nokey", "x", 1), NOT_INT);
    h.run("RPUSH", "l", 1, 2, 3, 4, 5, 6);
    assert.equal(dirtyDelta(h, () => h.run("LTRIM", "l", 1, -2)), 2);
    assert.deepEqual(h.run("LRANGE", "l", 0, -1), ["2", "3", "4", "5"]);
    const events = recordEvents(h);
    h.run("LTRIM", "l", 5, 2);
    assert.deepEqual(events, ["l ltrim l", "g del l"]);
    assert.equal(h.run("EXISTS", "l"), 0);
  }));

Deno.test("an LTRIM that removes nothing is not propagated but still fires ltrim and WATCH", () =>
  withHarness((h) => {
    h.run("RPUSH", "l", "a", "b");
    props(h);
    const events = recordEvents(h);
    const other = h.newClient();
    h.runAs(other, "WATCH", "l");
    h.runAs(other, "MULTI");
    h.runAs(other, "PING");
    assert.equal(dirtyDelta(h, () => h.run("LTRIM", "l", 0, -1)), 0);
    assert.deepEqual(props(h), []);
    assert.deepEqual(events, ["l ltrim l"]);
    assert.equal(h.runAs(other, "EXEC"), null);
  }));

// --- moves

Deno.test("LMOVE moves between any ends and creates the destination", () =>
  withHarness((h) => {
    h.run("RPUSH", "src", 1, 2, 3, 4);
    assert.equal(h.run("LMOVE", "src", "dst", "LEFT", "RIGHT"), "1");
    assert.equal(h.run("LMOVE", "src", "dst", "right", "left"), "4");
    assert.equal(h.run("LMOVE", "src", "dst", "LEFT", "LEFT"), "2");
    assert.equal(h.run("LMOVE", "src", "dst", "Right", "Right"), "3");
    assert.deepEqual(h.run("LRANGE", "dst", 0, -1), ["2", "4", "1", "3"]);
    assert.equal(h.run("EXISTS", "src"), 0);
    assert.equal(h.run("LMOVE", "src", "dst", "LEFT", "LEFT"), null);
    assert.deepEqual(h.run("LMOVE", "src", "dst", "UP", "LEFT"), SYNTAX);
    assert.deepEqual(h.run("LMOVE", "src", "dst", "LEFT", "DOWN"), SYNTAX);
  }));

Deno.test("LMOVE events, one change, and verbatim propagation", () =>
  withHarness((h) => {
    h.run("RPUSH", "src", "a");
    props(h);
    const events = recordEvents(h);
    assert.equal(dirtyDelta(h, () => h.run("LMOVE", "src", "dst", "left", "RIGHT")), 1);
    assert.deepEqual(events, ["l rpush dst", "l lpop src", "g del src"]);
    assert.deepEqual(props(h), [["LMOVE", "src", "dst", "left", "RIGHT"]]);
  }));

Deno.test("LMOVE onto a key of another type fails without popping", () =>
  withHarness((h) => {
    h.run("RPUSH", "src", "a");
    h.run("SET", "s", "v");
    assert.deepEqual(h.run("LMOVE", "src", "s", "LEFT", "LEFT"), WRONGTYPE);
    assert.deepEqual(h.run("RPOPLPUSH", "src", "s"), WRONGTYPE);
    assert.deepEqual(h.run("LRANGE", "src", 0, -1), ["a"]);
    // A missing source is checked first: null even with a bad destination.
    assert.equal(h.run("LMOVE", "nokey", "s", "LEFT", "LEFT"), null);
  }));

Deno.test("LMOVE and RPOPLPUSH on one key rotate it, even with one element", () =>
  withHarness((h) => {
    h.run("RPUSH", "l", 1, 2, 3);
    assert.equal(h.run("LMOVE", "l", "l", "LEFT", "RIGHT"), "1");
    assert.deepEqual(h.run("LRANGE", "l", 0, -1), ["2", "3", "1"]);
    assert.equal(h.run("RPOPLPUSH", "l", "l"), "1");
    assert.deepEqual(h.run("LRANGE", "l", 0, -1), ["1", "2", "3"]);
    h.run("RPUSH", "one", "x");
    assert.equal(dirtyDelta(h, () => h.run("LMOVE", "one", "one", "LEFT", "RIGHT")), 1);
    assert.deepEqual(h.run("LRANGE", "one", 0, -1), ["x"]);
  }));

Deno.test("RPOPLPUSH moves the tail to the head of the destination", () =>
  withHarness((h) => {
    h.run("RPUSH", "src", "a", "b");
    h.run("RPUSH", "dst", "z");
    assert.equal(h.run("RPOPLPUSH", "src", "dst"), "b");
    assert.deepEqual(h.run("LRANGE", "dst", 0, -1), ["b", "z"]);
    assert.equal(h.run("RPOPLPUSH", "nokey", "dst"), null);
  }));

// --- blocking commands that do not block

Deno.test("BLPOP and BRPOP with data pop at once and propagate LPOP|RPOP key", () =>
  withHarness((h) => {
    h.run("RPUSH", "b", "1", "2");
    props(h);
    assert.deepEqual(h.run("BLPOP", "a", "b", 0), ["b", "1"]);
    assert.deepEqual(h.run("BRPOP", "a", "b", "0.5"), ["b", "2"]);
    assert.deepEqual(props(h), [["LPOP", "b"], ["RPOP", "b"]]);
    assert.equal(h.run("EXISTS", "b"), 0);
  }));

Deno.test("BLMPOP with data pops at once and propagates the count popped", () =>
  withHarness((h) => {
    h.run("RPUSH", "l", "1", "2", "3");
    props(h);
    assert.deepEqual(h.run("BLMPOP", 0, 2, "nokey", "l", "RIGHT", "COUNT", 2), ["l", ["3", "2"]]);
    assert.deepEqual(h.run("BLMPOP", 0, 1, "l", "LEFT", "COUNT", 9), ["l", ["1"]]);
    assert.deepEqual(props(h), [["RPOP", "l", "2"], ["LPOP", "l", "1"]]);
  }));

Deno.test("BLMOVE and BRPOPLPUSH with data move at once as LMOVE and RPOPLPUSH", () =>
  withHarness((h) => {
    h.run("RPUSH", "src", "1", "2", "3");
    props(h);
    assert.equal(h.run("BLMOVE", "src", "dst", "Left", "right", 0), "1");
    assert.equal(h.run("BRPOPLPUSH", "src", "dst", 0), "3");
    assert.deepEqual(props(h), [
      ["LMOVE", "src", "dst", "Left", "right"],
      ["RPOPLPUSH", "src", "dst"],
    ]);
    assert.deepEqual(h.run("LRANGE", "dst", 0, -1), ["3", "1"]);
  }));

Deno.test("blocking argument errors and their order", () =>
  withHarness((h) => {
    assert.deepEqual(h.run("BLPOP", "k", "abc"), TIMEOUT_NOT_FLOAT);
    assert.deepEqual(h.run("BLPOP", "k", "-1"), TIMEOUT_NEGATIVE);
    assert.deepEqual(h.run("BLPOP", "k", "inf"), TIMEOUT_NEGATIVE);
    assert.deepEqual(h.run("BLPOP", "k", "1e300"), TIMEOUT_NEGATIVE);
    assert.deepEqual(h.run("BLPOP", "k", "nan"), TIMEOUT_NOT_FLOAT);
    assert.deepEqual(h.run("BLPOP", "k", ""), TIMEOUT_NOT_FLOAT);
    assert.deepEqual(h.run("BLMPOP", 0, 0, "a", "LEFT"), NUMKEYS);
    assert.deepEqual(h.run("BLMPOP", "abc", 1, "a", "MIDDLE"), SYNTAX);
    assert.deepEqual(h.run("BLMPOP", -1, 1, "a", "LEFT", "COUNT", 0), COUNT);
    assert.deepEqual(h.run("BLMPOP", "abc", 1, "a", "LEFT"), TIMEOUT_NOT_FLOAT);
    assert.deepEqual(h.run("BLMOVE", "a", "b", "MIDDLE", "LEFT", "abc"), SYNTAX);
    assert.deepEqual(h.run("BLMOVE", "a", "b", "LEFT", "LEFT", "abc"), TIMEOUT_NOT_FLOAT);
    assert.deepEqual(h.run("BRPOPLPUSH", "a", "b", -1), TIMEOUT_NEGATIVE);
    h.run("SET", "s", "v");
    assert.deepEqual(h.run("BLMOVE", "s", "b", "LEFT", "LEFT", "abc"), TIMEOUT_NOT_FLOAT);
    assert.equal(h.server.blocking.count, 0);
  }));

Deno.test("inside MULTI blocking commands do not block: null array, or null for moves", () =>
  withHarness((h) => {
    h.run("MULTI");
    h.run("BLPOP", "nokey", 0);
    h.run("BRPOP", "nokey", 0);
    h.run("BLMPOP", 0, 1, "nokey", "LEFT");
    h.run("BLMOVE", "nokey", "d", "LEFT", "LEFT", 0);
    h.run("BRPOPLPUSH", "nokey", "d", 0);
    assert.equal(h.raw(["EXEC"]), "*5\r\n*-1\r\n*-1\r\n*-1\r\n$-1\r\n$-1\r\n");
    h.run("HELLO", 3);
    h.run("MULTI");
    h.run("BLPOP", "nokey", 0);
    h.run("BLMOVE", "nokey", "d", "LEFT", "LEFT", 0);
    assert.equal(h.raw(["EXEC"]), "*2\r\n_\r\n_\r\n");
    assert.equal(h.server.blocking.count, 0);
  }));

Deno.test("a BLPOP with data inside MULTI propagates LPOP within the transaction", () =>
  withHarness((h) => {
    h.run("RPUSH", "l", "a");
    props(h);
    h.run("MULTI");
    h.run("BLPOP", "l", 0);
    h.run("RPUSH", "l", "b");
    assert.deepEqual(h.run("EXEC"), [["l", "a"], 1]);
    assert.deepEqual(props(h), [["MULTI"], ["LPOP", "l"], ["RPUSH", "l", "b"], ["EXEC"]]);
  }));

// --- blocked clients served

Deno.test("a blocked BLPOP is served by a push and propagates as LPOP after it", () =>
  withHarness((h) => {
    const c = h.newClient();
    assert.equal(h.raw(["BLPOP", "k1", "k2", 0], c), "");
    assert.equal(h.server.blocking.count, 1);
    const events = recordEvents(h);
    assert.equal(h.run("RPUSH", "k2", "x"), 1);
    assert.equal(takenRaw(c), "*2\r\n$2\r\nk2\r\n$1\r\nx\r\n");
    assert.equal(h.server.blocking.count, 0);
    assert.deepEqual(props(h), [["RPUSH", "k2", "x"], ["LPOP", "k2"]]);
    assert.deepEqual(events, ["l rpush k2", "l lpop k2", "g del k2"]);
    assert.equal(h.run("EXISTS", "k2"), 0);
  }));

Deno.test("a blocked BRPOP pops from the tail", () =>
  withHarness((h) => {
    const c = h.newClient();
    h.raw(["BRPOP", "k", 0], c);
    h.run("RPUSH", "k", "a", "b");
    assert.deepEqual(taken(c), ["k", "b"]);
    assert.deepEqual(props(h), [["RPUSH", "k", "a", "b"], ["RPOP", "k"]]);
  }));

Deno.test("a blocked BLMPOP takes up to COUNT and propagates the count popped", () =>
  withHarness((h) => {
    const c = h.newClient();
    h.raw(["BLMPOP", 0, 2, "a", "b", "RIGHT", "COUNT", 3], c);
    h.run("RPUSH", "b", "1", "2");
    assert.deepEqual(taken(c), ["b", ["2", "1"]]);
    assert.deepEqual(props(h), [["RPUSH", "b", "1", "2"], ["RPOP", "b", "2"]]);
  }));

Deno.test("waiters are served in arrival order, one push serving as many as it has elements", () =>
  withHarness((h) => {
    const c1 = h.newClient();
    const c2 = h.newClient();
    const c3 = h.newClient();
    const c4 = h.newClient();
    h.raw(["BLPOP", "k", 0], c1);
    h.raw(["BRPOP", "k", 0], c2);
    h.raw(["BLPOP", "k", 0], c3);
    h.raw(["BLPOP", "k", 0], c4);
    h.run("RPUSH", "k", "a", "b", "c");
    assert.deepEqual(taken(c1), ["k", "a"]);
    assert.deepEqual(taken(c2), ["k", "c"]);
    assert.deepEqual(taken(c3), ["k", "b"]);
    assert.equal(taken(c4), undefined);
    assert.equal(h.server.blocking.count, 1);
    assert.deepEqual(props(h), [
      ["RPUSH", "k", "a", "b", "c"],
      ["LPOP", "k"],
      ["RPOP", "k"],
      ["LPOP", "k"],
    ]);
  }));

Deno.test("a waiter is served from the key that became ready first", () =>
  withHarness((h) => {
    const c = h.newClient();
    h.raw(["BLPOP", "a", "b", 0], c);
    h.run("MULTI");
    h.run("RPUSH", "b", "1");
    h.run("RPUSH", "a", "2");
    h.run("EXEC");
    assert.deepEqual(taken(c), ["b", "1"]);
    assert.deepEqual(h.run("LRANGE", "a", 0, -1), ["2"]);
  }));

Deno.test("a list emptied in the same transaction serves nobody; the waiter keeps waiting", () =>
  withHarness((h) => {
    const c = h.newClient();
    h.raw(["BLPOP", "k", 0], c);
    h.run("MULTI");
    h.run("RPUSH", "k", "1");
    h.run("LPOP", "k");
    h.run("EXEC");
    assert.equal(taken(c), undefined);
    assert.equal(h.server.blocking.count, 1);
    h.run("RPUSH", "k", "2");
    assert.deepEqual(taken(c), ["k", "2"]);
  }));

Deno.test("a key created with another type does not serve list waiters", () =>
  withHarness((h) => {
    const c = h.newClient();
    h.raw(["BLPOP", "t", 0], c);
    h.run("SADD", "t", "m");
    assert.equal(taken(c), undefined);
    h.run("DEL", "t");
    h.run("LPUSH", "t", "v");
    assert.deepEqual(taken(c), ["t", "v"]);
  }));

Deno.test("a blocked BLMOVE is served and propagates LMOVE with lowercase ends", () =>
  withHarness((h) => {
    const c = h.newClient();
    h.raw(["BLMOVE", "src", "dst", "LEFT", "RIGHT", 0], c);
    const events = recordEvents(h);
    h.run("RPUSH", "src", "x");
    assert.equal(takenRaw(c), "$1\r\nx\r\n");
    assert.deepEqual(props(h), [
      ["RPUSH", "src", "x"],
      ["LMOVE", "src", "dst", "left", "right"],
    ]);
    assert.deepEqual(events, ["l rpush src", "l rpush dst", "l lpop src", "g del src"]);
    assert.deepEqual(h.run("LRANGE", "dst", 0, -1), ["x"]);
  }));

Deno.test("a blocked BRPOPLPUSH is served and propagates RPOPLPUSH", () =>
  withHarness((h) => {
    const c = h.newClient();
    h.raw(["BRPOPLPUSH", "src", "dst", 0], c);
    h.run("RPUSH", "src", "a", "b");
    assert.equal(taken(c), "b");
    assert.deepEqual(props(h), [["RPUSH", "src", "a", "b"], ["RPOPLPUSH", "src", "dst"]]);
  }));

Deno.test("a blocked BLMOVE whose destination has another type gets WRONGTYPE; the next waiter is served", () =>
  withHarness((h) => {
    h.run("SET", "d", "str");
    const c1 = h.newClient();
    const c2 = h.newClient();
    h.raw(["BLMOVE", "a", "d", "LEFT", "LEFT", 0], c1);
    h.raw(["BLPOP", "a", 0], c2);
    props(h);
    h.run("RPUSH", "a", "x");
    assert.deepEqual(taken(c1), WRONGTYPE);
    assert.deepEqual(taken(c2), ["a", "x"]);
    assert.deepEqual(props(h), [["RPUSH", "a", "x"], ["LPOP", "a"]]);
    assert.equal(h.server.blocking.count, 0);
  }));

Deno.test("a blocked BLMOVE onto its own key rotates it", () =>
  withHarness((h) => {
    const c = h.newClient();
    h.raw(["BLMOVE", "r", "r", "LEFT", "RIGHT", 0], c);
    h.run("RPUSH", "r", "x", "y");
    assert.equal(taken(c), "x");
    assert.deepEqual(h.run("LRANGE", "r", 0, -1), ["y", "x"]);
  }));

Deno.test("BLMOVE chains: the element it pushes serves a client blocked on the destination", () =>
  withHarness((h) => {
    const a = h.newClient();
    const b = h.newClient();
    h.raw(["BLMOVE", "l1", "l2", "LEFT", "LEFT", 0], a);
    h.raw(["BLPOP", "l2", 0], b);
    h.run("RPUSH", "l1", "x");
    assert.equal(taken(a), "x");
    assert.deepEqual(taken(b), ["l2", "x"]);
    assert.deepEqual(props(h), [
      ["RPUSH", "l1", "x"],
      ["LMOVE", "l1", "l2", "left", "left"],
      ["LPOP", "l2"],
    ]);
    assert.equal(h.run("EXISTS", "l1", "l2"), 0);
  }));

Deno.test("a waiter in another database is served there", () =>
  withHarness((h) => {
    const c = h.newClient();
    h.runAs(c, "SELECT", 3);
    h.raw(["BLPOP", "k", 0], c);
    h.run("RPUSH", "k", "db0");
    assert.equal(taken(c), undefined);
    h.run("SELECT", 3);
    h.propagated();
    h.run("RPUSH", "k", "db3");
    assert.deepEqual(taken(c), ["k", "db3"]);
  }));

Deno.test("CLIENT UNBLOCK ends a block as a timeout or with the UNBLOCKED error", () =>
  withHarness(async (h) => {
    const c1 = h.newClient();
    const c2 = h.newClient();
    const c3 = h.newClient();
    h.raw(["BLPOP", "k", 0], c1);
    h.raw(["BLMOVE", "k", "d", "LEFT", "LEFT", 0], c2);
    h.raw(["BLMPOP", 0, 1, "k", "LEFT"], c3);
    assert.equal(h.run("CLIENT", "UNBLOCK", c1.id), 1);
    assert.equal(h.run("CLIENT", "UNBLOCK", c2.id, "TIMEOUT"), 1);
    assert.equal(h.run("CLIENT", "UNBLOCK", c3.id, "ERROR"), 1);
    assert.equal(h.run("CLIENT", "UNBLOCK", c3.id), 0);
    await microtask();
    assert.equal(takenRaw(c1), "*-1\r\n");
    assert.equal(takenRaw(c2), "*-1\r\n");
    assert.equal(takenRaw(c3), "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n");
    assert.equal(h.server.blocking.count, 0);
    h.run("RPUSH", "k", "x");
    assert.equal(h.run("LLEN", "k"), 1);
  }));

Deno.test("a tiny negative timeout rounds to 0 and blocks without a deadline", () =>
  withHarness((h) => {
    const c = h.newClient();
    assert.equal(h.raw(["BLPOP", "k", "-0.0001"], c), "");
    assert.equal(h.server.blocking.count, 1);
    const info = h.run("INFO", "clients") as string;
    assert.match(info, /clients_in_timeout_table:0\r\n/);
    assert.equal(h.run("CLIENT", "UNBLOCK", c.id), 1);
    assert.equal(h.server.blocking.count, 0);
  }));

// --- values

Deno.test("OBJECT ENCODING is quicklist whatever the size (Redis 7.0)", () =>
  withHarness((h) => {
    h.run("RPUSH", "small", "a");
    h.run("RPUSH", "big", ...Array.from({ length: 300 }, (_, i) => "x".repeat(50) + i));
    assert.equal(h.run("OBJECT", "ENCODING", "small"), "quicklist");
    assert.equal(h.run("OBJECT", "ENCODING", "big"), "quicklist");
    h.run("LTRIM", "big", 0, 0);
    assert.equal(h.run("OBJECT", "ENCODING", "big"), "quicklist");
  }));

Deno.test("COPY duplicates a list that then changes independently", () =>
  withHarness((h) => {
    h.run("RPUSH", "l", "a", "b");
    assert.equal(h.run("COPY", "l", "c"), 1);
    h.run("RPUSH", "l", "z");
    h.run("LPOP", "c");
    assert.deepEqual(h.run("LRANGE", "l", 0, -1), ["a", "b", "z"]);
    assert.deepEqual(h.run("LRANGE", "c", 0, -1), ["b"]);
  }));

Deno.test("MEMORY USAGE matches Redis 7.0 for small lists", () =>
  withHarness((h) => {
    h.run("RPUSH", "m", "a", "b", "c");
    assert.equal(h.run("MEMORY", "USAGE", "m"), 144);
    h.run("RPUSH", "n", "hello", "123456", "-5", "99999999999");
    assert.equal(h.run("MEMORY", "USAGE", "n"), 160);
  }));

Deno.test("a list keeps the list-max-listpack-size it was created with", () =>
  withHarness((h) => {
    h.run("CONFIG", "SET", "list-max-listpack-size", 5);
    h.run("RPUSH", "f5", ...Array.from({ length: 23 }, (_, i) => "e" + i));
    h.run("CONFIG", "SET", "list-max-listpack-size", -2);
    assert.equal(h.run("MEMORY", "USAGE", "f5", "SAMPLES", 0), 448);
  }));
