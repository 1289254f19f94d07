// End-to-end over TCP with real clients: redis-cli (arguments, stdin, -x binary input, --pipe,
// RESP3 with -3), ioredis (pipelines, binary Buffers, 50 concurrent connections, MULTI/WATCH)
// and node-redis v4 (RESP2, MULTI/EXEC). Each test starts its own server and closes every
// client it opened. CLIENTS_TEST_AGAINST_REDIS=1 runs the same tests against a real
// redis-server instead, to check the tests themselves.

import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { Redis } from "ioredis";
import { commandOptions, createClient } from "redis";
import { hasBinary, skip, startRedis, startServer } from "../helpers/server.ts";

interface Target {
  port: number;
  close(): Promise<void>;
}

async function startTarget(): Promise<Target> {
  if (Deno.env.get("CLIENTS_TEST_AGAINST_REDIS") === "1") {
    const r = await startRedis();
    if (r === null) throw new Error("CLIENTS_TEST_AGAINST_REDIS=1 but redis-server is missing");
    return r;
  }
  return await startServer();
}

/** Runs a test body against a fresh server, closing it afterwards. */
async function withServer(fn: (port: number) => Promise<void>): Promise<void> {
  const t = await startTarget();
  try {
    await fn(t.port);
  } finally {
    await t.close();
  }
}

// npm clients keep internal timers and sockets (ioredis' connect/retry timers, node-redis'
// socket and reconnect bookkeeping) that outlive quit() by a tick, which Deno's op and
// resource sanitizers report as leaks. Every client is still quit and the server closed.
const NPM = { sanitizeOps: false, sanitizeResources: false };

// ---------------------------------------------------------------------------------------------
// redis-cli

const HAVE_CLI = hasBinary("redis-cli");

interface CliResult {
  code: number;
  stdout: Uint8Array;
  text: string;
}

async function cli(port: number, args: string[], stdin?: string | Uint8Array): Promise<CliResult> {
  const cmd = new Deno.Command("redis-cli", {
    args: ["-h", "127.0.0.1", "-p", String(port), ...args],
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  });
  const child = cmd.spawn();
  if (stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(typeof stdin === "string" ? new TextEncoder().encode(stdin) : stdin);
    await w.close();
  }
  const out = await child.output();
  return {
    code: out.code,
    stdout: out.stdout,
    text: new TextDecoder().decode(out.stdout),
  };
}

function cliTest(name: string, fn: (port: number) => Promise<void>): void {
  Deno.test(`redis-cli: ${name}`, async () => {
    if (!HAVE_CLI) {
      skip(`redis-cli: ${name}`, "redis-cli is not installed");
      return;
    }
    await withServer(fn);
  });
}

const ALL_BYTES = new Uint8Array(1024).map((_, i) => i % 256);

cliTest("commands given as arguments", async (port) => {
  assert.equal((await cli(port, ["SET", "k", "hello world"])).text, "OK\n");
  assert.equal((await cli(port, ["GET", "k"])).text, "hello world\n");
  assert.equal((await cli(port, ["INCR", "n"])).text, "1\n");
  assert.equal((await cli(port, ["INCRBY", "n", "41"])).text, "42\n");
  assert.equal((await cli(port, ["--no-raw", "GET", "missing"])).text, "(nil)\n");
  assert.equal(
    (await cli(port, ["--no-raw", "MGET", "k", "n"])).text,
    '1) "hello world"\n2) "42"\n',
  );
  assert.equal((await cli(port, ["PING"])).text, "PONG\n");
});

cliTest("commands piped on stdin, including an error, run in order", async (port) => {
  const r = await cli(
    port,
    [],
    'SET a 1\nINCR a\nINCRBY a 10\nGET a\nMGET a nokey\nNOSUCH x\nSET q "two words"\nGET q\nPING\n',
  );
  assert.equal(r.code, 0);
  const lines = r.text.split("\n").filter((l) => l !== "");
  assert.deepEqual(lines, [
    "OK",
    "2",
    "12",
    "12",
    "12",
    "ERR unknown command 'NOSUCH', with args beginning with: 'x' ",
    "OK",
    "two words",
    "PONG",
  ]);
});

cliTest("-x stores a binary value byte for byte", async (port) => {
  assert.equal((await cli(port, ["-x", "SET", "bin"], ALL_BYTES)).text, "OK\n");
  assert.equal((await cli(port, ["STRLEN", "bin"])).text, "1024\n");
  const got = (await cli(port, ["GET", "bin"])).stdout;
  // Raw output mode (stdout is not a tty) prints the bytes followed by a newline.
  assert.deepEqual(got, new Uint8Array([...ALL_BYTES, 10]));
  const escaped = (await cli(port, ["--no-raw", "GETRANGE", "bin", "0", "3"])).text;
  assert.equal(escaped, '"\\x00\\x01\\x02\\x03"\n');
});

