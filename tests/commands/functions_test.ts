// FUNCTION / FCALL / FCALL_RO through the dispatcher: loading rules, the functions VM's
// environment, flags, RESP3 shapes, DUMP/RESTORE policies, propagation, INFO fields,
// redis.acl_check_cmd, and the RDB hooks. Exact replies are also compared with a real Redis
// by tests/differential/functions.redis.

import assert from "node:assert/strict";
import { Harness, withHarness } from "../helpers/harness.ts";
import { readRdb } from "../../src/persistence/rdb/reader.ts";
import { RdbWriter } from "../../src/persistence/rdb/writer.ts";
import {
  clearFunctionsForLoad,
  functionsAofCommands,
  functionsOf,
  loadFunctionRdb,
  writeFunctionsRdb,
} from "../../src/scripting/functions.ts";
import { bytesToStr, strToBytes } from "../../src/util/bytes.ts";

const LIB = "#!lua name=lib\n" +
  "redis.register_function('echo', function(keys, args) return {keys, args} end)\n" +
  "redis.register_function('set', function(keys, args) return redis.call('set', keys[1], args[1]) end)\n" +
  "redis.register_function{function_name='get', callback=function(keys) return redis.call('get', keys[1]) end, flags={'no-writes'}, description='reads'}";

function lib(name: string, fn: string, body = "return 1"): string {
  return `#!lua name=${name}\nredis.register_function('${fn}', function(keys, args) ${body} end)`;
}

Deno.test("FUNCTION LOAD returns the library name and FCALL passes keys and args", async () => {
  await withHarness((h) => {
    assert.equal(h.raw(["FUNCTION", "LOAD", LIB]), "$3\r\nlib\r\n");
    assert.equal(
      h.raw(["FCALL", "echo", 2, "k1", "k2", "a1"]),
      "*2\r\n*2\r\n$2\r\nk1\r\n$2\r\nk2\r\n*1\r\n$2\r\na1\r\n",
    );
    assert.equal(h.raw(["FCALL", "set", 1, "k", "v"]), "+OK\r\n");
    assert.equal(h.raw(["FCALL_RO", "get", 1, "k"]), "$1\r\nv\r\n");
    // Function names are case-insensitive, library names are not.
    assert.equal(h.raw(["FCALL", "GET", 1, "k"]), "$1\r\nv\r\n");
    assert.equal(h.raw(["FUNCTION", "DELETE", "LIB"]), "-ERR Library not found\r\n");
  });
});

Deno.test("FCALL argument errors", async () => {
  await withHarness((h) => {
    assert.equal(h.raw(["FCALL", "echo", 0]), "-ERR Function not found\r\n");
    h.run("FUNCTION", "LOAD", LIB);
    assert.equal(h.raw(["FCALL", "nosuch", "x"]), "-ERR Function not found\r\n");
    assert.equal(h.raw(["FCALL", "echo", "x"]), "-ERR Bad number of keys provided\r\n");
    assert.equal(
      h.raw(["FCALL", "echo", 2, "a"]),
      "-ERR Number of keys can't be greater than number of args\r\n",
    );
    assert.equal(h.raw(["FCALL", "echo", -1]), "-ERR Number of keys can't be negative\r\n");
  });
});

Deno.test("FUNCTION LOAD refuses bad metadata, names and registrations", async () => {
  await withHarness((h) => {
    const load = (code: string) => h.raw(["FUNCTION", "LOAD", code]);
    assert.equal(load("return 1"), "-ERR Missing library metadata\r\n");
    assert.equal(load("#!lua"), "-ERR Invalid library metadata\r\n");
    assert.equal(load("#!lua\n"), "-ERR Library name was not given\r\n");
    assert.equal(load("#!lua name=a x=1\n"), "-ERR Invalid metadata value given: x=1\r\n");
    assert.equal(
      load("#!lua name=a name=b\n"),
      "-ERR Invalid metadata value, name argument was given multiple times\r\n",
    );
    assert.equal(load("#!js name=a\n"), "-ERR Engine 'js' not found\r\n");
    assert.match(load("#!lua name=a-b\n"), /^-ERR Library names can only contain letters/);
    assert.equal(load("#!lua name=a\nlocal x = 1"), "-ERR No functions registered\r\n");
    assert.equal(
      load("#!lua name=a\n+"),
      "-ERR Error compiling function: user_function:2: unexpected symbol near '+'\r\n",
    );
    assert.equal(
      load("#!lua name=a\nredis.call('ping')"),
      "-ERR Error registering functions: ERR user_function:2: Script attempted to access nonexistent global variable 'call'\r\n",
    );
    assert.equal(
      load("#!lua name=a\nredis.register_function('f', 1)"),
      "-ERR Error registering functions: ERR second argument to redis.register_function must be a function\r\n",
    );
    assert.equal(
      load("#!lua name=a\nredis.register_function{function_name='f', callback=print, flags={'x'}}"),
      "-ERR Error registering functions: ERR user_function:2: Script attempted to access nonexistent global variable 'print'\r\n",
    );
    assert.equal(
      load(
        "#!lua name=a\nredis.register_function{function_name='f', callback=function() end, flags={'x'}}",
      ),
      "-ERR Error registering functions: ERR unknown flag given\r\n",
    );
    assert.equal(
      h.raw(["FUNCTION", "LOAD", "bad", "#!lua name=a\n"]),
      "-ERR Unknown option given: bad\r\n",
    );
    h.run("FUNCTION", "LOAD", lib("a", "f"));
    assert.equal(load(lib("a", "g")), "-ERR Library 'a' already exists\r\n");
    assert.equal(load(lib("b", "F")), "-ERR Function F already exists\r\n");
    assert.equal(h.raw(["FUNCTION", "LIST"]).startsWith("*1\r\n"), true);
  });
});

