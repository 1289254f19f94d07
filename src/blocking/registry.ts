// Blocked clients (blocked.c). A blocking handler that finds nothing returns a `BlockRequest`;
// the dispatcher hands it here. Waiters are kept FIFO per (db, key) with one timer per
// blocked client. Writers only signal keys as ready (Keyspace.signalReady); after each
// top-level command `serveReady` retries waiters in arrival order against the live keyspace,
// propagates what was served in its non-blocking form (the retry rewrites its argv), then
// replies and resumes the clients' buffered input once every ready key has been served (as
// Redis processes unblocked clients in beforeSleep). Timeouts, CLIENT UNBLOCK and disconnects
// remove the waiter.

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
  /**
   * The key whose readiness triggers the current retry, set by the registry before each call
   * (Redis serves a list or sorted set waiter from the key that became ready, not from the
   * first of its keys that has data). Undefined outside `serveReady`.
   */
  readyKey: string | undefined = undefined;
}

/** setTimeout's longest delay (a signed 32-bit ms count); longer timeouts are re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;

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
    if (request.deadline > 0) this.#arm(client, state);
  }

  // Arms the client's timeout. A deadline beyond setTimeout's range (which would fire at once)
  // gets an intermediate timer that re-arms.
  #arm(client: Client, state: BlockedState): void {
    const ms = Math.max(0, state.request.deadline - Date.now());
    state.timer = setTimeout(
      () => ms > MAX_TIMER_MS ? this.#arm(client, state) : this.timeout(client),
      Math.min(ms, MAX_TIMER_MS),
    );
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
   * CLIENT UNBLOCK: ends a block as a timeout or with the UNBLOCKED error. The reply and the
   * client's buffered commands follow once the current command (and its batch) is done: run
   * from inside CLIENT UNBLOCK they would nest in it (as if in EXEC, where nothing blocks) and
   * share its propagation unit.
   * @returns false when the client is not blocked or cannot be unblocked
   */
  unblock(client: Client, asError: boolean): boolean {
    const state = client.blocked as BlockedState | null;
    if (state === null || !state.request.unblockable) return false;
    this.remove(client);
    const reply = asError
      ? new ReplyError("UNBLOCKED client unblocked via CLIENT UNBLOCK")
      : state.request.onTimeout();
    queueMicrotask(() => this.#host.finish(client, reply));
    return true;
  }

  /**
   * Serves clients blocked on keys signalled ready, in arrival order per key, until no key
   * is ready (serving one client can make other keys ready, e.g. BLMOVE). Served clients get
   * their replies, and their buffered commands run, only after that: run earlier, a served
   * client's next command could take data meant for the waiters behind it.
   */
  serveReady(ready: Map<Database, Set<string>>): void {
    if (this.#serving) return;
    this.#serving = true;
    const served: [Client, Reply][] = [];
    try {
      this.#serve(ready, served);
    } finally {
      this.#serving = false;
    }
    for (const [client, reply] of served) this.#host.finish(client, reply);
  }

  #serving = false;

  #serve(ready: Map<Database, Set<string>>, served: [Client, Reply][]): void {
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
        state.request.readyKey = key;
        let reply: Reply | null;
        try {
          reply = this.#host.runRetry(client, state);
        } finally {
          state.request.readyKey = undefined;
        }
        if (reply === null) {
          // Nothing left for this waiter: later ones cannot be served either, unless the
          // value changed type or the waiter wants something else (XREADGROUP, BLMOVE to a
          // full target); Redis keeps trying each waiter, so do we.
          continue;
        }
        this.remove(client);
        served.push([client, reply]);
      }
    }
  }
}
