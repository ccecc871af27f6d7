#!/usr/bin/env bash
# Measures the limiter's throughput and latency against a real redis-server on this machine.
# Usage: benchmarks/run.sh [threads] [seconds]   (defaults: 8 threads, 10 seconds per scenario)
# Set RATE_LIMIT_TEST_REDIS_URL to measure against another Redis.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q install -DskipTests
mvn -B -q -f benchmarks/pom.xml compile exec:java -Dexec.args="${1:-8} ${2:-10}"
