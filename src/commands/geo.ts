// The geo family (geo.c) on top of sorted sets: a position is a member whose score is its
// 52-bit geohash (src/util/geohash.ts). GEOADD rewrites itself into the ZADD it performs (and
// propagates that); searches scan the nine cells around the shape exactly as Redis does, so
// results, their order, distances ("%.4f") and coordinates ("%.17Lf", trimmed) match Redis 7.0.

import {
  GEO_ANY_NEEDS_COUNT,
  GEO_BAD_MEMBER,
  GEO_BOX_NEGATIVE,
  GEO_COUNT_POSITIVE,
  GEO_NEED_HEIGHT,
  GEO_NEED_RADIUS,
  GEO_NEED_WIDTH,
  GEO_RADIUS_NEGATIVE,
  GEO_UNSUPPORTED_UNIT,
  geoInvalidPair,
  geoNeedsBy,
  geoNeedsFrom,
  geoStoreIncompatible,
  NOT_FLOAT,
  NOT_INTEGER,
  ReplyError,
  SYNTAX,
} from "../errors.ts";
import { NULL_ARRAY, type Reply, RespDouble } from "../resp/types.ts";
import { scoreLteMax, type ScoreRange, ZSet } from "../store/types/zset.ts";
import {
  boxScores,
  decoded,
  decodeScore,
  distanceIfInShape,
  encodeWGS84,
  formatFixed,
  formatHumanLongDouble,
  GEO_LAT_MAX,
  GEO_LAT_MIN,
  GEO_LONG_MAX,
  GEO_LONG_MIN,
  GEO_STEP_MAX,
  geoDistance,
  type GeoHash,
  geohashString,
  type GeoShape,
  hashDecimal,
  pqsort,
  searchAreas,
} from "../util/geohash.ts";
import { parseFloatStrict, parseI64 } from "../util/numbers.ts";
import type { CommandSpec, Ctx } from "./spec.ts";
import { compactResult, deleteStoreKey, readZset, storeZset, zaddGeneric } from "./zsets.ts";

// ---------------------------------------------------------------------------------------------
// Argument helpers

function argDouble(s: string, message: string): number {
  const v = parseFloatStrict(s);
  if (v === null) throw new ReplyError(message);
  return v;
}

// extractLongLatOrReply: both numbers parse before the range is checked.
function argLonLat(lonArg: string, latArg: string, out: GeoShape): void {
  const lon = argDouble(lonArg, NOT_FLOAT);
  const lat = argDouble(latArg, NOT_FLOAT);
  if (lon < GEO_LONG_MIN || lon > GEO_LONG_MAX || lat < GEO_LAT_MIN || lat > GEO_LAT_MAX) {
    throw new ReplyError(geoInvalidPair(formatFixed(lon, 6), formatFixed(lat, 6)));
  }
  out.lon = lon;
  out.lat = lat;
}

/** extractUnitOrReply: meters per unit. */
function argUnit(s: string): number {
  const u = s.toLowerCase();
  if (u === "m") return 1;
  if (u === "km") return 1000;
  if (u === "ft") return 0.3048;
  if (u === "mi") return 1609.34;
  throw new ReplyError(GEO_UNSUPPORTED_UNIT);
}

// extractDistanceOrReply: radius unit.
function argRadius(radiusArg: string, unitArg: string, shape: GeoShape): void {
  const r = argDouble(radiusArg, GEO_NEED_RADIUS);
  if (r < 0) throw new ReplyError(GEO_RADIUS_NEGATIVE);
  shape.radius = r;
  shape.conversion = argUnit(unitArg);
}

// extractBoxOrReply: width height unit.
function argBox(wArg: string, hArg: string, unitArg: string, shape: GeoShape): void {
  const w = argDouble(wArg, GEO_NEED_WIDTH);
  const h = argDouble(hArg, GEO_NEED_HEIGHT);
  if (h < 0 || w < 0) throw new ReplyError(GEO_BOX_NEGATIVE);
  shape.width = w;
  shape.height = h;
  shape.conversion = argUnit(unitArg);
}

/** A coordinate as Redis replies it (addReplyHumanLongDouble): a RESP3 double or a bulk. */
function coordReply(v: number): RespDouble {
  return new RespDouble(v, formatHumanLongDouble(v));
}

// ---------------------------------------------------------------------------------------------
// GEOADD GEOPOS GEODIST GEOHASH

