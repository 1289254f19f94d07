// RDB persistence end to end, with the real redis-server 7.0 as the other side: its dumps load
// into ours with the same contents, our dumps load into it (and pass redis-check-rdb), SAVE /
// restart round trips, the save on SIGTERM, corrupt files refused with exit code 1, BGSAVE's
// point-in-time snapshot under concurrent writes (and its longest stall), save points, INFO
// fields, and DUMP/RESTORE payloads exchanged both ways.

import assert from "node:assert/strict";
import { datasetCommands } from "../fixtures/dataset.ts";
import { legacyRdb } from "../fixtures/legacy.ts";
import { Harness } from "../helpers/harness.ts";
import { RespClient, type Value } from "../helpers/resp_client.ts";
import {
  type ChildServer,
  freePort,
  hasBinary,
  skip,
  startRedis,
  waitForPort,
} from "../helpers/server.ts";
import { readRdb } from "../../src/persistence/rdb/reader.ts";
import { CommandTable } from "../../src/commands/table.ts";
import { MISCONF } from "../../src/errors.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;
const HAVE_REDIS = hasBinary("redis-server") && hasBinary("redis-check-rdb");
// Lists are in the dataset once our server has them (the list type lands separately).
const LISTS = new CommandTable().get("lrange") !== undefined;

/** Our server as a subprocess with `--dir dir`; its stdout (the log) is collected. */
interface Ours extends ChildServer {
  log(): string;
}

async function startOurs(dir: string, args: string[] = []): Promise<Ours> {
  const port = freePort();
  const process = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, "--port", String(port), "--bind", "127.0.0.1", "--dir", dir, ...args],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let text = "";
  const dec = new TextDecoder();
  const pump = (async () => {
    for await (const chunk of process.stdout) text += dec.decode(chunk);
  })();
  const errPump = process.stderr.pipeTo(new WritableStream());
  await waitForPort(port, 20000);
  return {
    port,
    process,
    log: () => text,
    close: async () => {
      try {
        process.kill("SIGTERM");
      } catch {
        // exited
      }
      const timer = setTimeout(() => {
        try {
          process.kill("SIGKILL");
        } catch {
          // exited
        }
      }, 10000);
      await process.status;
      clearTimeout(timer);
      await pump;
      await errPump.catch(() => {});
    },
  };
}

/** Runs main.ts expecting it to exit by itself; returns exit code and log. */
async function runOursToExit(dir: string): Promise<{ code: number; log: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, "--port", String(freePort()), "--bind", "127.0.0.1", "--dir", dir],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, log: dec.decode(out.stdout) + dec.decode(out.stderr) };
}

async function populate(c: RespClient): Promise<void> {
  if (!LISTS) skip("persistence dataset", "lists left out: LRANGE is not implemented yet");
  for (const argv of datasetCommands({ lists: LISTS })) {
    const r = await c.call(...argv);
    if (r !== null && typeof r === "object" && "error" in r) {
      throw new Error(`${argv.join(" ").slice(0, 80)}: ${r.error}`);
    }
  }
}

function sortedPairs(flat: Value): string[] {
  const a = flat as string[];
  const out: string[] = [];
  for (let i = 0; i < a.length; i += 2) out.push(`${a[i]}=${a[i + 1]}`);
  return out.sort();
}

/**
 * A comparable description of every key in the db selected on `c` (type, value, expiry), or
 * of the keys whose read commands the server knows; `unsupported` collects the others.
 */
async function describe(c: RespClient, unsupported: Set<string>): Promise<Map<string, string>> {
  const keys = ((await c.call("KEYS", "*")) as string[]).sort();
  const out = new Map<string, string>();
  for (const k of keys) {
    const type = ((await c.call("TYPE", k)) as { status: string }).status;
    const reads: Record<string, (string | number)[][]> = {
      string: [["GET", k]],
      list: [["LRANGE", k, 0, -1]],
      set: [["SMEMBERS", k]],
      hash: [["HGETALL", k]],
      zset: [["ZRANGE", k, 0, -1, "WITHSCORES"]],
      stream: [
        ["XRANGE", k, "-", "+"],
        ["XINFO", "GROUPS", k],
        ["XPENDING", k, "g1", "-", "+", 100],
      ],
    };
    const parts: string[] = [type, String(await c.call("PEXPIRETIME", k))];
    let ok = true;
    for (const argv of reads[type]) {
      let r = await c.call(...argv);
      if (r !== null && typeof r === "object" && "error" in r) {
        if (/unknown command|NOGROUP/.test(r.error)) {
          if (r.error.includes("unknown command")) {
            unsupported.add(String(argv[0]));
            ok = false;
            break;
          }
        }
      }
      if (type === "set") r = [...(r as string[])].sort();
      if (type === "hash") r = sortedPairs(r);
      // XPENDING's idle times differ between servers: keep id, consumer, delivery count.
      if (argv[0] === "XPENDING" && Array.isArray(r)) {
        r = (r as Value[][]).map((e) => [e[0], e[1], e[3]]);
      }
      if (argv[0] === "XINFO" && Array.isArray(r)) {
        // lag and entries-read are derived; all fields must agree.
        r = JSON.stringify(r, (_k, v) => typeof v === "bigint" ? String(v) : v);
      }
      parts.push(JSON.stringify(r, (_k, v) => typeof v === "bigint" ? String(v) : v));
    }
    if (ok) out.set(k, parts.join(" | "));
  }
  return out;
}

