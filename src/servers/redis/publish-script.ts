/**
 * The publish script: one batch (one event, ts and data for one or more
 * channels) numbered and stored atomically. Redis runs a script alone, so
 * per channel the INCR and the history entry happen together, and the
 * fan-out entry of a batch is appended in the same step: the fan-out
 * stream's order is the seq order of every channel, whichever node
 * published.
 *
 * KEYS: the fan-out stream, then per channel its seq counter and history stream.
 * ARGV: history size, history TTL (ms, 0: none), fan-out length, event, ts, data JSON, channels...
 * Returns the seqs, in channel order.
 */
export const PUBLISH_LUA = `
local size = tonumber(ARGV[1])
local ttl = tonumber(ARGV[2])
local minId
if ttl > 0 then
  local now = redis.call('TIME')
  minId = tostring(tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) - ttl)
end
local seqs = {}
local channels = {}
for i = 7, #ARGV do
  local k = (i - 7) * 2 + 2
  local seq = redis.call('INCR', KEYS[k])
  seqs[#seqs + 1] = seq
  channels[#channels + 1] = ARGV[i]
  if size > 0 then
    redis.call('XADD', KEYS[k + 1], 'MAXLEN', size, '*', 's', seq, 'e', ARGV[4], 't', ARGV[5], 'd', ARGV[6])
    if ttl > 0 then
      redis.call('XTRIM', KEYS[k + 1], 'MINID', minId)
      redis.call('PEXPIRE', KEYS[k + 1], ttl)
    end
  end
end
redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[3], '*',
  'c', table.concat(channels, ','), 's', table.concat(seqs, ','), 'e', ARGV[4], 't', ARGV[5], 'd', ARGV[6])
return seqs
`;
