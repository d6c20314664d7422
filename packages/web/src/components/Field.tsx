/** A labelled text input (the label is its accessible name), and its password variant. */
import type { InputHTMLAttributes } from 'react';

type FieldProps = { label: string; onValue: (value: string) => void } & Omit<
  InputHTMLAttributes<HTMLInputElement>,
  'onChange'
>;

export function Field({ label, onValue, ...input }: FieldProps) {
  return (
    <label className="field">
      <span>{label}</span>
      <input {...input} onChange={(e) => onValue(e.target.value)} />
    </label>
  );
}

export function PasswordField(props: Omit<FieldProps, 'type'>) {
  return <Field type="password" {...props} />;
}
