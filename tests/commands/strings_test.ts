// The strings family through the dispatcher: every command and option, every error text, the
// deterministic forms writes propagate in, WRONGTYPE, and the exact reply bytes where the
// format matters. Expected values were taken from a real redis-server 7.0.15.

import assert from "node:assert/strict";
import type { ObjectValue } from "../../src/store/database.ts";
import {
  addLongDouble,
  formatLongDoubleHuman,
  parseLongDouble,
} from "../../src/util/long_double.ts";
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

// A non-string value (the list family may not exist yet): enough for WRONGTYPE checks.
function putList(h: Harness, key: string): void {
  const fake: ObjectValue = { type: "list", encoding: () => "listpack", isEmpty: () => false };
  h.server.keyspace.dbs[0].set(key, fake);
  h.propagated();
}

function expireOf(h: Harness, key: string): number | undefined {
  return h.server.keyspace.dbs[0].getExpire(key);
}

// Runs `fn` and checks the expiry it set on `key` is `deltaMs` after the command's clock.
function assertRelativeExpire(h: Harness, key: string, deltaMs: number, fn: () => Value): Value {
  const before = Date.now();
  const r = fn();
  const after = Date.now();
  const at = expireOf(h, key);
  assert.ok(at !== undefined, "an expiry is set");
  assert.ok(at >= before + deltaMs && at <= after + deltaMs, `expiry ${at} within the window`);
  return r;
}

// --- GET / SET

Deno.test("GET replies the value or nil, SET replies +OK", () =>
  withHarness((h) => {
    assert.equal(h.raw(["GET", "k"]), "$-1\r\n");
    assert.equal(h.raw(["SET", "k", "v"]), "+OK\r\n");
    assert.equal(h.raw(["GET", "k"]), "$1\r\nv\r\n");
    assert.equal(h.raw(["set", "k", ""]), "+OK\r\n");
    assert.equal(h.raw(["get", "k"]), "$0\r\n\r\n");
    assert.deepEqual(props(h), [["SET", "k", "v"], ["set", "k", ""]]);
  }));

Deno.test("binary keys and values with bytes 0x00 and 0x80-0xff round-trip", () =>
  withHarness((h) => {
    let all = "";
    for (let i = 0; i < 256; i++) all += String.fromCharCode(i);
    const key = "k\x80\x9f\xff\x00";
    assert.deepEqual(h.run("SET", key, all), OK);
    assert.equal(h.raw(["GET", key]), `$256\r\n${all}\r\n`);
    assert.equal(h.run("STRLEN", key), 256);
    assert.equal(h.run("GETRANGE", key, 128, 130), "\x80\x81\x82");
    assert.equal(h.run("GET", "k\x80\x9f\xfe\x00"), null);
  }));

Deno.test("SET overwrites a key of another type and drops its TTL", () =>
  withHarness((h) => {
    putList(h, "l");
    assert.deepEqual(h.run("GET", "l"), WRONGTYPE);
    assert.deepEqual(h.run("SET", "l", "s"), OK);
    assert.equal(h.run("GET", "l"), "s");
    h.run("SET", "t", "v", "EX", 100);
    assert.ok(expireOf(h, "t") !== undefined);
    h.run("SET", "t", "w");
    assert.equal(expireOf(h, "t"), undefined);
  }));

Deno.test("SET NX and XX write only when the key is absent / present", () =>
  withHarness((h) => {
    assert.equal(h.raw(["SET", "k", "1", "NX"]), "+OK\r\n");
    assert.equal(h.raw(["SET", "k", "2", "nx"]), "$-1\r\n");
    assert.equal(h.run("GET", "k"), "1");
    assert.equal(h.raw(["SET", "k", "3", "XX"]), "+OK\r\n");
    assert.equal(h.raw(["SET", "nokey", "3", "xx"]), "$-1\r\n");
    assert.equal(h.run("GET", "nokey"), null);
    // Repeating an option is fine.
    assert.equal(h.raw(["SET", "k", "4", "NX", "NX"]), "$-1\r\n");
    assert.equal(h.raw(["SET", "k", "5", "XX", "xx"]), "+OK\r\n");
    // A skipped write is not propagated.
    assert.deepEqual(props(h), [
      ["SET", "k", "1", "NX"],
      ["SET", "k", "3", "XX"],
      ["SET", "k", "5", "XX", "xx"],
    ]);
    h.run("HELLO", "3");
    assert.equal(h.raw(["SET", "k", "6", "NX"]), "_\r\n");
  }));

Deno.test("SET GET replies the old value and propagates without GET", () =>
  withHarness((h) => {
    assert.equal(h.raw(["SET", "k", "old", "GET"]), "$-1\r\n");
    assert.equal(h.raw(["SET", "k", "new", "GET"]), "$3\r\nold\r\n");
    assert.equal(h.run("GET", "k"), "new");
    assert.equal(h.run("SET", "k", "x", "GET", "get", "KEEPTTL", "gEt"), "new");
    assert.deepEqual(props(h), [
      ["SET", "k", "old"],
      ["SET", "k", "new"],
      ["SET", "k", "x", "KEEPTTL"],
    ]);
    // With NX/XX the old value is still the reply, whether or not the write happens.
    assert.equal(h.run("SET", "k", "y", "NX", "GET"), "x");
    assert.equal(h.run("GET", "k"), "x");
    assert.equal(h.run("SET", "absent", "y", "XX", "GET"), null);
    assert.equal(h.run("SET", "absent", "y", "NX", "GET"), null);
    assert.equal(h.run("GET", "absent"), "y");
    assert.deepEqual(props(h), [["SET", "absent", "y", "NX"]]);
  }));

Deno.test("SET GET against a non-string replies WRONGTYPE and writes nothing", () =>
  withHarness((h) => {
    putList(h, "l");
    assert.deepEqual(h.run("SET", "l", "v", "GET"), WRONGTYPE);
    assert.deepEqual(h.run("SET", "l", "v", "NX", "GET"), WRONGTYPE);
    assert.deepEqual(h.run("GET", "l"), WRONGTYPE);
    assert.deepEqual(props(h), []);
  }));

Deno.test("SET EX/PX/EXAT/PXAT set the expiry and propagate as SET key value PXAT ms", () =>
  withHarness((h) => {
    assertRelativeExpire(h, "a", 100_000, () => h.run("SET", "a", "1", "EX", 100));
    const atA = expireOf(h, "a")!;
    assertRelativeExpire(h, "b", 5_000, () => h.run("SET", "b", "1", "px", 5000, "NX"));
    const atB = expireOf(h, "b")!;
    assert.deepEqual(h.run("SET", "c", "1", "EXAT", 99999999999, "GET"), null);
    assert.equal(expireOf(h, "c"), 99999999999000);
    assert.deepEqual(h.run("SET", "d", "1", "pxat", 99999999999999), OK);
    assert.equal(expireOf(h, "d"), 99999999999999);
    // The last of a repeated option wins.
    assertRelativeExpire(h, "e", 20_000, () => h.run("SET", "e", "1", "EX", 10, "ex", 20));
    const atE = expireOf(h, "e")!;
    // NX, XX and GET do not survive the rewrite: only the outcome is propagated.
    assert.deepEqual(props(h), [
      ["SET", "a", "1", "PXAT", String(atA)],
      ["SET", "b", "1", "PXAT", String(atB)],
      ["SET", "c", "1", "PXAT", "99999999999000"],
      ["SET", "d", "1", "PXAT", "99999999999999"],
      ["SET", "e", "1", "PXAT", String(atE)],
    ]);
  }));

