// The JWT debugger view against the fake backend: the pasted token stays in the paste box,
// decoding follows the input, the checks are listed by name, errors are said in place.
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { JwtCheck } from './bindings/JwtCheck';
import type { JwtReport } from './bindings/JwtReport';
import type { JwtVerify } from './bindings/JwtVerify';
import { JwtView } from './components/JwtView';
import { backendError, fakeBackend, NOW } from './test/backend';

const TOKEN = 'eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJpc3MiOiJodHRwczovL2lkLmV4YW1wbGUifQ.c2lnbmF0dXJlLXNlY3JldA';
const HS_TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJzdmMifQ.aHMtc2lnbmF0dXJl';

function checks(over: Partial<Record<string, Partial<JwtCheck>>> = {}): JwtCheck[] {
  const base: [string, string, JwtCheck['result'], string][] = [
    ['alg', 'Algorithm (alg)', 'pass', 'RS256 is a signature algorithm Keywright accepts; "none" is always refused.'],
    ['signature', 'Signature', 'skipped', 'Not checked: choose a key below to verify who signed the token.'],
    ['exp', 'Expiry (exp)', 'pass', 'Valid until 2030-01-01T00:00:00Z (in 1 h).'],
    ['nbf', 'Not before (nbf)', 'skipped', 'The token has no "nbf" claim.'],
    ['iat', 'Issued at (iat)', 'pass', 'Issued 5 min ago.'],
    ['iss', 'Issuer (iss)', 'skipped', 'Not checked: issued by https://id.example; enter the expected issuer to check it.'],
    ['aud', 'Audience (aud)', 'skipped', 'The token has no "aud" claim.'],
  ];
  return base.map(([name, label, result, message]) => ({ name, label, result, message, ...over[name] }));
}

function report(alg: string, over: Partial<JwtReport> = {}): JwtReport {
  const header = { alg, typ: 'JWT', kid: 'k1' };
  const claims = { iss: 'https://id.example', sub: 'svc-42', exp: NOW + 7200, iat: NOW - 300 };
  return {
    header,
    claims,
    header_json: JSON.stringify(header, null, 2),
    claims_json: JSON.stringify(claims, null, 2),
    alg,
    expires_at: NOW + 7200,
    not_before: null,
    issued_at: NOW - 300,
    now: NOW,
    verified: null,
    key_source: null,
    checks: checks(),
    ...over,
  };
}

/** A fake `jwt_inspect`: the RS token decodes, the HS one too, anything else is unreadable. */
function backend() {
  return fakeBackend({
    on: {
      jwt_inspect: (a) => {
        const token = String(a.token).replace(/^Bearer\s+/, '').trim();
        const verify = a.verify as JwtVerify | null;
        if (token !== TOKEN && token !== HS_TOKEN) {
          backendError('malformed_token', 'This is not a readable JWT: a JWT has 3 segments separated by \'.\', this has 1.');
        }
        const alg = token === TOKEN ? 'RS256' : 'HS256';
        if (verify === null) return report(alg);
        if (verify.key.kind === 'jwks_url' && !verify.key.url.startsWith('https://')) {
          backendError(
            'invalid_input',
            `The JWKS URL must use https: "${verify.key.url}" is http, which is allowed only on this computer (localhost, 127.0.0.1).`,
            'jwks_url',
          );
        }
        if (verify.key.kind === 'hs_secret' && verify.key.secret !== 'right secret') {
          return report(alg, {
            verified: false,
            key_source: 'the shared secret',
            checks: checks({ signature: { result: 'fail', message: 'The signature does not match the key (wrong key, or the token was changed).' } }),
          });
        }
        return report(alg, {
          verified: true,
          key_source: verify.key.kind === 'issuer' ? "the issuer's JWKS at https://id.example/jwks (2 keys)" : 'the shared secret',
          checks: checks({ signature: { result: 'pass', message: `${alg} signature verified.` } }),
        });
      },
      jwt_inspect_item: () => report('RS256'),
      jwt_copy: () => ({ clear_after_s: 30 }),
    },
  });
}

type User = ReturnType<typeof userEvent.setup>;

async function paste(user: User, text: string) {
  const box = screen.getByTestId('jwt-token');
  await user.click(box);
  await user.paste(text);
  return box;
}

