#!/usr/bin/env bash
# Build the vendored front-end assets:
#
#   frontend/main.scss -> static/govuk/govuk-frontend.min.css  (Arial, no GDS Transport)
#   GOV.UK Frontend UMD bundle -> static/govuk/govuk-frontend.bundle.js
#   images referenced by the compiled CSS -> static/govuk/assets/...
#   axe-core -> tests/browser/vendor/axe.min.js
#
# static/govuk/ is owned by this script: it is deleted and rebuilt every run,
# so the output only ever contains files that are actually used.
#
# Options (environment variables):
#   GOVUK_BRAND_ICONS=1  also copy GOV.UK's favicons, app icons and
#                        manifest.json. They show the GOV.UK crown, so only use
#                        them if the service is allowed to use GOV.UK branding.
#
# Usage: frontend/build.sh   (from any directory)
set -euo pipefail

script_dir="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd -- "$script_dir/.." && pwd)"
cd "$script_dir"

govuk_dist="$script_dir/node_modules/govuk-frontend/dist/govuk"
out_dir="$repo_root/static/govuk"
axe_dir="$repo_root/tests/browser/vendor"
css_file="$out_dir/govuk-frontend.min.css"
js_file="$out_dir/govuk-frontend.bundle.js"

# 1. Dependencies, exactly as pinned in package-lock.json. Install scripts are
#    not needed (the only one is sass's optional file watcher).
npm ci --ignore-scripts --no-audit --no-fund

# 2. Start from an empty output directory.
rm -rf "$out_dir"
mkdir -p "$out_dir" "$axe_dir"

# 3. Compile the stylesheet.
npx --no-install sass --pkg-importer=node --style=compressed --no-source-map \
  main.scss "$css_file"

if grep -qiE 'GDS[ -]?Transport|@font-face' "$css_file"; then
  echo "error: compiled CSS still contains GDS Transport / @font-face" >&2
  exit 1
fi

# 4. Copy each file the compiled CSS refers to with url(...) (relative to the
#    CSS file, e.g. assets/images/govuk-crest.svg).
css_urls="$(grep -oE 'url\([^)]*\)' "$css_file" || true)"
printf '%s\n' "$css_urls" \
  | sed -E 's/^url\(["'\'']?//; s/["'\'']?\)$//' \
  | { grep -vE '^(data:|#|[a-z]+:|/|$)' || true; } \
  | sed -E 's/[?#].*$//' \
  | sort -u \
  | while IFS= read -r rel_path; do
      src="$govuk_dist/$rel_path"
      if [[ ! -f "$src" ]]; then
        echo "error: CSS refers to '$rel_path', not found at $src" >&2
        exit 1
      fi
      mkdir -p "$out_dir/$(dirname -- "$rel_path")"
      cp "$src" "$out_dir/$rel_path"
    done

# 5. JavaScript: the UMD bundle defines window.GOVUKFrontend and imports
#    nothing, so it works as a classic <script defer> with hashed file names.
#    Drop the sourceMappingURL comment: the .map is not vendored, and Django's
#    ManifestStaticFilesStorage fails collectstatic on a missing map file.
{
  printf '/*! GOV.UK Frontend %s | MIT Licence | Copyright (c) Crown Copyright (Government Digital Service) */\n' \
    "$(node -p 'require("govuk-frontend/package.json").version')"
  sed -E '/^[[:space:]]*\/\/# sourceMappingURL=/d' "$govuk_dist/all.bundle.js"
} > "$js_file"

if grep -q 'sourceMappingURL' "$js_file"; then
  echo "error: $js_file still has a sourceMappingURL comment" >&2
  exit 1
fi

# 6. Optional GOV.UK-branded icons (crown) and web app manifest.
if [[ "${GOVUK_BRAND_ICONS:-0}" == "1" ]]; then
  mkdir -p "$out_dir/assets/images"
  cp "$govuk_dist/assets/manifest.json" "$out_dir/assets/manifest.json"
  for icon in favicon.ico favicon.svg govuk-icon-mask.svg \
              govuk-icon-180.png govuk-icon-192.png govuk-icon-512.png; do
    cp "$govuk_dist/assets/images/$icon" "$out_dir/assets/images/$icon"
  done
fi

# 7. axe-core for the browser accessibility tests (not served to users).
cp "node_modules/axe-core/axe.min.js" "$axe_dir/axe.min.js"

# 8. Plotly's strict bundle (no eval, so the Content Security Policy needs no 'unsafe-eval'),
#    without its source-map comment (collectstatic's manifest would look for the map).
mkdir -p "$repo_root/static/vendor/plotly"
sed -e '/^\/\/# sourceMappingURL=/d' "node_modules/plotly.js-strict-dist-min/plotly-strict.min.js" \
  > "$repo_root/static/vendor/plotly/plotly.min.js"

echo "Built:"
(cd "$repo_root" && find static/govuk static/vendor "tests/browser/vendor/axe.min.js" -type f -print0 \
  | xargs -0 ls -l | awk '{print "  " $5 "\t" $9}')
