// AOF benchmarks against real Redis: `deno run -A scripts/bench_persistence.ts [keys]`.
// For each server: SET throughput with appendonly yes under appendfsync everysec and always
// (redis-benchmark, 50 clients, pipeline 16), then with N keys (DEBUG POPULATE) the
// BGREWRITEAOF time and the slowest SET a client saw while it ran, and the start-up load time
// of the rewritten AOF with an RDB base and with a command base. (The RDB side, SAVE and load
// time and the longest stall during BGSAVE, is measured by scripts/bench_rdb.ts.)

import { RespClient } from "../tests/helpers/resp_client.ts";
import { type LoggedServer, startLogged } from "../tests/helpers/server.ts";

const N = Number(Deno.args[0] ?? 1000000);
const MAIN = new URL("../main.ts", import.meta.url).pathname;
const OURS = [Deno.execPath(), "run", "-A", "--v8-flags=--max-old-space-size=8192", MAIN];

function spawn(bin: string[], dir: string, extra: string[]): Promise<LoggedServer> {
  const args = ["--dir", dir, "--save", "", "--enable-debug-command", "yes"];
  return startLogged(bin, [...args, "--appendonly", "yes", ...extra], 300000);
}

async function call(c: RespClient, ...argv: string[]): Promise<string> {
  const r = await c.call(...argv);
  if (typeof r === "object" && r !== null && "error" in r) throw new Error(r.error);
  return String(r);
}

async function persistenceInfo(c: RespClient, field: string): Promise<string> {
  const text = await call(c, "INFO", "persistence");
  return new RegExp(`^${field}:(.*)\r$`, "m").exec(text)?.[1] ?? "";
}

// redis-benchmark's SET requests per second against `port`.
async function setRps(port: number): Promise<string> {
  const out = await new Deno.Command("redis-benchmark", {
    args: ["-p", String(port), "-t", "set", "-n", "200000", "-c", "50", "-P", "16", "-q"],
    stdout: "piped",
    stderr: "null",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  return /SET: ([\d.]+) requests per second/.exec(text)?.[1] ?? "?";
}

// BGREWRITEAOF with a client writing meanwhile: total time and the slowest SET round trip.
async function rewrite(s: LoggedServer, preamble: string): Promise<string> {
  const c = await RespClient.connect(s.port);
  const w = await RespClient.connect(s.port);
  try {
    await call(c, "CONFIG", "SET", "aof-use-rdb-preamble", preamble);
    const before = Number(await persistenceInfo(c, "aof_rewrites"));
    const t0 = performance.now();
    await call(c, "BGREWRITEAOF");
    let slowest = 0;
    let sets = 0;
    for (;;) {
      for (let i = 0; i < 50; i++) {
        const s0 = performance.now();
        await call(w, "SET", `key:${Math.floor(Math.random() * N)}`, "changed");
        slowest = Math.max(slowest, performance.now() - s0);
        sets++;
      }
      if (
        await persistenceInfo(c, "aof_rewrite_in_progress") === "0" &&
        Number(await persistenceInfo(c, "aof_rewrites")) > before
      ) break;
    }
    const ms = performance.now() - t0;
    return `BGREWRITEAOF (${preamble === "yes" ? "RDB" : "command"} base) ${
      ms.toFixed(0)
    } ms with ${sets} SETs meanwhile, slowest SET ${slowest.toFixed(1)} ms`;
  } finally {
    c.close();
    w.close();
  }
}

async function loadTime(bin: string[], dir: string): Promise<string> {
  const s = await spawn(bin, dir, []);
  await s.stop();
  return /DB loaded from append only file: ([\d.]+) seconds/.exec(s.log())?.[1] ?? "?";
}

async function measure(name: string, bin: string[]): Promise<void> {
  for (const fsync of ["everysec", "always"]) {
    const dir = await Deno.makeTempDir({ prefix: "bench-aof-" });
    try {
      const s = await spawn(bin, dir, ["--appendfsync", fsync]);
      console.log(`${name}: appendfsync ${fsync}: SET ${await setRps(s.port)} requests/s`);
      await s.stop();
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }
  const dir = await Deno.makeTempDir({ prefix: "bench-aof-" });
  try {
    for (const preamble of ["yes", "no"]) {
      const s = await spawn(bin, dir, []);
      const c = await RespClient.connect(s.port);
      if (preamble === "yes") await call(c, "DEBUG", "POPULATE", String(N));
      c.close();
      const line = await rewrite(s, preamble);
      await s.stop();
      console.log(`${name}: ${N} keys, ${line}, load ${await loadTime(bin, dir)} s`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

await measure("ours", OURS);
await measure("redis", ["redis-server"]);
