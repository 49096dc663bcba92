import type { KeyboardEvent, RefObject } from 'react';
import { count } from '../lib/nav';
import { Icon } from './Icons';

interface Props {
  /** Ctrl+ or ⌘, for the shortcut hints. */
  mod: string;
  drawer: boolean;
  onToggleDrawer: () => void;
  searchBox: RefObject<HTMLInputElement | null>;
  /** The 2FA codes view: the box searches the codes. */
  codes: boolean;
  itemCount: number;
  query: string;
  onQuery: (q: string) => void;
  onQueryKeys: (e: KeyboardEvent<HTMLElement>) => void;
  codesQuery: string;
  onCodesQuery: (q: string) => void;
  onCodesQueryKeys: (e: KeyboardEvent<HTMLInputElement>) => void;
  onAdd: () => void;
  onImport: () => void;
  onLock: () => void;
  onShortcuts: () => void;
  onSettings: () => void;
}

/** The top bar: the sidebar's menu button (narrow windows), search, New item, Import,
 * Lock, shortcuts and settings. */
export function TopBar({ searchBox, ...p }: Props) {
  return (
    <header className="topbar">
      <button
        type="button"
        className="icon-button menu-button"
        aria-label="Show the sidebar"
        aria-expanded={p.drawer}
        onClick={p.onToggleDrawer}
      >
        <Icon name="menu" size={18} />
      </button>
      <div className="search">
        <Icon name="search" />
        {p.codes ? (
          <input
            key="codes"
            ref={searchBox}
            type="search"
            aria-label="Search 2FA codes"
            placeholder="Search 2FA codes"
            value={p.codesQuery}
            spellCheck={false}
            autoComplete="off"
            onChange={(e) => {
              p.onCodesQuery(e.target.value);
            }}
            onKeyDown={p.onCodesQueryKeys}
          />
        ) : (
          <input
            key="items"
            ref={searchBox}
            type="search"
            aria-label="Search items"
            placeholder={`Search ${count(p.itemCount, 'item')}`}
            value={p.query}
            spellCheck={false}
            autoComplete="off"
            onChange={(e) => {
              p.onQuery(e.target.value);
            }}
            onKeyDown={p.onQueryKeys}
          />
        )}
        <kbd>{p.mod}K</kbd>
      </div>
      <button type="button" className="primary" aria-label="New item" title={`New item (${p.mod}N)`} onClick={p.onAdd}>
        <Icon name="plus" /> <span className="btn-text">New item</span>
      </button>
      <button
        type="button"
        className="icon-button"
        aria-label="Import"
        title="Import: .env, KeePassXC, Bitwarden, 1Password, Postman, Bruno, Insomnia, CSV, 2FA apps"
        onClick={p.onImport}
      >
        <Icon name="import" size={18} />
      </button>
      <button type="button" aria-label="Lock" title={`Lock (${p.mod}L)`} onClick={p.onLock}>
        <Icon name="lock" /> <span className="btn-text">Lock</span>
      </button>
      <button
        type="button"
        className="icon-button"
        aria-label="Keyboard shortcuts"
        title="Keyboard shortcuts (?)"
        onClick={p.onShortcuts}
      >
        <Icon name="keyboard" size={18} />
      </button>
      <button type="button" className="icon-button" aria-label="Settings" title="Settings" onClick={p.onSettings}>
        <Icon name="gear" size={18} />
      </button>
    </header>
  );
}
