package io.asynqueue.mandelbrot;

import java.io.Serializable;

/**
 * What to render: the image size, the rectangle of the complex plane and the iteration budget.
 *
 * <p>The geometry is the original's. The image is {@code nx} columns by {@code ny = floor(nx * ciPM / crPM)}
 * rows. Columns run from {@code crMin} to {@code crMax} and rows from the top ({@code ciMax}) to the bottom
 * ({@code ciMin}), both spans endpoint-inclusive, spaced as numpy's {@code linspace} spaces them.
 *
 * <p>A value of this record is immutable and {@link Serializable}: it travels with every row task, to a
 * thread worker or to a child JVM.
 *
 * @param nx image width in pixels, 1 to {@link #MAX_WIDTH}
 * @param ny image height in pixels, 1 to {@link #MAX_HEIGHT}
 * @param crMin real part of the left column
 * @param crMax real part of the right column
 * @param ciMin imaginary part of the bottom row
 * @param ciMax imaginary part of the top row
 * @param nValues the iteration budget {@code N}; a point is iterated at most {@code N - 1} times
 * @serial exclude
 */
public record ViewSpec(int nx, int ny, double crMin, double crMax, double ciMin, double ciMax, int nValues)
    implements Serializable {

  private static final long serialVersionUID = 1L;

  /** The widest image: 20000 pixels. */
  public static final int MAX_WIDTH = 20_000;
  /** The tallest image: 100000 pixels (memory does not grow with the height; time does). */
  public static final int MAX_HEIGHT = 100_000;
  /** The smallest span (crPM or ciPM) the original renders; at or below it, doubles run out of digits. */
  public static final double MIN_HALF_SPAN = 5e-16;
  /** The smallest iteration budget {@code N}. */
  public static final int MIN_VALUES = 2;
  /** The largest iteration budget {@code N}: keeps {@code 5 * (N - 1)} well inside an {@code int}. */
  public static final int MAX_VALUES = 100_000_000;

  /** The default view's width. */
  public static final int DEFAULT_NX = 1200;
  /** The default view's centre, real part. */
  public static final double DEFAULT_CR = -0.630;
  /** The default view's centre, imaginary part. */
  public static final double DEFAULT_CI = 0.0;
  /** The default view's real half-width. */
  public static final double DEFAULT_CR_PM = 1.4;
  /** The default view's imaginary half-height. */
  public static final double DEFAULT_CI_PM = 1.2;
  /** The default iteration budget. */
  public static final int DEFAULT_VALUES = 2000;

  /**
   * Checks a spec made directly; {@link #of} is the usual way in.
   *
   * @param nx image width in pixels, 1 to {@link #MAX_WIDTH}
   * @param ny image height in pixels, 1 to {@link #MAX_HEIGHT}
   * @param crMin real part of the left column
   * @param crMax real part of the right column
   * @param ciMin imaginary part of the bottom row
   * @param ciMax imaginary part of the top row
   * @param nValues the iteration budget {@code N}; a point is iterated at most {@code N - 1} times
   * @throws IllegalArgumentException if a field is out of range
   */
  public ViewSpec {
    require(nx >= 1 && nx <= MAX_WIDTH, "width must be 1 to %d pixels, not %d", MAX_WIDTH, nx);
    require(ny >= 1 && ny <= MAX_HEIGHT, "height must be 1 to %d pixels, not %d", MAX_HEIGHT, ny);
    require(nValues >= MIN_VALUES && nValues <= MAX_VALUES,
        "N must be %d to %d, not %d", MIN_VALUES, MAX_VALUES, nValues);
    require(Double.isFinite(crMin) && Double.isFinite(crMax) && crMin < crMax,
        "need finite crMin < crMax, not %s, %s", crMin, crMax);
    require(Double.isFinite(ciMin) && Double.isFinite(ciMax) && ciMin < ciMax,
        "need finite ciMin < ciMax, not %s, %s", ciMin, ciMax);
  }

  /**
   * The view the original's command line describes: {@code Nx cr ci crPM ciPM} and {@code -N}.
   *
   * @param nx image width in pixels, 1 to {@link #MAX_WIDTH}
   * @param cr real part of the centre
   * @param ci imaginary part of the centre
   * @param crPM real half-width, above {@link #MIN_HALF_SPAN}
   * @param ciPM imaginary half-height, above {@link #MIN_HALF_SPAN}
   * @param nValues the iteration budget {@code N}
   * @return the spec
   * @throws IllegalArgumentException with a one-line message fit for a user, if anything is out of range
   */
  public static ViewSpec of(int nx, double cr, double ci, double crPM, double ciPM, int nValues) {
    require(nx >= 1 && nx <= MAX_WIDTH, "Nx must be 1 to %d pixels, not %d", MAX_WIDTH, nx);
    require(Double.isFinite(cr) && Double.isFinite(ci), "the centre must be finite, not %s, %s", cr, ci);
    require(Double.isFinite(crPM) && crPM > MIN_HALF_SPAN,
        "crPM must be a number above 5e-16 (a span of zero renders nothing), not %s", crPM);
    require(Double.isFinite(ciPM) && ciPM > MIN_HALF_SPAN,
        "ciPM must be a number above 5e-16 (a span of zero renders nothing), not %s", ciPM);
    double height = Math.floor(nx * ciPM / crPM);
    require(height >= 1 && height <= MAX_HEIGHT,
        "the image would be %.0f pixels high (Nx * ciPM / crPM); it must be 1 to %d", height, MAX_HEIGHT);
    require(nValues >= MIN_VALUES && nValues <= MAX_VALUES,
        "N must be %d to %d, not %d", MIN_VALUES, MAX_VALUES, nValues);
    double crMin = cr - crPM;
    double crMax = cr + crPM;
    double ciMin = ci - ciPM;
    double ciMax = ci + ciPM;
    // cr + crPM can round back to cr when the centre dwarfs the span.
    require(crMin < crMax && ciMin < ciMax,
        "the span is too small for doubles at this centre (%s, %s)", cr, ci);
    return new ViewSpec(nx, (int) height, crMin, crMax, ciMin, ciMax, nValues);
  }

  /** @return the default view: 1200 pixels wide, centre (-0.630, 0), half-spans 1.4 and 1.2, N = 2000 */
  public static ViewSpec defaultView() {
    return of(DEFAULT_NX, DEFAULT_CR, DEFAULT_CI, DEFAULT_CR_PM, DEFAULT_CI_PM, DEFAULT_VALUES);
  }

  /** @return the iteration cap {@code km = N - 1} */
  public int maxIterations() {
    return nValues - 1;
  }

  /** @return the number of pixels, {@code nx * ny} */
  public long pixels() {
    return (long) nx * ny;
  }

  /**
   * The real part of a column's centre.
   *
   * @param x the column, 0 (left, {@code crMin}) to {@code nx - 1} (right, {@code crMax})
   * @return its real part
   */
  public double cr(int x) {
    return linspace(crMin, crMax, nx, x);
  }

  /**
   * The imaginary part of a row's centre.
   *
   * @param y the row, 0 (top, {@code ciMax}) to {@code ny - 1} (bottom, {@code ciMin})
   * @return its imaginary part
   */
  public double ci(int y) {
    return linspace(ciMax, ciMin, ny, y);
  }

  /** @return the supersampling offset {@code qd = (crMax - crMin) / (4 * nx)}, used on both axes */
  public double quarterPitch() {
    return (crMax - crMin) / (4.0 * nx);
  }

  /**
   * Element {@code i} of numpy's {@code linspace(start, stop, n)}: {@code start + i * step} with
   * {@code step = (stop - start) / (n - 1)}, and exactly {@code stop} for the last; {@code start} when
   * {@code n == 1}.
   */
  static double linspace(double start, double stop, int n, int i) {
    if (n == 1) {
      return start;
    }
    if (i == n - 1) {
      return stop;
    }
    return start + i * ((stop - start) / (n - 1));
  }

  private static void require(boolean condition, String template, Object... args) {
    if (!condition) {
      throw new IllegalArgumentException(String.format(java.util.Locale.ROOT, template, args));
    }
  }
}
