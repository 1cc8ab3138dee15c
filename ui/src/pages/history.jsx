// The history of any row: who changed what and when, old and new values
// side by side (mountaineer.history).
import { db, must } from '../api.js';
import { useLoad, Page } from '../ui.jsx';

const TABLES = new Set(['site', 'rack', 'device', 'port', 'cable', 'host', 'prefix', 'ip_address']);

async function loadHistory(table, slug) {
  if (!TABLES.has(table)) throw { message: `no history page for ${table}` };
  const row = await must(db().from(table).select('id').eq('slug', slug).single());
  return must(db().rpc('history', { tbl: `mountaineer.${table}`, id: row.id }, { get: true }).order('id'));
}

export function History({ params }) {
  const state = useLoad(() => loadHistory(params.table, params.slug), [params.table, params.slug]);
  return (
    <Page state={state} title={`History of ${params.table} ${params.slug}`}>
      {(rows) => (
        <table class="list" id="history">
          <thead><tr><th>When</th><th>Who</th><th>What</th><th>Field</th><th>Old</th><th>New</th></tr></thead>
          <tbody>{rows.flatMap((c) => {
            const keys = [...new Set([...Object.keys(c.before || {}), ...Object.keys(c.after || {})])]
              .filter((k) => JSON.stringify((c.before || {})[k]) !== JSON.stringify((c.after || {})[k]));
            return keys.map((k, i) => (
              <tr>
                <td>{i ? '' : new Date(c.at).toLocaleString()}</td><td>{i ? '' : c.actor}</td><td>{i ? '' : c.op}</td>
                <td>{k}</td><td>{JSON.stringify((c.before || {})[k]) ?? ''}</td><td>{JSON.stringify((c.after || {})[k]) ?? ''}</td>
              </tr>
            ));
          })}</tbody>
        </table>
      )}
    </Page>
  );
}
