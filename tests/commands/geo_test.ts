// The geo family through the dispatcher: GEOADD as the ZADD it propagates, positions, distances
// and hashes to Redis's printed digits, every search form and option with its errors, the
// STORE forms (events, deletion on an empty result, listpack results) and RESP3 coordinates.
// Expected values were taken from a real redis-server 7.0.15 (tests/differential/geo.redis
// compares many more replies byte for byte).

import assert from "node:assert/strict";
import { Harness, withHarness } from "../helpers/harness.ts";

const WRONGTYPE = { error: "WRONGTYPE Operation against a key holding the wrong kind of value" };
const SYNTAX = { error: "ERR syntax error" };

function props(h: Harness): string[][] {
  return h.propagated().filter((c) => c[0] !== "SELECT");
}

function recordEvents(h: Harness): string[] {
  const events: string[] = [];
  h.server.keyspace.hooks.notify = (type, event, key) => {
    if (type !== "m") events.push(`${type} ${event} ${key}`);
  };
  return events;
}

function sicily(h: Harness): void {
  h.run("GEOADD", "Sicily", 13.361389, 38.115556, "Palermo", 15.087269, 37.502669, "Catania");
  h.propagated();
}

Deno.test("GEOADD stores geohash scores and propagates as the ZADD it ran", () =>
  withHarness((h) => {
    const events = recordEvents(h);
    assert.equal(h.run("GEOADD", "g", 13.361389, 38.115556, "Palermo"), 1);
    assert.equal(h.run("ZSCORE", "g", "Palermo"), "3479099956230698");
    assert.equal(h.run("GEOADD", "g", "CH", "XX", 13, 38, "Palermo", 1, 1, "x"), 1);
    assert.equal(h.run("GEOADD", "g", "NX", 13, 38, "Palermo"), 0);
    assert.deepEqual(props(h), [
      ["zadd", "g", "3479099956230698", "Palermo"],
      ["zadd", "g", "CH", "XX", "3479065152021743", "Palermo", "3377822707026402", "x"],
    ]);
    assert.deepEqual(events, ["z zadd g", "z zadd g"]);
    // The top edge's score is beyond 2^53: the propagated text is the exact integer.
    h.run("GEOADD", "edge", 180, 85.05112878, "ne");
    assert.deepEqual(props(h), [["zadd", "edge", "13510798882111488", "ne"]]);
  }));

Deno.test("GEOADD errors: syntax, floats, and the coordinate range with %f numbers", () =>
  withHarness((h) => {
    assert.deepEqual(h.run("GEOADD", "g", "NX", "XX", 1, 1, "a"), SYNTAX);
    assert.deepEqual(h.run("GEOADD", "g", 1, 1, "a", 2), SYNTAX);
    assert.deepEqual(h.run("GEOADD", "g", "abc", 1, "a"), {
      error: "ERR value is not a valid float",
    });
    assert.deepEqual(h.run("GEOADD", "g", 200, 1, "a"), {
      error: "ERR invalid longitude,latitude pair 200.000000,1.000000",
    });
    assert.deepEqual(h.run("GEOADD", "g", 1, 1, "a", 1, -85.06, "b"), {
      error: "ERR invalid longitude,latitude pair 1.000000,-85.060000",
    });
    assert.equal(h.run("EXISTS", "g"), 0);
    h.run("SET", "s", "v");
    assert.deepEqual(h.run("GEOADD", "s", 1, 1, "a"), WRONGTYPE);
    assert.deepEqual(props(h), [["SET", "s", "v"]]);
  }));

Deno.test("GEOPOS, GEODIST and GEOHASH print Redis's digits", () =>
  withHarness((h) => {
    sicily(h);
    assert.deepEqual(h.run("GEOPOS", "Sicily", "Palermo", "nosuch"), [
      ["13.36138933897018433", "38.11555639549629859"],
      null,
    ]);
    assert.equal(h.raw(["GEOPOS", "Sicily", "nosuch"]), "*1\r\n*-1\r\n");
    assert.equal(h.run("GEODIST", "Sicily", "Palermo", "Catania"), "166274.1516");
    assert.equal(h.run("GEODIST", "Sicily", "Palermo", "Catania", "KM"), "166.2742");
    assert.equal(h.run("GEODIST", "Sicily", "Palermo", "Catania", "mi"), "103.3182");
    assert.equal(h.run("GEODIST", "Sicily", "Palermo", "Catania", "ft"), "545518.8700");
    assert.equal(h.run("GEODIST", "Sicily", "Palermo", "nosuch"), null);
    assert.equal(h.run("GEODIST", "nokey", "a", "b"), null);
    assert.deepEqual(h.run("GEODIST", "Sicily", "Palermo", "Catania", "yd"), {
      error: "ERR unsupported unit provided. please use M, KM, FT, MI",
    });
    assert.deepEqual(h.run("GEODIST", "Sicily", "a", "b", "km", "x"), SYNTAX);
    assert.deepEqual(h.run("GEOHASH", "Sicily", "Palermo", "Catania", "x"), [
      "sqc8b49rny0",
      "sqdtr74hyu0",
      null,
    ]);
    h.run("SET", "s", "v");
    assert.deepEqual(h.run("GEOPOS", "s", "a"), WRONGTYPE);
    assert.deepEqual(h.run("GEOHASH", "s", "a"), WRONGTYPE);
    assert.deepEqual(h.run("GEODIST", "s", "a", "b"), WRONGTYPE);
  }));

