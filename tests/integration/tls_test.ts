// TLS: tls-port next to the plain port (or alone with `port 0`), tls-auth-clients yes / optional
// / no, CONFIG SET tls-*, and connectTo (the replica's outgoing link) against our own TLS
// listener. Certificates are made per run with openssl in a temp dir (helpers/tls.ts).

import assert from "node:assert/strict";
import { connectTo, loadTlsSettings } from "../../src/net/tls.ts";
import { encodeCommand } from "../../src/resp/encoder.ts";
import { bytesToStr, strToBytes } from "../../src/util/bytes.ts";
import { parseReply, RespClient, type Value } from "../helpers/resp_client.ts";
import { freePort, hasBinary, skip, startServer, type TestServer } from "../helpers/server.ts";
import { type Certs, HAVE_OPENSSL, makeCerts, removeCerts, tlsArgs } from "../helpers/tls.ts";
import { Config } from "../../src/config.ts";

let certsPromise: Promise<Certs> | null = null;
function certs(): Promise<Certs> {
  certsPromise ??= makeCerts();
  return certsPromise;
}

/** A TLS RESP connection for tests: one command, one reply. */
class TlsClient {
  #buf = "";
  constructor(readonly conn: Deno.Conn) {}

  static async open(
    port: number,
    c: Certs,
    who: "client" | "rogue" | "none" = "client",
  ): Promise<TlsClient> {
    const opts: Deno.ConnectTlsOptions & Partial<Deno.TlsCertifiedKeyPem> = {
      hostname: "127.0.0.1",
      port,
      caCerts: [await Deno.readTextFile(c.ca)],
    };
    if (who !== "none") {
      opts.cert = await Deno.readTextFile(who === "client" ? c.clientCert : c.rogueCert);
      opts.key = await Deno.readTextFile(who === "client" ? c.clientKey : c.rogueKey);
    }
    return new TlsClient(await Deno.connectTls(opts as Deno.ConnectTlsOptions));
  }

