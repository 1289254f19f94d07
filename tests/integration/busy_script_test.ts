// Busy scripts over TCP: a script running past busy-reply-threshold pauses between slices, so
// other clients get -BUSY (only allow_busy commands run), SCRIPT KILL / FUNCTION KILL stop it
// unless it wrote (UNKILLABLE), SHUTDOWN NOSAVE stops the server, and the script stays atomic:
// refused commands never run later, blocked clients, cron and the master link wait, and its
// writes propagate as one MULTI/EXEC. Each scenario's replies are also compared with a real
// redis-server when one is installed.

import assert from "node:assert/strict";
import { RecordingSink } from "../../src/replication/propagator.ts";
import { encodeCommand } from "../../src/resp/encoder.ts";
import { waitSynced, withTempDirs } from "../helpers/replication.ts";
import { RespClient, type Value } from "../helpers/resp_client.ts";
import { startRedis, startServer, type TestServer, waitFor } from "../helpers/server.ts";

const THRESHOLD = ["--busy-reply-threshold", "100"];
const LOOP = "while true do end";
const BUSY_EVAL =
  "-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n";
const BUSY_FUNCTION =
  "-BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.\r\n";
const UNKILLABLE =
  "-UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.\r\n";
const LIB = [
  "#!lua name=busylib",
  "redis.register_function('loop', function() while true do end end)",
  "redis.register_function('wloop', function(k) redis.call('set', k[1], 'v') while true do end end)",
].join("\n");
// Runs until `ms` milliseconds passed by the server's clock (TIME), then returns the key's value.
const TIMED =
  "local t = redis.call('time') local s = t[1] * 1000000 + t[2] local n = 0 while true do n = n + 1 if n % 10000 == 0 then local u = redis.call('time') if u[1] * 1000000 + u[2] - s > ARGV[1] * 1000 then break end end end return redis.call('get', KEYS[1])";

// Sends a command without waiting for its reply.
async function send(c: RespClient, ...argv: (string | number)[]): Promise<void> {
  await c.writeRaw(encodeCommand(argv.map(String)));
}

// Waits until `c` is answered -BUSY (the script passed the threshold); PING is refused then.
async function waitBusy(c: RespClient): Promise<string> {
  let raw = "";
  await waitFor(
    async () => {
      raw = (await c.callRaw("PING")).raw;
      return raw.startsWith("-BUSY");
    },
    10000,
    "the script to be busy",
  );
  return raw;
}

// Waits until no script is busy.
async function waitIdle(c: RespClient): Promise<void> {
  await waitFor(async () => (await c.callRaw("PING")).raw === "+PONG\r\n", 10000, "no busy script");
}

/** Runs `scenario` against our server and, when installed, a real Redis; returns ours. */
async function both(
  scenario: (port: number) => Promise<string[]>,
  args: string[] = [],
): Promise<string[]> {
  const s = await startServer([...THRESHOLD, ...args]);
  let ours: string[];
  try {
    ours = await scenario(s.port);
  } finally {
    await s.close();
  }
  const r = await startRedis([...THRESHOLD, ...args]);
  if (r !== null) {
    try {
      assert.deepEqual(ours, await scenario(r.port), "replies differ from Redis 7.0");
    } finally {
      await r.close();
    }
  }
  return ours;
}

