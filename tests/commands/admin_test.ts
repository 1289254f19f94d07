// Admin family through the dispatcher: INFO, CONFIG, COMMAND, TIME, SHUTDOWN, MONITOR,
// SLOWLOG, LATENCY, MEMORY, DEBUG. Expected bytes come from a real redis-server 7.0.15
// wherever the format is fixed.

import assert from "node:assert/strict";
import { Harness } from "../helpers/harness.ts";
import { HdrHistogram } from "../../src/latency.ts";
import { bytesToStr } from "../../src/util/bytes.ts";
import { type Config, parseArgs } from "../../src/config.ts";
import { execute } from "../../src/commands/dispatcher.ts";
import { Server } from "../../src/server.ts";
import { encodeCommand } from "../../src/resp/encoder.ts";
import { RespClient } from "../helpers/resp_client.ts";
import { startServer } from "../helpers/server.ts";

/** Runs `fn` with a fresh harness and always closes it. */
async function withHarness(args: string[], fn: (h: Harness) => void | Promise<void>) {
  const h = new Harness(args);
  try {
    await fn(h);
  } finally {
    await h.close();
  }
}

function infoText(h: Harness, ...sections: string[]): string {
  return h.run("INFO", ...sections) as string;
}

function infoField(h: Harness, section: string, field: string): string | undefined {
  for (const line of infoText(h, section).split("\r\n")) {
    if (line.startsWith(field + ":")) return line.slice(field.length + 1);
  }
  return undefined;
}

// --- INFO

Deno.test("INFO with no argument lists the default sections in Redis's order", async () => {
  await withHarness([], (h) => {
    const headers = infoText(h).split("\r\n").filter((l) => l.startsWith("# "));
    assert.deepEqual(headers, [
      "# Server",
      "# Clients",
      "# Memory",
      "# Persistence",
      "# Stats",
      "# Replication",
      "# CPU",
      "# Modules",
      "# Errorstats",
      "# Cluster",
      "# Keyspace",
    ]);
  });
});

Deno.test("INFO all and everything add commandstats and latencystats", async () => {
  await withHarness([], (h) => {
    for (const arg of ["all", "everything", "ALL"]) {
      const headers = infoText(h, arg).split("\r\n").filter((l) => l.startsWith("# "));
      assert.deepEqual(headers, [
        "# Server",
        "# Clients",
        "# Memory",
        "# Persistence",
        "# Stats",
        "# Replication",
        "# CPU",
        "# Modules",
        "# Commandstats",
        "# Errorstats",
        "# Latencystats",
        "# Cluster",
        "# Keyspace",
      ]);
    }
  });
});

Deno.test("INFO sections come in Redis's order whatever the argument order", async () => {
  await withHarness([], (h) => {
    assert.equal(
      h.raw(["INFO", "keyspace", "CLUSTER"]),
      "$44\r\n# Cluster\r\ncluster_enabled:0\r\n\r\n# Keyspace\r\n\r\n",
    );
    assert.equal(h.raw(["INFO", "nosuchsection"]), "$0\r\n\r\n");
    assert.equal(h.raw(["INFO", "keyspace"]), "$12\r\n# Keyspace\r\n\r\n");
  });
});

Deno.test("INFO keyspace reports keys, expires and avg_ttl per non-empty db", async () => {
  await withHarness([], (h) => {
    h.run("SET", "k", "v");
    h.run("SET", "e", "v", "EX", "100");
    h.run("SELECT", "2");
    h.run("SET", "k2", "v");
    assert.equal(
      h.raw(["INFO", "keyspace"]),
      "$76\r\n# Keyspace\r\ndb0:keys=2,expires=1,avg_ttl=0\r\ndb2:keys=1,expires=0,avg_ttl=0\r\n\r\n",
    );
  });
});

Deno.test("INFO is a verbatim txt string in RESP3", async () => {
  await withHarness([], (h) => {
    h.run("HELLO", "3");
    assert.equal(h.raw(["INFO", "keyspace"]), "=16\r\ntxt:# Keyspace\r\n\r\n");
  });
});

Deno.test("INFO server carries version, ids and our own fields", async () => {
  await withHarness([], (h) => {
    assert.equal(infoField(h, "server", "redis_version"), "7.0.15");
    assert.equal(infoField(h, "server", "redis_mode"), "standalone");
    assert.equal(infoField(h, "server", "arch_bits"), "64");
    assert.equal(infoField(h, "server", "process_id"), String(Deno.pid));
    assert.match(infoField(h, "server", "run_id")!, /^[0-9a-f]{40}$/);
    assert.equal(infoField(h, "server", "server_name"), "redis-server-deno");
    assert.equal(infoField(h, "server", "hz"), "10");
    assert.equal(infoField(h, "server", "config_file"), "");
  });
});

