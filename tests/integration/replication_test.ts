// Replication between our own servers, in one process on free ports: full sync of every type
// (diskless and disk, each load mode), the live stream in its deterministic form, WAIT, a
// dropped link resumed with +CONTINUE, promotion with REPLICAOF NO ONE and another replica
// continuing from the promoted one (replid2), chained replicas, read-only / stale-data /
// min-replicas rules, expiry on replicas, INFO replication and ROLE.

import assert from "node:assert/strict";
import { datasetCommands } from "../fixtures/dataset.ts";
import { RespClient } from "../helpers/resp_client.ts";
import { startServer, type TestServer, waitFor } from "../helpers/server.ts";
import { dumpData, info, infoField, runAll, waitSynced } from "../helpers/replication.ts";
import { bytesToStr, strToBytes } from "../../src/util/bytes.ts";

const FAST = ["--repl-diskless-sync-delay", "0"];
const OK = { status: "OK" };

function isOk(v: unknown): boolean {
  return typeof v === "object" && v !== null && (v as { status?: string }).status === "OK";
}

/** Writes whose propagation must be rewritten to stay deterministic. */
const LIVE: (string | number)[][] = [
  ["SET", "live:ex", "v", "EX", 1000],
  ["SET", "live:f", "1.5"],
  ["INCRBYFLOAT", "live:f", "2.25"],
  ["SADD", "live:s", "a", "b", "c", "d"],
  ["SPOP", "live:s"],
  ["SRANDMEMBER", "live:s"],
  ["EXPIRE", "live:s", 5000],
  ["RPUSH", "live:l", 1, 2, 3],
  ["LPOP", "live:l"],
  ["MULTI"],
  ["INCR", "live:n"],
  ["HSET", "live:h", "f", "v"],
  ["EXEC"],
  ["ZADD", "live:z", 1, "a", 2, "b"],
  ["ZINCRBY", "live:z", 3, "a"],
  ["XADD", "live:x", "*", "f", "v"],
  ["SELECT", 5],
  ["SET", "live:db5", "x"],
  ["SELECT", 0],
  ["GETDEL", "str:raw"],
  ["EVAL", "redis.call('set', KEYS[1], ARGV[1]) return 1", 1, "live:lua", "x"],
];

// Replicas load in memory (swapdb) unless a test asks otherwise: the default writes the
// payload as the dump file in the working directory first.
async function replicaOf(master: TestServer, args: string[] = []): Promise<TestServer> {
  return await startServer([
    "--replicaof",
    "127.0.0.1",
    String(master.port),
    "--repl-diskless-load",
    "swapdb",
    ...args,
  ]);
}

/** Opens a client per server; closes clients and servers (replicas first) afterwards. */
async function withServers(
  servers: TestServer[],
  fn: (clients: RespClient[]) => Promise<void>,
): Promise<void> {
  const clients: RespClient[] = [];
  try {
    for (const s of servers) clients.push(await RespClient.connect(s.port));
    await fn(clients);
  } finally {
    for (const c of clients) c.close();
    for (const s of [...servers].reverse()) await s.close();
  }
}

