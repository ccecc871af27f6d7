#!/usr/bin/env bash
# Exactness under load: two instances of the sample on one Redis, each saturated by wrk, one
# business caller whose api_requests limit is LIMIT/1h fixed-window. Prints how many requests
# both instances admitted together (it must be LIMIT) and whether a breaker opened.
#
#   benchmarks/exactness-under-load.sh              # build the sample if needed, 3 runs
#   RUNS=1 DURATION=20s CONNECTIONS=64 LIMIT=2000 benchmarks/exactness-under-load.sh
#
# Needs wrk and redis-server (installed with apt-get when missing and run as root).
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-3}
DURATION=${DURATION:-20s}
CONNECTIONS=${CONNECTIONS:-64}
LIMIT=${LIMIT:-2000}
REDIS_PORT=${REDIS_PORT:-6393}
PORTS=(18081 18082)
WORK=$(mktemp -d)

. benchmarks/require-tools.sh

JAR=sample-app/target/sample-app.jar
if [ ! -f "$JAR" ]; then
	mvn -q -B -DskipTests install
fi

pids=()
cleanup() {
	for pid in "${pids[@]:-}"; do kill "$pid" 2>/dev/null || true; done
	redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
	rm -rf "$WORK"
}
trap cleanup EXIT

redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes >/dev/null

for run in $(seq 1 "$RUNS"); do
	redis-cli -p "$REDIS_PORT" flushall >/dev/null
	pids=()
	for i in 0 1; do
		java -jar "$JAR" --server.port="${PORTS[$i]}" --spring.data.redis.host=127.0.0.1 \
			--spring.data.redis.port="$REDIS_PORT" \
			"--rate-limit.tiers.business.limits.api_requests=${LIMIT}/1h fixed-window" \
			>"$WORK/app-$i.log" 2>&1 &
		pids+=($!)
	done
	for port in "${PORTS[@]}"; do
		for _ in $(seq 1 120); do
			curl -fs "http://127.0.0.1:$port/actuator/health" >/dev/null 2>&1 && break
			sleep 0.5
		done
	done
	key="demo-business-$RANDOM$RANDOM"
	loads=()
	for i in 0 1; do
		wrk -t1 -c"$CONNECTIONS" -d"$DURATION" -H "X-API-Key: $key" \
			"http://127.0.0.1:${PORTS[$i]}/api/ping" >"$WORK/wrk-$i.txt" 2>&1 &
		loads+=($!)
	done
	wait "${loads[@]}"
	admitted=0
	total=0
	for i in 0 1; do
		requests=$(awk '/requests in/ {print $1}' "$WORK/wrk-$i.txt")
		denied=$(awk '/Non-2xx or 3xx responses/ {print $NF}' "$WORK/wrk-$i.txt")
		total=$((total + requests))
		admitted=$((admitted + requests - ${denied:-0}))
	done
	opened=$(cat "$WORK"/app-*.log | grep -c "is failing" || true)
	echo "run $run: $total requests, admitted $admitted of $LIMIT, breaker opened $opened times"
	grep -h "is failing" "$WORK"/app-*.log | cut -c1-400 || true
	for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
done
