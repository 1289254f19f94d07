// Wire-level behaviour over TCP: pipelines, inline commands, protocol errors closing the
// connection, and RESP3 via HELLO.

import assert from "node:assert/strict";
import { RespClient } from "../helpers/resp_client.ts";
import { startServer } from "../helpers/server.ts";

Deno.test("pipelined commands in one write get all replies in order", async () => {
  const s = await startServer();
  const c = await RespClient.connect(s.port);
  try {
    let req = "";
    for (let i = 0; i < 2000; i++) {
      req += `*3\r\n$3\r\nSET\r\n$${String(i).length}\r\n${i}\r\n$1\r\nv\r\n`;
    }
    await c.writeRaw(req);
    for (let i = 0; i < 2000; i++) assert.deepEqual((await c.read()).raw, "+OK\r\n");
    assert.equal(await c.call("GET", "1999"), "v");
  } finally {
    c.close();
    await s.close();
  }
});

Deno.test("inline commands follow Redis quoting", async () => {
  const s = await startServer();
  const c = await RespClient.connect(s.port);
  try {
    await c.writeRaw('SET k "a b\\x41"\r\nGET k\r\nPING\n');
    assert.equal((await c.read()).raw, "+OK\r\n");
    assert.equal((await c.read()).raw, "$4\r\na bA\r\n");
    assert.equal((await c.read()).raw, "+PONG\r\n");
  } finally {
    c.close();
    await s.close();
  }
});

Deno.test("malformed multibulk replies a protocol error and closes only that connection", async () => {
  const s = await startServer();
  const bad = await RespClient.connect(s.port);
  const good = await RespClient.connect(s.port);
  try {
    await bad.writeRaw("*1\r\n+PING\r\n");
    assert.equal((await bad.read()).raw, "-ERR Protocol error: expected '$', got '+'\r\n");
    assert.equal(await bad.closedByPeer(), true);
    assert.deepEqual(await good.call("PING"), { status: "PONG" });
  } finally {
    bad.close();
    good.close();
    await s.close();
  }
});

Deno.test("HELLO 3 switches to RESP3 replies", async () => {
  const s = await startServer();
  const c = await RespClient.connect(s.port);
  try {
    const r = await c.call("HELLO", "3");
    assert.ok(r instanceof Map);
    assert.equal(r.get("proto"), 3);
    assert.equal((await c.callRaw("GET", "missing")).raw, "_\r\n");
  } finally {
    c.close();
    await s.close();
  }
});

Deno.test("a normal client over client-output-buffer-limit is disconnected", async () => {
  const s = await startServer(["--client-output-buffer-limit", "normal 1mb 0 0"]);
  const c = await RespClient.connect(s.port);
  try {
    assert.deepEqual(await c.call("SET", "big", "x".repeat(300 * 1024)), { status: "OK" });
    // Four 300 KiB replies produced by one read exceed the 1 MiB hard limit.
    await c.writeRaw("GET big\r\nGET big\r\nGET big\r\nGET big\r\n");
    assert.equal(await c.closedByPeer(5000), true);
  } finally {
    c.close();
    await s.close();
  }
});
