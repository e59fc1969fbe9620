package io.asynqueue.internal.channel;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Output;
import io.asynqueue.CodecException;
import io.asynqueue.RefusedCallException;
import io.asynqueue.Task;
import io.asynqueue.WorkerLostException;
import io.asynqueue.internal.codec.BoundedInput;
import io.asynqueue.internal.codec.FrameWriter;
import io.asynqueue.internal.codec.KryoCodec;
import io.asynqueue.internal.codec.Wire;
import io.asynqueue.spi.Job;
import io.asynqueue.stream.Deferator;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/*
 * One open channel of a ChannelWorker: the calls sent on it and not answered yet, by ID; the replies read
 * from it; the iterations it holds open.
 *
 * Calls are encoded on the thread that hands them over (its own Kryo and buffer), then appended to the
 * channel under sendLock, so a DEFINE always goes out before the first CALL that names it. Replies are
 * decoded on the transport's reading thread and settle their jobs there (Job.complete is thread-safe and
 * completes the caller's Future on its context). At the end (closed), every call still pending fails with
 * WorkerLostException (the queue retries those that allow it) and every open iteration fails.
 */
final class Connection implements Channel.Listener {

  /** What a reply settles. */
  private sealed interface Pending permits CallPending, StatsPending {
  }

  private record CallPending(Job job, long sentNanos) implements Pending {
  }

  private record StatsPending(Promise<Stats> promise) implements Pending {
  }

  /** The figures of a STATS reply. */
  record Stats(long heapUsed, long heapMax, int cpus, long callsDone) {
  }

  /** The encoding state of a calling thread. */
  private static final ThreadLocal<Output> OUT = ThreadLocal.withInitial(() -> new Output(4096, -1));

  final ChannelWorker worker;
  volatile String label;
  private volatile Channel channel;
  private KryoCodec codec;
  private final ConcurrentHashMap<Long, Pending> pending = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Job, Long> ids = new ConcurrentHashMap<>();
  final ConcurrentHashMap<Long, ChannelSource> sources = new ConcurrentHashMap<>();
  private final Map<Long, ByteArrayOutputStream> fragments = new HashMap<>(); // reading thread only
  private final Object sendLock = new Object();
  // @protectedby sendLock
  private final Set<Integer> defined = new HashSet<>();
  private volatile boolean closed;
  /** Whether a call completed on this channel: its end is then not a failure in a row (see ChannelWorker). */
  volatile boolean completedACall;

  Connection(ChannelWorker worker) {
    this.worker = worker;
    this.label = worker.label();
  }

  /** The channel opened: its HELLO fixes the codec. Before any frame is read or sent. */
  void opened(Channel c) {
    Hello hello = c.hello();
    ChannelOptions o = worker.options;
    if (o.trusted) {
      codec = KryoCodec.trusted(o.loader);
    } else {
      List<Class<?>> classes = new ArrayList<>(hello.classes().size());
      for (String name : hello.classes()) {
        Class<?> type;
        try {
          type = Class.forName(name, false, o.loader);
        } catch (ClassNotFoundException | LinkageError e) {
          type = null; // a gap: this side cannot send or read it
        }
        classes.add(type);
      }
      codec = KryoCodec.strict(classes, o.loader);
    }
    label = c.label();
    channel = c;
  }

  Channel channel() {
    return channel;
  }

  boolean isClosed() {
    return closed;
  }

  /** @return the calls and requests sent and not answered, with the iterations held open */
  int inFlight() {
    return pending.size() + sources.size();
  }

  // ---------------------------------------------------------------- calls out (any thread)

  /**
   * Sends a job's call.
   *
   * @return {@code false} if the channel closed before it could be sent (the job is the worker's again)
   */
  boolean submit(Job job) {
    Output out = OUT.get();
    out.reset();
    Kryo kryo = codec.local();
    Task<?> task = job.task();
    boolean iterator = job.resultKind() == Job.ResultKind.ITERATOR;
    long id = worker.nextId();
    int ref = 0;
    byte[] define = null;
    int start = FrameWriter.beginFrame(out);
    try {
      if (codec.isTrusted() && Wire.isStatelessClosure(task)) {
        ChannelWorker.TaskDef def = worker.taskDef(task, kryo);
        ref = def.ref();
        define = def.frame();
      }
      out.writeByte(Wire.CALL);
      out.writeVarLong(id, true);
      out.writeByte((iterator ? Wire.FLAG_ITERATOR : 0) | (job.isUrgent() ? Wire.FLAG_URGENT : 0)
          | (job.isUpdate() ? Wire.FLAG_UPDATE : 0));
      if (iterator) {
        out.writeVarInt(worker.options.prefetch, true);
        out.writeVarInt(worker.options.prefetchBytes, true);
      }
      Wire.writeTarget(kryo, out, task, ref);
      Wire.writeArgs(kryo, out, job.args());
    } catch (CodecException e) {
      shrink(out);
      job.fail(new CodecException("cannot send " + job.describe() + " to " + label + ": " + e.getMessage(), e));
      return true;
    } catch (RuntimeException e) { // the frame grew past what an array holds
      shrink(out);
      job.fail(new CodecException("cannot send " + job.describe() + " to " + label + ": " + e, e));
      return true;
    }
    int length = FrameWriter.endFrame(out, start);
    int limit = Math.min(worker.options.maxFrameBytes, channel.hello().maxFrameBytes());
    if (length - 4 > limit) {
      shrink(out);
      job.fail(new CodecException("cannot send " + job.describe() + " to " + label + ": the call takes "
          + (length - 4) + " bytes, more than the " + limit + " it accepts"));
      return true;
    }
    int inFlight;
    synchronized (sendLock) {
      if (closed) {
        shrink(out);
        return false;
      }
      if (job.isDone()) { // timed out while it was being encoded: its cancel found nothing here, nor sends
        shrink(out);
        return true;
      }
      pending.put(id, new CallPending(job, System.nanoTime()));
      ids.put(job, id);
      if (define != null && defined.add(ref)) {
        channel.send(define, 0, define.length);
      }
      channel.send(out.getBuffer(), start, length);
      inFlight = pending.size();
    }
    shrink(out);
    channel.flush(inFlight <= 1);
    return true;
  }

