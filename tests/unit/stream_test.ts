// The stream structure on its own: ID parsing as Redis's string2ull/streamParseID, listpack
// node boundaries and sizes, range reads, tombstones, trimming, the radix-tree node count, the
// PEL map, group counters and deep copies. Expected figures come from redis-server 7.0.15.

import assert from "node:assert/strict";
import {
  Consumer,
  ConsumerGroup,
  formatId,
  IdMap,
  INVALID_ENTRIES_READ,
  lpStrSize,
  MAX_ID,
  parseStreamId,
  type StreamEntry,
  streamId,
  StreamValue,
  string2ull,
} from "../../src/store/types/stream.ts";

const id = (ms: number | bigint, seq: number | bigint) => streamId(BigInt(ms), BigInt(seq));

// A stream of `n` entries ms-1 (ms = 1..n) with field f, default node limits.
function filled(n: number, maxEntries = 100, maxBytes = 4096): StreamValue {
  const s = new StreamValue();
  for (let i = 1; i <= n; i++) s.append(id(i, 1), ["f", `v${i}`], maxEntries, maxBytes);
  return s;
}

function ids(s: StreamValue, start = 0n, end = MAX_ID, rev = false): string[] {
  const out: string[] = [];
  s.range(start, end, rev, (e: StreamEntry) => {
    out.push(formatId(e.id));
  });
  return out;
}

Deno.test("string2ull accepts what strtoull accepts and rejects negative string2ll values", () => {
  assert.equal(string2ull("0"), 0n);
  assert.equal(string2ull("18446744073709551615"), 18446744073709551615n);
  assert.equal(string2ull("18446744073709551616"), null);
  assert.equal(string2ull("-1"), null);
  assert.equal(string2ull("01"), 1n);
  assert.equal(string2ull("+7"), 7n);
  assert.equal(string2ull(" \t5"), 5n);
  assert.equal(string2ull("5 "), null);
  assert.equal(string2ull(""), null);
  assert.equal(string2ull("-"), null);
  assert.equal(string2ull("0x10"), null);
  // strtoull negates modulo 2^64 when string2ll could not read the value.
  assert.equal(string2ull("-05"), 18446744073709551611n);
  assert.equal(string2ull("-0"), 0n);
});

Deno.test("parseStreamId reads ms-seq, ms alone, - and +, and XADD's ms-*", () => {
  assert.deepEqual(parseStreamId("1-2", 0n, true), { id: id(1, 2), seqGiven: true });
  assert.deepEqual(parseStreamId("5", 7n, true), { id: id(5, 7), seqGiven: true });
  assert.equal(parseStreamId("-", 0n, true), null);
  assert.equal(parseStreamId("+", 0n, true), null);
  assert.deepEqual(parseStreamId("-", 0n, false), { id: 0n, seqGiven: true });
  assert.deepEqual(parseStreamId("+", 0n, false), { id: MAX_ID, seqGiven: true });
  assert.deepEqual(parseStreamId("3-*", 0n, true, true), { id: id(3, 0), seqGiven: false });
  assert.equal(parseStreamId("3-*", 0n, true, false), null);
  assert.equal(parseStreamId("1-1-1", 0n, true), null);
  assert.equal(parseStreamId("1-", 0n, true), null);
  assert.equal(parseStreamId("-1", 0n, false), null);
  assert.equal(parseStreamId("x".repeat(128), 0n, false), null);
  // Read as a C string: a NUL ends the ID.
  assert.deepEqual(parseStreamId("2-3\0junk", 0n, true), { id: id(2, 3), seqGiven: true });
  const max = "18446744073709551615-18446744073709551615";
  assert.equal(parseStreamId(max, 0n, true)!.id, MAX_ID);
  assert.equal(formatId(MAX_ID), max);
  assert.equal(formatId(id(9007199254740993n, 1)), "9007199254740993-1");
});

Deno.test("IDs compare as 64-bit (ms, seq) pairs, not as text or doubles", () => {
  assert.ok(id(10, 0) > id(9, 18446744073709551615n));
  assert.ok(id(9007199254740993n, 0) > id(9007199254740992n, 5));
  assert.ok(id(1, 9007199254740993n) > id(1, 9007199254740992n));
});

Deno.test("listpack element sizes follow the integer and string encodings", () => {
  assert.equal(lpStrSize("127"), 2);
  assert.equal(lpStrSize("128"), 3);
  assert.equal(lpStrSize("-4096"), 3);
  assert.equal(lpStrSize("4096"), 4);
  assert.equal(lpStrSize("8388608"), 6);
  assert.equal(lpStrSize("2147483648"), 10);
  assert.equal(lpStrSize("007"), 5); // not canonical: a 3-byte string
  assert.equal(lpStrSize("x".repeat(63)), 65);
  assert.equal(lpStrSize("x".repeat(64)), 67);
  assert.equal(lpStrSize("x".repeat(126)), 130); // a 128-byte encoding needs a 2-byte backlen
  assert.equal(lpStrSize("x".repeat(4096)), 4103);
});

