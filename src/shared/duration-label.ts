/** 300 → "5m", 3600 → "1h", 21600 → "6h", 90 → "90s": how Prometheus and the SRE workbook name windows. */
export function durationLabel(seconds: number): string {
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
  ] as const)
    if (seconds >= size && seconds % size === 0) return `${seconds / size}${unit}`;
  return `${seconds}s`;
}