  /** The queue gave up on a job (its timeout): forget it, and cancel it in the runner (or end the channel). */
  void cancel(Job job) {
    Long id;
    synchronized (sendLock) { // with submit: the call was sent, and is found here, or it will not be sent
      id = ids.remove(job);
      if (id == null || pending.remove(id) == null || closed) {
        return;
      }
    }
    if (worker.options.killOnTimeout) {
      String why = "was killed because " + job.describe() + " timed out";
      worker.lost(this, label + " " + why); // now: the calls that follow wait for the next channel
      kill(why);
    } else {
      sendSmall(Wire.CANCEL, id);
    }
    worker.oneLess(); // a graceful stop may be waiting for it
  }

  /** @return a Future of the runner's figures */
  Future<Stats> stats() {
    Promise<Stats> promise = Promise.promise();
    long id = worker.nextId();
    synchronized (sendLock) {
      if (closed) {
        return Future.failedFuture(new WorkerLostException(label + " is gone"));
      }
      pending.put(id, new StatsPending(promise));
    }
    sendSmall(Wire.STATS, id);
    return promise.future();
  }

  void sendCredit(long id, int elements, int bytes) {
    Output o = new Output(32);
    int start = FrameWriter.beginFrame(o);
    o.writeByte(Wire.CREDIT);
    o.writeVarLong(id, true);
    o.writeVarInt(elements, true);
    o.writeVarInt(bytes, true);
    sendFrame(o, start);
  }

  void iteratorClosed(ChannelSource source, boolean tellRunner) {
    if (tellRunner) {
      sendSmall(Wire.CLOSE, source.id); // first: a stop waiting for the iteration then sends BYE after it
    }
    if (sources.remove(source.id, source)) {
      worker.oneLess();
    }
  }

  /** Sends a frame of a type and an ID (or of the type only, for a negative ID). */
  void sendSmall(byte type, long id) {
    Output o = new Output(16);
    int start = FrameWriter.beginFrame(o);
    o.writeByte(type);
    if (id >= 0) {
      o.writeVarLong(id, true);
    }
    sendFrame(o, start);
  }

  private void sendFrame(Output o, int start) {
    int length = FrameWriter.endFrame(o, start);
    synchronized (sendLock) {
      if (closed) {
        return;
      }
      channel.send(o.getBuffer(), start, length);
    }
    channel.flush(false);
  }

  private static void shrink(Output out) {
    if (out.getBuffer().length > (1 << 20)) {
      OUT.set(new Output(4096, -1));
    }
  }

  // ---------------------------------------------------------------- replies in (the reading thread)

  @Override
  public void frame(byte[] body, int length) {
    BoundedInput in = new BoundedInput(body, 0, length);
    byte type = in.readByte();
    switch (type) {
      case Wire.VALUE -> {
        long id = in.readVarLong(true);
        long runNanos = in.readVarLong(true);
        Pending p = pending.remove(id);
        if (p instanceof CallPending cp) {
          Object value;
          try {
            value = KryoCodec.readObject(codec.local(), in, "the result");
          } catch (CodecException e) {
            settle(cp, runNanos, null, e);
            return;
          }
          settle(cp, runNanos, value, null);
        }
      }
      case Wire.ERROR -> {
        long id = in.readVarLong(true);
        int kind = in.readByte();
        long runNanos = in.readVarLong(true);
        Wire.RemoteFailure failure = Wire.readFailure(in);
        Pending p = pending.remove(id);
        if (p instanceof CallPending cp) {
          String call = cp.job().describe();
          settle(cp, runNanos, null, kind == Wire.REFUSED
              ? new RefusedCallException(failure.message() + " (refused " + call + " at " + label + ")")
              : failure.toTaskException(call));
        } else if (p == null) {
          ChannelSource source = sources.remove(id);
          if (source != null) {
            worker.oneLess();
            source.fail(failure.toTaskException("next of " + source.call));
          }
        }
      }
      case Wire.ITER -> iter(in.readVarLong(true), in.readVarLong(true));
      case Wire.ELEMENTS -> elements(in);
      case Wire.FRAGMENT -> {
        long id = in.readVarLong(true);
        boolean last = in.readBoolean();
        ByteArrayOutputStream whole = fragments.computeIfAbsent(id, k -> new ByteArrayOutputStream(1 << 20));
        whole.write(body, in.position(), length - in.position());
        if (last) {
          fragments.remove(id);
          byte[] joined = whole.toByteArray();
          frame(joined, joined.length);
        }
      }
      case Wire.PONG -> { }
      case Wire.LOG -> {
        int stream = in.readByte();
        String line = in.readString();
        ChannelOptions.LineListener lines = worker.options.lines;
        if (lines != null) {
          lines.line(label, stream, line);
        }
      }
      case Wire.STATS_REPLY -> {
        long id = in.readVarLong(true);
        Stats stats = new Stats(in.readVarLong(true), in.readVarLong(true), in.readVarInt(true), in.readVarLong(true));
        if (pending.remove(id) instanceof StatsPending sp) {
          sp.promise().tryComplete(stats);
        }
      }
      default -> throw new IllegalStateException("a frame of unknown type " + type);
    }
  }

