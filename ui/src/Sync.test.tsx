// Sync in the app: the status bar's sync segment, the Conflicts view (sidebar entry, Keep
// this one) and Settings → Sync (start syncing, the devices, Remove, Sync now), against the
// fake backend (src/test/backend.ts: sync off by default, sampleSync() and sampleConflicts()).
import { act, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { emit } from '@tauri-apps/api/event';
import { describe, expect, it, vi } from 'vitest';
import { App } from './App';
import { ConflictsView } from './components/ConflictsView';
import { shellWord, shortId } from './components/SyncSection';
import { shortError } from './components/SyncStatus';
import {
  backendError,
  fakeBackend,
  HOST_NAME,
  sampleConflicts,
  sampleSync,
  SERVER_DEVICE,
  SYNC_DIR,
  THIS_DEVICE,
  WORK_DEVICE,
} from './test/backend';

type User = ReturnType<typeof userEvent.setup>;

async function openMain() {
  render(<App />);
  return screen.findByRole('listbox', { name: 'All items' });
}

function views() {
  return screen.getByRole('navigation', { name: 'Views' });
}

function conflictsNav(): HTMLElement | null {
  return within(views()).queryByRole('button', { name: /^Conflicts/ });
}

function statusBar(): HTMLElement {
  const bar = document.querySelector<HTMLElement>('footer.statusbar');
  if (!bar) throw new Error('no status bar');
  return bar;
}

function conflictNames(): string[] {
  return screen.queryAllByTestId('conflict').map((c) => within(c).getByRole('heading', { level: 3 }).textContent);
}

async function openSync(user: User) {
  await openMain();
  await user.click(screen.getByRole('button', { name: 'Settings' }));
  const dialog = await screen.findByRole('dialog', { name: 'Settings' });
  return within(dialog).findByTestId('sync');
}

describe('the status bar', () => {
  it('shows nothing of sync while it is off, and reads no state on a timer', async () => {
    const setIntervalSpy = vi.spyOn(window, 'setInterval');
    const be = fakeBackend();
    await openMain();
    await waitFor(() => {
      expect(be.callsOf('sync_state')).toHaveLength(1);
    });
    // The answer (off) has been shown: the item count is there, the sync segment is not.
    await act(async () => {
      await Promise.resolve();
    });
    expect(statusBar().textContent).toContain('6 items · 3 need attention');
    expect(screen.queryByTestId('sync-status')).toBeNull();
    expect(conflictsNav()).toBeNull();
    expect(setIntervalSpy.mock.calls.some((c) => c[1] === 15_000)).toBe(false);
  });

  it('says when the vault last synced and with how many devices (removed ones not counted)', async () => {
    fakeBackend({ sync: sampleSync() });
    await openMain();
    const seg = await screen.findByTestId('sync-status');
    expect(seg.textContent).toBe('Synced 2 minutes ago · 3 devices');
    expect(seg.querySelector('.sync-text')?.getAttribute('title')).toContain(`through ${SYNC_DIR}`);
    // Next to the item count, on the right.
    expect(seg.parentElement?.textContent).toContain('6 items');
    expect(screen.queryByRole('button', { name: /conflict/ })).toBeNull();
  });

  it('does not count a removed device', async () => {
    const base = sampleSync();
    fakeBackend({
      sync: { ...base, devices: (base.devices ?? []).map((d) => (d.id === SERVER_DEVICE ? { ...d, removed: true } : d)) },
    });
    await openMain();
    expect((await screen.findByTestId('sync-status')).textContent).toBe('Synced 2 minutes ago · 2 devices');
  });

  it('warns when the last pass failed, the whole error in the title', async () => {
    const error = `Cannot read ${SYNC_DIR}: No such file or directory (os error 2)\nthe folder is gone: is the disk mounted?`;
    fakeBackend({ sync: sampleSync({ error }) });
    await openMain();
    const warn = await screen.findByTestId('sync-error');
    expect(warn.textContent).toBe(`⚠ Sync: Cannot read ${SYNC_DIR}: No such file or directory (os error 2)`);
    expect(warn.getAttribute('title')).toBe(error);
    expect(screen.getByTestId('sync-status').textContent).not.toContain('Synced');
  });

  it('offers the conflicts as a button that opens the Conflicts view', async () => {
    fakeBackend({ sync: sampleSync(), conflicts: sampleConflicts() });
    const user = userEvent.setup();
    await openMain();
    const button = await within(statusBar()).findByRole('button', { name: '2 conflicts' });
    // The sidebar offers the view too, with its count.
    await waitFor(() => {
      expect(conflictsNav()?.textContent).toBe('Conflicts2');
    });
    await user.click(button);
    const view = await screen.findByTestId('conflicts');
    expect(within(view).getByRole('heading', { level: 2, name: 'Conflicts' })).toBeTruthy();
    await waitFor(() => {
      expect(conflictNames()).toEqual(['Stripe production', 'Grafana admin']);
    });
    expect(conflictsNav()?.getAttribute('aria-current')).toBe('page');
  });

  it('reads the state again on items-changed: a conflict a background pass brought shows at once', async () => {
    const be = fakeBackend({ sync: sampleSync() });
    await openMain();
    await screen.findByTestId('sync-status');
    expect(conflictsNav()).toBeNull();
    const [one] = sampleConflicts();
    if (!one) throw new Error('no sample conflict');
    be.addConflict(one);
    await act(async () => {
      await emit('items-changed', []);
    });
    expect(await within(statusBar()).findByRole('button', { name: '1 conflict' })).toBeTruthy();
    await waitFor(() => {
      expect(conflictsNav()?.textContent).toBe('Conflicts1');
    });
  });

  it('reads the state again every 15 s while sync is on, and stops when the window goes', async () => {
    const setIntervalSpy = vi.spyOn(window, 'setInterval');
    const clearIntervalSpy = vi.spyOn(window, 'clearInterval');
    const be = fakeBackend({ sync: sampleSync() });
    const { unmount } = render(<App />);
    await screen.findByTestId('sync-status');
    const at = setIntervalSpy.mock.calls.findIndex((c) => c[1] === 15_000);
    expect(at).toBeGreaterThanOrEqual(0);
    const tick = setIntervalSpy.mock.calls[at]?.[0] as () => void;
    const timer = setIntervalSpy.mock.results[at]?.value as number;
    const before = be.callsOf('sync_state').length;
    be.setSyncError('Cannot write /home/dev/Sync/keywright: Read-only file system (os error 30)');
    act(() => {
      tick();
    });
    expect((await screen.findByTestId('sync-error')).textContent).toContain('Read-only file system');
    expect(be.callsOf('sync_state')).toHaveLength(before + 1);
    unmount();
    expect(clearIntervalSpy).toHaveBeenCalledWith(timer);
  });

  it('cuts a long error to one short line', () => {
    expect(shortError('first line\nsecond line')).toBe('first line');
    const long = 'x'.repeat(200);
    expect(shortError(long)).toHaveLength(80);
    expect(shortError(long).endsWith('…')).toBe(true);
  });
});

describe('the Conflicts view', () => {
  it('lists each version: device, when, in force, deletes, what differs', async () => {
    fakeBackend({ sync: sampleSync(), conflicts: sampleConflicts() });
    const user = userEvent.setup();
    await openMain();
    await user.click(await screen.findByRole('button', { name: /^Conflicts/ }));
    await waitFor(() => {
      expect(conflictNames()).toEqual(['Stripe production', 'Grafana admin']);
    });
    const [stripe, grafana] = screen.getAllByTestId('conflict');
    if (!stripe || !grafana) throw new Error('two conflicts expected');
    const stripeVersions = within(stripe).getAllByTestId('conflict-version');
    expect(stripeVersions).toHaveLength(2);
    // The version in force first.
    const [here, work] = stripeVersions;
    expect(here?.textContent).toContain(HOST_NAME);
    expect(within(here as HTMLElement).getByText('In force')).toBeTruthy();
    expect(here?.textContent).toContain('1 hour ago');
    expect(work?.textContent).toContain('work-desktop');
    expect(work?.textContent).toContain('50 minutes ago');
    expect(within(work as HTMLElement).queryByText('In force')).toBeNull();
    expect(within(work as HTMLElement).getByText('differs in:')).toBeTruthy();
    expect([...(work?.querySelectorAll('.chip-field') ?? [])].map((c) => c.textContent)).toEqual(['secret', 'notes']);
    // The absolute time is there too.
    expect(work?.textContent).toMatch(/\d{4}.*· 50 minutes ago/);

    const [kept, deleting] = within(grafana).getAllByTestId('conflict-version');
    expect(kept?.textContent).toContain('work-desktop');
    expect(deleting?.textContent).toContain('home-server');
    expect(within(deleting as HTMLElement).getByText('Deletes the item')).toBeTruthy();
    // "deleted" is said once, as the badge, not as a differing field.
    expect(deleting?.querySelectorAll('.chip-field')).toHaveLength(0);

    // Every version can be kept, the one in force too; each button names the item and device.
    expect(screen.queryAllByRole('button', { name: 'Keep this one' })).toHaveLength(0);
    for (const name of [
      'Keep the version of “Stripe production” from dev-laptop',
      'Keep the version of “Stripe production” from work-desktop',
      'Keep the version of “Grafana admin” from work-desktop',
      'Keep the version of “Grafana admin” from home-server',
    ]) {
      expect(screen.getByRole('button', { name }).textContent).toBe('Keep this one');
    }
  });

  it('Keep this one keeps that version: the conflict goes, the count and the list follow', async () => {
    const be = fakeBackend({ sync: sampleSync(), conflicts: sampleConflicts() });
    const user = userEvent.setup();
    await openMain();
    await user.click(await within(statusBar()).findByRole('button', { name: '2 conflicts' }));
    const keep = await screen.findByRole('button', { name: 'Keep the version of “Stripe production” from work-desktop' });
    const listsBefore = be.callsOf('items_list').length;
    await user.click(keep);
    expect(await screen.findByText('Kept the version from work-desktop for “Stripe production”.')).toBeTruthy();
    expect(be.callsOf('conflict_keep').map((c) => c.args)).toEqual([{ item_id: 'id-1', version_id: 'v-1-work' }]);
    expect(conflictNames()).toEqual(['Grafana admin']);
    await waitFor(() => {
      expect(conflictsNav()?.textContent).toBe('Conflicts1');
    });
    expect(await within(statusBar()).findByRole('button', { name: '1 conflict' })).toBeTruthy();
    await waitFor(() => {
      expect(be.callsOf('items_list').length).toBeGreaterThan(listsBefore);
    });
    // The focus is not lost with the card: it is on the view's heading.
    expect(document.activeElement).toBe(screen.getByRole('heading', { level: 2, name: 'Conflicts' }));
  });

  it('keeping the version that deletes moves the item to the Trash; then the view is empty', async () => {
    const be = fakeBackend({ sync: sampleSync(), conflicts: sampleConflicts() });
    const user = userEvent.setup();
    await openMain();
    await user.click(await screen.findByRole('button', { name: /^Conflicts/ }));
    await user.click(await screen.findByRole('button', { name: 'Keep the version of “Grafana admin” from home-server' }));
    expect(await screen.findByText(/^Kept the version from home-server: “Grafana admin” is deleted/)).toBeTruthy();
    expect(be.items.has('id-5')).toBe(false);
    await waitFor(() => {
      expect(within(views()).getByRole('button', { name: /^Trash/ }).textContent).toBe('Trash1');
    });
    // The version in force can be kept too: that resolves the conflict in its favour.
    await user.click(screen.getByRole('button', { name: 'Keep the version of “Stripe production” from dev-laptop' }));
    expect(await screen.findByText('No conflicts')).toBeTruthy();
    expect(
      screen.getByText('When two devices change the same item before syncing, both versions are kept here until you choose.'),
    ).toBeTruthy();
    expect(be.callsOf('conflict_keep').at(-1)?.args).toEqual({ item_id: 'id-1', version_id: 'v-1-here' });
    expect(be.items.get('id-1')?.detail.name).toBe('Stripe production');
    await waitFor(() => {
      expect(screen.queryByRole('button', { name: /conflict/ })).toBeNull();
    });
    // The entry stays while the view is shown, with 0; it goes once the user leaves.
    expect(conflictsNav()?.textContent).toBe('Conflicts0');
    await user.click(within(views()).getByRole('button', { name: /^All items/ }));
    await waitFor(() => {
      expect(conflictsNav()).toBeNull();
    });
  });

  it('works from the keyboard: Tab to a Keep button, Enter keeps it', async () => {
    const be = fakeBackend({ conflicts: sampleConflicts() });
    const user = userEvent.setup();
    render(<ConflictsView />);
    await screen.findAllByTestId('conflict');
    const first = screen.getByRole('button', { name: 'Keep the version of “Stripe production” from dev-laptop' });
    first.focus();
    await user.tab();
    expect(document.activeElement).toBe(
      screen.getByRole('button', { name: 'Keep the version of “Stripe production” from work-desktop' }),
    );
    await user.keyboard('{Enter}');
    await waitFor(() => {
      expect(be.callsOf('conflict_keep').map((c) => c.args)).toEqual([{ item_id: 'id-1', version_id: 'v-1-work' }]);
    });
    await waitFor(() => {
      expect(conflictNames()).toEqual(['Grafana admin']);
    });
  });

  it('shows a refusal and keeps the list as it was', async () => {
    fakeBackend({
      conflicts: sampleConflicts(),
      on: { conflict_keep: () => backendError('not_found', 'this item has no conflict (any more)') },
    });
    const user = userEvent.setup();
    const onKept = vi.fn();
    render(<ConflictsView onKept={onKept} />);
    await user.click(await screen.findByRole('button', { name: 'Keep the version of “Grafana admin” from work-desktop' }));
    expect((await screen.findByRole('alert')).textContent).toBe('this item has no conflict (any more)');
    expect(conflictNames()).toEqual(['Stripe production', 'Grafana admin']);
    expect(onKept).not.toHaveBeenCalled();
  });

  it('names the time too when one device has two versions of the item', async () => {
    const [c] = sampleConflicts();
    if (!c) throw new Error('no sample conflict');
    const twice = { ...c, versions: c.versions.map((v) => ({ ...v, device_id: WORK_DEVICE, device_name: 'work-desktop' })) };
    fakeBackend({ conflicts: [twice] });
    render(<ConflictsView />);
    const buttons = await screen.findAllByRole('button', { name: /^Keep the version of “Stripe production” from work-desktop \(.+\)$/ });
    expect(buttons).toHaveLength(2);
    expect(buttons[0]?.getAttribute('aria-label')).not.toBe(buttons[1]?.getAttribute('aria-label'));
  });
});

describe('Settings → Sync', () => {
  it('starts syncing: a relative folder is refused at the field, a full path turns sync on', async () => {
    const be = fakeBackend();
    const user = userEvent.setup();
    const section = within(await openSync(user));
    expect(section.getByText(/nothing leaves this computer in clear/)).toBeTruthy();
    expect(section.getByText(/writes only its own subfolder/)).toBeTruthy();
    const folder = section.getByLabelText('Folder');
    const start = section.getByRole('button', { name: 'Start syncing' });

    // Nothing typed: said at once, nothing sent.
    await user.click(start);
    expect(section.getByRole('alert').textContent).toBe('Enter the full path of the folder your sync tool shares.');
    expect(be.callsOf('sync_setup')).toHaveLength(0);

    await user.type(folder, 'Sync/keywright');
    await user.click(start);
    const msg = await section.findByText(
      '“Sync/keywright” is not a full path. Give the whole path of the folder your sync tool shares, starting with /.',
    );
    expect(msg.getAttribute('role')).toBe('alert');
    expect(msg.id).toBe(folder.getAttribute('aria-describedby'));
    expect(folder.getAttribute('aria-invalid')).toBe('true');
    expect(be.callsOf('sync_setup').map((c) => c.args)).toEqual([{ dir: 'Sync/keywright', name: null }]);
    // Typing again clears it.
    await user.type(folder, 'x');
    expect(folder.getAttribute('aria-invalid')).toBe('false');

    await user.clear(folder);
    await user.type(folder, '/unwritable/sync');
    await user.keyboard('{Enter}');
    expect(await section.findByText('Cannot create directory /unwritable/sync: Permission denied (os error 13)')).toBeTruthy();
    expect(folder.getAttribute('aria-invalid')).toBe('true');

    await user.clear(folder);
    await user.type(folder, SYNC_DIR);
    await user.type(section.getByLabelText(/^This device’s name/), 'travel laptop');
    await user.click(start);
    expect(await section.findByText(`This vault now syncs through ${SYNC_DIR}.`)).toBeTruthy();
    expect(be.callsOf('sync_setup').at(-1)?.args).toEqual({ dir: SYNC_DIR, name: 'travel laptop' });
    expect(section.getByTestId('sync-dir').textContent).toBe(SYNC_DIR);
    expect(section.getByTestId('sync-this-device').textContent).toBe(`travel laptop ${shortId(THIS_DEVICE)}`);
    expect(section.getByTestId('sync-last').textContent).toBe('just now');
    expect(section.getByTestId('sync-pending').textContent).toBe('Nothing waiting');
    const devices = section.getAllByTestId('sync-device');
    expect(devices).toHaveLength(1);
    expect(devices[0]?.textContent).toContain('this device');
    expect(section.queryByRole('button', { name: /^Remove/ })).toBeNull();
    expect(section.getByTestId('sync-join').textContent).toBe(`On another device: keywright sync join ${SYNC_DIR}`);
    // The status bar follows at once.
    expect(screen.getByTestId('sync-status').textContent).toBe('Synced just now · 1 device');
  });

  it('without a name, the device is named by the backend (the host name)', async () => {
    const be = fakeBackend();
    const user = userEvent.setup();
    const section = within(await openSync(user));
    await user.type(section.getByLabelText('Folder'), `  ${SYNC_DIR}  `);
    await user.click(section.getByRole('button', { name: 'Start syncing' }));
    await section.findByTestId('sync-dir');
    expect(be.callsOf('sync_setup')[0]?.args).toEqual({ dir: SYNC_DIR, name: null });
    expect(section.getByTestId('sync-this-device').textContent).toBe(`${HOST_NAME} ${shortId(THIS_DEVICE)}`);
  });

  it('shows this device, the last pass, what is pending and every device', async () => {
    fakeBackend({ sync: sampleSync({ pending: 3 }) });
    const user = userEvent.setup();
    const section = within(await openSync(user));
    expect(section.getByTestId('sync-this-device').textContent).toBe(`${HOST_NAME} a1b2c3d4`);
    expect(section.getByTestId('sync-last').textContent).toBe('2 minutes ago');
    expect(section.getByTestId('sync-pending').textContent).toBe('3 changes waiting');
    const rows = section.getAllByTestId('sync-device');
    expect(rows.map((r) => r.querySelector('.sync-device-title')?.textContent)).toEqual([HOST_NAME, 'work-desktop', 'home-server']);
    expect(rows[0]?.textContent).toContain('this device');
    expect(rows[0]?.textContent).toContain('synced 2 minutes ago');
    expect(rows[1]?.textContent).toContain(shortId(WORK_DEVICE));
    expect(rows[1]?.textContent).toContain('last seen 5 minutes ago');
    expect(rows[2]?.textContent).toContain('last seen 2 days ago');
    // Remove on the others only.
    expect(within(rows[0] as HTMLElement).queryByRole('button')).toBeNull();
    expect(section.getByRole('button', { name: 'Remove device “work-desktop”' })).toBeTruthy();
    expect(section.getByRole('button', { name: 'Remove device “home-server”' })).toBeTruthy();
    expect(section.queryByTestId('sync-failed')).toBeNull();
  });

  it('shows why the last pass failed and the files it refused', async () => {
    fakeBackend({
      sync: sampleSync({
        error: '1 file(s) of other devices were refused',
        refused: ['c9d8e7f6/00000012.kwsync: it failed its integrity check (tampered)'],
      }),
    });
    const user = userEvent.setup();
    const section = within(await openSync(user));
    expect(section.getByTestId('sync-failed').textContent).toBe('The last sync failed: 1 file(s) of other devices were refused');
    const refused = section.getByRole('list', { name: 'Refused files' });
    expect(within(refused).getAllByRole('listitem').map((l) => l.textContent)).toEqual([
      'c9d8e7f6/00000012.kwsync: it failed its integrity check (tampered)',
    ]);
  });

  it('removes a device only after a confirmation that says what it means', async () => {
    const be = fakeBackend({ sync: sampleSync() });
    const user = userEvent.setup();
    const section = within(await openSync(user));
    await user.click(section.getByRole('button', { name: 'Remove device “home-server”' }));
    let dialog = screen.getByRole('dialog', { name: 'Remove “home-server” from the sync?' });
    expect(dialog.textContent).toContain('keeps what it had');
    expect(dialog.textContent).toContain('keywright rekey');
    // Cancel has the focus; nothing is removed.
    expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Cancel' }));
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(be.callsOf('sync_remove_device')).toHaveLength(0);
    expect(screen.getByRole('dialog', { name: 'Settings' })).toBeTruthy();

    await user.click(section.getByRole('button', { name: 'Remove device “home-server”' }));
    dialog = screen.getByRole('dialog', { name: 'Remove “home-server” from the sync?' });
    await user.click(within(dialog).getByRole('button', { name: 'Remove device' }));
    expect(await section.findByText('Removed “home-server”: no device reads its folder any more.')).toBeTruthy();
    expect(be.callsOf('sync_remove_device').map((c) => c.args)).toEqual([{ id: SERVER_DEVICE }]);
    expect(screen.queryByRole('dialog', { name: /^Remove/ })).toBeNull();
    const row = section.getAllByTestId('sync-device')[2] as HTMLElement;
    expect(row.textContent).toContain('removed');
    expect(within(row).queryByRole('button')).toBeNull();
    // The status bar counts the devices still syncing.
    expect(screen.getByTestId('sync-status').textContent).toMatch(/ · 2 devices$/);
  });

  it('Sync now: busy while it runs (in the status bar too), then the new state', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const be = fakeBackend({
      sync: sampleSync({ pending: 2 }),
      on: {
        sync_now: async () => {
          await gate;
          return { ...be.sync(), pending: 0, last_sync: Math.floor(Date.now() / 1000) };
        },
      },
    });
    const user = userEvent.setup();
    const section = within(await openSync(user));
    expect(section.getByTestId('sync-pending').textContent).toBe('2 changes waiting');
    await user.click(section.getByRole('button', { name: 'Sync now' }));
    const busy = section.getByRole<HTMLButtonElement>('button', { name: 'Syncing…' });
    expect(busy.disabled).toBe(true);
    expect(screen.getByTestId('sync-status').textContent).toBe('Syncing…');
    await act(async () => {
      release();
      await gate;
    });
    expect(await section.findByText('Synced.')).toBeTruthy();
    expect(be.callsOf('sync_now')).toHaveLength(1);
    expect(section.getByTestId('sync-pending').textContent).toBe('Nothing waiting');
    expect(section.getByTestId('sync-last').textContent).toBe('just now');
    expect(section.getByRole<HTMLButtonElement>('button', { name: 'Sync now' }).disabled).toBe(false);
    expect(screen.getByTestId('sync-status').textContent).toBe('Synced just now · 3 devices');
  });

  it('Sync now that fails says why, and the state shows the error', async () => {
    const error = `Cannot read ${SYNC_DIR}: No such file or directory (os error 2)`;
    const be = fakeBackend({
      sync: sampleSync(),
      on: {
        sync_now: () => {
          be.setSyncError(error);
          return backendError('sync', `sync failed: ${error}`);
        },
      },
    });
    const user = userEvent.setup();
    const section = within(await openSync(user));
    await user.click(section.getByRole('button', { name: 'Sync now' }));
    expect(await section.findByText(`sync failed: ${error}`)).toBeTruthy();
    expect((await section.findByTestId('sync-failed')).textContent).toBe(`The last sync failed: ${error}`);
    expect(screen.getByTestId('sync-error').getAttribute('title')).toBe(error);
    expect(section.queryByText('Synced.')).toBeNull();
  });

  it('quotes a folder with spaces in the join hint', async () => {
    fakeBackend({ sync: sampleSync({ dir: '/home/dev/My Sync/keywright' }) });
    const user = userEvent.setup();
    const section = within(await openSync(user));
    expect(section.getByTestId('sync-join').textContent).toBe("On another device: keywright sync join '/home/dev/My Sync/keywright'");
    expect(shellWord("/it's here")).toBe(`'/it'\\''s here'`);
    expect(shellWord('/plain/path-1_2.x')).toBe('/plain/path-1_2.x');
  });
});

