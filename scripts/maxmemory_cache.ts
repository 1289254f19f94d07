// Cache workload under maxmemory, ours against a real redis-server on the same trace: a
// cache-aside loop (GET a uniformly random key, SET it on a miss, as redis-benchmark -r draws
// keys) from a seeded PRNG, so both servers see the same requests. Reports the hit rate over
// the second half of the run, the peak and final RSS against maxmemory, used_memory, evicted_keys
// and DBSIZE. Both servers are started here and stopped by PID in a finally block. Ours runs
// with the permissions and V8 flags of deno.json's `start` task (the flags shape the RSS).
//
//   deno run -A scripts/maxmemory_cache.ts [--maxmemory 100mb] [--keys 1000000] [--ops 2000000]
//     [--value 100] [--policy allkeys-lru] [--only ours|redis] [--v8-flags FLAGS]

import { startTaskFlags } from "./compile.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;
const DENO_JSON = new URL("../deno.json", import.meta.url).pathname;
const HOST = "127.0.0.1";
const BATCH = 500;

interface Options {
  maxmemory: string;
  keys: number;
  ops: number;
  value: number;
  policy: string;
  only: string | null;
  /** --v8-flags for our server instead of the start task's (comma-separated). */
  v8Flags: string | null;
}

function parseOptions(args: string[]): Options {
  const o: Options = {
    maxmemory: "100mb",
    keys: 1_000_000,
    ops: 2_000_000,
    value: 100,
    policy: "allkeys-lru",
    only: null,
    v8Flags: null,
  };
  for (let i = 0; i < args.length; i += 2) {
    const v = args[i + 1];
    switch (args[i]) {
      case "--maxmemory":
        o.maxmemory = v;
        break;
      case "--keys":
        o.keys = Number(v);
        break;
      case "--ops":
        o.ops = Number(v);
        break;
      case "--value":
        o.value = Number(v);
        break;
      case "--policy":
        o.policy = v;
        break;
      case "--only":
        o.only = v;
        break;
      case "--v8-flags":
        o.v8Flags = v;
        break;
      default:
        throw new Error(`Unknown option ${args[i]}`);
    }
  }
  return o;
}

/** mulberry32: a small seeded PRNG, so both servers get the same key sequence. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function freePort(): number {
  const l = Deno.listen({ hostname: HOST, port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

async function rssBytes(pid: number): Promise<number> {
  try {
    const text = await Deno.readTextFile(`/proc/${pid}/status`);
    const m = /VmRSS:\s+(\d+) kB/.exec(text);
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

const enc = new TextEncoder();

/** A pipelining connection that reads simple replies (bulk, null, status, error, integer). */
class Conn {
  #conn: Deno.Conn;
  #buf = new Uint8Array(1 << 20);
  #start = 0;
  #end = 0;

  constructor(conn: Deno.Conn) {
    this.#conn = conn;
  }

