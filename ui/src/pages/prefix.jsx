// Prefixes: the tree with utilisation bars; a prefix with its children,
// free blocks, and for editors "allocate next /N" and "allocate next address".
import { useState } from 'preact/hooks';
import { Link, useLocation } from 'wouter-preact';
import { db, must, canEdit } from '../api.js';
import { useLoad, Page, ErrorText, EditForm } from '../ui.jsx';
import { contains, masklen } from '../ip.js';

function Bar({ u }) {
  const pct = Math.round(Number(u) * 1000) / 10;
  return <span class="bar" title={`${pct}% used`}><span style={{ width: `${Math.min(100, pct)}%` }} /><em>{pct}%</em></span>;
}

// depth of each prefix in its VRF: how many others hold it
function tree(rows) {
  return rows.map((p) => ({
    ...p,
    depth: rows.filter((q) => q !== p && q.vrf === p.vrf && masklen(q.prefix) < masklen(p.prefix) && contains(q.prefix, p.prefix)).length,
  }));
}

const STATUSES = ['active', 'container', 'reserved', 'deprecated'];

export function Prefixes() {
  const [, navigate] = useLocation();
  const state = useLoad(() => Promise.all([
    must(db().from('prefix_usage').select('slug,vrf,prefix,status,description,utilization').order('vrf', { nullsFirst: true }).order('prefix')),
    canEdit() ? must(db().from('vrf').select('id,name').order('name')) : [],
  ]), []);
  return (
    <Page state={state} title="Prefixes">
      {([rows, vrfs]) => (
        <>
        {canEdit() && <EditForm id="new-prefix" title="New prefix" table="prefix" onSaved={(r) => navigate(`/prefix/${r.slug}`)}
          fields={[['prefix', 'Prefix'], ['vrf_id', 'VRF', [['', 'global'], ...vrfs.map((v) => [v.id, v.name])]],
                   ['status', 'Status', STATUSES], ['description', 'Description']]} />}
        <table class="list" id="prefix-tree">
          <thead><tr><th>VRF</th><th>Prefix</th><th>Status</th><th>Used</th><th>Description</th></tr></thead>
          <tbody>{tree(rows).map((p) => (
            <tr data-prefix={p.prefix}>
              <td>{p.vrf || 'global'}</td>
              <td style={{ paddingLeft: `${0.5 + p.depth * 1.5}em` }}><Link href={`/prefix/${p.slug}`}>{p.prefix}</Link></td>
              <td>{p.status}</td><td><Bar u={p.utilization} /></td><td>{p.description || ''}</td>
            </tr>
          ))}</tbody>
        </table>
        </>
      )}
    </Page>
  );
}

// a GET's arguments are query parameters: a NULL one is left out (its default)
const given = (o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined));

async function loadPrefix(slug) {
  // the view's figures and the table's vrf_id, side by side (both by slug)
  const [p, row] = await Promise.all([
    must(db().from('prefix_usage').select('id,slug,vrf,prefix,status,description,size,free,utilization').eq('slug', slug).single()),
    must(db().from('prefix').select('vrf_id').eq('slug', slug).single()),
  ]);
  const [children, free, next] = await Promise.all([
    must(db().rpc('prefix_children', { prefix_id: p.id }, { get: true }).select('slug,prefix,status,description')),
    must(db().rpc('free_prefixes', given({ parent: p.prefix, vrf_id: row.vrf_id }), { get: true })),
    p.status === 'active' ? must(db().rpc('next_free_ip', given({ prefix: p.prefix, vrf_id: row.vrf_id }), { get: true })) : null,
  ]);
  return { ...p, vrf_id: row.vrf_id, children, free, next };
}

function Allocate({ p, onDone }) {
  const [error, setError] = useState(null);
  const [result, setResult] = useState(null);
  const [len, setLen] = useState(Math.min(masklen(p.prefix) + 4, p.prefix.includes(':') ? 128 : 32));
  const hosts = useLoad(() => must(db().from('host').select('id,hostname').order('hostname').limit(1000)), []);
  async function run(f) {
    setError(null);
    setResult(null);
    try { setResult(await f()); onDone(); } catch (e) { setError(e); }
  }
  return (
    <section class="edit" id="allocate">
      <h2>Allocate</h2>
      <div>
        <label>Next /<input id="masklen" type="number" value={len} onInput={(e) => setLen(e.target.value)} /></label>
        <button id="allocate-prefix" onClick={() => run(async () =>
          `prefix ${(await must(db().rpc('allocate_prefix', { parent: p.prefix, masklen: +len, vrf_id: p.vrf_id }))).prefix}`)}>Allocate next /{len}</button>
      </div>
      {p.status === 'active' && (
        <div>
          <label>for host <select id="alloc-host">{(hosts.data || []).map((h) => <option value={h.id}>{h.hostname}</option>)}</select></label>
          <button id="allocate-ip" onClick={() => run(async () => {
            const host = document.getElementById('alloc-host').value;
            return `address ${(await must(db().rpc('allocate_ip', { prefix: p.prefix, host_id: host, vrf_id: p.vrf_id }))).address}`;
          })}>Allocate next address</button>
        </div>
      )}
      {result && <p id="allocated" class="ok">Allocated {result}</p>}
      <ErrorText error={error} />
    </section>
  );
}

export function Prefix({ params }) {
  const [n, setN] = useState(0);
  const state = useLoad(() => loadPrefix(params.slug), [params.slug, n]);
  return (
    <Page state={state}>
      {(p) => (
        <>
          <h1>{p.prefix} <small>{p.vrf || 'global'} · {p.status}</small></h1>
          <p>{p.description || ''}</p>
          <p>{p.size} addresses, {p.free} free directly in it <Bar u={p.utilization} /> · <Link href={`/history/prefix/${p.slug}`}>history</Link></p>
          {p.next !== null && <p>Next free address: <code id="next-free">{p.next || 'none'}</code></p>}
          <h2>Children</h2>
          <ul id="children">{p.children.map((c) => <li><Link href={`/prefix/${c.slug}`}>{c.prefix}</Link> {c.status} {c.description || ''}</li>)}</ul>
          <h2>Free blocks</h2>
          <ul id="free-blocks">{p.free.slice(0, 50).map((b) => <li class="free">{b}</li>)}</ul>
          {canEdit() && <Allocate p={p} onDone={() => setN(n + 1)} />}
          {canEdit() && <EditForm id="edit-prefix" title="Edit prefix" table="prefix" row={p} onSaved={() => setN(n + 1)}
            fields={[['description', 'Description'], ['status', 'Status', STATUSES]]} />}
        </>
      )}
    </Page>
  );
}
