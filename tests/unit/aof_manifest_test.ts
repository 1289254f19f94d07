// The AOF manifest: parsing with Redis 7.0's checks and error texts, formatting byte for byte
// as getAofManifestAsString, and the naming and history rules of a rewrite.

import assert from "node:assert/strict";
import {
  copyManifest,
  emptyManifest,
  formatManifest,
  ManifestError,
  manifestName,
  markIncrAsHistory,
  newBaseName,
  newIncrName,
  parseManifest,
  tempIncrName,
  tempManifestName,
} from "../../src/persistence/aof_manifest.ts";

function parseError(text: string): ManifestError {
  try {
    parseManifest(text);
  } catch (err) {
    assert.ok(err instanceof ManifestError);
    return err;
  }
  throw new Error("no error");
}

Deno.test("a manifest as Redis writes it parses and formats back to the same bytes", () => {
  const text = "file appendonly.aof.2.base.rdb seq 2 type b\n" +
    "file appendonly.aof.1.incr.aof seq 1 type h\n" +
    "file appendonly.aof.2.incr.aof seq 2 type i\n" +
    "file appendonly.aof.3.incr.aof seq 3 type i\n";
  const m = parseManifest(text);
  assert.deepEqual(m.base, { name: "appendonly.aof.2.base.rdb", seq: 2, type: "b" });
  assert.deepEqual(m.history.map((h) => h.name), ["appendonly.aof.1.incr.aof"]);
  assert.deepEqual(m.incr.map((i) => i.seq), [2, 3]);
  assert.equal(m.baseSeq, 2);
  assert.equal(m.incrSeq, 3);
  assert.equal(formatManifest(m), text);
});

Deno.test("manifest keys are case-insensitive, comments are skipped, extra pairs are ignored", () => {
  const m = parseManifest(
    "# a comment\nFILE a.1.base.aof SEQ 1 TYPE b future x\n  file b.1.incr.aof seq 1 type i  \n",
  );
  assert.equal(m.base?.name, "a.1.base.aof");
  assert.equal(m.incr[0].name, "b.1.incr.aof");
});

Deno.test("file names with spaces or quotes are written quoted and read back", () => {
  const m = emptyManifest();
  m.base = { name: 'my "aof".1.base.rdb', seq: 1, type: "b" };
  m.incr.push({ name: "x y.1.incr.aof", seq: 1, type: "i" });
  const text = formatManifest(m);
  assert.equal(
    text,
    'file "my \\"aof\\".1.base.rdb" seq 1 type b\nfile "x y.1.incr.aof" seq 1 type i\n',
  );
  assert.deepEqual(parseManifest(text), { ...m, baseSeq: 1, incrSeq: 1 });
});

Deno.test("malformed manifests are refused with Redis's messages and the offending line", () => {
  assert.equal(parseError("").message, "Found an empty AOF manifest");
  let e = parseError("file a seq 1 type b\nfile x seq 0 type i\n");
  assert.equal(e.message, "Invalid AOF manifest file format");
  assert.equal(e.lineNo, 2);
  assert.equal(e.line, "file x seq 0 type i");
  assert.equal(parseError("\n").message, "Invalid AOF manifest file format");
  assert.equal(parseError("file a seq 1\n").message, "Invalid AOF manifest file format");
  assert.equal(parseError("file a seq 1 type\n").message, "Invalid AOF manifest file format");
  assert.equal(parseError('file "a seq 1 type b\n').message, "Invalid AOF manifest file format");
  assert.equal(
    parseError("file dir/a seq 1 type b\n").message,
    "File can't be a path, just a filename",
  );
  assert.equal(
    parseError("file a seq 1 type b\nfile b seq 2 type b\n").message,
    "Found duplicate base file information",
  );
  assert.equal(
    parseError("file a seq 2 type i\nfile b seq 2 type i\n").message,
    "Found a non-monotonic sequence number",
  );
  assert.equal(parseError("file a seq 1 type x\n").message, "Unknown AOF file type");
  // fgets needs a newline: a last line without one (or longer than 1024 bytes) is refused.
  e = parseError("file a seq 1 type b");
  assert.equal(e.message, "The AOF manifest file contains too long line");
  assert.equal(
    parseError(`file ${"a".repeat(1100)} seq 1 type b\n`).message,
    "The AOF manifest file contains too long line",
  );
});

Deno.test("a rewrite's naming: new BASE and INCR sequence numbers, covered files become history", () => {
  const m = emptyManifest();
  assert.equal(newBaseName(m, "appendonly.aof", true), "appendonly.aof.1.base.rdb");
  assert.equal(newIncrName(m, "appendonly.aof"), "appendonly.aof.1.incr.aof");
  // BGREWRITEAOF: a new INCR file first, then the new BASE once the snapshot is written.
  assert.equal(newIncrName(m, "appendonly.aof"), "appendonly.aof.2.incr.aof");
  const done = copyManifest(m);
  assert.equal(newBaseName(done, "appendonly.aof", false), "appendonly.aof.2.base.aof");
  markIncrAsHistory(done, true);
  assert.equal(
    formatManifest(done),
    "file appendonly.aof.2.base.aof seq 2 type b\n" +
      "file appendonly.aof.1.incr.aof seq 1 type h\n" +
      "file appendonly.aof.1.base.rdb seq 1 type h\n" +
      "file appendonly.aof.2.incr.aof seq 2 type i\n",
  );
  // The copy was changed, not the original.
  assert.equal(m.base?.name, "appendonly.aof.1.base.rdb");
  // With AOF off every INCR file is covered by the new base.
  const off = copyManifest(m);
  newIncrName(off, "appendonly.aof");
  markIncrAsHistory(off, false);
  assert.deepEqual(off.incr, []);
  assert.deepEqual(off.history.map((h) => h.seq), [1, 2, 3]);
});

Deno.test("manifest and temp file names", () => {
  assert.equal(manifestName("appendonly.aof"), "appendonly.aof.manifest");
  assert.equal(tempManifestName("appendonly.aof"), "temp-appendonly.aof.manifest");
  assert.equal(tempIncrName("appendonly.aof"), "temp-appendonly.aof.incr");
});
