#!/usr/bin/env bash
# TAP: rack_elevation_svg() draws valid SVG (xmllint --noout) for every rack
# of the demo estate and for a rack whose names need escaping, and draws
# what the rack holds: a slot per unit and face, a box per device and face
# it takes (full depth: both faces, half depth: its own), each labelled with
# its name exactly (read back through the XML parser), the zero-U devices
# beside, each box filled by its kind (one colour a kind), units labelled
# bottom-up in an ascending rack and top-down in a descending one.  Also shows that
# the validity check can fail: the drawing with one escape undone is
# refused.  In a database of its own; runs against the cluster named by
# PGHOST/PGPORT.
set -uo pipefail
top=$(cd "$(dirname "$0")/../../.." && pwd)
. "$top/test/lib/tap.sh"
db=mt_svg
work=$(mktemp -d)
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" "$@"; }
trap 'dropdb --if-exists -f "$db" 2>/dev/null; rm -rf "$work"' EXIT
echo "1..12"

dropdb --if-exists -f "$db" 2>/dev/null
createdb "$db" || { echo "Bail out! cannot create a database"; exit 1; }
q -c 'SET client_min_messages = warning' -c 'CREATE EXTENSION mountaineer_hardware CASCADE' >/dev/null ||
    { echo "Bail out! cannot install mountaineer_hardware"; exit 1; }
q -f "$top/modules/hardware/demo/estate.sql" >/dev/null || { echo "Bail out! the demo estate does not load"; exit 1; }
# names with every character XML escapes, non-ASCII, and what closes CDATA
q >/dev/null <<'SQL' || { echo "Bail out! cannot load the fixture"; exit 1; }
INSERT INTO mountaineer.site (name) VALUES ('Zürich <"Süd"> & ''Ost''');
INSERT INTO mountaineer.rack (site_id, name, units, descending)
SELECT id, 'R&D ]]> <r>', 6, true FROM mountaineer.site WHERE name LIKE 'Zürich%';
INSERT INTO mountaineer.device (kind, name, units, rack_id, position)
SELECT k::mountaineer.device_kind, n, u, r.id, p::mountaineer.rackspan
FROM mountaineer.rack r,
     (VALUES ('server', 'a&b <c> "d" ''e'' ☃', 3, 'U2-U4'),
             ('network', 'sw<1>', 1, 'U6/front'),
             ('other', 'kvm&co', 1, 'U6/rear'),
             ('pdu', 'pdu "left"', 0, NULL),
             ('server', repeat('long&', 20), 1, 'U1')) d(k, n, u, p)
WHERE r.name = 'R&D ]]> <r>';
SQL

# every rack's drawing, one file each
racks=$(q -c "SELECT id FROM mountaineer.rack ORDER BY name")
for r in $racks; do q -c "SELECT mountaineer.rack_elevation_svg('$r')" >"$work/$r.svg"; done
bad=
for r in $racks; do xmllint --noout "$work/$r.svg" 2>"$work/lint.err" || bad="$bad $r: $(head -1 "$work/lint.err")"; done
check "xmllint accepts the drawing of each of the $(wc -w <<<"$racks") racks" '[ -z "$bad" ] && [ "$(wc -w <<<"$racks")" -ge 4 ]' ||
    echo "# $bad"

odd=$(q -c "SELECT id FROM mountaineer.rack WHERE name = 'R&D ]]> <r>'")
svg=$work/$odd.svg
x() { xmllint --xpath "$1" "$svg" 2>/dev/null; }
el() { echo "//*[local-name()='$1']"; }   # SVG's default namespace, by local name