cliTest("--pipe mass insertion of 5000 commands", async (port) => {
  let proto = "";
  for (let i = 0; i < 5000; i++) {
    const k = `key:${i}`;
    const v = `value:${i}`;
    proto += `*3\r\n$3\r\nSET\r\n$${k.length}\r\n${k}\r\n$${v.length}\r\n${v}\r\n`;
  }
  const r = await cli(port, ["--pipe"], proto);
  assert.equal(r.code, 0, r.text);
  assert.match(r.text, /errors: 0, replies: 5000/);
  assert.equal((await cli(port, ["GET", "key:4999"])).text, "value:4999\n");
  assert.equal((await cli(port, ["DBSIZE"])).text, "5000\n");
});

cliTest("-3 speaks RESP3 (maps and null)", async (port) => {
  const hello = (await cli(port, ["-3", "--no-raw", "HELLO", "3"])).text;
  assert.match(hello, /^1# "server" => "redis"\n/);
  assert.match(hello, /"proto" => \(integer\) 3\n/);
  assert.equal((await cli(port, ["-3", "--no-raw", "GET", "missing"])).text, "(nil)\n");
  assert.equal(
    (await cli(port, ["-3", "--no-raw", "CONFIG", "GET", "maxmemory"])).text,
    '1# "maxmemory" => "0"\n',
  );
});

// ---------------------------------------------------------------------------------------------
// ioredis

function ioredis(port: number): Redis {
  // No reconnects: a test that fails must not leave a client retrying forever.
  return new Redis({
    host: "127.0.0.1",
    port,
    lazyConnect: true,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
  });
}

async function withIoredis(port: number, fn: (r: Redis) => Promise<void>): Promise<void> {
  const r = ioredis(port);
  try {
    await r.connect();
    await fn(r);
  } finally {
    await r.quit().catch(() => r.disconnect());
  }
}

Deno.test({
  name: "ioredis: strings, counters and keys",
  ...NPM,
  fn: () =>
    withServer((port) =>
      withIoredis(port, async (r) => {
        assert.equal(await r.set("k", "v"), "OK");
        assert.equal(await r.get("k"), "v");
        assert.equal(await r.get("missing"), null);
        assert.equal(await r.incr("n"), 1);
        assert.equal(await r.incrby("n", 9), 10);
        assert.equal(await r.decr("n"), 9);
        assert.equal(await r.incrbyfloat("f", "1.5"), "1.5");
        assert.equal(await r.append("k", "w"), 2);
        assert.deepEqual(await r.mget("k", "n", "missing"), ["vw", "9", null]);
        assert.equal(await r.set("e", "x", "EX", 100), "OK");
        assert.equal(await r.ttl("e"), 100);
        assert.equal(await r.exists("k", "e", "missing"), 2);
        assert.equal(await r.del("k", "e"), 2);
        assert.equal(await r.ping(), "PONG");
      })
    ),
});

Deno.test({
  name: "ioredis: a pipeline of 3000 commands gets every reply in order",
  ...NPM,
  fn: () =>
    withServer((port) =>
      withIoredis(port, async (r) => {
        const p = r.pipeline();
        for (let i = 0; i < 1000; i++) {
          p.set(`p:${i}`, String(i));
          p.incr("p:count");
          p.get(`p:${i}`);
        }
        const res = await p.exec();
        assert.ok(res !== null);
        assert.equal(res.length, 3000);
        for (let i = 0; i < 1000; i++) {
          assert.deepEqual(res[3 * i], [null, "OK"]);
          assert.deepEqual(res[3 * i + 1], [null, i + 1]);
          assert.deepEqual(res[3 * i + 2], [null, String(i)]);
        }
      })
    ),
});

Deno.test({
  name: "ioredis: binary Buffers with every byte 0x00-0xff round-trip as keys and values",
  ...NPM,
  fn: () =>
    withServer((port) =>
      withIoredis(port, async (r) => {
        const value = Buffer.from(ALL_BYTES);
        const key = Buffer.from([0, 13, 10, 255, 128, 32, 36, 42]);
        assert.equal(await r.set(key, value), "OK");
        assert.deepEqual(await r.getBuffer(key), value);
        assert.equal(await r.strlen(key), 1024);
        // Every single byte as its own value, and CRLF-heavy values.
        const p = r.pipeline();
        for (let b = 0; b < 256; b++) p.set(Buffer.from([b]), Buffer.from([b, b, 13, 10]));
        await p.exec();
        const keys = Array.from({ length: 256 }, (_, b) => Buffer.from([b]));
        const got = await r.mgetBuffer(...keys);
        for (let b = 0; b < 256; b++) assert.deepEqual(got[b], Buffer.from([b, b, 13, 10]));
        assert.equal(await r.append(key, Buffer.from("\r\n\0")), 1027);
        assert.deepEqual(await r.getrangeBuffer(key, -3, -1), Buffer.from("\r\n\0"));
      })
    ),
});

Deno.test({
  name: "ioredis: 50 concurrent connections doing 200 commands each",
  ...NPM,
  fn: () =>
    withServer(async (port) => {
      const clients = Array.from({ length: 50 }, () => ioredis(port));
      try {
        await Promise.all(clients.map((c) => c.connect()));
        await Promise.all(clients.map(async (c, ci) => {
          for (let j = 0; j < 200; j++) {
            if (j % 2 === 0) await c.incr("shared:counter");
            else await c.set(`client:${ci}:${j}`, `${ci}-${j}`);
          }
        }));
        const check = clients[0];
        assert.equal(await check.get("shared:counter"), String(50 * 100));
        for (let ci = 0; ci < 50; ci++) {
          assert.equal(await check.get(`client:${ci}:199`), `${ci}-199`);
          assert.equal(await check.get(`client:${ci}:1`), `${ci}-1`);
        }
        assert.equal(await check.dbsize(), 1 + 50 * 100);
      } finally {
        await Promise.all(clients.map((c) => c.quit().catch(() => c.disconnect())));
      }
    }),
});

Deno.test({
  name: "ioredis: MULTI/EXEC, and WATCH aborts when another client writes",
  ...NPM,
  fn: () =>
    withServer(async (port) => {
      const a = ioredis(port);
      const b = ioredis(port);
      try {
        await a.connect();
        await b.connect();
        const res = await a.multi().set("m", "1").incr("m").get("m").exec();
        assert.deepEqual(res, [[null, "OK"], [null, 2], [null, "2"]]);
        assert.equal(await a.watch("m"), "OK");
        await b.set("m", "changed");
        assert.equal(await a.multi().set("m", "mine").exec(), null);
        assert.equal(await a.get("m"), "changed");
        const withError = await a.multi().set("s", "abc").incr("s").exec();
        assert.ok(withError !== null);
        assert.deepEqual(withError[0], [null, "OK"]);
        assert.match(String(withError[1][0]), /ERR value is not an integer or out of range/);
      } finally {
        await a.quit().catch(() => a.disconnect());
        await b.quit().catch(() => b.disconnect());
      }
    }),
});

// ioredis' parser (redis-parser 3) only reads RESP2: after HELLO 3 it fails on the `%` map
// type byte, so RESP3 is exercised with redis-cli -3 above. Here HELLO 2 goes through ioredis.
Deno.test({
  name: "ioredis: HELLO 2 handshake and error replies keep the connection usable",
  ...NPM,
  fn: () =>
    withServer((port) =>
      withIoredis(port, async (r) => {
        const hello = await r.call("HELLO", "2") as unknown[];
        assert.equal(hello[0], "server");
        assert.equal(hello[1], "redis");
        assert.equal(hello[4], "proto");
        assert.equal(hello[5], 2);
        await assert.rejects(
          () => r.call("NOSUCH", "a"),
          /ERR unknown command 'NOSUCH', with args beginning with: 'a'/,
        );
        await assert.rejects(() => r.call("GET"), /ERR wrong number of arguments for 'get'/);
        assert.equal(await r.ping(), "PONG");
      })
    ),
});

// ---------------------------------------------------------------------------------------------
// node-redis v4

Deno.test({
  name: "node-redis: connect, set/get, buffers, multi/exec over RESP2",
  ...NPM,
  fn: () =>
    withServer(async (port) => {
      const c = createClient({
        socket: { host: "127.0.0.1", port, reconnectStrategy: false },
      });
      const errors: Error[] = [];
      c.on("error", (e: Error) => errors.push(e));
      await c.connect();
      try {
        assert.equal(await c.set("a", "1"), "OK");
        assert.equal(await c.get("a"), "1");
        assert.equal(await c.get("missing"), null);
        assert.equal(await c.incrBy("a", 5), 6);
        assert.equal(await c.set("e", "x", { EX: 100 }), "OK");
        assert.equal(await c.ttl("e"), 100);
        assert.deepEqual(await c.mGet(["a", "e", "missing"]), ["6", "x", null]);
        await c.set("bin", Buffer.from(ALL_BYTES));
        const buf = await c.get(commandOptions({ returnBuffers: true }), "bin");
        assert.deepEqual(buf, Buffer.from(ALL_BYTES));
        const res = await c.multi().set("x", "1").incr("x").get("x").exec();
        assert.deepEqual(res, ["OK", 2, "2"]);
        const hello = await c.sendCommand(["HELLO", "2"]) as unknown[];
        assert.equal(hello[5], 2);
        assert.equal(await c.ping(), "PONG");
      } finally {
        await c.quit();
      }
      assert.deepEqual(errors, []);
    }),
});
