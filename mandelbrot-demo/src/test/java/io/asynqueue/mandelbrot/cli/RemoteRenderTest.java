package io.asynqueue.mandelbrot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code mcm worker} serves rows; {@code mcm render --remote} renders with them, to the same PNG as local threads. */
@Timeout(120)
final class RemoteRenderTest {

  static final Pattern LISTENING = Pattern.compile("mcm worker listening on [^:]+:(\\d+)");

  @TempDir
  Path dir;

  /** Standard output that tells when the worker is listening, and on which port. */
  static final class Watch extends OutputStream {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final CountDownLatch listening = new CountDownLatch(1);
    volatile int port;

    @Override
    public synchronized void write(int b) {
      bytes.write(b);
      check();
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      bytes.write(b, off, len);
      check();
    }

    private void check() {
      Matcher m = LISTENING.matcher(bytes.toString(StandardCharsets.UTF_8));
      if (port == 0 && m.find()) {
        port = Integer.parseInt(m.group(1));
        listening.countDown();
      }
    }
  }

  /** A worker command running in this JVM, on its own thread. */
  record Worker(Thread thread, Watch out, int[] code) {
  }

  Path secret() throws Exception {
    Path f = dir.resolve("secret");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(Mcm.run(Terminal.of(out, new ByteArrayOutputStream()), "secret")).isZero();
    Files.write(f, out.toByteArray());
    return f;
  }

  Worker startWorker(Path secret) throws Exception {
    Watch out = new Watch();
    int[] code = {-1};
    Thread t = new Thread(() -> code[0] = Mcm.run(Terminal.of(out, new ByteArrayOutputStream()), "worker",
        "--port", "0", "--concurrency", "2", "--secret-file", secret.toString()), "mcm-worker-test");
    t.setDaemon(true);
    t.start();
    assertThat(out.listening.await(30, TimeUnit.SECONDS)).isTrue();
    return new Worker(t, out, code);
  }

  static int render(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Mcm.run(Terminal.of(out, err), args);
    if (code != 0) {
      System.err.println(err.toString(StandardCharsets.UTF_8));
    }
    return code;
  }

  @Test
  void renderingWithRemoteWorkers_givesTheSamePngAsLocalThreads() throws Exception {
    Path secret = secret();
    Worker w = startWorker(secret);
    try {
      String[] view = {"150", "-0.74", "0.18", "0.05", "0.04"};
      Path local = dir.resolve("local.png");
      Path remote = dir.resolve("remote.png");
      assertThat(render(concat(List.of("render", "-N", "500", "-w", "1", "-o", local.toString()), view))).isZero();
      assertThat(render(concat(List.of("render", "-N", "500", "--remote", "127.0.0.1:" + w.out().port,
          "--secret-file", secret.toString(), "-o", remote.toString()), view))).isZero();
      assertThat(Files.readAllBytes(remote)).isEqualTo(Files.readAllBytes(local));
      // two connections to it, as if two hosts
      Path twice = dir.resolve("twice.png");
      assertThat(render(concat(List.of("render", "-N", "500", "--remote",
          "127.0.0.1:" + w.out().port + ",localhost:" + w.out().port, "--secret-file", secret.toString(),
          "-o", twice.toString()), view))).isZero();
      assertThat(Files.readAllBytes(twice)).isEqualTo(Files.readAllBytes(local));
      // the wrong secret is turned away
      Path other = dir.resolve("other");
      Files.writeString(other, "another secret, long enough to be one\n");
      assertThat(render("render", "--remote", "127.0.0.1:" + w.out().port, "--secret-file", other.toString(),
          "-o", dir.resolve("no.png").toString(), "20", "0", "0", "1")).isEqualTo(1);
    } finally {
      WorkerCommand.running.countDown();
      w.thread().join(30_000);
    }
    assertThat(w.code()[0]).isZero();
  }

  @Test
  void badRemoteArguments_areUsageErrors_andAnUnreachableWorkerFailsTheRender() throws Exception {
    Path secret = secret();
    Path png = dir.resolve("x.png");
    assertThat(render("render", "--remote", "127.0.0.1:1978", "-w", "2", "--secret-file", secret.toString(),
        "-o", png.toString())).isEqualTo(2);
    assertThat(render("render", "--remote", "127.0.0.1:nope", "--secret-file", secret.toString(),
        "-o", png.toString())).isEqualTo(2);
    assertThat(render("render", "--remote", "127.0.0.1:1978", "--secret-file", dir.resolve("missing").toString(),
        "-o", png.toString())).isEqualTo(2);
    int free;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      free = s.getLocalPort();
    }
    assertThat(render("render", "--remote", "127.0.0.1:" + free, "--secret-file", secret.toString(),
        "-o", png.toString(), "20", "0", "0", "1")).isEqualTo(1);
    assertThat(png).doesNotExist();
  }

  static String[] concat(List<String> head, String[] tail) {
    List<String> all = new ArrayList<>(head);
    all.addAll(List.of(tail));
    return all.toArray(new String[0]);
  }
}
