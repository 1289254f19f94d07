// The sorted set family through the dispatcher: every command and option, the error texts, the
// forms writes propagate in (ZMPOP and blocking pops as ZPOPMIN/ZPOPMAX with the count popped),
// keyspace events, the dirty counter, listpack → skiplist transitions, blocking pops served and
// timed out, and RESP3 shapes. Expected values were taken from a real redis-server 7.0.15 (the
// differential corpus tests/differential/zsets.redis compares the bytes of many more).

import assert from "node:assert/strict";
import type { Client } from "../../src/client.ts";
import { bytesToStr } from "../../src/util/bytes.ts";
import { Harness, withHarness } from "../helpers/harness.ts";
import { parseReply, RespClient, type Value } from "../helpers/resp_client.ts";
import { startServer, waitFor } from "../helpers/server.ts";

const WRONGTYPE = { error: "WRONGTYPE Operation against a key holding the wrong kind of value" };
const SYNTAX = { error: "ERR syntax error" };
const NOT_INT = { error: "ERR value is not an integer or out of range" };
const NOT_FLOAT = { error: "ERR value is not a valid float" };
const RANGE_FLOAT = { error: "ERR min or max is not a float" };
const RANGE_LEX = { error: "ERR min or max not valid string range item" };

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

// The reply a (fake) blocked client got since the last call, parsed; undefined when none.
function taken(c: Client): Value | undefined {
  const raw = bytesToStr(c.out.bytes());
  c.out.reset();
  if (raw === "") return undefined;
  return parseReply(raw, 0)!.value;
}

// --- ZADD / ZINCRBY

Deno.test("ZADD adds and updates, CH counts changes, propagates only real changes", () =>
  withHarness((h) => {
    assert.equal(h.run("ZADD", "z", 1, "a", 2, "b"), 2);
    assert.equal(h.run("ZADD", "z", 1, "a"), 0);
    assert.equal(h.run("ZADD", "z", "CH", 5, "a", 2, "b", 3, "c"), 2);
    assert.deepEqual(h.run("ZRANGE", "z", 0, -1, "WITHSCORES"), ["b", "2", "c", "3", "a", "5"]);
    assert.deepEqual(props(h), [
      ["ZADD", "z", "1", "a", "2", "b"],
      ["ZADD", "z", "CH", "5", "a", "2", "b", "3", "c"],
    ]);
    assert.equal(dirtyDelta(h, () => h.run("ZADD", "z", 6, "a", 7, "b", 1, "n")), 3);
    assert.equal(dirtyDelta(h, () => h.run("ZADD", "new", 1, "a", 2, "b")), 2);
  }));

Deno.test("ZADD NX, XX, GT and LT decide per member", () =>
  withHarness((h) => {
    h.run("ZADD", "z", 10, "a");
    assert.equal(h.run("ZADD", "z", "NX", 20, "a", 1, "b"), 1);
    assert.equal(h.run("ZSCORE", "z", "a"), "10");
    assert.equal(h.run("ZADD", "z", "XX", "CH", 20, "a", 1, "c"), 1);
    assert.equal(h.run("ZSCORE", "z", "c"), null);
    assert.equal(h.run("ZADD", "z", "GT", "CH", 15, "a", 30, "b"), 1);
    assert.equal(h.run("ZSCORE", "z", "a"), "20");
    assert.equal(h.run("ZADD", "z", "LT", "CH", 25, "a", 5, "a"), 1);
    assert.equal(h.run("ZSCORE", "z", "a"), "5");
    // GT/LT still add new members.
    assert.equal(h.run("ZADD", "z", "GT", 1, "new"), 1);
    h.propagated();
    assert.equal(h.run("ZADD", "nokey", "XX", 1, "a"), 0);
    assert.equal(h.run("EXISTS", "nokey"), 0);
    assert.deepEqual(props(h), []);
  }));