Deno.test("FUNCTION LOAD REPLACE keeps the old library when the new one fails", async () => {
  await withHarness((h) => {
    h.run("FUNCTION", "LOAD", lib("a", "f", "return 1"));
    assert.match(
      h.raw(["FUNCTION", "LOAD", "REPLACE", "#!lua name=a\nerror('x')"]),
      /^-ERR Error registering functions/,
    );
    assert.equal(h.raw(["FCALL", "f", 0]), ":1\r\n");
    assert.equal(h.raw(["FUNCTION", "LOAD", "REPLACE", lib("a", "g", "return 2")]), "$1\r\na\r\n");
    assert.equal(h.raw(["FCALL", "f", 0]), "-ERR Function not found\r\n");
    assert.equal(h.raw(["FCALL", "g", 0]), ":2\r\n");
  });
});

Deno.test("a library's top level sees only the load-time API and times out after 500 ms", async () => {
  await withHarness((h) => {
    assert.equal(
      h.raw(["FUNCTION", "LOAD", "#!lua name=t\nlocal s = 0 while true do s = s + 1 end"]),
      "-ERR Error registering functions: ERR FUNCTION LOAD timeout\r\n",
    );
    assert.equal(
      h.raw(["FUNCTION", "LOAD", "#!lua name=t\nx = 1"]),
      "-ERR Error registering functions: ERR user_function:2: Attempt to modify a readonly table\r\n",
    );
    // Captured at load, register_function refuses to run later.
    h.run(
      "FUNCTION",
      "LOAD",
      "#!lua name=q\nlocal r = redis\nredis.register_function('q', function() return r.register_function('u', function() end) end)",
    );
    assert.equal(
      h.raw(["FCALL", "q", 0]),
      "-ERR redis.register_function can only be called on FUNCTION LOAD command script: q, on @user_function:3.\r\n",
    );
  });
});

Deno.test("functions run without KEYS/ARGV and with the full redis API", async () => {
  await withHarness((h) => {
    h.run(
      "FUNCTION",
      "LOAD",
      "#!lua name=env\n" +
        "redis.register_function('keys', function() return KEYS end)\n" +
        "redis.register_function('g', function() return _G end)\n" +
        "redis.register_function('str', function() return string.rep('a', 3) .. redis.sha1hex('') end)\n" +
        "redis.register_function('err', function() return error('boom') end)",
    );
    assert.equal(
      h.raw(["FCALL", "keys", 0]),
      "-ERR user_function:2: Script attempted to access nonexistent global variable 'KEYS' script: keys, on @user_function:2.\r\n",
    );
    assert.equal(h.raw(["FCALL", "g", 0]), "*0\r\n");
    assert.equal(
      h.raw(["FCALL", "str", 0]),
      "$43\r\naaada39a3ee5e6b4b0d3255bfef95601890afd80709\r\n",
    );
    assert.equal(
      h.raw(["FCALL", "err", 0]),
      "-ERR user_function:5: boom script: err, on @user_function:5.\r\n",
    );
    // EVAL's VM is separate: its globals do not see the library either.
    assert.equal(h.raw(["EVAL", "return type(KEYS)", 0]), "$5\r\ntable\r\n");
  });
});

