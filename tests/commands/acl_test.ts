// ACL, AUTH and permission denials through the dispatcher: every ACL subcommand, the NOPERM
// replies and their ACL LOG entries, requirepass as the default user's password, `user` config
// lines, the ACL file, and CONFIG REWRITE's user lines.

import assert from "node:assert/strict";
import { sha256Hex } from "../../src/acl/sha256.ts";
import { execute } from "../../src/commands/dispatcher.ts";
import { type Config, parseArgs } from "../../src/config.ts";
import { Server } from "../../src/server.ts";
import { Harness } from "../helpers/harness.ts";
import type { Value } from "../helpers/resp_client.ts";

async function withHarness(args: string[], fn: (h: Harness) => void | Promise<void>) {
  const h = new Harness(args);
  try {
    await fn(h);
  } finally {
    await h.close();
  }
}

const OK = { status: "OK" };
const NOAUTH = { error: "NOAUTH Authentication required." };
const WRONGPASS = { error: "WRONGPASS invalid username-password pair or user is disabled." };
const NOPERM_KEY = {
  error: "NOPERM this user has no permissions to access one of the keys used as arguments",
};
const NOPERM_CHANNEL = {
  error: "NOPERM this user has no permissions to access one of the channels used as arguments",
};

function nopermCmd(name: string): Value {
  return { error: `NOPERM this user has no permissions to run the '${name}' command` };
}

/** ACL LOG entries as objects (RESP2 flat arrays of field/value pairs). */
function logEntries(h: Harness, ...args: string[]): Record<string, Value>[] {
  const out = h.run("ACL", "LOG", ...args) as Value[][];
  return out.map((flat) => {
    const o: Record<string, Value> = {};
    for (let i = 0; i < flat.length; i += 2) o[flat[i] as string] = flat[i + 1];
    return o;
  });
}

Deno.test("ACL CAT lists the 21 categories, or the commands of one", async () => {
  await withHarness([], (h) => {
    const cats = h.run("ACL", "CAT") as string[];
    assert.equal(cats.length, 21);
    assert.deepEqual(cats.slice(0, 3), ["keyspace", "read", "write"]);
    assert.equal(cats[20], "scripting");
    const str = h.run("ACL", "CAT", "STRING") as string[];
    for (const c of ["get", "set", "incr", "append"]) assert.ok(str.includes(c), c);
    assert.ok(!str.includes("lpush"));
    const admin = h.run("ACL", "CAT", "admin") as string[];
    assert.ok(admin.includes("config|set") && admin.includes("acl|setuser"));
    assert.deepEqual(h.run("ACL", "CAT", "nosuch"), { error: "ERR Unknown category 'nosuch'" });
    assert.deepEqual(h.run("ACL", "CAT", "a", "b"), {
      error: "ERR unknown subcommand or wrong number of arguments for 'CAT'. Try ACL HELP.",
    });
  });
});

Deno.test("the default user may do everything and needs no password", async () => {
  await withHarness([], (h) => {
    assert.equal(h.run("ACL", "WHOAMI"), "default");
    assert.deepEqual(h.run("ACL", "USERS"), ["default"]);
    assert.deepEqual(h.run("ACL", "LIST"), ["user default on nopass ~* &* +@all"]);
    assert.deepEqual(h.run("ACL", "GETUSER", "default"), [
      "flags",
      ["on", "nopass"],
      "passwords",
      [],
      "commands",
      "+@all",
      "keys",
      "~*",
      "channels",
      "&*",
      "selectors",
      [],
    ]);
    assert.equal(h.run("ACL", "GETUSER", "nosuch"), null);
  });
});