Deno.test("ZADD option and score errors use Redis's texts", () =>
  withHarness((h) => {
    assert.deepEqual(h.run("ZADD", "z", "NX", "XX", 1, "a"), {
      error: "ERR XX and NX options at the same time are not compatible",
    });
    const gtlt = { error: "ERR GT, LT, and/or NX options at the same time are not compatible" };
    assert.deepEqual(h.run("ZADD", "z", "GT", "LT", 1, "a"), gtlt);
    assert.deepEqual(h.run("ZADD", "z", "NX", "GT", 1, "a"), gtlt);
    assert.deepEqual(h.run("ZADD", "z", "INCR", 1, "a", 2, "b"), {
      error: "ERR INCR option supports a single increment-element pair",
    });
    assert.deepEqual(h.run("ZADD", "z", "CH", 1), SYNTAX);
    assert.deepEqual(h.run("ZADD", "z", 1, "a", 2), SYNTAX);
    assert.deepEqual(h.run("ZADD", "z", "nan", "a"), NOT_FLOAT);
    assert.deepEqual(h.run("ZADD", "z", 1, "a", "x", "b"), NOT_FLOAT);
    assert.equal(h.run("EXISTS", "z"), 0);
    h.run("ZADD", "z", "inf", "a");
    assert.deepEqual(h.run("ZADD", "z", "INCR", "-inf", "a"), {
      error: "ERR resulting score is not a number (NaN)",
    });
    assert.deepEqual(h.run("ZINCRBY", "z", "-inf", "a"), {
      error: "ERR resulting score is not a number (NaN)",
    });
    h.run("SET", "s", "v");
    assert.deepEqual(h.run("ZADD", "s", 1, "a"), WRONGTYPE);
  }));

Deno.test("ZADD INCR and ZINCRBY reply the new score (nil when skipped)", () =>
  withHarness((h) => {
    assert.equal(h.run("ZINCRBY", "z", 2.5, "a"), "2.5");
    assert.equal(h.run("ZADD", "z", "INCR", 0.1, "a"), "2.6000000000000001");
    assert.equal(h.run("ZADD", "z", "INCR", "NX", 1, "a"), null);
    assert.equal(h.run("ZADD", "z", "INCR", "XX", 1, "nosuch"), null);
    assert.equal(h.run("ZADD", "z", "INCR", "GT", -1, "a"), null);
    assert.deepEqual(h.run("ZINCRBY", "z", "abc", "a"), NOT_FLOAT);
    assert.deepEqual(props(h), [
      ["ZINCRBY", "z", "2.5", "a"],
      ["ZADD", "z", "INCR", "0.1", "a"],
    ]);
  }));

Deno.test("ZADD fires zadd, ZINCRBY zincr, and a new key wakes nobody else", () =>
  withHarness((h) => {
    const events = recordEvents(h);
    h.run("ZADD", "z", 1, "a");
    h.run("ZADD", "z", 1, "a");
    h.run("ZINCRBY", "z", 1, "a");
    h.run("ZADD", "z", "INCR", 1, "a");
    assert.deepEqual(events, ["z zadd z", "z zincr z", "z zincr z"]);
  }));

// --- encodings

Deno.test("listpack converts to skiplist by entries or member size, never back", () =>
  withHarness((h) => {
    h.run("CONFIG", "SET", "zset-max-listpack-entries", 3);
    h.run("CONFIG", "SET", "zset-max-listpack-value", 5);
    h.run("ZADD", "z", 1, "a", 2, "b", 3, "c");
    assert.equal(h.run("OBJECT", "ENCODING", "z"), "listpack");
    h.run("ZADD", "z", 4, "d");
    assert.equal(h.run("OBJECT", "ENCODING", "z"), "skiplist");
    h.run("ZREM", "z", "a", "b", "c");
    assert.equal(h.run("OBJECT", "ENCODING", "z"), "skiplist");
    h.run("ZADD", "long", 1, "abcdef");
    assert.equal(h.run("OBJECT", "ENCODING", "long"), "skiplist");
    h.run("ZADD", "y", 1, "ab");
    h.run("ZADD", "y", 1, "abcdefg");
    assert.equal(h.run("OBJECT", "ENCODING", "y"), "skiplist");
    h.run("CONFIG", "SET", "zset-max-listpack-entries", 0);
    h.run("ZADD", "zero", 1, "a");
    assert.equal(h.run("OBJECT", "ENCODING", "zero"), "skiplist");
  }));

Deno.test("-0 reads back as 0 from a listpack and as -0 from a skiplist", () =>
  withHarness((h) => {
    h.run("ZADD", "lp", "-0", "m");
    assert.equal(h.run("ZSCORE", "lp", "m"), "0");
    h.run("CONFIG", "SET", "zset-max-listpack-entries", 0);
    h.run("ZADD", "sl", "-0", "m");
    assert.equal(h.run("ZSCORE", "sl", "m"), "-0");
    h.run("CONFIG", "SET", "zset-max-listpack-entries", 128);
    h.run("ZUNIONSTORE", "dst", 1, "sl");
    assert.equal(h.run("ZSCORE", "dst", "m"), "0");
  }));

// --- reads

