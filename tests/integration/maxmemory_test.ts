// maxmemory: the OOM refusal (plain commands, MULTI/EXEC, scripts), every eviction policy with a
// small limit, the accounting behind used_memory (it moves by MEMORY USAGE), INFO fields, and a
// short redis-benchmark cache workload over TCP. In-process (tests/helpers/harness.ts) except
// the last. Access clocks are aged by writing old values into `Database.access` (white box):
// the LRU clock has a resolution of one second, and tests must not sleep.

import assert from "node:assert/strict";
import { type Harness, withHarness } from "../helpers/harness.ts";
import { hasBinary, skip, startServer, waitFor } from "../helpers/server.ts";
import { RespClient } from "../helpers/resp_client.ts";
import { AccessTable, lruClock } from "../../src/store/evict.ts";

const OOM = "OOM command not allowed when used memory > 'maxmemory'.";

function info(h: Harness, section: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of String(h.run("INFO", section)).split("\r\n")) {
    const i = line.indexOf(":");
    if (i > 0) out.set(line.slice(0, i), line.slice(i + 1));
  }
  return out;
}

function used(h: Harness): number {
  return Number(info(h, "memory").get("used_memory"));
}

// What maxmemory is compared with: used_memory minus mem_not_counted_for_evict.
function counted(h: Harness): number {
  const m = info(h, "memory");
  return Number(m.get("used_memory")) - Number(m.get("mem_not_counted_for_evict"));
}

function evicted(h: Harness): number {
  return Number(info(h, "stats").get("evicted_keys"));
}

// Sets maxmemory to the current usage plus `room` bytes. Eviction gets no time limit, so that
// it finishes within the command that triggers it (see the tenacity test for the other case).
function limitTo(h: Harness, room: number): number {
  h.run("CONFIG", "SET", "maxmemory-eviction-tenacity", 100);
  const max = counted(h) + room;
  h.run("CONFIG", "SET", "maxmemory", max);
  return max;
}

// MEMORY USAGE of key k0 (every key `fill` writes has about this size).
function perKey(h: Harness): number {
  return Number(h.run("MEMORY", "USAGE", "k0"));
}

// Makes `key` look idle for `secs` seconds to the LRU policies.
function age(h: Harness, key: string, secs: number, db = 0): void {
  const access = h.server.keyspace.dbs[db].access;
  assert.ok(access !== null, "access tracking is on");
  access.set(key, lruClock(Date.now() - secs * 1000));
}

