import type { ClickHouseClient } from '@clickhouse/client';
import { createPagerDutyCollector, type PagerDutyCollectorOptions } from '../../../src/collectors/pagerduty/index.js';
import { runCollector } from '../../../src/collectors/runner.js';
import type { Config } from '../../../src/config/schema.js';
import { createLogger } from '../../../src/log.js';
import { queryRows } from '../../helpers/store.js';

/** Run the PagerDuty collector into a store against a fake, recording its waits and what it logs. */
export function pagerdutyRunner(client: ClickHouseClient, agent: Config, token: string, options: PagerDutyCollectorOptions = {}) {
  const waits: number[] = [];
  const collector = createPagerDutyCollector({ sleep: async (ms) => void waits.push(ms), ...options });
  const run = async (section: unknown, url: string) => {
    let stderr = '';
    const log = createLogger({ out: () => undefined, err: (text) => void (stderr += text), interactive: false });
    const summary = await runCollector(client, collector, { agent, section, log, env: { PAGERDUTY_TOKEN: token, PAGERDUTY_API_URL: url } });
    return { summary, stderr };
  };
  return { run, waits };
}

/** The PagerDuty incidents as stored, with the extras the tests look at. */
export const incidentRows = (client: ClickHouseClient) =>
  queryRows<Record<string, string | null>>(
    client,
    `SELECT id, service, opened_at, resolved_at, title, severity, source, url,
            extra['urgency'] AS urgency, extra['priority'] AS priority, extra['ignored'] AS ignored,
            extra['unmapped'] AS unmapped, extra['source_service'] AS source_service, extra['fields'] AS fields
     FROM incidents FINAL WHERE source = 'pagerduty' ORDER BY opened_at, id`,
  );
