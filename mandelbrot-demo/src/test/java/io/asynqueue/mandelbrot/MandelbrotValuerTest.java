package io.asynqueue.mandelbrot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

final class MandelbrotValuerTest {

  // ---------------------------------------------------------------- one point: the original's golden values

  /** The original's test_eval_point: N = 1000, 10 points along ci = 0.5358..., cr +- 0.00224. */
  @Test
  void escapeCount_originalGoldenValues() {
    int nValues = 1000;
    double cr = -0.5332179372197309;
    double ci = +0.535867264573991;
    double crpm = 0.00224;
    int[] k = new int[10];
    for (int i = 0; i < k.length; i++) {
      double x = ViewSpec.linspace(cr - crpm, cr + crpm, k.length, i);
      k[i] = MandelbrotValuer.escapeCount(x, ci, nValues - 1);
    }
    assertThat(Arrays.stream(k).min().getAsInt()).isEqualTo(75);
    assertThat(Arrays.stream(k).max().getAsInt()).isEqualTo(999);
  }

  @Test
  void escapeCount_farPointEscapesAtOnce() {
    assertThat(MandelbrotValuer.escapeCount(5.0, 0.0, 1999)).isEqualTo(1);
    assertThat(MandelbrotValuer.escapeCount(0.0, -4.5, 1999)).isEqualTo(1);
  }

  @Test
  void escapeCount_cardioidAndBulbReturnTheCap() {
    assertThat(MandelbrotValuer.escapeCount(0.0, 0.0, 1999)).isEqualTo(1999);
    assertThat(MandelbrotValuer.escapeCount(-0.2, 0.3, 1999)).isEqualTo(1999);
    assertThat(MandelbrotValuer.escapeCount(-1.0, 0.0, 1999)).isEqualTo(1999); // period-2 bulb centre
    assertThat(MandelbrotValuer.escapeCount(-1.1, 0.1, 1999)).isEqualTo(1999);
  }

  @Test
  void escapeCount_periodicityCheckCatchesOtherBulbs() {
    // The centre of the period-3 bulb at the top: in the set, outside the cardioid and period-2 bulb.
    assertThat(MandelbrotValuer.escapeCount(-0.1225611668766536, 0.7448617666197442, 1_000_000))
        .isEqualTo(1_000_000);
  }

  @Test
  void escapeCount_pointJustOutsideEscapes() {
    int k = MandelbrotValuer.escapeCount(0.26, 0.0, 1999); // just right of the cusp at 0.25
    assertThat(k).isBetween(2, 1998);
    assertThat(MandelbrotValuer.escapeCount(-2.1, 0.0, 1999)).isLessThan(5);
  }

  @Test
  void escapeCount_spotValues() {
    // c = 1: z = 1, 2, 5 -> |5|^2 = 25 > 16 at k = 3
    assertThat(MandelbrotValuer.escapeCount(1.0, 0.0, 1999)).isEqualTo(3);
    // c = 2: z = 2, 6 -> 36 > 16 at k = 2
    assertThat(MandelbrotValuer.escapeCount(2.0, 0.0, 1999)).isEqualTo(2);
    // c = 4: |4|^2 = 16, not > 16; z = 20 at k = 2
    assertThat(MandelbrotValuer.escapeCount(4.0, 0.0, 1999)).isEqualTo(2);
  }

  @Test
  void escapeCount_capCountsFromOne() {
    // c = 1 would escape at k = 3; with km = 3 the loop stops first: no escape.
    assertThat(MandelbrotValuer.escapeCount(1.0, 0.0, 3)).isEqualTo(3);
    assertThat(MandelbrotValuer.escapeCount(1.0, 0.0, 4)).isEqualTo(3);
  }

  // ---------------------------------------------------------------- one pixel: five samples

  @Test
  void pixelSum_fiveSamplesOfAFarPoint() {
    assertThat(MandelbrotValuer.pixelSum(10.0, 10.0, 0.01, 1999)).isEqualTo(5);
  }

