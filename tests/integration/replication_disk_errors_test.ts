// Disk write errors: while the AOF cannot be written, writes and PING get
// "MISCONF Errors writing to the AOF file: <strerror>" (scripts too) until a write succeeds, as
// Redis 7.0's writeCommandsDeniedByDiskError; a replica with replica-ignore-disk-write-errors
// yes keeps applying its master's stream meanwhile. The error is real: the next INCR file is a
// symlink to /dev/full, so writing it fails with ENOSPC.

import assert from "node:assert/strict";
import { RespClient } from "../helpers/resp_client.ts";
import {
  info,
  infoField,
  runAll,
  startServerLoaded,
  waitSynced,
  withTempDirs,
} from "../helpers/replication.ts";
import { startServer, waitFor } from "../helpers/server.ts";

const ENOSPC = "MISCONF Errors writing to the AOF file: No space left on device";
const HAVE_DEV_FULL = (() => {
  try {
    return Deno.statSync("/dev/full").isCharDevice === true;
  } catch {
    return false;
  }
})();

// Points the INCR file the next rewrite opens at /dev/full, then runs that rewrite.
async function failNextIncr(c: RespClient, dir: string): Promise<void> {
  const aofDir = `${dir}/appendonlydir`;
  let max = 0;
  for (const e of Deno.readDirSync(aofDir)) {
    const m = /^appendonly\.aof\.(\d+)\.incr\.aof$/.exec(e.name);
    if (m !== null) max = Math.max(max, Number(m[1]));
  }
  Deno.symlinkSync("/dev/full", `${aofDir}/appendonly.aof.${max + 1}.incr.aof`);
  await rewrite(c);
}

// BGREWRITEAOF, waiting for it to finish.
async function rewrite(c: RespClient): Promise<void> {
  const before = Number(await infoField(c, "aof_rewrites", "persistence"));
  assert.deepEqual(await c.call("BGREWRITEAOF"), {
    status: "Background append only file rewriting started",
  });
  await waitFor(
    async () => {
      const p = await info(c, "persistence");
      return Number(p.get("aof_rewrites")) > before && p.get("aof_rewrite_in_progress") === "0";
    },
    20000,
    "the AOF rewrite",
  );
}

Deno.test({
  name: "an AOF write error refuses writes, PING and writing scripts with MISCONF until a " +
    "write succeeds; nothing acknowledged is lost",
  ignore: !HAVE_DEV_FULL,
  fn: async () => {
    await withTempDirs(1, async ([dir]) => {
      const args = ["--dir", dir, "--appendonly", "yes", "--appendfsync", "everysec"];
      let s = await startServerLoaded(args);
      let c = await RespClient.connect(s.port);
      try {
        await failNextIncr(c, dir);
        // The write that meets the error was executed: it is acknowledged, and kept.
        assert.deepEqual(await c.call("SET", "a", "1"), { status: "OK" });
        assert.deepEqual(await c.call("SET", "b", "1"), { error: ENOSPC });
        assert.deepEqual(await c.call("PING"), { error: ENOSPC });
        assert.equal(await c.call("GET", "a"), "1");
        assert.equal(await c.call("GET", "b"), null);
        assert.equal(await c.call("EVAL", "return 1", 0), 1);
        const e = await c.call("EVAL", "return redis.call('set', 'x', '1')", 0) as {
          error: string;
        };
        assert.ok(e.error.startsWith(`${ENOSPC} script: `), e.error);
        assert.deepEqual(await c.call("EVAL", "#!lua\nreturn 1", 0), { error: ENOSPC });
        assert.deepEqual(await c.call("MULTI"), { status: "OK" });
        assert.deepEqual(await c.call("SET", "b", "2"), { error: ENOSPC });
        assert.deepEqual(await c.call("EXEC"), {
          error: "EXECABORT Transaction discarded because of previous errors.",
        });
        assert.equal(await infoField(c, "aof_last_write_status", "persistence"), "err");
        // A rewrite opens a regular INCR file: the pending write lands there and writes work.
        await rewrite(c);
        await waitFor(
          async () => (await infoField(c, "aof_last_write_status", "persistence")) === "ok",
          10000,
          "the AOF error to clear",
        );
        assert.deepEqual(await c.call("SET", "c", "1"), { status: "OK" });
        assert.deepEqual(await c.call("PING"), { status: "PONG" });
        c.close();
        await s.close();
        s = await startServerLoaded(args);
        c = await RespClient.connect(s.port);
        assert.deepEqual(await c.call("MGET", "a", "b", "c", "x"), ["1", null, "1", null]);
      } finally {
        c.close();
        await s.close();
      }
    });
  },
});

Deno.test({
  name: "a replica with replica-ignore-disk-write-errors yes applies its master's stream " +
    "while its AOF cannot be written, and refuses PING with MISCONF",
  ignore: !HAVE_DEV_FULL,
  fn: async () => {
    await withTempDirs(1, async ([dir]) => {
      const master = await startServer(["--repl-diskless-sync-delay", "0"]);
      const m = await RespClient.connect(master.port);
      const replica = await startServerLoaded([
        "--replicaof",
        "127.0.0.1",
        String(master.port),
        "--repl-diskless-load",
        "swapdb",
        "--dir",
        dir,
        "--appendonly",
        "yes",
        "--appendfsync",
        "everysec",
        "--replica-ignore-disk-write-errors",
        "yes",
      ]);
      const r = await RespClient.connect(replica.port);
      try {
        await waitSynced(m, r);
        // The full sync's own rewrite first, then one onto /dev/full.
        await waitFor(
          async () => (await infoField(r, "aof_rewrite_in_progress", "persistence")) === "0",
          20000,
          "the rewrite after the full sync",
        );
        await failNextIncr(r, dir);
        await runAll(m, [["SET", "k1", "v1"], ["SET", "k2", "v2"]]);
        await waitSynced(m, r);
        assert.equal(await r.call("GET", "k2"), "v2");
        assert.equal(await infoField(r, "aof_last_write_status", "persistence"), "err");
        assert.deepEqual(await r.call("PING"), { error: ENOSPC });
      } finally {
        r.close();
        m.close();
        await replica.close();
        await master.close();
      }
    });
  },
});