Deno.test("ACL GETUSER replies a map with a flags set and selector maps in RESP3", async () => {
  await withHarness([], (h) => {
    h.run("HELLO", "3");
    h.run("ACL", "SETUSER", "u", "on", ">p", "%R~r*", "&ch", "+get", "(~s* +set)");
    const m = h.run("ACL", "GETUSER", "u") as Map<Value, Value>;
    assert.deepEqual(m.get("flags"), new Set(["on"]));
    assert.deepEqual(m.get("passwords"), [sha256Hex("p")]);
    assert.equal(m.get("commands"), "-@all +get");
    assert.equal(m.get("keys"), "%R~r*");
    assert.equal(m.get("channels"), "&ch");
    assert.deepEqual(
      m.get("selectors"),
      [new Map<Value, Value>([["commands", "-@all +set"], ["keys", "~s*"], ["channels", ""]])],
    );
  });
});

Deno.test("ACL SETUSER applies all rules or none, with Redis's error texts", async () => {
  await withHarness([], (h) => {
    assert.deepEqual(h.run("ACL", "SETUSER", "bob", "on", "+nosuch"), {
      error: "ERR Error in ACL SETUSER modifier '+nosuch': Unknown command or category name in ACL",
    });
    assert.deepEqual(h.run("ACL", "USERS"), ["default"]);
    assert.deepEqual(h.run("ACL", "SETUSER", "bob", "allkeys", "~x"), {
      error:
        "ERR Error in ACL SETUSER modifier '~x': Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns",
    });
    assert.deepEqual(h.run("ACL", "SETUSER", "bad name"), {
      error: "ERR Usernames can't contain spaces or null characters",
    });
    assert.deepEqual(h.run("ACL", "SETUSER", "bob", "on", "(~a", "+get"), {
      error: "ERR Unmatched parenthesis in acl selector starting at '(~a'.",
    });
    assert.deepEqual(h.run("ACL", "SETUSER", "bob", "on", ">pw", "~k*", "+@string"), OK);
    // A failing change leaves the existing user as it was.
    assert.deepEqual(h.run("ACL", "SETUSER", "bob", "off", "bogus"), {
      error: "ERR Error in ACL SETUSER modifier 'bogus': Syntax error",
    });
    assert.deepEqual(h.run("ACL", "LIST"), [
      `user bob on #${sha256Hex("pw")} ~k* resetchannels -@all +@string`,
      "user default on nopass ~* &* +@all",
    ]);
    assert.deepEqual(h.run("ACL", "SETUSER"), {
      error: "ERR wrong number of arguments for 'acl|setuser' command",
    });
  });
});

Deno.test("ACL DELUSER removes users, never default, and closes their connections", async () => {
  await withHarness([], (h) => {
    h.run("ACL", "SETUSER", "a", "on", "nopass", "+@all", "~*");
    h.run("ACL", "SETUSER", "b", "on", "nopass", "+@all");
    const other = h.newClient();
    assert.deepEqual(h.runAs(other, "AUTH", "a", "x"), OK);
    assert.deepEqual(h.run("ACL", "DELUSER", "a", "nosuch", "default"), {
      error: "ERR The 'default' user cannot be removed",
    });
    assert.deepEqual(h.run("ACL", "USERS"), ["a", "b", "default"]);
    assert.equal(h.run("ACL", "DELUSER", "a", "nosuch"), 1);
    assert.equal(other.closed, true);
    assert.equal(other.user, "default");
    // The connection deleting its own user gets the reply, then is closed.
    assert.deepEqual(h.run("AUTH", "b", "x"), OK);
    assert.equal(h.run("ACL", "DELUSER", "b"), 1);
    assert.equal(h.client.closeAfterReply, true);
  });
});

