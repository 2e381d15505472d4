import type { Report } from '../types.js';
import { renderMarkdown } from './markdown.js';

const escape = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

/** First version: the markdown report in a page. Charts follow. */
export function renderHtml(report: Report): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>DORA report</title></head><body><pre>${escape(renderMarkdown(report))}</pre></body></html>\n`;
}
