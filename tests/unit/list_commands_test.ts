// The README command-list generator: section replacement between the markers, the rendered
// tables (groups, subcommands, escaping), and check mode leaving the file untouched.

import assert from "node:assert/strict";
import {
  END_MARKER,
  renderCommands,
  replaceSection,
  START_MARKER,
  updateReadme,
} from "../../scripts/list_commands.ts";
import { CommandTable } from "../../src/commands/table.ts";
import type { CommandSpec } from "../../src/commands/spec.ts";

const noop = () => null;

const FAMILY: CommandSpec[] = [
  {
    name: "zeta",
    arity: -2,
    flags: ["write"],
    categories: [],
    handler: noop,
    summary: "Uses a | pipe",
    group: "string",
  },
  {
    name: "box",
    arity: -2,
    flags: [],
    categories: [],
    summary: "A container",
    group: "server",
    subcommands: [
      { name: "open", arity: 2, flags: ["fast"], categories: [], handler: noop, summary: "Open" },
    ],
  },
  { name: "alpha", arity: 1, flags: ["readonly"], categories: [], handler: noop },
];

Deno.test("an empty README becomes just the marked section", () => {
  assert.equal(replaceSection("", "body"), `${START_MARKER}\nbody\n${END_MARKER}\n`);
});

Deno.test("text outside the markers is kept and the inside replaced", () => {
  const before = `# Title\n\n${START_MARKER}\nold\n${END_MARKER}\n\nMore text\n`;
  assert.equal(
    replaceSection(before, "new"),
    `# Title\n\n${START_MARKER}\nnew\n${END_MARKER}\n\nMore text\n`,
  );
});

Deno.test("a README without markers gets the section appended", () => {
  assert.equal(replaceSection("# Title\n", "x"), `# Title\n\n${START_MARKER}\nx\n${END_MARKER}\n`);
});

Deno.test("commands are grouped in Redis's doc order with subcommands under their container", () => {
  const md = renderCommands(new CommandTable([FAMILY]));
  assert.match(md, /^3 commands and 1 subcommands\./m);
  const string = md.indexOf("### string");
  const server = md.indexOf("### server");
  const other = md.indexOf("### other");
  assert.ok(string >= 0 && string < server && server < other, md);
  assert.match(md, /\| `ZETA` \| -2 \| write \| Uses a \\\| pipe \|/);
  assert.match(md, /\| `BOX` \| -2 \| - \| A container \|\n\| `BOX OPEN` \| 2 \| fast \| Open \|/);
  assert.ok(md.includes("| `ALPHA` | 1 | readonly |  |"), md);
});

Deno.test("check mode reports a stale README without writing it; a written one is current", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/README.md`;
    const table = new CommandTable([FAMILY]);
    await Deno.writeTextFile(path, "# Title\n");
    assert.equal(await updateReadme(path, { check: true, table }), false);
    assert.equal(await Deno.readTextFile(path), "# Title\n");
    assert.equal(await updateReadme(path, { check: false, table }), false);
    assert.equal(await updateReadme(path, { check: true, table }), true);
    assert.ok((await Deno.readTextFile(path)).startsWith("# Title\n\n<!-- commands:start -->"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the real command table renders", () => {
  const md = renderCommands(new CommandTable());
  assert.match(md, /\| `PING` \|/);
  assert.match(md, /\| `GET` \|/);
});

Deno.test("README's command table matches the command table (run `deno task commands-doc`)", async () => {
  const readme = new URL("../../README.md", import.meta.url).pathname;
  assert.equal(await updateReadme(readme, { check: true }), true);
});
