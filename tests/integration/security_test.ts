// Authentication, ACLs and protected mode over TCP with real clients: redis-cli logging in
// with --user/--pass, raw RESP connections checking NOAUTH/NOPERM bytes and the unauthenticated
// protocol limits, connections closed when their user goes away, the ACL file at startup, and
// protected mode refusing a second process that connects from a non-loopback address.

import assert from "node:assert/strict";
import { RespClient } from "../helpers/resp_client.ts";
import { hasBinary, skip, startServer, type TestServer, waitFor } from "../helpers/server.ts";

const HAVE_CLI = hasBinary("redis-cli");

async function withServer(args: string[], fn: (s: TestServer) => Promise<void>): Promise<void> {
  const s = await startServer(args);
  try {
    await fn(s);
  } finally {
    await s.close();
  }
}

/** Runs redis-cli against 127.0.0.1 (or `host`) and returns its exit code, stdout and stderr. */
async function cli(
  port: number,
  args: string[],
  host = "127.0.0.1",
): Promise<{ code: number; out: string; err: string }> {
  const r = await new Deno.Command("redis-cli", {
    args: ["-h", host, "-p", String(port), "--no-auth-warning", ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: r.code, out: dec.decode(r.stdout), err: dec.decode(r.stderr) };
}

/** The first non-loopback IPv4 address of this machine, or null. */
function externalAddress(): string | null {
  for (const i of Deno.networkInterfaces()) {
    if (i.family === "IPv4" && !i.address.startsWith("127.")) return i.address;
  }
  return null;
}

/** Reads everything a connection to host:port sends (sending `data` first) until it closes. */
async function readUntilClosed(host: string, port: number, data: string): Promise<string> {
  const conn = await Deno.connect({ hostname: host, port });
  try {
    if (data !== "") await conn.write(new TextEncoder().encode(data));
    let out = "";
    const buf = new Uint8Array(4096);
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      const n = await conn.read(buf);
      if (n === null) return out;
      out += new TextDecoder().decode(buf.subarray(0, n));
    }
    throw new Error(`Connection still open; got ${JSON.stringify(out)}`);
  } finally {
    conn.close();
  }
}

const DENIED =
  "-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Setup a an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.\r\n";

Deno.test("redis-cli logs in with --user/--pass and -a; bad credentials are refused", async () => {
  if (!HAVE_CLI) return skip("redis-cli login", "redis-cli is not installed");
  await withServer(["--requirepass", "topsecret"], async (s) => {
    // redis-cli prints an error reply followed by an empty line.
    assert.equal((await cli(s.port, ["PING"])).out, "NOAUTH Authentication required.\n\n");
    assert.equal((await cli(s.port, ["-a", "topsecret", "PING"])).out, "PONG\n");
    const setup = await cli(s.port, [
      "-a",
      "topsecret",
      "ACL",
      "SETUSER",
      "app",
      "on",
      ">apppass",
      "~app:*",
      "+@read",
      "+@write",
      "-@dangerous",
    ]);
    assert.equal(setup.out, "OK\n");
    const user = ["--user", "app", "--pass", "apppass"];
    assert.equal((await cli(s.port, [...user, "SET", "app:1", "v"])).out, "OK\n");
    assert.equal((await cli(s.port, [...user, "GET", "app:1"])).out, "v\n");
    assert.equal((await cli(s.port, [...user, "ACL", "WHOAMI"])).out.startsWith("NOPERM"), true);
    assert.equal(
      (await cli(s.port, [...user, "GET", "other"])).out,
      "NOPERM this user has no permissions to access one of the keys used as arguments\n\n",
    );
    assert.equal(
      (await cli(s.port, [...user, "FLUSHALL"])).out,
      "NOPERM this user has no permissions to run the 'flushall' command\n\n",
    );
    const bad = await cli(s.port, ["--user", "app", "--pass", "nope", "PING"]);
    assert.match(bad.err, /AUTH failed: WRONGPASS invalid username-password pair/);
    const log = await cli(s.port, ["-a", "topsecret", "ACL", "LOG", "1"]);
    assert.match(
      log.out,
      /^count\n1\nreason\nauth\ncontext\ntoplevel\nobject\nAUTH\nusername\napp\n/,
    );
  });
});

Deno.test("raw connections: NOAUTH, unauthenticated protocol limits, NOPERM bytes", async () => {
  await withServer(["--requirepass", "pw"], async (s) => {
    const c = await RespClient.connect(s.port);
    try {
      assert.equal((await c.callRaw("GET", "k")).raw, "-NOAUTH Authentication required.\r\n");
      assert.equal(
        (await c.callRaw("AUTH", "bad")).raw,
        "-WRONGPASS invalid username-password pair or user is disabled.\r\n",
      );
      assert.equal((await c.callRaw("AUTH", "pw")).raw, "+OK\r\n");
      await c.call("ACL", "SETUSER", "ro", "on", ">r", "%R~*", "+@read");
      assert.equal((await c.callRaw("AUTH", "ro", "r")).raw, "+OK\r\n");
      assert.equal(
        (await c.callRaw("SET", "k", "v")).raw,
        "-NOPERM this user has no permissions to run the 'set' command\r\n",
      );
      assert.equal((await c.callRaw("GET", "k")).raw, "$-1\r\n");
    } finally {
      c.close();
    }
    // Before AUTH a client may not send large multibulk or bulk headers.
    const u = await RespClient.connect(s.port);
    try {
      await u.writeRaw("*11\r\n");
      assert.equal(
        (await u.read()).raw,
        "-ERR Protocol error: unauthenticated multibulk length\r\n",
      );
      assert.equal(await u.closedByPeer(), true);
    } finally {
      u.close();
    }
    const b = await RespClient.connect(s.port);
    try {
      await b.writeRaw("*2\r\n$4\r\nAUTH\r\n$16385\r\n");
      assert.equal((await b.read()).raw, "-ERR Protocol error: unauthenticated bulk length\r\n");
      assert.equal(await b.closedByPeer(), true);
    } finally {
      b.close();
    }
  });
});

Deno.test("deleting or reloading a user closes the connections authenticated as it", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/users.acl`;
  await Deno.writeTextFile(file, "user worker on >w ~* &* +@all\nuser other on >o +@all ~*\n");
  try {
    await withServer(["--aclfile", file], async (s) => {
      const admin = await RespClient.connect(s.port);
      const w1 = await RespClient.connect(s.port);
      const w2 = await RespClient.connect(s.port);
      const o = await RespClient.connect(s.port);
      try {
        assert.deepEqual(await w1.call("AUTH", "worker", "w"), { status: "OK" });
        assert.deepEqual(await w2.call("AUTH", "worker", "w"), { status: "OK" });
        assert.deepEqual(await o.call("AUTH", "other", "o"), { status: "OK" });
        assert.equal(await admin.call("ACL", "DELUSER", "worker"), 1);
        assert.equal(await w1.closedByPeer(), true);
        assert.equal(await w2.closedByPeer(), true);
        assert.deepEqual(await o.call("PING"), { status: "PONG" });
        // ACL LOAD replaces every user but default: their clients go too.
        assert.deepEqual(await admin.call("ACL", "LOAD"), { status: "OK" });
        assert.equal(await o.closedByPeer(), true);
        assert.deepEqual(await admin.call("ACL", "USERS"), ["default", "other", "worker"]);
        await waitFor(() => s.server.clients.size === 1, 5000, "the closed clients to go away");
      } finally {
        for (const c of [admin, w1, w2, o]) c.close();
      }
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a broken ACL file or user lines next to an aclfile stop the server at startup", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/users.acl`;
  try {
    await Deno.writeTextFile(file, "user a on +nosuch\n");
    await assert.rejects(
      () => startServer(["--aclfile", file]),
      new RegExp(
        `^Error: Aborting Redis startup because of ACL errors: ${file}:1: Error in applying operation '\\+nosuch'`,
      ),
    );
    await Deno.writeTextFile(file, "user a on\n");
    await assert.rejects(
      () => startServer(["--aclfile", file, "--user", "b", "on"]),
      /Configuring Redis with users defined in redis.conf and at the same setting an ACL file path is invalid/,
    );
    await assert.rejects(
      () => startServer(["--user", "b", "on", "+nosuch"]),
      /Critical error while loading ACLs\. Exiting\./,
    );
    await assert.rejects(() => startServer(["--aclfile", `${dir}/missing.acl`]), /No such file/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("protected mode refuses non-loopback clients while the default user has no password", async () => {
  const ext = externalAddress();
  if (ext === null) {
    return skip("protected mode", "this machine has no non-loopback IPv4 address to connect from");
  }
  await withServer(["--bind", "0.0.0.0"], async (s) => {
    // Loopback clients are always served.
    assert.equal(
      await readUntilClosed("127.0.0.1", s.port, "PING\r\nQUIT\r\n"),
      "+PONG\r\n+OK\r\n",
    );
    // A raw connection from the external address gets DENIED before sending anything.
    assert.equal(await readUntilClosed(ext, s.port, ""), DENIED);
    // So does a second process: redis-cli connecting to the external address.
    if (HAVE_CLI) {
      const r = await cli(s.port, ["PING"], ext);
      assert.equal(r.out, DENIED.slice(1, -2) + "\n\n");
    }
    const info = await RespClient.connect(s.port);
    try {
      const stats = await info.call("INFO", "stats") as string;
      assert.match(stats, new RegExp(`rejected_connections:${HAVE_CLI ? 2 : 1}\r\n`));
      // Refused connections are not counted as received (the loopback one and this one are).
      assert.match(stats, /total_connections_received:2\r\n/);
      // With a password, external clients may connect (and must authenticate).
      await info.call("CONFIG", "SET", "requirepass", "pw");
      assert.equal(
        await readUntilClosed(ext, s.port, "PING\r\nQUIT\r\n"),
        "-NOAUTH Authentication required.\r\n+OK\r\n",
      );
      // A password set through ACL SETUSER counts too.
      await info.call("AUTH", "pw");
      await info.call("CONFIG", "SET", "requirepass", "");
      assert.equal(await readUntilClosed(ext, s.port, ""), DENIED);
      await info.call("ACL", "SETUSER", "default", ">other");
      assert.equal(
        await readUntilClosed(ext, s.port, "AUTH other\r\nQUIT\r\n"),
        "+OK\r\n+OK\r\n",
      );
      // protected-mode no serves everyone.
      await info.call("ACL", "SETUSER", "default", "nopass");
      await info.call("CONFIG", "SET", "protected-mode", "no");
      assert.equal(await readUntilClosed(ext, s.port, "PING\r\nQUIT\r\n"), "+PONG\r\n+OK\r\n");
    } finally {
      info.close();
    }
  });
});
