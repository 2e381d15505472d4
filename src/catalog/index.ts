export { ServiceCatalog, normalisePath, type Mapping } from './catalog.js';
export { SeverityFilter, ignoredBecause, incidentExtra, type SeverityFacts } from './severity.js';
export { linkIncident, unlinkIncident, currentOverrides, listOverrides, overrideStatsByService, OVERRIDES_TABLE, type LinkOverride } from './overrides.js';
export { incidentSources, renderIncidentSources, type IncidentSourcesSection } from './doctor.js';
