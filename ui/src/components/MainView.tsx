import { type KeyboardEvent, lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ImportSource } from '../bindings/ImportSource';
import type { ImportSummary } from '../bindings/ImportSummary';
import type { ItemDetail } from '../bindings/ItemDetail';
import type { ItemSummary } from '../bindings/ItemSummary';
import type { Kind } from '../bindings/Kind';
import type { Trashed } from '../bindings/Trashed';
import { needsAttention } from '../lib/format';
import {
  appActivity,
  type IpcError,
  itemCopyMain,
  itemCopyPlain,
  itemDelete,
  itemRestore,
  type ItemList,
  itemsList,
  onFileDrop,
  onItemsChanged,
  type SettingsView,
  settingsGet,
  type SyncState,
  syncState,
  toIpcError,
  trashList,
  vaultLock,
  type VaultStatus,
} from '../lib/ipc';
import { hasSelection, typingIn } from '../lib/keys';
import { count, keepFor, type Nav, type View, VIEW_KEYS } from '../lib/nav';
import type { ConsoleMemory } from '../lib/request';
import { buildIndex, search } from '../lib/search';
import { type SortKey, sortItems } from '../lib/sort';
import { Banners, type Notice } from './Banners';
import type { FocusRequest } from './CodeGrid';
import type { DetailTab } from './DetailPane';
import type { ImportScope } from './ImportWizard';
import { ItemForm } from './ItemForm';
import { ItemsView } from './ItemsView';
import type { JwtItemSource } from './JwtView';
import { MoveToTrashDialog } from './MoveToTrashDialog';
import { Sidebar } from './Sidebar';
import { SyncStatus } from './SyncStatus';
import { TopBar } from './TopBar';
import { CopyToast, type ToastData } from './Toast';
import { UndoToast } from './UndoToast';

export type { Nav, View } from '../lib/nav';

// The views and dialogs other than the list are separate chunks, loaded the first time they
// are shown: the window that opens on the list parses and keeps less script (issue 18).
const CodesView = lazy(() => import('./CodesView').then((m) => ({ default: m.CodesView })));
const ConflictsView = lazy(() => import('./ConflictsView').then((m) => ({ default: m.ConflictsView })));
const ImportWizard = lazy(() => import('./ImportWizard').then((m) => ({ default: m.ImportWizard })));
const JwtView = lazy(() => import('./JwtView').then((m) => ({ default: m.JwtView })));
const RequestsView = lazy(() => import('./RequestsView').then((m) => ({ default: m.RequestsView })));
const SettingsDialog = lazy(() => import('./SettingsDialog').then((m) => ({ default: m.SettingsDialog })));
const ShortcutsDialog = lazy(() => import('./ShortcutsDialog').then((m) => ({ default: m.ShortcutsDialog })));
const TimelineView = lazy(() => import('./TimelineView').then((m) => ({ default: m.TimelineView })));
const TrashView = lazy(() => import('./TrashView').then((m) => ({ default: m.TrashView })));

type Modal =
  | null
  | { t: 'add' }
  | { t: 'edit'; item: ItemDetail }
  | { t: 'delete'; item: ItemDetail }
  | { t: 'settings' }
  | { t: 'shortcuts' }
  | { t: 'import'; scope: ImportScope; initial?: ImportSource };

interface Props {
  status: VaultStatus;
  /** The vault was locked (by the user here, or found locked by a command). */
  onLocked: (s: VaultStatus | null) => void;
  onSettings: (s: SettingsView) => void;
}

const ACTIVITY_EVERY_MS = 15_000;
/** How often the list is read again while the window stays open (statuses move with the
 * clock: expiring → expired). Changes by other processes arrive at once (`items-changed`). */
const RELIST_EVERY_MS = 60 * 1000;
/** How often the status bar reads the sync state again while sync is on (the app syncs
 * every 10 s in the background; a pass that brings changes also sends `items-changed`). */
const SYNC_STATE_EVERY_MS = 15_000;
const IS_MAC = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);
const MOD = IS_MAC ? '⌘' : 'Ctrl+';

