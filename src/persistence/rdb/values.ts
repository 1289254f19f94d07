// Maps between our stored values and RDB payloads. Saving picks the RDB type that matches the
// encoding Redis 7.0 would hold (listpack / intset / hashtable / skiplist), so DUMP output
// matches Redis's for small values; loading rebuilds values with the encoding Redis would
// choose for their size under the current config thresholds.

import type { Config } from "../../config.ts";
import type { ObjectValue, RedisValue } from "../../store/database.ts";
import { dictSize, HashValue } from "../../store/types/hash.ts";
import { SetValue } from "../../store/types/set.ts";
import { ZSet } from "../../store/types/zset.ts";
import * as C from "./constants.ts";
import type { RdbObject } from "./reader.ts";
import {
  d2string,
  RdbWriter,
  writeIntset,
  writeListpack,
  writeQuicklist,
  writeStream,
} from "./writer.ts";
import {
  listFill,
  listFromRdb,
  listItems,
  listLength,
  streamFromRdb,
  streamToRdb,
} from "./types_bridge.ts";

/** Thresholds that decide the encoding of loaded values. */
export interface EncodingLimits {
  hashEntries: number;
  hashValue: number;
  setIntset: number;
  zsetEntries: number;
  zsetValue: number;
  listFill: number;
  streamNodeEntries: number;
  streamNodeBytes: number;
}

/** The current thresholds from the config. */
export function encodingLimits(config: Config): EncodingLimits {
  return {
    hashEntries: config.num("hash-max-listpack-entries"),
    hashValue: config.num("hash-max-listpack-value"),
    setIntset: config.num("set-max-intset-entries"),
    zsetEntries: config.num("zset-max-listpack-entries"),
    zsetValue: config.num("zset-max-listpack-value"),
    listFill: config.num("list-max-listpack-size"),
    streamNodeEntries: config.num("stream-node-max-entries"),
    streamNodeBytes: config.num("stream-node-max-bytes"),
  };
}

/**
 * Writes one value: type byte, then `key` if given (file entries), then the payload.
 * @param w the writer
 * @param value the value
 * @param key the key, for a file entry; omitted for a DUMP payload
 */
export function writeValue(
  w: RdbWriter,
  value: RedisValue,
  lim: EncodingLimits,
  key?: string,
): void {
  if (typeof value === "string") {
    w.byte(C.RDB_TYPE_STRING);
    if (key !== undefined) w.string(key);
    w.string(value);
    return;
  }
  const head = (type: number) => {
    w.byte(type);
    if (key !== undefined) w.string(key);
  };
  if (value instanceof HashValue) {
    if (value.isListpack) {
      head(C.RDB_TYPE_HASH_LISTPACK);
      writeListpack(w, flatPairs(value.map));
    } else {
      head(C.RDB_TYPE_HASH);
      w.len(value.map.size);
      for (const [f, v] of value.map) {
        w.string(f);
        w.string(v);
      }
    }
    return;
  }
  if (value instanceof SetValue) {
    if (value.isIntset) {
      head(C.RDB_TYPE_SET_INTSET);
      writeIntset(w, value.toArray());
    } else {
      head(C.RDB_TYPE_SET);
      w.len(value.size);
      value.forEach((m) => {
        w.string(m);
      });
    }
    return;
  }
  if (value instanceof ZSet) {
    if (value.listpack) {
      head(C.RDB_TYPE_ZSET_LISTPACK);
      const items: string[] = [];
      value.forEach(false, (ele, score) => {
        items.push(ele, d2string(score));
      });
      writeListpack(w, items);
    } else {
      // Greatest first, as Redis saves skiplists (the loader then inserts at the head).
      head(C.RDB_TYPE_ZSET_2);
      w.len(value.size);
      value.forEach(true, (ele, score) => {
        w.string(ele);
        w.double(score);
      });
    }
    return;
  }
  const obj = value as ObjectValue;
  if (obj.type === "list") {
    head(C.RDB_TYPE_LIST_QUICKLIST_2);
    writeQuicklist(w, listItems(obj), listLength(obj), listFill(obj));
    return;
  }
  if (obj.type === "stream") {
    head(C.RDB_TYPE_STREAM_LISTPACKS_2);
    writeStream(w, streamToRdb(obj), lim.streamNodeEntries, lim.streamNodeBytes);
    return;
  }
  throw new TypeError(`Cannot serialise a value of type ${obj.type}`);
}

function* flatPairs(map: Map<string, string>): Generator<string> {
  for (const [f, v] of map) {
    yield f;
    yield v;
  }
}

/**
 * A DUMP payload for `value`: RDB value, RDB version, CRC64.
 * @returns the payload bytes
 */
export function dumpPayload(
  value: RedisValue,
  lim: EncodingLimits,
  compression = true,
): Uint8Array {
  const w = new RdbWriter(null, compression);
  writeValue(w, value, lim);
  w.finishDump(C.RDB_VERSION);
  return w.toBytes();
}

/** A loaded value that cannot be stored (duplicate members and the like). */
export class RdbValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RdbValueError";
  }
}

/**
 * Builds our value from a type-neutral RDB value, with the encoding Redis 7.0 would pick.
 * @returns the value, or null for an empty collection (Redis skips those)
 */
export function fromRdb(obj: RdbObject, lim: EncodingLimits): RedisValue | null {
  switch (obj.type) {
    case "string":
      return obj.value;
    case "list":
      return obj.items.length === 0 ? null : listFromRdb(obj.items, lim.listFill);
    case "set": {
      if (obj.members.length === 0) return null;
      const s = new SetValue();
      for (const m of obj.members) {
        if (!s.add(m, lim.setIntset)) throw new RdbValueError("Duplicate set members detected");
      }
      return s;
    }
    case "hash": {
      const n = obj.fields.length;
      if (n === 0) return null;
      const map = new Map<string, string>();
      let small = n <= lim.hashEntries;
      for (let i = 0; i < n; i++) {
        const f = obj.fields[i];
        const v = obj.values[i];
        if (small && (f.length > lim.hashValue || v.length > lim.hashValue)) small = false;
        map.set(f, v);
      }
      if (map.size !== n) throw new RdbValueError("Duplicate hash fields detected");
      // A loaded hashtable is sized for its fields up front (dictExpand in rdbLoadObject).
      return new HashValue(map, small, small ? 0 : dictSize(n));
    }
    case "zset": {
      const n = obj.members.length;
      if (n === 0) return null;
      const z = new ZSet();
      let small = n <= lim.zsetEntries;
      for (let i = 0; small && i < n; i++) if (obj.members[i].length > lim.zsetValue) small = false;
      z.listpack = small;
      for (let i = 0; i < n; i++) {
        const m = obj.members[i];
        if (z.dict.has(m)) throw new RdbValueError("Duplicate zset fields detected");
        z.insert(obj.scores[i], m);
      }
      return z;
    }
    case "stream":
      return streamFromRdb(obj.stream, lim.streamNodeEntries, lim.streamNodeBytes);
  }
}