# the counts the catalogue gives, per rack, against the drawing's
counts_ok=
for r in $racks; do
    want=$(q -c "SELECT r.units * 2 || ' ' ||
                        (SELECT coalesce(sum(CASE mountaineer.face(d.position) WHEN 'full' THEN 2 ELSE 1 END), 0)
                           FROM mountaineer.device d WHERE d.rack_id = r.id AND d.position IS NOT NULL) || ' ' ||
                        (SELECT count(*) FROM mountaineer.device d WHERE d.rack_id = r.id AND d.position IS NULL)
                   FROM mountaineer.rack r WHERE r.id = '$r'")
    svg=$work/$r.svg
    got="$(x "count($(el rect)[@width='160'])") $(x "count($(el g)/*[local-name()='rect'][@width='158'])") $(x "count($(el g)/*[local-name()='rect'][@width='10'])")"
    [ "$want" = "$got" ] || counts_ok="$counts_ok $r: want $want, got $got;"
done
check "each drawing has a slot per unit and face, a box per device and face it takes, and its zero-U devices" '[ -z "$counts_ok" ]' ||
    echo "# $counts_ok"
svg=$work/$odd.svg

# coloured by kind: every box of one kind has one fill, each kind its own
perl -ne 'while (/\(([a-z_]+)\) [^<]*<\/title><rect [^>]*fill="(#[0-9a-fA-F]+)"/g) { $f{$1}{$2} = 1 }
          END { for (sort keys %f) { print "$_ ", join(",", sort keys %{$f{$_}}), "\n" } }' "$work"/*.svg >"$work/fills"
check "each device box is filled by its kind: one colour for each of the $(wc -l <"$work/fills") kinds drawn, no two kinds alike" \
    '[ "$(wc -l <"$work/fills")" -ge 4 ] && ! grep -q , "$work/fills" && [ "$(cut -d" " -f2 "$work/fills" | sort -u | wc -l)" = "$(wc -l <"$work/fills")" ]' ||
    sed 's/^/# /' "$work/fills"
# an ascending rack (the demo's A01) is numbered bottom-up: its top slot is its last unit
asc=$(q -c "SELECT id || ' ' || units FROM mountaineer.rack WHERE name = 'A01' AND NOT descending")
svg=$work/${asc% *}.svg
check "an ascending rack is numbered bottom-up: ${asc#* } at the top, 1 at the bottom" \
      "[ -n '$asc' ] && [ \"\$(x \"string(($(el text)[@text-anchor='end'])[1])\")\" = '${asc#* }' ] &&
       [ \"\$(x \"string(($(el text)[@text-anchor='end'])[${asc#* }])\")\" = 1 ]"
svg=$work/$odd.svg

label=$(x "string($(el g)[*[local-name()='rect'][@height='58']]/*[local-name()='text'])")
check "a name with & < > \" ' and non-ASCII reads back exactly from the box's label" \
      "[ \"\$label\" = 'a&b <c> \"d\" '\\''e'\\'' ☃' ]" || echo "# got: $label"
check "the full-depth 3 U server is drawn on both faces, 58 px high (3 units of 20, less the border)" \
      "[ \"\$(x \"count($(el rect)[@height='58'])\")\" = 2 ]"
check "a half-depth device is drawn on its own face only (sw<1> at the front, kvm&co at the rear)" \
      "[ \"\$(x \"string($(el g)[*[local-name()='text'] = 'sw<1>']/*[local-name()='rect']/@x)\")\" = 39 ] &&
       [ \"\$(x \"count($(el g)[*[local-name()='text'] = 'sw<1>'])\")\" = 1 ] &&
       [ \"\$(x \"string($(el g)[*[local-name()='text'] = 'kvm&co']/*[local-name()='rect']/@x)\")\" = 243 ] &&
       [ \"\$(x \"count($(el g)[*[local-name()='text'] = 'kvm&co'])\")\" = 1 ]"
check "the zero-U PDU is listed beside the rack, by its name" \
      "[ \"\$(x \"string($(el g)[*[local-name()='rect'][@width='10']]/*[local-name()='text'])\")\" = 'pdu \"left\"' ]"
long=$(q -c "SELECT repeat('long&', 20)")
check "a name longer than a box holds is cut to 25 characters and …, the tooltip keeps it whole" \
      "[ \"\$(x \"string(\$(el g)[*[local-name()='title'] = '\$long (server) U1/full'][1]/*[local-name()='text'])\")\" = 'long&long&long&long&long&…' ]"
# the descending rack's top slot (y 52) is labelled 1, its bottom slot 6
check "a descending rack is numbered top-down: 1 at the top, 6 at the bottom" \
      "[ \"\$(x \"string(($(el text)[@text-anchor='end'])[1])\")\" = 1 ] &&
       [ \"\$(x \"string(($(el text)[@text-anchor='end'])[6])\")\" = 6 ]"
check "the heading names rack and site" \
      "[ \"\$(x \"string($(el title)[1])\")\" = 'Rack R&D ]]> <r> at Zürich <\"Süd\"> & '\\''Ost'\\''' ]"

# the check can fail: undo one escape and xmllint refuses the drawing
sed 's/&amp;/\&/' "$svg" >"$work/broken.svg"
check "xmllint refuses the drawing with one & left unescaped (so the validity check can fail)" \
      '! xmllint --noout "$work/broken.svg" 2>/dev/null'