Deno.test("GEORADIUS options: distances, hashes, coordinates, order and COUNT", () =>
  withHarness((h) => {
    sicily(h);
    assert.deepEqual(h.run("GEORADIUS", "Sicily", 15, 37, 200, "km", "WITHDIST", "ASC"), [
      ["Catania", "56.4413"],
      ["Palermo", "190.4424"],
    ]);
    assert.deepEqual(h.run("GEORADIUS", "Sicily", 15, 37, 200, "km", "COUNT", 1, "WITHHASH"), [
      ["Catania", 3479447370796909],
    ]);
    assert.deepEqual(
      h.run("GEORADIUS", "Sicily", 15, 37, 200, "km", "WITHCOORD", "DESC", "COUNT", 1),
      [["Palermo", ["13.36138933897018433", "38.11555639549629859"]]],
    );
    assert.deepEqual(h.run("GEORADIUS", "Sicily", 15, 37, 100, "km"), ["Catania"]);
    assert.deepEqual(h.run("GEORADIUSBYMEMBER", "Sicily", "Palermo", 200, "km", "ASC"), [
      "Palermo",
      "Catania",
    ]);
    assert.deepEqual(h.run("GEORADIUS", "nokey", 15, 37, 100, "km"), []);
  }));

Deno.test("search errors use Redis's texts and order", () =>
  withHarness((h) => {
    sicily(h);
    const e = (error: string) => ({ error });
    assert.deepEqual(
      h.run("GEORADIUS", "Sicily", 15, 37, -1, "km"),
      e("ERR radius cannot be negative"),
    );
    assert.deepEqual(h.run("GEORADIUS", "Sicily", 15, 37, "x", "km"), e("ERR need numeric radius"));
    assert.deepEqual(
      h.run("GEORADIUS", "Sicily", 15, 37, 1, "km", "COUNT", 0),
      e("ERR COUNT must be > 0"),
    );
    assert.deepEqual(
      h.run("GEORADIUS", "Sicily", 15, 37, 1, "km", "ANY"),
      e("ERR the ANY argument requires COUNT argument"),
    );
    assert.deepEqual(
      h.run("GEORADIUS", "Sicily", 15, 37, 1, "km", "WITHDIST", "STORE", "d"),
      e("ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD options"),
    );
    assert.deepEqual(h.run("GEORADIUS_RO", "Sicily", 15, 37, 1, "km", "STORE", "d"), SYNTAX);
    assert.deepEqual(
      h.run("GEORADIUSBYMEMBER", "Sicily", "x", 1, "km"),
      e("ERR could not decode requested zset member"),
    );
    assert.deepEqual(
      h.run("geoSearch", "Sicily", "BYRADIUS", 1, "km", "ASC", "WITHDIST"),
      e("ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for geoSearch"),
    );
    assert.deepEqual(
      h.run("GEOSEARCH", "Sicily", "FROMLONLAT", 1, 1, "ASC", "ANY"),
      e("ERR exactly one of BYRADIUS and BYBOX can be specified for GEOSEARCH"),
    );
    assert.deepEqual(
      h.run("GEOSEARCH", "Sicily", "FROMLONLAT", 1, 1, "BYBOX", -1, 1, "km"),
      e("ERR height or width cannot be negative"),
    );
    assert.deepEqual(
      h.run("GEOSEARCH", "Sicily", "FROMLONLAT", 1, 1, "BYBOX", "w", 1, "km"),
      e("ERR need numeric width"),
    );
    assert.deepEqual(
      h.run("GEOSEARCH", "Sicily", "FROMLONLAT", 1, 1, "BYBOX", 1, "h", "km"),
      e("ERR need numeric height"),
    );
    assert.deepEqual(
      h.run("GEOSEARCH", "Sicily", "FROMLONLAT", 1, 1, "BYRADIUS", 1, "km", "STORE", "d"),
      SYNTAX,
    );
    assert.deepEqual(
      h.run("GEOSEARCHSTORE", "d", "Sicily", "FROMLONLAT", 1, 1, "BYRADIUS", 1, "km", "WITHHASH"),
      e("ERR GEOSEARCHSTORE is not compatible with WITHDIST, WITHHASH and WITHCOORD options"),
    );
    // The source's type is checked before anything else.
    h.run("SET", "s", "v");
    assert.deepEqual(h.run("GEORADIUS", "s", "x", 37, 1, "km"), WRONGTYPE);
    // Without a source, GEORADIUSBYMEMBER does not even parse the radius.
    assert.deepEqual(h.run("GEORADIUSBYMEMBER", "nokey", "m", "x", "km"), []);
  }));

