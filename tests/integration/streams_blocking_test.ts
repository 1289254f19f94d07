// Blocking stream reads over TCP: XREAD and XREADGROUP served by XADD in arrival order,
// timeouts, `$` resolved when blocking, readers failed when their stream or group goes away,
// RESP3 replies, CLIENT UNBLOCK, pipelined commands behind a blocked read, and keyspace events.
// Each scenario runs against our server and, when redis-server is installed, against a real
// Redis 7.0: the raw replies must match byte for byte.

import assert from "node:assert/strict";
import { RespClient } from "../helpers/resp_client.ts";
import { encodeCommand } from "../../src/resp/encoder.ts";
import { skip, startRedis, startServer, waitFor } from "../helpers/server.ts";

type Scenario = (port: number) => Promise<string[]>;

// Connections of one scenario, closed together.
class Clients {
  #all: RespClient[] = [];
  constructor(readonly port: number) {}
  async open(): Promise<RespClient> {
    const c = await RespClient.connect(this.port);
    this.#all.push(c);
    return c;
  }
  close(): void {
    for (const c of this.#all) c.close();
  }
}

// Waits until the server reports `n` blocked clients (INFO clients, as Redis's tests do).
async function blocked(ctl: RespClient, n: number): Promise<void> {
  await waitFor(
    async () => {
      const info = (await ctl.call("INFO", "clients")) as string;
      return info.includes(`blocked_clients:${n}\r\n`);
    },
    5000,
    `${n} blocked client(s)`,
  );
}

// Sends a command without reading its reply.
async function send(c: RespClient, ...argv: string[]): Promise<void> {
  await c.writeRaw(encodeCommand(argv));
}

async function raw(c: RespClient, ...argv: string[]): Promise<string> {
  return (await c.callRaw(...argv)).raw;
}

// Runs `scenario` on our server, and on a real Redis when available, and checks both agree.
async function both(name: string, scenario: Scenario): Promise<string[]> {
  const ours = await startServer();
  let mine: string[];
  try {
    mine = await scenario(ours.port);
  } finally {
    await ours.close();
  }
  const redis = await startRedis();
  if (redis === null) {
    skip(name, "redis-server is not installed; checked our server only");
    return mine;
  }
  try {
    assert.deepEqual(mine, await scenario(redis.port));
  } finally {
    await redis.close();
  }
  return mine;
}

Deno.test("XREAD BLOCK is served by XADD on any of its streams, after `$` was resolved", async () => {
  const out = await both("xread-served", async (port) => {
    const cs = new Clients(port);
    try {
      const [a, b, ctl] = [await cs.open(), await cs.open(), await cs.open()];
      await ctl.call("XADD", "s1", "5-5", "f", "old");
      await send(a, "XREAD", "BLOCK", "0", "STREAMS", "s1", "s2", "$", "$");
      await blocked(ctl, 1);
      // Older than what $ meant for s1: not enough.
      const t: string[] = [await raw(ctl, "XADD", "s2", "1-1", "f", "v")];
      t.push((await a.read()).raw);
      await send(a, "XREAD", "BLOCK", "0", "COUNT", "1", "STREAMS", "s1", "$");
      await send(b, "XREAD", "BLOCK", "0", "STREAMS", "s1", "$");
      await blocked(ctl, 2);
      t.push(await raw(ctl, "XADD", "s1", "4-4", "f", "v"));
      t.push(await raw(ctl, "XADD", "s1", "6-6", "f", "v"));
      t.push((await a.read()).raw, (await b.read()).raw);
      return t;
    } finally {
      cs.close();
    }
  });
  assert.equal(
    out[1],
    "*1\r\n*2\r\n$2\r\ns2\r\n*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n",
  );
  assert.equal(
    out[2],
    "-ERR The ID specified in XADD is equal or smaller than the target stream top item\r\n",
  );
  assert.equal(out[4], out[5], "both readers see 6-6");
});

Deno.test("XREAD BLOCK times out with a null array; RESP3 readers get a map or _", async () => {
  await both("xread-timeout", async (port) => {
    const cs = new Clients(port);
    try {
      const [a, b, ctl] = [await cs.open(), await cs.open(), await cs.open()];
      const t = [await raw(a, "XREAD", "BLOCK", "30", "STREAMS", "s", "$")];
      await b.call("HELLO", "3");
      t.push(await raw(b, "XREAD", "BLOCK", "30", "STREAMS", "s", "$"));
      await send(b, "XREAD", "BLOCK", "0", "STREAMS", "s", "$");
      await blocked(ctl, 1);
      await ctl.call("XADD", "s", "1-1", "f", "v");
      t.push((await b.read()).raw);
      return t;
    } finally {
      cs.close();
    }
  }).then((t) => {
    assert.deepEqual(t.slice(0, 2), ["*-1\r\n", "_\r\n"]);
    assert.equal(t[2], "%1\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n");
  });
});

Deno.test("XREADGROUP readers blocked on one group are served in arrival order", async () => {
  const t = await both("xreadgroup-order", async (port) => {
    const cs = new Clients(port);
    try {
      const [a, b, ctl] = [await cs.open(), await cs.open(), await cs.open()];
      await ctl.call("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM");
      await send(a, "XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">");
      await blocked(ctl, 1);
      await send(b, "XREADGROUP", "GROUP", "g", "bob", "BLOCK", "0", "STREAMS", "s", ">");
      await blocked(ctl, 2);
      const out = [await raw(ctl, "XADD", "s", "1-1", "f", "v1")];
      out.push((await a.read()).raw);
      await blocked(ctl, 1);
      out.push(await raw(ctl, "XADD", "s", "2-1", "f", "v2"));
      out.push((await b.read()).raw);
      out.push(await raw(ctl, "XPENDING", "s", "g"));
      return out;
    } finally {
      cs.close();
    }
  });
  assert.equal(
    t[1],
    "*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\nf\r\n$2\r\nv1\r\n",
  );
  assert.equal(
    t[4],
    "*4\r\n:2\r\n$3\r\n1-1\r\n$3\r\n2-1\r\n*2\r\n*2\r\n$5\r\nalice\r\n$1\r\n1\r\n*2\r\n$3\r\nbob\r\n$1\r\n1\r\n",
  );
});

Deno.test("blocked XREADGROUP readers fail when the stream or the group goes away", async () => {
  const t = await both("xreadgroup-gone", async (port) => {
    const cs = new Clients(port);
    try {
      const [a, ctl] = [await cs.open(), await cs.open()];
      const out: string[] = [];
      for (
        const kill of [["XGROUP", "DESTROY", "s", "g"], ["DEL", "s"], ["SET", "s", "x"], [
          "FLUSHALL",
        ]]
      ) {
        await ctl.call("DEL", "s");
        await ctl.call("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM");
        await send(a, "XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">");
        await blocked(ctl, 1);
        await ctl.call(...kill);
        out.push((await a.read()).raw);
      }
      // A plain XREAD keeps waiting through a DEL.
      await ctl.call("XADD", "s", "5-5", "f", "v");
      await send(a, "XREAD", "BLOCK", "0", "STREAMS", "s", "$");
      await blocked(ctl, 1);
      await ctl.call("DEL", "s");
      await ctl.call("XADD", "s", "6-6", "f", "v");
      out.push((await a.read()).raw);
      return out;
    } finally {
      cs.close();
    }
  });
  assert.deepEqual(t.slice(0, 4), [
    "-NOGROUP the consumer group this client was blocked on no longer exists\r\n",
    "-UNBLOCKED the stream key no longer exists\r\n",
    "-UNBLOCKED the stream key no longer exists\r\n",
    "-UNBLOCKED the stream key no longer exists\r\n",
  ]);
});

Deno.test("CLIENT UNBLOCK ends a blocked XREAD; pipelined commands wait behind it", async () => {
  const t = await both("xread-unblock", async (port) => {
    const cs = new Clients(port);
    try {
      const [a, ctl] = [await cs.open(), await cs.open()];
      const id = String(await a.call("CLIENT", "ID"));
      const out: string[] = [];
      await send(a, "XREAD", "BLOCK", "0", "STREAMS", "s", "$");
      await blocked(ctl, 1);
      out.push(await raw(ctl, "CLIENT", "UNBLOCK", id));
      out.push((await a.read()).raw);
      await send(a, "XREAD", "BLOCK", "0", "STREAMS", "s", "$");
      await blocked(ctl, 1);
      out.push(await raw(ctl, "CLIENT", "UNBLOCK", id, "ERROR"));
      out.push((await a.read()).raw);
      // One write: the read blocks, PING waits for it.
      await a.writeRaw(
        encodeCommand(["XREAD", "BLOCK", "0", "STREAMS", "s", "$"]) + encodeCommand(["PING"]),
      );
      await blocked(ctl, 1);
      await ctl.call("XADD", "s", "1-1", "f", "v");
      out.push((await a.read()).raw, (await a.read()).raw);
      return out;
    } finally {
      cs.close();
    }
  });
  assert.deepEqual(t.slice(0, 4), [
    ":1\r\n",
    "*-1\r\n",
    ":1\r\n",
    "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n",
  ]);
  assert.equal(t[5], "+PONG\r\n");
});

Deno.test("stream commands publish their keyspace events", async () => {
  const t = await both("stream-events", async (port) => {
    const cs = new Clients(port);
    try {
      const [sub, ctl] = [await cs.open(), await cs.open()];
      await ctl.call("CONFIG", "SET", "notify-keyspace-events", "Et");
      await sub.call(
        "SUBSCRIBE",
        "__keyevent@0__:xadd",
        "__keyevent@0__:xtrim",
        "__keyevent@0__:xgroup-createconsumer",
        "__keyevent@0__:xgroup-create",
      );
      for (let i = 0; i < 3; i++) await sub.read();
      await ctl.call("XADD", "s", "MAXLEN", "0", "1-1", "f", "v");
      await ctl.call("XGROUP", "CREATE", "s", "g", "0");
      await ctl.call("XADD", "s", "2-1", "f", "v");
      await ctl.call("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">");
      const out: string[] = [];
      for (let i = 0; i < 5; i++) out.push((await sub.read()).raw);
      return out;
    } finally {
      cs.close();
    }
  });
  assert.deepEqual(t.map((r) => r.split("\r\n")[4]), [
    "__keyevent@0__:xadd",
    "__keyevent@0__:xtrim",
    "__keyevent@0__:xgroup-create",
    "__keyevent@0__:xadd",
    "__keyevent@0__:xgroup-createconsumer",
  ]);
});
