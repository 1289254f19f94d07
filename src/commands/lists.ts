// The lists family: implementation lands with issue 3.
import type { CommandSpec } from "./spec.ts";

/** lists command specs. */
export const LISTS_COMMANDS: CommandSpec[] = [];
