// The bitmaps family through the dispatcher: SETBIT GETBIT BITCOUNT BITPOS BITOP BITFIELD
// BITFIELD_RO, every option and error text, what propagates (only real changes), keyspace
// events, encodings and TTLs, and large bitmaps (rope-backed) against a byte-array model.
// Expected values were taken from a real redis-server 7.0.15.

import assert from "node:assert/strict";
import { ByteRope } from "../../src/util/byte_rope.ts";
import { Harness } from "../helpers/harness.ts";
import type { Value } from "../helpers/resp_client.ts";

const WRONGTYPE = { error: "WRONGTYPE Operation against a key holding the wrong kind of value" };
const SYNTAX = { error: "ERR syntax error" };
const NOT_INT = { error: "ERR value is not an integer or out of range" };
const BAD_OFFSET = { error: "ERR bit offset is not an integer or out of range" };
const BAD_BIT = { error: "ERR bit is not an integer or out of range" };
const BAD_TYPE = {
  error:
    "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.",
};

async function withHarness(fn: (h: Harness) => void, args: string[] = []): Promise<void> {
  const h = new Harness(args);
  try {
    fn(h);
  } finally {
    await h.close();
  }
}

// Propagated commands since the last call, without the stream's SELECTs.
function props(h: Harness): string[][] {
  return h.propagated().filter((c) => c[0] !== "SELECT");
}

// Records keyspace events as "class:event:key" (keymiss events left out).
function recordEvents(h: Harness): string[] {
  const events: string[] = [];
  h.server.keyspace.hooks.notify = (type, event, key) => {
    if (type !== "m") events.push(`${type}:${event}:${key}`);
  };
  return events;
}

function get(h: Harness, key: string): Value {
  return h.run("GET", key);
}

// --- SETBIT / GETBIT

Deno.test("SETBIT replies the old bit and grows the string with zero bytes", () =>
  withHarness((h) => {
    assert.equal(h.run("SETBIT", "b", 7, 1), 0);
    assert.equal(get(h, "b"), "\x01");
    assert.equal(h.run("SETBIT", "b", 7, 1), 1);
    assert.equal(h.run("SETBIT", "b", 0, 1), 0);
    assert.equal(get(h, "b"), "\x81");
    assert.equal(h.run("SETBIT", "b", 100, 0), 0);
    assert.equal(get(h, "b"), "\x81" + "\0".repeat(12));
    assert.equal(h.run("GETBIT", "b", 0), 1);
    assert.equal(h.run("GETBIT", "b", 1), 0);
    assert.equal(h.run("GETBIT", "b", 1000), 0);
    assert.equal(h.run("GETBIT", "nokey", 5), 0);
    assert.equal(h.run("OBJECT", "ENCODING", "b"), "raw");
  }));

Deno.test("SETBIT and GETBIT refuse bad offsets and bit values with Redis's texts", () =>
  withHarness((h) => {
    for (const off of ["-1", "abc", "1.5", "", "#1", "4294967296", "99999999999999999999"]) {
      assert.deepEqual(h.run("SETBIT", "b", off, 1), BAD_OFFSET, off);
      assert.deepEqual(h.run("GETBIT", "b", off), BAD_OFFSET, off);
    }
    for (const bit of ["2", "-1", "abc", "01", " 1"]) {
      assert.deepEqual(h.run("SETBIT", "b", 0, bit), BAD_BIT, bit);
    }
    assert.equal(h.run("EXISTS", "b"), 0);
    // The offset is checked before the type of the key.
    h.run("HSET", "hash", "f", "v");
    assert.deepEqual(h.run("SETBIT", "hash", -1, 1), BAD_OFFSET);
    assert.deepEqual(h.run("SETBIT", "hash", 0, 1), WRONGTYPE);
    assert.deepEqual(h.run("GETBIT", "hash", 0), WRONGTYPE);
  }));

Deno.test("the offset limit follows proto-max-bulk-len, except for the master link", () =>
  withHarness((h) => {
    h.run("CONFIG", "SET", "proto-max-bulk-len", 1048576);
    assert.deepEqual(h.run("SETBIT", "b", 8 * 1048576, 1), BAD_OFFSET);
    assert.equal(h.run("SETBIT", "b", 8 * 1048576 - 1, 1), 0);
    assert.equal(h.run("STRLEN", "b"), 1048576);
    const master = h.newClient();
    master.isMaster = true;
    h.runAs(master, "SETBIT", "m", 8 * 1048576 + 7, 1); // the master link gets no reply
    assert.equal(h.run("STRLEN", "m"), 1048577);
  }));

