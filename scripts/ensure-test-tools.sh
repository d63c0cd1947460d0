#!/usr/bin/env bash
# Debian tools the test suite runs for real: jq and curl (the documented example queries against a
# live server), promtool (package prometheus: checks docker/prometheus/alerts.yml), redis-server
# (the cache purge tests run against a real Redis, started by jest's global setup) and Chromium (the
# console's browser tests drive /usr/bin/chromium with playwright-core; no browser download).
# Installs whatever is missing when it can (root with apt-get); otherwise says what to install.
missing=""
command -v jq >/dev/null 2>&1 || missing="$missing jq"
command -v curl >/dev/null 2>&1 || missing="$missing curl"
command -v promtool >/dev/null 2>&1 || missing="$missing prometheus"
command -v redis-server >/dev/null 2>&1 || missing="$missing redis-server"
[ -x /usr/bin/chromium ] || missing="$missing chromium"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing test tools:$missing" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing) >/dev/null 2>&1 && exit 0
fi
echo "npm test needs:$missing — install them (Debian/Ubuntu: sudo apt-get install$missing)" >&2
exit 1
