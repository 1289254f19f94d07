// The processCommand/call equivalent. `execute` runs every check a command needs, once and in
// Redis's order (lookup, arity, auth, read-only replica, RESP2 subscribed context, MULTI
// queueing), then `call` runs the handler with a frozen clock, records statistics, hands
// writes to the propagator, feeds MONITOR and the slow log, and lets blocked clients be
// served. Handlers never see the socket: they return a Reply.

import type { Client } from "../client.ts";
import {
  LOADING,
  MASTERDOWN,
  NOAUTH,
  NOREPLICAS,
  notAllowedInSubscribe,
  OOM,
  READONLY,
  REPLICA_KEYSPACE,
  ReplyError,
  unknownCommand,
  unknownSubcommand,
  wrongArity,
} from "../errors.ts";
import { log } from "../log.ts";
import { NO_REPLY, QUEUED, type Reply } from "../resp/types.ts";
import { type BlockedState, BlockRequest } from "../blocking/registry.ts";
import type { Server } from "../server.ts";
import { type Command, Ctx } from "./spec.ts";

/**
 * The reply of a command that finishes later: a script running past busy-reply-threshold,
 * paused between slices of its run (src/scripting/README.md). Whoever runs the command chains
 * the rest of its work (`chain`); the script engine settles it from a timer, always after the
 * chain was built.
 */
export class Pending {
  #next: ((reply: Reply) => void) | null = null;

  /** Sets what runs with the final reply (one continuation). */
  onSettle(f: (reply: Reply) => void): void {
    this.#next = f;
  }

  /** Delivers the final reply. */
  settle(reply: Reply): void {
    const f = this.#next;
    this.#next = null;
    if (f !== null) f(reply);
  }

  /** A Pending settled with `f(reply)`, which may itself be pending (EXEC's next script). */
  chain(f: (reply: Reply) => Reply | Pending): Pending {
    const next = new Pending();
    this.onSettle((reply) => {
      const r = f(reply);
      if (r instanceof Pending) r.onSettle((last) => next.settle(last));
      else next.settle(r);
    });
    return next;
  }
}

// Commands a RESP2 client may run while subscribed.
const SUBSCRIBED_OK = new Set([
  "ping",
  "subscribe",
  "ssubscribe",
  "unsubscribe",
  "sunsubscribe",
  "psubscribe",
  "punsubscribe",
  "quit",
  "reset",
]);
// Commands that run immediately inside MULTI instead of being queued.
const MULTI_IMMEDIATE = new Set(["exec", "discard", "multi", "watch", "quit", "reset"]);

/**
 * Resolves argv to a command, or returns the error text to reply.
 */
export function lookupCommand(server: Server, argv: string[]): Command | string {
  const top = server.table.get(argv[0]);
  if (top === undefined) return unknownCommand(argv[0], argv.slice(1));
  if (top.subcommands === undefined) {
    const a = top.spec.arity;
    if ((a > 0 && argv.length !== a) || argv.length < -a) return wrongArity(top.name);
    return top;
  }
  if (argv.length < 2) {
    // A container with its own handler runs bare (COMMAND); the others need a subcommand.
    const a = top.spec.arity;
    if (top.spec.handler === undefined || (a > 0 && a !== 1) || -a > 1) return wrongArity(top.name);
    return top;
  }
  const sub = top.subcommands.get(argv[1].toLowerCase());
  if (sub === undefined) return unknownSubcommand(argv[1], top.name);
  const a = sub.spec.arity;
  if ((a > 0 && argv.length !== a) || argv.length < -a) return wrongArity(sub.name);
  return sub;
}

/**
 * Runs one command for a client and writes its reply to the client's output.
 * @returns false when the command could not run yet (client paused) and must be retried
 */
