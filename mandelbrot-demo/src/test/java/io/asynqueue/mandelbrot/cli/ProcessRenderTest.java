package io.asynqueue.mandelbrot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code mcm render --processes N}: rows computed in child JVMs give the very same PNG as threads. */
final class ProcessRenderTest {

  @TempDir
  Path dir;

  private static int run(ByteArrayOutputStream stderr, String... args) {
    return Mcm.run(Terminal.of(new ByteArrayOutputStream(), stderr), args);
  }

  @Test
  void processRender_matchesThreadRender_byteForByte() throws Exception {
    Path threads = dir.resolve("threads.png");
    Path processes = dir.resolve("processes.png");
    String[] view = {"300", "-0.73249", "0.21653", "0.0112", "0.008"};
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    assertThat(run(err, concat(new String[] {"render", "-w", "2", "-o", threads.toString()}, view)))
        .as(err.toString(StandardCharsets.UTF_8)).isZero();
    assertThat(run(err, concat(new String[] {"render", "--processes", "2", "-o", processes.toString()}, view)))
        .as(err.toString(StandardCharsets.UTF_8)).isZero();
    byte[] expected = Files.readAllBytes(threads);
    assertThat(expected.length).isGreaterThan(1000);
    assertThat(Files.readAllBytes(processes)).isEqualTo(expected);
  }

  /**
   * Issue 15: a child killed (kill -9) mid-render took its row with it and failed the render. Rows are safe to run
   * twice, so they are retried: the render goes on and its PNG has the very pixels of a thread render.
   */
  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void aChildKilledMidRender_doesNotFailIt_andThePixelsAreTheThreadRenders() throws Exception {
    Path threads = dir.resolve("threads.png");
    Path processes = dir.resolve("processes.png");
    String[] view = {"-N", "3000", "600", "-0.73249", "0.21653", "0.0112", "0.008"};
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    assertThat(run(err, concat(new String[] {"render", "-w", "2", "-o", threads.toString()}, view)))
        .as(err.toString(StandardCharsets.UTF_8)).isZero();
    ByteArrayOutputStream progress = new ByteArrayOutputStream();
    Set<Long> before = ProcessHandle.current().children().map(ProcessHandle::pid).collect(Collectors.toSet());
    CompletableFuture<Integer> render = CompletableFuture.supplyAsync(() -> run(progress,
        concat(new String[] {"render", "--processes", "2", "--progress", "-o", processes.toString()}, view)));
    // once some rows are done and most are not, kill -9 a child: it holds a row (5 per child are in flight)
    long total = 0;
    long done = 0;
    while (!render.isDone() && (done < 20 || children(before).size() < 2)) {
      Thread.sleep(20); // polling the progress bar of a render in another thread: there is no Future to wait on
      Matcher m = LAST_PROGRESS.matcher(progress.toString(StandardCharsets.UTF_8));
      while (m.find()) {
        done = Long.parseLong(m.group(1));
        total = Long.parseLong(m.group(2));
      }
    }
    assertThat(render).as("the render ended before a child could be killed: %d/%d rows, %d children, %s", done,
        total, children(before).size(), progress.toString(StandardCharsets.UTF_8)).isNotDone();
    assertThat(done).isLessThan(total / 2);
    assertThat(children(before).get(0).destroyForcibly()).isTrue();
    assertThat(render.get(4, TimeUnit.MINUTES)).as(progress.toString(StandardCharsets.UTF_8)).isZero();
    BufferedImage expected = ImageIO.read(threads.toFile());
    BufferedImage actual = ImageIO.read(processes.toFile());
    assertThat(actual.getWidth()).isEqualTo(expected.getWidth());
    assertThat(actual.getHeight()).isEqualTo(expected.getHeight());
    for (int y = 0; y < expected.getHeight(); y++) {
      assertThat(actual.getRGB(0, y, actual.getWidth(), 1, null, 0, actual.getWidth()))
          .as("row %d", y).isEqualTo(expected.getRGB(0, y, expected.getWidth(), 1, null, 0, expected.getWidth()));
    }
  }

  private static final Pattern LAST_PROGRESS = Pattern.compile("\\] (\\d+)/(\\d+) rows");

  /**
   * The render's child JVMs: the children of this JVM but those there {@code before} it. (Their command line does
   * not tell: on Linux the JDK gives only the executable when it is as long as a test's class path.)
   */
  private static List<ProcessHandle> children(Set<Long> before) {
    return ProcessHandle.current().children().filter(p -> !before.contains(p.pid()) && p.isAlive()).toList();
  }

  @Test
  void processes_outOfRange_isAUsageError() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    assertThat(run(err, "render", "--processes", "0", "-o", dir.resolve("x.png").toString()))
        .isEqualTo(Mcm.EXIT_USAGE);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--processes must be 1 to");
  }

  private static String[] concat(String[] a, String[] b) {
    String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
