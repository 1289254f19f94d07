// Sharding with twemproxy (nutcracker, Debian) in front of three of our servers: the proxy
// hashes each key to one shard, so every key written through it must be readable through it,
// live on exactly one shard, and the three shards must all get a share.

import assert from "node:assert/strict";
import { RespClient } from "../helpers/resp_client.ts";
import {
  freePort,
  hasBinary,
  skip,
  startServer,
  type TestServer,
  waitForPort,
} from "../helpers/server.ts";

const KEYS = 600;

async function startProxy(
  shards: number[],
  dir: string,
): Promise<{ port: number; process: Deno.ChildProcess }> {
  const port = freePort();
  const stats = freePort();
  const conf = `${dir}/nutcracker.yml`;
  await Deno.writeTextFile(
    conf,
    [
      "shards:",
      `  listen: 127.0.0.1:${port}`,
      "  hash: murmur",
      "  distribution: ketama",
      "  redis: true",
      "  auto_eject_hosts: false",
      "  timeout: 5000",
      "  servers:",
      ...shards.map((p, i) => `    - 127.0.0.1:${p}:1 shard${i}`),
      "",
    ].join("\n"),
  );
  const process = new Deno.Command("nutcracker", {
    args: [
      "-c",
      conf,
      "-s",
      String(stats),
      "-a",
      "127.0.0.1",
      "-p",
      `${dir}/pid`,
      "-o",
      `${dir}/log`,
    ],
    stdout: "null",
    stderr: "null",
  }).spawn();
  await waitForPort(port);
  return { port, process };
}

Deno.test("twemproxy shards keys over three of our servers", async () => {
  if (!hasBinary("nutcracker")) {
    skip("twemproxy", "nutcracker is not installed (Debian package nutcracker)");
    return;
  }
  const servers: TestServer[] = [];
  const dir = await Deno.makeTempDir({ prefix: "twemproxy-" });
  let proxy: { port: number; process: Deno.ChildProcess } | null = null;
  const clients: RespClient[] = [];
  try {
    for (let i = 0; i < 3; i++) servers.push(await startServer());
    proxy = await startProxy(servers.map((s) => s.port), dir);
    const c = await RespClient.connect(proxy.port);
    clients.push(c);

    // Writes of several types through the proxy.
    for (let i = 0; i < KEYS; i++) {
      assert.deepEqual(await c.call("SET", `key:${i}`, `v${i}`), { status: "OK" });
    }
    assert.equal(await c.call("RPUSH", "list", "a", "b", "c"), 3);
    assert.equal(await c.call("HSET", "hash", "f", "1"), 1);
    assert.equal(await c.call("INCRBY", "counter", 41), 41);
    assert.equal(await c.call("INCR", "counter"), 42);

    // Reads through the proxy, including a multi-key MGET the proxy splits across shards.
    for (let i = 0; i < KEYS; i += 7) assert.equal(await c.call("GET", `key:${i}`), `v${i}`);
    const names = Array.from({ length: 50 }, (_, i) => `key:${i * 11}`);
    assert.deepEqual(await c.call("MGET", ...names), names.map((n) => `v${n.slice(4)}`));
    assert.deepEqual(await c.call("LRANGE", "list", 0, -1), ["a", "b", "c"]);
    assert.equal(await c.call("HGET", "hash", "f"), "1");

    // Every key lives on exactly one shard, and every shard has a share.
    const direct = await Promise.all(servers.map((s) => RespClient.connect(s.port)));
    clients.push(...direct);
    const sizes = await Promise.all(direct.map((d) => d.call("DBSIZE")));
    assert.equal(sizes.reduce((a, b) => (a as number) + (b as number), 0), KEYS + 3);
    for (const n of sizes) assert.ok((n as number) > KEYS / 10, `unbalanced shards: ${sizes}`);
    for (let i = 0; i < KEYS; i += 13) {
      const found = await Promise.all(direct.map((d) => d.call("EXISTS", `key:${i}`)));
      assert.equal(found.reduce((a, b) => (a as number) + (b as number), 0), 1);
    }

    // A multi-key DEL through the proxy reaches every shard.
    assert.equal(await c.call("DEL", ...names), names.length);
    assert.deepEqual(await c.call("MGET", names[0], names[1]), [null, null]);
  } finally {
    for (const c of clients) c.close();
    if (proxy !== null) {
      proxy.process.kill("SIGTERM");
      await proxy.process.status;
    }
    for (const s of servers) await s.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
