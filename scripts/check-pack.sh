#!/usr/bin/env bash
# Offline checks of the package as published (no registry needed): pack this repository (prepack builds
# dist/ and strips the manifest), then check the tarball's manifest (no `source` condition, no `prepare`,
# no devDependencies), lint it with publint (--strict: warnings fail too) and check its types with
# @arethetypeswrong/cli under the esm-only profile (hotswap ships no CommonJS).
#
#   scripts/check-pack.sh [tarball]     packs the repository when no tarball is given
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if [ $# -ge 1 ]; then
  tarball="$(realpath "$1")"
else
  echo "== npm pack (prepack: build, strip the manifest; postpack: restore it)"
  name="$(cd "$repo" && npm pack --silent --pack-destination "$work" | tail -n 1)"
  tarball="$work/$name"
fi
echo "== $(basename "$tarball"): $(tar -tzf "$tarball" | wc -l) files, $(du -k "$tarball" | cut -f1) KB packed"

echo "== published manifest"
tar -xzf "$tarball" -C "$work" package/package.json
node "$repo/scripts/pack-manifest.mjs" check "$work/package/package.json"
echo "   no source condition, no prepare, no devDependencies"

echo "== publint --strict"
(cd "$repo" && npx --no-install publint run "$tarball" --strict)

echo "== attw --profile esm-only"
(cd "$repo" && npx --no-install attw "$tarball" --profile esm-only)
echo "== check-pack: ok"
