// Pub/Sub commands: (P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE, PUBLISH, SPUBLISH, PUBSUB. Confirmations
// are push replies, one per channel; the RESP2 subscribed-mode restriction lives in the
// dispatcher.

import type { Client } from "../client.ts";
import { ReplyError, subcommandSyntax } from "../errors.ts";
import { Multi, Push, type Reply, SimpleString } from "../resp/types.ts";
import type { SubKind } from "../pubsub/pubsub.ts";
import { globMatch } from "../util/glob.ts";
import type { CommandSpec, Ctx } from "./spec.ts";

const EVENTS: Record<SubKind, [string, string]> = {
  channel: ["subscribe", "unsubscribe"],
  pattern: ["psubscribe", "punsubscribe"],
  shard: ["ssubscribe", "sunsubscribe"],
};

// The count in confirmations: shard subscriptions are counted apart (pubsub.c).
function count(c: Client, kind: SubKind): number {
  return kind === "shard" ? c.shardChannels.size : c.channels.size + c.patterns.size;
}

// SUBSCRIBE channel [channel ...] (and PSUBSCRIBE, SSUBSCRIBE)
function subscribeGeneric(ctx: Ctx, argv: string[], kind: SubKind): Reply {
  const c = ctx.client;
  const ps = ctx.server.pubsub;
  const out: Reply[] = [];
  for (let i = 1; i < argv.length; i++) {
    ps.subscribe(c, kind, argv[i]);
    out.push(new Push([EVENTS[kind][0], argv[i], count(c, kind)]));
  }
  return new Multi(out);
}

// UNSUBSCRIBE [channel ...] (and PUNSUBSCRIBE, SUNSUBSCRIBE)
function unsubscribeGeneric(ctx: Ctx, argv: string[], kind: SubKind): Reply {
  const c = ctx.client;
  const ps = ctx.server.pubsub;
  const own = kind === "channel" ? c.channels : kind === "pattern" ? c.patterns : c.shardChannels;
  const names = argv.length > 1 ? argv.slice(1) : [...own];
  const ev = EVENTS[kind][1];
  if (names.length === 0) return new Push([ev, null, count(c, kind)]);
  const out: Reply[] = [];
  for (const name of names) {
    ps.unsubscribe(c, kind, name);
    out.push(new Push([ev, name, count(c, kind)]));
  }
  return new Multi(out);
}

// PUBLISH channel message
function publish(ctx: Ctx, argv: string[]): Reply {
  // Redis 7.0 forces PUBLISH into the replication stream (not the AOF): replicas deliver it to
  // their own subscribers.
  ctx.server.propagator.add(ctx.db.id, argv, true);
  return ctx.server.pubsub.publish(argv[1], argv[2]);
}

// SPUBLISH shardchannel message
function spublish(ctx: Ctx, argv: string[]): Reply {
  ctx.server.propagator.add(ctx.db.id, argv, true);
  return ctx.server.pubsub.publishShard(argv[1], argv[2]);
}

function channelsMatching(table: Map<string, Set<Client>>, pattern: string | null): Reply {
  const out: string[] = [];
  for (const name of table.keys()) {
    if (pattern === null || globMatch(pattern, name)) out.push(name);
  }
  return out;
}

function numsub(table: Map<string, Set<Client>>, names: string[]): Reply {
  const out: Reply[] = [];
  for (const n of names) out.push(n, table.get(n)?.size ?? 0);
  return out;
}

const PUBSUB_HELP = [
  "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "CHANNELS [<pattern>]",
  "    Return the currently active channels matching a <pattern> (default: '*').",
  "NUMPAT",
  "    Return number of subscriptions to patterns.",
  "NUMSUB [<channel> ...]",
  "    Return the number of subscribers for the specified channels, excluding",
  "    pattern subscriptions(default: no channels).",
  "SHARDCHANNELS [<pattern>]",
  "    Return the currently active shard level channels matching a <pattern> (default: '*').",
  "SHARDNUMSUB [<shardchannel> ...]",
  "    Return the number of subscribers for the specified shard level channel(s)",
  "HELP",
  "    Prints this help.",
].map((l) => new SimpleString(l));

const SUB_FLAGS: CommandSpec["flags"] = ["pubsub", "noscript", "loading", "stale"];
const PS = ["pubsub", "slow"];

function optionalPattern(argv: string[], sub: string): string | null {
  if (argv.length > 3) throw new ReplyError(subcommandSyntax(sub, "pubsub"));
  return argv.length === 3 ? argv[2] : null;
}

