// The append-only file end to end, with the real redis-server 7.0 as the other side: AOF
// directories it writes (commands only, then an RDB or command base plus INCR) load into ours
// value by value, ours load into it and pass redis-check-aof, no acknowledged write is lost
// to SIGKILL, truncated and corrupt files are handled as Redis handles them, BGREWRITEAOF and
// BGSAVE reply to each other as in Redis, CONFIG SET appendonly works at run time, and the
// INFO persistence fields match Redis's names and order.

import assert from "node:assert/strict";
import { datasetCommands } from "../fixtures/dataset.ts";
import { RespClient, type Value } from "../helpers/resp_client.ts";
import {
  type ChildServer,
  freePort,
  hasBinary,
  startRedis,
  startServer,
  waitFor,
} from "../helpers/server.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;
const HAVE_REDIS = hasBinary("redis-server") && hasBinary("redis-check-aof");
const AOF_DIR = "appendonlydir";
const MANIFEST = "appendonly.aof.manifest";

/** Our server as a subprocess with `--dir dir`; its log (stdout) is collected. */
interface Ours extends ChildServer {
  log(): string;
  /** SIGKILL: no shutdown work at all. */
  kill(): Promise<void>;
}

/** Starts main.ts; unless `ready` is false, waits until its data is loaded. */
async function startOurs(dir: string, args: string[] = [], ready = true): Promise<Ours> {
  const port = freePort();
  const process = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      MAIN,
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--dir",
      dir,
      "--save",
      "",
      ...args,
    ],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let text = "";
  const dec = new TextDecoder();
  const pump = (async () => {
    for await (const chunk of process.stdout) text += dec.decode(chunk);
  })();
  let errText = "";
  const errPump = (async () => {
    for await (const chunk of process.stderr) errText += dec.decode(chunk);
  })();
  // A server that exits instead of listening fails the test at once, with its output.
  let exited = false;
  const status = process.status.then((st) => {
    exited = true;
    return st;
  });
  try {
    await waitFor(
      async () => {
        if (exited) throw new Error(`main.ts exited during start-up:\n${text}${errText}`);
        try {
          (await Deno.connect({ hostname: "127.0.0.1", port })).close();
          return true;
        } catch {
          return false;
        }
      },
      60000,
      `our server on port ${port}`,
    );
    if (ready) {
      await waitFor(
        () => {
          if (exited) throw new Error(`main.ts exited during start-up:\n${text}${errText}`);
          return /Ready to accept connections/.test(text);
        },
        60000,
        "the data to load",
      );
    }
  } catch (err) {
    if (!exited) process.kill("SIGKILL");
    await status;
    await pump;
    await errPump;
    throw err;
  }
  const end = async (signal: Deno.Signal) => {
    try {
      process.kill(signal);
    } catch {
      // exited
    }
    const timer = setTimeout(() => {
      try {
        process.kill("SIGKILL");
      } catch {
        // exited
      }
    }, 15000);
    await status;
    clearTimeout(timer);
    await pump;
    await errPump;
  };
  return {
    port,
    process,
    log: () => text,
    close: () => end("SIGTERM"),
    kill: () => end("SIGKILL"),
  };
}

/** Runs main.ts expecting it to exit by itself; returns the exit code and log. */
async function runOursToExit(
  dir: string,
  args: string[] = [],
): Promise<{ code: number; log: string }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      MAIN,
      "--port",
      String(freePort()),
      "--bind",
      "127.0.0.1",
      "--dir",
      dir,
      "--save",
      "",
      ...args,
    ],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  // A server that did start is stopped: the caller expected an exit.
  const timer = setTimeout(() => child.kill("SIGKILL"), 30000);
  const out = await child.output();
  clearTimeout(timer);
  const dec = new TextDecoder();
  return { code: out.code, log: dec.decode(out.stdout) + dec.decode(out.stderr) };
}

