// Zod schemas of every stored entity (DESIGN 5). Files are validated with these on every read.
// Objects are loose: a field written by a newer Lockstep survives a rewrite by an older one.
import { z } from 'zod';

export const FORMAT_VERSION = 1;

const isoTime = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/, 'expected an ISO-8601 UTC time');
const text = (max: number) => z.string().max(max);
const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'expected a name of letters, digits, ".", "_" or "-"');

export const AgentName = name;
export const TaskId = z.string().regex(/^T-[0-9A-Z]{4,8}$/, 'expected a task id like T-7K2M');
export const IssueId = z.string().regex(/^I-[0-9A-Z]{4,8}$/, 'expected an issue id like I-7K2M');
export const LeaseId = z.string().regex(/^L-[0-9A-Z]{4,8}$/, 'expected a lease id like L-7K2M');
export const NoteId = z.string().regex(/^N-[0-9A-Z]{8,10}$/, 'expected a note id like N-7K2M9QXA');
export const DiscussionId = z.string().regex(/^D-[0-9A-Z]{4,8}$/, 'expected a discussion id like D-7K2M');
export const DeliveryId = z.string().regex(/^V-[0-9A-Z]{4,8}$/, 'expected a delivery id like V-7K2M');
export const MessageId = z.string().regex(/^M-[0-9A-Z]{4,10}$/);

export const ROLES = ['planner', 'implementer', 'reviewer', 'all'] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

export const TASK_STATUSES = ['todo', 'in_progress', 'blocked', 'review', 'done', 'canceled'] as const;
export const TaskStatus = z.enum(TASK_STATUSES);
export type TaskStatus = z.infer<typeof TaskStatus>;

export const COMPLEXITIES = ['simple', 'medium', 'complex', 'critical'] as const;
export const Complexity = z.enum(COMPLEXITIES);
export type Complexity = z.infer<typeof Complexity>;

export const Isolation = z.enum(['shared', 'worktree']);

export const PROJECT_STATUSES = ['planning', 'ready', 'in_progress', 'complete', 'stopped'] as const;
export const ProjectStatus = z.enum(PROJECT_STATUSES);
export type ProjectStatus = z.infer<typeof ProjectStatus>;

export const Settings = z.looseObject({
  taskLeaseSec: z.number().int().positive().default(3600),
  issueLeaseSec: z.number().int().positive().default(7200),
  lockTtlSec: z.number().int().positive().default(900),
  /** Tasks one issue may hold; 0 = no limit. Checked inside the transaction. */
  maxTasksPerIssue: z.number().int().min(0).default(0),
  /** How long a next task reserved for a worker at review stays bound to that worker. */
  reservationSec: z.number().int().positive().default(900),
  /** How long a planner's claim on a signal (question, blocker, submission) holds before redelivery. */
  signalClaimSec: z.number().int().positive().default(600),
  /** A reviewer's claim on a delivery. */
  deliveryLeaseSec: z.number().int().positive().default(3600),
});
export type Settings = z.infer<typeof Settings>;

export const ProjectContext = z.looseObject({
  description: text(20_000),
  endState: text(20_000),
  techStack: z.array(text(500)).default([]),
  constraints: z.array(text(2_000)).default([]),
  acceptanceCriteria: z.array(text(2_000)).default([]),
  tests: z.array(text(2_000)).default([]),
  implementationPlan: z.array(text(4_000)).default([]),
  preferredImplementer: z.enum(['claude', 'codex']).optional(),
  createdAt: isoTime,
  updatedAt: isoTime,
  updatedBy: name.optional(),
});
export type ProjectContext = z.infer<typeof ProjectContext>;

/** lockstep.yaml: format version, settings, project context and status. */
export const Meta = z.looseObject({
  format: z.number().int().positive(),
  settings: Settings.default(Settings.parse({})),
  projectStatus: ProjectStatus.default('planning'),
  project: ProjectContext.optional(),
});
export type Meta = z.infer<typeof Meta>;

export const Claim = z.looseObject({
  by: name,
  at: isoTime,
  expiresAt: isoTime.optional(),
});

/** A single consumer's hold on a signal or delivery; another consumer gets it only after `until`. */
export const Hold = z.looseObject({
  by: name,
  until: isoTime,
});

export const FeedbackDetail = z.looseObject({
  dimension: text(100),
  severity: z.enum(['info', 'minor', 'major', 'critical']),
  content: text(5_000),
  file: text(1_000).optional(),
  lines: text(100).optional(),
  suggestion: text(5_000).optional(),
});

