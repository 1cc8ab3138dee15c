// A host: environment, roles, grains, addresses, cluster, monitoring
// windows; its last state run (mountaineer_salt) and the safes it may read
// (mountaineer_vault) when those modules are installed.  Editors edit the
// host and its addresses.
import { useState } from 'preact/hooks';
import { Link, useLocation } from 'wouter-preact';
import { db, must, canEdit } from '../api.js';
import { useLoad, Page, EditForm, Action, ifInstalled } from '../ui.jsx';

async function loadHost(slug) {
  const h = await must(db().from('host')
    .select('id,slug,hostname,kind,status,operating_system,vcpus,memory_mb,environment(name),cluster(name),device(name,slug),host_role(role(name)),grain(*),ip_address(id,slug,address,dns_name,description,canonical),monitoring_exception(*)')
    .eq('slug', slug).order('address', { referencedTable: 'ip_address' }).single());
  const [run, safes] = await Promise.all([
    ifInstalled(db().from('host_last_highstate').select('*').eq('host_id', h.id).maybeSingle()),
    ifInstalled(db().from('safe_host_access').select('safe_id,safe,permission,via').eq('host_id', h.id).order('safe')),
  ]);
  // the failed states of that run, and the names (never the ciphertexts) of
  // the secrets in those safes: row-level security shows them to admins only
  const [errors, secrets] = await Promise.all([
    run && run.highstate_id
      ? must(db().from('state_error').select('state_id,sls,name,function,comment').eq('highstate_id', run.highstate_id).order('state_id'))
      : [],
    safes && safes.length
      ? must(db().from('secret').select('safe_id,name,key_name,key_version').in('safe_id', safes.map((x) => x.safe_id)).order('name'))
      : [],
  ]);
  return { ...h, run, errors, safes, secrets };
}

function LastRun({ run, errors }) {
  if (!run.highstate_id) return <section id="highstate" data-failing="never"><h2>Last state run</h2><p>Never ran.</p></section>;
  return (
    <section id="highstate" data-failing={run.failing ? 'yes' : 'no'}>
      <h2>Last state run <small class={run.failing ? 'bad' : 'ok'}>{run.failing ? 'failing' : 'ok'}</small></h2>
      <p>{run.fun} · job {run.jid} · {new Date(run.started_at).toLocaleString()} · {run.duration_ms ?? '?'} ms · retcode {run.retcode}</p>
      {run.compile_error
        ? <pre class="error">{Array.isArray(run.compile_error) ? run.compile_error.join('\n') : JSON.stringify(run.compile_error)}</pre>
        : <p>{run.total} states: {run.succeeded} succeeded, {run.failed} failed, {run.changed} changed</p>}
      {errors.length > 0 && (
        <table class="list" id="state-errors">
          <thead><tr><th>State</th><th>SLS</th><th>Function</th><th>Comment</th></tr></thead>
          <tbody>{errors.map((e) => <tr data-state={e.state_id}><td>{e.state_id}</td><td>{e.sls}</td><td>{e.function}</td><td>{e.comment}</td></tr>)}</tbody>
        </table>
      )}
    </section>
  );
}

