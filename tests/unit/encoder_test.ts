// ReplyWriter (src/resp/encoder.ts): the exact RESP2 and RESP3 bytes for every Reply type, as
// Redis 7.0's networking.c writes them (addReplyDouble, addReplyNull, addReplyMapLen ...), plus
// buffer management and encodeCommand.

import assert from "node:assert/strict";
import { ReplyError } from "../../src/errors.ts";
import { encodeCommand, ReplyWriter } from "../../src/resp/encoder.ts";
import {
  BigNumber,
  Multi,
  NO_REPLY,
  NULL_ARRAY,
  OK,
  PONG,
  Push,
  QUEUED,
  type Reply,
  RespBool,
  RespDouble,
  RespMap,
  RespSet,
  SimpleString,
  Verbatim,
} from "../../src/resp/types.ts";
import { bytesToStr } from "../../src/util/bytes.ts";

function enc(r: Reply, resp: 2 | 3): string {
  const w = new ReplyWriter(64);
  w.resp = resp;
  w.write(r);
  return bytesToStr(w.bytes());
}

// [name, reply, RESP2 bytes, RESP3 bytes]
const CASES: [string, Reply, string, string][] = [
  ["bulk string", "hello", "$5\r\nhello\r\n", "$5\r\nhello\r\n"],
  ["empty bulk string", "", "$0\r\n\r\n", "$0\r\n\r\n"],
  ["bulk with CRLF and NUL", "a\r\n\0b", "$5\r\na\r\n\0b\r\n", "$5\r\na\r\n\0b\r\n"],
  ["bulk with high bytes", "\xff\x80\x9f", "$3\r\n\xff\x80\x9f\r\n", "$3\r\n\xff\x80\x9f\r\n"],
  [
    "long bulk with high bytes",
    "\xe9".repeat(40),
    `$40\r\n${"\xe9".repeat(40)}\r\n`,
    `$40\r\n${"\xe9".repeat(40)}\r\n`,
  ],
  ["integer", 42, ":42\r\n", ":42\r\n"],
  ["zero", 0, ":0\r\n", ":0\r\n"],
  ["negative integer", -7, ":-7\r\n", ":-7\r\n"],
  ["large safe integer", 9007199254740991, ":9007199254740991\r\n", ":9007199254740991\r\n"],
  [
    "bigint max int64",
    9223372036854775807n,
    ":9223372036854775807\r\n",
    ":9223372036854775807\r\n",
  ],
  [
    "bigint min int64",
    -9223372036854775808n,
    ":-9223372036854775808\r\n",
    ":-9223372036854775808\r\n",
  ],
  ["null", null, "$-1\r\n", "_\r\n"],
  ["null array", NULL_ARRAY, "*-1\r\n", "_\r\n"],
  ["simple string", new SimpleString("OK"), "+OK\r\n", "+OK\r\n"],
  ["shared OK", OK, "+OK\r\n", "+OK\r\n"],
  ["shared PONG", PONG, "+PONG\r\n", "+PONG\r\n"],
  ["shared QUEUED", QUEUED, "+QUEUED\r\n", "+QUEUED\r\n"],
  ["empty simple string", new SimpleString(""), "+\r\n", "+\r\n"],
  [
    "error",
    new ReplyError("ERR syntax error"),
    "-ERR syntax error\r\n",
    "-ERR syntax error\r\n",
  ],
  [
    "wrongtype error",
    new ReplyError("WRONGTYPE Operation against a key holding the wrong kind of value"),
    "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
  ],
  ["empty array", [], "*0\r\n", "*0\r\n"],
  [
    "array of mixed",
    ["a", 1, null, new SimpleString("x")],
    "*4\r\n$1\r\na\r\n:1\r\n$-1\r\n+x\r\n",
    "*4\r\n$1\r\na\r\n:1\r\n_\r\n+x\r\n",
  ],
  [
    "nested arrays",
    [["a", ["b"]], []],
    "*2\r\n*2\r\n$1\r\na\r\n*1\r\n$1\r\nb\r\n*0\r\n",
    "*2\r\n*2\r\n$1\r\na\r\n*1\r\n$1\r\nb\r\n*0\r\n",
  ],
  [
    "array holding an error (EXEC)",
    [OK, new ReplyError("ERR value is not an integer or out of range")],
    "*2\r\n+OK\r\n-ERR value is not an integer or out of range\r\n",
    "*2\r\n+OK\r\n-ERR value is not an integer or out of range\r\n",
  ],
  [
    "map",
    new RespMap(["proto", 3, "id", 7]),
    "*4\r\n$5\r\nproto\r\n:3\r\n$2\r\nid\r\n:7\r\n",
    "%2\r\n$5\r\nproto\r\n:3\r\n$2\r\nid\r\n:7\r\n",
  ],
  ["empty map", new RespMap([]), "*0\r\n", "%0\r\n"],
  [
    "map holding a map",
    new RespMap(["m", new RespMap(["a", "b"])]),
    "*2\r\n$1\r\nm\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n",
    "%1\r\n$1\r\nm\r\n%1\r\n$1\r\na\r\n$1\r\nb\r\n",
  ],
  ["set", new RespSet(["a", "b"]), "*2\r\n$1\r\na\r\n$1\r\nb\r\n", "~2\r\n$1\r\na\r\n$1\r\nb\r\n"],
  ["empty set", new RespSet([]), "*0\r\n", "~0\r\n"],
  ["double", new RespDouble(1.5), "$3\r\n1.5\r\n", ",1.5\r\n"],
  ["integral double", new RespDouble(3), "$1\r\n3\r\n", ",3\r\n"],
  [
    "double needing 17 digits",
    new RespDouble(0.1),
    "$19\r\n0.10000000000000001\r\n",
    ",0.10000000000000001\r\n",
  ],
  ["double inf", new RespDouble(Infinity), "$3\r\ninf\r\n", ",inf\r\n"],
  ["double -inf", new RespDouble(-Infinity), "$4\r\n-inf\r\n", ",-inf\r\n"],
  ["double exponent", new RespDouble(1e20), "$5\r\n1e+20\r\n", ",1e+20\r\n"],
  ["negative double", new RespDouble(-2.25), "$5\r\n-2.25\r\n", ",-2.25\r\n"],
  ["boolean true", new RespBool(true), ":1\r\n", "#t\r\n"],
  ["boolean false", new RespBool(false), ":0\r\n", "#f\r\n"],
  [
    "verbatim",
    new Verbatim("txt", "hello\r\nworld"),
    "$12\r\nhello\r\nworld\r\n",
    "=16\r\ntxt:hello\r\nworld\r\n",
  ],
  ["empty verbatim", new Verbatim("txt", ""), "$0\r\n\r\n", "=4\r\ntxt:\r\n"],
  [
    "big number",
    new BigNumber("3492890328409238509324850943850943825024385"),
    "$43\r\n3492890328409238509324850943850943825024385\r\n",
    "(3492890328409238509324850943850943825024385\r\n",
  ],
  [
    "push",
    new Push(["message", "ch", "hi"]),
    "*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n",
    ">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n",
  ],
  [
    "multi (replies back to back)",
    new Multi([OK, 1, "x"]),
    "+OK\r\n:1\r\n$1\r\nx\r\n",
    "+OK\r\n:1\r\n$1\r\nx\r\n",
  ],
  ["empty multi", new Multi([]), "", ""],
  ["no reply", NO_REPLY, "", ""],
  [
    "null inside map and set",
    [new RespMap(["k", null]), new RespSet([null])],
    "*2\r\n*2\r\n$1\r\nk\r\n$-1\r\n*1\r\n$-1\r\n",
    "*2\r\n%1\r\n$1\r\nk\r\n_\r\n~1\r\n_\r\n",
  ],
];

