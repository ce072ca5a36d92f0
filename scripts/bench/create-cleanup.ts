// The bench's undo list: every resource it creates (process, database, session, Redis key) registers
// how to release it, and run() releases all, newest first, once, whether the bench ends normally, fails
// or is interrupted. A failing step is reported and the others still run.

export type TCleanup = {
  add(name: string, step: () => Promise<unknown>): void;
  run(): Promise<void>;
};

export function createCleanup(): TCleanup {
  const steps: { name: string; step: () => Promise<unknown> }[] = [];
  let running: Promise<void> | undefined;
  return {
    add(name, step) {
      steps.push({ name, step });
    },
    run() {
      running ??= (async () => {
        for (const { name, step } of [...steps].reverse()) {
          try {
            await step();
          } catch (error) {
            console.error(`[bench] cleanup: ${name} failed:`, error instanceof Error ? error.message : error);
          }
        }
      })();
      return running;
    },
  };
}
