// Small pieces the pages share.
import { useEffect, useState } from 'preact/hooks';
import { db, must } from './api.js';

// A refusal of the database, in its own words: message, then detail and hint.
export function ErrorText({ error, field }) {
  if (!error) return null;
  return (
    <div class="error" role="alert" data-field={field || ''} data-code={error.code || ''}>
      <span class="message">{error.message}</span>
      {error.details && <span class="details">{error.details}</span>}
      {error.hint && <span class="hint">{error.hint}</span>}
    </div>
  );
}

// which of the form's fields a refusal concerns: the constraint or column
// its message or detail names (device_name_check, Key (rack_id, "position"),
// invalid hostname "…")
export function fieldOf(error, fields) {
  if (!error) return null;
  const text = `${error.message || ''} ${error.details || ''}`;
  for (const f of fields) {
    if (text.includes(`_${f}_`) || text.includes(`"${f}"`) || text.includes(`(${f})`) || text.includes(`column ${f} `) ||
        text.includes(`invalid ${f} `)) return f;
  }
  return null;
}

// load(): a promise; the page shows "loading", the data or the refusal.
// Marks the page rendered (data-ready) for the tests' render timing.
export function useLoad(load, deps) {
  const [state, setState] = useState({ loading: true });
  useEffect(() => {
    let live = true;
    // a reload after an edit keeps the page (and its forms' messages) up
    setState((s) => (s.data ? s : { loading: true }));
    load().then(
      (data) => live && setState({ data }),
      (error) => live && setState({ error }),
    );
    return () => { live = false; };
  }, deps);
  return state;
}

export function Page({ state, title, children }) {
  if (state.loading) return <main aria-busy="true"><p>Loading…</p></main>;
  if (state.error) return <main data-ready="error"><ErrorText error={state.error} /></main>;
  return (
    <main data-ready="yes">
      {title && <h1>{title}</h1>}
      {children(state.data)}
    </main>
  );
}

// A form that edits (PATCH) or creates (POST) one row of a table, its
// refusals shown next to the field they name.  fields: [name, label], or
// [name, label, options] for a choice among options (each a value, or
// [value, label]; the value '' is NULL).
export function EditForm({ id, title, table, row, fields, onSaved, create }) {
  const [error, setError] = useState(null);
  const [saved, setSaved] = useState(false);
  async function submit(e) {
    e.preventDefault();
    const f = new FormData(e.target);
    const values = { ...(create || {}) };
    for (const [k] of fields) values[k] = f.get(k) === '' ? null : f.get(k);
    setError(null);
    setSaved(false);
    try {
      const q = row ? db().from(table).update(values).eq('id', row.id) : db().from(table).insert(values);
      const out = await must(q.select('slug'));
      setSaved(true);
      if (!row) e.target.reset();
      onSaved && onSaved(out[0]);
    } catch (err) { setError(err); }
  }
  const field = fieldOf(error, fields.map(([k]) => k));
  return (
    <form id={id} class="edit" onSubmit={submit}>
      <h2>{title}</h2>
      {fields.map(([k, label, options]) => (
        <>
          <label>{label} {options
            ? <select name={k} value={row ? row[k] ?? '' : undefined}>{options.map((o) => (Array.isArray(o)
                ? <option value={o[0]}>{o[1]}</option> : <option value={o}>{o}</option>))}</select>
            : <input name={k} value={row ? row[k] ?? '' : ''} />}</label>
          {field === k && <ErrorText error={error} field={k} />}
        </>
      ))}
      <button type="submit">{row ? 'Save' : 'Create'}</button>
      {saved && <span class="ok"> saved</span>}
      {!field && <ErrorText error={error} />}
    </form>
  );
}

// A button that runs a write (a DELETE, say) and shows its refusal beside it.
export function Action({ id, label, run, onDone }) {
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  async function click() {
    setError(null);
    setBusy(true);
    try { await run(); onDone && onDone(); } catch (e) { setError(e); } finally { setBusy(false); }
  }
  return (
    <span class="action" id={id}>
      <button type="button" disabled={busy} onClick={click}>{label}</button>
      <ErrorText error={error} />
    </span>
  );
}

// a module's table or view, or null when the module is not installed (the
// API answers 42P01 for a relation it does not have)
export async function ifInstalled(q) {
  const { data, error } = await q;
  if (error && error.code === '42P01') return null;
  if (error) throw error;
  return data;
}