// GEOADD key [NX|XX] [CH] longitude latitude member [longitude latitude member ...]
// Runs as the ZADD of the members' geohash scores, and propagates as that ZADD.
function geoadd(ctx: Ctx, argv: string[]): Reply {
  let nx = false;
  let xx = false;
  let idx = 2;
  for (; idx < argv.length; idx++) {
    const o = argv[idx].toLowerCase();
    if (o === "nx") nx = true;
    else if (o === "xx") xx = true;
    else if (o !== "ch") break;
  }
  if ((argv.length - idx) % 3 !== 0 || (xx && nx)) throw new ReplyError(SYNTAX);
  const zargv = ["zadd"];
  for (let i = 1; i < idx; i++) zargv.push(argv[i]);
  const shape = newShape();
  for (let i = idx; i < argv.length; i += 3) {
    argLonLat(argv[i], argv[i + 1], shape);
    zargv.push(hashDecimal(encodeWGS84(shape.lon, shape.lat, GEO_STEP_MAX)!), argv[i + 2]);
  }
  ctx.rewrite(zargv);
  return zaddGeneric(ctx, zargv, false);
}

// GEOPOS key [member ...]
function geopos(ctx: Ctx, argv: string[]): Reply {
  const zs = readZset(ctx, argv[1]);
  const out: Reply[] = [];
  for (let j = 2; j < argv.length; j++) {
    const s = zs?.score(argv[j]);
    if (s === undefined) {
      out.push(NULL_ARRAY);
      continue;
    }
    decodeScore(s);
    out.push([coordReply(decoded.lon), coordReply(decoded.lat)]);
  }
  return out;
}

// GEODIST key member1 member2 [M|KM|FT|MI]
function geodist(ctx: Ctx, argv: string[]): Reply {
  let toMeter = 1;
  if (argv.length === 5) toMeter = argUnit(argv[4]);
  else if (argv.length > 5) throw new ReplyError(SYNTAX);
  const zs = readZset(ctx, argv[1]);
  if (zs === undefined) return null;
  const s1 = zs.score(argv[2]);
  const s2 = zs.score(argv[3]);
  if (s1 === undefined || s2 === undefined) return null;
  decodeScore(s1);
  const lon1 = decoded.lon;
  const lat1 = decoded.lat;
  decodeScore(s2);
  return formatFixed(geoDistance(lon1, lat1, decoded.lon, decoded.lat) / toMeter, 4);
}

// GEOHASH key [member ...]
function geohash(ctx: Ctx, argv: string[]): Reply {
  const zs = readZset(ctx, argv[1]);
  const out: Reply[] = [];
  for (let j = 2; j < argv.length; j++) {
    const s = zs?.score(argv[j]);
    out.push(s === undefined ? null : geohashString(s));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Searches

const COORDS = 1; // around a longitude/latitude (GEORADIUS)
const MEMBER = 2; // around a member (GEORADIUSBYMEMBER)
const NOSTORE = 4; // no STORE/STOREDIST (the _RO variants)
const SEARCH = 8; // GEOSEARCH syntax
const SEARCHSTORE = 16; // GEOSEARCHSTORE: destination first, STOREDIST flag

const SORT_NONE = 0;
const SORT_ASC = 1;
const SORT_DESC = 2;

/** A match of a search (geoPoint). */
interface GeoPoint {
  member: string;
  lon: number;
  lat: number;
  /** Meters while searching and sorting; in the asked unit when replied or stored. */
  dist: number;
  score: number;
}

function newShape(): GeoShape {
  return { circle: true, lon: 0, lat: 0, radius: 0, width: 0, height: 0, conversion: 1 };
}

// geoGetPointsInRange over one cell: members with min <= score < max inside the shape.
function membersOfBox(
  zs: ZSet,
  cell: GeoHash,
  shape: GeoShape,
  out: GeoPoint[],
  limit: number,
): void {
  const [min, max] = boxScores(cell);
  const range: ScoreRange = { min, max, minex: false, maxex: true };
  const first = zs.firstInRange(range);
  if (first < 0) return;
  const it = zs.at(first)!;
  do {
    const score = it.score;
    if (!scoreLteMax(score, range)) break;
    decodeScore(score);
    const d = distanceIfInShape(shape, decoded.lon, decoded.lat);
    if (d >= 0 || Number.isNaN(d)) {
      out.push({ member: it.ele, lon: decoded.lon, lat: decoded.lat, dist: d, score });
    }
    if (limit > 0 && out.length >= limit) break;
  } while (it.next());
}

// membersOfAllNeighbors: the centre cell and its neighbours, skipping a cell equal to the one
// processed just before (huge radii make neighbours coincide).
function membersOfAllNeighbors(zs: ZSet, shape: GeoShape, limit: number): GeoPoint[] {
  const cells = searchAreas(shape);
  const out: GeoPoint[] = [];
  let last = 0;
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i];
    if (cell === null) continue;
    const prev = cells[last];
    if (
      last !== 0 && prev !== null && cell.lat === prev.lat && cell.lon === prev.lon &&
      cell.step === prev.step
    ) {
      continue;
    }
    if (out.length > 0 && limit > 0 && out.length >= limit) break;
    membersOfBox(zs, cell, shape, out, limit);
    last = i;
  }
  return out;
}

