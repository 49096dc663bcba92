#!/usr/bin/env node
// A real OpenID Connect provider (oidc-provider 8) for Keywright's integration tests, plus a
// small resource API on the same port. See README.md in this folder.
//
//   node server.mjs [--port N] [--stdin-watch | --no-stdin-watch]
//
// Prints exactly one line of JSON to stdout once it listens:
//   {"issuer":"http://127.0.0.1:PORT","port":PORT}
// Everything else goes to stderr.

import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';

// --- stdout is reserved for the one JSON line: send console.log/info (oidc-provider prints its
// NOTICEs with console.info) to stderr, and drop the known development-only warnings that are
// the whole point of this server. Anything else, errors included, still reaches stderr.
const VERBOSE = /^(1|true|yes)$/i.test(process.env.OIDC_VERBOSE || '');
const QUIET_PATTERNS = [
  /development-only in-memory adapter/,
  /development-only feature devInteractions/,
  // our strict client-auth check below reads the token endpoint bodies first (on purpose)
  /already parsed request body detected/,
];
const origError = console.error.bind(console);
function toStderr(...args) {
  if (!VERBOSE && typeof args[0] === 'string' && QUIET_PATTERNS.some((re) => re.test(args[0]))) return;
  origError(...args);
}
console.log = toStderr;
console.info = toStderr;
console.warn = toStderr;
console.debug = toStderr;

const { default: Provider, errors } = await import('oidc-provider');
const jose = await import('jose');

// --- command line -------------------------------------------------------------------------
function usage(msg) {
  if (msg) origError(`server.mjs: ${msg}`);
  origError('usage: node server.mjs [--port N] [--stdin-watch | --no-stdin-watch]');
  process.exit(2);
}

let port = Number(process.env.OIDC_PORT || 0);
let stdinWatch; // undefined = auto (watch when stdin is a pipe or socket)
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i += 1) {
  const arg = argv[i];
  if (arg === '--port') {
    port = Number(argv[i += 1]);
  } else if (arg.startsWith('--port=')) {
    port = Number(arg.slice('--port='.length));
  } else if (arg === '--stdin-watch') {
    stdinWatch = true;
  } else if (arg === '--no-stdin-watch') {
    stdinWatch = false;
  } else if (arg === '-h' || arg === '--help') {
    usage();
  } else {
    usage(`unknown argument ${arg}`);
  }
}
if (!Number.isInteger(port) || port < 0 || port > 65535) usage('--port needs an integer 0..65535');

