#!/usr/bin/env bash
# Paired A/B of Portico's auth modes: one Portico per mode (plain, API key + rate limit, JWT RS256
# with one token reused), all loaded at the same time by their own wrk, so every mode sees the same
# machine. Prints req/s and CPU microseconds per request of each portico process
# (utime+stime / requests). Run by hand:
#   PORTICO=build/release/app/portico-cli REPS=4 DURATION=6s bash tests/bench/auth-pair.sh
set -euo pipefail
. "$(dirname "$0")/jwt.sh"
PORTICO=${PORTICO:?}
DURATION=${DURATION:-6s}
REPS=${REPS:-3}
CONNS=${CONNS:-64}
MODES=${MODES:-"none key jwt"}
work=$(mktemp -d /tmp/auth-ab.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
body=$(head -c 1024 /dev/zero | tr '\0' 'x')
mkdir -p "$work/up"
cat > "$work/up/nginx.conf" <<CONF
worker_processes 1;
pid $work/up/nginx.pid;
error_log $work/up/error.log;
daemon off;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/up; proxy_temp_path $work/up; fastcgi_temp_path $work/up;
  uwsgi_temp_path $work/up; scgi_temp_path $work/up;
  keepalive_requests 1000000;
  server { listen 127.0.0.1:18091; location / { default_type text/plain; return 200 "$body"; } }
}
CONF
nginx -c "$work/up/nginx.conf" & pids+=($!)
token=$(bench_jwt "$work")
conf() { # mode
  local PORT=$2 APORT=$3
  local route="{name: all, match: {path: /}, upstream: up}"
  local extra=""
  case $1 in
    key) route="{name: all, match: {path: /}, upstream: up, auth: [keys], rate_limit: {requests: 1000000000, per: 1m, by: consumer}}"
         extra=$'consumers: [{name: bench, api_keys: [bench-key-0123456789]}]\nauth:\n  keys: {type: api_key, header: X-API-Key}' ;;
    jwt) route="{name: all, match: {path: /}, upstream: up, auth: [idp]}"
         extra=$'consumers: [{name: bench, jwt_subject: bench}]\nauth:\n  idp: {type: jwt, algorithms: [RS256], public_key: '"$work/jwt.pub"', consumer_claim: sub}' ;;
  esac
  cat > "$work/portico-$1.yaml" <<CONF
version: 1
gateway: {listen: 127.0.0.1:$PORT, workers: ${WORKERS:-1}}
admin: {listen: 127.0.0.1:$APORT}
capture: {enabled: false}
upstreams:
  up: {targets: [{url: http://127.0.0.1:18091}]}
routes:
  - $route
$extra
CONF
}
cpu() { awk '{print $14+$15}' "/proc/$1/stat"; }
tck=$(getconf CLK_TCK)
declare -A port pid hdrs
i=0
for m in $MODES; do
  port[$m]=$((18094 + i)); conf "$m" "${port[$m]}" $((19094 + i)); i=$((i + 1))
  "$PORTICO" serve -c "$work/portico-$m.yaml" > "$work/portico-$m.log" 2>&1 & pid[$m]=$!; pids+=(${pid[$m]})
done
hdr_for() { case $1 in key) echo "X-API-Key: bench-key-0123456789";; jwt) echo "Authorization: Bearer $token";; *) echo "X-None: 1";; esac; }
for m in $MODES; do
  for _ in $(seq 50); do curl -sf -o /dev/null -H "$(hdr_for $m)" "http://127.0.0.1:${port[$m]}/" && break; sleep 0.1; done
  wrk -t1 -c"$CONNS" -d2s -H "$(hdr_for $m)" "http://127.0.0.1:${port[$m]}/" > /dev/null
done
for rep in $(seq "$REPS"); do
  declare -A c0 outf
  for m in $MODES; do c0[$m]=$(cpu ${pid[$m]}); done
  wp=()
  for m in $MODES; do
    wrk -t1 -c"$CONNS" -d"$DURATION" -H "$(hdr_for $m)" "http://127.0.0.1:${port[$m]}/" > "$work/wrk-$m.out" & wp+=($!)
  done
  if [ -n "${PERF:-}" ] && [ "$rep" = 1 ]; then
    pp=()
    for m in $MODES; do
      perf record -F 1999 --call-graph dwarf,16384 -p "${pid[$m]}" -o "/tmp/pperf-$m.data" -- sleep 5 >/dev/null 2>&1 & pp+=($!)
    done
    wait "${pp[@]}"
  fi
  wait "${wp[@]}"
  for m in $MODES; do
    c1=$(cpu ${pid[$m]})
    reqs=$(awk '/requests in/ {print $1}' "$work/wrk-$m.out")
    rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk-$m.out")
    bad=$(grep -E 'Non-2xx|Socket errors' "$work/wrk-$m.out" | tr -s ' ' || true)
    awk -v m="$m" -v r="$rep" -v rps="$rps" -v c0="${c0[$m]}" -v c1="$c1" -v n="$reqs" -v t="$tck" -v bad="$bad" \
      'BEGIN { printf "rep %s %-5s %9.0f req/s  %6.1f us CPU/req %s\n", r, m, rps, (c1-c0)/t*1e6/n, bad }'
  done
done
