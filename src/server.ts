// The server: owns the config, keyspace, command table, clients, propagator, slow log and
// timers. `listen()` binds every `bind` address; each accepted connection gets one async
// loop that reads into the client's decoder buffer, runs every complete command
// synchronously, then writes all replies of that read with one write. `shutdown()` stops
// accepting, closes clients, clears timers and resolves when every connection task ended.

import { Acl } from "./acl/acl.ts";
import { Client } from "./client.ts";
import { execute, runRetry } from "./commands/dispatcher.ts";
import { BlockingRegistry } from "./blocking/registry.ts";
import { PubSub } from "./pubsub/pubsub.ts";
import { clientInfoLine } from "./commands/connection.ts";
import type { Command } from "./commands/spec.ts";
import { CommandTable } from "./commands/table.ts";
import { Config, ConfigError, REDIS_VERSION, repr, SERVER_NAME, SERVER_VERSION } from "./config.ts";
import {
  DENIED_PROTECTED_MODE,
  ProtocolError,
  type ReplyError,
  TLS_CONFIGURE_FAILED,
  TLS_PORT_FAILED,
  TLS_UPDATE_FAILED,
} from "./errors.ts";
import { log } from "./log.ts";
import { QueryBufferLimitError, RequestDecoder } from "./resp/decoder.ts";
import { SimpleString } from "./resp/types.ts";
import { Propagator } from "./replication/propagator.ts";
import { Replication } from "./replication/master.ts";
import { Keyspace } from "./store/keyspace.ts";
import { Evictor } from "./store/evict.ts";
import { Slowlog } from "./slowlog.ts";
import { type InfoProvider, InstantaneousMetrics } from "./info.ts";
import { LatencyMonitor } from "./latency.ts";
import { type BeforeWrite, Persistence } from "./persistence/snapshotter.ts";
import {
  checkTlsDirective,
  type ConnSource,
  loadTlsSettings,
  openTlsListener,
  TlsConfigError,
  type TlsSettings,
} from "./net/tls.ts";

/** Output bytes still queued behind an in-flight write beyond which reading pauses. */
const WRITE_BACKLOG = 64 * 1024;

/** Counters for INFO stats. */
export interface ServerStats {
  totalConnections: number;
  rejectedConnections: number;
  totalCommands: number;
  netInput: number;
  netOutput: number;
  totalErrorReplies: number;
  errors: Map<string, number>;
  opsSamples: number[];
  lastOpsSampleCommands: number;
  lastOpsSampleTime: number;
  evictedClients: number;
}

/** used_memory as INFO reports it: V8's heap in use plus external (off-heap) memory. */
function usedMemory(): number {
  const m = Deno.memoryUsage();
  return m.heapUsed + m.external;
}

function randomHex(n: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(n / 2));
  return Array.from(bytes, (x) => x.toString(16).padStart(2, "0")).join("");
}