Deno.test("SETBIT works on the decimal digits of an integer value", () =>
  withHarness((h) => {
    h.run("SET", "n", "123");
    assert.equal(h.run("GETBIT", "n", 2), 1);
    assert.equal(h.run("OBJECT", "ENCODING", "n"), "int");
    assert.equal(h.run("SETBIT", "n", 2, 1), 1);
    // Even an unchanged bit makes the value raw (dbUnshareStringValue).
    assert.equal(h.run("OBJECT", "ENCODING", "n"), "raw");
    assert.equal(h.run("SETBIT", "n", 6, 1), 0);
    assert.equal(get(h, "n"), "323");
  }));

Deno.test("SETBIT keeps the TTL and propagates only when a byte changes", () =>
  withHarness((h) => {
    const events = recordEvents(h);
    h.run("SET", "t", "abc", "EX", 100);
    props(h);
    events.length = 0;
    assert.equal(h.run("SETBIT", "t", 1, 1), 1);
    assert.deepEqual(props(h), []);
    assert.deepEqual(events, []);
    assert.equal(h.run("SETBIT", "t", 0, 1), 0);
    assert.deepEqual(props(h), [["SETBIT", "t", "0", "1"]]);
    assert.deepEqual(events, ["$:setbit:t"]);
    assert.equal(h.run("SETBIT", "t", 100, 0), 0);
    assert.deepEqual(props(h), [["SETBIT", "t", "100", "0"]]);
    assert.ok((h.run("TTL", "t") as number) > 0);
    assert.equal(h.run("SETBIT", "fresh", 3, 0), 0);
    assert.deepEqual(props(h), [["SETBIT", "fresh", "3", "0"]]);
  }));

// --- BITCOUNT

Deno.test("BITCOUNT counts bytes or bits with negative indexes", () =>
  withHarness((h) => {
    h.run("SET", "s", "foobar");
    const cases: [(string | number)[], number][] = [
      [[], 26],
      [[0, 0], 4],
      [[1, 1], 6],
      [[-2, -1], 7],
      [[-1, -2], 0],
      [[-100, -1], 26],
      [[5, 100], 4],
      [[3, 1], 0],
      [[1, 2, "BYTE"], 12],
      [[5, 30, "BIT"], 17],
      [[0, 0, "bit"], 0],
      [[1, 1, "BIT"], 1],
      [[-5, -1, "BIT"], 2],
      [[0, 1000, "BIT"], 26],
      [["-9223372036854775808", "9223372036854775807"], 26],
    ];
    for (const [args, want] of cases) {
      assert.equal(h.run("BITCOUNT", "s", ...args), want, JSON.stringify(args));
    }
  }));

Deno.test("BITCOUNT looks the key up before parsing its range, as Redis 7.0 does", () =>
  withHarness((h) => {
    h.run("SET", "s", "foobar");
    assert.equal(h.run("BITCOUNT", "nokey", "a", "b", "c", "d"), 0);
    assert.equal(h.run("BITCOUNT", "nokey", 0), 0);
    assert.deepEqual(h.run("BITCOUNT", "s", 0), SYNTAX);
    assert.deepEqual(h.run("BITCOUNT", "s", 0, 1, 2), SYNTAX);
    assert.deepEqual(h.run("BITCOUNT", "s", 0, 1, "BIT", "x"), SYNTAX);
    assert.deepEqual(h.run("BITCOUNT", "s", "a", 1), NOT_INT);
    assert.deepEqual(h.run("BITCOUNT", "s", 0, "b"), NOT_INT);
    // Two negative indexes in the wrong order reply 0 before the unit is even read.
    assert.equal(h.run("BITCOUNT", "s", -1, -5, "nonsense"), 0);
    h.run("HSET", "hash", "f", "v");
    assert.deepEqual(h.run("BITCOUNT", "hash"), WRONGTYPE);
    h.run("SET", "empty", "");
    assert.equal(h.run("BITCOUNT", "empty", 0, -1, "BIT"), 0);
  }));

// --- BITPOS

