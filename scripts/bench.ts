// `deno task bench`: our server against a real redis-server, both driven by redis-benchmark.
// Runs are interleaved (ours, redis, ours, redis ...) per test and round, reported as median
// ops/s with the ours/redis ratio; then the same with each server pinned to CPU 0 and the
// client to CPU 1 (server-limited), then RSS per key after loading small keys into each.
// Covers strings (PING, SET, GET, INCR, MSET) and the data types (LPUSH, LPOP, SADD, HSET, ZADD,
// ZRANGE, LRANGE_100); keys a test writes are reset before each run so every run starts alike.
// Every process started here is stopped by PID in a finally block; every loop is bounded.

import { startTaskFlags } from "./compile.ts";

const REPO = new URL("../", import.meta.url).pathname;
const MAIN = new URL("../main.ts", import.meta.url).pathname;
const HOST = "127.0.0.1";
const RANDOM_KEYSPACE = 1_000_000;
/** -r for SADD/HSET/ZADD: members spread over this many values, so the collections grow. */
const MEMBER_RANGE = 100_000;
/** Members in the sorted set that ZRANGE 0 99 reads. */
const ZRANGE_MEMBERS = 100;
const PREPARE_TIMEOUT_MS = 120_000;
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;

const USAGE = `Usage: deno task bench [options]
  --rounds N       rounds per test, interleaved ours/redis (default 3)
  --requests N     requests per run at -P 1; -P 16 runs use 5x (default 100000)
  --clients N      redis-benchmark -c (default 50)
  --keys N         keys loaded for the memory measurement (default 1000000)
  --timeout S      seconds before one redis-benchmark run is killed (default 300)
  --only REGEX     run only the tests whose "<test> -P <n>" matches REGEX (case-insensitive),
                   e.g. --only 'LPUSH|ZRANGE', --only '^GET', --only '-P 16'
  --quick          smoke run: 1 round, 20000 requests, 200000 keys
  --no-pinned      skip the CPU-pinned (server-limited) table
  --no-memory      skip the memory measurement
  --no-persistence skip SAVE/load/BGSAVE-stall and AOF measurements (scripts/bench_rdb.ts,
                   scripts/bench_persistence.ts)
  --no-replication skip full-sync time and replication lag (scripts/bench_replication.ts)
  --out FILE       also write the final markdown report to FILE
  --help           this text`;

/** Command-line options. */
export interface BenchOptions {
  rounds: number;
  requests: number;
  clients: number;
  keys: number;
  timeoutMs: number;
  pinned: boolean;
  memory: boolean;
  persistence: boolean;
  replication: boolean;
  /** Selects tests by `caseName`; all when absent. */
  only?: RegExp;
  out?: string;
}

/** One redis-benchmark test configuration. */
interface Case {
  /** redis-benchmark -t name, or the command line of a custom-command test. */
  test: string | string[];
  /** The test's name in the CSV output (a custom command's is its command line). */
  csvName: string;
  label: string;
  pipeline: number;
  /** -d value; null for tests whose payload does not depend on it (PING, INCR). */
  dataSize: number | null;
  /** -r value; null for none (every request hits the same key or member). */
  range: number | null;
  /** A command that must not error for the case to be run against a server. */
  probe: string[];
  /** Commands sent to a server before each run of the case, given the run's request count. */
  prepare?: (requests: number) => string[][];
  /** What `prepare` does, for the report. */
  prepareNote?: string;
  /** Started before each run and stopped after it (e.g. pub/sub subscribers). */
  during?: (port: number) => Promise<() => Promise<void>>;
  /** Our own load generator instead of redis-benchmark: ops/s for `requests` operations. */
  driver?: (port: number, requests: number, clients: number, pipeline: number) => Promise<number>;
  /** What `driver` does, for the report. */
  driverNote?: string;
}

/** Median ops/s per server, null when no run produced a number. */
interface CaseResult {
  c: Case;
  ours: number | null;
  redis: number | null;
}

interface Proc {
  name: string;
  cmd: string[];
  child: Deno.ChildProcess;
  pid: number;
  exited: boolean;
}

interface ServerPair {
  ours: { proc: Proc; port: number };
  redis: { proc: Proc; port: number };
}

/** Every child still running, so a failure or Ctrl-C can stop each one by its PID. */
const live = new Set<Proc>();
/** The exact commands run, for the report. */
const commandLog: string[] = [];