Deno.test("SET with the largest PXAT and EXAT propagates the exact 64-bit time", () =>
  withHarness((h) => {
    assert.deepEqual(h.run("SET", "k", "v", "PXAT", "9223372036854775807"), OK);
    assert.deepEqual(h.run("SET", "j", "v", "EXAT", "9223372036854775"), OK);
    assert.deepEqual(props(h), [
      ["SET", "k", "v", "PXAT", "9223372036854775807"],
      ["SET", "j", "v", "PXAT", "9223372036854775000"],
    ]);
    assert.equal(h.run("GET", "k"), "v");
  }));

Deno.test("SET KEEPTTL keeps the expiry, plain SET removes it", () =>
  withHarness((h) => {
    h.run("SET", "k", "v", "PXAT", 99999999999999);
    assert.deepEqual(h.run("SET", "k", "w", "KEEPTTL"), OK);
    assert.equal(expireOf(h, "k"), 99999999999999);
    assert.deepEqual(h.run("SET", "k", "x", "keepttl", "KEEPTTL"), OK);
    assert.equal(expireOf(h, "k"), 99999999999999);
    h.run("SET", "k", "y");
    assert.equal(expireOf(h, "k"), undefined);
    assert.equal(h.run("GET", "k"), "y");
  }));

Deno.test("SET option conflicts and unknown options reply ERR syntax error", () =>
  withHarness((h) => {
    const bad = [
      ["EX", "10", "PX", "100"],
      ["PX", "10", "EX", "100"],
      ["EXAT", "10", "PXAT", "100"],
      ["EX", "10", "EXAT", "100"],
      ["NX", "XX"],
      ["XX", "NX"],
      ["KEEPTTL", "EX", "1"],
      ["EX", "1", "KEEPTTL"],
      ["PXAT", "1", "KEEPTTL"],
      ["EX"],
      ["NX", "PX"],
      ["PERSIST"],
      ["foo"],
      ["EXAT", "abc", "foo"],
      ["NXX"],
      ["E"],
    ];
    for (const opts of bad) {
      assert.deepEqual(h.run("SET", "k", "v", ...opts), SYNTAX, opts.join(" "));
    }
    assert.equal(h.run("GET", "k"), null);
    assert.deepEqual(props(h), []);
  }));

Deno.test("SET rejects non-integer and out-of-range expire times with Redis's errors", () =>
  withHarness((h) => {
    const invalid = { error: "ERR invalid expire time in 'set' command" };
    for (const v of ["abc", "1.5", "+1", " 1", "01", "", "9223372036854775808"]) {
      assert.deepEqual(h.run("SET", "k", "v", "EX", v), NOT_INT, v);
    }
    assert.deepEqual(h.run("SET", "k", "v", "EX", 0), invalid);
    assert.deepEqual(h.run("SET", "k", "v", "PX", -1), invalid);
    assert.deepEqual(h.run("SET", "k", "v", "EXAT", 0), invalid);
    assert.deepEqual(h.run("SET", "k", "v", "PXAT", "-9223372036854775808"), invalid);
    // Seconds whose milliseconds overflow 64 bits, and relative times that overflow with now.
    assert.deepEqual(h.run("SET", "k", "v", "EX", "9223372036854776"), invalid);
    assert.deepEqual(h.run("SET", "k", "v", "EXAT", "9223372036854776"), invalid);
    assert.deepEqual(h.run("SET", "k", "v", "EX", "9223372036854775"), invalid);
    assert.deepEqual(h.run("SET", "k", "v", "PX", "9223372036854775807"), invalid);
    // The expire value is checked before GET's type check.
    putList(h, "l");
    assert.deepEqual(h.run("SET", "l", "v", "EX", "abc", "GET"), NOT_INT);
    assert.equal(h.run("GET", "k"), null);
    assert.deepEqual(props(h), []);
  }));

Deno.test("SET with an EXAT in the past stores the key, then it expires lazily with a DEL", () =>
  withHarness((h) => {
    assert.deepEqual(h.run("SET", "k", "v", "EXAT", 1), OK);
    assert.deepEqual(props(h), [["SET", "k", "v", "PXAT", "1000"]]);
    assert.equal(h.run("GET", "k"), null);
    // Only the lazy expiry's DEL: the GET itself changed nothing.
    assert.deepEqual(props(h), [["DEL", "k"]]);
    assert.equal(h.run("SET", "j", "v", "PXAT", 1, "GET"), null);
    assert.deepEqual(props(h), [["SET", "j", "v", "PXAT", "1"]]);
  }));

Deno.test("SET over a logically expired key expires it first, propagating its DEL", () =>
  withHarness((h) => {
    h.run("SET", "k", "v", "PXAT", 1);
    h.propagated();
    h.run("SET", "k", "v2");
    const cmds = props(h).filter((c) => c[0] !== "MULTI" && c[0] !== "EXEC");
    assert.deepEqual(cmds, [["DEL", "k"], ["SET", "k", "v2"]]);
    assert.equal(h.server.keyspace.stats.expiredKeys, 1);
    assert.equal(h.run("GET", "k"), "v2");
  }));

Deno.test("GET, MGET, STRLEN, GETRANGE count keyspace hits and misses", () =>
  withHarness((h) => {
    const stats = h.server.keyspace.stats;
    h.run("SET", "k", "v");
    h.run("GET", "k");
    h.run("GET", "nokey");
    h.run("MGET", "k", "nokey", "k");
    h.run("STRLEN", "k");
    h.run("GETRANGE", "nokey", 0, 1);
    assert.equal(stats.keyspaceHits, 4);
    assert.equal(stats.keyspaceMisses, 3);
    h.run("INCR", "n");
    h.run("APPEND", "k", "x");
    assert.equal(stats.keyspaceHits, 4);
    assert.equal(stats.keyspaceMisses, 3);
  }));

// --- SETNX / SETEX / PSETEX / GETSET / GETDEL

Deno.test("SETNX replies 1 or 0 and propagates verbatim only when it wrote", () =>
  withHarness((h) => {
    assert.equal(h.raw(["SETNX", "k", "1"]), ":1\r\n");
    assert.equal(h.raw(["SETNX", "k", "2"]), ":0\r\n");
    assert.equal(h.run("GET", "k"), "1");
    assert.deepEqual(props(h), [["SETNX", "k", "1"]]);
    putList(h, "l");
    assert.equal(h.run("SETNX", "l", "x"), 0);
    assert.deepEqual(props(h), []);
  }));

