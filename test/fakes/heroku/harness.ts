import type { ClickHouseClient } from '@clickhouse/client';
import type { Collector } from '../../../src/collectors/types.js';
import { runCollector } from '../../../src/collectors/runner.js';
import type { Config } from '../../../src/config/schema.js';
import { createLogger } from '../../../src/log.js';
import { queryRows } from '../../helpers/store.js';

/** Run the Heroku collector into a store against a fake, capturing what it logs. */
export function collector(client: ClickHouseClient, heroku: Collector<any>, agent: Config, token: string) {
  return async (section: unknown, url: string) => {
    let stderr = '';
    const log = createLogger({ out: () => undefined, err: (text) => void (stderr += text), interactive: false });
    const summary = await runCollector(client, heroku, { agent, section, log, env: { HEROKU_API_KEY: token, HEROKU_API_URL: url } });
    return { summary, stderr };
  };
}

/** A service's deployments as stored, with the Heroku extras the tests look at. */
export const deploymentRows = (client: ClickHouseClient, service: string) =>
  queryRows<Record<string, string>>(
    client,
    `SELECT id, environment, status, sha, finished_at, rollback_of, repo,
            extra['heroku_commit_from'] AS commit_from, extra['heroku_rolled_back_by'] AS rolled_back_by,
            extra['heroku_config_releases'] AS config_releases
     FROM deployments FINAL WHERE service = {service:String} ORDER BY environment, finished_at`,
    { service },
  );

/** The release version each app's cursor stands at. */
export const cursorVersions = (client: ClickHouseClient) =>
  queryRows<{ scope: string; version: number }>(
    client,
    `SELECT scope, JSONExtractUInt(cursor, 'version') AS version FROM collector_cursors FINAL WHERE source = 'heroku' ORDER BY scope`,
  );