function parseOptions(args: string[]): BenchOptions | null {
  const o: BenchOptions = {
    rounds: 3,
    requests: 100_000,
    clients: 50,
    keys: 1_000_000,
    timeoutMs: 300_000,
    pinned: true,
    memory: true,
    persistence: true,
    replication: true,
  };
  let quick = false;
  const explicit = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const num = (): number => {
      const v = Number(args[++i]);
      if (!Number.isInteger(v) || v <= 0) throw new RangeError(`Bad value for ${a}: ${args[i]}`);
      explicit.add(a);
      return v;
    };
    switch (a) {
      case "--rounds":
        o.rounds = num();
        break;
      case "--requests":
        o.requests = num();
        break;
      case "--clients":
        o.clients = num();
        break;
      case "--keys":
        o.keys = num();
        break;
      case "--timeout":
        o.timeoutMs = num() * 1000;
        break;
      case "--":
        break;
      case "--quick":
        quick = true;
        break;
      case "--no-pinned":
        o.pinned = false;
        break;
      case "--no-memory":
        o.memory = false;
        break;
      case "--no-persistence":
        o.persistence = false;
        break;
      case "--no-replication":
        o.replication = false;
        break;
      case "--out":
        if (i + 1 >= args.length) throw new RangeError("Missing value for --out");
        o.out = args[++i];
        break;
      case "--only":
        if (i + 1 >= args.length) throw new RangeError("Missing value for --only");
        try {
          o.only = new RegExp(args[++i], "i");
        } catch {
          throw new RangeError(`Bad regular expression for --only: ${args[i]}`);
        }
        break;
      case "--help":
      case "-h":
        return null;
      default:
        throw new RangeError(`Unknown option: ${a}`);
    }
  }
  if (quick) {
    if (!explicit.has("--rounds")) o.rounds = 1;
    if (!explicit.has("--requests")) o.requests = 20_000;
    if (!explicit.has("--keys")) o.keys = 200_000;
  }
  return o;
}

/** The name `--only` matches against: the table's test label and pipeline. */
export function caseName(c: Case): string {
  return `${c.label} -P ${c.pipeline}`;
}

/** Every test, in table order, narrowed by `--only`. */
function cases(only?: RegExp): Case[] {
  const out: Case[] = [];
  for (const p of [1, 16]) {
    out.push(mk("ping_mbulk", "PING_MBULK", "PING", p, null, null, ["PING"]));
    for (const d of [3, 1024]) {
      out.push(mk("set", "SET", "SET", p, d, null, ["SET", "bench:probe", "v"]));
      out.push(mk("get", "GET", "GET", p, d, null, ["GET", "bench:probe"]));
    }
    out.push(mk("incr", "INCR", "INCR", p, null, null, ["INCR", "bench:probe:n"]));
    for (const d of [3, 1024]) {
      out.push(mk("mset", "MSET (10 keys)", "MSET (10 keys)", p, d, null, ["MSET", "a", "1"]));
    }
  }
  for (const p of [1, 16]) {
    const r = RANDOM_KEYSPACE;
    out.push(mk("set", "SET", `SET -r ${r}`, p, 3, r, ["SET", "bench:probe", "v"]));
    out.push(mk("get", "GET", `GET -r ${r}`, p, 3, r, ["GET", "bench:probe"]));
  }
  for (const p of [1, 16]) out.push(...dataTypeCases(p));
  for (const p of [1, 16]) out.push(...streamPubsubTxCases(p));
  for (const p of [1, 16]) out.push(evalshaCase(p));
  return only ? out.filter((c) => only.test(caseName(c))) : out;
}

/**
 * The data-type tests at one pipeline depth. redis-benchmark's built-in tests write the fixed
 * keys mylist, myset, myhash and myzset; each is deleted before a run so rounds and servers
 * start from the same state (and memory stays bounded). LPOP gets a list of exactly as many
 * elements as it pops; lrange_100 fills mylist itself with one LPUSH per request first.
 */
function dataTypeCases(p: number): Case[] {
  const m = MEMBER_RANGE;
  const del = (key: string) => ({ prepare: () => [["DEL", key]], prepareNote: `DEL ${key}` });
  const zkey = "bench:zset";
  const last = String(ZRANGE_MEMBERS - 1);
  const zargs: string[] = [];
  for (let i = 0; i < ZRANGE_MEMBERS; i++) {
    zargs.push(String(i), `member:${String(i).padStart(3, "0")}`);
  }
  const zrange = ["ZRANGE", zkey, "0", last];
  const zrangeLabel = `ZRANGE 0 ${last} (${ZRANGE_MEMBERS} members)`;
  const lrangeCsv = "LRANGE_100 (first 100 elements)";
  return [
    {
      ...mk("lpush", "LPUSH", "LPUSH", p, 3, null, ["LPUSH", "bench:probe:l", "v"]),
      ...del("mylist"),
    },
    {
      ...mk("lpop", "LPOP", "LPOP", p, null, null, ["LPOP", "bench:probe:l"]),
      prepare: (n) => [["DEL", "mylist"], ...pushCommands("mylist", n)],
      prepareNote: "DEL mylist, then LPUSH as many 3-byte elements as the run pops",
    },
    {
      ...mk("sadd", "SADD", `SADD -r ${m}`, p, null, m, ["SADD", "bench:probe:s", "v"]),
      ...del("myset"),
    },
    {
      ...mk("hset", "HSET", `HSET -r ${m}`, p, 3, m, ["HSET", "bench:probe:h", "f", "v"]),
      ...del("myhash"),
    },
    {
      ...mk("zadd", "ZADD", `ZADD -r ${m}`, p, null, m, ["ZADD", "bench:probe:z", "1", "v"]),
      ...del("myzset"),
    },
    {
      ...mk(zrange, zrange.join(" "), zrangeLabel, p, null, null, [
        "ZRANGE",
        "bench:probe:z",
        "0",
        "-1",
      ]),
      prepare: () => [["DEL", zkey], ["ZADD", zkey, ...zargs]],
      prepareNote: `DEL ${zkey}, then one ZADD of ${ZRANGE_MEMBERS} members, scores 0..${last}`,
    },
    {
      ...mk("lrange_100", lrangeCsv, "LRANGE_100", p, 3, null, [
        "LRANGE",
        "bench:probe:l",
        "0",
        "99",
      ]),
      ...del("mylist"),
    },
  ];
}

