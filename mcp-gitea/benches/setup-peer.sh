#!/usr/bin/env bash
# Creates a virtualenv with the PyPI `gitea-mcp` 0.5.1 (the peer the benchmark compares
# against). It needs `mcp` < 2 (its fastmcp 2.x does not import with mcp 2.x), so it cannot
# share the tools venv, which pins mcp 2.3.0 for the protocol tests.
# Usage: mcp-gitea/benches/setup-peer.sh [DIR]   (default: $CARGO_TARGET_DIR/peer-venv)
set -euo pipefail
dir=${1:-${CARGO_TARGET_DIR:-target}/peer-venv}
python3 -m venv "$dir"
"$dir/bin/pip" install -q --disable-pip-version-check "gitea-mcp==0.5.1" "mcp<2" "pydantic-settings"
"$dir/bin/gitea-mcp" serve --help >/dev/null
echo "$dir/bin/gitea-mcp"
