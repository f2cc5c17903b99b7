// The environment's defaults and its refusals, and how it maps onto the server's security config.
import { describe, expect, it } from 'vitest';
import { configFromEnv, securityFromEnv } from './config.ts';
import { readEnv } from './env.ts';
import { startServerProcess } from './test/process.ts';

const errorOf = (env: NodeJS.ProcessEnv) => {
  try {
    readEnv(env);
  } catch (err) {
    return (err as Error).message;
  }
  return '';
};

describe('readEnv', () => {
  it('defaults every limit', () => {
    const env = readEnv({});
    expect(env.QUERYLANE_MAX_MESSAGE_BYTES).toBe(65_536);
    expect([
      env.QUERYLANE_ROOM_MAX_MEMBERS,
      env.QUERYLANE_COMMENTS_PER_MINUTE,
      env.QUERYLANE_RESTART,
    ]).toEqual([20, 30, 'self']);
    expect(securityFromEnv(env)).toEqual({
      auth: { mode: 'none' },
      allowInsecure: false,
      allowedOrigins: [],
      allowedHosts: [],
      maxConnectionsPerUser: 5,
      maxConnectionsPerIp: 20,
      runsPerMinute: 600,
      writesPerMinute: 120,
      wsMessagesPerSecond: 100,
      maxCallsPerBatch: 100,
      auditMaxRows: 100_000,
    });
  });

  it('reads token auth, origins and limits', () => {
    const env = readEnv({
      QUERYLANE_AUTH: 'token',
      QUERYLANE_TOKENS: 'tokenA:alice,tokenB:bob,tokenC:root:admin',
      QUERYLANE_ALLOWED_ORIGINS: 'https://a.example, https://b.example',
      QUERYLANE_ALLOW_INSECURE: '1',
      QUERYLANE_MAX_CONNECTIONS_PER_USER: '2',
      QUERYLANE_RUNS_PER_MINUTE: '10',
    });
    const security = securityFromEnv(env);
    expect(security.auth).toEqual({
      mode: 'token',
      tokens: [
        { token: 'tokenA', userId: 'alice', role: 'user' },
        { token: 'tokenB', userId: 'bob', role: 'user' },
        { token: 'tokenC', userId: 'root', role: 'admin' },
      ],
    });
    expect(security.allowedOrigins).toEqual(['https://a.example', 'https://b.example']);
    expect(security.allowInsecure).toBe(true);
    expect(security.maxConnectionsPerUser).toBe(2);
    expect(security.runsPerMinute).toBe(10);
  });

  it('reads the model settings, all or none of URL and name, never echoing the key', () => {
    expect(configFromEnv(readEnv({})).model).toBeUndefined();
    const config = configFromEnv(
      readEnv({
        QUERYLANE_MODEL_URL: 'http://127.0.0.1:11434/v1',
        QUERYLANE_MODEL: 'llama3.1',
        QUERYLANE_MODEL_API_KEY: 'sk-secret-value',
        QUERYLANE_MODEL_SEND_ROWS: '0',
      }),
    );
    expect(config.model).toEqual({
      url: 'http://127.0.0.1:11434/v1',
      model: 'llama3.1',
      apiKey: 'sk-secret-value',
      stageTimeoutMs: 60_000,
      sendRows: 0,
    });
    expect(errorOf({ QUERYLANE_MODEL_URL: 'http://127.0.0.1:11434/v1' })).toContain(
      'QUERYLANE_MODEL: QUERYLANE_MODEL_URL and QUERYLANE_MODEL go together',
    );
    const bad = errorOf({
      QUERYLANE_MODEL_URL: 'ftp://x',
      QUERYLANE_MODEL: 'm',
      QUERYLANE_MODEL_API_KEY: 'sk-secret-value',
    });
    expect(bad).toContain('QUERYLANE_MODEL_URL');
    expect(bad).not.toContain('sk-secret-value');
    expect(errorOf({ QUERYLANE_MODEL_SEND_ROWS: '-1' })).toContain('QUERYLANE_MODEL_SEND_ROWS');
  });

  it('refuses incomplete auth settings, never echoing a token or secret', () => {
    expect(errorOf({ QUERYLANE_AUTH: 'token' })).toContain('QUERYLANE_TOKENS: required');
    const bad = errorOf({ QUERYLANE_AUTH: 'token', QUERYLANE_TOKENS: 'hunter2-token:bad user' });
    expect(bad).toContain('QUERYLANE_TOKENS entry 1');
    expect(bad).not.toContain('hunter2');
    expect(errorOf({ QUERYLANE_AUTH: 'jwt' })).toContain('exactly one of');
    const short = errorOf({ QUERYLANE_AUTH: 'jwt', QUERYLANE_JWT_SECRET: 'short-secret' });
    expect(short).toContain('at least 32 characters');
    expect(short).not.toContain('short-secret');
    expect(errorOf({ QUERYLANE_AUTH: 'ldap' })).toContain('QUERYLANE_AUTH');
    expect(errorOf({ QUERYLANE_ALLOW_INSECURE: 'yes' })).toContain('QUERYLANE_ALLOW_INSECURE');
    expect(errorOf({ QUERYLANE_ROOM_MAX_MEMBERS: '0' })).toContain('QUERYLANE_ROOM_MAX_MEMBERS');
    expect(errorOf({ QUERYLANE_RESTART: 'reboot' })).toContain('QUERYLANE_RESTART');
  });
});

