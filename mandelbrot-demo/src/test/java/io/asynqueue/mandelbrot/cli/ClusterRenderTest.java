package io.asynqueue.mandelbrot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mcm worker --cluster}, {@code mcm render --cluster} and {@code mcm serve --cluster} on one cluster on
 * 127.0.0.1: two workers in child JVMs (the first starts the cluster, the second joins it through the first), renders
 * in this JVM and a web server in a child JVM, lite members that find the workers through the cluster. The cluster has a name and ports of its own, so that no other cluster
 * on the host is joined.
 */
@Timeout(120)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
final class ClusterRenderTest {

  static final Pattern READY = Pattern.compile("mcm worker listening on [^ ]+ .*, in pool '([^']+)' of cluster "
      + "'([^']+)' as member (\\S+)");
  static final String POOL = "mcm-test-pool";
  static final String[] VIEW = {"150", "-0.74", "0.18", "0.05", "0.04"};

  @TempDir
  static Path dir;
  static Path secret;
  static String clusterName;
  static int clusterPort;
  static Worker first;
  static Worker second;

  /** A worker node in a child JVM, and the member address it reported. */
  record Worker(Process process, String member, Path log) {
  }

  @BeforeAll
  static void cluster() throws Exception {
    secret = dir.resolve("secret");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(Mcm.run(Terminal.of(out, new ByteArrayOutputStream()), "secret")).isZero();
    Files.write(secret, out.toByteArray());
    clusterName = "mcm-test-" + UUID.randomUUID();
    clusterPort = 21000 + ThreadLocalRandom.current().nextInt(20000);
    // one after the other: the first is the cluster's first data member, the second joins through it
    first = startWorker("first", "127.0.0.1:" + clusterPort);
    second = startWorker("second", first.member());
  }

  @AfterAll
  static void stop() throws Exception {
    for (Worker w : new Worker[] {second, first}) {
      if (w != null && w.process().isAlive()) {
        w.process().destroyForcibly().waitFor(20, TimeUnit.SECONDS);
      }
    }
  }

  /** Starts an {@code mcm worker --cluster} child JVM and waits for its ready line. */
  static Worker startWorker(String name, String members) throws Exception {
    Path log = dir.resolve(name + ".log");
    String java = ProcessHandle.current().info().command().orElse("java");
    Process p = new ProcessBuilder(List.of(java, "-Xmx256m", "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("java.class.path"), Mcm.class.getName(),
        "worker", "--concurrency", "1", "--secret-file", secret.toString(),
        "--cluster", members, "--cluster-name", clusterName, "--cluster-port", Integer.toString(clusterPort),
        "--join-wait", "0", "--pool", POOL))
        .redirectError(log.toFile())
        .start();
    Matcher m = awaitLine(p, READY, log);
    assertThat(m.group(1)).isEqualTo(POOL);
    assertThat(m.group(2)).isEqualTo(clusterName);
    return new Worker(p, m.group(3), log);
  }

