package io.asynqueue.mandelbrot;

import java.util.Locale;

/**
 * What a render did.
 *
 * @param pixels the pixels computed
 * @param seconds the wall time from the first row dispatched to the last PNG byte written
 * @param workers the workers that computed them
 */
public record RenderStats(long pixels, double seconds, int workers) {

  /** @return millions of pixels per second */
  public double megapixelsPerSecond() {
    return seconds > 0 ? pixels / seconds / 1e6 : 0.0;
  }

  /** @return {@code Computed N pixels in T seconds (P Mpixels/s) on W workers} */
  @Override
  public String toString() {
    return String.format(Locale.ROOT, "Computed %d pixels in %.3f seconds (%.2f Mpixels/s) on %d workers",
        pixels, seconds, megapixelsPerSecond(), workers);
  }
}
