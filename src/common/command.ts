/** Running a command and capturing its output in full (a plan's JSON can be hundreds of megabytes). */
import { spawn } from 'node:child_process';

export interface CommandResult {
  exitCode: number;
  stdout: Buffer;
  stderr: string;
}

export interface CommandRunner {
  run(
    command: string,
    args: string[],
    options: { cwd: string; env?: NodeJS.ProcessEnv },
  ): Promise<CommandResult>;
}

export class CommandNotFoundError extends Error {
  constructor(readonly command: string) {
    super(`command not found: ${command}`);
    this.name = 'CommandNotFoundError';
  }
}

export const spawnRunner: CommandRunner = {
  run(command, args, options) {
    return new Promise((resolve, reject) => {
      const child = spawn(command, args, {
        cwd: options.cwd,
        env: options.env ?? process.env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
      child.on('error', (error: NodeJS.ErrnoException) => {
        reject(error.code === 'ENOENT' ? new CommandNotFoundError(command) : error);
      });
      child.on('close', (code, signal) => {
        resolve({
          exitCode: code ?? (signal ? 128 : 1),
          stdout: Buffer.concat(out),
          stderr: Buffer.concat(err).toString('utf8'),
        });
      });
    });
  },
};
