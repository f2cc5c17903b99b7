// Test fixtures shared by every workspace: a fresh data dir holding a copy of the shop dataset,
// which is generated once per machine (the copy is cheap; generating is not), and the CTE chain
// whose compile cost doubles per level (the server's hostile suite sends it too).
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureShopDataset } from './shop.ts';

const sharedShop = join(tmpdir(), 'querylane-test-shop.db');

/** A new temporary directory with `shop.db` in it; the caller removes it. */
export function freshShopDir(prefix = 'querylane-test-'): string {
  ensureShopDataset(sharedShop);
  const dir = mkdtempSync(join(tmpdir(), prefix));
  copyFileSync(sharedShop, join(dir, 'shop.db'));
  return dir;
}
export {
  type ScriptedModel,
  type ScriptedReply,
  type ScriptedRequest,
  startScriptedModel,
} from './ask/scripted-model.ts';
export { createLibraryDataset } from './ask/testing.ts';
export { doublingCtes } from './test/helpers.ts';
