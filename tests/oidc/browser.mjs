#!/usr/bin/env node
// A headless "system browser" for the test OpenID provider (server.mjs): plain HTTP with Node's
// fetch, a cookie jar, manual redirects, and regex form parsing. See README.md.
//
//   node browser.mjs AUTHORIZE_URL [--user NAME] [--password PW] [--no-deliver] [--deny] [--verbose]
//   node browser.mjs --device VERIFICATION_URI [--user-code CODE] [--user NAME] [--deny] [--verbose]
//
// Authorization mode: prints the final redirect URL (the client's redirect_uri with code/state
// or error) on stdout after delivering it with a GET (unless --no-deliver); exit 0.
// Device mode: prints "approved" (or "denied" with --deny) on stdout; exit 0.
// Anything going wrong: a message on stderr, exit 1 (2 for bad usage).

const USAGE = `usage:
  node browser.mjs AUTHORIZE_URL [--user NAME] [--password PW] [--no-deliver] [--deny] [--verbose]
  node browser.mjs --device VERIFICATION_URI [--user-code CODE] [--user NAME] [--deny] [--verbose]`;

function die(msg, code = 1) {
  process.stderr.write(`browser.mjs: ${msg}\n`);
  process.exit(code);
}

// --- arguments -----------------------------------------------------------------------------
const opts = {
  user: 'alice', password: 'password', deliver: true, deny: false, verbose: false,
  device: undefined, userCode: undefined, url: undefined, timeoutMs: 15000,
};
{
  const argv = process.argv.slice(2);
  const value = (i, name) => {
    if (i >= argv.length || argv[i].startsWith('--')) die(`${name} needs a value\n${USAGE}`, 2);
    return argv[i];
  };
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i];
    const eq = a.indexOf('=');
    const [flag, inline] = a.startsWith('--') && eq > 0 ? [a.slice(0, eq), a.slice(eq + 1)] : [a, undefined];
    const take = () => (inline !== undefined ? inline : value(i += 1, flag));
    switch (flag) {
      case '--user': opts.user = take(); break;
      case '--password': opts.password = take(); break;
      case '--no-deliver': opts.deliver = false; break;
      case '--deny': opts.deny = true; break;
      case '--verbose': case '-v': opts.verbose = true; break;
      case '--device': opts.device = take(); break;
      case '--user-code': opts.userCode = take(); break;
      case '--timeout': opts.timeoutMs = Number(take()) * 1000; break;
      case '-h': case '--help': process.stdout.write(`${USAGE}\n`); process.exit(0); break;
      default:
        if (a.startsWith('-')) die(`unknown option ${a}\n${USAGE}`, 2);
        if (opts.url) die(`unexpected argument ${a}\n${USAGE}`, 2);
        opts.url = a;
    }
  }
  if (opts.device && opts.url) die(`give either AUTHORIZE_URL or --device, not both\n${USAGE}`, 2);
  if (!opts.device && !opts.url) die(USAGE, 2);
  if (!opts.user) die('--user must not be empty', 2);
}

const log = (msg) => { if (opts.verbose) process.stderr.write(`browser.mjs: ${msg}\n`); };

// --- cookie jar (RFC 6265, single host: name + path, expiry) --------------------------------
const jar = new Map(); // `${name}\0${path}` -> { name, value, path, expires }

function defaultPath(url) {
  const p = url.pathname;
  if (!p.startsWith('/') || p.lastIndexOf('/') === 0) return '/';
  return p.slice(0, p.lastIndexOf('/'));
}

function storeCookies(res, url) {
  const headers = typeof res.headers.getSetCookie === 'function' ? res.headers.getSetCookie() : [];
  for (const line of headers) {
    const [pair, ...attrs] = line.split(';');
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    let path = defaultPath(url);
    let expires;
    for (const attr of attrs) {
      const i = attr.indexOf('=');
      const key = (i < 0 ? attr : attr.slice(0, i)).trim().toLowerCase();
      const val = i < 0 ? '' : attr.slice(i + 1).trim();
      if (key === 'path' && val.startsWith('/')) path = val;
      else if (key === 'max-age' && /^-?\d+$/.test(val)) expires = Date.now() + Number(val) * 1000;
      else if (key === 'expires' && expires === undefined) {
        const t = Date.parse(val);
        if (!Number.isNaN(t)) expires = t;
      }
    }
    const id = `${name}\0${path}`;
    if (expires !== undefined && expires <= Date.now()) jar.delete(id);
    else jar.set(id, { name, value, path, expires });
  }
}

