#!/usr/bin/env bash
# TAP: a released install or upgrade script never changes.  released.sha256
# (at the top of the repository) lists every script of every released
# version with its SHA-256; when a version is released, its scripts are
# added there, and from then on every change is the next version
# (README, "Versions and upgrades").  Also: every version an upgrade script
# leads to has a full install script (test/upgrade.sh compares the two), and
# every script is released or newer than its extension's newest release.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
. "$top/test/lib/tap.sh"
scripts=$(ls scripts/mountaineer--*.sql modules/*/scripts/mountaineer_*--*.sql | sort)
upgrades=$(grep -- '--.*--' <<<"$scripts")
echo "1..$(( $(wc -l <released.sha256) + $(wc -w <<<"$scripts") + $(wc -w <<<"$upgrades") ))"

while read -r sum file; do
    if [ ! -f "$file" ]; then
        nok "released $file is gone"
    elif [ "$(sha256sum "$file" | cut -d' ' -f1)" = "$sum" ]; then
        ok "released $file is unchanged"
    else
        nok "released $file has changed: ship the change as the next version instead"
    fi
done <released.sha256

for f in $scripts; do
    base=$(basename "$f" .sql)
    ext=${base%%--*}
    if grep -q " $f\$" released.sha256; then
        ok "$f is released"
        continue
    fi
    newest=$(grep " .*/$ext--[0-9.]*\.sql\$\| $ext--[0-9.]*\.sql\$" released.sha256 | sed 's/.*--\([0-9.]*\)\.sql$/\1/' | sort -V | tail -1)
    to=${base##*--}
    if [ -z "$newest" ] || [ "$(printf '%s\n%s\n' "$to" "$newest" | sort -V | tail -1)" = "$to" ] && [ "$to" != "$newest" ]; then
        ok "$f is a version after the last released one (${newest:-none}) of $ext"
    else
        nok "$f is not released but not newer than $ext $newest either"
    fi
done

for f in $upgrades; do
    full=$(dirname "$f")/$(basename "$f" .sql | sed 's/--[^-]*--/--/').sql
    if [ -f "$full" ]; then ok "$f leads to a version with a full install script ($full)"
    else nok "$f leads to a version with no full install script ($full)"; fi
done