Deno.test("nodes hold stream-node-max-entries entries, tombstones included", () => {
  const s = filled(250);
  assert.equal(s.length, 250);
  assert.equal(s.nodeCount, 3);
  assert.equal(s.raxNodeCount(), 8);
  assert.equal(s.node(0).live, 100);
  assert.equal(s.node(2).live, 50);
  // A node that loses its last live entry goes away whole.
  const t = filled(3, 2);
  assert.equal(t.nodeCount, 2);
  assert.ok(t.delete(id(3, 1)));
  assert.equal(t.nodeCount, 1);
  assert.ok(t.delete(id(1, 1)));
  assert.equal(t.nodeCount, 1);
  assert.equal(t.node(0).deleted, 1);
  t.append(id(4, 1), ["f", "v"], 2, 4096); // 1 live + 1 tombstone: the node is full
  assert.equal(t.nodeCount, 2);
});

Deno.test("nodes close when the listpack would reach stream-node-max-bytes", () => {
  const s = new StreamValue();
  // Header 6 + EOF 1, master: count, deleted, 1 field, "f" (3 bytes), 0 -> 18 bytes; first
  // entry: flags, two deltas, a 20-byte value (22 bytes) and the lp-count -> 30 bytes.
  s.append(id(1, 0), ["f", "x".repeat(20)], 100, 4096);
  assert.equal(s.node(0).bytes, 48);
  s.append(id(2, 0), ["f", "x".repeat(20)], 100, 70); // 48 + 21 < 70
  assert.equal(s.nodeCount, 1);
  assert.equal(s.node(0).bytes, 78);
  s.append(id(3, 0), ["f", "x".repeat(20)], 100, 99); // 78 + 21 >= 99
  assert.equal(s.nodeCount, 2);
});

Deno.test("range reads walk nodes forwards and backwards, skipping tombstones", () => {
  const s = filled(250);
  assert.deepEqual(ids(s, id(99, 0), id(102, 0)), ["99-1", "100-1", "101-1"]);
  assert.deepEqual(ids(s, id(99, 0), id(102, 0), true), ["101-1", "100-1", "99-1"]);
  s.delete(id(100, 1));
  assert.deepEqual(ids(s, id(99, 0), id(102, 0)), ["99-1", "101-1"]);
  assert.deepEqual(ids(s, id(250, 2), MAX_ID), []);
  assert.deepEqual(ids(s, 0n, id(1, 0)), []);
  assert.deepEqual(ids(s, id(250, 1), MAX_ID, true), ["250-1"]);
  assert.deepEqual(ids(s, id(5, 0), id(4, 0)), []);
  assert.equal(s.find(id(100, 1)), null);
  assert.equal(s.find(id(101, 1))!.fv[1], "v101");
  assert.equal(s.lastValidId(), id(250, 1));
  assert.equal(s.firstEntry()!.id, id(1, 1));
});

Deno.test("exact trimming marks entries deleted inside the first node; ~ drops whole nodes", () => {
  const s = filled(250);
  const approx = { strategy: "maxlen" as const, maxlen: 120, minid: 0n, approx: true, limit: 0 };
  assert.equal(s.trim(approx), 100);
  assert.equal(s.length, 150);
  assert.equal(s.trim(approx), 0);
  assert.equal(s.trim({ ...approx, approx: false }), 30);
  assert.equal(s.length, 120);
  assert.equal(s.nodeCount, 2);
  assert.equal(s.firstId, id(131, 1));
  assert.equal(s.firstIdWithTombstones(), id(101, 1));
  const byId = {
    strategy: "minid" as const,
    maxlen: 0,
    minid: id(230, 0),
    approx: false,
    limit: 0,
  };
  assert.equal(s.trim(byId), 99);
  assert.equal(s.length, 21);
  assert.equal(s.firstId, id(230, 1));
  // LIMIT stops before a node that would exceed it.
  const t = filled(250);
  assert.equal(t.trim({ ...approx, maxlen: 0, limit: 150 }), 100);
  assert.equal(t.trim({ ...approx, maxlen: 0 }), 150);
  assert.equal(t.length, 0);
  assert.equal(t.firstId, 0n);
  assert.equal(t.raxNodeCount(), 1);
});