  async call(...argv: string[]): Promise<Value> {
    let bytes = strToBytes(encodeCommand(argv));
    while (bytes.length > 0) bytes = bytes.subarray(await this.conn.write(bytes));
    const chunk = new Uint8Array(64 * 1024);
    for (;;) {
      const r = parseReply(this.#buf, 0);
      if (r !== null) {
        this.#buf = this.#buf.slice(r.end);
        return r.value;
      }
      const n = await this.conn.read(chunk);
      if (n === null) throw new Error("Connection closed");
      this.#buf += bytesToStr(chunk.subarray(0, n));
    }
  }

  close(): void {
    try {
      this.conn.close();
    } catch {
      // already closed
    }
  }
}

// True when a TLS client is refused: the handshake or the first exchange fails.
async function refused(port: number, c: Certs, who: "rogue" | "none"): Promise<boolean> {
  let cl: TlsClient | null = null;
  try {
    cl = await TlsClient.open(port, c, who);
    await cl.call("PING");
    return false;
  } catch {
    return true;
  } finally {
    cl?.close();
  }
}

async function redisCli(c: Certs, port: number, args: string[], cert = true): Promise<string> {
  const tls = ["--tls", "--cacert", c.ca];
  if (cert) tls.push("--cert", c.clientCert, "--key", c.clientKey);
  const r = await new Deno.Command("redis-cli", {
    args: [...tls, "-p", String(port), ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  return (new TextDecoder().decode(r.stdout) + new TextDecoder().decode(r.stderr)).trim();
}

async function withTls(
  extra: string[],
  fn: (s: TestServer, c: Certs, tlsPort: number) => Promise<void>,
): Promise<void> {
  const c = await certs();
  const tlsPort = freePort();
  // startServer passes `--port 0`, which with a tls-port means TLS only: give a plain port.
  const s = await startServer(["--port", String(freePort()), ...tlsArgs(c, tlsPort, extra)]);
  try {
    await fn(s, c, tlsPort);
  } finally {
    await s.close();
  }
}

function tlsTest(name: string, fn: () => Promise<void>): void {
  Deno.test({
    name,
    ignore: !HAVE_OPENSSL,
    fn,
  });
}

if (!HAVE_OPENSSL) skip("tls_test", "openssl is not installed");

tlsTest(
  "redis-cli --tls with a client certificate runs PING/SET/GET; plain TCP still serves",
  async () => {
    await withTls([], async (s, c, tlsPort) => {
      assert.equal(s.server.tlsPort, tlsPort);
      if (!hasBinary("redis-cli")) return skip("redis-cli --tls", "redis-cli is not installed");
      assert.equal(await redisCli(c, tlsPort, ["PING"]), "PONG");
      assert.equal(await redisCli(c, tlsPort, ["SET", "k", "over tls"]), "OK");
      assert.equal(await redisCli(c, tlsPort, ["GET", "k"]), "over tls");
      const plain = await RespClient.connect(s.port);
      try {
        assert.equal(await plain.call("GET", "k"), "over tls");
      } finally {
        plain.close();
      }
      // Without a certificate the default tls-auth-clients (yes) refuses redis-cli.
      assert.notEqual(await redisCli(c, tlsPort, ["PING"], false), "PONG");
    });
  },
);

tlsTest(
  "tls-auth-clients yes refuses clients without a certificate or with an untrusted one",
  async () => {
    await withTls([], async (s, c, tlsPort) => {
      assert.equal(await refused(tlsPort, c, "none"), true);
      assert.equal(await refused(tlsPort, c, "rogue"), true);
      const cl = await TlsClient.open(tlsPort, c);
      try {
        assert.deepEqual(await cl.call("PING"), { status: "PONG" });
        // A value much larger than one TLS record, both ways.
        const big = "x".repeat(3 * 1024 * 1024);
        assert.deepEqual(await cl.call("SET", "big", big), { status: "OK" });
        assert.equal(await cl.call("GET", "big"), big);
        assert.equal(s.server.clients.size, 1);
      } finally {
        cl.close();
      }
    });
  },
);

tlsTest(
  "tls-auth-clients optional accepts no certificate but refuses an untrusted one",
  async () => {
    await withTls(["--tls-auth-clients", "optional"], async (_s, c, tlsPort) => {
      const anon = await TlsClient.open(tlsPort, c, "none");
      try {
        assert.deepEqual(await anon.call("PING"), { status: "PONG" });
      } finally {
        anon.close();
      }
      assert.equal(await refused(tlsPort, c, "rogue"), true);
    });
  },
);

tlsTest(
  "tls-auth-clients no serves TLS clients without certificates (Deno.listenTls)",
  async () => {
    await withTls(["--tls-auth-clients", "no"], async (_s, c, tlsPort) => {
      const cl = await TlsClient.open(tlsPort, c, "none");
      try {
        assert.deepEqual(await cl.call("SET", "a", "1"), { status: "OK" });
        assert.equal(await cl.call("INCR", "a"), 2);
        assert.deepEqual(await cl.call("CLIENT", "SETNAME", "tlsclient"), { status: "OK" });
        assert.equal(await cl.call("CLIENT", "GETNAME"), "tlsclient");
      } finally {
        cl.close();
      }
      if (hasBinary("redis-cli")) {
        assert.equal(await redisCli(c, tlsPort, ["PING"], false), "PONG");
      }
    });
  },
);

tlsTest("port 0 with a tls-port serves TLS only, and INFO shows the TLS port", async () => {
  await withTls(["--port", "0"], async (s, c, tlsPort) => {
    assert.equal(s.server.port, tlsPort);
    const cl = await TlsClient.open(tlsPort, c);
    try {
      const info = await cl.call("INFO", "server") as string;
      assert.match(info, new RegExp(`tcp_port:${tlsPort}\r\n`));
    } finally {
      cl.close();
    }
  });
});

tlsTest("a plaintext client on the TLS port is dropped and the server keeps serving", async () => {
  await withTls([], async (_s, c, tlsPort) => {
    const raw = await RespClient.connect(tlsPort);
    try {
      await raw.writeRaw("PING\r\n*1\r\n$4\r\nPING\r\n");
      assert.equal(await raw.closedByPeer(5000), true);
    } finally {
      raw.close();
    }
    const cl = await TlsClient.open(tlsPort, c);
    try {
      assert.deepEqual(await cl.call("PING"), { status: "PONG" });
    } finally {
      cl.close();
    }
  });
});

tlsTest(
  "a tls-port without usable certificate files stops the start with Redis's message",
  async () => {
    const c = await certs();
    const cases: [string[], string][] = [
      [["--tls-port", String(freePort())], "Failed to configure TLS. Check logs for more info."],
      [
        [
          "--tls-port",
          String(freePort()),
          "--tls-cert-file",
          c.cert,
          "--tls-key-file",
          c.clientKey,
        ],
        "Failed to configure TLS. Check logs for more info.",
      ],
    ];
    for (const [args, msg] of cases) {
      await assert.rejects(() => startServer(args), new RegExp(msg.replace(/\./g, "\\.")));
    }
    // The checks themselves, with the texts Redis logs.
    const cfg = new Config();
    cfg.set("tls-port", "1");
    assert.throws(() => loadTlsSettings(cfg), /^TlsConfigError: No tls-cert-file configured!$/);
    cfg.set("tls-cert-file", c.cert);
    assert.throws(() => loadTlsSettings(cfg), /No tls-key-file configured!/);
    cfg.set("tls-key-file", c.key);
    assert.throws(() => loadTlsSettings(cfg), /Either tls-ca-cert-file or tls-ca-cert-dir/);
    cfg.set("tls-auth-clients", "no");
    assert.equal(loadTlsSettings(cfg).ca.length, 0);
    cfg.set("tls-ca-cert-dir", c.dir);
    assert.ok(loadTlsSettings(cfg).ca.length >= 2);
  },
);

tlsTest("CONFIG SET tls-* checks files, moves the TLS port and reloads certificates", async () => {
  await withTls([], async (s, c, tlsPort) => {
    const admin = await RespClient.connect(s.port);
    try {
      assert.deepEqual(await admin.call("CONFIG", "SET", "tls-cert-file", "/nonexistent.crt"), {
        error:
          "ERR CONFIG SET failed (possibly related to argument 'tls-cert-file') - Unable to update TLS configuration. Check server logs.",
      });
      assert.equal((await admin.call("CONFIG", "GET", "tls-cert-file") as string[])[1], c.cert);
      assert.deepEqual(await admin.call("CONFIG", "SET", "tls-auth-clients", "maybe"), {
        error:
          "ERR CONFIG SET failed (possibly related to argument 'tls-auth-clients') - argument(s) must be one of the following: no, yes, optional",
      });
      // A busy port is refused and nothing changes.
      assert.deepEqual(await admin.call("CONFIG", "SET", "tls-port", String(s.port)), {
        error:
          "ERR CONFIG SET failed (possibly related to argument 'tls-port') - Unable to listen on this port. Check server logs.",
      });
      const next = freePort();
      assert.deepEqual(await admin.call("CONFIG", "SET", "tls-port", String(next)), {
        status: "OK",
      });
      await waitForTls(next, c, "client");
      assert.equal(s.server.tlsPort, next);
      assert.equal(await refused(tlsPort, c, "none"), true);
      // Switching to tls-auth-clients no rebuilds the listener without client verification.
      assert.deepEqual(await admin.call("CONFIG", "SET", "tls-auth-clients", "no"), {
        status: "OK",
      });
      await waitForTls(next, c, "none");
      assert.deepEqual(await admin.call("CONFIG", "SET", "tls-port", "0"), { status: "OK" });
      await waitForCond(() => s.server.tlsPort === 0);
    } finally {
      admin.close();
    }
  });
});

async function waitForCond(cond: () => boolean): Promise<void> {
  const deadline = Date.now() + 10000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error("Timed out");
    await new Promise((r) => setTimeout(r, 10));
  }
}

// Polls until a TLS client of kind `who` gets PONG on `port`.
async function waitForTls(port: number, c: Certs, who: "client" | "none"): Promise<void> {
  const deadline = Date.now() + 10000;
  for (;;) {
    let cl: TlsClient | null = null;
    try {
      cl = await TlsClient.open(port, c, who);
      const r = await cl.call("PING");
      if (typeof r === "object" && r !== null && "status" in r && r.status === "PONG") return;
    } catch {
      // not ready yet
    } finally {
      cl?.close();
    }
    if (Date.now() > deadline) throw new Error(`No TLS service on ${port}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

tlsTest(
  "connectTo (tls-replication) reaches our TLS listener with the replica's certificate",
  async () => {
    await withTls([], async (s, c, tlsPort) => {
      const cfg = new Config();
      cfg.set("tls-cert-file", c.clientCert);
      cfg.set("tls-key-file", c.clientKey);
      cfg.set("tls-ca-cert-file", c.ca);
      cfg.set("tls-replication", "yes");
      const conn = await connectTo("127.0.0.1", tlsPort, cfg, true);
      const cl = new TlsClient(conn);
      try {
        assert.deepEqual(await cl.call("PING"), { status: "PONG" });
        assert.equal(await cl.call("ECHO", "replica link"), "replica link");
      } finally {
        cl.close();
      }
      // Host names are not matched against the certificate (as with Redis's OpenSSL setup), so
      // "localhost" and "127.0.0.1" both work; a certificate from another CA does not.
      const byName = await connectTo("localhost", tlsPort, cfg, true).catch(() => null);
      if (byName !== null) byName.close();
      const rogue = new Config();
      rogue.set("tls-cert-file", c.rogueCert);
      rogue.set("tls-key-file", c.rogueKey);
      rogue.set("tls-ca-cert-file", c.ca);
      const bad = await connectTo("127.0.0.1", tlsPort, rogue, true).then(async (conn) => {
        // TLS 1.3 reports a refused client certificate on the first read.
        try {
          await new TlsClient(conn).call("PING");
          return false;
        } catch {
          return true;
        } finally {
          conn.close();
        }
      }, () => true);
      assert.equal(bad, true);
      // A master whose certificate is not from the trusted CA is refused.
      const wrongCa = new Config();
      wrongCa.set("tls-cert-file", c.clientCert);
      wrongCa.set("tls-key-file", c.clientKey);
      wrongCa.set("tls-ca-cert-file", c.rogueCert);
      await assert.rejects(() => connectTo("127.0.0.1", tlsPort, wrongCa, true));
      // Plain TCP through the same helper.
      const plain = new TlsClient(await connectTo("127.0.0.1", s.port, cfg, false));
      try {
        assert.deepEqual(await plain.call("PING"), { status: "PONG" });
      } finally {
        plain.close();
      }
    });
  },
);

Deno.test({
  name: "tls test certificates are removed",
  ignore: !HAVE_OPENSSL,
  fn: async () => {
    await removeCerts(await certs());
  },
});
