package io.asynqueue.mandelbrot;

/**
 * The original's colour map: 6000 RGB entries from navy-black (the set's interior) through red and orange
 * to a pale peach (fast escape).
 *
 * <p>Entry {@code i} of {@value #SIZE}:
 * <ul>
 *   <li>red ramps linearly from 0 to 255 over the first {@code round(6000 * 2.8 / 3)} = 5600 entries
 *       (indices 0 to 5599, both ends included), then stays at 255;
 *   <li>green is 0 up to {@code round(6000 * 2.5 / 3)} = 5000, then ramps linearly from 0 (at 5000) to 220
 *       (at 5999);
 *   <li>blue is 0 up to {@code round(6000 * 2.7 / 3)} = 5400, then ramps linearly from 0 (at 5400) to 180
 *       (at 5999), plus a ripple {@code 20 + 20 * sin(2 pi 120 i / 5999)} over the whole table, clamped to
 *       0..255. The original adds the ripple in {@code uint8}, where a negative wraps round to a bright
 *       blue; here it is added in doubles and clamped.
 * </ul>
 * Each channel is computed in doubles and rounded to the nearest integer. Entry 0 is (0, 0, 20).
 * The original also adds a tiny Gaussian dither to the index; this map does not.
 */
public final class ColorMap {

  /** The number of entries. */
  public static final int SIZE = 6000;

  /** The first index past the red ramp: {@code round(6000 * 2.8 / 3)}. */
  static final int RED_END = (int) Math.round(SIZE * 2.8 / 3);
  /** The first index of the green ramp: {@code round(6000 * 2.5 / 3)}. */
  static final int GREEN_START = (int) Math.round(SIZE * 2.5 / 3);
  /** The first index of the blue ramp: {@code round(6000 * 2.7 / 3)}. */
  static final int BLUE_START = (int) Math.round(SIZE * 2.7 / 3);

  /** RGB triples, {@code 3 * SIZE} bytes. */
  private static final byte[] RGB = build();

  private ColorMap() {
  }

  /**
   * The table index of a value in [0, 1]: {@code rint(5999 * x)}, after clamping x to [0, 1]
   * (NaN counts as 0).
   *
   * @param x the value
   * @return the index, 0 to {@code SIZE - 1}
   */
  public static int index(double x) {
    if (!(x > 0.0)) {
      return 0;
    }
    if (x >= 1.0) {
      return SIZE - 1;
    }
    return (int) Math.rint((SIZE - 1) * x);
  }

  /**
   * Copies entry {@code i}'s red, green and blue bytes into {@code out} at {@code offset}.
   *
   * @param i the index, 0 to {@code SIZE - 1}
   * @param out where to put them
   * @param offset where the red byte goes
   */
  public static void put(int i, byte[] out, int offset) {
    int j = 3 * i;
    out[offset] = RGB[j];
    out[offset + 1] = RGB[j + 1];
    out[offset + 2] = RGB[j + 2];
  }

  /**
   * Entry {@code i} as {@code 0xRRGGBB}.
   *
   * @param i the index, 0 to {@code SIZE - 1}
   * @return the colour
   */
  public static int rgb(int i) {
    int j = 3 * i;
    return (RGB[j] & 0xff) << 16 | (RGB[j + 1] & 0xff) << 8 | (RGB[j + 2] & 0xff);
  }

  private static byte[] build() {
    byte[] rgb = new byte[3 * SIZE];
    for (int i = 0; i < SIZE; i++) {
      double red = i < RED_END ? ramp(255.0, i, 0, RED_END - 1) : 255.0;
      double green = i < GREEN_START ? 0.0 : ramp(220.0, i, GREEN_START, SIZE - 1);
      double blue = (i < BLUE_START ? 0.0 : ramp(180.0, i, BLUE_START, SIZE - 1))
          + 20.0 + 20.0 * Math.sin(2.0 * Math.PI * 120.0 * i / (SIZE - 1));
      rgb[3 * i] = toByte(red);
      rgb[3 * i + 1] = toByte(green);
      rgb[3 * i + 2] = toByte(blue);
    }
    return rgb;
  }

  /** Linear from 0 at {@code first} to {@code top} at {@code last}, both included. */
  private static double ramp(double top, int i, int first, int last) {
    return top * (i - first) / (last - first);
  }

  private static byte toByte(double value) {
    long v = Math.round(value);
    return (byte) Math.max(0, Math.min(255, v));
  }
}
