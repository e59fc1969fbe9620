package io.asynqueue.mandelbrot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
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
