// Generic keyspace commands through the dispatcher: DEL UNLINK EXISTS TYPE KEYS SCAN RENAME
// RENAMENX COPY MOVE SWAPDB TOUCH OBJECT DBSIZE RANDOMKEY FLUSHDB FLUSHALL. Replies and
// errors were checked against redis-server 7.0.15.

import assert from "node:assert/strict";
import type { ObjectValue } from "../../src/store/database.ts";
import { parseCursor } from "../../src/store/scan.ts";
import { Harness } from "../helpers/harness.ts";
import type { Value } from "../helpers/resp_client.ts";

async function withHarness(fn: (h: Harness) => void, args: string[] = []): Promise<void> {
  const h = new Harness(args);
  try {
    fn(h);
  } finally {
    await h.close();
  }
}

/** A stand-in for a list/hash/... value until those families exist. */
class FakeObject implements ObjectValue {
  cloned = 0;
  constructor(readonly type: ObjectValue["type"], public items: string[]) {}
  encoding(): string {
    return "listpack";
  }
  isEmpty(): boolean {
    return this.items.length === 0;
  }
  clone(): FakeObject {
    this.cloned++;
    return new FakeObject(this.type, [...this.items]);
  }
}

/** Marks `key` in db 0 as expired a second ago, without deleting it. */
function expireNow(h: Harness, key: string, db = 0): void {
  h.server.keyspace.dbs[db].expires.set(key, Date.now() - 1000);
}

/** Records keyspace notifications as "class event key db". */
function recordEvents(h: Harness): string[] {
  const events: string[] = [];
  h.server.keyspace.hooks.notify = (type, event, key, db) => {
    events.push(`${type} ${event} ${key} ${db}`);
  };
  return events;
}

const err = (error: string) => ({ error });
const status = (s: string) => ({ status: s });

// --- DEL / UNLINK / EXISTS / TOUCH / TYPE

Deno.test("DEL counts removed keys once each and propagates as sent", () =>
  withHarness((h) => {
    h.run("SET", "a", "1");
    h.run("SET", "b", "2");
    h.propagated();
    const events = recordEvents(h);
    assert.equal(h.run("DEL", "a", "nokey", "b", "a"), 2);
    assert.equal(h.run("EXISTS", "a", "b"), 0);
    assert.deepEqual(h.propagated(), [["DEL", "a", "nokey", "b", "a"]]);
    assert.deepEqual(events, [
      "g del a 0",
      "g del b 0",
      "m keymiss a 0",
      "m keymiss b 0",
    ]);
  }));

Deno.test("DEL of missing keys replies 0 and propagates nothing", () =>
  withHarness((h) => {
    assert.equal(h.raw(["DEL", "x", "y"]), ":0\r\n");
    assert.deepEqual(h.propagated(), []);
  }));

Deno.test("UNLINK deletes like DEL and propagates as UNLINK", () =>
  withHarness((h) => {
    h.run("SET", "a", "1");
    h.propagated();
    assert.equal(h.run("UNLINK", "a", "a", "nokey"), 1);
    assert.equal(h.run("UNLINK", "a"), 0);
    assert.deepEqual(h.propagated(), [["UNLINK", "a", "a", "nokey"]]);
  }));

Deno.test("DEL of an expired key replies 0; only expiry's DEL is propagated", () =>
  withHarness((h) => {
    h.run("SET", "a", "1");
    expireNow(h, "a");
    h.propagated();
    const dirty = h.server.keyspace.dirty;
    assert.equal(h.run("DEL", "a"), 0);
    assert.deepEqual(h.propagated(), [["DEL", "a"]]);
    assert.equal(h.server.keyspace.dirty, dirty, "expiry is not a change");
    assert.equal(h.server.keyspace.stats.expiredKeys, 1);
  }));

Deno.test("EXISTS counts repeated keys and hides expired ones", () =>
  withHarness((h) => {
    h.run("SET", "a", "1");
    h.run("SET", "e", "1");
    expireNow(h, "e");
    assert.equal(h.run("EXISTS", "a", "a", "a", "nokey", "e"), 3);
    assert.equal(h.server.keyspace.dbs[0].data.has("e"), false, "lazily reclaimed");
    assert.equal(h.server.keyspace.stats.keyspaceHits, 3);
    assert.equal(h.server.keyspace.stats.keyspaceMisses, 2);
  }));

Deno.test("TOUCH counts existing keys, repeats included", () =>
  withHarness((h) => {
    h.run("SET", "a", "1");
    assert.equal(h.run("TOUCH", "nokey", "a", "a"), 2);
    assert.equal(h.run("TOUCH", "nokey"), 0);
    assert.deepEqual(h.propagated(), [["SELECT", "0"], ["SET", "a", "1"]]);
  }));

