// TLS for client connections (tls-port) and for outgoing replication links (tls-replication).
// `loadTlsSettings` reads and checks the tls-* files the way Redis's tlsConfigure does (same
// log texts). `openTlsListener` binds one address: Deno.listenTls when client certificates are
// not requested (tls-auth-clients no), node:tls otherwise, because Deno.listenTls has no
// option to request or verify a client certificate. Both yield Deno.Conn-shaped connections
// for the server's one connection loop. `connectTo` opens a replica's link to its master.

import { Buffer } from "node:buffer";
import { createPrivateKey, X509Certificate } from "node:crypto";
import type { Socket } from "node:net";
import tls from "node:tls";
import type { Config } from "../config.ts";
import { log } from "../log.ts";

/** The tls-auth-clients modes. */
export type TlsAuthClients = "yes" | "no" | "optional";

/** The tls-* files, read and checked. */
export interface TlsSettings {
  /** Server certificate chain (PEM), also the client certificate of outgoing links. */
  cert: string;
  /** Unencrypted private key (PEM) for `cert`. */
  key: string;
  /** Trusted CA certificates (PEM blocks) for peer verification. */
  ca: string[];
  authClients: TlsAuthClients;
  /** Certificate and key presented by outgoing links (tls-client-*-file, else cert/key). */
  clientCert: string;
  clientKey: string;
}

/** A tls-* setting that cannot be used; the message is the line Redis logs. */
export class TlsConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TlsConfigError";
  }
}

/** What the accept loop needs from a listener (Deno.Listener has this shape). */
export interface ConnSource {
  accept(): Promise<Deno.Conn>;
  close(): void;
  readonly addr: Deno.Addr;
}

const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g;

function readFile(path: string, what: string): string {
  try {
    return Deno.readTextFileSync(path);
  } catch (err) {
    throw new TlsConfigError(`Failed to load ${what}: ${path}: ${(err as Error).message}`);
  }
}

// Every certificate of a PEM file; each must parse.
function loadCerts(path: string, what: string): string[] {
  const text = readFile(path, what);
  const blocks = text.match(CERT_BLOCK) ?? [];
  if (blocks.length === 0) {
    throw new TlsConfigError(`Failed to load ${what}: ${path}: no certificate found`);
  }
  for (const b of blocks) {
    try {
      new X509Certificate(b);
    } catch (err) {
      throw new TlsConfigError(`Failed to load ${what}: ${path}: ${(err as Error).message}`);
    }
  }
  return blocks;
}

// A private key as unencrypted PKCS#8 PEM (Deno.listenTls takes no passphrase), checked
// against the certificate it goes with.
function loadKey(path: string, pass: string, certPem: string): string {
  const text = readFile(path, "private key");
  let pem: string;
  try {
    const k = createPrivateKey(pass === "" ? text : { key: text, passphrase: pass });
    pem = String(k.export({ format: "pem", type: "pkcs8" }));
    if (!new X509Certificate(certPem).checkPrivateKey(k)) {
      throw new Error("key values mismatch");
    }
  } catch (err) {
    throw new TlsConfigError(`Failed to load private key: ${path}: ${(err as Error).message}`);
  }
  return pem;
}

// tls-ca-cert-dir: OpenSSL's CApath holds hashed links to PEM files; every readable PEM
// certificate in the directory is trusted here.
function loadCaDir(dir: string): string[] {
  const out: string[] = [];
  try {
    for (const e of Deno.readDirSync(dir)) {
      if (!e.isFile && !e.isSymlink) continue;
      try {
        out.push(...(Deno.readTextFileSync(`${dir}/${e.name}`).match(CERT_BLOCK) ?? []));
      } catch {
        // unreadable or binary entries are not certificates
      }
    }
  } catch (err) {
    throw new TlsConfigError(
      `Failed to configure CA certificate(s) file/directory: ${(err as Error).message}`,
    );
  }
  return out;
}

/**
 * Reads the tls-* files of `config` with tlsConfigure's checks.
 * @param config the server configuration
 * @returns the PEM material for listeners and outgoing links
 * @throws TlsConfigError with the message Redis logs
 */
