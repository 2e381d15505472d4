import { schema as github } from '@octokit/graphql-schema';
import { buildClientSchema, NoDeprecatedCustomRule, parse, specifiedRules, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { documents } from '../src/collectors/github/queries.js';
import { queryCost } from './fakes/github/cost.js';

// GitHub's schema as published. (buildSchema(schema.idl) refuses the 15.26.1 IDL: it defines
// EnterpriseOwnerInfo.repositoryDeployKeySetting twice; the introspection JSON is consistent.)
const schema = buildClientSchema(github.json as never);

describe('GitHub GraphQL documents', () => {
  it.each(Object.entries(documents))('%s validates against GitHub\'s schema and uses no deprecated field', (operation, document) => {
    const ast = parse(document);
    const errors = validate(schema, ast, [...specifiedRules, NoDeprecatedCustomRule]).map((error) => error.message);
    expect(errors).toEqual([]);
    // The operation is named as the registry of documents says (the fake server routes and counts by it).
    const names = ast.definitions.flatMap((definition) => (definition.kind === 'OperationDefinition' ? [definition.name?.value] : []));
    expect(names).toEqual([operation]);
  });

  it('a misspelt field would fail', () => {
    const errors = validate(schema, parse('query { rateLimit { cost remainingPoints } }'));
    expect(errors.map((error) => error.message)).toEqual(['Cannot query field "remainingPoints" on type "RateLimit". Did you mean "remaining"?']);
  });

  it('costs what GitHub\'s documented formula says', () => {
    // The documented example: 100 repositories x 50 issues x 60 labels
    // = 1 + 100 + 100*50 = 5,101 requests -> round(51.01) = 51 points.
    const example = parse(`query { viewer { repositories(first: 100) { nodes { issues(first: 50) { nodes { labels(first: 60) { nodes { name } } } } } } } }`);
    expect(queryCost(example, {})).toEqual({ requests: 5101, points: 51 });

    // A first sync's RepoSync: history 100 commits (1 + 100 parents) + 50 PRs (1 + 50 labels + 50 reviews
    // + 50 commits + 50*20 parents) + 50 deployments (1 + 50 statuses) + 50 issues (1 + 50 labels)
    // = 101 + 1151 + 51 + 51 = 1,354 requests -> 14 points.
    const first = { owner: 'acme', name: 'api', baseRef: '', hasBase: false, pulls: true, pullsFirst: 50, commits: true, commitsFirst: 100,
      deployments: true, deploymentsFirst: 50, releases: false, releasesFirst: 50, incidents: true, incidentsFirst: 50 };
    expect(queryCost(parse(documents.RepoSync), first)).toEqual({ requests: 1354, points: 14 });
  });
});
