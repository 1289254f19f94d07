// High availability with real redis-sentinel (Debian): three sentinels monitor our master and
// two of our replicas. When the master is killed they must agree it is down, promote one
// replica (REPLICAOF NO ONE), repoint the other (MULTI, REPLICAOF, CONFIG REWRITE, CLIENT KILL,
// EXEC), and clients that ask Sentinel for the master (ioredis with `sentinels`, redis-py's
// Sentinel) must carry on against the new master with the data written before the failover.

import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { RespClient } from "../helpers/resp_client.ts";
import { freePort, hasBinary, skip, waitFor, waitForPort } from "../helpers/server.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;
const PYTHON = "/usr/bin/python3";

interface Proc {
  port: number;
  process: Deno.ChildProcess;
}

async function stop(p: Proc, signal: Deno.Signal = "SIGTERM"): Promise<void> {
  try {
    p.process.kill(signal);
  } catch {
    // already exited
  }
  await p.process.status;
}

/** Our server as a process with a config file (Sentinel's CONFIG REWRITE needs one). */
async function startOurs(dir: string, extra: string[]): Promise<Proc> {
  const port = freePort();
  const conf = `${dir}/redis-${port}.conf`;
  await Deno.writeTextFile(
    conf,
    [`port ${port}`, "bind 127.0.0.1", `dir ${dir}`, 'save ""', ...extra, ""].join("\n"),
  );
  const process = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, conf],
    stdout: "null",
    stderr: "null",
  }).spawn();
  await waitForPort(port);
  return { port, process };
}

async function startSentinel(dir: string, masterPort: number): Promise<Proc> {
  const port = freePort();
  const conf = `${dir}/sentinel-${port}.conf`;
  await Deno.writeTextFile(
    conf,
    [
      `port ${port}`,
      "bind 127.0.0.1",
      `dir ${dir}`,
      `sentinel monitor mymaster 127.0.0.1 ${masterPort} 2`,
      "sentinel down-after-milliseconds mymaster 1000",
      "sentinel failover-timeout mymaster 10000",
      "sentinel parallel-syncs mymaster 1",
      "",
    ].join("\n"),
  );
  const process = new Deno.Command("redis-sentinel", {
    args: [conf],
    stdout: "null",
    stderr: "null",
  }).spawn();
  await waitForPort(port);
  return { port, process };
}

async function call(port: number, ...args: (string | number)[]): Promise<unknown> {
  const c = await RespClient.connect(port);
  try {
    return await c.call(...args);
  } finally {
    c.close();
  }
}

/**
 * A condition for waitFor that counts a failed call as "not yet": Sentinel's failover closes
 * normal clients (CLIENT KILL TYPE normal), which can hit a poll's connection.
 */
function polling(cond: () => Promise<boolean>): () => Promise<boolean> {
  return async () => {
    try {
      return await cond();
    } catch {
      return false;
    }
  };
}

async function infoField(port: number, section: string, field: string): Promise<string | null> {
  const text = String(await call(port, "INFO", section));
  const m = text.match(new RegExp(`^${field}:(.*)\\r?$`, "m"));
  return m === null ? null : m[1].trim();
}

/** Runs a redis-py Sentinel client: prints the master port, then sets and reads a key. */
async function pythonSentinel(sentinels: number[], key: string, value: string): Promise<string> {
  const script = `
import sys
from redis.sentinel import Sentinel
s = Sentinel([("127.0.0.1", p) for p in (${sentinels.join(",")})], socket_timeout=5)
host, port = s.discover_master("mymaster")
m = s.master_for("mymaster", socket_timeout=5)
m.set(${JSON.stringify(key)}, ${JSON.stringify(value)})
r = s.slave_for("mymaster", socket_timeout=5)
print(port, m.get(${JSON.stringify(key)}).decode())
`;
  const out = await new Deno.Command(PYTHON, { args: ["-c", script], stderr: "piped" }).output();
  const text = new TextDecoder().decode(out.stdout).trim();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
  return text;
}

function hasPythonRedis(): boolean {
  try {
    return new Deno.Command(PYTHON, { args: ["-c", "import redis"], stderr: "null" }).outputSync()
      .success;
  } catch {
    return false;
  }
}

