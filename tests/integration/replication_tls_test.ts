// Replication over TLS (tls-replication yes): our replica of our master through its tls-port
// (full sync diskless and from disk, the live stream, partial resync), a real redis-server
// replica of our master over TLS, and our replica of a real TLS master. Certificates come from
// helpers/tls.ts; every server presents the server certificate, which is also valid for
// client authentication (tls-auth-clients yes on every TLS port).

import assert from "node:assert/strict";
import { datasetCommands } from "../fixtures/dataset.ts";
import { RespClient } from "../helpers/resp_client.ts";
import { dumpData, info, runAll, waitSynced } from "../helpers/replication.ts";
import {
  freePort,
  hasBinary,
  skip,
  startRedis,
  startServer,
  type TestServer,
} from "../helpers/server.ts";
import { type Certs, HAVE_OPENSSL, makeCerts, removeCerts, tlsArgs } from "../helpers/tls.ts";

const HAVE_REDIS = hasBinary("redis-server");

const LIVE: (string | number)[][] = [
  ["SET", "live:ex", "v", "EX", 1000],
  ["INCRBYFLOAT", "live:f", "2.25"],
  ["SADD", "live:s", "a", "b", "c"],
  ["SPOP", "live:s"],
  ["MULTI"],
  ["INCR", "live:n"],
  ["RPUSH", "live:l", "x", "y"],
  ["EXEC"],
  ["SELECT", 3],
  ["HSET", "live:h", "f", "v"],
  ["SELECT", 0],
  ["SET", "live:big", "b".repeat(200000)],
];

let certsPromise: Promise<Certs> | null = null;
function certs(): Promise<Certs> {
  certsPromise ??= makeCerts();
  return certsPromise;
}

/** Our server with a plain port (for the test's clients) and a TLS port. */
async function tlsServer(c: Certs, extra: string[]): Promise<{ s: TestServer; tlsPort: number }> {
  const tlsPort = freePort();
  const s = await startServer(["--port", String(freePort()), ...tlsArgs(c, tlsPort), ...extra]);
  return { s, tlsPort };
}

/** tls-replication arguments for a replica of 127.0.0.1:`port` (its TLS port). */
function tlsReplicaArgs(c: Certs, port: number): string[] {
  return [
    "--replicaof",
    "127.0.0.1",
    String(port),
    "--tls-replication",
    "yes",
    ...tlsArgs(c, 0),
  ];
}

for (const diskless of ["yes", "no"]) {
  Deno.test({
    name: `a replica linked over TLS (repl-diskless-sync ${diskless}): full sync, live stream, ` +
      "partial resync after the link drops from either side",
    ignore: !HAVE_OPENSSL,
    fn: async () => {
      const c = await certs();
      const cwd = Deno.cwd();
      const dir = await Deno.makeTempDir({ prefix: "repl-tls-" });
      const { s: master, tlsPort } = await tlsServer(c, [
        "--repl-diskless-sync",
        diskless,
        "--repl-diskless-sync-delay",
        "0",
        "--dir",
        dir,
      ]);
      const m = await RespClient.connect(master.port);
      let replica: TestServer | null = null;
      let r: RespClient | null = null;
      try {
        await runAll(m, datasetCommands());
        // The replica has its own tls-port: it announces that one (REPLCONF listening-port).
        const replicaTls = freePort();
        replica = await startServer([
          "--port",
          String(freePort()),
          "--tls-port",
          String(replicaTls),
          "--repl-diskless-load",
          "swapdb",
          ...tlsReplicaArgs(c, tlsPort),
        ]);
        r = await RespClient.connect(replica.port);
        await waitSynced(m, r);
        assert.equal(await dumpData(r), await dumpData(m));
        await runAll(m, LIVE);
        await waitSynced(m, r);
        assert.equal(await dumpData(r), await dumpData(m));
        // The master serves the link on its TLS port.
        const line = await m.call("CLIENT", "LIST", "TYPE", "replica") as string;
        assert.match(line, new RegExp(`laddr=127\\.0\\.0\\.1:${tlsPort} `));
        assert.match((await info(m)).get("slave0")!, new RegExp(`,port=${replicaTls},`));
        assert.equal(await m.call("WAIT", 1, 10000), 1);
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
      } finally {
        r?.close();
        m.close();
        await replica?.close();
        await master.close();
        Deno.chdir(cwd);
        await Deno.remove(dir, { recursive: true });
      }
    },
  });
}

