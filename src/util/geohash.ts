// Redis 7.0's geo math (geohash.c, geohash_helper.c, pqsort.c) and the printf formats its
// replies use. Positions are 52-bit interleaved geohashes (26 bits of latitude on the even
// bits, 26 of longitude on the odd ones) over lon -180..180 and lat -85.05112878..85.05112878,
// stored as sorted set scores. Every step follows the C code, including its integer
// conversions and clamps, so that scores, coordinates and distances match to the last digit.

/** Bits per coordinate of a stored position. */
export const GEO_STEP_MAX = 26;
export const GEO_LAT_MIN = -85.05112878;
export const GEO_LAT_MAX = 85.05112878;
export const GEO_LONG_MIN = -180;
export const GEO_LONG_MAX = 180;

const D_R = Math.PI / 180.0;
const EARTH_RADIUS_IN_METERS = 6372797.560856;
const MERCATOR_MAX = 20037726.37;
const TWO32 = 4294967296;

/** A geohash cell: latitude and longitude cell indexes (each `step` bits) at a precision. */
export interface GeoHash {
  lat: number;
  lon: number;
  step: number;
}

/** A coordinate range. */
export interface GeoRange {
  min: number;
  max: number;
}

const WGS84_LON: GeoRange = { min: GEO_LONG_MIN, max: GEO_LONG_MAX };
const WGS84_LAT: GeoRange = { min: GEO_LAT_MIN, max: GEO_LAT_MAX };
/** The standard geohash ranges GEOHASH re-encodes with. */
const STD_LAT: GeoRange = { min: -90, max: 90 };

function degRad(ang: number): number {
  return ang * D_R;
}

function radDeg(ang: number): number {
  return ang / D_R;
}

// The 16 low bits of x spread to the even bits of a 32-bit word.
function spread16(x: number): number {
  x &= 0xffff;
  x = (x | (x << 8)) & 0x00ff00ff;
  x = (x | (x << 4)) & 0x0f0f0f0f;
  x = (x | (x << 2)) & 0x33333333;
  x = (x | (x << 1)) & 0x55555555;
  return x >>> 0;
}

// The even bits of a 32-bit word packed into 16 bits.
function compact16(x: number): number {
  x &= 0x55555555;
  x = (x | (x >>> 1)) & 0x33333333;
  x = (x | (x >>> 2)) & 0x0f0f0f0f;
  x = (x | (x >>> 4)) & 0x00ff00ff;
  x = (x | (x >>> 8)) & 0x0000ffff;
  return x;
}

// interleave64(lat, lon) split in 32-bit halves: [high, low].
function interleave(lat: number, lon: number): [number, number] {
  const lo = (spread16(lat) | (spread16(lon) << 1)) >>> 0;
  const hi = (spread16(lat >>> 16) | (spread16(lon >>> 16) << 1)) >>> 0;
  return [hi, lo];
}

/**
 * scoresOfGeoHashBox: the score range [min, max) of the stored positions inside a cell, the
 * cell's bits aligned to 52 bits and that plus one, as doubles (C's uint64 conversion).
 */
export function boxScores(h: GeoHash): [number, number] {
  const [hi, lo] = interleave(h.lat, h.lon);
  const shift = 52 - h.step * 2;
  if (hi < 2 ** 20) {
    const v = hi * TWO32 + lo;
    return [v * 2 ** shift, (v + 1) * 2 ** shift];
  }
  const v = (BigInt(hi) << 32n) | BigInt(lo);
  return [Number(v << BigInt(shift)), Number((v + 1n) << BigInt(shift))];
}

/** The exact decimal of a cell's interleaved bits (GEOADD's score argument). */
export function hashDecimal(h: GeoHash): string {
  const [hi, lo] = interleave(h.lat, h.lon);
  if (hi < 2 ** 21) return String(hi * TWO32 + lo);
  return ((BigInt(hi) << 32n) | BigInt(lo)).toString();
}

/**
 * geohashEncode: the cell of (lon, lat) at `step` bits, or null out of the supported area.
 */
