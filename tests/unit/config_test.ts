// src/config.ts: command-line and config-file parsing, value syntax, the fatal error text
// (checked against `redis-server` 7.0.15 output), CONFIG GET matching and CONFIG REWRITE's
// file rewriting.

import assert from "node:assert/strict";
import { Config, ConfigError, parseArgs, parseMemory, REDIS_VERSION } from "../../src/config.ts";

function run(args: string[]): Config {
  const r = parseArgs(args);
  if (r.kind !== "run") throw new Error(`Expected a config, got ${JSON.stringify(r)}`);
  return r.config;
}

function fatal(args: string[]): string {
  const r = parseArgs(args);
  if (r.kind !== "error") throw new Error(`Expected an error, got ${r.kind}`);
  return r.message;
}

/** Runs `fn` with a temp dir holding `files`, then removes it. */
async function withFiles(
  files: Record<string, string>,
  fn: (dir: string) => void | Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    for (const [name, text] of Object.entries(files)) {
      await Deno.writeTextFile(`${dir}/${name}`, text);
    }
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("command-line options override the config file", async () => {
  await withFiles({ "r.conf": "port 7000\nhz 20\n# comment\n\n  timeout 5  \n" }, (dir) => {
    const c = run([`${dir}/r.conf`, "--port", "7001", "--maxmemory", "2gb"]);
    assert.equal(c.num("port"), 7001);
    assert.equal(c.num("hz"), 20);
    assert.equal(c.num("timeout"), 5);
    assert.equal(c.get("maxmemory"), "2147483648");
    assert.equal(c.file, `${dir}/r.conf`);
  });
});

Deno.test("a relative config file name is kept as an absolute path", async () => {
  await withFiles({ "r.conf": "port 7000\n" }, (dir) => {
    const cwd = Deno.cwd();
    Deno.chdir(dir);
    try {
      assert.equal(run(["r.conf"]).file, `${Deno.cwd()}/r.conf`);
    } finally {
      Deno.chdir(cwd);
    }
  });
});

Deno.test("memory values take Redis's units", () => {
  assert.equal(parseMemory("100"), 100);
  assert.equal(parseMemory("5b"), 5);
  assert.equal(parseMemory("1k"), 1000);
  assert.equal(parseMemory("1kb"), 1024);
  assert.equal(parseMemory("2m"), 2000000);
  assert.equal(parseMemory("2MB"), 2 * 1024 * 1024);
  assert.equal(parseMemory("1g"), 1e9);
  assert.equal(parseMemory("1Gb"), 1024 ** 3);
  assert.equal(parseMemory("k"), 0);
  assert.equal(parseMemory("-1"), null);
  assert.equal(parseMemory("1x"), null);
  assert.equal(parseMemory("1.5mb"), null);
  assert.equal(run(["--maxmemory", "100mb"]).num("maxmemory"), 100 * 1024 * 1024);
});

Deno.test('save lines: the first replaces the defaults, later ones add, "" clears', async () => {
  assert.equal(new Config().get("save"), "3600 1 300 100 60 10000");
  await withFiles(
    { "a.conf": "save 900 1\nsave 300 10\n", "b.conf": 'save 900 1\nsave ""\n' },
    (dir) => {
      assert.equal(run([`${dir}/a.conf`]).get("save"), "900 1 300 10");
      assert.equal(run([`${dir}/b.conf`]).get("save"), "");
      assert.equal(run([`${dir}/a.conf`, "--save", "60", "5"]).get("save"), "900 1 300 10 60 5");
    },
  );
  assert.equal(run(["--save", ""]).get("save"), "");
  // A bare --save (last, or followed by another option) means save "".
  assert.equal(run(["--save"]).get("save"), "");
  assert.equal(run(["--save", "--port", "7002"]).get("save"), "");
  assert.equal(run(["--save", "--port", "7002"]).num("port"), 7002);
  assert.equal(run(["--save", "100 2 200 3"]).get("save"), "100 2 200 3");
});

Deno.test("quoted values in a config file are unescaped", async () => {
  await withFiles({
    "q.conf": 'requirepass "a b\\x41\\n"\nmasterauth \'it\\\'s\'\nlogfile ""\n',
  }, (dir) => {
    const c = run([`${dir}/q.conf`]);
    assert.equal(c.get("requirepass"), "a bA\n");
    assert.equal(c.get("masterauth"), "it's");
  });
});

Deno.test("--replicaof takes host and port as one argument or two", () => {
  assert.equal(run(["--replicaof", "127.0.0.1 6380"]).get("replicaof"), "127.0.0.1 6380");
  assert.equal(run(["--replicaof", "127.0.0.1", "6380"]).get("replicaof"), "127.0.0.1 6380");
  assert.equal(run(["--slaveof", "no", "one"]).get("replicaof"), "");
  assert.equal(
    fatal(["--replicaof", "127.0.0.1"]),
    `\n*** FATAL CONFIG FILE ERROR (Redis ${REDIS_VERSION}) ***\nReading the configuration file, at line 2\n>>> 'replicaof "127.0.0.1"'\nwrong number of arguments`,
  );
  assert.match(fatal(["--replicaof", "h", "99999"]), /\nInvalid master port$/);
});

Deno.test("the fatal config error is Redis's text, byte for byte", () => {
  const head = `\n*** FATAL CONFIG FILE ERROR (Redis ${REDIS_VERSION}) ***\n`;
  assert.equal(
    fatal(["--foo", "bar"]),
    `${head}Reading the configuration file, at line 2\n>>> 'foo "bar"'\nBad directive or wrong number of arguments`,
  );
  assert.equal(
    fatal(["--port", "abc"]),
    `${head}Reading the configuration file, at line 2\n>>> 'port "abc"'\nargument couldn't be parsed into an integer`,
  );
  assert.equal(
    fatal(["--port", "1", "2"]),
    `${head}Reading the configuration file, at line 2\n>>> 'port "1" "2"'\nwrong number of arguments`,
  );
  assert.equal(
    fatal(["--save", "--port", "7777", "--foo"]),
    `${head}Reading the configuration file, at line 4\n>>> 'foo'\nBad directive or wrong number of arguments`,
  );
  assert.match(fatal(["--maxmemory", "-5"]), /'maxmemory "-5"'\nargument must be a memory value$/);
  assert.match(fatal(["--save", "0", "1"]), /\nInvalid save parameters$/);
  assert.match(
    fatal(["--loglevel", "foo"]),
    /\nargument\(s\) must be one of the following: debug, verbose, notice, warning$/,
  );
  assert.match(fatal(["--dbfilename", "a/b"]), /\ndbfilename can't be a path, just a filename$/);
  assert.match(
    fatal(["--unixsocketperm", "999"]),
    /\nargument couldn't be parsed as an octal number$/,
  );
  assert.match(
    fatal(["--maxmemory-clients", "200%"]),
    /\npercentage argument must be less or equal to 100$/,
  );
});

Deno.test("unknown and malformed config-file lines fail with their line number", async () => {
  await withFiles({ "bad.conf": "port 1234\n\n  foo bar baz\n", "q.conf": 'port "12\n' }, (dir) => {
    const head = `\n*** FATAL CONFIG FILE ERROR (Redis ${REDIS_VERSION}) ***\n`;
    assert.equal(
      fatal([`${dir}/bad.conf`, "--port", "5"]),
      `${head}Reading the configuration file, at line 3\n>>> 'foo bar baz'\nBad directive or wrong number of arguments`,
    );
    assert.equal(
      fatal([`${dir}/q.conf`]),
      `${head}Reading the configuration file, at line 1\n>>> 'port "12'\nUnbalanced quotes in configuration line`,
    );
    assert.equal(
      fatal([`${dir}/nonexist.conf`]),
      `Fatal error, can't open config file '${dir}/nonexist.conf': No such file or directory`,
    );
  });
});

Deno.test("include reads other files, with glob patterns", async () => {
  await withFiles({
    "main.conf": "port 7000\ninclude INC/a.conf\n",
    "a.conf": "hz 30\n",
    "x1.conf": "timeout 7\n",
    "x2.conf": "timeout 8\n",
  }, (dir) => {
    const main = `${dir}/main.conf`;
    Deno.writeTextFileSync(main, `port 7000\ninclude ${dir}/a.conf\ninclude ${dir}/x*.conf\n`);
    const c = run([main]);
    assert.equal(c.num("hz"), 30);
    assert.equal(c.num("timeout"), 8);
    Deno.writeTextFileSync(main, `include ${dir}/missing.conf\n`);
    assert.equal(
      fatal([main]),
      `Fatal error, can't open config file '${dir}/missing.conf': No such file or directory`,
    );
  });
});

Deno.test("deprecated directives are accepted with a warning", () => {
  const c = run(["--list-max-ziplist-entries", "5"]);
  assert.deepEqual(c.warnings, [
    "Configuration option 'list-max-ziplist-entries' is deprecated and will be ignored",
  ]);
});

Deno.test("CONFIG GET matching: globs over names and aliases, exact names as typed", () => {
  const c = new Config();
  assert.deepEqual(c.match("maxmemory"), [["maxmemory", "0"]]);
  assert.deepEqual(c.match("MAXMEMORY"), [["MAXMEMORY", "0"]]);
  assert.deepEqual(
    c.match("maxmemory-p*").sort(),
    [["maxmemory-policy", "noeviction"]],
  );
  assert.deepEqual(
    c.match("*-read-only").map(([k]) => k).sort(),
    ["replica-read-only", "slave-read-only"],
  );
  assert.deepEqual(c.match("key-load-delay"), [["key-load-delay", "0"]]);
  assert.deepEqual(c.match("key-load-*"), []);
  assert.deepEqual(c.match("hz", "HZ", "h?"), [["hz", "10"]]);
  assert.equal(c.match("*").length, 192);
});

Deno.test("Config.set validates like CONFIG SET and calls onChange", () => {
  const c = new Config();
  const seen: [string, string][] = [];
  c.onChange = (n, v) => seen.push([n, v]);
  c.set("slave-read-only", "NO");
  assert.equal(c.bool("replica-read-only"), false);
  assert.deepEqual(seen, [["replica-read-only", "no"]]);
  assert.throws(() => c.set("databases", "4"), new ConfigError("can't set immutable config"));
  assert.throws(
    () => c.set("maxclients", "0"),
    new ConfigError("argument must be between 1 and 4294967295 inclusive"),
  );
  assert.throws(
    () => c.set("proto-max-bulk-len", "1k"),
    new ConfigError("argument must be between 1048576 and 9223372036854775807 inclusive"),
  );
  c.set("unixsocketperm", "700", true);
  assert.equal(c.get("unixsocketperm"), "700");
  assert.equal(c.num("unixsocketperm"), 0o700);
  assert.deepEqual(c.lookup("SLAVE-READ-ONLY"), {
    name: "slave-read-only",
    canonical: "replica-read-only",
    immutable: false,
    protected: false,
    sensitive: false,
  });
});

Deno.test("rewrite keeps the file's layout and appends changed directives", () => {
  const c = new Config();
  c.set("maxmemory", "3000");
  c.set("save", "");
  c.set("hz", "15");
  c.set("appendonly", "yes");
  c.set("client-output-buffer-limit", "replica 1mb 2mb 30");
  const old = "# my comment\nport 6379\nsave 900 1\nsave 300 10\nslave-read-only no\n" +
    "bogus directive\nmaxmemory 100mb\n\nhz   15\n";
  const dir = Deno.cwd();
  assert.equal(
    c.rewrite(old),
    [
      "# my comment",
      "port 6379",
      'save ""',
      "",
      "replica-read-only yes",
      "# ??? bogus directive",
      "maxmemory 3000",
      "",
      "hz 15",
      "",
      "# Generated by CONFIG REWRITE",
      `dir "${dir}"`,
      "appendonly yes",
      "latency-tracking-info-percentiles 50 99 99.9",
      "client-output-buffer-limit replica 1mb 2mb 30",
      "",
    ].join("\n"),
  );
  // Memory values are written with the largest exact unit.
  c.set("maxmemory", "1gb");
  assert.match(c.rewrite(""), /\nmaxmemory 1gb\n/);
});