Deno.test("BITPOS finds set and clear bits in byte and bit ranges", () =>
  withHarness((h) => {
    h.run("SET", "p", "\xff\xf0\x00");
    const cases: [(string | number)[], number][] = [
      [[0], 12],
      [[1], 0],
      [[0, 2], 16],
      [[1, 2], -1],
      [[1, 2, -1], -1],
      [[0, 0, 0], -1],
      [[0, 8, 15, "BIT"], 12],
      [[1, 12, 20, "BIT"], -1],
      [[0, 7, 7, "BIT"], -1],
      [[1, 7, 7, "BIT"], 7],
      [[0, 5, 3, "BIT"], -1],
      [[0, 100], -1],
      [[0, -1, -2], -1],
    ];
    for (const [args, want] of cases) {
      assert.equal(h.run("BITPOS", "p", ...args), want, JSON.stringify(args));
    }
    h.run("SET", "ones", "\xff\xff\xff");
    // Without an end, the string is taken as zero-padded: the first 0 is just past it.
    assert.equal(h.run("BITPOS", "ones", 0), 24);
    assert.equal(h.run("BITPOS", "ones", 0, 1), 24);
    assert.equal(h.run("BITPOS", "ones", 0, 0, -1), -1);
    assert.equal(h.run("BITPOS", "ones", 0, 3, 20, "BIT"), -1);
    h.run("SET", "mid", "\x00\x00\x01\x00");
    assert.equal(h.run("BITPOS", "mid", 1, 1, 23, "BIT"), 23);
    assert.equal(h.run("BITPOS", "mid", 1, 1, 22, "BIT"), -1);
    assert.equal(h.run("BITPOS", "mid", 1, 23, 23, "BIT"), 23);
  }));

Deno.test("BITPOS validates the bit first and replies for a missing key before the range", () =>
  withHarness((h) => {
    h.run("SET", "p", "\xff");
    assert.deepEqual(h.run("BITPOS", "p", 2), { error: "ERR The bit argument must be 1 or 0." });
    assert.deepEqual(h.run("BITPOS", "nokey", -1), {
      error: "ERR The bit argument must be 1 or 0.",
    });
    assert.deepEqual(h.run("BITPOS", "p", "x"), NOT_INT);
    assert.equal(h.run("BITPOS", "nokey", 1, "junk"), -1);
    assert.equal(h.run("BITPOS", "nokey", 0, 5, 10, "BIT"), 0);
    assert.deepEqual(h.run("BITPOS", "p", 1, "a"), NOT_INT);
    // The unit is checked before the end index is parsed.
    assert.deepEqual(h.run("BITPOS", "p", 1, 0, "a", "bits"), SYNTAX);
    assert.deepEqual(h.run("BITPOS", "p", 1, 0, "a"), NOT_INT);
    assert.deepEqual(h.run("BITPOS", "p", 1, 0, 1, "BIT", "x"), SYNTAX);
  }));

// --- BITOP

Deno.test("BITOP AND, OR, XOR and NOT pad shorter strings with zeros", () =>
  withHarness((h) => {
    h.run("SET", "a", "\xff\x0f");
    h.run("SET", "b", "\x0f\xf0\x55");
    assert.equal(h.run("BITOP", "AND", "d", "a", "b"), 3);
    assert.equal(get(h, "d"), "\x0f\x00\x00");
    assert.equal(h.run("BITOP", "or", "d", "a", "b", "nokey"), 3);
    assert.equal(get(h, "d"), "\xff\xff\x55");
    assert.equal(h.run("BITOP", "Xor", "d", "a", "b"), 3);
    assert.equal(get(h, "d"), "\xf0\xff\x55");
    assert.equal(h.run("BITOP", "NOT", "d", "b"), 3);
    assert.equal(get(h, "d"), "\xf0\x0f\xaa");
    assert.equal(h.run("OBJECT", "ENCODING", "d"), "raw");
  }));

Deno.test("BITOP errors: unknown operation, NOT with several keys, WRONGTYPE", () =>
  withHarness((h) => {
    h.run("SET", "a", "x");
    assert.deepEqual(h.run("BITOP", "NAND", "d", "a"), SYNTAX);
    assert.deepEqual(h.run("BITOP", "NOT", "d", "a", "a"), {
      error: "ERR BITOP NOT must be called with a single source key.",
    });
    h.run("HSET", "hash", "f", "v");
    assert.deepEqual(h.run("BITOP", "AND", "d", "a", "hash"), WRONGTYPE);
    // The destination may hold any type: it is overwritten.
    assert.equal(h.run("BITOP", "OR", "hash", "a"), 1);
    assert.equal(get(h, "hash"), "x");
  }));