  static async open(port: number): Promise<Conn> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        return new Conn(await Deno.connect({ hostname: HOST, port }));
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  async send(cmds: string[][]): Promise<void> {
    let s = "";
    for (const c of cmds) {
      s += `*${c.length}\r\n`;
      for (const a of c) s += `$${a.length}\r\n${a}\r\n`;
    }
    let bytes = enc.encode(s);
    while (bytes.length > 0) bytes = bytes.subarray(await this.#conn.write(bytes));
  }

  async #fill(): Promise<void> {
    if (this.#start > 0) {
      this.#buf.copyWithin(0, this.#start, this.#end);
      this.#end -= this.#start;
      this.#start = 0;
    }
    if (this.#end === this.#buf.length) {
      const bigger = new Uint8Array(this.#buf.length * 2);
      bigger.set(this.#buf);
      this.#buf = bigger;
    }
    const n = await this.#conn.read(this.#buf.subarray(this.#end));
    if (n === null) throw new Error("connection closed");
    this.#end += n;
  }

  async #line(): Promise<string> {
    for (;;) {
      for (let i = this.#start; i + 1 < this.#end; i++) {
        if (this.#buf[i] === 13 && this.#buf[i + 1] === 10) {
          const line = new TextDecoder().decode(this.#buf.subarray(this.#start, i));
          this.#start = i + 2;
          return line;
        }
      }
      await this.#fill();
    }
  }

  /** One reply: null for a null bulk, the text otherwise; throws on an error reply. */
  async reply(): Promise<string | null> {
    const line = await this.#line();
    if (line[0] === "-") throw new Error(`error reply: ${line}`);
    if (line[0] !== "$") return line.slice(1);
    const n = Number(line.slice(1));
    if (n < 0) return null;
    while (this.#end - this.#start < n + 2) await this.#fill();
    const s = new TextDecoder().decode(this.#buf.subarray(this.#start, this.#start + n));
    this.#start += n + 2;
    return s;
  }

  async call(...args: string[]): Promise<string | null> {
    await this.send([args]);
    return await this.reply();
  }

  close(): void {
    this.#conn.close();
  }
}

interface Result {
  name: string;
  hitRate: number;
  peakRss: number;
  finalRss: number;
  usedMemory: number;
  evicted: number;
  dbsize: number;
  seconds: number;
}

async function runWorkload(name: string, pid: number, port: number, o: Options): Promise<Result> {
  const c = await Conn.open(port);
  try {
    await c.call("PING");
    const rand = prng(12345);
    const value = "v".repeat(o.value);
    let hits = 0;
    let lookups = 0;
    let peak = 0;
    const t0 = Date.now();
    for (let done = 0; done < o.ops; done += BATCH) {
      const keys: string[] = [];
      for (let i = 0; i < BATCH; i++) {
        keys.push(`key:${String(Math.floor(rand() * o.keys)).padStart(12, "0")}`);
      }
      await c.send(keys.map((k) => ["GET", k]));
      const misses: string[][] = [];
      for (const k of keys) {
        if ((await c.reply()) === null) misses.push(["SET", k, value]);
        else if (done >= o.ops / 2) hits++;
      }
      if (done >= o.ops / 2) lookups += keys.length;
      if (misses.length > 0) {
        await c.send(misses);
        for (let i = 0; i < misses.length; i++) await c.reply();
      }
      if ((done / BATCH) % 20 === 0) peak = Math.max(peak, await rssBytes(pid));
    }
    const seconds = (Date.now() - t0) / 1000;
    const finalRss = await rssBytes(pid);
    const info = (await c.call("INFO", "all")) ?? "";
    const field = (f: string) => Number(new RegExp(`${f}:(\\d+)`).exec(info)?.[1] ?? 0);
    return {
      name,
      hitRate: hits / lookups,
      peakRss: Math.max(peak, finalRss),
      finalRss,
      usedMemory: field("used_memory"),
      evicted: field("evicted_keys"),
      dbsize: Number(await c.call("DBSIZE")),
      seconds,
    };
  } finally {
    c.close();
  }
}

function parseBytes(s: string): number {
  const m = /^(\d+)(kb|mb|gb|k|m|g|b)?$/i.exec(s);
  if (m === null) throw new Error(`Bad size ${s}`);
  const mult: Record<string, number> = {
    "": 1,
    b: 1,
    k: 1000,
    kb: 1024,
    m: 1e6,
    mb: 1024 * 1024,
    g: 1e9,
    gb: 1024 ** 3,
  };
  return Number(m[1]) * mult[(m[2] ?? "").toLowerCase()];
}

/** The start task's `deno run` flags, with its --v8-flags replaced by `v8Flags` if given. */
function runFlags(denoJson: string, v8Flags: string | null): string[] {
  const flags = startTaskFlags(denoJson);
  if (v8Flags === null) return flags;
  return [...flags.filter((f) => !f.startsWith("--v8-flags")), `--v8-flags=${v8Flags}`];
}

async function main(): Promise<void> {
  const o = parseOptions(Deno.args);
  const max = parseBytes(o.maxmemory);
  const dir = await Deno.makeTempDir({ prefix: "maxmemory-cache-" });
  const servers: { name: string; cmd: string; args: string[] }[] = [];
  const common = ["--save", "", "--bind", HOST, "--maxmemory", o.maxmemory];
  if (o.only !== "redis") {
    servers.push({
      name: "ours",
      cmd: Deno.execPath(),
      args: [
        "run",
        ...runFlags(await Deno.readTextFile(DENO_JSON), o.v8Flags),
        MAIN,
        ...common,
        "--maxmemory-policy",
        o.policy,
        "--dir",
        dir,
        "--logfile",
        `${dir}/ours.log`,
      ],
    });
  }
  if (o.only !== "ours") {
    servers.push({
      name: "redis",
      cmd: "redis-server",
      args: [
        ...common,
        "--maxmemory-policy",
        o.policy,
        "--dir",
        dir,
        "--logfile",
        `${dir}/redis.log`,
      ],
    });
  }
  const results: Result[] = [];
  try {
    for (const s of servers) {
      const port = freePort();
      const proc = new Deno.Command(s.cmd, {
        args: [...s.args, "--port", String(port)],
        stdin: "null",
        stdout: "null",
        stderr: "null",
      }).spawn();
      try {
        console.log(`${s.name}: ${o.ops} ops over ${o.keys} keys, ${o.value}-byte values`);
        results.push(await runWorkload(s.name, proc.pid, port, o));
      } finally {
        try {
          proc.kill("SIGTERM");
        } catch {
          // already gone
        }
        await proc.status;
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  const mib = (n: number) => `${(n / 1048576).toFixed(1)} MiB`;
  const v8 = runFlags(await Deno.readTextFile(DENO_JSON), o.v8Flags)
    .find((f) => f.startsWith("--v8-flags")) ?? "no --v8-flags";
  console.log(
    `\nmaxmemory ${o.maxmemory} (${mib(max)}), policy ${o.policy}, keys ${o.keys}, ops ${o.ops}, ` +
      `ours with ${v8}\n`,
  );
  console.log(
    "| server | hit rate (2nd half) | peak RSS | peak RSS / maxmemory | used_memory | evicted | DBSIZE | s |",
  );
  console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const r of results) {
    console.log(
      `| ${r.name} | ${(r.hitRate * 100).toFixed(1)}% | ${mib(r.peakRss)} | ${
        (r.peakRss / max).toFixed(2)
      } | ${mib(r.usedMemory)} | ${r.evicted} | ${r.dbsize} | ${r.seconds.toFixed(0)} |`,
    );
  }
  if (results.length === 2) {
    console.log(
      `\nhit rate ours/redis: ${(results[0].hitRate / results[1].hitRate).toFixed(3)}`,
    );
  }
}

if (import.meta.main) await main();
