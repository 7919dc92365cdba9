#!/usr/bin/env bash
# Data-plane benchmark (run by hand, not in CI). Starts, on loopback, in one run:
#   a fixed upstream        nginx `return 200` with a ~1.1 KiB JSON body  :18081
#   nginx reverse proxy     keep-alive to the upstream, access log on     :18082
#   haproxy                 keep-alive to the upstream                     :18083
#   Portico                 portico-cli serve, capture on (SQLite)         :18084
# then measures each with wrk at 64 and 256 connections and prints throughput, p50/p99 latency and
# Portico's ratios to nginx. Equal worker counts: WORKERS=1 (default) or WORKERS=2.
#
#   bash tests/bench/run.sh                  # WORKERS=1, 10 s per run
#   WORKERS=2 DURATION=30s bash tests/bench/run.sh
#   CAPTURE=off bash tests/bench/run.sh      # Portico without capture
#   PORTICO=build/release/app/portico-cli bash tests/bench/run.sh
#   AUTH=key bash tests/bench/run.sh         # Portico route with API-key auth + a rate limit
#   AUTH=jwt bash tests/bench/run.sh         # Portico route with RS256 JWT auth (PEM key, one token)
#   TARGETS=portico CAPTURE=on bash tests/bench/run.sh   # only some targets (capture on/off A/B)
#   PORTICO_BASE=../old/build/ci/app/portico-cli bash tests/bench/run.sh
#       # also a second Portico (target "base", :18085) built from another commit: before/after in
#       # the same run, with CPU per request for both
#   BODY=same bash tests/bench/run.sh        # the upstream answers one JSON document every time
#
# The upstream's body is a realistic JSON page (orders, names, amounts, dates: compresses ~2.5x,
# not 1 KiB of one byte); by default (BODY=unique) each answer carries its own request id and
# time, as real APIs' answers do, so no two bodies are the same. The script prints CPU per
# request (user + system of the serving processes, nginx's workers included) for every target.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/bench/jwt.sh
WORKERS=${WORKERS:-1}
DURATION=${DURATION:-10s}
CAPTURE=${CAPTURE:-on}
PORTICO=${PORTICO:-build/release/app/portico-cli}
WRK_THREADS=${WRK_THREADS:-2}
AUTH=${AUTH:-none}
TARGETS=${TARGETS:-upstream nginx haproxy portico}
PORTICO_BASE=${PORTICO_BASE:-}
BODY=${BODY:-unique}
[[ "$BODY" == unique || "$BODY" == same ]] || { echo "BODY must be unique or same" >&2; exit 2; }
if [ -n "$PORTICO_BASE" ]; then
  [ -x "$PORTICO_BASE" ] || { echo "PORTICO_BASE=$PORTICO_BASE is not an executable" >&2; exit 2; }
  [[ " $TARGETS " == *" base "* ]] || TARGETS="$TARGETS base"
fi
needed="nginx wrk"; [[ " $TARGETS " == *" haproxy "* ]] && needed="$needed haproxy"
for tool in $needed; do
  command -v "$tool" >/dev/null || { echo "missing $tool: bash packaging/install-deps.sh --bench" >&2; exit 2; }
done
[ -x "$PORTICO" ] || { echo "build Portico first: cmake --workflow --preset release ($PORTICO missing)" >&2; exit 2; }

