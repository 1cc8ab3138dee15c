#!/usr/bin/env bash
# TAP: a clone works wherever a user puts it.  For each place — a private
# (mode 700) directory, a path with spaces, a path too long for a Unix
# socket, and (as root) a clone owned by an ordinary user — clone the
# repository, start a throwaway cluster with tools/pg.sh, connect, stop.
# The whole suite is not run again inside: the cluster is what depends on
# where the clone is.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
export PATH="$("${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}" --bindir):$PATH"
. "$top/test/lib/tap.sh"

base=$(mktemp -d)
trap 'rm -rf "$base"' EXIT
chmod 711 "$base"           # so that an ordinary user can reach a clone of its own below
mkdir -m 700 "$base/private"  # private, like /root
places=("$base/private/mountaineer"
        "$base/with spaces/my inventory"
        "$base/$(printf 'a-rather-long-directory-name-%.0s' {1..4})/$(printf 'x%.0s' {1..40})/mountaineer")
users=("$(id -un)" "$(id -un)" "$(id -un)")
if [ "$(id -u)" = 0 ]; then
    places+=("$base/user/mountaineer")
    users+=(nobody)
fi
echo "1..$(( ${#places[@]} * 2 + 1 ))"

# A clone of the work tree as it is (committed or not): git clone, then the
# tools as they stand, since the tools are what is under test.
clone() {
    mkdir -p "$(dirname "$1")"
    if git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
        git clone -q "$top" "$1" || return 1
    else
        mkdir -p "$1"
    fi
    mkdir -p "$1/tools" && cp "$top"/tools/*.sh "$1/tools/"
}

for i in "${!places[@]}"; do
    dir=${places[$i]} user=${users[$i]}
    as=()
    clone "$dir" || { nok "clone into $dir"; nok "skipped"; continue; }
    if [ "$user" != "$(id -un)" ]; then
        chown -R "$user" "$(dirname "$dir")"
        chmod 700 "$(dirname "$dir")"
        as=(runuser -u "$user" -- env --chdir="$dir" HOME="$(dirname "$dir")")
    fi
    if (cd "$dir" && "${as[@]}" tools/pg.sh fresh anywhere) >"$base/out" 2>&1 &&
       ans=$(cd "$dir" && eval "$("${as[@]}" tools/pg.sh env anywhere)" &&
             "${as[@]}" psql -X -At -d postgres -c "SELECT 'up ' || current_setting('port')" 2>&1) &&
       [ "${ans%% *}" = up ]; then
        ok "as $user in '${dir#$base/}' (${#dir} characters): cluster started, connected ($ans)"
    else
        nok "as $user in '${dir#$base/}': cluster did not start or answer"
        sed 's/^/# /' "$base/out"; echo "# ${ans:-}"
    fi
    if (cd "$dir" && "${as[@]}" tools/pg.sh stop anywhere) >/dev/null 2>&1 &&
       ! (cd "$dir" && eval "$("${as[@]}" tools/pg.sh env anywhere)" && "${as[@]}" pg_isready -q) ; then
        ok "as $user in '${dir#$base/}': stopped"
    else
        nok "as $user in '${dir#$base/}': still running"
    fi
    real=$(cd "$dir" && "${as[@]}" tools/pg.sh dir anywhere)
    if [ "$i" = 0 ]; then
        # /tmp cleaned (a reboot, tmpfiles): the next start makes a new home
        rm -rf "$(dirname "$real")"
        if (cd "$dir" && "${as[@]}" tools/pg.sh start anywhere) >"$base/out" 2>&1 &&
           (cd "$dir" && eval "$("${as[@]}" tools/pg.sh env anywhere)" && "${as[@]}" pg_isready -q); then
            ok "as $user in '${dir#$base/}': started again after its /tmp directory was removed"
        else
            nok "as $user in '${dir#$base/}': did not start again after its /tmp directory was removed"
            sed 's/^/# /' "$base/out"
        fi
        (cd "$dir" && "${as[@]}" tools/pg.sh stop anywhere) >/dev/null 2>&1
        real=$(cd "$dir" && "${as[@]}" tools/pg.sh dir anywhere)
    fi
    rm -rf "$real"; rmdir "$(dirname "$real")" 2>/dev/null
done
