// Replication across restarts: the repl-stream-db / repl-id / repl-offset aux fields of an RDB
// let a restarted replica continue from its master with +CONTINUE (ours or a real master), and
// a restarted master keep its old ID as replid2 so its replicas (ours or real ones) continue
// too, getting the DELs of keys that expired while it was down. A replica with appendonly yes
// rewrites its AOF after a full sync, so restarting from the AOF gives the master's dataset.

import assert from "node:assert/strict";
import { datasetCommands } from "../fixtures/dataset.ts";
import { RespClient } from "../helpers/resp_client.ts";
import {
  dumpData,
  info,
  infoField,
  runAll,
  startServerLoaded,
  waitSynced,
  withTempDirs,
} from "../helpers/replication.ts";
import {
  type ChildServer,
  hasBinary,
  skip,
  startRedis,
  startServer,
  type TestServer,
  waitFor,
} from "../helpers/server.ts";

const HAVE_REDIS = hasBinary("redis-server");
const FAST = ["--repl-diskless-sync-delay", "0"];
const SHUTDOWN = "*1\r\n$8\r\nSHUTDOWN\r\n";

/** Writes that end with the master's stream in db 3, so repl-stream-db matters. */
const IN_DB3: (string | number)[][] = [
  ["SET", "live:a", "1"],
  ["SELECT", 3],
  ["SET", "db3:a", "1"],
  ["RPUSH", "db3:l", "x"],
];

/** SHUTDOWN over `c` (no reply: the connection closes), then waits for the server to end. */
async function shutdownSaving(c: RespClient, s: TestServer): Promise<void> {
  await c.writeRaw(SHUTDOWN);
  await s.close();
  c.close();
}

// Our replica of `masterPort` saving into `dir` (save points set: SHUTDOWN saves).
function replicaArgs(masterPort: number, dir: string): string[] {
  return [
    "--replicaof",
    "127.0.0.1",
    String(masterPort),
    "--dir",
    dir,
    "--save",
    "3600 1",
    "--repl-diskless-load",
    "swapdb",
  ];
}

// The shared body: `m` is the master's connection (left in db 3 afterwards).
async function replicaRestart(m: RespClient, masterPort: number, dir: string): Promise<void> {
  await runAll(m, datasetCommands());
  let replica = await startServerLoaded(replicaArgs(masterPort, dir));
  let r = await RespClient.connect(replica.port);
  try {
    await runAll(m, IN_DB3);
    await waitSynced(m, r);
    const id = await infoField(m, "master_replid");
    await shutdownSaving(r, replica);
    // Written while the replica is down, in the db the stream has selected (no new SELECT).
    await runAll(m, [["SET", "db3:b", "2"], ["RPUSH", "db3:l", "y"]]);
    replica = await startServerLoaded(replicaArgs(masterPort, dir));
    r = await RespClient.connect(replica.port);
    const ri = await info(r);
    assert.equal(ri.get("master_replid"), id);
    await waitSynced(m, r);
    await runAll(m, [["INCR", "db3:n"]]);
    await waitSynced(m, r);
    assert.equal(await dumpData(r), await dumpData(m));
    const st = await info(m, "stats");
    assert.equal(st.get("sync_full"), "1");
    assert.equal(st.get("sync_partial_ok"), "1");
  } finally {
    r.close();
    await replica.close();
  }
}

Deno.test("a replica restarted from its RDB continues with +CONTINUE, not a full resync", async () => {
  await withTempDirs(1, async ([dir]) => {
    const master = await startServer(FAST);
    const m = await RespClient.connect(master.port);
    try {
      await replicaRestart(m, master.port, dir);
    } finally {
      m.close();
      await master.close();
    }
  });
});

Deno.test({
  name: "our replica restarted from its RDB continues from a real master with +CONTINUE",
  ignore: !HAVE_REDIS,
  fn: async () => {
    await withTempDirs(1, async ([dir]) => {
      const real = await startRedis(FAST);
      if (real === null) return skip("replication restart", "redis-server not installed");
      const m = await RespClient.connect(real.port);
      try {
        await replicaRestart(m, real.port, dir);
      } finally {
        m.close();
        await real.close();
      }
    });
  },
});

Deno.test("an RDB records replication info only with a replication history", async () => {
  await withTempDirs(1, async ([dir]) => {
    const master = await startServer([...FAST, "--dir", dir]);
    const m = await RespClient.connect(master.port);
    const aux = async () => {
      assert.deepEqual(await m.call("SAVE"), { status: "OK" });
      const text = new TextDecoder("latin1").decode(await Deno.readFile(`${dir}/dump.rdb`));
      return ["repl-stream-db", "repl-id", "repl-offset"].map((k) => text.includes(k));
    };
    try {
      await m.call("SET", "k", "v");
      // No backlog yet: no replica ever connected.
      assert.deepEqual(await aux(), [false, false, false]);
      const replica = await startServer(["--replicaof", "127.0.0.1", String(master.port)]);
      try {
        const r = await RespClient.connect(replica.port);
        await waitSynced(m, r);
        r.close();
      } finally {
        await replica.close();
      }
      assert.deepEqual(await aux(), [true, true, true]);
    } finally {
      m.close();
      await master.close();
    }
  });
});