  /** Waits for a child's line on standard output that matches; the rest of its output is read and dropped. */
  static Matcher awaitLine(Process p, Pattern pattern, Path log) throws Exception {
    CompletableFuture<Matcher> ready = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = in.readLine()) != null; ) {
          Matcher m = pattern.matcher(line);
          if (m.find()) {
            ready.complete(m);
          }
        }
        ready.completeExceptionally(new IllegalStateException("the child ended before it was ready: "
            + Files.readString(log, StandardCharsets.UTF_8)));
      } catch (Exception e) {
        ready.completeExceptionally(e);
      }
    }, "mcm-cluster-child-" + p.pid());
    reader.setDaemon(true);
    reader.start();
    return ready.get(60, TimeUnit.SECONDS);
  }

  static void assertSamePixels(Path actual, Path expected) throws Exception {
    BufferedImage a = ImageIO.read(expected.toFile());
    BufferedImage b = ImageIO.read(actual.toFile());
    assertThat(b.getWidth()).isEqualTo(a.getWidth());
    assertThat(b.getHeight()).isEqualTo(a.getHeight());
    assertThat(b.getRGB(0, 0, b.getWidth(), b.getHeight(), null, 0, b.getWidth()))
        .isEqualTo(a.getRGB(0, 0, a.getWidth(), a.getHeight(), null, 0, a.getWidth()));
  }

  /** The cluster options of a render on this test's cluster. */
  static List<String> clusterArgs() {
    return List.of("--cluster", first.member() + "," + second.member(), "--cluster-name", clusterName,
        "--cluster-port", Integer.toString(clusterPort), "--join-wait", "0", "--secret-file", secret.toString());
  }

  record Run(int code, String out, String err) {
  }

  static Run mcm(List<String> args, String... more) {
    List<String> all = new ArrayList<>(args);
    all.addAll(List.of(more));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Mcm.run(Terminal.of(out, err), all.toArray(new String[0]));
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  @Test
  @Order(1)
  void aRenderOnTheClusterWorkers_hasThePixelsOfALocalRender() throws Exception {
    Path local = dir.resolve("local.png");
    Path clustered = dir.resolve("cluster.png");
    Run l = mcm(List.of("render", "-N", "500", "-w", "1", "-o", local.toString()), VIEW);
    assertThat(l.code()).as(l.err()).isZero();
    Run c = mcm(concat(List.of("render", "-N", "500", "--pool", POOL, "-o", clustered.toString()), clusterArgs()),
        VIEW);
    assertThat(c.code()).as(c.err()).isZero();
    assertThat(c.out()).contains("Computed 18000 pixels");
    assertThat(ImageIO.read(clustered.toFile()).getWidth()).isEqualTo(150);
    assertSamePixels(clustered, local);
  }

  @Test
  @Order(2)
  void aRenderWithNoWorkerInItsPool_failsAfterTheWorkerWait() {
    Path png = dir.resolve("none.png");
    Run r = mcm(concat(List.of("render", "--pool", "nobody-here", "--worker-wait", "1", "-o", png.toString()),
        clusterArgs()), "20", "0", "0", "1");
    assertThat(r.code()).isEqualTo(Mcm.EXIT_FAILURE);
    assertThat(r.err().strip()).startsWith("mcm render: no worker in the pool 'nobody-here' after 1 seconds")
        .doesNotContain("\n");
    assertThat(png).doesNotExist();
  }

  @Test
  @Order(3)
  void aRenderAlone_cannotStartACluster() {
    Path png = dir.resolve("alone.png");
    int port = clusterPort + 100; // beyond the ports this test's cluster may take
    Run r = mcm(List.of("render", "--cluster", "127.0.0.1:" + port, "--cluster-port", Integer.toString(port),
        "--cluster-name", "mcm-alone-" + UUID.randomUUID(), "--join-wait", "0", "--secret-file", secret.toString(),
        "-o", png.toString(), "20", "0", "0", "1"));
    assertThat(r.code()).isEqualTo(Mcm.EXIT_FAILURE);
    assertThat(r.err().strip()).startsWith("mcm render: found no 'mcm worker --cluster' in the cluster")
        .doesNotContain("\n");
    assertThat(png).doesNotExist();
  }

  @Test
  @Order(4)
  void cluster_isExclusiveWithTheOtherKindsOfWorkers() {
    Path png = dir.resolve("x.png");
    List<String> head = List.of("render", "--cluster", "127.0.0.1:5701", "--secret-file", secret.toString(),
        "-o", png.toString());
    for (List<String> other : List.of(List.of("--remote", "127.0.0.1:1978"), List.of("-w", "2"),
        List.of("--processes", "2"), List.of("--worker-wait", "0"), List.of("--join-wait", "-1"))) {
      Run r = mcm(concat(head, other));
      assertThat(r.code()).as("%s: %s", other, r.err()).isEqualTo(Mcm.EXIT_USAGE);
      assertThat(r.err().strip()).as("%s", other).startsWith("mcm render: ").doesNotContain("\n");
    }
    assertThat(mcm(concat(head, List.of("--remote", "127.0.0.1:1978"))).err()).contains("--remote or --cluster");
    assertThat(png).doesNotExist();
  }

  @Test
  @Order(5)
  void serveOnTheClusterWorkers_servesThePixelsOfALocalRender() throws Exception {
    Path log = dir.resolve("serve.log");
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("java.class.path"), Mcm.class.getName(), "serve", "--port", "0", "--pool", POOL));
    command.addAll(clusterArgs());
    Process serve = new ProcessBuilder(command).redirectError(log.toFile()).start();
    try {
      Matcher m = awaitLine(serve, Pattern.compile("mcm serve: (http://\\S+/) \\(the workers of pool '" + POOL
          + "'"), log);
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10)).build();
      HttpResponse<byte[]> png = http.send(HttpRequest.newBuilder(URI.create(m.group(1)
          + "image.png?N=240&cr=-0.74&ci=0.18&crpm=0.05&cipm=0.04&values=500")).timeout(Duration.ofSeconds(60))
          .build(), HttpResponse.BodyHandlers.ofByteArray());
      assertThat(png.statusCode()).isEqualTo(200);
      Path served = dir.resolve("served.png");
      Files.write(served, png.body());
      Path local = dir.resolve("local-240.png");
      Run l = mcm(List.of("render", "-N", "500", "-w", "1", "-o", local.toString(), "240", "-0.74", "0.18", "0.05",
          "0.04"));
      assertThat(l.code()).as(l.err()).isZero();
      assertSamePixels(served, local);
      HttpResponse<String> stats = http.send(HttpRequest.newBuilder(URI.create(m.group(1) + "stats"))
          .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
      JsonObject json = new JsonObject(stats.body());
      assertThat(json.getString("workerKind")).isEqualTo("cluster");
      assertThat(json.getJsonObject("renders").getLong("served")).isEqualTo(1);
    } finally {
      serve.destroy();
      assertThat(serve.waitFor(15, TimeUnit.SECONDS)).as("serve exited").isTrue();
    }
  }

  @Test
  @Order(6)
  void aWorkerStoppedBySigterm_exitsPromptly_andTheClusterRendersOnWithoutIt() throws Exception {
    long start = System.nanoTime();
    second.process().destroy(); // SIGTERM: the shutdown hook closes the server, leaving its pool, then Vert.x
    assertThat(second.process().waitFor(15, TimeUnit.SECONDS)).as("exited").isTrue();
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    // no stack trace, no error: it stopped cleanly (Hazelcast's notices of members that went are fine)
    assertThat(Files.readString(second.log(), StandardCharsets.UTF_8)).doesNotContain("\tat ").doesNotContain("ERROR");
    Path png = dir.resolve("after.png");
    Run r = mcm(concat(List.of("render", "-N", "100", "--pool", POOL, "-o", png.toString()), clusterArgs()),
        "40", "0", "0", "1");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("on 1 workers");
    System.out.printf("cluster worker: exited %d ms after SIGTERM%n", millis);
  }
}
