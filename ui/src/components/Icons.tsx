// Small inline icons (no image requests: the CSP allows 'self' only). Decorative: the
// text next to them carries the meaning.
import type { Kind } from '../bindings/Kind';

const KIND_PATHS: Record<Kind, React.ReactNode> = {
  api_key: (
    <>
      <circle cx="6.5" cy="10" r="3.5" />
      <path d="M10 10h8M15 10v3M17.5 10v2" />
    </>
  ),
  bearer: (
    <>
      <rect x="2.5" y="5" width="15" height="10" rx="2" />
      <path d="M6 8.5h8M6 11.5h5" />
    </>
  ),
  oauth2: (
    <>
      <path d="M10 2.5l6 2.5v4.5c0 4-2.7 6.6-6 8-3.3-1.4-6-4-6-8V5z" />
      <path d="M7.5 10l2 2 3.5-4" />
    </>
  ),
  basic: (
    <>
      <circle cx="10" cy="7" r="3.5" />
      <path d="M3.5 17c.8-3.2 3.4-5 6.5-5s5.7 1.8 6.5 5" />
    </>
  ),
  totp: (
    <>
      <circle cx="10" cy="10" r="7.5" />
      <path d="M10 5.5V10l3 2" />
    </>
  ),
};

function Svg({ children, size = 16 }: { children: React.ReactNode; size?: number }) {
  return (
    <svg
      className="icon"
      viewBox="0 0 20 20"
      width={size}
      height={size}
      fill="none"
      stroke="currentColor"
      strokeWidth="1.6"
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
    >
      {children}
    </svg>
  );
}

export function KindIcon({ kind, size = 16 }: { kind: Kind; size?: number }) {
  return (
    <span className={`kind-icon kind-${kind}`} aria-hidden="true">
      <Svg size={size}>{KIND_PATHS[kind]}</Svg>
    </span>
  );
}

export function Icon({ name, size = 16 }: { name: IconName; size?: number }) {
  return <Svg size={size}>{ICONS[name]}</Svg>;
}

export type IconName =
  | 'all'
  | 'alert'
  | 'tag'
  | 'search'
  | 'plus'
  | 'lock'
  | 'gear'
  | 'codes'
  | 'timeline'
  | 'requests'
  | 'eye'
  | 'eye-off'
  | 'copy'
  | 'import'
  | 'upload'
  | 'menu'
  | 'chevron'
  | 'back'
  | 'keyboard'
  | 'jwt'
  | 'trash'
  | 'conflict'
  | 'sync';

const ICONS: Record<IconName, React.ReactNode> = {
  all: <path d="M3.5 5h13M3.5 10h13M3.5 15h13" />,
  alert: (
    <>
      <path d="M10 3l7.5 13.5h-15z" />
      <path d="M10 8.5v3.5M10 14.2v.1" />
    </>
  ),
  tag: (
    <>
      <path d="M3 3.5h6.5l7.5 7.5-6 6-7.5-7.5z" />
      <circle cx="7" cy="7.5" r="1.2" />
    </>
  ),
  search: (
    <>
      <circle cx="8.5" cy="8.5" r="5" />
      <path d="M12.5 12.5l4.5 4.5" />
    </>
  ),
  plus: <path d="M10 4v12M4 10h12" />,
  lock: (
    <>
      <rect x="4" y="9" width="12" height="8.5" rx="1.5" />
      <path d="M6.5 9V6.5a3.5 3.5 0 017 0V9" />
    </>
  ),
  gear: (
    <>
      <circle cx="10" cy="10" r="2.5" />
      <path d="M10 2.5v2.2M10 15.3v2.2M2.5 10h2.2M15.3 10h2.2M4.7 4.7l1.6 1.6M13.7 13.7l1.6 1.6M4.7 15.3l1.6-1.6M13.7 6.3l1.6-1.6" />
    </>
  ),
  codes: (
    <>
      <circle cx="10" cy="10" r="7.5" />
      <path d="M10 5.5V10l3 2" />
    </>
  ),
  timeline: <path d="M3 15.5l4-5 3.5 3 6.5-8" />,
  requests: <path d="M3 7h11l-3-3M17 13H6l3 3" />,
  eye: (
    <>
      <path d="M1.8 10S4.8 4.5 10 4.5 18.2 10 18.2 10 15.2 15.5 10 15.5 1.8 10 1.8 10z" />
      <circle cx="10" cy="10" r="2.5" />
    </>
  ),
  'eye-off': (
    <>
      <path d="M1.8 10S4.8 4.5 10 4.5 18.2 10 18.2 10 15.2 15.5 10 15.5 1.8 10 1.8 10z" />
      <path d="M3 17L17 3" />
    </>
  ),
  import: (
    <>
      <path d="M10 3v9.5M6 8.5l4 4 4-4" />
      <path d="M3.5 13.5v2a1.5 1.5 0 001.5 1.5h10a1.5 1.5 0 001.5-1.5v-2" />
    </>
  ),
  upload: (
    <>
      <path d="M10 13V3.5M6 7.5l4-4 4 4" />
      <path d="M3.5 13.5v2a1.5 1.5 0 001.5 1.5h10a1.5 1.5 0 001.5-1.5v-2" />
    </>
  ),
  menu: <path d="M3 5.5h14M3 10h14M3 14.5h14" />,
  jwt: <path d="M7 4.5C5 4.5 5 6 5 7.5S4.5 10 3.5 10c1 0 1.5 1 1.5 2.5S5 15.5 7 15.5M13 4.5c2 0 2 1.5 2 3s.5 2.5 1.5 2.5c-1 0-1.5 1-1.5 2.5s0 3-2 3" />,
  chevron: <path d="M6 8l4 4 4-4" />,
  back: <path d="M12 4.5L6.5 10l5.5 5.5" />,
  keyboard: (
    <>
      <rect x="2" y="5" width="16" height="10" rx="1.5" />
      <path d="M5 8.5h.01M8 8.5h.01M11 8.5h.01M14 8.5h.01M6 12h8" />
    </>
  ),
  trash: (
    <>
      <path d="M3.5 5.5h13M8 5.5V3.5h4v2" />
      <path d="M5 5.5l1 11a1 1 0 001 1h6a1 1 0 001-1l1-11M8.5 8.5v6M11.5 8.5v6" />
    </>
  ),
  // Two versions going apart from one.
  conflict: (
    <>
      <path d="M10 17.5V11L5 5.5M10 11l5-5.5" />
      <path d="M3.5 8.5V4.5h4M16.5 8.5V4.5h-4" />
    </>
  ),
  sync: (
    <>
      <path d="M16 8.5A6 6 0 005.2 6.2M4 11.5a6 6 0 0010.8 2.3" />
      <path d="M5 3v3.5h3.5M15 17v-3.5h-3.5" />
    </>
  ),
  copy: (
    <>
      <rect x="7" y="7" width="10" height="10" rx="1.5" />
      <path d="M13 4.5V4a1 1 0 00-1-1H4a1 1 0 00-1 1v8a1 1 0 001 1h.5" />
    </>
  ),
};
