import { describe, expect, it } from 'vitest';
import type { ItemSummary } from '../bindings/ItemSummary';
import { fromDateInput, groupCode, relative, statusLine, toDateInput } from './format';
import type { ItemDetail } from '../bindings/ItemDetail';
import { emptyForm, formFromDetail, splitTags, toEdit, toInput, validate } from './itemForm';
import type { OtpCode } from '../bindings/OtpCode';
import {
  AVATAR_TONES,
  fixClock,
  offsetOf,
  avatarTone,
  encryptedFormat,
  groupOtp,
  indexCodes,
  initials,
  phaseAt,
  refreshAt,
  rowType,
  searchCodes,
  toBase64,
} from './otp';
import { buildIndex, search } from './search';
import { estimateStrength } from './strength';

const NOW = 1_800_000_000;
const DAY = 86400;

function summary(over: Partial<ItemSummary> & Pick<ItemSummary, 'name'>): ItemSummary {
  return {
    id: over.name,
    kind: 'api_key',
    tags: [],
    url: null,
    username: null,
    issuer: null,
    status: 'ok',
    expires_at: null,
    rotation_due_at: null,
    snoozed_until: null,
    renewable: false,
    updated_at: NOW,
    ...over,
  };
}

function formBase(): ItemDetail {
  return {
    ...summary({ name: 'x' }),
    placement: null,
    oauth: null,
    otp: null,
    manual_expires_at: null,
    token_expires_at: null,
    rotate_every_days: 90,
    warn_days: null,
    created_at: NOW,
    last_rotated_at: NOW,
    secrets: { value: true, notes: false, access_token: false, refresh_token: false },
    recognized: null,
    previous_versions: [],
    reference: 'keywright://x/secret',
    history: [],
  };
}

describe('search', () => {
  const index = buildIndex([
    summary({ name: 'Stripe production', tags: ['payments'], url: 'https://api.stripe.com' }),
    summary({ name: 'GitHub CI', kind: 'bearer', username: 'deploy-bot' }),
    summary({ name: 'AWS MFA', kind: 'totp', issuer: 'Amazon' }),
  ]);
  const names = (q: string) => search(index, q).map((i) => i.name);

  it('needs every word, in any field, any case', () => {
    expect(names('')).toEqual(['Stripe production', 'GitHub CI', 'AWS MFA']);
    expect(names('STRIPE')).toEqual(['Stripe production']);
    expect(names('payments stripe')).toEqual(['Stripe production']);
    expect(names('payments github')).toEqual([]);
    expect(names('deploy')).toEqual(['GitHub CI']);
    expect(names('amazon')).toEqual(['AWS MFA']);
    expect(names('bearer')).toEqual(['GitHub CI']);
    expect(names('totp')).toEqual(['AWS MFA']);
    expect(names('api.stripe')).toEqual(['Stripe production']);
  });

  it('applies the sidebar filter too', () => {
    expect(search(index, '', (i) => i.kind === 'totp').map((i) => i.name)).toEqual(['AWS MFA']);
  });
});

