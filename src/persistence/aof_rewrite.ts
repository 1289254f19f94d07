// The command form of an AOF base file (aof-use-rdb-preamble no): the commands that rebuild a
// dataset, as rewriteAppendOnlyFileRio writes them. The dataset comes as RDB bytes (what the
// background snapshot produces), so the point-in-time walk and copy-on-write stay in one place
// (snapshotter.ts); this module only turns each RDB key into commands.

import { encodeCommand } from "../resp/encoder.ts";
import { formatDouble } from "../util/numbers.ts";
import { type RdbObject, type RdbStream, readRdbSteps, type StreamId } from "./rdb/reader.ts";

/** AOF_REWRITE_ITEMS_PER_CMD: variadic commands carry at most this many items. */
const ITEMS_PER_CMD = 64;

function id(i: StreamId): string {
  return `${i.ms}-${i.seq}`;
}

/**
 * Appends the commands that rebuild `key` (rewriteListObject and siblings): RPUSH, SADD, ZADD
 * and HMSET in batches of 64 items, SET for strings, XADD/XSETID/XGROUP/XCLAIM for streams.
 */
export function keyCommands(key: string, obj: RdbObject, out: string[]): void {
  switch (obj.type) {
    case "string":
      out.push(encodeCommand(["SET", key, obj.value]));
      return;
    case "list":
      batches("RPUSH", key, obj.items, 1, out);
      return;
    case "set":
      batches("SADD", key, obj.members, 1, out);
      return;
    case "hash": {
      const flat: string[] = [];
      for (let i = 0; i < obj.fields.length; i++) flat.push(obj.fields[i], obj.values[i]);
      batches("HMSET", key, flat, 2, out);
      return;
    }
    case "zset": {
      const flat: string[] = [];
      for (let i = 0; i < obj.members.length; i++) {
        flat.push(formatDouble(obj.scores[i]), obj.members[i]);
      }
      batches("ZADD", key, flat, 2, out);
      return;
    }
    case "stream":
      streamCommands(key, obj.stream, out);
      return;
  }
}

// `name key` followed by the items, ITEMS_PER_CMD items (each `width` words) per command.
function batches(name: string, key: string, words: string[], width: number, out: string[]): void {
  const per = ITEMS_PER_CMD * width;
  for (let i = 0; i < words.length; i += per) {
    out.push(encodeCommand([name, key, ...words.slice(i, i + per)]));
  }
}

// rewriteStreamObject: entries, then XSETID for the last ID and counters, then each group with
// its consumers: XCLAIM ... FORCE for every pending entry, XGROUP CREATECONSUMER for a
// consumer with none.
function streamCommands(key: string, s: RdbStream, out: string[]): void {
  if (s.entries.length > 0) {
    for (const e of s.entries) out.push(encodeCommand(["XADD", key, id(e.id), ...e.fields]));
  } else {
    // An empty stream is created by adding an entry that MAXLEN 0 trims at once.
    out.push(encodeCommand(["XADD", key, "MAXLEN", "0", "0-1", "x", "y"]));
  }
  out.push(encodeCommand([
    "XSETID",
    key,
    id(s.lastId),
    "ENTRIESADDED",
    String(s.entriesAdded),
    "MAXDELETEDID",
    id(s.maxDeletedId),
  ]));
  for (const g of s.groups) {
    out.push(encodeCommand([
      "XGROUP",
      "CREATE",
      key,
      g.name,
      id(g.lastId),
      "ENTRIESREAD",
      String(g.entriesRead ?? -1),
    ]));
    for (const c of g.consumers) {
      let any = false;
      for (const p of g.pel) {
        if (p.consumer !== c.name) continue;
        any = true;
        out.push(encodeCommand([
          "XCLAIM",
          key,
          g.name,
          c.name,
          "0",
          id(p.id),
          "TIME",
          String(p.deliveryTime),
          "RETRYCOUNT",
          String(p.deliveryCount),
          "JUSTID",
          "FORCE",
        ]));
      }
      if (!any) out.push(encodeCommand(["XGROUP", "CREATECONSUMER", key, g.name, c.name]));
    }
  }
}

/**
 * Turns a whole RDB file into AOF commands, in steps: FUNCTION LOAD for each library, SELECT
 * before each database's keys, each key's commands followed by PEXPIREAT when it has a TTL.
 * @param data the RDB bytes
 * @param out receives the RESP text, one piece per key (byte strings)
 * @param timestamp a unix time to annotate the start with (`#TS:`), or -1
 * @returns a generator yielding the RDB offset after each key
 */
export function* rdbToCommands(
  data: Uint8Array,
  out: (text: string) => void,
  timestamp = -1,
): Generator<number, void> {
  if (timestamp >= 0) out(`#TS:${timestamp}\r\n`);
  let db = -1;
  const parts: string[] = [];
  yield* readRdbSteps(data, {
    functionCode: (code) => out(encodeCommand(["FUNCTION", "LOAD", code])),
    key: (dbId, key, obj, expireAt) => {
      if (dbId !== db) {
        out(encodeCommand(["SELECT", String(dbId)]));
        db = dbId;
      }
      parts.length = 0;
      keyCommands(key, obj, parts);
      if (expireAt !== -1) parts.push(encodeCommand(["PEXPIREAT", key, String(expireAt)]));
      out(parts.join(""));
    },
  }, { verifyChecksum: false });
}
