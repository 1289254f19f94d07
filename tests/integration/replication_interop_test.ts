// Replication against the real redis-server 7.0 in both directions: our replica of a real
// master (full sync of every type, the live stream, WAIT on the real master counting our ACKs,
// partial resync after the link drops from either side), and a real replica of our master
// (its log says it loaded our RDB, diskless and disk; the live stream; WAIT; partial resync).

import assert from "node:assert/strict";
import { datasetCommands } from "../fixtures/dataset.ts";
import { RespClient } from "../helpers/resp_client.ts";
import { hasBinary, skip, startRedis, startServer, waitFor } from "../helpers/server.ts";
import { dumpData, info, runAll, waitSynced } from "../helpers/replication.ts";

const HAVE_REDIS = hasBinary("redis-server");

const LIVE: (string | number)[][] = [
  ["SET", "live:ex", "v", "EX", 1000],
  ["INCRBYFLOAT", "live:f", "2.25"],
  ["SADD", "live:s", "a", "b", "c", "d"],
  ["SPOP", "live:s"],
  ["EXPIRE", "live:s", 5000],
  ["MULTI"],
  ["INCR", "live:n"],
  ["RPUSH", "live:l", "x", "y"],
  ["EXEC"],
  ["ZADD", "live:z", 1, "a"],
  ["XADD", "live:x", "*", "f", "v"],
  ["SELECT", 4],
  ["HSET", "live:h", "f", "v"],
  ["SELECT", 0],
  ["DEL", "str:int"],
  ["EVAL", "redis.call('set', KEYS[1], ARGV[1]) return 1", 1, "live:lua", "x"],
];

Deno.test({
  name: "our replica of a real master: full sync, live stream, WAIT and partial resyncs",
  ignore: !HAVE_REDIS,
  fn: async () => {
    const real = await startRedis(["--repl-diskless-sync-delay", "0"]);
    if (real === null) return skip("interop", "redis-server not installed");
    const m = await RespClient.connect(real.port);
    const ours = await startServer([
      "--replicaof",
      "127.0.0.1",
      String(real.port),
      "--repl-diskless-load",
      "swapdb",
    ]);
    const r = await RespClient.connect(ours.port);
    try {
      await runAll(m, datasetCommands());
      await waitSynced(m, r);
      assert.equal(await dumpData(r), await dumpData(m));
      await runAll(m, LIVE);
      await waitSynced(m, r);
      assert.equal(await dumpData(r), await dumpData(m));
      // The real master counts our REPLCONF ACKs.
      await m.call("SET", "w", "1");
      assert.equal(await m.call("WAIT", 1, 10000), 1);
      // Link dropped by us, then by the master: both continue from the backlog.
      assert.equal(await r.call("CLIENT", "KILL", "TYPE", "master"), 1);
      await m.call("SET", "after-kill", "1");
      await waitSynced(m, r);
      assert.equal(await m.call("CLIENT", "KILL", "TYPE", "replica"), 1);
      await m.call("INCR", "live:n");
      await waitSynced(m, r);
      assert.equal(await dumpData(r), await dumpData(m));
      const st = await info(m, "stats");
      assert.equal(st.get("sync_full"), "1");
      assert.equal(st.get("sync_partial_ok"), "2");
      assert.equal((await info(r)).get("master_replid"), (await info(m)).get("master_replid"));
    } finally {
      m.close();
      r.close();
      await ours.close();
      await real.close();
    }
  },
});

for (const diskless of ["yes", "no"]) {
  Deno.test({
    name: `a real replica of our master (repl-diskless-sync ${diskless}): loads our RDB, ` +
      "follows the stream, acknowledges WAIT, resyncs partially",
    ignore: !HAVE_REDIS,
    fn: async () => {
      const cwd = Deno.cwd();
      const dir = await Deno.makeTempDir({ prefix: "repl-interop-" });
      const ours = await startServer([
        "--repl-diskless-sync",
        diskless,
        "--repl-diskless-sync-delay",
        "0",
        "--dir",
        dir,
      ]);
      const m = await RespClient.connect(ours.port);
      await runAll(m, datasetCommands());
      const logfile = `${dir}/replica.log`;
      const real = await startRedis([
        "--replicaof",
        "127.0.0.1",
        String(ours.port),
        "--logfile",
        logfile,
      ]);
      if (real === null) {
        m.close();
        await ours.close();
        Deno.chdir(cwd);
        await Deno.remove(dir, { recursive: true });
        return skip("interop", "redis-server not installed");
      }
      const r = await RespClient.connect(real.port);
      try {
        await waitSynced(m, r);
        const log = await Deno.readTextFile(logfile);
        assert.match(log, /Full resync from master: [0-9a-f]{40}:0/);
        assert.match(log, /Done loading RDB, keys loaded: \d+, keys expired: 0\./);
        assert.match(log, /MASTER <-> REPLICA sync: Finished with success/);
        assert.equal(await dumpData(r), await dumpData(m));
        await runAll(m, LIVE);
        await waitSynced(m, r);
        assert.equal(await dumpData(r), await dumpData(m));
        await m.call("SET", "w", "1");
        assert.equal(await m.call("WAIT", 1, 10000), 1);
        // Dropped from our side, then from the replica's: partial resyncs.
        assert.equal(await m.call("CLIENT", "KILL", "TYPE", "replica"), 1);
        await m.call("SET", "after-kill", "1");
        await waitSynced(m, r);
        assert.equal(await r.call("CLIENT", "KILL", "TYPE", "master"), 1);
        await m.call("INCR", "live:n");
        await waitSynced(m, r);
        assert.equal(await dumpData(r), await dumpData(m));
        const st = await info(m, "stats");
        assert.equal(st.get("sync_full"), "1");
        assert.equal(st.get("sync_partial_ok"), "2");
        await waitFor(
          async () => (await info(m)).get("slave0")?.includes("state=online") ?? false,
          10000,
          "the replica online in INFO",
        );
        assert.equal((await info(r)).get("master_replid"), (await info(m)).get("master_replid"));
      } finally {
        m.close();
        r.close();
        await real.close();
        await ours.close();
        Deno.chdir(cwd);
        await Deno.remove(dir, { recursive: true });
      }
    },
  });
}
