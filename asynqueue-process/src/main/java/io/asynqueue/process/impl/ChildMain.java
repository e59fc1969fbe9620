package io.asynqueue.process.impl;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.asynqueue.Task;
import io.asynqueue.internal.TaskResults;
import io.asynqueue.CodecException;
import io.asynqueue.internal.codec.FrameReader;
import io.asynqueue.internal.codec.FrameWriter;
import io.asynqueue.internal.codec.KryoCodec;
import io.asynqueue.internal.codec.Wire;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The main loop of a child JVM started by a {@code ProcessWorker}. Not for users.
 *
 * <p>The real standard output is the protocol channel (frames, see {@link Wire}); standard input brings calls.
 * {@code System.out} and {@code System.err} are replaced by streams that send each line to the parent as a LOG
 * frame, so user code that prints cannot corrupt the channel; {@code System.in} is empty.
 *
 * <p>Threads: {@code concurrency + 1} threads share two roles (leader/follower). One at a time reads and
 * decodes frames; the others run calls (FIFO; urgent calls and iterator steps go first). When a call arrives and
 * nothing is queued, the reader runs it itself at once and hands the reading role to an idle thread, so a lone
 * call never waits for a thread to wake up; otherwise it queues the call for the next free thread. A thread
 * encodes its reply and either writes it at once (nothing else queued: lowest latency) or leaves it to the
 * frame writer's thread, which sends the replies of a burst in one write. The child exits when its standard input ends (the parent died or let it go) or when its parent
 * process is gone, so it is never left orphaned.
 *
 * <p>Arguments: {@code concurrency maxFrameBytes}.
 */
public final class ChildMain {

  private static final int BIG = 1024 * 1024;

  /** Queued by the reader for an idle thread: take over reading. */
  private static final Runnable BECOME_READER = () -> { };

  private final int maxFrameBytes;
  private final KryoCodec codec = KryoCodec.trusted(ChildMain.class.getClassLoader());
  private final BlockingDeque<Runnable> work = new LinkedBlockingDeque<>();
  private final Map<Long, Iterator<?>> iterators = new ConcurrentHashMap<>();
  private final Map<Integer, Object> defined = new ConcurrentHashMap<>(); // a Task, or why it could not be read
  private final AtomicLong callsDone = new AtomicLong();
  private final AtomicInteger idle = new AtomicInteger();
  private final AtomicInteger outstanding = new AtomicInteger();
  private final AtomicInteger queued = new AtomicInteger(); // tasks in work, not counting BECOME_READER
  private final FrameWriter writer;
  private final Runner[] runners;
  private FrameReader reader; // used by the thread that has the reading role
  private final boolean single;
  private final Map<Class<?>, Long> lastNanos = new ConcurrentHashMap<>(); // how long each kind of task last ran
  private static final long FAST_NANOS = 50_000;
  private volatile boolean bye;

