// EVAL / EVALSHA / EVAL_RO / EVALSHA_RO / SCRIPT through the dispatcher: replies, error
// texts, propagation of a script's effects, MONITOR order, statistics, and the fake client.
// Reply details are compared with a real Redis by tests/differential/scripting.redis.

import assert from "node:assert/strict";
import { Harness } from "../helpers/harness.ts";
import { bytesToStr } from "../../src/util/bytes.ts";
import { sha1hex } from "../../src/scripting/engine.ts";

async function withHarness(f: (h: Harness) => void | Promise<void>): Promise<void> {
  const h = new Harness();
  try {
    await f(h);
  } finally {
    await h.close();
  }
}

Deno.test("EVAL returns Lua values converted to RESP2", async () => {
  await withHarness((h) => {
    assert.equal(h.raw(["EVAL", "return 1", 0]), ":1\r\n");
    assert.equal(h.raw(["EVAL", "return 3.99", 0]), ":3\r\n");
    assert.equal(h.raw(["EVAL", "return -3.99", 0]), ":-3\r\n");
    assert.equal(h.raw(["EVAL", "return 0/0", 0]), ":-9223372036854775808\r\n");
    assert.equal(h.raw(["EVAL", "return 'x'", 0]), "$1\r\nx\r\n");
    assert.equal(h.raw(["EVAL", "return true", 0]), ":1\r\n");
    assert.equal(h.raw(["EVAL", "return false", 0]), "$-1\r\n");
    assert.equal(h.raw(["EVAL", "return nil", 0]), "$-1\r\n");
    assert.equal(h.raw(["EVAL", "return {1,2,nil,4}", 0]), "*2\r\n:1\r\n:2\r\n");
    assert.equal(h.raw(["EVAL", "return {1,{2,'x'}}", 0]), "*2\r\n:1\r\n*2\r\n:2\r\n$1\r\nx\r\n");
    assert.equal(h.raw(["EVAL", "return {ok='fine'}", 0]), "+fine\r\n");
    assert.equal(h.raw(["EVAL", "return {err='MY bad'}", 0]), "-MY bad\r\n");
    assert.equal(h.raw(["EVAL", "return {double=1.5}", 0]), "$3\r\n1.5\r\n");
    assert.equal(h.raw(["EVAL", "return {big_number='12'}", 0]), "$2\r\n12\r\n");
    assert.equal(h.raw(["EVAL", "return {map={a=1}}", 0]), "*2\r\n$1\r\na\r\n:1\r\n");
    assert.equal(h.raw(["EVAL", "return {set={a=true}}", 0]), "*1\r\n$1\r\na\r\n");
  });
});

Deno.test("EVAL returns RESP3 types to a RESP3 caller", async () => {
  await withHarness((h) => {
    h.run("HELLO", 3);
    assert.equal(h.raw(["EVAL", "return true", 0]), ":1\r\n");
    assert.equal(h.raw(["EVAL", "return false", 0]), "_\r\n");
    assert.equal(h.raw(["EVAL", "redis.setresp(3) return true", 0]), "#t\r\n");
    assert.equal(h.raw(["EVAL", "redis.setresp(3) return false", 0]), "#f\r\n");
    assert.equal(h.raw(["EVAL", "return {double=1.5}", 0]), ",1.5\r\n");
    assert.equal(h.raw(["EVAL", "return {big_number='12'}", 0]), "(12\r\n");
    assert.equal(h.raw(["EVAL", "return {map={a=1}}", 0]), "%1\r\n$1\r\na\r\n:1\r\n");
    assert.equal(h.raw(["EVAL", "return {set={a=true}}", 0]), "~1\r\n$1\r\na\r\n");
    assert.equal(
      h.raw(["EVAL", "return {verbatim_string={format='txt', string='hi'}}", 0]),
      "=6\r\ntxt:hi\r\n",
    );
  });
});