Deno.test("GEOSEARCH by radius and by box, from a member or coordinates", () =>
  withHarness((h) => {
    sicily(h);
    assert.deepEqual(
      h.run("GEOSEARCH", "Sicily", "FROMMEMBER", "Palermo", "BYRADIUS", 200, "km", "ASC"),
      ["Palermo", "Catania"],
    );
    assert.deepEqual(
      h.run(
        "GEOSEARCH",
        "Sicily",
        "FROMLONLAT",
        15,
        37,
        "BYBOX",
        400,
        400,
        "km",
        "ASC",
        "WITHDIST",
      ),
      [["Catania", "56.4413"], ["Palermo", "190.4424"]],
    );
    assert.deepEqual(
      h.run("GEOSEARCH", "Sicily", "FROMLONLAT", 15, 37, "BYBOX", 100, 120, "km"),
      ["Catania"],
    );
    // Catania is 55.8 km north of the centre: outside a 100 km high box.
    assert.deepEqual(
      h.run("GEOSEARCH", "Sicily", "FROMLONLAT", 15, 37, "BYBOX", 100, 100, "km"),
      [],
    );
  }));

Deno.test("the STORE forms store scores or distances and delete on an empty result", () =>
  withHarness((h) => {
    sicily(h);
    const events = recordEvents(h);
    assert.equal(h.run("GEORADIUS", "Sicily", 15, 37, 200, "km", "STORE", "d"), 2);
    assert.deepEqual(h.run("ZRANGE", "d", 0, -1, "WITHSCORES"), [
      "Palermo",
      "3479099956230698",
      "Catania",
      "3479447370796909",
    ]);
    assert.equal(h.run("OBJECT", "ENCODING", "d"), "listpack");
    assert.equal(
      h.run(
        "GEOSEARCHSTORE",
        "d",
        "Sicily",
        "FROMLONLAT",
        15,
        37,
        "BYRADIUS",
        200,
        "km",
        "STOREDIST",
      ),
      2,
    );
    assert.deepEqual(h.run("ZRANGE", "d", 0, -1, "WITHSCORES"), [
      "Catania",
      "56.441257870158204",
      "Palermo",
      "190.44242984775784",
    ]);
    assert.equal(h.run("GEORADIUS", "Sicily", 15, 37, 1, "km", "STOREDIST", "d"), 0);
    assert.equal(h.run("EXISTS", "d"), 0);
    assert.equal(h.run("GEOSEARCHSTORE", "d", "nokey", "FROMLONLAT", 1, 1, "BYRADIUS", 1, "km"), 0);
    assert.deepEqual(events, ["z georadiusstore d", "z geosearchstore d", "g del d"]);
    assert.deepEqual(props(h), [
      ["GEORADIUS", "Sicily", "15", "37", "200", "km", "STORE", "d"],
      [
        "GEOSEARCHSTORE",
        "d",
        "Sicily",
        "FROMLONLAT",
        "15",
        "37",
        "BYRADIUS",
        "200",
        "km",
        "STOREDIST",
      ],
      ["GEORADIUS", "Sicily", "15", "37", "1", "km", "STOREDIST", "d"],
    ]);
  }));

Deno.test("RESP3: coordinates are doubles with Redis's long-double text", () =>
  withHarness((h) => {
    sicily(h);
    h.run("HELLO", 3);
    assert.equal(
      h.raw(["GEOPOS", "Sicily", "Palermo", "x"]),
      "*2\r\n*2\r\n,13.36138933897018433\r\n,38.11555639549629859\r\n_\r\n",
    );
    assert.equal(
      h.raw(["GEOSEARCH", "Sicily", "FROMMEMBER", "Catania", "BYRADIUS", 1, "km", "WITHDIST"]),
      "*1\r\n*2\r\n$7\r\nCatania\r\n$6\r\n0.0000\r\n",
    );
    assert.equal(h.raw(["GEODIST", "Sicily", "Palermo", "Catania"]), "$11\r\n166274.1516\r\n");
  }));
