// Unit tests for util/glob.ts, Redis's stringmatchlen. The table below was produced by real
// redis-server 7.0.15: every string was stored as a key, then each pattern went through KEYS,
// so it pins Redis's exact semantics (unterminated classes, escapes, `[!` not negating, ranges
// compared as signed chars, the empty key only matching a lone "*").

import assert from "node:assert/strict";
import { globMatch } from "../../src/util/glob.ts";

const STRINGS = [
  "",
  "a",
  "b",
  "ab",
  "abc",
  "aXc",
  "a*c",
  "a?c",
  "a[c",
  "a]c",
  "a\\c",
  "a-c",
  "hello",
  "hallo",
  "hxllo",
  "hllo",
  "heeeello",
  "A",
  "ABC",
  "Hello",
  "x",
  "-",
  "]",
  "[",
  "^",
  "!",
  "\\",
  "foo.bar",
  "foo:1",
  "foo:12",
  "user:1000:name",
  "\x80",
  "\xff",
  "a\xe9b",
  "\x00",
  "a\x00b",
  "z",
  "{",
  "`",
  "aa",
  "aaa",
  "ba",
  "ab\n",
];
// [pattern, keys KEYS returned] or [pattern, "all but", keys KEYS did not return].
const CASES: ([string, string[]] | [string, "all but", string[]])[] = [
  ["*", "all but", []],
  ["**", "all but", [""]],
  ["?", ["\x00", "!", "-", "A", "[", "\\", "]", "^", "`", "a", "b", "x", "z", "{", "\x80", "\xff"]],
  ["??", ["aa", "ab", "ba"]],
  ["a*", [
    "a",
    "a\x00b",
    "a*c",
    "a-c",
    "a?c",
    "aXc",
    "a[c",
    "a\\c",
    "a]c",
    "aa",
    "aaa",
    "ab",
    "ab\n",
    "abc",
    "a\xe9b",
  ]],
  ["*c", ["a*c", "a-c", "a?c", "aXc", "a[c", "a\\c", "a]c", "abc"]],
  ["a*c", ["a*c", "a-c", "a?c", "aXc", "a[c", "a\\c", "a]c", "abc"]],
  ["a?c", ["a*c", "a-c", "a?c", "aXc", "a[c", "a\\c", "a]c", "abc"]],
  ["a\\*c", ["a*c"]],
  ["a\\?c", ["a?c"]],
  ["a[bX]c", ["aXc", "abc"]],
  ["a[^bX]c", ["a*c", "a-c", "a?c", "a[c", "a\\c", "a]c"]],
  ["a[a-z]c", ["abc"]],
  ["a[z-a]c", ["abc"]],
  ["a[A-Z]c", ["aXc"]],
  ["[a-c]", ["a", "b"]],
  ["[^a-c]", ["\x00", "!", "-", "A", "[", "\\", "]", "^", "`", "x", "z", "{", "\x80", "\xff"]],
  ["h[ae]llo", ["hallo", "hello"]],
  ["h[^e]llo", ["hallo", "hxllo"]],
  ["h[a-b]llo", ["hallo"]],
  ["h*llo", ["hallo", "heeeello", "hello", "hllo", "hxllo"]],
  ["h?llo", ["hallo", "hello", "hxllo"]],
  ["[", []],
  ["[a", ["a"]],
  ["a[", []],
  ["a[b", ["ab"]],
  ["a[bc", ["ab"]],
  ["[]", []],
  ["[]]", []],
  ["[]a]", []],
  ["[^]", [
    "\x00",
    "!",
    "-",
    "A",
    "[",
    "\\",
    "]",
    "^",
    "`",
    "a",
    "b",
    "x",
    "z",
    "{",
    "\x80",
    "\xff",
  ]],
  ["[^]]", []],
  ["[\\]]", ["]"]],
  ["[\\", ["\\"]],
  ["a[\\]c", []],
  ["a\\", []],
  ["\\", ["\\"]],
  ["\\a", ["a"]],
  ["a[-]c", ["a-c"]],
  ["a[-c]c", ["a-c"]],
  ["a[c-]c", ["aa", "ab"]],
  ["[!a]", ["!", "a"]],
  ["[!]", ["!"]],
  ["a\\[c", ["a[c"]],
  ["a[[]c", ["a[c"]],
  ["*[", []],
  ["*\\", ["\\"]],
  ["[a-]", ["]", "^", "`", "a"]],
  ["[-a]", ["-", "a"]],
  ["[z-{]", ["z", "{"]],
  ["[\x80-\xff]", ["\x80", "\xff"]],
  ["[a-\xff]", ["\x00", "!", "-", "A", "[", "\\", "]", "^", "`", "a", "\xff"]],
  ["[\xff]", ["\xff"]],
  ["[^\x80]", ["\x00", "!", "-", "A", "[", "\\", "]", "^", "`", "a", "b", "x", "z", "{", "\xff"]],
  ["\x80", ["\x80"]],
  ["?*", "all but", [""]],
  ["*?", "all but", [""]],
  ["*?*", "all but", [""]],
  ["a*b*", ["a\x00b", "ab", "ab\n", "abc", "a\xe9b"]],
  ["*a*", [
    "a",
    "a\x00b",
    "a*c",
    "a-c",
    "a?c",
    "aXc",
    "a[c",
    "a\\c",
    "a]c",
    "aa",
    "aaa",
    "ab",
    "ab\n",
    "abc",
    "a\xe9b",
    "ba",
    "foo.bar",
    "hallo",
    "user:1000:name",
  ]],
  ["foo:*", ["foo:1", "foo:12"]],
  ["foo:?", ["foo:1"]],
  ["foo:??", ["foo:12"]],
  ["user:*:name", ["user:1000:name"]],
  ["[[]", ["["]],
  ["[x-]", ["]", "^", "`", "a", "b", "x"]],
  ["[^]a]", []],
  ["a[^]c", ["a*c", "a-c", "a?c", "aXc", "a[c", "a\\c", "a]c", "abc"]],
  ["\x00", ["\x00"]],
  ["a\x00*", ["a\x00b"]],
  ["*\x00*", ["\x00", "a\x00b"]],
  ["[\x00-a]", ["\x00", "!", "-", "A", "[", "\\", "]", "^", "`", "a"]],
  ["a]c", ["a]c"]],
  ["a]*", ["a]c"]],
  ["[]-a]", []],
  ["[a-a]", ["a"]],
  ["[A-z]", ["A", "[", "\\", "]", "^", "`", "a", "b", "x", "z"]],
  ["[^A-Z]*", "all but", ["", "A", "ABC", "Hello"]],
  ["*[^a]", "all but", ["", "a", "aa", "aaa", "ba"]],
  ["[a-b-c]", ["-", "a", "b"]],
  ["[ab-]", ["]", "^", "`", "a", "b"]],
];

