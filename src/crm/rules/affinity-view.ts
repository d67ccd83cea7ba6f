/**
 * What the placement rules (node affinity and resource affinity, or HA groups turned into node
 * affinity) say about one service, in the terms the master's schedulers need: automatic rebalancing
 * chooses its candidate moves from this, node selection applies the same answers.
 */
export interface AffinityView {
  /**
   * The online nodes of the service's highest priority class (a strict rule: its online members only;
   * a non-strict one: its members, else the other nodes at priority -1); every online node when no
   * rule names the service. Sorted by name.
   */
  preferredNodes(sid: string): readonly string[];
  /** Nodes a negative partner of the service runs on or is moving to: the service must not go there. */
  separateNodes(sid: string): ReadonlySet<string>;
  /** Services that must run on the same node as `sid` (positive affinity, merged groups), without `sid`, sorted. */
  positivePartners(sid: string): readonly string[];
}
