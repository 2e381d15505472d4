// `node --import ./record-imports.mjs`: every module URL under @opentelemetry that the process
// resolves is appended to the file named by DORA_TEST_IMPORTS_LOG (one per line).
import { register } from 'node:module';

register('./record-imports-hooks.mjs', import.meta.url, { data: { log: process.env.DORA_TEST_IMPORTS_LOG } });