export function execute(server: Server, client: Client, argv: string[]): boolean {
  if (!server.inBatch) server.markTime();
  client.lastInteraction = server.wallBase;
  const found = lookupCommand(server, argv);
  if (typeof found === "string") {
    // Wrong arity of a known command still counts as its rejected call (and aborts EXEC).
    const known = found.startsWith("ERR unknown") ? null : server.table.get(argv[0]) ?? null;
    reject(server, client, found, known);
    return true;
  }
  const cmd = found;
  const flags = cmd.flagSet;
  client.lastCommand = cmd.name;

  if (!client.authenticated && !flags.has("no_auth")) {
    reject(server, client, NOAUTH, cmd);
    return true;
  }
  // ACL permissions (processCommand's ACLCheckAllPerm); a no_multi command inside MULTI is
  // refused for that first, as in Redis.
  if (client.multi === null || !flags.has("no_multi")) {
    const denied = server.acl.denied(client, cmd, argv);
    if (denied !== null) {
      reject(server, client, denied, cmd);
      return true;
    }
  }
  // maxmemory (processCommand): evict first; when memory still cannot be brought under the
  // limit, refuse denyoom commands and anything queued inside MULTI (store/evict.ts). Not while
  // a busy script is paused: its keys must stay as it left them.
  if (
    server.evictor.maxmemory !== 0 && server.busyReply === null &&
    server.evictor.checkCommand(client, cmd)
  ) {
    reject(server, client, OOM, cmd);
    return true;
  }
  // MISCONF (writeCommandsDeniedByDiskError): after a failed BGSAVE with save points set
  // (stop-writes-on-bgsave-error), or while the AOF cannot be written or fsynced, writes (and
  // PING) are refused until the disk works again. Our master's stream: see masterDiskError.
  const p = server.persistence;
  if (
    (!p.lastBgsaveOk || !p.aof.lastWriteOk || p.aof.fsyncError !== null) &&
    (cmd.name === "ping" || isWriteCommand(cmd, client))
  ) {
    const err = p.diskErrorMessage();
    if (err !== null && !(client.isMaster && masterDiskError(server, cmd))) {
      reject(server, client, err, cmd);
      return true;
    }
  }
  // min-replicas-to-write: the cached good-replica check (replication/master.ts).
  if (server.replication.tooFewReplicas && isWriteCommand(cmd, client)) {
    reject(server, client, NOREPLICAS, cmd);
    return true;
  }
  if (
    cmd.isWrite && server.isReplica() && !client.isMaster &&
    server.config.bool("replica-read-only")
  ) {
    reject(server, client, READONLY, cmd);
    return true;
  }
  if (client.resp === 2 && client.subscriptionCount > 0 && !SUBSCRIBED_OK.has(cmd.name)) {
    reject(server, client, notAllowedInSubscribe(cmd.name), cmd);
    return true;
  }
  // replica-serve-stale-data no: while the master link is down only `stale` commands run.
  if (
    server.replicaOf !== null && server.replication.link?.state !== "connected" &&
    !client.isMaster && isDenyStale(cmd, client) && !server.config.bool("replica-serve-stale-data")
  ) {
    reject(server, client, MASTERDOWN, cmd);
    return true;
  }
  // While the dump loads, only commands flagged `loading` run (processCommand's loading check).
  if (server.persistence.loading && !flags.has("loading")) {
    reject(server, client, LOADING, cmd);
    return true;
  }
  // A script running past busy-reply-threshold is paused between slices of its run
  // (src/scripting/README.md): until it ends only allow_busy commands run, the others (queued
  // ones included) get -BUSY, so nothing else touches the dataset in the middle of it.
  if (server.busyReply !== null && !flags.has("allow_busy")) {
    reject(server, client, server.busyReply, cmd);
    return true;
  }
  // A replica's link only talks replication (REPLCONF ACK ...), never to the keyspace.
  if (
    client.isReplica && (cmd.isWrite || flags.has("readonly") || flags.has("may_replicate"))
  ) {
    reject(server, client, REPLICA_KEYSPACE, cmd);
    return true;
  }
  if (client.multi !== null && flags.has("no_multi")) {
    reject(server, client, "ERR Command not allowed inside a transaction", cmd);
    return true;
  }
  if (client.multi !== null && !MULTI_IMMEDIATE.has(cmd.name)) {
    client.multi.queue.push({ cmd, argv });
    client.reply(QUEUED);
    return true;
  }
  if (server.isPaused(cmd, client)) return false;

  const skip = client.replyMode === "skip";
  const reply = call(server, client, cmd, argv);
  if (reply instanceof Pending) {
    awaitPending(server, client, reply, skip);
    return true;
  }
  if (skip) {
    if (client.replyMode === "skip") client.replyMode = "on";
    if (!server.inBatch && server.pendingFast.length !== 0) server.settleFast();
    return true;
  }
  client.reply(reply);
  if (!server.inBatch && server.pendingFast.length !== 0) server.settleFast();
  return true;
}

let lastDiskErrorLog = 0;

// processCommand's obey_client branch: a replica that cannot persist what its master sends
// stops (serverPanic), unless replica-ignore-disk-write-errors yes, when it applies the
// command anyway and says so at most every 10 s. PING is never fatal.
// Returns true when the command may run.
function masterDiskError(server: Server, cmd: Command): boolean {
  if (!server.config.bool("replica-ignore-disk-write-errors") && cmd.name !== "ping") {
    log.warning("Guru Meditation: Replica was unable to write command to disk.");
    Deno.exit(1);
  }
  const now = Date.now();
  if (now > lastDiskErrorLog + 10000) {
    lastDiskErrorLog = now;
    log.warning("Replica is applying a command even though it is unable to write to disk.");
  }
  return true;
}

