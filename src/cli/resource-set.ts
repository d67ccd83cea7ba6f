import { editConfig } from '../config/config-edit.ts';
import { setResource, type ResourceChange } from '../config/resource-edit.ts';
import type { LockWaitOptions } from '../store/config-lock.ts';
import { checkResourceNodes } from './node-checks.ts';
import { resolveSid } from './sid-arg.ts';

/**
 * `ha-manager set <sid>`: one locked edit of resources.cfg with the CLI's checks (the sid as the CLI
 * reads it, known nodes, the group's nodes). The set command and the web console's enable/disable
 * (src/web/cluster-actions.ts) both call this, so both refuse the same changes.
 */
export function setResourceChecked(sharedDir: string, request: { sid: string; change: ResourceChange; lockWait?: Pick<LockWaitOptions, 'onWaiting'> }): string {
  return editConfig(
    sharedDir,
    (documents, current) => {
      const sid = resolveSid(request.sid, { config: current.config });
      checkResourceNodes(sharedDir, current, { sid, change: request.change });
      setResource(documents, { current, sid, change: request.change });
      return sid;
    },
    request.lockWait ?? {},
  );
}
