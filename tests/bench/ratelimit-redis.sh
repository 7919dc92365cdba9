#!/usr/bin/env bash
# What a shared rate limit costs per request (run by hand, not in CI). On loopback:
#   a fixed upstream   nginx `return 200` with a 1 KiB body                      :18181
#   Portico            portico-cli serve, capture off, one route with a limit    :18184
#   redis-server       no persistence                                            :18185
# wrk measures the same route with the limit kept in the process (rate_limit_store absent) and
# in Redis (rate_limit_store.redis), and the script prints req/s, p50/p99 and the mean Redis round
# trip seen by the gateway (portico_rate_limit_store_duration_seconds).
#
#   PORTICO=build/ci/app/portico-cli bash tests/bench/ratelimit-redis.sh
#   WORKERS=2 CONNECTIONS=64 DURATION=10s BY=ip bash tests/bench/ratelimit-redis.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
WORKERS=${WORKERS:-1}
DURATION=${DURATION:-8s}
CONNECTIONS=${CONNECTIONS:-64}
BY=${BY:-route}   # route: every request on one Redis key (the worst case); ip: also one key on loopback
PORTICO=${PORTICO:-build/release/app/portico-cli}
for tool in nginx wrk redis-server curl; do
  command -v "$tool" >/dev/null || { echo "missing $tool: bash packaging/install-deps.sh --bench" >&2; exit 2; }
done
[ -x "$PORTICO" ] || { echo "build Portico first ($PORTICO missing)" >&2; exit 2; }

work=$(mktemp -d /tmp/portico-rl-bench.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
body=$(head -c 1024 /dev/zero | tr '\0' 'x')

cat > "$work/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/error.log;
daemon off;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work; proxy_temp_path $work; fastcgi_temp_path $work; uwsgi_temp_path $work; scgi_temp_path $work;
  keepalive_requests 1000000;
  server { listen 127.0.0.1:18181; location / { default_type text/plain; return 200 "$body"; } }
}
CONF
nginx -c "$work/nginx.conf" & pids+=($!)
redis-server --port 18185 --bind 127.0.0.1 --save '' --appendonly no --loglevel warning & pids+=($!)
sleep 0.5

run() { # $1 = label, $2 = extra workspace text
  cat > "$work/portico.yaml" <<CONF
version: 1
gateway: {listen: 127.0.0.1:18184, workers: $WORKERS}
admin: {listen: 127.0.0.1:19184}
capture: {enabled: false}
$2
upstreams:
  up: {targets: [{url: http://127.0.0.1:18181}]}
routes:
  - {name: limited, match: {path: /}, upstream: up, rate_limit: {requests: 1000000000, per: 1m, by: $BY}}
CONF
  "$PORTICO" serve -c "$work/portico.yaml" > "$work/serve.log" 2>&1 & local pid=$!
  pids+=("$pid")
  for _ in $(seq 50); do curl -fs -o /dev/null http://127.0.0.1:18184/ && break; sleep 0.1; done
  wrk -t"$(( CONNECTIONS < 2 ? 1 : 2 ))" -c"$CONNECTIONS" -d"$DURATION" --latency http://127.0.0.1:18184/ > "$work/wrk.txt"
  local rps p50 p99 rtt
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")
  p50=$(awk '$1 == "50%" {print $2}' "$work/wrk.txt")
  p99=$(awk '$1 == "99%" {print $2}' "$work/wrk.txt")
  rtt=$(curl -fs http://127.0.0.1:19184/metrics | awk '
    /^portico_rate_limit_store_duration_seconds_sum/ {s=$2} /^portico_rate_limit_store_duration_seconds_count/ {c=$2}
    END { if (c > 0) printf "%.1f us (%d decisions)", s / c * 1e6, c; else print "-" }')
  local bad
  bad=$(awk '/Non-2xx/ {print $NF}' "$work/wrk.txt")
  printf '%-6s %10s req/s  p50 %8s  p99 %8s  non-2xx %s  Redis round trip %s\n' "$1" "$rps" "$p50" "$p99" "${bad:-0}" "$rtt"
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

echo "workers=$WORKERS connections=$CONNECTIONS duration=$DURATION by=$BY"
run local ""
run redis "rate_limit_store: {redis: 'redis://127.0.0.1:18185/0', on_error: deny}"
run local ""
run redis "rate_limit_store: {redis: 'redis://127.0.0.1:18185/0', on_error: deny}"
errors=$(redis-cli -p 18185 info stats | awk -F: '/total_commands_processed/ {print $2}' | tr -d '\r')
echo "redis commands processed: $errors"
