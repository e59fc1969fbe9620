package io.asynqueue.mandelbrot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code mcm serve}, running in its own JVM, serves its queue's meters at {@code /metrics} for Prometheus. */
@Timeout(120)
final class ServeMetricsTest {

  private static final Pattern URL = Pattern.compile("mcm serve: (http://127\\.0\\.0\\.1:\\d+/)");

  @Test
  void metrics_areScrapedOverHttp_andCountTheRowsOfARender() throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    Process serve = new ProcessBuilder(List.of(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
        Mcm.class.getName(), "serve", "--port", "0", "--workers", "2"))
        .redirectErrorStream(true)
        .start();
    try {
      // Read on another thread, so that a server that never prints its address fails the test instead of hanging it.
      String base = CompletableFuture.supplyAsync(() -> address(serve)).get(60, TimeUnit.SECONDS);
      assertThat(base).as("the server's address on its first lines").isNotNull();
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
      HttpResponse<byte[]> png = http.send(HttpRequest.newBuilder(URI.create(base + "image.png?N=240&values=50"))
          .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofByteArray());
      assertThat(png.statusCode()).isEqualTo(200);

      HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create(base + "metrics"))
          .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t)
          .startsWith("text/plain"));
      String text = metrics.body();
      // 240 x 240 pixels (cipm defaults to crpm): 240 rows, each a call on a thread worker.
      Matcher completed = Pattern.compile(
          "asynqueue_calls_total\\{kind=\"thread\",outcome=\"completed\",queue=\"[^\"]+\"} (\\S+)").matcher(text);
      assertThat(completed.find()).as(text).isTrue();
      assertThat(Double.parseDouble(completed.group(1))).isEqualTo(240);
      assertThat(text).contains("asynqueue_calls_wait_seconds_bucket{", "asynqueue_calls_run_seconds_count{",
          "asynqueue_queued{", "asynqueue_workers{kind=\"thread\"");
    } finally {
      serve.destroy(); // SIGTERM: its shutdown hook stops the queue and Vert.x
      if (!serve.waitFor(30, TimeUnit.SECONDS)) {
        serve.destroyForcibly();
      }
    }
  }

  /** @return the address {@code mcm serve} prints once it listens, or null if its output ends first */
  private static String address(Process serve) {
    BufferedReader out = new BufferedReader(new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8));
    try {
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        Matcher m = URL.matcher(line);
        if (m.find()) {
          return m.group(1);
        }
      }
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