describe('item form', () => {
  it('requires a name and the secret when adding, not when editing', () => {
    const f = emptyForm('bearer');
    expect(validate(f, false)).toEqual({ name: 'Enter a name.', value: 'Enter the token.' });
    expect(validate({ ...f, name: 'x' }, true)).toEqual({});
  });

  it('checks header names, URLs, base32, digits, period and day counts', () => {
    const api = { ...emptyForm('api_key'), name: 'k', value: 'v' };
    expect(validate({ ...api, placement_name: 'Bad Header:' }, false).placement).toBeDefined();
    expect(validate({ ...api, placement_name: 'X-Api-Key' }, false)).toEqual({});
    expect(validate({ ...api, url: 'ftp://x' }, false).url).toBeDefined();
    expect(validate({ ...api, url: 'http://localhost:8080/v1' }, false)).toEqual({});
    expect(validate({ ...api, rotate_every_days: '-1' }, false).rotate_every_days).toBeDefined();
    const totp = { ...emptyForm('totp'), name: 't', value: 'JBSW Y3DP-EHPK 3PXP' };
    expect(validate(totp, false)).toEqual({});
    expect(validate({ ...totp, value: 'JBSW1' }, false).value).toBeDefined();
    expect(validate({ ...totp, digits: '5' }, false).digits).toBeDefined();
    expect(validate({ ...totp, digits: '8' }, false)).toEqual({});
    expect(validate({ ...totp, period: '0' }, false).period).toBeDefined();
    expect(validate({ ...totp, period: '86401' }, false).period).toBeDefined();
    expect(validate({ ...totp, otp_type: 'steam', digits: '5' }, false)).toEqual({});
    expect(validate({ ...totp, otp_type: 'hotp', period: '0' }, false)).toEqual({});
    const oauth = { ...emptyForm('oauth2'), name: 'o', value: 's', client_id: 'c' };
    expect(validate(oauth, false).oauth_issuer).toBe('Enter the issuer or the token URL.');
    expect(validate({ ...oauth, token_url: 'https://x.example/token' }, false)).toEqual({});
    expect(validate({ ...emptyForm('basic'), name: 'b', value: 'p' }, false).username).toBeDefined();
  });

  it('builds the wire types in snake_case, blank secrets kept on edit', () => {
    const f = {
      ...emptyForm('oauth2'),
      name: ' Auth0 ',
      tags: 'a, b, A',
      value: 'secret',
      client_id: 'cid',
      oauth_issuer: 'https://acme.auth0.com',
      scopes: 'read write,admin',
      refresh_token: 'rt',
      rotate_every_days: '',
    };
    expect(toInput(f)).toEqual({
      kind: 'oauth2',
      name: 'Auth0',
      tags: ['a', 'b'],
      url: null,
      expires_at: null,
      rotate_every_days: 0,
      warn_days: null,
      oauth: {
        client_id: 'cid',
        issuer: 'https://acme.auth0.com',
        token_url: null,
        auth: 'basic',
        grant: 'client_credentials',
        scopes: ['read', 'write', 'admin'],
        audience: null,
      },
      value: 'secret',
      refresh_token: 'rt',
    });
    const edit = toEdit({ ...f, value: '', refresh_token: '' });
    expect(edit.value).toBeNull();
    expect(edit.notes).toBeNull();
    expect(edit.refresh_token).toBeNull();
    expect(edit).not.toHaveProperty('kind');
    expect(toEdit(f, true).notes).toBe('');
  });

  it('carries over on edit what the form does not show', () => {
    const original = {
      ...formBase(),
      kind: 'oauth2' as const,
      username: 'set-by-cli',
      oauth: { client_id: 'c', auth: 'post' as const, issuer: 'https://i.example', access_expires_at: 123, refresh_expires_at: 456 },
    };
    const edit = toEdit(formFromDetail(original), false, original);
    expect(edit.username).toBe('set-by-cli');
    expect(edit.oauth).toMatchObject({ client_id: 'c', auth: 'post', access_expires_at: 123, refresh_expires_at: 456 });
  });

  it('splits tags, dropping blanks and case-insensitive repeats', () => {
    expect(splitTags(' prod, ,Prod, ci ')).toEqual(['prod', 'ci']);
  });
});

