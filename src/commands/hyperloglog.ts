// The HyperLogLog family (hyperloglog.c). An HLL is a plain string holding Redis's exact bytes
// (util/hll.ts), so values move freely between us and real Redis. Decoded buffers are cached per
// key while the key holds the same string. PFCOUNT reads, but may write the cached cardinality,
// and then propagates itself as Redis does.

import {
  HLL_INVALIDOBJ,
  HLL_WRONGTYPE,
  PFDEBUG_NO_KEY,
  PFDEBUG_NOT_SPARSE,
  pfdebugUnknownSubcommand,
  pfselftestFailed,
  ReplyError,
  WRONGTYPE,
} from "../errors.ts";
import { OK, type Reply, SimpleString } from "../resp/types.ts";
import type { Database, RedisValue } from "../store/database.ts";
import {
  createHll,
  denseGet,
  denseSetRegister,
  Hll,
  HLL_DENSE,
  HLL_DENSE_SIZE,
  HLL_HDR_SIZE,
  HLL_REGISTERS,
  HLL_SPARSE,
  hllAdd,
  hllCount,
  hllMerge,
  hllSet,
  isValidHll,
  rawCount,
  selftestAdd,
  sparseDecode,
  sparseToDense,
} from "../util/hll.ts";
import { ValueCache } from "../util/value_cache.ts";
import { type CommandSpec, type Ctx, type KeySpec, rangeKeySpec } from "./spec.ts";

const decoded = new ValueCache<Hll>(64);

function notify(ctx: Ctx, event: string, key: string): void {
  ctx.server.keyspace.hooks.notify("$", event, key, ctx.db.id);
}

// isHLLObjectOrReply: WRONGTYPE for other types, the HLL-specific WRONGTYPE for strings that
// are not HLLs.
function checkHll(v: RedisValue): string {
  if (typeof v !== "string") throw new ReplyError(WRONGTYPE);
  if (!isValidHll(v)) throw new ReplyError(HLL_WRONGTYPE);
  return v;
}

// The bytes of `v`, the HLL at `key`. Callers that change them must store the result (store).
function decode(db: Database, key: string, v: string): Hll {
  let h = decoded.get(db, key, v);
  if (h === undefined) {
    h = Hll.fromString(v);
    decoded.set(db, key, v, h);
  }
  return h;
}

// Writes `h` back to `key` (in place for Redis: the TTL stays), raw encoded.
function store(db: Database, key: string, h: Hll, isNew: boolean): void {
  const s = h.value();
  if (isNew) db.add(key, s);
  else db.set(key, s, true);
  db.markRaw(key);
  decoded.set(db, key, s, h);
}

// A cardinality as Redis replies it: the uint64 cast to long long.
function cardReply(card: number | bigint): Reply {
  return typeof card === "number" ? card : BigInt.asIntN(64, card);
}

// PFADD key [element [element ...]]
function pfadd(ctx: Ctx, argv: string[]): Reply {
  const db = ctx.db;
  const key = argv[1];
  const cur = db.lookup(key);
  let h: Hll;
  let updated = 0;
  if (cur === undefined) {
    h = createHll();
    updated++;
  } else {
    h = decode(db, key, checkHll(cur));
    db.markRaw(key); // dbUnshareStringValue
  }
  const maxBytes = ctx.server.config.num("hll-sparse-max-bytes");
  for (let j = 2; j < argv.length; j++) {
    const r = hllAdd(h, argv[j], maxBytes);
    if (r === 1) {
      updated++;
    } else if (r === -1) {
      // Redis keeps the registers already raised in memory but counts no change, so nothing
      // is propagated.
      if (updated > 0) {
        store(db, key, h, false);
        ctx.preventPropagation = true;
      }
      throw new ReplyError(HLL_INVALIDOBJ);
    }
  }
  if (updated > 0) {
    h.invalidateCache();
    store(db, key, h, cur === undefined);
    notify(ctx, "pfadd", key);
  }
  return updated > 0 ? 1 : 0;
}

// PFCOUNT key [key ...]
function pfcount(ctx: Ctx, argv: string[]): Reply {
  const db = ctx.db;
  if (argv.length > 2) {
    // The cardinality of the union: registers merged into one byte per register (HLL_RAW).
    const max = new Uint8Array(HLL_REGISTERS);
    for (let j = 1; j < argv.length; j++) {
      const v = db.lookupRead(argv[j]);
      if (v === undefined) continue;
      if (!hllMerge(max, decode(db, argv[j], checkHll(v)))) {
        throw new ReplyError(HLL_INVALIDOBJ);
      }
    }
    return cardReply(rawCount(max));
  }
  const key = argv[1];
  const v = db.lookupRead(key);
  if (v === undefined) return 0;
  const s = checkHll(v);
  db.markRaw(key); // dbUnshareStringValue
  if ((s.charCodeAt(15) & 0x80) === 0) return cardReply(cachedCard(s));
  const h = decode(db, key, s);
  const card = hllCount(h);
  if (card === -1) throw new ReplyError(HLL_INVALIDOBJ);
  // Caching the result changes the value: it is stored, and so propagated, as Redis does.
  h.setCachedCard(card);
  store(db, key, h, false);
  return cardReply(card);
}

