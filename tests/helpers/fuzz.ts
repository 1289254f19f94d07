// Hostile-input fuzzers shared by the test suite (a few seconds) and scripts/fuzz.ts (long
// manual runs): mutated and malformed RESP over many connections next to a checking control
// client; mutated DUMP payloads (with a valid CRC, so the parser has to reject them) and RDB
// files; every command called with hostile arguments. Each is deterministic for a seed and
// returns the failures it saw (empty: all clean).

import type { Client } from "../../src/client.ts";
import type { Command, CommandArg } from "../../src/commands/spec.ts";
import { crc64Init, crc64Update, crc64WriteLE } from "../../src/persistence/rdb/crc64.ts";
import { log } from "../../src/log.ts";
import { encodeCommand } from "../../src/resp/encoder.ts";
import { bytesToStr, strToBytes } from "../../src/util/bytes.ts";
import type { Harness } from "./harness.ts";
import { datasetCommands } from "../fixtures/dataset.ts";

/** A small deterministic PRNG (mulberry32). */
export class Rng {
  #s: number;
  constructor(seed: number) {
    this.#s = seed >>> 0;
  }
  /** A float in [0, 1). */
  next(): number {
    let t = (this.#s = (this.#s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(a: readonly T[]): T {
    return a[this.int(a.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  bytes(n: number): Uint8Array {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = this.int(256);
    return b;
  }
}

/** Lines "Internal error ..." (a handler threw a non-ReplyError) logged while `fn` runs. */
export async function captureInternalErrors<T>(
  fn: () => Promise<T>,
): Promise<{ result: T; errors: string[] }> {
  const errors: string[] = [];
  const target = log as unknown as { log: (level: string, msg: string) => void };
  const had = Object.hasOwn(target, "log");
  const orig = target.log;
  target.log = function (level: string, msg: string) {
    if (msg.includes("Internal error")) errors.push(msg.split("\n").slice(0, 4).join(" | "));
    orig.call(log, level, msg);
  };
  try {
    return { result: await fn(), errors };
  } finally {
    if (had) target.log = orig;
    else delete (target as { log?: unknown }).log;
  }
}

// ---------------------------------------------------------------------------------------------
// Hostile values

/** Numbers and strings argument parsers must reject or bound. */
export const HOSTILE = [
  "-1",
  "0",
  "1",
  "2",
  "3",
  "10",
  "-2",
  "9223372036854775807",
  "-9223372036854775808",
  "9223372036854775808",
  "-9223372036854775809",
  "18446744073709551615",
  "99999999999999999999",
  "4294967295",
  "4294967296",
  "2147483647",
  "2147483648",
  "-2147483649",
  "536870911",
  "536870912",
  "9007199254740993",
  "nan",
  "NaN",
  "inf",
  "-inf",
  "+inf",
  "1e400",
  "-1e400",
  "1e308",
  "4.9e-324",
  "-0",
  "1.5",
  "0x10",
  " 1",
  "",
  " ",
  "\x00",
  "(1",
  "[a",
  "(",
  "[",
  "+",
  "-",
  "$",
  "*",
  "0-0",
  "18446744073709551615-18446744073709551615",
  "-1-1",
  "1-",
  ">",
  "~",
  "=",
];

// Keys the fuzz fixtures create (see seedFixtures), and one that never exists.
const KEYS = [
  "s",
  "n",
  "l",
  "bigl",
  "set",
  "sset",
  "bigset",
  "h",
  "bigh",
  "z",
  "bigz",
  "x",
  "hll",
  "b",
  "geo",
  "missing",
];

/** Creates small keys of every type (and encoding) in db 0 of the harness. */
export function seedFixtures(h: Harness, client: Client): void {
  const run = (...argv: (string | number)[]) => h.raw(argv, client);
  run("FLUSHALL");
  run("SET", "s", "hello world");
  run("SET", "n", "42");
  run("RPUSH", "l", "a", "b", "c", "1", "2", "3");
  const big: string[] = [];
  for (let i = 0; i < 150; i++) big.push(`e${i}`);
  run("RPUSH", "bigl", ...big);
  run("SADD", "set", "1", "2", "3");
  run("SADD", "sset", "a", "b", "c");
  run("SADD", "bigset", ...big);
  run("HSET", "h", "f1", "v1", "f2", "2");
  run("HSET", "bigh", ...big.flatMap((e) => [e, e]));
  run("ZADD", "z", "1", "a", "2", "b", "3", "c");
  run("ZADD", "bigz", ...big.flatMap((e, i) => [String(i), e]));
  run("XADD", "x", "1-1", "f", "v");
  run("XADD", "x", "2-1", "f", "v2");
  run("XADD", "x", "3-1", "g", "v3");
  run("XGROUP", "CREATE", "x", "g", "0");
  run("XREADGROUP", "GROUP", "g", "c", "COUNT", "2", "STREAMS", "x", ">");
  run("PFADD", "hll", "a", "b", "c");
  run("SETBIT", "b", "100", "1");
  run("GEOADD", "geo", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania");
}

// ---------------------------------------------------------------------------------------------
// Argument fuzz

/**
 * Commands the argument fuzz does not call: they stop, pause or reconfigure the server, write
 * files, open connections, or hold the client (blocking commands run inside MULTI instead,
 * where they cannot block).
 */
export const ARG_FUZZ_SKIP = new Set([
  "shutdown",
  "debug",
  "monitor",
  "sync",
  "psync",
  "replconf",
  "replicaof",
  "slaveof",
  "failover",
  "migrate",
  "save",
  "bgsave",
  "bgrewriteaof",
  "wait",
  "waitaof",
  "quit",
  "config|set",
  "config|rewrite",
  "acl|setuser",
  "acl|deluser",
  "acl|load",
  "acl|save",
  "client|kill",
  "client|pause",
  "client|reply",
  "module",
  "cluster",
  // Slow by design (about a second), with no arguments to fuzz.
  "pfselftest",
]);

/** Hand-written hostile calls every argument fuzz run makes first. */
export const HOSTILE_CALLS: string[][] = [
  ["LRANGE", "l", "0", "9223372036854775807"],
  ["LRANGE", "l", "-9223372036854775808", "9223372036854775807"],
  ["SRANDMEMBER", "set", "-9223372036854775807"],
  ["SRANDMEMBER", "set", "-9223372036854775808"],
  ["SRANDMEMBER", "bigset", "9223372036854775807"],
  ["HRANDFIELD", "h", "-9223372036854775807", "WITHVALUES"],
  ["HRANDFIELD", "h", "-9223372036854775808"],
  ["ZRANDMEMBER", "z", "-9223372036854775807", "WITHSCORES"],
  ["ZRANDMEMBER", "z", "-9223372036854775808"],
  ["ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "0", "9223372036854775807"],
  ["ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "9223372036854775807", "-1"],
  ["ZRANGE", "z", "0", "-1", "BYSCORE", "LIMIT", "-9223372036854775808", "-9223372036854775808"],
  ["ZRANGEBYLEX", "z", "-", "+", "LIMIT", "0", "-9223372036854775808"],
  ["ZRANGE", "bigz", "0", "9223372036854775807"],
  ["ZREMRANGEBYRANK", "z", "-9223372036854775808", "9223372036854775807"],
  ["BITFIELD", "b", "SET", "u8", "4294967295", "1"],
  ["BITFIELD", "b", "GET", "u8", "9223372036854775807"],
  ["BITFIELD", "b", "INCRBY", "i64", "#99999999999", "1"],
  ["BITFIELD_RO", "b", "GET", "u63", "0"],
  ["SETBIT", "b", "4294967296", "1"],
  ["SETBIT", "b", "4294967295", "1"],
  ["SETRANGE", "s", "536870911", "x"],
  ["SETRANGE", "s", "536870912", "x"],
  ["SETRANGE", "s", "9223372036854775807", "x"],
  ["GETRANGE", "s", "-9223372036854775808", "9223372036854775807"],
  ["SUBSTR", "s", "0", "9223372036854775807"],
  ["BITCOUNT", "b", "-9223372036854775808", "9223372036854775807", "BIT"],
  ["BITPOS", "b", "1", "0", "9223372036854775807", "BIT"],
  ["LPOS", "l", "a", "MAXLEN", "9223372036854775807", "COUNT", "9223372036854775807"],
  ["LPOS", "l", "a", "RANK", "-9223372036854775808"],
  ["LPOS", "l", "a", "RANK", "9223372036854775807"],
  ["XRANGE", "x", "-", "+", "COUNT", "9223372036854775807"],
  ["XREVRANGE", "x", "+", "-", "COUNT", "-9223372036854775808"],
  ["XADD", "x", "MAXLEN", "9223372036854775807", "*", "f", "v"],
  ["XADD", "x", "18446744073709551615-18446744073709551615", "f", "v"],
  ["XTRIM", "x", "MINID", "18446744073709551615-18446744073709551615"],
  ["XAUTOCLAIM", "x", "g", "c", "0", "0-0", "COUNT", "9223372036854775807"],
  ["XPENDING", "x", "g", "-", "+", "9223372036854775807"],
  ["XPENDING", "x", "g", "IDLE", "9223372036854775807", "-", "+", "10"],
  ["XCLAIM", "x", "g", "c", "0", "1-1", "IDLE", "-9223372036854775808"],
  ["XCLAIM", "x", "g", "c", "0", "1-1", "TIME", "9223372036854775807"],
  ["XINFO", "STREAM", "x", "FULL", "COUNT", "9223372036854775807"],
  ["XREAD", "COUNT", "9223372036854775807", "STREAMS", "x", "0"],
  ["SCAN", "0", "COUNT", "9223372036854775807"],
  ["SCAN", "18446744073709551615", "COUNT", "1"],
  ["SSCAN", "bigset", "0", "COUNT", "9223372036854775807"],
  ["HSCAN", "bigh", "0", "COUNT", "9223372036854775807"],
  ["ZSCAN", "bigz", "0", "COUNT", "9223372036854775807"],
  ["SPOP", "bigset", "9223372036854775807"],
  ["LPOP", "l", "9223372036854775807"],
  ["LMPOP", "1", "l", "LEFT", "COUNT", "9223372036854775807"],
  ["ZMPOP", "1", "z", "MIN", "COUNT", "9223372036854775807"],
  ["ZPOPMIN", "z", "-9223372036854775808"],
  ["LINSERT", "l", "BEFORE", "a", "x"],
  ["LSET", "l", "-9223372036854775808", "x"],
  ["LINDEX", "l", "-9223372036854775808"],
  ["LTRIM", "l", "9223372036854775807", "-9223372036854775808"],
  ["INCRBY", "n", "9223372036854775807"],
  ["INCRBYFLOAT", "n", "1e308"],
  ["INCRBYFLOAT", "n", "inf"],
  ["HINCRBYFLOAT", "h", "f2", "nan"],
  ["ZADD", "z", "nan", "a"],
  ["ZADD", "z", "INCR", "inf", "a"],
  ["ZINCRBY", "z", "-inf", "a"],
  ["ZUNIONSTORE", "out", "9223372036854775807", "z"],
  ["ZUNION", "2147483648", "z"],
  ["ZINTERCARD", "1", "z", "LIMIT", "-1"],
  ["SINTERCARD", "2147483647", "set"],
  ["EXPIRE", "s", "9223372036854775807"],
  ["PEXPIRE", "s", "-9223372036854775808"],
  ["EXPIREAT", "s", "9223372036854775807"],
  ["SET", "s", "v", "EX", "9223372036854775807"],
  ["SET", "s", "v", "PX", "-9223372036854775808"],
  ["GETEX", "s", "PXAT", "9223372036854775807"],
  ["RESTORE", "r", "9223372036854775807", "x"],
  ["OBJECT", "FREQ", "s"],
  ["MEMORY", "USAGE", "bigl", "SAMPLES", "9223372036854775807"],
  ["SORT", "bigl", "LIMIT", "0", "9223372036854775807", "ALPHA"],
  ["SORT", "bigl", "LIMIT", "-9223372036854775808", "-1", "ALPHA"],
  ["LCS", "s", "s", "MINMATCHLEN", "-9223372036854775808", "IDX"],
  ["GEOSEARCH", "geo", "FROMLONLAT", "0", "0", "BYRADIUS", "1e400", "m", "COUNT", "1"],
  ["GEOSEARCH", "geo", "FROMLONLAT", "nan", "0", "BYBOX", "inf", "inf", "km"],
  ["GEORADIUS", "geo", "15", "37", "9223372036854775807", "km", "COUNT", "9223372036854775807"],
  ["GEOADD", "geo", "180.1", "0", "x"],
  ["GEODIST", "geo", "Palermo", "Catania", "parsecs"],
  ["PFCOUNT", "hll", "s"],
  ["PFMERGE", "hll", "s"],
  ["LOLWUT", "VERSION", "5", "9223372036854775807", "9223372036854775807", "1"],
  ["LOLWUT", "VERSION", "6", "1000000", "1000000"],
  ["ACL", "GENPASS", "9223372036854775807"],
  ["ACL", "LOG", "9223372036854775807"],
  ["SLOWLOG", "GET", "9223372036854775807"],
  ["SLOWLOG", "GET", "-9223372036854775808"],
  ["LATENCY", "HISTOGRAM"],
  ["CLIENT", "NO-EVICT", "maybe"],
  ["SELECT", "9223372036854775807"],
  ["SWAPDB", "0", "9223372036854775807"],
  ["MOVE", "s", "-1"],
  ["COPY", "s", "s2", "DB", "99999999999999999999"],
  ["HELLO", "9223372036854775807"],
  ["OBJECT", "HELP"],
  ["COMMAND", "GETKEYS", "SORT", "k", "STORE"],
  ["COMMAND", "GETKEYS", "ZUNIONSTORE", "out", "9223372036854775807", "z"],
  ["COMMAND", "GETKEYS", "EVAL", "return 1", "-1"],
  ["COMMAND", "GETKEYS", "XREAD", "STREAMS"],
  ["EVAL", "return 1", "9223372036854775807"],
  ["EVAL", "return 1", "-1"],
  ["FCALL", "f", "9223372036854775807"],
  ["PUBLISH", "c", "x"],
  ["PUBSUB", "NUMSUB"],
  ["SRANDMEMBER", "bigset", "-100000"],
];

// Every token any command documents (LIMIT, COUNT, WITHSCORES, BYSCORE ...), for random argv.
function collectTokens(cmds: Command[]): string[] {
  const out = new Set<string>();
  const walk = (args: CommandArg[] | undefined) => {
    for (const a of args ?? []) {
      if (a.token !== undefined) out.add(a.token);
      walk(a.arguments);
    }
  };
  for (const c of cmds) walk(c.spec.arguments);
  return [...out];
}

/** Leaf commands (subcommands in place of their containers), with their argv prefix. */
export function leafCommands(all: Command[]): { cmd: Command; prefix: string[] }[] {
  const out: { cmd: Command; prefix: string[] }[] = [];
  for (const c of all) {
    if (c.subcommands !== undefined && c.subcommands.size > 0) {
      for (const s of c.subcommands.values()) {
        out.push({ cmd: s, prefix: [c.name, s.name.slice(c.name.length + 1)] });
      }
      if (c.spec.handler !== undefined) out.push({ cmd: c, prefix: [c.name] });
    } else {
      out.push({ cmd: c, prefix: [c.name] });
    }
  }
  return out;
}

// A value for a documented argument of `type`.
function argValue(rng: Rng, type: string): string {
  switch (type) {
    case "key":
      return rng.pick(KEYS);
    case "integer":
    case "double":
    case "unix-time":
      return rng.chance(0.85) ? rng.pick(HOSTILE) : String(rng.int(5));
    default:
      if (rng.chance(0.3)) return rng.pick(KEYS);
      if (rng.chance(0.5)) return rng.pick(HOSTILE);
      return rng.pick(["a", "b", "f1", "e1", "Palermo", "g", "c", "*", "1-1", "0-0", "$", ">"]);
  }
}

// Expands a documented argument list into argv, choosing optional parts and repetitions.
function fromDocs(rng: Rng, args: CommandArg[], out: string[], depth = 0): void {
  for (const a of args) {
    const optional = a.flags?.includes("optional") ?? false;
    if (optional && rng.chance(0.5)) continue;
    const reps = a.flags?.includes("multiple") ? 1 + rng.int(3) : 1;
    for (let r = 0; r < reps; r++) {
      if (a.token !== undefined) out.push(rng.chance(0.5) ? a.token : a.token.toLowerCase());
      if (a.type === "pure-token") continue;
      if (a.type === "oneof" && a.arguments !== undefined && depth < 6) {
        fromDocs(rng, [rng.pick(a.arguments)].map((x) => ({ ...x, flags: [] })), out, depth + 1);
      } else if (a.type === "block" && a.arguments !== undefined && depth < 6) {
        fromDocs(rng, a.arguments, out, depth + 1);
      } else {
        out.push(argValue(rng, a.type));
      }
    }
  }
}

/** One hostile argv for `leaf`. */
export function hostileArgv(
  rng: Rng,
  leaf: { cmd: Command; prefix: string[] },
  tokens: string[],
): string[] {
  const argv = [...leaf.prefix];
  const docs = leaf.cmd.spec.arguments;
  if (docs !== undefined && rng.chance(0.6)) {
    fromDocs(rng, docs, argv);
    return argv;
  }
  const n = Math.max(0, Math.abs(leaf.cmd.spec.arity) - argv.length) + rng.int(5);
  for (let i = 0; i < n; i++) {
    const r = rng.next();
    if (i === 0 && r < 0.7) argv.push(rng.pick(KEYS));
    else if (r < 0.45) argv.push(rng.pick(HOSTILE));
    else if (r < 0.7) argv.push(rng.pick(tokens));
    else argv.push(rng.pick(KEYS));
  }
  return argv;
}

/** A failure an argument-fuzz call showed. */
export interface ArgFuzzReport {
  calls: number;
  failures: string[];
  /** The slowest call and its time. */
  slowest: { argv: string[]; ms: number };
}

/**
 * Calls every command with hostile arguments (hand-written cases first, then random ones until
 * `seconds` pass) against small keys of every type; fails on "ERR internal error" replies (a
 * handler threw a non-ReplyError), on calls slower than `maxCallMs`, and on heap growth past
 * `maxHeapMb`.
 */
export function argFuzz(
  h: Harness,
  opts: { seed: number; seconds: number; maxCallMs?: number; maxHeapMb?: number },
): ArgFuzzReport {
  const rng = new Rng(opts.seed);
  const maxCallMs = opts.maxCallMs ?? 2000;
  const maxHeap = (opts.maxHeapMb ?? 1024) * 1024 * 1024;
  const leaves = leafCommands(h.server.table.all()).filter((l) =>
    !ARG_FUZZ_SKIP.has(l.cmd.name) && !ARG_FUZZ_SKIP.has(l.prefix[0])
  );
  const tokens = collectTokens(leaves.map((l) => l.cmd));
  const client = h.newClient();
  const failures: string[] = [];
  const slowest = { argv: [] as string[], ms: 0 };
  const heapBase = Deno.memoryUsage().heapUsed;
  let calls = 0;
  seedFixtures(h, client);
  const one = (argv: string[]) => {
    const blocking = h.server.table.get(argv[0])?.flagSet.has("blocking") ?? false;
    const t0 = performance.now();
    let out: string;
    if (blocking) {
      // Inside MULTI a blocking command times out at once instead of waiting.
      h.raw(["MULTI"], client);
      h.raw(argv, client);
      out = h.raw(["EXEC"], client);
    } else {
      out = h.raw(argv, client);
    }
    const ms = performance.now() - t0;
    calls++;
    if (ms > slowest.ms) {
      slowest.ms = ms;
      slowest.argv = argv;
    }
    if (out.includes("ERR internal error")) {
      failures.push(`${JSON.stringify(argv)} -> ${JSON.stringify(out.slice(0, 200))}`);
    }
    if (ms > maxCallMs) failures.push(`${JSON.stringify(argv)} took ${ms.toFixed(0)} ms`);
    // Undo connection state the call may have changed (MULTI, SELECT, RESP3, subscriptions).
    h.raw(["RESET"], client);
    if (calls % 64 === 0 || h.server.keyspace.dbs[0].data.size < KEYS.length - 1) {
      const heap = Deno.memoryUsage().heapUsed;
      if (heap - heapBase > maxHeap) {
        failures.push(
          `heap grew by ${((heap - heapBase) / 1048576).toFixed(0)} MB after ${
            JSON.stringify(argv)
          }`,
        );
      }
      seedFixtures(h, client);
    }
  };
  for (const argv of HOSTILE_CALLS) {
    one(argv);
    seedFixtures(h, client);
  }
  const deadline = Date.now() + opts.seconds * 1000;
  // Whole passes over the table, so that every command is called at least once.
  do {
    for (const leaf of leaves) one(hostileArgv(rng, leaf, tokens));
  } while (Date.now() < deadline && failures.length < 50);
  return { calls, failures, slowest };
}

// ---------------------------------------------------------------------------------------------
// DUMP payloads and RDB files

/** Every dataset key's DUMP payload, from a harness (ours). */
export function ourDumpPayloads(h: Harness): Uint8Array[] {
  const c = h.newClient();
  h.raw(["FLUSHALL"], c);
  for (const argv of datasetCommands()) h.raw(argv, c);
  seedFixtures2(h, c);
  const out: Uint8Array[] = [];
  for (let db = 0; db < 3; db++) {
    h.raw(["SELECT", db], c);
    for (const key of h.server.keyspace.dbs[db].data.keys()) {
      const raw = h.raw(["DUMP", key], c);
      const m = /^\$(\d+)\r\n/.exec(raw);
      if (m !== null) out.push(strToBytes(raw.slice(m[0].length, m[0].length + Number(m[1]))));
    }
  }
  h.raw(["FLUSHALL"], c);
  return out;
}

// Extra encodings the dataset lacks: int-encoded strings, listpack sets, a stream with
// several nodes and deleted entries.
function seedFixtures2(h: Harness, c: Client): void {
  h.raw(["SELECT", "0"], c);
  h.raw(["SET", "enc:int", "-9223372036854775808"], c);
  h.raw(["SADD", "enc:lpset", "a", "1", "b"], c);
  for (let i = 1; i <= 250; i++) h.raw(["XADD", "enc:stream", `${i}-0`, "f", String(i)], c);
  h.raw(["XDEL", "enc:stream", "5-0", "100-0"], c);
  h.raw(["XGROUP", "CREATE", "enc:stream", "grp", "0"], c);
  h.raw(["XREADGROUP", "GROUP", "grp", "alice", "COUNT", "3", "STREAMS", "enc:stream", ">"], c);
}

/** DUMP payloads for the same dataset from a real redis-server at `port`. */
export async function redisDumpPayloads(port: number): Promise<Uint8Array[]> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  let buf = "";
  const call = async (argv: string[]): Promise<string> => {
    let b = strToBytes(encodeCommand(argv));
    while (b.length > 0) b = b.subarray(await conn.write(b));
    const chunk = new Uint8Array(1 << 16);
    for (;;) {
      const end = replyEnd(buf);
      if (end > 0) {
        const r = buf.slice(0, end);
        buf = buf.slice(end);
        return r;
      }
      const n = await conn.read(chunk);
      if (n === null) throw new Error("redis-server closed the connection");
      buf += bytesToStr(chunk.subarray(0, n));
    }
  };
  try {
    await call(["FLUSHALL"]);
    for (const argv of datasetCommands()) await call(argv);
    await call(["SELECT", "0"]);
    await call(["SET", "enc:int", "-9223372036854775808"]);
    await call(["SADD", "enc:lpset", "a", "1", "b"]);
    for (let i = 1; i <= 250; i++) await call(["XADD", "enc:stream", `${i}-0`, "f", String(i)]);
    await call(["XDEL", "enc:stream", "5-0", "100-0"]);
    await call(["XGROUP", "CREATE", "enc:stream", "grp", "0"]);
    await call(["XREADGROUP", "GROUP", "grp", "alice", "COUNT", "3", "STREAMS", "enc:stream", ">"]);
    const out: Uint8Array[] = [];
    for (let db = 0; db < 3; db++) {
      await call(["SELECT", String(db)]);
      const keys = await call(["KEYS", "*"]);
      for (const m of keys.matchAll(/\$\d+\r\n([^\r]*)\r\n/g)) {
        const raw = await call(["DUMP", m[1]]);
        const h = /^\$(\d+)\r\n/.exec(raw);
        if (h !== null) out.push(strToBytes(raw.slice(h[0].length, h[0].length + Number(h[1]))));
      }
    }
    return out;
  } finally {
    conn.close();
  }
}

// End offset of the first complete simple/bulk/array-of-bulk reply in `s`, or 0.
function replyEnd(s: string): number {
  const nl = s.indexOf("\r\n");
  if (nl < 0) return 0;
  const t = s[0];
  if (t === "+" || t === "-" || t === ":") return nl + 2;
  if (t === "$") {
    const n = Number(s.slice(1, nl));
    if (n < 0) return nl + 2;
    return s.length >= nl + 2 + n + 2 ? nl + 2 + n + 2 : 0;
  }
  if (t === "*") {
    let count = Number(s.slice(1, nl));
    let pos = nl + 2;
    while (count-- > 0) {
      const e = replyEnd(s.slice(pos));
      if (e === 0) return 0;
      pos += e;
    }
    return pos;
  }
  return 0;
}

// One structural mutation of `body`.
function mutateBytes(rng: Rng, body: Uint8Array): Uint8Array {
  const b = Array.from(body);
  const n = 1 + rng.int(3);
  for (let k = 0; k < n; k++) {
    const i = b.length === 0 ? 0 : rng.int(b.length);
    switch (rng.int(9)) {
      case 0: // bit flip
        if (b.length) b[i] ^= 1 << rng.int(8);
        break;
      case 1: // interesting byte
        if (b.length) b[i] = rng.pick([0, 1, 0x3f, 0x40, 0x7f, 0x80, 0x81, 0xc0, 0xfe, 0xff]);
        break;
      case 2: // truncate
        b.length = i;
        break;
      case 3: // random bytes inserted
        b.splice(i, 0, ...rng.bytes(1 + rng.int(8)));
        break;
      case 4: // a range deleted
        b.splice(i, 1 + rng.int(16));
        break;
      case 5: // a range duplicated
        b.splice(i, 0, ...b.slice(i, i + 1 + rng.int(32)));
        break;
      case 6: // a length field made 32-bit and huge (RDB_32BITLEN)
        b.splice(i, 1, 0x80, 0x7f, 0xff, 0xff, rng.int(256));
        break;
      case 7: // a 64-bit length (RDB_64BITLEN)
        b.splice(i, 1, 0x81, ...rng.bytes(8));
        break;
      case 8: // a small length changed by +-1..3
        if (b.length) b[i] = (b[i] + rng.pick([-3, -2, -1, 1, 2, 3])) & 0xff;
        break;
    }
  }
  return Uint8Array.from(b);
}

/** `payload` with its body mutated and the footer (version, CRC64) made valid again. */
export function mutatePayload(rng: Rng, payload: Uint8Array): Uint8Array {
  const body = mutateBytes(rng, payload.subarray(0, payload.length - 10));
  const out = new Uint8Array(body.length + 10);
  out.set(body);
  out[body.length] = payload[payload.length - 10];
  out[body.length + 1] = payload[payload.length - 9];
  const crc = crc64Init();
  crc64Update(crc, out, 0, body.length + 2);
  crc64WriteLE(crc, out, body.length + 2);
  return out;
}

/** An RDB file image mutated after its header, with the trailing CRC64 recomputed. */
export function mutateRdb(rng: Rng, file: Uint8Array): Uint8Array {
  const body = mutateBytes(rng, file.subarray(9, file.length - 8));
  const out = new Uint8Array(9 + body.length + 8);
  out.set(file.subarray(0, 9));
  out.set(body, 9);
  const crc = crc64Init();
  crc64Update(crc, out, 0, 9 + body.length);
  crc64WriteLE(crc, out, 9 + body.length);
  return out;
}

/** Reads a RESTOREd key back every way a client can, so a bad value shows. */
export const READ_BACK: Record<string, string[][]> = {
  string: [["GET", "$k"], ["STRLEN", "$k"], ["GETRANGE", "$k", "0", "-1"]],
  list: [["LRANGE", "$k", "0", "-1"], ["LLEN", "$k"], ["LINDEX", "$k", "-1"], ["LPOS", "$k", "a"]],
  set: [["SMEMBERS", "$k"], ["SCARD", "$k"], ["SISMEMBER", "$k", "1"], ["SRANDMEMBER", "$k", "-3"]],
  hash: [["HGETALL", "$k"], ["HLEN", "$k"], ["HGET", "$k", "f1"], ["HRANDFIELD", "$k", "-3"]],
  zset: [
    ["ZRANGE", "$k", "0", "-1", "WITHSCORES"],
    ["ZCARD", "$k"],
    ["ZRANGEBYSCORE", "$k", "-inf", "+inf"],
    ["ZRANGEBYLEX", "$k", "-", "+"],
    ["ZSCORE", "$k", "a"],
  ],
  stream: [
    ["XRANGE", "$k", "-", "+"],
    ["XREVRANGE", "$k", "+", "-", "COUNT", "3"],
    ["XLEN", "$k"],
    ["XINFO", "STREAM", "$k", "FULL"],
    ["XINFO", "GROUPS", "$k"],
    ["XPENDING", "$k", "grp"],
    ["XADD", "$k", "*", "f", "v"],
  ],
};

/** Result of a RESTORE fuzz run. */
export interface RestoreFuzzReport {
  restores: number;
  accepted: number;
  failures: string[];
}

/**
 * RESTOREs mutated payloads (valid CRC) and checks each reply is OK or a clean error, then
 * reads accepted keys back (and DUMPs them again): no internal error, no slow call.
 */
export function restoreFuzz(
  h: Harness,
  corpus: Uint8Array[],
  opts: { seed: number; seconds: number; maxCallMs?: number },
): RestoreFuzzReport {
  const rng = new Rng(opts.seed);
  const maxMs = opts.maxCallMs ?? 2000;
  const c = h.newClient();
  const failures: string[] = [];
  let restores = 0;
  let accepted = 0;
  const deadline = Date.now() + opts.seconds * 1000;
  const ok = new Set(["+OK\r\n", "-ERR Bad data format\r\n"]);
  while (Date.now() < deadline && failures.length < 20) {
    const seedIdx = rng.int(corpus.length);
    let p = corpus[seedIdx];
    const rounds = 1 + rng.int(3);
    for (let r = 0; r < rounds; r++) p = mutatePayload(rng, p);
    const t0 = performance.now();
    const out = h.raw(["RESTORE", "fz", "0", bytesToStr(p), "REPLACE"], c);
    const ms = performance.now() - t0;
    restores++;
    const what = `corpus #${seedIdx} payload ${hex(p)}`;
    if (!ok.has(out)) failures.push(`RESTORE ${what} -> ${JSON.stringify(out.slice(0, 200))}`);
    if (ms > maxMs) failures.push(`RESTORE ${what} took ${ms.toFixed(0)} ms`);
    if (out !== "+OK\r\n") continue;
    accepted++;
    const type = /^\+(\w+)/.exec(h.raw(["TYPE", "fz"], c))?.[1] ?? "none";
    for (const argv of [...(READ_BACK[type] ?? []), ["DUMP", "$k"], ["OBJECT", "ENCODING", "$k"]]) {
      const a = argv.map((x) => x === "$k" ? "fz" : x);
      const t1 = performance.now();
      const o = h.raw(a, c);
      const ms1 = performance.now() - t1;
      if (o.includes("ERR internal error")) {
        failures.push(`${a.join(" ")} after RESTORE ${what} -> ${JSON.stringify(o.slice(0, 200))}`);
      }
      if (ms1 > maxMs) failures.push(`${a.join(" ")} after RESTORE ${what} took ${ms1} ms`);
    }
    h.raw(["DEL", "fz"], c);
  }
  return { restores, accepted, failures };
}

function hex(p: Uint8Array): string {
  const s = Array.from(p.subarray(0, 400), (x) => x.toString(16).padStart(2, "0")).join("");
  return p.length > 400 ? `${s}...(${p.length} bytes)` : s;
}

/** Result of an RDB-file fuzz run. */
export interface RdbFuzzReport {
  loads: number;
  loaded: number;
  failures: string[];
}

/**
 * Loads mutated RDB images with the server's loader (persistence.loadAsync on a file in `dir`):
 * each must load or fail with a clean result, never throw or take longer than `maxLoadMs`.
 */
export async function rdbFileFuzz(
  h: Harness,
  corpus: Uint8Array[],
  dir: string,
  opts: { seed: number; seconds: number; maxLoadMs?: number },
): Promise<RdbFuzzReport> {
  const rng = new Rng(opts.seed);
  const maxMs = opts.maxLoadMs ?? 5000;
  const failures: string[] = [];
  const path = `${dir}/fuzz.rdb`;
  let loads = 0;
  let loaded = 0;
  const c = h.newClient();
  const deadline = Date.now() + opts.seconds * 1000;
  while (Date.now() < deadline && failures.length < 20) {
    const seedIdx = rng.int(corpus.length);
    let f = corpus[seedIdx];
    const rounds = 1 + rng.int(3);
    for (let r = 0; r < rounds; r++) f = mutateRdb(rng, f);
    await Deno.writeFile(path, f);
    // A server starts with no keys and no function libraries.
    h.raw(["FLUSHALL"], c);
    h.raw(["FUNCTION", "FLUSH"], c);
    const t0 = performance.now();
    try {
      const r = await h.server.persistence.loadAsync(path);
      loads++;
      if (r.ok) loaded++;
    } catch (err) {
      const copy = `${dir}/failure-${loads}.rdb`;
      await Deno.writeFile(copy, f);
      failures.push(
        `load of mutated corpus #${seedIdx} (saved as ${copy}) threw: ${
          ((err as Error).stack ?? String(err)).split("\n").slice(0, 4).join(" | ")
        }`,
      );
    }
    const ms = performance.now() - t0;
    if (ms > maxMs) failures.push(`load of mutated corpus #${seedIdx} took ${ms.toFixed(0)} ms`);
  }
  h.server.persistence.loading = false;
  h.raw(["FLUSHALL"], c);
  return { loads, loaded, failures };
}

// ---------------------------------------------------------------------------------------------
// RESP fuzz over the network

// Commands the RESP fuzz builds frames from before mutating them.
const RESP_COMMANDS: string[][] = [
  ["SET", "k", "v"],
  ["GET", "k"],
  ["INCR", "n"],
  ["LPUSH", "l", "a", "b"],
  ["LRANGE", "l", "0", "-1"],
  ["HSET", "h", "f", "v"],
  ["HGETALL", "h"],
  ["SADD", "s", "1", "2"],
  ["ZADD", "z", "1", "a"],
  ["ZRANGE", "z", "0", "-1", "WITHSCORES"],
  ["XADD", "x", "*", "f", "v"],
  ["XRANGE", "x", "-", "+"],
  ["MSET", "a", "1", "b", "2"],
  ["MGET", "a", "b"],
  ["DEL", "a", "k"],
  ["PING"],
  ["ECHO", "hello"],
  ["MULTI"],
  ["EXEC"],
  ["HELLO", "3"],
  ["HELLO", "2"],
  ["CLIENT", "SETNAME", "fz"],
  ["SUBSCRIBE", "ch"],
  ["PUBLISH", "ch", "m"],
  ["EXPIRE", "k", "100"],
  ["TYPE", "k"],
  ["OBJECT", "ENCODING", "l"],
  ["GETRANGE", "k", "0", "-1"],
  ["SELECT", "1"],
];

/** One hostile frame: mutated commands, broken lengths, nested garbage, inline quotes, noise. */
export function respFrame(rng: Rng): Uint8Array {
  switch (rng.int(12)) {
    case 0:
    case 1:
    case 2: {
      const cmd = rng.pick(RESP_COMMANDS);
      const frame = strToBytes(encodeCommand(cmd));
      return mutateBytes(rng, frame);
    }
    case 3:
      return strToBytes(encodeCommand(rng.pick(RESP_COMMANDS)));
    case 4:
      return strToBytes(rng.pick([
        "*99999999\r\n",
        "*-5\r\n",
        "*1\r\n$-2\r\n",
        "*3\r\n$999999999999\r\n",
        "*1\r\n$2147483648\r\n",
        "*2147483647\r\n",
        "*1048577\r\n",
        "*1\r\n$536870913\r\n",
        "*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nPINGXX",
        "*2\r\n*1\r\n:1\r\n",
        "*1\r\n%2\r\n",
        "*1\r\n:5\r\n",
        "*1\r\n$4\r\nPI\r\n\r\n",
        "*0\r\n",
        "*-1\r\n",
        "*1\r\n$0\r\n\r\n",
        "*\r\n",
        "$\r\n",
        "*1\r\n$x\r\n",
        "*1x\r\n",
        "*9223372036854775807\r\n",
        "*1\r\n$9223372036854775807\r\n",
        "*1\r\n$-9223372036854775808\r\n",
      ]));
    case 5:
      return strToBytes(rng.pick([
        'SET "a b\r\n',
        "SET 'a b\r\n",
        'SET "a"b c\r\n',
        'GET "\\x4\r\n',
        'ECHO "\\xzz"\r\n',
        "PING\n",
        "\r\n",
        "   \r\n",
        'SET k "\\x00\\xff"\r\n',
        "ECHO 'it''s'\r\n",
        'PING "unterminated\r\n',
      ]));
    case 6: // a long inline line without a newline (over the 64 KB inline limit sometimes)
      return strToBytes("SET k " + "v".repeat(rng.pick([100, 5000, 70000])));
    case 7:
      return rng.bytes(1 + rng.int(64));
    case 8: { // a multibulk whose elements are themselves garbage
      const n = 1 + rng.int(4);
      let s = `*${n}\r\n`;
      for (let i = 0; i < n; i++) {
        s += rng.pick([
          "$3\r\nabc\r\n",
          "$1\r\n\r\n\r\n",
          ":1\r\n",
          "+OK\r\n",
          "$-1\r\n",
          "*1\r\n",
        ]);
      }
      return strToBytes(s);
    }
    case 9: { // a command split by a random CR/LF
      const f = strToBytes(encodeCommand(rng.pick(RESP_COMMANDS)));
      const i = rng.int(f.length);
      const out = new Uint8Array(f.length + 1);
      out.set(f.subarray(0, i));
      out[i] = rng.pick([13, 10]);
      out.set(f.subarray(i), i + 1);
      return out;
    }
    case 10: // many arguments
      return strToBytes(encodeCommand(["MSET", ...Array.from({ length: 200 }, (_, i) => `k${i}`)]));
    default:
      return strToBytes(encodeCommand([
        rng.pick(["SET", "GET", "LPUSH", "SADD", "HSET", "ECHO", "ZADD", "XADD", "APPEND"]),
        ...Array.from({ length: rng.int(5) }, () => rng.pick(HOSTILE)),
      ]));
  }
}

/**
 * The ACL setup RESP fuzz runs use: `ctl` (the control client) may do anything, the default
 * user (the fuzz connections) nothing that stops, pauses or reconfigures the server, and no key
 * starting with `c` (the control keys are `ctl:*`).
 */
export const FUZZ_ACL = [
  ["ACL", "SETUSER", "ctl", "on", ">ctlpass", "~*", "&*", "+@all"],
  [
    "ACL",
    "SETUSER",
    "default",
    "resetkeys",
    "~[^c]*",
    "-@all",
    "+@read",
    "+@write",
    "+@connection",
    "+@transaction",
    "+@pubsub",
    "-@admin",
    "-@dangerous",
    "-@blocking",
  ],
];

/** Result of a RESP fuzz run. */
export interface RespFuzzReport {
  frames: number;
  connections: number;
  controlOps: number;
  failures: string[];
}

async function writeAll(conn: Deno.Conn, data: Uint8Array): Promise<void> {
  while (data.length > 0) data = data.subarray(await conn.write(data));
}

// One fuzzing connection: sends a few frames, drains what comes back, then closes.
async function fuzzConnection(
  port: number,
  rng: Rng,
  stop: () => boolean,
  report: RespFuzzReport,
  trace?: (frame: Uint8Array) => void,
): Promise<void> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  report.connections++;
  let tail = "";
  const reader = (async () => {
    const buf = new Uint8Array(1 << 16);
    try {
      for (;;) {
        const n = await conn.read(buf);
        if (n === null) return;
        const s = tail + bytesToStr(buf.subarray(0, n));
        if (s.includes("internal error")) {
          report.failures.push(`reply with an internal error: ${JSON.stringify(s.slice(0, 300))}`);
        }
        tail = s.slice(-32);
      }
    } catch {
      // reset by the server after a protocol error
    }
  })();
  try {
    const frames = 1 + rng.int(20);
    for (let i = 0; i < frames && !stop(); i++) {
      const frame = respFrame(rng);
      trace?.(frame);
      await writeAll(conn, frame);
      report.frames++;
    }
  } catch {
    // the server closed the connection (protocol error): expected
  } finally {
    try {
      conn.close();
    } catch {
      // already closed
    }
    await reader;
  }
}

/**
 * Runs `connections` parallel fuzzing loops against 127.0.0.1:`port` for `seconds`, while a
 * control client (`controlAuth`: AUTH arguments, or none) keeps doing SET/GET and checking
 * the values; afterwards a fresh connection must get PONG.
 */
export async function respFuzz(
  port: number,
  opts: {
    seed: number;
    seconds: number;
    connections: number;
    controlAuth?: string[];
    /** Sees every frame before it is sent (fuzz connection number, bytes). */
    trace?: (conn: number, frame: Uint8Array) => void;
  },
): Promise<RespFuzzReport> {
  const report: RespFuzzReport = { frames: 0, connections: 0, controlOps: 0, failures: [] };
  const deadline = Date.now() + opts.seconds * 1000;
  const stop = () => Date.now() >= deadline || report.failures.length >= 20;
  const loops: Promise<void>[] = [];
  for (let i = 0; i < opts.connections; i++) {
    const rng = new Rng(opts.seed * 1000 + i);
    loops.push((async () => {
      while (!stop()) {
        try {
          await fuzzConnection(port, rng, stop, report, (f) => opts.trace?.(i, f));
        } catch (err) {
          report.failures.push(`fuzz connection could not connect: ${(err as Error).message}`);
          return;
        }
      }
    })());
  }
  const control = (async () => {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    let buf = "";
    const chunk = new Uint8Array(1 << 16);
    const call = async (argv: string[]): Promise<string> => {
      await writeAll(conn, strToBytes(encodeCommand(argv)));
      const until = Date.now() + 10000;
      for (;;) {
        const end = replyEnd(buf);
        if (end > 0) {
          const r = buf.slice(0, end);
          buf = buf.slice(end);
          return r;
        }
        if (Date.now() > until) throw new Error(`no reply to ${argv[0]} within 10 s`);
        let timer: ReturnType<typeof setTimeout> | undefined;
        const n = await Promise.race([
          conn.read(chunk),
          new Promise<"t">((r) => timer = setTimeout(() => r("t"), 10000)),
        ]);
        clearTimeout(timer);
        if (n === "t") throw new Error(`no reply to ${argv[0]} within 10 s`);
        if (n === null) throw new Error("control connection closed");
        buf += bytesToStr(chunk.subarray(0, n));
      }
    };
    try {
      if (opts.controlAuth !== undefined) await call(["AUTH", ...opts.controlAuth]);
      let i = 0;
      while (!stop()) {
        const v = `value-${i}-${"x".repeat(i % 50)}`;
        const set = await call(["SET", `ctl:${i % 100}`, v]);
        const get = await call(["GET", `ctl:${i % 100}`]);
        report.controlOps += 2;
        if (set !== "+OK\r\n" || get !== `$${v.length}\r\n${v}\r\n`) {
          report.failures.push(`control client: SET -> ${set.trim()}, GET -> ${get.trim()}`);
        }
        i++;
        // Give the fuzzers a turn between control rounds.
        await new Promise((r) => setTimeout(r, 1));
      }
      const pong = await call(["PING"]);
      if (pong !== "+PONG\r\n") report.failures.push(`control PING -> ${pong.trim()}`);
    } catch (err) {
      report.failures.push(`control client: ${(err as Error).message}`);
    } finally {
      conn.close();
    }
  })();
  await Promise.all([...loops, control]);
  // A fresh client is still served.
  try {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    try {
      await writeAll(conn, strToBytes("*1\r\n$4\r\nPING\r\n"));
      const b = new Uint8Array(64);
      const n = await conn.read(b);
      const got = n === null ? "EOF" : bytesToStr(b.subarray(0, n));
      if (got !== "+PONG\r\n") report.failures.push(`fresh client PING -> ${JSON.stringify(got)}`);
    } finally {
      conn.close();
    }
  } catch (err) {
    report.failures.push(`fresh client could not connect: ${(err as Error).message}`);
  }
  return report;
}
