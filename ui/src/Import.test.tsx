// The import of every format (opened from the top bar or the empty vault), against the
// fake backend (src/test/backend.ts): format options, rows offered unticked, the rows
// chosen are those committed, the summary, then the item list.
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { App } from './App';
import type { ImportRow } from './bindings/ImportRow';
import { fakeBackend, item } from './test/backend';

function row(r: Partial<ImportRow> & Pick<ImportRow, 'row' | 'status' | 'label'>): ImportRow {
  return {
    position: r.row + 1,
    kind: r.status === 'invalid' ? null : 'api_key',
    selected: r.status === 'new',
    name: null,
    issuer: null,
    account: null,
    url: null,
    tags: ['billing'],
    otp_type: null,
    digits: null,
    period: null,
    requests: 0,
    hint: null,
    reason: null,
    duplicate_of: null,
    ...r,
  };
}

const ENV_ROWS: ImportRow[] = [
  row({ row: 0, status: 'new', label: 'STRIPE_KEY (line 1)', name: 'STRIPE_KEY', hint: 'recognised: Stripe test secret key' }),
  row({ row: 1, status: 'new', label: 'SERVICE_TOKEN (line 2)', name: 'SERVICE_TOKEN', kind: 'bearer' }),
  row({
    row: 2,
    status: 'new',
    label: 'PORT (line 3)',
    name: 'PORT',
    selected: false,
    hint: 'a number: looks like a setting, not a secret',
  }),
  row({ row: 3, status: 'duplicate', label: 'OLD_KEY (line 4)', name: null, duplicate_of: 'Legacy key' }),
  row({ row: 4, status: 'invalid', label: 'BROKEN (line 5)', reason: 'has a double quote opened on line 5 that is never closed' }),
  row({
    row: 5,
    status: 'new',
    label: 'collection auth',
    name: 'Shop API Bearer',
    kind: 'bearer',
    url: 'https://api.shop.test',
    requests: 3,
  }),
];

describe('import of every format', () => {
  it('format and options → preview with ticks and hints → the chosen rows only → the items', async () => {
    const be = fakeBackend({ items: [item({ name: 'Legacy key' })], previewRows: ENV_ROWS });
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByRole('button', { name: 'Import' }));
    const dialog = await screen.findByRole('dialog', { name: 'Import' });

    await user.selectOptions(within(dialog).getByLabelText('Format'), '.env file');
    await user.type(within(dialog).getByLabelText('Project tag'), 'billing');
    await user.type(within(dialog).getByLabelText('Add tags'), 'work, imported');
    await user.type(within(dialog).getByLabelText(/^Or type the path/), '/srv/billing/.env');
    await user.click(within(dialog).getByRole('button', { name: 'Read' }));

    const counts = await within(dialog).findByTestId('import-counts');
    expect(counts.textContent).toBe('4 new · 1 duplicate · 1 invalid');
    expect(be.callsOf('import_preview')[0]?.args).toEqual({
      source: { kind: 'file', path: '/srv/billing/.env' },
      format: 'dotenv',
      password: null,
      options: { tags: ['work', 'imported'], project: 'billing', map: null },
    });
    expect(within(dialog).getByText('1 new entry left unticked.', { exact: false })).toBeTruthy();
    // Kinds, hints and details are shown; the setting is offered unticked.
    expect(within(dialog).getByText('a number: looks like a setting, not a secret')).toBeTruthy();
    expect(within(dialog).getByText('https://api.shop.test · 3 saved requests')).toBeTruthy();
    const port = within(dialog).getByRole<HTMLInputElement>('checkbox', { name: 'Import PORT' });
    expect(port.checked).toBe(false);
    expect(within(dialog).getByRole<HTMLInputElement>('checkbox', { name: 'Import STRIPE_KEY' }).checked).toBe(true);
    // Duplicates and invalid rows cannot be ticked.
    expect(within(dialog).queryByRole('checkbox', { name: /OLD_KEY|BROKEN/ })).toBeNull();

    // Untick the token, tick the setting: the button counts what will be imported.
    await user.click(within(dialog).getByRole('checkbox', { name: 'Import SERVICE_TOKEN' }));
    await user.click(port);
    expect(within(dialog).getByRole('button', { name: 'Import 3' })).toBeTruthy();
    // "All" ticks every new row, then none.
    const all = within(dialog).getByRole<HTMLInputElement>('checkbox', { name: 'Import every new entry' });
    await user.click(all);
    expect(within(dialog).getByRole('button', { name: 'Import 4' })).toBeTruthy();
    await user.click(all);
    expect(within(dialog).getByRole<HTMLButtonElement>('button', { name: 'Import 0' }).disabled).toBe(true);
    await user.click(within(dialog).getByRole('checkbox', { name: 'Import STRIPE_KEY' }));
    await user.click(within(dialog).getByRole('checkbox', { name: 'Import Shop API Bearer' }));
    await user.click(within(dialog).getByRole('button', { name: 'Import 2' }));

    expect(await within(dialog).findByText('Added 2 items')).toBeTruthy();
    expect(be.callsOf('import_commit').map((c) => c.args)).toEqual([{ id: 'preview-1', rows: [0, 5] }]);
    expect(within(dialog).getByText('Skipped 1 duplicate, 1 invalid entry and 2 left unticked.')).toBeTruthy();
    await user.click(within(dialog).getByRole('button', { name: 'Show items' }));
    expect(screen.queryByRole('dialog', { name: 'Import' })).toBeNull();
    // The list shows the new items, the first one open.
    const list = await screen.findByTestId('item-rows');
    expect(await within(list).findByText('Shop API Bearer')).toBeTruthy();
    expect(await screen.findByRole('heading', { name: 'STRIPE_KEY' })).toBeTruthy();
  });

  it('a CSV import asks for its columns; the 2FA formats stay in their group', async () => {
    fakeBackend({ items: [item({ name: 'A' })], previewRows: ENV_ROWS });
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByRole('button', { name: 'Import' }));
    const dialog = await screen.findByRole('dialog', { name: 'Import' });
    const select = within(dialog).getByLabelText<HTMLSelectElement>('Format');
    const groups = [...select.querySelectorAll('optgroup')].map((g) => g.label);
    expect(groups).toEqual(['Files', 'Password managers', 'API clients', '2FA apps']);
    expect(within(dialog).queryByLabelText('Columns')).toBeNull();
    await user.selectOptions(select, 'CSV with a column mapping');
    expect(within(dialog).getByLabelText('Columns')).toBeTruthy();
    expect(within(dialog).queryByLabelText('Project tag')).toBeNull();
  });
});
