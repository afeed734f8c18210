#!/usr/bin/env bash
# Installs what fpmscope's demo and tests need on Debian/Ubuntu (run as root), then a venv.
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "ok installed"; }
command -v php >/dev/null 2>&1 || need+=(php-cli)
compgen -G "/usr/sbin/php-fpm*" >/dev/null || need+=(php-fpm)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
# The install tests rotate a probe log with the snippet `fpmscope install` writes.
command -v logrotate >/dev/null 2>&1 || [ -x /usr/sbin/logrotate ] || need+=(logrotate)
have_pkg python3-venv || command -v python3 >/dev/null 2>&1 || need+=(python3 python3-venv)
# The HTML report's browser test drives Debian's chromium through Playwright (never a downloaded browser).
[ -x /usr/bin/chromium ] || need+=(chromium)
# The real-application tests (tests/realapps) run Debian's MediaWiki on SQLite and WordPress on a
# private MariaDB, both as shipped (WordPress only recommends its default theme: named here).
for pkg in mediawiki wordpress wordpress-theme-twentytwentythree mariadb-server php-sqlite3 php-mysql php-intl; do
    have_pkg "$pkg" || need+=("$pkg")
done
# Route-name detection is tested on Debian's own Laravel and Symfony code (tests/data/frameworks).
for pkg in php-laravel-framework php-symfony-http-kernel php-symfony-routing php-symfony-http-foundation; do
    have_pkg "$pkg" || need+=("$pkg")
done
# The fleet tests start private ClickHouse servers (Debian's 18.16) on loopback; its service is
# never started (the policy below denies it, and it needs systemd).
command -v clickhouse-server >/dev/null 2>&1 || [ -x /usr/sbin/clickhouse-server ] || need+=(clickhouse-server)
command -v clickhouse-client >/dev/null 2>&1 || need+=(clickhouse-client)
# The operator tests run `fpmscope top` in a real terminal (tmux) and press its keys.
command -v tmux >/dev/null 2>&1 || need+=(tmux)
for extra in ${FPMSCOPE_EXTRA_PACKAGES:-}; do have_pkg "$extra" || need+=("$extra"); done
if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "setup: missing ${need[*]}; run as root, or: sudo apt-get install ${need[*]}" >&2
        exit 1
    fi
    echo "setup: installing ${need[*]}" >&2
    apt-get update -qq
    # Packages must not start their system services (MariaDB's): the tests start private
    # servers in temp dirs. A policy-rc.d that denies starts is put in place for the install
    # only, unless one is already there.
    policy=/usr/sbin/policy-rc.d
    own_policy=0
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && own_policy=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
    [ "$own_policy" -eq 0 ] || rm -f "$policy"
fi

if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
.venv/bin/python -m pip install -q -e '.[dev]'