describe('first run: Join a synced vault', () => {
  it('makes this device’s vault from the sync folder and opens it', async () => {
    const be = fakeBackend({ state: 'none', password: 'vault password 1' });
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByRole('button', { name: 'Join a synced vault' }));
    expect(screen.getByRole('heading', { name: 'Join a synced vault' })).toBeTruthy();
    const folder = screen.getByLabelText('Sync folder');
    const password = screen.getByLabelText('Master password');

    // Nothing typed: said at the folder, nothing sent.
    await user.click(screen.getByRole('button', { name: 'Join' }));
    expect(screen.getByText('Enter the full path of the folder your sync tool shares.')).toBeTruthy();
    expect(be.callsOf('sync_join')).toHaveLength(0);

    // A folder without a vault: Rust's message at the folder field.
    await user.type(folder, '/home/dev/Empty');
    await user.type(password, 'vault password 1');
    await user.click(screen.getByRole('button', { name: 'Join' }));
    const none = await screen.findByText(/holds no Keywright vault yet/);
    expect(none.getAttribute('role')).toBe('alert');
    expect(folder.getAttribute('aria-invalid')).toBe('true');

    // The right folder, a wrong password: at the password field.
    await user.clear(folder);
    await user.type(folder, '/sync/keywright');
    await user.clear(password);
    await user.type(password, 'not it');
    await user.click(screen.getByRole('button', { name: 'Join' }));
    expect((await screen.findByText('Wrong password')).getAttribute('role')).toBe('alert');
    expect(password.getAttribute('aria-invalid')).toBe('true');

    await user.clear(password);
    await user.type(password, 'vault password 1');
    await user.type(screen.getByLabelText('This device’s name (optional)'), 'desktop');
    await user.click(screen.getByRole('button', { name: 'Join' }));
    // The vault opens: the main window, syncing.
    expect(await screen.findByTestId('sync-status')).toBeTruthy();
    expect(be.callsOf('sync_join').at(-1)?.args).toEqual({
      dir: '/sync/keywright',
      password: 'vault password 1',
      name: 'desktop',
    });
    expect(be.callsOf('vault_create')).toHaveLength(0);
  });
});
