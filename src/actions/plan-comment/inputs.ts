/** Inputs of plan-comment, parsed once into a typed object. Names are the public interface (action.yml). */
import { InputError } from '../../common/errors.js';
import {
  readBoolean,
  readEnum,
  readInteger,
  readOptional,
  readString,
  readUrl,
  readGithubToken,
  type InputReader,
} from '../../common/inputs.js';
import { NO_CHANGES_POLICIES, type NoChangesPolicy } from '../../github/plan-comment.js';
import { readPlanInput, type PlanInput } from '../../terraform/source.js';

export const MODES = ['upsert', 'recreate', 'off'] as const;
/** `planned`: a plan to review; after an apply, `applied` or `apply-failed` puts that on the label's comment. */
export const STATUSES = ['planned', 'applied', 'apply-failed'] as const;
/** GitHub refuses comments longer than 65,536 characters. */
export const GITHUB_COMMENT_LIMIT = 65536;
/** Below this, not even the heading, counts and warnings fit. */
export const MIN_LENGTH = 4000;

/** Defaults applied in code; the same values as action.yml's (a test keeps them equal). */
export const INPUT_DEFAULTS = {
  'terraform-cmd': 'terraform',
  'working-directory': '.',
  mode: 'upsert',
  'on-no-changes': 'comment',
  'max-length': '65000',
  'job-summary': 'true',
  status: 'planned',
} as const;

export interface PlanCommentInputs {
  plan: PlanInput;
  workingDirectory: string;
  /** The comment's key (in its hidden marker; apply-gate finds it by the same): `label`, else working-directory. */
  label: string;
  /** What the heading and log name: `label`, else working-directory unless that is the root (`.`). */
  title: string | undefined;
  githubToken: string;
  pullRequest: number | undefined;
  mode: (typeof MODES)[number];
  onNoChanges: NoChangesPolicy;
  maxLength: number;
  detailsUrl: string | undefined;
  commentAuthor: string | undefined;
  jobSummary: boolean;
  status: (typeof STATUSES)[number];
}

export function parseInputs(io: InputReader): PlanCommentInputs {
  const plan = readPlanInput(io, true, INPUT_DEFAULTS['terraform-cmd']);
  const workingDirectory = readString(io, 'working-directory', INPUT_DEFAULTS['working-directory']);
  const label = readString(io, 'label', workingDirectory);
  if (/[\r\n]/.test(label)) throw new InputError('label', label, 'a single line');
  const title = readOptional(io, 'label') ?? (isRoot(workingDirectory) ? undefined : workingDirectory);
  const mode = readEnum(io, 'mode', MODES, INPUT_DEFAULTS.mode);
  const githubToken =
    mode === 'off'
      ? readString(io, 'github-token')
      : readGithubToken(
          io,
          'a token that can write pull request comments (default: ${{ github.token }}), or mode: off',
        );
  const pullRequest = readInteger(io, 'pull-request', { min: 1 });
  return {
    plan,
    workingDirectory,
    label,
    title,
    githubToken,
    pullRequest,
    mode,
    onNoChanges: readEnum(io, 'on-no-changes', NO_CHANGES_POLICIES, INPUT_DEFAULTS['on-no-changes']),
    maxLength: readInteger(io, 'max-length', {
      min: MIN_LENGTH,
      max: GITHUB_COMMENT_LIMIT,
      fallback: INPUT_DEFAULTS['max-length'],
    }),
    detailsUrl: readUrl(io, 'details-url'),
    commentAuthor: readOptional(io, 'comment-author'),
    jobSummary: readBoolean(io, 'job-summary', INPUT_DEFAULTS['job-summary']),
    status: readEnum(io, 'status', STATUSES, INPUT_DEFAULTS.status),
  };
}

/** The workspace root: `.`, `./` or an empty path. */
function isRoot(directory: string): boolean {
  return /^\.?\/?$/.test(directory);
}