Deno.test("a busy EVAL: BUSY for others, allow_busy commands run, SCRIPT KILL ends it", async () => {
  const out = await both(async (port) => {
    const a = await RespClient.connect(port);
    const b = await RespClient.connect(port);
    try {
      const got: string[] = [];
      await send(a, "EVAL", LOOP, 0);
      // The caller's pipelined command waits for its script.
      await send(a, "PING");
      got.push(await waitBusy(b));
      for (
        const cmd of [
          ["GET", "x"],
          ["SET", "x", "1"],
          ["SCRIPT", "LOAD", "return 1"],
          ["FUNCTION", "STATS"],
          ["FUNCTION", "KILL"],
          ["CLIENT", "LIST"],
          ["MULTI"],
          ["SET", "y", "1"],
          ["EXEC"],
          ["MULTI"],
          ["DISCARD"],
          ["WATCH", "x"],
          ["UNWATCH"],
          ["HELLO", "2"],
          ["SHUTDOWN"],
          ["SHUTDOWN", "SAVE"],
          ["SCRIPT", "KILL"],
        ]
      ) {
        // HELLO's client id differs between servers.
        const raw = (await b.callRaw(...cmd)).raw;
        got.push(cmd[0] === "HELLO" ? raw.replace(/:\d+\r\n\$4\r\nmode/, ":N\r\n$4\r\nmode") : raw);
      }
      got.push((await a.read()).raw, (await a.read()).raw);
      // Nothing refused while busy ran afterwards.
      got.push((await b.callRaw("MGET", "x", "y")).raw);
      got.push((await b.callRaw("SCRIPT", "KILL")).raw);
      return got;
    } finally {
      a.close();
      b.close();
    }
  });
  assert.equal(out[0], BUSY_EVAL);
  assert.equal(out[1], BUSY_EVAL);
  assert.equal(out[7], "+OK\r\n"); // MULTI
  assert.equal(out[9], `-EXECABORT Transaction discarded because of: ${BUSY_EVAL.slice(1)}`);
  assert.equal(out[15], BUSY_EVAL); // SHUTDOWN without NOSAVE
  assert.equal(out[17], "+OK\r\n"); // SCRIPT KILL
  assert.equal(
    out[18],
    "-ERR Script killed by user with SCRIPT KILL... script: 694a5fe1ddb97a4c6a1bf299d9537c7d3d0f84e7, on @user_script:1.\r\n",
  );
  assert.equal(out[19], "+PONG\r\n");
  assert.equal(out[20], "*2\r\n$-1\r\n$-1\r\n");
  assert.equal(out[21], "-NOTBUSY No scripts in execution right now.\r\n");
});

Deno.test("a busy function: FUNCTION STATS shows it, SCRIPT KILL is refused, FUNCTION KILL", async () => {
  const out = await both(async (port) => {
    const a = await RespClient.connect(port);
    const b = await RespClient.connect(port);
    try {
      const got: string[] = [(await b.callRaw("FUNCTION", "LOAD", LIB)).raw];
      await send(a, "FCALL", "loop", 0, "extra");
      got.push(await waitBusy(b));
      const stats = (await b.call("FUNCTION", "STATS")) as Value[];
      const running = stats[1] as Value[];
      assert.deepEqual(running.slice(0, 5), ["name", "loop", "command", [
        "FCALL",
        "loop",
        "0",
        "extra",
      ], "duration_ms"]);
      assert.ok((running[5] as number) >= 100, `duration_ms ${running[5]}`);
      got.push((await b.callRaw("SCRIPT", "KILL")).raw, (await b.callRaw("FUNCTION", "KILL")).raw);
      got.push((await a.read()).raw);
      got.push((await b.callRaw("FUNCTION", "STATS")).raw);
      // A killed script must not leave the VM unable to time the next one (fengari's pcallk
      // used to clear allowhook after an error).
      await send(a, "FCALL", "loop", 0);
      got.push(await waitBusy(b));
      got.push((await b.callRaw("FUNCTION", "KILL")).raw, (await a.read()).raw);
      return got;
    } finally {
      a.close();
      b.close();
    }
  });
  assert.equal(out[1], BUSY_FUNCTION);
  assert.equal(out[2], BUSY_FUNCTION);
  assert.equal(out[3], "+OK\r\n");
  assert.equal(
    out[4],
    "-ERR Script killed by user with SCRIPT KILL... script: loop, on @user_function:2.\r\n",
  );
  assert.match(out[5], /^\*4\r\n\$14\r\nrunning_script\r\n\$-1\r\n/);
  assert.equal(out[6], BUSY_FUNCTION);
});

Deno.test("a script that wrote is UNKILLABLE and SHUTDOWN NOSAVE stops the server", async () => {
  await both(async (port) => {
    const a = await RespClient.connect(port);
    const b = await RespClient.connect(port);
    try {
      await b.call("FUNCTION", "LOAD", LIB);
      await send(a, "FCALL", "wloop", 1, "k");
      assert.equal(await waitBusy(b), BUSY_FUNCTION);
      assert.equal((await b.callRaw("SCRIPT", "KILL")).raw, UNKILLABLE);
      assert.equal((await b.callRaw("FUNCTION", "KILL")).raw, UNKILLABLE);
      assert.equal((await b.callRaw("SHUTDOWN")).raw, BUSY_FUNCTION);
      await send(b, "SHUTDOWN", "NOSAVE");
      assert.ok(await b.closedByPeer(10000), "SHUTDOWN NOSAVE closes the connection");
      assert.ok(await a.closedByPeer(10000), "the caller's connection closes too");
      return [];
    } finally {
      a.close();
      b.close();
    }
  });
});

