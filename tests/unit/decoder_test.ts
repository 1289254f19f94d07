// RequestDecoder (src/resp/decoder.ts): frames split at every byte boundary, big pipelines in
// one push, binary bulks, inline commands, and every protocol error text and limit of Redis
// 7.0's processMultibulkBuffer / processInlineBuffer.

import assert from "node:assert/strict";
import { ProtocolError } from "../../src/errors.ts";
import {
  type DecoderOptions,
  INLINE_MAX,
  QueryBufferLimitError,
  RequestDecoder,
} from "../../src/resp/decoder.ts";
import { encodeCommand } from "../../src/resp/encoder.ts";
import { strToBytes } from "../../src/util/bytes.ts";

const DEFAULTS: DecoderOptions = {
  maxBulkLen: 512 * 1024 * 1024,
  queryBufferLimit: 1024 * 1024 * 1024,
};

function decoder(opts: Partial<DecoderOptions> = {}): RequestDecoder {
  return new RequestDecoder({ ...DEFAULTS, ...opts });
}

// Pushes each chunk and drains every complete command after each push.
function decodeChunks(chunks: string[], d = decoder()): string[][] {
  const out: string[][] = [];
  for (const c of chunks) {
    d.push(strToBytes(c));
    for (let argv = d.next(); argv !== null; argv = d.next()) out.push(argv);
  }
  return out;
}

function decodeAll(s: string, d = decoder()): string[][] {
  return decodeChunks([s], d);
}

// The protocol error `input` raises (after draining the commands before it).
function protocolError(input: string, d = decoder()): string {
  d.push(strToBytes(input));
  try {
    while (d.next() !== null) {
      // commands before the bad one are fine
    }
  } catch (err) {
    assert.ok(err instanceof ProtocolError, `not a ProtocolError: ${err}`);
    return err.message;
  }
  assert.fail(`no protocol error for ${JSON.stringify(input.slice(0, 80))}`);
}

const ALL_BYTES = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join("");

const FRAMES: { name: string; wire: string; argv: string[][] }[] = [
  {
    name: "multibulk",
    wire: encodeCommand(["SET", "key", "value"]),
    argv: [["SET", "key", "value"]],
  },
  {
    name: "binary bulk with CRLF and NUL",
    wire: encodeCommand(["SET", "k\r\n", "a\r\nb\0c\r\n"]),
    argv: [["SET", "k\r\n", "a\r\nb\0c\r\n"]],
  },
  { name: "empty bulk", wire: encodeCommand(["ECHO", ""]), argv: [["ECHO", ""]] },
  {
    name: "all 256 byte values",
    wire: encodeCommand(["ECHO", ALL_BYTES]),
    argv: [["ECHO", ALL_BYTES]],
  },
  { name: "inline CRLF", wire: "SET k \"a b\" 'c d'\r\n", argv: [["SET", "k", "a b", "c d"]] },
  { name: "inline LF only", wire: "PING\n", argv: [["PING"]] },
  { name: "empty multibulk then command", wire: "*0\r\n*1\r\n$4\r\nPING\r\n", argv: [["PING"]] },
  { name: "empty inline lines", wire: "\r\n\n  \r\nPING\r\n", argv: [["PING"]] },
  {
    name: "mixed pipeline",
    wire: "PING\r\n" + encodeCommand(["GET", "x"]) + 'ECHO "\\x41"\n' +
      encodeCommand(["DEL", "a", "b"]),
    argv: [["PING"], ["GET", "x"], ["ECHO", "A"], ["DEL", "a", "b"]],
  },
  {
    name: "ten-digit bulk payload",
    wire: encodeCommand(["ECHO", "x".repeat(1234)]),
    argv: [["ECHO", "x".repeat(1234)]],
  },
];

for (const f of FRAMES) {
  Deno.test(`decoder: ${f.name} decodes identically when split at every byte boundary`, () => {
    assert.deepEqual(decodeAll(f.wire), f.argv);
    for (let i = 0; i <= f.wire.length; i++) {
      const got = decodeChunks([f.wire.slice(0, i), f.wire.slice(i)]);
      assert.deepEqual(got, f.argv, `split at ${i}`);
    }
  });
}

