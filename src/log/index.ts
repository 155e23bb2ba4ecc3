export { createLogger, type Logger, type LogFn, type LoggerOptions } from './logger.ts';
export { fdDestination, stdoutDestination, type LogDestination } from './destination.ts';
export { LEVELS, levelValue, type LevelName, type LevelSetting } from './levels.ts';
export { isErrorLike, serializeError, type SerializedError } from './serialize-error.ts';
export { safeJson } from './safe-json.ts';