Deno.test("ZCARD ZSCORE ZMSCORE ZRANK ZREVRANK on present, missing and wrong-typed keys", () =>
  withHarness((h) => {
    h.run("ZADD", "z", 1, "a", 2, "b", 3, "c");
    assert.equal(h.run("ZCARD", "z"), 3);
    assert.equal(h.run("ZCARD", "nokey"), 0);
    assert.equal(h.run("ZSCORE", "z", "b"), "2");
    assert.equal(h.run("ZSCORE", "z", "x"), null);
    assert.deepEqual(h.run("ZMSCORE", "z", "a", "x", "c"), ["1", null, "3"]);
    assert.deepEqual(h.run("ZMSCORE", "nokey", "a"), [null]);
    assert.equal(h.run("ZRANK", "z", "c"), 2);
    assert.equal(h.run("ZREVRANK", "z", "c"), 0);
    assert.equal(h.run("ZRANK", "z", "x"), null);
    assert.equal(h.run("ZRANK", "nokey", "x"), null);
    h.run("SET", "s", "v");
    for (const cmd of [["ZCARD", "s"], ["ZSCORE", "s", "a"], ["ZMSCORE", "s", "a"]]) {
      assert.deepEqual(h.run(...cmd), WRONGTYPE, cmd.join(" "));
    }
    assert.deepEqual(h.run("ZRANK", "s", "a"), WRONGTYPE);
    assert.deepEqual(h.run("ZRANGE", "s", 0, -1), WRONGTYPE);
  }));

Deno.test("ZCOUNT and ZLEXCOUNT: inclusive and exclusive bounds, parse errors first", () =>
  withHarness((h) => {
    h.run("ZADD", "z", 1, "a", 2, "b", 3, "c", 4, "d");
    assert.equal(h.run("ZCOUNT", "z", "-inf", "+inf"), 4);
    assert.equal(h.run("ZCOUNT", "z", "(1", "3"), 2);
    assert.equal(h.run("ZCOUNT", "z", "(1", "(3"), 1);
    assert.equal(h.run("ZCOUNT", "z", " 2", "3"), 2);
    // strtod reads "" as 0 without complaint, as Redis's zslParseRange lets it.
    assert.equal(h.run("ZCOUNT", "z", "", "1"), 1);
    assert.deepEqual(h.run("ZCOUNT", "z", "2 ", "3"), RANGE_FLOAT);
    assert.deepEqual(h.run("ZCOUNT", "z", "nan", "3"), RANGE_FLOAT);
    h.run("SET", "s", "v");
    assert.deepEqual(h.run("ZCOUNT", "s", "x", "1"), RANGE_FLOAT);
    h.run("ZADD", "l", 0, "a", 0, "b", 0, "c");
    assert.equal(h.run("ZLEXCOUNT", "l", "-", "+"), 3);
    assert.equal(h.run("ZLEXCOUNT", "l", "(a", "[c"), 2);
    assert.equal(h.run("ZLEXCOUNT", "l", "+", "-"), 0);
    assert.deepEqual(h.run("ZLEXCOUNT", "l", "a", "+"), RANGE_LEX);
    assert.deepEqual(h.run("ZLEXCOUNT", "l", "-x", "+"), RANGE_LEX);
  }));

// --- ZRANGE family

Deno.test("ZRANGE by rank, score and lex, with REV, LIMIT and WITHSCORES", () =>
  withHarness((h) => {
    h.run("ZADD", "z", 1, "a", 2, "b", 3, "c", 4, "d", 5, "e");
    assert.deepEqual(h.run("ZRANGE", "z", -2, -1), ["d", "e"]);
    assert.deepEqual(h.run("ZRANGE", "z", 0, 1, "REV", "WITHSCORES"), ["e", "5", "d", "4"]);
    assert.deepEqual(h.run("ZRANGE", "z", "(1", 3, "BYSCORE"), ["b", "c"]);
    assert.deepEqual(h.run("ZRANGE", "z", "+inf", "-inf", "BYSCORE", "REV", "LIMIT", 1, 2), [
      "d",
      "c",
    ]);
    assert.deepEqual(h.run("ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", -1, 2), []);
    assert.deepEqual(h.run("ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", 3, -1), ["d", "e"]);
    assert.deepEqual(h.run("ZRANGEBYSCORE", "z", 2, 4, "WITHSCORES", "LIMIT", 0, 1), ["b", "2"]);
    assert.deepEqual(h.run("ZREVRANGEBYSCORE", "z", 4, "(2"), ["d", "c"]);
    assert.deepEqual(h.run("ZREVRANGE", "z", 0, 0), ["e"]);
    h.run("ZADD", "l", 0, "a", 0, "b", 0, "c", 0, "d");
    assert.deepEqual(h.run("ZRANGE", "l", "[b", "+", "BYLEX"), ["b", "c", "d"]);
    assert.deepEqual(h.run("ZRANGEBYLEX", "l", "-", "(c"), ["a", "b"]);
    assert.deepEqual(h.run("ZREVRANGEBYLEX", "l", "+", "-", "LIMIT", 1, 2), ["c", "b"]);
    assert.deepEqual(h.run("ZRANGE", "nokey", 0, -1), []);
  }));

