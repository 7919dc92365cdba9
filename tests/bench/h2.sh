#!/usr/bin/env bash
# HTTP/2 benchmark, by hand (not a test): h2load (nghttp2-client) against
#   a fixed upstream        nginx `return 200` with a 1 KiB body, HTTP/1.1    :18091 (h2c on :18095)
#   nginx reverse proxy     `listen ... http2` (h2c), keep-alive upstream, log :18092
#   Portico                 gateway.http2: true, same upstream                :18094
# side by side in one run, same worker count, at 1 stream per connection (64 connections) and 100
# streams per connection (4 connections), and prints throughput, the mean latency h2load reports,
# and CPU per request (user + system time of the serving processes / requests) with Portico's
# ratios to nginx.
#
#   bash tests/bench/h2.sh                   # WORKERS=1, capture on, 10 s per run, 1 round
#   ROUNDS=5 DURATION=5 bash tests/bench/h2.sh  # 5 paired rounds: per-round ratios and their medians
#   CAPTURE=off bash tests/bench/h2.sh
#   UPSTREAM=h2c bash tests/bench/h2.sh      # Portico reaches the upstream over h2c (nginx cannot
#                                            # proxy_pass to HTTP/2, so nginx keeps HTTP/1.1)
#   PORTICO=build/ci/app/portico-cli WORKERS=2 DURATION=20 bash tests/bench/h2.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
WORKERS=${WORKERS:-1}
DURATION=${DURATION:-10}
ROUNDS=${ROUNDS:-1}
CAPTURE=${CAPTURE:-on}
UPSTREAM=${UPSTREAM:-http1}
PORTICO=${PORTICO:-build/release/app/portico-cli}
for tool in nginx h2load curl; do
  command -v "$tool" >/dev/null || { echo "missing $tool: bash packaging/install-deps.sh --bench" >&2; exit 2; }
done
[ -x "$PORTICO" ] || { echo "build Portico first: cmake --workflow --preset release ($PORTICO missing)" >&2; exit 2; }

