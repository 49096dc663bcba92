// The forgiving search (issue 14): typos, abbreviations, header names and hosts, ranking.
import { describe, expect, it } from 'vitest';
import type { ItemSummary } from '../bindings/ItemSummary';
import { buildIndex, oneEdit, search } from './search';

function item(over: Partial<ItemSummary> & Pick<ItemSummary, 'name'>): ItemSummary {
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
    updated_at: 0,
    ...over,
  };
}

const VAULT = [
  item({ name: 'Stripe production', tags: ['payments'], url: 'https://api.stripe.com/v1', placement_name: 'Authorization-Key' }),
  item({ name: 'Twilio SMS', url: 'https://api.twilio.com', placement_name: 'x-api-key' }),
  item({ name: 'OpenWeather', url: 'https://api.openweathermap.org', placement_name: 'appid' }),
  item({ name: 'GitHub CI', kind: 'bearer', username: 'deploy-bot' }),
  item({ name: 'Grafana admin', kind: 'basic', username: 'admin', url: 'http://127.0.0.1:3000' }),
  item({ name: 'AWS MFA', kind: 'totp', issuer: 'Amazon' }),
  item({ name: 'Postgres replica', kind: 'basic', username: 'replicator' }),
];

describe('forgiving search', () => {
  const index = buildIndex(VAULT);
  const names = (q: string) => search(index, q).map((i) => i.name);

  it('finds Stripe through a typo, and while the typo is being typed', () => {
    expect(names('stirpe')).toEqual(['Stripe production']);
    expect(names('Strpie')).toEqual(['Stripe production']);
    expect(names('strpe')).toEqual(['Stripe production']);
    expect(names('stirp')).toEqual(['Stripe production']);
    expect(names('stirpe prodcution')).toEqual(['Stripe production']);
    expect(names('githbu')).toEqual(['GitHub CI']);
  });

  it('finds an item by the header or query parameter its key goes in', () => {
    expect(names('x-api-key')).toEqual(['Twilio SMS']);
    expect(names('X-API-Key')).toEqual(['Twilio SMS']);
    expect(names('appid')).toEqual(['OpenWeather']);
    expect(names('authorization-key')).toEqual(['Stripe production']);
  });

  it('finds an item by its URL host and the domain above it', () => {
    expect(names('stripe.com')).toEqual(['Stripe production']);
    expect(names('api.stripe.com')).toEqual(['Stripe production']);
    expect(names('twilio.com')).toEqual(['Twilio SMS']);
    expect(names('127.0.0.1')).toEqual(['Grafana admin']);
    expect(names('openweathermap.org')).toEqual(['OpenWeather']);
  });

  it('matches an abbreviation of 3+ letters from a word’s start', () => {
    expect(names('gthb')).toEqual(['GitHub CI']);
    expect(names('pstgrs')).toEqual(['Postgres replica']);
  });

  it('does not let short words match everything', () => {
    // "st" starts Stripe's words and is inside Postgres (substrings, ranked after); nothing
    // else, as 2 letters get no typo nor abbreviation.
    expect(names('st')).toEqual(['Stripe production', 'Postgres replica']);
    expect(names('sk')).toEqual([]);
    expect(names('zz')).toEqual([]);
    // Three letters: abbreviations only, never a typo ("gti" is not "git").
    expect(names('gti')).toEqual([]);
    // Four letters, two edits away: no match.
    expect(names('strupe')).toEqual(['Stripe production']);
    expect(names('stuupe')).toEqual([]);
    expect(names('qqqqqq')).toEqual([]);
    // Every word must match.
    expect(names('stirpe github')).toEqual([]);
    // A typo matches whole words only, not a word inside a longer one.
    const inner = buildIndex([item({ name: 'Mystripe admin' }), item({ name: 'Stripe' })]);
    expect(search(inner, 'stirpe').map((i) => i.name)).toEqual(['Stripe']);
  });

  it('ranks the exact name, then a prefix, a word start, a substring, a typo, an abbreviation', () => {
    const ranked = buildIndex([
      item({ name: 'Stirpe sandbox' }),
      item({ name: 'Mystripe admin' }),
      item({ name: 'Legacy stripe key' }),
      item({ name: 'Stripe production' }),
      item({ name: 'Stripe' }),
      item({ name: 'Strange ripe pear', tags: ['stxrxixpxe'] }),
    ]);
    expect(search(ranked, 'stripe').map((i) => i.name)).toEqual([
      'Stripe',
      'Stripe production',
      'Legacy stripe key',
      'Mystripe admin',
      'Stirpe sandbox',
      'Strange ripe pear',
    ]);
  });

  it('keeps the list’s order within one rank and applies the filter', () => {
    expect(names('api')).toEqual(['Stripe production', 'Twilio SMS', 'OpenWeather']);
    expect(search(index, 'admin', (i) => i.kind === 'basic').map((i) => i.name)).toEqual(['Grafana admin']);
    expect(names('')).toHaveLength(VAULT.length);
  });
});