/**
 * Issue 4's rows: XADD with generated IDs, PUBLISH to a channel with 1 and 50 subscribers (the
 * subscribers are our own connections that read and discard), and MULTI + 5 SETs + EXEC, which
 * redis-benchmark cannot send, driven by our own load generator against both servers alike.
 */
function streamPubsubTxCases(p: number): Case[] {
  const xadd = ["XADD", "bench:stream", "*", "f", "v"];
  const publish = ["PUBLISH", "bench:chan", "hello"];
  const pub = (subs: number): Case => ({
    ...mk(
      publish,
      publish.join(" "),
      `PUBLISH (${subs} subscriber${subs > 1 ? "s" : ""})`,
      p,
      null,
      null,
      [
        "PUBLISH",
        "bench:probe:chan",
        "x",
      ],
    ),
    during: (port) => startSubscribers(port, "bench:chan", subs),
  });
  return [
    {
      ...mk(xadd, xadd.join(" "), "XADD", p, null, null, ["XADD", "bench:probe:x", "*", "f", "v"]),
      prepare: () => [["DEL", "bench:stream"]],
      prepareNote: "DEL bench:stream",
    },
    pub(1),
    pub(50),
    {
      ...mk("multi", "MULTI", "MULTI + 5 SET + EXEC", p, null, null, ["MULTI"]),
      driver: multiExecDriver,
      driverNote: "own load generator: MULTI, SET bench:tx:1..5 v, EXEC per transaction; " +
        "-P N sends N transactions per write",
    },
  ];
}

// The script EVALSHA runs, and its SHA-1 (what SCRIPT LOAD returns for it).
const EVAL_SCRIPT = "return redis.call('GET', KEYS[1])";
const EVAL_SHA = "d3c21d0c2b9ca22f82737626a27bcaf5d288f99f";

/** EVALSHA of a one-line GET script (redis-benchmark -t has no scripting test). */
function evalshaCase(p: number): Case {
  const cmd = ["EVALSHA", EVAL_SHA, "1", "bench:evalkey"];
  return {
    ...mk(cmd, cmd.join(" "), "EVALSHA (GET script)", p, null, null, [
      "EVAL",
      EVAL_SCRIPT,
      "1",
      "bench:probe",
    ]),
    prepare: () => [["SCRIPT", "LOAD", EVAL_SCRIPT], ["SET", "bench:evalkey", "xxx"]],
    prepareNote: `SCRIPT LOAD "${EVAL_SCRIPT}", SET bench:evalkey xxx`,
  };
}

/** Opens `n` connections subscribed to `channel` that drain what they receive. */
async function startSubscribers(
  port: number,
  channel: string,
  n: number,
): Promise<() => Promise<void>> {
  const conns: Deno.Conn[] = [];
  const loops: Promise<void>[] = [];
  for (let i = 0; i < n; i++) {
    const conn = await Deno.connect({ hostname: HOST, port });
    conns.push(conn);
    await writeAll(conn, enc.encode(encodeCommand(["SUBSCRIBE", channel])));
    const buf = new Uint8Array(64 * 1024);
    loops.push((async () => {
      try {
        while ((await conn.read(buf)) !== null) { /* discard */ }
      } catch {
        // closed by stop()
      }
    })());
  }
  // Wait until the server counts every subscriber, so the run starts with all of them.
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const r = await probeText(port, ["PUBSUB", "NUMSUB", channel]);
    if (r.includes(`:${n}`)) break;
    await new Promise((res) => setTimeout(res, 20));
  }
  return async () => {
    for (const c of conns) {
      try {
        c.close();
      } catch {
        // already closed
      }
    }
    await Promise.allSettled(loops);
  };
}

/** MULTI + 5 SETs + EXEC on `clients` connections; transactions per second. */
async function multiExecDriver(
  port: number,
  requests: number,
  clients: number,
  pipeline: number,
): Promise<number> {
  const one = ["MULTI"].concat([1, 2, 3, 4, 5].map((i) => `SET bench:tx:${i} v`), ["EXEC"])
    .map((l) => l + "\r\n").join("");
  // +OK, 5 x +QUEUED, then EXEC's *5 with five +OK.
  const replyBytes = 5 + 5 * 9 + 4 + 5 * 5;
  const batch = enc.encode(one.repeat(pipeline));
  const perClient = Math.max(1, Math.ceil(requests / clients / pipeline));
  const conns = await Promise.all(
    Array.from({ length: clients }, () => Deno.connect({ hostname: HOST, port })),
  );
  const start = performance.now();
  try {
    await Promise.all(conns.map(async (conn) => {
      const buf = new Uint8Array(64 * 1024);
      for (let b = 0; b < perClient; b++) {
        await writeAll(conn, batch);
        let need = replyBytes * pipeline;
        while (need > 0) {
          const n = await conn.read(buf);
          if (n === null) throw new Error("connection closed during MULTI/EXEC run");
          need -= n;
        }
      }
    }));
  } finally {
    for (const c of conns) c.close();
  }
  const secs = (performance.now() - start) / 1000;
  return (perClient * clients * pipeline) / secs;
}