Deno.test("redis.setresp(3) makes redis.call return RESP3 shapes", async () => {
  await withHarness((h) => {
    h.run("HSET", "h", "f", "v");
    h.run("ZADD", "z", "1.5", "m");
    assert.equal(h.run("EVAL", "redis.setresp(3) return redis.call('hgetall', 'h').map.f", 0), "v");
    assert.equal(
      h.run("EVAL", "redis.setresp(3) return tostring(redis.call('zscore', 'z', 'm').double)", 0),
      "1.5",
    );
    assert.equal(h.run("EVAL", "redis.setresp(3) return redis.call('get', 'no') == nil", 0), 1);
    assert.equal(h.run("EVAL", "return redis.call('get', 'no') == false", 0), 1);
    assert.equal(h.run("EVAL", "return redis.call('zscore', 'z', 'm')", 0), "1.5");
  });
});

Deno.test("KEYS and ARGV hold the arguments", async () => {
  await withHarness((h) => {
    assert.deepEqual(
      h.run("EVAL", "return {KEYS[1], KEYS[2], ARGV[1], #ARGV}", 2, "k1", "k2", "a1", "a2"),
      ["k1", "k2", "a1", 2],
    );
    assert.deepEqual(h.run("EVAL", "return ARGV", 0, "\x00\xff", ""), ["\x00\xff", ""]);
  });
});

Deno.test("EVAL checks numkeys", async () => {
  await withHarness((h) => {
    assert.deepEqual(h.run("EVAL", "return 1", "x"), {
      error: "ERR value is not an integer or out of range",
    });
    assert.deepEqual(h.run("EVAL", "return 1", 1), {
      error: "ERR Number of keys can't be greater than number of args",
    });
    assert.deepEqual(h.run("EVAL", "return 1", -1), {
      error: "ERR Number of keys can't be negative",
    });
  });
});

Deno.test("EVALSHA runs cached scripts and replies NOSCRIPT otherwise", async () => {
  await withHarness((h) => {
    const body = "return 'cached'";
    const sha = sha1hex(body);
    assert.deepEqual(h.run("EVALSHA", sha, 0), {
      error: "NOSCRIPT No matching script. Please use EVAL.",
    });
    assert.deepEqual(h.run("EVALSHA", "abc", "x"), {
      error: "NOSCRIPT No matching script. Please use EVAL.",
    });
    assert.equal(h.run("SCRIPT", "LOAD", body), sha);
    assert.equal(h.run("EVALSHA", sha, 0), "cached");
    assert.equal(h.run("EVALSHA", sha.toUpperCase(), 0), "cached");
    assert.equal(h.run("EVALSHA_RO", sha, 0), "cached");
    assert.deepEqual(h.run("SCRIPT", "EXISTS", sha, "f".repeat(40), sha.toUpperCase()), [1, 0, 1]);
    assert.deepEqual(h.run("SCRIPT", "FLUSH"), { status: "OK" });
    assert.deepEqual(h.run("SCRIPT", "EXISTS", sha), [0]);
    assert.deepEqual(h.run("EVALSHA", sha, 0), {
      error: "NOSCRIPT No matching script. Please use EVAL.",
    });
    h.run("EVAL", body, 0);
    assert.deepEqual(h.run("SCRIPT", "EXISTS", sha), [1]);
    assert.deepEqual(h.run("SCRIPT", "FLUSH", "ASYNC"), { status: "OK" });
    assert.deepEqual(h.run("SCRIPT", "FLUSH", "SYNC"), { status: "OK" });
    assert.deepEqual(h.run("SCRIPT", "FLUSH", "NOW"), {
      error: "ERR SCRIPT FLUSH only support SYNC|ASYNC option",
    });
    assert.deepEqual(h.run("SCRIPT", "KILL"), {
      error: "NOTBUSY No scripts in execution right now.",
    });
  });
});

Deno.test("SCRIPT LOAD reports compile errors", async () => {
  await withHarness((h) => {
    assert.deepEqual(h.run("SCRIPT", "LOAD", "return 1 +"), {
      error:
        "ERR Error compiling script (new function): user_script:1: unexpected symbol near '<eof>'",
    });
    assert.deepEqual(h.run("SCRIPT", "LOAD", "#!lua flags=bad\nreturn 1"), {
      error: "ERR Unexpected flag in script shebang: bad",
    });
  });
});