// The cached cardinality of an HLL string (header bytes 8..15, little endian).
function cachedCard(s: string): number | bigint {
  let low = 0;
  let high = 0;
  for (let i = 3; i >= 0; i--) {
    low = low * 256 + s.charCodeAt(8 + i);
    high = high * 256 + s.charCodeAt(12 + i);
  }
  return high < 0x200000 ? high * 0x100000000 + low : (BigInt(high) << 32n) | BigInt(low);
}

// PFMERGE destkey [sourcekey [sourcekey ...]]
function pfmerge(ctx: Ctx, argv: string[]): Reply {
  const db = ctx.db;
  const max = new Uint8Array(HLL_REGISTERS);
  let useDense = false;
  // The destination is argument 1 of the loop too: it is merged in, and so type-checked.
  for (let j = 1; j < argv.length; j++) {
    const v = db.lookupRead(argv[j]);
    if (v === undefined) continue;
    const s = checkHll(v);
    // One dense input makes the result dense (Redis 7.0); sparse inputs give a sparse result
    // unless it outgrows hll-sparse-max-bytes.
    if (s.charCodeAt(4) === HLL_DENSE) useDense = true;
    if (!hllMerge(max, decode(db, argv[j], s))) throw new ReplyError(HLL_INVALIDOBJ);
  }
  const key = argv[1];
  const cur = db.lookup(key);
  const h = cur === undefined ? createHll() : decode(db, key, cur as string);
  if (useDense && !sparseToDense(h)) throw new ReplyError(HLL_INVALIDOBJ);
  const maxBytes = ctx.server.config.num("hll-sparse-max-bytes");
  for (let j = 0; j < HLL_REGISTERS; j++) {
    if (max[j] !== 0) hllSet(h, j, max[j], maxBytes);
  }
  h.invalidateCache();
  store(db, key, h, cur === undefined);
  // PFMERGE fires `pfadd`: semantically a mass add.
  notify(ctx, "pfadd", key);
  return OK;
}

// PFDEBUG GETREG | DECODE | ENCODING | TODENSE key
function pfdebug(ctx: Ctx, argv: string[]): Reply {
  const db = ctx.db;
  const sub = argv[1];
  const key = argv[2];
  // The key is checked before the subcommand.
  const v = db.lookup(key);
  if (v === undefined) throw new ReplyError(PFDEBUG_NO_KEY);
  const h = decode(db, key, checkHll(v));
  db.markRaw(key); // dbUnshareStringValue
  switch (sub.toLowerCase()) {
    case "getreg": {
      // Converting to dense changes the value, so it counts as a change and propagates.
      if (h.encoding === HLL_SPARSE) {
        if (!sparseToDense(h)) throw new ReplyError(HLL_INVALIDOBJ);
        store(db, key, h, false);
      }
      const regs: Reply[] = new Array(HLL_REGISTERS);
      for (let j = 0; j < HLL_REGISTERS; j++) regs[j] = denseGet(h.buf, HLL_HDR_SIZE, j);
      return regs;
    }
    case "decode":
      if (h.encoding !== HLL_SPARSE) throw new ReplyError(PFDEBUG_NOT_SPARSE);
      return sparseDecode(h);
    case "encoding":
      return new SimpleString(h.encoding === HLL_DENSE ? "dense" : "sparse");
    case "todense":
      if (h.encoding !== HLL_SPARSE) return 0;
      if (!sparseToDense(h)) throw new ReplyError(HLL_INVALIDOBJ);
      store(db, key, h, false);
      return 1;
    default:
      throw new ReplyError(pfdebugUnknownSubcommand(sub));
  }
}

