// `deno task compile` end to end: builds the executable, starts it on a free port and PINGs it
// over TCP. deno compile needs the denort runtime, which cannot be downloaded here, so the test
// runs only when DENORT_BIN names a local denort and otherwise prints one SKIPPED line.

import assert from "node:assert/strict";
import { RespClient } from "../helpers/resp_client.ts";
import { freePort, skip, waitForPort } from "../helpers/server.ts";

const COMPILE_SCRIPT = new URL("../../scripts/compile.ts", import.meta.url).pathname;

async function stopByPid(p: Deno.ChildProcess): Promise<void> {
  try {
    p.kill("SIGTERM");
  } catch {
    // already exited
  }
  const timer = setTimeout(() => {
    try {
      p.kill("SIGKILL");
    } catch {
      // exited
    }
  }, 5000);
  await p.status;
  clearTimeout(timer);
}

Deno.test("the compiled executable serves PING", async () => {
  if (!Deno.env.get("DENORT_BIN")) {
    skip(
      "compile test",
      "DENORT_BIN is not set (deno compile needs the denort runtime, which cannot be downloaded here)",
    );
    return;
  }
  const dir = await Deno.makeTempDir({ prefix: "compile-test-" });
  try {
    const exe = `${dir}/redis-server-deno`;
    const built = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", COMPILE_SCRIPT, "--output", exe],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const log = new TextDecoder().decode(built.stdout) + new TextDecoder().decode(built.stderr);
    assert.ok(built.success, `compile failed:\n${log}`);

    const port = freePort();
    const server = new Deno.Command(exe, {
      args: ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--dir", dir],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    try {
      await waitForPort(port, 30000);
      const c = await RespClient.connect(port);
      try {
        assert.deepEqual(await c.callRaw("PING"), { raw: "+PONG\r\n", value: { status: "PONG" } });
      } finally {
        c.close();
      }
    } finally {
      await stopByPid(server);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
