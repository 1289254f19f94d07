// SORT and SORT_RO (sort.c): sort a list, set or sorted set numerically or by bytes (ALPHA),
// by the element itself or by keys/hash fields named by a BY pattern, with LIMIT, GET
// patterns and STORE into a list. Redis 7.0's quirks are kept: C-string pattern handling,
// strtod's number syntax, glibc's stable qsort and pqsort's order of ties under BY + LIMIT.

import { NOT_INTEGER, ReplyError, SORT_NOT_DOUBLE, SYNTAX, WRONGTYPE } from "../errors.ts";
import type { Reply } from "../resp/types.ts";
import type { Database } from "../store/database.ts";
import type { HashValue } from "../store/types/hash.ts";
import { ListValue } from "../store/types/list.ts";
import type { SetValue } from "../store/types/set.ts";
import type { ZSet } from "../store/types/zset.ts";
import { pqsort } from "../util/geohash.ts";
import { parseFloatStrict, parseSafeInt } from "../util/numbers.ts";
import { notify } from "./hashes.ts";
import type { CommandArg, CommandSpec, Ctx, KeyRef, KeySpec } from "./spec.ts";
import { deleteStoreKey } from "./zsets.ts";

/** One element being sorted (redisSortObject): its weight, and the bytes compared. */
interface SortItem {
  obj: string;
  score: number;
  /** ALPHA: what is compared (BY value, or the element), null for a missing BY key. */
  cmp: string | null;
}

/** True when `s` is the keyword `word` (lowercase ASCII) in any case, as strcasecmp. */
function isWord(s: string, word: string): boolean {
  const n = word.length;
  if (s.length !== n) return false;
  for (let i = 0; i < n; i++) if ((s.charCodeAt(i) | 0x20) !== word.charCodeAt(i)) return false;
  return true;
}

/** Length of `s` as a C string: up to its first NUL byte. */
function cLen(s: string): number {
  const i = s.indexOf("\0");
  return i < 0 ? s.length : i;
}

// A LIMIT argument (getLongFromObjectOrReply); values beyond 2^53 are clamped, which the
// clamping to the object's length makes harmless.
function argLong(s: string): number {
  const v = parseSafeInt(s);
  if (v === null) throw new ReplyError(NOT_INTEGER);
  return v;
}

/**
 * lookupKeyByPattern: "#" is the element itself; otherwise the first `*` of the pattern is
 * replaced by the element and the key read (a string), or with `->field` after the `*` the
 * field of the hash at that key. The pattern is read as C strings are (up to a NUL byte) for
 * the `#`, `*` and `->` searches, as sort.c does.
 * @returns the value, or null when the pattern has no `*` or the key/field is missing or of
 *   another type
 */
function lookupByPattern(db: Database, pattern: string, subst: string): string | null {
  if (pattern.charCodeAt(0) === 35 && (pattern.length === 1 || pattern.charCodeAt(1) === 0)) {
    return subst;
  }
  const end = cLen(pattern);
  const star = pattern.indexOf("*");
  if (star < 0 || star >= end) return null;
  const arrow = pattern.indexOf("->", star + 1);
  const field = arrow >= 0 && arrow + 2 < end ? pattern.slice(arrow + 2) : null;
  const key = pattern.slice(0, star) + subst +
    pattern.slice(star + 1, field === null ? pattern.length : arrow);
  const v = db.lookupRead(key);
  if (v === undefined) return null;
  if (field !== null) {
    return typeof v !== "string" && v.type === "hash" ? (v as HashValue).get(field) ?? null : null;
  }
  return typeof v === "string" ? v : null;
}

/** Smallest positive normal double (DBL_MIN): below it strtod reports ERANGE when inexact. */
const DBL_MIN = 2.2250738585072014e-308;
const HEX_RE =
  /^([+-]?)0[xX](?:([0-9a-fA-F]+)\.?([0-9a-fA-F]*)|\.([0-9a-fA-F]+))(?:[pP]([+-]?\d+))?$/;

/**
 * A weight as sortCommand reads it: strtod over the C string (so leading spaces, hex floats
 * and an empty string, which is 0, are fine), refusing a string it does not consume entirely,
 * NaN, and ERANGE (overflow, underflow, and inexact subnormal results).
 * @returns the value, or null when Redis reports "can't be converted"
 */
function sortWeight(s: string): number | null {
  const n = cLen(s);
  let i = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c !== 32 && (c < 9 || c > 13)) break;
  }
  if (i === n) return n === 0 ? 0 : null;
  const text = s.slice(i, n);
  const hex = HEX_RE.exec(text);
  if (hex !== null) return hexWeight(hex);
  const v = parseFloatStrict(text);
  // A decimal subnormal is never exact.
  if (v === null || (v !== 0 && Math.abs(v) < DBL_MIN)) return null;
  return v;
}