Deno.test("ZRANGE option errors come in Redis's order", () =>
  withHarness((h) => {
    h.run("ZADD", "z", 1, "a");
    assert.deepEqual(h.run("ZRANGE", "z", 0, 1, "LIMIT", 0, 1), {
      error:
        "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX",
    });
    assert.deepEqual(h.run("ZRANGE", "z", "-", "+", "BYLEX", "WITHSCORES"), {
      error: "ERR syntax error, WITHSCORES not supported in combination with BYLEX",
    });
    assert.deepEqual(h.run("ZRANGE", "z", 0, 1, "REV", "REV"), SYNTAX);
    assert.deepEqual(h.run("ZRANGE", "z", 0, 1, "BYSCORE", "BYLEX"), SYNTAX);
    assert.deepEqual(h.run("ZRANGE", "z", 0, 1, "LIMIT", 0), SYNTAX);
    assert.deepEqual(h.run("ZRANGE", "z", 0, 1, "BYSCORE", "LIMIT", "x", 1), NOT_INT);
    assert.deepEqual(h.run("ZRANGE", "z", "x", 1), NOT_INT);
    assert.deepEqual(h.run("ZRANGE", "z", "x", 1, "BYSCORE"), RANGE_FLOAT);
    assert.deepEqual(h.run("ZRANGE", "z", "x", 1, "BYLEX"), RANGE_LEX);
    assert.deepEqual(h.run("ZREVRANGE", "z", 0, 1, "REV"), SYNTAX);
    assert.deepEqual(h.run("ZRANGEBYSCORE", "z", 0, 1, "BYLEX"), SYNTAX);
    assert.deepEqual(h.run("ZRANGESTORE", "d", "z", 0, 1, "WITHSCORES"), SYNTAX);
  }));

Deno.test("ZRANGESTORE stores the range, deletes the destination for an empty one", () =>
  withHarness((h) => {
    const events = recordEvents(h);
    h.run("ZADD", "z", 1, "a", 2, "b", 3, "c");
    assert.equal(h.run("ZRANGESTORE", "dst", "z", 1, -1), 2);
    assert.deepEqual(h.run("ZRANGE", "dst", 0, -1, "WITHSCORES"), ["b", "2", "c", "3"]);
    h.run("EXPIRE", "dst", 100);
    assert.equal(h.run("ZRANGESTORE", "dst", "z", "(1", "+inf", "BYSCORE", "LIMIT", 0, 1), 1);
    assert.equal(h.run("TTL", "dst"), -1);
    h.propagated();
    assert.equal(h.run("ZRANGESTORE", "dst", "z", 5, 10), 0);
    assert.equal(h.run("EXISTS", "dst"), 0);
    assert.equal(h.run("ZRANGESTORE", "dst", "nokey", 0, -1), 0);
    assert.deepEqual(props(h), [["ZRANGESTORE", "dst", "z", "5", "10"]]);
    assert.deepEqual(events.filter((e) => e.endsWith(" dst")), [
      "z zrangestore dst",
      "g expire dst",
      "z zrangestore dst",
      "g del dst",
    ]);
  }));

// --- removals

Deno.test("ZREM and ZREMRANGEBY* remove, delete empty keys and fire their events", () =>
  withHarness((h) => {
    const events = recordEvents(h);
    h.run("ZADD", "z", 1, "a", 2, "b", 3, "c", 4, "d", 5, "e", 6, "f");
    assert.equal(h.run("ZREM", "z", "a", "x"), 1);
    assert.equal(h.run("ZREMRANGEBYRANK", "z", 0, 0), 1);
    assert.equal(h.run("ZREMRANGEBYRANK", "z", 10, 20), 0);
    assert.equal(h.run("ZREMRANGEBYSCORE", "z", "(3", 4), 1);
    h.run("ZADD", "l", 0, "a", 0, "b", 0, "c");
    assert.equal(h.run("ZREMRANGEBYLEX", "l", "[a", "(c"), 2);
    assert.equal(dirtyDelta(h, () => h.run("ZREM", "z", "c", "e", "f")), 3);
    assert.equal(h.run("EXISTS", "z"), 0);
    assert.deepEqual(events.slice(1), [
      "z zrem z",
      "z zremrangebyrank z",
      "z zremrangebyscore z",
      "z zadd l",
      "z zremrangebylex l",
      "z zrem z",
      "g del z",
    ]);
    assert.equal(h.run("ZREM", "nokey", "a"), 0);
    assert.deepEqual(h.run("ZREMRANGEBYSCORE", "l", "x", 1), RANGE_FLOAT);
    assert.deepEqual(h.run("ZREMRANGEBYLEX", "l", "x", "+"), RANGE_LEX);
    assert.deepEqual(h.run("ZREMRANGEBYRANK", "l", "x", 1), NOT_INT);
  }));