Deno.test("FCALL_RO and no-writes functions refuse writes", async () => {
  await withHarness((h) => {
    h.run(
      "FUNCTION",
      "LOAD",
      "#!lua name=ro\n" +
        "redis.register_function{function_name='w', callback=function() return redis.call('set', 'a', 'b') end, flags={'no-writes'}}\n" +
        "redis.register_function('plain', function() return 1 end)",
    );
    assert.equal(
      h.raw(["FCALL", "w", 0]),
      "-ERR Write commands are not allowed from read-only scripts. script: w, on @user_function:2.\r\n",
    );
    assert.equal(
      h.raw(["FCALL_RO", "plain", 0]),
      "-ERR Can not execute a script with write flag using *_ro command.\r\n",
    );
  });
});

Deno.test("FUNCTION LIST shows flags as a set and a missing description as null", async () => {
  await withHarness((h) => {
    h.run(
      "FUNCTION",
      "LOAD",
      "#!lua name=l\nredis.register_function{function_name='f', callback=function() end, flags={'no-writes', 'allow-stale'}, description='d'}",
    );
    h.run("FUNCTION", "LOAD", lib("m", "g"));
    const entry =
      "*6\r\n$12\r\nlibrary_name\r\n$1\r\nl\r\n$6\r\nengine\r\n$3\r\nLUA\r\n$9\r\nfunctions\r\n" +
      "*1\r\n*6\r\n$4\r\nname\r\n$1\r\nf\r\n$11\r\ndescription\r\n$1\r\nd\r\n$5\r\nflags\r\n" +
      "*2\r\n+no-writes\r\n+allow-stale\r\n";
    assert.equal(h.raw(["FUNCTION", "LIST", "LIBRARYNAME", "L"]), `*1\r\n${entry}`);
    h.run("HELLO", 3);
    assert.equal(
      h.raw(["FUNCTION", "LIST", "LIBRARYNAME", "m", "WITHCODE"]),
      "*1\r\n%4\r\n$12\r\nlibrary_name\r\n$1\r\nm\r\n$6\r\nengine\r\n$3\r\nLUA\r\n$9\r\nfunctions\r\n" +
        "*1\r\n%3\r\n$4\r\nname\r\n$1\r\ng\r\n$11\r\ndescription\r\n_\r\n$5\r\nflags\r\n~0\r\n" +
        `$12\r\nlibrary_code\r\n$${lib("m", "g").length}\r\n${lib("m", "g")}\r\n`,
    );
    assert.equal(
      h.raw(["FUNCTION", "STATS"]),
      "%2\r\n$14\r\nrunning_script\r\n_\r\n$7\r\nengines\r\n%1\r\n$3\r\nLUA\r\n" +
        "%2\r\n$15\r\nlibraries_count\r\n:2\r\n$15\r\nfunctions_count\r\n:2\r\n",
    );
  });
});

Deno.test("FUNCTION KILL, FLUSH and argument errors", async () => {
  await withHarness((h) => {
    assert.equal(h.raw(["FUNCTION", "KILL"]), "-NOTBUSY No scripts in execution right now.\r\n");
    assert.equal(
      h.raw(["FUNCTION", "FLUSH", "x"]),
      "-ERR FUNCTION FLUSH only supports SYNC|ASYNC option\r\n",
    );
    assert.equal(
      h.raw(["FUNCTION", "FLUSH", "sync", "x"]),
      "-ERR unknown subcommand or wrong number of arguments for 'FLUSH'. Try FUNCTION HELP.\r\n",
    );
    assert.equal(h.raw(["FUNCTION", "LIST", "x"]), "-ERR Unknown argument x\r\n");
    assert.equal(
      h.raw(["FUNCTION", "LIST", "LIBRARYNAME"]),
      "-ERR library name argument was not given\r\n",
    );
    h.run("FUNCTION", "LOAD", lib("a", "f"));
    h.run("SCRIPT", "FLUSH");
    assert.equal(h.raw(["FCALL", "f", 0]), ":1\r\n");
    assert.equal(h.raw(["FUNCTION", "FLUSH", "ASYNC"]), "+OK\r\n");
    assert.equal(h.raw(["FCALL", "f", 0]), "-ERR Function not found\r\n");
    // FLUSHALL leaves libraries alone.
    h.run("FUNCTION", "LOAD", lib("a", "f"));
    h.run("FLUSHALL");
    assert.equal(h.raw(["FCALL", "f", 0]), ":1\r\n");
  });
});

