# Sourced by the bench scripts: bench_jwt DIR writes an RS256 key pair to DIR/jwt.key and
# DIR/jwt.pub and prints one token for subject "bench", valid for a day. The benches sign it once
# and send it on every request, as a real client reuses its token until it expires.
bench_jwt() {
  local dir=$1 head payload sig
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$dir/jwt.key" 2>/dev/null
  openssl pkey -in "$dir/jwt.key" -pubout -out "$dir/jwt.pub"
  b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
  head=$(printf '{"alg":"RS256","typ":"JWT"}' | b64url)
  payload=$(printf '{"sub":"bench","exp":%s}' "$(( $(date +%s) + 86400 ))" | b64url)
  sig=$(printf '%s.%s' "$head" "$payload" | openssl dgst -sha256 -sign "$dir/jwt.key" -binary | b64url)
  printf '%s.%s.%s\n' "$head" "$payload" "$sig"
}
