// The HyperLogLog family through the dispatcher: PFADD PFCOUNT PFMERGE PFDEBUG PFSELFTEST,
// the exact bytes of the stored values, encodings and promotion, the cached cardinality, what
// propagates, error texts, and interoperability with a real redis-server (values written by
// one are read by the other, and the same PFADDs give byte-identical values).
// Expected values were taken from a real redis-server 7.0.15.

import assert from "node:assert/strict";
import { Harness } from "../helpers/harness.ts";
import { RespClient } from "../helpers/resp_client.ts";
import type { Value } from "../helpers/resp_client.ts";
import { skip, startRedis, startServer } from "../helpers/server.ts";

const WRONGTYPE = { error: "WRONGTYPE Operation against a key holding the wrong kind of value" };
const NOT_HLL = { error: "WRONGTYPE Key is not a valid HyperLogLog string value." };
const CORRUPT = { error: "INVALIDOBJ Corrupted HLL object detected" };
const OK = { status: "OK" };
/** The 16-byte header of a sparse HLL whose cached cardinality is stale. */
const SPARSE_HDR = "HYLL\x01\0\0\0\0\0\0\0\0\0\0\x80";

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

function range(n: number, prefix = "e"): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${i}`);
}

function get(h: Harness, key: string): Value {
  return h.run("GET", key);
}

// --- PFADD / PFCOUNT

Deno.test("PFADD creates a sparse HLL and replies whether a register changed", () =>
  withHarness((h) => {
    assert.equal(h.run("PFADD", "h"), 1);
    assert.equal(get(h, "h"), SPARSE_HDR + "\x7f\xff");
    assert.equal(h.run("PFADD", "h"), 0);
    assert.equal(h.run("PFADD", "h", "a"), 1);
    // XZERO:12711 VAL:2,1 XZERO:3672, as real Redis stores it.
    assert.equal(get(h, "h"), SPARSE_HDR + "\x71\xa6\x84\x4e\x57");
    assert.equal(h.run("PFADD", "h", "a"), 0);
    assert.equal(h.run("OBJECT", "ENCODING", "h"), "raw");
    assert.equal(h.run("PFCOUNT", "h"), 1);
    assert.equal(h.run("PFCOUNT", "nokey"), 0);
    assert.equal(h.run("EXISTS", "nokey"), 0);
  }));

Deno.test("PFCOUNT caches the estimate in the header and propagates that write", () =>
  withHarness((h) => {
    h.run("PFADD", "h", ...range(1000));
    assert.deepEqual(props(h), [["PFADD", "h", ...range(1000)]]);
    assert.equal(h.run("PFCOUNT", "h"), 1008);
    // Bytes 8..15: 1008 little endian, valid flag clear.
    assert.equal((get(h, "h") as string).slice(8, 16), "\xf0\x03\0\0\0\0\0\0");
    assert.deepEqual(props(h), [["PFCOUNT", "h"]]);
    assert.equal(h.run("PFCOUNT", "h"), 1008);
    assert.deepEqual(props(h), []);
    // An unchanged PFADD leaves the cache valid; a changing one invalidates it.
    assert.equal(h.run("PFADD", "h", "e1"), 0);
    assert.deepEqual(props(h), []);
    assert.equal((get(h, "h") as string).charCodeAt(15), 0);
    h.run("PFADD", "h", "new");
    assert.equal((get(h, "h") as string).charCodeAt(15), 0x80);
  }));

Deno.test("PFCOUNT with several keys counts the union and writes nothing", () =>
  withHarness((h) => {
    h.run("PFADD", "a", ...range(1000));
    const rest = range(100000).slice(1000);
    for (let i = 0; i < rest.length; i += 10000) h.run("PFADD", "b", ...rest.slice(i, i + 10000));
    props(h);
    assert.equal(h.run("PFCOUNT", "a", "b", "nokey"), 100853);
    assert.equal(h.run("PFCOUNT", "nokey", "nokey2"), 0);
    assert.deepEqual(props(h), []);
  }));

Deno.test("a cached cardinality is trusted as stored", () =>
  withHarness((h) => {
    h.run("SET", "c", "HYLL\x01\0\0\0\x05\0\0\0\0\0\0\0\x7f\xff");
    assert.equal(h.run("OBJECT", "ENCODING", "c"), "embstr");
    assert.equal(h.run("PFCOUNT", "c", "c"), 0);
    assert.equal(h.run("OBJECT", "ENCODING", "c"), "embstr");
    assert.equal(h.run("PFCOUNT", "c"), 5);
    assert.equal(h.run("OBJECT", "ENCODING", "c"), "raw");
    h.run("SET", "big", "HYLL\x01\0\0\0\xff\xff\xff\xff\xff\xff\xff\x7f\x7f\xff");
    assert.equal(h.run("PFCOUNT", "big"), 9223372036854775807n);
  }));

Deno.test("crafted dense values: estimates past 2^53 and the LLONG_MIN of past 2^63", () =>
  withHarness((h) => {
    const dense = (b0: number, b1: number, b2: number) =>
      "HYLL\0\0\0\0\0\0\0\0\0\0\0\x80" + String.fromCharCode(b0, b1, b2).repeat(4096);
    h.run("SET", "r49", dense(0x71, 0x1c, 0xc7)); // every register 49
    assert.equal(h.run("PFCOUNT", "r49"), 6653256548922161152n);
    h.run("SET", "r50", dense(0xb2, 0x2c, 0xcb)); // every register 50
    assert.equal(h.run("PFCOUNT", "r50"), -9223372036854775808n);
    // The stored LLONG_MIN has the "stale" bit set: the next PFCOUNT computes again.
    assert.equal((get(h, "r50") as string).charCodeAt(15), 0x80);
    assert.equal(h.run("PFCOUNT", "r50", "nokey"), -9223372036854775808n);
  }));

// --- Encodings

Deno.test("PFADD promotes to dense past hll-sparse-max-bytes, and PFMERGE follows its inputs", () =>
  withHarness((h) => {
    h.run("CONFIG", "SET", "hll-sparse-max-bytes", 60);
    h.run("PFADD", "p", ...range(10));
    assert.deepEqual(h.run("PFDEBUG", "ENCODING", "p"), { status: "sparse" });
    h.run("PFADD", "p", ...range(30, "x"));
    assert.deepEqual(h.run("PFDEBUG", "ENCODING", "p"), { status: "dense" });
    assert.equal(h.run("STRLEN", "p"), 12304);
    h.run("CONFIG", "SET", "hll-sparse-max-bytes", 3000);
    h.run("PFADD", "s1", ...range(10));
    h.run("PFADD", "s2", ...range(10, "y"));
    assert.deepEqual(h.run("PFMERGE", "m", "s1", "s2"), OK);
    assert.deepEqual(h.run("PFDEBUG", "ENCODING", "m"), { status: "sparse" });
    assert.deepEqual(h.run("PFMERGE", "md", "s1", "p"), OK);
    assert.deepEqual(h.run("PFDEBUG", "ENCODING", "md"), { status: "dense" });
    assert.equal(h.run("PFCOUNT", "md"), h.run("PFCOUNT", "s1", "p"));
  }));

Deno.test("PFMERGE merges into the destination, keeps its TTL and propagates", () =>
  withHarness((h) => {
    const events: string[] = [];
    h.server.keyspace.hooks.notify = (type, event, key) => {
      if (type !== "m") events.push(`${type}:${event}:${key}`);
    };
    h.run("PFADD", "a", ...range(100));
    h.run("PFADD", "b", ...range(100, "z"));
    h.run("PFADD", "d", "own");
    h.run("EXPIRE", "d", 100);
    props(h);
    events.length = 0;
    assert.deepEqual(h.run("PFMERGE", "d", "a", "b", "nokey"), OK);
    assert.deepEqual(props(h), [["PFMERGE", "d", "a", "b", "nokey"]]);
    assert.deepEqual(events, ["$:pfadd:d"]);
    assert.ok((h.run("TTL", "d") as number) > 0);
    assert.equal(h.run("PFCOUNT", "d"), h.run("PFCOUNT", "a", "b", "d"));
    assert.deepEqual(h.run("PFMERGE", "empty"), OK);
    assert.equal(get(h, "empty"), SPARSE_HDR + "\x7f\xff");
    // Even a merge that changes nothing is a write.
    assert.deepEqual(h.run("PFMERGE", "empty"), OK);
    assert.deepEqual(props(h), [["PFCOUNT", "d"], ["PFMERGE", "empty"], ["PFMERGE", "empty"]]);
  }));

// --- Errors

Deno.test("non-HLL values reply WRONGTYPE, corrupt ones INVALIDOBJ", () =>
  withHarness((h) => {
    h.run("SET", "str", "hello");
    h.run("HSET", "hash", "f", "v");
    h.run("PFADD", "ok", "a");
    for (const cmd of [["PFADD", "str", "a"], ["PFCOUNT", "str"], ["PFCOUNT", "ok", "str"]]) {
      assert.deepEqual(h.run(...cmd), NOT_HLL, cmd.join(" "));
    }
    assert.deepEqual(h.run("PFMERGE", "ok", "str"), NOT_HLL);
    assert.deepEqual(h.run("PFMERGE", "str", "ok"), NOT_HLL);
    assert.deepEqual(h.run("PFADD", "hash", "a"), WRONGTYPE);
    assert.deepEqual(h.run("PFCOUNT", "ok", "hash"), WRONGTYPE);
    assert.deepEqual(h.run("PFMERGE", "hash", "ok"), WRONGTYPE);
    for (
      const bad of [
        "HYLL",
        "HYLL\x02" + SPARSE_HDR.slice(5) + "\x7f\xff",
        "HYLX" + SPARSE_HDR.slice(4) + "\x7f\xff",
        "HYLL\0" + SPARSE_HDR.slice(5) + "\x7f\xff",
        "12345678901234567",
      ]
    ) {
      h.run("SET", "bad", bad);
      assert.deepEqual(h.run("PFCOUNT", "bad"), NOT_HLL, JSON.stringify(bad));
    }
    h.run("SET", "trunc", SPARSE_HDR + "\x5f\xff"); // only 8192 registers
    assert.deepEqual(h.run("PFCOUNT", "trunc"), CORRUPT);
    assert.deepEqual(h.run("PFCOUNT", "trunc", "ok"), CORRUPT);
    assert.deepEqual(h.run("PFMERGE", "m", "trunc"), CORRUPT);
    assert.equal(h.run("EXISTS", "m"), 0);
  }));

Deno.test("a PFADD that hits corrupt data keeps what it changed but propagates nothing", () =>
  withHarness((h) => {
    // Registers 0..8191 only: "a" (12711) is past the end, "foobar123" (638) is inside.
    h.run("SET", "trunc", SPARSE_HDR + "\x5f\xff");
    props(h);
    assert.deepEqual(h.run("PFADD", "trunc", "a"), CORRUPT);
    assert.equal(get(h, "trunc"), SPARSE_HDR + "\x5f\xff");
    assert.deepEqual(h.run("PFADD", "trunc", "foobar123", "a", "hello"), CORRUPT);
    assert.deepEqual(h.run("PFDEBUG", "DECODE", "trunc"), "Z:638 v:1,1 Z:7553");
    assert.deepEqual(props(h), []);
  }));

// --- PFDEBUG / PFSELFTEST

Deno.test("PFDEBUG DECODE, ENCODING, GETREG and TODENSE", () =>
  withHarness((h) => {
    h.run("PFADD", "h", "a", "hello");
    props(h);
    assert.equal(h.run("PFDEBUG", "DECODE", "h"), "Z:9216 v:1,1 Z:3494 v:2,1 Z:3672");
    assert.deepEqual(h.run("PFDEBUG", "encoding", "h"), { status: "sparse" });
    const regs = h.run("PFDEBUG", "GETREG", "h") as number[];
    assert.equal(regs.length, 16384);
    assert.deepEqual([regs[9216], regs[12711], regs[0]], [1, 2, 0]);
    // GETREG converted the value to dense, which propagates.
    assert.deepEqual(props(h), [["PFDEBUG", "GETREG", "h"]]);
    assert.deepEqual(h.run("PFDEBUG", "ENCODING", "h"), { status: "dense" });
    assert.deepEqual(h.run("PFDEBUG", "DECODE", "h"), { error: "ERR HLL encoding is not sparse" });
    assert.equal(h.run("PFDEBUG", "TODENSE", "h"), 0);
    h.run("PFADD", "h2", "a");
    assert.equal(h.run("PFDEBUG", "TODENSE", "h2"), 1);
    assert.equal(h.run("STRLEN", "h2"), 12304);
    assert.deepEqual(h.run("PFDEBUG", "FOO", "h"), {
      error: "ERR Unknown PFDEBUG subcommand 'FOO'",
    });
    // The key is looked up before the subcommand is known.
    assert.deepEqual(h.run("PFDEBUG", "FOO", "nokey"), {
      error: "ERR The specified key does not exist",
    });
    h.run("SET", "str", "x");
    assert.deepEqual(h.run("PFDEBUG", "GETREG", "str"), NOT_HLL);
  }));

Deno.test("PFSELFTEST passes", () =>
  withHarness((h) => {
    assert.deepEqual(h.run("PFSELFTEST"), OK);
  }));

// --- Interoperability with a real redis-server

Deno.test("HLL values move between real Redis and our server byte for byte", async () => {
  const redis = await startRedis();
  if (redis === null) {
    skip("HLL interop with real Redis", "redis-server is not installed");
    return;
  }
  const ours = await startServer();
  const r = await RespClient.connect(redis.port);
  const o = await RespClient.connect(ours.port);
  try {
    const both = async (...args: (string | number)[]) => {
      const a = await r.callRaw(...args);
      const b = await o.callRaw(...args);
      assert.equal(b.raw, a.raw, args.slice(0, 3).join(" "));
      return a.value;
    };
    // The same PFADDs, in batches through sparse growth and promotion to dense.
    let n = 0;
    for (const batch of [1, 5, 50, 200, 1000, 3000, 20000]) {
      await both("PFADD", "h", ...range(batch, `k${n}-`));
      n++;
      await both("GET", "h");
      await both("PFCOUNT", "h");
      await both("GET", "h");
    }
    assert.equal(await both("STRLEN", "h"), 12304);
    await both("PFADD", "s", ...range(300, "s"));
    await both("PFMERGE", "m", "s", "h");
    await both("GET", "m");
    await both("PFMERGE", "ms", "s");
    await both("GET", "ms");
    // A value written by real Redis, read by us, and the other way round.
    await r.call("PFADD", "theirs", ...range(5000, "t"));
    await o.call("PFADD", "mine", ...range(700, "m"));
    const theirs = await r.call("GET", "theirs") as string;
    const mine = await o.call("GET", "mine") as string;
    assert.deepEqual(await o.call("SET", "theirs", theirs), OK);
    assert.deepEqual(await r.call("SET", "mine", mine), OK);
    for (const key of ["theirs", "mine"]) {
      await both("PFCOUNT", key);
      await both("PFADD", key, "one", "more");
      await both("GET", key);
    }
    await both("PFCOUNT", "theirs", "mine", "h");
  } finally {
    r.close();
    o.close();
    await ours.close();
    await redis.close();
  }
});

// --- Metadata

Deno.test("COMMAND INFO reports the HyperLogLog commands as Redis 7.0 does", () =>
  withHarness((h) => {
    const info = h.run("COMMAND", "INFO", "pfcount", "pfselftest") as Value[][];
    assert.deepEqual(info[0].slice(0, 6), ["pfcount", -2, [{ status: "readonly" }], 1, -1, 1]);
    assert.deepEqual(info[1].slice(0, 6), ["pfselftest", 1, [{ status: "admin" }], 0, 0, 0]);
  }));
