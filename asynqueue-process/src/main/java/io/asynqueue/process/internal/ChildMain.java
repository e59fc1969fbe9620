package io.asynqueue.process.internal;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.asynqueue.Task;
import io.asynqueue.internal.codec.FrameReader;
import io.asynqueue.internal.codec.FrameWriter;
import io.asynqueue.internal.codec.KryoCodec;
import io.asynqueue.internal.codec.Wire;
import io.asynqueue.internal.runner.Runner;
import io.asynqueue.internal.runner.RunnerCall;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The main loop of a child JVM started by a {@code ProcessWorker}: the runner side of the task protocol
 * ({@link Wire}) over the real standard input and output. Not for users.
 *
 * <p>{@code System.out} and {@code System.err} are replaced by streams that send each line to the parent as a
 * LOG frame, so user code that prints cannot corrupt the channel; {@code System.in} is empty.
 *
 * <p>Threads: {@code concurrency + 1} threads share two roles (leader/follower). One at a time reads frames;
 * the others run calls and iterator steps (FIFO; urgent calls first). When a call arrives and nothing is
 * queued, the reader runs it itself at once and hands the reading role to an idle thread, so a lone call never
 * waits for a thread to wake up; with one thread for calls and a kind of task that ran briefly last time, it
 * runs it without handing over at all. A reply is written at once when nothing else is queued (lowest latency),
 * else left to the frame writer's thread, which sends the replies of a burst in one write. The child exits when
 * its standard input ends (the parent died or let it go), after a BYE once its calls are done, or when its parent
 * process is gone, so it is never left orphaned.
 *
 * <p>Replies go to standard output, or, when the parent names a Unix domain socket, to that socket: the parent
 * then reads them on an event loop rather than on a thread of its own (one thread wake-up less per call). The
 * socket is in a directory only this user may enter, and the parent accepts one connection on it.
 *
 * <p>Arguments: {@code concurrency maxFrameBytes [replySocketPath]}.
 */
public final class ChildMain extends Runner {

  private static final int BIG = 1024 * 1024;
  private static final long FAST_NANOS = 50_000;
  /** How long the replies of calls run back to back may wait to go out together. */
  private static final long BATCH_NANOS = 100_000;

  /** Queued by the reader for an idle thread: take over reading. */
  private static final Runnable BECOME_READER = () -> { };

  private final int concurrency;
  private final int maxFrameBytes;
  private final BlockingDeque<Runnable> work = new LinkedBlockingDeque<>();
  private final AtomicInteger idle = new AtomicInteger();
  private final AtomicInteger queued = new AtomicInteger(); // tasks in work, not counting BECOME_READER
  private final AtomicInteger running = new AtomicInteger(); // tasks taken from work and running
  private final Map<Class<?>, Long> lastNanos = new ConcurrentHashMap<>(); // how long each kind of task last ran
  private final FrameWriter writer;
  private final Worker[] threads;
  private FrameReader reader; // used by the thread that has the reading role
  private CallStream calls; // what the reader reads from

  private ChildMain(int concurrency, int maxFrameBytes, OutputStream protocolOut) {
    super(KryoCodec.trusted(ChildMain.class.getClassLoader()));
    this.concurrency = concurrency;
    this.maxFrameBytes = maxFrameBytes;
    this.writer = new FrameWriter(protocolOut, "asynqueue-child-writer", e -> Runtime.getRuntime().halt(0));
    this.threads = new Worker[concurrency + 1];
    for (int i = 0; i < threads.length; i++) {
      threads[i] = new Worker(i);
    }
  }

