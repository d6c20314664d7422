/** A round initial in a colour derived from the name (same name, same colour, everywhere). */
const hueOf = (name: string) => {
  let h = 0;
  for (const ch of name) h = (h * 31 + (ch.codePointAt(0) ?? 0)) % 360;
  return h;
};

export function Avatar({ name, size = 36, online }: { name: string; size?: number; online?: boolean }) {
  return (
    <span
      className="avatar"
      style={{ width: size, height: size, fontSize: size * 0.42, ['--hue' as string]: hueOf(name) }}
      aria-hidden="true"
    >
      {(name[0] ?? '?').toUpperCase()}
      {online !== undefined && <span className={`presence ${online ? 'on' : 'off'}`} />}
    </span>
  );
}