Deno.test("redis.call raises command errors with the script position", async () => {
  await withHarness((h) => {
    h.run("SET", "s", "abc");
    const sha = sha1hex("return redis.call('incr', KEYS[1])");
    assert.deepEqual(h.run("EVAL", "return redis.call('incr', KEYS[1])", 1, "s"), {
      error: `ERR value is not an integer or out of range script: ${sha}, on @user_script:1.`,
    });
    assert.deepEqual(h.run("EVAL", "return redis.pcall('incr', KEYS[1])", 1, "s"), {
      error: "ERR value is not an integer or out of range",
    });
    assert.deepEqual(h.run("EVAL", "return redis.pcall('lpush', KEYS[1], 'x')", 1, "s"), {
      error: "WRONGTYPE Operation against a key holding the wrong kind of value",
    });
    assert.equal(
      h.run("EVAL", "local r = redis.pcall('incr', 's') return r.err", 0),
      "ERR value is not an integer or out of range",
    );
  });
});

Deno.test("commands a script may not run are refused with Redis's texts", async () => {
  await withHarness((h) => {
    const cases: [string, string][] = [
      ["redis.call('nosuch')", "Unknown Redis command called from script"],
      ["redis.call('get')", "Wrong number of args calling Redis command from script"],
      ["redis.call('multi')", "This Redis command is not allowed from script"],
      ["redis.call('eval', 'return 1', 0)", "This Redis command is not allowed from script"],
      ["redis.call()", "Please specify at least one argument for this redis lib call"],
      ["redis.call('set', 'a', {})", "Lua redis lib command arguments must be strings or integers"],
    ];
    for (const [code, text] of cases) {
      assert.deepEqual(h.run("EVAL", `return ${code}`, 0), {
        error: `ERR ${text} script: ${sha1hex(`return ${code}`)}, on @user_script:1.`,
      });
    }
  });
});

Deno.test("Lua errors carry the script name and line", async () => {
  await withHarness((h) => {
    const run = (code: string) => h.run("EVAL", code, 0) as { error: string };
    assert.equal(
      run("error('boom')").error,
      `ERR user_script:1: boom script: ${sha1hex("error('boom')")}, on @user_script:1.`,
    );
    assert.match(run("\n\nx = 1").error, /user_script:3: Attempt to modify a readonly table/);
    assert.match(
      run("return nope").error,
      /Script attempted to access nonexistent global variable 'nope'/,
    );
    assert.match(
      run("local t = nil return t.x").error,
      /attempt to index local 't' \(a nil value\)/,
    );
    assert.equal(run("return redis.error_reply('MY oops')").error, "MY oops");
    assert.equal(run("return redis.error_reply('oops')").error, "ERR oops");
  });
});

Deno.test("scripts cannot change the globals or the libraries", async () => {
  await withHarness((h) => {
    for (const code of ["x = 1", "string.len = nil", "redis.call = nil", "rawset(_G, 'y', 1)"]) {
      const r = h.run("EVAL", code, 0) as { error: string };
      assert.match(r.error, /Attempt to modify a readonly table/, code);
    }
    // Local tables stay writable.
    assert.equal(h.run("EVAL", "local t = {} t.x = 1 rawset(t, 'y', 2) return t.x + t.y", 0), 3);
  });
});

Deno.test("a script's SELECT does not change the caller's database", async () => {
  await withHarness((h) => {
    assert.equal(
      h.run("EVAL", "redis.call('select', 3) redis.call('set', 'k', 'v') return 1", 0),
      1,
    );
    assert.equal(h.run("GET", "k"), null);
    h.run("SELECT", 3);
    assert.equal(h.run("GET", "k"), "v");
    // The script starts in the caller's database.
    assert.equal(h.run("EVAL", "return redis.call('get', 'k')", 0), "v");
  });
});

