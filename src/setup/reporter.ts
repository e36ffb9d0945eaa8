/** How an executor tells the outside world about its steps, without knowing how they are shown. */
export interface StepReporter {
  /** A step starts (or is known to be coming: listed in advance by `plan`). */
  begin(step: string, title: string): void
  /** Progress inside a step, e.g. "waiting for the identity to replicate (attempt 2)". */
  update(step: string, text: string): void
  end(step: string, title: string): void
  /** A step failed: `title` names it, `cause` (the error) says why, in one line. */
  fail(step: string, title: string, cause?: unknown): void
  /** A step that will not run (dry run, or an earlier step failed). */
  skip(step: string, title: string): void
}

/** Records the calls: for tests and for --json (where nothing is shown). */
export class RecordingReporter implements StepReporter {
  readonly events: Array<{kind: 'begin' | 'update' | 'end' | 'fail' | 'skip'; step: string; text: string}> = []
  begin(step: string, text: string): void {
    this.events.push({kind: 'begin', step, text})
  }
  update(step: string, text: string): void {
    this.events.push({kind: 'update', step, text})
  }
  end(step: string, text: string): void {
    this.events.push({kind: 'end', step, text})
  }
  fail(step: string, text: string): void {
    this.events.push({kind: 'fail', step, text})
  }
  skip(step: string, text: string): void {
    this.events.push({kind: 'skip', step, text})
  }
}