Deno.test("FUNCTION DUMP and RESTORE with the APPEND, REPLACE and FLUSH policies", async () => {
  await withHarness((h) => {
    h.run("FUNCTION", "LOAD", lib("a", "f", "return 1"));
    h.run("FUNCTION", "LOAD", lib("b", "g", "return 2"));
    const dump = h.run("FUNCTION", "DUMP") as string;
    // Footer: RDB version 10, then the CRC64.
    assert.equal(dump.charCodeAt(dump.length - 10), 10);
    assert.equal(h.raw(["FUNCTION", "RESTORE", dump]), "-ERR Library a already exists\r\n");
    assert.equal(h.raw(["FUNCTION", "RESTORE", dump, "REPLACE"]), "+OK\r\n");
    h.run("FUNCTION", "DELETE", "a");
    h.run("FUNCTION", "LOAD", lib("c", "f", "return 3"));
    assert.equal(
      h.raw(["FUNCTION", "RESTORE", dump, "replace"]),
      "-ERR Function f already exists\r\n",
    );
    // A failed restore changes nothing.
    assert.equal(h.raw(["FCALL", "f", 0]), ":3\r\n");
    assert.equal(h.raw(["FCALL", "g", 0]), ":2\r\n");
    assert.equal(h.raw(["FUNCTION", "RESTORE", dump, "FLUSH"]), "+OK\r\n");
    assert.equal(h.raw(["FCALL", "f", 0]), ":1\r\n");
    assert.equal(h.raw(["FUNCTION", "DELETE", "c"]), "-ERR Library not found\r\n");
    assert.equal(
      h.raw(["FUNCTION", "RESTORE", dump, "bad"]),
      "-ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.\r\n",
    );
    const broken = dump.slice(0, -1) + String.fromCharCode(dump.charCodeAt(dump.length - 1) ^ 1);
    assert.equal(
      h.raw(["FUNCTION", "RESTORE", broken]),
      "-ERR DUMP payload version or checksum are wrong\r\n",
    );
    // Long code is LZF-compressed and still restores.
    const long = lib("big", "big", `return '${"x".repeat(300)}'`);
    h.run("FUNCTION", "FLUSH");
    h.run("FUNCTION", "LOAD", long);
    const packed = h.run("FUNCTION", "DUMP") as string;
    assert.ok(packed.length < long.length);
    h.run("FUNCTION", "FLUSH");
    assert.equal(h.raw(["FUNCTION", "RESTORE", packed]), "+OK\r\n");
    assert.equal((h.run("FCALL", "big", 0) as string).length, 300);
  });
});

Deno.test("FUNCTION LOAD/DELETE/FLUSH/RESTORE propagate as sent; FCALL propagates its writes", async () => {
  await withHarness((h) => {
    h.run("SET", "x", "1");
    h.propagated();
    h.run("FUNCTION", "LOAD", LIB);
    assert.deepEqual(h.propagated(), [["FUNCTION", "LOAD", LIB]]);
    h.run("FUNCTION", "LOAD", LIB);
    assert.deepEqual(h.propagated(), []);
    h.run("FCALL", "set", 1, "k", "v");
    assert.deepEqual(h.propagated(), [["set", "k", "v"]]);
    h.run("FCALL", "get", 1, "k");
    assert.deepEqual(h.propagated(), []);
    h.run(
      "FUNCTION",
      "LOAD",
      lib("two", "two", "redis.call('set', 'a', '1') redis.call('incr', 'a') return 1"),
    );
    h.propagated();
    h.run("FCALL", "two", 0);
    assert.deepEqual(h.propagated(), [["MULTI"], ["set", "a", "1"], ["incr", "a"], ["EXEC"]]);
    const dump = h.run("FUNCTION", "DUMP") as string;
    h.run("FUNCTION", "RESTORE", dump, "REPLACE");
    h.run("FUNCTION", "DELETE", "two");
    h.run("FUNCTION", "DELETE", "two");
    h.run("FUNCTION", "FLUSH", "SYNC");
    assert.deepEqual(h.propagated(), [
      ["FUNCTION", "RESTORE", dump, "REPLACE"],
      ["FUNCTION", "DELETE", "two"],
      ["FUNCTION", "FLUSH", "SYNC"],
    ]);
  });
});

Deno.test("MONITOR shows the FCALL before the commands its function runs", async () => {
  await withHarness((h) => {
    h.run("FUNCTION", "LOAD", LIB);
    const m = h.newClient();
    h.runAs(m, "MONITOR");
    h.run("FCALL", "set", 1, "k", "v");
    const lines = bytesToStr(m.out.bytes()).split("\r\n").filter((l) => l !== "");
    m.out.reset();
    assert.equal(lines.length, 2);
    assert.match(lines[0], /"FCALL" "set" "1" "k" "v"$/);
    assert.match(lines[1], /\[0 lua\] "set" "k" "v"$/);
  });
});

