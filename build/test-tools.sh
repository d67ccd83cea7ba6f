#!/bin/sh
# The Debian packages that tests run for real: fence-agents (fence_dummy, fence_ipmilan, fence_kdump),
# ipmitool (what fence_ipmilan calls), openipmi (ipmi_sim, the emulated BMCs), etcd-server and
# etcd-client (the etcd store's 3-member test clusters), chromium and fonts-liberation (the web
# console's browser tests, driven by playwright-core). Part of the README's
# test command: installs what is missing with apt-get when run as root (CI: a fresh Debian, as root);
# otherwise names what to install and fails. Nothing happens when everything is there.
set -eu
missing=""
[ -x /usr/sbin/fence_ipmilan ] && [ -x /usr/sbin/fence_dummy ] && [ -x /usr/sbin/fence_kdump ] || missing="$missing fence-agents"
command -v ipmitool >/dev/null 2>&1 || missing="$missing ipmitool"
command -v ipmi_sim >/dev/null 2>&1 || missing="$missing openipmi"
command -v etcd >/dev/null 2>&1 || missing="$missing etcd-server"
command -v etcdctl >/dev/null 2>&1 || missing="$missing etcd-client"
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
[ -d /usr/share/fonts/truetype/liberation ] || missing="$missing fonts-liberation"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "build/test-tools.sh: the tests need Debian's$missing: run as root on Debian, or: sudo apt-get install$missing" >&2
  exit 1
fi
echo "build/test-tools.sh: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
# shellcheck disable=SC2086 # one word per package
apt-get install -y -qq --no-install-recommends $missing >&2