// --- pops

Deno.test("ZPOPMIN/ZPOPMAX pop in order, propagate verbatim, validate the count", () =>
  withHarness((h) => {
    const events = recordEvents(h);
    h.run("ZADD", "z", 1, "a", 2, "b", 3, "c");
    h.propagated();
    assert.deepEqual(h.run("ZPOPMIN", "z"), ["a", "1"]);
    assert.deepEqual(h.run("ZPOPMAX", "z", 5), ["c", "3", "b", "2"]);
    assert.equal(h.run("EXISTS", "z"), 0);
    assert.deepEqual(h.run("ZPOPMIN", "z"), []);
    assert.deepEqual(props(h), [["ZPOPMIN", "z"], ["ZPOPMAX", "z", "5"]]);
    assert.deepEqual(events.slice(1), ["z zpopmin z", "z zpopmax z", "g del z"]);
    const positive = { error: "ERR value is out of range, must be positive" };
    assert.deepEqual(h.run("ZPOPMIN", "z", -1), positive);
    assert.deepEqual(h.run("ZPOPMIN", "z", "x"), positive);
    assert.deepEqual(h.run("ZPOPMIN", "z", 1, 2), SYNTAX);
    h.run("ZADD", "z", 1, "a");
    assert.deepEqual(h.run("ZPOPMIN", "z", 0), []);
  }));

Deno.test("ZMPOP pops from the first non-empty key and propagates ZPOPMIN/ZPOPMAX key n", () =>
  withHarness((h) => {
    h.run("ZADD", "z", 1, "a", 2, "b", 3, "c");
    h.propagated();
    assert.deepEqual(h.run("ZMPOP", 2, "nokey", "z", "MAX", "COUNT", 10), [
      "z",
      [["c", "3"], ["b", "2"], ["a", "1"]],
    ]);
    assert.equal(h.run("ZMPOP", 1, "z", "MIN"), null);
    assert.deepEqual(props(h), [["ZPOPMAX", "z", "3"]]);
    assert.deepEqual(h.run("ZMPOP", 0, "z", "MIN"), {
      error: "ERR numkeys should be greater than 0",
    });
    assert.deepEqual(h.run("ZMPOP", "x", "z", "MIN"), {
      error: "ERR numkeys should be greater than 0",
    });
    assert.deepEqual(h.run("ZMPOP", 1, "z", "MIN", "COUNT", 0), {
      error: "ERR count should be greater than 0",
    });
    assert.deepEqual(h.run("ZMPOP", 2, "z", "MIN"), SYNTAX);
    assert.deepEqual(h.run("ZMPOP", 1, "z", "UP"), SYNTAX);
    assert.deepEqual(h.run("ZMPOP", 1, "z", "MIN", "COUNT", 1, "COUNT", 1), SYNTAX);
  }));

Deno.test("BZPOPMIN/BZMPOP on a non-empty key reply at once and propagate the pop", () =>
  withHarness((h) => {
    h.run("ZADD", "z", 1, "a", 2, "b", 3, "c");
    h.propagated();
    assert.deepEqual(h.run("BZPOPMIN", "nokey", "z", 0), ["z", "a", "1"]);
    assert.deepEqual(h.run("BZMPOP", 0, 1, "z", "MAX", "COUNT", 5), [
      "z",
      [["c", "3"], ["b", "2"]],
    ]);
    assert.deepEqual(props(h), [["ZPOPMIN", "z"], ["ZPOPMAX", "z", "2"]]);
    assert.deepEqual(h.run("BZPOPMIN", "z", "x"), {
      error: "ERR timeout is not a float or out of range",
    });
    assert.deepEqual(h.run("BZPOPMIN", "z", -1), { error: "ERR timeout is negative" });
    h.run("SET", "s", "v");
    assert.deepEqual(h.run("BZPOPMAX", "nokey", "s", 0), WRONGTYPE);
  }));

