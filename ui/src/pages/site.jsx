// Sites, and a site: its racks as elevations side by side (the API's
// rack_elevation_svg), with space and power use.
import { Link } from 'wouter-preact';
import { db, must, svg } from '../api.js';
import { useLoad, Page } from '../ui.jsx';

export function Sites() {
  const state = useLoad(() => must(db().from('site').select('slug,name,rack(count)').order('name')), []);
  return (
    <Page state={state} title="Sites">
      {(rows) => <ul id="sites">{rows.map((s) => <li><Link href={`/site/${s.slug}`}>{s.name}</Link> <small>{s.rack[0]?.count ?? 0} racks</small></li>)}</ul>}
    </Page>
  );
}

async function loadSite(slug) {
  const site = await must(db().from('site').select('id,slug,name,rack(id,slug,name,units,device(units,position,draw_watts))').eq('slug', slug).single());
  const pictures = await Promise.all(site.rack.map((r) => svg('rack_elevation_svg', { rack_id: r.id }).catch(() => '')));
  site.rack.forEach((r, i) => { r.svg = pictures[i]; });
  site.rack.sort((a, b) => a.name.localeCompare(b.name));
  return site;
}

export function Site({ params }) {
  const state = useLoad(() => loadSite(params.slug), [params.slug]);
  return (
    <Page state={state}>
      {(s) => (
        <>
          <h1>Site {s.name} <small><Link href={`/history/site/${s.slug}`}>history</Link></small></h1>
          <div class="racks">
            {s.rack.map((r) => {
              const used = r.device.filter((d) => d.position).reduce((n, d) => n + d.units, 0);
              const watts = r.device.reduce((n, d) => n + Number(d.draw_watts || 0), 0);
              return (
                <figure class="rack" data-rack={r.name}>
                  <figcaption><Link href={`/rack/${r.slug}`}>{r.name}</Link>
                    <br /><small>{used}/{r.units}U used · {watts} W</small></figcaption>
                  <Link href={`/rack/${r.slug}`}><div class="svg" dangerouslySetInnerHTML={{ __html: r.svg }} /></Link>
                </figure>
              );
            })}
          </div>
        </>
      )}
    </Page>
  );
}