/** Text of the page outside the paste box (values of inputs included). */
function pageWithoutPasteBox(): string {
  const clone = document.body.cloneNode(true) as HTMLElement;
  clone.querySelector('[data-testid="jwt-token"]')?.remove();
  const values = [...clone.querySelectorAll('input, textarea')].map((e) => (e as HTMLInputElement).value);
  return clone.innerHTML + values.join('\n');
}

describe('JWT debugger', () => {
  it('decodes a pasted token in Rust; the token is nowhere but the paste box', async () => {
    const be = backend();
    const user = userEvent.setup();
    render(<JwtView />);
    await paste(user, `Bearer ${TOKEN}`);
    const claims = await screen.findByTestId('jwt-claims');
    expect(within(claims).getByText('svc-42')).toBeTruthy();
    expect(within(screen.getByTestId('jwt-header')).getByText('RS256')).toBeTruthy();
    // Times in words next to the number.
    const exp = within(claims).getByText(String(NOW + 7200)).parentElement;
    expect(exp?.textContent).toMatch(/· in 2 hours$/);
    expect(be.callsOf('jwt_inspect').at(-1)?.args).toEqual({ token: `Bearer ${TOKEN}`, verify: null });
    expect(pageWithoutPasteBox()).not.toContain(TOKEN);
    expect(pageWithoutPasteBox()).not.toContain('c2lnbmF0dXJlLXNlY3JldA');
    // An RS token with an https issuer: the issuer's keys are offered, filled in.
    expect(screen.getByRole<HTMLInputElement>('radio', { name: 'Issuer' }).checked).toBe(true);
    expect(screen.getByLabelText<HTMLInputElement>('Issuer', { selector: 'input[type=url]' }).value).toBe('https://id.example');
  });

  it('lists every check by name, verifies with the issuer, and says the verdict', async () => {
    const be = backend();
    const user = userEvent.setup();
    render(<JwtView />);
    await paste(user, TOKEN);
    const list = await screen.findByTestId('jwt-checks');
    const names = [...list.querySelectorAll('li')].map((li) => li.getAttribute('data-check'));
    expect(names).toEqual(['alg', 'signature', 'exp', 'nbf', 'iat', 'iss', 'aud']);
    const sig = () => list.querySelector('[data-check="signature"]');
    expect(sig()?.textContent).toContain('not checked');
    expect(screen.getByTestId('jwt-verdict').textContent).toMatch(/^Decoded; the signature is not checked yet/);

    await user.type(screen.getByLabelText(/Expected audience/), 'api');
    await user.click(screen.getByRole('button', { name: 'Verify' }));
    await waitFor(() => {
      expect(screen.getByTestId('jwt-verdict').textContent).toBe(
        "Signature verified with the issuer's JWKS at https://id.example/jwks (2 keys); every check passed.",
      );
    });
    const checksNow = screen.getByTestId('jwt-checks');
    expect(checksNow.querySelector('[data-check="signature"]')?.className).toContain('jwt-check-pass');
    expect(checksNow.querySelector('[data-check="signature"]')?.textContent).toContain('RS256 signature verified.');
    expect(be.callsOf('jwt_inspect').at(-1)?.args.verify).toEqual({
      key: { kind: 'issuer', issuer: 'https://id.example' },
      issuer: null,
      audience: 'api',
    });
  });

  it('a wrong HS secret fails the signature check; the secret is not echoed', async () => {
    backend();
    const user = userEvent.setup();
    render(<JwtView />);
    await paste(user, HS_TOKEN);
    await screen.findByTestId('jwt-checks');
    expect(screen.getByRole<HTMLInputElement>('radio', { name: 'Shared secret' }).checked).toBe(true);
    await user.type(screen.getByLabelText('Shared secret (HS256, HS384, HS512)'), 'wrong secret');
    await user.click(screen.getByRole('button', { name: 'Verify' }));
    await waitFor(() => {
      expect(screen.getByTestId('jwt-verdict').textContent).toBe('Not valid: Signature failed.');
    });
    const sig = screen.getByTestId('jwt-checks').querySelector('[data-check="signature"]');
    expect(sig?.className).toContain('jwt-check-fail');
    expect(sig?.textContent).toContain('The signature does not match the key');
    expect(screen.getByTestId('jwt-view').textContent).not.toContain('wrong secret');
  });

  it('says an unreadable token and a refused JWKS URL in place, and re-checks on input', async () => {
    backend();
    const user = userEvent.setup();
    render(<JwtView />);
    const box = await paste(user, 'not-a-token');
    expect((await screen.findByRole('alert')).textContent).toBe(
      "This is not a readable JWT: a JWT has 3 segments separated by '.', this has 1.",
    );
    expect(box.getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Verify' }).disabled).toBe(true);

    await user.clear(box);
    expect(screen.queryByRole('alert')).toBeNull();
    await user.paste(TOKEN);
    await screen.findByTestId('jwt-checks');
    expect(screen.queryByRole('alert')).toBeNull();

    await user.click(screen.getByRole('radio', { name: 'JWKS URL' }));
    await user.type(screen.getByLabelText('JWKS URL', { selector: 'input[type=url]' }), 'http://keys.example/jwks');
    await user.click(screen.getByRole('button', { name: 'Verify' }));
    const err = await screen.findByRole('alert');
    expect(err.textContent).toBe(
      'The JWKS URL must use https: "http://keys.example/jwks" is http, which is allowed only on this computer (localhost, 127.0.0.1).',
    );
    expect(screen.getByLabelText('JWKS URL', { selector: 'input[type=url]' }).getAttribute('aria-invalid')).toBe('true');
    await user.type(screen.getByLabelText('JWKS URL', { selector: 'input[type=url]' }), 'x');
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('shows and copies the raw JSON through Rust', async () => {
    const be = backend();
    const user = userEvent.setup();
    render(<JwtView />);
    await paste(user, TOKEN);
    await screen.findByTestId('jwt-checks');
    await user.click(screen.getByRole('tab', { name: 'Claims JSON' }));
    const pre = screen.getByTestId('jwt-claims-json');
    expect(JSON.parse(pre.textContent)).toMatchObject({ sub: 'svc-42' });
    await user.click(screen.getByRole('button', { name: 'Copy claims JSON' }));
    expect((await screen.findByRole('status')).textContent).toBe('Claims copied · the clipboard clears in 30 s.');
    expect(be.callsOf('jwt_copy')[0]?.args.text).toBe(pre.textContent);
  });

  it("opens on an item's token without the token coming to the window", async () => {
    const be = backend();
    render(<JwtView item={{ id: 'id-3', name: 'Deploy token', field: 'value' }} />);
    expect(await screen.findByTestId('jwt-claims')).toBeTruthy();
    expect(screen.getByTestId('jwt-item-source').textContent).toContain('Deploy token');
    expect(screen.queryByTestId('jwt-token')).toBeNull();
    expect(be.callsOf('jwt_inspect_item')[0]?.args).toEqual({ id: 'id-3', field: 'value', verify: null });
    expect(be.callsOf('item_reveal')).toHaveLength(0);
  });

  it('forgets the pasted token when it goes away', async () => {
    backend();
    const user = userEvent.setup();
    const { unmount } = render(<JwtView />);
    await paste(user, TOKEN);
    await screen.findByTestId('jwt-checks');
    unmount();
    render(<JwtView />);
    expect(screen.getByTestId<HTMLTextAreaElement>('jwt-token').value).toBe('');
    expect(document.body.innerHTML).not.toContain(TOKEN);
  });
});

describe('token panel → JWT debugger', () => {
  it('offers "Verify in JWT debugger" with the item and field, only when asked for', async () => {
    const { TokenPanel } = await import('./components/TokenPanel');
    const { item } = await import('./test/backend');
    backend();
    const user = userEvent.setup();
    const it = item({ name: 'Deploy token', kind: 'bearer' }, { value: 'eyJ.a.b' });
    const opened: [string, string][] = [];
    const { rerender } = render(<TokenPanel detail={it.detail} onChanged={() => undefined} />);
    expect(screen.queryByTestId('open-jwt')).toBeNull();
    rerender(
      <TokenPanel
        detail={it.detail}
        onChanged={() => undefined}
        onOpenJwt={(id, field) => {
          opened.push([id, field]);
        }}
      />,
    );
    await user.click(screen.getByRole('button', { name: 'Verify in JWT debugger' }));
    expect(opened).toEqual([[it.detail.id, 'value']]);
  });
});