work=$(mktemp -d /tmp/portico-bench.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
# ~1.1 KiB of JSON (no quote, backslash or $ of its own: it sits in an nginx string), seeded so
# that every run serves the same document; BODY=unique adds nginx's $request_id and $msec.
body=$(python3 - "$BODY" <<'PY'
import json, random, sys
r = random.Random(19)
names = ["Ada Lovelace", "Grace Hopper", "Alan Turing", "Barbara Liskov", "Donald Knuth", "Frances Allen",
         "Ken Thompson", "Margaret Hamilton", "Radia Perlman", "Hedy Lamarr", "Anita Borg", "Leslie Lamport"]
items = ["keyboard", "monitor", "cable", "laptop stand", "headset", "webcam", "mouse", "dock", "charger"]
doc = {"page": 3, "per_page": 4, "total": 48211, "data": []}
if sys.argv[1] == "unique":
    doc = {"request_id": "$request_id", "served_at": "$msec", **doc}
while len(json.dumps(doc, separators=(",", ":"))) < 1000:
    name = r.choice(names)
    doc["data"].append({"id": "ord_%016x" % r.getrandbits(64),
        "customer": {"id": r.randrange(10**6), "name": name,
                     "email": "%s%d@example.com" % (name.lower().replace(" ", "."), r.randrange(100)),
                     "city": r.choice(["Lisbon", "Berlin", "Osaka", "Toronto", "Nairobi", "Lima"])},
        "items": [{"sku": "SKU-%05d" % r.randrange(10**5), "name": r.choice(items), "qty": r.randrange(1, 6),
                   "price": round(r.uniform(5, 900), 2)}],
        "status": r.choice(["pending", "paid", "shipped", "delivered", "refunded"]),
        "gift": r.random() < 0.25,
        "created_at": "2026-%02d-%02dT%02d:%02d:%02dZ" % (r.randrange(1, 13), r.randrange(1, 29),
                                                       r.randrange(24), r.randrange(60), r.randrange(60))})
print(json.dumps(doc, separators=(",", ":")))
PY
)

mkdir -p "$work/nginx-up" "$work/nginx-proxy"
cat > "$work/nginx-up/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx-up/nginx.pid;
error_log $work/nginx-up/error.log;
daemon off;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/nginx-up; proxy_temp_path $work/nginx-up; fastcgi_temp_path $work/nginx-up;
  uwsgi_temp_path $work/nginx-up; scgi_temp_path $work/nginx-up;
  keepalive_requests 1000000;
  server { listen 127.0.0.1:18081; location / { default_type application/json; return 200 '$body'; } }
}
CONF
cat > "$work/nginx-proxy/nginx.conf" <<CONF
worker_processes $WORKERS;
pid $work/nginx-proxy/nginx.pid;
error_log $work/nginx-proxy/error.log;
daemon off;
events { worker_connections 4096; }
http {
  access_log $work/nginx-proxy/access.log;
  client_body_temp_path $work/nginx-proxy; proxy_temp_path $work/nginx-proxy; fastcgi_temp_path $work/nginx-proxy;
  uwsgi_temp_path $work/nginx-proxy; scgi_temp_path $work/nginx-proxy;
  keepalive_requests 1000000;
  upstream up { server 127.0.0.1:18081; keepalive 256; }
  server { listen 127.0.0.1:18082;
    location / { proxy_pass http://up; proxy_http_version 1.1; proxy_set_header Connection ""; } }
}
CONF
cat > "$work/haproxy.cfg" <<CONF
global
  nbthread $WORKERS
  maxconn 8192
defaults
  mode http
  timeout connect 2s
  timeout client 30s
  timeout server 30s
  option http-keep-alive
frontend fe
  bind 127.0.0.1:18083
  default_backend be
backend be
  http-reuse always
  server s1 127.0.0.1:18081
CONF
cat > "$work/portico.yaml" <<CONF
version: 1
gateway: {listen: 127.0.0.1:18084, workers: $WORKERS}
admin: {listen: 127.0.0.1:19084}
# Retention above what a run stores, so that rows counted = requests served is checkable.
capture: {database: $work/traffic.db, max_body_bytes: 1KiB, retention: {max_exchanges: 100000000}}
upstreams:
  up: {targets: [{url: http://127.0.0.1:18081}]}
routes:
  - {name: all, match: {path: /}, upstream: up}
CONF
wrk_header=()
case "$AUTH" in
  none) ;;
  key)
    cat >> "$work/portico.yaml" <<CONF
    auth: [keys]
    rate_limit: {requests: 1000000000, per: 1m, by: consumer}
consumers: [{name: bench, api_keys: [bench-key-0123456789]}]
auth:
  keys: {type: api_key, header: X-API-Key}
CONF
    wrk_header=(-H "X-API-Key: bench-key-0123456789") ;;
  jwt)
    # One token for every request (see jwt.sh): Portico verifies the RSA signature once, then
    # answers from its cache of verified tokens (still checking exp on each request).
    token=$(bench_jwt "$work")
    cat >> "$work/portico.yaml" <<CONF
    auth: [idp]
consumers: [{name: bench, jwt_subject: bench}]
auth:
  idp: {type: jwt, algorithms: [RS256], public_key: $work/jwt.pub, consumer_claim: sub}
CONF
    wrk_header=(-H "Authorization: Bearer $token") ;;
  *) echo "AUTH must be none, key or jwt" >&2; exit 2 ;;
esac
# The route above is written as a one-line flow map; auth keys go inside it.
if [ "$AUTH" != none ]; then
  python3 - "$work/portico.yaml" <<'PY'
import sys
p = sys.argv[1]
lines = open(p).read().split('\n')
out, extra = [], []
for l in lines:
    if l.startswith('    auth:') or l.startswith('    rate_limit:'):
        extra.append(l.strip())
    else:
        out.append(l)
text = '\n'.join(out).replace('upstream: up}', 'upstream: up, ' + ', '.join(extra) + '}')
open(p, 'w').write(text)
PY
fi
if [ "$CAPTURE" = off ]; then sed -i 's/^capture:.*$/capture: {enabled: false}/' "$work/portico.yaml"; fi

nginx -c "$work/nginx-up/nginx.conf" & upstream_pid=$!; pids+=($upstream_pid)
nginx -c "$work/nginx-proxy/nginx.conf" & nginx_pid=$!; pids+=($nginx_pid)
haproxy_pid=
[[ " $TARGETS " == *" haproxy "* ]] && { haproxy -f "$work/haproxy.cfg" -q & haproxy_pid=$!; pids+=($haproxy_pid); }
"$PORTICO" serve -c "$work/portico.yaml" > "$work/portico.log" 2>&1 & portico_pid=$!; pids+=($portico_pid)
base_pid=
if [ -n "$PORTICO_BASE" ]; then
  sed -e 's/18084/18085/; s/19084/19085/; s|traffic.db|traffic-base.db|' "$work/portico.yaml" > "$work/portico-base.yaml"
  "$PORTICO_BASE" serve -c "$work/portico-base.yaml" > "$work/portico-base.log" 2>&1 & base_pid=$!; pids+=($base_pid)
fi
declare -A ports=([upstream]=18081 [nginx]=18082 [haproxy]=18083 [portico]=18084 [base]=18085)
for name in upstream $TARGETS; do port=${ports[$name]}
  for _ in $(seq 50); do curl -sf -o /dev/null "${wrk_header[@]}" "http://127.0.0.1:$port/" && break; sleep 0.1; done
done

declare -A rps p50 p99 reqs
measure() { # name port conns
  local out
  out=$(wrk -t"$WRK_THREADS" -c"$3" -d"$DURATION" --latency "${wrk_header[@]}" "http://127.0.0.1:$2/")
  rps[$1,$3]=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  reqs[$1,$3]=$(awk '/requests in/ {print $1}' <<<"$out")
  p50[$1,$3]=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99[$1,$3]=$(awk '$1=="99%" {print $2}' <<<"$out")
  if grep -q "Non-2xx\|Socket errors" <<<"$out"; then echo "  $1@$3: $(grep -E 'Non-2xx|Socket errors' <<<"$out" | tr -s ' ')" >&2; fi
}
to_ms() { awk -v v="$1" 'BEGIN { if (v ~ /us$/) printf "%.3f", v/1000; else if (v ~ /ms$/) printf "%.3f", v+0; else if (v ~ /s$/) printf "%.3f", v*1000; else print v }'; }

# Portico's RSS, sampled twice a second while the load runs (the capture queue is fullest then).
( while kill -0 "$portico_pid" 2>/dev/null; do awk '/VmRSS/ {print $2}' "/proc/$portico_pid/status" 2>/dev/null; sleep 0.5; done ) > "$work/rss.txt" &
pids+=($!)
for conns in 64 256; do
  for name in $TARGETS; do
    measure "$name" "${ports[$name]}" "$conns"
  done
done
rss_max=$(sort -n "$work/rss.txt" | tail -1)

printf '\nWORKERS=%s  DURATION=%s  capture=%s  auth=%s  body=%s (%s bytes)  (%s cores)\n' "$WORKERS" "$DURATION" "$CAPTURE" "$AUTH" "$BODY" "${#body}" "$(nproc)"
printf '%-10s %6s %12s %10s %10s\n' target conns req/s p50_ms p99_ms
for conns in 64 256; do
  for name in $TARGETS; do
    printf '%-10s %6s %12s %10s %10s\n' "$name" "$conns" "${rps[$name,$conns]}" "$(to_ms "${p50[$name,$conns]}")" "$(to_ms "${p99[$name,$conns]}")"
  done
done
echo
[[ " $TARGETS " == *" nginx "* && " $TARGETS " == *" portico "* ]] && for conns in 64 256; do
  awk -v c="$conns" -v pr="${rps[portico,$conns]}" -v nr="${rps[nginx,$conns]}" -v pp="$(to_ms "${p99[portico,$conns]}")" -v np="$(to_ms "${p99[nginx,$conns]}")" \
    'BEGIN { printf "portico/nginx @%s conns: throughput %.2fx, p99 %.2fx\n", c, pr/nr, pp/np }'
done
printf 'portico max RSS: %.1f MB\n' "$(awk -v k="$rss_max" 'BEGIN{print k/1024}')"
# CPU (user + system) of a process and its children (nginx's workers), in clock ticks.
tree_ticks() {
  local total=0 p
  for p in "$1" $(pgrep -P "$1" || true); do
    total=$(( total + $(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0) ))
  done
  echo "$total"
}
cpu_report() { # label pid requests
  awk -v t="$(getconf CLK_TCK)" -v n="$3" -v l="$1" -v ticks="$(tree_ticks "$2")" \
    'BEGIN { s = ticks/t; printf "%-22s CPU: %6.2f s user+system for %8d requests = %5.1f us/request\n", l, s, n, n ? s*1e6/n : 0 }'
}
served() { echo $(( ${reqs[$1,64]:-0} + ${reqs[$1,256]:-0} )); }
all=0; for name in $TARGETS; do all=$(( all + $(served "$name") )); done
echo
cpu_report "upstream (all served)" "$upstream_pid" "$all"
[[ " $TARGETS " == *" nginx "* ]] && cpu_report nginx "$nginx_pid" "$(served nginx)"
[[ " $TARGETS " == *" haproxy "* ]] && cpu_report haproxy "$haproxy_pid" "$(served haproxy)"
[[ " $TARGETS " == *" portico "* ]] && cpu_report portico "$portico_pid" "$(served portico)"
[ -n "$base_pid" ] && cpu_report "base (PORTICO_BASE)" "$base_pid" "$(served base)"
if [ "$CAPTURE" = on ]; then
  dropped=$(curl -s http://127.0.0.1:19084/metrics | awk '/^portico_capture_dropped_total/ {printf "%s=%s ", $1, $2}')
  kill -TERM "$portico_pid"; wait "$portico_pid" 2>/dev/null || true
  # Rows = every request wrk completed + the one readiness probe (+ requests in flight when wrk
  # stopped, which Portico still records).
  printf 'captured rows: %s for %s requests wrk completed (+1 probe); dropped: %s\n' \
    "$(sqlite3 "$work/traffic.db" 'select count(*) from exchanges')" \
    "$(( ${reqs[portico,64]:-0} + ${reqs[portico,256]:-0} ))" "${dropped:-none}"
fi