Deno.test("AUTH checks username and password against enabled users", async () => {
  await withHarness([], (h) => {
    assert.deepEqual(h.run("AUTH", "pw"), {
      error:
        "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?",
    });
    h.run("ACL", "SETUSER", "alice", "on", ">s3cret", ">other", "+@all", "~*");
    assert.deepEqual(h.run("AUTH", "alice", "wrong"), WRONGPASS);
    assert.deepEqual(h.run("AUTH", "nobody", "s3cret"), WRONGPASS);
    assert.deepEqual(h.run("AUTH", "alice", "other"), OK);
    assert.equal(h.run("ACL", "WHOAMI"), "alice");
    h.run("ACL", "SETUSER", "alice", "off");
    const c2 = h.newClient();
    assert.deepEqual(h.runAs(c2, "AUTH", "alice", "s3cret"), WRONGPASS);
    // A disabled user's existing connections keep working.
    assert.equal(h.run("ACL", "WHOAMI"), "alice");
    h.run("ACL", "SETUSER", "nop", "on", "nopass");
    assert.deepEqual(h.runAs(c2, "AUTH", "nop", "anything"), OK);
    assert.deepEqual(h.run("AUTH", "a", "b", "c"), { error: "ERR syntax error" });
    assert.equal(h.server.authFailures, 3);
  });
});

Deno.test("requirepass is the default user's password; only no_auth commands run before AUTH", async () => {
  await withHarness(["--requirepass", "foo"], (h) => {
    assert.deepEqual(h.run("GET", "k"), NOAUTH);
    assert.deepEqual(h.run("ACL", "WHOAMI"), NOAUTH);
    assert.deepEqual(h.run("AUTH", "bar"), WRONGPASS);
    assert.deepEqual(h.run("HELLO", "2", "AUTH", "default", "bar"), WRONGPASS);
    assert.deepEqual(h.run("HELLO", "2"), {
      error:
        "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time",
    });
    assert.deepEqual(h.run("RESET"), { status: "RESET" });
    assert.deepEqual(h.run("AUTH", "foo"), OK);
    assert.equal(h.run("GET", "k"), null);
    assert.deepEqual(h.run("ACL", "LIST"), [
      `user default on #${sha256Hex("foo")} ~* &* +@all`,
    ]);
    // RESET drops the authentication.
    h.run("RESET");
    assert.deepEqual(h.run("GET", "k"), NOAUTH);
    const c2 = h.newClient();
    h.runAs(c2, "AUTH", "default", "foo");
    assert.deepEqual(h.runAs(c2, "CONFIG", "SET", "requirepass", ""), OK);
    // No password any more: the unauthenticated connection may run commands again.
    assert.equal(h.run("GET", "k"), null);
    assert.deepEqual(h.run("ACL", "LIST"), ["user default on nopass ~* &* +@all"]);
    assert.equal(h.client.decoder.authenticated, true);
    assert.deepEqual(h.runAs(c2, "CONFIG", "SET", "requirepass", "new"), OK);
    assert.deepEqual(h.run("GET", "k"), NOAUTH);
    assert.equal(h.client.decoder.authenticated, false);
    assert.deepEqual(h.runAs(c2, "CONFIG", "GET", "requirepass"), ["requirepass", "new"]);
  });
});

Deno.test("NOPERM replies for commands, keys and channels, each logged in ACL LOG", async () => {
  await withHarness([], (h) => {
    h.run(
      "ACL",
      "SETUSER",
      "w",
      "on",
      "nopass",
      "~job:*",
      "&jobs",
      "+@read",
      "+@write",
      "+@pubsub",
      "-flushall",
    );
    const c = h.newClient();
    h.runAs(c, "AUTH", "w", "x");
    assert.deepEqual(h.runAs(c, "SET", "job:1", "v"), OK);
    assert.deepEqual(h.runAs(c, "GET", "other"), NOPERM_KEY);
    assert.deepEqual(h.runAs(c, "FLUSHALL"), nopermCmd("flushall"));
    assert.deepEqual(h.runAs(c, "CONFIG", "GET", "x"), nopermCmd("config|get"));
    assert.deepEqual(h.runAs(c, "PUBLISH", "other", "m"), NOPERM_CHANNEL);
    assert.deepEqual(h.runAs(c, "GET", "other"), NOPERM_KEY);
    const log = logEntries(h);
    assert.equal(log.length, 4);
    assert.deepEqual(
      log.map((e) => [e.count, e.reason, e.context, e.object, e.username]),
      [
        [2, "key", "toplevel", "other", "w"],
        [1, "channel", "toplevel", "other", "w"],
        [1, "command", "toplevel", "config|get", "w"],
        [1, "command", "toplevel", "flushall", "w"],
      ],
    );
    assert.match(log[0]["age-seconds"] as string, /^\d+(\.\d+)?$/);
    assert.match(log[0]["client-info"] as string, /^id=\d+ .* cmd=get user=w redir=-1 resp=2$/);
    assert.equal(logEntries(h, "1").length, 1);
    assert.equal(logEntries(h, "-3").length, 0);
    assert.deepEqual(h.run("ACL", "LOG", "x"), {
      error: "ERR value is not an integer or out of range",
    });
    assert.deepEqual(h.run("ACL", "LOG", "RESET"), OK);
    assert.deepEqual(h.run("ACL", "LOG"), []);
  });
});

