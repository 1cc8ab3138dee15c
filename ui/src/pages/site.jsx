// Sites, and a site: its racks as elevations side by side (the API's
// rack_elevation_svg), with space use and the power roll-up (rack_power).
import { useState } from 'preact/hooks';
import { Link, useLocation } from 'wouter-preact';
import { db, must, svg, canEdit } from '../api.js';
import { useLoad, Page, EditForm } from '../ui.jsx';

export function Sites() {
  const [, navigate] = useLocation();
  const state = useLoad(() => must(db().from('site').select('slug,name,rack(count)').order('name')), []);
  return (
    <Page state={state} title="Sites">
      {(rows) => (
        <>
          <ul id="sites">{rows.map((s) => <li><Link href={`/site/${s.slug}`}>{s.name}</Link> <small>{s.rack[0]?.count ?? 0} racks</small></li>)}</ul>
          {canEdit() && <EditForm id="new-site" title="New site" table="site" fields={[['name', 'Name'], ['vendor', 'Vendor'], ['address', 'Address']]}
            onSaved={(r) => navigate(`/site/${r.slug}`)} />}
        </>
      )}
    </Page>
  );
}

async function loadSite(slug) {
  const site = await must(db().from('site').select('id,slug,name,vendor,address,rack(id,slug,name,units,device(units,position))').eq('slug', slug).single());
  // the power roll-up (rack_power: its PDUs' capacity, the draw of the
  // devices that count) in one request, beside a picture per rack
  const [power, ...pictures] = await Promise.all([
    site.rack.length ? must(db().from('rack_power').select('rack_id,capacity_watts,allocated_watts').in('rack_id', site.rack.map((r) => r.id))) : [],
    ...site.rack.map((r) => svg('rack_elevation_svg', { rack_id: r.id }).catch(() => '')),
  ]);
  const byRack = Object.fromEntries(power.map((x) => [x.rack_id, x]));
  site.rack.forEach((r, i) => { r.svg = pictures[i]; r.power = byRack[r.id] || { capacity_watts: 0, allocated_watts: 0 }; });
  site.rack.sort((a, b) => a.name.localeCompare(b.name));
  return site;
}

export function Site({ params }) {
  const [n, setN] = useState(0);
  const state = useLoad(() => loadSite(params.slug), [params.slug, n]);
  return (
    <Page state={state}>
      {(s) => (
        <>
          <h1>Site {s.name} <small><Link href={`/history/site/${s.slug}`}>history</Link></small></h1>
          <div class="racks">
            {s.rack.map((r) => {
              const used = r.device.filter((d) => d.position).reduce((n, d) => n + d.units, 0);
              return (
                <figure class="rack" data-rack={r.name}>
                  <figcaption><Link href={`/rack/${r.slug}`}>{r.name}</Link>
                    <br /><small class="use">{used}/{r.units}U used · {r.power.allocated_watts} W of {r.power.capacity_watts} W</small></figcaption>
                  <Link href={`/rack/${r.slug}`}><div class="svg" dangerouslySetInnerHTML={{ __html: r.svg }} /></Link>
                </figure>
              );
            })}
          </div>
          {canEdit() && <>
            <EditForm id="edit-site" title="Edit site" table="site" row={s} fields={[['name', 'Name'], ['vendor', 'Vendor'], ['address', 'Address']]} onSaved={() => setN(n + 1)} />
            <EditForm id="new-rack" title="New rack" table="rack" create={{ site_id: s.id }} fields={[['name', 'Name'], ['units', 'Units']]} onSaved={() => setN(n + 1)} />
          </>}
        </>
      )}
    </Page>
  );
}
