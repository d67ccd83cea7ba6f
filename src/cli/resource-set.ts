import { editConfig } from '../config/config-edit.ts';
import { setResource, type ResourceChange } from '../config/resource-edit.ts';
import type { ClusterStore } from '../store/cluster-store.ts';
import { checkResourceNodes } from './node-checks.ts';
import { resolveSid } from './sid-arg.ts';

/**
 * `ha-manager set <sid>`: one edit of resources.cfg (compare-and-set) with the CLI's checks (the sid as the CLI
 * reads it, known nodes, the group's nodes). The set command and the web console's enable/disable
 * (src/web/cluster-actions.ts) both call this, so both refuse the same changes.
 */
export function setResourceChecked(store: ClusterStore, request: { sid: string; change: ResourceChange }): string {
  return editConfig(store, (documents, current) => {
    const sid = resolveSid(request.sid, { config: current.config });
    checkResourceNodes(store, current, { sid, change: request.change });
    setResource(documents, { current, sid, change: request.change });
    return sid;
  });
}
