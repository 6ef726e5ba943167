/**
 * The effects an action has on its run, behind one small interface: inputs, outputs, secrets, log lines and
 * annotations, the job summary. `coreIO()` is the real one (@actions/core); tests hand in a recorder.
 */
import * as core from '@actions/core';

export interface ActionIO {
  /** The raw input, trimmed; '' when not set. */
  getInput(name: string): string;
  setOutput(name: string, value: string): void;
  setSecret(value: string): void;
  debug(message: string): void;
  info(message: string): void;
  notice(message: string): void;
  warning(message: string): void;
  error(message: string): void;
  setFailed(message: string): void;
  group<T>(title: string, body: () => Promise<T>): Promise<T>;
  /** Append markdown to the job summary; a no-op outside a runner (no GITHUB_STEP_SUMMARY). */
  appendSummary(markdown: string): Promise<void>;
}

export function coreIO(): ActionIO {
  return {
    getInput: (name) => core.getInput(name),
    setOutput: (name, value) => core.setOutput(name, value),
    setSecret: (value) => core.setSecret(value),
    debug: (message) => core.debug(message),
    info: (message) => core.info(message),
    notice: (message) => core.notice(message),
    warning: (message) => core.warning(message),
    error: (message) => core.error(message),
    setFailed: (message) => core.setFailed(message),
    group: (title, body) => core.group(title, body),
    appendSummary: async (markdown) => {
      if (!process.env['GITHUB_STEP_SUMMARY']) {
        core.debug('GITHUB_STEP_SUMMARY is not set: no job summary written.');
        return;
      }
      await core.summary.addRaw(markdown, true).write();
      core.summary.emptyBuffer();
    },
  };
}