/** A Redis-compatible server instance. */
export class Server {
  readonly config: Config;
  readonly keyspace: Keyspace;
  readonly table: CommandTable;
  readonly clients = new Map<number, Client>();
  readonly monitors = new Set<Client>();
  readonly propagator = new Propagator();
  readonly slowlog: Slowlog;
  /** Channel, pattern and shard subscriptions; keyspace notifications. */
  readonly pubsub: PubSub;
  /** Clients blocked on keys (BLPOP ...) and their timeouts. */
  readonly blocking: BlockingRegistry;
  readonly runId = randomHex(40);
  readonly startTime = Date.now();
  readonly stats: ServerStats = {
    totalConnections: 0,
    rejectedConnections: 0,
    totalCommands: 0,
    netInput: 0,
    netOutput: 0,
    totalErrorReplies: 0,
    errors: new Map(),
    opsSamples: [],
    lastOpsSampleCommands: 0,
    lastOpsSampleTime: Date.now(),
    evictedClients: 0,
  };
  /** Ports actually bound (after `--port 0`). */
  port = 0;
  /** The TLS port bound (0: no TLS listener). */
  tlsPort = 0;
  /** Clock state for the current batch of commands (see markTime). */
  inBatch = false;
  wallBase = Date.now();
  perfBase = 0;
  perfMark = 0;
  /** Nesting depth of `call` (EXEC runs queued commands inside its own call). */
  execDepth = 0;
  /**
   * The -BUSY error while a script runs past busy-reply-threshold, paused between slices of
   * its run (src/scripting/README.md); null otherwise. While it is set only allow_busy commands
   * run and nothing else touches the dataset: cron work and blocked-client serving wait, and so
   * does the master link's stream (`whenNotBusy`).
   */
  busyReply: string | null = null;
  #notBusy = new Set<() => void>();
  /** CLIENT PAUSE state: end time (ms) and mode. */
  pauseEnd = 0;
  pauseMode: "write" | "all" = "all";
  /** Hooks that later subsystems install (blocking, replication role ...). */
  readonly afterCommandHooks: (() => void)[] = [];
  /**
   * Run before any client's pending replies are written to its socket (Redis's beforeSleep
   * flushes the AOF before handleClientsWithPendingWrites): the AOF writes, and with
   * appendfsync always fsyncs, what those replies acknowledge. Empty while AOF is off.
   */
  readonly beforeReplyHooks: (() => Promise<void> | undefined)[] = [];
  /**
   * Runs `beforeReplyHooks`; every Client calls it before writing (Client.beforeSend) and, when
   * a hook returns a promise (a group fsync for appendfsync always), waits for it.
   */
  readonly beforeReply = (): Promise<void> | undefined => {
    const hooks = this.beforeReplyHooks;
    let wait: Promise<void> | undefined;
    for (let i = 0; i < hooks.length; i++) wait = hooks[i]() ?? wait;
    return wait;
  };
  #listeners: ConnSource[] = [];
  // TLS listeners (tls-port), rebuilt by CONFIG SET tls-*; retired ones end their accept loop.
  #tlsListeners: ConnSource[] = [];
  #retired = new WeakSet<ConnSource>();
  // Accepted TLS connections still in their handshake (closed on shutdown).
  #handshaking = new Set<Deno.Conn>();
  #listening = false;
  #tlsRebuildQueued = false;
  #tasks = new Set<Promise<void>>();
  #cron: ReturnType<typeof setInterval> | undefined;
  #pauseTimer: ReturnType<typeof setTimeout> | undefined;
  #nextClientId = 1;
  #stopping = false;
  #shutdownResolve: (() => void) | null = null;
  /** Resolves when the server has fully stopped. */
  readonly finished: Promise<void>;
  /** Unix seconds of the last successful save (LASTSAVE); the start time until one happens. */
  lastSave = Math.floor(Date.now() / 1000);
  /** Failed AUTH attempts (INFO stats). */
  authFailures = 0;
  /** Called by RESET for subsystem state (pub/sub, tracking). */
  readonly resetClientHooks: ((c: Client) => void)[] = [];
  /** Set by replication: true while this server is a replica. */
  replicaOf: { host: string; port: number } | null = null;
  // --- admin family (INFO, CONFIG RESETSTAT, LATENCY, MEMORY)
  /** Replication ids for INFO replication (master_replid is random per server). */
  replId = randomHex(40);
  replId2 = "0".repeat(40);
  /** Extra/overriding INFO fields per section name, registered by subsystems. */
  readonly infoProviders = new Map<string, InfoProvider[]>();
  /** Run by CONFIG RESETSTAT for counters kept outside `stats` (sync_full, rdb_saves ...). */
  readonly resetStatsHooks: (() => void)[] = [];
  /** Latency monitor events and per-command histogram settings. */
  readonly latency = new LatencyMonitor();
  /** instantaneous_* samplers, fed by cron. */
  readonly instMetrics = new InstantaneousMetrics();
  /** used_memory right after construction, and the highest value sampled since. */
  readonly memoryStartup = usedMemory();
  memoryPeak = 0;
  /** Synchronous final save for SHUTDOWN, installed by persistence; null: cannot save. */
  saveForShutdown: (() => boolean) | null = null;
  /** Set by SHUTDOWN once it has saved (or was told not to): shutdown hooks must not save. */
  shutdownSaveDone = false;
  /** Run by `cron()` at every tick (save points ...). */
  readonly cronHooks: (() => void)[] = [];
  /**
   * Called by the dispatcher before each write command runs while a BGSAVE snapshot is being
   * taken (copy-on-write of the keys it names); null otherwise.
   */
  beforeWrite: BeforeWrite | null = null;
  /** RDB snapshots: SAVE, BGSAVE, save points, loading, DUMP/RESTORE payloads. */
  readonly persistence: Persistence;
  /** ACL users, authentication, permission checks and the ACL LOG. */
  readonly acl: Acl;

