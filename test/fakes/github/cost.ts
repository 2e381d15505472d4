import { Kind, type DocumentNode, type FragmentDefinitionNode, type SelectionSetNode, type ValueNode } from 'graphql';

/**
 * The point cost of a query by GitHub's documented rule: add up the requests needed
 * to fill every connection, assuming each reaches its `first`/`last`; divide by 100
 * and round; at least 1.
 * https://docs.github.com/en/graphql/overview/rate-limits-and-query-limits-for-the-graphql-api#calculating-a-rate-limit-score-before-running-the-call
 */
export function queryCost(document: DocumentNode, variables: Record<string, unknown>): { requests: number; points: number } {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const value = (node: ValueNode): unknown => {
    if (node.kind === Kind.VARIABLE) return variables[node.name.value];
    if (node.kind === Kind.INT) return Number(node.value);
    if (node.kind === Kind.BOOLEAN) return node.value;
    return undefined;
  };
  const skipped = (directives: readonly { name: { value: string }; arguments?: readonly { value: ValueNode }[] }[] = []) =>
    directives.some((directive) => {
      const condition = directive.arguments?.[0] ? value(directive.arguments[0].value) : undefined;
      return (directive.name.value === 'include' && condition === false) || (directive.name.value === 'skip' && condition === true);
    });

  let requests = 0;
  const walk = (selections: SelectionSetNode | undefined, multiplier: number) => {
    for (const selection of selections?.selections ?? []) {
      if (skipped(selection.directives)) continue;
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        walk(fragments.get(selection.name.value)?.selectionSet, multiplier);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        walk(selection.selectionSet, multiplier);
      } else {
        const size = selection.arguments?.find((arg) => arg.name.value === 'first' || arg.name.value === 'last');
        if (size) {
          requests += multiplier;
          walk(selection.selectionSet, multiplier * Number(value(size.value) ?? 0));
        } else {
          walk(selection.selectionSet, multiplier);
        }
      }
    }
  };
  for (const definition of document.definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION) walk(definition.selectionSet, 1);
  }
  return { requests, points: Math.max(1, Math.round(requests / 100)) };
}