// Holds a client whose command replies later (a busy script): its input stays buffered, as a
// blocked client's does, until the reply is written. A disconnect meanwhile drops the hold
// (BlockingRegistry.remove); the script runs on and its reply goes nowhere.
function awaitPending(server: Server, client: Client, pending: Pending, skip: boolean): void {
  const hold: BlockedState = {
    request: PENDING_HOLD,
    db: server.keyspace.dbs[client.dbIndex],
    argv: [],
    timer: undefined,
  };
  client.blocked = hold;
  pending.onSettle((reply) => {
    if (client.blocked === hold) client.blocked = null;
    if (!skip) client.reply(reply);
    else if (client.replyMode === "skip") client.replyMode = "on";
    server.resume(client);
  });
}

const PENDING_HOLD = new BlockRequest([], 0, () => null, () => NO_REPLY);
PENDING_HOLD.unblockable = false;

// processCommand's is_write_command: a write, or an EXEC with a queued write.
function isWriteCommand(cmd: Command, client: Client): boolean {
  if (cmd.isWrite) return true;
  return cmd.name === "exec" && client.multi !== null &&
    client.multi.queue.some((q) => q.cmd.isWrite);
}

// is_denystale_command: not flagged `stale`, or an EXEC with a queued command that is not.
function isDenyStale(cmd: Command, client: Client): boolean {
  if (!cmd.flagSet.has("stale")) return true;
  return cmd.name === "exec" && client.multi !== null &&
    client.multi.queue.some((q) => !q.cmd.flagSet.has("stale"));
}

// Replies with a rejection error: counts it, and flags a transaction in progress. A rejected
// EXEC discards the transaction and says why (multi.c execCommandAbort).
function reject(server: Server, client: Client, message: string, cmd: Command | null): void {
  if (cmd !== null) cmd.rejectedCalls++;
  if (client.multi !== null) client.multi.error = true;
  if (cmd !== null && cmd.name === "exec") {
    client.multi = null;
    const why = message.startsWith("ERR ") ? message.slice(4) : message;
    message = `EXECABORT Transaction discarded because of: ${why}`;
  }
  const err = new ReplyError(message);
  server.countError(err);
  client.reply(err);
}

/**
 * Runs a command's handler with all bookkeeping; used directly by EXEC for queued commands.
 * @returns the reply (a ReplyError for a failed command)
 */
export function call(
  server: Server,
  client: Client,
  cmd: Command,
  argv: string[],
): Reply | Pending {
  const ks = server.keyspace;
  const nested = server.execDepth > 0;
  // EXEC runs queued commands through here while its own context is live: give them theirs.
  const ctx = nested ? new Ctx() : client.ctx;
  ctx.client = client;
  ctx.server = server;
  ctx.db = ks.dbs[client.dbIndex];
  ctx.command = cmd;
  ctx.rewritten = null;
  ctx.also = null;
  ctx.preventPropagation = false;
  // One clock read per command: it ends at `end`, and the previous command's end is this one's
  // start (see Server.markTime); the wall-clock snapshot is derived from the same reading.
  // A `fast` command at top level reads no clock: settleFast times a run of them at once.
  const bulkTimed = cmd.isFast && !nested;
  if (!bulkTimed && server.pendingFast.length !== 0) server.settleFast();
  const start = server.perfMark;
  if (!nested) {
    ctx.now = server.wallBase + Math.floor(start - server.perfBase);
    ks.freezeTime(ctx.now);
    server.beginUnit();
  } else {
    ctx.now = ks.now();
  }
  server.execDepth++;
  const dirtyBefore = ks.dirty;
  const replOffBefore = server.replication.offset;
  let reply: Reply;
  try {
    if (server.beforeWrite !== null && cmd.isWrite) server.beforeWrite(ctx, cmd, argv);
    const r = cmd.spec.handler!(ctx, argv);
    if (r instanceof BlockRequest) {
      // Inside EXEC (or for our master) a blocking command cannot wait: it behaves as if its
      // timeout had passed at once, as Redis does.
      if (nested || client.isMaster) reply = r.onTimeout();
      else {
        server.blocking.block(client, ctx.db, argv, r);
        reply = NO_REPLY;
      }
    } else if (r instanceof Pending) {
      // A busy script paused: the rest of this call (statistics, the end of its propagation
      // unit, the clock) runs when it ends, with server.execDepth as it is here.
      server.execDepth--;
      return r.chain((last) =>
        finishCall(server, client, cmd, argv, ctx, last, start, dirtyBefore, replOffBefore)
      );
    } else {
      reply = r;
    }
  } catch (err) {
    if (err instanceof ReplyError) {
      reply = err;
    } else {
      log.warning(`Internal error running '${cmd.name}': ${(err as Error).stack ?? err}`);
      reply = new ReplyError(`ERR internal error: ${(err as Error).message}`);
    }
  }
  return finishCall(server, client, cmd, argv, ctx, reply, start, dirtyBefore, replOffBefore);
}

