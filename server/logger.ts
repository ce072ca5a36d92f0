import pino, { type DestinationStream, type Logger } from "pino";
import { getEnv } from "./env";
import { redactSecrets, scrubSecrets } from "./redact";

// Structured JSON logs. Every object and message passes through redactSecrets/scrubSecrets, so an
// Authorization header, a cookie, a token, a secret or a code never reaches a log line, even when it
// hides inside an error message.

export function createLogger(destination?: DestinationStream, level?: string): Logger {
  return pino(
    {
      level: level ?? getEnv().LOG_LEVEL,
      base: { service: "tumiki" },
      serializers: { err: (error: unknown) => redactSecrets(error) },
      formatters: { log: (object) => redactSecrets(object) },
      hooks: {
        logMethod(args, method) {
          method.apply(
            this,
            args.map((arg) => (typeof arg === "string" ? scrubSecrets(arg) : arg)) as Parameters<
              typeof method
            >,
          );
        },
      },
    },
    destination,
  );
}

let instance: Logger | undefined;

export function getLogger(): Logger {
  instance ??= createLogger();
  return instance;
}