function envSeconds(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) {
    origError(`server.mjs: ${name} must be a positive integer number of seconds, got ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  return n;
}
const ACCESS_TTL = envSeconds('OIDC_ACCESS_TTL', 4);
const REFRESH_TTL = envSeconds('OIDC_REFRESH_TTL', 24 * 60 * 60);
const DEVICE_TTL = 600;
const DEVICE_INTERVAL = envSeconds('OIDC_DEVICE_INTERVAL', 1);

// --- listen first: the issuer needs the real port ------------------------------------------
const HOST = '127.0.0.1';
const server = http.createServer();
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(port, HOST, () => {
    server.off('error', reject);
    resolve();
  });
}).catch((err) => {
  origError(`server.mjs: cannot listen on ${HOST}:${port}: ${err.message}`);
  process.exit(1);
});
port = server.address().port;
const ISSUER = `http://${HOST}:${port}`;

// --- the one resource server ---------------------------------------------------------------
const API_INDICATOR = 'urn:keywright:test-api';
const API_URL = `${ISSUER}/api`;
const API_INDICATORS = new Set([API_INDICATOR, API_URL]);
const API_SCOPES = ['read', 'write', 'admin'];
// OIDC_DEFAULT_RESOURCE: the resource used when a request names none. Unset/empty = none:
// requests without `resource` then get opaque access tokens (which /api/* does not accept).
const DEFAULT_RESOURCE = process.env.OIDC_DEFAULT_RESOURCE || undefined;
if (DEFAULT_RESOURCE && !API_INDICATORS.has(DEFAULT_RESOURCE)) {
  origError(`server.mjs: OIDC_DEFAULT_RESOURCE must be ${API_INDICATOR} or ${API_URL}`);
  process.exit(2);
}

// --- keys ----------------------------------------------------------------------------------
const { privateKey } = await jose.generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
const signingJwk = {
  ...(await jose.exportJWK(privateKey)),
  kid: `kw-test-${crypto.randomBytes(4).toString('hex')}`,
  alg: 'RS256',
  use: 'sig',
};

// --- clients -------------------------------------------------------------------------------
const CLIENT_SCOPE = 'openid offline_access read write';
const commonClient = {
  application_type: 'native',
  // RFC 8252 §7.3: for native clients oidc-provider ignores the port of http loopback
  // redirect URIs, so this one entry accepts http://127.0.0.1:<any port>/callback.
  redirect_uris: ['http://127.0.0.1/callback'],
  grant_types: [
    'authorization_code',
    'refresh_token',
    'client_credentials',
    'urn:ietf:params:oauth:grant-type:device_code',
  ],
  response_types: ['code'],
  scope: CLIENT_SCOPE,
};
const clients = [
  {
    ...commonClient,
    client_id: 'kw-basic',
    client_secret: 'kw-basic-secret',
    token_endpoint_auth_method: 'client_secret_basic',
  },
  {
    ...commonClient,
    client_id: 'kw-post',
    client_secret: 'kw-post-secret',
    token_endpoint_auth_method: 'client_secret_post',
  },
];

// --- pages (own versions, so no "you SHOULD change" notices; plain, no external fonts) -----
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (title, body) => `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>${esc(title)}</title></head>
<body><h1>${esc(title)}</h1>
${body}
</body></html>`;

const configuration = {
  clients,
  jwks: { keys: [signingJwk] },
  cookies: {
    keys: [crypto.randomBytes(32).toString('hex')],
    // ctx.secure is false on plain http, so oidc-provider does not set `Secure`; keep it so.
    long: { signed: true, secure: false, sameSite: 'lax' },
    short: { signed: true, secure: false, sameSite: 'lax' },
  },
  scopes: ['openid', 'offline_access', ...API_SCOPES],
  claims: { openid: ['sub'] },
  responseTypes: ['code'],
  pkce: {
    methods: ['S256'],
    required: () => true,
  },
  async findAccount(ctx, sub) {
    return { accountId: sub, async claims() { return { sub }; } };
  },
  clientBasedCORS: () => false,
  rotateRefreshToken: true,
  // oidc-provider's own rule, spelled out: a refresh token when the client may use the
  // refresh_token grant and offline_access was granted. At the authorization endpoint
  // offline_access is only kept when prompt includes consent (OpenID Connect Core 11).
  async issueRefreshToken(ctx, client, code) {
    return client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access');
  },
  ttl: {
    AccessToken: () => ACCESS_TTL,
    ClientCredentials: () => ACCESS_TTL,
    RefreshToken: () => REFRESH_TTL,
    DeviceCode: () => DEVICE_TTL,
    AuthorizationCode: () => 60,
    IdToken: () => 3600,
    Interaction: () => 3600,
    Session: () => 24 * 3600,
    Grant: () => 24 * 3600,
  },
  features: {
    devInteractions: { enabled: true },
    clientCredentials: { enabled: true },
    introspection: {
      enabled: true,
      allowedPolicy: async () => true,
    },
    revocation: { enabled: true },
    userinfo: { enabled: true },
    deviceFlow: {
      enabled: true,
      charset: 'base-20',
      mask: '****-****',
      async userCodeInputSource(ctx, form, out, err) {
        let msg;
        if (err && (err.userCode || err.name === 'NoCodeError')) {
          msg = '<p class="error" id="kw-device-error">The code you entered is incorrect. Try again</p>';
        } else if (err && err.name === 'AbortedError') {
          msg = '<p class="aborted" id="kw-device-aborted">The Sign-in request was interrupted</p>';
        } else if (err) {
          msg = `<p class="error" id="kw-device-error">There was an error processing your request${out?.error ? `: ${esc(out.error)}${out.error_description ? ` (${esc(out.error_description)})` : ''}` : ''}</p>`;
        } else {
          msg = '<p>Enter the code displayed on your device</p>';
        }
        ctx.body = page('Device Sign-in', `${msg}\n${form}\n<button type="submit" form="op.deviceInputForm">Continue</button>`);
      },
      async userCodeConfirmSource(ctx, form, client, deviceInfo, userCode) {
        ctx.body = page('Confirm Device', `<p><strong>${esc(client.clientName || client.clientId)}</strong> wants access.
The following code should be displayed on your device: <code>${esc(userCode)}</code></p>
${form}
<button autofocus type="submit" form="op.deviceConfirmForm">Continue</button>
<button type="submit" form="op.deviceConfirmForm" value="yes" name="abort">[ Abort ]</button>`);
      },
      async successSource(ctx) {
        ctx.body = page('Sign-in Success', '<p id="kw-device-success">Your sign-in was successful, you can now close this page.</p>');
      },
    },
    resourceIndicators: {
      enabled: true,
      // Called with `oneOf` at the token endpoint when the grant holds several resources.
      async defaultResource(ctx, client, oneOf) {
        if (oneOf) return oneOf.includes(API_INDICATOR) ? API_INDICATOR : oneOf[0];
        return DEFAULT_RESOURCE;
      },
      // Authorization code / device code / refresh token exchanges without a `resource`
      // parameter get an access token for the resource granted at the authorization step
      // (otherwise, with `openid` in scope, oidc-provider would issue a UserInfo token).
      useGrantedResource: async () => true,
      async getResourceServerInfo(ctx, resourceIndicator) {
        if (!API_INDICATORS.has(resourceIndicator)) {
          throw new errors.InvalidTarget(`unknown resource indicator; this server knows ${API_INDICATOR} and ${API_URL}`);
        }
        return {
          scope: API_SCOPES.join(' '),
          audience: resourceIndicator,
          accessTokenTTL: ACCESS_TTL,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'RS256' } },
        };
      },
    },
  },
  async renderError(ctx, out, error) {
    ctx.type = 'html';
    const rows = Object.entries(out)
      .map(([k, v]) => `<pre class="kw-error" data-key="${esc(k)}"><strong>${esc(k)}</strong>: ${esc(v)}</pre>`)
      .join('\n');
    ctx.body = page('oops! something went wrong', rows);
    if (error && error.statusCode >= 500) origError('server.mjs: render error', error);
  },
};

