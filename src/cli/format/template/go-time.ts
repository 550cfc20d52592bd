// Go's time.Time.String() of a whole second in UTC, as docker's CreatedAt columns print
// it: "2024-01-01 11:50:00 +0000 UTC" (hutch prints UTC rather than the local zone).

export function goTimeString(time: string | number): string {
  const t = typeof time === 'number' ? time : Date.parse(time);
  if (!Number.isFinite(t)) return '1970-01-01 00:00:00 +0000 UTC';
  return `${new Date(Math.floor(t / 1000) * 1000).toISOString().slice(0, 19).replace('T', ' ')} +0000 UTC`;
}