Deno.test("TYPE replies a status: string, the object's type, or none", () =>
  withHarness((h) => {
    h.run("SET", "s", "v");
    h.server.keyspace.dbs[0].add("l", new FakeObject("list", ["x"]));
    h.server.keyspace.dbs[0].add("z", new FakeObject("zset", ["x"]));
    assert.equal(h.raw(["TYPE", "s"]), "+string\r\n");
    assert.equal(h.raw(["TYPE", "l"]), "+list\r\n");
    assert.equal(h.raw(["TYPE", "z"]), "+zset\r\n");
    assert.equal(h.raw(["TYPE", "nokey"]), "+none\r\n");
    h.run("SET", "e", "1");
    expireNow(h, "e");
    assert.equal(h.raw(["TYPE", "e"]), "+none\r\n");
  }));

// --- KEYS

Deno.test("KEYS matches Redis glob patterns, the empty key only with *", () =>
  withHarness((h) => {
    for (const k of ["hello", "hallo", "hxllo", "hllo", "heeeello", "h*llo", "", "a b"]) {
      h.run("SET", k, "1");
    }
    const keys = (p: string) => (h.run("KEYS", p) as string[]).sort();
    assert.deepEqual(keys("*"), [
      "",
      "a b",
      "h*llo",
      "hallo",
      "heeeello",
      "hello",
      "hllo",
      "hxllo",
    ]);
    assert.deepEqual(keys("h?llo"), ["h*llo", "hallo", "hello", "hxllo"]);
    assert.deepEqual(keys("h[ae]llo"), ["hallo", "hello"]);
    assert.deepEqual(keys("h[^e]llo"), ["h*llo", "hallo", "hxllo"]);
    assert.deepEqual(keys("h\\*llo"), ["h*llo"]);
    assert.deepEqual(keys("**"), ["a b", "h*llo", "hallo", "heeeello", "hello", "hllo", "hxllo"]);
    assert.deepEqual(keys(""), [""]);
    assert.equal(h.raw(["KEYS", "nomatch*"]), "*0\r\n");
  }));

Deno.test("KEYS hides expired keys without deleting them", () =>
  withHarness((h) => {
    h.run("SET", "a", "1");
    h.run("SET", "b", "1");
    expireNow(h, "b");
    h.propagated();
    assert.deepEqual(h.run("KEYS", "*"), ["a"]);
    assert.equal(h.server.keyspace.dbs[0].data.has("b"), true);
    assert.deepEqual(h.propagated(), []);
  }));

// --- SCAN

/** Runs a whole SCAN iteration; returns every key seen (with duplicates) and the call count. */
function scanAll(h: Harness, ...opts: (string | number)[]): { keys: string[]; calls: number } {
  const keys: string[] = [];
  let cursor = "0";
  let calls = 0;
  do {
    const r = h.run("SCAN", cursor, ...opts) as [string, string[]];
    calls++;
    cursor = r[0];
    keys.push(...r[1]);
    assert.ok(calls < 100000, "SCAN never finished");
  } while (cursor !== "0");
  return { keys, calls };
}

function fill(h: Harness, n: number, prefix = "key:"): void {
  const db = h.server.keyspace.dbs[0];
  for (let i = 0; i < n; i++) db.set(`${prefix}${i}`, String(i));
}

Deno.test("SCAN of a small keyspace returns everything in one call with cursor 0", () =>
  withHarness((h) => {
    assert.equal(h.raw(["SCAN", "0"]), "*2\r\n$1\r\n0\r\n*0\r\n");
    fill(h, 10);
    const r = h.run("SCAN", "0") as [string, string[]];
    assert.equal(r[0], "0");
    assert.equal(r[1].length, 10);
  }));

Deno.test("SCAN visits every key exactly once when nothing changes", () =>
  withHarness((h) => {
    fill(h, 1000);
    const { keys, calls } = scanAll(h);
    assert.equal(keys.length, 1000);
    assert.equal(new Set(keys).size, 1000);
    assert.equal(calls, 100, "COUNT defaults to 10");
    assert.equal(scanAll(h, "COUNT", 300).calls, 4);
  }));

Deno.test("SCAN MATCH and TYPE filter what is returned", () =>
  withHarness((h) => {
    fill(h, 50, "a:");
    fill(h, 50, "b:");
    const db = h.server.keyspace.dbs[0];
    db.add("list1", new FakeObject("list", ["x"]));
    db.add("hash1", new FakeObject("hash", ["x"]));
    const a = scanAll(h, "MATCH", "a:*", "COUNT", 7).keys;
    assert.equal(a.length, 50);
    assert.ok(a.every((k) => k.startsWith("a:")));
    assert.deepEqual(scanAll(h, "TYPE", "list").keys, ["list1"]);
    assert.deepEqual(scanAll(h, "type", "HASH", "match", "*1").keys, ["hash1"]);
    assert.equal(scanAll(h, "TYPE", "string").keys.length, 100);
    assert.deepEqual(scanAll(h, "TYPE", "nosuchtype").keys, []);
    assert.equal(scanAll(h, "MATCH", "*").keys.length, 102);
    // The last of repeated options wins.
    assert.equal(scanAll(h, "MATCH", "a:*", "MATCH", "b:1?").keys.length, 10);
  }));