Deno.test("redis.acl_check_cmd answers for the caller and logs nothing", async () => {
  await withHarness((h) => {
    h.run("ACL", "SETUSER", "u", "on", "nopass", "~k*", "+@all", "-set");
    h.run("AUTH", "u", "x");
    const check = (...a: string[]) =>
      h.raw(["EVAL", `return redis.acl_check_cmd(${a.map((x) => `'${x}'`).join(",")})`, 0]);
    assert.equal(check("get", "k1"), ":1\r\n");
    assert.equal(check("get", "zz"), "$-1\r\n");
    assert.equal(check("set", "k1", "v"), "$-1\r\n");
    assert.equal(h.raw(["ACL", "LOG"]), "*0\r\n");
    // redis.call of a denied key is refused with the script error and logged.
    assert.match(
      h.raw(["EVAL", "return redis.call('get', 'zz')", 0]),
      /^-ERR The user executing the script can't access at least one of the keys/,
    );
    assert.equal((h.run("ACL", "LOG") as unknown[]).length, 1);
  });
});

Deno.test("INFO memory has Redis 7.0's Lua and functions fields in order", async () => {
  await withHarness((h) => {
    h.run("EVAL", "return 1", 0);
    h.run("FUNCTION", "LOAD", LIB);
    const info = h.run("INFO", "memory") as string;
    const fields = new Map(
      info.split("\r\n").filter((l) => l.includes(":")).map((l) =>
        l.split(":") as [string, string]
      ),
    );
    const names = [...fields.keys()];
    const lua = [
      "used_memory_lua",
      "used_memory_vm_eval",
      "used_memory_lua_human",
      "used_memory_scripts_eval",
      "number_of_cached_scripts",
      "number_of_functions",
      "number_of_libraries",
      "used_memory_vm_functions",
      "used_memory_vm_total",
      "used_memory_vm_total_human",
      "used_memory_functions",
      "used_memory_scripts",
      "used_memory_scripts_human",
    ];
    const at = names.indexOf("total_system_memory_human");
    assert.deepEqual(names.slice(at + 1, at + 1 + lua.length), lua);
    assert.equal(fields.get("number_of_cached_scripts"), "1");
    assert.equal(fields.get("number_of_functions"), "3");
    assert.equal(fields.get("number_of_libraries"), "1");
    const n = (k: string) => Number(fields.get(k));
    assert.equal(
      n("used_memory_vm_total"),
      n("used_memory_vm_eval") + n("used_memory_vm_functions"),
    );
    assert.equal(
      n("used_memory_scripts"),
      n("used_memory_scripts_eval") + n("used_memory_functions"),
    );
    assert.ok(n("used_memory_functions") > 200);
  });
});

Deno.test("libraries round-trip through RDB FUNCTION2 records", async () => {
  const a = new Harness();
  const b = new Harness();
  try {
    a.run("FUNCTION", "LOAD", LIB);
    a.run("FUNCTION", "LOAD", lib("other", "o", "return 'o'"));
    const w = new RdbWriter(null);
    w.rawStr("REDIS0010");
    writeFunctionsRdb(w, a.server);
    w.finish();
    const codes: string[] = [];
    readRdb(w.toBytes(), { key: () => {}, functionCode: (c) => codes.push(c) });
    assert.deepEqual(codes, [LIB, lib("other", "o", "return 'o'")]);
    b.run("FUNCTION", "LOAD", lib("stale", "s"));
    clearFunctionsForLoad(b.server);
    for (const c of codes) loadFunctionRdb(b.server, c);
    assert.equal(b.raw(["FCALL", "o", 0]), "$1\r\no\r\n");
    assert.equal(b.raw(["FCALL", "s", 0]), "-ERR Function not found\r\n");
    assert.throws(() => loadFunctionRdb(b.server, LIB), {
      message: "Failed loading library, Library 'lib' already exists",
    });
    loadFunctionRdb(b.server, LIB, true);
    assert.equal(functionsOf(b.server).ctx.libraries.size, 2);
    assert.deepEqual(functionsAofCommands(a.server), [
      ["FUNCTION", "LOAD", LIB],
      ["FUNCTION", "LOAD", lib("other", "o", "return 'o'")],
    ]);
    // The DUMP payload is the same records plus DUMP's footer.
    const dump = strToBytes(a.run("FUNCTION", "DUMP") as string);
    const body = bytesToStr(dump.subarray(0, dump.length - 10));
    const w2 = new RdbWriter(null);
    writeFunctionsRdb(w2, a.server);
    assert.equal(body, bytesToStr(w2.toBytes()));
  } finally {
    await a.close();
    await b.close();
  }
});