// The end of `call`, once the handler's reply is known: timing, statistics, propagation, slow
// log, MONITOR, and at top level the end of the unit and the clock, then blocked clients.
function finishCall(
  server: Server,
  client: Client,
  cmd: Command,
  argv: string[],
  ctx: Ctx,
  reply: Reply,
  start: number,
  dirtyBefore: number,
  replOffBefore: number,
): Reply {
  const ks = server.keyspace;
  const nested = server.execDepth > 1;
  const bulkTimed = cmd.isFast && !nested;
  let usec = -1;
  if (bulkTimed) {
    server.pendingFast.push(cmd);
    server.pendingFastArgv.push(argv);
    server.pendingFastClient.push(client);
  } else {
    const end = performance.now();
    server.perfMark = end;
    usec = (end - start) * 1000;
    cmd.usec += usec;
    server.latency.commandDone(cmd, usec);
  }
  server.execDepth--;
  cmd.calls++;
  server.stats.totalCommands++;
  // A script error a command inside the script already counted (`ignoreStats`, Redis's
  // ERR_REPLY_FLAG_NO_STATS_UPDATE) is not counted again.
  if (reply instanceof ReplyError && !(reply as { ignoreStats?: boolean }).ignoreStats) {
    cmd.failedCalls++;
    server.countError(reply);
  }
  if (ks.dirty !== dirtyBefore && !ctx.preventPropagation) {
    server.propagate(ctx.db.id, ctx.rewritten ?? argv);
  }
  const also = ctx.also as string[][] | null;
  if (also !== null) { for (const a of also) server.propagate(ctx.db.id, a); }
  if (usec >= 0 && usec >= server.slowlog.threshold && !cmd.flagSet.has("skip_slowlog")) {
    server.slowlog.record(client, argv, usec);
  }
  // Redis never shows admin commands to MONITOR (they may carry secrets).
  if (server.monitors.size > 0 && !cmd.flagSet.has("skip_monitor") && !cmd.flagSet.has("admin")) {
    server.feedMonitors(client, argv);
  }
  if (!nested) {
    server.endUnit();
    // WAIT waits for the offset right after this client's last write.
    if (server.replication.offset !== replOffBefore) client.woff = server.replication.offset;
    ks.unfreezeTime();
    server.afterCommand();
  }
  return reply;
}

/**
 * Runs a blocked client's retry as one of its commands: frozen clock, one propagation unit
 * (the retry rewrites its argv to the non-blocking form), statistics.
 * @returns the reply, or null when the client must keep waiting
 */
export function runRetry(server: Server, client: Client, state: BlockedState): Reply | null {
  const ks = server.keyspace;
  const ctx = client.ctx;
  ctx.client = client;
  ctx.server = server;
  ctx.db = state.db;
  ctx.rewritten = null;
  ctx.also = null;
  ctx.preventPropagation = false;
  ctx.now = Date.now();
  ks.freezeTime(ctx.now);
  server.beginUnit();
  server.execDepth++;
  const dirtyBefore = ks.dirty;
  let reply: Reply | null;
  try {
    if (server.beforeWrite !== null) {
      const cmd = server.table.get(state.argv[0]);
      if (cmd !== undefined) server.beforeWrite(ctx, cmd, state.argv);
    }
    reply = state.request.retry(ctx);
  } catch (err) {
    if (err instanceof ReplyError) reply = err;
    else {
      log.warning(`Internal error serving a blocked client: ${(err as Error).stack ?? err}`);
      reply = new ReplyError(`ERR internal error: ${(err as Error).message}`);
    }
  } finally {
    server.execDepth--;
  }
  if (reply !== null && ks.dirty !== dirtyBefore && !ctx.preventPropagation) {
    server.propagate(ctx.db.id, ctx.rewritten ?? state.argv);
  }
  const also = ctx.also as string[][] | null;
  if (reply !== null && also !== null) { for (const a of also) server.propagate(ctx.db.id, a); }
  server.endUnit();
  ks.unfreezeTime();
  return reply;
}
