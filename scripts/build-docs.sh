#!/usr/bin/env bash
# Builds the API documentation of the library modules with DocC, one archive
# per module, and fails if DocC reports a single warning (an unresolved
# ``symbol`` link, a misnamed parameter), so the documentation cannot rot.
#
#   scripts/build-docs.sh [OUTPUT_DIR]     archives go to OUTPUT_DIR (default .build/docs)
#
# There is no swift-docc-plugin (the package has no dependencies), so the
# script does the plugin's job: a build that emits symbol graphs, then
# `docc convert` on each module's graphs. SATURATE_DOCS_SCRATCH sets the
# build's scratch path (default .build/docs-scratch, kept apart from the
# ordinary build because the extra compiler flags rebuild everything).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -d /opt/swift/usr/bin ]; then export PATH="/opt/swift/usr/bin:$PATH"; fi

output="${1:-.build/docs}"
scratch="${SATURATE_DOCS_SCRATCH:-.build/docs-scratch}"
# Absolute, since the compiler does not run from the package's root.
case "$scratch" in /*) ;; *) scratch="$(pwd)/$scratch" ;; esac
symbols="$scratch/symbol-graphs"
# The library products of Package.swift: the API a user imports.
modules=(EGraph TensorOps Extract Optimizer RuleChecking)

# The compiler writes a module's symbol graph only when it compiles the
# module, so an up-to-date build with a missing graph must start afresh.
for module in "${modules[@]}"; do
    if [ ! -f "$symbols/$module.symbols.json" ]; then
        rm -rf "$scratch"
        break
    fi
done
mkdir -p "$symbols" "$output"
echo "== build with symbol graphs ($scratch)"
swift build --scratch-path "$scratch" \
    -Xswiftc -emit-symbol-graph -Xswiftc -emit-symbol-graph-dir -Xswiftc "$symbols"

log="$(mktemp)"
trap 'rm -rf "$log" "$scratch/symbol-graphs-per-module"' EXIT
failed=0
for module in "${modules[@]}"; do
    echo "== docc convert $module"
    # One directory per module: its own graph and its extensions of other
    # modules' types (Module@Other.symbols.json), nothing of its neighbours.
    graphs="$scratch/symbol-graphs-per-module/$module"
    rm -rf "$graphs"
    mkdir -p "$graphs"
    cp "$symbols/$module.symbols.json" "$graphs/"
    for extension in "$symbols/$module"@*.symbols.json; do
        if [ -e "$extension" ]; then cp "$extension" "$graphs/"; fi
    done
    archive="$output/$module.doccarchive"
    rm -rf "$archive"
    status=0
    docc convert \
        --additional-symbol-graph-dir "$graphs" \
        --fallback-display-name "$module" \
        --fallback-bundle-identifier "saturate.$module" \
        --output-path "$archive" >"$log" 2>&1 || status=$?
    cat "$log"
    if [ "$status" -ne 0 ]; then
        echo "docc convert $module failed with status $status" >&2
        failed=1
    elif grep -Eq '(^|[: ])warning:' "$log"; then
        echo "docc reported warnings for $module" >&2
        failed=1
    fi
done
if [ "$failed" -ne 0 ]; then
    echo "documentation has problems: see the diagnostics above" >&2
    exit 1
fi
echo "documentation written to $output"