Deno.test("a replica gets every type by full sync, then the live stream, and WAIT counts it", async () => {
  const master = await startServer(FAST);
  const mc = await RespClient.connect(master.port);
  await runAll(mc, datasetCommands());
  mc.close();
  const replica = await replicaOf(master);
  await withServers([master, replica], async ([m, r]) => {
    await waitSynced(m, r);
    assert.equal(await dumpData(r), await dumpData(m));
    // A subscriber on the replica gets the PUBLISH the master propagates.
    const sub = await RespClient.connect(replica.port);
    await sub.call("SUBSCRIBE", "news");
    await runAll(m, [...LIVE, ["PUBLISH", "news", "hello"]]);
    await waitSynced(m, r);
    assert.equal(await dumpData(r), await dumpData(m));
    assert.deepEqual((await sub.read()).value, ["message", "news", "hello"]);
    sub.close();

    await m.call("SET", "w", "1");
    assert.equal(await m.call("WAIT", 1, 10000), 1);
    assert.equal(await m.call("WAIT", 2, 50), 1);
    assert.equal(await m.call("WAIT", 0, 0), 1);
    assert.deepEqual(await m.call("WAIT", "x", 0), {
      error: "ERR value is not an integer or out of range",
    });
    assert.deepEqual(await m.call("WAIT", 1, -1), { error: "ERR timeout is negative" });

    const mi = await info(m);
    assert.equal(mi.get("role"), "master");
    assert.equal(mi.get("connected_slaves"), "1");
    assert.match(mi.get("slave0")!, /^ip=127\.0\.0\.1,port=\d+,state=online,offset=\d+,lag=\d+$/);
    assert.equal(mi.get("repl_backlog_active"), "1");
    assert.equal(mi.get("repl_backlog_first_byte_offset"), "1");
    const ri = await info(r);
    assert.deepEqual([...ri.keys()].slice(0, 13), [
      "role",
      "master_host",
      "master_port",
      "master_link_status",
      "master_last_io_seconds_ago",
      "master_sync_in_progress",
      "slave_read_repl_offset",
      "slave_repl_offset",
      "slave_priority",
      "slave_read_only",
      "replica_announced",
      "connected_slaves",
      "master_failover_state",
    ]);
    assert.equal(ri.get("master_replid"), mi.get("master_replid"));
    assert.equal(ri.get("master_repl_offset"), mi.get("master_repl_offset"));
    const role = await r.call("ROLE") as unknown[];
    assert.deepEqual(role.slice(0, 4), ["slave", "127.0.0.1", master.port, "connected"]);
    const mrole = await m.call("ROLE") as unknown[];
    assert.equal(mrole[0], "master");
    assert.equal((mrole[2] as unknown[]).length, 1);
    // As Redis prints the master link: flag M, no ACL user.
    assert.match(
      await r.call("CLIENT", "LIST", "TYPE", "master") as string,
      /flags=M .* user=\(superuser\) redir=-1 resp=2\n$/,
    );
    assert.match(await m.call("CLIENT", "LIST", "TYPE", "replica") as string, /flags=S /);
    const st = await info(m, "stats");
    assert.equal(st.get("sync_full"), "1");
  });
});

Deno.test("a dropped link resumes with +CONTINUE and no full resync", async () => {
  const master = await startServer(FAST);
  const replica = await replicaOf(master);
  await withServers([master, replica], async ([m, r]) => {
    await m.call("SET", "before", "1");
    await waitSynced(m, r);
    // Cut the link from the replica's side, then from the master's side.
    assert.equal(await r.call("CLIENT", "KILL", "TYPE", "master"), 1);
    await m.call("SET", "during", "2");
    await runAll(m, [["MULTI"], ["INCR", "n"], ["INCR", "n"], ["EXEC"]]);
    await waitSynced(m, r);
    assert.equal(await m.call("CLIENT", "KILL", "TYPE", "replica"), 1);
    await m.call("INCR", "n");
    await waitSynced(m, r);
    assert.equal(await dumpData(r), await dumpData(m));
    assert.equal(await r.call("GET", "n"), "3");
    const st = await info(m, "stats");
    assert.equal(st.get("sync_full"), "1");
    assert.equal(st.get("sync_partial_ok"), "2");
  });
});