/** LPUSHes of `n` 3-byte elements onto `key`, 1000 elements per command. */
function pushCommands(key: string, n: number): string[][] {
  const out: string[][] = [];
  for (let start = 0; start < n; start += 1000) {
    const cmd = ["LPUSH", key];
    for (let i = start; i < Math.min(start + 1000, n); i++) cmd.push("xxx");
    out.push(cmd);
  }
  return out;
}

function mk(
  test: string | string[],
  csvName: string,
  label: string,
  pipeline: number,
  dataSize: number | null,
  range: number | null,
  probe: string[],
): Case {
  return { test, csvName, label, pipeline, dataSize, range, probe };
}

// ---------------------------------------------------------------------------------------------
// Processes

/** Shell-style rendering of an argv, for printing the exact commands. */
function shellQuote(argv: string[]): string {
  return argv.map((a) => (a === "" ? '""' : /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a}'`)).join(" ");
}

function spawn(name: string, cmd: string[], piped: boolean): Proc {
  const child = new Deno.Command(cmd[0], {
    args: cmd.slice(1),
    cwd: REPO,
    stdin: "null",
    stdout: piped ? "piped" : "null",
    stderr: piped ? "piped" : "null",
  }).spawn();
  const proc: Proc = { name, cmd, child, pid: child.pid, exited: false };
  live.add(proc);
  child.status.then(() => {
    proc.exited = true;
    live.delete(proc);
  });
  return proc;
}

function signal(proc: Proc, sig: Deno.Signal): void {
  if (proc.exited) return;
  try {
    proc.child.kill(sig);
  } catch {
    // exited between the check and the kill
  }
}

/** SIGTERM, then SIGKILL if the process is still there after a few seconds. */
async function stop(proc: Proc): Promise<void> {
  signal(proc, "SIGTERM");
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      signal(proc, "SIGKILL");
      resolve();
    }, STOP_TIMEOUT_MS);
  });
  await Promise.race([proc.child.status, late]);
  clearTimeout(timer);
  await proc.child.status;
}

function stopAllNow(): void {
  for (const p of live) signal(p, "SIGKILL");
}

