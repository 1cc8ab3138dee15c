// Addresses as BigInt, to find the smallest prefix holding an address
// (PostgREST has no filter for the inet containment operators).
function parse(s) {
  const a = s.split('/')[0];
  if (a.includes(':')) {
    let [head, tail] = a.split('::');
    const h = head ? head.split(':') : [];
    const t = tail !== undefined ? (tail ? tail.split(':') : []) : [];
    const groups = tail !== undefined ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
    if (groups.length !== 8) return null;
    return { v: groups.reduce((n, g) => (n << 16n) | BigInt(parseInt(g || '0', 16)), 0n), bits: 128 };
  }
  const o = a.split('.');
  if (o.length !== 4 || o.some((x) => !/^\d+$/.test(x) || +x > 255)) return null;
  return { v: o.reduce((n, x) => (n << 8n) | BigInt(+x), 0n), bits: 32 };
}

export function isAddress(s) {
  return /^[0-9a-fA-F:.]+(\/\d+)?$/.test(s) && parse(s) !== null;
}

export function contains(prefix, addr) {
  const p = parse(prefix), a = parse(addr);
  if (!p || !a || p.bits !== a.bits) return false;
  const len = BigInt(+(prefix.split('/')[1] ?? p.bits));
  const shift = BigInt(p.bits) - len;
  return p.v >> shift === a.v >> shift;
}

export function masklen(prefix) {
  return +prefix.split('/')[1];
}