// A hex float (HEX_RE groups), correctly rounded; null on ERANGE.
function hexWeight(m: RegExpExecArray): number | null {
  const int = m[2] ?? "";
  const frac = m[3] ?? m[4] ?? "";
  let mant = BigInt("0x0" + int + frac);
  const e = m[5] === undefined ? 0 : Math.max(-1e6, Math.min(1e6, parseInt(m[5], 10)));
  let exp = e - 4 * frac.length;
  const neg = m[1] === "-";
  if (mant === 0n) return neg ? -0 : 0;
  // Keep 60 significant bits plus a sticky bit so Number() rounds as strtod would.
  const bits = mant.toString(2).length;
  let inexact = false;
  if (bits > 60) {
    const sh = BigInt(bits - 60);
    const dropped = mant & ((1n << sh) - 1n);
    mant >>= sh;
    if (dropped !== 0n) {
      mant |= 1n;
      inexact = true;
    }
    exp += bits - 60;
  }
  const top = mant.toString(2).length + exp; // the value is below 2^top
  if (top > 1024) return null;
  if (top <= -1074) return null; // rounds to zero or a subnormal: inexact
  // A subnormal result is fine only when exact: no set bit below 2^-1074.
  if (top <= -1022) {
    if (inexact) return null;
    let tz = 0;
    while (((mant >> BigInt(tz)) & 1n) === 0n) tz++;
    if (exp + tz < -1074) return null;
  }
  let v = Number(mant);
  // Scale in steps so no intermediate power of two under- or overflows.
  while (exp > 0) {
    const k = Math.min(exp, 1000);
    v *= 2 ** k;
    exp -= k;
  }
  while (exp < 0) {
    const k = Math.min(-exp, 1000);
    v /= 2 ** k;
    exp += k;
  }
  if (!Number.isFinite(v)) return null;
  return neg ? -v : v;
}

