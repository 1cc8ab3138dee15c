// A device: details, ports with their cables and far ends, the path from
// any port (cable_path) drawn, its power chain (power_trace) and what goes
// down with it (impact); editors edit its details, its ports and its cables.
import { useState } from 'preact/hooks';
import { Link, useLocation } from 'wouter-preact';
import { db, must, canEdit } from '../api.js';
import { useLoad, Page, ErrorText, EditForm, Action, fieldOf } from '../ui.jsx';

const PORTS = 'id,slug,name,kind,cable_end(side,cable(id,slug,label,type,status,color,cable_end(side,port(id,name,device(name,slug)))))';
// what a port can be (port_kind); a front port is made with its rear port's mapping
const KINDS = ['interface', 'console', 'console_server', 'power_port', 'power_outlet', 'power_feed', 'rear_port'];
const STATUSES = ['connected', 'planned', 'decommissioning'];

async function loadDevice(slug) {
  const [d, environments] = await Promise.all([
    must(db().from('device')
      .select(`id,slug,name,kind,manufacturer,model,serial,asset_tag,units,position,draw_watts,rack(name,slug,site(name,slug)),port(${PORTS}),host(hostname,slug)`)
      .eq('slug', slug).order('name', { referencedTable: 'port' }).single()),
    canEdit() ? must(db().from('environment').select('id,name').order('name')) : [],   // for "New host on this device"
  ]);
  return { ...d, environments };
}

// a port as cable_path shows it: its device (none for a circuit's
// termination) and its name
function portLabel(doc) {
  return doc ? [doc.device, doc.port].filter(Boolean).join(' ') : 'open';
}

function farEnd(p) {
  const ce = p.cable_end;
  if (!ce || !ce.cable) return null;
  const other = ce.cable.cable_end.find((e) => e.side !== ce.side);
  return { cable: ce.cable, port: other && other.port };
}

// the path as a drawing: one box per port, a line per cable, left to right
function PathDrawing({ hops }) {
  const w = 170, gap = 60, h = 46;
  const boxes = [hops[0].from, ...hops.map((x) => x.to)];
  const width = boxes.length * w + (boxes.length - 1) * gap;
  return (
    <svg class="path" width={width} height={h + 30} viewBox={`0 0 ${width} ${h + 30}`} role="img" aria-label="cable path">
      {boxes.map((b, i) => (
        <g key={i} transform={`translate(${i * (w + gap)},10)`}>
          <rect width={w} height={h} rx="6" class="pbox" />
          <text x={w / 2} y="19" text-anchor="middle" class="pdev">{b ? b.device || 'circuit' : '?'}</text>
          <text x={w / 2} y="36" text-anchor="middle" class="pport">{b ? b.port : ''}</text>
        </g>
      ))}
      {hops.map((x, i) => (
        <g key={`c${i}`}>
          <line x1={i * (w + gap) + w} y1={10 + h / 2} x2={(i + 1) * (w + gap)} y2={10 + h / 2} class={`pcable ${x.cable.status}`} />
          <text x={i * (w + gap) + w + gap / 2} y={h / 2 + 4} text-anchor="middle" class="plabel">{x.cable.label || ''}</text>
        </g>
      ))}
    </svg>
  );
}

function CablePath({ port }) {
  const state = useLoad(() => must(db().rpc('cable_path', { port_id: port.id }, { get: true })), [port.id]);
  if (state.loading) return <p>Tracing…</p>;
  if (state.error) return <ErrorText error={state.error} />;
  const p = state.data;
  return (
    <section id="cable-path" data-status={p.status}>
      <h2>Path from {port.name}: {p.status}</h2>
      {p.branches.map((b) => (
        <div class="branch" data-branch={b.branch} data-outcome={b.outcome}>
          <PathDrawing hops={b.hops} />
          <ol class="hops">
            {b.hops.map((x) => (
              <li class="hop" data-hop={x.hop}>
                <span class="from">{portLabel(x.from)}</span>
                {' — '}<span class="cable">{x.cable.label || 'cable'} ({x.cable.type || ''} {x.cable.status})</span>{' → '}
                <span class="to">{portLabel(x.to)}</span>
              </li>
            ))}
          </ol>
        </div>
      ))}
      {p.branches.length === 0 && <p>Not connected.</p>}
    </section>
  );
}

function names(ids) {
  return ids.length ? must(db().from('device').select('id,name,slug').in('id', ids)) : Promise.resolve([]);
}

