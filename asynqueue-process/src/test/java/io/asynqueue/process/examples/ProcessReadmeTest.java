package io.asynqueue.process.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.asynqueue.CallOptions;
import io.asynqueue.stream.ListConsumer;
import io.asynqueue.process.ChildInfo;
import io.asynqueue.process.ProcessQueue;
import io.asynqueue.process.ProcessQueueOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The README's process-worker section, compiled and run. */
@Timeout(60)
class ProcessReadmeTest {

  /** What the README calls Parser: static methods, so nothing unserializable is captured. */
  public static final class Parser {
    static volatile Set<String> ignored = Set.of();

    public static int parse(String path) throws IOException {
      try (Stream<String> lines = Files.lines(Path.of(path))) {
        return (int) lines.filter(l -> !ignored.contains(l)).count();
      }
    }

    public static int ignoreIPs(Set<String> ips) {
      ignored = Set.copyOf(ips);
      return ignored.size();
    }

    public static Iterator<String> records(String path) throws IOException {
      return Files.readAllLines(Path.of(path)).iterator();
    }
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void readmeExample_runs(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("log.txt");
    Files.write(file, List.of("10.0.0.1", "10.0.0.2", "10.0.0.3"));
    String path = file.toString();
    Vertx vertx = Vertx.vertx();

    ProcessQueue q = ProcessQueue.create(vertx, new ProcessQueueOptions()
        .setProcesses(2)                                      // 2 child JVMs, started in parallel
        .setJvmArgs(List.of("-Xmx256m")));                    // also: extra class path, environment, directory

    Future<Integer> count = q.call(Parser::parse, path);      // runs in a child JVM
    assertThat(await(count)).isEqualTo(3);

    Future<Integer> guarded = q.update(Parser::ignoreIPs, Set.of("10.0.0.2"))  // every child, and later ones
        .compose(results -> q.call(Parser::parse, new CallOptions()
            .setTimeout(Duration.ofSeconds(30))               // kills and replaces the child if it runs out
            .setRetries(1), path));                           // retried if its child dies: safe to run twice
    assertThat(await(guarded)).isEqualTo(2);
    List<ChildInfo> children = await(q.info());               // pid, cpus, heap and resident memory per child
    assertThat(children).hasSize(2);

    ListConsumer<String> consumer = ListConsumer.create(vertx.getOrCreateContext());  // any WriteStream
    Future<Void> piped = q.iterate(Parser::records, path)    // the iterator stays in the child, prefetched
        .compose(records -> records.pipeTo(consumer));        // backpressure pauses the child's iteration
    await(piped);
    assertThat(await(consumer.result())).containsExactly("10.0.0.1", "10.0.0.2", "10.0.0.3");

    await(q.shutdown());                                      // finishes queued calls, then stops the children
    await(vertx.close());
  }
}
