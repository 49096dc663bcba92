// The main window's one navigation model: a view (what the workspace shows) and, for the
// item list, a filter. The sidebar is the only way between views (plus Ctrl+1…4).
import type { ItemSummary } from '../bindings/ItemSummary';
import type { Kind } from '../bindings/Kind';
import { KIND_PLURAL, needsAttention } from './format';

/** What the item list shows. */
export type Nav = { t: 'all' } | { t: 'kind'; kind: Kind } | { t: 'tag'; tag: string } | { t: 'attention' };

/** What the workspace shows. */
export type View = 'items' | 'codes' | 'timeline' | 'requests' | 'jwt' | 'trash' | 'conflicts';

/** Ctrl+1…4, in sidebar order. */
export const VIEW_KEYS: readonly View[] = ['items', 'codes', 'timeline', 'requests'];

/** The kinds the sidebar offers as list filters: 2FA items have their own view (Codes). */
export const LIST_KINDS: readonly Kind[] = ['api_key', 'bearer', 'oauth2', 'basic'];

export function navKey(n: Nav): string {
  return n.t === 'kind' ? `kind:${n.kind}` : n.t === 'tag' ? `tag:${n.tag}` : n.t;
}

export function navTitle(n: Nav): string {
  switch (n.t) {
    case 'all':
      return 'All items';
    case 'kind':
      return KIND_PLURAL[n.kind];
    case 'tag':
      return `#${n.tag}`;
    case 'attention':
      return 'Needs attention';
  }
}

export function keepFor(n: Nav): (i: ItemSummary) => boolean {
  switch (n.t) {
    case 'all':
      return () => true;
    case 'kind':
      return (i) => i.kind === n.kind;
    case 'tag':
      return (i) => i.tags.includes(n.tag);
    case 'attention':
      return (i) => needsAttention(i.status);
  }
}

export function count(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString()} ${n === 1 ? one : many}`;
}