  private ChildMain(int concurrency, int maxFrameBytes, OutputStream protocolOut) {
    this.maxFrameBytes = maxFrameBytes;
    this.writer = new FrameWriter(protocolOut, "asynqueue-child-writer", e -> Runtime.getRuntime().halt(0));
    this.single = concurrency == 1;
    this.runners = new Runner[concurrency + 1];
    for (int i = 0; i < runners.length; i++) {
      runners[i] = new Runner(i);
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
    FileOutputStream out = new FileOutputStream(FileDescriptor.out);
    ChildMain child = new ChildMain(concurrency, maxFrameBytes, out);
    System.setIn(new ByteArrayInputStream(new byte[0]));
    System.setOut(new PrintStream(child.new LineForwarder(0), false, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(child.new LineForwarder(1), false, StandardCharsets.UTF_8));
    Runtime.getRuntime().addShutdownHook(new Thread(child.writer::close, "asynqueue-child-flush"));
    ProcessHandle.current().parent().ifPresent(p -> p.onExit().thenRun(() -> Runtime.getRuntime().halt(0)));
    child.reader = new FrameReader(new BufferedInputStream(in, FrameWriter.SMALL), maxFrameBytes);
    warmUp(child.codec.newKryo());
    for (Runner r : child.runners) {
      r.start();
    }
  }

  private static Runner current() {
    return (Runner) Thread.currentThread();
  }

  // Loads and links the codec's classes before HELLO, so the first call is not the one that pays for it.
  private static void warmUp(Kryo kryo) {
    Output out = new Output(1024, -1);
    Task<Integer> task = args -> args.length;
    for (int i = 0; i < 200; i++) {
      out.reset();
      Wire.writeTaskAndArgs(kryo, out, task, new Object[] {i, "x", new double[4]});
      Input in = new Input(out.getBuffer(), 0, out.position());
      in.readVarInt(true);
      KryoCodec.readObject(kryo, in, "warm-up");
      in.readVarInt(true);
    }
  }

  private void send(Output out, int start, boolean now) {
    int length = FrameWriter.endFrame(out, start);
    try {
      if (length > FrameWriter.SMALL) {
        writer.writeDirect(out.getBuffer(), start, length);
        return;
      }
      writer.append(out.getBuffer(), start, length);
    } catch (IOException e) {
      Runtime.getRuntime().halt(0); // the parent is gone
    }
    if (now || queued.get() == 0) {
      writer.flush();
    } else {
      writer.flushLater();
    }
  }

  private static void closeIterator(Iterator<?> it) {
    TaskResults.closeQuietly(it);
  }

  /** An iterator that failed after a batch: the next fetch reports its failure. */
  private record Failed(Throwable failure) implements Iterator<Object> {
    @Override
    public boolean hasNext() {
      throw Failed.<RuntimeException>rethrow(failure);
    }

    @Override
    public Object next() {
      return hasNext();
    }

    // throws what the iterator threw, checked or not, so that its class reaches the caller unchanged
    @SuppressWarnings("unchecked")
    private static <T extends Throwable> RuntimeException rethrow(Throwable failure) throws T {
      throw (T) failure;
    }
  }

  /**
   * Sends the outcome of a call that holds the child (see {@link Runner#call}): here if this is a runner
   * thread, else (a Future completed on another thread) on the next free runner, ahead of queued calls.
   */
  private void finish(Runnable reply) {
    if (Thread.currentThread() instanceof Runner) {
      try {
        reply.run();
      } finally {
        release();
      }
    } else {
      queued.incrementAndGet();
      work.addFirst(reply); // run by runTask, which releases the hold
    }
  }

  /** One task or held call less; the last one lets a waiting BYE exit. */
  private void release() {
    if (outstanding.decrementAndGet() == 0 && bye) {
      synchronized (outstanding) {
        outstanding.notifyAll();
      }
    }
  }

  private boolean isFast(Class<?> type) {
    Long last = lastNanos.get(type);
    return last != null && last < FAST_NANOS;
  }

  /** A call to run, and the class of its task (for {@link #isFast}). */
  private record CallTask(Class<?> type, Runnable body) implements Runnable {
    @Override
    public void run() {
      body.run();
    }
  }

  /** A thread that reads frames or runs calls and iterator steps, one at a time. */
  private final class Runner extends Thread {
    private final Kryo kryo = codec.newKryo();
    private Output out = new Output(4096, maxFrameBytes);
    private final int index;

    Runner(int index) {
      super("asynqueue-child-" + index);
      this.index = index;
    }

    @Override
    public void run() {
      try {
        if (index == 0) {
          out.reset();
          int start = FrameWriter.beginFrame(out);
          out.writeByte(Wire.HELLO);
          out.writeVarLong(ProcessHandle.current().pid(), true);
          out.writeVarInt(Runtime.getRuntime().availableProcessors(), true);
          send(out, start, true);
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
            runTask(r);
          }
        }
      } catch (Throwable t) {
        t.printStackTrace(System.err);
        Runtime.getRuntime().halt(1);
      }
    }

    // the reading role: returns after handing it to another thread, to run a call here
    private void read() throws IOException, InterruptedException {
      Input frame;
      while ((frame = reader.next()) != null) {
        byte type = frame.readByte();
        Runnable task = null;
        boolean urgent = true;
        switch (type) {
          case Wire.CALL -> {
            long id = frame.readVarLong(true);
            int flags = frame.readByte();
            task = decodeCall(id, flags, frame);
            urgent = (flags & Wire.FLAG_URGENT) != 0;
          }
          case Wire.NEXT -> {
            long id = frame.readVarLong(true);
            int max = frame.readVarInt(true);
            int maxBytes = frame.readVarInt(true);
            task = () -> current().next(id, max, maxBytes);
          }
          case Wire.CLOSE -> {
            long id = frame.readVarLong(true);
            task = () -> closeIterator(iterators.remove(id));
          }
          case Wire.INFO -> info(frame.readVarLong(true));
          case Wire.DEFINE -> {
            int ref = frame.readVarInt(true);
            try {
              defined.put(ref, KryoCodec.readObject(kryo, frame, "the task"));
            } catch (CodecException e) {
              defined.put(ref, e);
            }
          }
          case Wire.BYE -> {
            bye = true;
            synchronized (outstanding) {
              while (outstanding.get() > 0) {
                outstanding.wait();
              }
            }
            writer.close();
            Runtime.getRuntime().halt(0);
          }
          default -> throw new IOException("unknown frame type " + type);
        }
        if (task == null) {
          continue;
        }
        if (outstanding.getAndIncrement() == 0 && single && task instanceof CallTask c && isFast(c.type)) {
          // one task at a time, nothing else held, and this kind of task ran briefly last time: run it here
          // without handing over the reading role (saves two thread switches); reading resumes right after
          runTask(task);
          continue;
        }
        if (queued.get() == 0 && idle.get() > 0) {
          work.addFirst(BECOME_READER); // an idle thread reads on while this one runs the call at once
          runTask(task);
          return;
        }
        queued.incrementAndGet();
        if (urgent) {
          work.addFirst(task);
        } else {
          work.addLast(task);
        }
      }
      // end of input: the parent is gone or let us go without a BYE
      writer.close();
      Runtime.getRuntime().halt(0);
    }

    private Runnable decodeCall(long id, int flags, Input frame) {
      int firstMax = 0;
      int maxBytes = 0;
      if ((flags & Wire.FLAG_ITERATOR) != 0) {
        firstMax = frame.readVarInt(true);
        maxBytes = frame.readVarInt(true);
      }
      Task<?> task;
      Object[] args;
      try {
        int ref = frame.readVarInt(true);
        Object t = ref == 0 ? KryoCodec.readObject(kryo, frame, "the task") : defined.get(ref);
        if (t instanceof CodecException e) {
          throw e;
        } else if (t == null) {
          throw new CodecException("task " + ref + " was never defined in this child");
        }
        task = (Task<?>) t;
        int n = frame.readVarInt(true);
        args = new Object[n];
        for (int i = 0; i < n; i++) {
          args[i] = KryoCodec.readObject(kryo, frame, "argument " + (i + 1));
        }
      } catch (RuntimeException e) {
        CodecException failure = e instanceof CodecException c ? c
            : new CodecException("the call cannot be deserialized in the child: " + KryoCodec.rootMessage(e), e);
        return () -> current().replyError(id, 0, failure);
      }
      boolean iterator = (flags & Wire.FLAG_ITERATOR) != 0;
      int fMax = firstMax;
      int fBytes = maxBytes;
      return new CallTask(task.getClass(), () -> current().call(id, task, args, iterator, fMax, fBytes));
    }

    private void info(long id) {
      Runtime rt = Runtime.getRuntime();
      out.reset();
      int start = FrameWriter.beginFrame(out);
      out.writeByte(Wire.INFO_REPLY);
      out.writeVarLong(id, true);
      out.writeVarLong(rt.totalMemory() - rt.freeMemory(), true);
      out.writeVarLong(rt.maxMemory(), true);
      out.writeVarInt(rt.availableProcessors(), true);
      out.writeVarLong(callsDone.get(), true);
      send(out, start, true);
    }

    private void runTask(Runnable r) {
      try {
        r.run();
      } catch (Throwable t) {
        t.printStackTrace(System.err);
      } finally {
        release();
      }
    }

    void call(long id, Task<?> task, Object[] args, boolean iterator, int firstMax, int maxBytes) {
      long t0 = System.nanoTime();
      Object result;
      try {
        result = task.invoke(args);
      } catch (Throwable t) {
        long runNanos = System.nanoTime() - t0;
        callsDone.incrementAndGet();
        lastNanos.put(task.getClass(), runNanos);
        replyError(id, runNanos, t);
        return;
      }
      long runNanos = System.nanoTime() - t0;
      callsDone.incrementAndGet();
      lastNanos.put(task.getClass(), runNanos);
      outstanding.incrementAndGet(); // held until the outcome is sent, which may be later: a BYE waits for it
      TaskResults.resolve(result, iterator, new TaskResults.Outcome() {
        @Override
        public void value(Object value) {
          finish(() -> current().replyValue(id, runNanos, value));
        }

        @Override
        public void iterator(Iterator<?> it) {
          finish(() -> {
            iterators.put(id, it);
            current().reply(Wire.ITER, id, runNanos, it, firstMax, maxBytes);
          });
        }

        @Override
        public void failure(Throwable failure) {
          finish(() -> current().replyError(id, runNanos, failure));
        }
      });
    }

    private void replyValue(long id, long runNanos, Object result) {
      out.reset();
      int start = FrameWriter.beginFrame(out);
      out.writeByte(Wire.VALUE);
      out.writeVarLong(id, true);
      out.writeVarLong(runNanos, true);
      try {
        KryoCodec.writeObject(kryo, out, "the result", result);
      } catch (CodecException e) {
        replyError(id, runNanos, e);
        return;
      }
      sendAndShrink(start);
    }

    void next(long id, int max, int maxBytes) {
      Iterator<?> it = iterators.get(id);
      if (it == null) {
        replyError(id, 0, new IllegalStateException("no iterator " + id + " in this child (closed or ended)"));
        return;
      }
      reply(Wire.BATCH, id, -1, it, max, maxBytes);
    }

    // ITER (with runNanos >= 0) or BATCH: a batch of up to max elements or about maxBytes bytes
    private void reply(byte type, long id, long runNanos, Iterator<?> it, int max, int maxBytes) {
      out.reset();
      int start = FrameWriter.beginFrame(out);
      out.writeByte(type);
      out.writeVarLong(id, true);
      if (type == Wire.ITER) {
        out.writeVarLong(runNanos, true);
      }
      int elementsStart = out.position();
      int n = 0;
      boolean last = false;
      Throwable failure = null;
      try {
        while (n < max && out.position() - elementsStart < maxBytes && it.hasNext()) {
          int mark = out.position();
          try {
            Object element = it.next();
            out.writeByte(1);
            KryoCodec.writeObject(kryo, out, "element " + n + " of the iterator", element);
          } catch (Throwable t) {
            out.setPosition(mark);
            throw t;
          }
          n++;
        }
        last = !it.hasNext();
      } catch (Throwable t) {
        failure = t;
      }
      if (failure != null) {
        closeIterator(iterators.remove(id));
        if (n == 0 && type == Wire.BATCH) {
          replyError(id, Math.max(runNanos, 0), failure);
          return;
        }
        // The elements before the failure go first; the next fetch gets the failure (as in the caller's JVM).
        iterators.put(id, new Failed(failure));
      }
      out.writeByte(0);
      out.writeBoolean(last);
      if (last) {
        closeIterator(iterators.remove(id));
      }
      sendAndShrink(start);
    }

    void replyError(long id, long runNanos, Throwable failure) {
      out.reset();
      int start = FrameWriter.beginFrame(out);
      out.writeByte(Wire.ERROR);
      out.writeVarLong(id, true);
      out.writeVarLong(runNanos, true);
      Wire.writeFailure(out, failure);
      sendAndShrink(start);
    }

    private void sendAndShrink(int start) {
      send(out, start, false);
      if (out.getBuffer().length > BIG) {
        out = new Output(4096, maxFrameBytes);
      }
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
