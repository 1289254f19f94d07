// Expiry commands through the dispatcher (EXPIRE PEXPIRE EXPIREAT PEXPIREAT TTL PTTL
// EXPIRETIME PEXPIRETIME PERSIST), plus lazy and active expiry as the commands see them.
// Replies, errors and propagated forms were checked against redis-server 7.0.15 (its AOF).
// Expiry is driven by writing past times into db.expires: no sleeps.

import assert from "node:assert/strict";
import { Harness, withHarness } from "../helpers/harness.ts";

const err = (error: string) => ({ error });

function expiresAt(h: Harness, key: string, db = 0): number | undefined {
  return h.server.keyspace.dbs[db].getExpire(key);
}

/** Marks `key` as expired a second ago, without deleting it. */
function expireNow(h: Harness, key: string, db = 0): void {
  h.server.keyspace.dbs[db].expires.set(key, Date.now() - 1000);
}

function recordEvents(h: Harness): string[] {
  const events: string[] = [];
  h.server.keyspace.hooks.notify = (type, event, key, db) => {
    events.push(`${type} ${event} ${key} ${db}`);
  };
  return events;
}

// --- setting a TTL

Deno.test("EXPIRE sets a relative TTL and propagates PEXPIREAT with the absolute ms", () =>
  withHarness((h) => {
    h.run("SET", "k", "v");
    h.propagated();
    const events = recordEvents(h);
    const before = Date.now();
    assert.equal(h.run("EXPIRE", "k", 100), 1);
    const at = expiresAt(h, "k")!;
    assert.ok(at >= before + 100000 && at <= Date.now() + 100000);
    assert.equal(h.run("TTL", "k"), 100);
    const pttl = h.run("PTTL", "k") as number;
    assert.ok(pttl > 99000 && pttl <= 100000);
    assert.deepEqual(h.propagated(), [["PEXPIREAT", "k", String(at)]]);
    assert.deepEqual(events, ["g expire k 0"]);
  }));

Deno.test("PEXPIRE, EXPIREAT and PEXPIREAT set absolute times; PEXPIREAT propagates as sent", () =>
  withHarness((h) => {
    h.run("SET", "k", "v");
    h.propagated();
    assert.equal(h.run("EXPIREAT", "k", 4102444800), 1);
    assert.equal(expiresAt(h, "k"), 4102444800000);
    assert.equal(h.run("EXPIRETIME", "k"), 4102444800);
    assert.equal(h.run("PEXPIRETIME", "k"), 4102444800000);
    assert.equal(h.run("pexpireat", "k", 4102444800500), 1);
    assert.equal(h.run("EXPIRETIME", "k"), 4102444801, "rounded to the nearest second");
    assert.equal(h.run("PEXPIRETIME", "k"), 4102444800500);
    const before = Date.now();
    assert.equal(h.run("PEXPIRE", "k", 5000), 1);
    const at = expiresAt(h, "k")!;
    assert.ok(at >= before + 5000 && at <= Date.now() + 5000);
    assert.deepEqual(h.propagated(), [
      ["PEXPIREAT", "k", "4102444800000"],
      ["pexpireat", "k", "4102444800500"],
      ["PEXPIREAT", "k", String(at)],
    ]);
  }));

Deno.test("the expiry commands reply 0 for a missing key and propagate nothing", () =>
  withHarness((h) => {
    for (const cmd of ["EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT"]) {
      assert.equal(h.run(cmd, "nokey", 100), 0);
    }
    assert.equal(h.run("PERSIST", "nokey"), 0);
    assert.deepEqual(h.propagated(), []);
  }));

Deno.test("a time in the past deletes the key and propagates DEL", () =>
  withHarness((h) => {
    const events = recordEvents(h);
    for (const args of [["EXPIRE", -1], ["PEXPIRE", 0], ["EXPIREAT", 1], ["PEXPIREAT", 0]]) {
      h.run("SET", "k", "v");
      h.propagated();
      assert.equal(h.run(args[0], "k", args[1]), 1, String(args[0]));
      assert.equal(h.run("EXISTS", "k"), 0);
      assert.deepEqual(h.propagated(), [["DEL", "k"]], String(args[0]));
    }
    assert.ok(events.includes("g del k 0"));
    assert.equal(h.server.keyspace.stats.expiredKeys, 0, "a deletion, not an expiry");
  }));