describe('a node of a cluster', () => {
  const cluster = {
    QUERYLANE_DATABASE_URL: 'postgres://querylane:secret@db.internal:5432/querylane',
    QUERYLANE_REDIS_URL: 'redis://redis.internal:6379',
  };

  it('refuses half a cluster, saying which promise would break', () => {
    const noRedis = errorOf({ QUERYLANE_DATABASE_URL: cluster.QUERYLANE_DATABASE_URL });
    expect(noRedis).toContain('QUERYLANE_REDIS_URL: required with QUERYLANE_DATABASE_URL');
    expect(noRedis).toContain('would not see a run until it ends');
    expect(noRedis).not.toContain('secret');
    const noDb = errorOf({ QUERYLANE_REDIS_URL: cluster.QUERYLANE_REDIS_URL });
    expect(noDb).toContain('QUERYLANE_DATABASE_URL: required with QUERYLANE_REDIS_URL');
    expect(noDb).toContain('no other node can find, resume or queue a run');
    expect(errorOf({ ...cluster, QUERYLANE_DATABASE_URL: 'mysql://h/db' })).toContain(
      'a postgres:// or postgresql:// URL',
    );
    expect(errorOf({ QUERYLANE_MAX_CONCURRENT_RUNS: '0' })).toContain('only works in a cluster');
    expect(errorOf({ ...cluster, QUERYLANE_NODE_ID: 'node one' })).toContain('QUERYLANE_NODE_ID');
  });

  it('reads the cluster settings, with a node id of its own for each process', () => {
    const env = readEnv({ ...cluster, QUERYLANE_MAX_CONCURRENT_RUNS: '0' });
    expect(configFromEnv(env).cluster).toEqual({
      databaseUrl: cluster.QUERYLANE_DATABASE_URL,
      redisUrl: cluster.QUERYLANE_REDIS_URL,
      poolSize: 10,
      leaseMs: 10_000,
      reapMs: 2_000,
      pollMs: 1_000,
      heartbeatMs: 2_000,
      streamMaxLen: 10_000,
      streamTtlMs: 600_000,
    });
    expect(configFromEnv(readEnv({})).cluster).toBeNull();
    expect(readEnv({}).QUERYLANE_NODE_ID).not.toBe(readEnv({}).QUERYLANE_NODE_ID);
    expect(readEnv({ QUERYLANE_NODE_ID: 'eu-1.a' }).QUERYLANE_NODE_ID).toBe('eu-1.a');
  });

  it('does not start with half a cluster', async () => {
    const server = startServerProcess({
      dataDir: '/nonexistent',
      env: { QUERYLANE_REDIS_URL: cluster.QUERYLANE_REDIS_URL },
    });
    await expect(server).rejects.toThrow(
      /QUERYLANE_DATABASE_URL: required with QUERYLANE_REDIS_URL/,
    );
  });
});
