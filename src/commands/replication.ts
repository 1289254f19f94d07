// Replication commands: REPLICAOF / SLAVEOF (switch role), REPLCONF, SYNC / PSYNC (a replica
// asking us for the stream), WAIT (block until replicas acknowledged this client's writes) and
// ROLE. The state machine behind them is src/replication/ (master.ts, replica.ts).

import {
  INVALID_MASTER_PORT,
  NOMASTERLINK,
  NOT_INTEGER,
  RDB_ONLY_RANGE,
  replconfUnknown,
  REPLICAOF_FROM_REPLICA,
  ReplyError,
  SYNC_PENDING_OUTPUT,
  SYNTAX,
  TIMEOUT_NEGATIVE,
  TIMEOUT_NOT_INTEGER,
  WAIT_ON_REPLICA,
} from "../errors.ts";
import { log } from "../log.ts";
import { NO_REPLY, OK, type Reply, SimpleString } from "../resp/types.ts";
import { BlockRequest } from "../blocking/registry.ts";
import { parseSafeInt } from "../util/numbers.ts";
import { clientInfoLine } from "./connection.ts";
import type { CommandArg, CommandSpec, Ctx } from "./spec.ts";

const ALREADY_CONNECTED = new SimpleString("OK Already connected to specified master");

// REPLICAOF host port | REPLICAOF NO ONE (and SLAVEOF)
function replicaof(ctx: Ctx, argv: string[]): Reply {
  const s = ctx.server;
  const repl = s.replication;
  if (argv[1].toLowerCase() === "no" && argv[2].toLowerCase() === "one") {
    if (s.replicaOf !== null) {
      repl.unsetMaster();
      log.notice(`MASTER MODE enabled (user request from '${clientInfoLine(ctx.client, s)}')`);
    }
    return OK;
  }
  if (ctx.client.isReplica) throw new ReplyError(REPLICAOF_FROM_REPLICA);
  const port = parseSafeInt(argv[2]);
  if (port === null || port < 0 || port > 65535) throw new ReplyError(INVALID_MASTER_PORT);
  const host = argv[1];
  const cur = s.replicaOf;
  if (cur !== null && cur.host.toLowerCase() === host.toLowerCase() && cur.port === port) {
    log.notice(
      "REPLICAOF would result into synchronization with the master we are already connected with. No operation performed.",
    );
    return ALREADY_CONNECTED;
  }
  repl.setMaster(host, port);
  log.notice(
    `REPLICAOF ${host}:${port} enabled (user request from '${clientInfoLine(ctx.client, s)}')`,
  );
  return OK;
}

// REPLCONF <option> <value> [<option> <value> ...]
function replconf(ctx: Ctx, argv: string[]): Reply {
  if (argv.length % 2 === 0) throw new ReplyError(SYNTAX);
  const c = ctx.client;
  const repl = ctx.server.replication;
  for (let j = 1; j < argv.length; j += 2) {
    const opt = argv[j].toLowerCase();
    const v = argv[j + 1];
    if (opt === "listening-port") {
      const port = parseSafeInt(v);
      if (port === null) throw new ReplyError(NOT_INTEGER);
      repl.conn(c).listeningPort = port;
    } else if (opt === "ip-address") {
      // NET_HOST_STR_LEN
      if (v.length >= 256) {
        throw new ReplyError(
          `ERR REPLCONF ip-address provided by replica instance is too long: ${v.length} bytes`,
        );
      }
      repl.conn(c).ipAddress = v;
    } else if (opt === "capa") {
      const l = v.toLowerCase();
      if (l === "eof") repl.conn(c).capaEof = true;
      else if (l === "psync2") repl.conn(c).capaPsync2 = true;
    } else if (opt === "ack") {
      // Sent by replicas only, and never answered.
      const off = parseSafeInt(v);
      if (c.isReplica && off !== null) repl.ack(c, off);
      return NO_REPLY;
    } else if (opt === "getack") {
      // From our master: answered with an ACK, not a reply.
      if (c.isMaster) repl.link?.sendAck();
      return NO_REPLY;
    } else if (opt === "rdb-only") {
      const n = parseSafeInt(v);
      if (n === null) throw new ReplyError(NOT_INTEGER);
      if (n < 0 || n > 1) throw new ReplyError(RDB_ONLY_RANGE);
      repl.conn(c).rdbOnly = n === 1;
    } else {
      throw new ReplyError(replconfUnknown(argv[j]));
    }
  }
  return OK;
}

// SYNC | PSYNC replicationid offset: the +FULLRESYNC / +CONTINUE line and the payload are
// written by the replication state, not returned as a reply.
function syncGeneric(ctx: Ctx, argv: string[], psync: boolean): Reply {
  const c = ctx.client;
  const s = ctx.server;
  if (c.isReplica) return NO_REPLY;
  if (s.replicaOf !== null && s.replication.link?.state !== "connected") {
    throw new ReplyError(NOMASTERLINK);
  }
  if (c.out.length > 0) throw new ReplyError(SYNC_PENDING_OUTPUT);
  let req: { replId: string; offset: number } | null = null;
  if (psync) {
    const off = parseSafeInt(argv[2]);
    if (off === null) throw new ReplyError(NOT_INTEGER);
    req = { replId: argv[1], offset: off };
  }
  const err = s.replication.sync(c, req);
  if (err !== null) throw new ReplyError(err);
  return NO_REPLY;
}

