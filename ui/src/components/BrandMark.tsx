/** The app icon's key, drawn inline (no image request, nothing remote). */
export function BrandMark() {
  return (
    <svg className="brand-mark" viewBox="0 0 64 64" width="32" height="32" aria-hidden="true">
      <rect width="64" height="64" rx="14" className="brand-mark-bg" />
      <g transform="rotate(-45 32 32)" fill="#fff">
        <path d="M19 22a10 10 0 1 0 0 20a10 10 0 1 0 0-20zm0 5a5 5 0 1 1 0 10a5 5 0 1 1 0-10z" />
        <rect x="28" y="30" width="24" height="4" rx="1" />
        <rect x="42" y="32" width="3" height="7" rx="1" />
        <rect x="48" y="32" width="3" height="5.5" rx="1" />
      </g>
    </svg>
  );
}
