// Replication benchmarks against real Redis:
// `deno run -A scripts/bench_replication.ts [keys] [seconds]`. For Redis → Redis and for ours →
// ours (diskless sync, no delay): the time a new replica takes to full-sync `keys` keys (DEBUG
// POPULATE), from REPLICAOF to the link up with every key loaded; then the replication lag
// while redis-benchmark writes to the master for `seconds` (SET, 50 clients, pipeline 16),
// sampled every 50 ms as master_repl_offset minus the replica's slave_repl_offset, and the
// time the replica takes to catch up once the load stops.

import { RespClient } from "../tests/helpers/resp_client.ts";
import { startLogged } from "../tests/helpers/server.ts";
import { info } from "../tests/helpers/replication.ts";

const N = Number(Deno.args[0] ?? 1000000);
const SECONDS = Number(Deno.args[1] ?? 10);
const MAIN = new URL("../main.ts", import.meta.url).pathname;
const OURS = [Deno.execPath(), "run", "-A", "--v8-flags=--max-old-space-size=8192", MAIN];
const REDIS = ["redis-server"];

interface Proc {
  port: number;
  stop(): Promise<void>;
}

async function spawn(bin: string[], extra: string[]): Promise<Proc> {
  const dir = await Deno.makeTempDir({ prefix: "bench-repl-" });
  const args = ["--dir", dir, "--save", "", "--enable-debug-command", "yes"];
  const s = await startLogged(bin, [...args, "--repl-diskless-sync-delay", "0", ...extra]);
  return {
    port: s.port,
    stop: async () => {
      await s.stop();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

async function offsets(m: RespClient, r: RespClient): Promise<[number, number, string]> {
  const mi = await info(m);
  const ri = await info(r);
  return [
    Number(mi.get("master_repl_offset")),
    Number(ri.get("slave_repl_offset")),
    ri.get("master_link_status") ?? "",
  ];
}

interface Result {
  syncMs: number;
  lagAvgKb: number;
  lagMaxKb: number;
  catchUpMs: number;
  opsPerSec: number;
}

async function run(bin: string[]): Promise<Result> {
  const master = await spawn(bin, []);
  const replica = await spawn(bin, []);
  const m = await RespClient.connect(master.port);
  const r = await RespClient.connect(replica.port);
  try {
    await m.call("DEBUG", "POPULATE", N);
    const t0 = performance.now();
    await r.call("REPLICAOF", "127.0.0.1", master.port);
    for (;;) {
      const [mo, ro, link] = await offsets(m, r);
      if (link === "up" && ro >= mo && (await r.call("DBSIZE")) === N) break;
      await new Promise((res) => setTimeout(res, 20));
    }
    const syncMs = performance.now() - t0;

    const bench = new Deno.Command("redis-benchmark", {
      args: [
        "-p",
        String(master.port),
        "-t",
        "set",
        "-n",
        "100000000",
        "-r",
        "1000000",
        "-c",
        "50",
        "-P",
        "16",
        "-q",
        "--csv",
      ],
      stdout: "null",
      stderr: "null",
    }).spawn();
    const lags: number[] = [];
    const before = Number((await info(m, "stats")).get("total_commands_processed"));
    const tb = performance.now();
    while (performance.now() - tb < SECONDS * 1000) {
      const [mo, ro] = await offsets(m, r);
      lags.push(Math.max(0, mo - ro));
      await new Promise((res) => setTimeout(res, 50));
    }
    bench.kill("SIGTERM");
    await bench.status;
    const after = Number((await info(m, "stats")).get("total_commands_processed"));
    const opsPerSec = (after - before) / ((performance.now() - tb) / 1000);
    const tc = performance.now();
    for (;;) {
      const [mo, ro] = await offsets(m, r);
      if (ro >= mo) break;
      await new Promise((res) => setTimeout(res, 10));
    }
    const catchUpMs = performance.now() - tc;
    return {
      syncMs,
      lagAvgKb: lags.reduce((a, b) => a + b, 0) / Math.max(1, lags.length) / 1024,
      lagMaxKb: Math.max(0, ...lags) / 1024,
      catchUpMs,
      opsPerSec,
    };
  } finally {
    m.close();
    r.close();
    await replica.stop();
    await master.stop();
  }
}

function row(name: string, x: Result): string {
  return `| ${name} | ${(x.syncMs / 1000).toFixed(2)} s | ${Math.round(x.opsPerSec)} | ${
    x.lagAvgKb.toFixed(1)
  } KiB | ${x.lagMaxKb.toFixed(1)} KiB | ${Math.round(x.catchUpMs)} ms |`;
}

if (import.meta.main) {
  console.log(`Full sync of ${N} keys, then ${SECONDS} s of redis-benchmark SET -c 50 -P 16\n`);
  console.log(
    "| pair | full sync | master SET/s | lag avg | lag max | catch-up after load |",
  );
  console.log("|---|---|---|---|---|---|");
  console.log(row("Redis → Redis", await run(REDIS)));
  console.log(row("ours → ours", await run(OURS)));
}
