package io.asynqueue.process;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import io.asynqueue.internal.codec.FrameReader;
import io.asynqueue.internal.codec.FrameWriter;
import io.asynqueue.internal.codec.Wire;
import io.asynqueue.process.impl.ChildMain;
import io.asynqueue.spi.ElementSource;
import io.asynqueue.spi.Job;
import io.vertx.core.Promise;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One child JVM of a {@link ProcessWorker}: launching it, its pipes, and the thread that reads its replies.
 *
 * <p>The reader thread launches the child (so that several children start in parallel without blocking an
 * event loop), waits for its HELLO, then decodes frames as they arrive (a blocking read, no polling) and
 * settles the pending calls. At end of stream it reaps the child and tells the worker.
 */
final class ChildConnection {

  /** What a reply settles. */
  sealed interface Pending permits CallPending, ReplayPending, FetchPending, InfoPending {
  }

  /** A call of the queue. */
  record CallPending(Job job, long sentNanos) implements Pending {
  }

  /** An update replayed on this child when it replaced another. */
  record ReplayPending(int index) implements Pending {
  }

  /** A fetch of iterator elements. */
  record FetchPending(Promise<ElementSource.Batch<Object>> promise, ProcessElementSource source) implements Pending {
  }

  /** An INFO request. */
  record InfoPending(Promise<ChildInfo> promise) implements Pending {
  }

  /**
   * The reader thread's class. Calls that a queue hands a worker from a reader thread (as it settles the
   * previous ones) are flushed once the reader has no more replies to decode, one wake-up of the writer per
   * burst rather than per call; a reader never writes itself, so it never waits on a slow child.
   */
  static final class ReaderThread extends Thread {
    private final List<FrameWriter> owed = new ArrayList<>(4);

    ReaderThread(Runnable r, String name) {
      super(r, name);
      setDaemon(true);
    }

    void owe(FrameWriter w) {
      for (int i = 0; i < owed.size(); i++) {
        if (owed.get(i) == w) {
          return;
        }
      }
      owed.add(w);
    }

    void payIfIdle(ReplyStream in) throws IOException {
      if (!owed.isEmpty() && in.buffered() == 0 && in.available() == 0) {
        payAll();
      }
    }

    void payAll() {
      for (int i = 0; i < owed.size(); i++) {
        owed.get(i).flushLater();
      }
      owed.clear();
    }
  }

  /** The child's output, buffered; tells how much is buffered without asking the pipe (a system call). */
  static final class ReplyStream extends BufferedInputStream {
    ReplyStream(InputStream in) {
      super(in, FrameWriter.SMALL);
    }

    synchronized int buffered() {
      return count - pos;
    }
  }

  final ProcessWorker worker;
  final int generation;
  final ConcurrentHashMap<Long, Pending> pending = new ConcurrentHashMap<>();
  final AtomicInteger calls = new AtomicInteger();
  final AtomicInteger openIterators = new AtomicInteger();
  // @protectedby worker.lock: the task refs this child has been sent a DEFINE for
  final java.util.Set<Integer> defined = new java.util.HashSet<>();
  private final ArrayDeque<String> stderrTail = new ArrayDeque<>();
  private volatile Process process;
  private volatile FrameWriter writer;
  private volatile boolean killed;
  private volatile Thread stderrReader;
  volatile long pid = -1;
  volatile int cpus;
  // @protectedby worker.lock
  boolean ready;
  boolean dead;
  int replaysLeft;
  String killReason;
  long startTimer = -1;

  ChildConnection(ProcessWorker worker, int generation) {
    this.worker = worker;
    this.generation = generation;
  }

  String label() {
    return "process worker " + worker.workerId() + " child " + generation + (pid > 0 ? " (pid " + pid + ")" : "");
  }

  void start() {
    new ReaderThread(this::run, "asynqueue-process-" + worker.workerId() + "." + generation + "-reader").start();
  }

  /** Kills the child at once; the reader thread then reports its exit. */
  void kill() {
    killed = true;
    Process p = process;
    if (p != null) {
      p.destroyForcibly();
    }
  }

  FrameWriter writer() {
    return writer;
  }

  /**
   * Sends the pending frames: now, on this thread, for a lone call (the child holds nothing else, so its pipe
   * is empty and the write cannot block); otherwise on the writer's thread, which gathers the frames of a burst
   * into one write and is the only one to wait when the child is slow to read.
   */
  void flushSoon() {
    FrameWriter w = writer;
    if (w == null) {
      return;
    }
    if (Thread.currentThread() instanceof ReaderThread rt) {
      rt.owe(w);
    } else if (calls.get() <= 1) {
      flushNow(w);
    } else {
      w.flushLater();
    }
  }