Deno.test("BITOP stores without TTL, deletes the destination on an empty result", () =>
  withHarness((h) => {
    const events = recordEvents(h);
    h.run("SET", "a", "\x01");
    h.run("SET", "d", "old", "EX", 100);
    props(h);
    events.length = 0;
    assert.equal(h.run("BITOP", "OR", "d", "a"), 1);
    assert.equal(h.run("TTL", "d"), -1);
    assert.deepEqual(props(h), [["BITOP", "OR", "d", "a"]]);
    assert.deepEqual(events, ["$:set:d"]);
    events.length = 0;
    assert.equal(h.run("BITOP", "AND", "d", "nokey", "nokey2"), 0);
    assert.equal(h.run("EXISTS", "d"), 0);
    assert.deepEqual(props(h), [["BITOP", "AND", "d", "nokey", "nokey2"]]);
    assert.deepEqual(events, ["g:del:d"]);
    // Nothing to delete: nothing changes, nothing propagates.
    assert.equal(h.run("BITOP", "AND", "d", "nokey"), 0);
    assert.deepEqual(props(h), []);
  }));

// --- BITFIELD

Deno.test("BITFIELD GET, SET and INCRBY on signed and unsigned fields", () =>
  withHarness((h) => {
    assert.deepEqual(h.run("BITFIELD", "f", "SET", "u8", 0, 200), [0]);
    assert.deepEqual(h.run("BITFIELD", "f", "GET", "u8", 0, "GET", "i8", 0, "GET", "u4", 0), [
      200,
      -56,
      12,
    ]);
    assert.deepEqual(h.run("BITFIELD", "f", "INCRBY", "u8", 0, 100), [44]);
    assert.deepEqual(h.run("BITFIELD", "f", "SET", "u8", "#1", 255, "GET", "u4", "#3"), [0, 15]);
    assert.equal(get(h, "f"), "\x2c\xff");
    assert.deepEqual(h.run("BITFIELD", "f", "GET", "u8", 10000, "GET", "i64", 9999), [0, 0]);
    assert.deepEqual(h.run("BITFIELD", "f"), []);
    assert.deepEqual(h.run("BITFIELD", "nokey", "GET", "u8", 0), [0]);
    assert.equal(h.run("EXISTS", "nokey"), 0);
  }));

Deno.test("BITFIELD OVERFLOW WRAP, SAT and FAIL", () =>
  withHarness((h) => {
    const r = (...args: (string | number)[]) => h.run("BITFIELD", "f", ...args);
    assert.deepEqual(r("SET", "u8", 0, 250), [0]);
    assert.deepEqual(r("INCRBY", "u8", 0, 10), [4]);
    assert.deepEqual(r("OVERFLOW", "SAT", "INCRBY", "u8", 0, 300), [255]);
    assert.deepEqual(r("OVERFLOW", "FAIL", "INCRBY", "u8", 0, 1, "GET", "u8", 0), [null, 255]);
    assert.deepEqual(r("SET", "i8", 0, -128, "INCRBY", "i8", 0, -1), [-1, 127]);
    assert.deepEqual(r("OVERFLOW", "sat", "SET", "i8", 0, 1000, "GET", "i8", 0), [127, 127]);
    assert.deepEqual(r("OVERFLOW", "sat", "SET", "u8", 0, -1, "GET", "u8", 0), [127, 255]);
    assert.deepEqual(r("OVERFLOW", "wrap", "SET", "i8", 0, 1000, "GET", "i8", 0), [-1, -24]);
    assert.deepEqual(r("OVERFLOW", "fail", "SET", "u8", 0, 256, "GET", "u8", 0), [null, 232]);
  }));