Deno.test("SCAN filters and reclaims expired keys, propagating their DEL", () =>
  withHarness((h) => {
    fill(h, 5);
    expireNow(h, "key:2");
    h.propagated();
    const keys = scanAll(h).keys.sort();
    assert.deepEqual(keys, ["key:0", "key:1", "key:3", "key:4"]);
    assert.equal(h.server.keyspace.dbs[0].data.has("key:2"), false);
    assert.deepEqual(h.propagated(), [["SELECT", "0"], ["DEL", "key:2"]]);
  }));

Deno.test("SCAN TYPE none lists a key that expires as it is looked at, like Redis", () =>
  withHarness((h) => {
    fill(h, 3);
    expireNow(h, "key:1");
    assert.deepEqual(scanAll(h, "TYPE", "none").keys, ["key:1"]);
  }));

Deno.test("SCAN argument errors", () =>
  withHarness((h) => {
    const invalid = err("ERR invalid cursor");
    const syntax = err("ERR syntax error");
    assert.deepEqual(h.run("SCAN", "x"), invalid);
    assert.deepEqual(h.run("SCAN", " 1"), invalid);
    assert.deepEqual(h.run("SCAN", "1x"), invalid);
    assert.deepEqual(h.run("SCAN", "18446744073709551616"), invalid);
    assert.deepEqual(h.run("SCAN", "0", "COUNT", "0"), syntax);
    assert.deepEqual(h.run("SCAN", "0", "COUNT", "-1"), syntax);
    assert.deepEqual(
      h.run("SCAN", "0", "COUNT", "x"),
      err("ERR value is not an integer or out of range"),
    );
    assert.deepEqual(h.run("SCAN", "0", "MATCH"), syntax);
    assert.deepEqual(h.run("SCAN", "0", "FOO", "bar"), syntax);
    assert.deepEqual(h.run("SCAN", "0", "TYPE", "string", "COUNT", "0"), syntax);
    assert.deepEqual(h.run("SCAN", "x", "FOO"), invalid, "the cursor is checked first");
    assert.deepEqual(h.run("SCAN"), err("ERR wrong number of arguments for 'scan' command"));
    // strtoul accepts these: they are simply cursors we never issued.
    for (const c of ["", "+0", "-1", "007", "18446744073709551615"]) {
      assert.deepEqual(h.run("SCAN", c), ["0", []], `cursor ${JSON.stringify(c)}`);
    }
  }));

Deno.test("parseCursor follows strtoul: sign, digits, 64-bit range, no spaces", () => {
  assert.equal(parseCursor(""), 0);
  assert.equal(parseCursor("0"), 0);
  assert.equal(parseCursor("-0"), 0);
  assert.equal(parseCursor("42"), 42);
  assert.equal(parseCursor("+42"), 42);
  assert.equal(parseCursor("00000000000000000000000042"), 42);
  assert.equal(parseCursor("-42"), -1);
  assert.equal(parseCursor("18446744073709551615"), -1);
  assert.equal(parseCursor("-18446744073709551615"), -1);
  assert.equal(parseCursor("18446744073709551616"), null);
  assert.equal(parseCursor("99999999999999999999"), null);
  assert.equal(parseCursor("+"), null);
  assert.equal(parseCursor("-"), null);
  assert.equal(parseCursor(" 1"), null);
  assert.equal(parseCursor("1 "), null);
  assert.equal(parseCursor("0x10"), null);
});

Deno.test("SCAN returns every key present for the whole iteration while others come and go", () =>
  withHarness((h) => {
    const db = h.server.keyspace.dbs[0];
    // Stable keys interleaved with volatile ones in insertion order.
    for (let i = 0; i < 500; i++) {
      db.set(`stable:${i}`, "1");
      db.set(`gone:${i}`, "1");
    }
    const seen = new Set<string>();
    let cursor = "0";
    let round = 0;
    do {
      const r = h.run("SCAN", cursor, "COUNT", 7) as [string, string[]];
      cursor = r[0];
      for (const k of r[1]) seen.add(k);
      // Between calls: delete some old keys, add new ones, re-add deleted ones (they move to
      // the end of the insertion order), and overwrite stable ones in place.
      for (let j = 0; j < 5; j++) {
        db.delete(`gone:${(round * 5 + j) % 500}`);
        db.set(`new:${round}:${j}`, "1");
      }
      if (round % 3 === 0) db.set(`gone:${round % 500}`, "back");
      db.set(`stable:${(round * 7) % 500}`, "overwritten");
      round++;
      assert.ok(round < 10000);
    } while (cursor !== "0");
    for (let i = 0; i < 500; i++) assert.ok(seen.has(`stable:${i}`), `stable:${i} was missed`);
  }));