Deno.test("SETEX and PSETEX set value and expiry and propagate as SET PXAT", () =>
  withHarness((h) => {
    assertRelativeExpire(h, "k", 100_000, () => h.run("SETEX", "k", 100, "v"));
    const atK = expireOf(h, "k")!;
    assertRelativeExpire(h, "p", 1500, () => h.run("PSETEX", "p", 1500, "w"));
    const atP = expireOf(h, "p")!;
    assert.equal(h.run("GET", "k"), "v");
    assert.equal(h.run("GET", "p"), "w");
    assert.deepEqual(props(h), [
      ["SET", "k", "v", "PXAT", String(atK)],
      ["SET", "p", "w", "PXAT", String(atP)],
    ]);
    // It overwrites any type.
    putList(h, "l");
    assert.deepEqual(h.run("SETEX", "l", 10, "s"), OK);
    assert.equal(h.run("GET", "l"), "s");
  }));

Deno.test("SETEX and PSETEX errors name the command", () =>
  withHarness((h) => {
    assert.deepEqual(h.run("SETEX", "k", 0, "v"), {
      error: "ERR invalid expire time in 'setex' command",
    });
    assert.deepEqual(h.run("SETEX", "k", "9223372036854776", "v"), {
      error: "ERR invalid expire time in 'setex' command",
    });
    assert.deepEqual(h.run("SETEX", "k", "abc", "v"), NOT_INT);
    assert.deepEqual(h.run("PSETEX", "k", -5, "v"), {
      error: "ERR invalid expire time in 'psetex' command",
    });
    assert.deepEqual(h.run("PSETEX", "k", "9223372036854775807", "v"), {
      error: "ERR invalid expire time in 'psetex' command",
    });
    assert.deepEqual(h.run("SETEX", "k", 10), {
      error: "ERR wrong number of arguments for 'setex' command",
    });
    assert.equal(h.run("GET", "k"), null);
  }));

Deno.test("GETSET replies the old value, drops the TTL and propagates as SET", () =>
  withHarness((h) => {
    assert.equal(h.run("GETSET", "k", "a"), null);
    h.run("SET", "k", "b", "PXAT", 99999999999999);
    h.propagated();
    assert.equal(h.raw(["GETSET", "k", "c"]), "$1\r\nb\r\n");
    assert.equal(expireOf(h, "k"), undefined);
    assert.deepEqual(props(h), [["SET", "k", "c"]]);
    putList(h, "l");
    assert.deepEqual(h.run("GETSET", "l", "x"), WRONGTYPE);
    assert.deepEqual(props(h), []);
  }));

Deno.test("GETDEL replies the value, deletes the key and propagates DEL", () =>
  withHarness((h) => {
    h.run("SET", "k", "v");
    h.propagated();
    assert.equal(h.run("GETDEL", "k"), "v");
    assert.equal(h.run("GET", "k"), null);
    assert.equal(h.raw(["GETDEL", "k"]), "$-1\r\n");
    assert.deepEqual(props(h), [["DEL", "k"]]);
    putList(h, "l");
    assert.deepEqual(h.run("GETDEL", "l"), WRONGTYPE);
    h.server.config.set("lazyfree-lazy-user-del", "yes");
    h.run("SET", "k", "v");
    h.propagated();
    assert.equal(h.run("GETDEL", "k"), "v");
    assert.deepEqual(props(h), [["UNLINK", "k"]]);
  }));

// --- GETEX

Deno.test("GETEX without options is a plain read that propagates nothing", () =>
  withHarness((h) => {
    h.run("SET", "k", "v", "PXAT", 99999999999999);
    h.propagated();
    assert.equal(h.run("GETEX", "k"), "v");
    assert.equal(h.run("GETEX", "nokey"), null);
    assert.equal(expireOf(h, "k"), 99999999999999);
    assert.deepEqual(props(h), []);
  }));

Deno.test("GETEX EX/PX/EXAT/PXAT set the expiry and propagate PEXPIREAT", () =>
  withHarness((h) => {
    h.run("SET", "k", "v");
    h.propagated();
    assert.equal(assertRelativeExpire(h, "k", 100_000, () => h.run("GETEX", "k", "EX", 100)), "v");
    const at1 = expireOf(h, "k")!;
    assertRelativeExpire(h, "k", 5000, () => h.run("GETEX", "k", "px", 5000));
    const at2 = expireOf(h, "k")!;
    assert.equal(h.run("GETEX", "k", "EXAT", 99999999999), "v");
    assert.equal(expireOf(h, "k"), 99999999999000);
    assert.equal(h.run("GETEX", "k", "pxat", 99999999999999), "v");
    assert.equal(expireOf(h, "k"), 99999999999999);
    assert.deepEqual(props(h), [
      ["PEXPIREAT", "k", String(at1)],
      ["PEXPIREAT", "k", String(at2)],
      ["PEXPIREAT", "k", "99999999999000"],
      ["PEXPIREAT", "k", "99999999999999"],
    ]);
  }));

Deno.test("GETEX PERSIST removes the TTL and propagates PERSIST only when there was one", () =>
  withHarness((h) => {
    h.run("SET", "k", "v", "PXAT", 99999999999999);
    h.propagated();
    assert.equal(h.run("GETEX", "k", "PERSIST"), "v");
    assert.equal(expireOf(h, "k"), undefined);
    assert.equal(h.run("GETEX", "k", "persist", "PERSIST"), "v");
    assert.deepEqual(props(h), [["PERSIST", "k"]]);
  }));

Deno.test("GETEX with a past EXAT/PXAT replies the value, deletes the key and propagates DEL", () =>
  withHarness((h) => {
    h.run("SET", "k", "v");
    h.propagated();
    assert.equal(h.run("GETEX", "k", "PXAT", 1), "v");
    assert.equal(h.run("GET", "k"), null);
    h.run("SET", "j", "w");
    h.propagated();
    assert.equal(h.run("GETEX", "j", "EXAT", 1), "w");
    assert.deepEqual(props(h), [["DEL", "j"]]);
    h.server.config.set("lazyfree-lazy-expire", "yes");
    h.run("SET", "u", "x");
    h.propagated();
    assert.equal(h.run("GETEX", "u", "exat", 1), "x");
    assert.deepEqual(props(h), [["UNLINK", "u"]]);
  }));

Deno.test("GETEX with a past time on a replica keeps the key and sets the expiry", () =>
  withHarness((h) => {
    h.run("SET", "k", "v");
    h.server.config.set("replica-read-only", "no");
    h.server.replicaOf = { host: "127.0.0.1", port: 1 };
    try {
      assert.equal(h.run("GETEX", "k", "PXAT", 1), "v");
      assert.equal(expireOf(h, "k"), 1);
      assert.ok(h.server.keyspace.dbs[0].data.has("k"));
    } finally {
      h.server.replicaOf = null;
    }
  }));

