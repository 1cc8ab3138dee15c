#!/usr/bin/env bash
# Installs the Debian packages Mountaineer needs, and only those that are
# absent.  Extra package names may be passed as arguments (bench adds its own).
set -euo pipefail

need=(make gcc postgresql-15 postgresql-server-dev-15 postgresql-15-pgtap
      libtap-parser-sourcehandler-pgtap-perl graphviz
      postgresql-15-plpgsql-check cppcheck clang-tidy "$@")

missing=()
for p in "${need[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "== Debian packages: all present (${need[*]})"
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