export const Score = z.literal([1, 2, 5]);

export const Review = z.looseObject({
  notes: text(20_000).optional(),
  requestedAt: isoTime.optional(),
  verdict: z.enum(['approved', 'changes_requested']).optional(),
  feedback: text(20_000).optional(),
  score: Score.optional(),
  details: z.array(FeedbackDetail).optional(),
  summary: text(20_000).optional(),
  reviewedRefs: z.array(text(1_000)).optional(),
  reviewedBy: name.optional(),
  reviewedAt: isoTime.optional(),
});

/** One verdict in a task's life; the difficulty policy reads a worker's scores from these. */
export const ReviewRecord = z.looseObject({
  worker: name,
  verdict: z.enum(['approved', 'changes_requested']),
  score: Score.optional(),
  points: z.number().int().min(0).default(0),
  by: name,
  at: isoTime,
});

export const Submission = z.looseObject({
  at: isoTime,
  by: name,
  summary: text(20_000).optional(),
  changedFiles: z.array(text(1_000)).default([]),
  testCases: z.array(text(2_000)).default([]),
  testResult: z.enum(['passed', 'failed']).optional(),
  testOutput: text(100_000).optional(),
  diff: text(200_000).optional(),
  links: z.array(text(2_000)).default([]),
  /** The planner who is handling this submission as a signal (events_wait). */
  hold: Hold.optional(),
});

export const TaskMessage = z.looseObject({
  id: MessageId,
  kind: z.enum(['question', 'blocker', 'message', 'reply']),
  from: name,
  at: isoTime,
  content: text(20_000),
  replyTo: MessageId.optional(),
  refs: z.array(text(1_000)).default([]),
  /** The planner who is handling this question or blocker as a signal (events_wait). */
  hold: Hold.optional(),
});

/** A todo task held for one worker (chosen at review); nobody else can claim it until `until`. */
export const Reservation = z.looseObject({
  for: name,
  until: isoTime,
  by: name.optional(),
  /** The reviewed task whose approval reserved this one. */
  after: TaskId.optional(),
});

export const Task = z.looseObject({
  id: TaskId,
  title: text(500),
  description: text(50_000).optional(),
  status: TaskStatus,
  complexity: Complexity,
  isolation: Isolation.default('shared'),
  owner: name.optional(),
  tags: z.array(text(100)).default([]),
  metadata: z.record(z.string(), z.unknown()).optional(),
  issue: IssueId.optional(),
  dependsOn: z.array(TaskId).default([]),
  points: z.number().int().min(0).optional(),
  labels: z.array(text(100)).default([]),
  suggestedFiles: z.array(text(1_000)).default([]),
  specDoc: text(300).optional(),
  claim: Claim.optional(),
  review: Review.optional(),
  submission: Submission.optional(),
  messages: z.array(TaskMessage).default([]),
  reservation: Reservation.optional(),
  reviews: z.array(ReviewRecord).default([]),
  /** Set when the task is approved and its owner has a worktree branch: the tree that was approved (worktree_merge refuses another, APPROVAL_STALE). */
  approvedTree: z.looseObject({ branch: text(255), commit: z.string().regex(/^[0-9a-f]{40}$/), tree: z.string().regex(/^[0-9a-f]{40}$/), at: isoTime }).optional(),
  /** Set by worktree_merge: the agent branch merged for this task and the resulting commit. */
  merged: z.looseObject({ commit: z.string().regex(/^[0-9a-f]{40}$/), branch: text(255), into: text(255), by: name, at: isoTime }).optional(),
  createdAt: isoTime,
  createdBy: name,
  updatedAt: isoTime,
});
export type Task = z.infer<typeof Task>;

export const ISSUE_STATUSES = ['open', 'in_progress', 'done', 'canceled'] as const;
export const Issue = z.looseObject({
  id: IssueId,
  subject: text(500),
  description: text(50_000).optional(),
  status: z.enum(ISSUE_STATUSES),
  leaseExpiresAt: isoTime.optional(),
  docs: z.array(text(300)).default([]),
  sharedDocPaths: z.array(text(1_000)).default([]),
  projectDocPaths: z.array(text(1_000)).default([]),
  summary: text(20_000).optional(),
  closedBy: name.optional(),
  closedAt: isoTime.optional(),
  /** The approved delivery the issue was closed with. */
  delivery: DeliveryId.optional(),
  /** Closed with withoutDelivery: true and no approved delivery. */
  closedWithoutDelivery: z.boolean().optional(),
  createdAt: isoTime,
  createdBy: name,
  updatedAt: isoTime,
});
export type Issue = z.infer<typeof Issue>;

