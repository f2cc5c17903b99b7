export { type Env, readEnv } from './env.ts';
export { configFromEnv, type RunningServer, type ServerConfig, startServer } from './server.ts';