Deno.test("GETEX option errors, and a missing key replies nil before the time is checked", () =>
  withHarness((h) => {
    h.run("SET", "k", "v");
    h.propagated();
    for (
      const opts of [
        ["foo"],
        ["persist", "ex", "10"],
        ["ex", "10", "persist"],
        ["ex", "10", "px", "10"],
        ["keepttl"],
        ["get"],
        ["nx"],
        ["xx"],
        ["ex"],
        ["pxat"],
      ]
    ) {
      assert.deepEqual(h.run("GETEX", "k", ...opts), SYNTAX, opts.join(" "));
      assert.deepEqual(h.run("GETEX", "nokey", ...opts), SYNTAX, opts.join(" "));
    }
    assert.deepEqual(h.run("GETEX", "k", "ex", "abc"), NOT_INT);
    assert.deepEqual(h.run("GETEX", "k", "ex", 0), {
      error: "ERR invalid expire time in 'getex' command",
    });
    assert.deepEqual(h.run("GETEX", "k", "exat", "9223372036854776"), {
      error: "ERR invalid expire time in 'getex' command",
    });
    assert.equal(h.run("GETEX", "nokey", "ex", 0), null);
    assert.equal(h.run("GETEX", "nokey", "ex", "abc"), null);
    assert.deepEqual(h.run("GETEX"), {
      error: "ERR wrong number of arguments for 'getex' command",
    });
    putList(h, "l");
    assert.deepEqual(h.run("GETEX", "l"), WRONGTYPE);
    assert.deepEqual(h.run("GETEX", "l", "ex", "abc"), WRONGTYPE);
    assert.deepEqual(h.run("GETEX", "l", "foo"), SYNTAX);
    assert.equal(expireOf(h, "k"), undefined);
    assert.deepEqual(props(h), []);
  }));

Deno.test("GETEX with a new expiry invalidates a WATCH", () =>
  withHarness((h) => {
    const other = h.newClient();
    h.run("SET", "k", "v");
    h.run("WATCH", "k");
    h.runAs(other, "GETEX", "k", "EX", 100);
    h.run("MULTI");
    h.run("GET", "k");
    assert.equal(h.raw(["EXEC"]), "*-1\r\n");
  }));

// --- MGET / MSET / MSETNX

Deno.test("MGET replies nil for missing keys and keys of other types", () =>
  withHarness((h) => {
    h.run("SET", "a", "1");
    putList(h, "l");
    assert.equal(
      h.raw(["MGET", "a", "l", "nokey", "a"]),
      "*4\r\n$1\r\n1\r\n$-1\r\n$-1\r\n$1\r\n1\r\n",
    );
  }));

Deno.test("MSET sets every pair, overwriting any type, and propagates verbatim", () =>
  withHarness((h) => {
    putList(h, "l");
    h.run("SET", "t", "v", "PXAT", 99999999999999);
    h.propagated();
    assert.deepEqual(h.run("MSET", "a", "1", "l", "2", "t", "3", "a", "4"), OK);
    assert.deepEqual(h.run("MGET", "a", "l", "t"), ["4", "2", "3"]);
    assert.equal(expireOf(h, "t"), undefined);
    assert.deepEqual(props(h), [["MSET", "a", "1", "l", "2", "t", "3", "a", "4"]]);
  }));

Deno.test("MSETNX sets all keys only when none exists", () =>
  withHarness((h) => {
    assert.equal(h.raw(["MSETNX", "a", "1", "b", "2"]), ":1\r\n");
    assert.equal(h.raw(["MSETNX", "b", "x", "c", "3"]), ":0\r\n");
    assert.deepEqual(h.run("MGET", "a", "b", "c"), ["1", "2", null]);
    assert.deepEqual(props(h), [["MSETNX", "a", "1", "b", "2"]]);
    putList(h, "l");
    assert.equal(h.run("MSETNX", "c", "3", "l", "x"), 0);
    assert.equal(h.run("GET", "c"), null);
    assert.deepEqual(props(h), []);
  }));

Deno.test("MSET and MSETNX with an odd number of arguments reply the arity error", () =>
  withHarness((h) => {
    const mset = { error: "ERR wrong number of arguments for 'mset' command" };
    const msetnx = { error: "ERR wrong number of arguments for 'msetnx' command" };
    assert.deepEqual(h.run("MSET"), mset);
    assert.deepEqual(h.run("MSET", "a"), mset);
    assert.deepEqual(h.run("MSET", "a", "b", "c"), mset);
    assert.deepEqual(h.run("MSETNX", "a"), msetnx);
    assert.deepEqual(h.run("MSETNX", "a", "b", "c"), msetnx);
    assert.equal(h.run("GET", "a"), null);
    assert.deepEqual(props(h), []);
  }));

// --- APPEND / STRLEN / GETRANGE / SETRANGE

Deno.test("APPEND creates or extends the string, keeps the TTL and replies the length", () =>
  withHarness((h) => {
    assert.equal(h.run("APPEND", "k", "hello"), 5);
    h.run("SET", "k", "hello", "KEEPTTL");
    h.run("GETEX", "k", "PXAT", 99999999999999);
    assert.equal(h.run("APPEND", "k", " world"), 11);
    assert.equal(h.run("APPEND", "k", ""), 11);
    assert.equal(h.run("GET", "k"), "hello world");
    assert.equal(expireOf(h, "k"), 99999999999999);
    h.propagated();
    h.run("APPEND", "k", "");
    // Even an empty append counts as a write, as in Redis.
    assert.deepEqual(props(h), [["APPEND", "k", ""]]);
    h.run("SET", "n", "12");
    assert.equal(h.run("APPEND", "n", "3"), 3);
    assert.equal(h.run("INCR", "n"), 124);
  }));

Deno.test("APPEND past proto-max-bulk-len is refused", () =>
  withHarness((h) => {
    h.server.config.set("proto-max-bulk-len", String(1024 * 1024));
    h.run("SETRANGE", "k", 1024 * 1024 - 2, "ab");
    assert.equal(h.run("STRLEN", "k"), 1024 * 1024);
    assert.deepEqual(h.run("APPEND", "k", "x"), {
      error: "ERR string exceeds maximum allowed size (proto-max-bulk-len)",
    });
    assert.equal(h.run("APPEND", "k", ""), 1024 * 1024);
  }));

Deno.test("STRLEN replies the byte length, 0 for a missing key", () =>
  withHarness((h) => {
    assert.equal(h.run("STRLEN", "nokey"), 0);
    h.run("SET", "k", "h\xc3\xa9llo");
    assert.equal(h.run("STRLEN", "k"), 6);
    h.run("INCRBY", "n", -12345);
    assert.equal(h.run("STRLEN", "n"), 6);
  }));