Deno.test("INFO stats, persistence and replication reflect server state", async () => {
  await withHarness([], (h) => {
    h.run("SET", "a", "1");
    h.run("SET", "b", "2");
    assert.equal(infoField(h, "persistence", "rdb_changes_since_last_save"), "2");
    assert.equal(infoField(h, "persistence", "loading"), "0");
    assert.equal(infoField(h, "persistence", "aof_enabled"), "0");
    h.run("GET", "a");
    h.run("GET", "nosuch");
    assert.equal(infoField(h, "stats", "keyspace_hits"), "1");
    assert.equal(infoField(h, "stats", "keyspace_misses"), "1");
    assert.equal(infoField(h, "replication", "role"), "master");
    assert.equal(infoField(h, "replication", "connected_slaves"), "0");
    const id = infoField(h, "replication", "master_replid")!;
    assert.match(id, /^[0-9a-f]{40}$/);
    assert.equal(infoField(h, "replication", "master_replid"), id);
    assert.equal(infoField(h, "replication", "master_replid2"), "0".repeat(40));
  });
});

Deno.test("INFO commandstats and errorstats count calls, failures and error codes", async () => {
  await withHarness([], (h) => {
    h.run("CONFIG", "RESETSTAT");
    h.run("SET", "s", "x");
    h.run("INCR", "s");
    h.run("NOSUCH");
    h.run("CONFIG", "GET", "hz");
    const stats = infoText(h, "commandstats");
    assert.match(
      stats,
      /\r\ncmdstat_incr:calls=1,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=0,failed_calls=1\r\n/,
    );
    assert.match(stats, /\r\ncmdstat_config\|get:calls=1,/);
    assert.equal(
      h.raw(["INFO", "errorstats"]),
      "$37\r\n# Errorstats\r\nerrorstat_ERR:count=2\r\n\r\n",
    );
    assert.equal(infoField(h, "stats", "total_error_replies"), "2");
  });
});

Deno.test("INFO latencystats reports per-command percentiles", async () => {
  await withHarness([], (h) => {
    h.run("PING");
    assert.match(
      infoText(h, "latencystats"),
      /\r\nlatency_percentiles_usec_ping:p50=\d+\.\d{3},p99=\d+\.\d{3},p99\.9=\d+\.\d{3}\r\n/,
    );
    h.run("CONFIG", "SET", "latency-tracking", "no");
    assert.equal(infoText(h, "latencystats"), "# Latencystats\r\n");
  });
});

// --- CONFIG

Deno.test("CONFIG GET replies name/value pairs, a map in RESP3", async () => {
  await withHarness([], (h) => {
    assert.equal(h.raw(["CONFIG", "GET", "maxmemory"]), "*2\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n");
    assert.equal(h.raw(["CONFIG", "GET", "nosuch"]), "*0\r\n");
    h.run("HELLO", "3");
    assert.equal(h.raw(["CONFIG", "GET", "maxmemory"]), "%1\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n");
  });
});

Deno.test("CONFIG GET keeps an exact name as typed and matches globs case-insensitively", async () => {
  await withHarness([], (h) => {
    assert.deepEqual(h.run("CONFIG", "GET", "TIMEOUT"), ["TIMEOUT", "0"]);
    assert.deepEqual(h.run("CONFIG", "GET", "Slave-Read-Only"), ["Slave-Read-Only", "yes"]);
    assert.deepEqual(h.run("CONFIG", "GET", "SLAVE-READ*"), ["slave-read-only", "yes"]);
    assert.deepEqual(h.run("CONFIG", "GET", "timeout", "TIMEOUT", "time*"), ["timeout", "0"]);
    // Hidden directives answer only to their exact name.
    assert.deepEqual(h.run("CONFIG", "GET", "rdb-key-save-delay", "rdb-key*"), [
      "rdb-key-save-delay",
      "0",
    ]);
    const all = h.run("CONFIG", "GET", "*") as string[];
    assert.equal(all.length, 384);
  });
});

Deno.test("CONFIG SET reports Redis's error texts", async () => {
  await withHarness([], (h) => {
    const err = (...a: string[]) => (h.run("CONFIG", "SET", ...a) as { error: string }).error;
    assert.equal(
      err("foo", "bar"),
      "ERR Unknown option or number of arguments for CONFIG SET - 'foo'",
    );
    assert.equal(
      err("maxmemory", "10x"),
      "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value",
    );
    assert.equal(
      err("maxmemory", "1mb", "maxmemory", "2mb"),
      "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - duplicate parameter",
    );
    assert.equal(err("maxmemory", "1mb", "port"), "ERR syntax error");
    assert.equal(
      err("hz", "-1"),
      "ERR CONFIG SET failed (possibly related to argument 'hz') - argument must be between 0 and 2147483647 inclusive",
    );
    assert.equal(
      err("daemonize", "yes"),
      "ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config",
    );
    assert.equal(
      err("dir", "/tmp"),
      "ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config",
    );
    assert.equal(
      err("slave-read-only", "maybe"),
      "ERR CONFIG SET failed (possibly related to argument 'slave-read-only') - argument must be 'yes' or 'no'",
    );
    assert.equal(
      err("appendfsync", "bar"),
      "ERR CONFIG SET failed (possibly related to argument 'appendfsync') - argument(s) must be one of the following: everysec, always, no",
    );
    assert.equal(
      err("maxmemory-clients", "200%"),
      "ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - percentage argument must be less or equal to 100",
    );
    assert.equal(
      err("save", "0 1"),
      "ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters",
    );
    assert.deepEqual(h.run("CONFIG", "SET"), {
      error: "ERR wrong number of arguments for 'config|set' command",
    });
  });
});

