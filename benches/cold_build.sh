#!/usr/bin/env bash
# Cold `cargo build` time of the AWS crates this library needs: with their default features
# (two HTTP/TLS stacks) against the lean set that bedrock-auth's Cargo.toml uses. Each build gets
# an empty target dir; the registry cache is shared (downloads are not timed).
#
#   bash benches/cold_build.sh          # debug builds, about 5 minutes on 2 cores
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

project() { # name, dependencies
    mkdir -p "$work/$1/src"
    echo 'fn main() {}' > "$work/$1/src/main.rs"
    printf '[package]\nname = "%s"\nversion = "0.0.0"\nedition = "2024"\n\n[dependencies]\n%s\n' "$1" "$2" \
        > "$work/$1/Cargo.toml"
    cp "$here/Cargo.lock" "$work/$1/Cargo.lock"
}

project aws-defaults '
aws-config = "1.13"
aws-sdk-sts = "1.124"
aws-sdk-bedrockruntime = "1.153"
tokio = { version = "1", features = ["rt"] }'

project bedrock-auth-lean "bedrock-auth = { path = \"$here\" }"

for name in aws-defaults bedrock-auth-lean; do
    (cd "$work/$name" && cargo fetch -q)
    start=$(date +%s.%N)
    (cd "$work/$name" && CARGO_TARGET_DIR="$work/target-$name" cargo build -q 2>/dev/null)
    end=$(date +%s.%N)
    crates=$(cd "$work/$name" && cargo tree -e normal --prefix none 2>/dev/null | sort -u | wc -l)
    stacks=$(cd "$work/$name" && cargo tree -e normal --prefix none 2>/dev/null | sort -u \
        | grep -E '^(hyper|hyper-rustls|rustls|ring|aws-lc-rs) ' | cut -d' ' -f1-2 | paste -sd, -)
    printf '%-18s cold debug build %6.1f s, %4d crates; HTTP/TLS: %s\n' \
        "$name" "$(awk "BEGIN {print $end - $start}")" "$crates" "$stacks"
done
