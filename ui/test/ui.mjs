// The web interface in a real Chromium (playwright-core driving Debian's
// /usr/bin/chromium, headless), against nginx + PostgREST + the demo estate.
// Run by test/ui.sh, which gives the address (UI_URL), what SQL says the
// pages must show (EXPECT: a JSON file) and where screenshots go (SHOTS).
// Prints TAP.
import { chromium } from 'playwright-core';
import { readFileSync } from 'node:fs';

const base = process.env.UI_URL;
const want = JSON.parse(readFileSync(process.env.EXPECT, 'utf8'));
const shots = process.env.SHOTS;
let n = 0, failed = 0;
const ok = (cond, name, diag) => {
  n++;
  if (cond) console.log(`ok ${n} - ${name}`);
  else { failed++; console.log(`not ok ${n} - ${name}`); if (diag) console.log(String(diag).split('\n').map((l) => `# ${l}`).join('\n')); }
};
const comment = (s) => console.log(`# ${s}`);
const times = {};

async function signIn(page, user, password) {
  await page.goto(`${base}/`);
  await page.fill('input[name=username]', user);
  await page.fill('input[name=password]', password);
  await page.click('#signin button[type=submit]');
  await page.waitForSelector('#who, .error', { timeout: 10000 });
}

// navigate within the app (a full load: what a bookmark does), timing until
// the page says it is rendered; returns the API requests it made
async function visit(page, path, what) {
  const requests = [];
  const onReq = (r) => { if (new URL(r.url()).pathname.startsWith('/api/')) requests.push(r.url()); };
  page.on('request', onReq);
  const t0 = Date.now();
  await page.goto(`${base}${path}`);
  await page.waitForSelector('main[data-ready]', { timeout: 15000 });
  const ms = Date.now() - t0;
  await page.waitForLoadState('networkidle');
  page.off('request', onReq);
  (times[what] ||= []).push(ms);
  return requests;
}

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
try {
  // --- the editor -------------------------------------------------------
  const ed = await (await browser.newContext({ viewport: { width: 1280, height: 1000 } })).newPage();
  const pageErrors = [];
  ed.on('pageerror', (e) => pageErrors.push(e.message));
  await signIn(ed, want.editor.user, want.editor.password);
  ok((await ed.textContent('#who')).includes(want.editor.user) && (await ed.getAttribute('#who', 'data-role')) === 'mountaineer_editor',
     'sign in as an editor: the header shows the name and the role', await ed.textContent('body'));

  const wrong = await (await browser.newContext()).newPage();
  await signIn(wrong, want.editor.user, 'not the password');
  ok((await wrong.textContent('.error .message')) === want.refusal_login, 'a wrong password is refused in the database\'s words', await wrong.textContent('body'));
  await wrong.context().close();

  // search as you type
  await visit(ed, '/', 'search');
  const t0 = Date.now();
  await ed.fill('#search', want.serial.serial);
  await ed.waitForSelector(`#results[data-query="${want.serial.serial}"]`, { timeout: 10000 });
  times.search_results = [Date.now() - t0];
  const found = await ed.$$eval('#results .result', (els) => els.map((e) => e.textContent));
  ok(found.some((t) => t.startsWith('device') && t.includes(want.serial.device)), `search finds device ${want.serial.device} by its serial ${want.serial.serial}`, found.join('\n'));
  await ed.fill('#search', want.address.address);
  await ed.waitForSelector(`#results[data-query="${want.address.address}"]`, { timeout: 10000 });
  const byAddr = await ed.$$eval('#results .result', (els) => els.map((e) => e.textContent));
  ok(byAddr.some((t) => t.startsWith('host') && t.includes(want.address.hostname)) &&
     byAddr.some((t) => t.startsWith('prefix') && t.includes(want.address.prefix)),
     `search finds address ${want.address.address}: its host ${want.address.hostname} and its prefix ${want.address.prefix}`, byAddr.join('\n'));

  // the rack: right devices at the right units, in one or two requests
  const reqs = await visit(ed, `/rack/${want.rack.slug}`, 'rack');
  ok(reqs.length >= 1 && reqs.length <= 2, `the rack page of ${want.rack.name} (${want.rack.devices} devices) makes ${reqs.length} API request(s), one or two`, reqs.join('\n'));
  const shown = await ed.$$eval('#elevation tbody tr', (rows) => rows.map((r) => [
    +r.dataset.unit, +r.dataset.label,
    r.querySelector('td[data-face=front]').dataset.device || null,
    r.querySelector('td[data-face=rear]').dataset.device || null]));
  const diff = want.rack.elevation.filter((e) => !shown.some((s) => s[0] === e[0] && s[1] === e[1] && s[2] === e[2] && s[3] === e[3]));
  ok(shown.length === want.rack.elevation.length && diff.length === 0,
     `rack ${want.rack.name}: every unit shows the devices rack_elevation() puts there, front and rear (${shown.length} units)`,
     JSON.stringify(diff.slice(0, 5)));
  const freeCells = await ed.$$eval('#elevation td.free', (els) => els.length);
  ok(freeCells === want.rack.free_cells, `the free units are highlighted (${freeCells} cells)`);
  await ed.screenshot({ path: `${shots}/rack.png`, fullPage: true });

  const reqs48 = await visit(ed, `/rack/${want.rack48.slug}`, 'rack 48U, 40 devices');
  const shown48 = await ed.$$eval('#elevation td[data-face=front][data-device]', (els) => new Set(els.map((e) => e.dataset.device)).size);
  ok(reqs48.length >= 1 && reqs48.length <= 2 && shown48 === want.rack48.devices,
     `a 48U rack with ${want.rack48.devices} devices: all shown, in ${reqs48.length} API request(s)`, reqs48.join('\n'));
  await visit(ed, `/rack/${want.rack.slug}`, 'rack');

  // placing a device in an occupied unit: the exclusion refusal, in the database's words
  await ed.fill('#place input[name=name]', 'ui-test-collision');
  await ed.fill('#place input[name=position]', want.rack.occupied);
  await ed.click('#place button[type=submit]');
  await ed.waitForSelector('#place .error', { timeout: 10000 });
  const refusal = await ed.textContent('#place .error[data-field=position] .message').catch(() => null);
  ok(refusal === want.rack.exclusion, `placing a device at ${want.rack.occupied} (occupied) shows the exclusion refusal next to the position`,
     `got: ${refusal}\nwant: ${want.rack.exclusion}`);
  await ed.click('#first-fit');
  await ed.waitForFunction((p) => document.querySelector('#place input[name=position]').value === p, want.rack.first_fit, { timeout: 10000 }).catch(() => {});
  ok(await ed.inputValue('#place input[name=position]') === want.rack.first_fit, `"first fit" proposes ${want.rack.first_fit} (rack_first_fit)`);

  // a device: its ports and a known trace
  await visit(ed, `/device/${want.trace.device_slug}`, 'device');
  const far = await ed.textContent(`#ports tr[data-port="${want.trace.port}"] td.far`);
  ok(far.includes(want.trace.far_device), `device ${want.trace.device}: port ${want.trace.port} shows its cable's far end ${want.trace.far_device}`, far);
  await ed.click(`#ports tr[data-port="${want.trace.port}"] button.trace`);
  await ed.waitForSelector('#cable-path .hop', { timeout: 10000 });
  const hops = await ed.$$eval('#cable-path .branch[data-branch="1"] .hop', (els) => els.map((e) => e.textContent));
  ok(hops.length === want.trace.hops.length && want.trace.hops.every((h, i) => hops[i].startsWith(h.from) && hops[i].includes(h.cable) && hops[i].endsWith(h.to)),
     `the cable path from ${want.trace.device} ${want.trace.port} lists its ${want.trace.hops.length} hops as cable_path() does`,
     `got:\n${hops.join('\n')}\nwant:\n${want.trace.hops.map((h) => `${h.from} — ${h.cable} → ${h.to}`).join('\n')}`);
  ok(await ed.$('#cable-path svg.path') !== null, 'and draws it');
  await ed.waitForSelector('#impact', { timeout: 10000 });
  // an edit the database refuses: the message next to the field it names
  await ed.fill('#edit-device input[name=name]', ` ${want.trace.device}`);
  await ed.click('#edit-device button[type=submit]');
  await ed.waitForSelector('#edit-device .error', { timeout: 10000 });
  const nameRefusal = await ed.textContent('#edit-device .error[data-field=name] .message').catch(() => null);
  ok(nameRefusal === want.trace.name_refusal, 'renaming a device to a name with a leading space shows the check refusal next to the name',
     `got: ${nameRefusal}\nwant: ${want.trace.name_refusal}`);
  await ed.screenshot({ path: `${shots}/device.png`, fullPage: true });

  // (1.7) ports and cables: add a port, the duplicate refused, connect it
  // (a taken port refused), edit the cable, disconnect, rename, delete
  const c = want.connect;
  const row = (name) => `#ports tr[data-port="${name}"]`;
  await visit(ed, `/device/${c.slug}`, 'device');
  await ed.fill('#new-port input[name=name]', 'ui-eth9');
  await ed.selectOption('#new-port select[name=kind]', 'interface');
  await ed.click('#new-port button[type=submit]');
  ok(await ed.waitForSelector(row('ui-eth9'), { timeout: 10000 }).then(() => true, () => false), `device ${c.device}: "New port" adds port ui-eth9 to its ports`);
  await ed.fill('#new-port input[name=name]', c.port);
  await ed.click('#new-port button[type=submit]');
  await ed.waitForSelector('#new-port .error', { timeout: 10000 });
  const dupPort = await ed.textContent('#new-port .error[data-field=name] .message').catch(() => null);
  ok(dupPort === c.dup_port, `a second port named ${c.port} shows the unique refusal next to the name`, `got: ${dupPort}\nwant: ${c.dup_port}`);
  await ed.selectOption('#connect select[name=port]', { label: 'ui-eth9 (interface)' });
  await ed.fill('#connect input[name=far_device]', c.taken_device);
  await ed.fill('#connect input[name=far_port]', c.taken_port);
  await ed.click('#connect button[type=submit]');
  await ed.waitForSelector('#connect .error', { timeout: 10000 });
  const taken = await ed.textContent('#connect .error .message').catch(() => null);
  ok(taken === c.taken, `connecting it to ${c.taken_device} ${c.taken_port} (cabled) shows the refusal`, `got: ${taken}\nwant: ${c.taken}`);
  await ed.selectOption('#connect select[name=port]', { label: 'ui-eth9 (interface)' });
  await ed.fill('#connect input[name=far_device]', c.far_device);
  await ed.fill('#connect input[name=far_port]', c.far_port);
  await ed.fill('#connect input[name=label]', 'UI-C1');
  await ed.fill('#connect input[name=type]', 'cat6');
  await ed.click('#connect button[type=submit]');
  await ed.waitForFunction((sel) => document.querySelector(sel)?.textContent.includes('UI-C1'), `${row('ui-eth9')} td:nth-child(3)`, { timeout: 10000 }).catch(() => {});
  ok((await ed.textContent(`${row('ui-eth9')} td.far`)).includes(c.far_device) && (await ed.textContent(`${row('ui-eth9')}`)).includes('UI-C1'),
     `"Connect" cables ui-eth9 to ${c.far_device} ${c.far_port} (cable_connect): the far end is shown`, await ed.textContent(row('ui-eth9')));
  await ed.click(`${row('ui-eth9')} button.edit-cable`);
  await ed.fill('#edit-cable input[name=label]', 'UI-C1b');
  await ed.selectOption('#edit-cable select[name=status]', 'planned');
  await ed.click('#edit-cable button[type=submit]');
  await ed.waitForFunction((sel) => document.querySelector(sel)?.textContent.includes('UI-C1b (planned)'), `${row('ui-eth9')} td:nth-child(3)`, { timeout: 10000 }).catch(() => {});
  ok((await ed.textContent(`${row('ui-eth9')} td:nth-child(3)`)) === 'UI-C1b (planned)', 'editing the cable: its new label and status are shown',
     await ed.textContent(row('ui-eth9')));
  await ed.click(`${row('ui-eth9')} .action button`);
  await ed.waitForFunction((sel) => document.querySelector(sel)?.textContent === '', `${row('ui-eth9')} td.far`, { timeout: 10000 }).catch(() => {});
  ok((await ed.textContent(`${row('ui-eth9')} td.far`)) === '', '"disconnect" deletes the cable: no far end any more');
  await ed.selectOption('#edit-port-which', { label: 'ui-eth9' });
  await ed.fill('#edit-port input[name=name]', 'ui-eth10');
  await ed.click('#edit-port button[type=submit]');
  ok(await ed.waitForSelector(row('ui-eth10'), { timeout: 10000 }).then(() => true, () => false), 'renaming the port shows it under its new name');
  await ed.click(`${row('ui-eth10')} .action button`);
  ok(await ed.waitForSelector(row('ui-eth10'), { state: 'detached', timeout: 10000 }).then(() => true, () => false), '"delete" removes the port');
  await ed.screenshot({ path: `${shots}/device-edit.png`, fullPage: true });

  // (1.7) addresses on the host page
  const a = want.addr;
  const arow = (x) => `#addresses tr[data-address^="${x}/"]`;
  await visit(ed, `/host/${a.slug}`, 'host');
  await ed.fill('#new-address input[name=address]', a.free);
  await ed.fill('#new-address input[name=dns_name]', 'ui-test.example.net');
  await ed.click('#new-address button[type=submit]');
  ok(await ed.waitForSelector(arow(a.free), { timeout: 10000 }).then(() => true, () => false), `host ${a.hostname}: "New address" adds ${a.free}`);
  ok((await ed.textContent(`${arow(a.free)} td.dns`)) === 'ui-test.example.net', 'with its DNS name');
  await ed.fill('#new-address input[name=address]', a.existing);
  await ed.click('#new-address button[type=submit]');
  await ed.waitForSelector('#new-address .error', { timeout: 10000 });
  const dupAddr = await ed.textContent('#new-address .error[data-field=address] .message').catch(() => null);
  ok(dupAddr === a.dup, `adding ${a.existing} again shows the unique refusal next to the address`, `got: ${dupAddr}\nwant: ${a.dup}`);
  const opt = await ed.$$eval('#edit-address-which option', (os, x) => os.find((o) => o.textContent.startsWith(`${x}/`))?.textContent, a.free);
  await ed.selectOption('#edit-address-which', { label: opt || a.free });
  await ed.fill('#edit-address input[name=dns_name]', 'ui-test2.example.net');
  await ed.click('#edit-address button[type=submit]');
  await ed.waitForFunction((sel) => document.querySelector(sel)?.textContent === 'ui-test2.example.net', `${arow(a.free)} td.dns`, { timeout: 10000 }).catch(() => {});
  ok((await ed.textContent(`${arow(a.free)} td.dns`)) === 'ui-test2.example.net', 'editing it changes its DNS name');
  await ed.click(`${arow(a.free)} .action button`);
  ok(await ed.waitForSelector(arow(a.free), { state: 'detached', timeout: 10000 }).then(() => true, () => false), '"delete" removes it');

  // (1.7) the last state run (mountaineer_salt) and the safes (mountaineer_vault)
  const hs = want.highstate;
  await visit(ed, `/host/${hs.slug}`, 'host');
  const failedStates = await ed.$$eval('#state-errors tr[data-state]', (els) => els.map((e) => e.dataset.state));
  ok(await ed.$('#highstate[data-failing=yes]') !== null && JSON.stringify(failedStates) === JSON.stringify(hs.errors),
     `host ${hs.hostname}: its last state run is failing, with the failed states state_error has (${hs.errors.join(', ')})`, failedStates.join(', '));
  const sf = want.safes;
  await visit(ed, `/host/${sf.slug}`, 'host');
  const safesShown = await ed.$$eval('#safes li[data-safe]', (els) => els.map((e) => e.dataset.safe));
  const edSecrets = await ed.$$eval('#safes .secret', (els) => els.length);
  ok(JSON.stringify(safesShown) === JSON.stringify(sf.safes) && edSecrets === 0,
     `host ${sf.hostname}: the safes it may read (${sf.safes.join(', ')}); an editor sees no secret names (row-level security)`, `${safesShown} / ${edSecrets}`);
  const adm = await (await browser.newContext({ viewport: { width: 1280, height: 1000 } })).newPage();
  await signIn(adm, want.admin.user, want.admin.password);
  await visit(adm, `/host/${sf.slug}`, 'host (admin)');
  const admSecrets = await adm.$$eval('#safes .secret', (els) => els.map((e) => e.firstChild.textContent.trim()).sort());
  ok(JSON.stringify(admSecrets) === JSON.stringify([...sf.secrets].sort()), `an admin sees the names of its secrets (${sf.secrets.join(', ')})`, admSecrets.join(', '));
  ok(!(await adm.textContent('body')).includes('vault:v'), 'and never a ciphertext');
  await adm.screenshot({ path: `${shots}/host.png`, fullPage: true });
  await adm.context().close();

  // a prefix: allocating an address gives the next free one
  await visit(ed, `/prefix/${want.prefix.slug}`, 'prefix');
  ok((await ed.textContent('#next-free')) === want.prefix.next, `prefix ${want.prefix.prefix}: the next free address shown is next_free_ip()'s, ${want.prefix.next}`);
  await ed.selectOption('#alloc-host', want.prefix.host_id);
  await ed.click('#allocate-ip');
  await ed.waitForSelector('#allocated, #allocate .error', { timeout: 10000 });
  const got = await ed.textContent('#allocate').catch(() => '');
  ok((await ed.textContent('#allocated').catch(() => '')) === `Allocated address ${want.prefix.next_address}`,
     `"allocate next address" gives ${want.prefix.next_address}`, got);
  await ed.waitForFunction((p) => document.querySelector('#next-free')?.textContent !== p, want.prefix.next, { timeout: 10000 }).catch(() => {});
  await ed.screenshot({ path: `${shots}/prefix.png`, fullPage: true });

  // every other page renders
  await visit(ed, `/site/${want.site.slug}`, 'site');
  ok(await ed.$$eval('figure.rack svg', (els) => els.length) === want.site.racks, `site ${want.site.name}: its ${want.site.racks} racks as elevations side by side`);
  const use = await ed.textContent(`figure.rack[data-rack="${want.power.rack}"] .use`).catch(() => '');
  ok(use.endsWith(want.power.text), `rack ${want.power.rack} shows rack_power's roll-up: ${want.power.text}`, use);
  await visit(ed, `/host/${want.host.slug}`, 'host');
  ok((await ed.textContent('#addresses')).includes(want.host.address), `host ${want.host.hostname} lists its address ${want.host.address}`);
  await visit(ed, '/prefixes', 'prefixes');
  ok(await ed.$$eval('#prefix-tree tbody tr', (els) => els.length) === want.prefixes, `the prefix tree lists all ${want.prefixes} prefixes`);
  await visit(ed, `/history/device/${want.trace.device_slug}`, 'history');
  ok(await ed.$$eval('#history tbody tr', (els) => els.length) > 0, `the history of ${want.trace.device} shows its changes`);
  // (1.7) a new host and a new prefix, each first refused
  const nh = want.new_host;
  await visit(ed, '/hosts', 'hosts');
  await ed.fill('#new-host input[name=hostname]', ' ui-bad');
  await ed.selectOption('#new-host select[name=environment_id]', { label: nh.environment });
  await ed.click('#new-host button[type=submit]');
  await ed.waitForSelector('#new-host .error', { timeout: 10000 });
  const hostRefusal = await ed.textContent('#new-host .error[data-field=hostname] .message').catch(() => null);
  ok(hostRefusal === nh.refusal, '"New host" with a hostname that is not one shows the refusal next to the hostname', `got: ${hostRefusal}\nwant: ${nh.refusal}`);
  await ed.fill('#new-host input[name=hostname]', nh.hostname);
  await ed.selectOption('#new-host select[name=cluster_id]', { label: nh.cluster });
  await ed.click('#new-host button[type=submit]');
  await ed.waitForSelector('main[data-ready] h1', { timeout: 10000 });
  await ed.waitForFunction((h) => document.querySelector('main h1')?.textContent.startsWith(h), nh.hostname, { timeout: 10000 }).catch(() => {});
  ok((await ed.textContent('main h1')).startsWith(nh.hostname) && new URL(ed.url()).pathname.startsWith('/host/'),
     `and with ${nh.hostname} on cluster ${nh.cluster} makes the host and opens its page`, ed.url());
  const mt = want.metal;
  await visit(ed, `/device/${mt.slug}`, 'device');
  await ed.fill('#new-device-host input[name=hostname]', mt.hostname);
  await ed.selectOption('#new-device-host select[name=environment_id]', { label: mt.environment });
  await ed.click('#new-device-host button[type=submit]');
  await ed.waitForFunction((h) => document.querySelector('main h1')?.textContent.startsWith(h), mt.hostname, { timeout: 10000 }).catch(() => {});
  ok((await ed.textContent('main h1')).startsWith(mt.hostname) && (await ed.textContent('main dl.facts')).includes(mt.device),
     `"New host on this device" makes bare-metal host ${mt.hostname} on ${mt.device} and opens its page`, ed.url());
  const np = want.new_prefix;
  await visit(ed, '/prefixes', 'prefixes');
  await ed.fill('#new-prefix input[name=prefix]', np.prefix);
  await ed.selectOption('#new-prefix select[name=status]', 'container');
  await ed.click('#new-prefix button[type=submit]');
  await ed.waitForFunction((p) => document.querySelector('main h1')?.textContent.startsWith(p), np.prefix, { timeout: 10000 }).catch(() => {});
  ok((await ed.textContent('main h1')).startsWith(np.prefix) && new URL(ed.url()).pathname.startsWith('/prefix/'),
     `"New prefix" makes ${np.prefix} and opens its page`, ed.url());
  await visit(ed, '/prefixes', 'prefixes');
  await ed.fill('#new-prefix input[name=prefix]', np.prefix);
  await ed.click('#new-prefix button[type=submit]');
  await ed.waitForSelector('#new-prefix .error', { timeout: 10000 });
  const pfxRefusal = await ed.textContent('#new-prefix .error[data-field=prefix] .message').catch(() => null);
  ok(pfxRefusal === np.dup, 'a second time, the unique refusal next to the prefix', `got: ${pfxRefusal}\nwant: ${np.dup}`);
  ok(pageErrors.length === 0, 'no script error on any page', pageErrors.join('\n'));

  // --- the reader --------------------------------------------------------
  const rd = await (await browser.newContext()).newPage();
  await signIn(rd, want.reader.user, want.reader.password);
  ok((await rd.getAttribute('#who', 'data-role')) === 'mountaineer_reader', 'sign in as a reader: the header shows the reader role');
  await visit(rd, `/rack/${want.rack.slug}`, 'rack (reader)');
  const rackEdit = await rd.$$('#place, #elevation td.free:not(:empty)');
  await visit(rd, `/device/${want.trace.device_slug}`, 'device (reader)');
  const devEdit = await rd.$$('#edit-device, #connect, #new-port, #edit-port, .action, button.edit-cable');
  await visit(rd, `/prefix/${want.prefix.slug}`, 'prefix (reader)');
  const pfxEdit = await rd.$$('#allocate, button#allocate-ip');
  await visit(rd, `/host/${want.addr.slug}`, 'host (reader)');
  const hostEdit = await rd.$$('#new-address, #edit-address, #edit-host, .action');
  ok(rackEdit.length + devEdit.length + pfxEdit.length + hostEdit.length === 0, 'a reader sees no edit controls on the rack, device, prefix and host pages',
     `${rackEdit.length} ${devEdit.length} ${pfxEdit.length} ${hostEdit.length}`);
  const status = await rd.evaluate(async () => {
    const r = await fetch('/api/site', { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${sessionStorage.getItem('mountaineer.token')}` }, body: '{"name":"ui-reader-site"}' });
    return `${r.status} ${(await r.json()).code}`;
  });
  ok(status === '403 42501', 'and the API refuses a reader\'s write with the reader\'s token (403, 42501)', status);
} catch (e) {
  ok(false, 'the browser run completes', e.stack);
} finally {
  await browser.close();
}
for (const [k, v] of Object.entries(times)) comment(`render ${k}: ${v.join(', ')} ms`);
console.log(`1..${n}`);
process.exit(failed ? 1 : 0);
