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