describe('format', () => {
  it('says when things happen', () => {
    expect(relative(NOW + 3 * DAY, NOW)).toBe('in 3 days');
    expect(relative(NOW - 2 * DAY, NOW)).toBe('2 days ago');
    expect(relative(NOW - 1 * 3600, NOW)).toBe('1 hour ago');
    expect(relative(NOW + 10, NOW)).toBe('just now');
    expect(statusLine({ status: 'expiring', expires_at: NOW + 3 * DAY, rotation_due_at: null }, NOW)).toBe(
      'expires in 3 days',
    );
    expect(statusLine({ status: 'expired', expires_at: NOW - 2 * DAY, rotation_due_at: null }, NOW)).toBe(
      'expired 2 days ago',
    );
    expect(statusLine({ status: 'rotation_due', expires_at: null, rotation_due_at: null }, NOW)).toBe('rotation due');
  });

  it('reads a typed date as 00:00 UTC that day, as the CLI does, and refuses what is not a date', () => {
    expect(fromDateInput('2027-03-04')).toBe(Date.UTC(2027, 2, 4) / 1000);
    expect(fromDateInput(' 2026-12-05 ')).toBe(1796428800);
    expect(toDateInput(1796428800)).toBe('2026-12-05');
    expect(toDateInput(1796428800 + 86399)).toBe('2026-12-05');
    for (const bad of ['', '13/45/2026', '2026-13-45', '2026-02-30', '2026-00-10', '1969-12-31', '2026-1-5', 'tomorrow']) {
      expect(fromDateInput(bad)).toBeNull();
    }
  });

  it('keeps an expiry the user did not touch to the second, and moves one they changed', () => {
    const original = { ...formBase(), kind: 'api_key' as const, manual_expires_at: 1796428800 + 12 * 3600 };
    const f = formFromDetail(original);
    expect(f.expires_at).toBe('2026-12-05');
    expect(toEdit({ ...f, tags: 'other', value: 'new-key' }, false, original).expires_at).toBe(1796428800 + 12 * 3600);
    expect(toEdit({ ...f, expires_at: '2027-01-31' }, false, original).expires_at).toBe(Date.UTC(2027, 0, 31) / 1000);
    expect(toEdit({ ...f, expires_at: '' }, false, original).expires_at).toBeNull();
  });

  it('asks for no rotation reminder unless the user sets one', () => {
    const f = { ...emptyForm('api_key'), name: 'k', value: 'v' };
    expect(f.rotate_every_days).toBe('');
    expect(toInput(f).rotate_every_days).toBe(0);
    expect(toInput({ ...f, rotate_every_days: '30' }).rotate_every_days).toBe(30);
  });

  it('names a date the form cannot read', () => {
    const f = { ...formFromDetail({ ...formBase(), kind: 'api_key' as const }), value: 'k', expires_at: '13/45/2026' };
    expect(validate(f, false).expires_at).toBe('"13/45/2026" is not a date. Use YYYY-MM-DD, such as 2027-03-31.');
  });

  it('groups the recovery code', () => {
    expect(groupCode('ABCD-EFGH-2345')).toEqual(['ABCD', 'EFGH', '2345']);
    expect(groupCode('ABCDEFGH23')).toEqual(['ABCD', 'EFGH', '23']);
  });
});

describe('password strength', () => {
  it('ranks common, short and patterned passwords low and passphrases high', () => {
    expect(estimateStrength('password123').score).toBeLessThanOrEqual(1);
    expect(estimateStrength('aaaaaaaaaaaa').score).toBe(0);
    expect(estimateStrength('12345678').score).toBe(0);
    expect(estimateStrength('Tr0ub4dor&3').score).toBeGreaterThanOrEqual(2);
    expect(estimateStrength('correct horse battery staple').score).toBe(4);
  });
});

