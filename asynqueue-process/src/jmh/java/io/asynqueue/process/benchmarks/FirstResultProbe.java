package io.asynqueue.process.benchmarks;

import io.asynqueue.process.ChildOutput;
import io.asynqueue.process.ProcessQueue;
import io.asynqueue.process.ProcessQueueOptions;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Time to first result of a fresh one-child ProcessQueue (create, ready, first call back), for child JVM
 * arguments given on the command line separated by {@code |} per variant ({@code @path} for a class-data
 * archive, see ProcessQueueOptions#setClassDataArchive), several rounds each, interleaved so that load on the
 * machine hits every variant alike. {@code java -cp benchmarks.jar
 * io.asynqueue.process.benchmarks.FirstResultProbe rounds "" "-XX:TieredStopAtLevel=1"}
 */
public final class FirstResultProbe {

  private FirstResultProbe() {
  }

  public static void main(String[] args) throws Exception {
    int rounds = Integer.parseInt(args[0]);
    List<List<String>> variants = new ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      variants.add(args[i].isEmpty() ? List.of() : Arrays.asList(args[i].split("\\|")));
    }
    Vertx vertx = Vertx.vertx();
    long[][] ready = new long[variants.size()][rounds];
    long[][] first = new long[variants.size()][rounds];
    long[][] hundred = new long[variants.size()][rounds];
    for (int r = 0; r < rounds; r++) {
      for (int v = 0; v < variants.size(); v++) {
        long t0 = System.nanoTime();
        List<String> jvmArgs = new ArrayList<>();
        String archive = null;
        for (String a : variants.get(v)) {
          if (a.startsWith("@")) {
            archive = a.substring(1);
          } else {
            jvmArgs.add(a);
          }
        }
        ProcessQueue q = ProcessQueue.create(vertx, new ProcessQueueOptions().setProcesses(1)
            .setJvmArgs(jvmArgs).setClassDataArchive(archive).setOutput(ChildOutput.DISCARD));
        q.ready().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        long t1 = System.nanoTime();
        q.call(ProcessBenchmark.IDENTITY, 1).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        long t2 = System.nanoTime();
        for (int i = 0; i < 100; i++) {
          q.call(ProcessBenchmark.IDENTITY, i).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        }
        long t3 = System.nanoTime();
        q.shutdown().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        ready[v][r] = t1 - t0;
        first[v][r] = t2 - t0;
        hundred[v][r] = t3 - t2;
      }
    }
    for (int v = 0; v < variants.size(); v++) {
      System.out.printf("%-70s ready %6.1f ms, first result %6.1f ms, next 100 calls %6.1f ms (medians of %d)%n",
          variants.get(v).isEmpty() ? "(default)" : String.join(" ", variants.get(v)),
          median(ready[v]) / 1e6, median(first[v]) / 1e6, median(hundred[v]) / 1e6, rounds);
    }
    vertx.close();
    System.exit(0);
  }

  private static double median(long[] a) {
    long[] s = a.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }
}