Deno.test("with lazyfree-lazy-expire a past time propagates UNLINK", () =>
  withHarness((h) => {
    h.server.config.set("lazyfree-lazy-expire", "yes");
    h.run("SET", "k", "v");
    h.propagated();
    assert.equal(h.run("EXPIRE", "k", -5), 1);
    assert.deepEqual(h.propagated(), [["UNLINK", "k"]]);
  }));

Deno.test("from the master link a past time sets the TTL instead of deleting", () =>
  withHarness((h) => {
    h.run("SET", "k", "v");
    h.server.replicaOf = { host: "127.0.0.1", port: 1 };
    h.client.isMaster = true;
    try {
      h.run("PEXPIREAT", "k", 1); // the master link gets no reply
      assert.equal(h.server.keyspace.dbs[0].data.has("k"), true, "waits for the master's DEL");
      assert.equal(expiresAt(h, "k"), 1);
      assert.equal(h.runAs(h.newClient(), "EXISTS", "k"), 0, "but is hidden from reads");
      assert.equal(h.server.keyspace.dbs[0].data.has("k"), true);
    } finally {
      h.server.replicaOf = null;
      h.client.isMaster = false;
    }
  }));

// --- NX / XX / GT / LT

Deno.test("NX, XX, GT and LT decide from the current TTL", () =>
  withHarness((h) => {
    h.run("SET", "k", "v");
    assert.equal(h.run("EXPIRE", "k", 100, "XX"), 0, "XX without TTL");
    assert.equal(h.run("EXPIRE", "k", 100, "GT"), 0, "no TTL is infinite: GT fails");
    assert.equal(h.run("TTL", "k"), -1);
    assert.equal(h.run("EXPIRE", "k", 100, "LT"), 1, "anything is less than infinite");
    assert.equal(h.run("EXPIRE", "k", 200, "NX"), 0);
    assert.equal(h.run("EXPIRE", "k", 200, "XX"), 1);
    assert.equal(h.run("EXPIRE", "k", 50, "gt"), 0);
    assert.equal(h.run("EXPIRE", "k", 300, "gt"), 1);
    assert.equal(h.run("EXPIRE", "k", 400, "lt"), 0);
    assert.equal(h.run("EXPIRE", "k", 150, "Lt"), 1);
    // 149 s from now is below the TTL set just above (150 s from a moment ago), however
    // many milliseconds passed in between; 150 itself would race with the clock.
    assert.equal(h.run("EXPIRE", "k", 149, "XX", "GT"), 0);
    assert.equal(h.run("EXPIRE", "k", 160, "XX", "GT"), 1);
    assert.equal(h.run("TTL", "k"), 160);
    h.run("PERSIST", "k");
    assert.equal(h.run("EXPIRE", "k", 100, "NX"), 1);
    assert.equal(h.run("EXPIRE", "k", 100, "NX", "NX"), 0);
    // A past time still obeys the condition before deleting.
    assert.equal(h.run("EXPIRE", "k", -5, "GT"), 0);
    assert.equal(h.run("EXISTS", "k"), 1);
    assert.equal(h.run("EXPIRE", "k", -5, "LT"), 1);
    assert.equal(h.run("EXISTS", "k"), 0);
  }));

Deno.test("options stay in the propagated PEXPIREAT", () =>
  withHarness((h) => {
    h.run("SET", "k", "v");
    h.propagated();
    h.run("EXPIRE", "k", 100, "nx");
    const at = String(expiresAt(h, "k"));
    h.run("EXPIREAT", "k", 4102444800, "XX", "gt");
    assert.deepEqual(h.propagated(), [
      ["PEXPIREAT", "k", at, "nx"],
      ["PEXPIREAT", "k", "4102444800000", "XX", "gt"],
    ]);
  }));

