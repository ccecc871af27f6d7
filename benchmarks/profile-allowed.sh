#!/usr/bin/env bash
# Where an allowed request's CPU goes: one instance of the sample on its own Redis, loaded like the
# allowed series of compare-project.sh (wrk -t1 -c32, business callers demo-business-bench-key-1..KEYS,
# api_requests 1,000,000,000/1h), profiled with async-profiler (itimer) once warm. Prints req/s, the
# application's CPU per request (user, system), context switches and Redis CPU per request, EVALSHA
# calls per request, CPU per thread group, and attribute.py's split of the profile.
#
#   benchmarks/profile-allowed.sh                 # allowed path, 1,000 callers, 180 s warm, 20 s profiled
#   MODE=twin benchmarks/profile-allowed.sh       # the same sample with rate-limit.enabled=false
#   MODE=memory benchmarks/profile-allowed.sh     # limited in memory: the same checks, no Redis
#   KEYS=1 WARM=240 MEAS=30 benchmarks/profile-allowed.sh
#
# Needs wrk and redis-server (installed with apt-get when missing and run as root); async-profiler
# comes from Maven Central. Run it on a quiet machine: on 2 cores the JIT of the limited sample
# needs about 180 s of this load to go quiet.
set -euo pipefail
cd "$(dirname "$0")/.."

MODE=${MODE:-allow}
KEYS=${KEYS:-1000}
WARM=${WARM:-180}
MEAS=${MEAS:-20}
REDIS_PORT=${REDIS_PORT:-6394}
PORT=${PORT:-18191}
PROFILER_VERSION=4.1
WORK=$(mktemp -d)
BENCH_LUA=${BENCH_LUA:-../shared/peer-bench/lib/bench.lua}

. benchmarks/require-tools.sh
if [ ! -f "$BENCH_LUA" ]; then
	# The peer benchmark's request script; this one does the same: pre-formatted requests, round-robin keys.
	BENCH_LUA=$WORK/bench.lua
	cat >"$BENCH_LUA" <<'LUA'
local nkeys = tonumber(os.getenv("BENCH_KEYS") or "1")
local prefix = os.getenv("BENCH_KEY_PREFIX") or ""
local reqs, i = {}, 0
function init(args)
  for k = 1, nkeys do reqs[k] = wrk.format("GET", "/api/ping", { ["X-API-Key"] = prefix .. "bench-key-" .. k }) end
end
function request() i = i % nkeys + 1; return reqs[i] end
function done(summary, latency, requests)
  io.write(string.format("RESULT requests=%d rps=%.1f\n", summary.requests, summary.requests / (summary.duration / 1e6)))
end
LUA
fi

JAR=sample-app/target/sample-app.jar
[ -f "$JAR" ] || mvn -q -B -DskipTests install
PROFILER_JAR=~/.m2/repository/tools/profiler/async-profiler/$PROFILER_VERSION/async-profiler-$PROFILER_VERSION.jar
[ -f "$PROFILER_JAR" ] || mvn -q -B dependency:get -Dartifact=tools.profiler:async-profiler:$PROFILER_VERSION
(cd "$WORK" && unzip -q -o "$PROFILER_JAR" 'linux-x64/*')
AGENT=$WORK/linux-x64/libasyncProfiler.so

app=""
cleanup() {
	[ -n "$app" ] && kill "$app" 2>/dev/null || true
	redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
}
trap cleanup EXIT

redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes >/dev/null
printf 'rate-limit:\n  tiers:\n    business:\n      limits:\n        api_requests: 1000000000/1h\n' >"$WORK/allow.yml"
args=(--spring.data.redis.host=127.0.0.1 --spring.data.redis.port="$REDIS_PORT" --server.port="$PORT")
if [ "$MODE" = twin ]; then
	args+=(--rate-limit.enabled=false)
elif [ "$MODE" = memory ]; then
	# Without a Redis connection factory the starter limits in memory: the same request path
	# without the round trip, to tell what the wait for Redis costs from what the check costs.
	redis_auto=org.springframework.boot.data.redis.autoconfigure
	args+=(--spring.config.additional-location="file:$WORK/allow.yml"
		--spring.autoconfigure.exclude=$redis_auto.DataRedisAutoConfiguration,$redis_auto.DataRedisReactiveAutoConfiguration,$redis_auto.health.DataRedisHealthContributorAutoConfiguration,$redis_auto.health.DataRedisReactiveHealthContributorAutoConfiguration)
