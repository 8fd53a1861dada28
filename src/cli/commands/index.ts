/**
 * @module cli/commands
 * The registry of `mesh` sub-commands, in help order.
 */
import type { Command } from '../command.js';

export const commands: readonly Command[] = [];
