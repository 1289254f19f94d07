// Per-connection state: identity, selected db, protocol version, transaction and WATCH state,
// subscriptions, blocking state, role flags, and the output side. Replies are appended to
// `out` (a ReplyWriter); `flush()` writes everything pending with one write per batch,
// completing partial writes, with a second buffer so pushes from other clients (pub/sub,
// unblocking) can be appended while a write is in flight.

import { Ctx } from "./commands/spec.ts";
import type { Command } from "./commands/spec.ts";
import { RequestDecoder } from "./resp/decoder.ts";
import { ReplyWriter } from "./resp/encoder.ts";
import type { Reply } from "./resp/types.ts";
import type { Watcher } from "./store/keyspace.ts";

/** A queued MULTI transaction. */
export interface MultiState {
  queue: { cmd: Command; argv: string[] }[];
  /** A command was rejected while queueing: EXEC must abort. */
  error: boolean;
}

/** CLIENT REPLY mode. */
export type ReplyMode = "on" | "off" | "skip";

/** One connected client (or an internal fake client with no connection). */
export class Client implements Watcher {
  readonly id: number;
  readonly conn: Deno.Conn | null;
  readonly addr: string;
  readonly laddr: string;
  readonly ctx = new Ctx();
  readonly decoder: RequestDecoder;
  out = new ReplyWriter();
  #spare = new ReplyWriter();
  #flushing: Promise<void> | null = null;
  name = "";
  libName = "";
  libVer = "";
  dbIndex = 0;
  resp: 2 | 3 = 2;
  authenticated = true;
  user = "default";
  readonly createdAt = Date.now();
  lastInteraction = Date.now();
  lastCommand = "NULL";
  replyMode: ReplyMode = "on";
  /** CLIENT NO-EVICT */
  noEvict = false;
  /** Transaction state while in MULTI. */
  multi: MultiState | null = null;
  casDirty = false;
  /** (db, key) pairs this client WATCHes. */
  watched: { db: number; key: string }[] = [];
  channels = new Set<string>();
  patterns = new Set<string>();
  shardChannels = new Set<string>();
  /** Set while blocked: input is buffered, not processed. */
  blocked: unknown = null;
  /** Set while CLIENT PAUSE holds a command back: the command waiting to run. */
  paused: string[] | null = null;
  monitor = false;
  /** The link from our master (replica side): replies are not sent. */
  isMaster = false;
  /** A replica connected to us (master side). */
  isReplica = false;
  /** Reply then close (QUIT, protocol error). */
  closeAfterReply = false;
  /** Closed or being closed. */
  closed = false;
  /** Output bytes beyond which a push closes this client (pubsub class), 0 = none. */
  #softSince = 0;
  /**
   * Called before each write to the socket (Server.beforeReply: the AOF must be written, and
   * for appendfsync always fsynced, before a reply acknowledges a write); a promise returned
   * is waited for.
   */
  beforeSend: (() => Promise<void> | undefined) | null = null;
  /** Called with this client when it must be torn down (CLIENT KILL, limits). */
  onKill: ((c: Client) => void) | null = null;
  /** Bytes of input processed (replication offset for the master link). */
  argvBytes = 0;
  /** The replication offset right after this client's last propagated write (WAIT). */
  woff = 0;

  constructor(
    id: number,
    conn: Deno.Conn | null,
    decoder: RequestDecoder,
    addr = "",
    laddr = "",
  ) {
    this.id = id;
    this.conn = conn;
    this.decoder = decoder;
    this.addr = addr;
    this.laddr = laddr;
  }

  /** Number of subscriptions of every kind (Redis's subscribed-mode test). */
  get subscriptionCount(): number {
    return this.channels.size + this.patterns.size + this.shardChannels.size;
  }

  /** Sets the protocol version for both output buffers. */
  setResp(v: 2 | 3): void {
    this.resp = v;
    this.out.resp = v;
    this.#spare.resp = v;
  }

  /** Appends a reply, honouring CLIENT REPLY OFF|SKIP and the master link. */
  reply(r: Reply): void {
    if (this.replyMode !== "on" || this.isMaster) return;
    this.out.write(r);
  }

  /** Appends an out-of-band message (pub/sub, MONITOR) and schedules a write. */
  push(r: Reply): void {
    if (this.closed) return;
    this.out.write(r);
    this.scheduleFlush();
  }

  /** Pending output bytes (CLIENT LIST omem, output buffer limits). */
  get pendingOutput(): number {
    return this.out.length;
  }

  /**
   * Checks `hard`/`soft` (bytes, 0 = none) and `softSeconds` against the pending output.
   * @returns true when the client must be disconnected
   */
  overLimit(hard: number, soft: number, softSeconds: number): boolean {
    const n = this.out.length;
    if (hard > 0 && n >= hard) return true;
    if (soft > 0 && n >= soft) {
      const now = Date.now();
      if (this.#softSince === 0) this.#softSince = now;
      else if ((now - this.#softSince) / 1000 >= softSeconds) return true;
    } else {
      this.#softSince = 0;
    }
    return false;
  }

  /** Starts writing pending output without waiting for it. */
  scheduleFlush(): void {
    if (this.#flushing === null && this.out.length > 0 && this.conn !== null) {
      this.flush().catch(() => this.kill());
    }
  }

  /** Writes all pending output; resolves once everything queued so far is written. */
  async flush(): Promise<void> {
    while (this.#flushing !== null) await this.#flushing;
    if (this.out.length === 0 || this.conn === null || this.closed) return;
    this.#flushing = this.#drain();
    try {
      await this.#flushing;
    } finally {
      this.#flushing = null;
    }
  }

  async #drain(): Promise<void> {
    const conn = this.conn!;
    while (this.out.length > 0 && !this.closed) {
      const wait = this.beforeSend?.();
      if (wait !== undefined) await wait;
      const w = this.out;
      this.out = this.#spare;
      this.#spare = w;
      let data = w.bytes();
      while (data.length > 0) {
        const n = await conn.write(data);
        data = data.subarray(n);
      }
      w.reset();
    }
  }

  /** Closes the connection; the connection loop then runs the cleanup. */
  kill(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.conn?.close();
    } catch {
      // already closed
    }
    this.onKill?.(this);
  }
}
