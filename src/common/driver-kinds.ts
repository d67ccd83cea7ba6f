/**
 * Which driver runs which service type: the mapping itself, as data, without the drivers. The config
 * (ha.cfg `drivers`), the CLI and the LRM all read it; only the LRM builds drivers from it
 * (src/resources/node-drivers.ts). It lives in common, below both config and resources, and imports
 * nothing, so the CLI pays nothing for it.
 *
 * Effective mapping of a cluster: DEFAULT_DRIVER_KINDS < ha.cfg `drivers`. A daemon's `--drivers` flag
 * overrides it for that one node's LRM (tests, the demo). The service types of a cluster are the keys
 * of its mapping whose kind is not `none`; resources.cfg may hold only those.
 */

export const DRIVER_KINDS = ['sim', 'virsh', 'lxc', 'systemd', 'ocf', 'none'] as const;
export type DriverKind = (typeof DRIVER_KINDS)[number];

/** The built-in mapping: Proxmox's guest types on libvirt and LXC, systemd units, OCF agents, sim services. */
export const DEFAULT_DRIVER_KINDS: Readonly<Record<string, DriverKind>> = {
  vm: 'virsh',
  ct: 'lxc',
  service: 'systemd',
  ocf: 'ocf',
  sim: 'sim',
};

const TYPE_PATTERN = /^[a-z][a-z0-9_-]*$/;

/** `vm=sim,ct=sim` → `{ vm: 'sim', ct: 'sim' }`; throws a one-line error naming a bad entry. */
export function parseDriverKinds(text: string): Record<string, DriverKind> {
  const kinds: Record<string, DriverKind> = {};
  for (const item of text.split(',').map((part) => part.trim()).filter(Boolean)) {
    const [type, kind, extra] = item.split('=');
    if (type === undefined || !TYPE_PATTERN.test(type) || extra !== undefined) throw new Error(`Bad driver mapping entry: ${JSON.stringify(item)}`);
    if (!(DRIVER_KINDS as readonly string[]).includes(kind ?? '')) throw new Error(`Bad driver kind in ${JSON.stringify(item)}: use one of ${DRIVER_KINDS.join(', ')}`);
    if (Object.hasOwn(kinds, type)) throw new Error(`Service type '${type}' mapped twice in ${JSON.stringify(text)}`);
    kinds[type] = kind as DriverKind;
  }
  return kinds;
}

/** The service types a mapping runs (kind not `none`), sorted. */
export function serviceTypesOf(kinds: Readonly<Record<string, DriverKind>>): string[] {
  return Object.keys(kinds)
    .filter((type) => kinds[type] !== 'none')
    .sort();
}