Deno.test("SCAN keeps its guarantee when the Map is rehashed between calls", () =>
  withHarness((h) => {
    const db = h.server.keyspace.dbs[0];
    for (let i = 0; i < 200; i++) db.set(`stable:${i}`, "1");
    const seen = new Set<string>();
    let cursor = "0";
    let round = 0;
    do {
      const r = h.run("SCAN", cursor, "COUNT", 3) as [string, string[]];
      cursor = r[0];
      for (const k of r[1]) seen.add(k);
      // Grow by thousands then shrink back: forces V8 to rehash the table both ways.
      for (let j = 0; j < 3000; j++) db.set(`tmp:${j}`, "x");
      for (let j = 0; j < 3000; j++) db.delete(`tmp:${j}`);
      // Let the parked cursors move on, as the server cron does.
      h.server.keyspace.activeExpireCycle(25);
      round++;
    } while (cursor !== "0");
    assert.equal(seen.size, 200);
  }));

Deno.test("a reused SCAN cursor restarts the iteration instead of skipping keys", () =>
  withHarness((h) => {
    fill(h, 30);
    const first = h.run("SCAN", "0", "COUNT", 10) as [string, string[]];
    const second = h.run("SCAN", first[0], "COUNT", 10) as [string, string[]];
    // A client retrying the same cursor (its reply was lost) must not lose keys.
    const retry = h.run("SCAN", first[0], "COUNT", 100) as [string, string[]];
    assert.equal(retry[0], "0");
    assert.equal(retry[1].length, 30);
    assert.equal(new Set([...first[1], ...second[1]]).size, 20);
  }));

Deno.test("a SCAN cursor from another db, or after FLUSHDB, starts afresh", () =>
  withHarness((h) => {
    fill(h, 30);
    h.run("SELECT", 1);
    h.run("SET", "only", "1");
    h.run("SELECT", 0);
    const c = (h.run("SCAN", "0", "COUNT", 5) as [string, string[]])[0];
    h.run("SELECT", 1);
    assert.deepEqual(h.run("SCAN", c), ["0", ["only"]]);
    h.run("SELECT", 0);
    // The cursor was not used up by db 1's scan: it continues in db 0.
    const r = h.run("SCAN", c, "COUNT", 100) as [string, string[]];
    assert.equal(r[1].length, 25);
    const c2 = (h.run("SCAN", "0", "COUNT", 5) as [string, string[]])[0];
    h.run("FLUSHDB");
    h.run("SET", "fresh", "1");
    assert.deepEqual(h.run("SCAN", c2), ["0", ["fresh"]]);
  }));

Deno.test("parked SCAN cursors are capped and dropped when their keyspace is replaced", () =>
  withHarness((h) => {
    fill(h, 30);
    const scans = h.server.keyspace.scans;
    const cursors: string[] = [];
    for (let i = 0; i < scans.maxCursors + 10; i++) {
      cursors.push((h.run("SCAN", "0", "COUNT", 1) as [string, string[]])[0]);
    }
    assert.equal(scans.size, scans.maxCursors);
    // The oldest was evicted: it restarts (duplicates, no misses).
    assert.equal((h.run("SCAN", cursors[0], "COUNT", 100) as [string, string[]])[1].length, 30);
    h.run("SWAPDB", 0, 1);
    h.server.keyspace.activeExpireCycle(25);
    assert.equal(scans.size, 0);
  }));

// --- RENAME / RENAMENX

Deno.test("RENAME moves the value and its TTL, overwriting the destination", () =>
  withHarness((h) => {
    h.run("SET", "src", "v");
    h.run("SET", "dst", "old");
    h.run("PEXPIRE", "dst", 5000);
    h.run("PEXPIRE", "src", 100000);
    const at = h.server.keyspace.dbs[0].getExpire("src");
    h.propagated();
    const events = recordEvents(h);
    const dirty = h.server.keyspace.dirty;
    assert.deepEqual(h.run("RENAME", "src", "dst"), status("OK"));
    assert.equal(h.server.keyspace.dirty, dirty + 1);
    assert.equal(h.run("GET", "dst"), "v");
    assert.equal(h.run("EXISTS", "src"), 0);
    assert.equal(h.server.keyspace.dbs[0].getExpire("dst"), at);
    assert.equal(h.server.keyspace.dbs[0].getExpire("src"), undefined);
    assert.deepEqual(h.propagated(), [["RENAME", "src", "dst"]]);
    assert.deepEqual(events.slice(0, 2), ["g rename_from src 0", "g rename_to dst 0"]);
    h.run("SET", "plain", "p");
    h.run("RENAME", "plain", "dst");
    assert.equal(h.run("TTL", "dst"), -1, "a source without TTL leaves none");
  }));

Deno.test("RENAME errors and same-key behaviour", () =>
  withHarness((h) => {
    assert.deepEqual(h.run("RENAME", "nokey", "x"), err("ERR no such key"));
    assert.deepEqual(h.run("RENAME", "nokey", "nokey"), err("ERR no such key"));
    assert.deepEqual(h.run("RENAMENX", "nokey", "x"), err("ERR no such key"));
    h.run("SET", "a", "1");
    h.run("EXPIRE", "a", 100);
    h.propagated();
    assert.deepEqual(h.run("RENAME", "a", "a"), status("OK"));
    assert.equal(h.run("RENAMENX", "a", "a"), 0);
    assert.equal(h.run("TTL", "a"), 100, "same-key rename keeps the TTL");
    assert.deepEqual(h.propagated(), [], "a no-op rename is not propagated");
    expireNow(h, "a");
    assert.deepEqual(h.run("RENAME", "a", "b"), err("ERR no such key"));
  }));

