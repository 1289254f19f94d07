// RESP fuzz over TCP: several connections throw mutated and malformed RESP at an in-process
// server (broken lengths, nested garbage, unbalanced inline quotes, random binary) while a
// control client keeps doing SET/GET and checking the values. Afterwards a fresh client must
// be served and no handler may have thrown an internal error. The fuzz connections run as a
// user without admin/dangerous commands, so they cannot shut down, pause or reconfigure the
// server. Seed: FUZZ_SEED (printed); scripts/fuzz.ts runs the same fuzzer for longer.

import assert from "node:assert/strict";
import { captureInternalErrors, FUZZ_ACL, respFuzz } from "../helpers/fuzz.ts";
import { RespClient } from "../helpers/resp_client.ts";
import { startServer } from "../helpers/server.ts";

const SEED = Number(Deno.env.get("FUZZ_SEED") ?? "20240607");
const SECONDS = Number(Deno.env.get("FUZZ_SECONDS") ?? "2");

Deno.test("the server survives malformed RESP on many connections and keeps serving", async () => {
  console.log(`RESP fuzz seed ${SEED} (replay: FUZZ_SEED=${SEED})`);
  const s = await startServer();
  try {
    const admin = await RespClient.connect(s.port);
    try {
      for (const argv of FUZZ_ACL) assert.deepEqual(await admin.call(...argv), { status: "OK" });
    } finally {
      admin.close();
    }
    const { result, errors } = await captureInternalErrors(() =>
      respFuzz(s.port, {
        seed: SEED,
        seconds: SECONDS,
        connections: 6,
        controlAuth: ["ctl", "ctlpass"],
      })
    );
    console.log(
      `${result.frames} frames on ${result.connections} connections; ${result.controlOps} control ops`,
    );
    assert.deepEqual([...result.failures, ...errors], []);
    assert.ok(result.controlOps > 0);
    assert.ok(result.frames > 100);
  } finally {
    await s.close();
  }
});

// Found by the fuzzer: a NUL byte in an inline request made the argument splitter loop
// forever. Redis looks for the newline with strchr, so the line stays incomplete until it
// passes the inline limit.
Deno.test("an inline request with a NUL byte waits like Redis, then fails as too big", async () => {
  const s = await startServer();
  const c = await RespClient.connect(s.port);
  const other = await RespClient.connect(s.port);
  try {
    await c.writeRaw("PING\x00 x\r\nPING\r\n");
    assert.deepEqual(await other.call("PING"), { status: "PONG" });
    await c.writeRaw("a".repeat(70000) + "\r\n");
    assert.deepEqual(await c.call("PING").catch(() => null), {
      error: "ERR Protocol error: too big inline request",
    });
    assert.equal(await c.closedByPeer(), true);
  } finally {
    c.close();
    other.close();
    await s.close();
  }
});