  /**
   * Runs the child.
   *
   * @param args concurrency and max frame bytes
   */
  public static void main(String[] args) {
    int concurrency = args.length > 0 ? Integer.parseInt(args[0]) : 1;
    int maxFrameBytes = args.length > 1 ? Integer.parseInt(args[1]) : 256 << 20;
    FileInputStream in = new FileInputStream(FileDescriptor.in);
    OutputStream out;
    if (args.length > 2) {
      try {
        out = new SocketOutput(SocketChannel.open(UnixDomainSocketAddress.of(args[2])));
      } catch (IOException | RuntimeException e) {
        System.err.println("cannot connect to the reply socket " + args[2] + ": " + e);
        System.exit(3);
        return;
      }
    } else {
      out = new FileOutputStream(FileDescriptor.out);
    }
    ChildMain child = new ChildMain(concurrency, maxFrameBytes, out);
    System.setIn(new ByteArrayInputStream(new byte[0]));
    System.setOut(new PrintStream(child.new LineForwarder(0), false, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(child.new LineForwarder(1), false, StandardCharsets.UTF_8));
    Runtime.getRuntime().addShutdownHook(new Thread(child.writer::close, "asynqueue-child-flush"));
    ProcessHandle.current().parent().ifPresent(p -> p.onExit().thenRun(() -> Runtime.getRuntime().halt(0)));
    child.calls = new CallStream(in);
    child.reader = new FrameReader(child.calls, maxFrameBytes);
    warmUp(KryoCodec.trusted(ChildMain.class.getClassLoader()));
    for (Worker t : child.threads) {
      t.start();
    }
  }

  // Loads and links the codec's classes before HELLO, so the first call is not the one that pays for it.
  private static void warmUp(KryoCodec codec) {
    Kryo kryo = codec.newKryo();
    Output out = new Output(1024, -1);
    Task<Integer> task = args -> args.length;
    for (int i = 0; i < 200; i++) {
      out.reset();
      Wire.writeTarget(kryo, out, task, 0);
      Wire.writeArgs(kryo, out, new Object[] {i, "x", new double[4]});
      Input in = new Input(out.getBuffer(), 0, out.position());
      in.readByte();
      KryoCodec.readObject(kryo, in, "warm-up");
      in.readVarInt(true);
    }
  }

  private static Worker current() {
    return (Worker) Thread.currentThread();
  }

  // ---------------------------------------------------------------- the runner

  @Override
  protected void dispatch(RunnerCall call, boolean urgent) {
    Worker reading = current();
    Class<?> fast = null;
    if (concurrency == 1 && queued.get() == 0 && running.get() == 0 && callsInFlight() == 1) {
      fast = call.definedTaskClass();
    }
    if (fast != null && isFast(fast)) {
      // one call at a time, nothing else held, and this kind of task ran briefly last time: run it here
      // without handing over the reading role (saves two thread switches); reading resumes right after
      reading.inline = call;
    } else if (queued.get() == 0 && idle.get() > 0) {
      reading.handOff = call; // an idle thread reads on while this one runs the call at once
    } else {
      enqueue(call, urgent);
    }
  }

  @Override
  protected void execute(Runnable step) {
    enqueue(step, false);
  }

  private void enqueue(Runnable task, boolean urgent) {
    queued.incrementAndGet();
    if (urgent) {
      work.addFirst(task);
    } else {
      work.addLast(task);
    }
  }

  @Override
  protected boolean send(long id, Output out, int start, int length) {
    try {
      if (length > FrameWriter.SMALL) {
        writer.writeDirect(out.getBuffer(), start, length);
        return false;
      }
      writer.append(out.getBuffer(), start, length);
    } catch (IOException e) {
      Runtime.getRuntime().halt(0); // the parent is gone
    }
    if (Thread.currentThread() instanceof Worker w && w.batching) {
      w.owed = true; // the reader runs calls that already arrived: their replies go out together after them
    } else if (queued.get() == 0) {
      writer.flush();
    } else {
      writer.flushLater();
    }
    if (out.getBuffer().length > BIG) {
      return true; // a new encoder for this thread, the big one dropped
    }
    return false;
  }

  @Override
  protected boolean isClosed() {
    return false;
  }

  @Override
  protected void invoked(RunnerCall call, long runNanos) {
    Class<?> type = call.taskClass();
    if (type != null && runNanos > 0) {
      lastNanos.put(type, runNanos);
    }
  }

  @Override
  protected void bye() {
    // the parent holds nothing more; what is still queued or running here (a cancelled call, the last step of
    // a closed iterator, releasing it) finishes first
    while (callsInFlight() > 0 || queued.get() > 0 || running.get() > 0) {
      try {
        Thread.sleep(1);
      } catch (InterruptedException e) {
        break;
      }
    }
    writer.close();
    Runtime.getRuntime().halt(0);
  }

  private boolean isFast(Class<?> type) {
    Long last = lastNanos.get(type);
    return last != null && last < FAST_NANOS;
  }

  // ---------------------------------------------------------------- threads

  /** A thread that reads frames or runs calls and iterator steps, one at a time. */
  private final class Worker extends Thread {
    private final int index;
    RunnerCall inline;
    RunnerCall handOff;
    /** Running a call inline while more calls are already buffered: its reply waits for theirs (see read). */
    boolean batching;
    /** Replies appended and not flushed while batching. */
    boolean owed;
    private long owedSince;

    Worker(int index) {
      super("asynqueue-child-" + index);
      this.index = index;
    }

    @Override
    public void run() {
      try {
        if (index == 0) {
          hello();
          read();
        }
        while (true) {
          Runnable r;
          idle.incrementAndGet();
          try {
            r = work.take();
          } finally {
            idle.decrementAndGet();
          }
          if (r == BECOME_READER) {
            read();
          } else {
            queued.decrementAndGet();
            running.incrementAndGet();
            try {
              runTask(r);
            } finally {
              running.decrementAndGet();
            }
          }
        }
      } catch (Throwable t) {
        t.printStackTrace(System.err);
        Runtime.getRuntime().halt(1);
      }
    }

    private void hello() {
      Output out = new Output(64);
      int start = FrameWriter.beginFrame(out);
      out.writeByte(Wire.HELLO);
      out.writeVarLong(ProcessHandle.current().pid(), true);
      out.writeVarInt(Runtime.getRuntime().availableProcessors(), true);
      out.writeVarInt(concurrency, true);
      out.writeVarInt(Integer.MAX_VALUE, true); // the parent decides how many calls it sends ahead
      out.writeVarInt(maxFrameBytes, true);
      out.writeVarInt(0, true); // a trusted channel: no class list
      send(-1, out, start, FrameWriter.endFrame(out, start));
      writer.flush();
    }

    // the reading role: returns after handing it to another thread, to run a call here
    private void read() throws IOException {
      Input frame;
      while ((frame = reader.next()) != null) {
        byte[] body = Arrays.copyOf(frame.getBuffer(), frame.limit()); // a call is decoded where it runs
        frame(body, body.length);
        RunnerCall here = inline;
        if (here != null) {
          inline = null;
          // As the raw echo does: while calls that already arrived wait in the buffer, replies gather, and go
          // out in one write once it is empty (or after BATCH_NANOS, so the first reply is not held up long).
          batching = calls.buffered() > 0;
          if (batching && !owed) {
            owedSince = System.nanoTime();
          }
          try {
            runTask(here);
          } finally {
            batching = false;
          }
          if (owed && (calls.buffered() == 0 || System.nanoTime() - owedSince > BATCH_NANOS)) {
            payOwed();
          }
          continue;
        }
        payOwed();
        here = handOff;
        if (here != null) {
          handOff = null;
          work.addFirst(BECOME_READER);
          runTask(here);
          return;
        }
      }
      payOwed();
      // end of input: the parent is gone or let us go without a BYE
      writer.close();
      Runtime.getRuntime().halt(0);
    }

    private void payOwed() {
      if (owed) {
        owed = false;
        if (queued.get() == 0) {
          writer.flush();
        } else {
          writer.flushLater();
        }
      }
    }

    private void runTask(Runnable r) {
      try {
        r.run();
      } catch (Throwable t) {
        t.printStackTrace(System.err);
      } finally {
        Thread.interrupted(); // a cancel that came too late must not hit the next task
      }
    }
  }

  /** Standard input, buffered; tells how much is buffered without asking the pipe (a system call). */
  private static final class CallStream extends BufferedInputStream {
    CallStream(InputStream in) {
      super(in, FrameWriter.SMALL);
    }

    int buffered() {
      return count - pos; // read by the reading thread only, which also fills it
    }
  }

  /** The reply socket as a stream: blocking writes, never shared with a reader (unlike Channels' adapters). */
  private static final class SocketOutput extends OutputStream {
    private final SocketChannel channel;

    SocketOutput(SocketChannel channel) {
      this.channel = channel;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      ByteBuffer buffer = ByteBuffer.wrap(b, off, len);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
    }

    @Override
    public void close() throws IOException {
      channel.close();
    }
  }

  /** Sends what user code prints, line by line, as LOG frames. */
  private final class LineForwarder extends OutputStream {
    private final int stream;
    private final Output line = new Output(256, 64 * 1024);
    private final Output frame = new Output(512, 256 * 1024);

    LineForwarder(int stream) {
      this.stream = stream;
    }

    @Override
    public synchronized void write(int b) {
      if (b == '\n') {
        emit();
      } else {
        if (line.position() >= 64 * 1024 - 1) {
          emit();
        }
        line.writeByte(b);
      }
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      for (int i = off; i < off + len; i++) {
        write(b[i]);
      }
    }

    @Override
    public synchronized void flush() {
      if (line.position() > 0) {
        emit();
      }
    }

    private void emit() {
      int n = line.position();
      if (n > 0 && line.getBuffer()[n - 1] == '\r') {
        n--;
      }
      String text = new String(line.getBuffer(), 0, n, StandardCharsets.UTF_8);
      line.reset();
      frame.reset();
      int start = FrameWriter.beginFrame(frame);
      frame.writeByte(Wire.LOG);
      frame.writeByte(stream);
      frame.writeString(text);
      int length = FrameWriter.endFrame(frame, start);
      try {
        writer.append(frame.getBuffer(), start, length);
      } catch (IOException e) {
        return; // the parent is gone; the child is about to exit
      }
      writer.flushLater();
    }
  }
}
