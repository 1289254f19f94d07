// Replication state of one server and its master side (replication.c): the replication IDs and
// offset, the backlog, the replicas connected to us (SYNC/PSYNC, full resync from a snapshot
// on disk or streamed diskless, +CONTINUE from the backlog), the write stream fed to them
// (one StreamSink registered with the propagator while a backlog exists; a replica proxies
// its master's bytes instead), WAIT, min-replicas-to-write, PINGs and timeouts from a 1 Hz
// cron, and the INFO replication / ROLE views. The replica side (our own master link) is
// replica.ts; REPLICAOF switches between the two here.

import type { Client } from "../client.ts";
import { ReplyError, UNBLOCKED_ROLE_CHANGE } from "../errors.ts";
import { log } from "../log.ts";
import { encodeCommand } from "../resp/encoder.ts";
import type { Reply } from "../resp/types.ts";
import type { Server } from "../server.ts";
import type { RdbReplInfo, SnapshotTarget } from "../persistence/snapshotter.ts";
import { bytesToStr, strToBytes } from "../util/bytes.ts";
import { ReplBacklog } from "./backlog.ts";
import { StreamSink } from "./propagator.ts";
import { type CachedMaster, MasterLink } from "./replica.ts";

/** A replica's state as INFO prints it (replstateToString). */
export type ReplicaState = "wait_bgsave_start" | "wait_bgsave_end" | "send_bulk" | "online";

/** What the master side knows about one client that is (or is becoming) a replica. */
export interface ReplicaConn {
  client: Client;
  state: ReplicaState | null;
  /** REPLCONF listening-port. */
  listeningPort: number;
  /** REPLCONF ip-address ("" → the peer address). */
  ipAddress: string;
  capaEof: boolean;
  capaPsync2: boolean;
  /** REPLCONF rdb-only 1: the client only wants the snapshot (redis-cli --rdb). */
  rdbOnly: boolean;
  /** SYNC (not PSYNC): no +FULLRESYNC line. */
  prePsync: boolean;
  ackOffset: number;
  /** Unix ms of the last REPLCONF ACK (or of going online). */
  ackTime: number;
  /** The offset its full resync starts from (psync_initial_offset). */
  initialOffset: number;
  /** Stream bytes held back until the snapshot is delivered (and, diskless, the first ACK). */
  pending: string[];
  pendingBytes: number;
  /** Diskless: the command stream starts with the replica's first ACK. */
  startStreamOnAck: boolean;
  /** Unix ms it started waiting for a snapshot (repl-diskless-sync-delay). */
  waitSince: number;
}

/** A WAIT in progress. */
interface Waiter {
  client: Client;
  offset: number;
  numReplicas: number;
}

const PING = encodeCommand(["PING"]);
const GETACK = encodeCommand(["REPLCONF", "GETACK", "*"]);

/** Random 40-char hex string (a replication ID or the diskless EOF mark). */
export function randomReplId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(20));
  return Array.from(bytes, (x) => x.toString(16).padStart(2, "0")).join("");
}

// The write stream to our replicas: SELECT on db changes, then every byte into the backlog
// and each replica's output (replicationFeedSlaves). A replica feeds nothing here: it proxies
// the exact bytes from its own master (feedProxied).
class ReplicationStream extends StreamSink {
  readonly replication = true;
  constructor(readonly repl: Replication) {
    super();
  }
  override feed(dbId: number, argv: string[]): void {
    if (this.repl.server.replicaOf !== null) return;
    super.feed(dbId, argv);
  }
  write(resp: string): void {
    this.repl.feedStream(resp);
  }
}

/** The replication state of a server (see the module comment). */
export class Replication {
  readonly server: Server;
  /** The backlog; null until the first replica connects (and after repl-backlog-ttl). */
  backlog: ReplBacklog | null = null;
  /** master_repl_offset. */
  offset = 0;
  /** second_repl_offset: replId2 is valid up to this offset; -1 when there is none. */
  secondOffset = -1;
  /** Clients that sent SYNC/PSYNC (the replicas list), in arrival order. */
  readonly replicas: ReplicaConn[] = [];
  /** Our master link while we are a replica. */
  link: MasterLink | null = null;
  /** INFO stats counters. */
  syncFull = 0;
  syncPartialOk = 0;
  syncPartialErr = 0;
  netReplInput = 0;
  netReplOutput = 0;
  /** Writes are refused (-NOREPLICAS): min-replicas-to-write not met. */
  tooFewReplicas = false;
  readonly #stream: ReplicationStream;
  #conns = new WeakMap<Client, ReplicaConn>();
  #waiters: Waiter[] = [];
  #getAckPending = false;
  #lastCron = 0;
  #cronLoops = 0;
  #noReplicasSince = Date.now();
  /** The snapshot running for replicas (socket or disk target), or null. */
  #sync: { replicas: ReplicaConn[]; socket: boolean } | null = null;
  #limits: [number, number, number] = [0, 0, 0];
  #limitSince = new WeakMap<Client, number>();