function Impact({ device }) {
  const state = useLoad(async () => {
    const rows = await must(db().rpc('impact', { device_id: device.id }, { get: true }));
    const byId = Object.fromEntries((await names(rows.map((r) => r.device_id))).map((d) => [d.id, d]));
    return rows.map((r) => ({ ...r, device: byId[r.device_id] }));
  }, [device.id]);
  if (state.loading) return <p>Working out the impact…</p>;
  if (state.error) return <ErrorText error={state.error} />;
  return (
    <section id="impact">
      <h2>What goes down with it</h2>
      {state.data.length === 0 ? <p>Nothing else.</p> : (
        <ul>{state.data.map((r) => <li data-depth={r.depth}><Link href={`/device/${r.device.slug}`}>{r.device.name}</Link> <small>(depth {r.depth})</small></li>)}</ul>
      )}
    </section>
  );
}

function PowerChain({ device }) {
  const inlets = device.port.filter((p) => p.kind === 'power_port');
  const state = useLoad(async () => {
    const all = [];
    for (const p of inlets) {
      const rows = await must(db().rpc('power_trace', { port_id: p.id }, { get: true }));
      all.push({ port: p, rows });
    }
    const ids = [...new Set(all.flatMap((x) => x.rows.map((r) => r.far_device)).filter(Boolean))];
    const byId = Object.fromEntries((await names(ids)).map((d) => [d.id, d]));
    return all.map((x) => ({ ...x, rows: x.rows.map((r) => ({ ...r, far: byId[r.far_device] })) }));
  }, [device.id]);
  if (!inlets.length) return null;
  if (state.loading) return <p>Tracing power…</p>;
  if (state.error) return <ErrorText error={state.error} />;
  return (
    <section id="power">
      <h2>Power chain</h2>
      <ul>{state.data.map((x) => (
        <li>{x.port.name}: {x.rows.length === 0 ? 'not connected' : x.rows.map((r, i) => (
          <span>{i ? ' → ' : ''}{r.far ? <Link href={`/device/${r.far.slug}`}>{r.far.name}</Link> : '?'}{r.outcome ? ` (${r.outcome})` : ''}</span>))}</li>
      ))}</ul>
    </section>
  );
}

// "Connect": a cable from one of this device's free ports to a port of
// another device, named as people name it, made by cable_connect() in one call
function Connect({ device, onDone }) {
  const [error, setError] = useState(null);
  const [made, setMade] = useState(null);
  const free = device.port.filter((p) => !farEnd(p));
  async function submit(e) {
    e.preventDefault();
    const f = new FormData(e.target);
    setError(null);
    setMade(null);
    try {
      const far = await must(db().from('port').select('id,device!inner(name)')
        .eq('name', f.get('far_port')).eq('device.name', f.get('far_device')));
      if (far.length !== 1) {
        throw { message: `no port "${f.get('far_port')}" on a device named "${f.get('far_device')}"`, field: 'far_port' };
      }
      const cable = await must(db().rpc('cable_connect', {
        a_port_id: f.get('port'), b_port_id: far[0].id,
        label: f.get('label') || null, type: f.get('type') || null, status: f.get('status'),
      }));
      setMade(cable.label || cable.slug);
      e.target.reset();
      onDone();
    } catch (err) { setError(err); }
  }
  if (!free.length) return null;
  const field = error && (error.field || fieldOf(error, ['label', 'type']));
  return (
    <form id="connect" class="edit" onSubmit={submit}>
      <h2>Connect a cable</h2>
      <label>From port <select name="port">{free.map((p) => <option value={p.id}>{p.name} ({p.kind})</option>)}</select></label>
      <label>To device <input name="far_device" required /></label>
      <label>Its port <input name="far_port" required /></label>
      {field === 'far_port' && <ErrorText error={error} field="far_port" />}
      <label>Label <input name="label" /></label>
      {field === 'label' && <ErrorText error={error} field="label" />}
      <label>Type <input name="type" placeholder="cat6, om4, dac, power …" /></label>
      <label>Status <select name="status">{STATUSES.map((x) => <option value={x}>{x}</option>)}</select></label>
      <button type="submit">Connect</button>
      {made && <span class="ok"> cable {made} connected</span>}
      {!field && <ErrorText error={error} />}
    </form>
  );
}

// the editor's controls for ports: rename one, add one
function PortForms({ device, onDone }) {
  const [which, setWhich] = useState(device.port[0] && device.port[0].id);
  const port = device.port.find((p) => p.id === which);
  return (
    <>
      {port && (
        <div class="edit" id="edit-port-box">
          <label>Edit port <select id="edit-port-which" value={which} onChange={(e) => setWhich(e.target.value)}>
            {device.port.map((p) => <option value={p.id}>{p.name}</option>)}</select></label>
          <EditForm key={port.id} id="edit-port" title={`Port ${port.name}`} table="port" row={port} onSaved={onDone}
            fields={[['name', 'Name']]} />
        </div>
      )}
      <EditForm id="new-port" title="New port" table="port" create={{ device_id: device.id }} onSaved={onDone}
        fields={[['name', 'Name'], ['kind', 'Kind', KINDS]]} />
    </>
  );
}