Deno.test("GETRANGE and SUBSTR follow Redis's index rules", () =>
  withHarness((h) => {
    h.run("SET", "s", "hello");
    const cases: [number | string, number | string, string][] = [
      [0, 4, "hello"],
      [0, -1, "hello"],
      [-3, -1, "llo"],
      [-1, -5, ""],
      [1, 3, "ell"],
      [3, 1, ""],
      [10, 20, ""],
      [-100, 100, "hello"],
      [0, "9223372036854775807", "hello"],
      ["-9223372036854775808", 2, "hel"],
      [0, -100, "h"],
      [4, 4, "o"],
      [-1, -1, "o"],
    ];
    for (const [s, e, want] of cases) {
      assert.equal(h.run("GETRANGE", "s", s, e), want, `${s} ${e}`);
      assert.equal(h.run("SUBSTR", "s", s, e), want, `${s} ${e}`);
    }
    assert.equal(h.raw(["GETRANGE", "nokey", 0, 1]), "$0\r\n\r\n");
    h.run("SET", "e", "");
    assert.equal(h.raw(["GETRANGE", "e", 0, -1]), "$0\r\n\r\n");
    assert.equal(h.raw(["GETRANGE", "e", -1, 0]), "$0\r\n\r\n");
    assert.deepEqual(h.run("GETRANGE", "s", "a", 1), NOT_INT);
    assert.deepEqual(h.run("GETRANGE", "s", 0, "1.5"), NOT_INT);
    putList(h, "l");
    assert.deepEqual(h.run("GETRANGE", "l", 0, 1), WRONGTYPE);
    assert.deepEqual(h.run("GETRANGE", "l", "x", 1), NOT_INT);
    assert.deepEqual(h.run("SUBSTR", "l", 0, 1), WRONGTYPE);
  }));

Deno.test("SETRANGE overwrites, pads with zero bytes and keeps the TTL", () =>
  withHarness((h) => {
    assert.equal(h.run("SETRANGE", "k", 5, "x"), 6);
    assert.equal(h.raw(["GET", "k"]), "$6\r\n\0\0\0\0\0x\r\n");
    assert.equal(h.run("SETRANGE", "k", 0, "ab"), 6);
    assert.equal(h.run("SETRANGE", "k", 3, "XYZW"), 7);
    assert.equal(h.raw(["GET", "k"]), "$7\r\nab\0XYZW\r\n");
    assert.equal(h.run("SETRANGE", "k", 9, "!"), 10);
    assert.equal(h.raw(["GET", "k"]), "$10\r\nab\0XYZW\0\0!\r\n");
    assert.equal(h.run("SETRANGE", "k", 1, "-"), 10);
    assert.equal(h.raw(["GET", "k"]), "$10\r\na-\0XYZW\0\0!\r\n");
    h.run("GETEX", "k", "PXAT", 99999999999999);
    h.run("SETRANGE", "k", 0, "z");
    assert.equal(expireOf(h, "k"), 99999999999999);
    h.propagated();
    h.run("SETRANGE", "k", 2, "q");
    assert.deepEqual(props(h), [["SETRANGE", "k", "2", "q"]]);
  }));

Deno.test("SETRANGE with an empty value writes nothing and creates no key", () =>
  withHarness((h) => {
    assert.equal(h.run("SETRANGE", "nokey", 3, ""), 0);
    assert.equal(h.run("GET", "nokey"), null);
    h.run("SET", "k", "hello");
    h.propagated();
    assert.equal(h.run("SETRANGE", "k", 20, ""), 5);
    // Beyond any size limit too: nothing is written.
    assert.equal(h.run("SETRANGE", "k", "9223372036854775807", ""), 5);
    assert.equal(h.run("GET", "k"), "hello");
    assert.deepEqual(props(h), []);
  }));

Deno.test("SETRANGE errors: bad offset, negative offset, size limit, wrong type", () =>
  withHarness((h) => {
    const tooBig = { error: "ERR string exceeds maximum allowed size (proto-max-bulk-len)" };
    const range = { error: "ERR offset is out of range" };
    h.run("SET", "k", "v");
    assert.deepEqual(h.run("SETRANGE", "k", "x", "a"), NOT_INT);
    assert.deepEqual(h.run("SETRANGE", "k", "99999999999999999999", "a"), NOT_INT);
    assert.deepEqual(h.run("SETRANGE", "k", -1, "a"), range);
    assert.deepEqual(h.run("SETRANGE", "nokey", -1, ""), range);
    assert.deepEqual(h.run("SETRANGE", "k", "-9223372036854775808", "a"), range);
    assert.deepEqual(h.run("SETRANGE", "k", 536870912, "a"), tooBig);
    assert.deepEqual(h.run("SETRANGE", "nokey", 536870912, "a"), tooBig);
    assert.deepEqual(h.run("SETRANGE", "k", "9223372036854775807", "a"), tooBig);
    h.server.config.set("proto-max-bulk-len", String(1024 * 1024));
    assert.deepEqual(h.run("SETRANGE", "k", 1024 * 1024, "a"), tooBig);
    assert.equal(h.run("SETRANGE", "k", 1024 * 1024 - 1, "a"), 1024 * 1024);
    putList(h, "l");
    assert.deepEqual(h.run("SETRANGE", "l", 0, "a"), WRONGTYPE);
    assert.deepEqual(h.run("SETRANGE", "l", 0, ""), WRONGTYPE);
    assert.deepEqual(h.run("SETRANGE", "l", -1, "a"), range);
    assert.equal(h.run("GET", "nokey"), null);
  }));

Deno.test("APPEND to an existing key and SETRANGE leave a raw-encoded string, SET does not", () =>
  withHarness((h) => {
    const raw = h.server.keyspace.dbs[0].rawStrings;
    h.run("APPEND", "a", "1");
    assert.equal(raw.has("a"), false);
    h.run("APPEND", "a", "2");
    assert.equal(raw.has("a"), true);
    h.run("SETRANGE", "r", 0, "x");
    assert.equal(raw.has("r"), true);
    h.run("INCR", "a");
    assert.equal(raw.has("a"), false);
    h.run("SET", "r", "y");
    assert.equal(raw.has("r"), false);
  }));

// --- INCR family

