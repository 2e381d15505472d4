export { ServiceCatalog, normalisePath, type Mapping } from './catalog.js';
export { SeverityFilter, ignoredBecause, incidentExtra, type SeverityFacts } from './severity.js';