async function describeAll(c: RespClient, unsupported: Set<string>): Promise<Map<string, string>> {
  const all = new Map<string, string>();
  for (const db of [0, 3]) {
    await c.call("SELECT", db);
    for (const [k, v] of await describe(c, unsupported)) all.set(`${db}:${k}`, v);
  }
  await c.call("SELECT", 0);
  return all;
}

// Compares the descriptions of keys both sides could read; the unsupported ones are reported.
function assertSameData(
  expected: Map<string, string>,
  actual: Map<string, string>,
  unsupported: Set<string>,
  what: string,
): void {
  let compared = 0;
  for (const [k, v] of expected) {
    if (!actual.has(k)) {
      assert.ok(unsupported.size > 0, `${what}: key ${k} missing`);
      continue;
    }
    assert.equal(actual.get(k), v, `${what}: key ${k}`);
    compared++;
  }
  assert.ok(compared >= 20, `${what}: only ${compared} keys compared`);
  if (unsupported.size > 0) {
    skip(what, `not compared: types read by ${[...unsupported].join(", ")} (not implemented yet)`);
  }
}

/** Saves the dataset with real Redis into `dir`/dump.rdb; returns its description. */
async function redisDataset(dir: string): Promise<Map<string, string>> {
  const r = (await startRedis(["--dir", dir]))!;
  const c = await RespClient.connect(r.port);
  try {
    await populate(c);
    assert.deepEqual(await c.call("SAVE"), { status: "OK" });
    return await describeAll(c, new Set());
  } finally {
    c.close();
    // startRedis removes only its own temp dir: the dump stays in `dir`.
    await r.close();
  }
}