Deno.test("no-writes scripts and EVAL_RO refuse writes", async () => {
  await withHarness((h) => {
    const ro = "#!lua flags=no-writes\nreturn redis.call('set', 'a', 'b')";
    assert.deepEqual(h.run("EVAL", ro, 0), {
      error: `ERR Write commands are not allowed from read-only scripts. script: ${
        sha1hex(ro)
      }, on @user_script:2.`,
    });
    assert.deepEqual(h.run("EVAL_RO", "#!lua\nreturn 1", 0), {
      error: "ERR Can not execute a script with write flag using *_ro command.",
    });
    assert.match(
      (h.run("EVAL_RO", "return redis.call('set', 'a', 'b')", 0) as { error: string }).error,
      /^ERR Write commands are not allowed from read-only scripts\./,
    );
    // may-replicate commands count as writes for read-only scripts.
    assert.deepEqual(h.run("EVAL_RO", "return redis.pcall('publish', 'c', 'm')", 0), {
      error: "ERR Write commands are not allowed from read-only scripts.",
    });
    assert.equal(h.run("EVAL_RO", "return redis.call('exists', 'a')", 0), 0);
    assert.equal(h.run("EXISTS", "a"), 0);
  });
});

Deno.test("a read-only replica refuses scripts that may write", async () => {
  await withHarness((h) => {
    h.server.replicaOf = { host: "127.0.0.1", port: 1 };
    try {
      assert.deepEqual(h.run("EVAL", "#!lua\nreturn 1", 0), {
        error: "READONLY Can not run script with write flag on readonly replica",
      });
      assert.equal(h.run("EVAL", "#!lua flags=no-writes\nreturn 1", 0), 1);
      assert.deepEqual(h.run("EVAL", "return redis.pcall('set', 'a', 'b')", 0), {
        error: "READONLY You can't write against a read only replica.",
      });
      assert.equal(h.run("EVAL", "return redis.call('get', 'a')", 0), null);
    } finally {
      h.server.replicaOf = null;
    }
  });
});

Deno.test("a script's writes propagate as MULTI/EXEC, never the EVAL", async () => {
  await withHarness((h) => {
    h.run("SET", "x", "1");
    h.propagated();
    h.run("EVAL", "redis.call('set', 'a', '1') redis.call('incr', 'a') return 1", 0);
    assert.deepEqual(h.propagated(), [
      ["MULTI"],
      ["set", "a", "1"],
      ["incr", "a"],
      ["EXEC"],
    ]);
    // One write needs no wrapping; reads propagate nothing.
    h.run("EVAL", "return redis.call('set', KEYS[1], ARGV[1])", 1, "b", "2");
    assert.deepEqual(h.propagated(), [["set", "b", "2"]]);
    h.run("EVAL", "return redis.call('get', 'b')", 0);
    assert.deepEqual(h.propagated(), []);
    // Writes made deterministic by the command are propagated in their rewritten form.
    h.run("EVAL", "return redis.call('set', 'e', 'v', 'EX', 100)", 0);
    const [set] = h.propagated();
    assert.deepEqual(set.slice(0, 4).map((a) => a.toLowerCase()), ["set", "e", "v", "pxat"]);
  });
});

Deno.test("a script's SELECT shows in the propagated stream", async () => {
  await withHarness((h) => {
    h.run("SET", "x", "1");
    h.propagated();
    h.run(
      "EVAL",
      "redis.call('set', 'a', '1') redis.call('select', 2) redis.call('set', 'b', 2)",
      0,
    );
    assert.deepEqual(h.propagated(), [
      ["MULTI"],
      ["set", "a", "1"],
      ["SELECT", "2"],
      ["set", "b", "2"],
      ["EXEC"],
    ]);
  });
});

Deno.test("redis.set_repl(REPL_NONE) stops propagating the following writes", async () => {
  await withHarness((h) => {
    h.run("SET", "x", "1");
    h.propagated();
    const code = "redis.call('set', 'a', 1) redis.set_repl(redis.REPL_NONE) " +
      "redis.call('set', 'b', 2) redis.set_repl(redis.REPL_ALL) redis.call('set', 'c', 3)";
    h.run("EVAL", code, 0);
    assert.deepEqual(h.propagated(), [["MULTI"], ["set", "a", "1"], ["set", "c", "3"], ["EXEC"]]);
    assert.equal(h.run("GET", "b"), "2");
  });
});