Deno.test("decoder: frames split at every pair of boundaries decode identically", () => {
  const wire = encodeCommand(["SET", "k\r\n", "v"]) + "PING x\r\n";
  const want = [["SET", "k\r\n", "v"], ["PING", "x"]];
  for (let i = 0; i <= wire.length; i++) {
    for (let j = i; j <= wire.length; j++) {
      const got = decodeChunks([wire.slice(0, i), wire.slice(i, j), wire.slice(j)]);
      assert.deepEqual(got, want, `split at ${i} and ${j}`);
    }
  }
});

Deno.test("decoder: one byte at a time", () => {
  const wire = FRAMES.map((f) => f.wire).join("");
  const want = FRAMES.flatMap((f) => f.argv);
  assert.deepEqual(decodeChunks([...wire]), want);
});

Deno.test("decoder: a pipeline of 10000 commands in one push", () => {
  let wire = "";
  const want: string[][] = [];
  for (let i = 0; i < 10000; i++) {
    const argv = i % 3 === 0 ? ["SET", `key:${i}`, "v".repeat(i % 50)] : ["INCR", `counter:${i}`];
    want.push(argv);
    wire += encodeCommand(argv);
  }
  assert.deepEqual(decodeAll(wire), want);
});

Deno.test("decoder: 5000 inline commands in one push", () => {
  const wire = "PING\r\n".repeat(5000);
  const got = decodeAll(wire);
  assert.equal(got.length, 5000);
  assert.ok(got.every((a) => a.length === 1 && a[0] === "PING"));
});

Deno.test("decoder: large bulks arriving in small chunks grow the buffer", () => {
  const big = "a".repeat(300_000) + "\r\n" + "b".repeat(100_000);
  const wire = encodeCommand(["SET", "k", big]) + encodeCommand(["GET", "k"]);
  const chunks: string[] = [];
  for (let i = 0; i < wire.length; i += 4093) chunks.push(wire.slice(i, i + 4093));
  assert.deepEqual(decodeChunks(chunks), [["SET", "k", big], ["GET", "k"]]);
});

Deno.test("decoder: reading through space()/commit() like the server does", () => {
  const d = decoder();
  const wire = strToBytes(encodeCommand(["SET", "k", "x".repeat(50_000)]) + "PING\r\n");
  const out: string[][] = [];
  let off = 0;
  while (off < wire.length) {
    const sp = d.space();
    assert.ok(sp.length > 0);
    const n = Math.min(sp.length, 1000, wire.length - off);
    sp.set(wire.subarray(off, off + n));
    d.commit(n);
    off += n;
    for (let a = d.next(); a !== null; a = d.next()) out.push(a);
  }
  assert.deepEqual(out, [["SET", "k", "x".repeat(50_000)], ["PING"]]);
  assert.equal(d.buffered, 0);
});

Deno.test("decoder: buffered counts bytes not yet consumed", () => {
  const d = decoder();
  d.push(strToBytes("*2\r\n$4\r\nECHO\r\n$5\r\nhel"));
  assert.equal(d.next(), null);
  assert.ok(d.buffered > 0);
  d.push(strToBytes("lo\r\n"));
  assert.deepEqual(d.next(), ["ECHO", "hello"]);
  assert.equal(d.buffered, 0);
});

Deno.test("decoder: the two bytes after a bulk payload are skipped unchecked, as Redis does", () => {
  assert.deepEqual(decodeAll("*1\r\n$4\r\nPINGxx*1\r\n$4\r\nPING\r\n"), [["PING"], ["PING"]]);
});

Deno.test("decoder: negative and zero multibulk counts are empty commands", () => {
  assert.deepEqual(decodeAll("*0\r\n*-1\r\n*-10\r\nPING\r\n"), [["PING"]]);
});