Deno.test({
  name: "a dump written by real Redis loads into ours with the same contents",
  ignore: !HAVE_REDIS,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "rdb-in-" });
    try {
      const expected = await redisDataset(dir);
      const ours = await startOurs(dir, ["--save", ""]);
      try {
        const c = await RespClient.connect(ours.port);
        const unsupported = new Set<string>();
        const actual = await describeAll(c, unsupported);
        c.close();
        assertSameData(expected, actual, unsupported, "redis → ours");
        assert.match(ours.log(), /Loading RDB produced by version 7\.0\.15/);
        assert.match(ours.log(), /Done loading RDB, keys loaded: \d+, keys expired: 0\./);
        assert.match(ours.log(), /DB loaded from disk: \d+\.\d{3} seconds/);
      } finally {
        await ours.close();
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "a dump we write loads into real Redis with the same contents and passes redis-check-rdb",
  ignore: !HAVE_REDIS,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "rdb-out-" });
    try {
      const expected = await redisDataset(dir);
      // Ours loads Redis's dump, then writes its own over it.
      const ours = await startOurs(dir, ["--save", ""]);
      const c = await RespClient.connect(ours.port);
      const before = (await Deno.stat(`${dir}/dump.rdb`)).mtime!.getTime();
      assert.deepEqual(await c.call("SAVE"), { status: "OK" });
      c.close();
      await ours.close();
      assert.ok((await Deno.stat(`${dir}/dump.rdb`)).mtime!.getTime() >= before);
      const check = await new Deno.Command("redis-check-rdb", {
        args: [`${dir}/dump.rdb`],
        stdout: "piped",
        stderr: "piped",
      }).output();
      const text = new TextDecoder().decode(check.stdout);
      assert.equal(check.code, 0, text);
      assert.match(text, /RDB looks OK/);
      const r = (await startRedis(["--dir", dir]))!;
      try {
        const rc = await RespClient.connect(r.port);
        const unsupported = new Set<string>();
        const actual = await describeAll(rc, unsupported);
        rc.close();
        // Keys ours could not load were not in its dump either.
        const mine = new Map([...expected].filter(([k]) => actual.has(k)));
        assertSameData(mine, actual, unsupported, "ours → redis");
      } finally {
        await r.close();
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "legacy encodings (ziplist, zipmap, linked list, v1 stream ...) load as real Redis loads them",
  ignore: !HAVE_REDIS,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "rdb-legacy-" });
    try {
      await Deno.writeFile(`${dir}/dump.rdb`, legacyRdb({ lists: LISTS }));
      const r = (await startRedis(["--dir", dir]))!;
      const rc = await RespClient.connect(r.port);
      const expected = new Map<string, string>();
      for (const db of [0, 2]) {
        await rc.call("SELECT", db);
        for (const [k, v] of await describe(rc, new Set())) expected.set(`${db}:${k}`, v);
      }
      rc.close();
      await r.close();
      const ours = await startOurs(dir, ["--save", ""]);
      try {
        const c = await RespClient.connect(ours.port);
        const unsupported = new Set<string>();
        const actual = new Map<string, string>();
        for (const db of [0, 2]) {
          await c.call("SELECT", db);
          for (const [k, v] of await describe(c, unsupported)) actual.set(`${db}:${k}`, v);
        }
        c.close();
        assert.deepEqual([...actual.keys()].sort(), [...expected.keys()].sort());
        for (const [k, v] of expected) {
          if (actual.has(k)) assert.equal(actual.get(k), v, k);
        }
        if (unsupported.size) skip("legacy encodings", `not compared: ${[...unsupported]}`);
      } finally {
        await ours.close();
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("SAVE then a restart brings every key back, with its TTL", async () => {
  const dir = await Deno.makeTempDir({ prefix: "rdb-restart-" });
  try {
    let ours = await startOurs(dir, ["--save", ""]);
    let c = await RespClient.connect(ours.port);
    await c.call("SET", "a", "1");
    await c.call("SET", "b", "x".repeat(1000));
    await c.call("SET", "t", "v", "PXAT", 4102444800000);
    await c.call("HSET", "h", "f", "v", "g", "w");
    await c.call("SADD", "s", "1", "2", "three");
    await c.call("ZADD", "z", "1.5", "m", "-2", "n");
    await c.call("SELECT", "5");
    await c.call("SET", "five", "5");
    assert.deepEqual(await c.call("SAVE"), { status: "OK" });
    const lastsave = await c.call("LASTSAVE") as number;
    assert.ok(Math.abs(lastsave - Date.now() / 1000) < 5);
    c.close();
    await ours.close();
    ours = await startOurs(dir, ["--save", ""]);
    c = await RespClient.connect(ours.port);
    try {
      assert.equal(await c.call("GET", "a"), "1");
      assert.equal(await c.call("GET", "b"), "x".repeat(1000));
      assert.equal(await c.call("PEXPIRETIME", "t"), 4102444800000);
      assert.deepEqual(await c.call("HGETALL", "h"), ["f", "v", "g", "w"]);
      assert.deepEqual(await c.call("SMEMBERS", "s"), ["1", "2", "three"].sort());
      assert.deepEqual(await c.call("ZRANGE", "z", 0, -1, "WITHSCORES"), ["n", "-2", "m", "1.5"]);
      await c.call("SELECT", "5");
      assert.equal(await c.call("GET", "five"), "5");
      assert.match(ours.log(), /Done loading RDB, keys loaded: 7, keys expired: 0\./);
    } finally {
      c.close();
      await ours.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("while the dump loads, INFO shows loading:1 and other commands get -LOADING", async () => {
  const dir = await Deno.makeTempDir({ prefix: "rdb-loading-" });
  try {
    await withHarness([], (h, hdir) => {
      const db = h.server.keyspace.dbs[0];
      for (let i = 0; i < 200000; i++) db.data.set(`key:${i}`, `value:${i}`);
      h.run("SAVE");
      Deno.copyFileSync(`${hdir}/dump.rdb`, `${dir}/dump.rdb`);
    });
    const ours = await startOurs(dir, [
      "--save",
      "",
      "--loading-process-events-interval-bytes",
      "4096",
    ]);
    const c = await RespClient.connect(ours.port);
    try {
      const info = await c.call("INFO", "persistence") as string;
      assert.match(info, /loading:1\r/);
      assert.match(info, /loading_total_bytes:\d+\r\nloading_rdb_used_mem:\d+\r/);
      assert.match(info, /loading_loaded_perc:\d+\.\d\d\r/);
      assert.deepEqual(await c.call("GET", "key:1"), {
        error: "LOADING Redis is loading the dataset in memory",
      });
      const deadline = Date.now() + 60000;
      while (/loading:1/.test(await c.call("INFO", "persistence") as string)) {
        assert.ok(Date.now() < deadline, "load did not finish");
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.equal(await c.call("GET", "key:199999"), "value:199999");
      assert.equal(await c.call("DBSIZE"), 200000);
    } finally {
      c.close();
      await ours.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SIGTERM saves when save points are set, and not otherwise", async () => {
  const dir = await Deno.makeTempDir({ prefix: "rdb-sigterm-" });
  try {
    let ours = await startOurs(dir, ["--save", "3600 1"]);
    let c = await RespClient.connect(ours.port);
    await c.call("SET", "k", "saved-on-exit");
    c.close();
    await ours.close();
    assert.match(ours.log(), /Saving the final RDB snapshot before exiting\./);
    assert.match(ours.log(), /DB saved on disk/);
    ours = await startOurs(dir, ["--save", ""]);
    c = await RespClient.connect(ours.port);
    assert.equal(await c.call("GET", "k"), "saved-on-exit");
    await c.call("SET", "k", "not-saved");
    c.close();
    await ours.close();
    assert.doesNotMatch(ours.log(), /Saving the final RDB snapshot/);
    ours = await startOurs(dir, ["--save", ""]);
    c = await RespClient.connect(ours.port);
    assert.equal(await c.call("GET", "k"), "saved-on-exit");
    c.close();
    await ours.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a truncated, bit-flipped or wrong-checksum dump stops start-up with exit code 1", async () => {
  const dir = await Deno.makeTempDir({ prefix: "rdb-corrupt-" });
  try {
    // A dump of our own with a few hundred keys to damage.
    let good = new Uint8Array(0);
    await withHarness([], (h, hdir) => {
      for (let i = 0; i < 300; i++) h.run("SET", `key:${i}`, `value:${i}`.repeat(5));
      h.run("HSET", "h", "f", "v");
      h.run("SAVE");
      good = Deno.readFileSync(`${hdir}/dump.rdb`);
    });
    const cases: [string, Uint8Array, RegExp][] = [
      ["truncated", good.subarray(0, 3000), /at offset \d+: Unexpected EOF reading RDB file/],
      [
        "wrong checksum",
        (() => {
          const b = good.slice();
          b[b.length - 2] ^= 0xff;
          return b;
        })(),
        /at offset \d+: Wrong RDB checksum/,
      ],
      [
        "bad version",
        (() => {
          const b = good.slice();
          b[8] = "9".charCodeAt(0);
          return b;
        })(),
        /Can't handle RDB format version 0019/,
      ],
    ];
    for (const [what, bytes, pattern] of cases) {
      await Deno.writeFile(`${dir}/dump.rdb`, bytes);
      const r = await runOursToExit(dir);
      assert.equal(r.code, 1, `${what}: ${r.log}`);
      assert.match(r.log, new RegExp(`Bad RDB file '${dir}/dump.rdb'`), what);
      assert.match(r.log, pattern, what);
      assert.doesNotMatch(r.log, /Ready to accept connections/, what);
      // The corrupt file is left alone.
      assert.deepEqual(Deno.readFileSync(`${dir}/dump.rdb`), bytes, what);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** A harness whose dump goes to a temp dir; restores the process cwd afterwards. */
async function withHarness(
  args: string[],
  fn: (h: Harness, dir: string) => Promise<void> | void,
): Promise<void> {
  const cwd = Deno.cwd();
  const dir = await Deno.makeTempDir({ prefix: "rdb-h-" });
  const h = new Harness(["--dir", dir, ...args]);
  try {
    await fn(h, dir);
  } finally {
    await h.close();
    Deno.chdir(cwd);
    await Deno.remove(dir, { recursive: true });
  }
}

/** The string keys of a dump file (db 0), read back with our reader. */
function dumpStrings(path: string): Map<string, string> {
  const out = new Map<string, string>();
  readRdb(Deno.readFileSync(path), {
    key: (_db, k, v) => {
      if (v.type === "string") out.set(k, v.value);
      else if (v.type === "hash") {
        out.set(
          k,
          `<hash ${v.fields.map((f, i) => `${f}=${v.values[i]}`)}>`,
        );
      } else if (v.type === "list") out.set(k, `<list ${v.items}>`);
      else out.set(k, `<${v.type}>`);
    },
  });
  return out;
}

Deno.test("BGSAVE writes the dataset as it was when it started, despite concurrent writes", async () => {
  await withHarness([], async (h, dir) => {
    const N = 200000;
    const db = h.server.keyspace.dbs[0];
    for (let i = 0; i < N; i++) db.data.set(`key:${i}`, `value:${i}`);
    h.run("HSET", "hash", "f", "old");
    h.run("RPUSH", "list", "a", "b");
    const expected = new Map(db.data as Map<string, string>);
    expected.set("hash", "<hash f=old>");
    expected.set("list", "<list a,b>");
    assert.deepEqual(h.run("BGSAVE"), { status: "Background saving started" });
    assert.deepEqual(h.run("BGSAVE"), { error: "ERR Background save already in progress" });
    assert.deepEqual(h.run("SAVE"), { error: "ERR Background save already in progress" });
    const p = h.server.persistence;
    let round = 0;
    let maxCmdMs = 0;
    while (p.bgsaveInProgress) {
      const t0 = performance.now();
      const i = (round * 7919) % N;
      h.run("SET", `key:${i}`, "changed");
      h.run("DEL", `key:${(i + 1) % N}`);
      h.run("SET", `new:${round}`, "created later");
      h.run("HSET", "hash", "f", `new${round}`);
      h.run("RPUSH", "list", `x${round}`);
      h.run("LPOP", "list");
      h.run("APPEND", `key:${(i + 2) % N}`, "-more");
      maxCmdMs = Math.max(maxCmdMs, performance.now() - t0);
      round++;
      await new Promise((r) => setTimeout(r, 0));
    }
    assert.ok(await p.waitBgsave());
    assert.ok(round > 3, `only ${round} rounds of writes ran during the BGSAVE`);
    const saved = dumpStrings(`${dir}/dump.rdb`);
    assert.equal(saved.size, expected.size);
    for (const [k, v] of expected) assert.equal(saved.get(k), v, k);
    console.log(
      `BGSAVE of ${N} keys: longest slice ${p.lastBgsaveMaxSliceMs.toFixed(1)} ms, ` +
        `${round} write rounds, slowest round ${maxCmdMs.toFixed(1)} ms`,
    );
    // Slices aim at 4 ms; the bound is loose so that a GC pause or a busy CI machine does not
    // fail the test (scripts/bench_rdb.ts measures the stall properly).
    assert.ok(p.lastBgsaveMaxSliceMs < 250, `stall ${p.lastBgsaveMaxSliceMs} ms`);
    // The changes made during the save still count as unsaved.
    const info = { verbatim: h.run("INFO", "persistence") as string };
    assert.match(info.verbatim, /rdb_bgsave_in_progress:0/);
    assert.match(info.verbatim, /rdb_last_bgsave_status:ok/);
    assert.match(info.verbatim, /rdb_saves:1/);
    assert.doesNotMatch(info.verbatim, /rdb_changes_since_last_save:0\r/);
  });
});

Deno.test("MOVE, SWAPDB and FLUSHALL during a BGSAVE do not change what it writes", async () => {
  await withHarness(["--rdb-key-save-delay", "1000"], async (h, dir) => {
    for (let i = 0; i < 20; i++) h.run("SET", `k${i}`, i);
    h.run("SELECT", 1);
    h.run("SET", "c", "3");
    h.run("SELECT", 0);
    h.run("BGSAVE");
    await new Promise((r) => setTimeout(r, 5));
    h.run("MOVE", "k19", 1);
    h.run("SET", "c", "moved-over");
    h.run("SWAPDB", 0, 1);
    h.run("SET", "k0", "after-swap");
    h.run("FLUSHALL");
    h.run("SET", "z", "9");
    assert.ok(await h.server.persistence.waitBgsave());
    const saved = new Map<string, string>();
    readRdb(Deno.readFileSync(`${dir}/dump.rdb`), {
      key: (db, k, v) => saved.set(`${db}:${k}`, v.type === "string" ? v.value : v.type),
    });
    const expected = new Map<string, string>([["1:c", "3"]]);
    for (let i = 0; i < 20; i++) expected.set(`0:k${i}`, String(i));
    assert.deepEqual(new Map([...saved].sort()), new Map([...expected].sort()));
  });
});

Deno.test("SHUTDOWN during a BGSAVE drops it and saves synchronously; no temp file is left", async () => {
  await withHarness([], async (h, dir) => {
    const db = h.server.keyspace.dbs[0];
    for (let i = 0; i < 100000; i++) db.data.set(`key:${i}`, `value:${i}`);
    h.run("BGSAVE");
    await new Promise((r) => setTimeout(r, 0));
    assert.equal(h.server.persistence.bgsaveInProgress, true);
    h.run("SET", "last", "write");
    h.run("SHUTDOWN", "SAVE");
    await h.server.finished;
    assert.equal(await h.server.persistence.waitBgsave(), true);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["dump.rdb"]);
    const saved = dumpStrings(`${dir}/dump.rdb`);
    assert.equal(saved.size, 100001);
    assert.equal(saved.get("last"), "write");
  });
});

Deno.test("INFO reports a BGSAVE in progress and its key counts (rdb-key-save-delay)", async () => {
  await withHarness(["--rdb-key-save-delay", "2000"], async (h) => {
    for (let i = 0; i < 20; i++) h.run("SET", `k${i}`, i);
    h.run("BGSAVE");
    let info = "";
    const deadline = Date.now() + 10000;
    while (!/current_save_keys_processed:[1-9]/.test(info)) {
      assert.ok(Date.now() < deadline);
      await new Promise((r) => setTimeout(r, 5));
      info = h.run("INFO", "persistence") as string;
    }
    assert.match(info, /rdb_bgsave_in_progress:1\r/);
    assert.match(info, /current_save_keys_total:20\r/);
    assert.match(info, /rdb_current_bgsave_time_sec:\d+\r/);
    assert.ok(await h.server.persistence.waitBgsave());
    info = h.run("INFO", "persistence") as string;
    assert.match(info, /rdb_bgsave_in_progress:0\r/);
    assert.match(info, /rdb_current_bgsave_time_sec:-1\r/);
    assert.match(info, /rdb_last_bgsave_time_sec:\d+\r/);
    assert.match(info, /rdb_changes_since_last_save:0\r/);
  });
});

Deno.test("save points start a BGSAVE from the cron once enough changes are old enough", async () => {
  await withHarness(["--save", "10 2"], async (h, dir) => {
    const s = h.server;
    h.run("SET", "a", "1");
    s.lastSave -= 100;
    s.cron();
    assert.equal(s.persistence.bgsaveInProgress, false);
    h.run("SET", "b", "2");
    s.cron();
    assert.equal(s.persistence.bgsaveInProgress, true);
    assert.ok(await s.persistence.waitBgsave());
    assert.equal(s.keyspace.dirty, 0);
    assert.deepEqual([...dumpStrings(`${dir}/dump.rdb`)].sort(), [["a", "1"], ["b", "2"]]);
  });
});

Deno.test("BGSAVE SCHEDULE, BGSAVE inside MULTI, SAVE inside MULTI and syntax errors", async () => {
  await withHarness([], async (h) => {
    assert.deepEqual(h.run("BGSAVE", "foo"), { error: "ERR syntax error" });
    assert.deepEqual(h.run("BGSAVE", "schedule", "x"), { error: "ERR syntax error" });
    h.run("MULTI");
    assert.deepEqual(h.run("SAVE"), { error: "ERR Command not allowed inside a transaction" });
    h.run("DISCARD");
    h.run("MULTI");
    h.run("BGSAVE");
    assert.deepEqual(h.run("EXEC"), [{ status: "Background saving scheduled" }]);
    assert.equal(h.server.persistence.bgsaveScheduled, true);
    h.server.cron();
    assert.ok(await h.server.persistence.waitBgsave());
    assert.deepEqual(h.run("BGSAVE", "SCHEDULE"), { status: "Background saving started" });
    assert.ok(await h.server.persistence.waitBgsave());
  });
});

Deno.test("SAVE resets the change counter and updates INFO persistence and LASTSAVE", async () => {
  await withHarness([], (h) => {
    h.run("SET", "a", "1");
    h.run("SET", "b", "1");
    let info = h.run("INFO", "persistence") as string;
    assert.match(info, /rdb_changes_since_last_save:2\r/);
    h.server.lastSave = 1000;
    assert.deepEqual(h.run("SAVE"), { status: "OK" });
    info = h.run("INFO", "persistence") as string;
    assert.match(info, /rdb_changes_since_last_save:0\r/);
    assert.match(info, /rdb_saves:1\r/);
    assert.ok((h.run("LASTSAVE") as number) > 1000);
    h.run("CONFIG", "RESETSTAT");
    info = h.run("INFO", "persistence") as string;
    assert.match(info, /rdb_saves:0\r/);
  });
});

Deno.test("a SAVE that cannot write its temp file fails with -ERR and keeps the old dump", async () => {
  await withHarness([], async (h, dir) => {
    h.run("SET", "a", "1");
    assert.deepEqual(h.run("SAVE"), { status: "OK" });
    const before = Deno.readFileSync(`${dir}/dump.rdb`);
    h.run("SET", "a", "2");
    // A directory where the temp file should go makes opening it fail.
    await Deno.mkdir(`${dir}/temp-${Deno.pid}.rdb`);
    assert.deepEqual(h.run("SAVE"), { error: "ERR" });
    assert.deepEqual(Deno.readFileSync(`${dir}/dump.rdb`), before);
    await Deno.remove(`${dir}/temp-${Deno.pid}.rdb`);
    assert.deepEqual(h.run("SAVE"), { status: "OK" });
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["dump.rdb"]);
    assert.equal(dumpStrings(`${dir}/dump.rdb`).get("a"), "2");
  });
});

Deno.test("after a failed BGSAVE with save points set, writes and PING get MISCONF until a save works", async () => {
  await withHarness(["--save", "3600 1"], async (h, dir) => {
    await Deno.mkdir(`${dir}/temp-bg-${Deno.pid}.rdb`);
    h.run("SET", "a", "1");
    assert.deepEqual(h.run("BGSAVE"), { status: "Background saving started" });
    assert.equal(await h.server.persistence.waitBgsave(), false);
    assert.match(h.run("INFO", "persistence") as string, /rdb_last_bgsave_status:err\r/);
    const misconf = { error: MISCONF };
    assert.deepEqual(h.run("SET", "a", "2"), misconf);
    assert.deepEqual(h.run("PING"), misconf);
    assert.equal(h.run("GET", "a"), "1");
    h.run("CONFIG", "SET", "stop-writes-on-bgsave-error", "no");
    assert.deepEqual(h.run("SET", "a", "3"), { status: "OK" });
    h.run("CONFIG", "SET", "stop-writes-on-bgsave-error", "yes");
    assert.deepEqual(h.run("SET", "a", "4"), misconf);
    await Deno.remove(`${dir}/temp-bg-${Deno.pid}.rdb`);
    assert.deepEqual(h.run("SAVE"), { status: "OK" });
    assert.deepEqual(h.run("SET", "a", "5"), { status: "OK" });
  });
});

Deno.test("DEBUG RELOAD saves and reloads the dataset; options are validated", async () => {
  await withHarness(["--enable-debug-command", "yes"], (h) => {
    h.run("SET", "a", "1");
    h.run("HSET", "h", "f", "v");
    h.run("PEXPIREAT", "a", 4102444800000);
    assert.deepEqual(h.run("DEBUG", "RELOAD"), { status: "OK" });
    assert.equal(h.run("GET", "a"), "1");
    assert.equal(h.run("PEXPIRETIME", "a"), 4102444800000);
    assert.deepEqual(h.run("HGETALL", "h"), ["f", "v"]);
    h.run("SET", "b", "2");
    assert.deepEqual(h.run("DEBUG", "RELOAD", "NOSAVE"), { status: "OK" });
    assert.equal(h.run("GET", "b"), null);
    h.run("SET", "a", "other");
    assert.deepEqual(h.run("DEBUG", "RELOAD", "NOSAVE", "NOFLUSH", "MERGE"), { status: "OK" });
    assert.equal(h.run("GET", "a"), "1");
    assert.deepEqual(h.run("DEBUG", "RELOAD", "bad"), {
      error: "ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.",
    });
  });
});

Deno.test("RESTORE checks options, the key, the TTL and the payload in Redis's order", async () => {
  await withHarness([], (h) => {
    h.run("SET", "k", "v");
    const payload = h.run("DUMP", "k") as string;
    assert.equal(payload, "\x00\x01v\x0a\x00" + payload.slice(5));
    assert.equal(h.run("DUMP", "nokey"), null);
    const e = (m: string) => ({ error: m });
    assert.deepEqual(h.run("RESTORE", "k", 0, "x"), e("BUSYKEY Target key name already exists."));
    assert.deepEqual(
      h.run("RESTORE", "k2", 0, "x"),
      e("ERR DUMP payload version or checksum are wrong"),
    );
    assert.deepEqual(h.run("RESTORE", "k2", -1, "x"), e("ERR Invalid TTL value, must be >= 0"));
    assert.deepEqual(
      h.run("RESTORE", "k2", "abc", "x"),
      e("ERR value is not an integer or out of range"),
    );
    assert.deepEqual(h.run("RESTORE", "k2", 0, "x", "foo"), e("ERR syntax error"));
    assert.deepEqual(h.run("RESTORE", "k2", 0, "x", "idletime"), e("ERR syntax error"));
    assert.deepEqual(
      h.run("RESTORE", "k2", 0, "x", "idletime", -1),
      e("ERR Invalid IDLETIME value, must be >= 0"),
    );
    assert.deepEqual(
      h.run("RESTORE", "k2", 0, "x", "freq", 256),
      e("ERR Invalid FREQ value, must be >= 0 and <= 255"),
    );
    assert.deepEqual(
      h.run("RESTORE", "k2", 0, "x", "idletime", 1, "freq", 1),
      e("ERR syntax error"),
    );
    assert.deepEqual(h.run("RESTORE", "k", 0, payload, "REPLACE", "IDLETIME", 5), { status: "OK" });
    h.propagated();
    assert.deepEqual(h.run("RESTORE", "k2", 5000, payload), { status: "OK" });
    const prop = h.propagated();
    const restoreCmd = prop.find((a) => a[0].toUpperCase() === "RESTORE")!;
    assert.equal(restoreCmd[restoreCmd.length - 1], "ABSTTL");
    assert.ok(Number(restoreCmd[2]) > Date.now());
    assert.ok((h.run("PTTL", "k2") as number) > 4000);
    // A TTL already in the past with REPLACE only deletes, propagated as DEL.
    assert.deepEqual(h.run("RESTORE", "k2", 1, payload, "REPLACE", "ABSTTL"), { status: "OK" });
    assert.equal(h.run("EXISTS", "k2"), 0);
    assert.deepEqual(h.propagated().filter((a) => a[0] !== "SELECT" && a[0] !== "select"), [[
      "DEL",
      "k2",
    ]]);
    // A broken value with a valid footer.
    const bad = "\x04\x05" + payload.slice(2);
    assert.deepEqual(h.run("RESTORE", "k3", 0, fixFooter(bad)), e("ERR Bad data format"));
  });
});

// Recomputes the CRC64 footer of a payload whose body was edited.
function fixFooter(p: string): string {
  const body = p.slice(0, p.length - 8);
  const bytes = new Uint8Array(body.length);
  for (let i = 0; i < body.length; i++) bytes[i] = body.charCodeAt(i);
  // crc64 little-endian
  let crc = 0n;
  const POLY = 0x95ac9329ac4bc9b5n;
  for (const b of bytes) {
    crc ^= BigInt(b);
    for (let k = 0; k < 8; k++) crc = crc & 1n ? (crc >> 1n) ^ POLY : crc >> 1n;
  }
  let tail = "";
  for (let i = 0; i < 8; i++) tail += String.fromCharCode(Number((crc >> BigInt(8 * i)) & 0xffn));
  return body + tail;
}

Deno.test({
  name: "DUMP payloads move both ways between real Redis and ours",
  ignore: !HAVE_REDIS,
  fn: async () => {
    const r = (await startRedis())!;
    const dir = await Deno.makeTempDir({ prefix: "rdb-dump-" });
    const ours = await startOurs(dir, ["--save", ""]);
    const rc = await RespClient.connect(r.port);
    const oc = await RespClient.connect(ours.port);
    try {
      await populate(rc);
      const keys = ((await rc.call("KEYS", "*")) as string[]).sort();
      let moved = 0;
      const unsupported = new Set<string>();
      for (const k of keys) {
        const payload = await rc.call("DUMP", k) as string;
        const res = await oc.call("RESTORE", k, 0, payload);
        if (typeof res === "object" && res !== null && "error" in res) {
          assert.match(res.error, /Bad data format/, k);
          unsupported.add(k);
          continue;
        }
        assert.deepEqual(res, { status: "OK" }, k);
        moved++;
      }
      const expected = await describe(rc, new Set());
      const actual = await describe(oc, unsupported);
      for (const [k, v] of expected) {
        if (!actual.has(k)) continue;
        // Redis's RESTORE with ttl 0 drops the TTL.
        assert.equal(
          actual.get(k)!.replace(/ \| -?\d+ \| /, " | "),
          v.replace(/ \| -?\d+ \| /, " | "),
          k,
        );
      }
      // And back: our payloads restore into Redis under new names, byte-identical where the
      // encodings agree (strings, small hashes, intsets, small zsets).
      const same: string[] = [];
      for (const k of keys) {
        if (unsupported.has(k)) continue;
        const mine = await oc.call("DUMP", k) as string;
        const theirs = await rc.call("DUMP", k) as string;
        if (mine === theirs) same.push(k);
        assert.deepEqual(await rc.call("RESTORE", `copy:${k}`, 0, mine), { status: "OK" }, k);
        const a = await describeOne(rc, k);
        const b = await describeOne(rc, `copy:${k}`);
        assert.equal(b, a, k);
      }
      const identical = [
        "str:raw",
        "str:int",
        "str:lzf",
        "str:big",
        "hash:small",
        "set:int",
        "zset:small",
        "zset:big",
        "stream:big",
        "stream:empty",
        ...(LISTS ? ["list:small", "list:big"] : []),
      ];
      for (const k of identical) {
        assert.ok(same.includes(k), `DUMP of ${k} differs from Redis's`);
      }
      assert.ok(moved >= 15, `only ${moved} keys restored`);
      if (unsupported.size) {
        skip("DUMP interop", `not restorable yet: ${[...unsupported].join(", ")}`);
      }
    } finally {
      rc.close();
      oc.close();
      await ours.close();
      await r.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

// One key's description without its TTL.
async function describeOne(c: RespClient, key: string): Promise<string> {
  const type = ((await c.call("TYPE", key)) as { status: string }).status;
  const cmd: Record<string, (string | number)[]> = {
    string: ["GET", key],
    list: ["LRANGE", key, 0, -1],
    set: ["SMEMBERS", key],
    hash: ["HGETALL", key],
    zset: ["ZRANGE", key, 0, -1, "WITHSCORES"],
    stream: ["XRANGE", key, "-", "+"],
  };
  let r = await c.call(...cmd[type]);
  if (type === "set") r = [...(r as string[])].sort();
  if (type === "hash") r = sortedPairs(r);
  return `${type} ${JSON.stringify(r)}`;
}
