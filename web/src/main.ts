/**
 * The playground page: tabs, the header's status line, and the four panels
 * (train-panel, explore-panel, files-panel, kl-panel). The page is the static
 * index.html — painted before any script runs — made live by these modules;
 * genzoo's browser bundle is its only dependency, and the training and the
 * model run in Web Workers (train-worker.ts, model-worker.ts; probe-worker.ts finds what each backend can do).
 */
import { byId } from './dom.js';
import { setupExplorePanel } from './explore-panel.js';
import { setupFilesPanel } from './files-panel.js';
import { setupKLPanel } from './kl-panel.js';
import { ModelClient } from './model-client.js';
import './state.js';
import { setupTrainPanel } from './train-panel.js';

function setupTabs(): void {
  const tabs = Array.from(document.querySelectorAll<HTMLButtonElement>('[role="tab"]'));
  const select = (tab: HTMLButtonElement, focus: boolean): void => {
    for (const t of tabs) {
      const on = t === tab;
      t.setAttribute('aria-selected', String(on));
      t.tabIndex = on ? 0 : -1;
      byId(t.getAttribute('aria-controls')!).hidden = !on;
    }
    if (focus) tab.focus();
    history.replaceState(null, '', `#${tab.id.slice(4)}`);
  };
  tabs.forEach((tab, i) => {
    tab.addEventListener('click', () => select(tab, false));
    // The WAI-ARIA tabs pattern: arrows move between tabs, Home and End jump.
    tab.addEventListener('keydown', (e) => {
      const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[e.key];
      if (next === undefined) return;
      e.preventDefault();
      select(tabs[(next + tabs.length) % tabs.length], true);
    });
  });
  const fromHash = tabs.find((t) => t.id === `tab-${location.hash.slice(1)}`);
  select(fromHash ?? tabs[0], false);
}

function setupStatus(): void {
  const status = byId('status');
  status.textContent = crossOriginIsolated
    ? 'Cross-origin isolated: wasm runs its worker threads.'
    : 'Not cross-origin isolated: wasm runs on one thread (everything else works; see docs/web.md).';
}

setupTabs();
setupStatus();
const modelClient = new ModelClient();
setupExplorePanel(modelClient);
setupFilesPanel(modelClient);
setupTrainPanel(modelClient);
setupKLPanel();
document.documentElement.dataset.ready = 'true';