function sortAsc(a: GeoPoint, b: GeoPoint): number {
  return a.dist > b.dist ? 1 : a.dist === b.dist ? 0 : -1;
}

function sortDesc(a: GeoPoint, b: GeoPoint): number {
  return -sortAsc(a, b);
}

// A score as addReplyLongLong sees it after C's double → long long conversion.
function hashReply(score: number): number | bigint {
  const t = Math.trunc(score);
  if (Number.isSafeInteger(t)) return t;
  if (!(t < 9223372036854775808 && t >= -9223372036854775808)) return -9223372036854775808n;
  return BigInt(t);
}

// GEORADIUS[_RO] key longitude latitude radius M|KM|FT|MI [WITHCOORD] [WITHDIST] [WITHHASH]
//   [COUNT count [ANY]] [ASC|DESC] [STORE key] [STOREDIST key]
// GEORADIUSBYMEMBER[_RO] key member radius unit ... (the same options)
// GEOSEARCH key FROMMEMBER member|FROMLONLAT lon lat BYRADIUS radius unit|BYBOX w h unit
//   [ASC|DESC] [COUNT count [ANY]] [WITHCOORD] [WITHDIST] [WITHHASH]
// GEOSEARCHSTORE destination source ... (GEOSEARCH's options) [STOREDIST]
/**
 * georadiusGeneric: GEORADIUS[_RO], GEORADIUSBYMEMBER[_RO], GEOSEARCH and GEOSEARCHSTORE.
 * Errors come in Redis's order: the key's type, the fixed arguments, the options one by one,
 * then the combinations.
 */