function freePort(): number {
  const l = Deno.listen({ hostname: HOST, port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

async function waitForPort(proc: Proc, port: number): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (proc.exited) throw new Error(`${proc.name} exited during startup`);
    try {
      const c = await Deno.connect({ hostname: HOST, port });
      c.close();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`${proc.name} not listening on port ${port} after ${START_TIMEOUT_MS} ms`);
}

async function startPair(dir: string, pinned: boolean): Promise<ServerPair> {
  const pin = pinned ? ["taskset", "-c", "0"] : [];
  const flags = startTaskFlags(await Deno.readTextFile(`${REPO}deno.json`));
  const oursPort = freePort();
  const oursCmd = [
    ...pin,
    Deno.execPath(),
    "run",
    ...flags,
    MAIN,
    "--port",
    String(oursPort),
    "--bind",
    HOST,
    "--save",
    "",
    "--appendonly",
    "no",
    "--dir",
    dir,
    "--logfile",
    `${dir}/ours.log`,
  ];
  const ours = spawn("ours", oursCmd, false);
  const redisPort = freePort();
  const redisCmd = [
    ...pin,
    "redis-server",
    "--port",
    String(redisPort),
    "--bind",
    HOST,
    "--save",
    "",
    "--appendonly",
    "no",
    "--dir",
    dir,
    "--logfile",
    `${dir}/redis.log`,
  ];
  const redis = spawn("redis", redisCmd, false);
  try {
    await waitForPort(ours, oursPort);
    await waitForPort(redis, redisPort);
  } catch (err) {
    for (const f of ["ours.log", "redis.log"]) {
      const text = await Deno.readTextFile(`${dir}/${f}`).catch(() => "");
      if (text) console.error(`--- ${f} (last lines)\n${text.split("\n").slice(-15).join("\n")}`);
    }
    await stop(ours);
    await stop(redis);
    throw err;
  }
  for (const [cmd, p] of [[oursCmd, ours], [redisCmd, redis]] as const) {
    const line = `${shellQuote(cmd)}   # ${p.name}, pid ${p.pid}`;
    console.log(`$ ${line}`);
    commandLog.push(line);
  }
  return { ours: { proc: ours, port: oursPort }, redis: { proc: redis, port: redisPort } };
}

// ---------------------------------------------------------------------------------------------
// RESP over a plain socket: probes and the key loader

const enc = new TextEncoder();
const dec = new TextDecoder();

function encodeCommand(argv: string[]): string {
  let s = `*${argv.length}\r\n`;
  for (const a of argv) s += `$${a.length}\r\n${a}\r\n`;
  return s;
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let rest = bytes;
  for (let i = 0; i < 1_000_000 && rest.length > 0; i++) {
    const n = await conn.write(rest);
    rest = rest.subarray(n);
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out: ${what}`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/**
 * Reads `count` single-line replies (+OK, -ERR, :n), in batches.
 * @returns the first error line seen, or null
 */
async function readLines(
  conn: Deno.Conn,
  buf: Uint8Array,
  count: number,
  deadline: number,
): Promise<string | null> {
  let seen = 0;
  let firstError: string | null = null;
  let atStart = true;
  let errLine: string | null = null;
  while (seen < count) {
    if (Date.now() > deadline) throw new Error("Timed out reading replies");
    const n = await withTimeout(conn.read(buf), Math.max(deadline - Date.now(), 1), "read");
    if (n === null) throw new Error("Connection closed by the server");
    for (let i = 0; i < n; i++) {
      const b = buf[i];
      if (atStart) {
        atStart = false;
        if (b === 0x2d && firstError === null) errLine = "";
      }
      if (errLine !== null && b !== 0x0d && b !== 0x0a) errLine += String.fromCharCode(b);
      if (b === 0x0a) {
        seen++;
        atStart = true;
        if (errLine !== null) {
          firstError = errLine;
          errLine = null;
        }
      }
    }
  }
  return firstError;
}

/**
 * Sends one command and returns the first line of the reply (e.g. `+OK`, `-ERR ...`, `$3`).
 * Throws on timeout or a closed connection.
 */
async function probe(port: number, argv: string[], timeoutMs = 5000): Promise<string> {
  const conn = await withTimeout(Deno.connect({ hostname: HOST, port }), timeoutMs, "connect");
  try {
    await writeAll(conn, enc.encode(encodeCommand(argv)));
    const buf = new Uint8Array(4096);
    const deadline = Date.now() + timeoutMs;
    let text = "";
    for (let i = 0; i < 1000 && !text.includes("\r\n"); i++) {
      const n = await withTimeout(conn.read(buf), Math.max(deadline - Date.now(), 1), "probe");
      if (n === null) throw new Error("Connection closed by the server");
      text += dec.decode(buf.subarray(0, n));
    }
    return text.slice(0, text.indexOf("\r\n"));
  } finally {
    conn.close();
  }
}

/** The reply of `probe`, or its failure as text. */
async function probeText(port: number, argv: string[]): Promise<string> {
  try {
    return await probe(port, argv);
  } catch (err) {
    return `-${(err as Error).message}`;
  }
}

/** SETs `key:<12 digits>` = "xxx" for `n` keys, pipelined in batches of 1000. */
async function loadKeys(port: number, n: number): Promise<void> {
  const conn = await Deno.connect({ hostname: HOST, port });
  try {
    const batch = 1000;
    const buf = new Uint8Array(64 * 1024);
    const deadline = Date.now() + 600_000;
    for (let start = 0; start < n; start += batch) {
      const end = Math.min(start + batch, n);
      let req = "";
      for (let i = start; i < end; i++) {
        req += encodeCommand(["SET", `key:${String(i).padStart(12, "0")}`, "xxx"]);
      }
      await writeAll(conn, enc.encode(req));
      const err = await readLines(conn, buf, end - start, deadline);
      if (err !== null) throw new Error(`Loader got an error reply: ${err}`);
    }
  } finally {
    conn.close();
  }
}

/**
 * Sends commands whose replies are single lines (integers, +OK), pipelined in batches of 50.
 * Throws on an error reply, a closed connection, or when it takes longer than `timeoutMs`.
 */
async function sendAll(port: number, cmds: string[][], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const conn = await withTimeout(Deno.connect({ hostname: HOST, port }), timeoutMs, "connect");
  // On a timeout, closing the socket in `finally` fails the pending write or read.
  const work = async () => {
    const buf = new Uint8Array(64 * 1024);
    for (let start = 0; start < cmds.length; start += 50) {
      const batch = cmds.slice(start, start + 50);
      await writeAll(conn, enc.encode(batch.map(encodeCommand).join("")));
      const err = await readLines(conn, buf, batch.length, deadline);
      if (err !== null) throw new Error(`${batch[0][0]} got an error reply: ${err}`);
    }
  };
  try {
    await withTimeout(work(), timeoutMs, "prepare");
  } finally {
    conn.close();
  }
}

/** Reads a /proc file through `cat` (see rssBytes). */
async function readProc(path: string): Promise<string> {
  const out = await new Deno.Command("cat", { args: [path], stdout: "piped" }).output();
  if (!out.success) throw new Error(`Cannot read ${path}`);
  return dec.decode(out.stdout);
}

/**
 * VmRSS of a process in bytes, from /proc/<pid>/status. Read through `cat` because Deno only
 * lets --allow-all read another process's /proc entries, and the bench task runs narrower.
 */
async function rssBytes(pid: number): Promise<number> {
  const m = (await readProc(`/proc/${pid}/status`)).match(/^VmRSS:\s+(\d+)\s+kB/m);
  if (!m) throw new Error(`No VmRSS in /proc/${pid}/status`);
  return Number(m[1]) * 1024;
}

// ---------------------------------------------------------------------------------------------
// redis-benchmark

/** Parses `redis-benchmark --csv` output; returns rps per test name. */
export function parseCsv(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    const m = line.trim().match(/^"([^"]*)","([^"]*)"/);
    if (!m || m[1] === "test") continue;
    const rps = Number(m[2]);
    if (Number.isFinite(rps) && rps > 0) out.set(m[1], rps);
  }
  return out;
}

/** Requests in one run of the case: 5x at -P 16, so a run lasts long enough to measure. */
function requestsFor(c: Case, o: BenchOptions): number {
  return c.pipeline > 1 ? o.requests * 5 : o.requests;
}

function benchCommand(port: number, c: Case, o: BenchOptions, pinned: boolean): string[] {
  const n = requestsFor(c, o);
  const cmd = [
    ...(pinned ? ["taskset", "-c", "1"] : []),
    "redis-benchmark",
    "-h",
    HOST,
    "-p",
    String(port),
    "-c",
    String(o.clients),
    "-n",
    String(n),
    "-P",
    String(c.pipeline),
  ];
  if (typeof c.test === "string") cmd.push("-t", c.test);
  if (c.dataSize !== null) cmd.push("-d", String(c.dataSize));
  if (c.range !== null) cmd.push("-r", String(c.range));
  cmd.push("--csv");
  // A custom command goes last: redis-benchmark reads the command line after the options.
  if (typeof c.test !== "string") cmd.push(...c.test);
  return cmd;
}

/** One redis-benchmark run: ops/s, or null (with the reason printed) when it failed. */
async function runOnce(cmd: string[], c: Case, timeoutMs: number): Promise<number | null> {
  const proc = spawn("redis-benchmark", cmd, true);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    signal(proc, "SIGKILL");
  }, timeoutMs);
  try {
    const out = await proc.child.output();
    if (timedOut) {
      console.log(`    timed out after ${timeoutMs / 1000} s`);
      return null;
    }
    const rps = parseCsv(dec.decode(out.stdout)).get(c.csvName) ?? null;
    if (rps === null || !out.success) {
      const why = (dec.decode(out.stderr) + dec.decode(out.stdout)).split("\n")
        .filter((l) => l && !l.startsWith("WARNING") && !l.startsWith('"')).slice(0, 2).join(" | ");
      console.log(`    failed (exit ${out.code}): ${why || "no CSV row"}`);
      return null;
    }
    return rps;
  } finally {
    clearTimeout(timer);
    await stop(proc);
  }
}

/** Median of the numbers, null for none. */
export function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

async function runMatrix(
  pair: ServerPair,
  o: BenchOptions,
  pinned: boolean,
): Promise<CaseResult[]> {
  const all = cases(o.only);
  const servers = [
    { key: "ours" as const, port: pair.ours.port, proc: pair.ours.proc },
    { key: "redis" as const, port: pair.redis.port, proc: pair.redis.proc },
  ];
  // A command the server rejects is reported n/a instead of timing an error reply.
  const usable = new Map<string, boolean>();
  for (const s of servers) {
    for (const c of all) {
      const id = `${s.key} ${c.probe[0]}`;
      if (usable.has(id)) continue;
      const first = await probeText(s.port, c.probe);
      usable.set(id, !first.startsWith("-"));
      if (first.startsWith("-")) console.log(`  ${s.key}: ${c.probe[0]} unusable (${first}): n/a`);
    }
  }
  const samples = all.map(() => ({ ours: [] as number[], redis: [] as number[] }));
  for (let r = 1; r <= o.rounds; r++) {
    for (let i = 0; i < all.length; i++) {
      const c = all[i];
      for (const s of servers) {
        if (!usable.get(`${s.key} ${c.probe[0]}`)) continue;
        if (s.proc.exited) {
          console.log(`  ${s.key} has exited; skipping`);
          continue;
        }
        const cmd = benchCommand(s.port, c, o, pinned);
        if (r === 1) {
          const note = c.prepareNote ? `   # before each run: ${c.prepareNote}` : "";
          if (c.driver) commandLog.push(`${c.label} -P ${c.pipeline}: ${c.driverNote}`);
          else commandLog.push(shellQuote(cmd) + note);
        }
        let prepared = true;
        if (c.prepare) {
          try {
            await sendAll(s.port, c.prepare(requestsFor(c, o)), PREPARE_TIMEOUT_MS);
          } catch (err) {
            prepared = false;
            console.log(`    preparing failed (${c.prepareNote}): ${(err as Error).message}`);
          }
        }
        let rps: number | null = null;
        if (prepared && c.driver) {
          try {
            rps = await withTimeout(
              c.driver(s.port, requestsFor(c, o), o.clients, c.pipeline),
              o.timeoutMs,
              c.label,
            );
          } catch (err) {
            console.log(`    failed: ${(err as Error).message}`);
          }
        } else if (prepared) {
          const stopDuring = c.during ? await c.during(s.port) : null;
          try {
            rps = await runOnce(cmd, c, o.timeoutMs);
          } finally {
            await stopDuring?.();
          }
        }
        const shown = rps === null ? "n/a" : fmtOps(rps);
        console.log(
          `  r${r} ${c.label} -P ${c.pipeline} -d ${c.dataSize ?? "-"} ${s.key}: ${shown}` +
            `   $ ${shellQuote(cmd)}`,
        );
        if (rps !== null) samples[i][s.key].push(rps);
      }
    }
  }
  return all.map((c, i) => ({ c, ours: median(samples[i].ours), redis: median(samples[i].redis) }));
}

