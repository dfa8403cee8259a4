/**
 * Progress of a training run for people: step, loss, lr, images/s and ETA.
 *
 * On a TTY, one `cli-progress` bar redrawn in place; otherwise (logs, CI, pipes) a plain line every
 * `every` steps and at the end, e.g. `step 200/1000  loss 0.4123  lr 9.0e-4  812.5 img/s  ETA 1m 03s`.
 * With a wall-clock budget the total is unknown; the ETA is then the time left of the budget.
 * A reporter only writes to its stream; it never affects training.
 */
import cliProgress from 'cli-progress'

/** What the loop tells a reporter after each step. */
export interface ProgressUpdate {
  readonly step: number
  readonly loss: number
  readonly lr?: number
  readonly imagesPerSecond: number
  /** Seconds left, when known. */
  readonly etaSeconds?: number
}

/** Receives the loop's progress. */
export interface ProgressReporter {
  start(total: number | undefined, startStep: number): void
  update(u: ProgressUpdate): void
  stop(): void
}

/** `1m 03s`, `12 s`, `1h 02m`. */
export const formatEta = (seconds: number): string => {
  if (!Number.isFinite(seconds) || seconds < 0) return '?'
  const s = Math.round(seconds)
  if (s < 60) return `${s} s`
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
}

/** The plain progress line of a step. */
export const progressLine = (u: ProgressUpdate, total: number | undefined): string =>
  [
    `step ${u.step}${total === undefined ? '' : `/${total}`}`,
    `loss ${u.loss.toPrecision(4)}`,
    ...(u.lr === undefined ? [] : [`lr ${u.lr.toExponential(1)}`]),
    `${u.imagesPerSecond.toFixed(1)} img/s`,
    `ETA ${u.etaSeconds === undefined ? '?' : formatEta(u.etaSeconds)}`,
  ].join('  ')

/** Plain lines every `every` steps (and on stop): for logs and non-TTY streams. */
export const lineProgress = (write: (line: string) => void, every: number): ProgressReporter => {
  let total: number | undefined
  let last: ProgressUpdate | undefined
  let lastWritten = -1
  return {
    start: (t) => {
      total = t
    },
    update: (u) => {
      last = u
      if (u.step % every === 0) {
        write(progressLine(u, total))
        lastWritten = u.step
      }
    },
    stop: () => {
      if (last !== undefined && last.step !== lastWritten) write(progressLine(last, total))
    },
  }
}

/** A cli-progress bar (TTY only); without a step total (wall-clock budget) the bar shows the step alone. */
export const barProgress = (stream: NodeJS.WriteStream): ProgressReporter => {
  let bar: cliProgress.SingleBar | undefined
  return {
    start: (total, startStep) => {
      const format = total === undefined
        ? 'step {value}  loss {loss}  lr {lr}  {ips} img/s  ETA {etaText}'
        : 'step {value}/{total} [{bar}] loss {loss}  lr {lr}  {ips} img/s  ETA {etaText}'
      bar = new cliProgress.SingleBar({ stream, format, hideCursor: true, clearOnComplete: false }, cliProgress.Presets.shades_classic)
      bar.start(total ?? startStep, startStep, { loss: '—', lr: '—', ips: '—', etaText: '?' })
    },
    update: (u) => {
      if (bar === undefined) return
      bar.update(u.step, {
        loss: u.loss.toPrecision(4),
        lr: u.lr === undefined ? '—' : u.lr.toExponential(1),
        ips: u.imagesPerSecond.toFixed(1),
        etaText: u.etaSeconds === undefined ? '?' : formatEta(u.etaSeconds),
      })
    },
    stop: () => {
      bar?.stop()
      bar = undefined
    },
  }
}

/** The reporter for a stream: a bar on a TTY, plain lines every `every` steps otherwise. */
export const consoleProgress = (stream: NodeJS.WriteStream = process.stderr, every = 50): ProgressReporter =>
  stream.isTTY === true ? barProgress(stream) : lineProgress((line) => stream.write(`${line}\n`), every)
