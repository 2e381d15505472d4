import { formatZodIssues } from '../../errors.js';
import type { Notifier } from '../channels.js';
import { DeliveryError, postJson } from '../http.js';
import { SlackMessage } from './block-kit.js';
import { slackMessage } from './build.js';

/**
 * Slack incoming webhook (apis.md §4): POST `{text, blocks}`; 200 `ok` on success,
 * plain-text codes on errors (`invalid_payload`, `channel_not_found`, 410
 * `channel_is_archived`), 429 with Retry-After when over about one message a second.
 */
export function slackNotifier(url: string): Notifier {
  return {
    id: 'slack',
    async send(alert, _delivery, http) {
      const message = slackMessage(alert);
      const checked = SlackMessage.safeParse(message);
      if (!checked.success) throw new DeliveryError('slack', `message is not valid Block Kit: ${formatZodIssues(checked.error).join('; ')}`, 0);
      return postJson('slack', url, checked.data, {}, http);
    },
  };
}
