#!/usr/bin/env bash
# The README's test command, for a fresh Debian machine: `bash scripts/test.sh`.
#
# The suites drive real system tools (PostgreSQL, swtpm, gnome-keyring, mosquitto, socat, zbarimg,
# rsvg-convert, ...), listed once in .ci/apt-packages. As root, any that are missing are installed;
# otherwise the exact apt-get line is printed and the script stops, since a run without them would
# skip or fail suites for a reason that has nothing to do with the code. Then `npm ci` and the whole
# suite (`npm test`: lint, build, vitest). .ci/run calls this same script.
set -euo pipefail
cd "$(dirname "$0")/.."

mapfile -t packages < <(sed -e 's/#.*//' -e 's/[[:space:]]\+/\n/g' .ci/apt-packages | grep -v '^$')

# `dpkg -s` also succeeds for a removed package whose config files remain, so the Status line decides.
installed() {
  dpkg -s "$1" 2>/dev/null | grep -qx 'Status: install ok installed'
}

missing=()
for package in "${packages[@]}"; do
  installed "$package" || missing+=("$package")
done

if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "scripts/test.sh: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
  else
    echo "scripts/test.sh: the test suites need Debian packages that are not installed: ${missing[*]}" >&2
    echo "Install them (after 'sudo apt-get update' on a fresh machine), then run this again:" >&2
    echo "sudo apt-get install -y --no-install-recommends ${missing[*]}"
    exit 1
  fi
fi

npm ci --no-audit --no-fund

# The JSON report is written when CI=true (vitest.config.ts); a stale one must not be counted.
rm -f .tmp/vitest-report.json
status=0
npm test || status=$?

# A plain closing line with the counts.
if [ -f .tmp/vitest-report.json ]; then
  node -e '
    const r = JSON.parse(require("fs").readFileSync(".tmp/vitest-report.json", "utf8"));
    console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed`);
  '
fi
exit "$status"
