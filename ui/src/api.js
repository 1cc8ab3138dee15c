// The REST API (PostgREST behind nginx at /api/) through @supabase/postgrest-js,
// and the session: the token login() signed, kept in sessionStorage.
import { PostgrestClient } from '@supabase/postgrest-js';

const KEY = 'mountaineer.token';

export function token() {
  return sessionStorage.getItem(KEY);
}

// the claims of a JWT (role, sub, exp): shown, never trusted (the API checks)
export function claims(t = token()) {
  if (!t) return null;
  try {
    const b = t.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const c = JSON.parse(decodeURIComponent(escape(atob(b))));
    if (c.exp && c.exp * 1000 < Date.now()) return null;
    return c;
  } catch {
    return null;
  }
}

export function db() {
  const t = token();
  return new PostgrestClient(new URL('/api', location.href).href.replace(/\/$/, ''), {
    headers: t ? { Authorization: `Bearer ${t}` } : {},
  });
}

export async function login(username, password) {
  sessionStorage.removeItem(KEY);
  const { data, error } = await db().rpc('login', { username, password });
  if (error) throw error;
  sessionStorage.setItem(KEY, data.token);
  return claims(data.token);
}

export function logout() {
  sessionStorage.removeItem(KEY);
}

export function canEdit(c = claims()) {
  return !!c && (c.role === 'mountaineer_editor' || c.role === 'mountaineer_admin');
}

// data or throw the PostgREST error ({code, message, details, hint})
export async function must(q) {
  const { data, error } = await q;
  if (error) throw error;
  return data;
}

// an SVG picture of the API (rack_elevation_svg): postgrest-js asks for
// JSON, so this one request is a plain fetch with the picture's media type
export async function svg(fn, args) {
  const u = new URL(`/api/rpc/${fn}`, location.href);
  for (const [k, v] of Object.entries(args)) u.searchParams.set(k, v);
  const r = await fetch(u, { headers: { Accept: 'image/svg+xml', Authorization: `Bearer ${token()}` } });
  if (!r.ok) throw await r.json();
  return r.text();
}