export function loadTlsSettings(config: Config): TlsSettings {
  const certFile = config.get("tls-cert-file");
  const keyFile = config.get("tls-key-file");
  const caFile = config.get("tls-ca-cert-file");
  const caDir = config.get("tls-ca-cert-dir");
  const authClients = config.get("tls-auth-clients") as TlsAuthClients;
  if (certFile === "") throw new TlsConfigError("No tls-cert-file configured!");
  if (keyFile === "") throw new TlsConfigError("No tls-key-file configured!");
  if (
    (authClients !== "no" || config.bool("tls-cluster") || config.bool("tls-replication")) &&
    caFile === "" && caDir === ""
  ) {
    throw new TlsConfigError(
      "Either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-cluster, tls-replication or tls-auth-clients are enabled!",
    );
  }
  const chain = loadCerts(certFile, "certificate");
  const cert = chain.join("\n");
  const key = loadKey(keyFile, config.get("tls-key-file-pass"), chain[0]);
  const ca: string[] = [];
  if (caFile !== "") {
    try {
      ca.push(...loadCerts(caFile, "CA certificate(s) file"));
    } catch (err) {
      throw new TlsConfigError(
        `Failed to configure CA certificate(s) file/directory: ${(err as Error).message}`,
      );
    }
  }
  if (caDir !== "") ca.push(...loadCaDir(caDir));
  let clientCert = cert;
  let clientKey = key;
  const clientCertFile = config.get("tls-client-cert-file");
  if (clientCertFile !== "") {
    const cchain = loadCerts(clientCertFile, "certificate");
    const clientKeyFile = config.get("tls-client-key-file");
    if (clientKeyFile === "") throw new TlsConfigError("No tls-client-key-file configured!");
    clientCert = cchain.join("\n");
    clientKey = loadKey(clientKeyFile, config.get("tls-client-key-file-pass"), cchain[0]);
  }
  return { cert, key, ca, authClients, clientCert, clientKey };
}

/**
 * Checks the file one tls-* directive names (CONFIG SET checks each value on its own; the
 * pair cert/key is checked when the listeners are rebuilt after the command).
 * @param name canonical directive name
 * @param config the configuration holding the new value
 * @throws TlsConfigError with the message Redis logs
 */
export function checkTlsDirective(name: string, config: Config): void {
  const v = config.get(name);
  if (v === "") return;
  switch (name) {
    case "tls-cert-file":
    case "tls-client-cert-file":
      loadCerts(v, "certificate");
      break;
    case "tls-key-file":
    case "tls-client-key-file": {
      const text = readFile(v, "private key");
      const pass = config.get(`${name}-pass`);
      try {
        createPrivateKey(pass === "" ? text : { key: text, passphrase: pass });
      } catch (err) {
        throw new TlsConfigError(`Failed to load private key: ${v}: ${(err as Error).message}`);
      }
      break;
    }
    case "tls-ca-cert-file":
      try {
        loadCerts(v, "CA certificate(s) file");
      } catch (err) {
        throw new TlsConfigError(
          `Failed to configure CA certificate(s) file/directory: ${(err as Error).message}`,
        );
      }
      break;
    case "tls-ca-cert-dir":
      loadCaDir(v);
      break;
  }
}

/**
 * Binds a TLS listener on one address.
 * @param addr hostname and port (0 picks a free port)
 * @param settings from loadTlsSettings
 * @returns the listener; its addr holds the bound port
 * @throws the bind error (address in use ...)
 */
export async function openTlsListener(
  addr: { hostname: string; port: number },
  settings: TlsSettings,
): Promise<ConnSource> {
  if (settings.authClients === "no") {
    return Deno.listenTls({ ...addr, transport: "tcp", cert: settings.cert, key: settings.key });
  }
  return await NodeTlsListener.open(addr, settings);
}

/**
 * Connects to host:port, over TLS when `useTls` (tls-replication): the peer is verified
 * against tls-ca-cert-file/dir and the tls-client-cert-file (or tls-cert-file) certificate is
 * presented. As with Redis (OpenSSL with no host check), the peer's name is not matched
 * against `host`; its chain must still lead to a trusted CA.
 * @param host master host name or address
 * @param port master port (its tls-port when useTls)
 * @param config where the tls-* files are named
 * @param useTls whether to speak TLS
 * @returns the connection, TLS handshake done
 * @throws TlsConfigError when the tls-* files are unusable, or the connect/handshake error
 */
