// The sets family: implementation lands with issue 3.
import type { CommandSpec } from "./spec.ts";

/** sets command specs. */
export const SETS_COMMANDS: CommandSpec[] = [];