Deno.test("BITFIELD at the i64 and u63 limits", () =>
  withHarness((h) => {
    const r = (...args: (string | number | bigint)[]) =>
      h.run("BITFIELD", "g", ...args.map(String));
    const MAX = 9223372036854775807n;
    const MIN = -9223372036854775808n;
    assert.deepEqual(r("SET", "i64", 0, MAX, "INCRBY", "i64", 0, 1), [0, MIN]);
    assert.deepEqual(r("OVERFLOW", "SAT", "INCRBY", "i64", 0, -1), [MIN]);
    assert.deepEqual(r("OVERFLOW", "SAT", "SET", "i64", 0, MAX, "INCRBY", "i64", 0, MAX), [
      MIN,
      MAX,
    ]);
    assert.deepEqual(r("OVERFLOW", "FAIL", "INCRBY", "i64", 0, 1, "INCRBY", "i64", 0, MIN), [
      null,
      -1,
    ]);
    assert.deepEqual(r("SET", "u63", 0, MAX, "INCRBY", "u63", 0, 1), [MAX, 0]);
    assert.deepEqual(
      r("OVERFLOW", "SAT", "INCRBY", "u63", 0, -1, "SET", "u63", 0, -5, "GET", "u63", 0),
      [
        0,
        0,
        MAX,
      ],
    );
    assert.deepEqual(r("SET", "i64", 0, -1, "GET", "u63", 0, "GET", "u63", 1, "GET", "i64", 0), [
      -1,
      MAX,
      MAX,
      -1,
    ]);
  }));

Deno.test("BITFIELD refuses bad types, offsets, values and subcommands", () =>
  withHarness((h) => {
    const r = (...args: (string | number)[]) => h.run("BITFIELD", "f", ...args);
    for (const t of ["u64", "i65", "i0", "x8", "I8", "i", "i08", "", "u-1"]) {
      assert.deepEqual(r("GET", t, 0), BAD_TYPE, t);
    }
    for (const off of ["-1", "abc", "#-1", "#abc", "#", "4294967296", "#536870912"]) {
      assert.deepEqual(r("GET", "u8", off), BAD_OFFSET, off);
    }
    assert.deepEqual(r("SET", "u8", 0, "abc"), NOT_INT);
    assert.deepEqual(r("INCRBY", "u8", 0, "1.5"), NOT_INT);
    assert.deepEqual(r("SET", "u8", 0), SYNTAX);
    assert.deepEqual(r("GET", "u8"), SYNTAX);
    assert.deepEqual(r("FOO", "u8", 0), SYNTAX);
    assert.deepEqual(r("OVERFLOW"), SYNTAX);
    assert.deepEqual(r("OVERFLOW", "BAD", "GET", "u8", 0), {
      error: "ERR Invalid OVERFLOW type specified",
    });
    // Every operation is parsed before any runs: nothing is written.
    assert.deepEqual(r("SET", "u8", 0, 1, "GET", "u64", 0), BAD_TYPE);
    assert.equal(h.run("EXISTS", "f"), 0);
    h.run("HSET", "hash", "f", "v");
    assert.deepEqual(h.run("BITFIELD", "hash", "GET", "u8", 0), WRONGTYPE);
    assert.deepEqual(h.run("BITFIELD", "hash", "SET", "u8", 0, 1), WRONGTYPE);
  }));

Deno.test("BITFIELD propagates only when a field changed or the string grew", () =>
  withHarness((h) => {
    const events = recordEvents(h);
    // FAIL everywhere on a new key: Redis creates the zeroed string but counts no change.
    assert.deepEqual(h.run("BITFIELD", "b", "OVERFLOW", "FAIL", "INCRBY", "u2", 0, 5), [null]);
    assert.equal(get(h, "b"), "\0");
    assert.deepEqual(props(h), []);
    assert.deepEqual(events, []);
    assert.deepEqual(h.run("BITFIELD", "b", "SET", "u8", 0, 0), [0]);
    assert.deepEqual(props(h), []);
    assert.deepEqual(h.run("BITFIELD", "b", "SET", "u8", 0, 1), [0]);
    assert.deepEqual(props(h), [["BITFIELD", "b", "SET", "u8", "0", "1"]]);
    assert.deepEqual(events, ["$:setbit:b"]);
    // Growth counts as a change for every operation that ran.
    const grow = ["BITFIELD", "b", "OVERFLOW", "FAIL", "SET", "u2", 0, 7, "SET", "u8", 8, 0];
    assert.deepEqual(h.run(...grow), [null, 0]);
    assert.deepEqual(props(h), [grow.map(String)]);
    // Growth with every operation failing: the string grows, nothing propagates.
    assert.deepEqual(h.run("BITFIELD", "b", "OVERFLOW", "FAIL", "INCRBY", "u4", 100, 100), [null]);
    assert.equal(h.run("STRLEN", "b"), 13);
    assert.deepEqual(props(h), []);
    assert.deepEqual(h.run("BITFIELD", "b", "GET", "u8", 0), [1]);
    assert.deepEqual(props(h), []);
  }));

