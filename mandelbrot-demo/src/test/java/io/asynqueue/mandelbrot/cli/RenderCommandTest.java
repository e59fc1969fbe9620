package io.asynqueue.mandelbrot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.asynqueue.mandelbrot.ColorMap;
import io.asynqueue.mandelbrot.MandelbrotValuer;
import io.asynqueue.mandelbrot.PngEncoder;
import io.asynqueue.mandelbrot.ViewSpec;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

final class RenderCommandTest {

  @TempDir
  Path dir;

  /** The outcome of one in-process run. */
  private record Run(int code, byte[] stdout, String stderr) {
    String out() {
      return new String(stdout, StandardCharsets.UTF_8);
    }
  }

  private static Run run(Terminal terminal, ByteArrayOutputStream stdout, ByteArrayOutputStream stderr,
      String... args) {
    int code = Mcm.run(terminal, args);
    return new Run(code, stdout.toByteArray(), stderr.toString(StandardCharsets.UTF_8));
  }

  private static Run run(String... args) {
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    return run(Terminal.of(stdout, stderr), stdout, stderr, args);
  }

  private static Run runOnTerminal(boolean stdoutTty, boolean stderrTty, String... args) {
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    Terminal t = new Terminal(stdout, new PrintStream(stdout, true, StandardCharsets.UTF_8),
        new PrintStream(stderr, true, StandardCharsets.UTF_8), stdoutTty, stderrTty);
    return run(t, stdout, stderr, args);
  }

  private static int rgb(BufferedImage image, int x, int y) {
    return image.getRGB(x, y) & 0xffffff;
  }

  // ---------------------------------------------------------------- renders

  @Test
  void render_100x100ToAFile() throws Exception {
    Path png = dir.resolve("m.png");
    Run run = run("render", "-o", png.toString(), "100", "-0.630", "0", "1.4", "1.4");
    assertThat(run.code()).as(run.stderr()).isZero();
    assertThat(run.out()).matches(
        "Computed 10000 pixels in \\d+\\.\\d{3} seconds \\(\\d+\\.\\d{2} Mpixels/s\\) on \\d+ workers\\R");
    assertThat(run.stderr()).isEmpty();
    BufferedImage image = ImageIO.read(png.toFile());
    assertThat(image.getWidth()).isEqualTo(100);
    assertThat(image.getHeight()).isEqualTo(100);
    // Column 65, row 50 is about -0.19 - 0.01i, deep in the main cardioid: the set's colour, which at
    // N = 2000 is map entry 9, (0, 0, 38).
    int inSet = ColorMap.rgb(MandelbrotValuer.colorIndex(5 * 1999, 2000));
    assertThat(inSet).isEqualTo(0x000026);
    assertThat(rgb(image, 65, 50)).isEqualTo(inSet);
    assertThat(rgb(image, 60, 45)).isEqualTo(inSet);
    // The top-left corner, -2.03 + 1.4i, escapes at once: near the pale end of the map.
    assertThat(rgb(image, 0, 0) >> 16).isEqualTo(255);
  }

  @Test
  void render_interiorIsMapEntryZeroWhenNIsLarge() throws Exception {
    // The set maps to entry rint(5999 * (1 + (2/N - 1)^3) / 2), which is 0 for N above about 36000.
    Path png = dir.resolve("n.png");
    Run run = run("render", "-N", "40000", "-o", png.toString(), "100", "-0.630", "0", "1.4", "1.4");
    assertThat(run.code()).as(run.stderr()).isZero();
    BufferedImage image = ImageIO.read(png.toFile());
    assertThat(rgb(image, 65, 50)).isEqualTo(0x000014); // (0, 0, 20)
  }

