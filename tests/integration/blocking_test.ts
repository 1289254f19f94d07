// Blocking list commands over TCP with several real connections: arrival order, one push
// serving several waiters, timeouts, pipelined commands held behind a blocked one, MULTI,
// disconnects, CLIENT UNBLOCK, BLMOVE chains and wrong-type destinations, serving from the key
// that became ready, keyspace events, and the non-blocking forms served commands propagate as.
// Each scenario runs against our server and, when redis-server is installed, against a real
// Redis 7.0: the raw replies must match byte for byte.

import assert from "node:assert/strict";
import { RespClient } from "../helpers/resp_client.ts";
import { encodeCommand } from "../../src/resp/encoder.ts";
import { RecordingSink } from "../../src/replication/propagator.ts";
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

async function next(c: RespClient): Promise<string> {
  return (await c.read()).raw;
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

// Opens the connections of a scenario, runs `fn`, and closes them.
function withClients(
  n: number,
  fn: (cs: RespClient[]) => Promise<string[]>,
): Scenario {
  return async (port) => {
    const cs = new Clients(port);
    try {
      const list: RespClient[] = [];
      for (let i = 0; i < n; i++) list.push(await cs.open());
      return await fn(list);
    } finally {
      cs.close();
    }
  };
}

Deno.test("clients blocked on a key are served in arrival order", async () => {
  const t = await both(
    "fifo",
    withClients(4, async ([a, b, c, ctl]) => {
      await send(a, "BLPOP", "k", "0");
      await blocked(ctl, 1);
      await send(b, "BRPOP", "k", "0");
      await blocked(ctl, 2);
      await send(c, "BLPOP", "k", "0");
      await blocked(ctl, 3);
      const out = [await raw(ctl, "RPUSH", "k", "1")];
      out.push(await next(a));
      await blocked(ctl, 2);
      out.push(await raw(ctl, "RPUSH", "k", "2", "3"));
      out.push(await next(b), await next(c), await raw(ctl, "EXISTS", "k"));
      return out;
    }),
  );
  assert.deepEqual(t, [
    ":1\r\n",
    "*2\r\n$1\r\nk\r\n$1\r\n1\r\n",
    ":2\r\n",
    "*2\r\n$1\r\nk\r\n$1\r\n3\r\n",
    "*2\r\n$1\r\nk\r\n$1\r\n2\r\n",
    ":0\r\n",
  ]);
});

Deno.test("one LPUSH of 3 elements serves 3 waiters", async () => {
  const t = await both(
    "one-push-three-waiters",
    withClients(5, async ([a, b, c, d, ctl]) => {
      let n = 0;
      for (const x of [a, b, c, d]) {
        await send(x, "BLPOP", "k", "0");
        await blocked(ctl, ++n);
      }
      const out = [await raw(ctl, "LPUSH", "k", "x", "y", "z")];
      out.push(await next(a), await next(b), await next(c));
      await blocked(ctl, 1);
      out.push(await raw(ctl, "EXISTS", "k"), await raw(ctl, "LPUSH", "k", "w"), await next(d));
      return out;
    }),
  );
  assert.deepEqual(t.slice(1, 4), [
    "*2\r\n$1\r\nk\r\n$1\r\nz\r\n",
    "*2\r\n$1\r\nk\r\n$1\r\ny\r\n",
    "*2\r\n$1\r\nk\r\n$1\r\nx\r\n",
  ]);
});

Deno.test("a short fractional timeout replies the null array, _ in RESP3", async () => {
  const t = await both(
    "timeout",
    withClients(2, async ([a, b]) => {
      const out: string[] = [];
      const start = Date.now();
      out.push(await raw(a, "BLPOP", "k", "0.1"));
      const elapsed = Date.now() - start;
      assert.ok(elapsed >= 90, `timed out after ${elapsed} ms`);
      out.push(await raw(a, "BRPOP", "k", "k2", "0.05"));
      out.push(await raw(a, "BLMOVE", "k", "d", "LEFT", "RIGHT", "0.05"));
      out.push(await raw(a, "BRPOPLPUSH", "k", "d", "0.05"));
      out.push(await raw(a, "BLMPOP", "0.05", "1", "k", "LEFT"));
      await b.call("HELLO", "3");
      out.push(await raw(b, "BLPOP", "k", "0.05"));
      out.push(await raw(b, "BLMOVE", "k", "d", "LEFT", "RIGHT", "0.05"));
      out.push(
        await raw(a, "INFO", "clients").then((s) => String(s.includes("blocked_clients:0"))),
      );
      return out;
    }),
  );
  assert.deepEqual(t, [
    "*-1\r\n",
    "*-1\r\n",
    "*-1\r\n",
    "*-1\r\n",
    "*-1\r\n",
    "_\r\n",
    "_\r\n",
    "true",
  ]);
});

Deno.test("a timeout beyond setTimeout's range does not fire early", async () => {
  await both(
    "long-timeout",
    withClients(3, async ([a, b, ctl]) => {
      const id = String(await a.call("CLIENT", "ID"));
      // 2147484 s is more than 2^31 - 1 ms.
      await send(a, "BLPOP", "k", "2147484");
      await blocked(ctl, 1);
      // b's short timeout passing proves an overflowing timer would have fired already.
      const out = [await raw(b, "BLPOP", "k2", "0.05")];
      await blocked(ctl, 1);
      out.push(await raw(ctl, "CLIENT", "UNBLOCK", id), await next(a));
      return out;
    }),
  );
});

Deno.test("commands pipelined behind a blocked one wait for it", async () => {
  const t = await both(
    "pipelined",
    withClients(2, async ([a, ctl]) => {
      await a.writeRaw(
        encodeCommand(["BLPOP", "p", "0"]) + encodeCommand(["RPUSH", "p2", "after"]) +
          encodeCommand(["LRANGE", "p2", "0", "-1"]),
      );
      await blocked(ctl, 1);
      const out = [await raw(ctl, "EXISTS", "p2"), await raw(ctl, "RPUSH", "p", "v")];
      out.push(await next(a), await next(a), await next(a));
      return out;
    }),
  );
  assert.deepEqual(t, [
    ":0\r\n",
    ":1\r\n",
    "*2\r\n$1\r\np\r\n$1\r\nv\r\n",
    ":1\r\n",
    "*1\r\n$5\r\nafter\r\n",
  ]);
});

Deno.test("a served client's pipelined blocking command waits behind the other waiters", async () => {
  const t = await both(
    "pipelined-reblock",
    withClients(3, async ([a, b, ctl]) => {
      await a.writeRaw(encodeCommand(["BLPOP", "k", "0"]) + encodeCommand(["BLPOP", "k", "0"]));
      await blocked(ctl, 1);
      await send(b, "BLPOP", "k", "0");
      await blocked(ctl, 2);
      const out = [await raw(ctl, "RPUSH", "k", "1", "2")];
      out.push(await next(a), await next(b));
      await blocked(ctl, 1);
      out.push(await raw(ctl, "RPUSH", "k", "3"), await next(a));
      return out;
    }),
  );
  assert.deepEqual(t.slice(1, 3), ["*2\r\n$1\r\nk\r\n$1\r\n1\r\n", "*2\r\n$1\r\nk\r\n$1\r\n2\r\n"]);
});

Deno.test("inside MULTI blocking commands reply at once", async () => {
  const t = await both(
    "multi",
    withClients(1, async ([a]) => {
      await a.call("MULTI");
      for (
        const argv of [
          ["BLPOP", "nokey", "0"],
          ["BLMOVE", "nokey", "d", "LEFT", "LEFT", "0"],
          ["BRPOPLPUSH", "nokey", "d", "0"],
          ["BLMPOP", "0", "1", "nokey", "LEFT"],
          ["RPUSH", "k", "v"],
          ["BRPOP", "k", "0"],
        ]
      ) await a.call(...argv);
      return [
        await raw(a, "EXEC"),
        await raw(a, "INFO", "clients").then((s) => String(s.includes("blocked_clients:0"))),
      ];
    }),
  );
  assert.deepEqual(t, [
    "*6\r\n*-1\r\n$-1\r\n$-1\r\n*-1\r\n:1\r\n*2\r\n$1\r\nk\r\n$1\r\nv\r\n",
    "true",
  ]);
});

Deno.test("a disconnected client stops waiting and takes nothing", async () => {
  await both(
    "disconnect",
    withClients(2, async ([a, ctl]) => {
      await send(a, "BLPOP", "k", "0");
      await send(a, "PING");
      await blocked(ctl, 1);
      a.close();
      await blocked(ctl, 0);
      return [await raw(ctl, "RPUSH", "k", "x"), await raw(ctl, "LLEN", "k")];
    }),
  ).then((t) => assert.deepEqual(t, [":1\r\n", ":1\r\n"]));
});

Deno.test("CLIENT KILL removes a blocked client", async () => {
  await both(
    "client-kill",
    withClients(2, async ([a, ctl]) => {
      const id = String(await a.call("CLIENT", "ID"));
      await send(a, "BRPOPLPUSH", "k", "d", "0");
      await blocked(ctl, 1);
      const out = [await raw(ctl, "CLIENT", "KILL", "ID", id)];
      await blocked(ctl, 0);
      out.push(await raw(ctl, "RPUSH", "k", "x"), await raw(ctl, "EXISTS", "d"));
      return out;
    }),
  ).then((t) => assert.deepEqual(t, [":1\r\n", ":1\r\n", ":0\r\n"]));
});

Deno.test("CLIENT UNBLOCK ends a block as a timeout or with an error; pipelined commands follow", async () => {
  const t = await both(
    "client-unblock",
    withClients(2, async ([a, ctl]) => {
      const id = String(await a.call("CLIENT", "ID"));
      const out: string[] = [];
      await a.writeRaw(encodeCommand(["BLPOP", "k", "0"]) + encodeCommand(["PING"]));
      await blocked(ctl, 1);
      out.push(await raw(ctl, "CLIENT", "UNBLOCK", id, "TIMEOUT"), await next(a), await next(a));
      await send(a, "BLMOVE", "k", "d", "LEFT", "LEFT", "0");
      await blocked(ctl, 1);
      out.push(await raw(ctl, "CLIENT", "UNBLOCK", id), await next(a));
      await send(a, "BLMPOP", "0", "2", "k", "k2", "RIGHT", "COUNT", "3");
      await blocked(ctl, 1);
      out.push(await raw(ctl, "CLIENT", "UNBLOCK", id, "ERROR"), await next(a));
      out.push(await raw(ctl, "CLIENT", "UNBLOCK", id, "ERROR"));
      out.push(await raw(ctl, "CLIENT", "UNBLOCK", id, "FOO"));
      return out;
    }),
  );
  assert.deepEqual(t, [
    ":1\r\n",
    "*-1\r\n",
    "+PONG\r\n",
    ":1\r\n",
    "*-1\r\n",
    ":1\r\n",
    "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n",
    ":0\r\n",
    "-ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR\r\n",
  ]);
});

Deno.test("a BLMOVE chain: the element A moves to list2 serves B blocked on list2", async () => {
  const t = await both(
    "blmove-chain",
    withClients(3, async ([a, b, ctl]) => {
      await send(a, "BLMOVE", "list1", "list2", "LEFT", "RIGHT", "0");
      await blocked(ctl, 1);
      await send(b, "BLPOP", "list2", "0");
      await blocked(ctl, 2);
      const out = [await raw(ctl, "RPUSH", "list1", "x")];
      out.push(await next(a), await next(b), await raw(ctl, "EXISTS", "list1", "list2"));
      return out;
    }),
  );
  assert.deepEqual(t, [":1\r\n", "$1\r\nx\r\n", "*2\r\n$5\r\nlist2\r\n$1\r\nx\r\n", ":0\r\n"]);
});

Deno.test("BLMOVE onto its own key rotates; onto a key of another type fails the waiter", async () => {
  const t = await both(
    "blmove-types",
    withClients(3, async ([a, b, ctl]) => {
      await send(a, "BLMOVE", "r", "r", "LEFT", "RIGHT", "0");
      await blocked(ctl, 1);
      const out = [await raw(ctl, "RPUSH", "r", "x", "y"), await next(a)];
      out.push(await raw(ctl, "LRANGE", "r", "0", "-1"));
      await ctl.call("SET", "d", "str");
      await send(a, "BLMOVE", "q", "d", "LEFT", "LEFT", "0");
      await blocked(ctl, 1);
      await send(b, "BLPOP", "q", "0");
      await blocked(ctl, 2);
      out.push(await raw(ctl, "RPUSH", "q", "v"), await next(a), await next(b));
      return out;
    }),
  );
  assert.deepEqual(t, [
    ":2\r\n",
    "$1\r\nx\r\n",
    "*2\r\n$1\r\ny\r\n$1\r\nx\r\n",
    ":1\r\n",
    "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    "*2\r\n$1\r\nq\r\n$1\r\nv\r\n",
  ]);
});

Deno.test("a waiter on several keys is served from the key that became ready first", async () => {
  const t = await both(
    "ready-key-order",
    withClients(2, async ([a, ctl]) => {
      await send(a, "BLMPOP", "0", "2", "a", "b", "LEFT", "COUNT", "5");
      await blocked(ctl, 1);
      await ctl.call("MULTI");
      await ctl.call("RPUSH", "b", "1", "2");
      await ctl.call("RPUSH", "a", "3");
      return [await raw(ctl, "EXEC"), await next(a), await raw(ctl, "LRANGE", "a", "0", "-1")];
    }),
  );
  assert.equal(t[1], "*2\r\n$1\r\nb\r\n*2\r\n$1\r\n1\r\n$1\r\n2\r\n");
});

Deno.test("served commands fire Redis's keyspace events in order", async () => {
  const t = await both(
    "events",
    withClients(3, async ([a, sub, ctl]) => {
      await ctl.call("CONFIG", "SET", "notify-keyspace-events", "KEA");
      await sub.call("PSUBSCRIBE", "__keyevent@0__:*");
      await send(a, "BLMOVE", "src", "dst", "RIGHT", "LEFT", "0");
      await blocked(ctl, 1);
      const out = [await raw(ctl, "RPUSH", "src", "x"), await next(a)];
      for (let i = 0; i < 4; i++) out.push(await next(sub));
      await send(a, "BLPOP", "k", "0");
      await blocked(ctl, 1);
      out.push(await raw(ctl, "LPUSH", "k", "v"), await next(a));
      for (let i = 0; i < 3; i++) out.push(await next(sub));
      return out;
    }),
  );
  const events = t.filter((s) => s.startsWith("*4")).map((s) => s.split("\r\n")[6]);
  assert.deepEqual(events, [
    "__keyevent@0__:rpush",
    "__keyevent@0__:lpush",
    "__keyevent@0__:rpop",
    "__keyevent@0__:del",
    "__keyevent@0__:lpush",
    "__keyevent@0__:lpop",
    "__keyevent@0__:del",
  ]);
});

Deno.test("served blocking commands propagate as Redis 7.0's non-blocking forms", async () => {
  const ts = await startServer();
  const sink = new RecordingSink();
  ts.server.propagator.sinks.add(sink);
  const cs = new Clients(ts.port);
  try {
    const [a, b, c, d, ctl] = [
      await cs.open(),
      await cs.open(),
      await cs.open(),
      await cs.open(),
      await cs.open(),
    ];
    await send(a, "BLPOP", "k", "0");
    await send(b, "BLMOVE", "s", "dst", "LEFT", "RIGHT", "0");
    await send(c, "BLMPOP", "0", "1", "m", "RIGHT", "COUNT", "5");
    await send(d, "BRPOPLPUSH", "s2", "dst2", "0");
    await waitFor(() => ts.server.blocking.count === 4, 5000, "four blocked clients");
    await ctl.call("RPUSH", "k", "a");
    await a.read();
    await ctl.call("RPUSH", "s", "x");
    await b.read();
    await ctl.call("RPUSH", "m", "1", "2", "3");
    await c.read();
    await ctl.call("RPUSH", "s2", "y");
    await d.read();
    // Served at once (no blocking): the rewrite keeps the client's spelling of the ends.
    await ctl.call("RPUSH", "n", "1", "2");
    await ctl.call("BRPOP", "n", "0");
    await ctl.call("BLMOVE", "n", "n2", "Left", "left", "0");
    assert.deepEqual(sink.commands, [
      ["SELECT", "0"],
      ["RPUSH", "k", "a"],
      ["LPOP", "k"],
      ["RPUSH", "s", "x"],
      ["LMOVE", "s", "dst", "left", "right"],
      ["RPUSH", "m", "1", "2", "3"],
      ["RPOP", "m", "3"],
      ["RPUSH", "s2", "y"],
      ["RPOPLPUSH", "s2", "dst2"],
      ["RPUSH", "n", "1", "2"],
      ["RPOP", "n"],
      ["LMOVE", "n", "n2", "Left", "left"],
    ]);
    assert.equal(ts.server.blocking.count, 0);
  } finally {
    cs.close();
    await ts.close();
  }
});