function georadiusGeneric(ctx: Ctx, argv: string[], srcIdx: number, flags: number): Reply {
  const zs = readZset(ctx, argv[srcIdx]);
  const shape = newShape();
  let base: number;
  let storeKey: string | null = null;
  let storeDist = false;
  if (flags & COORDS) {
    base = 6;
    argLonLat(argv[2], argv[3], shape);
    argRadius(argv[4], argv[5], shape);
  } else if ((flags & MEMBER) && zs === undefined) {
    // No source: the rest is only parsed, to pick the reply.
    base = 5;
  } else if (flags & MEMBER) {
    base = 5;
    const s = zs!.score(argv[2]);
    if (s === undefined) throw new ReplyError(GEO_BAD_MEMBER);
    decodeScore(s);
    shape.lon = decoded.lon;
    shape.lat = decoded.lat;
    argRadius(argv[3], argv[4], shape);
  } else {
    base = 2;
    if (flags & SEARCHSTORE) {
      base = 3;
      storeKey = argv[1];
    }
  }

  let withDist = false;
  let withHash = false;
  let withCoords = false;
  let fromMember = false;
  let fromLoc = false;
  let byRadius = false;
  let byBox = false;
  let sort = SORT_NONE;
  let any = false;
  let count = 0;
  const remaining = argv.length - base;
  for (let i = 0; i < remaining; i++) {
    const arg = argv[base + i].toLowerCase();
    if (arg === "withdist") withDist = true;
    else if (arg === "withhash") withHash = true;
    else if (arg === "withcoord") withCoords = true;
    else if (arg === "any") any = true;
    else if (arg === "asc") sort = SORT_ASC;
    else if (arg === "desc") sort = SORT_DESC;
    else if (arg === "count" && i + 1 < remaining) {
      const c = parseI64(argv[base + i + 1]);
      if (c === null) throw new ReplyError(NOT_INTEGER);
      if (c <= 0) throw new ReplyError(GEO_COUNT_POSITIVE);
      count = typeof c === "bigint" ? Number.MAX_SAFE_INTEGER : c;
      i++;
    } else if (
      (arg === "store" || arg === "storedist") && i + 1 < remaining && !(flags & NOSTORE) &&
      !(flags & SEARCH)
    ) {
      storeKey = argv[base + i + 1];
      storeDist = arg === "storedist";
      i++;
    } else if (arg === "storedist" && (flags & SEARCH) && (flags & SEARCHSTORE)) {
      storeDist = true;
    } else if (arg === "frommember" && i + 1 < remaining && (flags & SEARCH) && !fromLoc) {
      if (zs !== undefined) {
        const s = zs.score(argv[base + i + 1]);
        if (s === undefined) throw new ReplyError(GEO_BAD_MEMBER);
        decodeScore(s);
        shape.lon = decoded.lon;
        shape.lat = decoded.lat;
      }
      fromMember = true;
      i++;
    } else if (arg === "fromlonlat" && i + 2 < remaining && (flags & SEARCH) && !fromMember) {
      argLonLat(argv[base + i + 1], argv[base + i + 2], shape);
      fromLoc = true;
      i += 2;
    } else if (arg === "byradius" && i + 2 < remaining && (flags & SEARCH) && !byBox) {
      argRadius(argv[base + i + 1], argv[base + i + 2], shape);
      shape.circle = true;
      byRadius = true;
      i += 2;
    } else if (arg === "bybox" && i + 3 < remaining && (flags & SEARCH) && !byRadius) {
      argBox(argv[base + i + 1], argv[base + i + 2], argv[base + i + 3], shape);
      shape.circle = false;
      byBox = true;
      i += 3;
    } else {
      throw new ReplyError(SYNTAX);
    }
  }

  if (storeKey !== null && (withDist || withHash || withCoords)) {
    throw new ReplyError(
      geoStoreIncompatible(flags & SEARCHSTORE ? "GEOSEARCHSTORE" : "STORE option in GEORADIUS"),
    );
  }
  if ((flags & SEARCH) && !(fromMember || fromLoc)) throw new ReplyError(geoNeedsFrom(argv[0]));
  if ((flags & SEARCH) && !(byRadius || byBox)) throw new ReplyError(geoNeedsBy(argv[0]));
  if (any && count === 0) throw new ReplyError(GEO_ANY_NEEDS_COUNT);

  if (zs === undefined) {
    if (storeKey === null) return [];
    deleteStoreKey(ctx, storeKey);
    return 0;
  }
  // COUNT means "the closest N" unless ANY: sort ascending by default.
  if (count !== 0 && sort === SORT_NONE && !any) sort = SORT_ASC;

  const points = membersOfAllNeighbors(zs, shape, any ? count : 0);
  if (points.length === 0 && storeKey === null) return [];
  const total = points.length;
  const returned = count === 0 || total < count ? total : count;
  if (sort !== SORT_NONE) {
    const cmp = sort === SORT_ASC ? sortAsc : sortDesc;
    // A full sort is glibc's (stable) qsort; a partial one is Redis's pqsort.
    if (returned === total) points.sort(cmp);
    else pqsort(points, cmp, 0, returned - 1);
  }

  if (storeKey === null) {
    const plain = !withDist && !withHash && !withCoords;
    const out: Reply[] = new Array(returned);
    for (let i = 0; i < returned; i++) {
      const p = points[i];
      if (plain) {
        out[i] = p.member;
        continue;
      }
      const item: Reply[] = [p.member];
      if (withDist) item.push(formatFixed(p.dist / shape.conversion, 4));
      if (withHash) item.push(hashReply(p.score));
      if (withCoords) item.push([coordReply(p.lon), coordReply(p.lat)]);
      out[i] = item;
    }
    return out;
  }

  if (returned === 0) {
    deleteStoreKey(ctx, storeKey);
    return 0;
  }
  const dst = new ZSet();
  dst.listpack = false;
  for (let i = 0; i < returned; i++) {
    const p = points[i];
    dst.insert(storeDist ? p.dist / shape.conversion : p.score, p.member);
  }
  compactResult(ctx, dst);
  storeZset(ctx, storeKey, dst);
  ctx.server.keyspace.dirty += returned - 1;
  ctx.server.keyspace.hooks.notify(
    "z",
    flags & SEARCH ? "geosearchstore" : "georadiusstore",
    storeKey,
    ctx.db.id,
  );
  return returned;
}

