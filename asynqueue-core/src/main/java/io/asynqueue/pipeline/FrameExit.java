package io.asynqueue.pipeline;

import java.util.ArrayDeque;

/**
 * The end of a frame (job_stream's @frameEnd): takes every element the body gives, folds it into its run's
 * store with the end function (whose returned work goes round again), and hands out the results of finished
 * runs: in the order they finish, or, for an ordered frame, in the order their inputs came.
 */
final class FrameExit extends Node {

  private final Plan.FrameStep spec;
  private final FrameEntry entry;
  private final String name;
  private final ArrayDeque<FrameRun> runs = new ArrayDeque<>();
  private final ArrayDeque<Envelope> results = new ArrayDeque<>();

  FrameExit(Engine engine, Plan.FrameStep spec, FrameEntry entry, String name) {
    super(engine);
    this.spec = spec;
    this.entry = entry;
    this.name = name;
  }

  /** @return finished runs waiting to leave */
  int waiting() {
    if (spec.ordered) {
      int n = 0;
      for (FrameRun r : runs) {
        if (r.done) {
          n++;
        }
      }
      return n;
    }
    return results.size();
  }

  void started(FrameRun run) {
    if (spec.ordered) {
      runs.add(run);
    }
  }

  void done(FrameRun run, Envelope result) {
    run.done = true;
    if (spec.ordered) {
      run.result = result;
    } else {
      results.add(result);
    }
  }

  void dropped(FrameRun run) {
    if (spec.ordered) {
      runs.remove(run);
    }
  }

  @Override
  boolean step() {
    boolean changed = false;
    Envelope e;
    while (!engine.stopping && (e = upstream.poll()) != null) {
      changed = true;
      FrameRun run = e.frame;
      if (run.failed) {
        continue;
      }
      try {
        entry.send(run, spec.end.apply(run.store, e.value));
      } catch (Throwable t) {
        engine.elementFailed(name, e.value, t, e);
        continue;
      }
      run.release();
    }
    return changed;
  }

  @Override
  Envelope poll() {
    if (!spec.ordered) {
      return results.poll();
    }
    FrameRun head = runs.peek();
    if (head == null || !head.done) {
      return null;
    }
    runs.poll();
    return head.result;
  }

  @Override
  boolean exhausted() {
    return results.isEmpty() && runs.isEmpty() && upstream.exhausted();
  }
}