export const Note = z.looseObject({
  id: NoteId,
  text: text(20_000),
  author: name,
  kind: z.enum(['note', 'system', 'log']).default('note'),
  task: TaskId.optional(),
  /** log_append entries: the event name and its payload. */
  event: text(100).optional(),
  payload: z.record(z.string(), z.unknown()).optional(),
  createdAt: isoTime,
});
export type Note = z.infer<typeof Note>;

export const Lease = z.looseObject({
  id: LeaseId,
  owner: name,
  paths: z.array(text(4_096)).min(1),
  exclusive: z.boolean().default(true),
  task: TaskId.optional(),
  reason: text(2_000).optional(),
  acquiredAt: isoTime,
  heartbeatAt: isoTime,
  expiresAt: isoTime,
  ttlSec: z.number().int().positive(),
});
export type Lease = z.infer<typeof Lease>;

export const Agent = z.looseObject({
  name,
  role: Role,
  type: z.enum(['claude', 'codex', 'other']).default('other'),
  status: z.enum(['active', 'stopped']).default('active'),
  isolation: Isolation.default('shared'),
  worktree: text(4_096).optional(),
  branch: text(255).optional(),
  pid: z.number().int().positive().optional(),
  host: text(255).optional(),
  /** The dead process this name was last taken over from (coordination_init with a dead agent's name). */
  takenOver: z.looseObject({ pid: z.number().int().positive(), host: text(255).optional(), at: isoTime }).optional(),
  registeredAt: isoTime,
  lastSeen: isoTime,
});
export type Agent = z.infer<typeof Agent>;

export const DiscussionMessage = z.looseObject({
  id: MessageId,
  author: name,
  message: text(20_000),
  recommendation: text(20_000).optional(),
  at: isoTime,
});

export const Discussion = z.looseObject({
  id: DiscussionId,
  topic: text(500),
  category: z.enum(['architecture', 'implementation', 'blocker', 'question', 'other']).default('other'),
  priority: z.enum(['low', 'medium', 'high', 'blocking']).default('medium'),
  status: z.enum(['open', 'waiting', 'resolved', 'archived']),
  createdBy: name,
  waitingOn: name.optional(),
  decision: text(20_000).optional(),
  reasoning: text(20_000).optional(),
  decidedBy: name.optional(),
  linkedTask: TaskId.optional(),
  messages: z.array(DiscussionMessage).default([]),
  createdAt: isoTime,
  updatedAt: isoTime,
  resolvedAt: isoTime.optional(),
  archivedAt: isoTime.optional(),
});
export type Discussion = z.infer<typeof Discussion>;

export const CommandResult = z.looseObject({
  command: text(2_000),
  passed: z.boolean(),
  exitCode: z.number().int().optional(),
  output: text(100_000),
});

/** How the planner proved the issue works: a test script and a documented manual procedure. */
export const TestEvidence = z.looseObject({
  scriptPath: text(1_000),
  scriptCmd: text(2_000),
  scriptPassed: z.boolean(),
  scriptResult: text(100_000),
  docPath: text(1_000),
  docCommands: z.array(text(2_000)).min(1),
  docResults: z.array(CommandResult).min(1),
  docPassed: z.boolean(),
});

/** What the reviewer saw when re-running the evidence. */
export const Verification = z.looseObject({
  scriptPassed: z.boolean(),
  scriptResult: text(100_000),
  docPassed: z.boolean(),
  docResults: z.array(CommandResult).min(1),
});

export const Delivery = z.looseObject({
  id: DeliveryId,
  issue: IssueId,
  summary: text(20_000),
  status: z.enum(['open', 'in_review', 'approved', 'rejected']),
  artifacts: z.looseObject({
    testResult: z.enum(['passed', 'failed']),
    testCases: z.array(text(2_000)).default([]),
    changedFiles: z.array(text(1_000)).default([]),
    reviewedRefs: z.array(text(1_000)).default([]),
    testOutput: text(100_000).optional(),
    knownRisks: text(20_000).optional(),
  }),
  testEvidence: TestEvidence,
  verification: Verification.optional(),
  deliveredBy: name,
  deliveredAt: isoTime,
  /** The reviewer holding it (in_review); free again after `until`. */
  hold: Hold.optional(),
  reviewedBy: name.optional(),
  reviewedAt: isoTime.optional(),
  feedback: text(20_000).optional(),
  updatedAt: isoTime,
});
export type Delivery = z.infer<typeof Delivery>;
