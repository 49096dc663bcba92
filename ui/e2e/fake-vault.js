// A fake Keywright backend that runs inside the page: it stands in for the Tauri runtime
// (window.__TAURI_INTERNALS__) so the BUILT UI can be driven in headless Chromium.
// Configured by window.__KW_FAKE_CONFIG = { state, items, otp, hasKeyring, damaged, sync }: `otp`
// 2FA items (TOTP 6/7/8 digits, 30/60 s, Steam, HOTP) are added to the `items` generated
// ones; `sync: true` makes the vault sync with three devices and two items with a conflict
// (off by default). Exposes window.__kwFake for the check: the generated items, an independent search,
// the codes (computed here, independently of the UI), and Rust-side events (lock, file drop).
(function () {
  'use strict';
  const cfg = Object.assign(
    { state: 'locked', items: 10000, otp: 0, hasKeyring: true, damaged: 1, password: 'correct horse battery staple' },
    window.__KW_FAKE_CONFIG || {},
  );
  const PATH = '/home/dev/.local/share/keywright/vault.db';
  const NOW = Math.floor(Date.now() / 1000);
  const DAY = 86400;

  let seed = 20261128;
  const rnd = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 4294967296;
  };
  const pick = (a) => a[Math.floor(rnd() * a.length)];

  const SERVICES = [
    'Stripe', 'GitHub', 'AWS', 'OpenAI', 'Twilio', 'SendGrid', 'Datadog', 'Sentry', 'Cloudflare',
    'Vercel', 'Heroku', 'Slack', 'Linear', 'Notion', 'Auth0', 'Okta', 'PagerDuty', 'Mailgun',
    'Algolia', 'Mapbox', 'Shopify', 'Segment', 'Postmark', 'DigitalOcean', 'Fastly', 'Netlify',
    'Supabase', 'Firebase', 'Grafana', 'Jira', 'GitLab', 'Docker Hub', 'npm', 'PyPI', 'Azure',
    'Google Cloud', 'Discord', 'Zendesk', 'HubSpot', 'Intercom',
  ];
  const ENVS = ['production', 'staging', 'dev', 'CI', 'sandbox', 'test'];
  const KINDS = ['api_key', 'api_key', 'api_key', 'bearer', 'bearer', 'oauth2', 'basic', 'totp', 'totp'];
  const KIND_WORD = { api_key: 'API key', bearer: 'token', oauth2: 'OAuth client', basic: 'login', totp: '2FA' };
  const KIND_LABEL = { api_key: 'API key', bearer: 'Bearer token', oauth2: 'OAuth2 client', basic: 'Basic auth', totp: 'TOTP' };
  const TAGS = ['prod', 'staging', 'payments', 'infra', 'ci', 'personal', 'team-core', 'team-data', 'legacy', 'monitoring'];
  const PROJECTS = ['billing', 'checkout', 'search', 'auth', 'web', 'mobile', 'data', 'ops', 'analytics', 'support', 'growth', 'platform'];
  const USERS = ['deploy-bot', 'alice@example.com', 'ops@example.com', 'ci-runner', 'bob@example.com'];

  const items = new Map();
  const secrets = new Map();
  const history = new Map();

  function id() {
    let s = '';
    for (let i = 0; i < 16; i++) s += Math.floor(rnd() * 16).toString(16);
    return s;
  }

  function makeItem(i, used) {
    const svc = pick(SERVICES);
    const env = pick(ENVS);
    const kind = pick(KINDS);
    let name = `${svc} ${pick(PROJECTS)} ${env} ${KIND_WORD[kind]}`;
    const n = (used.get(name.toLowerCase()) || 0) + 1;
    used.set(name.toLowerCase(), n);
    if (n > 1) name += ` ${n}`;
    const host = svc.toLowerCase().replace(/\s+/g, '');
    const r = rnd();
    let status = 'ok';
    let expires_at = null;
    let rotation_due_at = NOW + Math.floor(rnd() * 90) * DAY;
    if (r < 0.03) {
      status = 'expired';
      expires_at = NOW - Math.floor(1 + rnd() * 30) * DAY;
    } else if (r < 0.07) {
      status = 'expiring';
      expires_at = NOW + Math.floor(1 + rnd() * 13) * DAY;
    } else if (r < 0.1) {
      status = 'rotation_due';
      rotation_due_at = NOW - Math.floor(rnd() * 20) * DAY;
    } else if (r < 0.11 && kind === 'oauth2') {
      status = 'reauth_required';
    } else if (r < 0.35) {
      expires_at = NOW + Math.floor(30 + rnd() * 300) * DAY;
    }
    const tags = [];
    if (env === 'production') tags.push('prod');
    if (env === 'staging') tags.push('staging');
    if (rnd() < 0.5) tags.push(pick(TAGS));
    const uniqTags = [...new Set(tags)];
    const item = {
      id: id(),
      name,
      kind,
      tags: uniqTags,
      url: kind === 'totp' ? null : `https://api.${host}.com`,
      username: kind === 'basic' || kind === 'totp' ? pick(USERS) : null,
      issuer: kind === 'totp' ? svc : null,
      status,
      expires_at,
      rotation_due_at: kind === 'totp' ? null : rotation_due_at,
      updated_at: NOW - Math.floor(rnd() * 200) * DAY,
      // detail-only
      placement: kind === 'api_key' ? (rnd() < 0.7 ? { in: 'header', name: 'X-API-Key' } : { in: 'query', name: 'api_key' }) : null,
      oauth:
        kind === 'oauth2'
          ? { client_id: `${host}-client-${i}`, issuer: `https://login.${host}.com`, token_url: null, auth: 'basic', scopes: ['read', 'write'], audience: null, access_expires_at: NOW + 3600, refresh_expires_at: null }
          : null,
      otp: kind === 'totp' ? { type: 'totp', algorithm: 'SHA1', digits: 6, period: 30 } : null,
      manual_expires_at: expires_at,
      token_expires_at: null,
      rotate_every_days: kind === 'totp' ? null : 90,
      warn_days: 14,
      created_at: NOW - Math.floor(200 + rnd() * 400) * DAY,
      last_rotated_at: NOW - Math.floor(rnd() * 120) * DAY,
    };
    const value =
      kind === 'api_key'
        ? `sk_live_${id()}${id()}`
        : kind === 'bearer'
          ? `eyJhbGciOiJIUzI1NiJ9.${id()}.${id()}`
          : kind === 'totp'
            ? 'JBSWY3DPEHPK3PXP'
            : `pw-${id()}`;
    const sec = { value, notes: rnd() < 0.3 ? `Owner: platform team\nRotate via the ${svc} dashboard.` : null };
    if (kind === 'oauth2') {
      sec.access_token = `at-${id()}`;
      sec.refresh_token = rnd() < 0.5 ? `rt-${id()}` : null;
    }
    return { item, sec };
  }

  const hotpCounters = new Map();
  const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

  /** A 2FA item: mostly 6-digit 30 s TOTP, some 7/8 digits, 60 s, Steam and HOTP. */
  function makeOtpItem(i, used) {
    const svc = pick(SERVICES);
    const r = rnd();
    const otp =
      r < 0.8
        ? { type: 'totp', algorithm: 'SHA1', digits: 6, period: 30 }
        : r < 0.86
          ? { type: 'totp', algorithm: 'SHA256', digits: 8, period: 30 }
          : r < 0.9
            ? { type: 'totp', algorithm: 'SHA1', digits: 7, period: 30 }
            : r < 0.94
              ? { type: 'totp', algorithm: 'SHA1', digits: 6, period: 60 }
              : r < 0.97
                ? { type: 'steam', algorithm: 'SHA1', digits: 5, period: 30 }
                : { type: 'hotp', algorithm: 'SHA1', digits: 6, period: 30 };
    let name = `${svc} ${pick(PROJECTS)} ${otp.type === 'hotp' ? 'HOTP' : '2FA'}`;
    const n = (used.get(name.toLowerCase()) || 0) + 1;
    used.set(name.toLowerCase(), n);
    if (n > 1) name += ` ${n}`;
    let secret = '';
    for (let k = 0; k < 32; k++) secret += B32[Math.floor(rnd() * 32)];
    const item = {
      id: id(),
      name,
      kind: 'totp',
      tags: rnd() < 0.4 ? [pick(TAGS)] : [],
      url: null,
      username: pick(USERS),
      issuer: svc,
      status: 'ok',
      expires_at: null,
      rotation_due_at: null,
      updated_at: NOW - Math.floor(rnd() * 200) * DAY,
      placement: null,
      oauth: null,
      otp,
      manual_expires_at: null,
      token_expires_at: null,
      rotate_every_days: null,
      warn_days: 14,
      created_at: NOW - Math.floor(200 + rnd() * 400) * DAY,
      last_rotated_at: NOW - Math.floor(rnd() * 120) * DAY,
    };
    if (otp.type === 'hotp') hotpCounters.set(item.id, 1 + Math.floor(rnd() * 40));
    return { item, sec: { value: secret, notes: null } };
  }

  function seedVault(n, otpN = 0) {
    items.clear();
    secrets.clear();
    history.clear();
    const used = new Map();
    for (let i = 0; i < n + otpN; i++) {
      const { item, sec } = i < n ? makeItem(i, used) : makeOtpItem(i, used);
      items.set(item.id, item);
      secrets.set(item.id, sec);
      history.set(item.id, [
        { at: item.last_rotated_at, action: 'change', item_id: item.id, item_name: item.name, actor: 'cli', detail: 'value' },
        { at: item.created_at, action: 'add', item_id: item.id, item_name: item.name, actor: 'app', detail: null },
      ]);
    }
  }

  const SUMMARY_KEYS = ['id', 'name', 'kind', 'tags', 'url', 'username', 'issuer', 'status', 'expires_at', 'rotation_due_at', 'updated_at'];
  function summary(it) {
    const s = {};
    for (const k of SUMMARY_KEYS) s[k] = it[k];
    s.snoozed_until = null;
    s.renewable = it.kind === 'oauth2';
    // The header or query parameter an API key goes in (Rust leaves it out when none).
    if (it.placement && it.placement.in !== 'bearer') s.placement_name = it.placement.name;
    return s;
  }
  const collator = new Intl.Collator(undefined, { sensitivity: 'base' });
  function sorted() {
    return [...items.values()].sort((a, b) => collator.compare(a.name, b.name));
  }
  function detail(it) {
    const sec = secrets.get(it.id);
    return Object.assign(summary(it), {
      placement: it.placement,
      oauth: it.oauth,
      otp: it.otp,
      manual_expires_at: it.manual_expires_at,
      token_expires_at: it.token_expires_at ?? null,
      rotate_every_days: it.rotate_every_days,
      warn_days: it.warn_days,
      created_at: it.created_at,
      last_rotated_at: it.last_rotated_at,
      secrets: { value: !!sec.value, notes: !!sec.notes, access_token: !!sec.access_token, refresh_token: !!sec.refresh_token },
      history: history.get(it.id).slice(),
      previous_versions: [],
      recognized: recognizeKey(it.kind, sec.value),
      reference: `keywright://${it.name.replace(/[%{}]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase())}/${
        it.kind === 'oauth2' ? 'access_token' : it.kind === 'totp' ? 'code' : 'secret'
      }`,
    });
  }

  // A few of the core's key shapes (keywright-core/src/recognize.rs), for the detail pane.
  function recognizeKey(kind, value) {
    if ((kind !== 'api_key' && kind !== 'bearer') || typeof value !== 'string') return null;
    const rules = [
      ['sk_live_', 'stripe', 'live', 'Stripe live secret key', 'https://api.stripe.com/v1/balance'],
      ['sk_test_', 'stripe', 'test', 'Stripe test secret key', 'https://api.stripe.com/v1/balance'],
      ['ghp_', 'github', 'personal', 'GitHub personal access token', 'https://api.github.com/user'],
    ];
    const r = rules.find(([p]) => value.startsWith(p));
    return r ? { service: r[1], variant: r[2], label: r[3], test_url: r[4] } : null;
  }

  let state = cfg.state;
  let hasKeyring = cfg.hasKeyring;
  let settings = { auto_lock_minutes: 10, clipboard_clear_seconds: 30 };
  // Backups: the folder (null: backups/ next to the vault), automatic on/off, the snapshots.
  const BACKUP_DEFAULT = '/home/dev/.local/share/keywright/backups';
  let backup = { auto: false, folder: null };
  const snapshots = [];
  const backupFolder = () => backup.folder || BACKUP_DEFAULT;
  const snapshotNow = () => {
    const at = Math.floor(Date.now() / 1000);
    const stamp = new Date(at * 1000).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    const b = { path: `${backupFolder()}/keywright-1a2b3c4d-${stamp}.kwbak.db`, taken_at: at, size: 1024 * (40 + items.size), items: items.size, complete: true, problem: null };
    snapshots.unshift(b);
    return b;
  };
  const backupStatus = () => {
    const here = snapshots.filter((b) => b.path.startsWith(`${backupFolder()}/`));
    return { auto: backup.auto, folder: backupFolder(), default_folder: backup.folder === null, last: here[0] || null, count: here.length, last_error: null };
  };
  if (cfg.state !== 'none') seedVault(cfg.items, cfg.otp);

  // ---- sync: off, or (cfg.sync) three devices and two items with a conflict ----
  const THIS_DEVICE = 'a1b2c3d4e5f60718';
  let sync = { dir: null, device_name: 'dev-laptop', devices: [], last_sync: null, pending: 0, error: null, refused: [] };
  let conflicts = [];
  if (cfg.sync && cfg.state !== 'none') {
    sync = {
      dir: '/home/dev/Sync/keywright',
      device_name: 'dev-laptop',
      devices: [
        { id: THIS_DEVICE, name: 'dev-laptop', last_seen: NOW - 120, this_device: true, removed: false },
        { id: 'b7e8f9a0b1c2d3e4', name: 'work-desktop', last_seen: NOW - 300, this_device: false, removed: false },
        { id: 'c9d8e7f6a5b4c3d2', name: 'home-server', last_seen: NOW - 2 * DAY, this_device: false, removed: false },
        { id: 'd0e1f2a3b4c5d6e7', name: 'old phone', last_seen: NOW - 90 * DAY, this_device: false, removed: true },
      ],
      last_sync: NOW - 120,
      pending: 1,
      error: null,
      refused: [],
    };
    const [a, b] = sorted();
    const v = (id, device, name, at, over) =>
      Object.assign({ id, device_id: device, device_name: name, at, kept: false, deleted: false, name: null, differs: [] }, over);
    if (a) {
      conflicts.push({
        item_id: a.id,
        name: a.name,
        versions: [
          v('v-a-here', THIS_DEVICE, 'dev-laptop', NOW - 3600, { kept: true, name: a.name }),
          v('v-a-work', 'b7e8f9a0b1c2d3e4', 'work-desktop', NOW - 3000, { name: a.name, differs: ['secret', 'notes', 'tags'] }),
        ],
      });
    }
    if (b) {
      conflicts.push({
        item_id: b.id,
        name: b.name,
        versions: [
          v('v-b-work', 'b7e8f9a0b1c2d3e4', 'work-desktop', NOW - 2 * DAY, { kept: true, name: b.name }),
          v('v-b-server', 'c9d8e7f6a5b4c3d2', 'home-server', NOW - 2 * DAY - 600, { deleted: true, differs: ['deleted'] }),
          v('v-b-merged', 'm0a1b2c3d4e5f607', 'a merged copy', NOW - DAY, { name: `${b.name} (renamed)`, differs: ['name', 'URL'] }),
        ],
      });
    }
  }
  const syncState = () => {
    needUnlocked();
    return JSON.parse(
      JSON.stringify({
        enabled: sync.dir !== null,
        dir: sync.dir,
        device_id: THIS_DEVICE,
        device_name: sync.device_name,
        devices: sync.devices,
        last_sync: sync.last_sync,
        pending: sync.pending,
        conflicts: conflicts.length,
        error: sync.error,
        refused: sync.refused,
      }),
    );
  };
  const syncPass = () => {
    const now = Math.floor(Date.now() / 1000);
    sync.last_sync = now;
    sync.pending = 0;
    sync.error = null;
    sync.refused = [];
    for (const d of sync.devices) if (d.this_device) d.last_seen = now;
  };

  // ---- 2FA codes: a hash of (item, counter), not real TOTP: the check computes the same ----
  const STEAM = '23456789BCDFGHJKMNPQRTVWXY';
  function codeOf(itemId, counter, digits, type) {
    let h = 2166136261;
    const s = `${itemId}:${counter}`;
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0;
    if (type === 'steam') {
      let out = '';
      for (let i = 0; i < 5; i++) {
        out += STEAM[h % STEAM.length];
        h = Math.floor(h / STEAM.length);
      }
      return out;
    }
    return String(h % 10 ** digits).padStart(digits, '0');
  }
  function otpCode(it, now) {
    const o = it.otp;
    const base = {
      id: it.id,
      name: it.name,
      issuer: it.issuer,
      account: it.username,
      tags: it.tags,
      otp_type: o.type,
      digits: o.digits,
      period: o.period,
    };
    if (o.type === 'hotp') {
      return Object.assign(base, { code: null, next_code: null, valid_from: 0, valid_until: 0, counter: hotpCounters.get(it.id) ?? 0 });
    }
    const c = Math.floor(now / o.period);
    return Object.assign(base, {
      code: codeOf(it.id, c, o.digits, o.type),
      next_code: codeOf(it.id, c + 1, o.digits, o.type),
      valid_from: c * o.period,
      valid_until: (c + 1) * o.period,
      counter: null,
    });
  }
  const rustNow = () => Math.floor(Date.now() / 1000);
  const otpItems = () => sorted().filter((it) => it.kind === 'totp' && it.otp);

  // ---- imports ----
  const EXPORT_PASSWORD = 'export password';
  const previews = new Map();
  let previewSeq = 0;
  /** Entries of an "export file" (any file that is not otpauth text). */
  const FILE_ENTRIES = [
    { issuer: 'Proton', account: 'me@proton.me', type: 'totp', digits: 6, period: 30, secret: 'JBSWY3DPEHPK3PXP' },
    { issuer: 'Bitwarden', account: 'me@example.com', type: 'totp', digits: 6, period: 30, secret: 'KRSXG5CTMVRXEZLU' },
    { issuer: 'Steam', account: 'gamer42', type: 'steam', digits: 5, period: 30, secret: 'MFRGGZDFMZTWQ2LK' },
    { issuer: 'YubiCloud', account: 'ops', type: 'hotp', digits: 8, period: null, secret: 'ONSWG4TFOQ' },
    { issuer: 'Broken', account: 'x', type: 'totp', digits: 6, period: 30, secret: 'not base32!' },
  ];
  function parseOtpauth(text) {
    return text
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l !== '')
      .map((line) => {
        try {
          const u = new URL(line);
          const type = u.host;
          const label = decodeURIComponent(u.pathname.replace(/^\//, ''));
          const [maybeIssuer, maybeAccount] = label.includes(':') ? label.split(':') : [null, label];
          return {
            issuer: u.searchParams.get('issuer') ?? maybeIssuer,
            account: maybeAccount || null,
            type: type === 'hotp' ? 'hotp' : 'totp',
            digits: Number(u.searchParams.get('digits') ?? 6),
            period: type === 'hotp' ? null : Number(u.searchParams.get('period') ?? 30),
            secret: u.searchParams.get('secret') ?? '',
            bad: u.protocol !== 'otpauth:' ? 'not an otpauth:// URI' : null,
          };
        } catch {
          return { bad: 'not an otpauth:// URI' };
        }
      });
  }
  function rowsOf(entries, labelWord) {
    const taken = new Set([...items.values()].map((it) => it.name.toLowerCase()));
    const seen = new Map();
    return entries.map((e, i) => {
      const row = {
        row: i,
        kind: 'totp',
        selected: true,
        url: null,
        tags: [],
        requests: 0,
        hint: null,
        position: i + 1,
        label: `${labelWord} ${i + 1}`,
        status: 'new',
        name: null,
        issuer: e.issuer ?? null,
        account: e.account ?? null,
        otp_type: e.type ?? null,
        digits: e.type === 'steam' ? 5 : (e.digits ?? null),
        period: e.period ?? null,
        reason: null,
        duplicate_of: null,
      };
      if (e.bad || !/^[A-Z2-7]+=*$/i.test((e.secret || '').replace(/\s/g, ''))) {
        return Object.assign(row, { status: 'invalid', kind: null, selected: false, reason: e.bad || 'the secret is not base32', otp_type: null, digits: null, period: null });
      }
      const key = `${(e.issuer || '').toLowerCase()}\u0001${(e.account || '').toLowerCase()}`;
      const dup =
        seen.get(key) ??
        [...items.values()].find(
          (it) => it.kind === 'totp' && (it.issuer || '').toLowerCase() === (e.issuer || '').toLowerCase() && (it.username || '').toLowerCase() === (e.account || '').toLowerCase(),
        )?.name;
      if (dup) return Object.assign(row, { status: 'duplicate', selected: false, name: null, duplicate_of: dup });
      let name = e.issuer || e.account || 'Imported 2FA';
      for (let n = 2; taken.has(name.toLowerCase()); n++) name = `${e.issuer || 'Imported 2FA'} ${n}`;
      taken.add(name.toLowerCase());
      seen.set(key, name);
      return Object.assign(row, { name });
    });
  }

  const fail = (kind, message, field = null) => {
    throw { kind, message, field };
  };
  const status = () => ({ state, path: PATH, item_count: state === 'unlocked' ? items.size : null, has_keyring: hasKeyring });
  const needUnlocked = () => {
    if (state !== 'unlocked') fail('locked', 'the vault is locked');
  };
  const find = (id) => items.get(id) || fail('not_found', 'no such item');
  const audit = (it, action, detailText) => {
    history.get(it.id).unshift({ at: Math.floor(Date.now() / 1000), action, item_id: it.id, item_name: it.name, actor: 'app', detail: detailText });
  };
  const checkName = (name, except) => {
    if (!name || !name.trim()) fail('invalid_input', 'the name is empty', 'name');
    for (const it of items.values()) {
      if (it.id !== except && it.name.toLowerCase() === name.trim().toLowerCase()) {
        fail('duplicate_name', `an item named “${it.name}” already exists`, 'name');
      }
    }
  };
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

  const commands = {
    vault_status: () => status(),
    vault_create: async ({ password, keyring }) => {
      if (state !== 'none') fail('vault_exists', 'a vault already exists');
      if (password.length < 8) fail('invalid_input', 'the password needs at least 8 characters', 'password');
      await sleep(200);
      state = 'unlocked';
      hasKeyring = !!keyring;
      seedVault(0);
      return { status: status(), recovery_code: 'KW7Q-M3XP-9RTA-2HDF-LC8N-V4EJ-Y6UB-QZ5W', keyring_enabled: !!keyring, keyring_notice: null };
    },
    vault_unlock: async ({ password }) => {
      await sleep(120);
      if (password !== cfg.password) fail('wrong_password', 'wrong password (the vault was not changed)');
      state = 'unlocked';
      return status();
    },
    vault_unlock_keyring: async () => {
      await sleep(50);
      state = 'unlocked';
      return status();
    },
    vault_lock: () => {
      state = 'locked';
      return status();
    },
    vault_change_password: ({ current_password }) => {
      if (current_password !== cfg.password) fail('wrong_password', 'wrong password');
      return null;
    },
    app_activity: () => null,
    items_list: () => {
      needUnlocked();
      const damaged = [];
      for (let i = 0; i < cfg.damaged; i++) damaged.push({ id: `deadbeef0000000${i}`, reason: 'the item’s secret failed its integrity check (tampered)' });
      return { items: sorted().map(summary), damaged, warnings: [] };
    },
    item_get: ({ id }) => {
      needUnlocked();
      return detail(find(id));
    },
    trash_list: () => {
      needUnlocked();
      return { items: [], damaged: [], keep_days: 30 };
    },
    item_reveal: ({ id, field }) => {
      needUnlocked();
      const it = find(id);
      const v = secrets.get(id)[field];
      if (!v) fail('not_found', `this item has no ${field}`);
      audit(it, 'reveal', field);
      return v;
    },
    item_copy: ({ id, field }) => {
      needUnlocked();
      const it = find(id);
      audit(it, 'copy', field);
      window.__kwFake.copies.push({ id, field });
      return { clear_after_s: settings.clipboard_clear_seconds || null };
    },
    item_add: ({ item }) => {
      needUnlocked();
      checkName(item.name, null);
      const it = Object.assign(makeItem(items.size, new Map()).item, {
        id: id(),
        name: item.name.trim(),
        kind: item.kind,
        tags: item.tags,
        url: item.url ?? null,
        username: item.username ?? null,
        issuer: item.issuer ?? null,
        placement: item.placement ?? null,
        oauth: item.oauth ?? null,
        otp: item.otp ?? null,
        status: 'ok',
        expires_at: item.expires_at ?? null,
        manual_expires_at: item.expires_at ?? null,
        token_expires_at: null,
        created_at: NOW,
        updated_at: NOW,
        last_rotated_at: NOW,
      });
      items.set(it.id, it);
      secrets.set(it.id, { value: item.value, notes: item.notes ?? null, access_token: item.access_token ?? null, refresh_token: item.refresh_token ?? null });
      history.set(it.id, []);
      audit(it, 'add', null);
      return detail(it);
    },
    item_update: ({ id, item }) => {
      needUnlocked();
      const it = find(id);
      checkName(item.name, id);
      Object.assign(it, { name: item.name.trim(), tags: item.tags, url: item.url ?? null, updated_at: Math.floor(Date.now() / 1000) });
      if (item.value != null) secrets.get(id).value = item.value;
      audit(it, 'change', 'name, tags, url');
      return detail(it);
    },
    item_delete: ({ id }) => {
      needUnlocked();
      find(id);
      items.delete(id);
      return null;
    },
    settings_get: () => Object.assign({ keyring_enabled: hasKeyring, path: PATH }, settings),
    app_about: () => ({ version: '0.1.0', commit: 'browsercheck' }),
    settings_set: ({ settings: s }) => {
      settings = { auto_lock_minutes: s.auto_lock_minutes, clipboard_clear_seconds: s.clipboard_clear_seconds };
      return Object.assign({ keyring_enabled: hasKeyring, path: PATH }, settings);
    },
    otp_codes: () => {
      needUnlocked();
      const now = rustNow();
      return { now, codes: otpItems().map((it) => otpCode(it, now)), damaged: 0 };
    },
    otp_code: ({ id }) => {
      needUnlocked();
      const now = rustNow();
      return { now, codes: [otpCode(find(id), now)], damaged: 0 };
    },
    otp_copy: ({ id }) => {
      needUnlocked();
      const it = find(id);
      if (!it.otp) fail('invalid_input', 'this item has no one-time code');
      if (it.otp.type === 'hotp') fail('invalid_input', 'a HOTP code is made on request');
      window.__kwFake.copies.push({ id, field: 'otp' });
      return { clear_after_s: settings.clipboard_clear_seconds || null };
    },
    hotp_next: ({ id, copy }) => {
      needUnlocked();
      const it = find(id);
      if (!it.otp || it.otp.type !== 'hotp') fail('invalid_input', 'not a HOTP item');
      const counter = hotpCounters.get(id) ?? 0;
      hotpCounters.set(id, counter + 1);
      if (copy) window.__kwFake.copies.push({ id, field: 'hotp' });
      return { code: codeOf(id, counter, it.otp.digits, 'hotp'), counter, copied: copy ? { clear_after_s: settings.clipboard_clear_seconds || null } : null };
    },
    import_preview: async ({ source, format, password }) => {
      needUnlocked();
      await sleep(120);
      const content = source.kind === 'text' ? source.text : source.kind === 'bytes' ? atob(source.base64) : source.path;
      const name = source.kind === 'bytes' ? source.name : source.kind === 'file' ? source.path : '';
      if (content.includes('GARBAGE')) fail('import_failed', 'cannot import this file as Aegis: not JSON (nothing was imported)');
      if (content.includes('ENCRYPTED')) {
        if (password == null) fail('import_password_needed', 'this Aegis export is encrypted; give its password (nothing was imported)');
        if (password !== EXPORT_PASSWORD) fail('wrong_import_password', 'wrong password for this Aegis export, or the file is damaged (nothing was imported)');
      }
      const text = content.includes('otpauth://');
      const rows = text ? rowsOf(parseOtpauth(content), 'line') : rowsOf(FILE_ENTRIES, /\.png$/i.test(name) ? 'QR code' : 'entry');
      previewSeq += 1;
      const preview = {
        id: `preview-${previewSeq}`,
        format: format ?? (text ? 'otpauth' : /\.2fas$/i.test(name) ? 'two_fas' : /\.png$/i.test(name) ? 'qr' : 'aegis'),
        rows,
        new_count: rows.filter((r) => r.status === 'new').length,
        duplicate_count: rows.filter((r) => r.status === 'duplicate').length,
        invalid_count: rows.filter((r) => r.status === 'invalid').length,
      };
      previews.set(preview.id, preview);
      return preview;
    },
    import_commit: ({ id: pid, rows: chosenRows }) => {
      needUnlocked();
      const p = previews.get(pid) || fail('not_found', 'this import preview has expired');
      previews.delete(pid);
      const added = [];
      const chosen = Array.isArray(chosenRows) ? new Set(chosenRows) : null;
      for (const r of p.rows) {
        if (r.status !== 'new') continue;
        if (chosen !== null ? !chosen.has(r.row) : !r.selected) continue;
        const { item, sec } = makeOtpItem(items.size, new Map());
        Object.assign(item, {
          name: r.name,
          issuer: r.issuer,
          username: r.account,
          tags: [],
          otp: { type: r.otp_type, algorithm: 'SHA1', digits: r.digits ?? 6, period: r.period ?? 30 },
          created_at: NOW,
          updated_at: NOW,
        });
        if (r.otp_type === 'hotp') hotpCounters.set(item.id, 0);
        items.set(item.id, item);
        secrets.set(item.id, sec);
        history.set(item.id, []);
        audit(item, 'add', 'import');
        added.push(r.name);
      }
      return { added, skipped_duplicates: p.duplicate_count, skipped_invalid: p.invalid_count, skipped_unselected: p.new_count - added.length };
    },
    import_cancel: ({ id: pid }) => {
      previews.delete(pid);
      return null;
    },
    backup_status: () => {
      needUnlocked();
      return backupStatus();
    },
    backup_now: () => {
      needUnlocked();
      return snapshotNow();
    },
    backup_set: ({ folder, auto }) => {
      needUnlocked();
      const f = folder && folder.trim() ? folder.trim() : null;
      if (f !== null && !f.startsWith('/')) fail('invalid_input', `“${f}” is not a full path. Give the whole path, starting with / (or a drive letter).`, 'folder');
      const turnedOn = auto && (!backup.auto || backup.folder !== f);
      backup = { auto, folder: f };
      if (turnedOn) snapshotNow();
      return backupStatus();
    },
    backup_list: ({ folder }) => {
      needUnlocked();
      const f = folder && folder.trim() ? folder.trim() : backupFolder();
      return snapshots.filter((b) => b.path.startsWith(`${f}/`));
    },
    backup_restore: ({ snapshot }) => {
      if (state !== 'none') fail('vault_exists', `A vault already exists at ${PATH}; refusing to overwrite it`);
      if (!String(snapshot).startsWith('/')) fail('invalid_input', `“${snapshot}” is not a full path. Give the whole path, starting with / (or a drive letter).`, 'snapshot');
      if (!String(snapshot).endsWith('.db')) fail('corrupt', `The vault file is damaged or is not a Keywright vault: ${snapshot} is not a usable Keywright backup: it is not a SQLite database`, 'snapshot');
      state = 'locked';
      return status();
    },
    sync_state: () => syncState(),
    sync_now: async () => {
      needUnlocked();
      if (sync.dir === null) fail('sync', 'this vault does not sync: choose a folder in Settings → Sync first');
      await sleep(300);
      syncPass();
      return syncState();
    },
    sync_setup: ({ dir, name }) => {
      needUnlocked();
      const d = String(dir).trim();
      if (!d.startsWith('/')) fail('invalid_input', `“${d}” is not a full path. Give the whole path of the folder your sync tool shares, starting with /.`, 'folder');
      const n = name && name.trim() ? name.trim() : 'dev-laptop';
      sync = { dir: d, device_name: n, devices: [{ id: THIS_DEVICE, name: n, last_seen: null, this_device: true, removed: false }], last_sync: null, pending: 0, error: null, refused: [] };
      syncPass();
      return syncState();
    },
    sync_remove_device: ({ id }) => {
      needUnlocked();
      const d = sync.devices.find((x) => x.id === id) || fail('invalid_input', `no device of this vault's sync has an id starting "${id}"`, 'device');
      if (d.this_device) fail('invalid_input', 'is this device; remove it from another device', 'device');
      d.removed = true;
      syncPass();
      return syncState();
    },
    conflicts_list: () => {
      needUnlocked();
      return JSON.parse(JSON.stringify(conflicts));
    },
    conflict_keep: ({ item_id, version_id }) => {
      needUnlocked();
      const c = conflicts.find((x) => x.item_id === item_id) || fail('not_found', 'this item has no conflict (any more)');
      const v = c.versions.find((x) => x.id === version_id) || fail('not_found', 'no such version of this item');
      conflicts = conflicts.filter((x) => x !== c);
      const it = items.get(item_id);
      if (it && v.deleted) items.delete(item_id);
      else if (it && !v.kept && v.name) Object.assign(it, { name: v.name, updated_at: Math.floor(Date.now() / 1000) });
      if (sync.dir !== null) syncPass();
      return JSON.parse(JSON.stringify(conflicts));
    },
    keyring_set: ({ enabled }) => {
      hasKeyring = enabled;
      return { enabled, notice: null };
    },
  };

  // ---- the Tauri runtime surface that @tauri-apps/api uses ----
  const callbacks = new Map();
  let nextCallback = 1;
  const listeners = new Map(); // event name -> [{ id, handler }]
  let nextListener = 1;

  window.__TAURI_EVENT_PLUGIN_INTERNALS__ = {
    unregisterListener(event, eventId) {
      listeners.set(event, (listeners.get(event) || []).filter((l) => l.id !== eventId));
    },
  };

  window.__TAURI_INTERNALS__ = {
    metadata: { currentWindow: { label: 'main' }, currentWebview: { windowLabel: 'main', label: 'main' } },
    transformCallback(cb, once) {
      const n = nextCallback++;
      callbacks.set(n, (payload) => {
        if (once) callbacks.delete(n);
        return cb(payload);
      });
      return n;
    },
    unregisterCallback(n) {
      callbacks.delete(n);
    },
    async invoke(cmd, args) {
      window.__kwFake.calls.push(cmd);
      if (cmd === 'plugin:event|listen') {
        const lid = nextListener++;
        const list = listeners.get(args.event) || [];
        list.push({ id: lid, handler: args.handler });
        listeners.set(args.event, list);
        return lid;
      }
      if (cmd === 'plugin:event|unlisten') return null;
      const f = commands[cmd];
      if (!f) throw { kind: 'internal', message: `unknown command ${cmd}`, field: null };
      // The fake runs in the page, Rust would not: its time is kept apart for the timings.
      const t0 = performance.now();
      try {
        return f(args || {});
      } finally {
        window.__kwFake.backendMs += performance.now() - t0;
      }
    },
  };

  // ---- for the check ----
  function hay(it) {
    const param = it.placement && it.placement.in !== 'bearer' ? it.placement.name : '';
    return [it.name, it.tags.join(' '), it.url || '', it.username || '', it.issuer || '', param, it.kind, KIND_LABEL[it.kind]].join('\u0001').toLowerCase();
  }
  // The search's rules (ui/src/lib/search.ts), written again plainly: the rank of one query
  // word in one item, 0 when it does not match. 2 = at a word start, 3 = inside a word,
  // 4 = a word of 4+ letters one edit (or one swap) from a word of the item or the start of
  // one, 5 = a word of 3+ letters whose letters appear in order in a word, from its start.
  const esc = (w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  function osa(a, b) {
    const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
    for (let j = 0; j <= b.length; j++) d[0][j] = j;
    for (let i = 1; i <= a.length; i++) {
      for (let j = 1; j <= b.length; j++) {
        const cost = a[i - 1] === b[j - 1] ? 0 : 1;
        d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
    return d[a.length][b.length];
  }
  function oneSwap(a, b) {
    const diff = [...a].map((c, i) => (c === b[i] ? -1 : i)).filter((i) => i >= 0);
    return diff.length === 2 && diff[1] === diff[0] + 1 && a[diff[0]] === b[diff[1]] && a[diff[1]] === b[diff[0]];
  }
  function wordRank(h, w) {
    if (h.includes(w)) return new RegExp(`(^|[^a-z0-9\\u0080-\\uffff])${esc(w)}`).test(h) ? 2 : 3;
    const words = (h.match(/[\p{L}\p{N}]{3,}/gu) || []).filter((t) => !/^\d+$/.test(t));
    if (w.length >= 4 && words.some((t) => osa(w, t) <= 1 || (t.length > w.length && oneSwap(w, t.slice(0, w.length))))) return 4;
    const abbrev = new RegExp(`^${[...w].map(esc).join('.*')}`);
    if (w.length >= 3 && words.some((t) => t.length > w.length && abbrev.test(t))) return 5;
    return 0;
  }
  function rankOf(it, words) {
    const h = hay(it);
    let rank = 2;
    for (const w of words) {
      const r = wordRank(h, w);
      if (r === 0) return 0;
      rank = Math.max(rank, r);
    }
    const name = it.name.toLowerCase();
    const whole = words.join(' ');
    return name === whole ? 0.5 : name.startsWith(whole) ? 1 : rank;
  }
  window.__kwFake = {
    calls: [],
    copies: [],
    /** Main-thread time spent in this fake backend's commands (ms, wall clock). */
    backendMs: 0,
    items: () => sorted().map(summary),
    secretOf: (id, field) => secrets.get(id)[field],
    /** The expected result of a search, computed independently of the UI. */
    expect(query) {
      const words = query.toLowerCase().split(/\s+/).filter(Boolean);
      const ranked = sorted()
        .map((it) => ({ it, rank: words.length === 0 ? 1 : rankOf(it, words) }))
        .filter((r) => r.rank > 0);
      // Best rank first; the list's order within a rank (a stable sort).
      const all = ranked.sort((a, b) => a.rank - b.rank).map((r) => r.it);
      return { count: all.length, first: all[0] ? all[0].name : null, names: all.map((i) => i.name) };
    },
    emit(event, payload) {
      for (const l of listeners.get(event) || []) {
        const cb = callbacks.get(l.handler);
        if (cb) cb({ event, id: l.id, payload });
      }
    },
    lock(reason) {
      state = 'locked';
      window.__kwFake.emit('vault-locked', reason);
    },
    /** Files dropped on the window: Tauri's webview drag-drop event, paths only. */
    dropFiles(paths) {
      window.__kwFake.emit('tauri://drag-enter', { paths, position: { x: 200, y: 200 } });
      window.__kwFake.emit('tauri://drag-drop', { paths, position: { x: 200, y: 200 } });
    },
    /** The codes at Rust's now, as otp_codes gives them (computed here, not by the UI). */
    codes: () => otpItems().map((it) => otpCode(it, rustNow())),
    codeAt: (itemId, unixSeconds) => {
      const it = items.get(itemId);
      return otpCode(it, unixSeconds);
    },
    previews: () => [...previews.keys()],
    /** What sync_state answers now (sync on, its devices, the conflicts left). */
    syncState: () => syncState(),
    /** The last background pass failed (the folder went away, ...). */
    setSyncError: (error) => {
      sync.error = error;
    },
    EXPORT_PASSWORD,
  };
})();
