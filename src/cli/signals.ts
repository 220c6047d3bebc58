/**
 * Stop signals for long commands: Ctrl-C (SIGINT), SIGTERM (docker stop,
 * systemd, `timeout`) and SIGHUP (a closed terminal or SSH session) all mean
 * "stop soon, losing nothing". The first one asks the running command to stop
 * at its next safe point (training: a checkpoint at the current step); a
 * second one exits at once. Either way the exit code is the shell's for that
 * signal: 128 + its number (SIGHUP 129, SIGINT 130, SIGTERM 143).
 */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

const SIGNAL_NUMBERS: Record<StopSignal, number> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

/** The exit code a process stopped by `signal` reports (what a shell shows as $?). */
export function signalExitCode(signal: StopSignal): number {
  return 128 + SIGNAL_NUMBERS[signal];
}

/** True for the exit codes `signalExitCode` gives. */
export function isSignalExitCode(code: number): boolean {
  return STOP_SIGNALS.some((s) => signalExitCode(s) === code);
}

export interface StopRequests {
  /** The first stop signal received, or null. */
  readonly received: StopSignal | null;
  /** Removes the handlers (the default behaviour returns). */
  dispose(): void;
}

/**
 * Installs handlers for the stop signals. `say` prints a line (it must not
 * throw: the terminal may be gone); `command` names the command in it.
 */
export function watchStopSignals(command: string, say: (line: string) => void): StopRequests {
  let received: StopSignal | null = null;
  const handlers = STOP_SIGNALS.map((signal) => {
    const handler = (): void => {
      if (received !== null) {
        say(`\n${command}: ${signal} again, exiting without a checkpoint`);
        process.exit(signalExitCode(signal));
      }
      received = signal;
    };
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  return {
    get received() {
      return received;
    },
    dispose() {
      for (const [signal, handler] of handlers) process.off(signal, handler);
    },
  };
}