  @Test
  void render_pngOnStdoutAndStatisticsOnStderr() throws Exception {
    Run run = run("render", "120", "-0.630", "0", "1.4", "1.2");
    assertThat(run.code()).as(run.stderr()).isZero();
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(run.stdout()));
    assertThat(image.getWidth()).isEqualTo(120);
    assertThat(image.getHeight()).isEqualTo(102); // floor(120 * 1.2 / 1.4)
    assertThat(run.stderr()).startsWith("Computed 12240 pixels in ").doesNotContain("\r");
  }

  @Test
  void render_dashMeansStdout() throws Exception {
    Run run = run("render", "-o", "-", "40", "-0.630", "0", "1.4", "1.4");
    assertThat(run.code()).as(run.stderr()).isZero();
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(run.stdout()));
    assertThat(image.getWidth()).isEqualTo(40);
    assertThat(run.stderr()).startsWith("Computed 1600 pixels");
  }

  @Test
  void render_isTheSameWhateverTheWorkersAndEqualsAPlainEncoding() throws Exception {
    String[] view = {"150", "-0.74", "0.18", "0.05", "0.04"};
    Path one = dir.resolve("one.png");
    Path three = dir.resolve("three.png");
    assertThat(run(concat(new String[] {"render", "-N", "500", "-w", "1", "-o", one.toString()}, view)).code())
        .isZero();
    assertThat(run(concat(new String[] {"render", "-N", "500", "--workers", "3", "-o", three.toString()},
        view)).code()).isZero();
    byte[] expected = plainEncoding(ViewSpec.of(150, -0.74, 0.18, 0.05, 0.04, 500));
    assertThat(Files.readAllBytes(one)).isEqualTo(expected);
    assertThat(Files.readAllBytes(three)).isEqualTo(expected);
  }

  @Test
  void render_tallNarrowImage() throws Exception {
    Path png = dir.resolve("tall.png");
    Run run = run("render", "-N", "200", "-o", png.toString(), "3", "-0.6", "0", "0.01", "20");
    assertThat(run.code()).as(run.stderr()).isZero();
    BufferedImage image = ImageIO.read(png.toFile());
    assertThat(image.getWidth()).isEqualTo(3);
    assertThat(image.getHeight()).isEqualTo(6000);
  }

  @Test
  void render_showsProgressWhenStderrIsATerminal() {
    Run run = runOnTerminal(false, true, "render", "-N", "300", "-o", dir.resolve("p.png").toString(),
        "200", "-0.630", "0", "1.4", "1.2");
    assertThat(run.code()).as(run.stderr()).isZero();
    assertThat(run.stderr()).contains("100% [").contains("171/171 rows");
    assertThat(run.out()).startsWith("Computed 34200 pixels");
  }

  @Test
  void render_noProgressWhenToldNot() {
    Run run = runOnTerminal(false, true, "render", "--no-progress", "-N", "300", "-o",
        dir.resolve("p.png").toString(), "50", "-0.630", "0", "1.4", "1.2");
    assertThat(run.code()).as(run.stderr()).isZero();
    assertThat(run.stderr()).isEmpty();
  }

  // ---------------------------------------------------------------- help and version

  @Test
  void help_exitsZero() {
    Run run = run("render", "--help");
    assertThat(run.code()).as(run.stderr()).isZero();
    assertThat(run.out()).contains("Usage: mcm render").contains("-N=values").contains("Nx")
        .contains("mcm render -o mandelbrot.png");
  }

  @Test
  void version_exitsZero() {
    assertThat(run("--version").out()).startsWith("mcm ");
    Run run = run("render", "--version");
    assertThat(run.code()).as(run.stderr()).isZero();
    assertThat(run.out()).startsWith("mcm ");
  }

  // ---------------------------------------------------------------- bad arguments: exit 2, one line

  @ParameterizedTest
  @ValueSource(strings = {
      "render 0 0 0 1",                   // width 0
      "render 20001 0 0 1",               // width above 20000
      "render -5 0 0 1",                  // negative width
      "render abc 0 0 1",                 // not a number
      "render 100 x 0 1",                 // not a number
      "render 100 0 0 1 y",               // not a number
      "render 100.5 0 0 1",               // not an integer width
      "render 100 0 0 0",                 // a span of zero
      "render 100 0 0 1 0",               // a span of zero
      "render 100 0 0 -1",                // a negative span
      "render 100 0 0 NaN",               // not a finite span
      "render 100 Infinity 0 1",          // not a finite centre
      "render 100 0 0 1 0.001",           // zero rows high
      "render 100 0 0",                   // too few
      "render 100",                       // too few
      "render 100 0 0 1 1 1",             // too many
      "render -N 1 100 0 0 1",            // N too small
      "render -N abc",                    // N not a number
      "render -N",                        // N missing
      "render -w 0",                      // no workers
      "render --compression 10",          // no such level
      "render --bogus",                   // no such option
      "render -o",                        // file missing
      "frobnicate",                       // no such command
  })
  void badArguments_exitTwoWithOneLine(String line) {
    Run run = run(line.split(" "));
    assertThat(run.code()).as(run.stderr()).isEqualTo(2);
    assertThat(run.stderr().lines().count()).as(run.stderr()).isEqualTo(1);
    assertThat(run.stderr()).startsWith("mcm").doesNotContain("Exception").doesNotContain("\tat ");
    assertThat(run.stdout()).isEmpty();
  }

  @Test
  void badArguments_sayWhatIsWrong() {
    assertThat(run("render", "0", "0", "0", "1").stderr()).contains("Nx must be 1 to 20000");
    assertThat(run("render", "abc", "0", "0", "1").stderr()).contains("'abc' is not an int");
    assertThat(run("render", "100", "0", "0", "0").stderr()).contains("crPM").contains("span of zero");
  }

  @Test
  void noCommand_exitsTwo() {
    Run run = run();
    assertThat(run.code()).as(run.stderr()).isEqualTo(2);
    assertThat(run.stderr()).contains("mcm render");
  }

  @Test
  void pngToATerminal_isRefused() {
    Run run = runOnTerminal(true, true, "render", "10", "0", "0", "1");
    assertThat(run.code()).as(run.stderr()).isEqualTo(2);
    assertThat(run.stderr()).contains("terminal");
    assertThat(run.stdout()).isEmpty();
  }

  @Test
  void unwritableOutput_exitsOneWithOneLine() {
    Path bad = dir.resolve("no/such/dir/x.png");
    Run run = run("render", "-o", bad.toString(), "10", "0", "0", "1");
    assertThat(run.code()).as(run.stderr()).isEqualTo(1);
    assertThat(run.stderr().lines().count()).isEqualTo(1);
    assertThat(run.stderr()).startsWith("mcm render: cannot write").doesNotContain("Exception");
  }

  // ---------------------------------------------------------------- helpers

  private static String[] concat(String[] a, String[] b) {
    String[] all = new String[a.length + b.length];
    System.arraycopy(a, 0, all, 0, a.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }

  private static byte[] plainEncoding(ViewSpec spec) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PngEncoder png = new PngEncoder(out, spec.nx(), spec.ny(), io.asynqueue.mandelbrot.Renderer.DEFAULT_COMPRESSION);
    for (int y = 0; y < spec.ny(); y++) {
      png.writeRow(MandelbrotValuer.row(spec, y));
    }
    png.finish();
    return out.toByteArray();
  }
}
