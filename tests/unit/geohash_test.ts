// Redis's geo math (src/util/geohash.ts): scores, decoded cell centres, GEOHASH strings and
// distances pinned to what a real redis-server 7.0.15 replies; the printf formats against
// glibc's rounding; pqsort against Redis 7.0's pqsort.c compiled from source.

import assert from "node:assert/strict";
import {
  boxScores,
  decoded,
  decodeScore,
  encodeWGS84,
  formatFixed,
  formatHumanLongDouble,
  geoDistance,
  geohashString,
  hashDecimal,
  pqsort,
  searchAreas,
} from "../../src/util/geohash.ts";

function lonLat(score: number): [string, string] {
  decodeScore(score);
  return [formatHumanLongDouble(decoded.lon), formatHumanLongDouble(decoded.lat)];
}

Deno.test("GEOADD scores are Redis's 52-bit interleaved geohashes", () => {
  assert.equal(hashDecimal(encodeWGS84(13.361389, 38.115556)!), "3479099956230698");
  assert.equal(hashDecimal(encodeWGS84(15.087269, 37.502669)!), "3479447370796909");
  assert.equal(hashDecimal(encodeWGS84(-180, -85.05112878)!), "0");
  // The top edge carries an extra bit (2^26 does not fit 26 bits): beyond 2^53, exactly.
  assert.equal(hashDecimal(encodeWGS84(180, 85.05112878)!), "13510798882111488");
  assert.equal(encodeWGS84(180.0001, 0), null);
  assert.equal(encodeWGS84(0, 85.06), null);
});

Deno.test("scores decode to the cell centre, clamped like Redis 7.0", () => {
  assert.deepEqual(lonLat(3479099956230698), ["13.36138933897018433", "38.11555639549629859"]);
  assert.deepEqual(lonLat(13510798882111488), ["180", "85.0511287799999991"]);
  assert.deepEqual(lonLat(9007199254740992), ["180", "-85.05112751263942528"]);
  assert.deepEqual(lonLat(4503599627370495), ["179.99999731779098511", "85.05112751263942528"]);
  // Negative scores wrap as a uint64 conversion does; huge ones saturate.
  assert.deepEqual(lonLat(-1), ["180", "85.0511287799999991"]);
  assert.deepEqual(lonLat(1e19), ["180", "85.0511287799999991"]);
});

Deno.test("GEOHASH strings re-encode over the standard latitude range", () => {
  assert.equal(geohashString(3479099956230698), "sqc8b49rny0");
  assert.equal(geohashString(3479447370796909), "sqdtr74hyu0");
  assert.equal(geohashString(13510798882111488), "bp05b5048p0");
  assert.equal(geohashString(0), "00bh0hbj200");
  assert.equal(geohashString(4503599627370495), "zzpgzgpfxz0");
});

Deno.test("distances are the haversine on Redis's earth radius", () => {
  decodeScore(3479099956230698);
  const [lon1, lat1] = [decoded.lon, decoded.lat];
  decodeScore(3479447370796909);
  const d = geoDistance(lon1, lat1, decoded.lon, decoded.lat);
  assert.equal(formatFixed(d, 4), "166274.1516");
  assert.equal(formatFixed(d / 1000, 4), "166.2742");
  assert.equal(formatFixed(d / 1609.34, 4), "103.3182");
  assert.equal(formatFixed(geoDistance(1, 1, 1, 1), 4), "0.0000");
});

Deno.test("formatFixed matches glibc's %.Nf, ties to even", () => {
  assert.equal(formatFixed(200, 6), "200.000000");
  assert.equal(formatFixed(-1e300, 6).slice(0, 8), "-1000000");
  assert.equal(formatFixed(1e21, 2), "1000000000000000000000.00");
  assert.equal(formatFixed(Infinity, 6), "inf");
  assert.equal(formatFixed(-Infinity, 6), "-inf");
  assert.equal(formatFixed(-0, 4), "-0.0000");
  // Exact binary ties: 0.03125 = 1/32 and 0.09375 = 3/32 at 4 decimals.
  assert.equal(formatFixed(0.03125, 4), "0.0312");
  assert.equal(formatFixed(0.09375, 4), "0.0938");
  assert.equal(formatFixed(2.5, 0), "2");
  assert.equal(formatFixed(3.5, 0), "4");
  assert.equal(formatFixed(-0.5, 0), "-0");
  assert.equal(formatFixed(0.1, 4), "0.1000");
});

Deno.test("human long doubles trim zeros and print -0 as 0", () => {
  assert.equal(formatHumanLongDouble(180), "180");
  assert.equal(formatHumanLongDouble(-0), "0");
  assert.equal(formatHumanLongDouble(1.5), "1.5");
  assert.equal(formatHumanLongDouble(-12.25), "-12.25");
  assert.equal(formatHumanLongDouble(0.1), "0.10000000000000001");
});

Deno.test("pqsort orders ties as Redis 7.0's pqsort.c does", () => {
  const names = "k a b c d e f g h i j l".split(" ");
  const dists = [109.7, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 109.5, 218.8, 111.2];
  const cmp = (x: [string, number], y: [string, number]) =>
    x[1] > y[1] ? 1 : x[1] === y[1] ? 0 : -1;
  const run = (n: number) => {
    const a = names.map((m, i) => [m, dists[i]] as [string, number]);
    pqsort(a, cmp, 0, n - 1);
    return a.map((p) => p[0]).join(" ");
  };
  // Expected orders from pqsort.c (Redis 7.0) built with gcc.
  assert.equal(run(3), "h a b c d e f g i k j l");
  assert.equal(run(11), "h a b c d e f g i k l j");
});

Deno.test("pqsort sorts the requested prefix of a large array", () => {
  let s = 12345;
  const a: number[] = [];
  for (let i = 0; i < 500; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    a.push(s % 97);
  }
  const want = [...a].sort((x, y) => x - y);
  pqsort(a, (x, y) => (x > y ? 1 : x === y ? 0 : -1), 0, 49);
  assert.deepEqual(a.slice(0, 50), want.slice(0, 50));
});

Deno.test("search areas: the centre cell first, box ranges at the cell's precision", () => {
  const areas = searchAreas({
    circle: true,
    lon: 15.087269,
    lat: 37.502669,
    radius: 200,
    width: 0,
    height: 0,
    conversion: 1000,
  });
  assert.equal(areas.length, 9);
  const centre = areas[0]!;
  const [min, max] = boxScores(centre);
  assert.ok(min < 3479447370796909 && 3479447370796909 < max);
  assert.equal(max - min, 2 ** (52 - 2 * centre.step));
});