Deno.test("INCR, DECR, INCRBY, DECRBY do exact 64-bit arithmetic and propagate verbatim", () =>
  withHarness((h) => {
    assert.equal(h.raw(["INCR", "n"]), ":1\r\n");
    assert.equal(h.raw(["INCRBY", "n", 9]), ":10\r\n");
    assert.equal(h.raw(["DECR", "n"]), ":9\r\n");
    assert.equal(h.raw(["DECRBY", "n", 20]), ":-11\r\n");
    assert.equal(h.run("GET", "n"), "-11");
    assert.deepEqual(props(h), [
      ["INCR", "n"],
      ["INCRBY", "n", "9"],
      ["DECR", "n"],
      ["DECRBY", "n", "20"],
    ]);
    h.run("SET", "b", "9007199254740991");
    assert.equal(h.raw(["INCR", "b"]), ":9007199254740992\r\n");
    assert.equal(h.raw(["INCR", "b"]), ":9007199254740993\r\n");
    assert.equal(h.run("GET", "b"), "9007199254740993");
    assert.equal(
      h.raw(["INCRBY", "b", "9223372036854775807"]),
      "-ERR increment or decrement would overflow\r\n",
    );
    assert.equal(h.raw(["DECRBY", "b", "9007199254740993"]), ":0\r\n");
    assert.equal(h.raw(["INCRBY", "x", "-9223372036854775808"]), ":-9223372036854775808\r\n");
    assert.equal(h.raw(["INCRBY", "x", "9223372036854775807"]), ":-1\r\n");
    assert.equal(h.raw(["DECRBY", "y", "-9223372036854775807"]), ":9223372036854775807\r\n");
    assert.equal(h.raw(["DECRBY", "n", "0"]), ":-11\r\n");
  }));

Deno.test("the INCR family refuses overflow and values string2ll rejects", () =>
  withHarness((h) => {
    const overflow = { error: "ERR increment or decrement would overflow" };
    h.run("SET", "max", "9223372036854775807");
    assert.deepEqual(h.run("INCR", "max"), overflow);
    assert.deepEqual(h.run("INCRBY", "max", 1), overflow);
    assert.deepEqual(h.run("DECRBY", "max", -1), overflow);
    h.run("SET", "min", "-9223372036854775808");
    assert.deepEqual(h.run("DECR", "min"), overflow);
    assert.deepEqual(h.run("INCRBY", "min", -1), overflow);
    h.run("SET", "one", "1");
    assert.deepEqual(h.run("DECRBY", "one", "-9223372036854775808"), {
      error: "ERR decrement would overflow",
    });
    assert.deepEqual(h.run("INCRBY", "one", "9223372036854775807"), overflow);
    for (
      const v of [" 1", "1 ", "01", "+1", "1.0", "abc", "", "-0", "9223372036854775808", "1e3"]
    ) {
      h.run("SET", "s", v);
      assert.deepEqual(h.run("INCR", "s"), NOT_INT, JSON.stringify(v));
      assert.deepEqual(h.run("DECRBY", "s", 1), NOT_INT, JSON.stringify(v));
    }
    for (const v of ["abc", "1.5", "+1", "01", "9223372036854775808", ""]) {
      assert.deepEqual(h.run("INCRBY", "n", v), NOT_INT, JSON.stringify(v));
      assert.deepEqual(h.run("DECRBY", "n", v), NOT_INT, JSON.stringify(v));
    }
    assert.equal(h.run("GET", "max"), "9223372036854775807");
    assert.equal(h.run("GET", "n"), null);
  }));

Deno.test("the INCR family keeps the TTL and checks the argument before the key type", () =>
  withHarness((h) => {
    h.run("SET", "n", "5", "PXAT", 99999999999999);
    assert.equal(h.run("INCR", "n"), 6);
    assert.equal(h.run("DECRBY", "n", 2), 4);
    assert.equal(expireOf(h, "n"), 99999999999999);
    putList(h, "l");
    assert.deepEqual(h.run("INCR", "l"), WRONGTYPE);
    assert.deepEqual(h.run("DECR", "l"), WRONGTYPE);
    assert.deepEqual(h.run("INCRBY", "l", 1), WRONGTYPE);
    assert.deepEqual(h.run("DECRBY", "l", 1), WRONGTYPE);
    assert.deepEqual(h.run("INCRBY", "l", "x"), NOT_INT);
    assert.deepEqual(h.run("DECRBY", "l", "-9223372036854775808"), {
      error: "ERR decrement would overflow",
    });
  }));

// --- INCRBYFLOAT

Deno.test("INCRBYFLOAT replies long-double results formatted like Redis", () =>
  withHarness((h) => {
    assert.equal(h.raw(["INCRBYFLOAT", "f", "10.5"]), "$4\r\n10.5\r\n");
    assert.equal(h.raw(["INCRBYFLOAT", "f", "0.1"]), "$4\r\n10.6\r\n");
    assert.equal(h.run("GET", "f"), "10.6");
    const steps: [string, string, string][] = [
      ["a", "0.1", "0.1"],
      ["a", "0.2", "0.3"],
      ["b", "5.0e3", "5000"],
      ["b", "2.0e2", "5200"],
      ["c", "3.0e15", "3000000000000000"],
      ["c", "0.5", "3000000000000000.5"],
      ["d", "1e-20", "0"],
      ["e", "-1e-20", "0"],
      ["g", "-0", "0"],
      ["i", "1e20", "100000000000000000000"],
      ["j", "9007199254740993", "9007199254740993"],
      ["k", "18446744073709551617", "18446744073709551616"],
      ["m", "0.000000000000000005", "0"],
      ["o", "0.000000000000000015", "0.00000000000000002"],
      ["p", "0.000000000000000025", "0.00000000000000002"],
      ["q", "1.", "1"],
      ["r", ".5", "0.5"],
      ["s", "0x10", "16"],
      ["t", "0x.8", "0.5"],
      ["u", "0x1.8p1", "3"],
      ["v", "+5", "5"],
      ["w", "1e+2", "100"],
      ["x", "0e999999999999", "0"],
      ["y", "-3.14159", "-3.14159"],
      ["z", "1.0000000000000000001", "1"],
    ];
    for (const [key, by, want] of steps) {
      assert.equal(h.run("INCRBYFLOAT", key, by), want, `${key} += ${by}`);
    }
    h.run("SET", "n", "5");
    assert.equal(h.run("INCRBYFLOAT", "n", "-5"), "0");
    h.run("SET", "n", "7");
    assert.equal(h.run("INCRBYFLOAT", "n", "1e3"), "1007");
  }));

Deno.test("INCRBYFLOAT handles the long double range beyond a JS double", () =>
  withHarness((h) => {
    // 1e400 and 2e308 overflow a double but not a long double; Redis prints every digit.
    assert.equal(
      h.run("INCRBYFLOAT", "big", "1e400"),
      "10000000000000000000281880683947586514586453433629052038625910693539685534008629862039363994848324160522094053927317616200295822777259255734023828976593340661017797447434546173917862448116674971723778943824391593338047470675026246684401359237513603830343735485505244955964979021825038280091068414947402456898653040951017512658092615827588920183472511643316591362664138176309734806343732497430221946880",
    );
    h.run("SET", "f2", "1e308");
    assert.equal(
      h.run("INCRBYFLOAT", "f2", "1e308"),
      "199999999999999999993371759311691291321120199694831134415594095989843469737676123744200253843777078640893494450108026446304269499187921167194841628860392837535918200039206381557326219209014213335878306791577877829121087126122536729803237260434173178506889763247582601711514636284849020905456510092687857156096",
    );
    assert.equal(h.run("INCRBYFLOAT", "tiny", "1e-4940"), "0");
    assert.equal(h.run("INCRBYFLOAT", "sub", "0x1p-16445"), "0");
    const big = h.run("INCRBYFLOAT", "max", "1e4932") as string;
    assert.equal(big.length, 4933);
    assert.ok(big.startsWith("10000000000000000000060189493879638913238"));
  }));