Deno.test("RENAMENX renames only when the destination does not exist", () =>
  withHarness((h) => {
    h.run("SET", "x", "1");
    h.run("SET", "y", "2");
    assert.equal(h.run("RENAMENX", "x", "y"), 0);
    assert.equal(h.run("GET", "y"), "2");
    assert.equal(h.run("RENAMENX", "x", "z"), 1);
    assert.deepEqual([h.run("GET", "x"), h.run("GET", "z")], [null, "1"]);
    h.run("SET", "e", "gone");
    expireNow(h, "e");
    assert.equal(h.run("RENAMENX", "z", "e"), 1, "an expired destination does not count");
  }));

Deno.test("RENAME invalidates WATCH on both keys", () =>
  withHarness((h) => {
    const other = h.newClient();
    h.run("SET", "a", "1");
    h.run("WATCH", "b");
    h.runAs(other, "RENAME", "a", "b");
    h.run("MULTI");
    h.run("GET", "b");
    assert.equal(h.raw(["EXEC"]), "*-1\r\n");
  }));

// --- COPY

Deno.test("COPY duplicates value and TTL; REPLACE and DB options", () =>
  withHarness((h) => {
    h.run("SET", "c1", "v");
    h.run("PEXPIRE", "c1", 100000);
    h.propagated();
    const events = recordEvents(h);
    assert.equal(h.run("COPY", "c1", "c2"), 1);
    assert.equal(h.run("GET", "c2"), "v");
    assert.equal(
      h.server.keyspace.dbs[0].getExpire("c2"),
      h.server.keyspace.dbs[0].getExpire("c1"),
    );
    assert.equal(h.run("COPY", "c1", "c2"), 0, "destination exists");
    h.run("SET", "c1", "v2");
    assert.equal(h.run("COPY", "c1", "c2", "replace"), 1);
    assert.equal(h.run("GET", "c2"), "v2");
    assert.equal(h.run("TTL", "c2"), -1, "REPLACE drops the old destination's TTL");
    assert.equal(h.run("COPY", "c1", "c1", "DB", 1), 1);
    assert.equal(h.run("COPY", "c1", "c1", "DB", 1), 0);
    assert.equal(h.run("COPY", "c1", "c1", "REPLACE", "DB", 1, "REPLACE"), 1);
    assert.equal(h.run("COPY", "nokey", "c3"), 0);
    h.run("SELECT", 1);
    assert.equal(h.run("GET", "c1"), "v2");
    assert.ok(events.includes("g copy_to c2 0") && events.includes("g copy_to c1 1"));
    assert.equal(h.propagated().filter((c) => c[0] === "COPY").length, 4);
  }));

Deno.test("COPY errors", () =>
  withHarness((h) => {
    h.run("SET", "a", "1");
    assert.deepEqual(
      h.run("COPY", "a", "a"),
      err("ERR source and destination objects are the same"),
    );
    assert.deepEqual(
      h.run("COPY", "a", "a", "DB", 0),
      err("ERR source and destination objects are the same"),
    );
    assert.deepEqual(
      h.run("COPY", "a", "b", "DB", "x"),
      err("ERR value is not an integer or out of range"),
    );
    assert.deepEqual(h.run("COPY", "a", "b", "DB", -1), err("ERR DB index is out of range"));
    assert.deepEqual(h.run("COPY", "a", "b", "DB", 16), err("ERR DB index is out of range"));
    assert.deepEqual(
      h.run("COPY", "a", "b", "DB", "99999999999"),
      err("ERR value is out of range, value must between -2147483648 and 2147483647"),
    );
    assert.deepEqual(h.run("COPY", "a", "b", "foo"), err("ERR syntax error"));
    assert.deepEqual(h.run("COPY", "a", "b", "DB"), err("ERR syntax error"));
    assert.deepEqual(h.run("COPY", "a"), err("ERR wrong number of arguments for 'copy' command"));
  }));

Deno.test("COPY deep-copies object values through their clone hook", () =>
  withHarness((h) => {
    const src = new FakeObject("list", ["a", "b"]);
    h.server.keyspace.dbs[0].add("l", src);
    assert.equal(h.run("COPY", "l", "l2"), 1);
    const copy = h.server.keyspace.dbs[0].data.get("l2") as FakeObject;
    assert.notEqual(copy, src);
    assert.deepEqual(copy.items, ["a", "b"]);
    src.items.push("c");
    assert.deepEqual(copy.items, ["a", "b"]);
    assert.equal(src.cloned, 1);
  }));

// --- MOVE / SWAPDB

