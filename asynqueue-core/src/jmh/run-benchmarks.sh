#!/bin/sh
# Builds the core's JMH benchmarks jar and runs it: each case beside its raw baseline, then a markdown table
# of ratios. Arguments go to the jar, for example:
#   asynqueue-core/src/jmh/run-benchmarks.sh                      # one round, about 2 minutes
#   asynqueue-core/src/jmh/run-benchmarks.sh --rounds 3           # median ratio of 3 rounds
#   asynqueue-core/src/jmh/run-benchmarks.sh ThreadBurst -rf json -rff burst.json
set -e
cd "$(dirname "$0")/../../.."
mvn -B -q -Pbenchmarks -pl asynqueue-core package -DskipTests
exec java -jar asynqueue-core/target/benchmarks.jar "$@"