export function MainView({ status, onLocked, onSettings }: Props) {
  const [list, setList] = useState<ItemList | null>(null);
  const [notices, setNotices] = useState<Notice[]>([]);
  const [query, setQuery] = useState('');
  const [nav, setNav] = useState<Nav>({ t: 'all' });
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [modal, setModal] = useState<Modal>(null);
  const [toast, setToast] = useState<ToastData | null>(null);
  const [detailVersion, setDetailVersion] = useState(0);
  const [detailTab, setDetailTab] = useState<DetailTab>('details');
  const [listHidden, setListHidden] = useState(true);
  const [drawer, setDrawer] = useState(false);
  // The request console's drafts by item: they survive an edit of the item; gone on lock
  // (this view unmounts).
  const [consoleMemory] = useState(() => new Map<string, ConsoleMemory>());
  const [deleting, setDeleting] = useState(false);
  // The Undo offered after a delete, the Trash's count (sidebar) and a version to list it again.
  const [undo, setUndo] = useState<{ key: number; trashed: Trashed } | null>(null);
  const [trashCount, setTrashCount] = useState(0);
  const [trashVersion, setTrashVersion] = useState(0);
  // Sync: the status bar's state (null until read, or when it cannot be), a version to read
  // it again, whether Settings' "Sync now" runs, and the conflicts (sidebar count, view).
  const [sync, setSync] = useState<SyncState | null>(null);
  const [syncVersion, setSyncVersion] = useState(0);
  const [syncing, setSyncing] = useState(false);
  const [conflictCount, setConflictCount] = useState(0);
  const [conflictsVersion, setConflictsVersion] = useState(0);
  const [view, setView] = useState<View>('items');
  const [sort, setSort] = useState<SortKey>('name');
  const [codesQuery, setCodesQuery] = useState('');
  const [codesVersion, setCodesVersion] = useState(0);
  const [codesFocus, setCodesFocus] = useState<FocusRequest | null>(null);
  // The JWT debugger opened on an item's token (Rust reads it; it never comes here).
  const [jwtItem, setJwtItem] = useState<JwtItemSource | null>(null);
  const searchBox = useRef<HTMLInputElement>(null);
  const noticeSeq = useRef(0);
  const listRef = useRef<ItemList | null>(null);
  const selectedRef = useRef<string | null>(null);

  const notify = useCallback((message: string, tone: Notice['tone']) => {
    noticeSeq.current += 1;
    const id = noticeSeq.current;
    setNotices((prev) => [...prev.filter((p) => p.message !== message), { id, message, tone }]);
  }, []);

  const showError = useCallback(
    (e: IpcError) => {
      if (e.kind === 'locked') {
        onLocked(null);
        return;
      }
      notify(e.message, 'error');
    },
    [onLocked, notify],
  );

  /** Reads the list again. `outside`: another process changed the vault — say so when the
   * item the user is looking at is gone. */
  const reload = useCallback(
    async (outside = false) => {
      try {
        const next = await itemsList();
        const before = listRef.current;
        const shown = selectedRef.current;
        if (outside && before !== null && shown !== null && !next.items.some((i) => i.id === shown)) {
          const gone = before.items.find((i) => i.id === shown);
          if (gone) notify(`“${gone.name}” was deleted outside this window.`, 'info');
        }
        listRef.current = next;
        setList(next);
      } catch (e) {
        showError(toIpcError(e));
      }
    },
    [showError, notify],
  );

  useEffect(() => {
    trashList().then(
      (l) => {
        setTrashCount(l.items.length + l.damaged.length);
      },
      () => {
        // The count is a hint; the Trash view reports its own errors.
      },
    );
  }, [trashVersion]);

  useEffect(() => {
    let live = true;
    syncState().then(
      (s) => {
        if (!live) return;
        setSync(s);
        setConflictCount(s.conflicts);
      },
      () => {
        // The status bar's sync segment is a hint; Settings → Sync reports errors.
      },
    );
    return () => {
      live = false;
    };
  }, [syncVersion]);

  // While sync is on, the status bar reads the state again every 15 s ("Synced 2 minutes
  // ago" moves on, a failing folder shows).
  const syncOn = sync?.enabled === true;
  useEffect(() => {
    if (!syncOn) return;
    const timer = window.setInterval(() => {
      setSyncVersion((v) => v + 1);
    }, SYNC_STATE_EVERY_MS);
    return () => {
      window.clearInterval(timer);
    };
  }, [syncOn]);

  useEffect(() => {
    itemsList().then(
      (l) => {
        listRef.current = l;
        setList(l);
      },
      (e: unknown) => {
        showError(toIpcError(e));
      },
    );
    settingsGet().then(onSettings, () => {
      // Only used for the auto-lock note; the settings dialog reports its own errors.
    });
  }, [showError, onSettings]);

  // Statuses move with the clock: list again when the window regains focus, and every
  // minute. Changes by another process arrive as `items-changed` (below).
  useEffect(() => {
    const again = () => {
      void reload();
    };
    window.addEventListener('focus', again);
    const timer = window.setInterval(again, RELIST_EVERY_MS);
    return () => {
      window.removeEventListener('focus', again);
      window.clearInterval(timer);
    };
  }, [reload]);

  // Another process (the CLI, a second window, a sync tool) or a background renewal changed
  // the vault: list again. The shown item is read again only if it changed (its key holds
  // `updated_at`), so nothing revealed or typed is lost for an unrelated change.
  useEffect(
    () =>
      onItemsChanged(() => {
        void reload(true);
        setCodesVersion((v) => v + 1);
        setTrashVersion((v) => v + 1);
        setSyncVersion((v) => v + 1);
        setConflictsVersion((v) => v + 1);
      }),
    [reload],
  );

  // Tell the auto-lock timer about real activity, at most every 15 s.
  useEffect(() => {
    let last = Date.now();
    const poke = () => {
      const now = Date.now();
      if (now - last < ACTIVITY_EVERY_MS) return;
      last = now;
      appActivity().catch((e: unknown) => {
        const err = toIpcError(e);
        if (err.kind === 'locked') onLocked(null);
      });
    };
    const opts = { capture: true, passive: true } as const;
    window.addEventListener('keydown', poke, opts);
    window.addEventListener('pointerdown', poke, opts);
    window.addEventListener('wheel', poke, opts);
    return () => {
      window.removeEventListener('keydown', poke, opts);
      window.removeEventListener('pointerdown', poke, opts);
      window.removeEventListener('wheel', poke, opts);
    };
  }, [onLocked]);

  const items = useMemo(() => list?.items ?? [], [list]);
  const index = useMemo(() => buildIndex(items), [items]);
  // A search ranks by how well each item matches; otherwise the list is in the chosen order.
  const filtered = useMemo(() => {
    const found = search(index, query, keepFor(nav));
    return query.trim() === '' ? sortItems(found, sort) : found;
  }, [index, query, nav, sort]);

  const counts = useMemo(() => {
    const kinds = new Map<Kind, number>();
    const tags = new Map<string, number>();
    let attention = 0;
    for (const i of items) {
      kinds.set(i.kind, (kinds.get(i.kind) ?? 0) + 1);
      for (const t of i.tags) tags.set(t, (tags.get(t) ?? 0) + 1);
      if (needsAttention(i.status)) attention++;
    }
    const tagList = [...tags.entries()].sort((a, b) => a[0].localeCompare(b[0]));
    return {
      all: items.length,
      attention,
      codes: kinds.get('totp') ?? 0,
      trash: trashCount,
      conflicts: conflictCount,
      kinds,
      tags: tagList,
    };
  }, [items, trashCount, conflictCount]);

  // The highlighted row: the chosen one while it is in view, else the first result.
  const selected =
    selectedId !== null && filtered.some((i) => i.id === selectedId) ? selectedId : (filtered[0]?.id ?? null);
  useEffect(() => {
    selectedRef.current = selected;
  }, [selected]);
  const selectedSummary: ItemSummary | undefined =
    selected === null ? undefined : filtered.find((i) => i.id === selected);

  // An edit form open on an item that changed or went away elsewhere.
  const editing = modal?.t === 'edit' ? modal.item : null;
  const editingNow = editing === null || list === null ? undefined : items.find((i) => i.id === editing.id);
  const editingOutside: 'changed' | 'deleted' | null =
    editing === null || list === null
      ? null
      : editingNow === undefined
        ? 'deleted'
        : editingNow.updated_at !== editing.updated_at
          ? 'changed'
          : null;

  const lock = useCallback(async () => {
    try {
      onLocked(await vaultLock());
    } catch (e) {
      showError(toIpcError(e));
    }
  }, [onLocked, showError]);

  const onCopied = useCallback((c: { clear_after_s: number | null }, what: string) => {
    setToast({ key: Date.now(), what, clearAfter: c.clear_after_s });
  }, []);
  const onCodeCopied = useCallback((c: { clear_after_s: number | null }) => {
    setToast({ key: Date.now(), what: '2FA code', clearAfter: c.clear_after_s, otp: true });
  }, []);
  const dismissToast = useCallback(() => {
    setToast(null);
  }, []);

  /** Ctrl+C on a selected item: Rust picks and copies its main secret. */
  const copyMain = useCallback(
    async (id: string) => {
      try {
        const c = await itemCopyMain(id);
        setToast({ key: Date.now(), what: c.what, clearAfter: c.clear_after_s, otp: c.what === '2FA code' });
        if (selectedRef.current === id) setDetailVersion((v) => v + 1);
      } catch (e) {
        showError(toIpcError(e));
      }
    },
    [showError],
  );

  /** Ctrl+Shift+C: the username, or an OAuth client's ID (not secrets; still through Rust). */
  const copyLogin = useCallback(
    async (id: string) => {
      const item = listRef.current?.items.find((i) => i.id === id);
      const field = item?.kind === 'oauth2' ? 'client_id' : 'username';
      try {
        const c = await itemCopyPlain(id, field);
        setToast({ key: Date.now(), what: field === 'client_id' ? 'client ID' : 'username', clearAfter: c.clear_after_s });
      } catch (e) {
        showError(toIpcError(e));
      }
    },
    [showError],
  );

  const openDetail = () => {
    requestAnimationFrame(() => {
      document.querySelector<HTMLElement>('[data-testid="detail"]')?.focus();
    });
  };

  const move = (by: number) => {
    if (filtered.length === 0) return;
    const at = selected === null ? -1 : filtered.findIndex((i) => i.id === selected);
    const next = Math.min(filtered.length - 1, Math.max(0, at + by));
    const item = filtered[next];
    if (item) setSelectedId(item.id);
  };

  const listKeys = (e: KeyboardEvent<HTMLElement>) => {
    const inSearch = e.currentTarget === searchBox.current;
    switch (e.key) {
      case 'ArrowDown':
        move(1);
        break;
      case 'ArrowUp':
        move(-1);
        break;
      case 'PageDown':
        move(10);
        break;
      case 'PageUp':
        move(-10);
        break;
      case 'Home':
        if (inSearch) return;
        move(-filtered.length);
        break;
      case 'End':
        if (inSearch) return;
        move(filtered.length);
        break;
      case 'Enter':
        if (selected !== null) openDetail();
        break;
      case 'Escape':
        if (inSearch && query !== '') setQuery('');
        else return;
        break;
      default:
        return;
    }
    e.preventDefault();
  };

  /** The search box in the Codes view: down to the cards, Escape clears. */
  const codesSearchKeys = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown' || e.key === 'Enter') {
      const card = document.querySelector<HTMLElement>('[data-testid="codes-grid"] [tabindex="0"]');
      if (!card) return;
      card.focus();
    } else if (e.key === 'Escape' && codesQuery !== '') {
      setCodesQuery('');
    } else {
      return;
    }
    e.preventDefault();
  };

  const focusSearch = useCallback(() => {
    searchBox.current?.focus();
  }, []);

  const showView = useCallback((v: View) => {
    setView(v);
    if (v === 'items') {
      setNav({ t: 'all' });
      setListHidden(false);
    }
  }, []);

  // Global shortcuts (not while a dialog is open: it owns the keyboard).
  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (modal !== null || e.defaultPrevented) return;
      const mod = e.ctrlKey || e.metaKey;
      const k = e.key.toLowerCase();
      if (!mod && !e.altKey && e.key === '?' && !typingIn(e.target)) {
        e.preventDefault();
        setModal({ t: 'shortcuts' });
        return;
      }
      if (!mod || e.altKey) return;
      if (k === 'c' && view === 'items' && selected !== null && !hasSelection(e.target)) {
        // In the search box too (Ctrl+K, a few letters, Ctrl+C); never over selected text.
        const inField = typingIn(e.target) && e.target !== searchBox.current;
        if (inField) return;
        e.preventDefault();
        if (e.shiftKey) void copyLogin(selected);
        else void copyMain(selected);
        return;
      }
      if (e.shiftKey) return;
      if (k === 'k' || k === 'f') {
        e.preventDefault();
        searchBox.current?.focus();
        searchBox.current?.select();
      } else if (k === 'n') {
        e.preventDefault();
        setModal({ t: 'add' });
      } else if (k === 'l') {
        e.preventDefault();
        void lock();
      } else if (k >= '1' && k <= '4') {
        const v = VIEW_KEYS[Number(k) - 1];
        if (v === undefined) return;
        e.preventDefault();
        showView(v);
      }
    };
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
    };
  }, [modal, lock, showView, view, selected, copyMain, copyLogin]);

  // Files dropped on the window in the Codes view open the 2FA import with them; in the
  // item list, the import of every format.
  const dropScope: ImportScope | null = modal !== null ? null : view === 'codes' ? 'otp' : view === 'items' ? 'all' : null;
  useEffect(() => {
    if (dropScope === null) return;
    return onFileDrop((paths) => {
      const [path] = paths;
      if (path !== undefined) setModal({ t: 'import', scope: dropScope, initial: { kind: 'file', path } });
    });
  }, [dropScope]);

  const openImport = useCallback(() => {
    setModal({ t: 'import', scope: 'otp' });
  }, []);
  const openImportAll = useCallback(() => {
    setModal({ t: 'import', scope: 'all' });
  }, []);
  const openAdd = useCallback(() => {
    setModal({ t: 'add' });
  }, []);

  const afterImport = (s: ImportSummary, codes: boolean) => {
    setModal(null);
    if (!codes) {
      // Credentials: the list, with the first new item open.
      const [first] = s.added;
      setNav({ t: 'all' });
      setQuery('');
      setView('items');
      void reload().then(() => {
        const found = listRef.current?.items.find((i) => i.name === first);
        if (found !== undefined) setSelectedId(found.id);
      });
      return;
    }
    setCodesQuery('');
    // Show the first new code (the list is read again first: the grid waits for it).
    const [first] = s.added;
    if (first !== undefined) setCodesFocus((f) => ({ name: first, seq: (f?.seq ?? 0) + 1 }));
    setView('codes');
    setCodesVersion((v) => v + 1);
    void reload();
  };

  const showInCodes = (id: string) => {
    setCodesQuery('');
    setCodesFocus((f) => ({ id, seq: (f?.seq ?? 0) + 1 }));
    setView('codes');
  };

  const openItem = (id: string, tab?: DetailTab) => {
    setNav({ t: 'all' });
    setQuery('');
    setSelectedId(id);
    if (tab !== undefined) setDetailTab(tab);
    setView('items');
  };

  const afterSave = (d: ItemDetail) => {
    if (modal?.t === 'add') {
      // Show the new item even if the current filter would hide it.
      setQuery('');
      setNav({ t: 'all' });
    }
    setModal(null);
    setSelectedId(d.id);
    setDetailVersion((v) => v + 1);
    setCodesVersion((v) => v + 1);
    void reload();
  };

  const undoDelete = async (t: Trashed) => {
    try {
      const d = await itemRestore(t.id);
      await reload();
      setSelectedId(d.id);
      setTrashVersion((v) => v + 1);
    } catch (e) {
      showError(toIpcError(e));
    }
  };

  const confirmDelete = async (item: ItemDetail) => {
    setDeleting(true);
    try {
      const trashed = await itemDelete(item.id);
      const at = filtered.findIndex((i) => i.id === item.id);
      const next = filtered[at + 1] ?? filtered[at - 1];
      setSelectedId(next ? next.id : null);
      setModal(null);
      await reload();
      setTrashVersion((v) => v + 1);
      if (trashed.in_trash) setUndo({ key: Date.now(), trashed });
    } catch (e) {
      setModal(null);
      showError(toIpcError(e));
    } finally {
      setDeleting(false);
    }
  };

  /** Settings → Sync changed the sync (started, synced, removed a device): what the pass
   * merged is in the vault now. */
  const onSyncState = useCallback(
    (s: SyncState) => {
      setSync(s);
      setConflictCount(s.conflicts);
      setConflictsVersion((v) => v + 1);
      setCodesVersion((v) => v + 1);
      setTrashVersion((v) => v + 1);
      void reload(true);
    },
    [reload],
  );

  /** A version was kept in the Conflicts view: the item may have changed or gone. */
  const afterKeep = useCallback(() => {
    setSyncVersion((v) => v + 1);
    setCodesVersion((v) => v + 1);
    setTrashVersion((v) => v + 1);
    setDetailVersion((v) => v + 1);
    void reload();
  }, [reload]);

  const loading = list === null;
  const empty = !loading && items.length === 0;
  const closeModal = () => {
    setModal(null);
  };

  return (
    <div className={`main${drawer ? ' drawer-open' : ''}`}>
      <Sidebar
        view={view}
        nav={nav}
        counts={counts}
        mod={MOD}
        drawer={drawer}
        onCloseDrawer={() => {
          setDrawer(false);
        }}
        onNav={(n) => {
          setNav(n);
          setView('items');
          // A list was asked for: show it whole (no search left over from before), even
          // beside the request console.
          setQuery('');
          setListHidden(false);
        }}
        onView={(v) => {
          if (v === 'jwt') setJwtItem(null);
          setView(v);
        }}
      />
      {drawer && (
        <div
          className="drawer-scrim"
          aria-hidden="true"
          onMouseDown={() => {
            setDrawer(false);
          }}
        />
      )}

      <div className="workspace">
        <TopBar
          mod={MOD}
          drawer={drawer}
          onToggleDrawer={() => {
            setDrawer((d) => !d);
          }}
          searchBox={searchBox}
          codes={view === 'codes'}
          itemCount={items.length}
          query={query}
          onQuery={(q) => {
            setQuery(q);
            setListHidden(false);
            // A search from the timeline shows its results.
            if (view !== 'items') setView('items');
          }}
          onQueryKeys={listKeys}
          codesQuery={codesQuery}
          onCodesQuery={setCodesQuery}
          onCodesQueryKeys={codesSearchKeys}
          onAdd={openAdd}
          onImport={openImportAll}
          onLock={() => void lock()}
          onShortcuts={() => {
            setModal({ t: 'shortcuts' });
          }}
          onSettings={() => {
            setModal({ t: 'settings' });
          }}
        />

        <Banners
          notices={notices}
          list={list}
          onDismiss={(id) => {
            setNotices((prev) => prev.filter((p) => p.id !== id));
          }}
        />

        <Suspense fallback={<div className="codes-panel" id="main-panel" aria-busy="true" />}>
          {view === 'conflicts' ? (
            <div className="codes-panel" id="main-panel">
              <ConflictsView version={conflictsVersion} onCount={setConflictCount} onKept={afterKeep} />
            </div>
          ) : view === 'trash' ? (
            <div className="codes-panel" id="main-panel">
              <TrashView
                version={trashVersion}
                onCount={setTrashCount}
                onRestored={(d) => {
                  void reload();
                  setSelectedId(d.id);
                }}
              />
            </div>
          ) : view === 'jwt' ? (
            <div className="codes-panel" id="main-panel">
              <JwtView
                key={jwtItem === null ? 'paste' : `${jwtItem.id}:${jwtItem.field}`}
                item={jwtItem}
                keyItems={items.filter((i) => i.kind !== 'totp').map((i) => ({ id: i.id, name: i.name }))}
                {...(jwtItem === null
                  ? {}
                  : {
                      onClose: () => {
                        setJwtItem(null);
                        openItem(jwtItem.id);
                      },
                    })}
              />
            </div>
          ) : view === 'requests' ? (
            <div className="codes-panel" id="main-panel">
              <RequestsView
                items={items}
                onOpen={(id) => {
                  openItem(id, 'requests');
                }}
              />
            </div>
          ) : view === 'timeline' ? (
            <div className="codes-panel" id="main-panel">
              <TimelineView
                items={items}
                onChanged={() => void reload()}
                onOpen={(id) => {
                  openItem(id);
                }}
              />
            </div>
          ) : view === 'codes' ? (
            <div className="codes-panel" id="main-panel">
              <CodesView
                query={codesQuery}
                onClearQuery={() => {
                  setCodesQuery('');
                  searchBox.current?.focus();
                }}
                version={codesVersion}
                focus={codesFocus}
                onImport={openImport}
                onAddItem={openAdd}
                onCopied={onCodeCopied}
                onError={showError}
                onLeaveTop={focusSearch}
              />
            </div>
          ) : (
            <ItemsView
              nav={nav}
              query={query}
              loading={loading}
              empty={empty}
              filtered={filtered}
              selected={selected}
              detailKey={`${selected ?? ''}:${String(detailVersion)}:${String(selectedSummary?.updated_at ?? 0)}`}
              tab={detailTab}
              onTab={(t) => {
                setDetailTab(t);
                if (t === 'requests') setListHidden(true);
              }}
              listHidden={listHidden}
              onShowList={() => {
                setListHidden(false);
              }}
              consoleMemory={consoleMemory}
              searchBox={searchBox}
              onClearQuery={() => {
                setQuery('');
                searchBox.current?.focus();
              }}
              onSelect={setSelectedId}
              onOpen={(id) => {
                setSelectedId(id);
                openDetail();
              }}
              onListKeys={listKeys}
              onAdd={openAdd}
              onImport={openImportAll}
              onEdit={(item) => {
                setModal({ t: 'edit', item });
              }}
              onDelete={(item) => {
                setModal({ t: 'delete', item });
              }}
              onCopied={onCopied}
              onCodeCopied={onCodeCopied}
              onRotated={() => void reload()}
              sort={sort}
              onSort={setSort}
              onOpenJwt={(id, field) => {
                const name = items.find((i) => i.id === id)?.name ?? '';
                setJwtItem({ id, name, field });
                setView('jwt');
              }}
              onError={showError}
              onShowInCodes={showInCodes}
            />
          )}
        </Suspense>
        <footer className={`statusbar${toast || undo ? ' toasting' : ''}`}>
          {undo ? (
            <UndoToast
              key={undo.key}
              message={`Moved “${undo.trashed.name ?? 'the item'}” to Trash`}
              onUndo={() => undoDelete(undo.trashed)}
              onDone={() => {
                setUndo(null);
              }}
            />
          ) : toast ? (
            <CopyToast key={toast.key} toast={toast} onDone={dismissToast} />
          ) : (
            <>
              <span className="path" title="Vault file">
                {status.path}
              </span>
              <span className="statusbar-end">
                <SyncStatus
                  sync={sync}
                  syncing={syncing}
                  onConflicts={() => {
                    setView('conflicts');
                  }}
                />
                <span className="muted statusbar-count">
                  {count(items.length, 'item')}
                  {counts.attention > 0 && ` · ${count(counts.attention, 'needs', 'need')} attention`}
                </span>
              </span>
            </>
          )}
        </footer>
      </div>

      {modal?.t === 'add' && <ItemForm onImport={openImport} onSaved={afterSave} onClose={closeModal} />}
      {modal?.t === 'edit' && (
        <ItemForm editing={modal.item} outside={editingOutside} onSaved={afterSave} onClose={closeModal} />
      )}
      {modal?.t === 'delete' && (
        <MoveToTrashDialog
          item={modal.item}
          busy={deleting}
          onCancel={closeModal}
          onConfirm={() => void confirmDelete(modal.item)}
        />
      )}
      <Suspense fallback={null}>
        {modal?.t === 'import' && (
          <ImportWizard
            scope={modal.scope}
            initial={modal.initial}
            onClose={closeModal}
            onDone={afterImport}
            onError={showError}
          />
        )}
        {modal?.t === 'settings' && (
          <SettingsDialog onClose={closeModal} onChanged={onSettings} onSyncState={onSyncState} onSyncing={setSyncing} />
        )}
        {modal?.t === 'shortcuts' && <ShortcutsDialog mod={MOD} onClose={closeModal} />}
      </Suspense>
    </div>
  );
}