// Byte order (memcmp, then length), as compareStringObjects.
function bytesCmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// strcoll in the C/C.UTF-8 locale: byte order of the C strings (up to a NUL byte).
function collCmp(a: string, b: string): number {
  const na = cLen(a);
  const nb = cLen(b);
  if (na !== a.length) a = a.slice(0, na);
  if (nb !== b.length) b = b.slice(0, nb);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** sortCompare for the options of one SORT call. */
function comparator(
  alpha: boolean,
  byPattern: boolean,
  store: boolean,
  desc: boolean,
): (x: SortItem, y: SortItem) => number {
  let cmp: (x: SortItem, y: SortItem) => number;
  if (!alpha) {
    // Equal weights fall back to the elements' bytes so the result is deterministic.
    cmp = (x, y) => x.score > y.score ? 1 : x.score < y.score ? -1 : bytesCmp(x.obj, y.obj);
  } else if (byPattern) {
    // A missing BY value sorts first; STORE compares bytes so replicas agree whatever locale.
    const strCmp = store ? bytesCmp : collCmp;
    cmp = (x, y) => {
      const a = x.cmp;
      const b = y.cmp;
      if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
      return strCmp(a, b);
    };
  } else {
    const strCmp = store ? bytesCmp : collCmp;
    cmp = (x, y) => strCmp(x.obj, y.obj);
  }
  return desc ? (x, y) => -cmp(x, y) : cmp;
}

function item(obj: string): SortItem {
  return { obj, score: 0, cmp: null };
}

// SORT key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC|DESC] [ALPHA]
//   [STORE destination]; SORT_RO has no STORE.
function sortGeneric(ctx: Ctx, argv: string[], readonly: boolean): Reply {
  const argc = argv.length;
  let desc = false;
  let alpha = false;
  let dontsort = false;
  let limitStart = 0;
  let limitCount = -1;
  let sortby: string | null = null;
  let store: string | null = null;
  const gets: string[] = [];
  for (let j = 2; j < argc; j++) {
    const a = argv[j];
    const left = argc - j - 1;
    if (isWord(a, "asc")) desc = false;
    else if (isWord(a, "desc")) desc = true;
    else if (isWord(a, "alpha")) alpha = true;
    else if (isWord(a, "limit") && left >= 2) {
      limitStart = argLong(argv[j + 1]);
      limitCount = argLong(argv[j + 2]);
      j += 2;
    } else if (!readonly && isWord(a, "store") && left >= 1) {
      store = argv[++j];
    } else if (isWord(a, "by") && left >= 1) {
      sortby = argv[++j];
      // A BY pattern without `*` (BY nosort) names no weights: nothing to sort. A later BY
      // with a `*` does not undo this, as in sort.c.
      const star = sortby.indexOf("*");
      if (star < 0 || star >= cLen(sortby)) dontsort = true;
    } else if (isWord(a, "get") && left >= 1) {
      gets.push(argv[++j]);
    } else {
      throw new ReplyError(SYNTAX);
    }
  }

  const db = ctx.db;
  const v = db.lookupRead(argv[1]);
  if (
    v !== undefined &&
    (typeof v === "string" || (v.type !== "list" && v.type !== "set" && v.type !== "zset"))
  ) {
    throw new ReplyError(WRONGTYPE);
  }
  // A missing key sorts as an empty list.
  const type = v === undefined ? "list" : v.type;

  // A set's own order is not deterministic across replicas: with STORE, sort it anyway.
  // (Redis does the same inside scripts, which this server does not run.)
  if (dontsort && type === "set" && store !== null) {
    dontsort = false;
    alpha = true;
    sortby = null;
  }
  // SORT converts a listpack sorted set to a skiplist for good, even SORT_RO.
  if (type === "zset") (v as ZSet).listpack = false;

  const len = v === undefined
    ? 0
    : type === "list"
    ? (v as ListValue).length
    : type === "set"
    ? (v as SetValue).size
    : (v as ZSet).size;

  // LIMIT sanity checks, clamped to the length so nothing overflows.
  let start = Math.min(Math.max(limitStart, 0), len);
  const count = Math.min(Math.max(limitCount, -1), len);
  let end = count < 0 ? len - 1 : start + count - 1;
  if (start >= len) {
    start = len - 1;
    end = len - 2;
  }
  if (end >= len) end = len - 1;

  // Load the elements. A list or sorted set left unsorted is read in its own order (reversed
  // for DESC), only the LIMIT range of it.
  let items: SortItem[];
  if (v === undefined) {
    items = [];
  } else if (type === "list") {
    const list = v as ListValue;
    if (dontsort) {
      const strs = end >= start
        ? list.range(desc ? len - 1 - end : start, desc ? len - 1 - start : end, desc)
        : [];
      items = strs.map(item);
      if (end >= start) {
        end -= start;
        start = 0;
      }
    } else {
      items = list.range(0, len - 1).map(item);
    }
  } else if (type === "set") {
    items = (v as SetValue).toArray().map(item);
  } else {
    const zs = v as ZSet;
    if (dontsort) {
      items = [];
      const n = end - start + 1;
      if (n > 0) {
        const it = zs.at(desc ? len - 1 - start : start)!;
        for (let k = 0; k < n; k++) {
          items.push(item(it.ele));
          if (desc) it.prev();
          else it.next();
        }
      }
      end -= start;
      start = 0;
    } else {
      items = [];
      for (const ele of zs.dict.keys()) items.push(item(ele));
    }
  }

  // Weights, then the sort.
  let convError = false;
  if (!dontsort) {
    for (const it of items) {
      let byval: string | null;
      if (sortby !== null) {
        byval = lookupByPattern(db, sortby, it.obj);
        if (byval === null) continue;
      } else {
        byval = it.obj;
      }
      if (alpha) {
        if (sortby !== null) it.cmp = byval;
      } else {
        const w = sortWeight(byval);
        if (w === null) convError = true;
        else it.score = w;
      }
    }
    if (!convError) {
      const cmp = comparator(alpha, sortby !== null, store !== null, desc);
      // glibc's qsort is a stable merge sort, as Array#sort; a LIMIT with BY uses pqsort.
      if (sortby !== null && (start !== 0 || end !== items.length - 1)) {
        pqsort(items, cmp, start, end);
      } else {
        items.sort(cmp);
      }
    }
  }
  if (convError) throw new ReplyError(SORT_NOT_DOUBLE);

  const outputlen = (gets.length === 0 ? 1 : gets.length) * (end - start + 1);
  if (store === null) {
    const out: Reply[] = [];
    for (let j = start; j <= end; j++) {
      const obj = items[j].obj;
      if (gets.length === 0) out.push(obj);
      for (const g of gets) out.push(lookupByPattern(db, g, obj));
    }
    return out;
  }

  // STORE: a list (Redis builds it with the default list-max-listpack-size), or no key at all.
  const ks = ctx.server.keyspace;
  if (outputlen === 0) {
    deleteStoreKey(ctx, store);
    return 0;
  }
  const list = new ListValue();
  for (let j = start; j <= end; j++) {
    const obj = items[j].obj;
    if (gets.length === 0) list.pushTail(obj);
    for (const g of gets) list.pushTail(lookupByPattern(db, g, obj) ?? "");
  }
  const dirty = ks.dirty;
  if (db.lookup(store) === undefined) db.add(store, list);
  else db.set(store, list);
  notify(ctx, "l", "sortstore", store);
  // server.dirty += outputlen (setKey itself does not count).
  ks.dirty = dirty + outputlen;
  return outputlen;
}

/**
 * sortGetKeys: the sorted key, and the last STORE destination. Options are skipped with their
 * arguments (LIMIT 2, GET and BY 1) so an argument spelled "store" is not taken for one.
 */
function sortGetKeys(argv: string[]): KeyRef[] {
  const keys: KeyRef[] = [{ pos: 1, flags: ["RO", "access"] }];
  let store = 0;
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i];
    if (isWord(a, "limit")) i += 2;
    else if (isWord(a, "get") || isWord(a, "by")) i += 1;
    else if (isWord(a, "store") && i + 1 < argv.length) store = i + 1;
  }
  if (store !== 0) keys.push({ pos: store, flags: ["OW", "update"] });
  return keys;
}