work=$(mktemp -d /tmp/portico-h2bench.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
body=$(head -c 1024 /dev/zero | tr '\0' 'x')
temp_paths() { echo "client_body_temp_path $1; proxy_temp_path $1; fastcgi_temp_path $1; uwsgi_temp_path $1; scgi_temp_path $1;"; }

mkdir -p "$work/up" "$work/proxy"
cat > "$work/up/nginx.conf" <<CONF
worker_processes 1;
pid $work/up/nginx.pid;
error_log $work/up/error.log;
daemon off;
events { worker_connections 4096; }
http {
  access_log off;
  $(temp_paths "$work/up")
  keepalive_requests 1000000;
  server { listen 127.0.0.1:18091; location / { return 200 '$body'; } }
  server { listen 127.0.0.1:18095 http2; location / { return 200 '$body'; } }
}
CONF
cat > "$work/proxy/nginx.conf" <<CONF
worker_processes $WORKERS;
pid $work/proxy/nginx.pid;
error_log $work/proxy/error.log;
daemon off;
events { worker_connections 4096; }
http {
  access_log $work/proxy/access.log;
  $(temp_paths "$work/proxy")
  keepalive_requests 1000000;
  http2_max_concurrent_streams 128;
  upstream up { server 127.0.0.1:18091; keepalive 256; }
  server { listen 127.0.0.1:18092 http2;
    location / { proxy_pass http://up; proxy_http_version 1.1; proxy_set_header Connection ""; } }
}
CONF
upstream_url=http://127.0.0.1:18091; protocol=http1
[ "$UPSTREAM" = h2c ] && { upstream_url=http://127.0.0.1:18095; protocol=h2c; }
cat > "$work/portico.yaml" <<CONF
version: 1
gateway: {listen: 127.0.0.1:18094, workers: $WORKERS, http2: true}
admin: {listen: 127.0.0.1:19094}
capture: {database: $work/traffic.db, max_body_bytes: 1KiB, retention: {max_exchanges: 100000000}}
upstreams:
  up: {targets: [{url: $upstream_url}], protocol: $protocol}
routes:
  - {name: all, match: {path: /}, upstream: up}
CONF
if [ "$CAPTURE" = off ]; then sed -i 's/^capture:.*$/capture: {enabled: false}/' "$work/portico.yaml"; fi

nginx -c "$work/up/nginx.conf" & pids+=($!)
nginx -c "$work/proxy/nginx.conf" & nginx_pid=$!; pids+=($nginx_pid)
"$PORTICO" serve -c "$work/portico.yaml" > "$work/portico.log" 2>&1 & portico_pid=$!; pids+=($portico_pid)
for port in 18091 18092 18094; do
  for _ in $(seq 50); do curl -sf --http2-prior-knowledge -o /dev/null "http://127.0.0.1:$port/" && break
    curl -sf -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
done

# CPU seconds (user + system) of a process and its children (nginx's workers).
cpu_of() {
  local t total=0 p
  t=$(getconf CLK_TCK)
  for p in "$1" $(pgrep -P "$1" || true); do
    total=$(awk -v t="$t" -v acc="$total" '{ printf "%.4f", acc + ($14+$15)/t }' "/proc/$p/stat")
  done
  echo "$total"
}

declare -A rps mean cpu ratios
measure() { # name port pid conns streams
  local out before after done_reqs
  before=$(cpu_of "$3")
  out=$(h2load -D "$DURATION" -c "$4" -m "$5" -t 2 "http://127.0.0.1:$2/")
  after=$(cpu_of "$3")
  rps[$1,$4x$5]=$(awk '/^finished in/ { gsub(",", "", $4); print $4 }' <<<"$out")
  mean[$1,$4x$5]=$(awk '/^time for request:/ { print $5 }' <<<"$out")
  done_reqs=$(awk '/^requests:/ { print $8 }' <<<"$out")
  cpu[$1,$4x$5]=$(awk -v a="$after" -v b="$before" -v n="$done_reqs" 'BEGIN { printf "%.1f", n ? (a-b)*1e6/n : 0 }')
  grep -q " 0 failed, 0 errored" <<<"$out" || echo "  $1 ${4}x$5: $(grep '^requests:' <<<"$out")" >&2
}
# Paired rounds: nginx and Portico one right after the other, per shape, ROUNDS times; each
# round's ratios are printed and the medians summarised (a shared 2-core machine drifts by 20 %
# between runs, much less within a pair).
printf '\nHTTP/2 (h2c)  WORKERS=%s  DURATION=%ss  ROUNDS=%s  capture=%s  portico upstream=%s  (%s cores)\n' \
  "$WORKERS" "$DURATION" "$ROUNDS" "$CAPTURE" "$UPSTREAM" "$(nproc)"
printf '%-6s %-8s %12s %10s %10s %14s\n' round target conns×streams req/s mean CPU_us/req
for round in $(seq "$ROUNDS"); do
  for shape in "64 1" "4 100"; do
    set -- $shape
    measure nginx 18092 "$nginx_pid" "$1" "$2"
    measure portico 18094 "$portico_pid" "$1" "$2"
    key="$1x$2"
    for name in nginx portico; do
      printf '%-6s %-8s %12s %10s %10s %14s\n' "$round" "$name" "$key" "${rps[$name,$key]}" "${mean[$name,$key]}" "${cpu[$name,$key]}"
    done
    ratios[$key]+=$(awk -v pr="${rps[portico,$key]}" -v nr="${rps[nginx,$key]}" -v pc="${cpu[portico,$key]}" -v nc="${cpu[nginx,$key]}" \
      'BEGIN { printf "%.3f,%.3f ", pr/nr, pc/nc }')
  done
done
echo
median() { tr ' ' '\n' | sed '/^$/d' | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
for key in 64x1 4x100; do
  t=$(for r in ${ratios[$key]}; do echo "${r%,*}"; done | median)
  c=$(for r in ${ratios[$key]}; do echo "${r#*,}"; done | median)
  printf 'portico/nginx @%s: throughput %.2fx, CPU per request %.2fx (medians of %s paired rounds)\n' "$key" "$t" "$c" "$ROUNDS"
done
if [ "$CAPTURE" = on ]; then
  kill -TERM "$portico_pid"; wait "$portico_pid" 2>/dev/null || true
  printf 'captured rows: %s\n' "$(sqlite3 "$work/traffic.db" 'select count(*) from exchanges')"
fi