Deno.test("a blocked BZPOPMIN is served by ZADD and propagates as ZPOPMIN", () =>
  withHarness((h) => {
    const c2 = h.newClient();
    assert.equal(h.raw(["BZPOPMIN", "k1", "k2", 0], c2), "");
    assert.equal(h.server.blocking.count, 1);
    h.run("ZADD", "k2", 2, "b", 1, "a");
    assert.deepEqual(taken(c2), ["k2", "a", "1"]);
    assert.equal(h.server.blocking.count, 0);
    assert.deepEqual(props(h), [["ZADD", "k2", "2", "b", "1", "a"], ["ZPOPMIN", "k2"]]);
    assert.deepEqual(h.run("ZRANGE", "k2", 0, -1), ["b"]);
  }));

Deno.test("a blocked BZMPOP pops up to COUNT and propagates the count popped", () =>
  withHarness((h) => {
    const c2 = h.newClient();
    h.raw(["BZMPOP", 0, 1, "k", "MAX", "COUNT", 10], c2);
    h.run("ZADD", "k", 1, "a", 2, "b");
    assert.deepEqual(taken(c2), ["k", [["b", "2"], ["a", "1"]]]);
    assert.deepEqual(props(h), [["ZADD", "k", "1", "a", "2", "b"], ["ZPOPMAX", "k", "2"]]);
    assert.equal(h.run("EXISTS", "k"), 0);
  }));

Deno.test("blocked pops are served first come, first served; other types do not serve", () =>
  withHarness((h) => {
    const c2 = h.newClient();
    const c3 = h.newClient();
    h.raw(["BZPOPMAX", "k", 0], c2);
    h.raw(["BZPOPMAX", "k", 0], c3);
    const c4 = h.newClient();
    h.raw(["BZPOPMIN", "other", 0], c4);
    h.run("SET", "other", "v");
    assert.equal(taken(c4), undefined);
    h.run("ZADD", "k", 1, "a");
    assert.deepEqual(taken(c2), ["k", "a", "1"]);
    assert.equal(taken(c3), undefined);
    h.run("ZADD", "k", 2, "b", 3, "c");
    assert.deepEqual(taken(c3), ["k", "c", "3"]);
    assert.equal(h.server.blocking.count, 1);
  }));

Deno.test("inside MULTI blocking pops reply the null array at once", () =>
  withHarness((h) => {
    h.run("MULTI");
    h.run("BZPOPMIN", "nokey", 0);
    h.run("BZMPOP", 0, 1, "nokey", "MIN");
    assert.equal(h.raw(["EXEC"]), "*2\r\n*-1\r\n*-1\r\n");
  }));

Deno.test("a blocking pop times out with the null array", async () => {
  const ts = await startServer();
  const c = await RespClient.connect(ts.port);
  try {
    const r = await c.callRaw("BZPOPMIN", "nokey", "0.05");
    assert.equal(r.raw, "*-1\r\n");
    const r2 = await c.callRaw("BZMPOP", "0.05", 1, "nokey", "MIN");
    assert.equal(r2.raw, "*-1\r\n");
  } finally {
    c.close();
    await ts.close();
  }
});

Deno.test("over TCP a client blocked in BZPOPMAX gets the member another client adds", async () => {
  const ts = await startServer();
  const a = await RespClient.connect(ts.port);
  const b = await RespClient.connect(ts.port);
  try {
    await a.writeRaw("*3\r\n$8\r\nBZPOPMAX\r\n$2\r\nbz\r\n$1\r\n0\r\n");
    await waitFor(() => ts.server.blocking.count === 1, 5000, "a blocked client");
    assert.equal(await b.call("ZADD", "bz", 1, "x", 2, "y"), 2);
    const r = await a.read();
    assert.equal(r.raw, "*3\r\n$2\r\nbz\r\n$1\r\ny\r\n$1\r\n2\r\n");
    assert.deepEqual(await b.call("ZRANGE", "bz", 0, -1), ["x"]);
  } finally {
    a.close();
    b.close();
    await ts.close();
  }
});

// --- set algebra