Deno.test("option errors come before the time is parsed", () =>
  withHarness((h) => {
    h.run("SET", "k", "v");
    const nx = err("ERR NX and XX, GT or LT options at the same time are not compatible");
    assert.deepEqual(h.run("EXPIRE", "k", 10, "FOO"), err("ERR Unsupported option FOO"));
    assert.deepEqual(h.run("EXPIRE", "k", "x", "foo"), err("ERR Unsupported option foo"));
    assert.deepEqual(h.run("EXPIRE", "k", 10, "a\r\nb"), err("ERR Unsupported option a  b"));
    assert.deepEqual(h.run("EXPIRE", "k", 10, "NX", "XX"), nx);
    assert.deepEqual(h.run("EXPIRE", "k", 10, "nx", "gt"), nx);
    assert.deepEqual(h.run("PEXPIRE", "k", 10, "LT", "NX"), nx);
    assert.deepEqual(
      h.run("EXPIREAT", "k", 10, "GT", "LT"),
      err("ERR GT and LT options at the same time are not compatible"),
    );
    assert.deepEqual(h.run("EXPIRE", "k", "x"), err("ERR value is not an integer or out of range"));
    assert.deepEqual(
      h.run("EXPIRE", "k", "1.5"),
      err("ERR value is not an integer or out of range"),
    );
    assert.deepEqual(h.run("EXPIRE", "k", ""), err("ERR value is not an integer or out of range"));
    assert.deepEqual(
      h.run("EXPIRE", "k"),
      err("ERR wrong number of arguments for 'expire' command"),
    );
    assert.equal(h.run("TTL", "k"), -1);
  }));

Deno.test("times that overflow 64-bit milliseconds are rejected", () =>
  withHarness((h) => {
    h.run("SET", "k", "v");
    const invalid = (cmd: string) => err(`ERR invalid expire time in '${cmd}' command`);
    assert.deepEqual(h.run("EXPIRE", "k", "9223372036854775807"), invalid("expire"));
    assert.deepEqual(h.run("EXPIRE", "k", "9223372036854776"), invalid("expire"));
    assert.deepEqual(h.run("EXPIRE", "k", "9223370399119966"), invalid("expire"));
    assert.deepEqual(h.run("EXPIRE", "k", "-9223372036854776"), invalid("expire"));
    assert.deepEqual(h.run("expireat", "k", "9223372036854776"), invalid("expireat"));
    assert.deepEqual(h.run("PEXPIRE", "k", "9223372036854770000"), invalid("pexpire"));
    assert.deepEqual(h.run("PEXPIRE", "k", "9223372036854775807"), invalid("pexpire"));
    assert.equal(h.run("TTL", "k"), -1);
    h.propagated();
    // The edges that fit: far future is kept, far past deletes.
    assert.equal(h.run("PEXPIREAT", "k", "9223372036854770000"), 1);
    assert.ok((h.run("PTTL", "k") as number) > 9e18);
    assert.equal(h.run("EXPIREAT", "k", "9223372036854775"), 1);
    assert.deepEqual(h.propagated(), [
      ["PEXPIREAT", "k", "9223372036854770000"],
      ["PEXPIREAT", "k", "9223372036854775000"],
    ]);
    assert.equal(h.run("EXPIRE", "k", "-9223372036854775"), 1);
    assert.equal(h.run("EXISTS", "k"), 0);
    h.run("SET", "k", "v");
    assert.equal(h.run("PEXPIREAT", "k", "-9223372036854775808"), 1);
    assert.equal(h.run("EXISTS", "k"), 0);
  }));

// --- reading the TTL

Deno.test("TTL, PTTL, EXPIRETIME and PEXPIRETIME: -2 missing, -1 no TTL", () =>
  withHarness((h) => {
    for (const cmd of ["TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"]) {
      assert.equal(h.raw([cmd, "nokey"]), ":-2\r\n");
    }
    h.run("SET", "k", "v");
    for (const cmd of ["TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"]) {
      assert.equal(h.raw([cmd, "k"]), ":-1\r\n");
    }
  }));

Deno.test("TTL rounds to the nearest second", () =>
  withHarness((h) => {
    h.run("SET", "k", "v");
    const db = h.server.keyspace.dbs[0];
    // Margins of hundreds of ms absorb the time between here and the command's clock.
    db.setExpire("k", Date.now() + 100600);
    assert.equal(h.run("TTL", "k"), 101);
    db.setExpire("k", Date.now() + 100300);
    assert.equal(h.run("TTL", "k"), 100);
  }));