Deno.test("decoder: inline quoting follows sdssplitargs", () => {
  assert.deepEqual(decodeAll('SET k "a\\x41\\n\\t\\"b"\r\n'), [["SET", "k", 'aA\n\t"b']]);
  assert.deepEqual(decodeAll("SET k 'it\\'s'\r\n"), [["SET", "k", "it's"]]);
  assert.deepEqual(decodeAll('ECHO ""\r\n'), [["ECHO", ""]]);
  assert.deepEqual(decodeAll("   SET    k   v   \r\n"), [["SET", "k", "v"]]);
  assert.deepEqual(decodeAll('ECHO abc"def"\r\n'), [["ECHO", "abcdef"]]);
  assert.deepEqual(decodeAll("ECHO a\tb\r\n"), [["ECHO", "a", "b"]]);
  assert.deepEqual(decodeAll('""\r\n'), [[""]]);
});

Deno.test("decoder: inline line ending is LF; only a CR right before it is dropped", () => {
  assert.deepEqual(decodeAll("ECHO a\rb\n"), [["ECHO", "a", "b"]]);
  assert.deepEqual(decodeAll("ECHO x\r\r\n"), [["ECHO", "x"]]);
});

// --- protocol errors (exact texts: networking.c)

Deno.test("decoder: invalid multibulk length", () => {
  for (
    const bad of [
      "*abc\r\n",
      "*1x\r\n",
      "*\r\n",
      "* 1\r\n",
      "*1 \r\n",
      "*+1\r\n",
      "*01\r\n",
      "*-0\r\n",
      "*2147483648\r\n",
      "*3000000000\r\n",
      "*9223372036854775808\r\n",
    ]
  ) {
    assert.equal(protocolError(bad), "ERR Protocol error: invalid multibulk length", bad);
  }
});

Deno.test("decoder: the largest multibulk count Redis accepts is INT_MAX", () => {
  const d = decoder();
  d.push(strToBytes("*2147483647\r\n"));
  assert.equal(d.next(), null);
});

Deno.test("decoder: invalid bulk length", () => {
  for (
    const bad of [
      "*1\r\n$abc\r\n",
      "*1\r\n$-1\r\n",
      "*1\r\n$-5\r\n",
      "*1\r\n$\r\n",
      "*1\r\n$+4\r\n",
      "*1\r\n$04\r\n",
      "*1\r\n$4 \r\n",
      "*1\r\n$536870913\r\n",
      "*1\r\n$9223372036854775808\r\n",
    ]
  ) {
    assert.equal(protocolError(bad), "ERR Protocol error: invalid bulk length", bad);
  }
});

Deno.test("decoder: bulk length limit is proto-max-bulk-len, and the master link ignores it", () => {
  const d = decoder({ maxBulkLen: 10 });
  assert.deepEqual(decodeAll(encodeCommand(["ECHO", "x".repeat(10)]), d), [[
    "ECHO",
    "x".repeat(10),
  ]]);
  assert.equal(
    protocolError(encodeCommand(["ECHO", "x".repeat(11)]), decoder({ maxBulkLen: 10 })),
    "ERR Protocol error: invalid bulk length",
  );
  const master = decoder({ maxBulkLen: 10 });
  master.trusted = true;
  assert.deepEqual(decodeAll(encodeCommand(["ECHO", "x".repeat(11)]), master), [[
    "ECHO",
    "x".repeat(11),
  ]]);
});

Deno.test("decoder: expected '$', got the offending byte", () => {
  assert.equal(protocolError("*1\r\n+x\r\n"), "ERR Protocol error: expected '$', got '+'");
  assert.equal(protocolError("*1\r\n:4\r\n"), "ERR Protocol error: expected '$', got ':'");
  assert.equal(protocolError("*1\r\nPING\r\n"), "ERR Protocol error: expected '$', got 'P'");
  assert.equal(
    protocolError("*2\r\n$4\r\nECHO\r\nhello\r\n"),
    "ERR Protocol error: expected '$', got 'h'",
  );
});

