// Reconnection timing: like Redis's replicationCron, a replica whose master keeps failing tries
// again once a second, without backing off. A listener that accepts and at once closes every
// connection plays the failing master and records when each attempt arrives.

import assert from "node:assert/strict";
import { startServer } from "../helpers/server.ts";

Deno.test("a replica retries a failing master once a second, with no backoff", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const attempts: number[] = [];
  const accepting = (async () => {
    for (;;) {
      let conn: Deno.Conn;
      try {
        conn = await listener.accept();
      } catch {
        return;
      }
      attempts.push(Date.now());
      conn.close();
      if (attempts.length === 6) return;
    }
  })();
  // A replica that never comes still ends the test.
  const timer = setTimeout(() => listener.close(), 30000);
  const replica = await startServer(["--replicaof", "127.0.0.1", String(port)]);
  try {
    await accepting;
  } finally {
    clearTimeout(timer);
    await replica.close();
    try {
      listener.close();
    } catch {
      // closed already
    }
  }
  assert.equal(attempts.length, 6);
  const gaps = attempts.slice(1).map((t, i) => t - attempts[i]);
  console.log(`reconnect intervals (ms): ${gaps.join(", ")}`);
  // About a second each: a backoff would have made the later ones 2 s, 4 s and more.
  for (const g of gaps) assert.ok(g >= 500 && g < 3000, `interval ${g} ms in ${gaps.join(", ")}`);
});