// PFSELFTEST
function pfselftest(ctx: Ctx): Reply {
  // Test 1: every dense register can be set and read back without disturbing its neighbours.
  const regs = new Uint8Array(HLL_DENSE_SIZE + 1);
  const bytecounters = new Uint8Array(HLL_REGISTERS);
  // xorshift32 stands in for rand(): any register values will do.
  let x = (Math.random() * 0x7fffffff) | 1;
  for (let j = 0; j < 1000; j++) {
    for (let i = 0; i < HLL_REGISTERS; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      const r = x & 63;
      bytecounters[i] = r;
      denseSetRegister(regs, HLL_HDR_SIZE, i, r);
    }
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const val = denseGet(regs, HLL_HDR_SIZE, i);
      if (val !== bytecounters[i]) {
        throw new ReplyError(
          pfselftestFailed(`Register ${i} should be ${bytecounters[i]} but is ${val}`),
        );
      }
    }
  }

  // Test 2: the estimate stays within a few standard errors of the true cardinality, the
  // sparse encoding is used for small sets, and dense and sparse agree.
  regs.fill(0);
  regs[4] = HLL_DENSE;
  const dense = new Hll(regs, HLL_DENSE_SIZE);
  const o = createHll();
  const maxBytes = ctx.server.config.num("hll-sparse-max-bytes");
  const relerr = 1.04 / Math.sqrt(HLL_REGISTERS);
  const seedLo = (Math.random() * 0x100000000) >>> 0;
  const seedHi = (Math.random() * 0x100000000) >>> 0;
  let checkpoint = 1;
  for (let j = 1; j <= 10000000; j++) {
    const lo = (j ^ seedLo) >>> 0;
    selftestAdd(regs, o, lo, seedHi, maxBytes);
    if (j !== checkpoint) continue;
    if (j < maxBytes / 2 && o.encoding !== HLL_SPARSE) {
      throw new ReplyError(pfselftestFailed("sparse encoding not used"));
    }
    const card = hllCount(dense);
    if (card !== hllCount(o)) throw new ReplyError(pfselftestFailed("dense/sparse disagree"));
    const abserr = Math.abs(checkpoint - Number(card));
    // Cardinality 10 gets a tighter bound: collisions make larger errors likely there.
    const maxerr = j === 10 ? 1 : Math.ceil(relerr * 6 * checkpoint);
    if (abserr > maxerr) {
      throw new ReplyError(pfselftestFailed(`Too big error. card:${checkpoint} abserr:${abserr}`));
    }
    checkpoint *= 10;
  }
  return OK;
}

function keySpec(flags: string[], index: number, lastKey: number, notes?: string): KeySpec {
  return rangeKeySpec(flags, index, lastKey, 1, notes);
}

export const HYPERLOGLOG_COMMANDS: CommandSpec[] = [
  {
    name: "pfadd",
    arity: -2,
    flags: ["write", "denyoom", "fast"],
    categories: ["write", "hyperloglog", "fast"],
    keys: { first: 1, last: 1, step: 1 },
    handler: pfadd,
    summary: "Adds the specified elements to the specified HyperLogLog.",
    since: "2.8.9",
    group: "hyperloglog",
    complexity: "O(1) to add every element.",
    keySpecs: [keySpec(["RW", "insert"], 1, 0)],
    arguments: [
      { name: "key", type: "key", keySpecIndex: 0 },
      { name: "element", type: "string", flags: ["optional", "multiple"] },
    ],
  },
  {
    name: "pfcount",
    arity: -2,
    flags: ["readonly"],
    categories: ["read", "hyperloglog", "slow"],
    keys: { first: 1, last: -1, step: 1 },
    handler: pfcount,
    summary:
      "Return the approximated cardinality of the set(s) observed by the HyperLogLog at key(s).",
    since: "2.8.9",
    group: "hyperloglog",
    complexity:
      "O(1) with a very small average constant time when called with a single key. O(N) with N being the number of keys, and much bigger constant times, when called with multiple keys.",
    keySpecs: [
      keySpec(
        ["RW", "access"],
        1,
        -1,
        "RW because it may change the internal representation of the key, and propagate to replicas",
      ),
    ],
    arguments: [{ name: "key", type: "key", keySpecIndex: 0, flags: ["multiple"] }],
  },
  {
    name: "pfmerge",
    arity: -2,
    flags: ["write", "denyoom"],
    categories: ["write", "hyperloglog", "slow"],
    keys: { first: 1, last: -1, step: 1 },
    handler: pfmerge,
    summary: "Merge N different HyperLogLogs into a single one.",
    since: "2.8.9",
    group: "hyperloglog",
    complexity: "O(N) to merge N HyperLogLogs, but with high constant times.",
    keySpecs: [keySpec(["RW", "access", "insert"], 1, 0), keySpec(["RO", "access"], 2, -1)],
    arguments: [
      { name: "destkey", type: "key", keySpecIndex: 0 },
      { name: "sourcekey", type: "key", keySpecIndex: 1, flags: ["multiple"] },
    ],
  },
  {
    name: "pfdebug",
    arity: 3,
    flags: ["write", "denyoom", "admin"],
    categories: ["write", "hyperloglog", "admin", "slow", "dangerous"],
    keys: { first: 2, last: 2, step: 1 },
    handler: pfdebug,
    summary: "Internal commands for debugging HyperLogLog values",
    since: "2.8.9",
    group: "hyperloglog",
    complexity: "N/A",
    keySpecs: [keySpec(["RW", "access"], 2, 0)],
    docFlags: ["syscmd"],
    arguments: [
      { name: "subcommand", type: "string" },
      { name: "key", type: "key", keySpecIndex: 0 },
    ],
  },
  {
    name: "pfselftest",
    arity: 1,
    flags: ["admin"],
    categories: ["hyperloglog", "admin", "slow", "dangerous"],
    handler: pfselftest,
    summary: "An internal command for testing HyperLogLog values",
    since: "2.8.9",
    group: "hyperloglog",
    complexity: "N/A",
    docFlags: ["syscmd"],
  },
];
