/**
 * @module cli/args
 * Helpers that turn raw option strings into typed values, raising UsageError that names
 * the argument. Library errors raised while interpreting one argument are re-labelled with
 * that argument's name, so `mesh` never prints a stack trace for bad input.
 */
import { MeshError } from '../crypto/errors.js';
import { UsageError } from './cli-errors.js';
import type { ParsedCommandArgs } from './command.js';

export function requireString(args: ParsedCommandArgs, name: string): string {
  const value = args.values[name];
  if (typeof value !== 'string' || value === '') {
    throw new UsageError('is required', `--${name}`);
  }
  return value;
}

export function optionalString(args: ParsedCommandArgs, name: string): string | undefined {
  const value = args.values[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw new UsageError('expected a value', `--${name}`);
  return value;
}

export function optionalInteger(
  args: ParsedCommandArgs,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = args.values[name];
  if (raw === undefined) return fallback;
  if (typeof raw !== 'string' || !/^\d+$/.test(raw)) {
    throw new UsageError(`expected an integer, got ${JSON.stringify(raw)}`, `--${name}`);
  }
  const value = Number(raw);
  if (value < min || value > max) {
    throw new UsageError(`expected an integer from ${min} to ${max}, got ${value}`, `--${name}`);
  }
  return value;
}

export function oneOf<T extends string>(args: ParsedCommandArgs, name: string, allowed: readonly T[], fallback?: T): T {
  const raw = args.values[name];
  if (raw === undefined) {
    if (fallback !== undefined) return fallback;
    throw new UsageError(`is required (one of ${allowed.join(', ')})`, `--${name}`);
  }
  const match = allowed.find((a) => a.toLowerCase() === String(raw).toLowerCase());
  if (match === undefined) {
    throw new UsageError(`expected one of ${allowed.join(', ')}, got ${JSON.stringify(raw)}`, `--${name}`);
  }
  return match;
}

export function onePositional(args: ParsedCommandArgs, name: string): string {
  if (args.positionals.length !== 1) {
    throw new UsageError(
      args.positionals.length === 0 ? 'is required' : `expected one argument, got ${args.positionals.length}`,
      `<${name}>`,
    );
  }
  return args.positionals[0] as string;
}

/** Runs `fn`, relabelling any library error as a UsageError for `argument`. */
export function forArgument<T>(argument: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof UsageError) throw error;
    if (error instanceof MeshError) throw new UsageError(error.message, argument, { cause: error });
    throw error;
  }
}