const provider = new Provider(ISSUER, configuration);

// --- logging ------------------------------------------------------------------------------
const LOG_REQUESTS = /^(1|true|yes)$/i.test(process.env.OIDC_LOG || '');
provider.on('server_error', (ctx, err) => origError(`server.mjs: server_error on ${ctx.method} ${ctx.path}:`, err));
if (LOG_REQUESTS) {
  for (const ev of ['grant.error', 'authorization.error', 'introspection.error', 'revocation.error', 'jwks.error', 'discovery.error', 'end_session.error', 'userinfo.error', 'backchannel.error', 'registration_create.error']) {
    provider.on(ev, (ctx, err) => origError(`server.mjs: ${ev}: ${err.message}${err.error_description ? ` (${err.error_description})` : ''}`));
  }
}

// --- token / device responses: extras -----------------------------------------------------
provider.use(async (ctx, next) => {
  const started = Date.now();
  await next();
  const route = ctx.oidc?.route;
  if (route === 'token' && ctx.status === 200 && ctx.body && typeof ctx.body === 'object') {
    const rt = ctx.oidc.entities.RefreshToken;
    if (ctx.body.refresh_token && rt && typeof rt.expiration === 'number') {
      ctx.body.refresh_expires_in = rt.expiration;
    }
  } else if (route === 'device_authorization' && ctx.status === 200 && ctx.body && typeof ctx.body === 'object') {
    ctx.body.interval = DEVICE_INTERVAL;
  }
  if (LOG_REQUESTS) origError(`server.mjs: ${ctx.method} ${ctx.url} -> ${ctx.status} (${Date.now() - started} ms)`);
});

