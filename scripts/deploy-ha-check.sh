#!/usr/bin/env bash
# Runs every step of docs/deploy-ha.md on this one machine, with the release binaries (.artifacts/release) and the
# hosts of the walkthrough played by loopback addresses:
#   master-1..3   silos             127.0.2.1, 127.0.2.2, 127.0.2.3   (docs: 192.0.2.1-3)
#   redis-1       Redis primary     127.0.2.10                        (docs: 192.0.2.10)
#   redis-2       Redis replica     127.0.2.11                        (docs: 192.0.2.11)
#   sentinel      Redis Sentinel    127.0.2.12                        (docs: one on each master)
#   worker-1..3   node agents       127.0.0.97, 127.0.0.98, 127.0.0.99 (docs: 192.0.2.21-23)
# Each host's files are installed by install.sh under a root of its own (DESTDIR), and each service is started as its
# systemd unit would start it: the env file the installer put in place, then ExecStart with $GRANARY_*_ARGS.
# Pods run as host processes (the process driver; the docs use Docker) on loopback pod addresses 127.1.97-99.0/24;
# services take cluster IPs from 127.191.0.0/16.
#
# Usage: scripts/deploy-ha-check.sh [--release DIR] [--allow-missing] [--keep]
#   --release DIR     the release files to use (default .artifacts/release, built by scripts/release.sh if missing)
#   --allow-missing   a step whose feature this build lacks is reported MISSING and the walkthrough goes on without
#                     it (the silos then run without cluster certificates, say); by default it stops there, failing
#   --keep            leave the work folder (/tmp/granary-ha.*) and its logs
# Needs: root (binds 127.0.2.x:6443 and the agents' DNS on port 53), redis-server (apt-get install redis-server),
# kubectl, openssl. Builds the release with scripts/release.sh when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

allow_missing=false
keep=false
release=$repo/.artifacts/release
while [ $# -gt 0 ]; do
  case "$1" in
    --release) [ $# -ge 2 ] || { echo "error: --release needs a folder" >&2; exit 2; }; release=$(cd "$2" && pwd); shift ;;
    --allow-missing) allow_missing=true ;;
    --keep) keep=true ;;
    -h|--help) sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "error: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
work=$(mktemp -d /tmp/granary-ha.XXXXXX)
hosts=$work/hosts
logs=$work/logs
pki=$work/pki             # docs: /etc/granary/pki on the host where the CA is made, then copied
mkdir -p "$hosts" "$logs" "$pki"
pids=()
results=()
missing=()

