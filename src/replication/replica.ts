// The replica side (replication.c syncWithMaster / readSyncBulkPayload): one MasterLink per
// REPLICAOF. It connects (TLS with tls-replication), does Redis's handshake (PING, AUTH,
// REPLCONF listening-port / ip-address / capa eof psync2, PSYNC), loads a full resync's RDB
// payload ($<len> or $EOF:<mark> form) per repl-diskless-load, or continues from the master's
// backlog (+CONTINUE), then applies the stream through the normal executor as the master
// client. Its offset counts every byte of the stream; MULTI blocks count once EXEC is applied,
// so a link lost mid-transaction resumes before it. Applied bytes are proxied to our own
// backlog and replicas unchanged (chained replication). On a lost link it caches the master
// state and connects again from the next once-a-second cron, as replicationCron does.

import type { Client } from "../client.ts";
import { execute } from "../commands/dispatcher.ts";
import { ProtocolError } from "../errors.ts";
import { log } from "../log.ts";
import { connectTo } from "../net/tls.ts";
import { encodeCommand } from "../resp/encoder.ts";
import { clearFunctionsForLoad } from "../scripting/functions.ts";
import { Database } from "../store/database.ts";
import { bytesToStr, strToBytes } from "../util/bytes.ts";
import type { Replication } from "./master.ts";

/** The link state (repl_state), as ROLE names it. */
export type LinkState = "connect" | "connecting" | "handshake" | "transfer" | "connected";

/** What a partial resync needs to know about the master we last followed. */
export interface CachedMaster {
  replId: string;
  /** The offset of the last byte applied. */
  offset: number;
  /** The db its stream had selected. */
  dbIndex: number;
}

// Buffered reads over the master connection for the handshake and the payload.
class LinkReader {
  #buf = new Uint8Array(64 * 1024);
  #start = 0;
  #end = 0;
  constructor(readonly conn: Deno.Conn, readonly onBytes: (n: number) => void) {}

