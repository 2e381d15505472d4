import { verdictRank, type Signal, type Verdict } from './types.js';

export interface Combined {
  verdict: Verdict;
  confidence: number;
  reasons: string[];
}

const round = (value: number) => Math.round(value * 100) / 100;

/**
 * Signals → verdict: the most severe signal decides (`rollback` over `watch`); no signal
 * is `healthy`. Confidence in a flag is the noisy-OR of the weights of the signals at
 * that severity (independent pieces of evidence: 1 − Π(1 − w)). Confidence in `healthy`
 * grows with the part of the observation window seen, and is higher when telemetry was
 * compared and found fine (up to 0.95) than without it (up to 0.7).
 */
export function combine(signals: readonly Signal[], notes: readonly string[], observed: { fraction: number; telemetryCompared: boolean }): Combined {
  const verdict: Verdict = signals.reduce<Verdict>((worst, signal) => (verdictRank[signal.severity] > verdictRank[worst] ? signal.severity : worst), 'healthy');
  const ordered = [...signals].sort((a, b) => verdictRank[b.severity] - verdictRank[a.severity] || b.weight - a.weight);
  const reasons = [...ordered.map((signal) => signal.reason), ...notes.filter(Boolean)];
  if (verdict === 'healthy') {
    const fraction = Math.min(1, Math.max(0, observed.fraction));
    return { verdict, confidence: round(0.1 + fraction * (observed.telemetryCompared ? 0.85 : 0.6)), reasons };
  }
  const doubt = signals.filter((signal) => signal.severity === verdict).reduce((product, signal) => product * (1 - signal.weight), 1);
  // Never certain: 0.99 at most, so "100 %" is never printed for an inference.
  return { verdict, confidence: Math.min(0.99, round(1 - doubt)), reasons };
}