Deno.test("BITFIELD writes keep the TTL and make the value raw", () =>
  withHarness((h) => {
    h.run("SET", "t", "123", "EX", 100);
    assert.deepEqual(h.run("BITFIELD", "t", "GET", "u8", 0), [49]);
    assert.equal(h.run("OBJECT", "ENCODING", "t"), "int");
    assert.deepEqual(h.run("BITFIELD", "t", "SET", "u8", 24, 52), [0]);
    assert.equal(get(h, "t"), "1234");
    assert.equal(h.run("OBJECT", "ENCODING", "t"), "raw");
    assert.ok((h.run("TTL", "t") as number) > 0);
  }));

Deno.test("BITFIELD_RO accepts only GET", () =>
  withHarness((h) => {
    h.run("SET", "f", "\x2c\xff");
    assert.deepEqual(h.run("BITFIELD_RO", "f", "GET", "u8", 0, "GET", "i16", "#0"), [44, 11519]);
    assert.deepEqual(h.run("BITFIELD_RO", "f"), []);
    assert.deepEqual(h.run("BITFIELD_RO", "nokey", "GET", "u8", 0), [0]);
    const roOnly = { error: "ERR BITFIELD_RO only supports the GET subcommand" };
    assert.deepEqual(h.run("BITFIELD_RO", "f", "SET", "u8", 0, 1), roOnly);
    assert.deepEqual(h.run("BITFIELD_RO", "f", "INCRBY", "u8", 0, 1), roOnly);
    assert.deepEqual(h.run("BITFIELD_RO", "f", "OVERFLOW", "SAT", "GET", "u8", 0), [44]);
    // Parse errors come before the read-only check.
    assert.deepEqual(h.run("BITFIELD_RO", "f", "SET", "u64", 0, 1), BAD_TYPE);
    assert.equal(get(h, "f"), "\x2c\xff");
  }));

// --- Large bitmaps: ropes against a byte-array model

// A deterministic generator for the model tests.
function rng(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 4294967296;
  };
}

function modelString(m: Uint8Array, len: number): string {
  let s = "";
  for (let i = 0; i < len; i++) s += String.fromCharCode(m[i]);
  return s;
}

function modelBitcount(m: Uint8Array, from: number, to: number): number {
  let c = 0;
  for (let i = from; i <= to; i++) for (let b = m[i]; b; b &= b - 1) c++;
  return c;
}

Deno.test("large bitmaps match a byte-array model under mixed reads and writes", () =>
  withHarness((h) => {
    const rand = rng(12345);
    const model = new Uint8Array(1 << 17);
    let len = 0;
    for (let step = 0; step < 3000; step++) {
      const kind = rand();
      const off = Math.floor(rand() * 8 * 100000);
      const byte = Math.floor(off / 8);
      if (kind < 0.4) {
        const bit = rand() < 0.7 ? 1 : 0;
        const old = (model[byte] >> (7 - (off % 8))) & 1;
        assert.equal(h.run("SETBIT", "big", off, bit), old);
        if (bit) model[byte] |= 1 << (7 - (off % 8));
        else model[byte] &= ~(1 << (7 - (off % 8)));
        len = Math.max(len, byte + 1);
      } else if (kind < 0.6) {
        const v = Math.floor(rand() * 65536);
        const old = (model[byte] << 8) | model[byte + 1];
        assert.deepEqual(h.run("BITFIELD", "big", "SET", "u16", byte * 8, v), [old]);
        model[byte] = v >> 8;
        model[byte + 1] = v & 0xff;
        len = Math.max(len, byte + 2);
      } else if (kind < 0.8) {
        assert.equal(h.run("GETBIT", "big", off), (model[byte] >> (7 - (off % 8))) & 1);
      } else if (kind < 0.9) {
        const end = Math.min(byte + Math.floor(rand() * 3000), len - 1);
        const want = byte <= end ? modelBitcount(model, byte, end) : 0;
        assert.equal(h.run("BITCOUNT", "big", byte, end), want);
      } else if (kind < 0.95) {
        assert.deepEqual(h.run("BITFIELD_RO", "big", "GET", "u8", byte * 8), [model[byte]]);
      } else {
        assert.equal(h.run("STRLEN", "big"), len);
      }
    }
    assert.equal(get(h, "big"), modelString(model, len));
    assert.equal(h.run("BITCOUNT", "big"), modelBitcount(model, 0, len - 1));
    // Writes through other families replace the value: the next SETBIT must see them.
    h.run("APPEND", "big", "xyz");
    assert.equal(h.run("SETBIT", "big", 8 * len + 1, 0), 1);
    h.run("SETRANGE", "big", 5000, "\xff");
    assert.equal(h.run("GETBIT", "big", 5000 * 8), 1);
    assert.equal(h.run("SETBIT", "big", 5000 * 8, 0), 1);
    assert.equal(h.run("GETRANGE", "big", 5000, 5000), "\x7f");
    h.run("SET", "big", "abc");
    assert.equal(h.run("SETBIT", "big", 200000, 1), 0);
    assert.equal(h.run("GETRANGE", "big", 0, 2), "abc");
    assert.equal(h.run("BITCOUNT", "big"), modelBitcount(new Uint8Array([97, 98, 99]), 0, 2) + 1);
  }));