Deno.test("INCRBYFLOAT errors: invalid floats, NaN/Infinity results, wrong type", () =>
  withHarness((h) => {
    const nanInf = { error: "ERR increment would produce NaN or Infinity" };
    for (
      const v of [
        "abc",
        " 1",
        "1 ",
        ".",
        "1e",
        "0x",
        "nan",
        "-nan",
        "1e5000",
        "1.2e4932",
        "1e-5000",
        "0x1p-16446",
        "1.5e",
        "1e5.5",
        "",
        "1".repeat(5120),
      ]
    ) {
      assert.deepEqual(h.run("INCRBYFLOAT", "k", v), NOT_FLOAT, v.slice(0, 20));
    }
    assert.deepEqual(h.run("INCRBYFLOAT", "k", "inf"), nanInf);
    assert.deepEqual(h.run("INCRBYFLOAT", "k", "-INFINITY"), nanInf);
    h.run("SET", "i", "inf");
    assert.deepEqual(h.run("INCRBYFLOAT", "i", "1"), nanInf);
    h.run("SET", "s", "hello");
    assert.deepEqual(h.run("INCRBYFLOAT", "s", "1"), NOT_FLOAT);
    h.run("SET", "m", "1e4932");
    assert.deepEqual(h.run("INCRBYFLOAT", "m", "1e4932"), nanInf);
    putList(h, "l");
    assert.deepEqual(h.run("INCRBYFLOAT", "l", "1"), WRONGTYPE);
    assert.deepEqual(h.run("INCRBYFLOAT", "l", "x"), WRONGTYPE);
    assert.equal(h.run("GET", "k"), null);
    assert.equal(h.run("GET", "s"), "hello");
    h.propagated();
    assert.deepEqual(props(h), []);
  }));

Deno.test("INCRBYFLOAT keeps the TTL and propagates SET key result KEEPTTL", () =>
  withHarness((h) => {
    h.run("SET", "f", "5", "PXAT", 99999999999999);
    h.propagated();
    assert.equal(h.run("INCRBYFLOAT", "f", "1"), "6");
    assert.equal(h.run("incrbyfloat", "g", "1.5"), "1.5");
    assert.equal(expireOf(h, "f"), 99999999999999);
    assert.deepEqual(props(h), [["SET", "f", "6", "KEEPTTL"], ["SET", "g", "1.5", "KEEPTTL"]]);
  }));

// --- LCS

Deno.test("LCS replies the subsequence, its length, or its match ranges", () =>
  withHarness((h) => {
    h.run("MSET", "k1", "ohmytext", "k2", "mynewtext");
    assert.equal(h.raw(["LCS", "k1", "k2"]), "$6\r\nmytext\r\n");
    assert.equal(h.raw(["LCS", "k1", "k2", "LEN"]), ":6\r\n");
    assert.equal(h.raw(["LCS", "k1", "k2", "len", "withmatchlen"]), ":6\r\n");
    assert.equal(h.raw(["LCS", "k1", "k2", "WITHMATCHLEN"]), "$6\r\nmytext\r\n");
    assert.equal(
      h.raw(["LCS", "k1", "k2", "IDX"]),
      "*4\r\n$7\r\nmatches\r\n*2\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n" +
        "*2\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n$3\r\nlen\r\n:6\r\n",
    );
    assert.deepEqual(h.run("LCS", "k1", "k2", "IDX", "MINMATCHLEN", 4, "WITHMATCHLEN"), [
      "matches",
      [[[4, 7], [5, 8], 4]],
      "len",
      6,
    ]);
    assert.deepEqual(h.run("LCS", "k1", "k2", "idx", "withmatchlen"), [
      "matches",
      [[[4, 7], [5, 8], 4], [[2, 3], [0, 1], 2]],
      "len",
      6,
    ]);
    // A negative MINMATCHLEN means no minimum.
    assert.deepEqual(h.run("LCS", "k1", "k2", "MINMATCHLEN", -5, "IDX"), [
      "matches",
      [[[4, 7], [5, 8]], [[2, 3], [0, 1]]],
      "len",
      6,
    ]);
    assert.equal(h.raw(["LCS", "k1", "nokey"]), "$0\r\n\r\n");
    assert.equal(
      h.raw(["LCS", "k1", "nokey", "IDX"]),
      "*4\r\n$7\r\nmatches\r\n*0\r\n$3\r\nlen\r\n:0\r\n",
    );
  }));

Deno.test("LCS IDX is a map in RESP3", () =>
  withHarness((h) => {
    h.run("MSET", "k1", "ohmytext", "k2", "mynewtext");
    h.run("HELLO", "3");
    assert.equal(
      h.raw(["LCS", "k1", "k2", "IDX", "WITHMATCHLEN"]),
      "%2\r\n$7\r\nmatches\r\n*2\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n" +
        "*3\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n:2\r\n$3\r\nlen\r\n:6\r\n",
    );
  }));

Deno.test("LCS agrees with Redis on assorted inputs", () =>
  withHarness((h) => {
    const cases: [string, string, string, number, Value][] = [
      ["GAC", "AGCAT", "AC", 2, [[[2, 2], [2, 2]], [[1, 1], [0, 0]]]],
      ["aaaa", "aa", "aa", 2, [[[2, 3], [0, 1]]]],
      ["abcbdab", "bdcaba", "bdab", 4, [[[5, 6], [3, 4]], [[3, 4], [0, 1]]]],
      ["\x80\xff\x00a", "a\x00\xff\x80", "a", 1, [[[3, 3], [0, 0]]]],
      ["", "", "", 0, []],
      ["abcdef", "abcdef", "abcdef", 6, [[[0, 5], [0, 5]]]],
    ];
    for (const [a, b, seq, len, matches] of cases) {
      h.run("MSET", "a", a, "b", b);
      assert.equal(h.run("LCS", "a", "b"), seq, JSON.stringify([a, b]));
      assert.equal(h.run("LCS", "a", "b", "LEN"), len);
      assert.deepEqual(h.run("LCS", "a", "b", "IDX"), ["matches", matches, "len", len]);
    }
  }));