Deno.test("REPLICAOF NO ONE promotes with a new ID and another replica continues from it", async () => {
  const a = await startServer(FAST);
  const b = await replicaOf(a, FAST);
  const c = await replicaOf(a);
  await withServers([a, b, c], async ([ca, cb, cc]) => {
    await runAll(ca, [["SET", "k", "1"], ["RPUSH", "l", "a", "b"]]);
    await waitSynced(ca, cb);
    await waitSynced(ca, cc);
    const oldId = await infoField(ca, "master_replid");
    const offset = Number(await infoField(ca, "master_repl_offset"));
    assert.deepEqual(await cb.call("REPLICAOF", "NO", "ONE"), OK);
    const bi = await info(cb);
    assert.equal(bi.get("role"), "master");
    assert.equal(bi.get("master_replid2"), oldId);
    assert.notEqual(bi.get("master_replid"), oldId);
    assert.equal(bi.get("second_repl_offset"), String(offset + 1));
    // The promoted server keeps the data and takes writes.
    assert.equal(await cb.call("GET", "k"), "1");
    assert.deepEqual(await cb.call("SET", "k", "2"), OK);
    assert.deepEqual(await cc.call("REPLICAOF", "127.0.0.1", b.port), OK);
    await waitSynced(cb, cc);
    assert.equal(await cc.call("GET", "k"), "2");
    assert.equal(await infoField(cc, "master_replid"), bi.get("master_replid"));
    const st = await info(cb, "stats");
    assert.equal(st.get("sync_partial_ok"), "1");
    assert.equal(st.get("sync_full"), "0");
    // The same master again: nothing to do.
    assert.deepEqual(await cc.call("REPLICAOF", "127.0.0.1", b.port), {
      status: "OK Already connected to specified master",
    });
  });
});

Deno.test("a replica of a replica gets the same stream, IDs and offsets", async () => {
  const a = await startServer(FAST);
  const b = await replicaOf(a, FAST);
  await withServers([a, b], async ([ca, cb]) => {
    await waitSynced(ca, cb);
    const c = await replicaOf(b);
    const cc = await RespClient.connect(c.port);
    try {
      await runAll(ca, [["SET", "x", "1"], ["SELECT", 2], ["SADD", "s", "m"], ["SELECT", 0]]);
      await waitSynced(ca, cb);
      await waitSynced(cb, cc);
      assert.equal(await dumpData(cc), await dumpData(ca));
      const ai = await info(ca);
      const ci = await info(cc);
      assert.equal(ci.get("master_replid"), ai.get("master_replid"));
      assert.equal(ci.get("master_repl_offset"), ai.get("master_repl_offset"));
    } finally {
      cc.close();
      await c.close();
    }
  });
});

