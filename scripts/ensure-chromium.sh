#!/usr/bin/env bash
# Make sure Debian's Chromium is at /usr/bin/chromium for the browser tests (tests/browser).
# Installs it with apt-get when missing and running as root; otherwise prints the exact
# command and exits 1. Never downloads a browser any other way (no `playwright install`).
set -euo pipefail
chromium=/usr/bin/chromium

if [ -x "$chromium" ]; then
    echo "chromium: $("$chromium" --version 2>/dev/null || echo "$chromium")"
    exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Debian's chromium with apt-get (the browser tests drive it)..."
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
    if [ -x "$chromium" ]; then
        echo "chromium: $("$chromium" --version 2>/dev/null || echo "$chromium")"
        exit 0
    fi
    echo "apt-get finished but $chromium is still missing." >&2
    exit 1
fi
echo "$chromium is missing; the browser tests need Debian's Chromium. Install it with:" >&2
echo "    sudo apt-get update && sudo apt-get install -y chromium" >&2
exit 1