Deno.test({
  name: "a real redis-server replica follows our master over TLS",
  ignore: !HAVE_OPENSSL || !HAVE_REDIS,
  fn: async () => {
    const c = await certs();
    const { s: ours, tlsPort } = await tlsServer(c, ["--repl-diskless-sync-delay", "0"]);
    const m = await RespClient.connect(ours.port);
    // Before the replica connects: streamed, XREADGROUP leaves entries-read unset on a real
    // replica (Redis 7.0 propagates no ENTRIESREAD), so the dataset goes by full sync.
    await runAll(m, datasetCommands());
    const real = await startRedis(tlsReplicaArgs(c, tlsPort));
    if (real === null) {
      m.close();
      await ours.close();
      return skip("replication over TLS", "redis-server not installed");
    }
    const r = await RespClient.connect(real.port);
    try {
      await waitSynced(m, r);
      assert.equal(await dumpData(r), await dumpData(m));
      await runAll(m, LIVE);
      await waitSynced(m, r);
      assert.equal(await dumpData(r), await dumpData(m));
      assert.equal(await m.call("WAIT", 1, 10000), 1);
      assert.equal(await r.call("CLIENT", "KILL", "TYPE", "master"), 1);
      await m.call("SET", "after-kill", "1");
      await waitSynced(m, r);
      assert.equal(await r.call("GET", "after-kill"), "1");
      const st = await info(m, "stats");
      assert.equal(st.get("sync_full"), "1");
      assert.equal(st.get("sync_partial_ok"), "1");
    } finally {
      r.close();
      m.close();
      await real.close();
      await ours.close();
    }
  },
});

Deno.test({
  name: "our replica follows a real redis-server master over TLS",
  ignore: !HAVE_OPENSSL || !HAVE_REDIS,
  fn: async () => {
    const c = await certs();
    const tlsPort = freePort();
    const real = await startRedis([...tlsArgs(c, tlsPort), "--repl-diskless-sync-delay", "0"]);
    if (real === null) return skip("replication over TLS", "redis-server not installed");
    const m = await RespClient.connect(real.port);
    let ours: TestServer | null = null;
    let r: RespClient | null = null;
    try {
      await runAll(m, datasetCommands());
      ours = await startServer([...tlsReplicaArgs(c, tlsPort), "--repl-diskless-load", "swapdb"]);
      r = await RespClient.connect(ours.port);
      await waitSynced(m, r);
      assert.equal(await dumpData(r), await dumpData(m));
      await runAll(m, LIVE);
      await waitSynced(m, r);
      assert.equal(await dumpData(r), await dumpData(m));
      assert.equal(await m.call("WAIT", 1, 10000), 1);
      assert.equal(await m.call("CLIENT", "KILL", "TYPE", "replica"), 1);
      await m.call("SET", "after-kill", "1");
      await waitSynced(m, r);
      assert.equal(await r.call("GET", "after-kill"), "1");
      const st = await info(m, "stats");
      assert.equal(st.get("sync_full"), "1");
      assert.equal(st.get("sync_partial_ok"), "1");
    } finally {
      r?.close();
      m.close();
      await ours?.close();
      await real.close();
    }
  },
});

Deno.test({
  name: "replication tls test certificates are removed",
  ignore: !HAVE_OPENSSL,
  fn: async () => {
    await removeCerts(await certs());
  },
});
