// In-memory search that forgives: every word of the query must match the item somewhere
// (its name, tags, URL, username, issuer, kind, the header or query
// parameter an API key goes in), exactly, as a word's start, inside a word, or with a typo.
// Results are ranked: the exact name, then names that start with the query, then items
// where every word starts a word, then plain substrings, then typos (one edit or two
// swapped letters, words of 4+ letters), then abbreviations (the letters of a word in
// order, from its first letter, words of 3+ letters). Within a rank the list's order stays.
//
// Speed (10,000 items, each keystroke): the haystacks and the words of every item are
// built once per list; the words are numbered in one vocabulary, so the typo and
// abbreviation checks run once per distinct word of the vault, not once per item.
import type { ItemSummary } from '../bindings/ItemSummary';
import { KIND_LABEL } from './format';

/** How well one item matches a query; lower is better. */
export const Rank = {
  Exact: 0,
  Prefix: 1,
  WordPrefix: 2,
  Substring: 3,
  Typo: 4,
  Abbreviation: 5,
} as const;
export type Rank = (typeof Rank)[keyof typeof Rank];

/** Words this long or longer forgive one typo. */
export const TYPO_MIN = 4;
/** Words this long or longer match as an abbreviation (letters in order). */
export const ABBREV_MIN = 3;

interface Entry<T> {
  value: T;
  /** The name, lower case (for the exact and prefix ranks). */
  name: string;
  /** Every searched field, lower case, separated by \u0001 (for substrings). */
  hay: string;
}

export interface SearchIndex<T> {
  entries: Entry<T>[];
  /** The distinct words (3+ letters, not only digits) of every entry: what a typo or an
   * abbreviation is checked against. Made at the first query that needs it. */
  vocab: string[] | null;
}

/** What an entry is searched by: its name, and its other fields. */
export interface Fields {
  name: string;
  rest: readonly (string | null | undefined)[];
}

const WORDS = /[\p{L}\p{N}]{3,}/gu;
const DIGITS = /^\d+$/;

export function buildSearchIndex<T>(values: readonly T[], fields: (v: T) => Fields): SearchIndex<T> {
  const entries = values.map((value) => {
    const f = fields(value);
    const name = f.name.toLowerCase();
    return { value, name, hay: `${name}\u0001${f.rest.join('\u0001').toLowerCase()}` };
  });
  return { entries, vocab: null };
}

function vocabOf<T>(index: SearchIndex<T>): string[] {
  if (index.vocab !== null) return index.vocab;
  const words = new Set<string>();
  for (const e of index.entries) for (const m of e.hay.matchAll(WORDS)) words.add(m[0]);
  index.vocab = [...words].filter((w) => !DIGITS.test(w));
  return index.vocab;
}

/** At most one edit apart: one letter changed, added or removed, or two neighbours swapped. */
export function oneEdit(a: string, b: string): boolean {
  const la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > 1) return false;
  let i = 0;
  while (i < la && i < lb && a[i] === b[i]) i++;
  if (i === la && i === lb) return true;
  if (la === lb) {
    if (a.slice(i + 1) === b.slice(i + 1)) return true;
    return i + 1 < la && a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
  }
  return la > lb ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}

/** `w` is the start of `t` with two neighbouring letters swapped ("stirp" → "stripe"). */
function swappedPrefix(w: string, t: string): boolean {
  if (t.length <= w.length) return false;
  let i = 0;
  while (i < w.length && w[i] === t[i]) i++;
  if (i + 1 >= w.length) return false;
  return w[i] === t[i + 1] && w[i + 1] === t[i] && w.slice(i + 2) === t.slice(i + 2, w.length);
}

/** The letters of `w` in order in `t`, from `t`'s first letter ("gthb" → "github"). */
function abbreviates(w: string, t: string): boolean {
  if (t.length <= w.length || w[0] !== t[0]) return false;
  let j = 1;
  for (let i = 1; i < t.length && j < w.length; i++) if (t[i] === w[j]) j++;
  return j === w.length;
}