const PUBSUB_SUBCOMMANDS: CommandSpec[] = [
  {
    name: "channels",
    arity: -2,
    flags: ["pubsub", "loading", "stale"],
    categories: PS,
    handler: (ctx, argv) =>
      channelsMatching(ctx.server.pubsub.channels, optionalPattern(argv, argv[1])),
    summary: "List active channels",
    since: "2.8.0",
    group: "pubsub",
    complexity:
      "O(N) where N is the number of active channels, and assuming constant time pattern matching (relatively short channels and patterns)",
  },
  {
    name: "numsub",
    arity: -2,
    flags: ["pubsub", "loading", "stale"],
    categories: PS,
    handler: (ctx, argv) => numsub(ctx.server.pubsub.channels, argv.slice(2)),
    summary: "Get the count of subscribers for channels",
    since: "2.8.0",
    group: "pubsub",
    complexity: "O(N) for the NUMSUB subcommand, where N is the number of requested channels",
  },
  {
    name: "numpat",
    arity: 2,
    flags: ["pubsub", "loading", "stale"],
    categories: PS,
    handler: (ctx) => ctx.server.pubsub.patterns.size,
    summary: "Get the count of unique patterns pattern subscriptions",
    since: "2.8.0",
    group: "pubsub",
    complexity: "O(1)",
  },
  {
    name: "shardchannels",
    arity: -2,
    flags: ["pubsub", "loading", "stale"],
    categories: PS,
    handler: (ctx, argv) =>
      channelsMatching(ctx.server.pubsub.shard, optionalPattern(argv, argv[1])),
    summary: "List active shard channels",
    since: "7.0.0",
    group: "pubsub",
    complexity:
      "O(N) where N is the number of active shard channels, and assuming constant time pattern matching (relatively short shard channels).",
  },
  {
    name: "shardnumsub",
    arity: -2,
    flags: ["pubsub", "loading", "stale"],
    categories: PS,
    handler: (ctx, argv) => numsub(ctx.server.pubsub.shard, argv.slice(2)),
    summary: "Get the count of subscribers for shard channels",
    since: "7.0.0",
    group: "pubsub",
    complexity:
      "O(N) for the SHARDNUMSUB subcommand, where N is the number of requested shard channels",
  },
  {
    name: "help",
    arity: 2,
    flags: ["loading", "stale"],
    categories: ["slow"],
    handler: () => PUBSUB_HELP,
    summary: "Show helpful text about the different subcommands",
    since: "6.2.0",
    group: "pubsub",
    complexity: "O(1)",
  },
];

/** Pub/Sub command specs. */
export const PUBSUB_COMMANDS: CommandSpec[] = [
  {
    name: "subscribe",
    arity: -2,
    flags: SUB_FLAGS,
    categories: PS,
    handler: (ctx, argv) => subscribeGeneric(ctx, argv, "channel"),
    summary: "Listen for messages published to the given channels",
    since: "2.0.0",
    group: "pubsub",
    complexity: "O(N) where N is the number of channels to subscribe to.",
  },
  {
    name: "unsubscribe",
    arity: -1,
    flags: SUB_FLAGS,
    categories: PS,
    handler: (ctx, argv) => unsubscribeGeneric(ctx, argv, "channel"),
    summary: "Stop listening for messages posted to the given channels",
    since: "2.0.0",
    group: "pubsub",
    complexity: "O(N) where N is the number of clients already subscribed to a channel.",
  },
  {
    name: "psubscribe",
    arity: -2,
    flags: SUB_FLAGS,
    categories: PS,
    handler: (ctx, argv) => subscribeGeneric(ctx, argv, "pattern"),
    summary: "Listen for messages published to channels matching the given patterns",
    since: "2.0.0",
    group: "pubsub",
    complexity: "O(N) where N is the number of patterns the client is already subscribed to.",
  },
  {
    name: "punsubscribe",
    arity: -1,
    flags: SUB_FLAGS,
    categories: PS,
    handler: (ctx, argv) => unsubscribeGeneric(ctx, argv, "pattern"),
    summary: "Stop listening for messages posted to channels matching the given patterns",
    since: "2.0.0",
    group: "pubsub",
    complexity:
      "O(N+M) where N is the number of patterns the client is already subscribed and M is the number of total patterns subscribed in the system (by any client).",
  },
  {
    name: "ssubscribe",
    arity: -2,
    flags: SUB_FLAGS,
    categories: PS,
    keys: { first: 1, last: -1, step: 1 },
    handler: (ctx, argv) => subscribeGeneric(ctx, argv, "shard"),
    summary: "Listen for messages published to the given shard channels",
    since: "7.0.0",
    group: "pubsub",
    complexity: "O(N) where N is the number of shard channels to subscribe to.",
  },
  {
    name: "sunsubscribe",
    arity: -1,
    flags: SUB_FLAGS,
    categories: PS,
    keys: { first: 1, last: -1, step: 1 },
    handler: (ctx, argv) => unsubscribeGeneric(ctx, argv, "shard"),
    summary: "Stop listening for messages posted to the given shard channels",
    since: "7.0.0",
    group: "pubsub",
    complexity: "O(N) where N is the number of clients already subscribed to a shard channel.",
  },
  {
    name: "publish",
    arity: 3,
    flags: ["pubsub", "loading", "stale", "fast", "may_replicate"],
    categories: ["pubsub", "fast"],
    handler: publish,
    summary: "Post a message to a channel",
    since: "2.0.0",
    group: "pubsub",
    complexity:
      "O(N+M) where N is the number of clients subscribed to the receiving channel and M is the total number of subscribed patterns (by any client).",
  },
  {
    name: "spublish",
    arity: 3,
    flags: ["pubsub", "loading", "stale", "fast", "may_replicate"],
    categories: ["pubsub", "fast"],
    keys: { first: 1, last: 1, step: 1 },
    handler: spublish,
    summary: "Post a message to a shard channel",
    since: "7.0.0",
    group: "pubsub",
    complexity: "O(N) where N is the number of clients subscribed to the receiving shard channel.",
  },
  {
    name: "pubsub",
    arity: -2,
    flags: [],
    categories: ["slow"],
    subcommands: PUBSUB_SUBCOMMANDS,
    summary: "A container for Pub/Sub commands",
    since: "2.8.0",
    group: "pubsub",
    complexity: "Depends on subcommand.",
  },
];
