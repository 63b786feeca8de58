#!/bin/sh
# Removes what install.sh put in place: the services (stopped and disabled), their units, the binaries and this
# script. Settings in /etc/granary and state in /var/lib/granary stay unless --purge.
# Installed as /usr/local/bin/granary-uninstall.sh.
#
# Usage: granary-uninstall.sh [--role silo|agent] [--purge]
#   --role    remove only that role (default: every role installed here; the CLI and this script go with the last)
#   --purge   also delete /etc/granary and /var/lib/granary (certificates, tokens, the agent's state) and the user
# DESTDIR=/some/root works under that root and touches no service or user, as for install.sh.
set -eu

roles=""
purge=false
while [ $# -gt 0 ]; do
  case "$1" in
    --role) [ $# -ge 2 ] || { echo "error: --role needs silo or agent" >&2; exit 2; }; roles=$2; shift 2 ;;
    --role=*) roles="${1#--role=}"; shift ;;
    --purge) purge=true; shift ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "error: unknown argument $1 (see granary-uninstall.sh --help)" >&2; exit 2 ;;
  esac
done
case "$roles" in
  silo|agent|"") ;;
  *) echo "error: --role $roles is not a role: use silo or agent" >&2; exit 2 ;;
esac
[ -n "$roles" ] || roles="silo agent"

destdir=${DESTDIR:-}
if [ -z "$destdir" ] && [ "$(id -u)" != 0 ]; then
  echo "error: run granary-uninstall.sh as root (sudo), or set DESTDIR" >&2
  exit 1
fi
systemd=false
[ -z "$destdir" ] && [ -d /run/systemd/system ] && systemd=true

remove() {
  if [ -e "$1" ] || [ -L "$1" ]; then
    rm -rf "$1"
    echo "removed   $1"
  fi
}

for role in $roles; do
  unit=$destdir/etc/systemd/system/granary-$role.service
  if [ "$systemd" = true ] && [ -f "$unit" ]; then
    systemctl disable --now "granary-$role.service" >/dev/null 2>&1 || true
    echo "stopped   granary-$role.service"
  fi
  remove "$unit"
  # The agent leaves its nftables table (--proxy-mode nftables) in place across restarts; uninstalling takes it away.
  if [ "$role" = agent ] && [ -z "$destdir" ] && [ -x /usr/local/bin/granary-agent ] && command -v nft >/dev/null 2>&1; then
    node=$(sed -n 's/^GRANARY_NODENAME=//p' /etc/granary/agent.env 2>/dev/null | tail -n 1)
    /usr/local/bin/granary-agent --cleanup ${node:+--node-name "$node"} || echo "warning: granary-agent --cleanup failed; remove the table with: nft delete table ip granary-NODE" >&2
  fi
  remove "$destdir/usr/local/bin/granary-$role"
  if [ "$purge" = true ]; then
    remove "$destdir/etc/granary/$role.env"
  fi
done
[ "$systemd" = true ] && systemctl daemon-reload

# The CLI and this script are shared by both roles: they go when no role is left.
if [ ! -e "$destdir/usr/local/bin/granary-silo" ] && [ ! -e "$destdir/usr/local/bin/granary-agent" ]; then
  remove "$destdir/usr/local/bin/granary"
  if [ "$purge" = true ]; then
    remove "$destdir/etc/granary"
    remove "$destdir/var/lib/granary"
    if [ -z "$destdir" ] && getent passwd granary >/dev/null 2>&1; then
      userdel granary && echo "removed   user granary"
    fi
  fi
  remove "$destdir/usr/local/bin/granary-uninstall.sh"
else
  echo "kept      the CLI and granary-uninstall.sh: a role is still installed"
fi
[ "$purge" = true ] || echo "kept      $destdir/etc/granary and $destdir/var/lib/granary (settings and state; --purge removes them)"