Deno.test("decoder: expected '$' is only raised once the line is complete", () => {
  const d = decoder();
  d.push(strToBytes("*1\r\n+x"));
  assert.equal(d.next(), null);
});

Deno.test("decoder: commands before a protocol error are still returned", () => {
  const d = decoder();
  d.push(strToBytes("PING\r\n*1\r\n+x\r\n"));
  assert.deepEqual(d.next(), ["PING"]);
  assert.throws(() => d.next(), ProtocolError);
});

Deno.test("decoder: unbalanced quotes in request", () => {
  for (
    const bad of ['SET k "abc\r\n', "SET k 'abc\r\n", 'SET k "a"b\r\n', "SET k 'a'b\r\n", '"\r\n']
  ) {
    assert.equal(protocolError(bad), "ERR Protocol error: unbalanced quotes in request", bad);
  }
});

Deno.test("decoder: too big inline request (more than 64KB without a newline)", () => {
  assert.equal(INLINE_MAX, 65536);
  const d = decoder();
  d.push(strToBytes("a".repeat(INLINE_MAX)));
  assert.equal(d.next(), null, "exactly 64KB still waits");
  assert.equal(
    protocolError("a".repeat(INLINE_MAX + 1)),
    "ERR Protocol error: too big inline request",
  );
  assert.equal(
    protocolError("a".repeat(70000)),
    "ERR Protocol error: too big inline request",
  );
});

Deno.test("decoder: a long inline line is fine when its newline has arrived", () => {
  const arg = "a".repeat(100_000);
  assert.deepEqual(decodeAll(`ECHO ${arg}\r\n`), [["ECHO", arg]]);
});

Deno.test("decoder: too big mbulk count string", () => {
  assert.equal(
    protocolError("*" + "1".repeat(70000)),
    "ERR Protocol error: too big mbulk count string",
  );
});

Deno.test("decoder: too big bulk count string", () => {
  assert.equal(
    protocolError("*1\r\n$" + "1".repeat(70000)),
    "ERR Protocol error: too big bulk count string",
  );
});

Deno.test("decoder: unauthenticated clients get small multibulk and bulk limits", () => {
  const d = decoder();
  d.authenticated = false;
  assert.deepEqual(decodeAll(encodeCommand(Array(10).fill("a")), d), [Array(10).fill("a")]);
  assert.deepEqual(decodeAll(encodeCommand(["AUTH", "x".repeat(16384)]), d), [[
    "AUTH",
    "x".repeat(16384),
  ]]);
  const d2 = decoder();
  d2.authenticated = false;
  assert.equal(
    protocolError("*11\r\n", d2),
    "ERR Protocol error: unauthenticated multibulk length",
  );
  const d3 = decoder();
  d3.authenticated = false;
  assert.equal(
    protocolError("*2\r\n$4\r\nAUTH\r\n$16385\r\n", d3),
    "ERR Protocol error: unauthenticated bulk length",
  );
  const d4 = decoder();
  d4.authenticated = false;
  assert.equal(
    protocolError("*1\r\n$abc\r\n", d4),
    "ERR Protocol error: invalid bulk length",
    "invalid length is checked first",
  );
});

Deno.test("decoder: exceeding client-query-buffer-limit throws QueryBufferLimitError", () => {
  const d = decoder({ queryBufferLimit: 1000 });
  d.push(strToBytes("*2\r\n$4\r\nECHO\r\n$900\r\n" + "x".repeat(900)));
  assert.throws(() => d.push(strToBytes("y".repeat(200))), QueryBufferLimitError);
});

Deno.test("decoder: the query buffer limit counts only unconsumed bytes", () => {
  const d = decoder({ queryBufferLimit: 1000 });
  const cmd = encodeCommand(["SET", "k", "v".repeat(100)]);
  for (let i = 0; i < 50; i++) {
    d.push(strToBytes(cmd));
    assert.deepEqual(d.next(), ["SET", "k", "v".repeat(100)]);
  }
});