async function withDir(prefix: string, fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function run(c: RespClient, cmds: (string | number)[][]): Promise<void> {
  for (const argv of cmds) {
    const r = await c.call(...argv);
    if (r !== null && typeof r === "object" && "error" in r) {
      throw new Error(`${argv.join(" ").slice(0, 80)}: ${r.error}`);
    }
  }
}

// Changes after a rewrite, touching every type, TTLs, a transaction, a script and both dbs.
const PHASE2: (string | number)[][] = [
  ["LPUSH", "list:small", "front"],
  ["RPOP", "list:big"],
  ["HSET", "hash:small", "f4", "v4"],
  ["HDEL", "hash:big", "field5"],
  ["ZINCRBY", "zset:small", 2, "a"],
  ["ZREM", "zset:big", "m7"],
  ["SREM", "set:int", 1],
  ["SADD", "set:str", "d"],
  ["XADD", "stream:1", "4-0", "f", "v"],
  ["XACK", "stream:1", "g1", "1-1"],
  ["XCLAIM", "stream:1", "g1", "carol", 0, "2-0"],
  ["XGROUP", "CREATECONSUMER", "stream:1", "g2", "dave"],
  ["INCRBYFLOAT", "str:float", "1.5"],
  ["SET", "str:ttl", "v", "EX", 100000],
  ["PEXPIRE", "list:big", 500000000],
  ["PERSIST", "hash:longval"],
  ["DEL", "str:empty"],
  ["RENAME", "set:big", "set:renamed"],
  ["MULTI"],
  ["INCR", "counter"],
  ["INCR", "counter"],
  ["EXEC"],
  ["EVAL", "redis.call('SET', KEYS[1], ARGV[1]) return 1", 1, "lua", "from-script"],
  ["SELECT", 3],
  ["APPEND", "db3key", "-more"],
  ["SELECT", 0],
];

function sortedPairs(flat: Value): string[] {
  const a = flat as string[];
  const out: string[] = [];
  for (let i = 0; i < a.length; i += 2) out.push(`${a[i]}=${a[i + 1]}`);
  return out.sort();
}

function json(v: unknown): string {
  return JSON.stringify(v, (_k, x) => typeof x === "bigint" ? String(x) : x);
}

/** Type, absolute expiry and full contents of every key of dbs 0 and 3. */
async function describeAll(c: RespClient): Promise<Map<string, string>> {
  // Both servers accept connections before their data is loaded.
  await waitFor(async () => await info(c, "loading") === "0", 60000, "the data to load");
  const all = new Map<string, string>();
  for (const db of [0, 3]) {
    await c.call("SELECT", db);
    const keys = ((await c.call("KEYS", "*")) as string[]).sort();
    for (const k of keys) {
      const type = ((await c.call("TYPE", k)) as { status: string }).status;
      const parts = [type, String(await c.call("PEXPIRETIME", k))];
      const reads: Record<string, (string | number)[][]> = {
        string: [["GET", k]],
        list: [["LRANGE", k, 0, -1]],
        set: [["SMEMBERS", k]],
        hash: [["HGETALL", k]],
        zset: [["ZRANGE", k, 0, -1, "WITHSCORES"]],
        stream: [["XRANGE", k, "-", "+"], ["XINFO", "GROUPS", k], ["XINFO", "STREAM", k]],
      };
      for (const argv of reads[type]) {
        let r = await c.call(...argv);
        if (type === "set") r = [...(r as string[])].sort();
        if (type === "hash") r = sortedPairs(r);
        if (argv[1] === "STREAM") {
          // Drop the node layout fields, which depend on how entries were appended.
          const a = r as Value[];
          const keep: Value[] = [];
          for (let i = 0; i < a.length; i += 2) {
            if (a[i] !== "radix-tree-keys" && a[i] !== "radix-tree-nodes") {
              keep.push(a[i], a[i + 1]);
            }
          }
          r = keep;
        }
        parts.push(json(r));
      }
      if (type === "stream") {
        for (const g of ["g1", "g2"]) {
          const pending = await c.call("XPENDING", k, g, "-", "+", 100);
          if (Array.isArray(pending)) {
            // Idle times differ between servers: id, consumer and delivery count.
            parts.push(json((pending as Value[][]).map((e) => [e[0], e[1], e[3]])));
            const consumers = await c.call("XINFO", "CONSUMERS", k, g) as Value[][];
            parts.push(json(consumers.map((e) => [e[1], e[3]])));
          }
        }
      }
      all.set(`${db}:${k}`, parts.join(" | "));
    }
  }
  await c.call("SELECT", 0);
  return all;
}

function assertSameData(
  expected: Map<string, string>,
  actual: Map<string, string>,
  what: string,
  min = 25,
) {
  assert.deepEqual([...actual.keys()], [...expected.keys()], `${what}: key sets differ`);
  for (const [k, v] of expected) assert.equal(actual.get(k), v, `${what}: key ${k}`);
  assert.ok(expected.size >= min, `${what}: only ${expected.size} keys`);
}

async function info(c: RespClient, field: string): Promise<string> {
  const text = await c.call("INFO", "persistence") as string;
  const m = new RegExp(`^${field}:(.*)\r$`, "m").exec(text);
  if (m === null) throw new Error(`no ${field} in INFO persistence`);
  return m[1];
}

/** Waits until no rewrite runs nor is scheduled, and `aof_rewrites` reached `n`. */
async function rewriteDone(c: RespClient, n: number): Promise<void> {
  await waitFor(
    async () =>
      await info(c, "aof_rewrite_in_progress") === "0" &&
      await info(c, "aof_rewrite_scheduled") === "0" &&
      Number(await info(c, "aof_rewrites")) >= n,
    30000,
    "the AOF rewrite",
  );
  assert.equal(await info(c, "aof_last_bgrewrite_status"), "ok");
}

function manifest(dir: string): string {
  return Deno.readTextFileSync(`${dir}/${AOF_DIR}/${MANIFEST}`);
}

async function checkAof(dir: string): Promise<void> {
  const out = await new Deno.Command("redis-check-aof", {
    args: [`${dir}/${AOF_DIR}/${MANIFEST}`],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, text);
  assert.match(text, /All AOF files and manifest are valid/);
}

/** Real Redis with appendonly yes in `dir` (its own dir option comes last and wins). */
async function startReal(dir: string, args: string[] = []): Promise<ChildServer> {
  return (await startRedis(["--dir", dir, "--appendonly", "yes", ...args]))!;
}

async function describeWith(port: number): Promise<Map<string, string>> {
  const c = await RespClient.connect(port);
  try {
    return await describeAll(c);
  } finally {
    c.close();
  }
}

/** What real Redis loads from the AOF in `dir`. */
async function redisView(dir: string): Promise<Map<string, string>> {
  const r = await startReal(dir);
  try {
    return await describeWith(r.port);
  } finally {
    await r.close();
  }
}

/** What we load from the AOF in `dir`, and our log. */
async function oursView(dir: string): Promise<{ data: Map<string, string>; log: string }> {
  const ours = await startOurs(dir, ["--appendonly", "yes"]);
  try {
    return { data: await describeWith(ours.port), log: ours.log() };
  } finally {
    await ours.close();
  }
}

// The reference is what the real server loads from the same files: replaying commands does
// not restore everything a live server had (a group's entries-read after XREADGROUP), in Redis
// as in ours.
for (const preamble of ["yes", "no"]) {
  const kind = preamble === "yes" ? "RDB" : "command";
  const ext = preamble === "yes" ? "rdb" : "aof";

  Deno.test({
    name:
      `an AOF real Redis wrote (INCR only, then a ${kind} BASE plus INCR) loads into ours value by value`,
    ignore: !HAVE_REDIS,
    fn: () =>
      withDir("aof-in-", async (dir) => {
        let r = await startReal(dir, ["--aof-use-rdb-preamble", preamble]);
        let c = await RespClient.connect(r.port);
        await run(c, datasetCommands());
        c.close();
        await r.close();
        let ours = await oursView(dir);
        assertSameData(await redisView(dir), ours.data, "redis INCR → ours");
        assert.match(ours.log, /DB loaded from incr file appendonly\.aof\.1\.incr\.aof: /);
        assert.match(ours.log, /DB loaded from append only file: \d+\.\d{3} seconds/);
        assert.match(
          ours.log,
          /Opening AOF incr file appendonly\.aof\.1\.incr\.aof on server start/,
        );

        r = await startReal(dir, ["--aof-use-rdb-preamble", preamble]);
        c = await RespClient.connect(r.port);
        // Redis listens before it has loaded the AOF (and answers -LOADING meanwhile).
        const rc = c;
        await waitFor(
          async () => "status" in Object(await rc.call("PING")),
          30000,
          "Redis to load",
        );
        assert.deepEqual(await c.call("BGREWRITEAOF"), {
          status: "Background append only file rewriting started",
        });
        await rewriteDone(c, 1);
        await run(c, PHASE2);
        const live = await describeAll(c);
        c.close();
        await r.close();
        assert.match(manifest(dir), new RegExp(`^file appendonly\\.aof\\.2\\.base\\.${ext} `));
        ours = await oursView(dir);
        const expected = await redisView(dir);
        assertSameData(expected, ours.data, "redis BASE+INCR → ours");
        // The groups' counters are in the BASE: nothing is lost against the live server.
        assertSameData(live, ours.data, "redis live → ours");
        if (preamble === "yes") assert.match(ours.log, /RDB is base AOF/);
        assert.match(
          ours.log,
          new RegExp(`DB loaded from base file appendonly\\.aof\\.2\\.base\\.${ext}`),
        );
      }),
  });

  Deno.test({
    name:
      `our AOF (INCR only, then a ${kind} BASE plus INCR) loads into real Redis value by value and passes redis-check-aof`,
    ignore: !HAVE_REDIS,
    fn: () =>
      withDir("aof-out-", async (dir) => {
        const args = ["--appendonly", "yes", "--aof-use-rdb-preamble", preamble];
        let ours = await startOurs(dir, args);
        let c = await RespClient.connect(ours.port);
        await run(c, datasetCommands());
        c.close();
        await ours.close();
        assert.match(
          ours.log(),
          new RegExp(`Creating AOF base file appendonly\\.aof\\.1\\.base\\.${ext} on server start`),
        );
        assert.match(ours.log(), /Calling fsync\(\) on the AOF file\./);
        await checkAof(dir);
        assertSameData((await oursView(dir)).data, await redisView(dir), "ours INCR → redis");

        ours = await startOurs(dir, args);
        c = await RespClient.connect(ours.port);
        assert.deepEqual(await c.call("BGREWRITEAOF"), {
          status: "Background append only file rewriting started",
        });
        await rewriteDone(c, 1);
        await run(c, PHASE2);
        const live = await describeAll(c);
        c.close();
        await ours.close();
        const log = ours.log();
        assert.match(log, /Background append only file rewriting started by pid \d+/);
        assert.match(log, /Background AOF rewrite terminated with success/);
        assert.match(
          log,
          /Removing the history file appendonly\.aof\.\d\.incr\.aof in the background/,
        );
        assert.match(log, /Background AOF rewrite finished successfully/);
        const m = manifest(dir);
        assert.match(m, new RegExp(`^file appendonly\\.aof\\.2\\.base\\.${ext} seq 2 type b\n`));
        assert.doesNotMatch(m, /type h/);
        // Exactly the manifest's files are left in the directory.
        const names = [...Deno.readDirSync(`${dir}/${AOF_DIR}`)].map((e) => e.name).sort();
        const listed = [...m.matchAll(/^file (\S+)/gm)].map((x) => x[1]);
        assert.deepEqual(names, [...listed, MANIFEST].sort());
        await checkAof(dir);
        const reloaded = (await oursView(dir)).data;
        assertSameData(live, reloaded, "ours live → ours reloaded");
        assertSameData(reloaded, await redisView(dir), "ours BASE+INCR → redis");
      }),
  });
}

for (const fsync of ["always", "everysec"]) {
  Deno.test(`appendfsync ${fsync}: a SIGKILL during a stream of writes loses no acknowledged one`, () =>
    withDir("aof-crash-", async (dir) => {
      const ours = await startOurs(dir, ["--appendonly", "yes", "--appendfsync", fsync]);
      const c = await RespClient.connect(ours.port);
      let acked = 0;
      let sent = 0;
      const WINDOW = 32;
      // Windows of pipelined writes; the kill comes while one is in flight.
      for (let w = 0; w < 60; w++) {
        let batch = "";
        for (let i = 0; i < WINDOW; i++, sent++) {
          batch += `*3\r\n$3\r\nSET\r\n$${`k:${sent}`.length}\r\nk:${sent}\r\n$${
            String(sent).length
          }\r\n${sent}\r\n*2\r\n$4\r\nINCR\r\n$7\r\ncounter\r\n`;
        }
        await c.writeRaw(batch);
        if (w === 59) break;
        for (let i = 0; i < WINDOW * 2; i++) await c.read();
        acked += WINDOW;
      }
      await ours.kill();
      // Replies that reached us before the process died acknowledge their writes too.
      let extra = 0;
      try {
        for (;;) {
          await c.read(5000);
          extra++;
        }
      } catch {
        // connection closed by the kill
      }
      c.close();
      acked += Math.floor(extra / 2);
      assert.ok(acked >= 59 * WINDOW);
      const again = await startOurs(dir, ["--appendonly", "yes", "--appendfsync", fsync]);
      const c2 = await RespClient.connect(again.port);
      try {
        for (let i = 0; i < acked; i++) assert.equal(await c2.call("GET", `k:${i}`), String(i));
        const counter = Number(await c2.call("GET", "counter"));
        assert.ok(counter >= acked && counter <= sent, `counter ${counter}, acked ${acked}`);
      } finally {
        c2.close();
        await again.close();
      }
    }));
}

/** An AOF of ours in `dir` with a few keys; returns the INCR file's path and size. */
async function smallAof(dir: string): Promise<{ incr: string; size: number }> {
  const ours = await startOurs(dir, ["--appendonly", "yes"]);
  const c = await RespClient.connect(ours.port);
  await run(c, [["SET", "a", "1"], ["RPUSH", "l", "x", "y"], ["HSET", "h", "f", "v"]]);
  c.close();
  await ours.close();
  const incr = `${dir}/${AOF_DIR}/appendonly.aof.1.incr.aof`;
  return { incr, size: Deno.statSync(incr).size };
}

function append(path: string, text: string): void {
  Deno.writeTextFileSync(path, text, { append: true });
}

Deno.test("a truncated INCR file: aof-load-truncated yes cuts it to the last whole command, no refuses to start", () =>
  withDir("aof-trunc-", async (dir) => {
    const { incr, size } = await smallAof(dir);
    append(incr, "*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$2\r\n1");
    const bad = await runOursToExit(dir, ["--appendonly", "yes", "--aof-load-truncated", "no"]);
    assert.equal(bad.code, 1);
    assert.match(
      bad.log,
      /# Unexpected end of file reading the append only file appendonly\.aof\.1\.incr\.aof\. You can: 1\) Make a backup of your AOF file, then use \.\/redis-check-aof --fix <filename\.manifest>\. 2\) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server\./,
    );
    assert.ok(Deno.statSync(incr).size > size, "the file was left as it was");
    const ours = await startOurs(dir, ["--appendonly", "yes"]);
    const c = await RespClient.connect(ours.port);
    assert.equal(await c.call("GET", "a"), "1");
    assert.deepEqual(await c.call("LRANGE", "l", 0, -1), ["x", "y"]);
    assert.equal(await c.call("EXISTS", "b"), 0);
    // New writes go after the cut.
    await c.call("SET", "after", "cut");
    c.close();
    await ours.close();
    const log = ours.log();
    assert.match(
      log,
      /# !!! Warning: short read while loading the AOF file appendonly\.aof\.1\.incr\.aof!!!/,
    );
    assert.match(
      log,
      new RegExp(
        `# !!! Truncating the AOF appendonly\\.aof\\.1\\.incr\\.aof at offset ${size} !!!`,
      ),
    );
    assert.match(
      log,
      /# AOF appendonly\.aof\.1\.incr\.aof loaded anyway because aof-load-truncated is enabled/,
    );
    await checkAofIfAvailable(dir);
    const again = await startOurs(dir, ["--appendonly", "yes"]);
    const c2 = await RespClient.connect(again.port);
    assert.equal(await c2.call("GET", "after"), "cut");
    c2.close();
    await again.close();
  }));

async function checkAofIfAvailable(dir: string): Promise<void> {
  if (HAVE_REDIS) await checkAof(dir);
}

Deno.test("a MULTI without its EXEC at the end of the AOF is reverted as a short read", () =>
  withDir("aof-multi-", async (dir) => {
    const { incr, size } = await smallAof(dir);
    append(incr, "*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n$1\r\nq\r\n$1\r\n1\r\n");
    const ours = await startOurs(dir, ["--appendonly", "yes"]);
    const c = await RespClient.connect(ours.port);
    assert.equal(await c.call("EXISTS", "q"), 0);
    assert.equal(await c.call("GET", "a"), "1");
    c.close();
    await ours.close();
    assert.match(
      ours.log(),
      /# Revert incomplete MULTI\/EXEC transaction in AOF file appendonly\.aof\.1\.incr\.aof/,
    );
    assert.match(
      ours.log(),
      new RegExp(`Truncating the AOF appendonly\\.aof\\.1\\.incr\\.aof at offset ${size} `),
    );
    assert.equal(Deno.statSync(incr).size, size);
  }));

Deno.test("a bad format, an unknown command or a damaged manifest stops start-up with Redis's message", () =>
  withDir("aof-bad-", async (dir) => {
    const { incr, size } = await smallAof(dir);
    append(incr, "garbage\r\n");
    let r = await runOursToExit(dir, ["--appendonly", "yes"]);
    assert.equal(r.code, 1);
    assert.match(
      r.log,
      /# Bad file format reading the append only file appendonly\.aof\.1\.incr\.aof: make a backup of your AOF file, then use \.\/redis-check-aof --fix <filename\.manifest>/,
    );
    Deno.truncateSync(incr, size);
    append(incr, "*1\r\n$3\r\nFOO\r\n");
    r = await runOursToExit(dir, ["--appendonly", "yes"]);
    assert.equal(r.code, 1);
    assert.match(
      r.log,
      /# Unknown command 'FOO' reading the append only file appendonly\.aof\.1\.incr\.aof/,
    );
    Deno.truncateSync(incr, size);
    const mpath = `${dir}/${AOF_DIR}/${MANIFEST}`;
    const good = Deno.readTextFileSync(mpath);
    Deno.writeTextFileSync(mpath, good + "file x seq 0 type i\n");
    // The manifest is read (and checked) even with AOF off.
    r = await runOursToExit(dir, ["--appendonly", "no"]);
    assert.equal(r.code, 1);
    assert.match(r.log, /\*\*\* FATAL AOF MANIFEST FILE ERROR \*\*\*/);
    assert.match(r.log, /# Reading the manifest file, at line 3/);
    assert.match(r.log, /# >>> 'file x seq 0 type i'/);
    assert.match(r.log, /# Invalid AOF manifest file format/);
    Deno.writeTextFileSync(mpath, good + "file appendonly.aof.9.incr.aof seq 9 type i\n");
    r = await runOursToExit(dir, ["--appendonly", "yes"]);
    assert.equal(r.code, 1);
    assert.match(
      r.log,
      /# Unable to obtain the AOF file appendonly\.aof\.9\.incr\.aof length\. stat: No such file or directory/,
    );
  }));

Deno.test("with appendonly yes and no AOF, a dump is not loaded (as in 7.0); an old-style AOF is migrated", () =>
  withDir("aof-start-", async (dir) => {
    let ours = await startOurs(dir);
    let c = await RespClient.connect(ours.port);
    await run(c, [["SET", "in-dump", "1"], ["SAVE"]]);
    c.close();
    await ours.close();
    ours = await startOurs(dir, ["--appendonly", "yes"]);
    c = await RespClient.connect(ours.port);
    assert.equal(await c.call("DBSIZE"), 0);
    c.close();
    await ours.close();
    assert.match(
      ours.log(),
      /Creating AOF base file appendonly\.aof\.1\.base\.rdb on server start/,
    );
    assert.match(
      ours.log(),
      /Creating AOF incr file appendonly\.aof\.1\.incr\.aof on server start/,
    );
    assert.doesNotMatch(ours.log(), /DB loaded from append only file/);

    // A Redis 6 style AOF: one file named appendfilename in dir.
    await Deno.remove(`${dir}/${AOF_DIR}`, { recursive: true });
    Deno.writeTextFileSync(
      `${dir}/appendonly.aof`,
      "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$3\r\nold\r\n$5\r\nstyle\r\n",
    );
    ours = await startOurs(dir, ["--appendonly", "yes"]);
    c = await RespClient.connect(ours.port);
    assert.equal(await c.call("GET", "old"), "style");
    c.close();
    await ours.close();
    assert.match(
      ours.log(),
      /Successfully migrated an old-style AOF file \(appendonly\.aof\) into the AOF directory \(appendonlydir\)\./,
    );
    assert.equal(
      manifest(dir),
      "file appendonly.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n",
    );
    await checkAofIfAvailable(dir);
  }));

/** Our server in-process, AOF opened as main.ts does; restores the cwd (`--dir` changes it). */
async function withInProcess(
  dir: string,
  args: string[],
  fn: (c: RespClient, port: number) => Promise<void>,
): Promise<void> {
  const cwd = Deno.cwd();
  const ts = await startServer(["--dir", dir, "--loglevel", "warning", ...args]);
  let c: RespClient | null = null;
  try {
    assert.ok(await ts.server.persistence.loadAtStartup());
    c = await RespClient.connect(ts.port);
    await fn(c, ts.port);
  } finally {
    c?.close();
    await ts.close();
    Deno.chdir(cwd);
  }
}

Deno.test("BGREWRITEAOF and BGSAVE reply to each other as in Redis 7.0", () =>
  withDir(
    "aof-bg-",
    (dir) =>
      withInProcess(dir, ["--appendonly", "yes", "--rdb-key-save-delay", "150000"], async (c) => {
        // Ten keys at 150 ms each: every snapshot runs for 1.5 s.
        for (let i = 0; i < 10; i++) await c.call("SET", `key:${i}`, i);
        // A BGSAVE runs: the rewrite waits for it.
        assert.deepEqual(await c.call("BGSAVE"), { status: "Background saving started" });
        assert.deepEqual(await c.call("BGREWRITEAOF"), {
          status: "Background append only file rewriting scheduled",
        });
        assert.equal(await info(c, "aof_rewrite_scheduled"), "1");
        assert.equal(await info(c, "aof_pending_rewrite"), "1");
        assert.equal(await info(c, "aof_rewrite_in_progress"), "0");
        // Then it starts by itself once the BGSAVE is done.
        await waitFor(
          async () => await info(c, "aof_rewrite_in_progress") === "1",
          20000,
          "rewrite",
        );
        assert.equal(await info(c, "rdb_bgsave_in_progress"), "0");
        assert.equal(await info(c, "aof_rewrite_scheduled"), "0");
        assert.deepEqual(await c.call("BGREWRITEAOF"), {
          error: "ERR Background append only file rewriting already in progress",
        });
        assert.deepEqual(await c.call("BGSAVE"), {
          error:
            "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.",
        });
        assert.deepEqual(await c.call("BGSAVE", "SCHEDULE"), {
          status: "Background saving scheduled",
        });
        // SAVE does not conflict with a rewrite.
        assert.deepEqual(await c.call("SAVE"), { status: "OK" });
        await rewriteDone(c, 1);
        await waitFor(async () => await info(c, "rdb_saves") === "3", 20000, "scheduled BGSAVE");
        await waitFor(async () => await info(c, "rdb_bgsave_in_progress") === "0", 20000, "BGSAVE");
        // Inside MULTI the rewrite is only scheduled.
        await c.call("CONFIG", "SET", "rdb-key-save-delay", "0");
        await run(c, [["MULTI"]]);
        assert.deepEqual(await c.call("BGREWRITEAOF"), { status: "QUEUED" });
        assert.deepEqual(await c.call("EXEC"), [{
          status: "Background append only file rewriting scheduled",
        }]);
        await rewriteDone(c, 2);
        assert.equal(await info(c, "aof_rewrites"), "2");
        assert.match(manifest(dir), /^file appendonly\.aof\.3\.base\.rdb seq 3 type b\n/);
      }),
  ));

Deno.test("CONFIG SET appendonly yes writes a BASE through a rewrite; writes meanwhile and after are kept", () =>
  withDir("aof-cfg-", async (dir) => {
    await withInProcess(dir, ["--rdb-key-save-delay", "100000"], async (c) => {
      await run(c, [["SET", "before", "1"], ["RPUSH", "l", "a"], ["SET", "x", "y"]]);
      assert.equal(await info(c, "aof_enabled"), "0");
      assert.deepEqual(await c.call("CONFIG", "SET", "appendonly", "yes"), { status: "OK" });
      assert.equal(await info(c, "aof_enabled"), "1");
      assert.equal(await info(c, "aof_rewrite_in_progress"), "1");
      // Logged into the temp INCR file while the first BASE is written.
      await run(c, [["SET", "during", "2"], ["RPUSH", "l", "b"]]);
      assert.ok(Deno.statSync(`${dir}/${AOF_DIR}/temp-appendonly.aof.incr`).size > 0);
      await rewriteDone(c, 1);
      await run(c, [["SET", "after", "3"]]);
      assert.equal(
        manifest(dir),
        "file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n",
      );
      // The base size counts the BASE and what the INCR file got while it was written.
      const base = Number(await info(c, "aof_base_size"));
      assert.ok(base > Deno.statSync(`${dir}/${AOF_DIR}/appendonly.aof.1.base.rdb`).size);
      assert.ok(Number(await info(c, "aof_current_size")) > base);
      assert.deepEqual(await c.call("CONFIG", "SET", "appendonly", "no"), { status: "OK" });
      assert.equal(await info(c, "aof_enabled"), "0");
      // Not logged any more.
      await run(c, [["SET", "off", "4"]]);
    });
    await checkAofIfAvailable(dir);
    const ours = await startOurs(dir, ["--appendonly", "yes"]);
    const c = await RespClient.connect(ours.port);
    try {
      assert.equal(await c.call("GET", "before"), "1");
      assert.equal(await c.call("GET", "during"), "2");
      assert.equal(await c.call("GET", "after"), "3");
      assert.equal(await c.call("EXISTS", "off"), 0);
      assert.deepEqual(await c.call("LRANGE", "l", 0, -1), ["a", "b"]);
    } finally {
      c.close();
      await ours.close();
    }
  }));

Deno.test("CONFIG SET appendonly yes logs the rewrite into a temp INCR file as Redis does", () =>
  withDir("aof-cfglog-", async (dir) => {
    const ours = await startOurs(dir);
    const c = await RespClient.connect(ours.port);
    try {
      await run(c, [["SET", "k", "v"], ["CONFIG", "SET", "appendonly", "yes"]]);
      await rewriteDone(c, 1);
    } finally {
      c.close();
      await ours.close();
    }
    const log = ours.log();
    assert.match(log, /Creating AOF incr file temp-appendonly\.aof\.incr on background rewrite/);
    assert.match(
      log,
      /Successfully renamed the temporary AOF base file temp-rewriteaof-bg-\d+\.aof into appendonly\.aof\.1\.base\.rdb/,
    );
    assert.match(
      log,
      /Successfully renamed the temporary AOF incr file temp-appendonly\.aof\.incr into appendonly\.aof\.1\.incr\.aof/,
    );
  }));

Deno.test({
  name: "INFO persistence has Redis 7.0's fields in Redis's order, with AOF off and on",
  ignore: !HAVE_REDIS,
  fn: () =>
    withDir("aof-info-", async (dir) => {
      const names = async (port: number) => {
        const c = await RespClient.connect(port);
        try {
          const text = await c.call("INFO", "persistence") as string;
          return text.split("\r\n").filter((l) => l.includes(":")).map((l) => l.split(":")[0]);
        } finally {
          c.close();
        }
      };
      for (const on of ["no", "yes"]) {
        const r = (await startRedis(["--appendonly", on]))!;
        const expected = await names(r.port);
        await r.close();
        await withInProcess(dir, ["--appendonly", on], async (_c, port) => {
          assert.deepEqual(await names(port), expected);
        });
      }
    }),
});

Deno.test("auto-aof-rewrite-percentage rewrites once the AOF has grown past the minimum size", () =>
  withDir("aof-auto-", (dir) =>
    withInProcess(dir, [
      "--appendonly",
      "yes",
      "--auto-aof-rewrite-min-size",
      "10000",
      "--auto-aof-rewrite-percentage",
      "100",
    ], async (c) => {
      for (let i = 0; i < 400; i++) await c.call("SET", `key:${i % 10}`, "x".repeat(50));
      await waitFor(async () => Number(await info(c, "aof_rewrites")) >= 1, 20000, "auto rewrite");
      await rewriteDone(c, 1);
      // After the rewrite, the size it left is the base for the next growth.
      assert.ok(Number(await info(c, "aof_base_size")) < 10000);
    })));

Deno.test("aof-timestamp-enabled annotates the AOF with #TS lines that load back", () =>
  withDir("aof-ts-", async (dir) => {
    const ours = await startOurs(dir, ["--appendonly", "yes", "--aof-timestamp-enabled", "yes"]);
    const c = await RespClient.connect(ours.port);
    await run(c, [["SET", "t", "1"]]);
    c.close();
    await ours.close();
    const text = Deno.readTextFileSync(`${dir}/${AOF_DIR}/appendonly.aof.1.incr.aof`);
    assert.match(text, /^#TS:\d+\r\n\*2\r\n\$6\r\nSELECT\r\n/);
    await checkAofIfAvailable(dir);
    const again = await startOurs(dir, ["--appendonly", "yes"]);
    const c2 = await RespClient.connect(again.port);
    assert.equal(await c2.call("GET", "t"), "1");
    c2.close();
    await again.close();
  }));

Deno.test("while an AOF loads, INFO shows loading:1 and other commands get -LOADING", () =>
  withDir("aof-loading-", async (dir) => {
    await Deno.mkdir(`${dir}/${AOF_DIR}`);
    const parts: string[] = ["*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n"];
    const N = 200000;
    for (let i = 0; i < N; i++) {
      const k = `key:${i}`;
      const v = `value:${i}`;
      parts.push(`*3\r\n$3\r\nSET\r\n$${k.length}\r\n${k}\r\n$${v.length}\r\n${v}\r\n`);
    }
    Deno.writeTextFileSync(`${dir}/${AOF_DIR}/appendonly.aof.1.incr.aof`, parts.join(""));
    Deno.writeTextFileSync(
      `${dir}/${AOF_DIR}/${MANIFEST}`,
      "file appendonly.aof.1.incr.aof seq 1 type i\n",
    );
    const ours = await startOurs(dir, [
      "--appendonly",
      "yes",
      "--loading-process-events-interval-bytes",
      "1024",
    ], false);
    const c = await RespClient.connect(ours.port);
    try {
      const text = await c.call("INFO", "persistence") as string;
      assert.match(text, /loading:1\r/);
      assert.match(text, /aof_enabled:1\r/);
      assert.match(text, /loading_total_bytes:\d+\r/);
      assert.deepEqual(await c.call("GET", "key:1"), {
        error: "LOADING Redis is loading the dataset in memory",
      });
      await waitFor(async () => await info(c, "loading") === "0", 60000, "the load");
      assert.equal(await c.call("DBSIZE"), N);
      assert.equal(await c.call("GET", `key:${N - 1}`), `value:${N - 1}`);
    } finally {
      c.close();
      await ours.close();
    }
  }));

Deno.test("keys whose TTL passed before the restart are not revived by later commands in the AOF", () =>
  withDir("aof-expired-", async (dir) => {
    await Deno.mkdir(`${dir}/${AOF_DIR}`);
    const past = String(Date.now() - 60000);
    const future = String(Date.now() + 3600000);
    const cmds = [
      ["SELECT", "0"],
      ["SET", "counter", "5", "PXAT", past],
      ["INCR", "counter"],
      ["SET", "s", "v"],
      ["PEXPIREAT", "s", past],
      ["APPEND", "s", "x"],
      ["SET", "live", "1", "PXAT", future],
      ["INCR", "live"],
    ];
    Deno.writeTextFileSync(
      `${dir}/${AOF_DIR}/appendonly.aof.1.incr.aof`,
      cmds.map((a) => `*${a.length}\r\n${a.map((x) => `$${x.length}\r\n${x}\r\n`).join("")}`)
        .join(""),
    );
    Deno.writeTextFileSync(
      `${dir}/${AOF_DIR}/${MANIFEST}`,
      "file appendonly.aof.1.incr.aof seq 1 type i\n",
    );
    const ours = await oursView(dir);
    assert.deepEqual([...ours.data.keys()], ["0:live"]);
    assert.equal(ours.data.get("0:live"), `string | ${future} | "2"`);
    if (HAVE_REDIS) assertSameData(await redisView(dir), ours.data, "redis", 1);
  }));
