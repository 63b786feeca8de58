#!/bin/sh
# Installs a Granary silo (master) or node agent (worker) from the release files, as k3s' installer does:
#   /usr/local/bin/granary-silo or granary-agent, and the granary CLI
#   /etc/systemd/system/granary-silo.service or granary-agent.service
#   /etc/granary/silo.env or agent.env (from the example, only when absent: an operator's settings are kept)
#   /usr/local/bin/granary-uninstall.sh
# then, on a host run by systemd: daemon-reload, enable, and (re)start the service. Running it again installs what
# changed and leaves the rest as it is.
#
# Usage: install.sh --role silo|agent [--from DIR] [--env-file FILE] [--no-start]
#   --from DIR        where granary-silo, granary-agent and granary are (default: beside this script, else .artifacts/release)
#   --env-file FILE   install FILE as the role's env file, replacing the one there
#   --no-start        install and enable, but do not start or restart the service
# DESTDIR=/some/root installs under that root instead of /, touches no service and creates no user (for packaging
# and for tests).
set -eu

role=""
from=""
env_file=""
start=true
while [ $# -gt 0 ]; do
  case "$1" in
    --role) [ $# -ge 2 ] || { echo "error: --role needs silo or agent" >&2; exit 2; }; role=$2; shift 2 ;;
    --role=*) role="${1#--role=}"; shift ;;
    --from) [ $# -ge 2 ] || { echo "error: --from needs a folder" >&2; exit 2; }; from=$2; shift 2 ;;
    --env-file) [ $# -ge 2 ] || { echo "error: --env-file needs a file" >&2; exit 2; }; env_file=$2; shift 2 ;;
    --no-start) start=false; shift ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "error: unknown argument $1 (see install.sh --help)" >&2; exit 2 ;;
  esac
done
case "$role" in
  silo|agent) ;;
  "") echo "error: --role is required: --role silo on a master, --role agent on a worker" >&2; exit 2 ;;
  *) echo "error: --role $role is not a role: use --role silo (a master) or --role agent (a worker)" >&2; exit 2 ;;
esac

here=$(cd "$(dirname "$0")" && pwd)
if [ -z "$from" ]; then
  if [ -f "$here/granary-$role" ]; then from=$here; else from=$here/../.artifacts/release; fi
fi
units=$here/systemd
destdir=${DESTDIR:-}
if [ -z "$destdir" ] && [ "$(id -u)" != 0 ]; then
  echo "error: install.sh writes to /usr/local/bin, /etc/systemd/system and /etc/granary: run it as root (sudo), or set DESTDIR" >&2
  exit 1
fi
for file in "$from/granary-$role" "$from/granary"; do
  [ -f "$file" ] || { echo "error: $file is missing: build the release first (scripts/release.sh) or point --from at the release files" >&2; exit 1; }
done
for file in "$units/granary-$role.service" "$units/$role.env.example" "$here/uninstall.sh"; do
  [ -f "$file" ] || { echo "error: $file is missing: run install.sh from the release folder (or deploy/ in the source tree)" >&2; exit 1; }
done
if [ -n "$env_file" ] && [ ! -f "$env_file" ]; then
  echo "error: --env-file $env_file does not exist" >&2
  exit 1
fi

changed=false
# put MODE SOURCE TARGET: installs SOURCE as TARGET unless it is there already, byte for byte.
put() {
  if [ -f "$3" ] && cmp -s "$2" "$3"; then
    echo "unchanged $3"
  else
    mkdir -p "$(dirname "$3")"
    # Into a temporary file beside the target, then renamed: a running binary is replaced, never overwritten in place.
    cp "$2" "$3.granary-new"
    chmod "$1" "$3.granary-new"
    mv -f "$3.granary-new" "$3"
    echo "installed $3"
    changed=true
  fi
}

put 0755 "$from/granary-$role" "$destdir/usr/local/bin/granary-$role"
put 0755 "$from/granary" "$destdir/usr/local/bin/granary"
put 0644 "$units/granary-$role.service" "$destdir/etc/systemd/system/granary-$role.service"
put 0755 "$here/uninstall.sh" "$destdir/usr/local/bin/granary-uninstall.sh"
mkdir -p "$destdir/etc/granary"
chmod 0755 "$destdir/etc/granary"
env_target=$destdir/etc/granary/$role.env
if [ -n "$env_file" ]; then
  put 0640 "$env_file" "$env_target"
elif [ -f "$env_target" ]; then
  echo "kept      $env_target (the operator's settings)"
else
  put 0640 "$units/$role.env.example" "$env_target"
fi

if [ -n "$destdir" ]; then
  echo "DESTDIR=$destdir: no user created, no service enabled or started"
  exit 0
fi

if [ "$role" = silo ]; then
  # The silo runs as its own unprivileged user (User=granary in the unit); it reads the env file and certificates.
  if ! getent passwd granary >/dev/null 2>&1; then
    useradd --system --user-group --no-create-home --home-dir /var/lib/granary --shell /usr/sbin/nologin granary
    echo "created user granary"
  fi
  chgrp granary "$env_target"
fi

if [ ! -d /run/systemd/system ]; then
  echo "systemd is not running here: start /usr/local/bin/granary-$role yourself (settings: $env_target)"
  exit 0
fi
systemctl daemon-reload
systemctl enable "granary-$role.service" >/dev/null
echo "enabled   granary-$role.service"
if [ "$start" = true ]; then
  if [ "$changed" = true ] || ! systemctl is-active --quiet "granary-$role.service"; then
    # Type=notify: this returns once the service said READY=1 (or failed); journalctl -u granary-$role says why.
    systemctl restart "granary-$role.service"
    echo "started   granary-$role.service"
  else
    echo "running   granary-$role.service (nothing changed)"
  fi
fi
