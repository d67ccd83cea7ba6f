/**
 * HA rules for the scale scenarios of gen-scale-scenario.mjs (service i is `vm:<100 + i>` on node
 * `(i mod N) + 1`): `count` rules, half node affinity, half resource affinity (of those, half positive,
 * half negative), all satisfied by the generated placement, so the steady rounds stay steady and the
 * figure is the price of looking the rules up. Node-affinity rules name four services of one node
 * each and prefer that node (priority 2) over the next (1); positive rules keep three services of one
 * node together; negative rules keep two neighbours (on two nodes) apart. No service is in two rules.
 */
export function scaleRulesText(options: { readonly count: number; readonly nodes: number; readonly services: number }): string {
  const { count, nodes, services } = options;
  const nodeRules = Math.floor(count / 2);
  const positiveRules = Math.floor((count - nodeRules) / 2);
  const negativeRules = count - nodeRules - positiveRules;
  const sid = (index: number) => `vm:${100 + index}`;
  const nodeOf = (index: number) => `node${(index % nodes) + 1}`;
  // Blocks of `nodes * size` services: rule r takes offset r mod nodes in block r / nodes, one service per stride.
  const members = (first: number, rule: number, size: number) =>
    Array.from({ length: size }, (_, j) => first + Math.floor(rule / nodes) * nodes * size + (rule % nodes) + nodes * j);
  const sections: string[] = [];
  for (let rule = 0; rule < nodeRules; rule++) {
    const indexes = members(0, rule, 4);
    const home = rule % nodes;
    sections.push(`node-affinity: bench-node-${rule}\n\tresources ${indexes.map(sid).join(',')}\n\tnodes ${nodeOf(home)}:2,${nodeOf(home + 1)}:1\n`);
  }
  const blocksOf = (rules: number, size: number) => Math.ceil(rules / nodes) * nodes * size;
  const positiveStart = blocksOf(nodeRules, 4);
  for (let rule = 0; rule < positiveRules; rule++) {
    sections.push(`resource-affinity: bench-together-${rule}\n\tresources ${members(positiveStart, rule, 3).map(sid).join(',')}\n\taffinity positive\n`);
  }
  const negativeStart = positiveStart + blocksOf(positiveRules, 3);
  for (let rule = 0; rule < negativeRules; rule++) {
    sections.push(`resource-affinity: bench-apart-${rule}\n\tresources ${sid(negativeStart + 2 * rule)},${sid(negativeStart + 2 * rule + 1)}\n\taffinity negative\n`);
  }
  const last = negativeStart + 2 * negativeRules;
  if (last > services) throw new Error(`${count} rules need ${last} services, the scenario has ${services}`);
  return sections.join('\n');
}
