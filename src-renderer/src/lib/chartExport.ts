/** A chart as a PNG or SVG file: what LineChart's export buttons save. */
import { EXPORT_THEME, inLightColors } from './chartTheme'
import { init, type EChartsType } from './echarts'
import { dataUrlToBlob } from './download'

/** Exports sit on white pages and slides; the app's transparent background would turn black in some viewers. */
export const EXPORT_BACKGROUND = '#ffffff'

/**
 * What a file of the live chart draws: its option (data and zoom included) in the light theme's colours,
 * whatever the page's theme is, since files go on white pages and slides.
 */
export function exportOption(chart: EChartsType): object {
  return inLightColors(chart.getOption())
}

/**
 * The chart drawn again offscreen from its export option, at twice the screen resolution: crisp when
 * pasted into a report or zoomed. The live chart is left as it is.
 */
export function chartToPng(chart: EChartsType): Blob {
  const off = init(document.createElement('div'), EXPORT_THEME, {
    renderer: 'canvas',
    width: chart.getWidth(),
    height: chart.getHeight(),
  })
  try {
    off.setOption({ ...exportOption(chart), animation: false })
    return dataUrlToBlob(off.getDataURL({ type: 'png', pixelRatio: 2, backgroundColor: EXPORT_BACKGROUND }))
  } finally {
    off.dispose()
  }
}

/**
 * Renders `option` (a live chart's getOption(), data and zoom included) as an SVG document. The live
 * chart draws on a canvas; a second, offscreen instance in server-side mode draws the same option as
 * vectors and is disposed at once (an undisposed one keeps its timers alive).
 */
export function optionToSvg(option: object, width: number, height: number): string {
  const ssr = init(null, EXPORT_THEME, { renderer: 'svg', ssr: true, width, height })
  try {
    ssr.setOption({ ...option, animation: false, backgroundColor: EXPORT_BACKGROUND })
    return ssr.renderToSVGString()
  } finally {
    ssr.dispose()
  }
}

export function chartToSvg(chart: EChartsType): Blob {
  const svg = optionToSvg(exportOption(chart), chart.getWidth(), chart.getHeight())
  return new Blob([svg], { type: 'image/svg+xml' })
}