function pathMatches(reqPath, cookiePath) {
  if (reqPath === cookiePath) return true;
  if (!reqPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || reqPath[cookiePath.length] === '/';
}

function cookieHeader(url) {
  const now = Date.now();
  const list = [...jar.values()]
    .filter((c) => (c.expires === undefined || c.expires > now) && pathMatches(url.pathname, c.path))
    .sort((a, b) => b.path.length - a.path.length);
  return list.map((c) => `${c.name}=${c.value}`).join('; ');
}

// --- HTML helpers --------------------------------------------------------------------------
const decode = (s) => String(s)
  .replace(/&#x([0-9a-f]+);/gi, (_, h) => String.fromCodePoint(parseInt(h, 16)))
  .replace(/&#(\d+);/g, (_, d) => String.fromCodePoint(Number(d)))
  .replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>')
  .replace(/&amp;/g, '&');

function attrs(tag) {
  const out = {};
  const re = /([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
  const inner = tag.replace(/^<\s*[a-zA-Z]+/, '').replace(/\/?>$/, '');
  let m;
  while ((m = re.exec(inner))) {
    out[m[1].toLowerCase()] = decode(m[2] ?? m[3] ?? m[4] ?? '');
  }
  return out;
}

function parseForms(html) {
  const forms = [];
  const re = /<form\b[^>]*>([\s\S]*?)<\/form>/gi;
  let m;
  while ((m = re.exec(html))) {
    const open = m[0].match(/^<form\b[^>]*>/i)[0];
    const a = attrs(open);
    const inputs = [];
    const ire = /<input\b[^>]*>/gi;
    let im;
    while ((im = ire.exec(m[1]))) inputs.push(attrs(im[0]));
    forms.push({
      id: a.id, action: a.action, method: (a.method || 'get').toUpperCase(), inputs,
    });
  }
  return forms;
}

function textOf(html) {
  return decode(html
    .replace(/<(script|style)\b[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]+>/g, ' '))
    .replace(/\s+/g, ' ')
    .trim();
}

function errorText(html) {
  const rows = [...html.matchAll(/<pre\b[^>]*>([\s\S]*?)<\/pre>/gi)]
    .map((m) => decode(m[1].replace(/<[^>]+>/g, '')).replace(/\s+/g, ' ').trim());
  if (rows.length) return rows.join('; ');
  return textOf(html).slice(0, 500);
}

// --- HTTP ----------------------------------------------------------------------------------
async function request(method, url, form) {
  const headers = {
    'user-agent': 'keywright-test-browser/1',
    accept: 'text/html,application/xhtml+xml,*/*;q=0.8',
  };
  const cookie = cookieHeader(url);
  if (cookie) headers.cookie = cookie;
  let body;
  if (form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(form).toString();
  }
  log(`${method} ${url.href}${form ? ` ${body}` : ''}`);
  let res;
  try {
    res = await fetch(url, {
      method, headers, body, redirect: 'manual', signal: AbortSignal.timeout(opts.timeoutMs),
    });
  } catch (err) {
    die(`${method} ${url.href} failed: ${err.cause?.message || err.message}`);
  }
  storeCookies(res, url);
  const text = await res.text();
  log(`  -> ${res.status}${res.headers.get('location') ? ` Location: ${res.headers.get('location')}` : ''}`);
  return { res, text };
}

function formValues(form) {
  const values = [];
  for (const i of form.inputs) {
    const type = (i.type || 'text').toLowerCase();
    if (!i.name || ['submit', 'button', 'image', 'reset', 'file'].includes(type)) continue;
    if ((type === 'checkbox' || type === 'radio') && !('checked' in i)) continue;
    values.push([i.name, i.value ?? '']);
  }
  return values;
}

function setValue(values, name, value) {
  const hit = values.find(([n]) => n === name);
  if (hit) hit[1] = value; else values.push([name, value]);
}

// --- the walk ------------------------------------------------------------------------------
const start = new URL(opts.device || opts.url);
const providerOrigin = start.origin;

async function deliver(final) {
  try {
    const res = await fetch(final, { redirect: 'manual', signal: AbortSignal.timeout(opts.timeoutMs) });
    await res.arrayBuffer().catch(() => {});
    log(`delivered to the client: ${res.status}`);
  } catch (err) {
    die(`could not deliver the redirect to the client at ${final.origin}: ${err.cause?.message || err.message}\n${final.href}`);
  }
}

async function main() {
  let method = 'GET';
  let url = start;
  let form;
  let userCodeSent = false;

  if (opts.device && opts.userCode === undefined && !start.searchParams.has('user_code')) {
    die('--device needs --user-code CODE (or a verification_uri_complete with user_code)', 2);
  }

  for (let step = 0; step < 40; step += 1) {
    const { res, text } = await request(method, url, form);
    const { status } = res;

    if (status >= 300 && status < 400) {
      const location = res.headers.get('location');
      if (!location) die(`${status} without Location from ${url.href}`);
      const next = new URL(location, url);
      if (next.origin !== providerOrigin) {
        if (opts.device) die(`device flow unexpectedly redirected away from the provider: ${next.href}`);
        const err = next.searchParams.get('error');
        if (err) {
          process.stderr.write(`browser.mjs: note: the authorization response carries error=${err}${next.searchParams.get('error_description') ? ` (${next.searchParams.get('error_description')})` : ''}\n`);
        }
        if (opts.deliver) await deliver(next);
        process.stdout.write(`${next.href}\n`);
        return;
      }
      if (status === 307 || status === 308) {
        url = next;
      } else {
        method = 'GET'; form = undefined; url = next;
      }
      continue;
    }

    const html = text;
    if (status >= 400) die(`the provider answered ${status} at ${url.pathname}: ${errorText(html)}`);
    if (/<title>\s*oops! something went wrong/i.test(html) || /class="kw-error"/.test(html)) {
      die(`the provider shows an error page at ${url.pathname}: ${errorText(html)}`);
    }

    if (opts.device) {
      if (/id="kw-device-success"|<title>\s*Sign-in Success/i.test(html)) {
        if (opts.deny) die('the device flow was approved although --deny was given');
        process.stdout.write('approved\n');
        return;
      }
      if (/id="kw-device-aborted"|Sign-in request was interrupted/i.test(html)) {
        if (!opts.deny) die('the device flow was aborted');
        process.stdout.write('denied\n');
        return;
      }
      if (/id="kw-device-error"|code you entered is incorrect|error processing your request/i.test(html)) {
        die(`the verification page rejected the user code: ${textOf(html).slice(0, 300)}`);
      }
    }

    const forms = parseForms(html);
    const has = (f, name) => f.inputs.some((i) => i.name === name);
    const hidden = (f, name, value) => f.inputs.some((i) => i.name === name && (value === undefined || i.value === value));

    let chosen;
    let values;
    let followLink;
    if ((chosen = forms.find((f) => has(f, 'login') && has(f, 'password')))) {
      values = formValues(chosen);
      setValue(values, 'login', opts.user);
      setValue(values, 'password', opts.password);
      log(`login form: signing in as ${opts.user}`);
    } else if ((chosen = forms.find((f) => hidden(f, 'prompt', 'consent')))) {
      if (opts.deny && !opts.device) {
        const m = html.match(/<a\b[^>]*href="([^"]*\/abort)"[^>]*>/i);
        if (!m) die('--deny: the consent page has no abort link');
        followLink = decode(m[1]);
        log('consent form: denying (following the abort link)');
      } else {
        values = formValues(chosen);
        log('consent form: approving');
      }
    } else if ((chosen = forms.find((f) => f.id === 'op.deviceInputForm' || (has(f, 'user_code') && !has(f, 'confirm'))))) {
      if (userCodeSent) die('the verification page asks for the user code again');
      values = formValues(chosen);
      setValue(values, 'user_code', opts.userCode ?? start.searchParams.get('user_code'));
      userCodeSent = true;
      log('device code form: submitting the user code');
    } else if ((chosen = forms.find((f) => f.id === 'op.deviceConfirmForm' || has(f, 'confirm')))) {
      values = formValues(chosen);
      if (opts.deny) {
        values = values.filter(([n]) => n !== 'confirm');
        setValue(values, 'abort', 'yes');
        log('device confirm form: aborting');
      } else {
        log('device confirm form: continuing');
      }
    } else if (forms.length === 1) {
      // e.g. an auto-submitting form_post page
      [chosen] = forms;
      values = formValues(chosen);
      log('submitting the page\'s only form');
    } else {
      die(`don't know what to do on ${url.href} (HTTP ${status}, ${forms.length} forms): ${textOf(html).slice(0, 300)}`);
    }

    if (followLink) {
      method = 'GET'; form = undefined; url = new URL(followLink, url);
      continue;
    }
    const action = new URL(chosen.action || url.href, url);
    if (chosen.method === 'POST') {
      method = 'POST'; form = values; url = action;
    } else {
      for (const [k, v] of values) action.searchParams.set(k, v);
      method = 'GET'; form = undefined; url = action;
    }
  }
  die('too many steps without reaching the client redirect');
}

main().catch((err) => die(err.stack || String(err)));