export function geohashEncode(
  lonRange: GeoRange,
  latRange: GeoRange,
  lon: number,
  lat: number,
  step: number,
): GeoHash | null {
  if (step > 32 || step === 0) return null;
  if (lon > 180 || lon < -180 || lat > 85.05112878 || lat < -85.05112878) return null;
  if (lat < latRange.min || lat > latRange.max || lon < lonRange.min || lon > lonRange.max) {
    return null;
  }
  let latOffset = (lat - latRange.min) / (latRange.max - latRange.min);
  let lonOffset = (lon - lonRange.min) / (lonRange.max - lonRange.min);
  latOffset *= 2 ** step;
  lonOffset *= 2 ** step;
  // The C code converts to uint32 by truncation; the top value (2^step) keeps its extra bit.
  return { lat: Math.trunc(latOffset) >>> 0, lon: Math.trunc(lonOffset) >>> 0, step };
}

/** geohashEncodeWGS84. */
export function encodeWGS84(lon: number, lat: number, step = GEO_STEP_MAX): GeoHash | null {
  return geohashEncode(WGS84_LON, WGS84_LAT, lon, lat, step);
}

/** A cell's bounds (geohashDecode). */
export interface GeoArea {
  lonMin: number;
  lonMax: number;
  latMin: number;
  latMax: number;
}

/** geohashDecode over the WGS84 ranges. */
export function decodeArea(h: GeoHash): GeoArea {
  return decodeAreaIn(WGS84_LON, WGS84_LAT, h.lat, h.lon, h.step);
}

function decodeAreaIn(
  lonRange: GeoRange,
  latRange: GeoRange,
  ilato: number,
  ilono: number,
  step: number,
): GeoArea {
  const latScale = latRange.max - latRange.min;
  const lonScale = lonRange.max - lonRange.min;
  const div = 2 ** step;
  // (ilato + 1) is uint32 arithmetic in C: it wraps.
  return {
    latMin: latRange.min + (ilato * 1.0 / div) * latScale,
    latMax: latRange.min + (((ilato + 1) >>> 0) * 1.0 / div) * latScale,
    lonMin: lonRange.min + (ilono * 1.0 / div) * lonScale,
    lonMax: lonRange.min + (((ilono + 1) >>> 0) * 1.0 / div) * lonScale,
  };
}

/** Longitude and latitude decoded by `decodeScore`. */
export const decoded = { lon: 0, lat: 0 };

/**
 * decodeGeohash: a score as a stored position, decoded to its cell's centre (clamped to the
 * valid area) into `decoded`. The score converts to uint64 as C does on x86-64: truncation,
 * negatives wrap, out-of-range values give 2^63 (below) or 0 (above).
 */
export function decodeScore(score: number): void {
  let hi: number;
  let lo: number;
  if (score >= 0 && score < 9007199254740992) {
    const t = Math.trunc(score);
    hi = Math.floor(t / TWO32);
    lo = t - hi * TWO32;
  } else {
    let u: bigint;
    if (score >= 18446744073709551616 || Number.isNaN(score)) u = 0n;
    else if (score <= -9223372036854775808) u = 1n << 63n;
    else u = BigInt.asUintN(64, BigInt(Math.trunc(score)));
    hi = Number(u >> 32n);
    lo = Number(u & 0xffffffffn);
  }
  const ilato = (compact16(lo) | (compact16(hi) << 16)) >>> 0;
  const ilono = (compact16(lo >>> 1) | (compact16(hi >>> 1) << 16)) >>> 0;
  const a = decodeAreaIn(WGS84_LON, WGS84_LAT, ilato, ilono, GEO_STEP_MAX);
  let x = (a.lonMin + a.lonMax) / 2;
  if (x > GEO_LONG_MAX) x = GEO_LONG_MAX;
  if (x < GEO_LONG_MIN) x = GEO_LONG_MIN;
  let y = (a.latMin + a.latMax) / 2;
  if (y > GEO_LAT_MAX) y = GEO_LAT_MAX;
  if (y < GEO_LAT_MIN) y = GEO_LAT_MIN;
  decoded.lon = x;
  decoded.lat = y;
}

const BASE32 = "0123456789bcdefghjkmnpqrstuvwxyz";

