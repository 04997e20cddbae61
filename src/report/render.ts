/** Every report format by name, each a pure function of a validated run result. */
import { renderHtml } from './html.js';
import { renderJunit } from './junit.js';
import { renderMarkdown } from './markdown.js';
import type { RunResult } from '../result/schema.js';

export const REPORT_FORMATS = ['md', 'html', 'junit', 'json'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export const RENDERERS: Record<ReportFormat, (result: RunResult) => string> = {
  md: renderMarkdown,
  html: renderHtml,
  junit: renderJunit,
  json: (result) => `${JSON.stringify(result, null, 2)}\n`,
};
