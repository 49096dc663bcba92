// Tokens in the app: the inspector, Renew, the browser and device logins, and the expiry
// timeline, against the fake backend (src/test/backend.ts).
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { App } from './App';
import { DAY, fakeBackend, item, NOW, sampleItems } from './test/backend';
import { timeline } from './lib/timeline';

type User = ReturnType<typeof userEvent.setup>;

async function open(user: User, name: string) {
  render(<App />);
  const list = await screen.findByRole('listbox', { name: 'All items' });
  await user.click(within(list).getByText(name));
  return screen.findByTestId('token-panel');
}

const oauthItem = (over: Parameters<typeof item>[0], secrets: Parameters<typeof item>[1]) =>
  item(
    {
      kind: 'oauth2',
      oauth: { client_id: 'web', issuer: 'https://acme.auth0.com', token_url: null, auth: 'basic', scopes: ['read'], audience: null },
      ...over,
    },
    secrets,
  );

describe('token panel', () => {
  it('decodes the access token in Rust and counts down to its expiry', async () => {
    const items = sampleItems();
    const oauth = items.find((i) => i.detail.kind === 'oauth2');
    if (oauth) oauth.secrets.access_token = 'eyJ.a.b';
    if (oauth) oauth.detail.secrets.access_token = true;
    const b = fakeBackend({ items });
    const user = userEvent.setup();
    const panel = await open(user, 'Auth0 machine client');
    await user.click(within(panel).getByRole('button', { name: 'Inspect token' }));
    const insp = await within(panel).findByTestId('inspector');
    expect(within(insp).getByText('https://api.acme.example')).toBeTruthy();
    expect(within(insp).getByText('RS256')).toBeTruthy();
    expect(within(insp).getByTestId('token-countdown').textContent).toMatch(/^Expires in 1 h 2 min$/);
    expect(b.callsOf('token_inspect')[0]?.args).toEqual({ id: oauth?.detail.id, field: 'access_token' });
    // The window never asked for the token itself.
    expect(b.callsOf('item_reveal')).toHaveLength(0);
    expect(document.body.innerHTML).not.toContain('eyJ.a.b');
  });

  it('says when a bearer token is not a JWT', async () => {
    const items = sampleItems();
    const gh = items.find((i) => i.detail.name === 'GitHub deploy token');
    if (gh) gh.secrets.value = 'not-a-jwt';
    fakeBackend({ items });
    const user = userEvent.setup();
    const panel = await open(user, 'GitHub deploy token');
    await user.click(within(panel).getByRole('button', { name: 'Inspect token' }));
    expect((await within(panel).findByRole('note')).textContent).toMatch(/^Not a JWT: a JWT has 3 segments/);
  });

  it('renews and shows the outcome; a refused secret is said in a banner', async () => {
    const ok = oauthItem({ name: 'Billing API' }, { value: 'secret' });
    const bad = oauthItem({ name: 'Broken client' }, { value: 'wrong' });
    const b = fakeBackend({ items: [ok, bad] });
    const user = userEvent.setup();
    let panel = await open(user, 'Billing API');
    await user.click(within(panel).getByRole('button', { name: 'Renew' }));
    expect((await within(panel).findByRole('status')).textContent).toMatch(/^Renewed with the client credentials · the access token expires in 1 hour/);
    expect(b.callsOf('oauth_renew')).toHaveLength(1);
    await user.click(within(screen.getByRole('listbox', { name: 'All items' })).getByText('Broken client'));
    panel = await screen.findByTestId('token-panel');
    await user.click(within(panel).getByRole('button', { name: 'Renew' }));
    expect((await within(panel).findByRole('alert')).textContent).toContain('invalid_client');
  });

  it('offers Log in for a login client and after a refused refresh token', async () => {
    const web = oauthItem({ name: 'Web app', oauth: { client_id: 'web', issuer: 'https://i.example', token_url: null, auth: 'basic', grant: 'authorization_code' } }, { value: 's' });
    const refused = oauthItem({ name: 'Refused', status: 'reauth_required' }, { value: 's', refresh_token: 'rt' });
    const b = fakeBackend({ items: [web, refused] });
    const user = userEvent.setup();
    let panel = await open(user, 'Web app');
    expect(within(panel).getByText('This client needs a person to log in before it has a token.')).toBeTruthy();
    expect(within(panel).queryByRole('button', { name: 'Renew' })).toBeNull();
    await user.click(within(panel).getByRole('button', { name: 'Log in' }));
    expect((await within(panel).findByRole('status')).textContent).toMatch(/^Logged in/);
    expect(b.callsOf('oauth_login')[0]?.args).toEqual({ id: web.detail.id, method: 'browser' });

    await user.click(within(screen.getByRole('listbox', { name: 'All items' })).getByText('Refused'));
    panel = await screen.findByTestId('token-panel');
    await user.click(within(panel).getByRole('button', { name: 'Renew' }));
    const alert = await within(panel).findByRole('alert');
    expect(alert.textContent).toContain('log in again');
    await user.click(within(alert).getByRole('button', { name: 'Log in again' }));
    await waitFor(() => {
      expect(b.callsOf('oauth_login')).toHaveLength(2);
    });
  });

  it('shows the device code while the device login waits', async () => {
    const tv = oauthItem({ name: 'TV app', oauth: { client_id: 'tv', issuer: 'https://i.example', token_url: null, auth: 'post', grant: 'device_code' } }, { value: 's' });
    fakeBackend({ items: [tv] });
    const user = userEvent.setup();
    const panel = await open(user, 'TV app');
    await user.click(within(panel).getByRole('button', { name: 'Log in with a code' }));
    expect((await screen.findByTestId('device-code')).textContent).toBe('WDJB-MJHT');
    expect(screen.getByText('https://acme.auth0.com/activate')).toBeTruthy();
    await waitFor(() => {
      expect(screen.queryByTestId('device-code')).toBeNull();
    });
    expect((await within(panel).findByRole('status')).textContent).toMatch(/^Logged in/);
  });
});

describe('expiry timeline', () => {
  it('groups what Rust computed, soonest first', () => {
    const items = sampleItems().map((i) => i.detail);
    const t = timeline(items, NOW);
    expect(t.now.map((d) => [d.item.name, d.reason])).toEqual([
      ['Auth0 machine client', 'expired'],
      ['AWS root MFA', 'rotation due'],
    ]);
    expect(t.week.map((d) => d.item.name)).toEqual(['GitHub deploy token']);
    expect(t.later.map((d) => d.reason)).toEqual(['rotation due', 'rotation due', 'rotation due']);
  });

  it('is a view of its own; a row opens the item', async () => {
    fakeBackend({ items: [...sampleItems(), item({ name: 'Sentry', kind: 'bearer', status: 'ok', expires_at: NOW + 40 * DAY, rotation_due_at: null })] });
    const user = userEvent.setup();
    render(<App />);
    await screen.findByRole('listbox', { name: 'All items' });
    await user.click(screen.getByRole('button', { name: /^Timeline/ }));
    const tl = await screen.findByTestId('timeline');
    const now = within(tl).getByText('Needs attention now').closest('.timeline-group') as HTMLElement;
    expect([...now.querySelectorAll('.timeline-row')].map((b) => b.textContent)).toEqual([
      expect.stringMatching(/^Auth0 machine client.*expired 2 days ago$/),
      expect.stringMatching(/^AWS root MFA/),
    ]);
    await user.click(within(now).getByText('Auth0 machine client'));
    expect((await screen.findByTestId('detail')).textContent).toContain('Auth0 machine client');
  });
});