  private static void flushNow(FrameWriter w) {
    if (w.pendingBytes() <= FrameWriter.SMALL) {
      w.flush();
    } else {
      w.flushLater();
    }
  }

  String stderrTail() {
    synchronized (stderrTail) {
      return String.join("\n", stderrTail);
    }
  }

  private List<String> command() {
    ProcessQueueOptions o = worker.options;
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command()
        .orElse(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java"));
    if (o.getJvmArgs().stream().noneMatch(a -> a.contains("OutOfMemory"))) {
      cmd.add("-XX:+ExitOnOutOfMemoryError");
    }
    cmd.addAll(o.getJvmArgs());
    StringBuilder cp = new StringBuilder(System.getProperty("java.class.path"));
    for (String extra : o.getExtraClasspath()) {
      cp.append(File.pathSeparatorChar).append(extra);
    }
    cmd.add("-cp");
    cmd.add(cp.toString());
    cmd.add(ChildMain.class.getName());
    cmd.add(Integer.toString(o.getConcurrency()));
    cmd.add(Integer.toString(o.getMaxFrameBytes()));
    return cmd;
  }

  private void run() {
    String why;
    try {
      ProcessBuilder pb = new ProcessBuilder(command());
      pb.environment().putAll(worker.options.getEnvironment());
      if (worker.options.getWorkingDirectory() != null) {
        pb.directory(new File(worker.options.getWorkingDirectory()));
      }
      Process p = pb.start();
      process = p;
      pid = p.pid();
      if (killed) {
        p.destroyForcibly();
      }
      writer = new FrameWriter(p.getOutputStream(), "asynqueue-process-" + worker.workerId() + "." + generation
          + "-writer", e -> { }); // a failed write means the child is gone: the reader sees the end of stream
      Thread err = new Thread(() -> readStderr(p), "asynqueue-process-" + worker.workerId() + "." + generation
          + "-stderr");
      err.setDaemon(true);
      err.start();
      stderrReader = err;
      why = readLoop(p);
    } catch (IOException | RuntimeException e) {
      why = "failed: " + e;
    }
    Process p = process;
    if (p != null) {
      try {
        if (!p.waitFor(5, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          p.waitFor(5, TimeUnit.SECONDS);
        }
        if (!p.isAlive()) {
          why = why != null ? why : describeExit(p.exitValue());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      FrameWriter w = writer;
      if (w != null) {
        w.abort();
      }
      Thread err = stderrReader;
      if (err != null) {
        try {
          err.join(2000); // its last lines explain a failed start
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
    try {
      worker.onExit(this, why == null ? "exited" : why);
    } finally {
      ((ReaderThread) Thread.currentThread()).payAll(); // calls the queue handed over as this child's failed
    }
  }

  // returns null on a clean end of stream (the exit code then says why), or why the channel failed
  private String readLoop(Process p) {
    ReplyStream in = new ReplyStream(p.getInputStream());
    FrameReader reader = new FrameReader(in, worker.options.getMaxFrameBytes());
    ReaderThread self = (ReaderThread) Thread.currentThread();
    Kryo kryo = worker.codec.newKryo();
    try {
      Input frame = reader.next();
      if (frame == null) {
        return null;
      }
      if (frame.readByte() != Wire.HELLO) {
        return "sent a bad greeting";
      }
      frame.readVarLong(true);
      cpus = frame.readVarInt(true);
      worker.onReady(this);
      self.payIfIdle(in);
      while ((frame = reader.next()) != null) {
        worker.onFrame(this, kryo, frame);
        self.payIfIdle(in);
      }
      return null;
    } catch (IOException | RuntimeException e) {
      p.destroyForcibly();
      return "broke the protocol (" + e + ")";
    } finally {
      self.payAll();
    }
  }

  private void readStderr(Process p) {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        synchronized (stderrTail) {
          if (stderrTail.size() == 20) {
            stderrTail.removeFirst();
          }
          stderrTail.addLast(line);
        }
        worker.childLine(this, 1, line);
      }
    } catch (IOException ignored) {
      // the child is gone
    }
  }

  static String describeExit(int code) {
    if (code > 128 && code < 160) {
      int signal = code - 128;
      String name = switch (signal) {
        case 9 -> " (SIGKILL)";
        case 15 -> " (SIGTERM)";
        case 6 -> " (SIGABRT)";
        case 11 -> " (SIGSEGV)";
        default -> "";
      };
      return "was killed by signal " + signal + name;
    }
    return "exited with code " + code;
  }
}