Deno.test("globMatch agrees with Redis 7.0 KEYS on every pattern/key pair of the table", () => {
  const wrong: string[] = [];
  for (const c of CASES) {
    const listed = new Set(c.length === 2 ? c[1] : c[2]);
    for (const s of STRINGS) {
      const want = c.length === 2 ? listed.has(s) : !listed.has(s);
      if (globMatch(c[0], s) !== want) wrong.push(`${JSON.stringify(c[0])} ~ ${JSON.stringify(s)}`);
    }
  }
  assert.deepEqual(wrong, []);
});

Deno.test("globMatch: * matches everything including the empty string", () => {
  assert.equal(globMatch("*", ""), true);
  assert.equal(globMatch("*", "anything"), true);
  assert.equal(globMatch("", ""), true);
  assert.equal(globMatch("", "a"), false);
  assert.equal(globMatch("a", ""), false);
});

Deno.test("globMatch: ? matches exactly one byte", () => {
  assert.equal(globMatch("h?llo", "hello"), true);
  assert.equal(globMatch("h?llo", "hllo"), false);
  assert.equal(globMatch("h?llo", "heello"), false);
  assert.equal(globMatch("???", "\x00\xff\n"), true);
});

Deno.test("globMatch: classes, negation, ranges and escapes", () => {
  assert.equal(globMatch("h[ae]llo", "hallo"), true);
  assert.equal(globMatch("h[ae]llo", "hillo"), false);
  assert.equal(globMatch("h[^e]llo", "hallo"), true);
  assert.equal(globMatch("h[^e]llo", "hello"), false);
  assert.equal(globMatch("h[a-b]llo", "hbllo"), true);
  assert.equal(globMatch("h[b-a]llo", "hallo"), true, "reversed range");
  assert.equal(globMatch("h[!e]llo", "h!llo"), true, "! is a literal, not negation");
  assert.equal(globMatch("h[!e]llo", "hallo"), false);
  assert.equal(globMatch("a\\*c", "a*c"), true);
  assert.equal(globMatch("a\\*c", "abc"), false);
  assert.equal(globMatch("[\\]]", "]"), true);
  assert.equal(globMatch("a[", "a"), false);
  assert.equal(globMatch("a[b", "ab"), true, "an unterminated class ends at the pattern's end");
  assert.equal(globMatch("a\\", "a\\"), true, "a trailing backslash is literal");
});

Deno.test("globMatch: ranges compare bytes as signed chars, like Redis on Linux", () => {
  // [a-\xff] is [-1, 97]: it takes NUL..'a' and \xff, but not 'b' or \x80.
  assert.equal(globMatch("[a-\xff]", "a"), true);
  assert.equal(globMatch("[a-\xff]", "\x00"), true);
  assert.equal(globMatch("[a-\xff]", "\xff"), true);
  assert.equal(globMatch("[a-\xff]", "b"), false);
  assert.equal(globMatch("[a-\xff]", "\x80"), false);
  assert.equal(globMatch("[\x80-\xff]", "\xc0"), true);
});

Deno.test("globMatch: nocase folds ASCII letters in literals, classes and ranges", () => {
  assert.equal(globMatch("HeLLo", "hello", true), true);
  assert.equal(globMatch("HeLLo", "hello"), false);
  assert.equal(globMatch("h[AE]llo", "hello", true), true);
  assert.equal(globMatch("h[A-F]llo", "hello", true), true);
  assert.equal(globMatch("h[a-f]llo", "HELLO", true), true);
  assert.equal(globMatch("[a-f]ELLO", "HELLO", true), false);
  assert.equal(globMatch("[A-Z]*", "maxmemory", true), true);
  assert.equal(globMatch("\xe9", "\xc9", true), false, "no folding beyond ASCII");
});

Deno.test("globMatch: patterns with many stars fail fast instead of backtracking", () => {
  const p = "*a".repeat(40) + "b";
  const s = "a".repeat(200);
  const start = performance.now();
  assert.equal(globMatch(p, s), false);
  assert.equal(globMatch(p, s + "b"), true);
  assert.ok(performance.now() - start < 1000, "must not backtrack exponentially");
});

Deno.test("globMatch: nesting deeper than Redis's limit does not match", () => {
  const p = "a*".repeat(1100);
  assert.equal(globMatch(p, "a".repeat(1100)), false);
  assert.equal(globMatch("a*".repeat(500), "a".repeat(500)), true);
});
