package io.asynqueue.internal.runner;

import com.esotericsoftware.kryo.io.Output;
import io.asynqueue.CodecException;
import io.asynqueue.Task;
import io.asynqueue.internal.codec.BoundedInput;
import io.asynqueue.internal.codec.FrameWriter;
import io.asynqueue.internal.codec.KryoCodec;
import io.asynqueue.internal.codec.Wire;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/*
 * The runner side of one channel (a child JVM's standard input and output, one client's connection to a
 * worker server): the frames a caller sends, decoded and run, and the replies. What differs between the
 * two runners is left to a subclass: where a call or an iterator step runs (threads of the child, the
 * server's pool or its event loop), how a reply frame goes out (a pipe, a socket with fragments), which
 * tasks may run (anything from a trusted parent; an allow-list and a service's methods on a server).
 *
 * Concurrency: frame() is called by one thread at a time (the reader); calls, iterators and defined tasks
 * are in concurrent maps, since calls run and finish on other threads. Each call and each iterator
 * guards its own state (see RunnerCall, IteratorPump).
 */
public abstract class Runner {

  /** What a call names, resolved by the runner: something to invoke with the call's arguments. */
  public interface Invocation {

    /**
     * @param args the call's arguments
     * @return what it returned
     * @throws Throwable what it threw: the task's failure
     */
    Object invoke(Object[] args) throws Throwable;
  }

  /** The runner will not run the call; its message goes to the caller. */
  public static final class Refused extends Exception {

    private static final long serialVersionUID = 1L;

    /**
     * @param message why, for the caller
     */
    public Refused(String message) {
      super(message, null, false, false);
    }
  }

  /** The encoder of the current thread: replies are encoded on the thread that has them. */
  static final ThreadLocal<Output> OUT = ThreadLocal.withInitial(() -> new Output(4096, -1));

  final KryoCodec codec;
  final ConcurrentHashMap<Long, RunnerCall> calls = new ConcurrentHashMap<>();
  final ConcurrentHashMap<Long, IteratorPump> iterators = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Integer, Object> defined = new ConcurrentHashMap<>(); // a Task, or why not
  private final AtomicLong callsDone = new AtomicLong();

  /**
   * @param codec the codec of the channel: trusted for a child, strict for a server
   */
  protected Runner(KryoCodec codec) {
    this.codec = codec;
  }

  // ---------------------------------------------------------------- what a runner provides

  /**
   * Runs a call now or soon, on a thread where it may block (or inline, if the runner knows it is brief):
   * {@link RunnerCall#run()}.
   *
   * @param call the call
   * @param urgent whether it goes before the calls waiting
   */
  protected abstract void dispatch(RunnerCall call, boolean urgent);

  /**
   * Runs a step of an iterator (a batch of elements) on a thread where it may block, behind the calls
   * waiting.
   *
   * @param step the step
   */
  protected abstract void execute(Runnable step);

  /**
   * Sends a whole reply frame, encoded in {@code out} from {@code start}. A runner whose frames are bounded
   * sends a large one in FRAGMENT frames, and may keep the output for that.
   *
   * @param id the call or iterator the frame answers
   * @param out the encoder holding the frame
   * @param start where the frame starts
   * @param length its length, header included
   * @return whether the output was kept (the caller then needs a new one)
   */
  protected abstract boolean send(long id, Output out, int start, int length);

  /** @return whether the channel is closed: replies are dropped, calls not started are not run */
  protected abstract boolean isClosed();

  /**
   * Resolves a call of a method by name (a remote server's service).
   *
   * @param name the name
   * @param arity how many arguments the call has
   * @return what to invoke
   * @throws Refused if there is no such method
   */
  protected Invocation resolveNamed(String name, int arity) throws Refused {
    throw new Refused("this runner has no methods to call by name (" + name + ")");
  }

  /**
   * Checks a task object decoded from a call before it runs.
   *
   * @param task the decoded object
   * @throws Refused if it may not run here
   */
  protected void checkTask(Object task) throws Refused {
    if (!(task instanceof Task<?>)) {
      throw new Refused(KryoCodec.className(task) + " is not a task");
    }
  }

  /**
   * A call's invocation returned or threw, or the call will not run: once per call, on the thread that ran
   * it, before the outcome is sent (a Future result may still be pending). A server gives back the
   * concurrency permit the call held.
   *
   * @param call the call
   * @param runNanos how long the invocation ran, 0 if it did not
   */
  protected void invoked(RunnerCall call, long runNanos) {
  }

  /**
   * A call's reply was sent, or dropped: once per call, from any thread. A server counts its calls in flight.
   *
   * @param call the call
   */
  protected void finished(RunnerCall call) {
  }

  /**
   * May another iterator be opened on this channel.
   *
   * @return {@code true} by default
   */
  protected boolean mayOpenIterator() {
    return true;
  }

  /** The caller sent BYE: a child finishes the calls it holds, then ends. */
  protected void bye() {
  }

  /**
   * Fills in the frame for a STATS request.
   *
   * @param out where to, after the request's ID
   */
  protected void stats(Output out) {
    Runtime rt = Runtime.getRuntime();
    out.writeVarLong(rt.totalMemory() - rt.freeMemory(), true);
    out.writeVarLong(rt.maxMemory(), true);
    out.writeVarInt(rt.availableProcessors(), true);
    out.writeVarLong(callsDone.get(), true);
  }

  // ---------------------------------------------------------------- frames in

