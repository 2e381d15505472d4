import type { Notifier } from '../channels.js';
import { defaultClassify, postJson, type Classify } from '../http.js';
import { teamsMessage } from './card.js';

/**
 * The legacy connector answers 200 with body `1`, and may report throttling only in a
 * 200 body ("…HTTP error 429"); Workflows answer 202 with an empty body (apis.md §4).
 */
const classify: Classify = (status, body) => (status >= 200 && status < 300 && /HTTP error 429/i.test(body) ? 'retry' : defaultClassify(status, body));

export function teamsNotifier(url: string): Notifier {
  return {
    id: 'teams',
    send: (alert, _delivery, http) => postJson('teams', url, teamsMessage(alert), {}, http, classify),
  };
}