Deno.test("LCS errors", () =>
  withHarness((h) => {
    h.run("MSET", "k1", "ohmytext", "k2", "mynewtext");
    assert.deepEqual(h.run("LCS", "k1", "k2", "len", "idx"), {
      error: "ERR If you want both the length and indexes, please just use IDX.",
    });
    assert.deepEqual(h.run("LCS", "k1", "k2", "minmatchlen"), SYNTAX);
    assert.deepEqual(h.run("LCS", "k1", "k2", "foo"), SYNTAX);
    assert.deepEqual(h.run("LCS", "k1", "k2", "minmatchlen", "x"), NOT_INT);
    assert.deepEqual(h.run("LCS", "k1"), {
      error: "ERR wrong number of arguments for 'lcs' command",
    });
    putList(h, "l");
    const notStrings = { error: "ERR The specified keys must contain string values" };
    assert.deepEqual(h.run("LCS", "l", "k1"), notStrings);
    // The type check comes before the options are parsed.
    assert.deepEqual(h.run("LCS", "k1", "l", "foo"), notStrings);
    h.server.config.set("proto-max-bulk-len", String(1024 * 1024));
    h.run("MSET", "a", "a".repeat(600), "b", "a".repeat(600));
    assert.deepEqual(h.run("LCS", "a", "b", "LEN"), {
      error: "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len",
    });
    h.run("MSET", "a", "a".repeat(500), "b", "a".repeat(500));
    assert.equal(h.run("LCS", "a", "b", "LEN"), 500);
  }));

// --- Wrong types, arity, metadata

Deno.test("every string command on a non-string key replies WRONGTYPE", () =>
  withHarness((h) => {
    putList(h, "l");
    const cmds: (string | number)[][] = [
      ["GET", "l"],
      ["GETSET", "l", "x"],
      ["GETDEL", "l"],
      ["GETEX", "l"],
      ["GETEX", "l", "PERSIST"],
      ["SET", "l", "x", "GET"],
      ["APPEND", "l", "x"],
      ["STRLEN", "l"],
      ["GETRANGE", "l", 0, 1],
      ["SUBSTR", "l", 0, 1],
      ["SETRANGE", "l", 0, "x"],
      ["INCR", "l"],
      ["DECR", "l"],
      ["INCRBY", "l", 1],
      ["DECRBY", "l", 1],
      ["INCRBYFLOAT", "l", "1"],
    ];
    for (const c of cmds) assert.deepEqual(h.run(...c), WRONGTYPE, c.join(" "));
    assert.deepEqual(props(h), []);
    assert.equal(h.server.keyspace.dbs[0].data.get("l") !== undefined, true);
  }));

Deno.test("the strings commands carry Redis 7.0's metadata", () =>
  withHarness((h) => {
    const t = h.server.table;
    const expect: [string, number, string[], [number, number, number]][] = [
      ["get", 2, ["readonly", "fast"], [1, 1, 1]],
      ["set", -3, ["write", "denyoom"], [1, 1, 1]],
      ["setnx", 3, ["write", "denyoom", "fast"], [1, 1, 1]],
      ["getdel", 2, ["write", "fast"], [1, 1, 1]],
      ["getex", -2, ["write", "fast"], [1, 1, 1]],
      ["mget", -2, ["readonly", "fast"], [1, -1, 1]],
      ["mset", -3, ["write", "denyoom"], [1, -1, 2]],
      ["msetnx", -3, ["write", "denyoom"], [1, -1, 2]],
      ["getrange", 4, ["readonly"], [1, 1, 1]],
      ["substr", 4, ["readonly"], [1, 1, 1]],
      ["setrange", 4, ["write", "denyoom"], [1, 1, 1]],
      ["incrbyfloat", 3, ["write", "denyoom", "fast"], [1, 1, 1]],
      ["lcs", -3, ["readonly"], [1, 2, 1]],
    ];
    for (const [name, arity, flags, [first, last, step]] of expect) {
      const spec = t.get(name)!.spec;
      assert.equal(spec.arity, arity, name);
      assert.deepEqual(spec.flags, flags, name);
      assert.deepEqual(spec.keys, { first, last, step }, name);
      assert.equal(spec.group, "string", name);
      assert.ok(spec.summary && spec.since && spec.complexity, name);
    }
    assert.equal(t.all().filter((c) => c.spec.group === "string").length, 22);
    assert.deepEqual(t.get("set")!.spec.keySpecs, [{
      flags: ["RW", "access", "update", "variable_flags"],
      begin: { index: 1 },
      find: { lastKey: 0, keyStep: 1, limit: 0 },
      notes: "RW and ACCESS due to the optional `GET` argument",
    }]);
    assert.deepEqual(t.get("mset")!.spec.keySpecs![0].find, { lastKey: -1, keyStep: 2, limit: 0 });
    assert.deepEqual(t.get("lcs")!.spec.keySpecs![0].find, { lastKey: 1, keyStep: 1, limit: 0 });
    assert.equal(t.get("getset")!.spec.deprecatedSince, "6.2.0");
    assert.equal(t.get("substr")!.spec.replacedBy, "`GETRANGE`");
    assert.deepEqual(t.get("msetnx")!.spec.tips, [
      "request_policy:multi_shard",
      "response_policy:agg_min",
    ]);
  }));

// --- long double emulation (unit level)

Deno.test("long double parsing follows strtold and string2ld", () => {
  const fmt = (s: string) => {
    const v = parseLongDouble(s);
    return v === null ? null : formatLongDoubleHuman(v);
  };
  assert.equal(fmt("0.1"), "0.1");
  assert.equal(fmt("-2.5"), "-2.5");
  assert.equal(fmt("1E5"), "100000");
  assert.equal(fmt("0X1P4"), "16");
  assert.equal(fmt("Infinity"), "inf");
  assert.equal(fmt("-inf"), "-inf");
  assert.equal(fmt("0x1.fffffffffffffffep16383")?.length, 4933);
  // Just under half an ulp above the largest value rounds down to it; a full half overflows.
  assert.equal(fmt("0x1.fffffffffffffffefp16383")?.length, 4933);
  assert.equal(fmt("0x1.ffffffffffffffffp16383"), null);
  assert.equal(fmt("0x1p16384"), null);
  assert.equal(fmt("4.9406564584124654e-324"), "0");
  assert.equal(
    fmt("123456789012345678901234567890.123456789"),
    "123456789012345678899921813504",
  );
  assert.equal(fmt("nan"), null);
  assert.equal(fmt("1\0"), null);
  assert.equal(fmt("infinit"), null);
});

Deno.test("long double addition rounds to a 64-bit significand", () => {
  const add = (a: string, b: string) => {
    const s = addLongDouble(parseLongDouble(a)!, parseLongDouble(b)!);
    return s === null ? null : formatLongDoubleHuman(s);
  };
  assert.equal(add("0.1", "0.2"), "0.3");
  assert.equal(add("18446744073709551615", "0"), "18446744073709551615");
  assert.equal(add("18446744073709551617", "0"), "18446744073709551616");
  assert.equal(add("9223372036854775807", "1"), "9223372036854775808");
  assert.equal(add("1", "-1"), "0");
  assert.equal(add("inf", "-inf"), null);
  assert.equal(add("1e4932", "1e4932"), null);
  assert.equal(add("-0", "-0"), "0");
});