  constructor(server: Server) {
    this.server = server;
    this.#stream = new ReplicationStream(this);
    this.#loadLimits();
    const prev = server.config.onChange;
    server.config.onChange = (name, value) => {
      prev?.(name, value);
      this.#configChanged(name);
    };
    server.cronHooks.push(() => this.cron());
    server.freeClientHooks.push((c) => this.#clientGone(c));
    server.shutdownHooks.push(() => this.shutdown());
    server.addInfoProvider("stats", () => [
      ["total_net_repl_input_bytes", this.netReplInput],
      ["total_net_repl_output_bytes", this.netReplOutput],
      ["sync_full", this.syncFull],
      ["sync_partial_ok", this.syncPartialOk],
      ["sync_partial_err", this.syncPartialErr],
    ]);
    server.addInfoProvider("memory", () => [
      ["mem_replication_backlog", this.backlog === null ? 0 : this.backlog.size],
    ]);
    server.resetStatsHooks.push(() => {
      this.syncFull = this.syncPartialOk = this.syncPartialErr = 0;
      this.netReplInput = this.netReplOutput = 0;
    });
    server.persistence.replSaveInfo = () => this.#saveInfo();
    server.persistence.onStartupRdbLoaded = (rsi, expired) => this.#restoreFromRdb(rsi, expired);
    const r = server.config.get("replicaof");
    if (r !== "") {
      const sp = r.lastIndexOf(" ");
      this.setMaster(r.slice(0, sp), Number(r.slice(sp + 1)), false);
    }
  }

  #configChanged(name: string): void {
    if (name === "client-output-buffer-limit") this.#loadLimits();
    else if (name === "repl-backlog-size") {
      this.backlog?.resize(this.server.config.num("repl-backlog-size"));
    } else if (name.startsWith("min-replicas") || name.startsWith("min-slaves")) {
      this.refreshGoodReplicas();
    }
  }