Deno.test("the radix tree node count matches Redis for scattered master IDs", () => {
  const s = new StreamValue();
  for (const ms of [1, 101, 201]) s.append(id(ms, 1), ["f", "v"], 1, 4096);
  assert.equal(s.raxNodeCount(), 8);
  s.delete(id(1, 1));
  assert.equal(s.raxNodeCount(), 6);
  s.append(id(1n << 40n, 0), ["f", "v"], 1, 4096);
  // Root chain and branch at byte 2 (0 vs 1); under 0, a chain to the branch at byte 7 and two
  // chains to leaves (6); under 1, a chain to a leaf (2).
  assert.equal(s.raxNodeCount(), 10);
  assert.equal(new StreamValue().raxNodeCount(), 1);
});

Deno.test("IdMap keeps keys ordered across chunk splits and deletes", () => {
  const m = new IdMap<number>();
  const keys: bigint[] = [];
  for (let i = 0; i < 1000; i++) keys.push(BigInt((i * 7919) % 1000));
  for (const k of keys) m.set(k, Number(k));
  assert.equal(m.size, 1000);
  assert.equal(m.set(5n, -5), false);
  assert.equal(m.get(5n), -5);
  assert.equal(m.first(), 0n);
  assert.equal(m.last(), 999n);
  for (let i = 0; i < 1000; i += 2) assert.ok(m.delete(BigInt(i)));
  assert.equal(m.delete(2n), false);
  assert.equal(m.size, 500);
  assert.equal(m.ceiling(500n), 501n);
  assert.equal(m.ceiling(1000n), undefined);
  const walked: bigint[] = [];
  m.forEachFrom(990n, (k) => {
    walked.push(k);
  });
  assert.deepEqual(walked, [991n, 993n, 995n, 997n, 999n]);
  const firstTwo: bigint[] = [];
  m.forEachFrom(0n, (k) => {
    firstTwo.push(k);
    return firstTwo.length < 2;
  });
  assert.deepEqual(firstTwo, [1n, 3n]);
});

Deno.test("entries-read estimates and lag follow Redis 7.0", () => {
  const s = filled(4);
  const g = new ConsumerGroup(0n, INVALID_ENTRIES_READ);
  assert.equal(s.lag(g), 4n);
  assert.equal(s.estimateEntriesRead(id(4, 1)), 4n);
  assert.equal(s.estimateEntriesRead(id(1, 1)), 1n);
  assert.equal(s.estimateEntriesRead(id(9, 9)), INVALID_ENTRIES_READ);
  g.lastId = id(2, 1);
  g.entriesRead = 2n;
  assert.equal(s.lag(g), 2n);
  // A tombstone after the group's position makes the counter unusable.
  s.delete(id(3, 1));
  s.maxDeletedId = id(3, 1);
  assert.equal(s.lag(g), null);
  assert.equal(new StreamValue().lag(g), 0n);
});

Deno.test("clone copies entries, tombstones, groups and PELs without sharing state", () => {
  const s = filled(3);
  s.delete(id(2, 1));
  s.maxDeletedId = id(2, 1);
  const g = new ConsumerGroup(id(3, 1), 3n);
  const c = new Consumer("alice", 1000);
  const p = { consumer: c, deliveryTime: 5, deliveryCount: 2n };
  g.pel.set(id(1, 1), p);
  c.pel.set(id(1, 1), p);
  g.consumers.set("alice", c);
  s.groups = new Map([["g", g]]);
  const copy = s.clone();
  assert.deepEqual(ids(copy), ["1-1", "3-1"]);
  assert.equal(copy.node(0).deleted, 1);
  assert.equal(copy.maxDeletedId, id(2, 1));
  const cg = copy.groups!.get("g")!;
  const cp = cg.pel.get(id(1, 1))!;
  assert.equal(cp.consumer, cg.consumers.get("alice"));
  assert.equal(cg.consumers.get("alice")!.pel.get(id(1, 1)), cp);
  cp.deliveryCount = 9n;
  assert.equal(p.deliveryCount, 2n);
  copy.delete(id(1, 1));
  assert.deepEqual(ids(s), ["1-1", "3-1"]);
  assert.equal(copy.encoding(), "stream");
  assert.equal(copy.isEmpty(), false);
});

Deno.test("restoreNode rebuilds a loaded node with its tombstones and boundaries", () => {
  const s = new StreamValue();
  s.restoreNode(id(1, 0), [
    { id: id(1, 0), fv: ["f", "a"], deleted: true },
    { id: id(2, 0), fv: ["f", "b"], deleted: false },
  ]);
  s.restoreNode(id(5, 0), [{ id: id(5, 0), fv: ["g", "c"], deleted: false }]);
  assert.equal(s.length, 2);
  assert.equal(s.nodeCount, 2);
  assert.equal(s.node(0).deleted, 1);
  assert.deepEqual(ids(s), ["2-0", "5-0"]);
  assert.equal(s.firstIdWithTombstones(), id(1, 0));
});