/** The words of the vault a query word is a typo (rank Typo) or an abbreviation (rank
 * Abbreviation) of. */
function fuzzyWords<T>(index: SearchIndex<T>, w: string): { word: string; rank: number }[] {
  if (w.length < ABBREV_MIN) return [];
  const typo = w.length >= TYPO_MIN;
  const out: { word: string; rank: number }[] = [];
  for (const t of vocabOf(index)) {
    // A word that holds `w` adds nothing: an entry with it matches `w` as a substring.
    if (t.length < w.length - 1 || t.includes(w)) continue;
    if (typo && (oneEdit(w, t) || swappedPrefix(w, t))) out.push({ word: t, rank: Rank.Typo });
    else if (abbreviates(w, t)) out.push({ word: t, rank: Rank.Abbreviation });
  }
  // Typos first: an entry takes the best rank of the words it has.
  return out.sort((a, b) => a.rank - b.rank);
}

/** A letter or digit (any non-ASCII character counts as one). */
function wordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c >= 128;
}

/** `w` occurs in `hay` at the start of a word (from `from`, its first occurrence). */
function startsWord(hay: string, w: string, from: number): boolean {
  for (let p = from; p >= 0; p = hay.indexOf(w, p + 1)) {
    if (p === 0 || !wordChar(hay.charCodeAt(p - 1))) return true;
  }
  return false;
}

/** `t` occurs in `hay` as a whole word. */
function hasWord(hay: string, t: string): boolean {
  for (let p = hay.indexOf(t); p >= 0; p = hay.indexOf(t, p + 1)) {
    if ((p === 0 || !wordChar(hay.charCodeAt(p - 1))) && !wordChar(hay.charCodeAt(p + t.length))) return true;
  }
  return false;
}

export function queryWords(query: string): string[] {
  return query.toLowerCase().split(/\s+/).filter((w) => w !== '');
}

/** The entries that match every word of the query, best first (see the file's head). */
export function searchIndex<T>(index: SearchIndex<T>, query: string, keep: (v: T) => boolean = () => true): T[] {
  const words = queryWords(query);
  if (words.length === 0) return index.entries.filter((e) => keep(e.value)).map((e) => e.value);
  const whole = words.join(' ');
  const fuzzy = words.map((w) => fuzzyWords(index, w));
  const buckets: T[][] = [[], [], [], [], [], []];
  for (const e of index.entries) {
    if (!keep(e.value)) continue;
    let rank: number = Rank.WordPrefix;
    for (let k = 0; k < words.length; k++) {
      const w = words[k] as string;
      const p = e.hay.indexOf(w);
      let best = 0;
      if (p >= 0) best = startsWord(e.hay, w, p) ? Rank.WordPrefix : Rank.Substring;
      else {
        for (const f of fuzzy[k] ?? []) {
          if (hasWord(e.hay, f.word)) {
            best = f.rank;
            break;
          }
        }
      }
      if (best === 0) {
        rank = 0;
        break;
      }
      if (best > rank) rank = best;
    }
    if (rank === 0) continue;
    if (e.name === whole) rank = Rank.Exact;
    else if (e.name.startsWith(whole)) rank = Rank.Prefix;
    buckets[rank]?.push(e.value);
  }
  return buckets.flat();
}

// ---- the item list ----

export type Indexed = SearchIndex<ItemSummary>;

export function itemFields(item: ItemSummary): Fields {
  return {
    name: item.name,
    rest: [
      item.tags.join(' '),
      // "stripe.com" and "api.stripe.com" find https://api.stripe.com/v1 (at a word start).
      item.url,
      item.username,
      item.issuer,
      item.placement_name,
      item.kind,
      KIND_LABEL[item.kind],
    ],
  };
}

export function buildIndex(items: readonly ItemSummary[]): Indexed {
  return buildSearchIndex(items, itemFields);
}

export function search(index: Indexed, query: string, keep: (item: ItemSummary) => boolean = () => true): ItemSummary[] {
  return searchIndex(index, query, keep);
}
