import type { Collector } from './types.js';

/** Collector id -> collector. The id equals the folder name; a test checks that every folder is registered. */
export const collectors: Record<string, Collector<any>> = {};

export function collectorIds(): string[] {
  return Object.keys(collectors).sort();
}
