// Blocked clients (blocked.c). A blocking handler that finds nothing returns a `BlockRequest`;
// the dispatcher hands it here. Waiters are kept FIFO per (db, key) with one timer per
// blocked client. Writers only signal keys as ready (Keyspace.signalReady); after each
// top-level command `serveReady` retries waiters in arrival order against the live keyspace,
// propagates what was served in its non-blocking form (the retry rewrites its argv), replies,
// and resumes the client's buffered input. Timeouts, CLIENT UNBLOCK and disconnects remove
// the waiter.

import type { Client } from "../client.ts";
import type { Ctx } from "../commands/spec.ts";
import { ReplyError } from "../errors.ts";
import type { Reply } from "../resp/types.ts";
import type { Database } from "../store/database.ts";

/** What a blocking handler returns when it has to wait. */
export class BlockRequest {
  /**
   * @param keys the keys whose readiness may serve this client (may be empty, e.g. WAIT)
   * @param deadline absolute unix ms, 0 for no timeout
   * @param retry runs again when a key is ready; returns the reply, or null to keep waiting.
   *   It runs as a command of the blocked client (ctx.db is the db it blocked in) and must
   *   call ctx.rewrite() with the non-blocking equivalent when it changed data.
   * @param onTimeout the reply when the deadline passes (or CLIENT UNBLOCK ... TIMEOUT)
   */
  constructor(
    readonly keys: string[],
    readonly deadline: number,
    readonly retry: (ctx: Ctx) => Reply | null,
    readonly onTimeout: () => Reply,
  ) {}
  /** Whether CLIENT UNBLOCK may end this block (Redis: not for WAIT's internal blocks). */
  unblockable = true;
}

/** State of one blocked client. */
export interface BlockedState {
  request: BlockRequest;
  db: Database;
  argv: string[];
  /** Full command name (for statistics of the served command). */
  timer: ReturnType<typeof setTimeout> | undefined;
}

/** Hooks into the server the registry needs. */
export interface BlockingHost {
  /** Runs a retry as a command of `client` (clock, propagation, stats); returns its reply. */
  runRetry(client: Client, state: BlockedState): Reply | null;
  /** Sends a reply to a client that is being unblocked and resumes its input. */
  finish(client: Client, reply: Reply): void;
}

/** All blocked clients, by (db, key). */
export class BlockingRegistry {
  /** Per db id: key → waiting clients in arrival order. */
  #byKey: Map<string, Client[]>[] = [];
  #blocked = new Set<Client>();
  #host: BlockingHost;

  constructor(dbCount: number, host: BlockingHost) {
    for (let i = 0; i < dbCount; i++) this.#byKey.push(new Map());
    this.#host = host;
  }

  /** Number of blocked clients (INFO blocked_clients). */
  get count(): number {
    return this.#blocked.size;
  }

  /** Number of keys with at least one blocked client (INFO blocked_keys-style figures). */
  get keyCount(): number {
    let n = 0;
    for (const m of this.#byKey) n += m.size;
    return n;
  }

  /** True when some client waits on `key` in `db` (writers signal readiness only then). */
  isBlockedOn(db: Database, key: string): boolean {
    return this.#byKey[db.id].has(key);
  }

  /** Blocks `client` on the request's keys, arming its timeout. */
  block(client: Client, db: Database, argv: string[], request: BlockRequest): void {
    const state: BlockedState = { request, db, argv, timer: undefined };
    client.blocked = state;
    this.#blocked.add(client);
    const map = this.#byKey[db.id];
    for (const key of new Set(request.keys)) {
      const list = map.get(key);
      if (list === undefined) map.set(key, [client]);
      else list.push(client);
    }
    if (request.deadline > 0) {
      const ms = Math.max(0, request.deadline - Date.now());
      state.timer = setTimeout(() => this.timeout(client), ms);
    }
  }

  /** Removes `client` from every wait list and clears its timer (no reply). */
  remove(client: Client): void {
    const state = client.blocked as BlockedState | null;
    if (state === null) return;
    if (state.timer !== undefined) clearTimeout(state.timer);
    const map = this.#byKey[state.db.id];
    for (const key of new Set(state.request.keys)) {
      const list = map.get(key);
      if (list === undefined) continue;
      const i = list.indexOf(client);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) map.delete(key);
    }
    this.#blocked.delete(client);
    client.blocked = null;
  }

  /** The deadline passed: reply the timeout value. */
  timeout(client: Client): void {
    const state = client.blocked as BlockedState | null;
    if (state === null) return;
    this.remove(client);
    this.#host.finish(client, state.request.onTimeout());
  }

  /**
   * CLIENT UNBLOCK: ends a block as a timeout or with the UNBLOCKED error.
   * @returns false when the client is not blocked or cannot be unblocked
   */
  unblock(client: Client, asError: boolean): boolean {
    const state = client.blocked as BlockedState | null;
    if (state === null || !state.request.unblockable) return false;
    this.remove(client);
    this.#host.finish(
      client,
      asError
        ? new ReplyError("UNBLOCKED client unblocked via CLIENT UNBLOCK")
        : state.request.onTimeout(),
    );
    return true;
  }

  /**
   * Serves clients blocked on keys signalled ready, in arrival order per key, until no key
   * is ready (serving one client can make other keys ready, e.g. BLMOVE).
   */
  serveReady(ready: Map<Database, Set<string>>): void {
    for (let rounds = 0; ready.size > 0 && rounds < 1_000_000; rounds++) {
      const [db, keys] = ready.entries().next().value as [Database, Set<string>];
      const key = keys.values().next().value as string;
      keys.delete(key);
      if (keys.size === 0) ready.delete(db);
      const list = this.#byKey[db.id].get(key);
      if (list === undefined) continue;
      // Snapshot: clients blocked while serving wait for the next signal.
      for (const client of [...list]) {
        const state = client.blocked as BlockedState | null;
        if (state === null || state.db !== db) continue;
        const reply = this.#host.runRetry(client, state);
        if (reply === null) {
          // Nothing left for this waiter: later ones cannot be served either, unless the
          // value changed type or the waiter wants something else (XREADGROUP, BLMOVE to a
          // full target); Redis keeps trying each waiter, so do we.
          continue;
        }
        this.remove(client);
        this.#host.finish(client, reply);
      }
    }
  }
}