// WAIT numreplicas timeout
function wait(ctx: Ctx, argv: string[]): Reply | BlockRequest {
  const s = ctx.server;
  if (s.replicaOf !== null) throw new ReplyError(WAIT_ON_REPLICA);
  const num = parseSafeInt(argv[1]);
  if (num === null) throw new ReplyError(NOT_INTEGER);
  const timeout = parseSafeInt(argv[2]);
  if (timeout === null) throw new ReplyError(TIMEOUT_NOT_INTEGER);
  if (timeout < 0) throw new ReplyError(TIMEOUT_NEGATIVE);
  const repl = s.replication;
  const c = ctx.client;
  const offset = c.woff;
  const acks = repl.countAcks(offset);
  // Inside EXEC it cannot block: the count so far.
  if (acks >= num || s.execDepth > 1) return acks;
  repl.addWaiter(c, offset, num);
  const req = new BlockRequest([], timeout > 0 ? ctx.now + timeout : 0, () => null, () => {
    repl.removeWaiter(c);
    return repl.countAcks(offset);
  });
  return req;
}

const HOST_PORT_ARGS: CommandArg[] = [{
  name: "args",
  type: "oneof",
  arguments: [
    {
      name: "host-port",
      type: "block",
      arguments: [{ name: "host", type: "string" }, { name: "port", type: "integer" }],
    },
    {
      name: "no-one",
      type: "block",
      arguments: [
        { name: "no", type: "pure-token", token: "NO" },
        { name: "one", type: "pure-token", token: "ONE" },
      ],
    },
  ],
}];

/** The replication family. */
export const REPLICATION_COMMANDS: CommandSpec[] = [
  {
    name: "replicaof",
    arity: 3,
    flags: ["admin", "noscript", "stale", "no_async_loading"],
    categories: ["admin", "dangerous"],
    handler: replicaof,
    summary: "Make the server a replica of another instance, or promote it as master.",
    since: "5.0.0",
    group: "server",
    complexity: "O(1)",
    arguments: HOST_PORT_ARGS,
  },
  {
    name: "slaveof",
    arity: 3,
    flags: ["admin", "noscript", "stale", "no_async_loading"],
    categories: ["admin", "dangerous"],
    handler: replicaof,
    summary: "Make the server a replica of another instance, or promote it as master.",
    since: "1.0.0",
    group: "server",
    complexity: "O(1)",
    docFlags: ["deprecated"],
    deprecatedSince: "5.0.0",
    replacedBy: "`REPLICAOF`",
    arguments: HOST_PORT_ARGS,
  },
  {
    name: "replconf",
    arity: -1,
    flags: ["admin", "noscript", "loading", "stale", "allow_busy"],
    categories: ["admin", "dangerous"],
    handler: replconf,
    summary: "An internal command for configuring the replication stream",
    since: "3.0.0",
    group: "server",
    complexity: "O(1)",
    docFlags: ["syscmd"],
  },
  {
    name: "psync",
    arity: -3,
    flags: ["admin", "noscript", "no_async_loading", "no_multi"],
    categories: ["admin", "dangerous"],
    handler: (ctx, argv) => syncGeneric(ctx, argv, true),
    summary: "Internal command used for replication",
    since: "2.8.0",
    group: "server",
    arguments: [{ name: "replicationid", type: "string" }, { name: "offset", type: "integer" }],
  },
  {
    name: "sync",
    arity: 1,
    flags: ["admin", "noscript", "no_async_loading", "no_multi"],
    categories: ["admin", "dangerous"],
    handler: (ctx, argv) => syncGeneric(ctx, argv, false),
    summary: "Internal command used for replication",
    since: "1.0.0",
    group: "server",
  },
  {
    name: "wait",
    arity: 3,
    flags: ["noscript"],
    categories: ["connection"],
    handler: wait,
    tips: ["request_policy:all_shards", "response_policy:agg_min"],
    summary:
      "Wait for the synchronous replication of all the write commands sent in the context of the current connection",
    since: "3.0.0",
    group: "generic",
    complexity: "O(1)",
    arguments: [{ name: "numreplicas", type: "integer" }, { name: "timeout", type: "integer" }],
  },
  {
    name: "role",
    arity: 1,
    flags: ["noscript", "loading", "stale", "fast"],
    categories: ["admin", "dangerous"],
    handler: (ctx) => ctx.server.replication.role(),
    summary: "Return the role of the instance in the context of replication",
    since: "2.8.12",
    group: "server",
    complexity: "O(1)",
  },
];
