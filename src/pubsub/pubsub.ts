// Pub/Sub state (pubsub.c): channel, pattern and shard-channel subscriptions, message
// delivery as push replies (arrays in RESP2, `>` pushes in RESP3), the pubsub class of
// client-output-buffer-limit, and keyspace notifications (notify.c) published on
// `__keyspace@<db>__:<key>` / `__keyevent@<db>__:<event>`.

import type { Client } from "../client.ts";
import type { Config } from "../config.ts";
import { log } from "../log.ts";
import { Push } from "../resp/types.ts";
import { globMatch } from "../util/glob.ts";

/** Which subscription table a command works on. */
export type SubKind = "channel" | "pattern" | "shard";

// notify-keyspace-events class letters → bits (server.h NOTIFY_*).
const K = 1 << 0;
const E = 1 << 1;
const CLASS_BITS: Record<string, number> = {
  g: 1 << 2,
  $: 1 << 3,
  l: 1 << 4,
  s: 1 << 5,
  h: 1 << 6,
  z: 1 << 7,
  x: 1 << 8,
  e: 1 << 9,
  t: 1 << 10,
  m: 1 << 11,
  d: 1 << 12,
  n: 1 << 13,
};
const ALL = "g$lshzxetd";

/** Parses notify-keyspace-events into bit flags. */
export function notifyFlags(v: string): number {
  let f = 0;
  for (const c of v) {
    if (c === "K") f |= K;
    else if (c === "E") f |= E;
    else if (c === "A") { for (const a of ALL) f |= CLASS_BITS[a]; }
    else f |= CLASS_BITS[c] ?? 0;
  }
  return f;
}

/** Subscriptions and delivery. */
export class PubSub {
  readonly channels = new Map<string, Set<Client>>();
  readonly patterns = new Map<string, Set<Client>>();
  readonly shard = new Map<string, Set<Client>>();
  #notify = 0;
  #limits: [number, number, number] = [0, 0, 0];

  constructor(readonly config: Config) {
    this.reload();
  }

  /** Re-reads notify-keyspace-events and the pubsub output buffer limits. */
  reload(): void {
    this.#notify = notifyFlags(this.config.get("notify-keyspace-events"));
    const parts = this.config.get("client-output-buffer-limit").split(" ");
    const i = parts.indexOf("pubsub");
    this.#limits = [Number(parts[i + 1]), Number(parts[i + 2]), Number(parts[i + 3])];
  }

  #table(kind: SubKind): Map<string, Set<Client>> {
    return kind === "channel" ? this.channels : kind === "pattern" ? this.patterns : this.shard;
  }

  static #own(c: Client, kind: SubKind): Set<string> {
    return kind === "channel" ? c.channels : kind === "pattern" ? c.patterns : c.shardChannels;
  }

  /**
   * Subscribes; true when it was a new subscription.
   */
  subscribe(c: Client, kind: SubKind, name: string): boolean {
    const own = PubSub.#own(c, kind);
    if (own.has(name)) return false;
    own.add(name);
    const table = this.#table(kind);
    let set = table.get(name);
    if (set === undefined) table.set(name, set = new Set());
    set.add(c);
    return true;
  }

  /** Unsubscribes; true when the client was subscribed. */
  unsubscribe(c: Client, kind: SubKind, name: string): boolean {
    const own = PubSub.#own(c, kind);
    if (!own.delete(name)) return false;
    const table = this.#table(kind);
    const set = table.get(name);
    if (set !== undefined) {
      set.delete(c);
      if (set.size === 0) table.delete(name);
    }
    return true;
  }

  /** Drops every subscription of a client (disconnect, RESET). */
  removeClient(c: Client): void {
    for (const kind of ["channel", "pattern", "shard"] as SubKind[]) {
      for (const name of [...PubSub.#own(c, kind)]) this.unsubscribe(c, kind, name);
    }
  }

  /**
   * Delivers `message` on `channel` to channel and pattern subscribers.
   * @returns the number of clients that received it
   */
  publish(channel: string, message: string): number {
    let n = 0;
    const subs = this.channels.get(channel);
    if (subs !== undefined) {
      const msg = new Push(["message", channel, message]);
      for (const c of subs) {
        this.#deliver(c, msg);
        n++;
      }
    }
    if (this.patterns.size !== 0) {
      for (const [pattern, clients] of this.patterns) {
        if (!globMatch(pattern, channel)) continue;
        const msg = new Push(["pmessage", pattern, channel, message]);
        for (const c of clients) {
          this.#deliver(c, msg);
          n++;
        }
      }
    }
    return n;
  }

  /** SPUBLISH: delivers to shard-channel subscribers. */
  publishShard(channel: string, message: string): number {
    const subs = this.shard.get(channel);
    if (subs === undefined) return 0;
    const msg = new Push(["smessage", channel, message]);
    for (const c of subs) this.#deliver(c, msg);
    return subs.size;
  }

  #deliver(c: Client, msg: Push): void {
    c.push(msg);
    const [hard, soft, secs] = this.#limits;
    if ((hard > 0 || soft > 0) && c.overLimit(hard, soft, secs)) {
      log.warning(
        `Client id=${c.id} addr=${c.addr} scheduled to be closed ASAP for overcoming of output buffer limits.`,
      );
      c.kill();
    }
  }

  /**
   * Keyspace notification (notifyKeyspaceEvent): `type` is the class letter of the event.
   */
  notify(type: string, event: string, key: string, dbId: number): void {
    const flags = this.#notify;
    if (flags === 0) return;
    if ((flags & (CLASS_BITS[type] ?? 0)) === 0) return;
    if ((flags & K) !== 0) this.publish(`__keyspace@${dbId}__:${key}`, event);
    if ((flags & E) !== 0) this.publish(`__keyevent@${dbId}__:${event}`, key);
  }
}
