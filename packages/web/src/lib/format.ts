/** Dates and times as the reader's locale writes them. */

const sameDay = (a: Date, b: Date) =>
  a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();

export const timeOf = (iso: string): string =>
  new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

/** "Today", "Yesterday", or the date: the separators between days of a conversation. */
export const dayLabel = (iso: string, now = new Date()): string => {
  const d = new Date(iso);
  if (sameDay(d, now)) return 'Today';
  const yesterday = new Date(now);
  yesterday.setDate(now.getDate() - 1);
  if (sameDay(d, yesterday)) return 'Yesterday';
  return d.toLocaleDateString([], {
    weekday: 'long',
    month: 'long',
    day: 'numeric',
    ...(d.getFullYear() === now.getFullYear() ? {} : { year: 'numeric' }),
  });
};

export const dayKey = (iso: string): string => {
  const d = new Date(iso);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
};

/** A time if today, else a short date: the contact list's "last activity". */
export const shortWhen = (iso: string, now = new Date()): string => {
  const d = new Date(iso);
  if (sameDay(d, now)) return timeOf(iso);
  return d.toLocaleDateString([], { month: 'short', day: 'numeric' });
};
