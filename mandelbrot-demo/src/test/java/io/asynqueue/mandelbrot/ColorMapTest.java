package io.asynqueue.mandelbrot;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

final class ColorMapTest {

  private static int red(int i) {
    return ColorMap.rgb(i) >> 16 & 0xff;
  }

  private static int green(int i) {
    return ColorMap.rgb(i) >> 8 & 0xff;
  }

  private static int blue(int i) {
    return ColorMap.rgb(i) & 0xff;
  }

  private static double ripple(int i) {
    return 20 + 20 * Math.sin(2 * Math.PI * 120 * i / 5999);
  }

  @Test
  void breakpoints() {
    assertThat(ColorMap.SIZE).isEqualTo(6000);
    assertThat(ColorMap.RED_END).isEqualTo(5600);
    assertThat(ColorMap.GREEN_START).isEqualTo(5000);
    assertThat(ColorMap.BLUE_START).isEqualTo(5400);
  }

  @Test
  void indexZero_isNavyBlack() {
    assertThat(ColorMap.rgb(0)).isEqualTo(0x000014); // (0, 0, 20)
  }

  @Test
  void red_rampsOverTheFirst5600EntriesThenStays() {
    assertThat(red(0)).isZero();
    assertThat(red(5599)).isEqualTo(255);
    assertThat(red(5600)).isEqualTo(255);
    assertThat(red(5999)).isEqualTo(255);
    assertThat(red(2800)).isEqualTo((int) Math.round(255.0 * 2800 / 5599));
    for (int i = 1; i < 5600; i++) {
      assertThat(red(i)).isGreaterThanOrEqualTo(red(i - 1));
    }
  }

  @Test
  void green_isZeroThenRampsTo220() {
    assertThat(green(0)).isZero();
    assertThat(green(4999)).isZero();
    assertThat(green(5000)).isZero();
    assertThat(green(5001)).isEqualTo((int) Math.round(220.0 / 999));
    assertThat(green(5500)).isEqualTo((int) Math.round(220.0 * 500 / 999));
    assertThat(green(5999)).isEqualTo(220);
  }

  @Test
  void blue_isTheRampPlusTheRipple() {
    for (int i : new int[] {0, 1, 9, 13, 37, 2500, 5399, 5400, 5401, 5700, 5998, 5999}) {
      double ramp = i < 5400 ? 0 : 180.0 * (i - 5400) / 599;
      assertThat(blue(i)).as("entry %d", i).isEqualTo((int) Math.round(ramp + ripple(i)));
    }
    assertThat(blue(5999)).isEqualTo(200); // 180 + 20 + 20 sin(240 pi)
  }

  @Test
  void blue_neverWrapsRound() {
    for (int i = 0; i < ColorMap.SIZE; i++) {
      double ramp = i < 5400 ? 0 : 180.0 * (i - 5400) / 599;
      assertThat(Math.abs(blue(i) - (ramp + ripple(i)))).as("entry %d", i).isLessThanOrEqualTo(0.5);
    }
  }

  @Test
  void index_clampsAndRounds() {
    assertThat(ColorMap.index(-0.5)).isZero();
    assertThat(ColorMap.index(Double.NaN)).isZero();
    assertThat(ColorMap.index(0.0)).isZero();
    assertThat(ColorMap.index(1.0)).isEqualTo(5999);
    assertThat(ColorMap.index(7.0)).isEqualTo(5999);
    assertThat(ColorMap.index(0.5)).isEqualTo(3000); // rint(2999.5) = 3000, ties to even
    assertThat(ColorMap.index(1.5 / 5999)).isEqualTo(2); // rint(1.5) = 2
    assertThat(ColorMap.index(2.5 / 5999)).isEqualTo(2); // rint(2.5) = 2
  }

  @Test
  void put_copiesTheTriple() {
    byte[] out = new byte[6];
    ColorMap.put(5999, out, 3);
    assertThat(out).containsExactly(0, 0, 0, (byte) 255, (byte) 220, (byte) 200);
  }
}