Deno.test("failed AUTH is logged with the attempted username; the log keeps acllog-max-len", async () => {
  await withHarness(["--acllog-max-len", "2"], (h) => {
    h.run("AUTH", "u1", "x");
    h.run("AUTH", "u1", "x");
    h.run("auth", "u2", "x");
    h.run("HELLO", "2", "AUTH", "u3", "x");
    const log = logEntries(h);
    assert.deepEqual(
      log.map((e) => [e.count, e.reason, e.object, e.username]),
      [[1, "auth", "HELLO", "u3"], [1, "auth", "auth", "u2"]],
    );
    h.run("MULTI");
    h.run("AUTH", "u4", "x");
    h.run("EXEC");
    assert.equal(logEntries(h)[0].context, "multi");
  });
});

Deno.test("a denied command inside MULTI aborts EXEC; EXEC re-checks queued commands", async () => {
  await withHarness([], (h) => {
    h.run("ACL", "SETUSER", "w", "on", "nopass", "~*", "&*", "+@all");
    h.run("AUTH", "w", "x");
    h.run("MULTI");
    h.run("SET", "k", "v");
    h.run("GET", "k");
    const admin = h.newClient();
    h.runAs(admin, "ACL", "SETUSER", "w", "-set");
    assert.deepEqual(h.run("EXEC"), [
      {
        error:
          "NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. This command is no longer allowed for the following reason: no permission to execute the command or subcommand",
      },
      null,
    ]);
    assert.equal(logEntries(h)[0].context, "multi");
    h.run("MULTI");
    assert.deepEqual(h.run("SET", "k", "v"), nopermCmd("set"));
    assert.deepEqual(h.run("EXEC"), {
      error: "EXECABORT Transaction discarded because of previous errors.",
    });
  });
});

Deno.test("ACL DRYRUN reports what a user could run without running it", async () => {
  await withHarness([], (h) => {
    h.run("ACL", "SETUSER", "d", "~k*", "&c*", "+get", "+publish", "+config|get", "+select|0");
    assert.deepEqual(h.run("ACL", "DRYRUN", "d", "get", "k1"), OK);
    assert.equal(
      h.run("ACL", "DRYRUN", "d", "get", "x"),
      "This user has no permissions to access the 'x' key",
    );
    assert.equal(
      h.run("ACL", "DRYRUN", "d", "set", "k1", "v"),
      "This user has no permissions to run the 'set' command",
    );
    assert.equal(
      h.run("ACL", "DRYRUN", "d", "publish", "z", "m"),
      "This user has no permissions to access the 'z' channel",
    );
    assert.deepEqual(h.run("ACL", "DRYRUN", "d", "config", "get", "x"), OK);
    assert.deepEqual(h.run("ACL", "DRYRUN", "d", "select", "0"), OK);
    assert.deepEqual(h.run("ACL", "DRYRUN", "d", "get"), {
      error: "ERR wrong number of arguments for 'get' command",
    });
    assert.deepEqual(h.run("ACL", "DRYRUN", "nouser", "get", "k"), {
      error: "ERR User 'nouser' not found",
    });
    assert.deepEqual(h.run("ACL", "DRYRUN", "d", "nosuch"), {
      error: "ERR Command 'nosuch' not found",
    });
    // DRYRUN neither runs the command nor logs anything.
    assert.deepEqual(h.run("ACL", "LOG"), []);
  });
});