Deno.test({
  name: "redis-sentinel fails over a group of our servers and clients follow",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    if (!hasBinary("redis-sentinel")) {
      skip("sentinel", "redis-sentinel is not installed (Debian package redis-sentinel)");
      return;
    }
    const py = hasPythonRedis();
    if (!py) skip("sentinel (redis-py part)", `${PYTHON} has no redis module (python3-redis)`);
    const dir = await Deno.makeTempDir({ prefix: "sentinel-" });
    const procs: Proc[] = [];
    const sentinels: Proc[] = [];
    let client: Redis | null = null;
    try {
      const master = await startOurs(dir, []);
      procs.push(master);
      const replicas = [
        await startOurs(dir, [`replicaof 127.0.0.1 ${master.port}`, "replica-priority 100"]),
        await startOurs(dir, [`replicaof 127.0.0.1 ${master.port}`, "replica-priority 50"]),
      ];
      procs.push(...replicas);
      for (const r of replicas) {
        await waitFor(
          polling(async () =>
            await infoField(r.port, "replication", "master_link_status") === "up"
          ),
          20000,
          "replicas to sync",
        );
      }
      for (let i = 0; i < 3; i++) sentinels.push(await startSentinel(dir, master.port));
      const sPorts = sentinels.map((s) => s.port);
      // Every sentinel sees both replicas and the two other sentinels (hello messages).
      for (const s of sentinels) {
        await waitFor(
          polling(async () => {
            const reps = await call(s.port, "SENTINEL", "REPLICAS", "mymaster") as unknown[];
            const info = await call(s.port, "SENTINEL", "MASTER", "mymaster") as string[];
            const others = Number(info[info.indexOf("num-other-sentinels") + 1]);
            return reps.length === 2 && others === 2;
          }),
          30000,
          "sentinels to discover the group",
        );
      }

      client = new Redis({
        sentinels: sPorts.map((port) => ({ host: "127.0.0.1", port })),
        name: "mymaster",
        maxRetriesPerRequest: 50,
        retryStrategy: () => 100,
        sentinelRetryStrategy: () => 100,
      });
      client.on("error", () => {});
      for (let i = 0; i < 100; i++) await client.set(`before:${i}`, String(i));
      assert.equal(await client.get("before:42"), "42");
      if (py) assert.equal(await pythonSentinel(sPorts, "py:before", "1"), `${master.port} 1`);
      else await client.set("py:before", "1");
      // WAIT makes the writes reach both replicas before the master dies.
      assert.equal(await client.call("WAIT", 2, 5000), 2);

      await stop(master, "SIGKILL");
      procs.splice(procs.indexOf(master), 1);

      // The sentinels agree on a new master: one of the replicas.
      let promoted = 0;
      await waitFor(
        polling(async () => {
          const addr = await call(sPorts[0], "SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster");
          promoted = Number((addr as string[])[1]);
          return promoted !== master.port;
        }),
        60000,
        "the failover",
      );
      const newMaster = replicas.find((r) => r.port === promoted)!;
      const other = replicas.find((r) => r !== newMaster)!;
      assert.ok(newMaster !== undefined);
      await waitFor(
        polling(async () => ((await call(newMaster.port, "ROLE")) as unknown[])[0] === "master"),
        20000,
        "the promoted replica to be a master",
      );
      // The other replica now follows the promoted one.
      await waitFor(
        polling(async () => {
          const role = await call(other.port, "ROLE") as unknown[];
          return role[0] === "slave" && role[2] === promoted && role[3] === "connected";
        }),
        60000,
        "the other replica to follow the new master",
      );

      // Clients carry on against the new master with the old data.
      await waitFor(
        polling(async () => {
          await client!.set("after", "1");
          return true;
        }),
        30000,
        "ioredis to reach the new master",
      );
      assert.equal(await client.get("before:42"), "42");
      assert.equal(await client.get("py:before"), "1");
      assert.equal(await call(newMaster.port, "GET", "after"), "1");
      if (py) assert.equal(await pythonSentinel(sPorts, "py:after", "2"), `${promoted} 2`);
      else await client.set("py:after", "2");
      await waitFor(
        polling(async () => await call(other.port, "GET", "py:after") === "2"),
        10000,
        "the write to reach the remaining replica",
      );
    } finally {
      client?.disconnect();
      for (const s of sentinels) await stop(s);
      for (const p of procs) await stop(p);
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