describe('2FA codes', () => {
  it('groups codes for reading: 3+3, 3+4, 4+4, Steam as is', () => {
    expect(groupOtp('123456')).toBe('123 456');
    expect(groupOtp('1234567')).toBe('123 4567');
    expect(groupOtp('12345678')).toBe('1234 5678');
    expect(groupOtp('K7MQX', 'steam')).toBe('K7MQX');
    expect(groupOtp('12345')).toBe('12345');
  });

  it('makes two-letter initials and a stable tone from the issuer', () => {
    expect(initials('Google Cloud')).toBe('GC');
    expect(initials('GitHub')).toBe('GH');
    expect(initials('npm')).toBe('NP');
    expect(initials('  ')).toBe('?');
    expect(initials('Ålesund kommune')).toBe('ÅK');
    expect(avatarTone('GitHub')).toBe(avatarTone(' github '));
    const tones = new Set(['GitHub', 'Amazon', 'Okta', 'Steam', 'Bank', 'Stripe', 'Slack'].map(avatarTone));
    expect(tones.size).toBeGreaterThan(3);
    for (const t of tones) expect(t).toBeLessThan(AVATAR_TONES);
  });

  it('knows the phase of a code on Rust’s clock, and moves to the next code at the end', () => {
    const c: OtpCode = {
      id: 'a',
      name: 'GitHub',
      issuer: null,
      account: null,
      tags: [],
      otp_type: 'totp',
      digits: 6,
      period: 30,
      code: '111111',
      next_code: '222222',
      valid_from: NOW - 10,
      valid_until: NOW + 20,
      counter: null,
    };
    expect(phaseAt(c, NOW)).toEqual({ code: '111111', next: '222222', left: 20, from: NOW - 10, period: 30 });
    expect(phaseAt(c, NOW + 19)?.left).toBe(1);
    // Past the end, before the next read: the next code, a full period from valid_until.
    expect(phaseAt(c, NOW + 20)).toEqual({ code: '222222', next: null, left: 30, from: NOW + 20, period: 30 });
    expect(phaseAt({ ...c, otp_type: 'hotp', code: null }, NOW)).toBeNull();
    expect(refreshAt([c, { ...c, valid_until: NOW + 5 }, { ...c, otp_type: 'hotp', valid_until: 0 }])).toBe(NOW + 5);
  });

  it('searches name, issuer, account and tags', () => {
    const base = { otp_type: 'totp', digits: 6, period: 30, code: '1', next_code: '2', valid_from: 0, valid_until: 30, counter: null } as const;
    const index = indexCodes([
      { ...base, id: '1', name: 'GitHub', issuer: 'GitHub', account: 'alice@example.com', tags: ['dev'] },
      { ...base, id: '2', name: 'AWS', issuer: 'Amazon', account: 'root@example.com', tags: ['prod'] },
    ]);
    expect(searchCodes(index, 'alice').map((c) => c.id)).toEqual(['1']);
    expect(searchCodes(index, 'AMAZON prod').map((c) => c.id)).toEqual(['2']);
    expect(searchCodes(index, 'example').map((c) => c.id)).toEqual(['1', '2']);
    expect(searchCodes(index, 'nothing')).toEqual([]);
  });

  it('reads the encrypted export’s app from the error, describes rows, encodes base64', () => {
    expect(encryptedFormat('this Aegis export is encrypted; give its password')).toBe('Aegis');
    expect(encryptedFormat('wrong password for this 2FAS export, or the file is damaged')).toBe('2FAS');
    expect(encryptedFormat('something else')).toBeNull();
    expect(rowType({ otp_type: 'totp', digits: 6, period: 30 })).toBe('TOTP · 6 digits · 30 s');
    expect(rowType({ otp_type: 'hotp', digits: 8, period: null })).toBe('HOTP · 8 digits');
    expect(rowType({ otp_type: 'steam', digits: 5, period: 30 })).toBe('Steam');
    expect(rowType({ otp_type: null, digits: null, period: null })).toBe('—');
    expect(toBase64(new TextEncoder().encode('otpauth://totp/x?secret=AB'))).toBe(btoa('otpauth://totp/x?secret=AB'));
    const big = new Uint8Array(100_000).map((_, i) => i % 256);
    expect(atob(toBase64(big)).length).toBe(100_000);
  });
});

describe('clock offset', () => {
  it('narrows Rust’s clock minus the window’s with each read, and starts over when it no longer fits', () => {
    // Rust says 1000 during a call from window time 1000.2 s to 1000.3 s: offset in [-0.3, 0.8).
    const a = fixClock(null, 1000, 1_000_200, 1_000_300);
    expect(a.low).toBeCloseTo(-0.3, 6);
    expect(a.high).toBeCloseTo(0.8, 6);
    expect(offsetOf(a)).toBeCloseTo(0.25, 6);
    // Rust already at 1005 when the window says 1004.9: at least 0.1.
    const b = fixClock(a, 1005, 1_004_850, 1_004_900);
    expect(b.low).toBeCloseTo(0.1, 6);
    expect(b.high).toBeCloseTo(0.8, 6);
    // Rust still at 1009 when the window says 1009.6: below 0.4.
    const c = fixClock(b, 1009, 1_009_600, 1_009_650);
    expect([c.low, c.high].map((x) => +x.toFixed(6))).toEqual([0.1, 0.4]);
    expect(offsetOf(c)).toBeCloseTo(0.25, 6);
    // The window's clock jumped an hour ahead: start over.
    const d = fixClock(c, 1020, 4_620_000, 4_620_100);
    expect(d.low).toBeCloseTo(1020 - 4620.1, 6);
    expect(offsetOf(null)).toBe(0);
  });
});
