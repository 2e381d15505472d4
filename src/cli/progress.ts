import cliProgress from 'cli-progress';
import type { Io } from '../log.js';

export interface Progress {
  update(value: number, detail?: string): void;
  stop(): void;
}

const silent: Progress = { update: () => undefined, stop: () => undefined };

/** A progress bar on an interactive terminal; nothing at all in CI or when output is piped. */
export function createProgress(io: Io, options: { label: string; total?: number; unit: string }): Progress {
  if (!io.interactive) return silent;
  const format = options.total
    ? `${options.label} [{bar}] {percentage}% | {detail}`
    : `${options.label} {value} ${options.unit} | {detail}`;
  const bar = new cliProgress.SingleBar(
    { format, stream: process.stderr, hideCursor: true, clearOnComplete: true, etaBuffer: 50 },
    cliProgress.Presets.shades_classic,
  );
  bar.start(options.total ?? 0, 0, { detail: '' });
  return {
    update: (value, detail = '') => bar.update(value, { detail }),
    stop: () => bar.stop(),
  };
}