  async #fill(): Promise<void> {
    if (this.#start === this.#end) this.#start = this.#end = 0;
    if (this.#end === this.#buf.length) {
      const used = this.#end - this.#start;
      const next = used > this.#buf.length / 2 ? new Uint8Array(this.#buf.length * 2) : this.#buf;
      next.copyWithin(0, this.#start, this.#end);
      if (next !== this.#buf) next.set(this.#buf.subarray(this.#start, this.#end));
      this.#buf = next;
      this.#end = used;
      this.#start = 0;
    }
    const n = await this.conn.read(this.#buf.subarray(this.#end));
    if (n === null) throw new Error("connection closed by master");
    this.#end += n;
    this.onBytes(n);
  }

  /** The next line without its CRLF (or LF). */
  async line(): Promise<string> {
    for (;;) {
      for (let i = this.#start; i < this.#end; i++) {
        if (this.#buf[i] === 10) {
          let e = i;
          if (e > this.#start && this.#buf[e - 1] === 13) e--;
          const s = bytesToStr(this.#buf.subarray(this.#start, e));
          this.#start = i + 1;
          return s;
        }
      }
      if (this.#end - this.#start > 64 * 1024) throw new Error("line too long from master");
      await this.#fill();
    }
  }

  /** Up to `max` bytes (at least one), from the buffer first. */
  async some(max: number): Promise<Uint8Array> {
    if (this.#start === this.#end) await this.#fill();
    const n = Math.min(max, this.#end - this.#start);
    const out = this.#buf.slice(this.#start, this.#start + n);
    this.#start += n;
    return out;
  }

  /** Whatever is buffered (handed to the stream decoder after the payload). */
  rest(): Uint8Array {
    const out = this.#buf.slice(this.#start, this.#end);
    this.#start = this.#end = 0;
    return out;
  }
}

/** Our link to the master we replicate (see the module comment). */
export class MasterLink {
  state: LinkState = "connect";
  /** The master client while the stream is applied (CLIENT LIST flag M). */
  client: Client | null = null;
  /** State for a PSYNC: set while disconnected after having followed a master. */
  cached: CachedMaster | null;
  /** Unix ms of the last bytes from the master. */
  lastIo = Date.now();
  /** Unix ms the link went down; 0: it never was up. */
  downSince = 0;
  /** Full resync progress (INFO master_sync_*). */
  readonly transfer = { size: -1, read: 0, lastIo: 0 };
  readonly #repl: Replication;
  readonly #host: string;
  readonly #port: number;
  #conn: Deno.Conn | null = null;
  #stopped = false;
  #task: Promise<void> | null = null;
  #wake: (() => void) | null = null;
  /** The current session reached the stream. */
  #streamed = false;
  /** Offset of the first byte the master client's decoder received. */
  #base = 0;
  /** Offset after the last command applied outside a MULTI block. */
  #reploff = 0;
  /** Offset after the last byte read. */
  #readOff = 0;
  /** Raw stream bytes read but not yet proxied, and the offset they start at. */
  #raw: Uint8Array[] = [];
  #proxied = 0;

  constructor(repl: Replication, host: string, port: number, cached: CachedMaster | null) {
    this.#repl = repl;
    this.#host = host;
    this.#port = port;
    this.cached = cached;
  }

  /** slave_repl_offset: the offset applied (1 before any master, as Redis prints it). */
  replOffset(): number {
    if (this.client !== null) return this.#reploff;
    return this.cached !== null ? this.cached.offset : 1;
  }

  /** slave_read_repl_offset: the offset read. */
  readReplOffset(): number {
    if (this.client !== null) return this.#readOff;
    return this.cached !== null ? this.cached.offset : 1;
  }

  /** The state as ROLE reports it. */
  roleState(): string {
    if (this.state === "transfer") return "sync";
    return this.state;
  }

  /** True once `start` ran. */
  get started(): boolean {
    return this.#task !== null;
  }

  /** Starts connecting (the task retries until stopped). */
  start(): void {
    this.#task = this.#run();
  }

  /**
   * Stops the link: closes the connection and caches the master state if it was streaming.
   * @param final true on shutdown (waits for the task to end)
   */
  async stop(final: boolean): Promise<void> {
    this.#stopped = true;
    this.#dropConnection();
    this.#wake?.();
    if (final && this.#task !== null) await this.#task.catch(() => {});
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      this.#streamed = false;
      try {
        await this.#session();
      } catch (err) {
        // A link that was streaming just dropped ("Connection with master lost" said so).
        if (!this.#streamed && !this.#stopped) {
          log.warning(`Error condition on socket for SYNC: ${(err as Error).message}`);
        }
      }
      this.#dropConnection();
      if (this.#stopped) break;
      // replicationCron connects again on its next run, once a second (see cron).
      await new Promise<void>((r) => this.#wake = r);
      this.#wake = null;
      if (!this.#stopped) log.notice(`Connecting to MASTER ${this.#host}:${this.#port}`);
    }
  }

  // One connection: handshake, resync, then the stream until the link drops.
  async #session(): Promise<void> {
    const repl = this.#repl;
    const server = repl.server;
    const config = server.config;
    this.state = "connecting";
    log.notice("MASTER <-> REPLICA sync started");
    this.lastIo = Date.now();
    const conn = await connectTo(this.#host, this.#port, config, config.bool("tls-replication"));
    if (this.#stopped) {
      conn.close();
      return;
    }
    this.#conn = conn;
    log.notice("Non blocking connect for SYNC fired the event.");
    this.state = "handshake";
    const reader = new LinkReader(conn, (n) => {
      this.lastIo = Date.now();
      repl.netReplInput += n;
    });
    const send = (argv: string[]) => writeAll(conn, strToBytes(encodeCommand(argv)));

    await send(["PING"]);
    const pong = await reader.line();
    // Errors that only mean "authenticate first" are fine here (syncWithMaster).
    if (
      pong[0] === "-" && !pong.startsWith("-NOAUTH") && !pong.startsWith("-NOPERM") &&
      !pong.startsWith("-ERR operation not permitted")
    ) {
      throw new Error(`Error reply to PING from master: '${pong}'`);
    }
    log.notice("Master replied to PING, replication can continue...");

    // AUTH and the REPLCONFs go out together; the replies are read in order.
    const auth = config.get("masterauth");
    const user = config.get("masteruser");
    const announceIp = config.get("replica-announce-ip");
    // A replica linked over TLS announces its TLS port (syncWithMaster).
    const tlsLink = config.bool("tls-replication") && server.tlsPort !== 0;
    const port = config.num("replica-announce-port") || (tlsLink ? server.tlsPort : server.port);
    let out = "";
    if (auth !== "") out += encodeCommand(user !== "" ? ["AUTH", user, auth] : ["AUTH", auth]);
    out += encodeCommand(["REPLCONF", "listening-port", String(port)]);
    if (announceIp !== "") out += encodeCommand(["REPLCONF", "ip-address", announceIp]);
    out += encodeCommand(["REPLCONF", "capa", "eof", "capa", "psync2"]);
    await writeAll(conn, strToBytes(out));
    if (auth !== "") {
      const r = await reader.line();
      if (r[0] === "-") throw new Error(`Unable to AUTH to MASTER: ${r}`);
    }
    let r = await reader.line();
    if (r[0] === "-") {
      log.notice(`(Non critical) Master does not understand REPLCONF listening-port: ${r}`);
    }
    if (announceIp !== "") {
      r = await reader.line();
      if (r[0] === "-") {
        log.notice(`(Non critical) Master does not understand REPLCONF ip-address: ${r}`);
      }
    }
    r = await reader.line();
    if (r[0] === "-") log.notice(`(Non critical) Master does not understand REPLCONF capa: ${r}`);

    const cached = this.cached;
    if (cached !== null) {
      const next = String(cached.offset + 1);
      log.notice(`Trying a partial resynchronization (request ${cached.replId}:${next}).`);
      await send(["PSYNC", cached.replId, next]);
    } else {
      log.notice("Partial resynchronization not possible (no cached master)");
      await send(["PSYNC", "?", "-1"]);
    }
    let reply = "";
    // The master may send newlines to keep the link alive before it replies.
    while (reply === "") reply = await reader.line();

    if (reply.startsWith("+FULLRESYNC")) {
      const parts = reply.split(" ");
      const replId = parts[1] ?? "";
      const offset = Number(parts[2]);
      if (replId.length !== 40 || !Number.isSafeInteger(offset)) {
        throw new Error("Master replied with wrong +FULLRESYNC syntax.");
      }
      log.notice(`Full resync from master: ${replId}:${offset}`);
      this.cached = null;
      await this.#fullSync(reader, replId, offset);
      this.#streamFrom(conn, offset, 0, reader.rest());
    } else if (reply.startsWith("+CONTINUE") && cached !== null) {
      log.notice("Successful partial resynchronization with master.");
      const newId = reply.slice(9).trim();
      if (newId.length === 40 && newId !== cached.replId) {
        server.replId2 = cached.replId;
        repl.secondOffset = repl.offset + 1;
        server.replId = newId;
        log.notice(`Master replication ID changed to ${newId}`);
        // Our replicas must learn the new ID: they reconnect and continue with us.
        repl.disconnectReplicas();
      }
      if (repl.backlog === null) repl.createBacklog();
      this.cached = null;
      log.notice("MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.");
      this.#streamFrom(conn, cached.offset, cached.dbIndex, reader.rest());
    } else if (reply.startsWith("-NOMASTERLINK") || reply.startsWith("-LOADING")) {
      throw new Error(`Master is currently unable to PSYNC but should be in the future: ${reply}`);
    } else {
      throw new Error(`Unexpected reply to PSYNC from master: ${reply}`);
    }
    await this.#stream(conn);
  }

  // readSyncBulkPayload: reads the RDB payload, then loads it.
  async #fullSync(reader: LinkReader, replId: string, offset: number): Promise<void> {
    const repl = this.#repl;
    const server = repl.server;
    const config = server.config;
    this.state = "transfer";
    this.transfer.read = 0;
    this.transfer.size = -1;
    this.transfer.lastIo = Date.now();
    let header = "";
    while (header === "") header = await reader.line();
    if (header[0] === "-") throw new Error(`MASTER aborted replication with an error: ${header}`);
    if (header[0] !== "$") {
      throw new Error(
        `Bad protocol from MASTER, the first byte is not '$' (we received '${header}'), are you sure the host and port are right?`,
      );
    }
    const mode = config.get("repl-diskless-load");
    const empty = server.keyspace.dbs.every((d) => d.data.size === 0);
    const toDisk = mode === "disabled" || (mode === "on-empty-db" && !empty);
    const dest = toDisk ? "disk" : "parser";
    const chunks: Uint8Array[] = [];
    let total = 0;
    if (header.startsWith("$EOF:") && header.length >= 45) {
      const mark = strToBytes(header.slice(5, 45));
      log.notice(
        `MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF to ${dest}`,
      );
      const tail = new Uint8Array(40);
      let tailLen = 0;
      for (;;) {
        const c = await reader.some(1 << 20);
        chunks.push(c);
        total += c.length;
        this.transfer.read = total;
        this.transfer.lastIo = Date.now();
        // Keep the last 40 bytes seen to compare with the mark.
        if (c.length >= 40) {
          tail.set(c.subarray(c.length - 40));
          tailLen = 40;
        } else {
          const keep = Math.min(tailLen, 40 - c.length);
          tail.copyWithin(0, tailLen - keep, tailLen);
          tail.set(c, keep);
          tailLen = keep + c.length;
        }
        if (tailLen === 40 && tail.every((b, i) => b === mark[i])) break;
      }
      total -= 40;
    } else {
      const size = Number(header.slice(1));
      if (!Number.isSafeInteger(size) || size < 0) throw new Error(`Bad bulk length: ${header}`);
      log.notice(`MASTER <-> REPLICA sync: receiving ${size} bytes from master to ${dest}`);
      this.transfer.size = size;
      while (total < size) {
        const c = await reader.some(size - total);
        chunks.push(c);
        total += c.length;
        this.transfer.read = total;
        this.transfer.lastIo = Date.now();
      }
    }
    const data = new Uint8Array(total);
    let o = 0;
    for (const c of chunks) {
      const n = Math.min(c.length, total - o);
      data.set(c.subarray(0, n), o);
      o += n;
      if (o === total) break;
    }
    chunks.length = 0;
    await this.#load(data, toDisk, mode === "swapdb");
    // The dataset is the master's as of `offset`: take its history.
    server.replId = replId;
    repl.offset = offset;
    repl.clearReplId2();
    repl.createBacklog();
    // The AOF stopped for the load starts again with a rewrite of the new dataset; the stream
    // applied from here on reaches it through the rewrite's new INCR file.
    await repl.restartAof();
    log.notice("MASTER <-> REPLICA sync: Finished with success");
  }

  // Loads the payload. Disk mode writes it as our dump file first, as Redis does; swapdb keeps
  // serving the old data until the new one is complete, the other modes flush first.
  async #load(data: Uint8Array, toDisk: boolean, swap: boolean): Promise<void> {
    const repl = this.#repl;
    const server = repl.server;
    const p = server.persistence;
    const ks = server.keyspace;
    // replicationAttachToNewMaster: the old history is gone for our replicas too.
    repl.disconnectReplicas();
    repl.freeBacklog();
    // The AOF describes the old dataset: it stops here and restarts with a rewrite once the
    // new one is loaded (or on promotion, when the load fails), as readSyncBulkPayload does.
    const aof = p.aof;
    if (aof.state !== "off") aof.stop();
    if (toDisk) {
      const tmp = `${p.dataDir()}/temp-${Math.floor(Date.now() / 1000)}.${Deno.pid}.rdb`;
      await Deno.writeFile(tmp, data);
      await Deno.rename(tmp, p.path());
    }
    if (p.bgsaveInProgress && !swap) p.abortBgsave();
    if (!swap) {
      log.notice("MASTER <-> REPLICA sync: Flushing old data");
      for (const db of ks.dbs) ks.flushDb(db);
    }
    log.notice("MASTER <-> REPLICA sync: Loading DB in memory");
    // The master's function libraries replace ours (swapdb included: Redis 7.0 swaps them too).
    clearFunctionsForLoad(server);
    const targets = ks.dbs.map((db) => {
      const t = new Database(db.id, ks);
      // LRU/LFU access times are tracked when the live databases track them (store/evict.ts).
      t.access = db.access === null ? null : new Map();
      return t;
    });
    const run = p.rdbLoader(data, {
      source: toDisk ? p.path() : "the master's payload",
      targets,
    });
    // swapdb is Redis's async loading: clients keep reading the old dataset meanwhile.
    if (swap) p.loading = false;
    const interval = server.config.num("loading-process-events-interval-bytes");
    let next = interval;
    try {
      for (;;) {
        const r = run.steps.next();
        if (r.done) break;
        if (!swap) p.loadedBytes = r.value;
        if (r.value >= next) {
          next = r.value + interval;
          await new Promise((res) => setTimeout(res, 0));
          if (this.#stopped) throw new Error("replication stopped while loading");
        }
      }
    } catch (err) {
      const res = run.failed(err);
      const why = res.ok ? "" : res.message;
      log.warning(
        `Failed trying to load the MASTER synchronization DB from ${
          toDisk ? "disk" : "socket"
        }: ${why}`,
      );
      throw new Error("Failed trying to load the MASTER synchronization DB");
    }
    run.finished();
    if (swap) log.notice("MASTER <-> REPLICA sync: Swapping the loaded data into the keyspace");
    for (let i = 0; i < ks.dbs.length; i++) {
      const db = ks.dbs[i];
      const t = targets[i];
      ks.flushDb(db);
      db.data = t.data;
      db.expires = t.expires;
      db.rawStrings = t.rawStrings;
      if (db.access !== null && t.access !== null) db.access = t.access;
    }
    const c = server.config;
    if (toDisk && c.bool("rdb-del-sync-files") && c.get("save") === "" && !c.bool("appendonly")) {
      log.notice(
        "Removing the RDB file obtained from the master. This replica has persistence disabled",
      );
      await Deno.remove(p.path()).catch(() => {});
    }
  }

  // Creates the master client (replicationCreateMasterClient) reading from `conn` with its
  // stream starting at `offset`; `rest` are bytes already read past the payload.
  #streamFrom(conn: Deno.Conn, offset: number, dbIndex: number, rest: Uint8Array): void {
    const server = this.#repl.server;
    const c = server.createClient(conn);
    c.isMaster = true;
    c.authenticated = true;
    c.decoder.trusted = true;
    c.decoder.authenticated = true;
    c.dbIndex = dbIndex;
    c.onKill = () => this.#dropConnection();
    server.clients.set(c.id, c);
    this.client = c;
    this.#base =
      this.#reploff =
      this.#readOff =
      this.#proxied =
        offset;
    this.#raw = [];
    this.state = "connected";
    this.downSince = 0;
    this.lastIo = Date.now();
    this.#repl.refreshGoodReplicas();
    // The first ACK puts us online on a diskless master right away.
    this.sendAck();
    if (rest.length > 0) this.#apply(rest);
  }

  // Reads the stream until the link drops.
  async #stream(conn: Deno.Conn): Promise<void> {
    const c = this.client!;
    const dec = c.decoder;
    for (;;) {
      const sp = dec.space();
      const n = await conn.read(sp);
      if (n === null || c.closed) break;
      this.lastIo = Date.now();
      this.#repl.netReplInput += n;
      this.#raw.push(sp.slice(0, n));
      dec.commit(n);
      this.#readOff += n;
      this.#process();
    }
  }

  #apply(bytes: Uint8Array): void {
    this.#raw.push(bytes);
    this.client!.decoder.push(bytes);
    this.#readOff += bytes.length;
    this.#process();
  }

  // Runs every complete command as the master client, then proxies the applied bytes.
  #process(): void {
    const server = this.#repl.server;
    // While a script is busy the stream stays buffered, applied once it ended (Redis's
    // processInputBuffer does the same for its master rather than answering -BUSY).
    if (server.busyReply !== null) {
      server.whenNotBusy(this.#processLater);
      return;
    }
    const c = this.client!;
    const dec = c.decoder;
    server.markTime();
    server.inBatch = true;
    try {
      for (;;) {
        let argv: string[] | null;
        try {
          argv = dec.next();
        } catch (err) {
          if (!(err instanceof ProtocolError)) throw err;
          log.warning(`Protocol error from master: ${err.message}`);
          c.kill();
          return;
        }
        if (argv === null) break;
        execute(server, c, argv);
        if (c.multi === null) this.#reploff = this.#base + dec.consumedTotal;
      }
    } finally {
      server.inBatch = false;
      if (server.pendingFast.length !== 0) server.settleFast();
    }
    this.#proxy();
  }

  readonly #processLater = (): void => {
    if (this.client !== null && !this.client.closed) this.#process();
  };

  // Hands the bytes between the last proxied offset and the applied offset on, unchanged.
  #proxy(): void {
    let n = this.#reploff - this.#proxied;
    const repl = this.#repl;
    while (n > 0 && this.#raw.length > 0) {
      const chunk = this.#raw[0];
      if (chunk.length <= n) {
        this.#raw.shift();
        repl.feedProxied(chunk);
        n -= chunk.length;
        this.#proxied += chunk.length;
      } else {
        repl.feedProxied(chunk.subarray(0, n));
        this.#raw[0] = chunk.subarray(n);
        this.#proxied += n;
        n = 0;
      }
    }
  }

  /** REPLCONF ACK <offset> to the master (every second and on REPLCONF GETACK). */
  sendAck(): void {
    const c = this.client;
    if (c === null || c.closed) return;
    c.out.rawStr(encodeCommand(["REPLCONF", "ACK", String(this.#reploff)]));
    c.scheduleFlush();
  }

  /** Once a second: reconnect, ACK, and the repl-timeout checks. */
  cron(): void {
    const timeout = this.#repl.server.config.num("repl-timeout") * 1000;
    const now = Date.now();
    if (this.state === "connect") {
      this.#wake?.();
    } else if (this.state === "connected") {
      if (now - this.lastIo > timeout) {
        log.warning("MASTER timeout: no data nor PING received...");
        this.#dropConnection();
        return;
      }
      this.sendAck();
    } else if (this.state === "transfer" && now - this.transfer.lastIo > timeout) {
      log.warning(
        "Timeout receiving bulk data from MASTER... If the problem persists try to set the 'repl-timeout' parameter in redis.conf to a larger value.",
      );
      this.#dropConnection();
    } else if (
      (this.state === "connecting" || this.state === "handshake") && now - this.lastIo > timeout
    ) {
      log.warning("Timeout connecting to the MASTER...");
      this.#dropConnection();
    }
  }

  /** The master client went away (CLIENT KILL TYPE master, freed by the server). */
  clientFreed(): void {
    this.#dropConnection();
  }

  // Closes the connection; a streaming link caches the master for a partial resync
  // (replicationCacheMaster): a MULTI in progress and unapplied bytes are dropped.
  #dropConnection(): void {
    const c = this.client;
    const server = this.#repl.server;
    if (c !== null) {
      this.client = null;
      this.cached = { replId: server.replId, offset: this.#reploff, dbIndex: c.dbIndex };
      c.multi = null;
      if (!this.#stopped) {
        log.notice("Connection with master lost.");
        log.notice("* Caching the disconnected master state.");
      }
      if (server.clients.delete(c.id)) {
        for (const h of server.freeClientHooks) h(c);
      }
      if (!c.closed) {
        c.closed = true;
        try {
          c.conn?.close();
        } catch {
          // already closed
        }
      }
      this.#conn = null;
    }
    if (this.#conn !== null) {
      try {
        this.#conn.close();
      } catch {
        // already closed
      }
      this.#conn = null;
    }
    if (this.state === "connected") this.downSince = Date.now();
    if (this.state !== "connect") {
      this.state = "connect";
      this.#repl.refreshGoodReplicas();
    }
  }
}

async function writeAll(conn: Deno.Conn, data: Uint8Array): Promise<void> {
  let o = 0;
  while (o < data.length) o += await conn.write(data.subarray(o));
}
