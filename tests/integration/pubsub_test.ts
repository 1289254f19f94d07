// Pub/Sub over TCP: delivery to several subscribers, RESP3 pushes, keyspace notifications for
// expiry, and the pubsub output buffer limit cutting off a subscriber that does not read.

import assert from "node:assert/strict";
import { RespClient } from "../helpers/resp_client.ts";
import { startServer, waitFor } from "../helpers/server.ts";

Deno.test("PUBLISH reaches channel and pattern subscribers, RESP2 and RESP3", async () => {
  const s = await startServer();
  const a = await RespClient.connect(s.port);
  const b = await RespClient.connect(s.port);
  const pub = await RespClient.connect(s.port);
  try {
    assert.deepEqual(await a.call("SUBSCRIBE", "news"), ["subscribe", "news", 1]);
    await b.call("HELLO", "3");
    assert.deepEqual(await b.call("PSUBSCRIBE", "n*"), { push: ["psubscribe", "n*", 1] });
    assert.equal(await pub.call("PUBLISH", "news", "hi"), 2);
    assert.deepEqual((await a.read()).value, ["message", "news", "hi"]);
    assert.deepEqual((await b.read()).value, { push: ["pmessage", "n*", "news", "hi"] });
    // RESP3 clients may run other commands while subscribed; RESP2 ones may not.
    assert.deepEqual(await b.call("SET", "k", "v"), { status: "OK" });
    assert.deepEqual(await a.call("GET", "k"), {
      error:
        "ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context",
    });
  } finally {
    a.close();
    b.close();
    pub.close();
    await s.close();
  }
});

Deno.test("active expiry publishes the expired keyevent", async () => {
  const s = await startServer(["--notify-keyspace-events", "Ex", "--hz", "100"]);
  const sub = await RespClient.connect(s.port);
  const c = await RespClient.connect(s.port);
  try {
    await sub.call("SUBSCRIBE", "__keyevent@0__:expired");
    await c.call("SET", "gone", "1", "PX", "20");
    // Nobody reads the key: only the active cycle can expire it.
    assert.deepEqual((await sub.read(5000)).value, ["message", "__keyevent@0__:expired", "gone"]);
  } finally {
    sub.close();
    c.close();
    await s.close();
  }
});

Deno.test("a subscriber that stops reading is cut off by the pubsub output limit", async () => {
  const s = await startServer(["--client-output-buffer-limit", "pubsub 256kb 0 0"]);
  const sub = await RespClient.connect(s.port);
  const pub = await RespClient.connect(s.port);
  try {
    await sub.call("SUBSCRIBE", "flood");
    const msg = "x".repeat(16 * 1024);
    // The subscriber never reads: kernel buffers fill, then our output buffer passes the limit.
    for (let i = 0; i < 2000 && s.server.pubsub.channels.has("flood"); i++) {
      await pub.call("PUBLISH", "flood", msg);
    }
    await waitFor(() => !s.server.pubsub.channels.has("flood"), 5000, "subscriber disconnect");
    assert.equal(await pub.call("PUBSUB", "NUMSUB", "flood").then((v) => (v as unknown[])[1]), 0);
  } finally {
    sub.close();
    pub.close();
    await s.close();
  }
});
