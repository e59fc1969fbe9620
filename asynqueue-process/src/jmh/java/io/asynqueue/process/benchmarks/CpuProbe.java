package io.asynqueue.process.benchmarks;

import io.asynqueue.process.ChildOutput;
import io.asynqueue.process.ProcessQueue;
import io.asynqueue.process.ProcessQueueOptions;
import io.asynqueue.process.ProcessWorker;
import io.asynqueue.spi.WorkerSupervisor;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * CPU time per call (parent plus child, user plus system) of pipelined and one-at-a-time calls: less sensitive
 * to a busy machine than wall-clock figures. {@code java -cp benchmarks.jar io.asynqueue.process.benchmarks.CpuProbe}
 */
public final class CpuProbe {

  private CpuProbe() {
  }

  static long cpuNanos(long pid) throws Exception {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
    return ticks * 10_000_000L; // USER_HZ 100
  }

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 300_000;
    Vertx vertx = Vertx.vertx();
    Context ctx = vertx.getOrCreateContext();
    ProcessWorker w = new ProcessWorker(new ProcessQueueOptions().setOutput(ChildOutput.DISCARD));
    w.start(new WorkerSupervisor() {
      public Vertx vertx() {
        return vertx;
      }

      public int workerId() {
        return 1;
      }

      public void resign(Throwable cause) {
      }
    }).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    long self = ProcessHandle.current().pid();
    for (int round = 0; round < 3; round++) {
      // pipelined
      long c0 = cpuNanos(self);
      long k0 = cpuNanos(w.pid());
      long t0 = System.nanoTime();
      CountDownLatch done = new CountDownLatch(n);
      AtomicInteger issued = new AtomicInteger(64);
      Runnable[] next = new Runnable[1];
      next[0] = () -> {
        done.countDown();
        int i = issued.getAndIncrement();
        if (i < n) {
          w.run(new ProcessBenchmark.BenchJob(ctx, ProcessBenchmark.IDENTITY, i, next[0]));
        }
      };
      for (int i = 0; i < 64; i++) {
        w.run(new ProcessBenchmark.BenchJob(ctx, ProcessBenchmark.IDENTITY, i, next[0]));
      }
      done.await();
      long t1 = System.nanoTime();
      long c1 = cpuNanos(self);
      long k1 = cpuNanos(w.pid());
      System.out.printf("pipelined: %.0f calls/s; cpu per call parent %.2f us, child %.2f us%n",
          n * 1e9 / (t1 - t0), (c1 - c0) / 1e3 / n, (k1 - k0) / 1e3 / n);
      // one at a time
      int m = n / 10;
      Thread me = Thread.currentThread();
      t0 = System.nanoTime();
      for (int i = 0; i < m; i++) {
        ProcessBenchmark.BenchJob job = new ProcessBenchmark.BenchJob(ctx, ProcessBenchmark.IDENTITY, i,
            () -> LockSupport.unpark(me));
        w.run(job);
        while (!job.done) {
          LockSupport.park();
        }
      }
      t1 = System.nanoTime();
      long c2 = cpuNanos(self);
      long k2 = cpuNanos(w.pid());
      System.out.printf("round trip: %.2f us; cpu per call parent %.2f us, child %.2f us%n",
          (t1 - t0) / 1e3 / m, (c2 - c1) / 1e3 / m, (k2 - k1) / 1e3 / m);
    }
    ProcessQueue queue = ProcessQueue.create(vertx, new ProcessQueueOptions().setProcesses(1)
        .setOutput(ChildOutput.DISCARD));
    queue.ready().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    long qpid = queue.info().toCompletionStage().toCompletableFuture().get().get(0).pid();
    for (int round = 0; round < 3; round++) {
      long c0 = cpuNanos(self);
      long k0 = cpuNanos(qpid);
      long t0 = System.nanoTime();
      for (int b = 0; b < n / ProcessBenchmark.BATCH; b++) {
        List<Future<Integer>> calls = new ArrayList<>(ProcessBenchmark.BATCH);
        for (int i = 0; i < ProcessBenchmark.BATCH; i++) {
          calls.add(queue.call(ProcessBenchmark.IDENTITY, i));
        }
        Future.all(calls).toCompletionStage().toCompletableFuture().get();
      }
      long t1 = System.nanoTime();
      long c1 = cpuNanos(self);
      long k1 = cpuNanos(qpid);
      int done = n / ProcessBenchmark.BATCH * ProcessBenchmark.BATCH;
      System.out.printf("queue pipelined: %.0f calls/s; cpu per call parent %.2f us, child %.2f us%n",
          done * 1e9 / (t1 - t0), (c1 - c0) / 1e3 / done, (k1 - k0) / 1e3 / done);
      int m = n / 10;
      t0 = System.nanoTime();
      for (int i = 0; i < m; i++) {
        queue.call(ProcessBenchmark.IDENTITY, i).toCompletionStage().toCompletableFuture().get();
      }
      t1 = System.nanoTime();
      long c2 = cpuNanos(self);
      long k2 = cpuNanos(qpid);
      System.out.printf("queue round trip: %.2f us; cpu per call parent %.2f us, child %.2f us%n",
          (t1 - t0) / 1e3 / m, (c2 - c1) / 1e3 / m, (k2 - k1) / 1e3 / m);
    }
    queue.shutdown().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    ProcessBenchmark.Echo echo = new ProcessBenchmark.Echo();
    echo.start();
    long epid = echo.process.pid();
    for (int round = 0; round < 3; round++) {
      long c0 = cpuNanos(self);
      long k0 = cpuNanos(epid);
      long t0 = System.nanoTime();
      for (int i = 0; i < n / 64; i++) {
        for (int j = 0; j < 64; j++) {
          echo.send();
        }
        echo.out.flush();
        for (int j = 0; j < 64; j++) {
          echo.receive();
        }
      }
      long t1 = System.nanoTime();
      long c1 = cpuNanos(self);
      long k1 = cpuNanos(epid);
      System.out.printf("raw pipelined: %.0f calls/s; cpu per call parent %.2f us, child %.2f us%n",
          n * 1e9 / (t1 - t0), (c1 - c0) / 1e3 / n, (k1 - k0) / 1e3 / n);
      int m = n / 10;
      t0 = System.nanoTime();
      for (int i = 0; i < m; i++) {
        echo.send();
        echo.out.flush();
        echo.receive();
      }
      t1 = System.nanoTime();
      long c2 = cpuNanos(self);
      long k2 = cpuNanos(epid);
      System.out.printf("raw round trip: %.2f us; cpu per call parent %.2f us, child %.2f us%n",
          (t1 - t0) / 1e3 / m, (c2 - c1) / 1e3 / m, (k2 - k1) / 1e3 / m);
    }
    echo.stop();
    w.stop().toCompletionStage().toCompletableFuture().get();
    vertx.close();
    System.exit(0);
  }
}
