export { type Env, readEnv } from './env.ts';
export {
  configFromEnv,
  RESTART_EXIT_CODE,
  type RunningServer,
  type ServerConfig,
  startServer,
} from './server.ts';