/**
 * GEOHASH's 11-character string of a stored score: the position re-encoded over the standard
 * -90..90 latitude range; the 11th character stands for bits Redis does not have ("0").
 */
export function geohashString(score: number): string {
  decodeScore(score);
  const h = geohashEncode(WGS84_LON, STD_LAT, decoded.lon, decoded.lat, GEO_STEP_MAX)!;
  const [hi, lo] = interleave(h.lat, h.lon);
  // Only the low 52 bits are read.
  const bits = (hi & 0xfffff) * TWO32 + lo;
  let out = "";
  for (let i = 0; i < 10; i++) {
    out += BASE32[Math.floor(bits / 2 ** (52 - (i + 1) * 5)) % 32];
  }
  return out + "0";
}

/** geohashGetDistance (7.0): haversine on Redis's earth radius, in meters. */
export function geoDistance(lon1d: number, lat1d: number, lon2d: number, lat2d: number): number {
  const lat1r = degRad(lat1d);
  const lon1r = degRad(lon1d);
  const lat2r = degRad(lat2d);
  const lon2r = degRad(lon2d);
  const u = Math.sin((lat2r - lat1r) / 2);
  const v = Math.sin((lon2r - lon1r) / 2);
  return 2.0 * EARTH_RADIUS_IN_METERS *
    Math.asin(Math.sqrt(u * u + Math.cos(lat1r) * Math.cos(lat2r) * v * v));
}

/** A search shape (GeoShape): a circle of `radius` or a `width` x `height` box, in `unit`s. */
export interface GeoShape {
  circle: boolean;
  lon: number;
  lat: number;
  radius: number;
  width: number;
  height: number;
  /** Meters per unit. */
  conversion: number;
}

/**
 * geoWithinShape's test: the distance in meters from the shape's centre when (lon, lat) is
 * inside, else -1.
 */
export function distanceIfInShape(s: GeoShape, lon: number, lat: number): number {
  if (s.circle) {
    const d = geoDistance(s.lon, s.lat, lon, lat);
    return d > s.radius * s.conversion ? -1 : d;
  }
  // geohashGetDistanceIfInRectangle (7.0)
  const lonDistance = geoDistance(lon, lat, s.lon, lat);
  const latDistance = geoDistance(lon, lat, lon, s.lat);
  if (
    lonDistance > (s.width * s.conversion) / 2 || latDistance > (s.height * s.conversion) / 2
  ) {
    return -1;
  }
  return geoDistance(s.lon, s.lat, lon, lat);
}

// geohashEstimateStepsByRadius
function estimateSteps(rangeMeters: number, lat: number): number {
  if (rangeMeters === 0) return 26;
  let step = 1;
  while (rangeMeters < MERCATOR_MAX) {
    rangeMeters *= 2;
    step++;
  }
  step -= 2;
  if (lat > 66 || lat < -66) {
    step--;
    if (lat > 80 || lat < -80) step--;
  }
  if (step < 1) step = 1;
  if (step > 26) step = 26;
  return step;
}

// geohash_move_x / geohash_move_y: the moved index wraps at 2^step; the other one is kept.
function move(h: GeoHash, dx: number, dy: number): GeoHash {
  const mask = 2 ** h.step - 1;
  return {
    lon: dx === 0 ? h.lon : (h.lon + dx) & mask,
    lat: dy === 0 ? h.lat : (h.lat + dy) & mask,
    step: h.step,
  };
}

/**
 * geohashCalculateAreasByShapeWGS84: the cells to search, in Redis's order (centre, N, S, E,
 * W, NE, NW, SE, SW), null for a neighbour excluded as useless.
 */
