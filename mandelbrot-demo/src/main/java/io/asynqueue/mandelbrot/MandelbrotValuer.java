package io.asynqueue.mandelbrot;

/**
 * The kernel: escape counts, supersampling and colour, one image row at a time.
 *
 * <p><b>One point</b> ({@link #escapeCount}), as the original's valuer: iterate {@code z <- z^2 + c} from
 * {@code z = c}, counting {@code k} from 1, until {@code |z|^2 > 16} (return {@code k}) or {@code k} reaches
 * the cap {@code km = N - 1} (return {@code km}: no escape). Two shortcuts return {@code km} early: a point
 * in the main cardioid or the period-2 bulb, and a periodicity check that saves {@code z} every
 * {@code nCheck} iterations (3 at first, doubled after every 5 saves) and stops when {@code z} repeats it
 * exactly.
 *
 * <p><b>One pixel</b> ({@link #pixelSum}) sums five samples in an X: the centre and the four diagonals at
 * {@code (+-qd, +-qd)}, {@code qd} a quarter of the pixel pitch. If any sample does not escape, the sum is
 * {@code 5 * km}. <em>Difference from the original:</em> the original meant these five samples but, because
 * its loop counter was never reset, took only three (the centre, {@code (-qd, -qd)} and
 * {@code (-qd, +qd)}); its {@code computeValues} golden values (232 and 4995) come from that bug. This port
 * takes all five.
 *
 * <p><b>Colour</b> ({@link #colorIndex}): {@code v = 1 - 0.4 * sum / N}, {@code v = v^3},
 * {@code x = (v + 1) / 2}, then the {@link ColorMap} entry {@code rint(5999 * x)}. No dither. Note that a
 * pixel in the set ({@code sum = 5 * km}) lands on index {@code rint(5999 * (1 + (2/N - 1)^3) / 2)}, which is
 * 0 only for {@code N} above about 36000; at the default {@code N = 2000} it is 9, (0, 0, 38).
 *
 * <p>All methods are static, pure and thread-safe; they allocate nothing but the returned row.
 */
public final class MandelbrotValuer {

  /** Escape radius squared. */
  private static final double BAILOUT = 16.0;

  private MandelbrotValuer() {
  }

  /**
   * The RGB bytes of one image row: the row task.
   *
   * @param spec the view
   * @param y the row, 0 (top) to {@code spec.ny() - 1}
   * @return {@code 3 * spec.nx()} bytes, red, green, blue per pixel from left to right
   */
  public static byte[] row(ViewSpec spec, int y) {
    byte[] out = new byte[3 * spec.nx()];
    row(spec, y, out);
    return out;
  }

  /**
   * Computes one image row into {@code out}.
   *
   * @param spec the view
   * @param y the row, 0 (top) to {@code spec.ny() - 1}
   * @param out at least {@code 3 * spec.nx()} bytes
   */
  public static void row(ViewSpec spec, int y, byte[] out) {
    if (y < 0 || y >= spec.ny()) {
      throw new IndexOutOfBoundsException("row " + y + " of " + spec.ny());
    }
    int nx = spec.nx();
    int km = spec.maxIterations();
    int nValues = spec.nValues();
    double ci = spec.ci(y);
    double qd = spec.quarterPitch();
    for (int x = 0; x < nx; x++) {
      int sum = pixelSum(spec.cr(x), ci, qd, km);
      ColorMap.put(colorIndex(sum, nValues), out, 3 * x);
    }
  }

  /**
   * The supersampled escape sum of one pixel.
   *
   * @param cr the real part of the pixel's centre
   * @param ci the imaginary part of the pixel's centre
   * @param qd the sample offset on both axes
   * @param km the iteration cap
   * @return the sum of the five samples' escape counts, or {@code 5 * km} if any sample does not escape
   */
  public static int pixelSum(double cr, double ci, double qd, int km) {
    int inSet = 5 * km;
    int sum = escapeCount(cr, ci, km);
    if (sum == km) {
      return inSet;
    }
    int k = escapeCount(cr - qd, ci - qd, km);
    if (k == km) {
      return inSet;
    }
    sum += k;
    k = escapeCount(cr + qd, ci - qd, km);
    if (k == km) {
      return inSet;
    }
    sum += k;
    k = escapeCount(cr - qd, ci + qd, km);
    if (k == km) {
      return inSet;
    }
    sum += k;
    k = escapeCount(cr + qd, ci + qd, km);
    if (k == km) {
      return inSet;
    }
    return sum + k;
  }

  /**
   * The colour map index of a pixel's escape sum.
   *
   * @param sum the pixel's supersampled escape sum
   * @param nValues the iteration budget {@code N}
   * @return {@code rint(5999 * x)} with {@code x = ((1 - 0.4 * sum / N)^3 + 1) / 2} clamped to [0, 1]
   */
  public static int colorIndex(int sum, int nValues) {
    double v = 1.0 - 0.4 * sum / nValues;
    v = v * v * v;
    return ColorMap.index((v + 1.0) / 2.0);
  }

  /**
   * The escape count of one point, without supersampling: the original's {@code eval_point}.
   *
   * @param cr the real part of {@code c}
   * @param ci the imaginary part of {@code c}
   * @param km the iteration cap, {@code N - 1}
   * @return the {@code k} (from 1) at which {@code |z|^2 > 16}, or {@code km} if that does not happen first
   */
  public static int escapeCount(double cr, double ci, int km) {
    double zr = cr;
    double zi = ci;
    double zr2 = zr * zr;
    double zi2 = zi * zi;
    if (inCardioidOrBulb(zr, zr2, zi2)) {
      return km;
    }
    double zrp = 0.0;
    double zip = 0.0;
    int kCheck = 0;
    int nCheck = 3;
    int kUpdate = 0;
    int k = 1;
    while (k < km) {
      if (zr2 + zi2 > BAILOUT) {
        return k;
      }
      zi = 2.0 * zr * zi + ci;
      zr = zr2 - zi2 + cr;
      k++;
      if (zr == zrp && zi == zip) {
        return km; // periodic: never escapes
      }
      if (kCheck == nCheck) {
        zrp = zr;
        zip = zi;
        kCheck = 0;
        if (kUpdate == 5) {
          kUpdate = 0;
          nCheck *= 2;
        }
        kUpdate++;
      }
      kCheck++;
      zr2 = zr * zr;
      zi2 = zi * zi;
    }
    return km;
  }

  /** The main cardioid and the period-2 bulb, in the original's arithmetic order. */
  private static boolean inCardioidOrBulb(double zr, double zr2, double zi2) {
    // (x + 1)^2 + y^2 < 1/16
    if (zr2 + 2.0 * zr + 1.0 + zi2 < 0.0625) {
      return true;
    }
    // q = (x - 1/4)^2 + y^2; q * (q + (x - 1/4)) < y^2 / 4
    double q = zr2 - 0.5 * zr + 0.0625 + zi2;
    q *= q + zr - 0.25;
    return q < 0.25 * zi2;
  }
}
