#!/usr/bin/env bash
# Forward-proxy benchmark, by hand (not a test): intercepted HTTPS through
#   Portico     proxy.listen with intercept_tls (capture on unless CAPTURE=off)   :18888
#   mitmproxy   mitmdump, regular (forward) mode, same origin                     :18889
# against one HTTPS origin (nginx, a ~1 KiB JSON document, self-signed certificate), side by side
# in one run. The load generator (tests/bench/proxy/bench_connect_load) opens CONNECTIONS tunnels,
# does TLS through each and sends keep-alive GETs for DURATION seconds. Prints throughput, p50/p99,
# Portico's RSS every few seconds (flat is the goal) and the rows it captured.
#
#   cmake --workflow --preset release && cmake --build build/release --target bench_connect_load
#   bash tests/bench/proxy.sh                            # 16 connections, 10 s each
#   CONNECTIONS=64 DURATION=60 bash tests/bench/proxy.sh  # a long run (RSS over time)
#   TARGETS=portico bash tests/bench/proxy.sh            # Portico only
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-16}
CAPTURE=${CAPTURE:-on}
WORKERS=${WORKERS:-1}
TARGETS=${TARGETS:-"portico mitmproxy"}
PORTICO=${PORTICO:-build/release/app/portico-cli}
LOAD=${LOAD:-build/release/tests/bench/proxy/bench_connect_load}
for tool in nginx openssl; do
  command -v "$tool" >/dev/null || { echo "missing $tool: bash packaging/install-deps.sh --bench" >&2; exit 2; }
done
[[ " $TARGETS " != *" mitmproxy "* ]] || command -v mitmdump >/dev/null \
  || { echo "missing mitmdump: bash packaging/install-deps.sh --bench (or TARGETS=portico)" >&2; exit 2; }
[ -x "$PORTICO" ] || { echo "build Portico first: cmake --workflow --preset release" >&2; exit 2; }
[ -x "$LOAD" ] || { echo "build the load generator: cmake --build build/release --target bench_connect_load" >&2; exit 2; }

work=$(mktemp -d /tmp/portico-proxybench.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

# The origin: nginx over TLS with its own certificate, answering a varied JSON document.
mkdir -p "$work/origin"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=localhost" \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -keyout "$work/origin/key.pem" -out "$work/origin/cert.pem" 2>/dev/null
python3 - "$work/origin/doc.json" <<'PY'
import json, sys, random
random.seed(7)
doc = {"orders": [{"id": 1000 + i, "customer": f"customer-{random.randint(1, 99999)}", "total": round(random.uniform(1, 999), 2),
                   "currency": random.choice(["EUR", "USD", "GBP"]), "items": random.randint(1, 9),
                   "status": random.choice(["paid", "shipped", "pending"])} for i in range(8)], "page": 1, "next": "/orders?page=2"}
open(sys.argv[1], "w").write(json.dumps(doc))
PY
cat > "$work/origin/nginx.conf" <<CONF
worker_processes 1;
pid $work/origin/nginx.pid;
error_log $work/origin/error.log;
daemon off;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/origin; proxy_temp_path $work/origin; fastcgi_temp_path $work/origin;
  uwsgi_temp_path $work/origin; scgi_temp_path $work/origin;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:18443 ssl;
    ssl_certificate $work/origin/cert.pem; ssl_certificate_key $work/origin/key.pem;
    location / { default_type application/json; return 200 '$(cat "$work/origin/doc.json")'; }
  }
}
CONF
nginx -c "$work/origin/nginx.conf" & pids+=($!)

cat > "$work/portico.yaml" <<YAML
version: 1
gateway: {listen: 127.0.0.1:18880, workers: $WORKERS}
admin: {enabled: false}
capture: {enabled: $([ "$CAPTURE" = on ] && echo true || echo false), database: traffic.db, retention: {max_exchanges: 100000000}}
proxy:
  listen: 127.0.0.1:18888
  upstream_ca: origin/cert.pem
YAML
sleep 0.5
target=localhost:18443

run_load() { # name port
  local out
  out=$("$LOAD" --proxy "127.0.0.1:$2" --target "$target" --path /orders --connections "$CONNECTIONS" --seconds "$DURATION")
  echo "$1: $out"
}

for t in $TARGETS; do
  case $t in
    portico)
      "$PORTICO" serve -c "$work/portico.yaml" > "$work/portico.log" 2>&1 & ppid=$!; pids+=($ppid)
      for _ in $(seq 50); do grep -q "listening on" "$work/portico.log" && break; sleep 0.1; done
      ( while kill -0 $ppid 2>/dev/null; do echo "$(date +%s) $(awk '/VmRSS/{print $2}' /proc/$ppid/status)"; sleep 2; done ) > "$work/rss.log" &
      pids+=($!)
      run_load portico 18888
      echo "portico RSS (KiB, every 2 s): $(awk '{print $2}' "$work/rss.log" | tr '\n' ' ')"
      kill -TERM $ppid; wait $ppid 2>/dev/null || true
      [ "$CAPTURE" = on ] && echo "portico captured rows: $(sqlite3 "$work/traffic.db" 'select count(*) from exchanges' 2>/dev/null || echo '?')"
      ;;
    mitmproxy)
      mitmdump --listen-host 127.0.0.1 --listen-port 18889 --set confdir="$work/mitm" \
        --set ssl_verify_upstream_trusted_ca="$work/origin/cert.pem" -q > "$work/mitm.log" 2>&1 & mpid=$!; pids+=($mpid)
      for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/18889) 2>/dev/null && break; sleep 0.1; done
      run_load mitmproxy 18889
      echo "mitmproxy RSS (KiB): $(awk '/VmRSS/{print $2}' /proc/$mpid/status)"
      kill -TERM $mpid; wait $mpid 2>/dev/null || true
      ;;
  esac
done
echo "work folder: $work"