Deno.test("pcall cannot swallow SCRIPT KILL; a caught kill on the last line returns", async () => {
  const out = await both(async (port) => {
    const a = await RespClient.connect(port);
    const b = await RespClient.connect(port);
    const got: string[] = [];
    try {
      for (
        const script of [
          `local ok = pcall(function() ${LOOP} end) redis.call('get', 'q') ${LOOP}`,
          `local ok, e = pcall(function() ${LOOP} end) return {ok and 1 or 0, tostring(e)}`,
          `local ok = redis.pcall('get', 'x') ${LOOP}`,
        ]
      ) {
        await send(a, "EVAL", script, 0);
        await waitBusy(b);
        got.push((await b.callRaw("SCRIPT", "KILL")).raw, (await a.read()).raw);
      }
      return got;
    } finally {
      a.close();
      b.close();
    }
  });
  assert.match(out[1], /^-ERR Script killed by user with SCRIPT KILL\.\.\. script: \w{40}, on/);
  assert.equal(out[3], "*2\r\n:0\r\n$45\r\nERR Script killed by user with SCRIPT KILL...\r\n");
});

Deno.test("EXEC with a busy script waits for it, then runs the rest of the transaction", async () => {
  const out = await both(async (port) => {
    const a = await RespClient.connect(port);
    const b = await RespClient.connect(port);
    try {
      const got: string[] = [];
      for (const cmd of [["MULTI"], ["SET", "m1", "1"], ["EVAL", LOOP, "0"], ["SET", "m2", "2"]]) {
        got.push((await a.callRaw(...cmd)).raw);
      }
      await send(a, "EXEC");
      got.push(await waitBusy(b));
      got.push((await b.callRaw("SCRIPT", "KILL")).raw, (await a.read()).raw);
      got.push((await b.callRaw("MGET", "m1", "m2")).raw);
      return got;
    } finally {
      a.close();
      b.close();
    }
  });
  assert.equal(
    out[6],
    "*3\r\n+OK\r\n-ERR Script killed by user with SCRIPT KILL... script: 694a5fe1ddb97a4c6a1bf299d9537c7d3d0f84e7, on @user_script:1.\r\n+OK\r\n",
  );
  assert.equal(out[7], "*2\r\n$1\r\n1\r\n$1\r\n2\r\n");
});

Deno.test("a busy script stays atomic: refused writes never run, blocked clients wait", async () => {
  const s: TestServer = await startServer(THRESHOLD);
  const sink = new RecordingSink();
  s.server.propagator.sinks.add(sink);
  const a = await RespClient.connect(s.port);
  const b = await RespClient.connect(s.port);
  const w = await RespClient.connect(s.port);
  try {
    await b.call("SET", "k", "before");
    await b.call("PEXPIRE", "k", 100000);
    // Active expiry waits too: this key expires while the script runs.
    await b.call("SET", "e", "1", "PX", 50);
    // A client blocked on the list the script pushes to must not be served mid-script.
    await send(w, "BLPOP", "q", 0);
    await waitFor(() => s.server.blocking.count === 1, 5000, "BLPOP to block");
    sink.commands.length = 0;
    const script = `redis.call('lpush', 'q', 'x') redis.call('set', 'k', 'mid') ${
      TIMED.replace("return redis.call('get', KEYS[1])", "")
    } return {redis.call('get', KEYS[1]), redis.call('llen', 'q')}`;
    const busy = a.callRaw("EVAL", script, 1, "k", 400);
    assert.equal(await waitBusy(b), BUSY_EVAL);
    assert.equal((await b.callRaw("SET", "k", "other")).raw, BUSY_EVAL);
    assert.equal((await b.callRaw("DEL", "k")).raw, BUSY_EVAL);
    assert.equal((await busy).raw, "*2\r\n$3\r\nmid\r\n:1\r\n");
    assert.equal((await w.read()).raw, "*2\r\n$1\r\nq\r\n$1\r\nx\r\n");
    assert.equal(await b.call("GET", "k"), "mid");
    assert.ok((await b.call("PTTL", "k") as number) === -1, "SET without KEEPTTL cleared it");
    // The script's writes as one unit, then the served BLPOP as its own; the expired key's
    // DEL (active expiry, once the script ended) comes after the script's unit.
    await waitFor(() => s.server.keyspace.dbs[0].data.size === 1, 5000, "e to expire");
    const expiry = sink.commands.findIndex((c) => c[1] === "e");
    assert.ok(expiry > sink.commands.findIndex((c) => c[0] === "EXEC"), `${sink.commands}`);
    sink.commands.splice(expiry, 1);
    assert.deepEqual(sink.commands, [
      ["MULTI"],
      ["lpush", "q", "x"],
      ["set", "k", "mid"],
      ["EXEC"],
      ["LPOP", "q"],
    ]);
  } finally {
    a.close();
    b.close();
    w.close();
    await s.close();
  }
});

