// splitArgs (src/util/split_args.ts) against Redis 7.0's sdssplitargs (sds.c), which splits
// inline commands and config lines. Expected values were checked against a real redis-server by
// sending the line as an inline `ECHO ...` request.

import assert from "node:assert/strict";
import { splitArgs } from "../../src/util/split_args.ts";

const CASES: [string, string, string[] | null][] = [
  ["empty line", "", []],
  ["blanks only", "  \t \r\n ", []],
  ["one word", "PING", ["PING"]],
  ["several words", "SET key value", ["SET", "key", "value"]],
  ["repeated and surrounding blanks", "  SET \t key   value  ", ["SET", "key", "value"]],
  ["tab, CR and LF separate", "a\tb\rc\nd", ["a", "b", "c", "d"]],
  ["double quotes keep spaces", 'SET k "a b"', ["SET", "k", "a b"]],
  ["single quotes keep spaces", "SET k 'a b'", ["SET", "k", "a b"]],
  ["empty double quotes", 'a "" b', ["a", "", "b"]],
  ["empty single quotes", "a '' b", ["a", "", "b"]],
  ["hex escape", '"\\x41\\x42"', ["AB"]],
  ["hex escape any case", '"\\xfF\\x0a"', ["\xff\n"]],
  ["hex escape to NUL", '"a\\x00b"', ["a\0b"]],
  ["bad hex escape keeps x", '"\\xZZ"', ["xZZ"]],
  ["short hex escape keeps x", '"\\x4"', ["x4"]],
  ["letter escapes", '"\\n\\r\\t\\b\\a"', ["\n\r\t\b\x07"]],
  ["unknown escape is the char", '"\\q\\\\\\""', ['q\\"']],
  ["escaped quote inside double quotes", '"say \\"hi\\""', ['say "hi"']],
  ["single quotes only escape a single quote", "'it\\'s'", ["it's"]],
  ["single quotes keep other backslashes", "'a\\nb\\\\c'", ["a\\nb\\\\c"]],
  ["double quote inside single quotes", `'a"b'`, ['a"b']],
  ["single quote inside double quotes", `"a'b"`, ["a'b"]],
  ["quote opening mid-token joins", 'abc"def"', ["abcdef"]],
  ["single quote opening mid-token joins", "abc'd e'", ["abcd e"]],
  ["closing quote then space", '"a" b', ["a", "b"]],
  ["closing quote then tab", '"a"\tb', ["a", "b"]],
  ["closing quote at end", '"a"', ["a"]],
  ["backslash outside quotes is literal", "a\\nb", ["a\\nb"]],
  ["UTF-8 bytes pass through", "\xc3\xa9 \xe2\x82\xac", ["\xc3\xa9", "\xe2\x82\xac"]],
  ["high bytes pass through", "\xff\x80", ["\xff\x80"]],
  ["unterminated double quote", '"abc', null],
  ["unterminated single quote", "'abc", null],
  ["closing double quote followed by a char", '"a"b', null],
  ["closing single quote followed by a char", "'a'b", null],
  ["lone double quote", '"', null],
  ["backslash right before the end inside quotes", '"a\\', null],
  ["escaped closing quote leaves it open", '"a\\"', null],
  ["second argument unterminated", 'SET "k" "v', null],
];

for (const [name, line, want] of CASES) {
  Deno.test(`splitArgs: ${name}`, () => {
    assert.deepEqual(splitArgs(line), want);
  });
}

Deno.test("splitArgs: a long line with many arguments", () => {
  const words = Array.from({ length: 1000 }, (_, i) => `w${i}`);
  assert.deepEqual(splitArgs(words.join(" ")), words);
});

// sdssplitargs skips leading blanks with isspace() (which includes \v and \f) but ends an
// unquoted token only at ' ', \n, \r, \t or NUL. Redis: inline `ECHO a\vb` replies "a\vb".
Deno.test("splitArgs: vertical tab and form feed do not end an unquoted token", () => {
  assert.deepEqual(splitArgs("ECHO a\vb"), ["ECHO", "a\vb"]);
  assert.deepEqual(splitArgs("ECHO a\fb"), ["ECHO", "a\fb"]);
  assert.deepEqual(splitArgs("\vECHO\v x"), ["ECHO\v", "x"]);
});

Deno.test("splitArgs: vertical tab after a closing quote counts as a space", () => {
  assert.deepEqual(splitArgs('ECHO "a"\v'), ["ECHO", "a"]);
});
