// Mountaineer's web interface: Preact, routed by wouter-preact, data from
// the REST API by @supabase/postgrest-js (src/api.js).
import { render } from 'preact';
import { useState } from 'preact/hooks';
import { Router, Route, Switch, Link, useLocation } from 'wouter-preact';
import { claims, login, logout, canEdit } from './api.js';
import { Search } from './pages/search.jsx';
import { Rack } from './pages/rack.jsx';
import { Device } from './pages/device.jsx';
import { Prefix, Prefixes } from './pages/prefix.jsx';
import { Site, Sites } from './pages/site.jsx';
import { Host, Hosts } from './pages/host.jsx';
import { History } from './pages/history.jsx';
import { ErrorText } from './ui.jsx';

function SignIn({ onSignedIn }) {
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  async function submit(e) {
    e.preventDefault();
    const f = new FormData(e.target);
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await login(f.get('username'), f.get('password')));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  return (
    <main class="signin">
      <h1>Mountaineer</h1>
      <form onSubmit={submit} id="signin">
        <label>User <input name="username" autocomplete="username" required /></label>
        <label>Password <input name="password" type="password" autocomplete="current-password" required /></label>
        <button type="submit" disabled={busy}>Sign in</button>
        <ErrorText error={error} />
      </form>
    </main>
  );
}

function App() {
  const [who, setWho] = useState(claims());
  const [, navigate] = useLocation();
  if (!who) return <SignIn onSignedIn={setWho} />;
  return (
    <>
      <header>
        <Link href="/" class="brand">Mountaineer</Link>
        <nav>
          <Link href="/">Search</Link>
          <Link href="/sites">Sites</Link>
          <Link href="/hosts">Hosts</Link>
          <Link href="/prefixes">Prefixes</Link>
        </nav>
        <span id="who" data-role={who.role}>
          {who.sub} <small>({who.role.replace('mountaineer_', '')}{canEdit(who) ? '' : ', read-only'})</small>
        </span>
        <button id="signout" onClick={() => { logout(); setWho(null); navigate('/'); }}>Sign out</button>
      </header>
      <Switch>
        <Route path="/" component={Search} />
        <Route path="/sites" component={Sites} />
        <Route path="/site/:slug" component={Site} />
        <Route path="/rack/:slug" component={Rack} />
        <Route path="/device/:slug" component={Device} />
        <Route path="/hosts" component={Hosts} />
        <Route path="/host/:slug" component={Host} />
        <Route path="/prefixes" component={Prefixes} />
        <Route path="/prefix/:slug" component={Prefix} />
        <Route path="/history/:table/:slug" component={History} />
        <Route><main><p>No such page.</p></main></Route>
      </Switch>
    </>
  );
}

render(<Router><App /></Router>, document.getElementById('app'));
