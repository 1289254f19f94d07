// MULTI / EXEC / DISCARD / WATCH / UNWATCH (multi.c). Queueing itself happens in the
// dispatcher; EXEC runs the queue through `call` so each command gets its own statistics
// and propagation, and the propagator wraps the unit's writes in MULTI/EXEC.

import type { Client, MultiState } from "../client.ts";
import {
  DISCARD_WITHOUT_MULTI,
  EXEC_WITHOUT_MULTI,
  EXECABORT,
  MULTI_NESTED,
  ReplyError,
  WATCH_IN_MULTI,
} from "../errors.ts";
import { NULL_ARRAY, OK, type Reply } from "../resp/types.ts";
import type { Server } from "../server.ts";
import { call, Pending } from "./dispatcher.ts";
import type { CommandSpec, Ctx } from "./spec.ts";

/** Leaves MULTI state without running anything. */
export function discardTransaction(c: Client): void {
  c.multi = null;
}

/** Drops every WATCH of the client. */
export function unwatchAll(server: Server, c: Client): void {
  for (const w of c.watched) server.keyspace.unwatch(w.db, w.key, c);
  c.watched = [];
  c.casDirty = false;
}

// MULTI
function multi(ctx: Ctx): Reply {
  if (ctx.client.multi !== null) throw new ReplyError(MULTI_NESTED);
  ctx.client.multi = { queue: [], error: false };
  return OK;
}

// EXEC
function exec(ctx: Ctx): Reply | Pending {
  const c = ctx.client;
  const s = ctx.server;
  const m = c.multi;
  if (m === null) throw new ReplyError(EXEC_WITHOUT_MULTI);
  ctx.preventPropagation = true;
  c.multi = null;
  if (m.error) {
    unwatchAll(s, c);
    throw new ReplyError(EXECABORT);
  }
  // A watched key that expired since WATCH counts as modified (multi.c isWatchedKeyExpired).
  for (const w of c.watched) {
    if (s.keyspace.dbs[w.db].isLogicallyExpired(w.key)) c.casDirty = true;
  }
  if (c.casDirty) {
    unwatchAll(s, c);
    return NULL_ARRAY;
  }
  unwatchAll(s, c);
  return execFrom(s, c, m.queue, 0, []);
}

// Runs the queued commands from `from` on. A script in the queue that runs past
// busy-reply-threshold pauses the transaction with it: the rest runs when it ends.
function execFrom(
  s: Server,
  c: Client,
  queue: MultiState["queue"],
  from: number,
  replies: Reply[],
): Reply | Pending {
  for (let i = from; i < queue.length; i++) {
    const q = queue[i];
    // ACL rules may have changed since the command was queued (multi.c execCommand).
    const denied = s.acl.execDenied(c, q.cmd, q.argv);
    if (denied !== null) {
      replies.push(new ReplyError(denied));
      continue;
    }
    // A write queued on a master that since became a read-only replica fails in place.
    const r = call(s, c, q.cmd, q.argv);
    if (r instanceof Pending) {
      return r.chain((last) => {
        replies.push(last);
        return execFrom(s, c, queue, i + 1, replies);
      });
    }
    replies.push(r);
  }
  return replies;
}

// DISCARD
function discard(ctx: Ctx): Reply {
  const c = ctx.client;
  if (c.multi === null) throw new ReplyError(DISCARD_WITHOUT_MULTI);
  discardTransaction(c);
  unwatchAll(ctx.server, c);
  return OK;
}

// WATCH key [key ...]
function watch(ctx: Ctx, argv: string[]): Reply {
  const c = ctx.client;
  if (c.multi !== null) throw new ReplyError(WATCH_IN_MULTI);
  const ks = ctx.server.keyspace;
  for (let i = 1; i < argv.length; i++) {
    const key = argv[i];
    if (c.watched.some((w) => w.db === ctx.db.id && w.key === key)) continue;
    c.watched.push({ db: ctx.db.id, key });
    ks.watch(ctx.db, key, c);
  }
  return OK;
}

// UNWATCH
function unwatch(ctx: Ctx): Reply {
  unwatchAll(ctx.server, ctx.client);
  return OK;
}

const TX = ["fast", "transaction"];

/** Transaction command specs. */
export const TRANSACTION_COMMANDS: CommandSpec[] = [
  {
    name: "multi",
    arity: 1,
    flags: ["noscript", "loading", "stale", "fast", "allow_busy"],
    categories: TX,
    handler: multi,
    summary: "Start a transaction",
    since: "1.2.0",
    group: "transactions",
  },
  {
    name: "exec",
    arity: 1,
    flags: ["noscript", "loading", "stale", "skip_slowlog"],
    categories: ["slow", "transaction"],
    handler: exec,
    summary: "Execute all commands issued after MULTI",
    since: "1.2.0",
    group: "transactions",
  },
  {
    name: "discard",
    arity: 1,
    flags: ["noscript", "loading", "stale", "fast", "allow_busy"],
    categories: TX,
    handler: discard,
    summary: "Discard all commands issued after MULTI",
    since: "2.0.0",
    group: "transactions",
  },
  {
    name: "watch",
    arity: -2,
    flags: ["noscript", "loading", "stale", "fast", "allow_busy"],
    categories: TX,
    keys: { first: 1, last: -1, step: 1 },
    handler: watch,
    summary: "Monitor changes to keys to determine execution of a MULTI/EXEC block",
    since: "2.2.0",
    group: "transactions",
  },
  {
    name: "unwatch",
    arity: 1,
    flags: ["noscript", "loading", "stale", "fast", "allow_busy"],
    categories: TX,
    handler: unwatch,
    summary: "Forget about all watched keys",
    since: "2.2.0",
    group: "transactions",
  },
];