  /** Registers extra fields for an INFO section. */
  addInfoProvider(section: string, provider: InfoProvider): void {
    const list = this.infoProviders.get(section);
    if (list === undefined) this.infoProviders.set(section, [provider]);
    else list.push(provider);
  }

  constructor(config: Config = new Config()) {
    this.config = config;
    this.table = new CommandTable();
    this.acl = new Acl(this);
    this.slowlog = new Slowlog(config);
    this.keyspace = new Keyspace(config.num("databases"), {
      isReplica: () => this.isReplica(),
      propagate: (db, argv) => this.propagator.feedNow(db, argv),
      notify: (type, event, key, db) => this.pubsub.notify(type, event, key, db),
    });
    this.blocking = new BlockingRegistry(config.num("databases"), {
      runRetry: (client, state) => runRetry(this, client, state),
      finish: (client, reply) => {
        client.reply(reply);
        this.resume(client);
      },
    });
    this.keyspace.blockedOn = (db, key) => this.blocking.isBlockedOn(db, key);
    this.pubsub = new PubSub(config);
    this.keyspace.notifyNew = config.get("notify-keyspace-events").includes("n");
    this.freeClientHooks.push((c) => this.pubsub.removeClient(c));
    this.resetClientHooks.push((c) => this.pubsub.removeClient(c));
    this.freeClientHooks.push((c) => this.blocking.remove(c));
    this.finished = new Promise((r) => this.#shutdownResolve = r);
    config.onChange = (name, value) => this.#applyConfig(name, value);
    this.#applyConfig("loglevel", config.get("loglevel"));
    this.#loadOutputLimits();
    this.latency.reload(config);
    this.persistence = new Persistence(this);
    this.evictor = new Evictor(this);
    this.replication = new Replication(this);
  }

  /** Replication: IDs, offset, backlog, replicas, the link to our master (replication/). */
  readonly replication: Replication;

  /** maxmemory: memory accounting, eviction and access clocks (store/evict.ts). */
  readonly evictor: Evictor;

  /** True when configured as a replica of some master. */
  isReplica(): boolean {
    return this.replicaOf !== null;
  }

  #applyConfig(name: string, value: string): void {
    if (name === "loglevel") log.setLevel(value);
    if (name.startsWith("tls-")) this.#tlsConfigChanged(name);
    if (name === "requirepass") this.acl?.updateDefaultPassword(value);
    if (name.startsWith("slowlog-")) this.slowlog?.reload();
    if (name.startsWith("latency-")) this.latency.reload(this.config);
    if (name === "hz" && this.#cron !== undefined) this.#startCron();
    if (/^(maxmemory|lfu-|replica-ignore-maxmemory|lazyfree-lazy-eviction)/.test(name)) {
      this.evictor?.reload();
    }
    if (name === "client-output-buffer-limit") this.#loadOutputLimits();
    if (name === "client-output-buffer-limit" || name === "notify-keyspace-events") {
      this.pubsub?.reload();
      if (this.keyspace) {
        this.keyspace.notifyNew = this.config.get("notify-keyspace-events").includes("n");
      }
    }
  }

  /** Binds the configured addresses and starts accepting connections. */
  async listen(): Promise<void> {
    if (this.acl.startupError !== null) throw new Error(this.acl.startupError);
    const tlsPort = this.config.num("tls-port");
    // Redis checks the TLS files before binding anything and exits when they are unusable.
    let tls: TlsSettings | null = null;
    if (tlsPort !== 0 || this.config.bool("tls-replication")) {
      try {
        tls = loadTlsSettings(this.config);
      } catch (err) {
        if (!(err instanceof TlsConfigError)) throw err;
        log.warning(err.message);
        throw new Error(TLS_CONFIGURE_FAILED);
      }
    }
    // `port 0` with a tls-port serves TLS only, as in Redis; without a tls-port it picks a
    // free port (this project's convention, where Redis would refuse to start).
    const port = this.config.num("port");
    if (port !== 0 || tlsPort === 0) {
      this.port = await this.#bindAll(
        port,
        (hostname, p) => Deno.listen({ hostname, port: p, transport: "tcp" }),
        this.#listeners,
      );
    }
    if (tlsPort !== 0) {
      this.tlsPort = await this.#bindAll(
        tlsPort,
        (hostname, p) => openTlsListener({ hostname, port: p }, tls!),
        this.#tlsListeners,
      );
      if (this.port === 0) this.port = this.tlsPort;
    }
    for (const l of this.#listeners) this.#track(this.#acceptLoop(l));
    for (const l of this.#tlsListeners) this.#track(this.#acceptLoop(l));
    this.#listening = true;
    this.#startCron();
    await Promise.resolve();
  }

  /** The `bind` addresses as hostnames, with `-` marking an optional one. */
  #bindAddrs(): { host: string; optional: boolean }[] {
    const binds = this.config.get("bind").split(" ").filter((x) => x !== "");
    return (binds.length ? binds : ["0.0.0.0"]).map((raw) => {
      const optional = raw.startsWith("-");
      let host = optional ? raw.slice(1) : raw;
      if (host === "*") host = "0.0.0.0";
      if (host === "::*") host = "::";
      return { host, optional };
    });
  }