Deno.test("ZUNION/ZINTER/ZDIFF with weights, aggregates and plain sets", () =>
  withHarness((h) => {
    h.run("ZADD", "z1", 1, "a", 2, "b", 3, "c");
    h.run("ZADD", "z2", 10, "b", 20, "c", 30, "d");
    h.run("SADD", "s", "a", "d");
    assert.deepEqual(h.run("ZUNION", 2, "z1", "z2", "WITHSCORES"), [
      "a",
      "1",
      "b",
      "12",
      "c",
      "23",
      "d",
      "30",
    ]);
    assert.deepEqual(
      h.run("ZINTER", 2, "z1", "z2", "WEIGHTS", 2, 1, "AGGREGATE", "MIN", "WITHSCORES"),
      ["b", "4", "c", "6"],
    );
    assert.deepEqual(h.run("ZINTER", 2, "z1", "s", "WITHSCORES"), ["a", "2"]);
    assert.deepEqual(h.run("ZDIFF", 2, "z2", "s", "WITHSCORES"), ["b", "10", "c", "20"]);
    assert.deepEqual(h.run("ZDIFF", 2, "z1", "z1"), []);
    assert.equal(h.run("ZINTERCARD", 2, "z1", "z2"), 2);
    assert.equal(h.run("ZINTERCARD", 2, "z1", "z2", "LIMIT", 1), 1);
    // inf + -inf sums to 0 rather than NaN.
    h.run("ZADD", "p", "inf", "x");
    h.run("ZADD", "n", "-inf", "x");
    assert.deepEqual(h.run("ZUNION", 2, "p", "n", "WITHSCORES"), ["x", "0"]);
  }));

Deno.test("set algebra errors", () =>
  withHarness((h) => {
    h.run("ZADD", "z", 1, "a");
    assert.deepEqual(h.run("ZUNIONSTORE", "d", 0, "z"), {
      error: "ERR at least 1 input key is needed for 'zunionstore' command",
    });
    assert.deepEqual(h.run("ZINTER", 0, "z"), {
      error: "ERR at least 1 input key is needed for 'zinter' command",
    });
    assert.deepEqual(h.run("ZUNION", 3, "z"), SYNTAX);
    assert.deepEqual(h.run("ZUNION", "x", "z"), NOT_INT);
    assert.deepEqual(h.run("ZUNION", 1, "z", "WEIGHTS", "x"), {
      error: "ERR weight value is not a float",
    });
    assert.deepEqual(h.run("ZUNION", 1, "z", "AGGREGATE", "AVG"), SYNTAX);
    assert.deepEqual(h.run("ZDIFF", 1, "z", "WEIGHTS", 1), SYNTAX);
    assert.deepEqual(h.run("ZUNIONSTORE", "d", 1, "z", "WITHSCORES"), SYNTAX);
    assert.deepEqual(h.run("ZINTERCARD", 1, "z", "LIMIT", -1), {
      error: "ERR LIMIT can't be negative",
    });
    h.run("SET", "str", "v");
    assert.deepEqual(h.run("ZUNION", 2, "z", "str"), WRONGTYPE);
  }));

Deno.test("the STORE forms store, overwrite any type, and delete on an empty result", () =>
  withHarness((h) => {
    const events = recordEvents(h);
    h.run("ZADD", "z1", 1, "a", 2, "b");
    h.run("ZADD", "z2", 5, "b");
    h.run("SET", "d", "string");
    h.propagated();
    assert.equal(h.run("ZUNIONSTORE", "d", 2, "z1", "z2"), 2);
    assert.deepEqual(h.run("TYPE", "d"), { status: "zset" });
    assert.equal(h.run("ZINTERSTORE", "d", 2, "z1", "z2", "WEIGHTS", 1, 2), 1);
    assert.deepEqual(h.run("ZRANGE", "d", 0, -1, "WITHSCORES"), ["b", "12"]);
    assert.equal(h.run("ZDIFFSTORE", "d", 2, "z1", "z1"), 0);
    assert.equal(h.run("EXISTS", "d"), 0);
    assert.equal(h.run("ZDIFFSTORE", "d", 1, "nokey"), 0);
    assert.deepEqual(props(h), [
      ["ZUNIONSTORE", "d", "2", "z1", "z2"],
      ["ZINTERSTORE", "d", "2", "z1", "z2", "WEIGHTS", "1", "2"],
      ["ZDIFFSTORE", "d", "2", "z1", "z1"],
    ]);
    assert.deepEqual(events.slice(-3), ["z zunionstore d", "z zinterstore d", "g del d"]);
  }));

// --- ZRANDMEMBER / ZSCAN

