package io.asynqueue.mandelbrot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A render whose raw image is several times the heap: memory must not grow with the image's height.
 */
final class BoundedMemoryTest {

  @TempDir
  Path dir;

  @Test
  void render_60MBImageIn32MBHeap() throws Exception {
    Path png = dir.resolve("tall.png");
    Path log = dir.resolve("log.txt");
    String java = ProcessHandle.current().info().command().orElse("java");
    // 1000 x 20000 pixels, 60 MB of RGB, far outside the set: every sample escapes at once.
    Process p = new ProcessBuilder(List.of(java, "-Xmx32m", "-cp", System.getProperty("java.class.path"),
        Mcm.class.getName(), "render", "-N", "50", "-o", png.toString(), "1000", "10", "0", "1", "20"))
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("finished in time").isTrue();
    String output = Files.readString(log, StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(output).isZero();
    assertThat(output).contains("Computed 20000000 pixels");
    try (InputStream in = Files.newInputStream(png); DataInputStream data = new DataInputStream(in)) {
      data.skipNBytes(16); // signature, IHDR length and type
      assertThat(data.readInt()).isEqualTo(1000);
      assertThat(data.readInt()).isEqualTo(20000);
    }
  }
}