export function searchAreas(s: GeoShape): (GeoHash | null)[] {
  // geohashBoundingBox (7.0)
  const height = s.conversion * (s.circle ? s.radius : s.height / 2);
  const width = s.conversion * (s.circle ? s.radius : s.width / 2);
  const latDelta = radDeg(height / EARTH_RADIUS_IN_METERS);
  const lonDeltaTop = radDeg(width / EARTH_RADIUS_IN_METERS / Math.cos(degRad(s.lat + latDelta)));
  const lonDeltaBottom = radDeg(
    width / EARTH_RADIUS_IN_METERS / Math.cos(degRad(s.lat - latDelta)),
  );
  const south = s.lat < 0;
  const minLon = south ? s.lon - lonDeltaBottom : s.lon - lonDeltaTop;
  const maxLon = south ? s.lon + lonDeltaBottom : s.lon + lonDeltaTop;
  const minLat = s.lat - latDelta;
  const maxLat = s.lat + latDelta;

  let radiusMeters = s.circle
    ? s.radius
    : Math.sqrt((s.width / 2) * (s.width / 2) + (s.height / 2) * (s.height / 2));
  radiusMeters *= s.conversion;
  let steps = estimateSteps(radiusMeters, s.lat);
  let hash = encodeWGS84(s.lon, s.lat, steps)!;
  let n = neighbors(hash);
  let area = decodeArea(hash);
  const north = decodeArea(n[1]);
  const southA = decodeArea(n[2]);
  const east = decodeArea(n[3]);
  const west = decodeArea(n[4]);
  const decrease = north.latMax < maxLat || southA.latMin > minLat || east.lonMax < maxLon ||
    west.lonMin > minLon;
  if (steps > 1 && decrease) {
    steps--;
    hash = encodeWGS84(s.lon, s.lat, steps)!;
    n = neighbors(hash);
    area = decodeArea(hash);
  }
  const out: (GeoHash | null)[] = [hash, n[1], n[2], n[3], n[4], n[5], n[6], n[7], n[8]];
  if (steps >= 2) {
    if (area.latMin < minLat) out[2] = out[8] = out[7] = null; // S, SW, SE
    if (area.latMax > maxLat) out[1] = out[5] = out[6] = null; // N, NE, NW
    if (area.lonMin < minLon) out[4] = out[8] = out[6] = null; // W, SW, NW
    if (area.lonMax > maxLon) out[3] = out[7] = out[5] = null; // E, SE, NE
  }
  return out;
}

// geohashNeighbors, indexed as searchAreas orders them: [self, N, S, E, W, NE, NW, SE, SW].
function neighbors(h: GeoHash): GeoHash[] {
  return [
    h,
    move(h, 0, 1),
    move(h, 0, -1),
    move(h, 1, 0),
    move(h, -1, 0),
    move(h, 1, 1),
    move(h, -1, 1),
    move(h, 1, -1),
    move(h, -1, -1),
  ];
}

// ---------------------------------------------------------------------------------------------
// printf formats

/**
 * C's `%.<digits>f` (glibc): the exact decimal value rounded half to even, `-` kept on
 * negative zero, `inf`/`nan` spelled out.
 */
export function formatFixed(v: number, digits: number): string {
  if (Number.isNaN(v)) return "nan";
  if (v === Infinity) return "inf";
  if (v === -Infinity) return "-inf";
  const neg = v < 0 || Object.is(v, -0);
  const a = Math.abs(v);
  let s: string;
  if (a >= 1e21) {
    s = BigInt(a).toString() + (digits > 0 ? "." + "0".repeat(digits) : "");
  } else {
    s = a.toFixed(digits);
    // toFixed rounds exact ties away from zero; glibc rounds them to even. A tie happens
    // exactly when a is an odd multiple of 2^-(digits+1).
    const t = a * 2 ** (digits + 1);
    if (Number.isInteger(t) && t % 2 === 1 && t < 2 ** 53) {
      const lastDigit = s.charCodeAt(s.length - 1) - 48;
      if (lastDigit % 2 === 1) s = decrementLast(s, digits);
    }
  }
  return neg ? "-" + s : s;
}

// One unit less in the last place of a non-negative fixed-point string.
function decrementLast(s: string, digits: number): string {
  const n = BigInt(s.replace(".", "")) - 1n;
  let d = n.toString().padStart(digits + 1, "0");
  if (digits > 0) d = d.slice(0, d.length - digits) + "." + d.slice(d.length - digits);
  return d;
}

/**
 * Redis's human long double (ld2string LD_STR_HUMAN): `%.17Lf` without trailing zeros (nor a
 * trailing dot), and "-0" as "0". GEOPOS and WITHCOORD print coordinates this way.
 */