Deno.test("CONFIG SET is all or nothing", async () => {
  await withHarness([], (h) => {
    assert.deepEqual(h.run("CONFIG", "SET", "timeout", "5", "hz", "x"), {
      error:
        "ERR CONFIG SET failed (possibly related to argument 'hz') - argument couldn't be parsed into an integer",
    });
    assert.deepEqual(h.run("CONFIG", "GET", "timeout"), ["timeout", "0"]);
    assert.deepEqual(h.run("CONFIG", "SET", "timeout", "5", "maxmemory", "1GB"), { status: "OK" });
    assert.deepEqual(h.run("CONFIG", "GET", "timeout"), ["timeout", "5"]);
    assert.deepEqual(h.run("CONFIG", "GET", "maxmemory"), ["maxmemory", "1073741824"]);
  });
});

Deno.test("CONFIG SET normalises values as CONFIG GET shows them", async () => {
  await withHarness([], (h) => {
    const setGet = (name: string, value: string) => {
      assert.deepEqual(h.run("CONFIG", "SET", name, value), { status: "OK" });
      return (h.run("CONFIG", "GET", name) as string[])[1];
    };
    assert.equal(setGet("hz", "1000"), "500");
    assert.equal(setGet("hz", "0"), "1");
    assert.equal(setGet("notify-keyspace-events", "KEA"), "AKE");
    assert.equal(setGet("notify-keyspace-events", "gmndtKE"), "gtdnKEm");
    assert.equal(
      setGet("client-output-buffer-limit", "replica 1mb 2k 3"),
      "normal 0 0 0 slave 1048576 2000 3 pubsub 33554432 8388608 60",
    );
    assert.equal(setGet("latency-tracking-info-percentiles", "50.5 99.990 100"), "50.5 99.99 100");
    assert.equal(setGet("shutdown-on-sigint", "default save"), "save");
    assert.equal(setGet("oom-score-adj", "relative"), "yes");
    assert.equal(setGet("maxmemory-clients", "10%"), "10%");
    assert.equal(setGet("maxmemory-policy", "ALLKEYS-LRU"), "allkeys-lru");
    assert.equal(setGet("save", "100 10 50 5"), "100 10 50 5");
    assert.equal(setGet("save", ""), "");
  });
});

