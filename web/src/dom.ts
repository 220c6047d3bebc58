/** The few DOM helpers the page needs (no framework: the page is a handful of forms and canvases). */
import { StateError, ValueError } from 'genzoo';

/** The element with this id; a missing one is a bug in index.html, named. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new StateError(`playground: index.html has no element #${id}`);
  return el as T;
}

/** A new element with attributes and children. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: Array<Node | string>): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  el.append(...children);
  return el;
}

/** An integer input's value, checked against its min and max; the error names the field. */
export function intValue(input: HTMLInputElement, name: string): number {
  const v = Number(input.value);
  const min = input.min === '' ? -Infinity : Number(input.min);
  const max = input.max === '' ? Infinity : Number(input.max);
  if (input.value.trim() === '' || !Number.isInteger(v) || v < min || v > max) {
    throw new ValueError(`${name} must be an integer from ${min} to ${max}, got '${input.value}'`);
  }
  return v;
}

/** Shows a message in an alert element (empty: hides it). */
export function showError(el: HTMLElement, message: string): void {
  el.textContent = message;
  el.hidden = message === '';
}

/** Offers bytes as a file download. */
export function download(name: string, bytes: Uint8Array | string, type: string): void {
  const blob = new Blob([typeof bytes === 'string' ? bytes : bytes.slice()], { type });
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Formats a number of seconds as 1h02m, 3m05s or 7s ('--' while unknown). */
export function duration(sec: number): string {
  if (!Number.isFinite(sec) || sec < 0) return '--';
  const s = Math.round(sec);
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  if (hh > 0) return `${hh}h${String(mm).padStart(2, '0')}m`;
  if (mm > 0) return `${mm}m${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}