Deno.test("PERSIST removes the TTL once", () =>
  withHarness((h) => {
    h.run("SET", "k", "v");
    assert.equal(h.run("PERSIST", "k"), 0);
    h.run("EXPIRE", "k", 100);
    h.propagated();
    const events = recordEvents(h);
    assert.equal(h.run("PERSIST", "k"), 1);
    assert.equal(h.run("TTL", "k"), -1);
    assert.equal(h.run("PERSIST", "k"), 0);
    assert.deepEqual(h.propagated(), [["PERSIST", "k"]]);
    assert.deepEqual(events, ["g persist k 0"]);
  }));

// --- lazy and active expiry

Deno.test("a read of an expired key deletes it, propagates DEL and fires expired", () =>
  withHarness((h) => {
    h.run("SET", "k", "v");
    h.run("EXPIRE", "k", 100);
    expireNow(h, "k");
    h.propagated();
    const events = recordEvents(h);
    const dirty = h.server.keyspace.dirty;
    assert.equal(h.run("TTL", "k"), -2);
    assert.equal(h.server.keyspace.dbs[0].data.has("k"), false);
    assert.deepEqual(h.propagated(), [["DEL", "k"]]);
    assert.deepEqual(events, ["x expired k 0", "m keymiss k 0"]);
    assert.equal(h.server.keyspace.stats.expiredKeys, 1);
    assert.equal(h.server.keyspace.dirty, dirty, "expiry does not count as a change");
  }));

Deno.test("EXPIRE or PERSIST on an expired key replies 0 and propagates only the DEL", () =>
  withHarness((h) => {
    h.run("SET", "a", "v");
    h.run("SET", "b", "v");
    h.run("EXPIRE", "b", 100);
    expireNow(h, "a");
    expireNow(h, "b");
    h.propagated();
    assert.equal(h.run("EXPIRE", "a", 100), 0);
    assert.equal(h.run("PERSIST", "b"), 0);
    assert.deepEqual(h.propagated(), [["DEL", "a"], ["DEL", "b"]]);
  }));

Deno.test("active expiry reclaims expired keys in every db and propagates DELs", () =>
  withHarness((h) => {
    const ks = h.server.keyspace;
    for (let i = 0; i < 100; i++) {
      ks.dbs[0].set(`k${i}`, "v");
      ks.dbs[0].setExpire(`k${i}`, i % 2 === 0 ? Date.now() - 1 : Date.now() + 100000);
    }
    ks.dbs[3].set("x", "v");
    ks.dbs[3].setExpire("x", Date.now() - 1);
    h.propagated();
    for (let i = 0; i < 20 && (ks.dbs[0].size > 50 || ks.dbs[3].size > 0); i++) {
      ks.activeExpireCycle(25);
    }
    assert.equal(ks.dbs[0].size, 50);
    assert.equal(ks.dbs[3].size, 0);
    assert.equal(ks.stats.expiredKeys, 51);
    const dels = h.propagated().filter((c) => c[0] === "DEL");
    assert.equal(dels.length, 51);
    assert.equal(h.run("TTL", "k1") as number > 0, true);
  }));

Deno.test("WATCH fails when the watched key expires, lazily or actively", () =>
  withHarness((h) => {
    h.run("SET", "k", "v");
    h.run("EXPIRE", "k", 100);
    h.run("WATCH", "k");
    expireNow(h, "k");
    h.run("MULTI");
    h.run("PING");
    assert.equal(h.raw(["EXEC"]), "*-1\r\n");

    h.run("SET", "j", "v");
    h.run("EXPIRE", "j", 100);
    h.run("WATCH", "j");
    expireNow(h, "j");
    h.server.keyspace.activeExpireCycle(25);
    assert.equal(h.server.keyspace.dbs[0].data.has("j"), false);
    h.run("MULTI");
    h.run("PING");
    assert.equal(h.raw(["EXEC"]), "*-1\r\n");
  }));

Deno.test("EXPIRE inside MULTI propagates PEXPIREAT within MULTI/EXEC", () =>
  withHarness((h) => {
    h.run("SET", "k", "v");
    h.propagated();
    h.run("MULTI");
    h.run("EXPIRE", "k", 100);
    h.run("SET", "j", "v");
    assert.deepEqual(h.run("EXEC"), [1, { status: "OK" }]);
    const at = String(expiresAt(h, "k"));
    assert.deepEqual(h.propagated(), [
      ["MULTI"],
      ["PEXPIREAT", "k", at],
      ["SET", "j", "v"],
      ["EXEC"],
    ]);
  }));