Deno.test("ZRANDMEMBER: distinct picks for a positive count, repeats for a negative one", () =>
  withHarness((h) => {
    h.run("ZADD", "z", 1, "a", 2, "b", 3, "c", 4, "d", 5, "e", 6, "f", 7, "g");
    for (const n of [1, 2, 3, 6]) {
      const got = h.run("ZRANDMEMBER", "z", n) as string[];
      assert.equal(got.length, n);
      assert.equal(new Set(got).size, n);
    }
    assert.deepEqual(h.run("ZRANDMEMBER", "z", 100), ["g", "f", "e", "d", "c", "b", "a"]);
    const rep = h.run("ZRANDMEMBER", "z", -20, "WITHSCORES") as string[];
    assert.equal(rep.length, 40);
    for (let i = 0; i < rep.length; i += 2) {
      assert.equal(rep[i + 1], String(rep[i].charCodeAt(0) - 96));
    }
    assert.ok(["a", "b", "c", "d", "e", "f", "g"].includes(h.run("ZRANDMEMBER", "z") as string));
    assert.equal(h.run("ZRANDMEMBER", "nokey"), null);
    assert.deepEqual(h.run("ZRANDMEMBER", "z", 1, "WITHSCORES", "x"), SYNTAX);
    assert.deepEqual(h.run("ZRANDMEMBER", "z", "9223372036854775807", "WITHSCORES"), {
      error: "ERR value is out of range",
    });
  }));

Deno.test("ZSCAN returns a listpack at once and walks a skiplist to completion", () =>
  withHarness((h) => {
    h.run("ZADD", "z", 1, "a", 2.5, "b");
    assert.deepEqual(h.run("ZSCAN", "z", 0), ["0", ["a", "1", "b", "2.5"]]);
    assert.deepEqual(h.run("ZSCAN", "z", 0, "MATCH", "b*"), ["0", ["b", "2.5"]]);
    assert.deepEqual(h.run("ZSCAN", "nokey", 0), ["0", []]);
    assert.deepEqual(h.run("ZSCAN", "z", "x"), { error: "ERR invalid cursor" });
    assert.deepEqual(h.run("ZSCAN", "z", 0, "COUNT", 0), SYNTAX);
    h.run("CONFIG", "SET", "zset-max-listpack-entries", 4);
    const args: (string | number)[] = [];
    for (let i = 0; i < 300; i++) args.push(i, `m${i}`);
    h.run("ZADD", "big", ...args);
    const seen = new Map<string, string>();
    let cursor = "0";
    let rounds = 0;
    do {
      const [next, items] = h.run("ZSCAN", "big", cursor, "COUNT", 7) as [string, string[]];
      for (let i = 0; i < items.length; i += 2) seen.set(items[i], items[i + 1]);
      cursor = next;
      rounds++;
    } while (cursor !== "0" && rounds < 1000);
    assert.equal(seen.size, 300);
    assert.equal(seen.get("m42"), "42");
    assert.ok(rounds > 1);
  }));

// --- generic integration

Deno.test("WATCH is invalidated by ZADD, COPY deep-copies, MEMORY USAGE is sized", () =>
  withHarness((h) => {
    h.run("ZADD", "z", 1, "a");
    h.run("WATCH", "z");
    const other = h.newClient();
    h.runAs(other, "ZADD", "z", 2, "b");
    h.run("MULTI");
    h.run("ZCARD", "z");
    assert.equal(h.run("EXEC"), null);
    assert.equal(h.run("COPY", "z", "c"), 1);
    h.run("ZADD", "c", 3, "c");
    assert.equal(h.run("ZCARD", "z"), 2);
    assert.equal(h.run("ZCARD", "c"), 3);
    const small = h.run("MEMORY", "USAGE", "z") as number;
    assert.ok(small > 16 && small < 200, `small zset ${small}`);
  }));

Deno.test("RESP3: scores are doubles, WITHSCORES pairs nest, single pops stay flat", () =>
  withHarness((h) => {
    h.run("HELLO", 3);
    h.run("ZADD", "z", 1, "a", 2.5, "b");
    assert.equal(h.raw(["ZSCORE", "z", "b"]), ",2.5\r\n");
    assert.equal(
      h.raw(["ZRANGE", "z", 0, -1, "WITHSCORES"]),
      "*2\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n,2.5\r\n",
    );
    assert.equal(h.raw(["ZPOPMIN", "z"]), "*2\r\n$1\r\na\r\n,1\r\n");
    assert.equal(h.raw(["ZPOPMAX", "z", 1]), "*1\r\n*2\r\n$1\r\nb\r\n,2.5\r\n");
    assert.equal(h.raw(["ZMPOP", 1, "z", "MIN"]), "_\r\n");
    assert.equal(h.raw(["ZSCORE", "z", "x"]), "_\r\n");
  }));
