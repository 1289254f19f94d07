// Functions interop with the real redis-server 7.0: FUNCTION DUMP payloads restore both ways
// (plain and LZF-compressed code), an RDB saved by Redis with libraries loads into ours
// through the FUNCTION2 hook, an RDB with our FUNCTION2 records loads into Redis (and passes
// redis-check-rdb), and INFO memory lists the Lua fields in Redis's order.

import assert from "node:assert/strict";
import { RespClient } from "../helpers/resp_client.ts";
import { hasBinary, skip, startRedis, startServer } from "../helpers/server.ts";
import { readRdb } from "../../src/persistence/rdb/reader.ts";
import { RdbWriter } from "../../src/persistence/rdb/writer.ts";
import { loadFunctionRdb, writeFunctionsRdb } from "../../src/scripting/functions.ts";

const HAVE_REDIS = hasBinary("redis-server");
const SMALL = "#!lua name=small\nredis.register_function('small', function() return 1 end)";
// Over 20 bytes and repetitive: both sides LZF-compress it in DUMP and RDB.
const BIG = "#!lua name=big\n" +
  Array.from(
    { length: 20 },
    (_, i) =>
      `redis.register_function{function_name='f${i}', callback=function(keys, args) return redis.call('get', keys[1]) end, flags={'no-writes'}, description='getter ${i}'}`,
  )
    .join("\n");

/** FUNCTION LIST WITHCODE in a canonical order (each server lists in its own dict order). */
async function libraries(c: RespClient): Promise<string[]> {
  const list = await c.call("FUNCTION", "LIST", "WITHCODE") as unknown[][];
  return list.map((lib) => {
    const m = new Map<unknown, unknown>();
    for (let i = 0; i + 1 < lib.length; i += 2) m.set(lib[i], lib[i + 1]);
    const fns = (m.get("functions") as unknown[]).map((f) => JSON.stringify(f)).sort();
    return JSON.stringify([m.get("library_name"), m.get("engine"), m.get("library_code"), fns]);
  }).sort();
}

Deno.test({
  name: "FUNCTION DUMP payloads restore both ways between Redis and ours",
  ignore: !HAVE_REDIS,
  fn: async () => {
    const redis = (await startRedis())!;
    const ours = await startServer();
    const rc = await RespClient.connect(redis.port);
    const oc = await RespClient.connect(ours.port);
    try {
      for (const c of [rc, oc]) {
        assert.equal(await c.call("FUNCTION", "LOAD", SMALL), "small");
        assert.equal(await c.call("FUNCTION", "LOAD", BIG), "big");
      }
      const fromRedis = await rc.call("FUNCTION", "DUMP") as string;
      const fromOurs = await oc.call("FUNCTION", "DUMP") as string;
      assert.ok(fromRedis.length < BIG.length, "Redis compressed the big library");
      assert.ok(fromOurs.length < BIG.length, "we compressed the big library");
      // Each side restores the other's payload, replacing its own libraries.
      assert.deepEqual(await oc.call("FUNCTION", "RESTORE", fromRedis, "FLUSH"), { status: "OK" });
      assert.deepEqual(await rc.call("FUNCTION", "RESTORE", fromOurs, "FLUSH"), { status: "OK" });
      assert.deepEqual(await libraries(oc), await libraries(rc));
      assert.equal((await libraries(oc)).length, 2);
      for (const c of [rc, oc]) {
        await c.call("SET", "k", "v");
        assert.equal(await c.call("FCALL_RO", "f7", 1, "k"), "v");
        assert.equal(await c.call("FCALL", "small", 0), 1);
      }
      // A payload with a library the other side already has is refused the same way.
      assert.deepEqual(
        await oc.call("FUNCTION", "RESTORE", fromRedis),
        await rc.call("FUNCTION", "RESTORE", fromOurs),
      );
    } finally {
      rc.close();
      oc.close();
      await ours.close();
      await redis.close();
    }
  },
});