Deno.test("the caller may disconnect while its script runs; the script still completes", async () => {
  const s = await startServer(THRESHOLD);
  const a = await RespClient.connect(s.port);
  const b = await RespClient.connect(s.port);
  try {
    await send(a, "EVAL", `redis.call('set', 'done', 'yes') ${TIMED}`, 1, "done", 300);
    await waitBusy(b);
    a.close();
    await waitFor(() => s.server.clients.size === 1, 5000, "the caller to be freed");
    assert.equal((await b.callRaw("SCRIPT", "KILL")).raw, UNKILLABLE);
    await waitIdle(b);
    assert.equal(await b.call("GET", "done"), "yes");
    assert.equal(s.server.busyReply, null);
  } finally {
    b.close();
    await s.close();
  }
});

Deno.test("SHUTDOWN NOSAVE while busy: nothing of the script is propagated or saved", async () => {
  // `dir` changes the working directory: withTempDirs restores it.
  await withTempDirs(1, async ([dir]) => {
    const s = await startServer([...THRESHOLD, "--dir", dir, "--save", "3600 1"]);
    const sink = new RecordingSink();
    s.server.propagator.sinks.add(sink);
    const a = await RespClient.connect(s.port);
    const b = await RespClient.connect(s.port);
    try {
      await send(a, "EVAL", `redis.call('set', 'half', 'done') ${LOOP}`, 0);
      await waitBusy(b);
      await send(b, "SHUTDOWN", "NOSAVE");
      await s.server.finished;
      assert.deepEqual(sink.commands, []);
      assert.equal(await Deno.stat(`${dir}/dump.rdb`).then(() => true, () => false), false);
    } finally {
      a.close();
      b.close();
      await s.close();
    }
  });
});

Deno.test("stopping the server while a script is busy does not save its half", async () => {
  await withTempDirs(1, async ([dir]) => {
    const s = await startServer([...THRESHOLD, "--dir", dir, "--save", "3600 1"]);
    const a = await RespClient.connect(s.port);
    const b = await RespClient.connect(s.port);
    try {
      await send(a, "EVAL", LOOP, 0);
      await waitBusy(b);
      await s.close();
      assert.equal(await Deno.stat(`${dir}/dump.rdb`).then(() => true, () => false), false);
    } finally {
      a.close();
      b.close();
      await s.close();
    }
  });
});

Deno.test("quick scripts never pause; busy-reply-threshold 0 disables the limit", async () => {
  const s = await startServer(["--busy-reply-threshold", "0"]);
  const c = await RespClient.connect(s.port);
  try {
    const r = await c.call("EVAL", TIMED, 1, "k", 200);
    assert.equal(r, null);
    assert.equal(s.server.busyReply, null);
    await c.call("CONFIG", "SET", "busy-reply-threshold", "100");
    assert.equal(await c.call("EVAL", "return 1", 0), 1);
  } finally {
    c.close();
    await s.close();
  }
});

Deno.test("a replica holds its master's stream while a script is busy, then applies it", async () => {
  const m = await startServer(["--repl-diskless-sync-delay", "0"]);
  const r = await startServer([
    ...THRESHOLD,
    "--replicaof",
    "127.0.0.1",
    String(m.port),
    "--repl-diskless-load",
    "swapdb",
  ]);
  const mc = await RespClient.connect(m.port);
  const a = await RespClient.connect(r.port);
  const b = await RespClient.connect(r.port);
  try {
    await mc.call("SET", "k", "old");
    await waitSynced(mc, b);
    // A read-only script reading k at its start and at its end.
    const script = `local first = redis.call('get', KEYS[1]) ${
      TIMED.replace("return redis.call('get', KEYS[1])", "")
    } return {first, redis.call('get', KEYS[1])}`;
    const busy = a.callRaw("EVAL_RO", script, 1, "k", 400);
    await waitBusy(b);
    assert.deepEqual(await mc.call("SET", "k", "new"), { status: "OK" });
    assert.equal((await busy).raw, "*2\r\n$3\r\nold\r\n$3\r\nold\r\n");
    await waitSynced(mc, b);
    assert.equal(await b.call("GET", "k"), "new");
  } finally {
    mc.close();
    a.close();
    b.close();
    await r.close();
    await m.close();
  }
});
