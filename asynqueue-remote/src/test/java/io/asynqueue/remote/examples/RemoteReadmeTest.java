package io.asynqueue.remote.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.asynqueue.stream.Deferator;
import io.asynqueue.TaskQueue;
import io.asynqueue.remote.Remote;
import io.asynqueue.remote.RemoteWorker;
import io.asynqueue.remote.RemoteWorkerOptions;
import io.asynqueue.remote.cli.ServerManager;
import io.asynqueue.remote.Tasks;
import io.asynqueue.remote.cli.Main;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The README's remote workers section, run: a secret file, a server from the command line, a client. */
@Timeout(120)
final class RemoteReadmeTest {

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  @Test
  void readmeExample_runs(@TempDir Path home) throws Exception {
    // java -jar asynqueue-remote.jar secret > ~/.asynqueue/secret; chmod 600 ~/.asynqueue/secret
    Path secretFile = home.resolve("secret");
    PrintStream saved = System.out;
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    System.setOut(new PrintStream(printed, true));
    try {
      Main.run("secret");
    } finally {
      System.setOut(saved);
    }
    Files.writeString(secretFile, printed.toString());
    Files.setPosixFilePermissions(secretFile, PosixFilePermissions.fromString("rw-------"));

    // java -jar asynqueue-remote.jar serve --port 1978 --secret-file ~/.asynqueue/secret --service com.example.Tasks
    Vertx vertx = Vertx.vertx();
    try (ServerManager servers = ServerManager.create(vertx)) {
      ServerManager.LocalServer server = await(servers.spawn("--secret-file", secretFile.toString(),
          "--service", Tasks.class.getName()));

      // the client, on another host in real life
      String secret = Files.readString(secretFile).strip();
      TaskQueue q = TaskQueue.create(vertx);
      q.attachWorker(RemoteWorker.create(vertx, new RemoteWorkerOptions()
          .setHost("127.0.0.1").setPort(server.port()).setSecret(secret)));
      Future<Integer> sum = q.call(Remote.named("add", Integer.class), 1, 2);     // Tasks.add(1, 2) on the server
      Future<List<String>> words = q.iterate(Remote.iterator("words", String.class), 3)
          .compose(Deferator::toList);                                             // a remote Stream, read ahead

      assertThat(await(sum)).isEqualTo(3);
      assertThat(await(words)).containsExactly("w0", "w1", "w2");
      await(q.shutdown());
    } finally {
      await(vertx.close());
    }
  }
}