  #loadLimits(): void {
    const parts = this.server.config.get("client-output-buffer-limit").split(" ");
    let i = parts.indexOf("slave");
    if (i < 0) i = parts.indexOf("replica");
    this.#limits = i < 0
      ? [0, 0, 0]
      : [Number(parts[i + 1]), Number(parts[i + 2]), Number(parts[i + 3])];
  }

  // ------------------------------------------------------------------------------------------
  // Stream and backlog

  /** Creates the backlog (createReplicationBacklog) and starts feeding the stream. */
  createBacklog(): void {
    if (this.backlog !== null) return;
    this.backlog = new ReplBacklog(this.server.config.num("repl-backlog-size"), this.offset);
    this.server.propagator.sinks.add(this.#stream);
  }

  /** Drops the backlog (freeReplicationBacklog); the stream stops being fed. */
  freeBacklog(): void {
    this.backlog = null;
    this.server.propagator.sinks.delete(this.#stream);
  }

  /** Forces a SELECT before the next propagated command (server.slaveseldb = -1). */
  resetSelectedDb(): void {
    this.#stream.selectedDb = -1;
  }

  /** Appends propagated RESP to the backlog and every replica (replicationFeedSlaves). */
  feedStream(resp: string): void {
    const b = this.backlog;
    if (b === null) return;
    b.appendStr(resp);
    this.offset = b.endOffset;
    const reps = this.replicas;
    for (let i = 0; i < reps.length; i++) this.#toReplica(reps[i], resp);
  }

  /**
   * A replica's proxy of its master's stream: the exact bytes applied go to our backlog and
   * our own replicas (replicationFeedStreamFromMasterStream).
   */
  feedProxied(bytes: Uint8Array): void {
    const b = this.backlog;
    if (b === null || bytes.length === 0) return;
    b.append(bytes);
    this.offset = b.endOffset;
    if (this.replicas.length === 0) return;
    const s = bytesToStr(bytes);
    for (const r of this.replicas) this.#toReplica(r, s);
  }

  // Feeds raw RESP without a SELECT (PING, REPLCONF GETACK): Redis feeds them with the db the
  // stream already selected.
  #feedRaw(resp: string): void {
    if (this.backlog === null || this.server.replicaOf !== null) return;
    this.feedStream(resp);
  }

  #toReplica(r: ReplicaConn, s: string): void {
    if (r.state === null || r.rdbOnly) return;
    if (r.state === "online" && !r.startStreamOnAck) {
      r.client.out.rawStr(s);
      this.netReplOutput += s.length;
      r.client.scheduleFlush();
    } else if (r.state !== "wait_bgsave_start") {
      r.pending.push(s);
      r.pendingBytes += s.length;
    } else {
      return;
    }
    this.#checkLimit(r);
  }

  // client-output-buffer-limit replica: a replica that falls too far behind is dropped.
  #checkLimit(r: ReplicaConn): void {
    const [hard, soft, secs] = this.#limits;
    if (hard === 0 && soft === 0) return;
    const c = r.client;
    const n = c.out.length + r.pendingBytes;
    let over = hard > 0 && n >= hard;
    if (!over && soft > 0 && n >= soft) {
      const now = Date.now();
      const since = this.#limitSince.get(c);
      if (since === undefined) this.#limitSince.set(c, now);
      else if ((now - since) / 1000 >= secs) over = true;
    } else if (soft > 0) {
      this.#limitSince.delete(c);
    }
    if (!over || c.closed) return;
    log.warning(
      `Client ${
        this.#describe(r)
      } scheduled to be closed ASAP for overcoming of output buffer limits.`,
    );
    queueMicrotask(() => c.kill());
  }

  // ------------------------------------------------------------------------------------------
  // Replication info in RDB files

  // rdbPopulateSaveInfo: a master records its history only while it has a backlog (without
  // one a replica gets a full resync and a new ID anyway); a replica records the db its
  // master's stream has selected, from the live link or the cached master.
  #saveInfo(): [string, string][] | null {
    const s = this.server;
    const link = this.link;
    let db: number;
    if (s.replicaOf === null) {
      if (this.backlog === null) return null;
      // -1 (no write since the last full resync): the next write brings a SELECT anyway.
      db = Math.max(0, this.#stream.selectedDb);
    } else if (link !== null && link.client !== null) db = link.client.dbIndex;
    else if (link !== null && link.cached !== null) db = link.cached.dbIndex;
    else return null;
    return [["repl-stream-db", String(db)], ["repl-id", s.replId], [
      "repl-offset",
      String(this.offset),
    ]];
  }

  // loadDataFromDisk: restores the replication ID and offset an RDB recorded, so that this
  // server can continue with +CONTINUE after a restart. A replica makes them its cached master
  // (PSYNC <id> <offset+1> to its master); a master keeps them as its secondary ID, so its
  // replicas can continue from it. On a master, keys found expired while loading are deleted
  // through the backlog (RDBFLAGS_FEED_REPL), so replicas that continue delete them too.
  #restoreFromRdb(rsi: RdbReplInfo, expired: [number, string][]): void {
    const s = this.server;
    const valid = rsi.replId !== "" && rsi.offset !== -1 && rsi.streamDb !== -1;
    if (s.replicaOf !== null) {
      if (!valid || this.link === null) return;
      s.replId = rsi.replId;
      this.offset = rsi.offset;
      log.notice(
        "Before turning into a replica, using my own master parameters to synthesize a cached master: I may be able to synchronize with the new master with just a partial transfer.",
      );
      this.link.cached = { replId: rsi.replId, offset: rsi.offset, dbIndex: rsi.streamDb };
      return;
    }
    if (valid) {
      s.replId2 = rsi.replId;
      this.secondOffset = rsi.offset + 1;
      this.offset = rsi.offset;
    }
    this.createBacklog();
    this.resetSelectedDb();
    const del = s.config.bool("lazyfree-lazy-expire") ? "UNLINK" : "DEL";
    for (const [db, key] of expired) this.#stream.feed(db, [del, key]);
    this.#noReplicasSince = Date.now();
    // Nothing to continue from: no backlog (as Redis frees it when the offset is still 0).
    if (this.offset === 0) this.freeBacklog();
  }

  // ------------------------------------------------------------------------------------------
  // Master side: REPLCONF, SYNC/PSYNC, full and partial resync

  /** The replica record of `c`, created by its first REPLCONF. */
  conn(c: Client): ReplicaConn {
    let r = this.#conns.get(c);
    if (r === undefined) {
      r = {
        client: c,
        state: null,
        listeningPort: 0,
        ipAddress: "",
        capaEof: false,
        capaPsync2: false,
        rdbOnly: false,
        prePsync: false,
        ackOffset: 0,
        ackTime: Date.now(),
        initialOffset: 0,
        pending: [],
        pendingBytes: 0,
        startStreamOnAck: false,
        waitSince: 0,
      };
      this.#conns.set(c, r);
    }
    return r;
  }

  /** The replica record of `c` if it is one. */
  replicaOf(c: Client): ReplicaConn | undefined {
    return this.#conns.get(c);
  }

  /** REPLCONF ACK from a replica (no reply). */
  ack(c: Client, offset: number): void {
    const r = this.#conns.get(c);
    if (r === undefined || !c.isReplica) return;
    if (offset > r.ackOffset) r.ackOffset = offset;
    r.ackTime = Date.now();
    if (r.startStreamOnAck && r.state === "online") this.#startStream(r);
    if (this.#waiters.length !== 0) this.#serveWaiters();
  }

  /** `ip:port` as Redis's replicationGetSlaveName prints a replica. */
  #describe(r: ReplicaConn): string {
    const host = r.ipAddress !== "" ? r.ipAddress : peerIp(r.client.addr);
    return r.listeningPort ? `${host}:${r.listeningPort}` : `${host}:<unknown-replica-port>`;
  }

  /**
   * SYNC / PSYNC replid offset (syncCommand). Replies nothing on success: the +FULLRESYNC or
   * +CONTINUE line and the payload are written here.
   * @returns an error text to reply, or null
   */
  sync(c: Client, psync: { replId: string; offset: number } | null): string | null {
    const r = this.conn(c);
    r.prePsync = psync === null;
    log.notice(`Replica ${this.#describe(r)} asks for synchronization`);
    if (psync !== null) {
      if (this.#tryPartial(r, psync.replId, psync.offset)) {
        this.syncPartialOk++;
        return null;
      }
      if (psync.replId !== "?") this.syncPartialErr++;
    }
    c.isReplica = true;
    c.decoder.authenticated = true;
    r.state = "wait_bgsave_start";
    r.waitSince = Date.now();
    this.replicas.push(r);
    if (this.replicas.length === 1 && this.backlog === null) {
      // A backlog created from scratch has no valid history: new IDs (syncCommand).
      this.server.replId = randomReplId();
      this.clearReplId2();
      this.createBacklog();
      log.notice(
        `Replication backlog created, my new replication IDs are '${this.server.replId}' and '${this.server.replId2}'`,
      );
    }
    this.syncFull++;
    const sync = this.#sync;
    if (sync !== null && !sync.socket) {
      // A disk snapshot for replicas is running: join it with a copy of another waiting
      // replica's buffered stream, which starts at the same point.
      const peer = sync.replicas.find((p) => p.state === "wait_bgsave_end" && !p.client.closed);
      if (peer !== undefined) {
        r.pending = [...peer.pending];
        r.pendingBytes = peer.pendingBytes;
        this.#setupFullResync(r, peer.initialOffset);
        sync.replicas.push(r);
        log.notice("Waiting for end of BGSAVE for SYNC");
        return null;
      }
      log.notice(
        "Can't attach the replica to the current BGSAVE. Waiting for next BGSAVE for SYNC",
      );
    } else if (sync !== null) {
      log.notice("Current BGSAVE has socket target. Waiting for next BGSAVE for SYNC");
    } else if (this.#diskless() && this.server.config.num("repl-diskless-sync-delay") > 0) {
      log.notice("Delay next BGSAVE for diskless SYNC");
    } else if (this.server.persistence.snapshotKind === null) {
      this.#startSync();
    } else {
      log.notice(
        "No BGSAVE in progress, but another BG operation is active. BGSAVE for replication delayed",
      );
    }
    return null;
  }

  #diskless(): boolean {
    return this.server.config.bool("repl-diskless-sync");
  }

  // masterTryPartialResynchronization.
  #tryPartial(r: ReplicaConn, replId: string, offset: number): boolean {
    const s = this.server;
    if (replId !== s.replId && (replId !== s.replId2 || offset > this.secondOffset)) {
      if (replId === "?") log.notice(`Full resync requested by replica ${this.#describe(r)}`);
      else if (replId !== s.replId2) {
        log.notice(
          `Partial resynchronization not accepted: Replication ID mismatch (Replica asked for '${replId}', my replication IDs are '${s.replId}' and '${s.replId2}')`,
        );
      } else {
        log.notice(
          `Partial resynchronization not accepted: Requested offset for second ID was ${offset}, but I can reply up to ${this.secondOffset}`,
        );
      }
      return false;
    }
    const b = this.backlog;
    if (b === null || !b.covers(offset)) {
      log.notice(
        `Unable to partial resync with replica ${
          this.#describe(r)
        } for lack of backlog (Replica request was: ${offset}).`,
      );
      if (b !== null && offset > b.endOffset) {
        log.warning(
          `Warning: replica ${
            this.#describe(r)
          } tried to PSYNC with an offset that is greater than the master replication offset.`,
        );
      }
      return false;
    }
    const c = r.client;
    c.isReplica = true;
    c.decoder.authenticated = true;
    r.state = "online";
    r.ackTime = Date.now();
    r.startStreamOnAck = false;
    this.replicas.push(r);
    c.out.rawStr(r.capaPsync2 ? `+CONTINUE ${s.replId}\r\n` : "+CONTINUE\r\n");
    const data = b.from(offset);
    c.out.raw(data);
    this.netReplOutput += data.length;
    c.scheduleFlush();
    log.notice(
      `Partial resynchronization request from ${
        this.#describe(r)
      } accepted. Sending ${data.length} bytes of backlog starting from offset ${offset}.`,
    );
    this.refreshGoodReplicas();
    return true;
  }

  // replicationSetupSlaveForFullResync: the stream for this replica starts here.
  #setupFullResync(r: ReplicaConn, offset: number): void {
    r.initialOffset = offset;
    r.state = "wait_bgsave_end";
    this.resetSelectedDb();
    if (!r.prePsync) {
      r.client.out.rawStr(`+FULLRESYNC ${this.server.replId} ${offset}\r\n`);
      r.client.scheduleFlush();
    }
  }

  // startBgsaveForReplication: one snapshot for every replica waiting for one.
  #startSync(): void {
    const waiting = this.replicas.filter((r) => r.state === "wait_bgsave_start");
    if (waiting.length === 0) return;
    const socket = this.#diskless() && waiting.every((r) => r.capaEof);
    log.notice(
      `Starting BGSAVE for SYNC with target: ${socket ? "replicas sockets" : "disk"}`,
    );
    const sync = { replicas: waiting, socket };
    const aux: [string, string][] = [
      ["repl-stream-db", "0"],
      ["repl-id", this.server.replId],
      ["repl-offset", String(this.offset)],
    ];
    const target = socket ? this.#socketTarget(sync, aux) : this.#diskTarget(sync, aux);
    if (this.server.persistence.snapshotKind !== null) return;
    // The snapshot's point in time is now: every stream byte from here on is buffered. The
    // +FULLRESYNC line goes first: a small snapshot may write its payload synchronously.
    for (const r of waiting) this.#setupFullResync(r, this.offset);
    this.#sync = sync;
    const done = this.server.persistence.startSnapshot(target)!;
    if (!socket) this.server.persistence.rdbSaves++;
    done.then(() => {
      if (this.#sync === sync) this.#sync = null;
    });
  }

  // Diskless: "$EOF:<mark>\r\n", the RDB, the mark, written to every replica of this sync;
  // its stream starts after its first REPLCONF ACK (the replica cannot tell stream bytes from
  // payload bytes before it has parsed the mark).
  #socketTarget(sync: { replicas: ReplicaConn[] }, aux: [string, string][]): SnapshotTarget {
    const mark = randomReplId();
    let started = false;
    const live = () => sync.replicas.filter((r) => !r.client.closed);
    const send = async (bytes: Uint8Array) => {
      const rs = live();
      for (const r of rs) {
        r.client.out.raw(bytes);
        this.netReplOutput += bytes.length;
      }
      await Promise.all(rs.map((r) => r.client.flush().catch(() => r.client.kill())));
    };
    return {
      kind: "rdb",
      socket: true,
      aux,
      write: async (chunk) => {
        if (!started) {
          started = true;
          await send(strToBytes(`$EOF:${mark}\r\n`));
        }
        await send(chunk);
      },
      finish: async () => {
        await send(strToBytes(mark));
        log.notice("Background RDB transfer terminated with success");
        for (const r of live()) {
          log.notice(
            `Streamed RDB transfer with replica ${
              this.#describe(r)
            } succeeded (socket). Waiting for REPLCONF ACK from slave to enable streaming`,
          );
          this.#putOnline(r, true);
        }
        this.#afterSync();
        return live().length > 0 || sync.replicas.length === 0;
      },
      discard: async () => {
        for (const r of sync.replicas) r.client.kill();
        this.#afterSync();
        await Promise.resolve();
      },
    } as SnapshotTarget;
  }

  // Disk: a BGSAVE of the dump file, then "$<len>\r\n" and its bytes to each replica (no
  // trailing CRLF), and the buffered stream right after.
  #diskTarget(sync: { replicas: ReplicaConn[] }, aux: [string, string][]): SnapshotTarget {
    const chunks: Uint8Array[] = [];
    let total = 0;
    const p = this.server.persistence;
    const dir = p.dataDir();
    const tmp = `${dir}/temp-${Deno.pid}-repl.rdb`;
    return {
      kind: "rdb",
      aux,
      write: (chunk) => {
        chunks.push(chunk.slice());
        total += chunk.length;
        return Promise.resolve();
      },
      finish: async () => {
        const data = new Uint8Array(total);
        let o = 0;
        for (const c of chunks) {
          data.set(c, o);
          o += c.length;
        }
        chunks.length = 0;
        try {
          await Deno.writeFile(tmp, data);
          await Deno.rename(tmp, p.path());
          log.notice("DB saved on disk");
        } catch (err) {
          log.warning(`Write error saving DB on disk: ${(err as Error).message}`);
          await Deno.remove(tmp).catch(() => {});
        }
        const header = strToBytes(`$${data.length}\r\n`);
        const rs = sync.replicas.filter((r) => !r.client.closed);
        for (const r of rs) {
          r.state = "send_bulk";
          r.client.out.raw(header);
          r.client.out.raw(data);
          this.netReplOutput += header.length + data.length;
        }
        // Put online only once the payload is written, so the stream follows it.
        Promise.all(rs.map(async (r) => {
          try {
            await r.client.flush();
          } catch {
            r.client.kill();
            return;
          }
          if (r.client.closed) return;
          this.#putOnline(r, false);
        })).then(() => this.#delSyncFile());
        this.#afterSync();
        return true;
      },
      discard: async () => {
        await Deno.remove(tmp).catch(() => {});
        for (const r of sync.replicas) r.client.kill();
        this.#afterSync();
      },
    };
  }

  // rdb-del-sync-files: a dump written only for replication goes once it was sent, when this
  // server has no persistence of its own.
  #delSyncFile(): void {
    const c = this.server.config;
    if (!c.bool("rdb-del-sync-files") || c.get("save") !== "" || c.bool("appendonly")) return;
    if (this.#sync !== null) return;
    Deno.remove(this.server.persistence.path()).catch(() => {});
  }

  #afterSync(): void {
    // Replicas that arrived meanwhile get the next snapshot (replicationStartPendingFork).
    queueMicrotask(() => this.#startPending());
  }

  #startPending(): void {
    if (this.#sync !== null || this.server.persistence.snapshotKind !== null) return;
    const waiting = this.replicas.filter((r) => r.state === "wait_bgsave_start");
    if (waiting.length === 0) return;
    if (this.#diskless()) {
      const delay = this.server.config.num("repl-diskless-sync-delay") * 1000;
      const max = this.server.config.num("repl-diskless-sync-max-replicas");
      const oldest = Math.min(...waiting.map((r) => r.waitSince));
      if (Date.now() - oldest < delay && !(max > 0 && waiting.length >= max)) return;
    }
    this.#startSync();
  }

  // replicaPutOnline (+ replicaStartCommandStream unless it waits for the first ACK).
  #putOnline(r: ReplicaConn, onAck: boolean): void {
    r.state = "online";
    r.ackTime = Date.now();
    r.startStreamOnAck = onAck;
    log.notice(`Synchronization with replica ${this.#describe(r)} succeeded`);
    if (r.rdbOnly) {
      // An rdb-only client is done once it has the snapshot.
      r.client.flush().finally(() => r.client.kill());
      return;
    }
    if (!onAck) this.#startStream(r);
    this.refreshGoodReplicas();
  }

  #startStream(r: ReplicaConn): void {
    r.startStreamOnAck = false;
    const c = r.client;
    for (const s of r.pending) c.out.rawStr(s);
    this.netReplOutput += r.pendingBytes;
    r.pending = [];
    r.pendingBytes = 0;
    c.scheduleFlush();
  }

  #clientGone(c: Client): void {
    const r = this.#conns.get(c);
    if (r !== undefined) {
      const i = this.replicas.indexOf(r);
      if (i >= 0) {
        this.replicas.splice(i, 1);
        log.notice(`Connection with replica ${this.#describe(r)} lost.`);
        if (this.replicas.length === 0) this.#noReplicasSince = Date.now();
        this.refreshGoodReplicas();
      }
      r.state = null;
      r.pending = [];
    }
    if (this.link !== null && c === this.link.client) this.link.clientFreed();
    const w = this.#waiters.findIndex((x) => x.client === c);
    if (w >= 0) this.#waiters.splice(w, 1);
  }

  /** Closes every replica connection (they reconnect and learn about ID changes). */
  disconnectReplicas(): void {
    for (const r of [...this.replicas]) r.client.kill();
  }

  // ------------------------------------------------------------------------------------------
  // Replication IDs and role changes

  /** clearReplicationId2. */
  clearReplId2(): void {
    this.server.replId2 = "0".repeat(40);
    this.secondOffset = -1;
  }

  /** shiftReplicationId: the current ID becomes the secondary one, valid up to our offset. */
  shiftReplId(): void {
    const s = this.server;
    s.replId2 = s.replId;
    // The next byte a replica that followed the old history may ask for.
    this.secondOffset = this.offset + 1;
    s.replId = randomReplId();
    log.notice(
      `Setting secondary replication ID to ${s.replId2}, valid up to offset: ${this.secondOffset}. New replication ID is ${s.replId}`,
    );
  }

  /**
   * REPLICAOF host port (replicationSetMaster).
   * @param userRequest false at start-up (replicaof in the config)
   */
  setMaster(host: string, port: number, userRequest = true): void {
    const s = this.server;
    const wasMaster = s.replicaOf === null;
    this.link?.stop(false);
    s.replicaOf = { host, port };
    if (userRequest) this.#setConfig(`${host} ${port}`);
    // Blocked clients would wait for writes that can no longer come from them.
    this.#disconnectBlocked();
    this.disconnectReplicas();
    let cached: CachedMaster | null = null;
    if (wasMaster && userRequest) {
      log.notice(
        "Before turning into a replica, using my own master parameters to synthesize a cached master: I may be able to synchronize with the new master with just a partial transfer.",
      );
      cached = { replId: s.replId, offset: this.offset, dbIndex: 0 };
    } else if (this.link !== null) {
      cached = this.link.cached;
    }
    this.link = new MasterLink(this, host, port, cached);
    // At start-up the link starts from the cron, once the server listens and has loaded.
    if (userRequest) {
      log.notice(`Connecting to MASTER ${host}:${port}`);
      this.link.start();
    }
    this.refreshGoodReplicas();
  }

  // disconnectAllBlockedClients: the writes they wait for can no longer happen here.
  #disconnectBlocked(): void {
    const s = this.server;
    for (const c of [...s.clients.values()]) {
      if (c.blocked === null) continue;
      s.blocking.remove(c);
      this.removeWaiter(c);
      const err = new ReplyError(UNBLOCKED_ROLE_CHANGE);
      s.countError(err);
      c.reply(err);
      c.closeAfterReply = true;
      c.flush().finally(() => c.kill());
    }
  }

  /** REPLICAOF NO ONE (replicationUnsetMaster): keeps the dataset, new replication ID. */
  unsetMaster(): void {
    const s = this.server;
    if (s.replicaOf === null) return;
    this.link?.stop(false);
    this.link = null;
    s.replicaOf = null;
    this.#setConfig("no one");
    this.shiftReplId();
    this.disconnectReplicas();
    this.resetSelectedDb();
    this.#noReplicasSince = Date.now();
    this.refreshGoodReplicas();
    // An AOF stopped by a full sync that did not complete starts again.
    this.restartAof().catch(() => {});
  }

  /**
   * restartAOFAfterSYNC: with appendonly yes and the AOF stopped (by a full resync), turns it
   * back on, which starts a rewrite of the current dataset; up to 10 tries a second apart, then
   * the process exits, as Redis does (an AOF silently off would lose every later write).
   */
  async restartAof(): Promise<void> {
    const aof = this.server.persistence.aof;
    for (let tries = 0; tries < 10; tries++) {
      if (!this.server.config.bool("appendonly") || aof.state !== "off") return;
      if (aof.start()) return;
      log.warning(
        "Failed enabling the AOF after successful master synchronization! Trying it again in one second.",
      );
      await new Promise((r) => setTimeout(r, 1000));
    }
    if (!this.server.config.bool("appendonly") || aof.state !== "off") return;
    log.warning(
      "FATAL: this replica instance finished the synchronization with its master, but the AOF can't be turned on. Exiting now.",
    );
    Deno.exit(1);
  }

  // Keeps CONFIG GET / CONFIG REWRITE replicaof in step with the role.
  #setConfig(value: string): void {
    try {
      this.server.config.set("replicaof", value, true);
    } catch (err) {
      log.warning(`Could not record replicaof '${value}': ${(err as Error).message}`);
    }
  }

  /** Stops the master link on shutdown. */
  async shutdown(): Promise<void> {
    const link = this.link;
    if (link !== null) await link.stop(true);
  }

  // ------------------------------------------------------------------------------------------
  // WAIT and min-replicas

  /** Replicas (online) that acknowledged `offset` (replicationCountAcksByOffset). */
  countAcks(offset: number): number {
    let n = 0;
    for (const r of this.replicas) if (r.state === "online" && r.ackOffset >= offset) n++;
    return n;
  }

  /** Registers a blocked WAIT and asks every replica for an ACK. */
  addWaiter(client: Client, offset: number, numReplicas: number): void {
    this.#waiters.push({ client, offset, numReplicas });
    this.requestAcks();
  }

  /** Forgets a WAIT (timed out or unblocked). */
  removeWaiter(client: Client): void {
    const i = this.#waiters.findIndex((w) => w.client === client);
    if (i >= 0) this.#waiters.splice(i, 1);
  }

  /** REPLCONF GETACK * to every replica, once per event-loop turn (beforeSleep). */
  requestAcks(): void {
    if (this.#getAckPending) return;
    this.#getAckPending = true;
    setTimeout(() => {
      this.#getAckPending = false;
      this.#feedRaw(GETACK);
    }, 0);
  }

  #serveWaiters(): void {
    const s = this.server;
    for (const w of [...this.#waiters]) {
      const n = this.countAcks(w.offset);
      if (n < w.numReplicas) continue;
      this.removeWaiter(w.client);
      if (w.client.blocked === null) continue;
      s.blocking.remove(w.client);
      w.client.reply(n);
      s.resume(w.client);
    }
  }

  /** refreshGoodSlavesCount: -NOREPLICAS while fewer good replicas than required. */
  refreshGoodReplicas(): void {
    const c = this.server.config;
    const need = c.num("min-replicas-to-write");
    const lag = c.num("min-replicas-max-lag");
    if (need === 0 || lag === 0 || this.server.replicaOf !== null) {
      this.tooFewReplicas = false;
      return;
    }
    this.tooFewReplicas = this.goodReplicas() < need;
  }

  /** Online replicas whose last ACK is at most min-replicas-max-lag seconds old. */
  goodReplicas(): number {
    const lag = this.server.config.num("min-replicas-max-lag");
    const now = Date.now();
    let n = 0;
    for (const r of this.replicas) {
      if (r.state === "online" && Math.floor((now - r.ackTime) / 1000) <= lag) n++;
    }
    return n;
  }

  // ------------------------------------------------------------------------------------------
  // Cron

  /** From the server cron: starts pending syncs; once a second, replicationCron. */
  cron(): void {
    if (this.replicas.length !== 0 && this.#sync === null) this.#startPending();
    const s = this.server;
    const link = this.link;
    if (link !== null && !link.started && !s.persistence.loading && s.port !== 0) {
      log.notice(`Connecting to MASTER ${s.replicaOf!.host}:${s.replicaOf!.port}`);
      link.start();
    }
    const now = Date.now();
    if (now - this.#lastCron < 1000) return;
    this.#lastCron = now;
    this.#cronLoops++;
    const c = s.config;
    link?.cron();
    const timeout = c.num("repl-timeout") * 1000;
    // PING the replicas every repl-ping-replica-period seconds (not while clients are paused).
    const period = c.num("repl-ping-replica-period");
    if (
      this.#cronLoops % period === 0 && this.replicas.length !== 0 && s.replicaOf === null &&
      s.pauseEnd === 0
    ) {
      this.#feedRaw(PING);
    }
    for (const r of [...this.replicas]) {
      // A newline keeps a replica waiting for its snapshot from timing out.
      if (
        r.state === "wait_bgsave_start" ||
        (r.state === "wait_bgsave_end" && !(this.#sync?.socket ?? false))
      ) {
        r.client.out.rawStr("\n");
        r.client.scheduleFlush();
      }
      if (r.state === "online" && !r.prePsync && now - r.ackTime > timeout) {
        log.warning(`Disconnecting timedout replica (streaming sync): ${this.#describe(r)}`);
        r.client.kill();
      }
    }
    const ttl = c.num("repl-backlog-ttl");
    if (
      this.replicas.length === 0 && s.replicaOf === null && ttl > 0 && this.backlog !== null &&
      now - this.#noReplicasSince > ttl * 1000
    ) {
      // A new ID: a replica that later connects must not continue from a stale history.
      s.replId = randomReplId();
      this.clearReplId2();
      this.freeBacklog();
      log.notice(`Replication backlog freed after ${ttl} seconds without connected replicas.`);
    }
    this.refreshGoodReplicas();
  }

  // ------------------------------------------------------------------------------------------
  // INFO and ROLE

  /** INFO replication, in Redis 7.0's field order. */
  infoFields(): [string, string | number][] {
    const s = this.server;
    const c = s.config;
    const out: [string, string | number][] = [];
    const link = this.link;
    const now = Date.now();
    if (s.replicaOf === null || link === null) {
      out.push(["role", "master"]);
    } else {
      out.push(
        ["role", "slave"],
        ["master_host", s.replicaOf.host],
        ["master_port", s.replicaOf.port],
        ["master_link_status", link.state === "connected" ? "up" : "down"],
        [
          "master_last_io_seconds_ago",
          link.client !== null ? Math.floor((now - link.lastIo) / 1000) : -1,
        ],
        ["master_sync_in_progress", link.state === "transfer" ? 1 : 0],
        ["slave_read_repl_offset", link.readReplOffset()],
        ["slave_repl_offset", link.replOffset()],
      );
      if (link.state === "transfer") {
        const t = link.transfer;
        const perc = t.size > 0 ? (t.read / t.size) * 100 : 0;
        out.push(
          ["master_sync_total_bytes", t.size],
          ["master_sync_read_bytes", t.read],
          ["master_sync_left_bytes", t.size - t.read],
          ["master_sync_perc", perc.toFixed(2)],
          ["master_sync_last_io_seconds_ago", Math.floor((now - t.lastIo) / 1000)],
        );
      }
      if (link.state !== "connected") {
        out.push([
          "master_link_down_since_seconds",
          link.downSince ? Math.floor((now - link.downSince) / 1000) : -1,
        ]);
      }
      out.push(
        ["slave_priority", c.num("replica-priority")],
        ["slave_read_only", c.bool("replica-read-only") ? 1 : 0],
        ["replica_announced", c.bool("replica-announced") ? 1 : 0],
      );
    }
    out.push(["connected_slaves", this.replicas.length]);
    if (c.num("min-replicas-to-write") && c.num("min-replicas-max-lag")) {
      out.push(["min_slaves_good_slaves", this.goodReplicas()]);
    }
    let i = 0;
    for (const r of this.replicas) {
      if (r.state === null) continue;
      const ip = r.ipAddress !== "" ? r.ipAddress : peerIp(r.client.addr);
      const lag = r.state === "online" ? Math.floor((now - r.ackTime) / 1000) : 0;
      const state = r.state === "wait_bgsave_start" ? "wait_bgsave" : r.state;
      out.push([
        `slave${i++}`,
        `ip=${ip},port=${r.listeningPort},state=${state},offset=${r.ackOffset},lag=${lag}`,
      ]);
    }
    const b = this.backlog;
    out.push(
      ["master_failover_state", "no-failover"],
      ["master_replid", s.replId],
      ["master_replid2", s.replId2],
      ["master_repl_offset", this.offset],
      ["second_repl_offset", this.secondOffset],
      ["repl_backlog_active", b !== null ? 1 : 0],
      ["repl_backlog_size", c.num("repl-backlog-size")],
      ["repl_backlog_first_byte_offset", b !== null ? b.firstByteOffset : 0],
      ["repl_backlog_histlen", b !== null ? b.histlen : 0],
    );
    return out;
  }

  /** ROLE's reply. */
  role(): Reply {
    const s = this.server;
    const link = this.link;
    if (s.replicaOf === null || link === null) {
      const reps: Reply[] = [];
      for (const r of this.replicas) {
        if (r.state !== "online") continue;
        const ip = r.ipAddress !== "" ? r.ipAddress : peerIp(r.client.addr);
        reps.push([ip, String(r.listeningPort), String(r.ackOffset)]);
      }
      return ["master", this.offset, reps];
    }
    return [
      "slave",
      s.replicaOf.host,
      s.replicaOf.port,
      link.roleState(),
      link.client !== null ? link.replOffset() : -1,
    ];
  }
}

/** The IP part of a client's `addr` (`host:port`, IPv6 in brackets). */
function peerIp(addr: string): string {
  const i = addr.lastIndexOf(":");
  const host = i < 0 ? addr : addr.slice(0, i);
  return host.startsWith("[") ? host.slice(1, -1) : host;
}