// --- strict client authentication ----------------------------------------------------------
// oidc-provider accepts client_secret_basic and client_secret_post interchangeably for a client
// registered with either. The tests want to see which one a client really uses, so a request
// that authenticates with the other secret method is refused with 401 invalid_client here.
// OIDC_LENIENT_CLIENT_AUTH=1 turns this off.
const LENIENT_AUTH = /^(1|true|yes)$/i.test(process.env.OIDC_LENIENT_CLIENT_AUTH || '');
const AUTH_METHOD = new Map(clients.map((c) => [c.client_id, c.token_endpoint_auth_method]));
const CLIENT_AUTH_PATHS = new Set(['/token', '/token/introspection', '/token/revocation', '/device/auth', '/request']);

function readBody(req, limit = 56 * 1024) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > limit) { reject(new Error('request body too large')); req.destroy(); return; }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const formDecode = (s) => decodeURIComponent(s.replace(/\+/g, ' '));

provider.use(async (ctx, next) => {
  if (LENIENT_AUTH || ctx.method !== 'POST' || !CLIENT_AUTH_PATHS.has(ctx.path)
      || !ctx.is('application/x-www-form-urlencoded')) {
    return next();
  }
  const raw = await readBody(ctx.req);
  ctx.req.body = raw; // oidc-provider falls back to req.body once the stream is consumed
  const body = new URLSearchParams(raw);
  let used;
  let clientId;
  const authz = ctx.get('authorization');
  if (/^basic /i.test(authz)) {
    used = 'client_secret_basic';
    const decoded = Buffer.from(authz.slice(6).trim(), 'base64').toString('utf8');
    try { clientId = formDecode(decoded.slice(0, decoded.indexOf(':'))); } catch { clientId = undefined; }
  } else if (body.has('client_secret')) {
    used = 'client_secret_post';
    clientId = body.get('client_id');
  }
  const registered = clientId && AUTH_METHOD.get(clientId);
  if (used && registered && used !== registered) {
    ctx.status = 401;
    ctx.set('Cache-Control', 'no-store');
    ctx.type = 'application/json';
    ctx.body = {
      error: 'invalid_client',
      error_description: `client authentication failed: ${clientId} is registered for ${registered}, the request used ${used}`,
    };
    return undefined;
  }
  return next();
});

// --- the test resource API, on the same port ------------------------------------------------
// Verified against the JWKS that the provider publishes at its jwks_uri (fetched over loopback
// on first use and cached, like a real resource server would).
const JWKS = jose.createRemoteJWKSet(new URL(`${ISSUER}/jwks`), { cooldownDuration: 0 });

function sendJson(ctx, status, body, headers = {}) {
  ctx.status = status;
  for (const [k, v] of Object.entries(headers)) ctx.set(k, String(v));
  ctx.set('Cache-Control', 'no-store');
  ctx.type = 'application/json';
  ctx.body = body;
}

