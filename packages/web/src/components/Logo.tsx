/** The padlock mark (the same drawing as favicon.svg). */
export function Logo({ size = 28 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 64 64" aria-hidden="true" className="logo">
      <rect width="64" height="64" rx="14" fill="currentColor" />
      <path
        d="M22 29v-6a10 10 0 0 1 20 0v6"
        fill="none"
        stroke="#fff"
        strokeWidth="5"
        strokeLinecap="round"
      />
      <rect x="16" y="28" width="32" height="24" rx="5" fill="#fff" />
      <circle cx="32" cy="39" r="4" fill="currentColor" />
      <rect x="30.5" y="40" width="3" height="7" rx="1.5" fill="currentColor" />
    </svg>
  );
}