  @Test
  void pixelSum_isTheSumOfTheCentreAndFourDiagonals() {
    double cr = 0.3;
    double ci = 0.5;
    double qd = 0.001;
    int km = 1999;
    int expected = MandelbrotValuer.escapeCount(cr, ci, km)
        + MandelbrotValuer.escapeCount(cr - qd, ci - qd, km)
        + MandelbrotValuer.escapeCount(cr + qd, ci - qd, km)
        + MandelbrotValuer.escapeCount(cr - qd, ci + qd, km)
        + MandelbrotValuer.escapeCount(cr + qd, ci + qd, km);
    assertThat(MandelbrotValuer.pixelSum(cr, ci, qd, km)).isEqualTo(expected);
  }

  @Test
  void pixelSum_anySampleInTheSetMakesFiveTimesTheCap() {
    // Centre just outside the cusp at 0.25; the (-qd, *) samples fall inside the cardioid.
    double cr = 0.2501;
    double qd = 0.01;
    assertThat(MandelbrotValuer.escapeCount(cr, 0.0, 1999)).isLessThan(1999);
    assertThat(MandelbrotValuer.pixelSum(cr, 0.0, qd, 1999)).isEqualTo(5 * 1999);
  }

  // ---------------------------------------------------------------- colour

  @Test
  void colorIndex_followsTheFormula() {
    for (int sum : new int[] {5, 100, 1234, 5000, 9995}) {
      double v = 1 - 0.4 * sum / 2000;
      double x = (v * v * v + 1) / 2;
      assertThat(MandelbrotValuer.colorIndex(sum, 2000)).isEqualTo((int) Math.rint(5999 * x));
    }
  }

  @Test
  void colorIndex_ofTheSetAtTheDefaultN() {
    // v = 1 - 2 * 1999 / 2000 = -0.999; x = (1 - 0.997003) / 2 = 0.0014985; rint(8.99) = 9
    assertThat(MandelbrotValuer.colorIndex(5 * 1999, 2000)).isEqualTo(9);
    assertThat(ColorMap.rgb(9)).isEqualTo(0x000026); // (0, 0, 38)
  }

  @Test
  void colorIndex_ofTheSetIsZeroOnlyForLargeN() {
    assertThat(MandelbrotValuer.colorIndex(5 * 39_999, 40_000)).isZero();
  }

  @Test
  void colorIndex_fastEscapeIsNearTheTop() {
    // sum = 5: v = 1 - 0.001 = 0.999; x = 0.9985; rint(5990.0) = 5990
    assertThat(MandelbrotValuer.colorIndex(5, 2000)).isEqualTo(5990);
  }

  // ---------------------------------------------------------------- rows

  @Test
  void row_isThreeBytesPerPixelInTheMapsColours() {
    ViewSpec spec = ViewSpec.of(64, -0.63, 0, 1.4, 1.2, 500);
    byte[] row = MandelbrotValuer.row(spec, spec.ny() / 2);
    assertThat(row).hasSize(3 * 64);
    for (int x = 0; x < 64; x++) {
      int sum = MandelbrotValuer.pixelSum(spec.cr(x), spec.ci(spec.ny() / 2), spec.quarterPitch(), 499);
      int rgb = ColorMap.rgb(MandelbrotValuer.colorIndex(sum, 500));
      int got = (row[3 * x] & 0xff) << 16 | (row[3 * x + 1] & 0xff) << 8 | (row[3 * x + 2] & 0xff);
      assertThat(got).as("pixel %d", x).isEqualTo(rgb);
    }
  }

  @Test
  void row_outOfRangeFails() {
    ViewSpec spec = ViewSpec.of(10, 0, 0, 1, 1, 100);
    assertThatThrownBy(() -> MandelbrotValuer.row(spec, 10)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> MandelbrotValuer.row(spec, -1)).isInstanceOf(IndexOutOfBoundsException.class);
  }
}
