// A rack: front and rear elevation drawn from one request (the rack with
// its devices embedded), free runs highlighted, devices clickable, and for
// editors "place a device here" (rack_first_fit finds the lowest free run).
import { useState } from 'preact/hooks';
import { Link } from 'wouter-preact';
import { db, must, canEdit } from '../api.js';
import { useLoad, Page, ErrorText, fieldOf, EditForm } from '../ui.jsx';

// a rackspan as text: U5/full, U12-U13/front
export function parseSpan(s) {
  const m = /^U(\d+)(?:-U(\d+))?\/(front|rear|full)$/.exec(s || '');
  return m ? { lo: +m[1], hi: +(m[2] || m[1]), face: m[3] } : null;
}

async function loadRack(slug) {
  return must(db().from('rack')
    .select('id,slug,name,units,descending,starting_unit,site(name,slug),device(id,slug,name,kind,position,units)')
    .eq('slug', slug).single());
}

function label(rack, u) {
  return (rack.descending ? rack.units + 1 - u : u) + rack.starting_unit - 1;
}

function Elevation({ rack, onUnit }) {
  const at = { front: {}, rear: {} };
  for (const d of rack.device) {
    const s = parseSpan(d.position);
    if (!s) continue;
    for (let u = s.lo; u <= s.hi; u++) {
      if (s.face !== 'rear') at.front[u] = d;
      if (s.face !== 'front') at.rear[u] = d;
    }
  }
  const rows = [];
  for (let u = rack.units; u >= 1; u--) rows.push(u);
  const cell = (face, u) => {
    const d = at[face][u];
    if (!d) {
      return (
        <td class="free" data-face={face} onClick={() => onUnit && onUnit(u, face)} title="free: place a device here">
          {onUnit ? '+' : ''}
        </td>
      );
    }
    const s = parseSpan(d.position);
    const top = s.hi === u, bottom = s.lo === u;
    return (
      <td class={`dev kind-${d.kind}${top ? ' top' : ''}${bottom ? ' bottom' : ''}`} data-face={face} data-device={d.name}>
        {top ? <Link href={`/device/${d.slug}`}>{d.name}</Link> : <Link href={`/device/${d.slug}`} aria-hidden="true" tabindex="-1">&nbsp;</Link>}
      </td>
    );
  };
  return (
    <table class="elevation" id="elevation">
      <thead><tr><th>U</th><th>Front</th><th>Rear</th></tr></thead>
      <tbody>
        {rows.map((u) => (
          <tr key={u} data-unit={u} data-label={label(rack, u)}>
            <th>{label(rack, u)}</th>
            {cell('front', u)}
            {cell('rear', u)}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const KINDS = ['server', 'network', 'pdu', 'patch_panel', 'power_panel', 'other'];

function Place({ rack, position, setPosition, onPlaced }) {
  const [error, setError] = useState(null);
  const [height, setHeight] = useState(1);
  const [face, setFace] = useState('full');
  async function firstFit() {
    setError(null);
    try {
      const p = await must(db().rpc('rack_first_fit', { rack_id: rack.id, height: +height, face }, { get: true }));
      if (p === null) setError({ message: `no free run of ${height}U (${face}) in ${rack.name}` });
      else setPosition(p);
    } catch (e) { setError(e); }
  }
  async function submit(e) {
    e.preventDefault();
    const f = new FormData(e.target);
    setError(null);
    try {
      const row = { name: f.get('name'), kind: f.get('kind'), units: +height, rack_id: rack.id, position: f.get('position') };
      await must(db().from('device').insert(row).select('id'));
      e.target.reset();
      onPlaced();
    } catch (err) { setError(err); }
  }
  const field = fieldOf(error, ['name', 'position', 'units', 'kind']);
  return (
    <form id="place" onSubmit={submit} class="edit">
      <h2>Place a device here</h2>
      <label>Name <input name="name" required /></label>
      {field === 'name' && <ErrorText error={error} field="name" />}
      <label>Kind <select name="kind">{KINDS.map((k) => <option value={k}>{k}</option>)}</select></label>
      <label>Height (U) <input name="units" type="number" min="0" max="100" value={height} onInput={(e) => setHeight(e.target.value)} /></label>
      <label>Face <select name="face" value={face} onChange={(e) => setFace(e.target.value)}>
        <option>full</option><option>front</option><option>rear</option></select></label>
      <label>Position <input name="position" value={position} onInput={(e) => setPosition(e.target.value)} placeholder="U5/full" /></label>
      {field === 'position' && <ErrorText error={error} field="position" />}
      <button type="button" id="first-fit" onClick={firstFit}>First fit</button>
      <button type="submit">Place</button>
      {field !== 'name' && field !== 'position' && <ErrorText error={error} />}
    </form>
  );
}

export function Rack({ params }) {
  const [n, setN] = useState(0);
  const [position, setPosition] = useState('');
  const state = useLoad(() => loadRack(params.slug), [params.slug, n]);
  const edit = canEdit();
  return (
    <Page state={state}>
      {(rack) => {
        const unplaced = rack.device.filter((d) => !d.position);
        return (
          <>
            <h1>Rack {rack.name} <small>at <Link href={`/site/${rack.site.slug}`}>{rack.site.name}</Link></small></h1>
            <p>{rack.units}U{rack.descending ? ', numbered top-down' : ''} · {rack.device.length} devices ·{' '}
              <Link href={`/history/rack/${rack.slug}`}>history</Link></p>
            <div class="rackpage">
              <Elevation rack={rack} onUnit={edit ? (u, face) => setPosition(`U${u}/${face === 'rear' ? 'rear' : 'full'}`) : null} />
              <div>
                {unplaced.length > 0 && <><h2>Not in a unit</h2><ul>{unplaced.map((d) =>
                  <li><Link href={`/device/${d.slug}`}>{d.name}</Link></li>)}</ul></>}
                {edit && <Place rack={rack} position={position} setPosition={setPosition} onPlaced={() => setN(n + 1)} />}
                {edit && <EditForm id="edit-rack" title="Edit rack" table="rack" row={rack} onSaved={() => setN(n + 1)}
                  fields={[['name', 'Name'], ['units', 'Units']]} />}
              </div>
            </div>
          </>
        );
      }}
    </Page>
  );
}
