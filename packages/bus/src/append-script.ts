// The one write to a run's Redis stream, as a script so it is atomic and idempotent: each event
// is added with entry id `<seq>-0` only if it is newer than the stream's last entry (a retried
// or overlapping batch adds nothing twice), a stream whose last entry ended the run takes
// nothing more, and what was added is published to the run's channel in the same step.
import { createHash } from 'node:crypto';
import type { RedisClient } from './client.ts';

// KEYS[1] the run's stream. ARGV: channel, maxlen, ttl ms, ttl ms once ended, ends (1|0),
// then seq, payload pairs in order. Returns how many events were added, or -1 if it had ended.
export const APPEND_SCRIPT = `
local top = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
local last = 0
if #top > 0 then
  local fields = top[1][2]
  for i = 1, #fields, 2 do
    if fields[i] == 'end' then return -1 end
  end
  last = tonumber(string.match(top[1][1], '^(%d+)'))
end
local added = {}
local n = #ARGV
for i = 6, n, 2 do
  local seq = tonumber(ARGV[i])
  if seq > last then
    if ARGV[5] == '1' and i == n - 1 then
      redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], ARGV[i] .. '-0', 'e', ARGV[i + 1], 'end', '1')
    else
      redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], ARGV[i] .. '-0', 'e', ARGV[i + 1])
    end
    last = seq
    added[#added + 1] = ARGV[i + 1]
  end
end
if #added > 0 then
  redis.call('PUBLISH', ARGV[1], '[' .. table.concat(added, ',') .. ']')
end
if ARGV[5] == '1' then
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
else
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
end
return #added
`;

const SHA = createHash('sha1').update(APPEND_SCRIPT).digest('hex');

/** Runs the script by its hash, sending it whole when Redis does not know it (after a restart). */
export async function runAppend(
  client: RedisClient,
  keys: string[],
  args: string[],
): Promise<number> {
  try {
    return Number(await client.evalSha(SHA, { keys, arguments: args }));
  } catch (err) {
    if (!String((err as Error)?.message).startsWith('NOSCRIPT')) throw err;
    return Number(await client.eval(APPEND_SCRIPT, { keys, arguments: args }));
  }
}