  /**
   * Handles one frame from the caller, on the reading thread.
   *
   * @param bytes the frame's body (its first byte the type); handed over, since a call keeps it to decode where
   *     it runs: not changed afterwards
   * @param length the body's length
   * @throws RuntimeException if the frame is malformed: the channel should close
   */
  public final void frame(byte[] bytes, int length) {
    BoundedInput in = new BoundedInput(bytes, 0, length);
    byte type = in.readByte();
    switch (type) {
      case Wire.CALL -> {
        long id = in.readVarLong(true);
        int flags = in.readByte();
        long credit = 0;
        long creditBytes = 0;
        if ((flags & Wire.FLAG_ITERATOR) != 0) {
          credit = in.readVarInt(true);
          creditBytes = in.readVarInt(true);
        }
        RunnerCall call = new RunnerCall(this, id, flags, credit, creditBytes, bytes, in.position(), length);
        if (calls.putIfAbsent(id, call) != null) {
          throw new IllegalStateException("call " + id + " sent twice");
        }
        dispatch(call, (flags & Wire.FLAG_URGENT) != 0);
      }
      case Wire.CREDIT -> {
        long id = in.readVarLong(true);
        int elements = in.readVarInt(true);
        int creditBytes = in.readVarInt(true);
        IteratorPump pump = iterators.get(id);
        if (pump != null) {
          pump.grant(elements, creditBytes);
        }
      }
      case Wire.CLOSE -> {
        IteratorPump pump = iterators.remove(in.readVarLong(true));
        if (pump != null) {
          pump.close();
        }
      }
      case Wire.CANCEL -> {
        RunnerCall call = calls.get(in.readVarLong(true));
        if (call != null) {
          call.cancel();
        }
      }
      case Wire.PING -> sendSmall(Wire.PONG, -1);
      case Wire.DEFINE -> define(in);
      case Wire.STATS -> {
        long id = in.readVarLong(true);
        Output out = OUT.get();
        out.reset();
        int start = FrameWriter.beginFrame(out);
        out.writeByte(Wire.STATS_REPLY);
        out.writeVarLong(id, true);
        stats(out);
        send(id, out, start, FrameWriter.endFrame(out, start));
      }
      case Wire.BYE -> bye();
      default -> throw new IllegalStateException("a frame of unknown type " + type);
    }
  }

  private void define(BoundedInput in) {
    int ref = in.readVarInt(true);
    if (!codec.isTrusted()) {
      throw new IllegalStateException("DEFINE on an untrusted channel");
    }
    try {
      defined.put(ref, KryoCodec.readObject(codec.local(), in, "the task"));
    } catch (CodecException e) {
      defined.put(ref, e); // the calls that name it are refused with this reason
    }
  }

  /** @return the task a DEFINE gave this ref */
  Object defined(int ref) {
    return defined.get(ref);
  }

  void ran() {
    callsDone.incrementAndGet();
  }

  /** @return calls this runner ran */
  public final long callsDone() {
    return callsDone.get();
  }

  /** @return the calls received and not finished */
  public final int callsInFlight() {
    return calls.size();
  }

  /** @return the iterators open on this channel */
  protected final int iterators() {
    return iterators.size();
  }

  // ---------------------------------------------------------------- frames out

  /**
   * Sends a frame of a type and an ID (or of the type only, for a negative ID).
   *
   * @param type the type
   * @param id the ID, or -1
   */
  protected final void sendSmall(byte type, long id) {
    Output out = OUT.get();
    out.reset();
    int start = FrameWriter.beginFrame(out);
    out.writeByte(type);
    if (id >= 0) {
      out.writeVarLong(id, true);
    }
    if (send(id, out, start, FrameWriter.endFrame(out, start))) {
      OUT.set(new Output(4096, -1));
    }
  }

  /**
   * Encodes an ERROR frame.
   *
   * @param out where to (reset first)
   * @param id the call or iterator
   * @param kind {@link Wire#THREW} or {@link Wire#REFUSED}
   * @param runNanos how long the call ran
   * @param failure the failure, or {@code null} for a refusal with only a message
   * @param refusal the refusal's message
   * @return the frame's length; it starts at 0
   */
  static int error(Output out, long id, int kind, long runNanos, Throwable failure, String refusal) {
    out.reset();
    int start = FrameWriter.beginFrame(out);
    out.writeByte(Wire.ERROR);
    out.writeVarLong(id, true);
    out.writeByte(kind);
    out.writeVarLong(Math.max(0, runNanos), true);
    if (failure != null) {
      Wire.writeFailure(out, failure);
    } else {
      Wire.writeFailure(out, io.asynqueue.RefusedCallException.class.getName(), refusal, new StackTraceElement[0]);
    }
    return FrameWriter.endFrame(out, start);
  }

  /** Sends the frame in the thread's encoder, renewing the encoder if it was kept or grew large. */
  final void sendOut(long id, int length) {
    Output out = OUT.get();
    if (!isClosed() && send(id, out, 0, length) || out.getBuffer().length > (1 << 20)) {
      OUT.set(new Output(4096, -1));
    }
  }

  // ---------------------------------------------------------------- closing

  /** The channel closed: running calls are interrupted, the rest dropped, iterators closed. */
  protected final void closeAll() {
    for (RunnerCall call : calls.values()) {
      call.cancel();
    }
    for (IteratorPump pump : iterators.values()) {
      pump.close();
    }
    iterators.clear();
  }
}