Deno.test({
  name: "libraries in an RDB saved by Redis load into ours",
  ignore: !HAVE_REDIS,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "fn-rdb-in-" });
    const ours = await startServer();
    try {
      const redis = (await startRedis(["--dir", dir]))!;
      const rc = await RespClient.connect(redis.port);
      try {
        await rc.call("FUNCTION", "LOAD", SMALL);
        await rc.call("FUNCTION", "LOAD", BIG);
        await rc.call("SET", "k", "v");
        assert.deepEqual(await rc.call("SAVE"), { status: "OK" });
      } finally {
        rc.close();
        await redis.close();
      }
      const codes: string[] = [];
      readRdb(await Deno.readFile(`${dir}/dump.rdb`), {
        key: () => {},
        functionCode: (code) => codes.push(code),
      });
      assert.deepEqual(codes.slice().sort(), [BIG, SMALL]);
      for (const code of codes) loadFunctionRdb(ours.server, code);
      const oc = await RespClient.connect(ours.port);
      try {
        await oc.call("SET", "k", "v2");
        assert.equal(await oc.call("FCALL_RO", "f19", 1, "k"), "v2");
        assert.equal(await oc.call("FCALL", "small", 0), 1);
      } finally {
        oc.close();
      }
    } finally {
      await ours.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "an RDB with our FUNCTION2 records loads into Redis and passes redis-check-rdb",
  ignore: !HAVE_REDIS,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "fn-rdb-out-" });
    const ours = await startServer();
    try {
      const oc = await RespClient.connect(ours.port);
      await oc.call("FUNCTION", "LOAD", SMALL);
      await oc.call("FUNCTION", "LOAD", BIG);
      oc.close();
      // Header and aux fields as Redis writes them, the libraries, then an empty keyspace.
      const w = new RdbWriter(null);
      w.rawStr("REDIS0010");
      for (const [k, v] of [["redis-ver", "7.0.15"], ["redis-bits", "64"]]) {
        w.byte(250);
        w.string(k);
        w.string(v);
      }
      writeFunctionsRdb(w, ours.server);
      w.finish();
      await Deno.writeFile(`${dir}/dump.rdb`, w.toBytes());
      if (hasBinary("redis-check-rdb")) {
        const check = await new Deno.Command("redis-check-rdb", {
          args: [`${dir}/dump.rdb`],
          stdout: "piped",
          stderr: "piped",
        }).output();
        const text = new TextDecoder().decode(check.stdout);
        assert.equal(check.code, 0, text);
        assert.match(text, /RDB looks OK/);
      } else {
        skip("redis-check-rdb of FUNCTION2 records", "redis-check-rdb is not installed");
      }
      const redis = (await startRedis(["--dir", dir]))!;
      const rc = await RespClient.connect(redis.port);
      try {
        const stats = await rc.call("FUNCTION", "STATS") as unknown[];
        assert.deepEqual(stats[3], ["LUA", ["libraries_count", 2, "functions_count", 21]]);
        await rc.call("SET", "k", "v");
        assert.equal(await rc.call("FCALL_RO", "f0", 1, "k"), "v");
      } finally {
        rc.close();
        await redis.close();
      }
    } finally {
      await ours.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "INFO memory lists the Lua and functions fields in Redis's order",
  ignore: !HAVE_REDIS,
  fn: async () => {
    const redis = (await startRedis())!;
    const ours = await startServer();
    const rc = await RespClient.connect(redis.port);
    const oc = await RespClient.connect(ours.port);
    try {
      const names = async (c: RespClient) => {
        await c.call("FUNCTION", "LOAD", SMALL);
        await c.call("EVAL", "return 1", 0);
        const info = await c.call("INFO", "memory") as string;
        const fields = info.split("\r\n").filter((l) => l.includes(":"));
        const lua = /lua|script|function|librar|_vm_/;
        return {
          order: fields.map((l) => l.split(":")[0]).filter((n) => lua.test(n)),
          counts: fields.filter((l) => /^number_of/.test(l)),
        };
      };
      const want = await names(rc);
      const got = await names(oc);
      assert.deepEqual(got.order, want.order);
      assert.deepEqual(got.counts, want.counts);
    } finally {
      rc.close();
      oc.close();
      await ours.close();
      await redis.close();
    }
  },
});