export function formatHumanLongDouble(v: number): string {
  if (!Number.isFinite(v)) return v > 0 ? "inf" : v < 0 ? "-inf" : "nan";
  let s = formatFixed(v, 17);
  let end = s.length;
  while (s.charCodeAt(end - 1) === 48) end--;
  if (s.charCodeAt(end - 1) === 46) end--;
  s = s.slice(0, end);
  return s === "-0" ? "0" : s;
}

// ---------------------------------------------------------------------------------------------
// pqsort.c as of Redis 7.0: NetBSD's qsort (Bentley & McIlroy) without its switch to insertion
// sort, sorting only the parts covering positions lo..hi. GEORADIUS with COUNT uses it, so the
// order of equal distances must come out the same.

/**
 * Partially sorts `a` in place so that positions `lo`..`hi` (inclusive) hold what a full
 * sort would put there, exactly as Redis's pqsort does (including its order of ties).
 */
export function pqsort<T>(a: T[], cmp: (x: T, y: T) => number, lo: number, hi: number): void {
  pqsortRange(a, 0, a.length, cmp, lo, hi);
}

function swap<T>(a: T[], i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}

function vecswap<T>(a: T[], i: number, j: number, n: number): void {
  for (let k = 0; k < n; k++) swap(a, i + k, j + k);
}

function med3<T>(a: T[], i: number, j: number, k: number, cmp: (x: T, y: T) => number): number {
  return cmp(a[i], a[j]) < 0
    ? (cmp(a[j], a[k]) < 0 ? j : (cmp(a[i], a[k]) < 0 ? k : i))
    : (cmp(a[j], a[k]) > 0 ? j : (cmp(a[i], a[k]) < 0 ? i : k));
}

function insertionSort<T>(a: T[], base: number, n: number, cmp: (x: T, y: T) => number): void {
  for (let m = base + 1; m < base + n; m++) {
    for (let l = m; l > base && cmp(a[l - 1], a[l]) > 0; l--) swap(a, l, l - 1);
  }
}

function pqsortRange<T>(
  a: T[],
  base: number,
  n: number,
  cmp: (x: T, y: T) => number,
  lo: number,
  hi: number,
): void {
  for (;;) {
    if (n < 7) {
      insertionSort(a, base, n, cmp);
      return;
    }
    let pm = base + Math.floor(n / 2);
    if (n > 7) {
      let pl = base;
      let pn = base + n - 1;
      if (n > 40) {
        const d = Math.floor(n / 8);
        pl = med3(a, pl, pl + d, pl + 2 * d, cmp);
        pm = med3(a, pm - d, pm, pm + d, cmp);
        pn = med3(a, pn - 2 * d, pn - d, pn, cmp);
      }
      pm = med3(a, pl, pm, pn, cmp);
    }
    swap(a, base, pm);
    let pa = base + 1;
    let pb = pa;
    let pc = base + n - 1;
    let pd = pc;
    for (;;) {
      let r: number;
      while (pb <= pc && (r = cmp(a[pb], a[base])) <= 0) {
        if (r === 0) {
          swap(a, pa, pb);
          pa++;
        }
        pb++;
      }
      while (pb <= pc && (r = cmp(a[pc], a[base])) >= 0) {
        if (r === 0) {
          swap(a, pc, pd);
          pd--;
        }
        pc--;
      }
      if (pb > pc) break;
      swap(a, pb, pc);
      pb++;
      pc--;
    }
    const pn = base + n;
    let r = Math.min(pa - base, pb - pa);
    vecswap(a, base, pb - r, r);
    r = Math.min(pd - pc, pn - pd - 1);
    vecswap(a, pb, pn - r, r);
    r = pb - pa;
    if (r > 1 && overlaps(base, base + r - 1, lo, hi)) pqsortRange(a, base, r, cmp, lo, hi);
    r = pd - pc;
    if (r <= 1) return;
    base = pn - r;
    n = r;
    if (!overlaps(base, base + r - 1, lo, hi)) return;
  }
}

// Whether positions s..e meet lo..hi (pqsort's address-range test).
function overlaps(s: number, e: number, lo: number, hi: number): boolean {
  return !((lo < s && hi < s) || (lo > e && hi > e));
}