Deno.test("EVAL inside MULTI propagates in the transaction's unit", async () => {
  await withHarness((h) => {
    h.run("SET", "x", "1");
    h.propagated();
    h.run("MULTI");
    h.run("EVAL", "return redis.call('set', 'a', '1')", 0);
    h.run("SET", "b", "2");
    assert.deepEqual(h.run("EXEC"), [{ status: "OK" }, { status: "OK" }]);
    assert.deepEqual(h.propagated(), [["MULTI"], ["set", "a", "1"], ["SET", "b", "2"], ["EXEC"]]);
  });
});

Deno.test("blocking commands and XREAD BLOCK are refused in scripts", async () => {
  await withHarness((h) => {
    assert.deepEqual(h.run("EVAL", "return redis.pcall('blpop', 'empty', 0)", 0), {
      error: "ERR This Redis command is not allowed from script",
    });
    assert.deepEqual(
      h.run("EVAL", "return redis.pcall('xread', 'block', 0, 'streams', 's', '$')", 0),
      { error: "ERR xread command is not allowed with BLOCK option from scripts" },
    );
    assert.equal(h.run("EVAL", "return redis.call('xread', 'streams', 's', '0')", 0), null);
  });
});

Deno.test("MONITOR shows the EVAL before the commands it runs", async () => {
  await withHarness((h) => {
    const m = h.newClient();
    h.runAs(m, "MONITOR");
    h.run("EVAL", "return redis.call('set', 'k', 'v')", 0);
    const lines = bytesToStr(m.out.bytes()).split("\r\n").filter((l) => l !== "");
    m.out.reset();
    assert.equal(lines.length, 2);
    assert.match(lines[0], /"EVAL" "return redis.call\('set', 'k', 'v'\)" "0"$/);
    assert.match(lines[1], /\[0 lua\] "set" "k" "v"$/);
  });
});

Deno.test("commands run by scripts count in INFO commandstats and errorstats", async () => {
  await withHarness((h) => {
    h.run("CONFIG", "RESETSTAT");
    h.run("SET", "s", "abc");
    h.run("EVAL", "redis.call('get', 's') return redis.call('incr', 's')", 0);
    const info = h.run("INFO", "commandstats") as string;
    assert.match(info, /cmdstat_get:calls=1,/);
    assert.match(info, /cmdstat_incr:calls=1,.*,rejected_calls=0,failed_calls=1/);
    // The EVAL's error was counted by INCR already.
    assert.match(info, /cmdstat_eval:calls=1,.*,rejected_calls=0,failed_calls=0/);
    assert.match(h.run("INFO", "errorstats") as string, /errorstat_ERR:count=1\r\n/);
    h.run("EVAL", "return redis.pcall('nosuch')", 0);
    assert.match(h.run("INFO", "errorstats") as string, /errorstat_ERR:count=2\r\n/);
  });
});

Deno.test("keyspace notifications fire for a script's writes", async () => {
  await withHarness((h) => {
    h.run("CONFIG", "SET", "notify-keyspace-events", "KEA");
    const sub = h.newClient();
    h.runAs(sub, "SUBSCRIBE", "__keyevent@0__:set");
    sub.out.reset();
    h.run("EVAL", "return redis.call('set', 'k', 'v')", 0);
    assert.match(bytesToStr(sub.out.bytes()), /__keyevent@0__:set\r\n\$1\r\nk\r\n$/);
  });
});

Deno.test("math.random follows Redis's PRNG sequence", async () => {
  await withHarness((h) => {
    // The first values a fresh Redis 7.0 gives.
    assert.equal(h.run("EVAL", "return math.random(1000)", 0), 397);
    assert.equal(h.run("EVAL", "return math.random(1000)", 0), 841);
    h.run("EVAL", "math.randomseed(42) return 1", 0);
    const a = h.run("EVAL", "math.randomseed(7) return math.random(1000000)", 0);
    const b = h.run("EVAL", "math.randomseed(7) return math.random(1000000)", 0);
    assert.equal(a, b);
  });
});

