export * from './schemas.js';
export * from './parse.js';
export * from './time.js';
export { eventsJsonSchema } from './json-schema.js';
