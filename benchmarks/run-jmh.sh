#!/usr/bin/env bash
# The in-process cost of one request (JMH): everything but the Redis round trip.
# Usage: benchmarks/run-jmh.sh [JMH options]   e.g. benchmarks/run-jmh.sh -t 2 InProcessCheckBenchmark
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q install -DskipTests
mvn -B -q -f benchmarks/pom.xml compile dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
exec java -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" org.openjdk.jmh.Main "${@:-InProcessCheckBenchmark}"