function Safes({ safes, secrets }) {
  return (
    <section id="safes">
      <h2>Secrets it may read</h2>
      {safes.length === 0 ? <p>No safe is granted to it.</p> : (
        <ul>{safes.map((s) => {
          const names = secrets.filter((x) => x.safe_id === s.safe_id);
          return (
            <li data-safe={s.safe}>{s.safe} <small>({s.permission}, via {s.via.join(', ')})</small>
              {names.length > 0 && <ul class="secrets">{names.map((x) => <li class="secret">{x.name} <small>{x.key_name} v{x.key_version}</small></li>)}</ul>}
            </li>
          );
        })}</ul>
      )}
      {safes.length > 0 && secrets.length === 0 && <p><small>The secrets' names are shown to admins.</small></p>}
    </section>
  );
}

export const HOST_KINDS = ['virtual_machine', 'bare_metal', 'container', 'peripheral'];

// every host, and for editors "New host"
export function Hosts() {
  const [, navigate] = useLocation();
  const state = useLoad(() => Promise.all([
    must(db().from('host').select('slug,hostname,kind,status,environment(name)').order('hostname').limit(5000)),
    canEdit() ? must(db().from('environment').select('id,name').order('name')) : [],
    canEdit() ? must(db().from('cluster').select('id,name').order('name')) : [],
  ]), []);
  return (
    <Page state={state} title="Hosts">
      {([rows, envs, clusters]) => (
        <>
          <table class="list" id="hosts">
            <thead><tr><th>Hostname</th><th>Environment</th><th>Kind</th><th>Status</th></tr></thead>
            <tbody>{rows.map((h) => (
              <tr data-host={h.hostname}><td><Link href={`/host/${h.slug}`}>{h.hostname}</Link></td>
                <td>{h.environment?.name}</td><td>{h.kind}</td><td>{h.status}</td></tr>
            ))}</tbody>
          </table>
          {canEdit() && <EditForm id="new-host" title="New host" table="host" onSaved={(r) => navigate(`/host/${r.slug}`)}
            fields={[['hostname', 'Hostname'], ['environment_id', 'Environment', envs.map((e) => [e.id, e.name])],
                     ['kind', 'Kind', HOST_KINDS], ['cluster_id', 'Runs on cluster', [['', '—'], ...clusters.map((c) => [c.id, c.name])]],
                     ['operating_system', 'Operating system']]} />}
          {canEdit() && <p><small>A host on a device of its own: "New host" on the device's page.</small></p>}
        </>
      )}
    </Page>
  );
}

export function Host({ params }) {
  const [n, setN] = useState(0);
  const reload = () => setN(n + 1);
  const state = useLoad(() => loadHost(params.slug), [params.slug, n]);
  const edit = canEdit();
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
          <table class="list" id="addresses">
            <tbody>{h.ip_address.map((a) => (
              <tr data-address={a.address}>
                <td>{a.address}</td><td class="dns">{a.dns_name || ''}</td><td>{a.canonical ? 'canonical' : ''}</td>
                <td>{edit && <Action label="delete" run={() => must(db().from('ip_address').delete().eq('id', a.id))} onDone={reload} />}</td>
              </tr>
            ))}</tbody>
          </table>
          {edit && h.ip_address.length > 0 && <AddressEdit addresses={h.ip_address} onDone={reload} />}
          {edit && <EditForm id="new-address" title="New address" table="ip_address" create={{ host_id: h.id }} onSaved={reload}
            fields={[['address', 'Address'], ['dns_name', 'DNS name'], ['description', 'Description']]} />}
          {h.run && <LastRun run={h.run} errors={h.errors} />}
          {h.safes && <Safes safes={h.safes} secrets={h.secrets} />}
          <h2>Grains</h2>
          <dl class="facts" id="grains">{h.grain.map((g) => <><dt>{g.name}</dt><dd>{typeof g.value === 'string' ? g.value : JSON.stringify(g.value)}</dd></>)}</dl>
          <h2>Monitoring windows</h2>
          <pre>{JSON.stringify(h.monitoring_exception, null, 1)}</pre>
          <p><Link href={`/history/host/${h.slug}`}>history</Link></p>
          {edit && <EditForm id="edit-host" title="Edit host" table="host" row={h} onSaved={reload}
            fields={[['hostname', 'Hostname'], ['operating_system', 'Operating system']]} />}
        </>
      )}
    </Page>
  );
}

function AddressEdit({ addresses, onDone }) {
  const [which, setWhich] = useState(addresses[0].id);
  const a = addresses.find((x) => x.id === which) || addresses[0];
  return (
    <div class="edit" id="edit-address-box">
      <label>Edit address <select id="edit-address-which" value={a.id} onChange={(e) => setWhich(e.target.value)}>
        {addresses.map((x) => <option value={x.id}>{x.address}</option>)}</select></label>
      <EditForm key={a.id} id="edit-address" title={`Address ${a.address}`} table="ip_address" row={a} onSaved={onDone}
        fields={[['address', 'Address'], ['dns_name', 'DNS name'], ['description', 'Description']]} />
    </div>
  );
}
