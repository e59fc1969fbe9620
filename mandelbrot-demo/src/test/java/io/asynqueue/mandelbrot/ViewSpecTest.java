package io.asynqueue.mandelbrot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import org.junit.jupiter.api.Test;

final class ViewSpecTest {

  @Test
  void defaultView_is1200By1028() {
    ViewSpec spec = ViewSpec.defaultView();
    assertThat(spec.nx()).isEqualTo(1200);
    assertThat(spec.ny()).isEqualTo(1028); // floor(1200 * 1.2 / 1.4) = floor(1028.57)
    assertThat(spec.nValues()).isEqualTo(2000);
    assertThat(spec.maxIterations()).isEqualTo(1999);
    assertThat(spec.crMin()).isEqualTo(-0.630 - 1.4);
    assertThat(spec.crMax()).isEqualTo(-0.630 + 1.4);
    assertThat(spec.ciMin()).isEqualTo(-1.2);
    assertThat(spec.ciMax()).isEqualTo(1.2);
  }

  @Test
  void height_isTheFloorOfNxTimesCiPmOverCrPm() {
    assertThat(ViewSpec.of(100, 0, 0, 1.4, 1.4, 100).ny()).isEqualTo(100);
    assertThat(ViewSpec.of(3000, -0.73249, 0.21653, 0.0112, 0.0112, 100).ny()).isEqualTo(3000);
    assertThat(ViewSpec.of(10, 0, 0, 3, 1, 100).ny()).isEqualTo(3); // floor(3.33)
    assertThat(ViewSpec.of(7, 0, 0, 1, 2, 100).ny()).isEqualTo(14);
  }

  @Test
  void columns_runFromCrMinToCrMaxInclusive() {
    ViewSpec spec = ViewSpec.of(5, 0, 0, 1, 1, 100);
    assertThat(spec.cr(0)).isEqualTo(-1.0);
    assertThat(spec.cr(1)).isEqualTo(-0.5);
    assertThat(spec.cr(2)).isEqualTo(0.0);
    assertThat(spec.cr(4)).isEqualTo(1.0);
  }

  @Test
  void rows_runFromCiMaxAtTheTopToCiMinInclusive() {
    ViewSpec spec = ViewSpec.of(5, 0, 0, 1, 1, 100);
    assertThat(spec.ny()).isEqualTo(5);
    assertThat(spec.ci(0)).isEqualTo(1.0);
    assertThat(spec.ci(1)).isEqualTo(0.5);
    assertThat(spec.ci(4)).isEqualTo(-1.0);
  }

  @Test
  void endpoints_areExactForAwkwardSpans() {
    ViewSpec spec = ViewSpec.defaultView();
    assertThat(spec.cr(0)).isEqualTo(spec.crMin());
    assertThat(spec.cr(1199)).isEqualTo(spec.crMax());
    assertThat(spec.ci(0)).isEqualTo(spec.ciMax());
    assertThat(spec.ci(1027)).isEqualTo(spec.ciMin());
  }

  @Test
  void onePixelWide_isTheLeftEdge() {
    ViewSpec spec = ViewSpec.of(1, 0, 0, 1, 1, 100);
    assertThat(spec.ny()).isEqualTo(1);
    assertThat(spec.cr(0)).isEqualTo(-1.0);
    assertThat(spec.ci(0)).isEqualTo(1.0);
  }

  @Test
  void quarterPitch_isAQuarterOfTheSpanOverNx() {
    ViewSpec spec = ViewSpec.of(100, 0, 0, 1, 1, 100);
    assertThat(spec.quarterPitch()).isEqualTo(2.0 / 400);
  }

  @Test
  void of_rejectsBadValues() {
    assertThatThrownBy(() -> ViewSpec.of(0, 0, 0, 1, 1, 100)).hasMessageContaining("Nx");
    assertThatThrownBy(() -> ViewSpec.of(20_001, 0, 0, 1, 1, 100)).hasMessageContaining("Nx");
    assertThatThrownBy(() -> ViewSpec.of(100, 0, 0, 0, 0, 100)).hasMessageContaining("crPM");
    assertThatThrownBy(() -> ViewSpec.of(100, 0, 0, 1, 0, 100)).hasMessageContaining("ciPM");
    assertThatThrownBy(() -> ViewSpec.of(100, 0, 0, -1, 1, 100)).hasMessageContaining("crPM");
    assertThatThrownBy(() -> ViewSpec.of(100, 0, 0, 1e-17, 1e-17, 100)).hasMessageContaining("crPM");
    assertThatThrownBy(() -> ViewSpec.of(100, Double.NaN, 0, 1, 1, 100)).hasMessageContaining("centre");
    assertThatThrownBy(() -> ViewSpec.of(100, 0, 0, 1, Double.POSITIVE_INFINITY, 100))
        .hasMessageContaining("ciPM");
    assertThatThrownBy(() -> ViewSpec.of(100, 0, 0, 1, 0.001, 100)).hasMessageContaining("high");
    assertThatThrownBy(() -> ViewSpec.of(100, 0, 0, 1, 1, 1)).hasMessageContaining("N must");
    assertThatThrownBy(() -> ViewSpec.of(100, 1e20, 0, 1e-15, 1e-15, 100)).hasMessageContaining("too small");
  }

  @Test
  void serializes() throws Exception {
    ViewSpec spec = ViewSpec.defaultView();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(spec);
    }
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      assertThat(in.readObject()).isEqualTo(spec);
    }
  }
}
