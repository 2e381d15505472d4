export { evaluateReleases, type EvaluateOptions, type Evaluation } from './evaluate.js';
export { saveVerdicts, verdictsTable } from './store.js';
export { HealthSection, TelemetrySection } from './config.js';
export type * from './types.js';
export { runCheck, type CheckOptions, type CheckResult } from './check.js';
