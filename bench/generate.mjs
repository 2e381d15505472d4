// Deterministic canonical events for benchmarks: a mix of the four kinds, like a real organisation.
const sha = (n) => (n + 1_000_000).toString(16).padStart(40, "0");
const time = (n) => new Date(Date.UTC(2025, 0, 1) + n * 60_000).toISOString();

export function eventLine(i) {
  const services = ['api', 'web', 'worker', 'billing', 'search'];
  const service = services[i % services.length];
  switch (i % 10) {
    case 0:
      return JSON.stringify({ kind: 'deployment', id: `d-${i}`, service, environment: i % 20 === 0 ? 'staging' : 'production', status: 'success', sha: sha(i - 1), finished_at: time(i), source: 'bench' });
    case 1:
      return JSON.stringify({ kind: 'pull_request', repo: `acme/${service}`, number: i, title: `Change ${i}`, author: 'dev', created_at: time(i - 300), merged_at: time(i), merge_sha: sha(i), commits: [sha(i - 2), sha(i - 3)], labels: [] });
    case 2:
      if (i % 1000 === 2) return JSON.stringify({ kind: 'incident', id: `inc-${i}`, service, opened_at: time(i), resolved_at: time(i + 45), title: 'errors', severity: 'high' });
    // falls through
    default:
      return JSON.stringify({ kind: 'commit', repo: `acme/${service}`, sha: sha(i), parents: [sha(i - 1)], author: 'dev', authored_at: time(i - 60), committed_at: time(i), message: `commit ${i}` });
  }
}
