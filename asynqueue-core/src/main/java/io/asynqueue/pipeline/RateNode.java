package io.asynqueue.pipeline;

import java.util.function.DoubleSupplier;

/**
 * Lets elements through no faster than a rate, spaced evenly (k3jobq's {@code limit_job_speed}): an element
 * may pass {@code 1 / rate} after the previous one, or at once after a pause. It holds nothing: while it
 * waits, the next element stays upstream, so the stages before it fill up and stop.
 */
final class RateNode extends Node {

  private static final long RECHECK_MS = 100;

  private final DoubleSupplier perSecond;
  private long next;
  private boolean begun;
  private long timer = -1;

  RateNode(Engine engine, DoubleSupplier perSecond) {
    super(engine);
    this.perSecond = perSecond;
  }

  @Override
  Envelope poll() {
    if (engine.stopping) {
      return null;
    }
    long now = System.nanoTime();
    if (begun && now - next < 0) {
      arm((next - now + 999_999) / 1_000_000);
      return null;
    }
    double rate;
    try {
      rate = perSecond.getAsDouble();
    } catch (Throwable t) {
      engine.fail(new PipelineException("rateLimit", t));
      return null;
    }
    if (!(rate > 0)) {
      arm(RECHECK_MS); // a rate of 0 pauses; ask again later
      return null;
    }
    Envelope e = upstream.poll();
    if (e != null) {
      long base = begun && next - now > 0 ? next : now;
      next = base + (long) (1e9 / rate);
      begun = true;
    }
    return e;
  }

  private void arm(long ms) {
    if (timer == -1) {
      timer = engine.ctx.setTimer(Math.max(1, ms), id -> {
        timer = -1;
        engine.pump();
      });
    }
  }

  @Override
  boolean exhausted() {
    return upstream.exhausted();
  }

  @Override
  void close(boolean failed) {
    if (timer != -1) {
      engine.vertx.cancelTimer(timer);
      timer = -1;
    }
  }
}
