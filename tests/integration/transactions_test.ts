// Transactions over TCP with several connections: WATCH invalidated by another client's
// write, by FLUSHALL and by expiry; EXECABORT after a rejected command; runtime errors inside
// EXEC returned in place; an optimistic-locking counter under concurrent clients.

import assert from "node:assert/strict";
import { RespClient } from "../helpers/resp_client.ts";
import { startServer } from "../helpers/server.ts";

Deno.test("WATCH: another connection's write, FLUSHALL and expiry all fail EXEC", async () => {
  const s = await startServer();
  const a = await RespClient.connect(s.port);
  const b = await RespClient.connect(s.port);
  try {
    for (const invalidate of [["SET", "w", "x"], ["FLUSHALL"]]) {
      await a.call("SET", "w", "1");
      await a.call("WATCH", "w");
      await b.call(...invalidate);
      await a.call("MULTI");
      await a.call("INCR", "w");
      assert.equal((await a.callRaw("EXEC")).raw, "*-1\r\n", invalidate.join(" "));
    }
    await a.call("SET", "t", "1", "PX", "1");
    await a.call("WATCH", "t");
    // Wait until the key is logically expired (PTTL reads it as missing) without sleeping blind.
    const deadline = Date.now() + 2000;
    while (await b.call("EXISTS", "t") !== 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 2));
    }
    await a.call("MULTI");
    await a.call("SET", "t", "2");
    assert.equal((await a.callRaw("EXEC")).raw, "*-1\r\n");
  } finally {
    a.close();
    b.close();
    await s.close();
  }
});

Deno.test("runtime errors inside EXEC are returned in place; rejected commands abort", async () => {
  const s = await startServer();
  const c = await RespClient.connect(s.port);
  try {
    await c.call("SET", "str", "abc");
    await c.call("MULTI");
    await c.call("INCR", "str");
    await c.call("SET", "after", "1");
    assert.equal(
      (await c.callRaw("EXEC")).raw,
      "*2\r\n-ERR value is not an integer or out of range\r\n+OK\r\n",
    );
    await c.call("MULTI");
    assert.deepEqual(await c.call("GET"), {
      error: "ERR wrong number of arguments for 'get' command",
    });
    assert.deepEqual(await c.call("EXEC"), {
      error: "EXECABORT Transaction discarded because of previous errors.",
    });
  } finally {
    c.close();
    await s.close();
  }
});

Deno.test("WATCH-based increments from concurrent clients lose no update", async () => {
  const s = await startServer();
  const clients = await Promise.all(Array.from({ length: 8 }, () => RespClient.connect(s.port)));
  try {
    await clients[0].call("SET", "ctr", "0");
    await Promise.all(clients.map(async (c) => {
      for (let done = 0, tries = 0; done < 25 && tries < 10000; tries++) {
        await c.call("WATCH", "ctr");
        const v = Number(await c.call("GET", "ctr"));
        await c.call("MULTI");
        await c.call("SET", "ctr", String(v + 1));
        const r = await c.call("EXEC");
        if (r !== null) done++;
      }
    }));
    assert.equal(await clients[0].call("GET", "ctr"), "200");
  } finally {
    for (const c of clients) c.close();
    await s.close();
  }
});