  // Binds `port` on every bind address (port 0: the first bind picks it, the rest reuse it).
  async #bindAll(
    port: number,
    open: (hostname: string, port: number) => ConnSource | Promise<ConnSource>,
    into: ConnSource[],
  ): Promise<number> {
    for (const { host, optional } of this.#bindAddrs()) {
      try {
        const l = await open(host, port);
        into.push(l);
        port = (l.addr as Deno.NetAddr).port;
      } catch (err) {
        if (optional) continue;
        for (const l of into.splice(0)) l.close();
        throw new Error(
          `Could not create server TCP listening socket ${host}:${port}: ${(err as Error).message}`,
        );
      }
    }
    return port;
  }

  // CONFIG SET tls-*: the new file is checked now (an error undoes the set, with Redis's
  // reply); the listeners are rebuilt once the command is over, so that CONFIG SET
  // tls-cert-file a tls-key-file b is checked as a pair.
  #tlsConfigChanged(name: string): void {
    if (!this.#listening) return;
    if (name === "tls-port") {
      const p = this.config.num("tls-port");
      if (p !== 0 && p !== this.tlsPort) {
        // Probe the port synchronously so that a busy one fails the CONFIG SET.
        try {
          for (const { host, optional } of this.#bindAddrs()) {
            try {
              Deno.listen({ hostname: host, port: p, transport: "tcp" }).close();
            } catch (err) {
              if (!optional) throw err;
            }
          }
        } catch (err) {
          log.warning(
            `Could not create server TCP listening socket *:${p}: ${(err as Error).message}`,
          );
          throw new ConfigError(TLS_PORT_FAILED);
        }
      }
    } else {
      try {
        checkTlsDirective(name, this.config);
      } catch (err) {
        if (!(err instanceof TlsConfigError)) throw err;
        log.warning(err.message);
        throw new ConfigError(TLS_UPDATE_FAILED);
      }
    }
    if (this.#tlsRebuildQueued) return;
    this.#tlsRebuildQueued = true;
    queueMicrotask(() => {
      this.#tlsRebuildQueued = false;
      this.#track(this.#rebuildTls());
    });
  }

  // Replaces the TLS listeners after a CONFIG SET tls-*; established connections stay.
  async #rebuildTls(): Promise<void> {
    if (this.#stopping) return;
    const p = this.config.num("tls-port");
    let settings: TlsSettings | null = null;
    if (p !== 0) {
      try {
        settings = loadTlsSettings(this.config);
      } catch (err) {
        log.warning(`Failed applying new TLS configuration: ${(err as Error).message}`);
        return;
      }
    }
    const old = this.#tlsListeners.splice(0);
    for (const l of old) {
      this.#retired.add(l);
      l.close();
    }
    this.tlsPort = 0;
    if (settings === null) return;
    // The old listener's port may take a moment to be released by node:tls.
    const fresh: ConnSource[] = [];
    for (let attempt = 0;; attempt++) {
      try {
        this.tlsPort = await this.#bindAll(
          p,
          (hostname, port) => openTlsListener({ hostname, port }, settings),
          fresh,
        );
        break;
      } catch (err) {
        if (attempt >= 50 || this.#stopping) {
          log.warning((err as Error).message);
          return;
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    if (this.#stopping) {
      for (const l of fresh) l.close();
      return;
    }
    this.#tlsListeners.push(...fresh);
    for (const l of fresh) this.#track(this.#acceptLoop(l));
  }

  #track(p: Promise<void>): void {
    this.#tasks.add(p);
    p.finally(() => this.#tasks.delete(p));
  }

  #startCron(): void {
    if (this.#cron !== undefined) clearInterval(this.#cron);
    const hz = Math.min(Math.max(this.config.num("hz"), 1), 500);
    this.#cron = setInterval(() => this.cron(), Math.floor(1000 / hz));
  }

  /** Periodic work at `hz`: active expiry, idle clients, stats sampling. */
  cron(): void {
    // Redis runs no serverCron while a script is busy (processEventsWhileBlocked).
    if (this.busyReply !== null) return;
    const hz = Math.min(Math.max(this.config.num("hz"), 1), 500);
    // Redis gives the slow cycle 25% of each cron tick.
    const expireStart = performance.now();
    this.keyspace.activeExpireCycle(250 / hz);
    this.latency.sample("expire-cycle", performance.now() - expireStart);
    this.instMetrics.sample(this);
    for (let i = 0; i < this.cronHooks.length; i++) this.cronHooks[i]();
    const now = Date.now();
    const timeout = this.config.num("timeout") * 1000;
    if (timeout > 0) {
      for (const c of this.clients.values()) {
        if (
          !c.isMaster && !c.isReplica && c.blocked === null && c.subscriptionCount === 0 &&
          now - c.lastInteraction > timeout
        ) {
          log.verbose("Closing idle client");
          c.kill();
        }
      }
    }
    const dt = now - this.stats.lastOpsSampleTime;
    if (dt >= 100) {
      const ops = ((this.stats.totalCommands - this.stats.lastOpsSampleCommands) * 1000) / dt;
      this.stats.opsSamples.push(ops);
      if (this.stats.opsSamples.length > 16) this.stats.opsSamples.shift();
      this.stats.lastOpsSampleCommands = this.stats.totalCommands;
      this.stats.lastOpsSampleTime = now;
    }
  }

  async #acceptLoop(listener: ConnSource): Promise<void> {
    for (;;) {
      let conn: Deno.Conn;
      try {
        conn = await listener.accept();
      } catch {
        if (this.#stopping || this.#retired.has(listener)) return;
        await new Promise((r) => setTimeout(r, 10));
        continue;
      }
      if (this.#stopping) {
        conn.close();
        return;
      }
      this.#track(this.#serve(conn));
    }
  }

  /** Creates a client object for a connection (or a fake client when conn is null). */
  createClient(conn: Deno.Conn | null): Client {
    const decoder = new RequestDecoder({
      maxBulkLen: this.config.num("proto-max-bulk-len"),
      queryBufferLimit: this.config.num("client-query-buffer-limit"),
    });
    let addr = "";
    let laddr = "";
    if (conn !== null) {
      const ra = conn.remoteAddr as Deno.NetAddr;
      const la = conn.localAddr as Deno.NetAddr;
      addr = fmtAddr(ra.hostname, ra.port);
      laddr = fmtAddr(la.hostname, la.port);
    }
    const client = new Client(this.#nextClientId++, conn, decoder, addr, laddr);
    client.beforeSend = this.beforeReply;
    this.acl.initClient(client);
    return client;
  }

  // Finishes a Deno.listenTls connection's handshake; a failure is logged as Redis does.
  async #handshake(conn: Deno.TlsConn): Promise<boolean> {
    this.#handshaking.add(conn);
    try {
      await conn.handshake();
      return true;
    } catch (err) {
      if (!this.#stopping) {
        log.warning(`Error accepting a client connection: ${(err as Error).message}`);
      }
      try {
        conn.close();
      } catch {
        // already closed
      }
      return false;
    } finally {
      this.#handshaking.delete(conn);
    }
  }

  async #serve(conn: Deno.Conn): Promise<void> {
    // A Deno.listenTls connection has a handshake to finish; node:tls ones come handshaken.
    if ("handshake" in conn && !(await this.#handshake(conn as Deno.TlsConn))) return;
    if (this.clients.size >= this.config.num("maxclients")) {
      this.stats.rejectedConnections++;
      try {
        await conn.write(new TextEncoder().encode("-ERR max number of clients reached\r\n"));
      } catch {
        // ignore
      }
      conn.close();
      return;
    }
    // Protected mode (clientAcceptHandler): while the default user has no password, only
    // loopback clients are served; others get the DENIED explanation and are closed.
    if (
      this.config.bool("protected-mode") && this.acl.defaultUser.nopass &&
      !isLoopback((conn.remoteAddr as Deno.NetAddr).hostname)
    ) {
      this.stats.rejectedConnections++;
      try {
        await conn.write(new TextEncoder().encode(`-${DENIED_PROTECTED_MODE}\r\n`));
      } catch {
        // the client may already be gone
      }
      conn.close();
      return;
    }
    // Counted once accepted, as clientAcceptHandler does: refused connections are not.
    this.stats.totalConnections++;
    try {
      // TLS connections may lack these (Deno.TlsConn has no setNoDelay).
      const tcp = conn as Partial<Deno.TcpConn>;
      tcp.setNoDelay?.(true);
      const ka = this.config.num("tcp-keepalive");
      if (ka > 0) tcp.setKeepAlive?.(true);
    } catch {
      // not fatal
    }
    const client = this.createClient(conn);
    this.clients.set(client.id, client);
    client.onKill = (c) => this.#freeClient(c);
    try {
      const decoder = client.decoder;
      while (!client.closed) {
        const n = await conn.read(decoder.space());
        if (n === null) break;
        this.stats.netInput += n;
        decoder.commit(n);
        this.processInput(client);
        if (this.#normalLimits !== null && this.#overOutputLimit(client)) break;
        if (client.out.length > 0) {
          this.stats.netOutput += client.out.length;
          // Start the write and go straight back to reading; wait for it only when a backlog
          // builds up (a client that stops reading must not make us buffer without bound) or
          // before closing.
          const written = client.flush();
          if (client.closeAfterReply || client.out.length > WRITE_BACKLOG) await written;
          else written.catch(() => client.kill());
        }
        if (client.closeAfterReply) break;
      }
    } catch (err) {
      if (err instanceof QueryBufferLimitError) {
        log.warning(
          `Closing client that reached max query buffer length: id=${client.id} addr=${client.addr}`,
        );
      } else if (!client.closed) {
        log.verbose(`Client ${client.addr} closed connection: ${(err as Error).message}`);
      }
    } finally {
      this.#freeClient(client);
    }
  }

  /**
   * Reads the clocks once for a batch of commands. Each command then costs one
   * performance.now() (its end, which is also the next command's start); clock reads are
   * ops in Deno and cost ~0.2 µs each, a large share of a pipelined GET.
   */
  markTime(): void {
    this.wallBase = Date.now();
    this.perfBase = this.perfMark = performance.now();
  }

  // client-output-buffer-limit for the normal class, parsed on change; null when 0 0 0 (the
  // default): the read loop's wait for each write already bounds a normal client's output.
  #normalLimits: [number, number, number] | null = null;

  #loadOutputLimits(): void {
    const parts = this.config.get("client-output-buffer-limit").split(" ");
    const i = parts.indexOf("normal");
    const lim = [Number(parts[i + 1]), Number(parts[i + 2]), Number(parts[i + 3])] as [
      number,
      number,
      number,
    ];
    this.#normalLimits = lim[0] === 0 && lim[1] === 0 ? null : lim;
  }

  #overOutputLimit(client: Client): boolean {
    if (client.isMaster || client.isReplica || client.subscriptionCount > 0) return false;
    const [hard, soft, secs] = this.#normalLimits!;
    if (!client.overLimit(hard, soft, secs)) return false;
    log.warning(
      `Client ${
        clientInfoLine(client, this)
      } scheduled to be closed ASAP for overcoming of output buffer limits.`,
    );
    return true;
  }

  /** `fast` commands run since the last clock read, timed together by settleFast. */
  readonly pendingFast: Command[] = [];
  readonly pendingFastArgv: string[][] = [];
  readonly pendingFastClient: Client[] = [];

  /**
   * Reads the clock once for the run of `fast` commands since the last reading and gives each
   * an equal share of the elapsed time (commandstats, latency histograms, slow log). Fast
   * commands are O(1) or O(log N), so a share is a fair estimate, and skipping a clock read
   * (an op in Deno, ~0.2 us) per command is a measurable part of a pipelined GET.
   */
  settleFast(): void {
    const now = performance.now();
    const n = this.pendingFast.length;
    const usec = ((now - this.perfMark) * 1000) / n;
    for (let i = 0; i < n; i++) {
      const cmd = this.pendingFast[i];
      cmd.usec += usec;
      this.latency.commandDone(cmd, usec);
      if (usec >= this.slowlog.threshold && !cmd.flagSet.has("skip_slowlog")) {
        this.slowlog.record(this.pendingFastClient[i], this.pendingFastArgv[i], usec);
      }
    }
    this.pendingFast.length = 0;
    this.pendingFastArgv.length = 0;
    this.pendingFastClient.length = 0;
    this.perfMark = now;
  }

  /** Runs every complete buffered command of `client` unless it is blocked or paused. */
  processInput(client: Client): void {
    this.markTime();
    this.inBatch = true;
    try {
      this.#processInput(client);
    } finally {
      this.inBatch = false;
      if (this.pendingFast.length !== 0) this.settleFast();
    }
  }

  #processInput(client: Client): void {
    while (
      !client.closed && client.blocked === null && client.paused === null &&
      !client.closeAfterReply
    ) {
      let argv: string[] | null;
      try {
        argv = client.decoder.next();
      } catch (err) {
        if (!(err instanceof ProtocolError)) throw err;
        log.verbose(`Protocol error (${err.message}) from client: ${client.addr}`);
        this.countError(err as unknown as ReplyError);
        client.out.error(err.message);
        client.closeAfterReply = true;
        break;
      }
      if (argv === null) break;
      if (!execute(this, client, argv)) {
        client.paused = argv;
        break;
      }
    }
  }

  /** Resumes a client whose input was held (unblocked, unpaused) and flushes its replies. */
  resume(client: Client): void {
    if (client.closed) return;
    if (client.paused !== null) {
      const argv = client.paused;
      client.paused = null;
      if (!execute(this, client, argv)) {
        client.paused = argv;
        return;
      }
    }
    this.processInput(client);
    if (client.closeAfterReply) {
      client.flush().finally(() => client.kill());
      return;
    }
    client.scheduleFlush();
  }

  #freeClient(client: Client): void {
    if (!this.clients.has(client.id)) return;
    this.clients.delete(client.id);
    this.monitors.delete(client);
    for (const w of client.watched) this.keyspace.unwatch(w.db, w.key, client);
    client.watched = [];
    for (const h of this.freeClientHooks) h(client);
    if (!client.closed) {
      client.closed = true;
      try {
        client.conn?.close();
      } catch {
        // already closed
      }
    }
  }

  /** Called when a client goes away (pub/sub, blocking and replication clean up here). */
  readonly freeClientHooks: ((c: Client) => void)[] = [];

  /** Counts an error reply in INFO errorstats. */
  countError(err: ReplyError): void {
    this.stats.totalErrorReplies++;
    const msg = err.message;
    const sp = msg.indexOf(" ");
    const code = sp < 0 ? msg : msg.slice(0, sp);
    this.stats.errors.set(code, (this.stats.errors.get(code) ?? 0) + 1);
  }

  /** Queues a write for the propagation sinks. */
  propagate(dbId: number, argv: string[]): void {
    this.propagator.add(dbId, argv);
  }

  beginUnit(): void {
    this.propagator.begin();
  }

  endUnit(): void {
    this.propagator.end();
  }

  /** After each top-level command: serve blocked clients whose keys became ready. */
  afterCommand(): void {
    if (this.keyspace.readyKeys.size !== 0 && this.busyReply === null) {
      this.blocking.serveReady(this.keyspace.readyKeys);
    }
    for (let i = 0; i < this.afterCommandHooks.length; i++) this.afterCommandHooks[i]();
  }

  /** Runs `f` once no script is busy (at once when none is); each function waits once. */
  whenNotBusy(f: () => void): void {
    if (this.busyReply === null) f();
    else this.#notBusy.add(f);
  }

  /** Runs what waited for the busy script, unless another one is busy by now. */
  notBusy(): void {
    if (this.busyReply !== null || this.#notBusy.size === 0) return;
    const waiting = [...this.#notBusy];
    this.#notBusy.clear();
    for (const f of waiting) f();
  }

  /** True when CLIENT PAUSE holds this command back. */
  isPaused(cmd: Command, client: Client): boolean {
    if (this.pauseEnd === 0 || client.isMaster || client.isReplica) return false;
    if (Date.now() >= this.pauseEnd) {
      this.unpause();
      return false;
    }
    if (this.pauseMode === "all") return true;
    return cmd.isWrite || cmd.flagSet.has("may_replicate");
  }

  /** CLIENT PAUSE: hold commands until `until` (unix ms). */
  pause(until: number, mode: "write" | "all"): void {
    this.pauseEnd = Math.max(this.pauseEnd, until);
    this.pauseMode = mode;
    this.keyspace.expirePaused = true;
    if (this.#pauseTimer !== undefined) clearTimeout(this.#pauseTimer);
    this.#pauseTimer = setTimeout(() => this.unpause(), Math.max(0, this.pauseEnd - Date.now()));
  }

  /** Ends a pause and resumes every held client. */
  unpause(): void {
    this.pauseEnd = 0;
    this.keyspace.expirePaused = false;
    if (this.#pauseTimer !== undefined) clearTimeout(this.#pauseTimer);
    this.#pauseTimer = undefined;
    for (const c of this.clients.values()) if (c.paused !== null) this.resume(c);
  }

  /** Sends a command line to every MONITOR client. */
  feedMonitors(client: Client, argv: string[]): void {
    const now = Date.now();
    const secs = Math.floor(now / 1000);
    const usec = String((now % 1000) * 1000).padStart(6, "0");
    const origin = client.conn === null ? "lua" : client.addr;
    let line = `${secs}.${usec} [${client.dbIndex} ${origin}]`;
    for (const a of argv) line += ` ${repr(a)}`;
    const msg = new SimpleString(line);
    for (const m of this.monitors) if (m !== client) m.push(msg);
  }

  /** Stops accepting, closes all clients and timers; resolves when every task is done. */
  async shutdown(): Promise<void> {
    if (this.#stopping) return this.finished;
    this.#stopping = true;
    log.warning("User requested shutdown...");
    for (const l of [...this.#listeners, ...this.#tlsListeners]) {
      try {
        l.close();
      } catch {
        // already closed
      }
    }
    for (const c of this.#handshaking) {
      try {
        c.close();
      } catch {
        // already closed
      }
    }
    if (this.#cron !== undefined) clearInterval(this.#cron);
    if (this.#pauseTimer !== undefined) clearTimeout(this.#pauseTimer);
    for (const h of this.shutdownHooks) await h();
    for (const c of [...this.clients.values()]) {
      try {
        await Promise.race([c.flush(), new Promise((r) => setTimeout(r, 100))]);
      } catch {
        // ignore
      }
      c.kill();
    }
    await Promise.allSettled([...this.#tasks]);
    log.warning("Redis is now ready to exit, bye bye...");
    this.#shutdownResolve?.();
  }

  /** Async work to run on shutdown (saving, closing replication links). */
  readonly shutdownHooks: (() => Promise<void> | void)[] = [];

  /** The startup banner lines. */
  banner(configFile: string): void {
    log.notice("oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo");
    log.notice(
      `Redis version=${REDIS_VERSION}, bits=64, ${SERVER_NAME}=${SERVER_VERSION}, deno=${Deno.version.deno}, pid=${Deno.pid}, just started`,
    );
    if (configFile === "") {
      log.warning(
        "Warning: no config file specified, using the default config. In order to specify a config file use main.ts /path/to/redis.conf",
      );
    } else {
      log.notice("Configuration loaded");
    }
  }
}

/** connIsLocal: 127.0.0.0/8 or ::1 (also as an IPv4-mapped IPv6 address). */
function isLoopback(host: string): boolean {
  return host.startsWith("127.") || host === "::1" || host.startsWith("::ffff:127.");
}

function fmtAddr(host: string, port: number): string {
  // anetFormatAddr: IPv6 addresses in brackets.
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}