export async function connectTo(
  host: string,
  port: number,
  config: Config,
  useTls: boolean,
): Promise<Deno.Conn> {
  if (!useTls) {
    const conn = await Deno.connect({ hostname: host, port, transport: "tcp" });
    try {
      conn.setNoDelay(true);
    } catch {
      // not fatal
    }
    return conn;
  }
  const s = loadTlsSettings(config);
  const conn = await Deno.connectTls({
    hostname: host,
    port,
    caCerts: s.ca,
    cert: s.clientCert,
    key: s.clientKey,
    unsafelyDisableHostnameVerification: true,
  });
  try {
    await conn.handshake();
  } catch (err) {
    conn.close();
    throw err;
  }
  return conn;
}

// Unread bytes queued per connection before the socket is paused (the connection loop then
// reads them at its own pace).
const READ_HIGH_WATER = 1 << 20;

/**
 * A node:tls server with client-certificate verification, handing out accepted (handshaken)
 * connections one accept() at a time, like a Deno listener.
 */
class NodeTlsListener implements ConnSource {
  #server: tls.Server;
  #ready: Deno.Conn[] = [];
  #waiting: { resolve: (c: Deno.Conn) => void; reject: (e: Error) => void }[] = [];
  // Raw sockets still in their handshake, by remote address (dropped on close).
  #handshaking = new Map<string, Socket>();
  #closed = false;
  addr: Deno.NetAddr = { transport: "tcp", hostname: "", port: 0 };