Deno.test("AccessTable agrees with a Map through inserts, updates, deletes and resizes", () => {
  // A small seeded PRNG (mulberry32), so a failure replays.
  let seed = 7;
  const rand = () => {
    seed = (seed + 0x6d2b79f5) >>> 0;
    let t = Math.imul(seed ^ (seed >>> 15), seed | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const table = new AccessTable();
  const ref = new Map<string, number>();
  // Keys include "" and binary bytes; the key space grows, then shrinks, so the table doubles
  // and halves, and deletions shift probe runs back over and over.
  const key = (n: number) => n === 0 ? "" : `k\x00\xff${n}`;
  let minSize = Infinity;
  for (let step = 0; step < 80000; step++) {
    // Second half: writes only to 300 keys, deletions anywhere: the table shrinks.
    const r = rand();
    const k = key(Math.floor(rand() * (step < 40000 || r >= 0.5 ? 4000 : 300)));
    if (step > 40000) minSize = Math.min(minSize, ref.size);
    if (r < 0.5) {
      const v = Math.floor(rand() * 0xffffff);
      table.set(k, v);
      ref.set(k, v);
    } else if (r < 0.8) {
      assert.equal(table.delete(k), ref.delete(k), `delete ${JSON.stringify(k)}`);
    } else {
      assert.equal(table.get(k), ref.get(k), `get ${JSON.stringify(k)}`);
    }
    assert.equal(table.size, ref.size);
  }
  // Under 512 keys the 4096 slots halve at least once.
  assert.ok(minSize < 500, `the key count fell only to ${minSize}`);
  for (const [k, v] of ref) assert.equal(table.get(k), v);
  for (let n = 0; n < 4000; n++) if (!ref.has(key(n))) assert.equal(table.get(key(n)), undefined);
  table.clear();
  assert.equal(table.size, 0);
  assert.equal(table.get(""), undefined);
});

Deno.test("LRU and LFU tracking keep one table entry per key, dropped with the key", async () => {
  await withHarness((h) => {
    h.run("CONFIG", "SET", "maxmemory-policy", "allkeys-lru");
    for (let i = 0; i < 100; i++) h.run("SET", `k${i}`, "v");
    const access = h.server.keyspace.dbs[0].access!;
    assert.ok(access instanceof AccessTable);
    assert.equal(access.size, 100);
    h.run("DEL", "k1", "k2");
    h.run("GET", "k3");
    assert.equal(access.size, 98);
    h.run("FLUSHDB");
    assert.equal(access.size, 0);
    h.run("SET", "a", "1");
    assert.equal(access.size, 1);
  });
});

Deno.test("noeviction refuses denyoom commands with OOM and keeps serving the rest", async () => {
  await withHarness((h) => {
    h.run("SET", "k", "v");
    h.run("CONFIG", "SET", "maxmemory", 1);
    assert.deepEqual(h.run("SET", "x", "y"), { error: OOM });
    assert.deepEqual(h.run("LPUSH", "l", "a"), { error: OOM });
    assert.equal(h.run("GET", "k"), "v");
    // Not denyoom: frees memory, so it must run.
    assert.equal(h.run("DEL", "k"), 1);
    assert.equal(h.run("DBSIZE"), 0);
    assert.equal(info(h, "stats").get("evicted_keys"), "0");
    assert.match(String(h.run("INFO", "errorstats")), /errorstat_OOM:count=2/);
    h.run("CONFIG", "SET", "maxmemory", 0);
    assert.deepEqual(h.run("SET", "x", "y"), { status: "OK" });
  });
});

Deno.test("over maxmemory, commands queued in MULTI are refused and EXEC aborts", async () => {
  await withHarness((h) => {
    h.run("CONFIG", "SET", "maxmemory", 1);
    assert.deepEqual(h.run("MULTI"), { status: "OK" });
    assert.deepEqual(h.run("GET", "k"), { error: OOM });
    assert.deepEqual(h.run("EXEC"), {
      error: "EXECABORT Transaction discarded because of previous errors.",
    });
    // Queued while under the limit, executed over it: EXEC itself is refused.
    h.run("CONFIG", "SET", "maxmemory", 0);
    h.run("MULTI");
    assert.deepEqual(h.run("SET", "a", "b"), { status: "QUEUED" });
    const other = h.newClient();
    h.runAs(other, "CONFIG", "SET", "maxmemory", 1);
    assert.deepEqual(h.run("EXEC"), {
      error: `EXECABORT Transaction discarded because of: ${OOM}`,
    });
    assert.equal(h.run("EXISTS", "a"), 0);
    // A transaction of reads still runs.
    h.run("CONFIG", "SET", "maxmemory", 0);
    h.run("MULTI");
    h.run("GET", "a");
    h.runAs(other, "CONFIG", "SET", "maxmemory", 1);
    assert.deepEqual(h.run("EXEC"), [null]);
  });
});

Deno.test("scripts over maxmemory: the first write may not be denyoom unless allow-oom", async () => {
  await withHarness((h) => {
    h.run("SET", "x", "v");
    h.run("CONFIG", "SET", "maxmemory", 1);
    const r = h.run("EVAL", "return redis.call('set','x','y')", 0) as { error: string };
    assert.ok(r.error.startsWith(`${OOM} script:`), r.error);
    assert.deepEqual(h.run("EVAL", "return redis.pcall('set','x','y')", 0), { error: OOM });
    assert.deepEqual(h.run("EVAL", "#!lua\nreturn redis.call('set','x','y')", 0), {
      error: OOM,
    });
    assert.deepEqual(h.run("EVAL", "#!lua flags=allow-oom\nreturn redis.call('set','x','y')", 0), {
      status: "OK",
    });
    assert.equal(h.run("EVAL", "#!lua flags=no-writes\nreturn redis.call('get','x')", 0), "y");
    // After a first write that is not denyoom, the script cannot be stopped half-way.
    assert.deepEqual(
      h.run("EVAL", "redis.call('del','nokey') return redis.call('set','x','z')", 0),
      { status: "OK" },
    );
    assert.equal(h.run("GET", "x"), "z");
  });
});

// used_memory also counts jemalloc's slack on each 24-byte dict entry (it serves 32 bytes).
const SLACK = 8;

Deno.test("used_memory moves by MEMORY USAGE when a key is added and removed", async () => {
  await withHarness((h) => {
    h.run("SET", "seed", "1");
    const before = used(h);
    for (const value of ["12345", "short string", "x".repeat(100), "y".repeat(5000)]) {
      h.run("SET", "k", value);
      const usage = Number(h.run("MEMORY", "USAGE", "k"));
      assert.equal(used(h) - before, usage + SLACK, `value of ${value.length}`);
      h.run("DEL", "k");
      assert.equal(used(h), before);
    }
    // Aggregates: measured when created, re-measured after in-place changes.
    h.run("RPUSH", "l", "a", "b");
    for (let i = 0; i < 200; i++) h.run("RPUSH", "l", `element-${i}`);
    h.run("HSET", "h", "f", "v");
    for (let i = 0; i < 300; i++) h.run("HSET", "h", `field-${i}`, "v".repeat(20));
    const usage = Number(h.run("MEMORY", "USAGE", "l")) + Number(h.run("MEMORY", "USAGE", "h"));
    assert.equal(used(h) - before, usage + 2 * SLACK);
    h.run("APPEND", "s", "abc");
    assert.equal(used(h) - before, usage + Number(h.run("MEMORY", "USAGE", "s")) + 3 * SLACK);
    h.run("FLUSHALL");
    assert.ok(used(h) < before);
  });
});

Deno.test("INFO reports maxmemory, its policy and the eviction counters", async () => {
  await withHarness((h) => {
    h.run("CONFIG", "SET", "maxmemory", "100mb");
    h.run("CONFIG", "SET", "maxmemory-policy", "allkeys-lru");
    const m = info(h, "memory");
    assert.equal(m.get("maxmemory"), String(100 * 1024 * 1024));
    assert.equal(m.get("maxmemory_human"), "100.00M");
    assert.equal(m.get("maxmemory_policy"), "allkeys-lru");
    // Our startup heap beyond Redis's own used_memory_startup is not counted for eviction.
    assert.equal(
      Number(m.get("mem_not_counted_for_evict")),
      Number(m.get("used_memory_startup")) - 876200,
    );
    const s = info(h, "stats");
    for (const f of ["evicted_keys", "total_eviction_exceeded_time"]) assert.equal(s.get(f), "0");
    assert.equal(s.get("current_eviction_exceeded_time"), "0");
  });
});

// Fills the db with `n` string keys k0..k(n-1) of `size` bytes.
function fill(h: Harness, n: number, size: number, ttl = 0): void {
  for (let i = 0; i < n; i++) {
    if (ttl > 0) h.run("SET", `k${i}`, "x".repeat(size), "EX", ttl);
    else h.run("SET", `k${i}`, "x".repeat(size));
  }
}

Deno.test("allkeys-lru evicts the idlest keys and keeps used_memory under maxmemory", async () => {
  await withHarness((h) => {
    h.run("CONFIG", "SET", "maxmemory-policy", "allkeys-lru");
    h.run("CONFIG", "SET", "maxmemory-samples", 10);
    fill(h, 200, 100);
    // Even keys are cold (idle for a day), odd keys were just used.
    for (let i = 0; i < 200; i += 2) age(h, `k${i}`, 86400);
    const max = limitTo(h, -60 * perKey(h));
    h.run("SET", "trigger", "1");
    // The write that follows an eviction may overshoot by its own size (as in Redis).
    const now = counted(h);
    assert.ok(now <= max + 100, `${now} <= ${max}`);
    const gone = evicted(h);
    assert.ok(gone >= 40, `evicted ${gone}`);
    let hotLost = 0;
    for (let i = 1; i < 200; i += 2) if (h.run("EXISTS", `k${i}`) === 0) hotLost++;
    assert.ok(hotLost <= gone / 10, `${hotLost} recently used keys of ${gone} evicted`);
    assert.equal(h.run("EXISTS", "trigger"), 1);
  });
});

Deno.test("eviction that runs out of time goes on in the background", async () => {
  await withHarness(async (h) => {
    h.run("CONFIG", "SET", "maxmemory-policy", "allkeys-random");
    fill(h, 2000, 100);
    const max = limitTo(h, -1500 * perKey(h));
    // Tenacity 0: each round stops after 16 keys; a timer carries on.
    h.run("CONFIG", "SET", "maxmemory-eviction-tenacity", 0);
    assert.equal(h.run("GET", "nokey"), null);
    assert.ok(evicted(h) < 1500);
    await waitFor(() => counted(h) <= max, 10000, "background eviction");
    assert.ok(evicted(h) >= 1000);
  });
});

Deno.test("volatile-lru evicts only keys with a TTL, then refuses with OOM", async () => {
  await withHarness((h) => {
    h.run("CONFIG", "SET", "maxmemory-policy", "volatile-lru");
    fill(h, 50, 100, 1000);
    for (let i = 0; i < 50; i++) h.run("SET", `p${i}`, "x".repeat(100));
    limitTo(h, -3000);
    h.run("GET", "p0");
    assert.ok(evicted(h) > 0);
    for (let i = 0; i < 50; i++) assert.equal(h.run("EXISTS", `p${i}`), 1);
    // Nothing volatile is left to free: writes are refused.
    limitTo(h, -100000);
    assert.deepEqual(h.run("SET", "more", "x"), { error: OOM });
    assert.equal(h.run("EXISTS", "p0"), 1);
    assert.equal(Number(info(h, "keyspace").get("db0")?.match(/expires=(\d+)/)?.[1] ?? 0), 0);
  });
});

Deno.test("allkeys-lfu keeps frequently used keys; OBJECT FREQ counts and decays", async () => {
  await withHarness((h) => {
    h.run("CONFIG", "SET", "maxmemory-policy", "allkeys-lfu");
    h.run("CONFIG", "SET", "maxmemory-samples", 10);
    // lfu-log-factor 0: every access increments the counter.
    h.run("CONFIG", "SET", "lfu-log-factor", 0);
    h.run("SET", "f", "hello");
    assert.equal(h.run("OBJECT", "FREQ", "f"), 5);
    for (let i = 0; i < 10; i++) h.run("GET", "f");
    assert.equal(h.run("OBJECT", "FREQ", "f"), 15);
    // OBJECT, EXISTS, TYPE and TTL are not accesses.
    h.run("EXISTS", "f");
    h.run("TYPE", "f");
    h.run("TTL", "f");
    assert.equal(h.run("OBJECT", "FREQ", "f"), 15);
    h.run("TOUCH", "f");
    assert.equal(h.run("OBJECT", "FREQ", "f"), 16);
    // Decay: one step per lfu-decay-time minutes since the last access.
    const access = h.server.keyspace.dbs[0].access!;
    const minutes = (Date.now() / 60000) & 0xffff;
    access.set("f", (((minutes - 3) & 0xffff) << 8) | 16);
    assert.equal(h.run("OBJECT", "FREQ", "f"), 13);
    h.run("CONFIG", "SET", "lfu-decay-time", 0);
    assert.equal(h.run("OBJECT", "FREQ", "f"), 16);

    h.run("FLUSHALL");
    fill(h, 200, 100);
    for (let i = 1; i < 200; i += 2) for (let j = 0; j < 5; j++) h.run("GET", `k${i}`);
    limitTo(h, -60 * perKey(h));
    h.run("SET", "trigger", "1");
    const gone = evicted(h);
    assert.ok(gone >= 40, `evicted ${gone}`);
    let hotLost = 0;
    for (let i = 1; i < 200; i += 2) if (h.run("EXISTS", `k${i}`) === 0) hotLost++;
    assert.ok(hotLost <= gone / 10, `${hotLost} frequently used keys of ${gone} evicted`);
  });
});

Deno.test("volatile-lfu and volatile-random evict only keys with a TTL", async () => {
  for (const policy of ["volatile-lfu", "volatile-random"]) {
    await withHarness((h) => {
      h.run("CONFIG", "SET", "maxmemory-policy", policy);
      fill(h, 40, 100, 1000);
      for (let i = 0; i < 40; i++) h.run("SET", `p${i}`, "x".repeat(100));
      limitTo(h, -2000);
      h.run("SET", "new", "1", "EX", 1000);
      assert.ok(evicted(h) > 0, policy);
      for (let i = 0; i < 40; i++) assert.equal(h.run("EXISTS", `p${i}`), 1, policy);
    });
  }
});

Deno.test("allkeys-random evicts until used_memory fits", async () => {
  await withHarness((h) => {
    h.run("CONFIG", "SET", "maxmemory-policy", "allkeys-random");
    fill(h, 100, 100);
    const max = limitTo(h, -5000);
    h.run("SET", "x", "1");
    assert.ok(counted(h) <= max + 100);
    assert.ok(evicted(h) > 0);
    assert.equal(Number(h.run("DBSIZE")), 101 - evicted(h));
  });
});

Deno.test("volatile-ttl evicts the keys that expire soonest first", async () => {
  await withHarness((h) => {
    h.run("CONFIG", "SET", "maxmemory-policy", "volatile-ttl");
    h.run("CONFIG", "SET", "maxmemory-samples", 20);
    for (let i = 0; i < 40; i++) h.run("SET", `k${i}`, "x".repeat(100), "EX", 1000 + i * 100);
    limitTo(h, -10 * perKey(h));
    h.run("SET", "x", "1");
    const gone = evicted(h);
    assert.ok(gone >= 5, `evicted ${gone}`);
    // With 20 of 40 keys sampled per round, the evicted ones are among the soonest to expire.
    for (let i = 30; i < 40; i++) assert.equal(h.run("EXISTS", `k${i}`), 1, `k${i}`);
  });
});

Deno.test("evictions propagate DEL (UNLINK when lazy) and fire the evicted event", async () => {
  await withHarness((h) => {
    h.run("CONFIG", "SET", "maxmemory-policy", "allkeys-random");
    h.run("CONFIG", "SET", "notify-keyspace-events", "Ee");
    const sub = h.newClient();
    h.runAs(sub, "SUBSCRIBE", "__keyevent@0__:evicted");
    sub.out.reset();
    fill(h, 20, 100);
    h.propagated();
    limitTo(h, -500);
    h.run("GET", "k0");
    const dels = h.propagated().filter((c) => c[0] === "DEL");
    assert.ok(dels.length > 0);
    assert.equal(dels.length, evicted(h));
    assert.match(new TextDecoder().decode(sub.out.bytes()), /evicted/);
    h.run("CONFIG", "SET", "lazyfree-lazy-eviction", "yes");
    limitTo(h, -300);
    h.run("GET", "k0");
    assert.ok(h.propagated().some((c) => c[0] === "UNLINK"));
  });
});

Deno.test("OBJECT IDLETIME: GET and TOUCH are accesses; OBJECT, EXISTS, TYPE, TTL are not", async () => {
  await withHarness((h) => {
    h.run("CONFIG", "SET", "maxmemory-policy", "allkeys-lru");
    h.run("SET", "k", "v");
    assert.equal(h.run("OBJECT", "IDLETIME", "k"), 0);
    age(h, "k", 100);
    for (const cmd of [["EXISTS"], ["TYPE"], ["TTL"], ["PTTL"], ["OBJECT", "ENCODING"]]) {
      h.run(...cmd, "k");
      assert.equal(h.run("OBJECT", "IDLETIME", "k"), 100, cmd.join(" "));
    }
    h.run("GET", "k");
    assert.equal(h.run("OBJECT", "IDLETIME", "k"), 0);
    age(h, "k", 50);
    assert.equal(h.run("TOUCH", "k", "nokey"), 1);
    assert.equal(h.run("OBJECT", "IDLETIME", "k"), 0);
    assert.equal(h.run("OBJECT", "IDLETIME", "nokey"), null);
  });
});

Deno.test("under noeviction, OBJECT IDLETIME starts tracking access times", async () => {
  await withHarness((h) => {
    h.run("SET", "k", "v");
    assert.equal(h.server.keyspace.dbs[0].access, null);
    assert.equal(h.run("OBJECT", "IDLETIME", "k"), 0);
    age(h, "k", 7);
    assert.equal(h.run("OBJECT", "IDLETIME", "k"), 7);
    h.run("GET", "k");
    assert.equal(h.run("OBJECT", "IDLETIME", "k"), 0);
  });
});

Deno.test("RESTORE IDLETIME and FREQ apply under a policy of their kind", async () => {
  await withHarness((h) => {
    h.run("SET", "src", "abc");
    const payload = h.run("DUMP", "src") as string;
    h.run("RESTORE", "a", 0, payload, "IDLETIME", 1000);
    assert.equal(h.run("OBJECT", "IDLETIME", "a"), 1000);
    h.run("CONFIG", "SET", "maxmemory-policy", "volatile-lfu");
    h.run("RESTORE", "b", 0, payload, "FREQ", 100);
    assert.equal(h.run("OBJECT", "FREQ", "b"), 100);
    h.run("RESTORE", "c", 0, payload, "IDLETIME", 1000);
    assert.equal(h.run("OBJECT", "FREQ", "c"), 5);
  });
});

Deno.test("the RDB carries IDLE under an LRU policy and FREQ under an LFU one", async () => {
  // The server moves into its `dir` (as Redis does): come back before removing it.
  const cwd = Deno.cwd();
  const dir = await Deno.makeTempDir();
  try {
    await withHarness((h) => {
      h.run("CONFIG", "SET", "maxmemory-policy", "allkeys-lru");
      h.run("SELECT", 3);
      h.run("SET", "old", "v");
      h.run("SET", "new", "v");
      age(h, "old", 500, 3);
      assert.deepEqual(h.run("DEBUG", "RELOAD"), { status: "OK" });
      const idle = Number(h.run("OBJECT", "IDLETIME", "old"));
      assert.ok(idle >= 500 && idle <= 502, `idle ${idle}`);
      assert.ok(Number(h.run("OBJECT", "IDLETIME", "new")) <= 2);

      h.run("CONFIG", "SET", "maxmemory-policy", "allkeys-lfu");
      const payload = h.run("DUMP", "old") as string;
      h.run("RESTORE", "hot", 0, payload, "FREQ", 200);
      // BGSAVE writes without telling which db a key is in: the value identifies it.
      h.run("SAVE");
      h.run("DEBUG", "RELOAD", "NOSAVE");
      assert.equal(h.run("OBJECT", "FREQ", "hot"), 200);
    }, ["--dir", dir, "--enable-debug-command", "yes"]);
  } finally {
    Deno.chdir(cwd);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a redis-benchmark cache workload stays within maxmemory under allkeys-lru", async () => {
  if (!hasBinary("redis-benchmark")) {
    skip("cache workload", "redis-benchmark is not installed");
    return;
  }
  const t = await startServer(["--maxmemory", "2mb", "--maxmemory-policy", "allkeys-lru"]);
  const c = await RespClient.connect(t.port);
  try {
    const out = await new Deno.Command("redis-benchmark", {
      args: ["-p", String(t.port), "-t", "set,get", "-r", "50000", "-n", "20000", "-d", "100"],
      stdout: "null",
      stderr: "piped",
    }).output();
    assert.ok(out.success, new TextDecoder().decode(out.stderr));
    const text = String(await c.call("INFO", "all"));
    const usedNow = Number(/used_memory:(\d+)/.exec(text)![1]) -
      Number(/mem_not_counted_for_evict:(\d+)/.exec(text)![1]);
    const evictedNow = Number(/evicted_keys:(\d+)/.exec(text)![1]);
    // The last write after an eviction may overshoot by its own size.
    assert.ok(usedNow <= 2 * 1024 * 1024 + 1000, `counted used_memory ${usedNow}`);
    assert.ok(evictedNow > 0);
    assert.ok(!/errorstat_OOM/.test(text));
    await waitFor(async () => Number(await c.call("DBSIZE")) > 0, 5000, "keys");
  } finally {
    c.close();
    await t.close();
  }
});