export function Device({ params }) {
  const [n, setN] = useState(0);
  const [traced, setTraced] = useState(null);
  const [cableEdit, setCableEdit] = useState(null);
  const [, navigate] = useLocation();
  const edit = canEdit();
  const reload = () => setN(n + 1);
  const state = useLoad(() => loadDevice(params.slug), [params.slug, n]);
  return (
    <Page state={state}>
      {(d) => (
        <>
          <h1>{d.name} <small>{d.kind}</small></h1>
          <dl class="facts">
            <dt>Rack</dt><dd>{d.rack ? <><Link href={`/rack/${d.rack.slug}`}>{d.rack.name}</Link> {d.position || ''} at <Link href={`/site/${d.rack.site.slug}`}>{d.rack.site.name}</Link></> : '—'}</dd>
            <dt>Model</dt><dd>{[d.manufacturer, d.model].filter(Boolean).join(' ') || '—'}</dd>
            <dt>Serial</dt><dd id="serial">{d.serial || '—'}</dd>
            <dt>Asset tag</dt><dd>{d.asset_tag || '—'}</dd>
            <dt>Height</dt><dd>{d.units}U</dd>
            <dt>Draw</dt><dd>{d.draw_watts != null ? `${d.draw_watts} W` : '—'}</dd>
            <dt>Host</dt><dd id="device-host">{d.host ? <Link href={`/host/${d.host.slug}`}>{d.host.hostname}</Link> : '—'}</dd>
          </dl>
          <p><Link href={`/history/device/${d.slug}`}>history</Link></p>
          <h2>Ports</h2>
          <table id="ports" class="list">
            <thead><tr><th>Port</th><th>Kind</th><th>Cable</th><th>Far end</th><th></th></tr></thead>
            <tbody>{d.port.map((p) => {
              const f = farEnd(p);
              return (
                <tr data-port={p.name}>
                  <td>{p.name}</td><td>{p.kind}</td>
                  <td>{f ? `${f.cable.label || ''} (${f.cable.status})` : ''}</td>
                  <td class="far">{f && f.port ? <>{f.port.device ? <Link href={`/device/${f.port.device.slug}`}>{f.port.device.name}</Link> : ''} {f.port.name}</> : ''}</td>
                  <td>{f && <button class="trace" onClick={() => setTraced(p)}>path</button>}
                    {edit && f && <button class="edit-cable" onClick={() => setCableEdit(f.cable)}>edit cable</button>}
                    {edit && f && <Action label="disconnect" run={() => must(db().from('cable').delete().eq('id', f.cable.id))}
                      onDone={() => { setTraced(null); setCableEdit(null); reload(); }} />}
                    {edit && !f && <Action label="delete" run={() => must(db().from('port').delete().eq('id', p.id))} onDone={reload} />}</td>
                </tr>
              );
            })}</tbody>
          </table>
          {traced && <CablePath port={traced} />}
          <PowerChain device={d} />
          <Impact device={d} />
          {edit && cableEdit && <EditForm key={cableEdit.id} id="edit-cable" title={`Cable ${cableEdit.label || cableEdit.slug}`} table="cable"
            row={cableEdit} onSaved={() => { setCableEdit(null); reload(); }}
            fields={[['label', 'Label'], ['type', 'Type'], ['status', 'Status', STATUSES], ['color', 'Colour']]} />}
          {edit && <Connect device={d} onDone={reload} />}
          {edit && <PortForms device={d} onDone={reload} />}
          {edit && !d.host && <EditForm id="new-device-host" title="New host on this device" table="host" create={{ device_id: d.id }}
            onSaved={(r) => navigate(`/host/${r.slug}`)}
            fields={[['hostname', 'Hostname'], ['environment_id', 'Environment', d.environments.map((e) => [e.id, e.name])],
                     ['kind', 'Kind', ['bare_metal', 'peripheral']], ['operating_system', 'Operating system']]} />}
          {edit && <EditForm id="edit-device" title="Edit" table="device" row={d} onSaved={reload}
            fields={[['name', 'Name'], ['serial', 'Serial'], ['asset_tag', 'Asset tag'], ['manufacturer', 'Manufacturer'], ['model', 'Model']]} />}
        </>
      )}
    </Page>
  );
}