  // the call returned an iterator: a Deferator over a source that the runner fills as credit allows
  private void iter(long id, long runNanos) {
    Pending p = pending.remove(id);
    if (!(p instanceof CallPending cp)) {
      sendSmall(Wire.CLOSE, id); // cancelled meanwhile
      return;
    }
    ids.remove(cp.job());
    ChannelOptions o = worker.options;
    ChannelSource source = new ChannelSource(this, id, cp.job().describe(), o.prefetch, o.prefetchBytes,
        o.prefetch, o.prefetchBytes);
    sources.put(id, source);
    Object deferator;
    try {
      deferator = Deferator.fromSource(cp.job().context(), source, o.window);
    } catch (RuntimeException e) {
      source.close();
      cp.job().fail(e);
      worker.oneLess();
      return;
    }
    timed(cp, runNanos);
    if (!cp.job().complete(deferator)) {
      source.close();
    }
    worker.oneLess();
  }

  private void elements(BoundedInput in) {
    long id = in.readVarLong(true);
    ChannelSource source = sources.get(id);
    if (source == null) {
      return; // closed meanwhile
    }
    int start = in.position();
    List<Object> elements = new ArrayList<>();
    boolean last;
    try {
      int i = 0;
      Kryo kryo = codec.local();
      while (in.readByte() == 1) {
        elements.add(KryoCodec.readObject(kryo, in, "element " + i++ + " of the iterator"));
      }
      int elementBytes = in.position() - 1 - start;
      last = in.readBoolean();
      source.receive(elements, elementBytes, last);
    } catch (CodecException e) {
      if (sources.remove(id, source)) {
        worker.oneLess();
      }
      source.fail(e);
      sendSmall(Wire.CLOSE, id);
      return;
    }
    if (last && sources.remove(id, source)) {
      worker.oneLess();
    }
  }

  private void settle(CallPending cp, long runNanos, Object value, Throwable failure) {
    ids.remove(cp.job());
    timed(cp, runNanos);
    if (failure == null) {
      completedACall = true;
      cp.job().complete(value);
    } else {
      cp.job().fail(failure);
    }
    worker.oneLess();
  }

  private void timed(CallPending cp, long runNanos) {
    ChannelOptions.CallTimer timer = worker.options.callTimer;
    if (timer != null) {
      timer.called(System.nanoTime() - cp.sentNanos(), runNanos);
    }
  }

  // ---------------------------------------------------------------- the end

  /** Ends the channel at once; {@link #closed} follows from the transport. */
  void kill(String why) {
    Channel c = channel;
    if (c != null) {
      c.kill(why);
    }
  }

  @Override
  public void closed(String why) {
    List<Pending> lost;
    List<ChannelSource> lostSources;
    synchronized (sendLock) {
      if (closed) {
        return;
      }
      closed = true;
      lost = new ArrayList<>(pending.values());
      pending.clear();
      ids.clear();
      lostSources = new ArrayList<>(sources.values());
      sources.clear();
    }
    String reason = label + " " + why;
    worker.lost(this, reason); // first: the worker pauses, so the retries of what failed here go elsewhere
    for (Pending p : lost) {
      if (p instanceof CallPending cp) {
        cp.job().fail(new WorkerLostException(reason + " while it held " + cp.job().describe()));
      } else if (p instanceof StatsPending sp) {
        sp.promise().tryFail(new WorkerLostException(reason));
      }
    }
    for (ChannelSource s : lostSources) {
      s.fail(new WorkerLostException(reason + " while it held the iterator of " + s.call));
    }
  }

  /** @return the jobs whose calls were sent on this channel and not answered */
  List<Job> heldJobs() {
    List<Job> held = new ArrayList<>();
    for (Pending p : pending.values()) {
      if (p instanceof CallPending cp) {
        held.add(cp.job());
      }
    }
    return held;
  }

}
