package io.asynqueue.process;

import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.asynqueue.internal.channel.Channel;
import io.asynqueue.internal.channel.Hello;
import io.asynqueue.internal.channel.Transport;
import io.asynqueue.internal.codec.BoundedInput;
import io.asynqueue.internal.codec.FrameReader;
import io.asynqueue.internal.codec.FrameWriter;
import io.asynqueue.internal.codec.Wire;
import io.asynqueue.process.internal.ChildMain;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
// Vert.x internal API (listed in InternalImportsTest): the event-loop context the reply sockets are read on, with a
// close future of its own (contextBuilder, CloseFuture), which Vertx has not.
import io.vertx.core.internal.CloseFuture;
import io.vertx.core.internal.ContextBuilder;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a {@link ProcessWorker} opens its channel: a child JVM, started from this JVM's own {@code java} binary
 * and class path, speaking the task protocol over its standard input and output.
 *
 * <p>Each child has a reader thread, which launches it (so that several children start in parallel without
 * blocking an event loop). Calls go down the child's standard input. Replies come back on a {@link ReplySocket}
 * (a Unix domain socket read on the event loop the worker started on, in a context of its own), so a caller on
 * that event loop hears its reply without a thread wake-up in between; the reader thread then only forwards
 * what the JVM itself prints on standard output. Where no such socket can be opened (or with the system
 * property {@value #REPLY_SOCKET} set to {@code false}), replies come on standard output and the reader thread
 * reads them as they arrive (a blocking read, no polling) and hands them to the worker. At the end it reaps the
 * child and reports why it ended, after its last reply.
 *
 * <p>Why it is one file of about 500 lines: a child's launch, its three pipes, its reply socket and its reaping
 * share one lifetime and one set of failure cases (a child that dies at any step), which {@link Child} keeps
 * together; the socket itself is {@link ReplySocket} and the protocol is core's channel kernel.
 */
final class ChildTransport implements Transport {

  /** The system property that turns the reply socket off ({@code false}): replies then come on standard output. */
  static final String REPLY_SOCKET = "asynqueue.process.replySocket";

  private static final Logger log = LoggerFactory.getLogger(ChildTransport.class);

  /** The class-data archives a child of this JVM is writing (see ProcessQueueOptions#setClassDataArchive). */
  private static final Set<Path> ARCHIVES_BEING_WRITTEN = ConcurrentHashMap.newKeySet();

  private final ProcessWorker worker;
  private final ProcessQueueOptions options;
  private volatile ContextInternal context;

  /** @param worker the worker whose children these are: their options, labels, lines and timers */
  ChildTransport(ProcessWorker worker) {
    this.worker = worker;
    this.options = worker.options();
  }

  @Override
  public Future<Channel> open(int generation, Channel.Listener listener) {
    if (context == null) { // the first child: its replies, and every later child's, are read on this context
      // A context of its own, on the caller's event loop when there is one, whose close future nobody closes but
      // the sockets' own ends: the caller's (a verticle's) would close the reply sockets as the verticle is
      // undeployed, cutting the children off while the queue detaches this worker gracefully.
      VertxInternal vertx = (VertxInternal) worker.vertx();
      ContextInternal current = vertx.getOrCreateContext();
      ContextBuilder own = vertx.contextBuilder().withEventLoop(current.nettyEventLoop())
          .withCloseFuture(new CloseFuture());
      if (current.classLoader() != null) {
        own.withClassLoader(current.classLoader());
      }
      context = own.build();
    }
    Child child = new Child(generation, listener);
    child.start();
    return child.opened.future();
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

  /** One child JVM: its process, pipes and reader thread, and the channel over them. */
  final class Child implements Channel, ReplySocket.Sink {
    final Promise<Channel> opened = Promise.promise();
    private final int generation;
    private final Channel.Listener listener;
    private final ArrayDeque<String> stderrTail = new ArrayDeque<>();
    private final AtomicBoolean ending = new AtomicBoolean();
    private final Promise<Void> exited = Promise.promise();
    private volatile Process process;
    private volatile FrameWriter writer;
    private volatile Thread stderrReader;
    private volatile String killReason;
    private volatile long pid = -1;
    private volatile Hello hello;
    /** The file this child writes its class-data archive into as it exits, or null. */
    private Path archiveDump;

    Child(int generation, Channel.Listener listener) {
      this.generation = generation;
      this.listener = listener;
    }

    void start() {
      new ReaderThread(this::run, threadName("reader")).start();
    }

    /** {@code asynqueue-<queue>-process-<worker id>.<child>-<role>}: a thread dump tells queues and children apart. */
    private String threadName(String role) {
      return "asynqueue-" + worker.queueName() + "-process-" + worker.workerId() + "." + generation + "-" + role;
    }

    @Override
    public Hello hello() {
      return hello;
    }

    @Override
    public String label() {
      return worker + ", child " + generation + (pid > 0 ? " (pid " + pid + ")" : "");
    }

    @Override
    public void send(byte[] frames, int offset, int length) {
      try {
        writer.append(frames, offset, length);
      } catch (IOException ignored) {
        // the child is gone: its reader thread reports the end, and the calls it held fail
      }
    }

    /**
     * Sends the pending frames: now, on this thread, for a lone call (the child holds nothing else, so its pipe
     * is empty and the write cannot block); otherwise on the writer's thread, which gathers the frames of a
     * burst into one write and is the only one to wait when the child is slow to read.
     */
    @Override
    public void flush(boolean alone) {
      FrameWriter w = writer;
      if (Thread.currentThread() instanceof ReaderThread rt) {
        rt.owe(w);
      } else if (alone && w.pendingBytes() <= FrameWriter.SMALL) {
        w.flush();
      } else if (!ReplySocket.owe(w)) { // not while reading a burst of replies on the event loop
        w.flushLater();
      }
    }

    @Override
    public Future<Void> finish() {
      if (ending.compareAndSet(false, true)) {
        killReason = "was stopped";
        Output out = new Output(8);
        int start = FrameWriter.beginFrame(out);
        out.writeByte(Wire.BYE);
        send(out.getBuffer(), start, FrameWriter.endFrame(out, start));
        writer.flushLater();
        Vertx vertx = worker.vertx();
        long timer = vertx.setTimer(10_000, t -> kill("ignored BYE for 10 s")); // a child that will not end
        exited.future().onComplete(ar -> vertx.cancelTimer(timer));
      }
      return exited.future();
    }

    @Override
    public void kill(String why) {
      killReason = why;
      Process p = process;
      if (p != null) {
        p.destroyForcibly();
      }
    }

    String stderrTail() {
      synchronized (stderrTail) {
        return String.join("\n", stderrTail);
      }
    }

    private List<String> command(ReplySocket replies) {
      List<String> cmd = new ArrayList<>();
      cmd.add(ProcessHandle.current().info().command()
          .orElse(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java"));
      if (options.getJvmArgs().stream().noneMatch(a -> a.contains("OutOfMemory"))) {
        cmd.add("-XX:+ExitOnOutOfMemoryError");
      }
      StringBuilder cp = new StringBuilder(System.getProperty("java.class.path"));
      for (String extra : options.getExtraClasspath()) {
        cp.append(File.pathSeparatorChar).append(extra);
      }
      String archive = options.getClassDataArchive();
      if (archive != null && jarsOnly(cp.toString())) { // the JDK archives no class path with a directory on it
        Path path = Path.of(archive).toAbsolutePath();
        if (Files.isRegularFile(path)) {
          cmd.add("-XX:SharedArchiveFile=" + path);
        } else if (ARCHIVES_BEING_WRITTEN.add(path)) {
          archiveDump = path.resolveSibling(path.getFileName() + "." + ProcessHandle.current().pid() + "-"
              + worker.workerId() + "-" + generation + ".tmp");
          cmd.add("-XX:ArchiveClassesAtExit=" + archiveDump);
        }
      }
      cmd.addAll(options.getJvmArgs());
      cmd.add("-cp");
      cmd.add(cp.toString());
      cmd.add(ChildMain.class.getName());
      cmd.add(Integer.toString(options.getConcurrency()));
      cmd.add(Integer.toString(options.getMaxFrameBytes()));
      if (replies != null) {
        cmd.add(replies.path());
      }
      return cmd;
    }

    // the reader thread: launch, greet, read; then reap and report
    private void run() {
      String why;
      Vertx vertx = worker.vertx();
      long startTimer = vertx.setTimer(options.getStartTimeout().toMillis(), t -> {
        if (!opened.future().isComplete()) {
          kill("did not start within " + options.getStartTimeout().toMillis() + " ms");
        }
      });
      ReplySocket replies = null;
      try {
        replies = openReplies();
        ProcessBuilder pb = new ProcessBuilder(command(replies));
        pb.environment().putAll(options.getEnvironment());
        if (options.getWorkingDirectory() != null) {
          pb.directory(new File(options.getWorkingDirectory()));
        }
        Process p = pb.start();
        process = p;
        pid = p.pid();
        if (killReason != null) {
          p.destroyForcibly();
        }
        // a failed write means the child is gone: the reader sees the end of stream
        writer = new FrameWriter(p.getOutputStream(), threadName("writer"), e -> { });
        Thread err = new Thread(() -> readStderr(p), threadName("stderr"));
        err.setDaemon(true);
        err.start();
        stderrReader = err;
        why = replies != null ? forwardStdout(p) : readLoop(p, startTimer);
      } catch (IOException | RuntimeException e) {
        why = "failed: " + e;
      }
      vertx.cancelTimer(startTimer);
      Process p = process;
      if (p != null) {
        why = reap(p, why);
      }
      if (replies != null) {
        replies.awaitClosed(5000); // the child is gone: its last replies are read before its end is reported
      }
      if (archiveDump != null) {
        installArchive(p);
      }
      String reason = killReason != null ? killReason : why == null ? "exited" : why;
      exited.tryComplete();
      if (opened.tryFail(new IOException(label() + " " + reason + tail()))) {
        return;
      }
      try {
        listener.closed(reason);
      } finally {
        ((ReaderThread) Thread.currentThread()).payAll(); // calls the queue handed over as this child's failed
      }
    }

    // the archive the child wrote as it exited goes into place if it exited cleanly, and only if none is there
    private void installArchive(Process p) {
      Path target = Path.of(options.getClassDataArchive()).toAbsolutePath();
      try {
        if (p != null && !p.isAlive() && p.exitValue() == 0 && Files.size(archiveDump) > 0
            && !Files.exists(target)) {
          Files.move(archiveDump, target, StandardCopyOption.ATOMIC_MOVE);
          log.debug("{}: wrote the class-data archive {}", label(), target);
        }
      } catch (IOException | RuntimeException e) {
        log.debug("{}: no class-data archive ({})", label(), e.toString());
      } finally {
        try {
          Files.deleteIfExists(archiveDump); // ours: named after this JVM, worker and child
        } catch (IOException ignored) {
          // nothing else depends on it
        }
        ARCHIVES_BEING_WRITTEN.remove(target);
      }
    }

    private ReplySocket openReplies() {
      if (!Boolean.parseBoolean(System.getProperty(REPLY_SOCKET, "true"))) {
        return null;
      }
      try {
        return ReplySocket.listen(context, options.getMaxFrameBytes(), this);
      } catch (Exception e) {
        log.debug("{}: no reply socket ({}); replies come on standard output", label(), e.toString());
        return null;
      }
    }

    // with a reply socket: standard output carries no frames, only what the JVM itself may print there
    private String forwardStdout(Process p) {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          worker.childLine(label(), 0, line);
        }
      } catch (IOException ignored) {
        // the child is gone
      }
      return null;
    }

    /** A frame on the reply socket, on the event loop: the HELLO first, then the worker's. */
    @Override
    public void frame(byte[] body, int length) {
      try {
        if (hello == null) {
          BoundedInput in = new BoundedInput(body, 0, length);
          if (in.readByte() != Wire.HELLO) {
            broken("a bad greeting");
            return;
          }
          Hello h = new Hello(in.readVarLong(true), in.readVarInt(true), in.readVarInt(true), in.readVarInt(true),
              in.readVarInt(true), List.of());
          if (h.pid() != pid) {
            broken("the greeting of another process (pid " + h.pid() + ")");
            return;
          }
          hello = h;
          if (!opened.tryComplete(this)) {
            kill("was not needed any more");
          }
          return;
        }
        listener.frame(body, length);
      } catch (RuntimeException e) {
        broken(e.toString());
      }
    }

    @Override
    public void broken(String why) {
      kill("broke the protocol (" + why + ")");
    }

    private String tail() {
      String t = stderrTail();
      return t.isEmpty() ? "" : "; its last output:\n" + t;
    }

    private String reap(Process p, String why) {
      try {
        if (!p.waitFor(5, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          p.waitFor(5, TimeUnit.SECONDS);
        }
        if (!p.isAlive() && why == null) {
          why = describeExit(p.exitValue());
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
      return why;
    }

    // returns null on a clean end of stream (the exit code then says why), or why the channel failed
    private String readLoop(Process p, long startTimer) {
      ReplyStream in = new ReplyStream(p.getInputStream());
      FrameReader reader = new FrameReader(in, options.getMaxFrameBytes());
      ReaderThread self = (ReaderThread) Thread.currentThread();
      try {
        Input frame = reader.next();
        if (frame == null) {
          return null;
        }
        if (frame.readByte() != Wire.HELLO) {
          return "sent a bad greeting";
        }
        hello = new Hello(frame.readVarLong(true), frame.readVarInt(true), frame.readVarInt(true),
            frame.readVarInt(true), frame.readVarInt(true), List.of());
        worker.vertx().cancelTimer(startTimer);
        if (!opened.tryComplete(this)) {
          return "was not needed any more";
        }
        self.payIfIdle(in);
        while ((frame = reader.next()) != null) {
          listener.frame(frame.getBuffer(), frame.limit());
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
          worker.childLine(label(), 1, line);
        }
      } catch (IOException ignored) {
        // the child is gone
      }
    }
  }

  /** @return whether every entry of the class path is a file (a jar), as class-data sharing requires */
  static boolean jarsOnly(String classPath) {
    for (String entry : classPath.split(File.pathSeparator)) {
      if (!entry.isEmpty() && !Files.isRegularFile(Path.of(entry))) {
        return false;
      }
    }
    return true;
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
