package io.asynqueue.pipeline;

import java.util.ArrayDeque;

/*
 * The start of a frame (job_stream's @frame): for each input it makes a store and asks the head for work;
 * the work goes through the body's nodes to the FrameExit, whose end function folds each result into the
 * store and may send more work round again. Each piece of work is counted in its FrameRun; when the count falls
 * to zero the head is asked again, and when the head gives no more work the run is done and emit(store) leaves
 * the frame.
 *
 * Bounds: at most MAX_RUNS runs are open (or done and waiting to leave) at a time; new inputs wait upstream.
 * Work sent round again is queued here ahead of new inputs; it is what the user's functions returned, already
 * in memory.
 */
final class FrameEntry extends Node {

  static final int MAX_RUNS = 16;

  final Plan.FrameStep spec;
  final String name;
  FrameExit exit;
  private final ArrayDeque<Envelope> feed = new ArrayDeque<>();
  private int open;

  FrameEntry(Engine engine, Plan.FrameStep spec, String name) {
    super(engine);
    this.spec = spec;
    this.name = name;
  }

  @Override
  Envelope poll() {
    Envelope e = feed.poll();
    while (e == null && !engine.stopping && open + exit.waiting() < MAX_RUNS) {
      Envelope in = upstream.poll();
      if (in == null) {
        break;
      }
      startRun(in);
      e = feed.poll();
    }
    return e;
  }

  private void startRun(Envelope in) {
    Object store;
    try {
      store = spec.store.apply(in.value);
    } catch (Throwable t) {
      engine.elementFailed(name, in.value, t, in);
      return;
    }
    FrameRun run = new FrameRun(this, store, in.value, in.frame);
    open++;
    exit.started(run);
    head(run);
  }

  /** Every piece of the run's work is done: ask the head again. */
  void idle(FrameRun run) {
    head(run);
  }

  private void head(FrameRun run) {
    engine.progress();
    Iterable<?> works;
    try {
      works = spec.head.apply(run.store, run.first);
      if (send(run, works)) {
        return;
      }
    } catch (Throwable t) {
      runFailed(run, run.first, t);
      return;
    }
    Object result;
    try {
      result = spec.emit.apply(run.store);
    } catch (Throwable t) {
      runFailed(run, run.store, t);
      return;
    }
    open--;
    exit.done(run, new Envelope(result, run.parent));
  }

  /**
   * Queues work for the run.
   *
   * @return whether there was any
   */
  boolean send(FrameRun run, Iterable<?> works) {
    if (works == null) {
      return false;
    }
    boolean any = false;
    for (Object w : works) {
      run.outstanding++;
      feed.add(new Envelope(w, run));
      any = true;
    }
    return any;
  }

  private void runFailed(FrameRun run, Object element, Throwable t) {
    run.failed = true;
    open--;
    exit.dropped(run);
    // the input that started the run is gone: the enclosing run (if any) counts it as dropped
    engine.elementFailed(name, element, t, new Envelope(element, run.parent));
  }

  @Override
  boolean exhausted() {
    return feed.isEmpty() && open == 0 && upstream.exhausted();
  }
}