for (const load of ["disabled", "on-empty-db", "swapdb"]) {
  Deno.test(`disk sync with repl-diskless-load ${load}`, async () => {
    // `dir` is the process's working directory: both servers share it, and the test goes
    // back to the original one before removing it.
    const cwd = Deno.cwd();
    const dir = await Deno.makeTempDir({ prefix: "repl-disk-" });
    const master = await startServer(["--repl-diskless-sync", "no", "--dir", dir]);
    const mc = await RespClient.connect(master.port);
    await runAll(mc, datasetCommands());
    mc.close();
    const replica = await replicaOf(master, ["--repl-diskless-load", load, "--dir", dir]);
    try {
      await withServers([master, replica], async ([m, r]) => {
        await waitSynced(m, r);
        assert.equal(await dumpData(r), await dumpData(m));
        await runAll(m, LIVE);
        await waitSynced(m, r);
        assert.equal(await dumpData(r), await dumpData(m));
        // A disk sync is a BGSAVE of the master's dump file.
        await Deno.stat(`${dir}/dump.rdb`);
      });
    } finally {
      Deno.chdir(cwd);
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("replicas are read-only, keep expired keys for the master's DEL, and serve stale data as told", async () => {
  const master = await startServer([...FAST, "--enable-debug-command", "yes"]);
  const replica = await replicaOf(master);
  await withServers([master, replica], async ([m, r]) => {
    await waitSynced(m, r);
    assert.deepEqual(await r.call("SET", "a", "1"), {
      error: "READONLY You can't write against a read only replica.",
    });
    assert.deepEqual(await m.call("WAIT", "1", "0"), 1);
    assert.deepEqual(await r.call("WAIT", 1, 0), {
      error:
        "ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated.",
    });
    // Expiry: the master does not expire actively; the replica hides the key but keeps it.
    assert.deepEqual(await m.call("DEBUG", "SET-ACTIVE-EXPIRE", "0"), OK);
    await m.call("SET", "tmp", "v", "PX", 30);
    await waitSynced(m, r);
    await waitFor(async () => (await r.call("GET", "tmp")) === null, 5000, "logical expiry");
    assert.equal(await r.call("DBSIZE"), 1);
    assert.equal(await m.call("GET", "tmp"), null); // lazy expiry on the master: DEL
    await waitSynced(m, r);
    assert.equal(await r.call("DBSIZE"), 0);
    // The link down with replica-serve-stale-data no.
    await r.call("CONFIG", "SET", "replica-serve-stale-data", "no");
    await r.call("REPLICAOF", "127.0.0.1", "1");
    assert.deepEqual(await r.call("GET", "x"), {
      error: "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.",
    });
    assert.equal(typeof await r.call("INFO", "replication"), "string");
    assert.equal(await infoField(r, "master_link_status"), "down");
    assert.deepEqual(await r.call("REPLICAOF", "NO", "ONE"), OK);
    assert.deepEqual(await r.call("SET", "x", "1"), OK);
  });
});

Deno.test("min-replicas-to-write refuses writes without enough good replicas", async () => {
  const master = await startServer(FAST);
  await withServers([master], async ([m]) => {
    await m.call("CONFIG", "SET", "min-replicas-to-write", "1");
    assert.deepEqual(await m.call("SET", "a", "1"), {
      error: "NOREPLICAS Not enough good replicas to write.",
    });
    assert.equal(await m.call("GET", "a"), null);
    const replica = await replicaOf(master);
    try {
      const r = await RespClient.connect(replica.port);
      await waitSynced(m, r);
      r.close();
      await waitFor(async () => isOk(await m.call("SET", "a", "1")), 10000, "a good replica");
      assert.equal(await infoField(m, "min_slaves_good_slaves"), "1");
    } finally {
      await replica.close();
    }
  });
});

Deno.test("REPLCONF, SYNC and REPLICAOF argument errors match Redis", async () => {
  const master = await startServer();
  await withServers([master], async ([m]) => {
    assert.deepEqual(await m.call("REPLCONF", "a"), { error: "ERR syntax error" });
    assert.deepEqual(await m.call("REPLCONF", "foo", "bar"), {
      error: "ERR Unrecognized REPLCONF option: foo",
    });
    assert.deepEqual(await m.call("REPLCONF", "listening-port", "x"), {
      error: "ERR value is not an integer or out of range",
    });
    assert.deepEqual(await m.call("REPLCONF", "rdb-only", "2"), {
      error: "ERR value is out of range, value must between 0 and 1",
    });
    assert.deepEqual(await m.call("REPLCONF", "capa", "eof", "capa", "psync2"), OK);
    assert.deepEqual(await m.call("REPLICAOF", "127.0.0.1", "x"), {
      error: "ERR Invalid master port",
    });
    assert.deepEqual(await m.call("REPLICAOF", "no", "two"), { error: "ERR Invalid master port" });
    assert.deepEqual(await m.call("REPLICAOF", "NO", "ONE"), OK);
    assert.deepEqual(await m.call("PSYNC", "a"), {
      error: "ERR wrong number of arguments for 'psync' command",
    });
    assert.deepEqual(await m.call("PSYNC", "?", "x"), {
      error: "ERR value is not an integer or out of range",
    });
    assert.deepEqual(await m.call("ROLE"), ["master", 0, []]);
  });
});

Deno.test("PSYNC by hand: +FULLRESYNC, the EOF-marked payload, then the stream from the first ACK", async () => {
  const master = await startServer(FAST);
  await withServers([master], async ([m]) => {
    await m.call("SET", "k", "v");
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: master.port });
    let text = "";
    const readUntil = async (cond: () => boolean) => {
      const buf = new Uint8Array(65536);
      const timer = setTimeout(() => conn.close(), 10000);
      try {
        while (!cond()) {
          const n = await conn.read(buf).catch(() => null);
          if (n === null) throw new Error(`Closed or timed out; got ${JSON.stringify(text)}`);
          text += bytesToStr(buf.subarray(0, n));
        }
      } finally {
        clearTimeout(timer);
      }
    };
    try {
      // PSYNC pipelined behind REPLCONF would find its +OK pending and be refused, as in Redis.
      await conn.write(strToBytes("*3\r\n$8\r\nREPLCONF\r\n$4\r\ncapa\r\n$3\r\neof\r\n"));
      await readUntil(() => text === "+OK\r\n");
      await conn.write(strToBytes("*3\r\n$5\r\nPSYNC\r\n$1\r\n?\r\n$2\r\n-1\r\n"));
      const head = /^\+OK\r\n\+FULLRESYNC [0-9a-f]{40} 0\r\n\$EOF:([0-9a-f]{40})\r\n/;
      await readUntil(() => head.test(text));
      const mark = head.exec(text)![1];
      const start = text.indexOf("$EOF:") + 47;
      await readUntil(() => text.indexOf(mark, start) >= 0);
      const end = text.indexOf(mark, start);
      assert.ok(text.slice(start, end).startsWith("REDIS0010"));
      assert.equal(text.length, end + 40);
      // Nothing of the stream comes before the first ACK.
      await m.call("SET", "k2", "v2");
      await conn.write(strToBytes("*3\r\n$8\r\nREPLCONF\r\n$3\r\nACK\r\n$1\r\n0\r\n"));
      const want = "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$2\r\nk2\r\n$2\r\nv2\r\n";
      await readUntil(() => text.length >= end + 40 + want.length);
      assert.equal(text.slice(end + 40), want);
    } finally {
      try {
        conn.close();
      } catch {
        // closed by the timeout
      }
    }
  });
});

Deno.test("a replica over client-output-buffer-limit replica is disconnected", async () => {
  const master = await startServer([
    ...FAST,
    "--rdb-key-save-delay",
    "2000",
    "--enable-debug-command",
    "yes",
  ]);
  await withServers([master], async ([m]) => {
    assert.deepEqual(await m.call("DEBUG", "POPULATE", 300), OK);
    await m.call("CONFIG", "SET", "client-output-buffer-limit", "replica 20000 0 0");
    const replica = await replicaOf(master);
    try {
      // While the snapshot is written, the stream for the replica is held back.
      await waitFor(
        async () => (await info(m)).get("slave0")?.includes("state=wait_bgsave") ?? false,
        10000,
        "a replica waiting for its snapshot",
      );
      await m.call("SET", "big", "x".repeat(30000));
      await waitFor(
        async () => (await info(m)).get("connected_slaves") === "0",
        10000,
        "the replica to be dropped",
      );
    } finally {
      await replica.close();
    }
  });
});

Deno.test("a replica authenticates to its master with masteruser and masterauth", async () => {
  const master = await startServer([...FAST, "--requirepass", "secret"]);
  const replica = await replicaOf(master, ["--masterauth", "secret"]);
  await withServers([master, replica], async ([m, r]) => {
    assert.deepEqual(await m.call("AUTH", "secret"), OK);
    await m.call("ACL", "SETUSER", "repl", "on", ">pw", "+@all", "~*");
    await m.call("SET", "k", "v");
    await waitSynced(m, r);
    assert.equal(await r.call("GET", "k"), "v");
    await r.call("CONFIG", "SET", "masterauth", "pw");
    await r.call("CONFIG", "SET", "masteruser", "repl");
    assert.equal(await r.call("CLIENT", "KILL", "TYPE", "master"), 1);
    await m.call("SET", "k", "v2");
    await waitSynced(m, r);
    assert.equal(await r.call("GET", "k"), "v2");
  });
});