Deno.test("ACL GENPASS returns (bits+3)/4 random hex characters", async () => {
  await withHarness([], (h) => {
    const a = h.run("ACL", "GENPASS") as string;
    assert.match(a, /^[0-9a-f]{64}$/);
    assert.notEqual(h.run("ACL", "GENPASS"), a);
    assert.equal((h.run("ACL", "GENPASS", "1") as string).length, 1);
    assert.equal((h.run("ACL", "GENPASS", "5") as string).length, 2);
    assert.equal((h.run("ACL", "GENPASS", "4096") as string).length, 1024);
    const err = {
      error:
        "ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096",
    };
    assert.deepEqual(h.run("ACL", "GENPASS", "0"), err);
    assert.deepEqual(h.run("ACL", "GENPASS", "4097"), err);
    assert.deepEqual(h.run("ACL", "GENPASS", "x"), {
      error: "ERR value is not an integer or out of range",
    });
  });
});

Deno.test("subscribing to a denied channel fails; losing a channel closes subscribers", async () => {
  await withHarness([], (h) => {
    h.run("ACL", "SETUSER", "s", "on", "nopass", "&news.*", "&chat", "+@all", "~*");
    const sub = h.newClient();
    h.runAs(sub, "AUTH", "s", "x");
    assert.deepEqual(h.runAs(sub, "SUBSCRIBE", "other"), NOPERM_CHANNEL);
    assert.deepEqual(h.runAs(sub, "PSUBSCRIBE", "news.a*"), NOPERM_CHANNEL);
    h.runAs(sub, "SUBSCRIBE", "chat");
    h.run("ACL", "SETUSER", "s", "&more");
    assert.equal(sub.closed, false);
    h.run("ACL", "SETUSER", "s", "resetchannels", "&news.*");
    assert.equal(sub.closed, true);
  });
});

Deno.test("acl-pubsub-default allchannels gives new users every channel", async () => {
  await withHarness(["--acl-pubsub-default", "allchannels"], (h) => {
    h.run("ACL", "SETUSER", "n");
    assert.deepEqual(h.run("ACL", "LIST"), [
      "user default on nopass ~* &* +@all",
      "user n off &* -@all",
    ]);
  });
});

Deno.test("user lines of the config are loaded; the default user can be redefined", async () => {
  await withHarness([
    "--requirepass",
    "ignored",
    "--user",
    ..."default on >pw ~* &* +@all".split(" "),
    "--user",
    ..."reader on nopass %R~* +@read".split(" "),
  ], (h) => {
    assert.deepEqual(h.run("AUTH", "ignored"), WRONGPASS);
    assert.deepEqual(h.run("AUTH", "pw"), OK);
    assert.deepEqual(h.run("ACL", "LIST"), [
      `user default on sanitize-payload #${sha256Hex("pw")} ~* &* +@all`,
      "user reader on nopass %R~* resetchannels -@all +@read",
    ]);
    const r = h.newClient();
    h.runAs(r, "AUTH", "reader", "x");
    assert.equal(h.runAs(r, "GET", "k"), null);
    assert.deepEqual(h.runAs(r, "SET", "k", "v"), nopermCmd("set"));
  });
});

