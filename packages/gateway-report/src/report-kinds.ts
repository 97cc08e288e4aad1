import type { RenderOptions, ReportInput } from "./report-input";
import { renderHtml } from "./render-html";
import { renderJson } from "./render-json";
import { renderJunit } from "./render-junit";
import { renderMarkdown } from "./render-markdown";

/** The kinds of report, as `--gateway-report KIND=PATH` names them. */
export const REPORT_KINDS = ["junit", "markdown", "html", "json"] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];

const RENDERERS: Record<ReportKind, (input: ReportInput, options?: RenderOptions) => string> = {
  junit: renderJunit,
  markdown: renderMarkdown,
  html: renderHtml,
  json: renderJson,
};

/** True for a supported report kind. */
export function isReportKind(kind: string): kind is ReportKind {
  return (REPORT_KINDS as readonly string[]).includes(kind);
}

/** Renders one report of the given kind. */
export function renderReport(options: { kind: ReportKind; input: ReportInput } & RenderOptions): string {
  const { kind, input, ...renderOptions } = options;
  return RENDERERS[kind](input, renderOptions);
}
