/** Process ids for tests of locks and leftovers: one that has exited, one that is alive. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

/** The pid of a process that has exited (no process has it now, barring reuse within the test). */
export function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(r.stdout.toString());
}

/** A process that sleeps until killed (its pid is alive); kill it when done. */
export function liveProcess(): ChildProcess & { pid: number } {
  return spawn('sleep', ['300'], { stdio: 'ignore' }) as ChildProcess & { pid: number };
}