// ---------------------------------------------------------------------------------------------
// Table

const SORTED_KEY_SPEC: KeySpec = {
  flags: ["RO", "access"],
  begin: { index: 1 },
  find: { lastKey: 0, keyStep: 1, limit: 0 },
};
const PATTERN_KEY_SPEC: KeySpec = {
  notes:
    "For the optional BY/GET keyword. It is marked 'unknown' because the key names derive from the content of the key we sort",
  flags: ["RO", "access"],
  begin: { unknown: true },
  find: { unknown: true },
};
const STORE_KEY_SPEC: KeySpec = {
  notes:
    "For the optional STORE keyword. It is marked 'unknown' because the keyword can appear anywhere in the argument array",
  flags: ["OW", "update"],
  begin: { unknown: true },
  find: { unknown: true },
};

const SORT_ARGS: CommandArg[] = [
  { name: "key", type: "key", keySpecIndex: 0 },
  { name: "pattern", type: "pattern", keySpecIndex: 1, token: "BY", flags: ["optional"] },
  {
    name: "offset_count",
    type: "block",
    token: "LIMIT",
    flags: ["optional"],
    arguments: [{ name: "offset", type: "integer" }, { name: "count", type: "integer" }],
  },
  {
    name: "pattern",
    type: "pattern",
    keySpecIndex: 1,
    token: "GET",
    flags: ["optional", "multiple", "multiple_token"],
  },
  {
    name: "order",
    type: "oneof",
    flags: ["optional"],
    arguments: [
      { name: "asc", type: "pure-token", token: "ASC" },
      { name: "desc", type: "pure-token", token: "DESC" },
    ],
  },
  { name: "sorting", type: "pure-token", token: "ALPHA", flags: ["optional"] },
];

const COMPLEXITY =
  "O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N).";
const CATEGORIES = ["set", "sortedset", "list", "slow", "dangerous"];

/** The SORT family's table rows. */
export const SORT_COMMANDS: CommandSpec[] = [
  {
    name: "sort",
    arity: -2,
    flags: ["write", "denyoom"],
    categories: ["write", ...CATEGORIES],
    keys: { first: 1, last: 1, step: 1 },
    keySpecs: [SORTED_KEY_SPEC, PATTERN_KEY_SPEC, STORE_KEY_SPEC],
    getKeys: sortGetKeys,
    handler: (ctx, argv) => sortGeneric(ctx, argv, false),
    summary: "Sort the elements in a list, set or sorted set",
    since: "1.0.0",
    group: "generic",
    complexity: COMPLEXITY,
    arguments: [
      ...SORT_ARGS,
      {
        name: "destination",
        type: "key",
        keySpecIndex: 2,
        token: "STORE",
        flags: ["optional"],
      },
    ],
  },
  {
    name: "sort_ro",
    arity: -2,
    flags: ["readonly"],
    categories: ["read", ...CATEGORIES],
    keys: { first: 1, last: 1, step: 1 },
    keySpecs: [SORTED_KEY_SPEC, PATTERN_KEY_SPEC],
    // sortROGetKeys: only the sorted key.
    getKeys: () => [{ pos: 1, flags: ["RO", "access"] }],
    handler: (ctx, argv) => sortGeneric(ctx, argv, true),
    summary: "Sort the elements in a list, set or sorted set. Read-only variant of SORT.",
    since: "7.0.0",
    group: "generic",
    complexity: COMPLEXITY,
    arguments: SORT_ARGS,
  },
];
