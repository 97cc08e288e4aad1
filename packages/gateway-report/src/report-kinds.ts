import type { RenderOptions, ReportInput } from "./report-input";
import { renderHtml, renderHtmlChunks } from "./render-html";
import { renderJson } from "./render-json";
import { renderJunit, renderJunitChunks } from "./render-junit";
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

/** The kinds whose text can be large come in pieces; the others are one string. */
const CHUNKED: Record<ReportKind, (input: ReportInput, options?: RenderOptions) => Iterable<string>> = {
  junit: renderJunitChunks,
  markdown: (input, options) => [renderMarkdown(input, options)],
  html: renderHtmlChunks,
  json: (input, options) => [renderJson(input, options)],
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

/**
 * Renders one report of the given kind as pieces of text, in order: joined, they are
 * `renderReport`'s text. For writing a large report (JUnit of 100k cases is ~15 MB) as it is
 * rendered, without holding or copying it whole.
 */
export function renderReportChunks(options: { kind: ReportKind; input: ReportInput } & RenderOptions): Iterable<string> {
  const { kind, input, ...renderOptions } = options;
  return CHUNKED[kind](input, renderOptions);
}