for (const kind of ["ours", "real"]) {
  Deno.test({
    name: `a master restarted from its RDB keeps its old ID as replid2: ${kind} replica ` +
      "continues, and gets the DELs of keys that expired meanwhile",
    ignore: kind === "real" && !HAVE_REDIS,
    fn: async () => {
      await withTempDirs(1, async ([dir]) => {
        const margs = [...FAST, "--dir", dir, "--save", "3600 1", "--enable-debug-command", "yes"];
        let master = await startServerLoaded(margs);
        const port = master.port;
        let m = await RespClient.connect(port);
        // By full sync: streamed, XREADGROUP leaves entries-read unset on a real replica.
        await runAll(m, [["DEBUG", "SET-ACTIVE-EXPIRE", "0"], ...datasetCommands()]);
        let ours: TestServer | null = null;
        let real: ChildServer | null = null;
        if (kind === "ours") {
          ours = await startServer(["--replicaof", "127.0.0.1", String(port)]);
        } else {
          real = await startRedis(["--replicaof", "127.0.0.1", String(port)]);
          if (real === null) {
            m.close();
            await master.close();
            return skip("replication restart", "redis-server not installed");
          }
        }
        const r = await RespClient.connect(ours !== null ? ours.port : real!.port);
        try {
          // Without active expiry the key is still saved, however slow the machine is.
          await runAll(m, [["SET", "soon", "x", "PX", 200], ...IN_DB3]);
          await waitSynced(m, r);
          const id = await infoField(m, "master_replid");
          const offset = Number(await infoField(m, "master_repl_offset"));
          await shutdownSaving(m, master);
          // The replica hides the key once it is logically expired; it keeps it until a DEL.
          await waitFor(async () => (await r.call("EXISTS", "soon")) === 0, 10000, "expiry");
          master = await startServerLoaded([...margs, "--port", String(port)]);
          m = await RespClient.connect(port);
          const mi = await info(m);
          assert.equal(mi.get("master_replid2"), id);
          assert.notEqual(mi.get("master_replid"), id);
          assert.equal(mi.get("second_repl_offset"), String(offset + 1));
          assert.equal(mi.get("repl_backlog_active"), "1");
          assert.equal(mi.get("repl_backlog_first_byte_offset"), String(offset + 1));
          await waitSynced(m, r);
          assert.equal(await r.call("DBSIZE"), await m.call("DBSIZE"));
          await runAll(m, [["SELECT", 3], ["SET", "db3:after", "1"]]);
          await waitSynced(m, r);
          assert.equal(await dumpData(r), await dumpData(m));
          assert.equal(await infoField(r, "master_replid"), mi.get("master_replid"));
          const st = await info(m, "stats");
          assert.equal(st.get("sync_full"), "0");
          assert.equal(st.get("sync_partial_ok"), "1");
        } finally {
          r.close();
          m.close();
          await ours?.close();
          await real?.close();
          await master.close();
        }
      });
    },
  });
}

for (const load of ["swapdb", "disabled"]) {
  Deno.test(
    `a replica with appendonly yes (repl-diskless-load ${load}) rewrites its AOF after a full ` +
      "sync: restarted from the AOF alone, it has the master's dataset",
    async () => {
      await withTempDirs(1, async ([dir]) => {
        const master = await startServer(FAST);
        const m = await RespClient.connect(master.port);
        const aofArgs = ["--dir", dir, "--appendonly", "yes"];
        let replica: TestServer | null = null;
        let r: RespClient | null = null;
        try {
          await runAll(m, datasetCommands());
          replica = await startServerLoaded([
            "--replicaof",
            "127.0.0.1",
            String(master.port),
            "--repl-diskless-load",
            load,
            ...aofArgs,
          ]);
          r = await RespClient.connect(replica.port);
          await waitSynced(m, r);
          // The rewrite the full sync started has produced the new BASE.
          await waitFor(
            async () => {
              const p = await info(r!, "persistence");
              return p.get("aof_rewrites") === "1" && p.get("aof_rewrite_in_progress") === "0" &&
                p.get("aof_rewrite_scheduled") === "0" && p.get("aof_enabled") === "1";
            },
            20000,
            "the AOF rewrite after the full sync",
          );
          assert.equal(await infoField(r, "aof_last_bgrewrite_status", "persistence"), "ok");
          await runAll(m, IN_DB3);
          await waitSynced(m, r);
          r.close();
          r = null;
          await replica.close();
          // The AOF alone (no master) must rebuild the dataset.
          replica = await startServerLoaded(aofArgs);
          r = await RespClient.connect(replica.port);
          assert.equal(await dumpData(r), await dumpData(m));
        } finally {
          r?.close();
          m.close();
          await replica?.close();
          await master.close();
        }
      });
    },
  );
}
