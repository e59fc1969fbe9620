package io.asynqueue.mandelbrot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mcm serve --remote}: tiles computed by an in-process {@code mcm worker} are those of thread workers. (In
 * this package, beside {@link RemoteRenderTest} whose worker it starts, and with {@link ServeCommand#running} to
 * stop the servers.)
 */
@Timeout(120)
final class ServeRemoteTest {

  static final Pattern SERVING = Pattern.compile("mcm serve: http://[^:]+:(\\d+)/");

  @TempDir
  Path dir;

  record Serve(Thread thread, RemoteRenderTest.Watch out, ByteArrayOutputStream err, int[] code) {
  }

  static Serve serve(String... args) throws Exception {
    RemoteRenderTest.Watch out = new RemoteRenderTest.Watch(SERVING);
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int[] code = {-1};
    String[] argv = new String[args.length + 3];
    argv[0] = "serve";
    argv[1] = "--port";
    argv[2] = "0";
    System.arraycopy(args, 0, argv, 3, args.length);
    Thread t = new Thread(() -> code[0] = Mcm.run(Terminal.of(out, err), argv), "mcm-serve-test");
    t.setDaemon(true);
    t.start();
    assertThat(out.listening.await(60, TimeUnit.SECONDS)).as(() -> err.toString(StandardCharsets.UTF_8)).isTrue();
    return new Serve(t, out, err, code);
  }

  static HttpResponse<byte[]> get(int port, String uri) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + uri))
        .build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  static int[] pixels(byte[] png) throws Exception {
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
    assertThat(image.getWidth()).isEqualTo(256);
    assertThat(image.getHeight()).isEqualTo(256);
    return image.getRGB(0, 0, 256, 256, null, 0, 256);
  }

  @Test
  void serveRemote_servesTheTilesOfThreadWorkers() throws Exception {
    RemoteRenderTest helper = new RemoteRenderTest();
    helper.dir = dir;
    Path secret = helper.secret();
    RemoteRenderTest.Worker worker = helper.startWorker(secret);
    CountDownLatch stop = new CountDownLatch(1);
    ServeCommand.running = stop;
    try {
      Serve remote = serve("--remote", "127.0.0.1:" + worker.out().port, "--secret-file", secret.toString());
      Serve threads = serve("-w", "1");
      assertThat(remote.out().bytes.toString(StandardCharsets.UTF_8)).contains("remote workers");
      String tile = "/tile/5/9/13.png?values=700&p=3&c=remote-test";
      HttpResponse<byte[]> fromRemote = get(remote.out().port, tile);
      HttpResponse<byte[]> fromThreads = get(threads.out().port, tile);
      assertThat(fromRemote.statusCode()).isEqualTo(200);
      assertThat(fromThreads.statusCode()).isEqualTo(200);
      assertThat(pixels(fromRemote.body())).isEqualTo(pixels(fromThreads.body()));
      HttpResponse<byte[]> stats = get(remote.out().port, "/stats");
      assertThat(new String(stats.body(), StandardCharsets.UTF_8)).contains("\"workerKind\" : \"remote\"");
      // the remote queue records in the registry /metrics scrapes
      assertThat(new String(get(remote.out().port, "/metrics").body(), StandardCharsets.UTF_8))
          .contains("asynqueue_queued");
      stop.countDown();
      remote.thread().join(30_000);
      threads.thread().join(30_000);
      assertThat(remote.code()[0]).isZero();
      assertThat(threads.code()[0]).isZero();
    } finally {
      stop.countDown();
      ServeCommand.running = new CountDownLatch(1);
      WorkerCommand.running.countDown();
      worker.thread().join(30_000);
    }
  }
}
