export { explainGate } from "./gate-rules";
export type { GateRuleExplanation } from "./gate-rules";
export { HTML_CSP, renderHtml, renderHtmlChunks } from "./render-html";
export { JSON_REPORT_VERSION, renderJson } from "./render-json";
export { renderJunit, renderJunitChunks } from "./render-junit";
export { MARKDOWN_MAX_BYTES, MARKDOWN_MAX_FAILURES, renderMarkdown } from "./render-markdown";
export { isReportKind, renderReport, renderReportChunks, REPORT_KINDS } from "./report-kinds";
export type { ReportKind } from "./report-kinds";
export type { RenderOptions, ReportAttempt, ReportCase, ReportCycle, ReportDifference, ReportInput } from "./report-input";
