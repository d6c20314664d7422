/** An action's error in words, announced as it appears; nothing when there is none. */
export function FormError({ error }: { error: string | undefined }) {
  if (!error) return null;
  return (
    <p className="form-error" role="alert">
      {error}
    </p>
  );
}