Deno.test("MOVE transfers a key with its TTL to another db", () =>
  withHarness((h) => {
    h.run("SET", "m", "v");
    h.run("PEXPIRE", "m", 100000);
    const at = h.server.keyspace.dbs[0].getExpire("m");
    h.propagated();
    const events = recordEvents(h);
    assert.equal(h.run("MOVE", "m", 2), 1);
    assert.equal(h.run("EXISTS", "m"), 0);
    assert.equal(h.server.keyspace.dbs[2].data.get("m"), "v");
    assert.equal(h.server.keyspace.dbs[2].getExpire("m"), at);
    assert.equal(h.run("MOVE", "m", 2), 0, "gone from the source");
    assert.deepEqual(h.propagated(), [["MOVE", "m", "2"]]);
    assert.deepEqual(events.filter((e) => e.startsWith("g")), ["g move_from m 0", "g move_to m 2"]);
    h.run("SET", "m", "mine");
    assert.equal(h.run("MOVE", "m", 2), 0, "destination exists");
    assert.equal(h.run("GET", "m"), "mine");
  }));

Deno.test("MOVE errors", () =>
  withHarness((h) => {
    h.run("SET", "a", "1");
    assert.deepEqual(h.run("MOVE", "a", 0), err("ERR source and destination objects are the same"));
    assert.deepEqual(h.run("MOVE", "a", "x"), err("ERR value is not an integer or out of range"));
    assert.deepEqual(h.run("MOVE", "a", 16), err("ERR DB index is out of range"));
    assert.deepEqual(h.run("MOVE", "a", -1), err("ERR DB index is out of range"));
    assert.deepEqual(
      h.run("MOVE", "a", "3000000000"),
      err("ERR value is out of range, value must between -2147483648 and 2147483647"),
    );
    assert.equal(h.run("MOVE", "nokey", 1), 0);
    assert.deepEqual(
      h.run("MOVE", "nokey", 0),
      err("ERR source and destination objects are the same"),
    );
  }));

Deno.test("SWAPDB exchanges two databases and invalidates WATCH", () =>
  withHarness((h) => {
    const other = h.newClient();
    h.run("SET", "d0", "zero");
    h.runAs(other, "SELECT", 1);
    h.runAs(other, "SET", "d1", "one");
    h.run("WATCH", "d1");
    h.propagated();
    assert.deepEqual(h.runAs(other, "SWAPDB", 0, 1), status("OK"));
    assert.deepEqual([h.run("GET", "d0"), h.run("GET", "d1")], [null, "one"]);
    assert.deepEqual([h.runAs(other, "GET", "d0"), h.runAs(other, "GET", "d1")], ["zero", null]);
    h.run("MULTI");
    h.run("GET", "d1");
    assert.equal(h.raw(["EXEC"]), "*-1\r\n");
    assert.deepEqual(h.propagated(), [["SWAPDB", "0", "1"]]);
  }));

Deno.test("SWAPDB of a db with itself is a counted no-op; index errors", () =>
  withHarness((h) => {
    h.run("SET", "k", "v");
    h.run("WATCH", "k");
    h.propagated();
    assert.deepEqual(h.run("SWAPDB", 0, 0), status("OK"));
    assert.deepEqual(h.propagated(), [["SWAPDB", "0", "0"]]);
    h.run("MULTI");
    h.run("GET", "k");
    assert.deepEqual(h.run("EXEC"), ["v"], "WATCH survives");
    assert.deepEqual(h.run("SWAPDB", "x", 1), err("ERR invalid first DB index"));
    assert.deepEqual(h.run("SWAPDB", 0, "x"), err("ERR invalid second DB index"));
    assert.deepEqual(h.run("SWAPDB", "3000000000", 1), err("ERR invalid first DB index"));
    assert.deepEqual(h.run("SWAPDB", 0, 16), err("ERR DB index is out of range"));
    assert.deepEqual(h.run("SWAPDB", -1, 0), err("ERR DB index is out of range"));
  }));

// --- FLUSHDB / FLUSHALL / DBSIZE

Deno.test("FLUSHDB empties the current db only, counts the keys as changes", () =>
  withHarness((h) => {
    fill(h, 5);
    h.run("SELECT", 1);
    h.run("SET", "k", "v");
    h.run("SELECT", 0);
    h.propagated();
    const dirty = h.server.keyspace.dirty;
    assert.equal(h.run("DBSIZE"), 5);
    assert.deepEqual(h.run("FLUSHDB"), status("OK"));
    assert.equal(h.server.keyspace.dirty, dirty + 5);
    assert.equal(h.run("DBSIZE"), 0);
    assert.equal(h.server.keyspace.dbs[1].size, 1);
    assert.deepEqual(h.run("FLUSHDB", "async"), status("OK"));
    assert.deepEqual(h.run("FLUSHDB", "SYNC"), status("OK"));
    assert.deepEqual(h.propagated(), [
      ["SELECT", "0"],
      ["FLUSHDB"],
      ["FLUSHDB", "async"],
      ["FLUSHDB", "SYNC"],
    ]);
    assert.deepEqual(h.run("FLUSHDB", "foo"), err("ERR syntax error"));
    assert.deepEqual(h.run("FLUSHDB", "async", "sync"), err("ERR syntax error"));
    assert.deepEqual(h.propagated(), []);
  }));