for (const [name, reply, resp2, resp3] of CASES) {
  Deno.test(`encoder: ${name} in RESP2 and RESP3`, () => {
    assert.equal(enc(reply, 2), resp2, "RESP2");
    assert.equal(enc(reply, 3), resp3, "RESP3");
  });
}

Deno.test("encoder: the default protocol is RESP2", () => {
  const w = new ReplyWriter();
  assert.equal(w.resp, 2);
  w.write(null);
  assert.equal(bytesToStr(w.bytes()), "$-1\r\n");
});

Deno.test("encoder: many replies accumulate in order and grow a small buffer", () => {
  const w = new ReplyWriter(16);
  let want = "";
  for (let i = 0; i < 1000; i++) {
    w.write(i);
    w.write(`v${i}`);
    want += `:${i}\r\n$${String(i).length + 1}\r\nv${i}\r\n`;
  }
  assert.equal(w.length, want.length);
  assert.equal(bytesToStr(w.bytes()), want);
});

Deno.test("encoder: a reply bigger than the buffer is written whole", () => {
  const big = "x".repeat(3 * 1024 * 1024);
  const w = new ReplyWriter(16);
  w.write(big);
  const out = bytesToStr(w.bytes());
  assert.equal(out, `$${big.length}\r\n${big}\r\n`);
  w.reset();
  assert.equal(w.length, 0);
  w.write(OK);
  assert.equal(bytesToStr(w.bytes()), "+OK\r\n");
});

Deno.test("encoder: consume drops written bytes from the front (partial writes)", () => {
  const w = new ReplyWriter();
  w.write(OK);
  w.write("abc");
  w.consume(3);
  assert.equal(bytesToStr(w.bytes()), "\r\n$3\r\nabc\r\n");
  w.consume(100);
  assert.equal(w.length, 0);
});

Deno.test("encoder: bulk(), error(), raw() and rawStr() append directly", () => {
  const w = new ReplyWriter();
  w.bulk("a\r\nb");
  w.error("ERR boom");
  w.raw(new Uint8Array([43, 79, 75, 13, 10]));
  w.rawStr(":5\r\n");
  assert.equal(bytesToStr(w.bytes()), "$4\r\na\r\nb\r\n-ERR boom\r\n+OK\r\n:5\r\n");
});

Deno.test("encoder: every byte value round-trips in a bulk", () => {
  let all = "";
  for (let i = 0; i < 256; i++) all += String.fromCharCode(i);
  assert.equal(enc(all, 2), `$256\r\n${all}\r\n`);
});

Deno.test("encoder: an unknown value is a TypeError, not garbage on the wire", () => {
  const w = new ReplyWriter();
  assert.throws(() => w.write({} as unknown as Reply), TypeError);
  assert.throws(() => w.write(undefined as unknown as Reply), TypeError);
});

Deno.test("encodeCommand writes a RESP array of bulk strings", () => {
  assert.equal(encodeCommand(["SET", "k", "v"]), "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n");
  assert.equal(encodeCommand([]), "*0\r\n");
  assert.equal(encodeCommand(["ECHO", ""]), "*2\r\n$4\r\nECHO\r\n$0\r\n\r\n");
  assert.equal(encodeCommand(["a\r\n\xff"]), "*1\r\n$4\r\na\r\n\xff\r\n");
});
