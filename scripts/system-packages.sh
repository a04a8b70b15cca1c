#!/usr/bin/env bash
# The Debian packages the service needs beyond Python, for one purpose:
#   run   WeasyPrint's libraries and fonts (PDF reports and questionnaires), and cairo
#         (cairosvg draws the Word report's charts)
#   test  run, plus Chromium (browser tests), poppler-utils (reading PDFs back) and
#         LibreOffice Writer (opening the Word report)
#   ci    test, plus PostgreSQL (CI runs the suite on it too)
# Says which are missing and installs them with apt-get when it can (as root, or with sudo that
# needs no password); otherwise stops with the one command to run. Used by `make run`,
# `make test` and `.ci/run`, so a fresh machine needs only the README's two commands.
set -euo pipefail

purpose="${1:-}"
run=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation2 libcairo2)
test=("${run[@]}" chromium poppler-utils libreoffice-writer-nogui)
ci=("${test[@]}" postgresql)
case "$purpose" in
  run) wanted=("${run[@]}") ;;
  test) wanted=("${test[@]}") ;;
  ci) wanted=("${ci[@]}") ;;
  *) echo "Usage: $0 run|test|ci" >&2; exit 2 ;;
esac

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "Not a Debian system: make sure these (or your system's equivalents) are installed:" \
       "${wanted[*]}" >&2
  exit 0
fi

missing=()
for package in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

command="apt-get install -y --no-install-recommends ${missing[*]}"
echo "Missing system packages for '$purpose': ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo=(sudo)
else
  echo "Install them, then run this again:"
  echo "  sudo apt-get update && sudo $command"
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
echo "Installing them: ${sudo[*]:+${sudo[*]} }$command"
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
