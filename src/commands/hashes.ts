// The hashes family: implementation lands with issue 3.
import type { CommandSpec } from "./spec.ts";

/** hashes command specs. */
export const HASHES_COMMANDS: CommandSpec[] = [];
