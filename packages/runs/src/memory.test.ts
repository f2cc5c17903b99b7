// The in-process adapters against their port contracts.
import { MemoryRunQueue } from './memory-queue.ts';
import { describeRunQueue } from './testing/index.ts';

describeRunQueue('in-process', async () => ({
  queue: new MemoryRunQueue(),
  close: async () => {},
}));