Deno.test("bad user config lines are fatal config errors", () => {
  const fatal = (line: string) => {
    const r = parseArgs(["--user", ...line.split(" ")]);
    return r.kind === "error" ? r.message.split("\n").pop() : r.kind;
  };
  assert.equal(fatal("bob on badrule"), "Error in user declaration 'bob': Syntax error");
  // Redis names the line's argument at the failing rule's index (counting from `user`).
  assert.equal(fatal("bob on off ~x %Q~a"), "Error in user declaration 'off': Syntax error");
  assert.equal(
    fatal("bob #abc"),
    "Error in user declaration 'user': The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters",
  );
  // Unknown commands only fail when the server starts (modules could add them in Redis).
  assert.equal(fatal("bob +nosuch"), "run");
  const dup = parseArgs(["--user", "bob", "on", "--user", "bob", "off"]);
  assert.equal(dup.kind, "error");
  assert.match(
    (dup as { message: string }).message,
    /Error in user declaration 'bob': Duplicate user found\. A user can only be defined once in config files$/,
  );
});

Deno.test("ACL SAVE and LOAD need an aclfile; with one they round-trip users", async () => {
  await withHarness([], (h) => {
    const err = {
      error:
        "ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration.",
    };
    assert.deepEqual(h.run("ACL", "SAVE"), err);
    assert.deepEqual(h.run("ACL", "LOAD"), err);
  });
  const dir = await Deno.makeTempDir();
  const file = `${dir}/users.acl`;
  try {
    await Deno.writeTextFile(file, "user alice on >pw ~a* +get\n");
    await withHarness(["--aclfile", file], async (h) => {
      assert.deepEqual(h.run("ACL", "USERS"), ["alice", "default"]);
      h.run("ACL", "SETUSER", "bob", "on", "nopass", "&c", "+@hash");
      assert.deepEqual(h.run("ACL", "SAVE"), OK);
      assert.equal(
        await Deno.readTextFile(file),
        `user alice on #${sha256Hex("pw")} ~a* resetchannels -@all +get\n` +
          "user bob on nopass resetchannels &c -@all +@hash\n" +
          "user default on nopass ~* &* +@all\n",
      );
      const bobClient = h.newClient();
      h.runAs(bobClient, "AUTH", "bob", "x");
      await Deno.writeTextFile(file, "user carol on nopass\nuser default on nopass ~* +@all\n");
      assert.deepEqual(h.run("ACL", "LOAD"), OK);
      assert.deepEqual(h.run("ACL", "LIST"), [
        "user carol on nopass resetchannels -@all",
        "user default on nopass ~* resetchannels +@all",
      ]);
      // Clients of the replaced users are disconnected.
      assert.equal(bobClient.closed, true);
      await Deno.writeTextFile(file, "user dave on +nosuch\nuser dave off\nfoo\n");
      assert.deepEqual(h.run("ACL", "LOAD"), {
        error:
          `ERR ${file}:1: Error in applying operation '+nosuch': Unknown command or category name in ACL. WARNING: Duplicate user 'dave' found on line 2. ${file}:3 should start with user keyword followed by the username. WARNING: ACL errors detected, no change to the previously active ACL rules was performed`,
      });
      assert.deepEqual(h.run("ACL", "USERS"), ["carol", "default"]);
      await Deno.remove(file);
      assert.deepEqual(h.run("ACL", "LOAD"), {
        error: `ERR Error loading ACLs, opening file '${file}': No such file or directory`,
      });
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("CONFIG REWRITE writes every user as a user line, none with an aclfile", async () => {
  const dir = await Deno.makeTempDir();
  const conf = `${dir}/redis.conf`;
  const cwd = Deno.cwd();
  try {
    await Deno.writeTextFile(conf, "user old on nopass\nport 6390\nuser other off\n");
    const parsed = parseArgs([conf, "--dir", dir]);
    assert.equal(parsed.kind, "run");
    const server = new Server((parsed as { config: Config }).config);
    try {
      const c = server.createClient(null);
      server.clients.set(c.id, c);
      execute(server, c, ["ACL", "SETUSER", "new", "on", ">x", "~k", "+get"]);
      execute(server, c, ["ACL", "DELUSER", "other"]);
      execute(server, c, ["CONFIG", "REWRITE"]);
      const text = await Deno.readTextFile(conf);
      const lines = text.split("\n");
      assert.equal(lines[0], `user default on nopass ~* &* +@all`);
      assert.equal(lines[1], "port 6390");
      assert.deepEqual(lines.filter((l) => l.startsWith("user ")), [
        "user default on nopass ~* &* +@all",
        `user new on #${sha256Hex("x")} ~k resetchannels -@all +get`,
        "user old on nopass resetchannels -@all",
      ]);
      // The rewritten file loads back to the same users.
      const again = parseArgs([conf]);
      assert.equal(again.kind, "run");
    } finally {
      await server.shutdown();
    }
    // With an ACL file the users live there: CONFIG REWRITE drops user lines.
    await Deno.writeTextFile(conf, `aclfile "${dir}/users.acl"\nuser stale on\n`);
    await Deno.writeTextFile(`${dir}/users.acl`, "user a on\n");
    const withFile = new Server((parseArgs([conf]) as { config: Config }).config);
    try {
      const c = withFile.createClient(null);
      withFile.clients.set(c.id, c);
      execute(withFile, c, ["CONFIG", "REWRITE"]);
      const text = await Deno.readTextFile(conf);
      assert.equal(text.includes("user "), false);
      assert.ok(text.startsWith(`aclfile "${dir}/users.acl"\n`));
    } finally {
      await withFile.shutdown();
    }
  } finally {
    Deno.chdir(cwd);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("COMMAND INFO reports the ACL subcommands' flags and categories", async () => {
  await withHarness([], (h) => {
    const info = (h.run("COMMAND", "INFO", "acl") as Value[][])[0];
    assert.deepEqual(info.slice(0, 7), ["acl", -2, [], 0, 0, 0, [{ status: "@slow" }]]);
    const subs = new Map((info[9] as Value[][]).map((s) => [s[0], s]));
    const setuser = subs.get("acl|setuser")!;
    assert.deepEqual(setuser[1], -3);
    assert.deepEqual(setuser[2], [
      { status: "admin" },
      { status: "noscript" },
      { status: "loading" },
      { status: "stale" },
    ]);
    assert.deepEqual(setuser[6], [
      { status: "@admin" },
      { status: "@slow" },
      { status: "@dangerous" },
    ]);
    assert.deepEqual(subs.get("acl|whoami")![6], [{ status: "@slow" }]);
    assert.equal(subs.size, 13);
  });
});

Deno.test("ACL HELP and unknown subcommands", async () => {
  await withHarness([], (h) => {
    const help = h.run("ACL", "HELP") as { status: string }[];
    assert.equal(help[0].status, "ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
    assert.equal(help.length, 29);
    assert.deepEqual(h.run("ACL", "NOSUCH"), {
      error: "ERR unknown subcommand 'NOSUCH'. Try ACL HELP.",
    });
  });
});

Deno.test("passwords of AUTH, HELLO AUTH and ACL SETUSER never reach the slow log", async () => {
  await withHarness(["--slowlog-log-slower-than", "0"], (h) => {
    h.run("AUTH", "default", "secret1");
    h.run("HELLO", "2", "AUTH", "default", "secret2", "SETNAME", "n");
    h.run("ACL", "SETUSER", "u", ">secret3");
    h.run("AUTH", "secret4");
    const entries = (h.run("SLOWLOG", "GET", "10") as Value[][]).map((e) => e[3]).reverse();
    assert.deepEqual(entries, [
      ["AUTH", "(redacted)", "(redacted)"],
      ["HELLO", "2", "AUTH", "(redacted)", "(redacted)", "SETNAME", "n"],
      ["ACL", "SETUSER", "(redacted)", "(redacted)"],
      ["AUTH", "(redacted)"],
    ]);
  });
});