// ---------------------------------------------------------------------------------------------
// Memory

interface MemoryResult {
  name: string;
  before: number;
  after: number;
  dbsize: string;
  perKey: number | null;
}

async function measureMemory(pair: ServerPair, keys: number): Promise<MemoryResult[]> {
  const out: MemoryResult[] = [];
  for (const [name, s] of [["ours", pair.ours], ["redis", pair.redis]] as const) {
    await probeText(s.port, ["PING"]);
    const before = await rssBytes(s.proc.pid);
    const t0 = Date.now();
    let perKey: number | null = null;
    let loaded = false;
    try {
      await loadKeys(s.port, keys);
      loaded = true;
      console.log(`  ${name}: loaded ${keys} keys in ${Date.now() - t0} ms`);
    } catch (err) {
      console.log(`  ${name}: loading failed: ${(err as Error).message}`);
    }
    // Let the allocator and GC settle briefly before sampling.
    await new Promise((r) => setTimeout(r, 1000));
    const after = await rssBytes(s.proc.pid);
    const dbsizeLine = await probeText(s.port, ["DBSIZE"]);
    const dbsize = dbsizeLine.startsWith(":") ? dbsizeLine.slice(1) : "n/a";
    if (loaded && (dbsize === "n/a" || Number(dbsize) >= keys)) perKey = (after - before) / keys;
    out.push({ name, before, after, dbsize, perKey });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Report

function fmtOps(x: number | null): string {
  return x === null ? "n/a" : Math.round(x).toLocaleString("en-US");
}

function fmtRatio(a: number | null, b: number | null): string {
  return a === null || b === null || b === 0 ? "n/a" : (a / b).toFixed(2);
}

function fmtMiB(x: number): string {
  return `${(x / (1024 * 1024)).toFixed(1)} MiB`;
}

/** Markdown table of median ops/s and the ours/redis ratio. */
export function throughputTable(results: CaseResult[]): string {
  const lines = [
    "| test | -P | -d | ours ops/s | redis ops/s | ours/redis |",
    "| --- | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const { c, ours, redis } of results) {
    lines.push(
      `| ${c.label} | ${c.pipeline} | ${c.dataSize ?? "-"} | ${fmtOps(ours)} | ${fmtOps(redis)} | ${
        fmtRatio(ours, redis)
      } |`,
    );
  }
  return lines.join("\n");
}

function memoryTable(rows: MemoryResult[], keys: number): string {
  const lines = [
    `| server | RSS empty | RSS with ${keys.toLocaleString("en-US")} keys | DBSIZE | bytes/key |`,
    "| --- | ---: | ---: | ---: | ---: |",
  ];
  for (const r of rows) {
    const pk = r.perKey === null ? "n/a" : r.perKey.toFixed(1);
    lines.push(`| ${r.name} | ${fmtMiB(r.before)} | ${fmtMiB(r.after)} | ${r.dbsize} | ${pk} |`);
  }
  const [ours, redis] = [rows.find((r) => r.name === "ours"), rows.find((r) => r.name === "redis")];
  lines.push("", `bytes/key ours/redis: ${fmtRatio(ours?.perKey ?? null, redis?.perKey ?? null)}`);
  return lines.join("\n");
}

async function versionOf(cmd: string[]): Promise<string> {
  try {
    const out = await new Deno.Command(cmd[0], { args: cmd.slice(1), stdout: "piped" }).output();
    return dec.decode(out.stdout).split("\n")[0].trim();
  } catch {
    return "not found";
  }
}

function hasBinary(name: string): boolean {
  try {
    return new Deno.Command("which", { args: [name], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}

async function cpuModel(): Promise<string> {
  const info = await readProc("/proc/cpuinfo").catch(() => "");
  return info.match(/^model name\s*:\s*(.*)$/m)?.[1] ?? "unknown";
}

// ---------------------------------------------------------------------------------------------

/**
 * Runs one of the measurement scripts (`deno run -A <args>`), echoing its output, and returns
 * that output for the report (a table as printed, or a code block of its lines).
 */
async function runScript(args: string[], timeoutMs: number): Promise<string> {
  commandLog.push(`deno run -A ${args.join(" ")}`);
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ...args],
    cwd: REPO,
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch {
      // exited
    }
  }, timeoutMs);
  const out = await child.output();
  clearTimeout(timer);
  const text = new TextDecoder().decode(out.stdout).trim();
  console.log(text);
  if (!out.success) return `(failed with exit code ${out.code})\n\n\`\`\`\n${text}\n\`\`\``;
  return text.includes("|---") ? text : `\`\`\`\n${text}\n\`\`\``;
}

async function main(args: string[]): Promise<number> {
  let o: BenchOptions | null;
  try {
    o = parseOptions(args);
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (o === null) {
    console.log(USAGE);
    return 0;
  }
  if (cases(o.only).length === 0) {
    console.error(`--only ${o.only?.source} matches no test; the tests are:`);
    for (const c of cases()) console.error(`  ${caseName(c)}`);
    return 2;
  }
  for (const bin of ["redis-server", "redis-benchmark"]) {
    if (!hasBinary(bin)) {
      console.error(`${bin} is not installed (apt-get install redis-server redis-tools)`);
      return 1;
    }
  }
  const cpus = navigator.hardwareConcurrency;
  if (o.pinned && !hasBinary("taskset")) {
    console.log("taskset not found (util-linux): skipping the pinned table");
    o.pinned = false;
  } else if (o.pinned && cpus < 2) {
    console.log(`Only ${cpus} CPU: skipping the pinned table`);
    o.pinned = false;
  }

  const header = [
    `Date: ${new Date().toISOString()}`,
    `Machine: ${cpus} CPUs, ${await cpuModel()}`,
    `Deno: ${Deno.version.deno}; ${await versionOf(["redis-server", "--version"])}`,
    `Options: rounds=${o.rounds} requests=${o.requests} (x5 at -P 16) clients=${o.clients}` +
    ` keys=${o.keys}${o.only ? ` only=/${o.only.source}/i` : ""}`,
  ].join("\n");
  console.log(header);

  const dir = await Deno.makeTempDir({ prefix: "bench-" });
  const sections: string[] = [];
  const onSigint = () => {
    stopAllNow();
    Deno.exit(130);
  };
  Deno.addSignalListener("SIGINT", onSigint);
  try {
    const modes = o.pinned ? [false, true] : [false];
    for (const pinned of modes) {
      const title = pinned
        ? "Server-limited: each server pinned to CPU 0 (taskset -c 0), redis-benchmark to CPU 1"
        : "Throughput (unpinned)";
      console.log(`\n## ${title}`);
      const pair = await startPair(dir, pinned);
      try {
        const results = await runMatrix(pair, o, pinned);
        sections.push(`### ${title}\n\n${throughputTable(results)}`);
      } finally {
        await stop(pair.ours.proc);
        await stop(pair.redis.proc);
      }
    }
    if (o.memory) {
      console.log(`\n## Memory: ${o.keys} keys, SET key:<12 digits> "xxx", pipelined`);
      const pair = await startPair(dir, false);
      try {
        const rows = await measureMemory(pair, o.keys);
        sections.push(
          `### Memory (VmRSS from /proc/<pid>/status; bytes/key = RSS growth / keys)\n\n${
            memoryTable(rows, o.keys)
          }`,
        );
      } finally {
        await stop(pair.ours.proc);
        await stop(pair.redis.proc);
      }
    }
    // The persistence and replication measurements are scripts of their own (each starts and
    // stops its servers); their output goes into the report as they print it.
    const scripts: [boolean, string, string[]][] = [
      [o.persistence, "RDB: SAVE, load and the longest stall during BGSAVE", [
        "scripts/bench_rdb.ts",
        String(o.keys),
      ]],
      [o.persistence, "AOF: SET under appendfsync, BGREWRITEAOF, load", [
        "scripts/bench_persistence.ts",
        String(o.keys),
      ]],
      [o.replication, "Replication: full sync and lag", [
        "scripts/bench_replication.ts",
        String(o.keys),
        "10",
      ]],
    ];
    for (const [on, title, args] of scripts) {
      if (!on) continue;
      console.log(`\n## ${title}`);
      sections.push(`### ${title}\n\n${await runScript(args, o.timeoutMs * 4)}`);
    }
  } catch (err) {
    console.error(`Benchmark failed: ${(err as Error).stack ?? err}`);
    return 1;
  } finally {
    Deno.removeSignalListener("SIGINT", onSigint);
    for (const p of [...live]) await stop(p);
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }

  sections.push(
    "### Commands\n\nMemory: keys loaded over one connection as pipelined `SET key:<12 digits> xxx`" +
      ` in batches of 1000.\n\n\`\`\`\n${commandLog.join("\n")}\n\`\`\``,
  );
  const report = `## Benchmark\n\n${header.split("\n").join("  \n")}\n\n${sections.join("\n\n")}\n`;
  console.log(`\n${report}`);
  if (o.out) {
    await Deno.writeTextFile(o.out, report);
    console.log(`Report written to ${o.out}`);
  }
  return 0;
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