const quote = (s) => String(s).replace(/["\\]/g, '');
function invalidToken(ctx, description) {
  sendJson(ctx, 401, { error: 'invalid_token', error_description: description }, {
    'WWW-Authenticate': `Bearer error="invalid_token", error_description="${quote(description)}"`,
  });
}

function describeJoseError(err) {
  switch (err.code) {
    case 'ERR_JWT_EXPIRED':
      return 'The access token expired';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      if (err.claim === 'aud') return `The access token audience is not accepted (expected ${API_INDICATOR} or ${API_URL})`;
      if (err.claim === 'iss') return 'The access token issuer is not accepted';
      if (err.claim === 'typ') return 'The access token is not an at+jwt token';
      return `The access token claim ${err.claim} is invalid: ${err.reason}`;
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return 'The access token signature is invalid';
    case 'ERR_JWKS_NO_MATCHING_KEY':
      return 'The access token is signed with an unknown key';
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return 'The access token signing algorithm is not accepted';
    case 'ERR_JWS_INVALID':
    case 'ERR_JWT_INVALID':
    default:
      return 'The access token is malformed or not a JWT';
  }
}

async function apiResource(ctx) {
  const auth = ctx.get('authorization');
  const m = /^Bearer[ ]+([A-Za-z0-9\-._~+/]+=*)\s*$/i.exec(auth);
  if (!auth) return invalidToken(ctx, 'No access token was provided');
  if (!m) return invalidToken(ctx, 'The Authorization header is not a Bearer token');
  const token = m[1];

  let payload;
  try {
    ({ payload } = await jose.jwtVerify(token, JWKS, {
      issuer: ISSUER,
      audience: [...API_INDICATORS],
      typ: 'at+jwt',
      algorithms: ['RS256'],
      clockTolerance: 0,
    }));
  } catch (err) {
    return invalidToken(ctx, describeJoseError(err));
  }

  // JWT access tokens are stateless in oidc-provider (not stored), so there is no revocation
  // check here: revoking one at /token/revocation has no effect on this API.

  const required = typeof ctx.query.scope === 'string' && ctx.query.scope ? ctx.query.scope : 'read';
  const granted = new Set(String(payload.scope || '').split(' ').filter(Boolean));
  const missing = required.split(' ').filter((s) => s && !granted.has(s));
  if (missing.length) {
    return sendJson(ctx, 403, {
      error: 'insufficient_scope',
      error_description: `The access token lacks the scope ${missing.join(' ')}`,
      scope: required,
    }, {
      'WWW-Authenticate': `Bearer error="insufficient_scope", scope="${quote(required)}"`,
    });
  }

  return sendJson(ctx, 200, {
    ok: true,
    sub: payload.sub,
    scope: payload.scope,
    aud: payload.aud,
    client_id: payload.client_id,
    exp: payload.exp,
    method: ctx.method,
  });
}

provider.use(async (ctx, next) => {
  if (ctx.path !== '/api' && !ctx.path.startsWith('/api/')) return next();
  switch (ctx.path) {
    case '/api/resource':
      if (ctx.method !== 'GET' && ctx.method !== 'POST' && ctx.method !== 'HEAD') {
        return sendJson(ctx, 405, { error: 'method_not_allowed' }, { Allow: 'GET, POST' });
      }
      return apiResource(ctx);
    case '/api/limited':
      return sendJson(ctx, 429, {
        error: 'rate_limited',
        message: 'Too many requests, retry after 3 seconds',
      }, {
        'Retry-After': 3,
        'RateLimit-Limit': 10,
        'RateLimit-Remaining': 0,
        'RateLimit-Reset': 3,
      });
    case '/api/ip-blocked': {
      const ip = (ctx.req.socket.remoteAddress || '127.0.0.1').replace(/^::ffff:/, '');
      return sendJson(ctx, 403, {
        error: 'forbidden',
        message: `Your IP address ${ip} is not in the allow-list`,
      });
    }
    default:
      return sendJson(ctx, 404, { error: 'not_found', message: `no such API path ${ctx.path}` });
  }
});

// --- go ------------------------------------------------------------------------------------
server.on('request', provider.callback());
server.on('clientError', (err, socket) => socket.destroy());

let stopping = false;
function shutdown(why) {
  if (stopping) return;
  stopping = true;
  origError(`server.mjs: stopping (${why})`);
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 1000).unref();
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
process.on('SIGHUP', () => shutdown('SIGHUP'));

// Exit when the parent goes away: watch stdin when it is a pipe/socket (a harness that spawns us
// with a piped stdin and dies closes it). /dev/null or a terminal is not watched unless asked.
if (stdinWatch === undefined) {
  try {
    const st = fs.fstatSync(0);
    stdinWatch = st.isFIFO() || st.isSocket();
  } catch {
    stdinWatch = false;
  }
}
if (stdinWatch) {
  process.stdin.on('end', () => shutdown('stdin closed'));
  process.stdin.on('close', () => shutdown('stdin closed'));
  process.stdin.on('error', () => shutdown('stdin error'));
  process.stdin.resume(); // discard whatever is written
}

// Announce only once the handlers above are in place.
process.stdout.write(`${JSON.stringify({ issuer: ISSUER, port })}\n`);
origError(`server.mjs: oidc-provider listening, issuer ${ISSUER}; access token TTL ${ACCESS_TTL}s, refresh token TTL ${REFRESH_TTL}s`);
