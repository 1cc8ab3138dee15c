// A host: environment, roles, grains, addresses, cluster, monitoring windows.
import { useState } from 'preact/hooks';
import { Link } from 'wouter-preact';
import { db, must, canEdit } from '../api.js';
import { useLoad, Page, EditForm } from '../ui.jsx';

async function loadHost(slug) {
  return must(db().from('host')
    .select('id,slug,hostname,kind,status,operating_system,vcpus,memory_mb,environment(name),cluster(name),device(name,slug),host_role(role(name)),grain(*),ip_address(address,dns_name,canonical),monitoring_exception(*)')
    .eq('slug', slug).single());
}

export function Host({ params }) {
  const [n, setN] = useState(0);
  const state = useLoad(() => loadHost(params.slug), [params.slug, n]);
  return (
    <Page state={state}>
      {(h) => (
        <>
          <h1>{h.hostname} <small>{h.kind} · {h.status}</small></h1>
          <dl class="facts">
            <dt>Environment</dt><dd>{h.environment?.name}</dd>
            <dt>Roles</dt><dd id="roles">{h.host_role.map((r) => r.role.name).join(', ') || '—'}</dd>
            <dt>Cluster</dt><dd>{h.cluster?.name || '—'}</dd>
            <dt>Device</dt><dd>{h.device ? <Link href={`/device/${h.device.slug}`}>{h.device.name}</Link> : '—'}</dd>
            <dt>OS</dt><dd>{h.operating_system || '—'}</dd>
          </dl>
          <h2>Addresses</h2>
          <ul id="addresses">{h.ip_address.map((a) => <li>{a.address} {a.dns_name || ''}{a.canonical ? ' (canonical)' : ''}</li>)}</ul>
          <h2>Grains</h2>
          <pre>{JSON.stringify(h.grain, null, 1)}</pre>
          <h2>Monitoring windows</h2>
          <pre>{JSON.stringify(h.monitoring_exception, null, 1)}</pre>
          <p><Link href={`/history/host/${h.slug}`}>history</Link></p>
          {canEdit() && <EditForm id="edit-host" title="Edit host" table="host" row={h} onSaved={() => setN(n + 1)}
            fields={[['hostname', 'Hostname'], ['operating_system', 'Operating system']]} />}
        </>
      )}
    </Page>
  );
}