describe('search helpers', () => {
  it('oneEdit accepts one change, insertion, deletion or swap, not two', () => {
    expect(oneEdit('stripe', 'stripe')).toBe(true);
    expect(oneEdit('stirpe', 'stripe')).toBe(true);
    expect(oneEdit('strpe', 'stripe')).toBe(true);
    expect(oneEdit('strripe', 'stripe')).toBe(true);
    expect(oneEdit('strope', 'stripe')).toBe(true);
    expect(oneEdit('tsripe', 'stripe')).toBe(true);
    expect(oneEdit('stirep', 'stripe')).toBe(false);
    expect(oneEdit('strp', 'stripe')).toBe(false);
  });
});

describe('search timing (printed, not asserted)', () => {
  it('10,000 items: median time per keystroke', () => {
    const SERVICES = ['Stripe', 'GitHub', 'AWS', 'Auth0', 'Twilio', 'SendGrid', 'Datadog', 'Sentry', 'Okta', 'Slack', 'Cloudflare', 'OpenAI'];
    const PROJECTS = ['billing', 'checkout', 'search', 'mobile', 'payroll', 'analytics', 'ci', 'infra'];
    const ENVS = ['prod', 'staging', 'dev', 'test'];
    let seed = 7;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)] as T;
    const items: ItemSummary[] = [];
    for (let i = 0; i < 10000; i++) {
      const svc = pick(SERVICES);
      const host = svc.toLowerCase();
      items.push(
        item({
          name: `${svc} ${pick(PROJECTS)} ${pick(ENVS)} ${String(i).padStart(6, '0')}`,
          tags: [pick(ENVS), pick(PROJECTS)],
          url: `https://api.${host}.com`,
          username: rnd() < 0.3 ? `user${String(i)}@example.com` : null,
          placement_name: rnd() < 0.5 ? 'X-API-Key' : 'api_key',
        }),
      );
    }
    const t0 = performance.now();
    const index = buildIndex(items);
    const buildMs = performance.now() - t0;
    const typed = (text: string) => Array.from({ length: text.length }, (_, i) => text.slice(0, i + 1));
    const keys = [...typed('stripe prod'), ...typed('git ci'), 'stirpe', 'x-api-key', 'stripe.com'];
    // One pass to warm the JIT (and make the typo vocabulary), then 5: each query's median.
    let found = 0;
    const runs: number[][] = keys.map(() => []);
    for (let pass = 0; pass < 6; pass++) {
      keys.forEach((q, i) => {
        const s = performance.now();
        found += search(index, q).length;
        if (pass > 0) runs[i]?.push(performance.now() - s);
      });
    }
    const mid = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
    const samples = runs.map(mid).sort((a, b) => a - b);
    const median = mid(samples);
    console.log(
      `search, 10,000 items: index built in ${buildMs.toFixed(1)} ms; per keystroke median ${median.toFixed(2)} ms, max ${(samples.at(-1) ?? NaN).toFixed(2)} ms (${String(keys.length)} queries)`,
    );
    expect(found).toBeGreaterThan(0);
  });
});