// ---------------------------------------------------------------------------------------------
// Command table

/** geo command specs. */
export const GEO_COMMANDS: CommandSpec[] = [
  {
    name: "geoadd",
    arity: -5,
    flags: ["write", "denyoom"],
    categories: ["write", "geo", "slow"],
    keys: { first: 1, last: 1, step: 1 },
    keySpecs: [{
      flags: ["RW", "update"],
      begin: { index: 1 },
      find: { lastKey: 0, keyStep: 1, limit: 0 },
    }],
    summary:
      "Add one or more geospatial items in the geospatial index represented using a sorted set",
    since: "3.2.0",
    group: "geo",
    complexity:
      "O(log(N)) for each item added, where N is the number of elements in the sorted set.",
    history: [["6.2.0", "Added the `CH`, `NX` and `XX` options."]],
    handler: geoadd,
  },
  {
    name: "geopos",
    arity: -2,
    flags: ["readonly"],
    categories: ["read", "geo", "slow"],
    keys: { first: 1, last: 1, step: 1 },
    keySpecs: [{
      flags: ["RO", "access"],
      begin: { index: 1 },
      find: { lastKey: 0, keyStep: 1, limit: 0 },
    }],
    summary: "Returns longitude and latitude of members of a geospatial index",
    since: "3.2.0",
    group: "geo",
    complexity: "O(N) where N is the number of members requested.",
    handler: geopos,
  },
  {
    name: "geodist",
    arity: -4,
    flags: ["readonly"],
    categories: ["read", "geo", "slow"],
    keys: { first: 1, last: 1, step: 1 },
    keySpecs: [{
      flags: ["RO", "access"],
      begin: { index: 1 },
      find: { lastKey: 0, keyStep: 1, limit: 0 },
    }],
    summary: "Returns the distance between two members of a geospatial index",
    since: "3.2.0",
    group: "geo",
    complexity: "O(log(N))",
    handler: geodist,
  },
  {
    name: "geohash",
    arity: -2,
    flags: ["readonly"],
    categories: ["read", "geo", "slow"],
    keys: { first: 1, last: 1, step: 1 },
    keySpecs: [{
      flags: ["RO", "access"],
      begin: { index: 1 },
      find: { lastKey: 0, keyStep: 1, limit: 0 },
    }],
    summary: "Returns members of a geospatial index as standard geohash strings",
    since: "3.2.0",
    group: "geo",
    complexity:
      "O(log(N)) for each member requested, where N is the number of elements in the sorted set.",
    handler: geohash,
  },
  {
    name: "geosearch",
    arity: -7,
    flags: ["readonly"],
    categories: ["read", "geo", "slow"],
    keys: { first: 1, last: 1, step: 1 },
    keySpecs: [{
      flags: ["RO", "access"],
      begin: { index: 1 },
      find: { lastKey: 0, keyStep: 1, limit: 0 },
    }],
    summary:
      "Query a sorted set representing a geospatial index to fetch members inside an area of a box or a circle.",
    since: "6.2.0",
    group: "geo",
    complexity:
      "O(N+log(M)) where N is the number of elements in the grid-aligned bounding box area around the shape provided as the filter and M is the number of items inside the shape",
    history: [["7.0.0", "Added support for uppercase unit names."]],
    handler: (ctx, argv) => georadiusGeneric(ctx, argv, 1, SEARCH),
  },
  {
    name: "geosearchstore",
    arity: -8,
    flags: ["write", "denyoom"],
    categories: ["write", "geo", "slow"],
    keys: { first: 1, last: 2, step: 1 },
    keySpecs: [{
      flags: ["OW", "update"],
      begin: { index: 1 },
      find: { lastKey: 0, keyStep: 1, limit: 0 },
    }, {
      flags: ["RO", "access"],
      begin: { index: 2 },
      find: { lastKey: 0, keyStep: 1, limit: 0 },
    }],
    summary:
      "Query a sorted set representing a geospatial index to fetch members inside an area of a box or a circle, and store the result in another key.",
    since: "6.2.0",
    group: "geo",
    complexity:
      "O(N+log(M)) where N is the number of elements in the grid-aligned bounding box area around the shape provided as the filter and M is the number of items inside the shape",
    history: [["7.0.0", "Added support for uppercase unit names."]],
    handler: (ctx, argv) => georadiusGeneric(ctx, argv, 2, SEARCH | SEARCHSTORE),
  },
  {
    name: "georadius",
    arity: -6,
    flags: ["write", "denyoom"],
    categories: ["write", "geo", "slow"],
    keys: { first: 1, last: 1, step: 1 },
    keySpecs: [{
      flags: ["RO", "access"],
      begin: { index: 1 },
      find: { lastKey: 0, keyStep: 1, limit: 0 },
    }, {
      flags: ["OW", "update"],
      begin: { keyword: "STORE", startFrom: 6 },
      find: { lastKey: 0, keyStep: 1, limit: 0 },
    }, {
      flags: ["OW", "update"],
      begin: { keyword: "STOREDIST", startFrom: 6 },
      find: { lastKey: 0, keyStep: 1, limit: 0 },
    }],
    summary:
      "Query a sorted set representing a geospatial index to fetch members matching a given maximum distance from a point",
    since: "3.2.0",
    group: "geo",
    complexity:
      "O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index.",
    history: [["6.2.0", "Added the `ANY` option for `COUNT`."], [
      "7.0.0",
      "Added support for uppercase unit names.",
    ]],
    docFlags: ["deprecated"],
    deprecatedSince: "6.2.0",
    replacedBy: "`GEOSEARCH` and `GEOSEARCHSTORE` with the `BYRADIUS` argument",
    handler: (ctx, argv) => georadiusGeneric(ctx, argv, 1, COORDS),
  },
  {
    name: "georadiusbymember",
    arity: -5,
    flags: ["write", "denyoom"],
    categories: ["write", "geo", "slow"],
    keys: { first: 1, last: 1, step: 1 },
    keySpecs: [{
      flags: ["RO", "access"],
      begin: { index: 1 },
      find: { lastKey: 0, keyStep: 1, limit: 0 },
    }, {
      flags: ["OW", "update"],
      begin: { keyword: "STORE", startFrom: 5 },
      find: { lastKey: 0, keyStep: 1, limit: 0 },
    }, {
      flags: ["OW", "update"],
      begin: { keyword: "STOREDIST", startFrom: 5 },
      find: { lastKey: 0, keyStep: 1, limit: 0 },
    }],
    summary:
      "Query a sorted set representing a geospatial index to fetch members matching a given maximum distance from a member",
    since: "3.2.0",
    group: "geo",
    complexity:
      "O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index.",
    history: [["7.0.0", "Added support for uppercase unit names."]],
    docFlags: ["deprecated"],
    deprecatedSince: "6.2.0",
    replacedBy: "`GEOSEARCH` and `GEOSEARCHSTORE` with the `BYRADIUS` and `FROMMEMBER` arguments",
    handler: (ctx, argv) => georadiusGeneric(ctx, argv, 1, MEMBER),
  },
  {
    name: "georadius_ro",
    arity: -6,
    flags: ["readonly"],
    categories: ["read", "geo", "slow"],
    keys: { first: 1, last: 1, step: 1 },
    keySpecs: [{
      flags: ["RO", "access"],
      begin: { index: 1 },
      find: { lastKey: 0, keyStep: 1, limit: 0 },
    }],
    summary: "A read-only variant for GEORADIUS",
    since: "3.2.10",
    group: "geo",
    complexity:
      "O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index.",
    history: [["6.2.0", "Added the `ANY` option for `COUNT`."]],
    docFlags: ["deprecated"],
    deprecatedSince: "6.2.0",
    replacedBy: "`GEOSEARCH` with the `BYRADIUS` argument",
    handler: (ctx, argv) => georadiusGeneric(ctx, argv, 1, COORDS | NOSTORE),
  },
  {
    name: "georadiusbymember_ro",
    arity: -5,
    flags: ["readonly"],
    categories: ["read", "geo", "slow"],
    keys: { first: 1, last: 1, step: 1 },
    keySpecs: [{
      flags: ["RO", "access"],
      begin: { index: 1 },
      find: { lastKey: 0, keyStep: 1, limit: 0 },
    }],
    summary: "A read-only variant for GEORADIUSBYMEMBER",
    since: "3.2.10",
    group: "geo",
    complexity:
      "O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index.",
    docFlags: ["deprecated"],
    deprecatedSince: "6.2.0",
    replacedBy: "`GEOSEARCH` with the `BYRADIUS` and `FROMMEMBER` arguments",
    handler: (ctx, argv) => georadiusGeneric(ctx, argv, 1, MEMBER | NOSTORE),
  },
];
