/** Series colours, readable on white and distinguishable for the common colour-vision deficiencies. */
export const SERIES_COLORS = [
  '#2563eb',
  '#ea580c',
  '#059669',
  '#9333ea',
  '#db2777',
  '#0891b2',
  '#ca8a04',
  '#4b5563',
]

export const CHART_TEXT = '#475569'
export const CHART_GRID = '#e2e8f0'

/**
 * The charts' non-data colours on the light and the dark page (src-renderer/src/lib/chartTheme.ts makes
 * ECharts themes of them). Light is also what exports and reports use.
 */
export const CHART_SCHEMES = {
  light: {
    text: CHART_TEXT,
    grid: CHART_GRID,
    tooltipBackground: '#ffffff',
    tooltipBorder: '#e2e8f0',
    tooltipText: '#0f172a',
  },
  dark: {
    text: '#a5b4c8',
    grid: '#2e3a4e',
    tooltipBackground: '#182235',
    tooltipBorder: '#334155',
    tooltipText: '#e2e8f0',
  },
} as const
