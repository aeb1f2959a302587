#!/bin/sh
# Runs every libFuzzer target of an instrumented build (make fuzz) for
# FUZZ_SECONDS seconds each (default 60), one after the other, at low
# priority.  New inputs go to BUILD/fuzz-new/<target>/; with FUZZ_MERGE=1
# the committed corpus fuzz/corpus/<target>/ is then replaced by the
# minimised union (-merge=1) of itself and the new inputs.  Crashes are
# written to BUILD/fuzz-artifacts/.  The last libFuzzer stats line of each
# target (cov, ft, corp, exec/s) is printed and kept in
# BUILD/fuzz-stats.txt.  Exit status: non-zero when a target found a crash.
#
#   scripts/fuzz-run.sh [BUILD]            (default build-fuzz)
#   FUZZ_SECONDS=90 FUZZ_TARGETS="session wire" FUZZ_MERGE=1 scripts/fuzz-run.sh
set -u
BUILD=${1:-build-fuzz}
SECONDS_EACH=${FUZZ_SECONDS:-60}
TARGETS=${FUZZ_TARGETS:-"wire pcap tcp keylog record_open session"}
SRC=$(cd "$(dirname "$0")/.." && pwd)
STATS="$BUILD/fuzz-stats.txt"
mkdir -p "$BUILD/fuzz-artifacts"
: >"$STATS"
status=0
for t in $TARGETS; do
    bin="$BUILD/fuzz/fuzz_$t"
    corpus="$SRC/fuzz/corpus/$t"
    new="$BUILD/fuzz-new/$t"
    log="$BUILD/fuzz-$t.log"
    if [ ! -x "$bin" ]; then
        echo "fuzz-run: $bin missing (run: make fuzz)" >&2
        exit 2
    fi
    mkdir -p "$new"
    nice -n 19 "$bin" -max_total_time="$SECONDS_EACH" -print_final_stats=1 \
        -artifact_prefix="$BUILD/fuzz-artifacts/$t-" "$new" "$corpus" >"$log" 2>&1
    rc=$?
    last=$(grep -E '^#[0-9]+' "$log" | tail -n 1)
    echo "$t: $last" | tee -a "$STATS"
    if [ "$rc" -ne 0 ]; then
        echo "fuzz-run: $t exited $rc: see $log and $BUILD/fuzz-artifacts/" >&2
        status=1
        continue
    fi
    if [ "${FUZZ_MERGE:-0}" = 1 ]; then
        merged="$BUILD/fuzz-merged/$t"
        rm -rf "$merged" && mkdir -p "$merged"
        if nice -n 19 "$bin" -merge=1 "$merged" "$corpus" "$new" >"$log.merge" 2>&1; then
            rm -f "$corpus"/* && cp "$merged"/* "$corpus"/
            echo "$t: corpus merged: $(ls "$corpus" | wc -l) files" | tee -a "$STATS"
        else
            echo "fuzz-run: merging $t failed: see $log.merge" >&2
            status=1
        fi
    fi
done
exit $status