Deno.test("FLUSHALL empties every db and propagates as FLUSHALL even when empty", () =>
  withHarness((h) => {
    fill(h, 3);
    h.server.keyspace.dbs[5].set("k", "v");
    h.propagated();
    const dirty = h.server.keyspace.dirty;
    assert.deepEqual(h.run("FLUSHALL"), status("OK"));
    assert.equal(h.server.keyspace.dirty, dirty + 4 + 1);
    assert.ok(h.server.keyspace.dbs.every((db) => db.size === 0));
    assert.deepEqual(h.run("FLUSHALL", "ASYNC"), status("OK"));
    assert.deepEqual(h.propagated(), [["SELECT", "0"], ["FLUSHALL"], ["FLUSHALL", "ASYNC"]]);
    assert.deepEqual(h.run("FLUSHALL", "foo"), err("ERR syntax error"));
  }));

Deno.test("FLUSHDB and FLUSHALL invalidate WATCH on existing keys only", () =>
  withHarness((h) => {
    const other = h.newClient();
    h.run("SET", "k", "v");
    h.run("WATCH", "k");
    h.runAs(other, "FLUSHDB");
    h.run("MULTI");
    assert.equal(h.raw(["EXEC"]), "*-1\r\n");
    h.run("WATCH", "missing");
    h.runAs(other, "FLUSHALL");
    h.run("MULTI");
    h.run("PING");
    assert.deepEqual(h.run("EXEC"), [status("PONG")], "flushing a watched key that did not exist");
  }));

Deno.test("DBSIZE counts logically expired keys not yet reclaimed", () =>
  withHarness((h) => {
    fill(h, 3);
    expireNow(h, "key:0");
    assert.equal(h.run("DBSIZE"), 3);
    h.run("GET", "key:0");
    assert.equal(h.run("DBSIZE"), 2);
  }));

// --- RANDOMKEY

Deno.test("RANDOMKEY replies null on an empty db and a key otherwise", () =>
  withHarness((h) => {
    assert.equal(h.raw(["RANDOMKEY"]), "$-1\r\n");
    h.run("SET", "only", "1");
    assert.equal(h.run("RANDOMKEY"), "only");
  }));

Deno.test("RANDOMKEY eventually returns every key of a small keyspace", () =>
  withHarness((h) => {
    fill(h, 20);
    const seen = new Set<Value>();
    for (let i = 0; i < 2000 && seen.size < 20; i++) seen.add(h.run("RANDOMKEY"));
    assert.equal(seen.size, 20);
  }));

Deno.test("RANDOMKEY spreads over a large keyspace", () =>
  withHarness((h) => {
    fill(h, 10000);
    const seen = new Set<Value>();
    for (let i = 0; i < 1000; i++) seen.add(h.run("RANDOMKEY"));
    assert.ok(seen.size > 900, `only ${seen.size} distinct keys`);
    // Successive picks are not confined to the start of the keyspace.
    let late = 0;
    for (const k of seen) if (Number((k as string).slice(4)) >= 5000) late++;
    assert.ok(late > 0);
  }));

Deno.test("RANDOMKEY skips and reclaims expired keys", () =>
  withHarness((h) => {
    fill(h, 10);
    for (let i = 0; i < 9; i++) expireNow(h, `key:${i}`);
    assert.equal(h.run("RANDOMKEY"), "key:9");
    for (let i = 0; i < 20; i++) assert.equal(h.run("RANDOMKEY"), "key:9");
    expireNow(h, "key:9");
    assert.equal(h.run("RANDOMKEY"), null);
    assert.equal(h.run("DBSIZE"), 0);
  }));

Deno.test("RANDOMKEY follows the db's Map across FLUSHDB and SWAPDB", () =>
  withHarness((h) => {
    h.run("SET", "a", "1");
    assert.equal(h.run("RANDOMKEY"), "a");
    h.run("FLUSHDB");
    h.run("SET", "b", "1");
    assert.equal(h.run("RANDOMKEY"), "b");
    h.run("SELECT", 1);
    h.run("SET", "c", "1");
    h.run("SWAPDB", 0, 1);
    assert.equal(h.run("RANDOMKEY"), "b");
    h.run("SELECT", 0);
    assert.equal(h.run("RANDOMKEY"), "c");
  }));

// --- OBJECT

