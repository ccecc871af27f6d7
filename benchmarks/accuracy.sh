#!/usr/bin/env bash
# How closely each algorithm keeps "at most L per rolling window", against a real redis-server that
# this script starts (AccuracyBenchmark). A few minutes on two cores; not part of the test suite.
# Usage: benchmarks/accuracy.sh [scale]   (1 = 40 callers x 60s simulated per scenario; 0.25 for a quick look)
# Set RATE_LIMIT_TEST_REDIS_URL to use another Redis instead (this script then starts none).
set -euo pipefail
cd "$(dirname "$0")/.."
# Build the modules in the reactor without installing them, so the benchmark measures this working copy.
mvn -B -q -o package -DskipTests -pl rate-limit-spring-boot-autoconfigure,rate-limit-spring-boot-test-support -am
mkdir -p benchmarks/target
# The libraries: those the auto-configuration's tests run with (Spring Data Redis, Lettuce, the test support's).
mvn -B -q -o dependency:build-classpath -pl rate-limit-spring-boot-autoconfigure -DexcludeGroupIds=dev.ratelimit \
	-Dmdep.outputFile="$PWD/benchmarks/target/accuracy.classpath"
classpath="rate-limit-spring-boot-autoconfigure/target/classes:rate-limit-spring-boot-test-support/target/classes:$(cat benchmarks/target/accuracy.classpath)"
rm -rf benchmarks/target/accuracy-classes
javac -nowarn -proc:none -d benchmarks/target/accuracy-classes -cp "$classpath" \
	benchmarks/src/main/java/dev/ratelimit/benchmark/AccuracyBenchmark.java
if [ -z "${RATE_LIMIT_TEST_REDIS_URL:-}" ] && command -v redis-server > /dev/null; then
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no > benchmarks/target/accuracy-redis.log 2>&1 &
	redis_pid=$!
	trap 'kill "$redis_pid" 2> /dev/null || true' EXIT
	for _ in $(seq 50); do
		redis-cli -p "$port" ping > /dev/null 2>&1 && break
		sleep 0.1
	done
	export RATE_LIMIT_TEST_REDIS_URL="redis://127.0.0.1:$port"
	echo "redis-server $(redis-server --version | sed -E 's/.*v=([^ ]+).*/\1/') on port $port"
fi
# Without a redis-server on the PATH the test support starts its embedded one.
java -cp "benchmarks/target/accuracy-classes:$classpath" dev.ratelimit.benchmark.AccuracyBenchmark "${1:-1}"