else
	args+=(--spring.config.additional-location="file:$WORK/allow.yml")
fi
java -Xms512m -Xmx512m -XX:+UseG1GC -jar "$JAR" "${args[@]}" >"$WORK/app.log" 2>&1 &
app=$!
for _ in $(seq 120); do curl -s -o /dev/null "http://127.0.0.1:$PORT/api/ping" && break; sleep 1; done

export BENCH_KEYS=$KEYS BENCH_KEY_PREFIX=demo-business-
load() { wrk -t1 -c32 -d"$1" --timeout 5s -s "$BENCH_LUA" "http://127.0.0.1:$PORT/api/ping"; }
ticks() { awk '{print $14, $15}' "/proc/$1/stat"; }
switches() { cat /proc/"$app"/task/*/status 2>/dev/null | awk '/ctxt_switches/ {s += $2} END {print s}'; }
threads() {
	for task in /proc/"$app"/task/*; do
		echo "$(sed 's/[-#]*[0-9]*$//; s/-[0-9]*-$//; s/ /_/g' "$task/comm") $(awk '{print $14 + $15}' "$task/stat")"
	done | awk '{t[$1] += $2} END {for (k in t) print k, t[k]}' | sort
}

load "${WARM}s" >/dev/null
redis-cli -p "$REDIS_PORT" flushall >/dev/null
redis-cli -p "$REDIS_PORT" config resetstat >/dev/null
redis=$(pgrep -f "redis-server.*:$REDIS_PORT")
sleep 2
threads >"$WORK/threads.before"
read -r user0 sys0 < <(ticks "$app"); read -r ru0 rs0 < <(ticks "$redis"); switches0=$(switches)
java benchmarks/profile/Attach.java "$app" "$AGENT" "start,event=itimer,interval=1ms,file=$WORK/profile.collapsed" 2>/dev/null
load "${MEAS}s" | grep RESULT >"$WORK/result"
java benchmarks/profile/Attach.java "$app" "$AGENT" "stop,file=$WORK/profile.collapsed,collapsed" 2>/dev/null
read -r user1 sys1 < <(ticks "$app"); read -r ru1 rs1 < <(ticks "$redis"); switches1=$(switches)
threads >"$WORK/threads.after"

hz=$(getconf CLK_TCK)
requests=$(sed 's/.*requests=\([0-9]*\).*/\1/' "$WORK/result")
us() { echo $(( $1 * 1000000 / hz / requests )); }
calls=$(redis-cli -p "$REDIS_PORT" info commandstats | sed -n 's/^cmdstat_evalsha:calls=\([0-9]*\),.*/\1/p')
app_us=$(us $(( user1 - user0 + sys1 - sys0 )))
echo "$MODE, $KEYS callers, ${WARM}s warm, ${MEAS}s measured: $(sed 's/.*rps=\([0-9.]*\).*/\1/' "$WORK/result") req/s;" \
	"app $app_us us/req (user $(us $(( user1 - user0 ))), system $(us $(( sys1 - sys0 ))));" \
	"Redis $(us $(( ru1 - ru0 + rs1 - rs0 ))) us/req;" \
	"context switches $(awk -v a="$switches0" -v b="$switches1" -v r="$requests" 'BEGIN {printf "%.2f", (b - a) / r}')/req;" \
	"EVALSHA $(awk -v c="${calls:-0}" -v r="$requests" 'BEGIN {printf "%.2f", c / r}')/req"
echo "CPU by thread:"
join "$WORK/threads.before" "$WORK/threads.after" \
	| awk -v r="$requests" -v hz="$hz" '{d = $3 - $2; if (d > 0) printf "  %6.1f us/req  %s\n", d * 1e6 / hz / r, $1}' | sort -rn | head -6
python3 benchmarks/profile/attribute.py "$WORK/profile.collapsed" "$app_us"
if grep -q "is failing" "$WORK/app.log"; then echo "breaker opened during the run"; fi