  private constructor(settings: TlsSettings) {
    const optional = settings.authClients === "optional";
    this.#server = tls.createServer({
      cert: settings.cert,
      key: settings.key,
      ca: settings.ca,
      requestCert: true,
      // `optional` accepts a client without a certificate; one it does present must verify,
      // which is checked on secureConnection below (SSL_VERIFY_PEER without FAIL_IF_NO_PEER).
      rejectUnauthorized: !optional,
    });
    this.#server.on("connection", (sock: Socket) => {
      const id = `${sock.remoteAddress}:${sock.remotePort}`;
      this.#handshaking.set(id, sock);
      sock.on("close", () => this.#handshaking.delete(id));
    });
    this.#server.on("tlsClientError", (err: Error) => {
      logAcceptError(err.message);
    });
    this.#server.on("secureConnection", (sock: tls.TLSSocket) => {
      this.#handshaking.delete(`${sock.remoteAddress}:${sock.remotePort}`);
      if (optional && !sock.authorized && Object.keys(sock.getPeerCertificate()).length > 0) {
        logAcceptError(`certificate verify failed: ${sock.authorizationError}`);
        sock.destroy();
        return;
      }
      if (this.#closed) {
        sock.destroy();
        return;
      }
      const conn = new NodeTlsConn(sock);
      const w = this.#waiting.shift();
      if (w !== undefined) w.resolve(conn);
      else this.#ready.push(conn);
    });
  }

  static open(
    addr: { hostname: string; port: number },
    settings: TlsSettings,
  ): Promise<NodeTlsListener> {
    const l = new NodeTlsListener(settings);
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      l.#server.once("error", onError);
      l.#server.listen(addr.port, addr.hostname, () => {
        l.#server.off("error", onError);
        const a = l.#server.address();
        if (a !== null && typeof a === "object") {
          l.addr = { transport: "tcp", hostname: a.address, port: a.port };
        }
        resolve(l);
      });
    });
  }

  accept(): Promise<Deno.Conn> {
    const c = this.#ready.shift();
    if (c !== undefined) return Promise.resolve(c);
    if (this.#closed) return Promise.reject(new Deno.errors.BadResource("Listener closed"));
    return new Promise((resolve, reject) => this.#waiting.push({ resolve, reject }));
  }

  /** Stops listening; connections still in their handshake are dropped. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#server.close();
    for (const c of this.#ready) c.close();
    this.#ready = [];
    for (const w of this.#waiting) w.reject(new Deno.errors.BadResource("Listener closed"));
    this.#waiting = [];
    // Sockets that finished their handshake belong to connection loops, which close them.
    for (const s of this.#handshaking.values()) s.destroy();
    this.#handshaking.clear();
  }
}

// Redis logs failed handshakes as warnings.
function logAcceptError(msg: string): void {
  log.warning(`Error accepting a client connection: ${msg}`);
}

/** A node:tls socket seen through Deno.Conn's read/write/close. */
class NodeTlsConn implements Deno.Conn {
  #sock: tls.TLSSocket;
  #chunks: Uint8Array[] = [];
  #queued = 0;
  #ended = false;
  #error: Error | null = null;
  #reader:
    | { p: Uint8Array; resolve: (n: number | null) => void; reject: (e: Error) => void }
    | null = null;
  readonly localAddr: Deno.NetAddr;
  readonly remoteAddr: Deno.NetAddr;
  #readable: ReadableStream<Uint8Array<ArrayBuffer>> | null = null;
  #writable: WritableStream<Uint8Array> | null = null;

  constructor(sock: tls.TLSSocket) {
    this.#sock = sock;
    this.localAddr = {
      transport: "tcp",
      hostname: sock.localAddress ?? "",
      port: sock.localPort ?? 0,
    };
    this.remoteAddr = {
      transport: "tcp",
      hostname: sock.remoteAddress ?? "",
      port: sock.remotePort ?? 0,
    };
    sock.on("data", (b: Buffer) => {
      this.#chunks.push(b);
      this.#queued += b.length;
      if (this.#queued > READ_HIGH_WATER) sock.pause();
      this.#wake();
    });
    sock.on("end", () => {
      this.#ended = true;
      this.#wake();
    });
    sock.on("close", () => {
      this.#ended = true;
      this.#wake();
    });
    sock.on("error", (err: Error) => {
      this.#error = err;
      this.#wake();
    });
  }

  #wake(): void {
    const r = this.#reader;
    if (r === null) return;
    if (this.#chunks.length > 0) {
      this.#reader = null;
      r.resolve(this.#take(r.p));
    } else if (this.#error !== null) {
      this.#reader = null;
      r.reject(this.#error);
    } else if (this.#ended) {
      this.#reader = null;
      r.resolve(null);
    }
  }

  // Copies queued bytes into p; returns how many.
  #take(p: Uint8Array): number {
    let n = 0;
    while (n < p.length && this.#chunks.length > 0) {
      const c = this.#chunks[0];
      const k = Math.min(c.length, p.length - n);
      p.set(c.subarray(0, k), n);
      n += k;
      if (k === c.length) this.#chunks.shift();
      else this.#chunks[0] = c.subarray(k);
    }
    this.#queued -= n;
    if (this.#queued <= READ_HIGH_WATER && this.#sock.isPaused()) this.#sock.resume();
    return n;
  }

  read(p: Uint8Array): Promise<number | null> {
    if (this.#chunks.length > 0) return Promise.resolve(this.#take(p));
    if (this.#error !== null) return Promise.reject(this.#error);
    if (this.#ended) return Promise.resolve(null);
    if (this.#reader !== null) return Promise.reject(new Deno.errors.Busy("Read in progress"));
    return new Promise((resolve, reject) => this.#reader = { p, resolve, reject });
  }

  write(p: Uint8Array): Promise<number> {
    if (this.#sock.destroyed) return Promise.reject(new Deno.errors.BrokenPipe("Socket closed"));
    // The caller reuses p once this resolves: hand node a copy.
    const copy = Buffer.from(p);
    return new Promise((resolve, reject) => {
      this.#sock.write(copy, (err?: Error | null) => err ? reject(err) : resolve(p.length));
    });
  }

  close(): void {
    this.#sock.destroy();
    this.#ended = true;
    this.#wake();
  }

  closeWrite(): Promise<void> {
    return new Promise((resolve) => this.#sock.end(() => resolve()));
  }

  setNoDelay(noDelay = true): void {
    this.#sock.setNoDelay(noDelay);
  }

  setKeepAlive(keepAlive = true): void {
    this.#sock.setKeepAlive(keepAlive);
  }

  ref(): void {
    this.#sock.ref();
  }

  unref(): void {
    this.#sock.unref();
  }

  get readable(): ReadableStream<Uint8Array<ArrayBuffer>> {
    this.#readable ??= new ReadableStream({
      pull: async (ctl) => {
        const buf = new Uint8Array(16 * 1024);
        const n = await this.read(buf);
        if (n === null) ctl.close();
        else ctl.enqueue(buf.subarray(0, n));
      },
    });
    return this.#readable;
  }

  get writable(): WritableStream<Uint8Array> {
    this.#writable ??= new WritableStream({
      write: async (chunk) => {
        await this.write(chunk);
      },
      close: () => this.closeWrite(),
    });
    return this.#writable;
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
