#!/usr/bin/env bash
# Compile static/scss/app.scss (GOV.UK Frontend with Arial, generic header) to static/css/app.css.
#
# Needs Node.js and npm. The compiled CSS is committed, so only people changing the styles need
# to run this (`make css`). Installs the pinned packages from package-lock.json into node_modules.
set -euo pipefail

cd "$(dirname "$0")/.."

if ! command -v npm >/dev/null 2>&1; then
  echo "build_css: npm not found. Install Node.js (>= 18) to rebuild the styles;" >&2
  echo "the committed static/css/app.css keeps working without it." >&2
  exit 1
fi

# `npm ci` installs exactly the lock file; fall back to `npm install` when there is no lock yet.
# --ignore-scripts: sass is pure JavaScript, nothing needs an install script.
if [[ -f package-lock.json ]]; then
  npm ci --no-audit --no-fund --ignore-scripts
else
  npm install --no-audit --no-fund --ignore-scripts
fi

mkdir -p static/css
npx --no-install sass \
  --style=compressed \
  --no-source-map \
  --quiet-deps \
  --load-path=node_modules \
  static/scss/app.scss static/css/app.css

# The GDS Transport font may only be used on GOV.UK; fail loudly if it ever creeps back in.
if grep -q "GDS Transport" static/css/app.css; then
  echo "build_css: static/css/app.css references the GDS Transport font" >&2
  exit 1
fi

echo "build_css: wrote static/css/app.css ($(wc -c < static/css/app.css) bytes)"