// A script running until the server's clock (TIME) passed ARGV[1] ms, writing two keys first.
const SLOW_WRITER =
  "redis.call('set', 'a', '1') redis.call('set', 'b', '2') local t = redis.call('time') local s = t[1] * 1000000 + t[2] while true do local u = redis.call('time') if u[1] * 1000000 + u[2] - s > ARGV[1] * 1000 then return 'done' end end";

// Polls until `f` is true, yielding to the event loop (where a busy script's slices run).
async function until(f: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10000;
  while (!f()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

Deno.test("a busy script replies later; meanwhile others get BUSY, allow_busy ones run", async () => {
  const h = new Harness(["--busy-reply-threshold", "50"]);
  try {
    const other = h.newClient();
    h.propagated();
    assert.equal(h.raw(["EVAL", SLOW_WRITER, 0, 300]), "");
    assert.notEqual(h.server.busyReply, null);
    assert.equal(
      h.raw(["GET", "a"], other),
      "-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n",
    );
    // allow_busy commands run inside the paused script's unit without splitting it.
    assert.equal(h.raw(["WATCH", "a"], other), "+OK\r\n");
    assert.equal(h.raw(["UNWATCH"], other), "+OK\r\n");
    assert.match(h.raw(["SCRIPT", "KILL"], other), /^-UNKILLABLE Sorry the script already/);
    await until(() => h.client.out.length > 0, "the script");
    assert.equal(bytesToStr(h.client.out.bytes()), "$4\r\ndone\r\n");
    assert.equal(h.server.busyReply, null);
    h.client.out.reset();
    assert.deepEqual(h.propagated(), [
      ["SELECT", "0"],
      ["MULTI"],
      ["set", "a", "1"],
      ["set", "b", "2"],
      ["EXEC"],
    ]);
    // The refused GET never ran; the script's writes are there.
    assert.deepEqual(h.run("MGET", "a", "b"), ["1", "2"]);
  } finally {
    await h.close();
  }
});

Deno.test("SCRIPT KILL stops a busy script that did not write; the VM goes on", async () => {
  const h = new Harness(["--busy-reply-threshold", "50"]);
  try {
    const other = h.newClient();
    for (let round = 0; round < 2; round++) {
      assert.equal(h.raw(["EVAL", "local x = redis.call('get', 'a') while true do end", 0]), "");
      await until(() => h.server.busyReply !== null, "busy");
      assert.equal(h.raw(["SCRIPT", "KILL"], other), "+OK\r\n");
      await until(() => h.client.out.length > 0, "the kill");
      assert.match(
        bytesToStr(h.client.out.bytes()),
        /^-ERR Script killed by user with SCRIPT KILL\.\.\. script: \w{40}, on @user_script:1\.\r\n$/,
      );
      h.client.out.reset();
    }
    assert.equal(
      h.raw(["SCRIPT", "KILL"], other),
      "-NOTBUSY No scripts in execution right now.\r\n",
    );
    assert.equal(h.raw(["EVAL", "return 1", 0]), ":1\r\n");
  } finally {
    await h.close();
  }
});

Deno.test("at a script's top level coroutine.yield fails and coroutine.running is nil", async () => {
  await withHarness((h) => {
    assert.equal(
      h.raw(["EVAL", "coroutine.yield()", 0]),
      "-ERR attempt to yield across metamethod/C-call boundary script: 28fa9aab8f13eb98b7d555b1121c4e2f64da5b24, on @user_script:1.\r\n",
    );
    assert.equal(h.raw(["EVAL", "return type(coroutine.running())", 0]), "$3\r\nnil\r\n");
    const wrap =
      "local f = coroutine.wrap(function() coroutine.yield(type(coroutine.running())) end) return f()";
    assert.equal(h.raw(["EVAL", wrap, 0]), "$6\r\nthread\r\n");
  });
});
