// Where the keyboard focus is in a page: the focused element's tag, text, label, id, grid cell
// and conversation, for tests that walk the app by keyboard alone.
import type { Page } from 'playwright-core';

export const focused = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement;
    return {
      tag: el?.tagName.toLowerCase(),
      text: el?.textContent?.trim().slice(0, 60) ?? '',
      label: el?.getAttribute('aria-label'),
      id: el?.id,
      cell: el?.getAttribute('data-cell'),
      conversation: el?.closest('[data-conversation-id]')?.getAttribute('data-conversation-id'),
    };
  });