# The agents leave their pods running and the pods' tmpfs volumes mounted when they stop (as the kubelet does, so a
# restart adopts them): the walkthrough's pods are host processes working under $work, and their mounts are there too.
stop_pods_and_mounts() {
  local proc cwd mount
  for proc in /proc/[0-9]*; do
    cwd=$(readlink "$proc/cwd" 2> /dev/null) || continue
    case "$cwd/" in "$work"/*) kill -KILL "${proc#/proc/}" 2> /dev/null || true ;; esac
  done
  # Deepest first, so no mount is busy with another under it.
  awk -v root="$work/" 'index($2, root) == 1 { print $2 }' /proc/self/mounts | sort -r | while read -r mount; do
    umount "$mount" 2> /dev/null || umount -l "$mount" || echo "warning: could not unmount $mount" >&2
  done
}

stop_all() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  stop_pods_and_mounts
  if [ "$keep" = true ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap stop_all EXIT

step=""
begin() { step=$1; echo; echo "==> $step"; }
pass() { results+=("PASS     $step"); }
fail() {
  echo "deploy-ha-check: FAILED at \"$step\": $*" >&2
  local f
  for f in "$logs"/*.log; do [ -s "$f" ] && { echo "--- $f (last lines)" >&2; tail -n 25 "$f" >&2; }; done
  # What the cluster says of itself, when its API answers: the objects the failed step was waiting on.
  if [ -s "$work/admin.kubeconfig" ]; then
    echo "--- the cluster's view" >&2
    timeout 20 kubectl --kubeconfig "$work/admin.kubeconfig" get nodes,deployments,replicasets,pods -A -o wide >&2 2>&1 || true
  fi
  exit 1
}
# A feature another part of the build brings: stop here, or with --allow-missing note it and go on without it.
lacks() {
  if [ "$allow_missing" = true ]; then
    echo "MISSING: $*"
    results+=("MISSING  $step: $*")
    missing+=("$step")
    return 0
  fi
  fail "this build lacks it: $* (run with --allow-missing to walk through the rest without it)"
}
# wait_until SECONDS WHAT COMMAND...: polls COMMAND until it succeeds, with a deadline; never a fixed sleep.
wait_until() {
  local seconds=$1 what=$2 deadline
  shift 2
  deadline=$((SECONDS + seconds))
  until "$@" > /dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || fail "$what: not so within $seconds s ($*)"
    sleep 0.5
  done
}
# start NAME ENV_FILE COMMAND ARGS_VARIABLE: runs COMMAND as its systemd unit would (EnvironmentFile=, then
# ExecStart=COMMAND $ARGS_VARIABLE, the variable split on spaces), in the background, output in logs/NAME.log.
start() {
  local name=$1 env_file=$2 command=$3 args_variable=$4
  (
    # systemd's EnvironmentFile=: KEY=value lines taken as they are (no shell quoting or expansion), # comments.
    local line
    while IFS= read -r line || [ -n "$line" ]; do
      case "$line" in ''|'#'*) continue ;; esac
      export "${line%%=*}=${line#*=}"
    done < "$env_file"
    # shellcheck disable=SC2086
    exec "$command" ${!args_variable:-}
  ) > "$logs/$name.log" 2>&1 &
  pids+=($!)
  eval "pid_$(echo "$name" | tr - _)=$!"
}
# 'kubectl' as the docs' admin runs it, against one master or another.
k() { kubectl --kubeconfig "$work/admin.kubeconfig" "$@"; }
sentinel() { redis-cli -h 127.0.2.12 -p 26379 -a "$redis_password" --no-auth-warning "$@"; }

masters=(master-1 master-2 master-3)
declare -A ip=([master-1]=127.0.2.1 [master-2]=127.0.2.2 [master-3]=127.0.2.3
               [worker-1]=127.0.0.97 [worker-2]=127.0.0.98 [worker-3]=127.0.0.99)
declare -A podcidr=([worker-1]=127.1.97.0/24 [worker-2]=127.1.98.0/24 [worker-3]=127.1.99.0/24)
workers=(worker-1 worker-2 worker-3)
redis_password=$(openssl rand -hex 16)

# ---------------------------------------------------------------------------------------------------------------------
begin "0. Release files (docs: Release files)"
[ "$(id -u)" = 0 ] || fail "run as root: the silos' API binds 127.0.2.x:6443 and each agent's DNS binds port 53"
for tool in redis-server redis-cli kubectl openssl; do
  command -v "$tool" > /dev/null || fail "$tool is missing (apt-get install redis-server kubectl openssl)"
done
if [ ! -x "$release/granary-silo" ] || [ ! -x "$release/granary-agent" ] || [ ! -x "$release/granary" ]; then
  echo "no release in $release: building it (scripts/release.sh)"
  scripts/release.sh > "$logs/release.log" 2>&1 || fail "scripts/release.sh failed"
fi
(cd "$release" && sha256sum --quiet -c SHA256SUMS) || fail "the release files do not match their SHA256SUMS"
granary=$release/granary
pass

# ---------------------------------------------------------------------------------------------------------------------
begin "1. Install the binaries and units (docs: Install on every host)"
for host in "${masters[@]}"; do
  DESTDIR=$hosts/$host "$release/install.sh" --role silo > "$logs/install-$host.log" || fail "install.sh --role silo on $host"
done
for host in "${workers[@]}"; do
  DESTDIR=$hosts/$host "$release/install.sh" --role agent > "$logs/install-$host.log" || fail "install.sh --role agent on $host"
done
# Idempotent: a second run on a master changes nothing.
DESTDIR=$hosts/master-1 "$release/install.sh" --role silo > "$logs/install-again.log"
! grep -q '^installed' "$logs/install-again.log" || fail "a second install.sh run changed files: $(grep '^installed' "$logs/install-again.log")"
pass

# ---------------------------------------------------------------------------------------------------------------------
begin "2. Redis: a primary with AOF, a replica, Sentinel (docs: Redis)"
mkdir -p "$work/redis-1" "$work/redis-2" "$work/sentinel"
# On one machine a replica would be seen at 127.0.0.1 (its connection's source address): each announces its own.
redis-server --bind 127.0.2.10 --port 6379 --replica-announce-ip 127.0.2.10 --dir "$work/redis-1" --appendonly yes --save "" \
  --requirepass "$redis_password" --masterauth "$redis_password" --protected-mode no > "$logs/redis-1.log" 2>&1 &
pids+=($!)
redis-server --bind 127.0.2.11 --port 6379 --replica-announce-ip 127.0.2.11 --dir "$work/redis-2" --appendonly yes --save "" \
  --requirepass "$redis_password" --masterauth "$redis_password" --replicaof 127.0.2.10 6379 --protected-mode no > "$logs/redis-2.log" 2>&1 &
pids+=($!)
cat > "$work/sentinel/sentinel.conf" <<EOF
bind 127.0.2.12
port 26379
dir $work/sentinel
requirepass $redis_password
sentinel monitor granary 127.0.2.10 6379 1
sentinel auth-pass granary $redis_password
sentinel down-after-milliseconds granary 2000
sentinel failover-timeout granary 10000
EOF
# redis-sentinel is redis-server in sentinel mode; the package of that name only adds a service for it.
redis-server "$work/sentinel/sentinel.conf" --sentinel > "$logs/sentinel.log" 2>&1 &
pids+=($!)
wait_until 30 "the replica in sync with the primary" \
  sh -c "redis-cli -h 127.0.2.11 -a '$redis_password' --no-auth-warning info replication | grep -q 'master_link_status:up'"
wait_until 30 "Sentinel naming the primary" sh -c "redis-cli -h 127.0.2.12 -p 26379 -a '$redis_password' --no-auth-warning sentinel get-master-addr-by-name granary | grep -q 127.0.2.10"
redis-cli -h 127.0.2.10 -a "$redis_password" --no-auth-warning config get appendonly | grep -qx yes || fail "the primary does not run with appendonly yes"
pass
redis="127.0.2.12:26379,serviceName=granary,password=$redis_password"

# ---------------------------------------------------------------------------------------------------------------------
begin "3. Certificates: the cluster CA, one per silo, node and user (docs: Certificates)"
certs=true
if "$granary" certs ca --dir "$pki" > "$logs/certs.log" 2>&1 && [ -f "$pki/ca.crt" ] && [ -f "$pki/ca.key" ]; then
  for host in "${masters[@]}"; do
    "$granary" certs silo "$host" --dir "$pki" --address "${ip[$host]}" >> "$logs/certs.log" 2>&1 || fail "granary certs silo $host"
    [ -f "$pki/silo-$host.crt" ] && [ -f "$pki/silo-$host.key" ] || fail "granary certs silo $host wrote no silo-$host.crt/.key"
  done
  for host in "${workers[@]}"; do
    "$granary" certs node "$host" --dir "$pki" --address "${ip[$host]}" >> "$logs/certs.log" 2>&1 || fail "granary certs node $host"
    [ -f "$pki/node-$host.crt" ] || fail "granary certs node $host wrote no node-$host.crt"
  done
  "$granary" certs user admin --dir "$pki" --group system:masters >> "$logs/certs.log" 2>&1 || fail "granary certs user admin"
  "$granary" certs user alice --dir "$pki" --group dev >> "$logs/certs.log" 2>&1 || fail "granary certs user alice"
  openssl verify -CAfile "$pki/ca.crt" "$pki/silo-master-1.crt" "$pki/node-worker-1.crt" "$pki/user-alice.crt" > /dev/null \
    || fail "the certificates do not verify against ca.crt"
  pass
else
  certs=false
  lacks "granary certs ca|silo|node|user ($(head -n 1 "$logs/certs.log"))"
fi

# ---------------------------------------------------------------------------------------------------------------------
begin "4. Tokens: one token file for every master (docs: Tokens)"
admin_token=$(openssl rand -hex 32)
printf '%s,admin,admin-uid,"system:masters"\n' "$admin_token" > "$pki/tokens.csv"
chmod 0600 "$pki/tokens.csv"
pass

# ---------------------------------------------------------------------------------------------------------------------
begin "5. Masters: settings and start (docs: Masters)"
for host in "${masters[@]}"; do
  root=$hosts/$host
  mkdir -p "$root/etc/granary/pki" "$root/var/lib/granary/silo"
  cp "$pki/tokens.csv" "$root/etc/granary/tokens.csv"
  {
    echo "GRANARY_REDIS=$redis"
    echo "GRANARY_ADVERTISEDADDRESS=${ip[$host]}"
    echo "GRANARY_APIADDRESS=${ip[$host]}"
    echo "GRANARY_TOKENAUTHFILE=$root/etc/granary/tokens.csv"
    echo "GRANARY_SERVICECIDR=127.191.0.0/16"
    # What the unit sets itself (Environment=): where the kubeconfig and generated files go.
    echo "GRANARY_KUBECONFIG=$root/var/lib/granary/silo/kubeconfig"
    if [ "$certs" = true ]; then
      cp "$pki/ca.crt" "$pki/ca.key" "$pki/silo-$host.crt" "$pki/silo-$host.key" "$root/etc/granary/pki/"
      echo "GRANARY_APICERTIFICATE=$root/etc/granary/pki/silo-$host.crt"
      echo "GRANARY_APICERTIFICATEKEY=$root/etc/granary/pki/silo-$host.key"
      echo "GRANARY_APICERTIFICATECA=$root/etc/granary/pki/ca.crt"
      echo "GRANARY_SILO_ARGS=--cluster-ca $root/etc/granary/pki/ca.crt --cluster-ca-key $root/etc/granary/pki/ca.key --tls-certificate $root/etc/granary/pki/silo-$host.crt --tls-key $root/etc/granary/pki/silo-$host.key"
    fi
  } > "$work/silo-$host.env"
  DESTDIR=$root "$release/install.sh" --role silo --env-file "$work/silo-$host.env" > /dev/null || fail "install.sh --env-file on $host"
  start "silo-$host" "$root/etc/granary/silo.env" "$root/usr/local/bin/granary-silo" GRANARY_SILO_ARGS
done
for host in "${masters[@]}"; do
  wait_until 180 "silo $host ready" grep -q "Silo ready" "$logs/silo-$host.log"
  wait_until 60 "silo $host's API listening" grep -q "Now listening on: https://${ip[$host]}:6443" "$logs/silo-$host.log"
done
if [ "$certs" = true ] && grep -q "unknown flag --cluster-ca" "$logs"/silo-*.log; then
  fail "the silos do not take --cluster-ca: granary certs exists but the silo flags do not"
fi
# The admin's kubeconfig: every master behind one name would be a load balancer; here, master-1 first.
ca_for_kubectl=$hosts/master-1/etc/granary/pki/ca.crt
[ "$certs" = true ] || ca_for_kubectl=$hosts/master-1/var/lib/granary/silo/tls/ca.crt
kubectl config --kubeconfig "$work/admin.kubeconfig" set-cluster granary --server https://127.0.2.1:6443 \
  --certificate-authority "$ca_for_kubectl" --embed-certs > /dev/null
kubectl config --kubeconfig "$work/admin.kubeconfig" set-credentials admin --token "$admin_token" > /dev/null
kubectl config --kubeconfig "$work/admin.kubeconfig" set-context granary --cluster granary --user admin > /dev/null
kubectl config --kubeconfig "$work/admin.kubeconfig" use-context granary > /dev/null
wait_until 60 "kubectl get --raw /readyz on master-1" k get --raw /readyz
# The CLI reaches the silos' gateways, which take only clients of the cluster CA: the admin's certificate.
cli_tls=""
[ "$certs" = true ] && cli_tls="--cluster-ca $pki/ca.crt --tls-certificate $pki/user-admin.crt --tls-key $pki/user-admin.key"
# The CLI gives up connecting after 15 s; on a loaded machine the first try may, so it is retried to a deadline.
wait_until 180 "granary cluster status listing the three silos" sh -c "GRANARY_REDIS='$redis' '$granary' cluster status $cli_tls > '$logs/cluster-status.log' 2>&1 \
  && grep -q '127.0.2.1:11111' '$logs/cluster-status.log' && grep -q '127.0.2.2:11111' '$logs/cluster-status.log' && grep -q '127.0.2.3:11111' '$logs/cluster-status.log'"
cat "$logs/cluster-status.log"
pass

# ---------------------------------------------------------------------------------------------------------------------
begin "6. Workers: settings and start (docs: Workers)"
for host in "${workers[@]}"; do
  root=$hosts/$host
  mkdir -p "$root/etc/granary/pki" "$root/var/lib/granary/agent"
  {
    echo "GRANARY_REDIS=$redis"
    echo "GRANARY_NODENAME=$host"
    echo "GRANARY_NODEIP=${ip[$host]}"
    # The docs use Docker and bridge networking; on one machine, host processes on loopback pod addresses.
    echo "GRANARY_DRIVER=process"
    echo "GRANARY_ENABLEPROCESSDRIVER=true"
    echo "GRANARY_PODNETWORK=loopback"
    echo "GRANARY_PODCIDR=${podcidr[$host]}"
    echo "GRANARY_STATEDIR=$root/var/lib/granary/agent"
    echo "GRANARY_LOCALPATHROOT=$root/var/lib/granary/storage"
    if [ "$certs" = true ]; then
      cp "$pki/ca.crt" "$pki/node-$host.crt" "$pki/node-$host.key" "$root/etc/granary/pki/"
      echo "GRANARY_AGENT_ARGS=--cluster-ca $root/etc/granary/pki/ca.crt --tls-certificate $root/etc/granary/pki/node-$host.crt --tls-key $root/etc/granary/pki/node-$host.key"
    fi
  } > "$work/agent-$host.env"
  DESTDIR=$root "$release/install.sh" --role agent --env-file "$work/agent-$host.env" > /dev/null || fail "install.sh --env-file on $host"
  start "agent-$host" "$root/etc/granary/agent.env" "$root/usr/local/bin/granary-agent" GRANARY_AGENT_ARGS
done
for host in "${workers[@]}"; do
  wait_until 120 "node $host Ready" sh -c "kubectl --kubeconfig '$work/admin.kubeconfig' get node $host -o jsonpath='{.status.conditions[?(@.type==\"Ready\")].status}' | grep -qx True"
done
k get nodes -o wide
pass

# ---------------------------------------------------------------------------------------------------------------------
begin "7. A first workload (docs: Check the cluster)"
k create namespace team-a > /dev/null
k -n team-a create deployment web --image=busybox --replicas=3 -- sh -c 'while true; do sleep 1; done' > /dev/null
wait_until 120 "deployment web available" k -n team-a rollout status deployment/web --timeout=5s
k -n team-a get pods -o wide
k -n team-a expose deployment web --port 80 > /dev/null
k -n team-a get service web -o jsonpath='{.spec.clusterIP}' | grep -q '^127\.191\.' || fail "service web has no cluster IP from 127.191.0.0/16"
pass

# ---------------------------------------------------------------------------------------------------------------------
begin "8. RBAC: a user who may edit one namespace (docs: Users and RBAC)"
if k api-resources --api-group=rbac.authorization.k8s.io -o name 2> /dev/null | grep -q '^rolebindings'; then
  k -n team-a create rolebinding alice-edit --clusterrole=edit --user=alice > /dev/null || fail "kubectl create rolebinding"
  [ "$(k auth can-i create deployments -n team-a --as alice)" = yes ] || fail "alice may not create deployments in team-a"
  [ "$(k auth can-i create deployments -n default --as alice || true)" = no ] || fail "alice may create deployments in default"
  if [ "$certs" = true ]; then
    cp "$work/admin.kubeconfig" "$work/alice.kubeconfig"
    kubectl config --kubeconfig "$work/alice.kubeconfig" set-credentials alice \
      --client-certificate "$pki/user-alice.crt" --client-key "$pki/user-alice.key" --embed-certs > /dev/null
    kubectl config --kubeconfig "$work/alice.kubeconfig" set-context granary --cluster granary --user alice > /dev/null
    kubectl --kubeconfig "$work/alice.kubeconfig" auth whoami | grep -q alice || fail "kubectl auth whoami does not say alice"
    kubectl --kubeconfig "$work/alice.kubeconfig" -n team-a get pods > /dev/null || fail "alice cannot list pods in team-a"
    ! kubectl --kubeconfig "$work/alice.kubeconfig" -n default get pods > /dev/null 2>&1 || fail "alice can list pods in default"
  fi
  pass
else
  lacks "RBAC (rbac.authorization.k8s.io is not served)"
fi

# ---------------------------------------------------------------------------------------------------------------------
begin "9. ServiceAccount tokens (docs: Tokens for programs)"
k -n team-a create serviceaccount ci > /dev/null || fail "kubectl create serviceaccount"
if token=$(k -n team-a create token ci --duration 1h 2> "$logs/create-token.log"); then
  k -n team-a create rolebinding ci-view --clusterrole=view --serviceaccount=team-a:ci > /dev/null || fail "kubectl create rolebinding ci-view"
  kubectl --kubeconfig "$work/admin.kubeconfig" --token "$token" -n team-a get pods > /dev/null || fail "the ServiceAccount token cannot list pods in team-a"
  pass
else
  lacks "kubectl create token ($(head -n 1 "$logs/create-token.log"))"
fi

# ---------------------------------------------------------------------------------------------------------------------
begin "10. A master goes down (docs: Failures: a master)"
kill -TERM "$pid_silo_master_1"
wait "$pid_silo_master_1" 2> /dev/null || true
kubectl config --kubeconfig "$work/admin.kubeconfig" set-cluster granary --server https://127.0.2.2:6443 > /dev/null
[ "$certs" = true ] || kubectl config --kubeconfig "$work/admin.kubeconfig" set-cluster granary \
  --certificate-authority "$hosts/master-2/var/lib/granary/silo/tls/ca.crt" --embed-certs > /dev/null
wait_until 60 "master-2 answering with master-1 down" k -n team-a get deployment web
k -n team-a scale deployment web --replicas=4 > /dev/null || fail "scaling through master-2"
wait_until 120 "4 replicas with master-1 down" sh -c "kubectl --kubeconfig '$work/admin.kubeconfig' -n team-a get deployment web -o jsonpath='{.status.readyReplicas}' | grep -qx 4"
start "silo-master-1" "$hosts/master-1/etc/granary/silo.env" "$hosts/master-1/usr/local/bin/granary-silo" GRANARY_SILO_ARGS
wait_until 180 "master-1 back" sh -c "grep -c 'Silo ready' '$logs/silo-master-1.log' | grep -qx 1"
pass

# ---------------------------------------------------------------------------------------------------------------------
begin "11. Redis fails over to the replica (docs: Failures: Redis)"
sentinel sentinel failover granary > /dev/null || fail "sentinel failover"
wait_until 60 "Sentinel naming the replica as primary" sh -c "redis-cli -h 127.0.2.12 -p 26379 -a '$redis_password' --no-auth-warning sentinel get-master-addr-by-name granary | grep -q 127.0.2.11"
wait_until 60 "writes after the failover" k -n team-a create configmap after-failover --from-literal=at="$(date +%s)"
k -n team-a get configmap after-failover > /dev/null || fail "the configmap written after the failover is not there"
redis-cli -h 127.0.2.11 -a "$redis_password" --no-auth-warning role | head -n 1 | grep -qx master || fail "redis-2 is not the primary"
pass

# ---------------------------------------------------------------------------------------------------------------------
begin "12. Uninstall a worker (docs: Upgrade and uninstall)"
k drain worker-3 --ignore-daemonsets --timeout 120s > "$logs/drain.log" 2>&1 || fail "kubectl drain worker-3: $(tail -n 3 "$logs/drain.log")"
kill -TERM "$pid_agent_worker_3"
wait "$pid_agent_worker_3" 2> /dev/null || true
DESTDIR=$hosts/worker-3 "$hosts/worker-3/usr/local/bin/granary-uninstall.sh" > "$logs/uninstall.log" || fail "granary-uninstall.sh on worker-3"
[ ! -e "$hosts/worker-3/usr/local/bin/granary-agent" ] || fail "granary-agent still on worker-3"
k delete node worker-3 > /dev/null || fail "kubectl delete node worker-3"
pass

echo
echo "deploy-ha-check: every step of docs/deploy-ha.md"
printf '  %s\n' "${results[@]}"
if [ ${#missing[@]} -gt 0 ]; then
  echo "deploy-ha-check: walked through, but ${#missing[@]} step(s) ran without a feature this build lacks"
  exit 3
fi
echo "deploy-ha-check: OK"
