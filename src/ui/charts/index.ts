export { brailleChart, type BrailleChartOptions } from './braille.js';
export { sparkline, type SparklineOptions } from './sparkline.js';
export { paint, paintRuns, stripAnsi, RESET_FG } from './ansi.js';
export { niceCeil, niceBytesCeil } from './scale.js';
