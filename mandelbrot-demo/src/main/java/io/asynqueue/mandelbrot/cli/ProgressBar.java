package io.asynqueue.mandelbrot.cli;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress bar drawn with carriage returns, redrawn at most ten times a second.
 *
 * <p>Not thread-safe: called from one thread (the render's context).
 */
final class ProgressBar {

  private static final int BAR_WIDTH = 40;
  private static final long REDRAW_NANOS = 100_000_000L;

  private final PrintStream err;
  private final long total;
  private final String unit;
  private final long start = System.nanoTime();
  private long lastDraw;
  private boolean drawn;

  ProgressBar(PrintStream err, long total, String unit) {
    this.err = err;
    this.total = Math.max(1, total);
    this.unit = unit;
  }

  /** Shows {@code done} of the total, unless the bar was drawn less than 0.1 s ago. */
  void update(long done) {
    long now = System.nanoTime();
    if (drawn && now - lastDraw < REDRAW_NANOS && done < total) {
      return;
    }
    lastDraw = now;
    drawn = true;
    err.print(render(done, (now - start) / 1e9));
    err.flush();
  }

  /** Erases the bar, leaving the cursor at the start of an empty line. */
  void clear() {
    if (drawn) {
      err.print("\r" + " ".repeat(BAR_WIDTH + 48) + "\r");
      err.flush();
      drawn = false;
    }
  }

  String render(long done, double seconds) {
    double fraction = Math.min(1.0, (double) done / total);
    int filled = (int) Math.round(fraction * BAR_WIDTH);
    return String.format(Locale.ROOT, "\r%3d%% [%s%s] %d/%d %s %.1fs", Math.round(fraction * 100),
        "#".repeat(filled), ".".repeat(BAR_WIDTH - filled), done, total, unit, seconds);
  }
}
