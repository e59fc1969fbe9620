package io.asynqueue.mandelbrot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code mcm worker} serves rows; {@code mcm render --remote} renders with them, to the same PNG as local threads. */
@Timeout(120)
final class RemoteRenderTest {

  static final Pattern LISTENING = Pattern.compile("mcm worker listening on [^:]+:(\\d+)");

  @TempDir
  Path dir;

  /** Standard output that tells when a command is listening, and on which port (the first group of a pattern). */
  static final class Watch extends OutputStream {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final CountDownLatch listening = new CountDownLatch(1);
    final Pattern pattern;
    volatile int port;

    /** For {@code mcm worker}'s "listening on" line. */
    Watch() {
      this(LISTENING);
    }

    Watch(Pattern pattern) {
      this.pattern = pattern;
    }

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
      Matcher m = pattern.matcher(bytes.toString(StandardCharsets.UTF_8));
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

  /** {@code mcm worker} in a child JVM of its own, so that it can be killed (kill -9) mid-render. */
  record ChildWorker(Process process, int port) implements AutoCloseable {
    static ChildWorker start(Path secret) throws Exception {
      Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
          System.getProperty("java.class.path"), Mcm.class.getName(), "worker", "--port", "0", "--concurrency", "2",
          "--secret-file", secret.toString()).redirectErrorStream(true).start();
      CompletableFuture<Integer> port = new CompletableFuture<>();
      Thread reader = new Thread(() -> { // reads to the end, so that the child never blocks on a full pipe
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
          for (String line; (line = r.readLine()) != null; ) {
            Matcher m = LISTENING.matcher(line);
            if (m.find()) {
              port.complete(Integer.parseInt(m.group(1)));
            }
          }
        } catch (IOException e) {
          port.completeExceptionally(e);
        }
        port.completeExceptionally(new IllegalStateException("mcm worker closed its output before listening"));
      }, "mcm-worker-child-output");
      reader.setDaemon(true);
      reader.start();
      try {
        return new ChildWorker(p, port.get(60, TimeUnit.SECONDS));
      } catch (Exception e) {
        p.destroyForcibly();
        throw e;
      }
    }

    String address() {
      return "127.0.0.1:" + port;
    }

    @Override
    public void close() throws InterruptedException {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
    }
  }

  static final Pattern LAST_PROGRESS = Pattern.compile("\\] (\\d+)/(\\d+) rows");

  /** Runs a render in another thread, and waits until it has done some rows, but fewer than half. */
  static CompletableFuture<Integer> renderUntilSomeRowsAreDone(ByteArrayOutputStream progress, String... args)
      throws InterruptedException {
    CompletableFuture<Integer> render = CompletableFuture.supplyAsync(
        () -> Mcm.run(Terminal.of(new ByteArrayOutputStream(), progress), args));
    long done = 0;
    long total = 0;
    while (!render.isDone() && done < 20) {
      Thread.sleep(20); // polling the progress bar of a render in another thread: there is no Future to wait on
      Matcher m = LAST_PROGRESS.matcher(progress.toString(StandardCharsets.UTF_8));
      while (m.find()) {
        done = Long.parseLong(m.group(1));
        total = Long.parseLong(m.group(2));
      }
    }
    assertThat(render).as("the render ended before a worker could be killed: %d/%d rows, %s", done, total,
        progress.toString(StandardCharsets.UTF_8)).isNotDone();
    assertThat(done).isLessThan(total / 2);
    return render;
  }

  /**
   * Issue 15: a remote server killed (kill -9) mid-render failed the render, though another remained. Rows are safe
   * to run twice, so the rows it held are computed again on the other: the PNG has the very pixels of a thread
   * render.
   */
  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void aServerKilledMidRender_doesNotFailIt_whileAnotherRemains() throws Exception {
    Path secret = secret();
    String[] view = {"-N", "3000", "600", "-0.73249", "0.21653", "0.0112", "0.008"};
    Path threads = dir.resolve("threads.png");
    Path remote = dir.resolve("remote.png");
    assertThat(render(concat(List.of("render", "-w", "2", "-o", threads.toString()), view))).isZero();
    try (ChildWorker a = ChildWorker.start(secret); ChildWorker b = ChildWorker.start(secret)) {
      ByteArrayOutputStream progress = new ByteArrayOutputStream();
      CompletableFuture<Integer> render = renderUntilSomeRowsAreDone(progress, concat(List.of("render", "--remote",
          a.address() + "," + b.address(), "--secret-file", secret.toString(), "--progress", "-o",
          remote.toString()), view));
      assertThat(a.process().destroyForcibly().waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(render.get(4, TimeUnit.MINUTES)).as(progress.toString(StandardCharsets.UTF_8)).isZero();
      assertThat(b.process().isAlive()).isTrue();
    }
    BufferedImage expected = ImageIO.read(threads.toFile());
    BufferedImage actual = ImageIO.read(remote.toFile());
    assertThat(actual.getWidth()).isEqualTo(expected.getWidth());
    assertThat(actual.getHeight()).isEqualTo(expected.getHeight());
    for (int y = 0; y < expected.getHeight(); y++) {
      assertThat(actual.getRGB(0, y, actual.getWidth(), 1, null, 0, actual.getWidth()))
          .as("row %d", y).isEqualTo(expected.getRGB(0, y, expected.getWidth(), 1, null, 0, expected.getWidth()));
    }
  }

  /** When every server is lost for good, the render fails (it does not wait forever), names why, and leaves no PNG. */
  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void everyServerKilledMidRender_failsTheRender_insteadOfWaitingForever() throws Exception {
    Path secret = secret();
    Path png = dir.resolve("remote.png");
    try (ChildWorker a = ChildWorker.start(secret); ChildWorker b = ChildWorker.start(secret)) {
      ByteArrayOutputStream progress = new ByteArrayOutputStream();
      CompletableFuture<Integer> render = renderUntilSomeRowsAreDone(progress, "render", "--remote",
          a.address() + "," + b.address(), "--secret-file", secret.toString(), "--progress", "-o", png.toString(),
          "-N", "3000", "600", "-0.73249", "0.21653", "0.0112", "0.008");
      a.process().destroyForcibly();
      b.process().destroyForcibly();
      assertThat(render.get(4, TimeUnit.MINUTES)).isEqualTo(1);
      assertThat(progress.toString(StandardCharsets.UTF_8)).contains("every server was lost");
    }
    assertThat(png).doesNotExist();
  }

  static String[] concat(List<String> head, String[] tail) {
    List<String> all = new ArrayList<>(head);
    all.addAll(List.of(tail));
    return all.toArray(new String[0]);
  }
}
