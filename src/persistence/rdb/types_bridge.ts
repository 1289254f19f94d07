// Adapters between the list and stream value types and the RDB layer's neutral forms.

import type { ObjectValue, RedisValue } from "../../store/database.ts";
import { ListValue } from "../../store/types/list.ts";
import {
  Consumer,
  ConsumerGroup,
  type PendingEntry,
  StreamValue,
  U64,
} from "../../store/types/stream.ts";
import type { RdbStream, StreamId } from "./reader.ts";
import type { StreamNodeSource, StreamSource } from "./writer.ts";

/** The elements of a list value, head to tail. */
export function listItems(v: ObjectValue): Iterable<string> {
  return (v as ListValue).values();
}

/** The length of a list value. */
export function listLength(v: ObjectValue): number {
  return (v as ListValue).length;
}

/** The list's own list-max-listpack-size (fixed when it was created, as in Redis). */
export function listFill(v: ObjectValue): number {
  return (v as ListValue).fill;
}

/** A list value holding `items`, with list-max-listpack-size `fill`. */
export function listFromRdb(items: string[], fill: number): RedisValue {
  return ListValue.from(items, fill);
}

function toBig(id: StreamId): bigint {
  return (id.ms << 64n) | id.seq;
}

function fromBig(id: bigint): StreamId {
  return { ms: id >> 64n, seq: id & U64 };
}

/**
 * A stream value from its RDB form: entries are appended into nodes as XADD would build them
 * (stream-node-max-entries/-bytes), then the metadata and groups are set as saved.
 */
export function streamFromRdb(r: RdbStream, maxEntries: number, maxBytes: number): RedisValue {
  const s = new StreamValue();
  for (const e of r.entries) s.append(toBig(e.id), e.fields, maxEntries, maxBytes);
  s.length = r.entries.length;
  s.lastId = toBig(r.lastId);
  s.firstId = toBig(r.firstId);
  s.maxDeletedId = toBig(r.maxDeletedId);
  s.entriesAdded = r.entriesAdded;
  if (r.groups.length > 0) {
    s.groups = new Map();
    for (const g of r.groups) {
      const last = toBig(g.lastId);
      const read = g.entriesRead === null ? s.estimateEntriesRead(last) : BigInt(g.entriesRead);
      const cg = new ConsumerGroup(last, read);
      const consumers = new Map<string, Consumer>();
      for (const c of g.consumers) {
        const cons = new Consumer(c.name, c.seenTime);
        consumers.set(c.name, cons);
        cg.consumers.set(c.name, cons);
      }
      for (const p of g.pel) {
        const owner = consumers.get(p.consumer)!;
        const nack: PendingEntry = {
          consumer: owner,
          deliveryTime: p.deliveryTime,
          deliveryCount: BigInt(p.deliveryCount),
        };
        const id = toBig(p.id);
        cg.pel.set(id, nack);
        owner.pel.set(id, nack);
      }
      s.groups.set(g.name, cg);
    }
  }
  return s;
}

/** A stream value in the writer's form, keeping its own node layout and tombstones. */
export function streamToRdb(v: ObjectValue): StreamSource {
  const s = v as StreamValue;
  const nodes: StreamNodeSource[] = [];
  for (let i = 0; i < s.nodeCount; i++) {
    const n = s.node(i);
    nodes.push({
      master: fromBig(n.master),
      masterFields: n.fields,
      entries: n.entries.map((e) => ({ id: fromBig(e.id), fields: e.fv, deleted: e.deleted })),
    });
  }
  const groups: StreamSource["groups"] = [];
  for (const [name, g] of s.sortedGroups()) {
    const pel: StreamSource["groups"][number]["pel"] = [];
    g.pel.forEachFrom(0n, (id, p) => {
      pel.push({
        id: fromBig(id),
        deliveryTime: p.deliveryTime,
        deliveryCount: p.deliveryCount,
        consumer: p.consumer?.name ?? "",
      });
    });
    groups.push({
      name,
      lastId: fromBig(g.lastId),
      entriesRead: g.entriesRead < 0n ? -1 : Number(g.entriesRead),
      pel,
      consumers: g.sortedConsumers().map((c) => ({ name: c.name, seenTime: c.seenTime })),
    });
  }
  return {
    entries: [],
    nodes,
    length: s.length,
    lastId: fromBig(s.lastId),
    firstId: fromBig(s.firstId),
    maxDeletedId: fromBig(s.maxDeletedId),
    entriesAdded: s.entriesAdded,
    groups,
  };
}
