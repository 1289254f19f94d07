// main.ts as a user runs it: `--port 0` logs the chosen port, log lines use Redis's format,
// SIGTERM shuts down cleanly with exit code 0, bad configuration exits 1 with Redis's fatal
// error text.

import assert from "node:assert/strict";
import { RespClient } from "../helpers/resp_client.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;
const LOG_LINE = /^\d+:[MS] \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2}\.\d{3} [.\-*#] /;

function spawn(args: string[]): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, ...args],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

// Reads stdout until `pattern` matches the accumulated text or the deadline passes.
async function readUntil(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  pattern: RegExp,
  timeoutMs = 15000,
): Promise<string> {
  const dec = new TextDecoder();
  let text = "";
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(text)) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${pattern}: ${text}`);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const r = await Promise.race([
      reader.read(),
      new Promise<null>((res) => timer = setTimeout(() => res(null), deadline - Date.now())),
    ]);
    clearTimeout(timer);
    if (r === null) continue;
    if (r.done) break;
    text += dec.decode(r.value);
  }
  return text;
}

Deno.test("--port 0 logs the port, serves, and SIGTERM exits 0", async () => {
  const p = spawn(["--port", "0", "--bind", "127.0.0.1", "--save", ""]);
  const reader = p.stdout.getReader();
  try {
    const text = await readUntil(reader, /Ready to accept connections tcp/);
    const m = /Running mode=standalone, port=(\d+)\./.exec(text);
    assert.ok(m, text);
    for (const line of text.trim().split("\n")) assert.match(line, LOG_LINE);
    const c = await RespClient.connect(Number(m[1]));
    assert.deepEqual(await c.call("PING"), { status: "PONG" });
    c.close();
    p.kill("SIGTERM");
    const rest = await readUntil(reader, /bye bye/);
    assert.match(rest, /ready to exit, bye bye/);
    const status = await p.status;
    assert.equal(status.code, 0);
  } finally {
    reader.releaseLock();
    await p.stdout.cancel().catch(() => {});
    await p.stderr.cancel().catch(() => {});
    try {
      p.kill("SIGKILL");
    } catch {
      // already exited
    }
    await p.status;
  }
});

Deno.test("an unknown directive is a fatal config error with exit code 1", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, "--port", "0", "--no-such-directive", "1"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 1);
  const text = new TextDecoder().decode(out.stderr) + new TextDecoder().decode(out.stdout);
  assert.match(text, /\*\*\* FATAL CONFIG FILE ERROR \(Redis 7\.0\.15\) \*\*\*/);
  assert.match(text, />>> 'no-such-directive "1"'/);
  assert.match(text, /Bad directive or wrong number of arguments/);
});

Deno.test("--version prints Redis's version line", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, "--version"],
    stdout: "piped",
    stderr: "null",
  }).output();
  assert.equal(out.code, 0);
  assert.match(new TextDecoder().decode(out.stdout), /^Redis server v=7\.0\.15 /);
});