Deno.test("OBJECT ENCODING follows Redis's string encodings", () =>
  withHarness((h) => {
    const cases: [string, string][] = [
      ["12", "int"],
      ["-1", "int"],
      ["9223372036854775807", "int"],
      ["-9223372036854775808", "int"],
      ["12345678901234567890", "embstr"],
      ["012", "embstr"],
      ["1.5", "embstr"],
      ["hello", "embstr"],
      ["x".repeat(44), "embstr"],
      ["x".repeat(45), "raw"],
    ];
    for (const [v, enc] of cases) {
      h.run("SET", "k", v);
      assert.equal(h.run("OBJECT", "ENCODING", "k"), enc, v);
    }
    h.server.keyspace.dbs[0].add("l", new FakeObject("list", ["x"]));
    assert.equal(h.run("OBJECT", "encoding", "l"), "listpack");
    assert.equal(h.raw(["OBJECT", "ENCODING", "nokey"]), "$-1\r\n");
  }));

Deno.test("OBJECT ENCODING reports raw for strings a writer marked raw", () =>
  withHarness((h) => {
    const db = h.server.keyspace.dbs[0];
    h.run("SET", "k", "10");
    db.markRaw("k");
    assert.equal(h.run("OBJECT", "ENCODING", "k"), "raw");
    assert.equal(h.run("OBJECT", "REFCOUNT", "k"), 1);
    h.run("RENAME", "k", "k2");
    assert.equal(h.run("OBJECT", "ENCODING", "k2"), "raw", "RENAME keeps the encoding");
    h.run("COPY", "k2", "k3");
    assert.equal(h.run("OBJECT", "ENCODING", "k3"), "raw", "COPY keeps the encoding");
    h.run("MOVE", "k3", 1);
    assert.equal(db.keyspace.dbs[1].rawStrings.has("k3"), true, "MOVE keeps the encoding");
    h.run("SET", "k2", "10");
    assert.equal(h.run("OBJECT", "ENCODING", "k2"), "int", "SET re-encodes");
    assert.deepEqual([...db.rawStrings], []);
  }));

Deno.test("OBJECT REFCOUNT: shared integers 0..9999 unless an LRU/LFU limit is set", () =>
  withHarness((h) => {
    for (
      const [v, rc] of [["0", 2147483647], ["9999", 2147483647], ["10000", 1], ["-1", 1], ["a", 1]]
    ) {
      h.run("SET", "k", v);
      assert.equal(h.run("OBJECT", "REFCOUNT", "k"), rc, String(v));
    }
    h.run("SET", "k", "5");
    h.server.config.set("maxmemory-policy", "allkeys-lru");
    assert.equal(h.run("OBJECT", "REFCOUNT", "k"), 2147483647, "no maxmemory: still shared");
    h.server.config.set("maxmemory", "100000000");
    assert.equal(h.run("OBJECT", "REFCOUNT", "k"), 1);
    h.server.config.set("maxmemory-policy", "volatile-ttl");
    assert.equal(h.run("OBJECT", "REFCOUNT", "k"), 2147483647);
    assert.equal(h.raw(["OBJECT", "REFCOUNT", "nokey"]), "$-1\r\n");
  }));

Deno.test("OBJECT FREQ needs an LFU policy", () =>
  withHarness((h) => {
    h.run("SET", "k", "v");
    h.run("SET", "n", "5");
    assert.deepEqual(
      h.run("OBJECT", "FREQ", "k"),
      err(
        "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.",
      ),
    );
    assert.equal(h.raw(["OBJECT", "FREQ", "nokey"]), "$-1\r\n", "a missing key is checked first");
    h.server.config.set("maxmemory-policy", "allkeys-lfu");
    assert.equal(h.run("OBJECT", "FREQ", "k"), 5);
    assert.equal(h.run("OBJECT", "FREQ", "n"), 0);
  }));

Deno.test("OBJECT HELP, unknown subcommands and arity", () =>
  withHarness((h) => {
    const help = h.run("OBJECT", "HELP") as Value[];
    assert.equal(help.length, 15);
    assert.deepEqual(
      help[0],
      status("OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"),
    );
    assert.deepEqual(help[14], status("    Prints this help."));
    assert.deepEqual(h.run("OBJECT", "foo"), err("ERR unknown subcommand 'foo'. Try OBJECT HELP."));
    assert.equal(h.run("OBJECT", "idletime", "k"), null, "IDLETIME exists (maxmemory_test.ts)");
    assert.deepEqual(h.run("OBJECT"), err("ERR wrong number of arguments for 'object' command"));
    assert.deepEqual(
      h.run("OBJECT", "ENCODING"),
      err("ERR wrong number of arguments for 'object|encoding' command"),
    );
    assert.deepEqual(
      h.run("OBJECT", "HELP", "x"),
      err("ERR wrong number of arguments for 'object|help' command"),
    );
  }));

Deno.test("OBJECT counts keyspace hits and misses but fires no keymiss event", () =>
  withHarness((h) => {
    const events = recordEvents(h);
    h.run("SET", "k", "v");
    h.run("OBJECT", "ENCODING", "k");
    h.run("OBJECT", "ENCODING", "nokey");
    assert.equal(h.server.keyspace.stats.keyspaceHits, 1);
    assert.equal(h.server.keyspace.stats.keyspaceMisses, 1);
    assert.deepEqual(events.filter((e) => e.includes("keymiss")), []);
  }));
