/** Small SVG charts drawn here (no chart library): stacked bars per hour, colours from CSS classes. */
export interface Series { name: string; values: number[] }

const WIDTH = 600;
const HEIGHT = 140;
const AXIS = 18;

export function StackedBars({ label, slots, series }: { label: string; slots: string[]; series: Series[] }) {
  const totals = slots.map((_, i) => series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0));
  const max = Math.max(1, ...totals);
  const slot = WIDTH / Math.max(1, slots.length);
  const barWidth = Math.max(2, slot * 0.7);
  const scale = (HEIGHT - AXIS) / max;
  const summary = series.map((s) => `${s.name} ${s.values.reduce((a, b) => a + b, 0)}`).join(', ') || 'nothing yet';
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={`${label}: ${summary}`}>
        <line x1="0" y1={HEIGHT - AXIS} x2={WIDTH} y2={HEIGHT - AXIS} class="axis" />
        {slots.map((at, i) => {
          let y = HEIGHT - AXIS;
          return (
            <g key={at}>
              {series.map((s, k) => {
                const h = (s.values[i] ?? 0) * scale;
                y -= h;
                return h > 0 ? <rect key={s.name} x={i * slot + (slot - barWidth) / 2} y={y} width={barWidth} height={h} class={`c${k % 6}`} /> : null;
              })}
              {i % Math.ceil(slots.length / 6) === 0 ? <text x={i * slot + slot / 2} y={HEIGHT - 4} text-anchor="middle" class="tick">{at.slice(11, 16)}</text> : null}
            </g>
          );
        })}
        <text x="4" y="12" class="tick">max {max}</text>
      </svg>
      <figcaption>
        {label}
        <ul class="legend">
          {series.map((s, k) => (
            <li key={s.name}><span class={`swatch c${k % 6}`} aria-hidden="true" />{s.name}: {s.values.reduce((a, b) => a + b, 0)}</li>
          ))}
        </ul>
      </figcaption>
    </figure>
  );
}

/** The last `hours` whole hours, oldest first, as ISO strings (the overview's bucket keys). */
export function hourSlots(until: Date, hours: number): string[] {
  const last = Math.floor(until.getTime() / 3_600_000) * 3_600_000;
  return Array.from({ length: hours }, (_, i) => new Date(last - (hours - 1 - i) * 3_600_000).toISOString());
}

/** Rows `{ at, count }` grouped into one series per `key(row)`, aligned on `slots`. */
export function seriesBy<R extends { at: string; count: number }>(rows: readonly R[], slots: string[], key: (r: R) => string): Series[] {
  const byName = new Map<string, number[]>();
  for (const r of rows) {
    const i = slots.indexOf(r.at);
    if (i < 0) continue;
    const values = byName.get(key(r)) ?? slots.map(() => 0);
    values[i] = (values[i] ?? 0) + r.count;
    byName.set(key(r), values);
  }
  return [...byName].sort(([a], [b]) => a.localeCompare(b)).map(([name, values]) => ({ name, values }));
}
