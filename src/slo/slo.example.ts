/** The body of GET /api/targets/:key/slo in the OpenAPI document and docs/api.md. */
export const SLO_EXAMPLE = {
  key: 'instance::eu-1',
  tenant: null,
  objective: { objective: 99.5, maxAgeSeconds: 300, window: '30d' },
  at: '2025-10-20T13:05:00.000Z',
  window: {
    from: '2025-09-20T13:05:00.000Z',
    to: '2025-10-20T13:05:00.000Z',
    measuredSeconds: 2581200,
    pausedSeconds: 3600,
    maintenanceSeconds: 7200,
    staleSeconds: 5400,
  },
  attainment: 99.7908,
  errorBudget: { totalSeconds: 12906, usedSeconds: 5400, leftSeconds: 7506, usedPercent: 41.841, leftPercent: 58.159 },
  burnRates: { '5m': 0, '30m': 0, '1h': 8.333, '6h': 1.389 },
  alerts: { fastBurn: false, slowBurn: false },
  freshness: { state: 'fresh', lastSuccessAt: '2025-10-20T13:04:52.000Z', ageSeconds: 8, staleSince: null },
};
