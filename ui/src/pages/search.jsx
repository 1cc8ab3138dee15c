// Search as you type: devices (name, serial, asset tag, slug), hosts,
// racks, sites, and an address: the address row with its host, and the
// smallest prefix holding it.
import { useEffect, useState } from 'preact/hooks';
import { Link } from 'wouter-preact';
import { db, must } from '../api.js';
import { ErrorText } from '../ui.jsx';
import { isAddress, contains, masklen } from '../ip.js';

async function find(q) {
  const s = q.replace(/[",()\\*]/g, '');
  const like = `"*${s}*"`;
  const tasks = [
    must(db().from('device').select('slug,name,kind,serial,asset_tag')
      .or(`name.ilike.${like},serial.ilike.${like},asset_tag.ilike.${like},slug.eq."${s}"`).order('name').limit(20))
      .then((r) => r.map((d) => ({ kind: 'device', slug: d.slug, text: d.name, note: [d.kind, d.serial, d.asset_tag].filter(Boolean).join(' · ') }))),
    must(db().from('host').select('slug,hostname,status').or(`hostname.ilike.${like},slug.eq."${s}"`).order('hostname').limit(20))
      .then((r) => r.map((h) => ({ kind: 'host', slug: h.slug, text: h.hostname, note: h.status }))),
    must(db().from('rack').select('slug,name,site(name)').or(`name.ilike.${like},slug.eq."${s}"`).limit(10))
      .then((r) => r.map((x) => ({ kind: 'rack', slug: x.slug, text: x.name, note: x.site.name }))),
    must(db().from('site').select('slug,name').or(`name.ilike.${like},slug.eq."${s}"`).limit(10))
      .then((r) => r.map((x) => ({ kind: 'site', slug: x.slug, text: x.name, note: '' }))),
  ];
  if (isAddress(s)) {
    const host = s.includes('/') ? s : `${s}/${s.includes(':') ? 128 : 32}`;
    tasks.push(must(db().from('ip_address').select('address,dns_name,host(slug,hostname)').eq('host_addr', host))
      .then((r) => r.flatMap((a) => [
        { kind: 'address', slug: null, text: a.address, note: a.dns_name || '' },
        ...(a.host ? [{ kind: 'host', slug: a.host.slug, text: a.host.hostname, note: `has ${a.address}` }] : []),
      ])));
    tasks.push(must(db().from('prefix_usage').select('slug,prefix,vrf'))
      .then((r) => {
        const holding = r.filter((p) => contains(p.prefix, s)).sort((a, b) => masklen(b.prefix) - masklen(a.prefix));
        return holding.slice(0, 1).map((p) => ({ kind: 'prefix', slug: p.slug, text: p.prefix, note: `holds ${s}${p.vrf ? ` (${p.vrf})` : ''}` }));
      }));
  }
  return (await Promise.all(tasks)).flat();
}

export function Search() {
  const [q, setQ] = useState('');
  const [state, setState] = useState({ rows: [] });
  useEffect(() => {
    if (q.trim().length < 2) { setState({ rows: [] }); return; }
    let live = true;
    const t = setTimeout(() => find(q.trim()).then(
      (rows) => live && setState({ rows, q }), (error) => live && setState({ rows: [], error })), 120);
    return () => { live = false; clearTimeout(t); };
  }, [q]);
  return (
    <main data-ready="yes">
      <h1>Search</h1>
      <input id="search" type="search" autofocus placeholder="hostname, device, serial, asset tag, address, slug"
        value={q} onInput={(e) => setQ(e.target.value)} />
      <ErrorText error={state.error} />
      <ul id="results" data-query={state.q || ''}>
        {state.rows.map((r) => (
          <li class="result" data-kind={r.kind}>
            <span class="kind">{r.kind}</span>{' '}
            {r.slug ? <Link href={`/${r.kind}/${r.slug}`}>{r.text}</Link> : <span>{r.text}</span>}{' '}
            <small>{r.note}</small>
          </li>
        ))}
      </ul>
      {state.q && state.rows.length === 0 && <p>Nothing found.</p>}
    </main>
  );
}