Deno.test("BITPOS on a large bitmap, inside and across rope leaves", () =>
  withHarness((h) => {
    h.run("SETBIT", "big", 300000, 1);
    h.run("SETBIT", "big", 8 * 1024 + 3, 1);
    assert.equal(h.run("BITPOS", "big", 1), 8 * 1024 + 3);
    assert.equal(h.run("BITPOS", "big", 1, 1025), 300000);
    assert.equal(h.run("BITPOS", "big", 1, 8 * 1024 + 4, 8 * 2048, "BIT"), -1);
    assert.equal(h.run("BITPOS", "big", 0, 1024, 1024), 8 * 1024);
    assert.equal(h.run("BITPOS", "big", 1, 1000, 1100), 8 * 1024 + 3);
    assert.equal(h.run("BITCOUNT", "big", 1000, 1100), 1);
  }));

Deno.test("100k SETBITs on a 1 MB bitmap do not copy the whole string each time", () =>
  withHarness((h) => {
    h.run("SETBIT", "mb", 8 * 1024 * 1024 - 1, 1);
    const rand = rng(7);
    const t0 = performance.now();
    for (let i = 0; i < 100000; i++) {
      h.raw(["SETBIT", "mb", String(Math.floor(rand() * 8 * 1024 * 1024)), "1"]);
    }
    const ms = performance.now() - t0;
    // About 1 s here; copying 1 MB per SETBIT took 25-30 s.
    assert.ok(ms < 10000, `100k SETBITs took ${ms.toFixed(0)} ms`);
    assert.equal(h.run("STRLEN", "mb"), 1024 * 1024);
  }));

Deno.test("ByteRope writes, grows and slices like a flat string", () => {
  const rope = ByteRope.from("a".repeat(5000));
  rope.setByte(0, 0x42);
  rope.setByte(4999, 0xff);
  rope.grow(7000);
  rope.setByte(6999, 1);
  assert.equal(rope.length, 7000);
  const want = "B" + "a".repeat(4998) + "\xff" + "\0".repeat(1999) + "\x01";
  assert.equal(rope.value, want);
  assert.equal(rope.slice(1020, 1030), want.slice(1020, 1030));
  assert.equal(rope.slice(0, 7000), want);
  assert.equal(rope.byteAt(4999), 0xff);
  assert.equal(rope.byteAt(7000), 0);
  const empty = ByteRope.from("");
  assert.equal(empty.value, "");
  empty.grow(3000);
  assert.equal(empty.value, "\0".repeat(3000));
});

// --- Metadata

Deno.test("COMMAND INFO reports the bitmap commands as Redis 7.0 does", () =>
  withHarness((h) => {
    const info = h.run("COMMAND", "INFO", "bitop", "bitfield_ro") as Value[][];
    assert.deepEqual(info[0].slice(0, 6), [
      "bitop",
      -4,
      [{ status: "write" }, { status: "denyoom" }],
      2,
      -1,
      1,
    ]);
    assert.deepEqual(info[1].slice(0, 6), [
      "bitfield_ro",
      -2,
      [{ status: "readonly" }, { status: "fast" }],
      1,
      1,
      1,
    ]);
    assert.deepEqual(h.run("COMMAND", "GETKEYS", "BITOP", "AND", "d", "a", "b"), ["d", "a", "b"]);
  }));
