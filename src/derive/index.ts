export { deriveMetrics, DERIVE_VERSION, type DeriveOptions, type DeriveSummary } from './run.js';
export { productionEnvironments, scopeKey, candidateRepos } from './scope.js';
export { currentViews, derivedTables } from './write.js';
export { CommitGraph } from './graph.js';
export { breakdown } from './changes.js';
export { humanDuration } from './time.js';
export type * from './types.js';