Deno.test("CONFIG SET of a protected directive works when enable-protected-configs is yes", async () => {
  const dir = await Deno.makeTempDir();
  const cwd = Deno.cwd();
  try {
    await withHarness(["--enable-protected-configs", "yes"], (h) => {
      assert.deepEqual(h.run("CONFIG", "SET", "dir", dir), { status: "OK" });
      assert.deepEqual(h.run("CONFIG", "GET", "dir"), ["dir", Deno.realPathSync(dir)]);
    });
  } finally {
    Deno.chdir(cwd);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("CONFIG RESETSTAT zeroes command, error and server counters", async () => {
  await withHarness([], (h) => {
    h.run("SET", "a", "1");
    h.run("NOSUCH");
    assert.deepEqual(h.run("CONFIG", "RESETSTAT"), { status: "OK" });
    assert.equal(infoText(h, "errorstats"), "# Errorstats\r\n");
    // RESETSTAT itself and the INFO above count.
    assert.equal(infoField(h, "stats", "total_commands_processed"), "2");
    assert.doesNotMatch(infoText(h, "commandstats"), /cmdstat_set/);
  });
});

Deno.test("CONFIG REWRITE without a config file fails", async () => {
  await withHarness([], (h) => {
    assert.deepEqual(h.run("CONFIG", "REWRITE"), {
      error: "ERR The server is running without a config file",
    });
  });
});

Deno.test("CONFIG REWRITE keeps comments, rewrites known lines and appends the rest", async () => {
  const dir = await Deno.makeTempDir();
  const cwd = Deno.cwd();
  const file = `${dir}/r.conf`;
  await Deno.writeTextFile(
    file,
    "# my comment\nport 6390\nsave 900 1\nsave 300 10\nslave-read-only no\nmaxmemory 100mb\n" +
      "# foo-unknown bar\n\nhz   15\nclient-output-buffer-limit pubsub 32mb 8mb 60\n",
  );
  try {
    // The harness puts its own options first; a config file must be the first argument.
    const parsed = parseArgs([file, "--dir", dir]);
    assert.equal(parsed.kind, "run");
    const server = new Server((parsed as { config: Config }).config);
    const client = server.createClient(null);
    server.clients.set(client.id, client);
    const run = (...argv: string[]) => {
      execute(server, client, argv);
      const out = bytesToStr(client.out.bytes());
      client.out.reset();
      return out;
    };
    try {
      assert.equal(run("CONFIG", "SET", "maxmemory", "3000", "save", "", "hz", "10"), "+OK\r\n");
      assert.equal(run("CONFIG", "SET", "requirepass", 'a b"c'), "+OK\r\n");
      assert.equal(run("CONFIG", "REWRITE"), "+OK\r\n");
      assert.equal(
        (parseArgs([file]) as { config: Config }).config.get("requirepass"),
        'a b"c',
      );
    } finally {
      await server.shutdown();
    }
    assert.equal(
      await Deno.readTextFile(file),
      [
        "# my comment",
        "port 6390",
        'save ""',
        "",
        "replica-read-only no",
        "maxmemory 3000",
        "# foo-unknown bar",
        "",
        "hz 10",
        "client-output-buffer-limit normal 0 0 0",
        "",
        "# Generated by CONFIG REWRITE",
        `dir "${Deno.realPathSync(dir)}"`,
        'requirepass "a b\\"c"',
        "latency-tracking-info-percentiles 50 99 99.9",
        `user default on #0c13a69ba69e1b7cc515a470879bf69f0d5d2d14b6802a3c0ac678076353fd18 ~* &* +@all`,
        "",
      ].join("\n"),
    );
  } finally {
    Deno.chdir(cwd);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("CONFIG HELP lists the subcommands", async () => {
  await withHarness([], (h) => {
    const lines = h.run("CONFIG", "HELP") as { status: string }[];
    assert.equal(
      lines[0].status,
      "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    );
    assert.equal(lines.length, 11);
    assert.equal(lines[10].status, "    Prints this help.");
  });
});

// --- COMMAND

Deno.test("COMMAND INFO replies Redis 7.0's ten fields", async () => {
  await withHarness([], (h) => {
    assert.equal(
      h.raw(["COMMAND", "INFO", "time"]),
      "*1\r\n*10\r\n$4\r\ntime\r\n:1\r\n*3\r\n+loading\r\n+stale\r\n+fast\r\n:0\r\n:0\r\n:0\r\n*1\r\n+@fast\r\n*1\r\n$23\r\nnondeterministic_output\r\n*0\r\n*0\r\n",
    );
    assert.equal(
      h.raw(["COMMAND", "INFO", "memory|usage"]),
      "*1\r\n*10\r\n$12\r\nmemory|usage\r\n:-3\r\n*1\r\n+readonly\r\n:2\r\n:2\r\n:1\r\n*2\r\n+@read\r\n+@slow\r\n*0\r\n*1\r\n*6\r\n$5\r\nflags\r\n*1\r\n+RO\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:2\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n",
    );
    assert.equal(h.raw(["COMMAND", "INFO", "nosuch"]), "*1\r\n$-1\r\n");
    h.run("HELLO", "3");
    assert.equal(
      h.raw(["COMMAND", "INFO", "time"]),
      "*1\r\n*10\r\n$4\r\ntime\r\n:1\r\n~3\r\n+loading\r\n+stale\r\n+fast\r\n:0\r\n:0\r\n:0\r\n~1\r\n+@fast\r\n~1\r\n$23\r\nnondeterministic_output\r\n~0\r\n~0\r\n",
    );
  });
});

Deno.test("COMMAND INFO nests subcommands and derives implicit ACL categories", async () => {
  await withHarness([], (h) => {
    const [config] = h.run("COMMAND", "INFO", "config") as unknown[][];
    assert.equal(config[0], "config");
    assert.deepEqual(config[6], [{ status: "@slow" }]);
    const subs = config[9] as unknown[][];
    const get = subs.find((s) => s[0] === "config|get")!;
    assert.deepEqual(get[2], ["admin", "noscript", "loading", "stale"].map((s) => ({ status: s })));
    assert.deepEqual(get[6], ["@admin", "@slow", "@dangerous"].map((s) => ({ status: s })));
  });
});

Deno.test("COMMAND DOCS replies summary, since, group, complexity, history and arguments", async () => {
  await withHarness([], (h) => {
    assert.equal(
      h.raw(["COMMAND", "DOCS", "time"]),
      "*2\r\n$4\r\ntime\r\n*8\r\n$7\r\nsummary\r\n$30\r\nReturn the current server time\r\n$5\r\nsince\r\n$5\r\n2.6.0\r\n$5\r\ngroup\r\n$6\r\nserver\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n",
    );
    assert.equal(
      h.raw(["COMMAND", "DOCS", "memory|usage"]),
      "*2\r\n$12\r\nmemory|usage\r\n*10\r\n$7\r\nsummary\r\n$34\r\nEstimate the memory usage of a key\r\n$5\r\nsince\r\n$5\r\n4.0.0\r\n$5\r\ngroup\r\n$6\r\nserver\r\n$10\r\ncomplexity\r\n$38\r\nO(N) where N is the number of samples.\r\n$9\r\narguments\r\n*2\r\n*6\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n*8\r\n$4\r\nname\r\n$5\r\ncount\r\n$4\r\ntype\r\n$7\r\ninteger\r\n$5\r\ntoken\r\n$7\r\nSAMPLES\r\n$5\r\nflags\r\n*1\r\n+optional\r\n",
    );
    assert.equal(h.raw(["COMMAND", "DOCS", "nosuch"]), "*0\r\n");
    const all = h.run("COMMAND", "DOCS") as unknown[];
    assert.equal(all.length, 2 * (h.run("COMMAND", "COUNT") as number));
  });
});

Deno.test("COMMAND alone and COMMAND COUNT cover the whole table", async () => {
  await withHarness([], (h) => {
    const count = h.run("COMMAND", "COUNT") as number;
    assert.equal(count, h.server.table.commands.size);
    assert.equal((h.run("COMMAND") as unknown[]).length, count);
    assert.equal((h.run("COMMAND", "INFO") as unknown[]).length, count);
  });
});

Deno.test("COMMAND LIST filters by pattern, ACL category and module", async () => {
  await withHarness([], (h) => {
    assert.deepEqual(
      (h.run("COMMAND", "LIST", "FILTERBY", "PATTERN", "CONF*") as string[]).sort(),
      ["config", "config|get", "config|help", "config|resetstat", "config|rewrite", "config|set"],
    );
    assert.ok(
      (h.run("COMMAND", "LIST", "FILTERBY", "ACLCAT", "admin") as string[]).includes("config|set"),
    );
    assert.deepEqual(h.run("COMMAND", "LIST", "FILTERBY", "ACLCAT", "nonexist"), []);
    assert.deepEqual(h.run("COMMAND", "LIST", "FILTERBY", "MODULE", "x"), []);
    assert.deepEqual(h.run("COMMAND", "LIST", "FILTERBY", "foo", "x"), {
      error: "ERR syntax error",
    });
    assert.deepEqual(h.run("COMMAND", "LIST", "FILTERBY"), { error: "ERR syntax error" });
    assert.ok((h.run("COMMAND", "LIST") as string[]).includes("command|list"));
  });
});

Deno.test("COMMAND GETKEYS and GETKEYSANDFLAGS extract keys from key specs", async () => {
  await withHarness([], (h) => {
    assert.deepEqual(h.run("COMMAND", "GETKEYS", "get", "a"), ["a"]);
    assert.deepEqual(h.run("COMMAND", "GETKEYS", "mset", "a", "1", "b", "2"), ["a", "b"]);
    assert.deepEqual(h.run("COMMAND", "GETKEYS", "memory", "usage", "k"), ["k"]);
    assert.equal(
      h.raw(["COMMAND", "GETKEYSANDFLAGS", "memory", "usage", "k"]),
      "*1\r\n*2\r\n$1\r\nk\r\n*1\r\n+RO\r\n",
    );
    const err = (...a: string[]) => (h.run("COMMAND", "GETKEYS", ...a) as { error: string }).error;
    assert.equal(err("foo", "a"), "ERR Invalid command specified");
    assert.equal(err("config", "get", "foo"), "ERR The command has no key arguments");
    assert.equal(err("get", "a", "b"), "ERR Invalid number of arguments specified for command");
    assert.equal(err("get"), "ERR wrong number of arguments for 'command|getkeys' command");
  });
});

Deno.test("COMMAND HELP is Redis's text", async () => {
  await withHarness([], (h) => {
    const lines = (h.run("COMMAND", "HELP") as { status: string }[]).map((l) => l.status);
    assert.equal(lines.length, 21);
    assert.equal(lines[1], "(no subcommand)");
    assert.equal(lines[18], "    Return the keys and the access flags from a full Redis command.");
  });
});

// --- TIME, SHUTDOWN, MONITOR

Deno.test("TIME replies seconds and microseconds as bulk strings", async () => {
  await withHarness([], (h) => {
    const [s, us] = h.run("TIME") as string[];
    assert.match(s, /^\d+$/);
    assert.match(us, /^\d{1,6}$/);
    assert.ok(Math.abs(Number(s) - Date.now() / 1000) < 5);
    assert.deepEqual(h.run("TIME", "x"), {
      error: "ERR wrong number of arguments for 'time' command",
    });
  });
});

Deno.test("SHUTDOWN rejects bad flag combinations and ABORT without a shutdown", async () => {
  await withHarness([], (h) => {
    assert.deepEqual(h.run("SHUTDOWN", "foo"), { error: "ERR syntax error" });
    assert.deepEqual(h.run("SHUTDOWN", "SAVE", "NOSAVE"), { error: "ERR syntax error" });
    assert.deepEqual(h.run("SHUTDOWN", "ABORT", "NOW"), { error: "ERR syntax error" });
    assert.deepEqual(h.run("SHUTDOWN", "ABORT"), { error: "ERR No shutdown in progress." });
    h.run("MULTI");
    assert.deepEqual(h.run("SHUTDOWN"), { error: "ERR Command not allowed inside a transaction" });
    h.run("DISCARD");
  });
});

Deno.test("SHUTDOWN that must save fails when the save fails, unless FORCE", async () => {
  const cwd = Deno.cwd();
  const dir = await Deno.makeTempDir();
  // A directory where the temp dump file goes makes every save fail.
  await Deno.mkdir(`${dir}/temp-${Deno.pid}.rdb`);
  try {
    await withHarness(["--dir", dir], (h) => {
      assert.deepEqual(h.run("SHUTDOWN", "SAVE"), {
        error: "ERR Errors trying to SHUTDOWN. Check logs.",
      });
      h.run("CONFIG", "SET", "save", "60 1");
      assert.deepEqual(h.run("SHUTDOWN"), {
        error: "ERR Errors trying to SHUTDOWN. Check logs.",
      });
    });
  } finally {
    Deno.chdir(cwd);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SHUTDOWN NOSAVE stops the server without a reply", async () => {
  const h = new Harness();
  assert.equal(h.raw(["SHUTDOWN", "NOSAVE"]), "");
  await h.server.finished;
  await h.close();
});

Deno.test("MONITOR streams other clients' commands", async () => {
  await withHarness([], (h) => {
    const m = h.newClient();
    assert.deepEqual(h.runAs(m, "MONITOR"), { status: "OK" });
    assert.equal(h.raw(["MONITOR"], m), ""); // already monitoring: no reply
    h.run("SET", "k", "a b\n");
    const line = bytesToStr(m.out.bytes());
    m.out.reset();
    assert.match(line, /^\+\d+\.\d{6} \[0 lua\] "SET" "k" "a b\\n"\r\n$/);
    h.run("MULTI");
    h.run("MONITOR");
    assert.deepEqual(h.run("EXEC"), [{
      error: "ERR MONITOR isn't allowed for DENY BLOCKING client",
    }]);
  });
});

// --- SLOWLOG

Deno.test("SLOWLOG GET, LEN and RESET", async () => {
  await withHarness([], (h) => {
    h.run("CONFIG", "SET", "slowlog-log-slower-than", "0");
    h.run("SLOWLOG", "RESET");
    h.run("SET", "a", "1");
    const entries = h.run("SLOWLOG", "GET", "1") as unknown[][];
    assert.equal(entries.length, 1);
    const [id, time, usec, args, addr, name] = entries[0];
    assert.equal(typeof id, "number");
    assert.ok(Math.abs((time as number) - Date.now() / 1000) < 5);
    assert.equal(typeof usec, "number");
    assert.deepEqual(args, ["SET", "a", "1"]);
    assert.equal(addr, "");
    assert.equal(name, "");
    assert.equal(h.run("SLOWLOG", "LEN"), 3);
    assert.equal((h.run("SLOWLOG", "GET", "-1") as unknown[]).length, 4);
    assert.deepEqual(h.run("SLOWLOG", "GET", "-2"), {
      error: "ERR count should be greater than or equal to -1",
    });
    assert.deepEqual(h.run("SLOWLOG", "GET", "1", "2"), {
      error: "ERR unknown subcommand or wrong number of arguments for 'GET'. Try SLOWLOG HELP.",
    });
    h.run("CONFIG", "SET", "slowlog-log-slower-than", "-1");
    assert.deepEqual(h.run("SLOWLOG", "RESET"), { status: "OK" });
    assert.equal(h.run("SLOWLOG", "LEN"), 0);
  });
});

Deno.test("SLOWLOG shows CONFIG SET secrets as (redacted)", async () => {
  await withHarness([], (h) => {
    h.run("CONFIG", "SET", "slowlog-log-slower-than", "0");
    h.run("CONFIG", "SET", "masterauth", "secret", "timeout", "0");
    const [entry] = h.run("SLOWLOG", "GET", "1") as unknown[][];
    assert.deepEqual(entry[3], ["CONFIG", "SET", "masterauth", "(redacted)", "timeout", "0"]);
    assert.deepEqual(h.run("CONFIG", "GET", "masterauth"), ["masterauth", "secret"]);
  });
});

// --- LATENCY

Deno.test("LATENCY records nothing while latency-monitor-threshold is 0", async () => {
  await withHarness(["--enable-debug-command", "yes"], (h) => {
    h.run("DEBUG", "SLEEP", "0.01");
    assert.deepEqual(h.run("LATENCY", "LATEST"), []);
    assert.deepEqual(h.run("LATENCY", "HISTORY", "command"), []);
    assert.deepEqual(h.run("LATENCY", "GRAPH", "command"), {
      error: "ERR No samples available for event 'command'",
    });
  });
});

Deno.test("LATENCY LATEST, HISTORY, GRAPH and RESET after a slow command", async () => {
  await withHarness(["--enable-debug-command", "yes", "--latency-monitor-threshold", "5"], (h) => {
    h.run("DEBUG", "SLEEP", "0.02");
    const [[event, time, ms, max]] = h.run("LATENCY", "LATEST") as [
      string,
      number,
      number,
      number,
    ][];
    assert.equal(event, "command");
    assert.ok(ms >= 20 && max === ms);
    assert.ok(Math.abs(time - Date.now() / 1000) < 5);
    assert.deepEqual(h.run("LATENCY", "HISTORY", "command"), [[time, ms]]);
    assert.equal(
      h.run("LATENCY", "GRAPH", "command"),
      `command - high ${ms} ms, low ${ms} ms (all time high ${ms} ms)\n${
        "-".repeat(80)
      }\n \n \n \n_\n \n0\ns\n`,
    );
    assert.equal(h.run("LATENCY", "RESET", "nosuch", "COMMAND"), 1);
    assert.equal(h.run("LATENCY", "RESET"), 0);
  });
});

Deno.test("LATENCY HISTOGRAM replies calls and cumulative buckets per command", async () => {
  await withHarness([], (h) => {
    h.run("PING");
    h.run("PING");
    const m = h.run("LATENCY", "HISTOGRAM", "ping", "nosuch") as unknown[];
    assert.equal(m[0], "ping");
    const body = m[1] as unknown[];
    assert.equal(body[0], "calls");
    assert.equal(body[1], 2);
    assert.equal(body[2], "histogram_usec");
    const buckets = body[3] as number[];
    assert.equal(buckets[buckets.length - 1], 2);
  });
});

Deno.test("HdrHistogram reproduces Redis's bucket bounds", () => {
  const h = new HdrHistogram();
  h.record(11000);
  h.record(150500);
  assert.equal(h.valueAtPercentile(50), 11007);
  assert.equal(h.valueAtPercentile(100), 150527);
  assert.deepEqual(h.cdf(), [[16, 1], [264, 2]]);
});

// --- MEMORY

Deno.test("MEMORY USAGE matches Redis's figures for strings", async () => {
  await withHarness([], (h) => {
    const usage = (key: string, value: string) => {
      h.run("SET", key, value);
      return h.run("MEMORY", "USAGE", key);
    };
    assert.equal(usage("a", "b"), 64);
    assert.equal(usage("n", "12345"), 48);
    assert.equal(usage("n2", "123456789012"), 48);
    assert.equal(usage("s", "12345678901234567890123456789012345678901234"), 96);
    assert.equal(usage("s2", "123456789012345678901234567890123456789012345"), 112);
    assert.equal(usage("longkeyname_abcdefghijkl", "x"), 88);
    assert.equal(usage("big", "a".repeat(100)), 160);
    assert.equal(usage("big2", "x".repeat(1000)), 1072);
    assert.equal(usage("k".repeat(30), "x"), 88);
    assert.equal(usage("k".repeat(300), "x"), 376);
    assert.equal(h.run("MEMORY", "USAGE", "nokey"), null);
    assert.deepEqual(h.run("MEMORY", "USAGE", "a", "SAMPLES"), { error: "ERR syntax error" });
    assert.deepEqual(h.run("MEMORY", "USAGE", "a", "SAMPLES", "-1"), { error: "ERR syntax error" });
    assert.deepEqual(h.run("MEMORY", "USAGE", "a", "SAMPLES", "x"), {
      error: "ERR value is not an integer or out of range",
    });
    assert.equal(h.run("MEMORY", "USAGE", "a", "SAMPLES", "0"), 64);
  });
});

Deno.test("MEMORY STATS, PURGE and MALLOC-STATS", async () => {
  await withHarness([], (h) => {
    h.run("SET", "a", "b");
    const stats = h.run("MEMORY", "STATS") as unknown[];
    const keys = stats.filter((_, i) => i % 2 === 0);
    assert.deepEqual(keys.slice(0, 11), [
      "peak.allocated",
      "total.allocated",
      "startup.allocated",
      "replication.backlog",
      "clients.slaves",
      "clients.normal",
      "cluster.links",
      "aof.buffer",
      "lua.caches",
      "functions.caches",
      "db.0",
    ]);
    assert.equal(stats[keys.indexOf("keys.count") * 2 + 1], 1);
    assert.deepEqual(h.run("MEMORY", "PURGE"), { status: "OK" });
    assert.equal(h.run("MEMORY", "MALLOC-STATS"), "Stats not supported for the current allocator");
  });
});

// --- DEBUG

Deno.test("DEBUG is refused unless enable-debug-command allows it", async () => {
  await withHarness([], (h) => {
    assert.deepEqual(h.run("DEBUG", "HELP"), {
      error:
        'ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.',
    });
  });
  await withHarness(["--enable-debug-command", "local"], (h) => {
    assert.equal((h.run("DEBUG", "HELP") as unknown[]).length, 31);
  });
});

Deno.test("DEBUG OBJECT describes a string value", async () => {
  await withHarness(["--enable-debug-command", "yes"], (h) => {
    h.run("SET", "a", "b");
    h.run("SET", "n", "12345");
    h.run("SET", "small", "5");
    const obj = (k: string) => (h.run("DEBUG", "OBJECT", k) as { status: string }).status;
    assert.match(
      obj("a"),
      /^Value at:0x0 refcount:1 encoding:embstr serializedlength:2 lru:\d+ lru_seconds_idle:0$/,
    );
    assert.match(obj("n"), / refcount:1 encoding:int serializedlength:3 /);
    assert.match(obj("small"), / refcount:2147483647 encoding:int serializedlength:2 /);
    assert.deepEqual(h.run("DEBUG", "OBJECT", "nokey"), { error: "ERR no such key" });
  });
});

Deno.test("DEBUG SLEEP, SET-ACTIVE-EXPIRE, LOG and unknown subcommands", async () => {
  await withHarness(["--enable-debug-command", "yes"], (h) => {
    assert.deepEqual(h.run("DEBUG", "SLEEP", "0"), { status: "OK" });
    assert.deepEqual(h.run("DEBUG", "SLEEP", "abc"), { status: "OK" });
    assert.deepEqual(h.run("DEBUG", "SET-ACTIVE-EXPIRE", "0"), { status: "OK" });
    assert.equal(h.server.keyspace.activeExpireEnabled, false);
    h.run("DEBUG", "SET-ACTIVE-EXPIRE", "1");
    assert.equal(h.server.keyspace.activeExpireEnabled, true);
    assert.deepEqual(h.run("DEBUG", "LOG", "hello"), { status: "OK" });
    assert.deepEqual(h.run("DEBUG", "foo"), {
      error: "ERR unknown subcommand or wrong number of arguments for 'foo'. Try DEBUG HELP.",
    });
    assert.deepEqual(h.run("DEBUG", "SLEEP"), {
      error: "ERR unknown subcommand or wrong number of arguments for 'SLEEP'. Try DEBUG HELP.",
    });
  });
});

Deno.test("DEBUG POPULATE creates keys without propagating or dirtying", async () => {
  await withHarness(["--enable-debug-command", "yes"], (h) => {
    h.run("SET", "key:1", "mine");
    h.propagated();
    const dirty = h.server.keyspace.dirty;
    assert.deepEqual(h.run("DEBUG", "POPULATE", "3"), { status: "OK" });
    assert.equal(h.run("GET", "key:0"), "value:0");
    assert.equal(h.run("GET", "key:1"), "mine");
    assert.equal(h.run("DBSIZE"), 3);
    h.run("DEBUG", "POPULATE", "2", "pre", "10");
    assert.equal(h.run("GET", "pre:1"), "value:1\0\0\0");
    h.run("DEBUG", "POPULATE", "1", "x", "3");
    assert.equal(h.run("GET", "x:0"), "val");
    assert.deepEqual(h.propagated(), []);
    assert.equal(h.server.keyspace.dirty, dirty);
    assert.deepEqual(h.run("DEBUG", "POPULATE", "-1"), {
      error: "ERR value is out of range, must be positive",
    });
  });
});

// --- over TCP

Deno.test("over TCP: MONITOR shows the client address, SHUTDOWN NOSAVE closes everything", async () => {
  const srv = await startServer();
  const a = await RespClient.connect(srv.port);
  const m = await RespClient.connect(srv.port);
  try {
    assert.deepEqual(await m.call("MONITOR"), { status: "OK" });
    await a.call("SET", "k", "v");
    const line = (await m.read()).value as { status: string };
    assert.match(line.status, /^\d+\.\d{6} \[0 127\.0\.0\.1:\d+\] "SET" "k" "v"$/);
    assert.match((await a.call("INFO", "clients")) as string, /\r\nconnected_clients:2\r\n/);
    await a.writeRaw(encodeCommand(["SHUTDOWN", "NOSAVE"]));
    assert.ok(await a.closedByPeer());
    await srv.server.finished;
  } finally {
    a.close();
    m.close();
    await srv.close();
  }
});
